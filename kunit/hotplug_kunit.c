// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: CPU offline and online with objects everywhere:
 * module/hotplug.c.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void cache_cpu_hotplug(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct remote_work w = { .c = c, .n = 50 };
	unsigned int victim, i;
	void **live, **mine;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and 2 CPUs");
	victim = cpumask_last(cpu_online_mask);
	if (victim == 0)
		kunit_skip(test, "no non-boot CPU");
	pcslab_cache_set_policy(c, 1000);
	/* live objects and pending remote frees owned by the victim */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(victim)), 0);
	live = alloc_on_this_cpu(test, c, 30);
	w.objs = alloc_on_this_cpu(test, c, w.n);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(0)), 0);
	mine = alloc_on_this_cpu(test, c, 5);
	free_objs_fn(&w);	/* now on CPU 0: these are remote frees */
	KUNIT_ASSERT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, victim), 50UL);
	/* and the victim holds CPU 0's objects in its outbox */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 16), 0);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(victim)), 0);
	for (i = 0; i < 5; i++)
		pcslab_free(c, mine[i]);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(0)), 0);
	KUNIT_ASSERT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_OUTBOX, victim), 5UL);
	ret = remove_cpu(victim);
	if (ret)
		kunit_skip(test, "remove_cpu(%u) failed: %d", victim, ret);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, victim), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_OUTBOX, victim), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, 0), 5UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 5UL);
	/*
	 * Frees to the offline owner's slabs wait in its queue (no free takes
	 * another CPU's lock); a drain, here the API's, returns them.
	 */
	for (i = 0; i < 30; i++)
		pcslab_free(c, live[i]);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, victim), 30UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 30UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_SLABS, victim), 0UL);
	KUNIT_EXPECT_EQ(test, add_cpu(victim), 0);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 0UL);
}

static struct kunit_case pcslab_hotplug_cases[] = {
	KUNIT_CASE_SLOW(cache_cpu_hotplug),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_hotplug, pcslab_hotplug_cases);
