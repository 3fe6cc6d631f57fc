// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab error reports: the only way an error leaves pcslab.
 *
 * Every detected misuse (a pointer that is not an object of the cache, a
 * double free, a poisoned object written after free) is counted in the
 * cache's stats and printed, with a backtrace, once per cache and kind.
 * A KUnit case that provokes errors registers a "pcslab_errors" resource
 * and gets them counted there instead of printed, as lib/slub_kunit.c
 * does.  Callable in any context, with or without an owner lock held.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/bitops.h>
#include <linux/printk.h>
#include <kunit/resource.h>
#include <kunit/test-bug.h>

#include "pcslab_internal.h"

static const char *const pcslab_error_what[PCSLAB_NR_EVENT_STATS] = {
	[PCSLAB_STAT_INVALID_FREE]	= "invalid free: not an object of this cache",
	[PCSLAB_STAT_DOUBLE_FREE]	= "double free",
	[PCSLAB_STAT_POISON_CORRUPT]	= "object written after free (poison overwritten)",
};

static bool pcslab_kunit_count_error(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	struct kunit *test = kunit_get_current_test();
	struct kunit_resource *res;

	if (!test)
		return false;
	res = kunit_find_named_resource(test, "pcslab_errors");
	if (!res)
		return false;
	(*(int *)res->data)++;
	kunit_put_resource(res);
	return true;
#else
	return false;
#endif
}

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
	if (pcslab_kunit_count_error())
		return;
	if (test_and_set_bit(kind, &cache->reported))
		return;
	pr_err("cache %s: %s (object %p); further reports of this kind are counted in stats only\n",
	       cache->name, pcslab_error_what[kind], obj);
	dump_stack();
}
