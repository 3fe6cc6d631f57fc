// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: the cache end to end, module/cache.c: destroy with
 * live objects, use from hardirq and softirq, a multi-CPU stress on the
 * workload engine (module/workload.h).
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include "pcslab_kunit.h"
#include "workload.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void cache_destroy_with_live_objects(struct kunit *test)
{
	struct pcslab_cache *c = pcslab_cache_create("kunit_live", 64, 0, 0, NULL);
	void *a, *b;

	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	a = pcslab_alloc(c, GFP_KERNEL);
	b = pcslab_alloc(c, GFP_KERNEL);
	pcslab_free(c, pcslab_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(c), 2UL);
	/* the memory stayed valid; late frees still work and release it */
	memset(a, 1, 64);
	pcslab_free_obj(a);
	pcslab_free_obj(b);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 0UL);
	EXPECT_ERRORS(test, 0);
}

/* hardirq (hrtimer) and softirq (timer) users while threads churn */
struct ctx_state {
	struct pcslab_cache *c;
	struct hrtimer hr;
	struct timer_list tl;
	atomic_t hard_ok, soft_ok, fails;
	bool stop;
};

static enum hrtimer_restart ctx_hrtimer_fn(struct hrtimer *t)
{
	struct ctx_state *s = container_of(t, struct ctx_state, hr);
	void *p = pcslab_alloc(s->c, GFP_ATOMIC);

