// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: new slabs, module/grow.c: page allocation failure, a
 * task that migrates while it gets a slab.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static struct page *fail_slab_pages(struct pcslab_cache *cache, gfp_t gfp)
{
	return NULL;
}

static void cache_page_alloc_failure(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 256, 0, NULL);
	void *p;

	kunit_activate_static_stub(test, pcslab_alloc_slab_pages, fail_slab_pages);
	KUNIT_EXPECT_NULL(test, pcslab_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, pcslab_alloc(c, GFP_ATOMIC));
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_ALLOC_FAIL), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	kunit_deactivate_static_stub(test, pcslab_alloc_slab_pages);
	p = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	pcslab_free(c, p);
}

static unsigned int migrate_to;

/* Pages for a new slab, the allocating task moved to another CPU meanwhile. */
static struct page *migrating_slab_pages(struct pcslab_cache *cache, gfp_t gfp)
{
	set_cpus_allowed_ptr(current, cpumask_of(migrate_to));
	return alloc_pages(gfp & ~(__GFP_ZERO | __GFP_COMP), cache->geo.order);
}

/*
 * Checked and sound: a task that moves to another CPU while it gets the
 * pages of a new slab gives the slab to the CPU it runs on when the
 * header is written (only NUMA locality is affected); the object is
 * then that CPU's, and freed there it is a local free.
 */
static void cache_new_slab_after_migration(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	unsigned int from, to;
	void *p;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs");
	from = raw_smp_processor_id();
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(from)), 0);
	to = other_cpu(test);
	migrate_to = to;
	kunit_activate_static_stub(test, pcslab_alloc_slab_pages, migrating_slab_pages);
	p = pcslab_alloc(c, GFP_KERNEL);
	kunit_deactivate_static_stub(test, pcslab_alloc_slab_pages);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, raw_smp_processor_id(), to);
	KUNIT_EXPECT_EQ(test, (unsigned int)pcslab_obj_to_slab(p)->cpu, to);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_SLABS, to), 1UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_SLABS, from), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_OBJECTS_IN_USE, to), 1UL);
	pcslab_free(c, p);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_LOCAL), 1UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

static struct kunit_case pcslab_grow_cases[] = {
	KUNIT_CASE(cache_page_alloc_failure),
	KUNIT_CASE(cache_new_slab_after_migration),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_grow, pcslab_grow_cases);
