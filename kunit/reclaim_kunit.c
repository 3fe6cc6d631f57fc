// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: reclaim, module/reclaim.c: the empty-slab reserve,
 * the shrinker, the idle flush of an idle owner.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/*
 * Run @c's idle flush once, now.  Not flush_delayed_work(): a flush that
 * re-arms itself before that call would be run a second time by it.
 */
static void run_idle_flush_once(struct pcslab_cache *c)
{
	mod_delayed_work(system_wq, &c->idle_flush, 0);
	flush_work(&c->idle_flush.work);
}

/*
 * Empty slabs beyond the reserve stay until the idle flush trims them, and
 * the flush trims only those that went unused for a whole interval: the
 * first flush after the cycling keeps them (they were in use since the
 * cache began) and comes back; the next one releases them.
 */
static void cache_empty_slab_hysteresis(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 1024, 0, NULL);
	unsigned int n = (c->reserve + 2) * c->geo.nr_objects, i;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_EQ(test, c->reserve, PCSLAB_RESERVE_MAX_SLABS);
	migrate_disable();
	for (i = 0; i < 3; i++) {	/* cycling: no new slab after round 1 */
		KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, objs), (int)n);
		pcslab_free_bulk(c, n, objs);
	}
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_NEW), c->reserve + 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), c->reserve + 2UL);
	/* the flush was armed when the reserve was passed: run it now */
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&c->idle_flush));
	run_idle_flush_once(c);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), c->reserve + 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_FREE), 0UL);
	/* nothing used them since: the flush it queued again releases them */
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&c->idle_flush));
	run_idle_flush_once(c);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), (unsigned long)c->reserve);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&c->idle_flush));
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_FREE), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_EMPTY_BYTES),
			(unsigned long)c->reserve * (PAGE_SIZE << c->geo.order));
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/*
 * The newest empty slab is the next one taken, so that the others stay
 * unused for the idle flush: three slabs emptied one after the other, the
 * next allocation comes from the last one emptied.
 */
static void cache_newest_empty_slab_first(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 1024, 0, NULL);
	unsigned int n = 3 * c->geo.nr_objects, i;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	void *again;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_GE(test, c->reserve, 3U);
	migrate_disable();
	KUNIT_ASSERT_EQ(test, pcslab_alloc_bulk(c, GFP_KERNEL, n, objs), (int)n);
	for (i = n; i-- > 0;)	/* the slab of objs[0] empties last */
		pcslab_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_EMPTY_BYTES),
			3UL * (PAGE_SIZE << c->geo.order));
	again = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	KUNIT_EXPECT_PTR_EQ(test, pcslab_slab_base(again, &c->geo),
			    pcslab_slab_base(objs[0], &c->geo));
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_EMPTY_BYTES),
			2UL * (PAGE_SIZE << c->geo.order));
	/* and freed again it stays first: no list move, the same slab next */
	pcslab_free(c, again);
	again = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, pcslab_slab_base(again, &c->geo),
			    pcslab_slab_base(objs[0], &c->geo));
	pcslab_free(c, again);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_NEW), 3UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/* The shrinker drains stranded queues and frees empty slabs. */
static void cache_shrinker_releases(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 128 };
	struct remote_work w = { .c = c };
	unsigned long count;

	pcslab_cache_set_policy(c, PCSLAB_MAX_QUEUE);
	pcslab_cache_set_queue_capacity(c, PCSLAB_MAX_QUEUE);
	migrate_disable();
	/* two slabs more than the reserve, all freed remotely: still queued */
	w.n = (c->reserve + 2) * c->geo.nr_objects;
	w.objs = alloc_on_this_cpu(test, c, w.n);
	smp_call_function_single(other_cpu(test), free_objs_fn, &w, 1);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), c->reserve + 2UL);
	count = c->shrinker->count_objects(c->shrinker, &sc);
	KUNIT_EXPECT_GE(test, count, (unsigned long)w.n);
	KUNIT_EXPECT_NE(test, c->shrinker->scan_objects(c->shrinker, &sc), SHRINK_STOP);
	/* drained; empty slabs freed down to the owner's reserve */
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), (unsigned long)c->reserve);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

static void cache_idle_owner_flush_and_destroy_drain(struct kunit *test)
{
	struct pcslab_cache *c = make_flushing_cache(test, 64);
	struct pcslab_cache *d = pcslab_cache_create("kunit_destroy", 64, 0, 0, NULL);
	struct remote_work w = { .c = c, .n = 10 };
	unsigned int cpu, i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	pcslab_cache_set_policy(c, 1000);
	pcslab_cache_set_policy(d, 1000);
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(d, 1), 0);
	migrate_disable();
	cpu = other_cpu(test);
	w.objs = alloc_on_this_cpu(test, c, w.n);
	smp_call_function_single(cpu, free_objs_fn, &w, 1);
	w.c = d;
	w.objs = alloc_on_this_cpu(test, d, w.n);
	smp_call_function_single(cpu, free_objs_fn, &w, 1);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(d, PCSLAB_STAT_PENDING), 10UL);
	/* destroy returns the queued frees: nothing live */
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(d), 0UL);
	/* the owner stays idle: the flush returns the objects */
	for (i = 0; i < 100 && total(c, PCSLAB_STAT_PENDING); i++)
		msleep(20);
	kunit_info(test, "idle flush after ~%u ms", i * 20);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_GE(test, total(c, PCSLAB_STAT_IDLE_FLUSH), 1UL);
}

static struct kunit_case pcslab_reclaim_cases[] = {
	KUNIT_CASE(cache_empty_slab_hysteresis),
	KUNIT_CASE(cache_newest_empty_slab_first),
	KUNIT_CASE(cache_shrinker_releases),
	KUNIT_CASE(cache_idle_owner_flush_and_destroy_drain),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_reclaim, pcslab_reclaim_cases);
