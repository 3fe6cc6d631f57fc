// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab per-object debug work, for caches created with debug flags
 * (PCSLAB_POISON, PCSLAB_ZERO_ON_FREE) or under KASAN and kmemleak: one
 * call when an object is handed out, one when it is freed.  A cache
 * without them never calls here (cache->hooks is decided at create).
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/kmemleak.h>
#include <linux/string.h>

#include "pcslab_internal.h"

/* Debug work on an object being handed out: KASAN, poison check, zeroing. */
noinline void pcslab_prepare_object(struct pcslab_cache *cache, void *obj,
				    gfp_t gfp)
{
	pcslab_kasan_unpoison(cache, obj);
	if ((cache->flags & PCSLAB_POISON) &&
	    memchr_inv(obj, PCSLAB_POISON_BYTE, cache->geo.obj_size))
		pcslab_report_error(cache, PCSLAB_STAT_POISON_CORRUPT, obj);
	if ((gfp & __GFP_ZERO) && !(cache->flags & PCSLAB_ZERO_ON_FREE))
		memset(obj, 0, cache->size);
	kmemleak_alloc(obj, cache->size, 1, gfp);
}

/**
 * pcslab_free_hooks - debug work on an object being freed, before it is
 *	put or queued.
 * @cache: the cache (with @cache->hooks set).
 * @obj: the object.
 * @keep: leading bytes left alone (a queued object's link and mark).
 */
noinline void pcslab_free_hooks(struct pcslab_cache *cache, void *obj,
				size_t keep)
{
	kmemleak_free(obj);
	pcslab_wipe(cache, obj + keep, cache->geo.obj_size - keep);
	pcslab_kasan_poison(cache, obj, keep);
}
