// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: the cache end to end, module/cache.c: destroy with
 * live objects, use from hardirq and softirq, the owner's lock shared by
 * another CPU while the owner runs, a multi-CPU stress on the workload
 * engine (module/workload.h).
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
	struct remote_work w;
	unsigned int cpu;
	void *a, *b;

	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	a = pcslab_alloc(c, GFP_KERNEL);
	b = pcslab_alloc(c, GFP_KERNEL);
	pcslab_free(c, pcslab_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(c), 2UL);
	/* destroy left every owner sharing its lock: late frees may take it */
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_GE(test, atomic_read(&per_cpu_ptr(c->cpu, cpu)->shared), 1);
	/* the memory stayed valid; late frees still work and release it */
	memset(a, 1, 64);
	pcslab_free_obj(a);
	/* one from another CPU, in hardirq: the direct free under the lock */
	if (num_online_cpus() > 1) {
		w.c = c;
		w.objs = &b;
		w.n = 1;
		migrate_disable();
		smp_call_function_single(other_cpu(test), free_objs_fn, &w, 1);
		migrate_enable();
	} else {
		pcslab_free_obj(b);
	}
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

/*
 * The owner's lock is biased to its CPU (pcslab_internal.h): while one
 * CPU allocates and frees without taking it, in task context and from
 * an hrtimer, another shares it again and again (drain, shrink, the
 * setters, a stats read).  Nothing may be lost or freed twice, and the
 * lock must end up unshared and not taken.
 */
#define SHARE_PAIRS	20000U
#define SHARE_LIVE	64U

struct share_state {
	struct pcslab_wl_thread wl[2];
	struct ctx_state ctx;	/* the cache and the owner's hrtimer user */
	unsigned long shares;
	bool done;
};

static void share_fn(struct pcslab_wl_thread *wl)
{
	struct share_state *s = container_of(wl, struct share_state, wl[wl->idx]);
	void *live[SHARE_LIVE] = { };
	unsigned int i, level, pending;

	if (wl->idx) {
		/* the other CPU: share the owner's lock until it is done */
		while (!smp_load_acquire(&s->done)) {	/* acquire: the owner's release */
			pcslab_cache_drain(s->ctx.c);
			pcslab_cache_set_policy(s->ctx.c, s->shares & 1 ?
						PCSLAB_DRAIN_ADAPTIVE : 32);
			pcslab_cache_set_queue_capacity(s->ctx.c, 256 + (s->shares & 255));
			pcslab_cache_cpu_level(s->ctx.c, s->wl[0].cpu, &level, &pending);
			if (!(s->shares % 16))
				pcslab_cache_shrink(s->ctx.c);
			s->shares++;
			cond_resched();
		}
		return;
	}
	hrtimer_init(&s->ctx.hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	s->ctx.hr.function = ctx_hrtimer_fn;
	hrtimer_start(&s->ctx.hr, ns_to_ktime(100000), HRTIMER_MODE_REL_HARD);
	for (i = 0; i < SHARE_PAIRS; i++) {
		void **slot = &live[i % SHARE_LIVE];

		pcslab_free(s->ctx.c, *slot);	/* NULL at first: a no-op */
		*slot = pcslab_alloc(s->ctx.c, GFP_ATOMIC);
		if (!*slot)
			atomic_inc(&s->ctx.fails);
		if (!(i % 256))
			cond_resched();
	}
	for (i = 0; i < SHARE_LIVE; i++)
		pcslab_free(s->ctx.c, live[i]);
	/* release: pairs with the sharer's acquire, our frees are done */
	smp_store_release(&s->done, true);
	WRITE_ONCE(s->ctx.stop, true);
	hrtimer_cancel(&s->ctx.hr);
}

static void cache_shared_lock_while_owner_runs(struct kunit *test)
{
	struct share_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pcslab_wl_thread *threads[2];
	unsigned int cpu, i;
	u64 ns;

	KUNIT_ASSERT_NOT_NULL(test, s);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs");
	s->ctx.c = make_cache(test, 64, 0, NULL);
	s->wl[0].cpu = cpumask_first(cpu_online_mask);
	s->wl[1].cpu = cpumask_next(s->wl[0].cpu, cpu_online_mask);
	for (i = 0; i < 2; i++) {
		s->wl[i].fn = share_fn;
		threads[i] = &s->wl[i];
	}
	KUNIT_ASSERT_EQ(test, pcslab_wl_run(threads, 2, "pcslab_kunit", &ns), 0);
	kunit_info(test, "%lu shares of CPU %u's lock while it ran %u pairs and %d from hardirq",
		   s->shares, s->wl[0].cpu, SHARE_PAIRS, atomic_read(&s->ctx.hard_ok));
	KUNIT_EXPECT_GT(test, s->shares, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->ctx.fails), 0);
	pcslab_cache_drain(s->ctx.c);
	KUNIT_EXPECT_EQ(test, total(s->ctx.c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(s->ctx.c, PCSLAB_STAT_ALLOC),
			(unsigned long)SHARE_PAIRS + atomic_read(&s->ctx.hard_ok));
	KUNIT_EXPECT_EQ(test, total(s->ctx.c, PCSLAB_STAT_DOUBLE_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, total(s->ctx.c, PCSLAB_STAT_INVALID_FREE), 0UL);
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(s->ctx.c->cpu, cpu);

		KUNIT_EXPECT_EQ(test, atomic_read(&pc->shared), 0);
		/* the owner's own field, read once every section is over */
		KUNIT_EXPECT_FALSE(test, data_race(pc->lock_taken));
	}
	EXPECT_ERRORS(test, 0);
}

static struct kunit_case pcslab_cache_cases[] = {
	KUNIT_CASE(cache_destroy_with_live_objects),
	KUNIT_CASE(cache_hardirq_and_softirq_users),
	KUNIT_CASE(cache_shared_lock_while_owner_runs),
	KUNIT_CASE_SLOW(cache_multi_cpu_stress),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_cache, pcslab_cache_cases);