	if (p) {
		memset(p, 0x11, 64);
		pcslab_free(s->c, p);
		atomic_inc(&s->hard_ok);
	} else {
		atomic_inc(&s->fails);
	}
	if (READ_ONCE(s->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(200000));
	return HRTIMER_RESTART;
}

static void ctx_timer_fn(struct timer_list *t)
{
	struct ctx_state *s = from_timer(s, t, tl);
	void *p = pcslab_alloc(s->c, GFP_ATOMIC);

	if (p) {
		pcslab_free(s->c, p);
		atomic_inc(&s->soft_ok);
	}
	if (!READ_ONCE(s->stop))
		mod_timer(&s->tl, jiffies + 1);
}

static void cache_hardirq_and_softirq_users(struct kunit *test)
{
	struct ctx_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned long end = jiffies + HZ / 2;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->c = make_cache(test, 64, 0, NULL);
	hrtimer_init(&s->hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	s->hr.function = ctx_hrtimer_fn;
	timer_setup(&s->tl, ctx_timer_fn, 0);
	hrtimer_start(&s->hr, ns_to_ktime(200000), HRTIMER_MODE_REL_HARD);
	mod_timer(&s->tl, jiffies + 1);
	while (time_before(jiffies, end)) {	/* process context, same cache */
		void *p = pcslab_alloc(s->c, GFP_KERNEL);

		KUNIT_EXPECT_NOT_NULL(test, p);
		pcslab_free(s->c, p);
		cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->hr);
	timer_delete_sync(&s->tl);
	kunit_info(test, "hardirq %d, softirq %d", atomic_read(&s->hard_ok),
		   atomic_read(&s->soft_ok));
	pcslab_cache_drain(s->c);	/* the loop may have migrated: remote frees */
	KUNIT_EXPECT_GT(test, atomic_read(&s->hard_ok), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&s->soft_ok), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fails), 0);
	KUNIT_EXPECT_EQ(test, total(s->c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/* owner + remote freers on every other CPU; each object freed once */
#define STRESS_OBJS	20000U

/* Thread 0 allocates on the owner and deals the objects out; the rest free. */
struct stress_thread {
	struct pcslab_wl_thread wl;
	struct stress *s;
	struct pcslab_wl_ring ring;	/* objects this freer must free */
};

struct stress {
	struct pcslab_cache *c;
	struct stress_thread *t;
	unsigned int n;
	unsigned long alloc_failed;
	bool done;
};

static void stress_alloc(struct stress *s)
{
	unsigned int i, k = 1;

	for (i = 0; i < STRESS_OBJS; i++) {
		void *p = pcslab_alloc(s->c, GFP_ATOMIC);

		if (!p) {
			s->alloc_failed++;
			continue;
		}
		while (!pcslab_wl_ring_push(&s->t[k].ring, p))
			cond_resched();
		k = k + 1 < s->n ? k + 1 : 1;
	}
	/* release: every push before a freer sees done */
	smp_store_release(&s->done, true);
}

static void stress_fn(struct pcslab_wl_thread *wl)
{
	struct stress_thread *t = container_of(wl, struct stress_thread, wl);
	struct stress *s = t->s;

	if (!wl->idx) {
		stress_alloc(s);
		return;
	}
	for (;;) {
		void *p = pcslab_wl_ring_pop(&t->ring);

		if (p) {
			pcslab_free(s->c, p);
			continue;
		}
		/* acquire: pairs with stress_alloc(), every push is visible */
		if (smp_load_acquire(&s->done) && pcslab_wl_ring_empty(&t->ring))
			break;
		cond_resched();
	}
}

static void cache_multi_cpu_stress(struct kunit *test)
{
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pcslab_wl_thread **threads;
	unsigned int cpu, i = 0, nfreers;
	u64 ns;

	KUNIT_ASSERT_NOT_NULL(test, s);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs");
	s->c = make_cache(test, 64, 0, NULL);
	pcslab_cache_set_queue_capacity(s->c, 64);
	/* the default outbox, so that hand-offs, kicks and drains mix */
	pcslab_cache_set_outbox_batch(s->c, PCSLAB_OUTBOX_BATCH);
	s->n = num_online_cpus();
	s->t = kunit_kcalloc(test, s->n, sizeof(*s->t), GFP_KERNEL);
	threads = kunit_kcalloc(test, s->n, sizeof(*threads), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->t);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	/* no hotplug runs during KUnit: the online CPUs stay as counted */
	for_each_online_cpu(cpu) {
		if (i == s->n)
			break;
		s->t[i].wl.fn = stress_fn;
		s->t[i].wl.cpu = cpu;
		s->t[i].s = s;
		threads[i] = &s->t[i].wl;
		i++;
	}
	KUNIT_ASSERT_EQ(test, i, s->n);
	nfreers = s->n - 1;
	KUNIT_ASSERT_EQ(test, pcslab_wl_run(threads, s->n, "pcslab_kunit", &ns), 0);
	KUNIT_EXPECT_EQ(test, s->alloc_failed, 0UL);
	pcslab_cache_drain(s->c);
	kunit_info(test, "%u freers: drains %lu, level up %lu down %lu, kicks %lu, full %lu",
		   nfreers, total(s->c, PCSLAB_STAT_DRAIN), total(s->c, PCSLAB_STAT_LEVEL_UP),
		   total(s->c, PCSLAB_STAT_LEVEL_DOWN), total(s->c, PCSLAB_STAT_KICK),
		   total(s->c, PCSLAB_STAT_REMOTE_FULL));
	KUNIT_EXPECT_EQ(test, total(s->c, PCSLAB_STAT_DOUBLE_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, total(s->c, PCSLAB_STAT_INVALID_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, total(s->c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(s->c, PCSLAB_STAT_FREE_REMOTE), (unsigned long)STRESS_OBJS);
	/*
	 * Whether the level moves depends on how the freer keeps pace (a run
	 * can stay between 25 % and 75 % throughout): the law itself is
	 * tested deterministically in pcslab_remote; here the queue must have
	 * been drained, not bypassed.
	 */
	KUNIT_EXPECT_GT(test, total(s->c, PCSLAB_STAT_DRAIN), 0UL);
	EXPECT_ERRORS(test, 0);
}

static struct kunit_case pcslab_cache_cases[] = {
	KUNIT_CASE(cache_destroy_with_live_objects),
	KUNIT_CASE(cache_hardirq_and_softirq_users),
	KUNIT_CASE_SLOW(cache_multi_cpu_stress),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_cache, pcslab_cache_cases);
