// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: pcslab_alloc_bulk() and pcslab_free_bulk(),
 * module/bulk.c.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Bulk: all or nothing, whole words, the counters of n single calls. */
static void cache_bulk_alloc_and_free(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	unsigned int n = 3 * c->geo.nr_objects + 5, i, j;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, 0, objs), 0);
	migrate_disable();
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, objs), (int)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_ALLOC), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 4UL);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_PTR_EQ(test, pcslab_obj_to_slab(objs[i])->cache, c);
		for (j = i + 1; j < n && j < i + 130; j++)
			KUNIT_EXPECT_PTR_NE(test, objs[i], objs[j]);
	}
	pcslab_free_bulk(c, n, objs);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_LOCAL), (unsigned long)n);
	EXPECT_ERRORS(test, 0);
	/* __GFP_ZERO reaches every object of a bulk allocation */
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, 8, objs), 8);
	for (i = 0; i < 8; i++)
		memset(objs[i], 0x5a, 64);
	pcslab_free_bulk(c, 8, objs);
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL | __GFP_ZERO, 8, objs), 8);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_TRUE(test, !memchr_inv(objs[i], 0, 64));
	pcslab_free_bulk(c, 8, objs);
}

/*
 * A bulk allocation hands out runs of consecutive slots, lowest first, and
 * a bulk free in that order takes each object after the previous one
 * without the division: every such object is still checked.
 */
static void cache_bulk_in_order_checks_every_object(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	unsigned int n = c->geo.nr_objects, size = c->geo.obj_size, i;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	void **again = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	void *q[4];

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, again);
	KUNIT_ASSERT_GE(test, n, 16U);
	migrate_disable();
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, objs), (int)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 1UL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, objs[i], objs[i - 1] + size);
	/* part of a run: the lowest slots, the rest stays free */
	pcslab_free_bulk(c, 10, objs);
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, 4, again), 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_PTR_EQ(test, again[i], objs[i]);
	pcslab_free_bulk(c, 4, again);
	/* 0..9 free; 12 already free: found in the middle of an ordered run */
	pcslab_free(c, objs[12]);
	q[0] = objs[10];
	q[1] = objs[11];
	q[2] = objs[12];
	q[3] = objs[13];
	pcslab_free_bulk(c, 4, q);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	/* the slot after the last is not an object */
	pcslab_free_bulk(c, n - 14 - 1, objs + 14);
	q[0] = objs[n - 1];
	q[1] = objs[n - 1] + size;
	pcslab_free_bulk(c, 2, q);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_LOCAL), (unsigned long)n + 4);
	EXPECT_ERRORS(test, 2);
	/* nothing was set free twice: the slab holds exactly n objects again */
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, again), (int)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 1UL);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, again[i], objs[i]);
	pcslab_free_bulk(c, n, again);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

static int slab_pages_budget;

static struct page *budget_slab_pages(struct pcslab_cache *cache, gfp_t gfp)
{
	if (slab_pages_budget-- <= 0)
		return NULL;
	return alloc_pages(gfp & ~(__GFP_ZERO | __GFP_COMP), cache->geo.order);
}

static void cache_bulk_all_or_nothing(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	unsigned int n = 2 * c->geo.nr_objects + 1;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	slab_pages_budget = 2;	/* one slab short */
	kunit_activate_static_stub(test, pcslab_alloc_slab_pages, budget_slab_pages);
	/*
	 * On one CPU: a task that moved while the call slept in the page
	 * allocator would give the objects back as remote frees, still
	 * queued (in use) when the count below is read.
	 */
	migrate_disable();
	KUNIT_EXPECT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, objs), 0);
	migrate_enable();
	kunit_deactivate_static_stub(test, pcslab_alloc_slab_pages);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_ALLOC_FAIL), 1UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_NEW), 2UL);
	EXPECT_ERRORS(test, 0);
}

/* Bulk free of a mix: local, remote (one batch), NULL, invalid, double. */
struct bulk_remote {
	struct pcslab_cache *c;
	void **objs;
	unsigned int n;
	int ret;
};

static void bulk_alloc_fn(void *info)	/* hardirq on the other CPU */
{
	struct bulk_remote *r = info;

	r->ret = pcslab_alloc_bulk(r->c, GFP_ATOMIC, r->n, r->objs);
}

static void cache_bulk_free_mixed(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	void **mix = kunit_kcalloc(test, 32, sizeof(void *), GFP_KERNEL);
	void **far = kunit_kcalloc(test, 10, sizeof(void *), GFP_KERNEL);
	struct bulk_remote r = { .c = c, .objs = far, .n = 10 };
	unsigned int cpu, i, k = 0;
	u64 stack_word = 0;

	KUNIT_ASSERT_NOT_NULL(test, mix);
	KUNIT_ASSERT_NOT_NULL(test, far);
	pcslab_cache_set_policy(c, 1000);
	migrate_disable();
	cpu = other_cpu(test);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, bulk_alloc_fn, &r, 1), 0);
	KUNIT_ASSERT_EQ(test, r.ret, 10);
	for (i = 0; i < 10; i++)
		mix[k++] = pcslab_alloc(c, GFP_KERNEL);
	for (i = 0; i < 10; i++)
		mix[k++] = far[i];
	mix[k++] = NULL;
	mix[k++] = &stack_word;		/* invalid */
	mix[k++] = mix[0];		/* double free of a local object */
	pcslab_free_bulk(c, k, mix);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_LOCAL), 10UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 10UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, cpu), 10UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	EXPECT_ERRORS(test, 2);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 10UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

static struct kunit_case pcslab_bulk_cases[] = {
	KUNIT_CASE(cache_bulk_alloc_and_free),
	KUNIT_CASE(cache_bulk_in_order_checks_every_object),
	KUNIT_CASE(cache_bulk_all_or_nothing),
	KUNIT_CASE(cache_bulk_free_mixed),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_bulk, pcslab_bulk_cases);
