// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab error reports: the only way an error leaves pcslab.
 *
 * Every detected misuse (a pointer that is not an object of the cache, a
 * double free, a poisoned object written after free) is counted in the
 * cache's stats, traced (pcslab_error: every error, which is how tests
 * count the ones they provoke, as mm/kfence/kfence_test.c watches the
 * console) and printed, with a backtrace, once per cache and kind.
 * Callable in any context, with or without an owner lock held.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/bitops.h>
#include <linux/printk.h>

#include "pcslab_internal.h"
#include "pcslab_trace.h"

static const char *const pcslab_error_what[PCSLAB_NR_EVENT_STATS] = {
	[PCSLAB_STAT_INVALID_FREE]	= "invalid free: not an object of this cache",
	[PCSLAB_STAT_DOUBLE_FREE]	= "double free",
	[PCSLAB_STAT_POISON_CORRUPT]	= "object written after free (poison overwritten)",
};

/**
 * pcslab_report_error - count an error and report it once per cache and kind.
 * @cache: the cache the operation was on.
 * @kind: %PCSLAB_STAT_INVALID_FREE, %PCSLAB_STAT_DOUBLE_FREE or
 *	%PCSLAB_STAT_POISON_CORRUPT.
 * @obj: the pointer concerned.
 */
void pcslab_report_error(struct pcslab_cache *cache,
			 enum pcslab_stat_item kind, const void *obj)
{
	pcslab_stat(cache, kind);
	trace_pcslab_error(cache->name, kind, pcslab_error_what[kind], obj);
	if (test_and_set_bit(kind, &cache->reported))
		return;
	pr_err("cache %s: %s (object %p); further reports of this kind are counted in stats only\n",
	       cache->name, pcslab_error_what[kind], obj);
	dump_stack();
}
