// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab_soak - everything at once, for a long time.
 *
 * Loading it creates five caches of different sizes and flags and runs,
 * for @seconds: worker kthreads (unbound, so the scheduler and CPU
 * hotplug move them between CPUs) cycling through pcslab_test's
 * scenarios -- local batches freed shuffled, objects handed to another
 * worker to free (mostly remote), a random mix, bursts of hand-overs with
 * quiet gaps, and the bulk calls -- plus a hardirq user (an hrtimer) and
 * a softirq user (a timer) that allocate with GFP_ATOMIC and free what
 * they allocated a few ticks earlier, often on another CPU.  Every object
 * carries a pattern derived from its address and a sequence number,
 * checked before it is freed.  The workers are fault-injection targets
 * (fail_page_alloc's task-filter), so allocation failures are expected and
 * counted.  Meanwhile the caller (tools/guest/soak.sh) takes CPUs offline
 * and online, changes drain_policy, queue_capacity and drains through
 * debugfs, drops caches and injects page allocation failures.
 *
 * At the end every object is freed and, per cache, the module checks that
 * pcslab counted exactly the allocations and frees it did (plus the
 * objects of failed bulk allocations, counted as allocated and freed) and
 * that no object is in use after a drain.  insmod fails if any check failed.  The
 * caches stay until rmmod, for debugfs.
 */
#define pr_fmt(fmt) "pcslab_soak: " fmt

#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <pcslab.h>

#include "pcslab_internal.h"

static unsigned int seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long to run (default 60)");

static unsigned int nr_workers;
module_param(nr_workers, uint, 0444);
MODULE_PARM_DESC(nr_workers, "worker threads (default: 2 per online CPU, at least 4)");

#define NR_CACHES	5
#define HOLD		128	/* objects a worker holds at most */
#define INBOX		512	/* objects waiting for a worker to free them */
#define IRQ_HOLD	16	/* objects an irq user keeps for later ticks */
#define PATTERN		0x50a4c0deUL

static const struct {
	const char *name;
	unsigned int size, flags;
} soak_caches[NR_CACHES] = {
	{ "soak-16", 16, 0 },
	{ "soak-64", 64, 0 },
	{ "soak-200-poison", 200, PCSLAB_POISON },
	{ "soak-1k-zero", 1024, PCSLAB_ZERO_ON_FREE },
	{ "soak-3000-align", 3000, PCSLAB_HWCACHE_ALIGN },
};

/* What the soak did to each cache, to compare with pcslab's counters. */
struct soak_count {
	atomic_long_t allocs, frees, fails, pattern_errors;
};

struct soak_obj {
	void *obj;
	u8 cache;
};

struct soak_inbox {
	spinlock_t lock;	/* any worker adds, the owner takes */
	unsigned int n;
	struct soak_obj objs[INBOX];
};

struct soak_worker {
	struct task_struct *task;
	unsigned int id;
	struct rnd_state rnd;
	struct soak_inbox inbox;
	unsigned long ops;
};

struct soak_irq_user {
	struct soak_obj held[IRQ_HOLD];
	unsigned int next;
	unsigned long ops;
};

static struct pcslab_cache *caches[NR_CACHES];
static struct soak_count counts[NR_CACHES];
static struct soak_worker *workers;
static atomic_t workers_running, workers_started;
static bool stopping;
static struct hrtimer soak_hrtimer;
static struct timer_list soak_timer;
static struct soak_irq_user hard_user, soft_user;

static unsigned long pattern(const void *obj, unsigned int k)
{
	return (unsigned long)obj ^ PATTERN ^ k;
}

static void *soak_alloc(unsigned int k, gfp_t gfp)
{
	void *obj = pcslab_alloc(caches[k], gfp);
	unsigned int size = soak_caches[k].size;

	if (!obj) {
		atomic_long_inc(&counts[k].fails);
		return NULL;
	}
	atomic_long_inc(&counts[k].allocs);
	((unsigned long *)obj)[0] = pattern(obj, k);
	((unsigned long *)(obj + size))[-1] = pattern(obj, k) + 1;
	return obj;
}

static void soak_free(unsigned int k, void *obj)
{
	unsigned int size = soak_caches[k].size;

	if (((unsigned long *)obj)[0] != pattern(obj, k) ||
	    ((unsigned long *)(obj + size))[-1] != pattern(obj, k) + 1) {
		if (atomic_long_inc_return(&counts[k].pattern_errors) == 1)
			pr_err("%s: object %p overwritten while in use\n",
			       soak_caches[k].name, obj);
	}
	pcslab_free(caches[k], obj);
	atomic_long_inc(&counts[k].frees);
}

/* ---- irq users: allocate now, free a few ticks later (any CPU) ---- */

static void irq_user_tick(struct soak_irq_user *u)
{
	struct soak_obj *slot = &u->held[u->next];
	unsigned int k = u->ops % NR_CACHES;

	u->next = (u->next + 1) % IRQ_HOLD;
	if (slot->obj)
		soak_free(slot->cache, slot->obj);
	slot->obj = soak_alloc(k, GFP_ATOMIC);
	slot->cache = k;
	u->ops++;
}

static void irq_user_drop(struct soak_irq_user *u)
{
	unsigned int i;

	for (i = 0; i < IRQ_HOLD; i++) {
		if (u->held[i].obj)
			soak_free(u->held[i].cache, u->held[i].obj);
		u->held[i].obj = NULL;
	}
}

static enum hrtimer_restart soak_hrtimer_fn(struct hrtimer *t)
{
	irq_user_tick(&hard_user);
	if (READ_ONCE(stopping))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(500 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void soak_timer_fn(struct timer_list *t)
{
	irq_user_tick(&soft_user);
	if (!READ_ONCE(stopping))
		mod_timer(t, jiffies + 1);
}

/* ---- workers ---- */

/* Hand @obj to a random other worker; false if its inbox is full. */
static bool hand_over(struct soak_worker *w, unsigned int k, void *obj)
{
	struct soak_worker *to;
	bool ok = false;

	to = &workers[(w->id + 1 + prandom_u32_state(&w->rnd) % (nr_workers - 1)) %
		      nr_workers];
	spin_lock(&to->inbox.lock);
	if (to->inbox.n < INBOX) {
		to->inbox.objs[to->inbox.n].obj = obj;
		to->inbox.objs[to->inbox.n].cache = k;
		to->inbox.n++;
		ok = true;
	}
	spin_unlock(&to->inbox.lock);
	return ok;
}

static void empty_inbox(struct soak_worker *w)
{
	struct soak_obj batch[64];
	unsigned int n, i;

	do {
		spin_lock(&w->inbox.lock);
		n = min_t(unsigned int, w->inbox.n, ARRAY_SIZE(batch));
		w->inbox.n -= n;
		memcpy(batch, &w->inbox.objs[w->inbox.n], n * sizeof(batch[0]));
		spin_unlock(&w->inbox.lock);
		for (i = 0; i < n; i++)
			soak_free(batch[i].cache, batch[i].obj);
	} while (n);
}

enum { SC_LOCAL, SC_REMOTE, SC_MIXED, SC_BURST, SC_BULK, NR_SCENARIOS };

/* One round of one scenario on cache @k. */
static void worker_round(struct soak_worker *w, unsigned int scenario, unsigned int k)
{
	void *objs[HOLD];
	unsigned int n = 1 + prandom_u32_state(&w->rnd) % HOLD, i, got = 0;
	gfp_t gfp = (prandom_u32_state(&w->rnd) & 7) ? GFP_KERNEL : GFP_KERNEL | __GFP_ZERO;

	if (scenario == SC_BULK) {
		if (pcslab_alloc_bulk(caches[k], gfp, n, objs) != (int)n) {
			atomic_long_inc(&counts[k].fails);
			return;
		}
		atomic_long_add(n, &counts[k].allocs);
		for (i = 0; i < n; i++) {
			((unsigned long *)objs[i])[0] = pattern(objs[i], k);
			((unsigned long *)(objs[i] + soak_caches[k].size))[-1] =
				pattern(objs[i], k) + 1;
		}
		/* some go to other workers, the rest back in one call */
		while (n && !(prandom_u32_state(&w->rnd) & 3) && hand_over(w, k, objs[n - 1]))
			n--;
		for (i = 0; i < n; i++)
			soak_free(k, objs[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		objs[got] = soak_alloc(k, gfp);
		if (objs[got])
			got++;
	}
	for (i = 0; i < got; i++) {
		/* shuffled order */
		unsigned int j = i + prandom_u32_state(&w->rnd) % (got - i);
		void *obj = objs[j];
		bool remote;

		objs[j] = objs[i];
		remote = scenario == SC_REMOTE || scenario == SC_BURST ||
			 (scenario == SC_MIXED && (prandom_u32_state(&w->rnd) & 1));
		if (!remote || !hand_over(w, k, obj))
			soak_free(k, obj);
	}
	w->ops += got;
	if (scenario == SC_BURST)
		usleep_range(200, 2000);
}

static int worker_fn(void *data)
{
	struct soak_worker *w = data;
	unsigned long round = 0;

#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = 1;	/* fail_page_alloc task-filter target */
#endif
	atomic_inc(&workers_started);
	while (!READ_ONCE(stopping)) {
		unsigned int scenario = (round + w->id) % NR_SCENARIOS;

		worker_round(w, scenario, prandom_u32_state(&w->rnd) % NR_CACHES);
		empty_inbox(w);
		round++;
		cond_resched();
	}
	/*
	 * Hand-overs come only from workers still in a round: once every
	 * worker is past its last round, one more emptying strands nothing.
	 */
	atomic_dec(&workers_running);
	while (atomic_read(&workers_running)) {
		empty_inbox(w);
		usleep_range(500, 1000);
	}
	empty_inbox(w);
	return 0;
}

/* ---- checks ---- */

static bool check_cache(unsigned int k)
{
	struct pcslab_cache *c = caches[k];
	long allocs = atomic_long_read(&counts[k].allocs);
	long frees = atomic_long_read(&counts[k].frees);
	long st_alloc, st_free, in_use;
	bool ok = true;

	pcslab_cache_drain(c);
	st_alloc = pcslab_cache_stat(c, "alloc", -1);
	st_free = pcslab_cache_stat(c, "free_local", -1) + pcslab_cache_stat(c, "free_remote", -1);
	in_use = pcslab_cache_stat(c, "objects_in_use", -1);
	pr_info("%s: %ld allocs, %ld frees, %ld failed, counted alloc %ld free %ld in use %ld, errors %ld/%ld/%ld\n",
		soak_caches[k].name, allocs, frees, atomic_long_read(&counts[k].fails),
		st_alloc, st_free, in_use, pcslab_cache_stat(c, "double_free", -1),
		pcslab_cache_stat(c, "invalid_free", -1),
		pcslab_cache_stat(c, "poison_corrupt", -1));
	/*
	 * A failed bulk allocation hands back what it had taken: pcslab
	 * counts those objects as allocated and freed, the soak does not.
	 */
	if (allocs != frees || st_alloc < allocs || st_alloc - allocs != st_free - frees ||
	    in_use) {
		pr_err("%s: objects lost or miscounted\n", soak_caches[k].name);
		ok = false;
	}
	if (atomic_long_read(&counts[k].pattern_errors) ||
	    pcslab_cache_stat(c, "double_free", -1) ||
	    pcslab_cache_stat(c, "invalid_free", -1) ||
	    pcslab_cache_stat(c, "poison_corrupt", -1)) {
		pr_err("%s: errors reported\n", soak_caches[k].name);
		ok = false;
	}
	return ok;
}

static void destroy_caches(void)
{
	unsigned int k;

	for (k = 0; k < NR_CACHES; k++) {
		if (caches[k])
			pcslab_cache_destroy(caches[k]);
		caches[k] = NULL;
	}
}

static int __init pcslab_soak_init(void)
{
	unsigned long ops = 0, fails = 0;
	unsigned int i, k;
	bool ok = true;

	if (!nr_workers)
		nr_workers = max(4U, 2 * num_online_cpus());
	if (nr_workers < 2 || !seconds)
		return -EINVAL;
	for (k = 0; k < NR_CACHES; k++) {
		caches[k] = pcslab_cache_create(soak_caches[k].name, soak_caches[k].size, 0,
						soak_caches[k].flags, NULL);
		if (IS_ERR(caches[k])) {
			caches[k] = NULL;
			destroy_caches();
			return -ENOMEM;
		}
	}
	workers = kvcalloc(nr_workers, sizeof(*workers), GFP_KERNEL);
	if (!workers) {
		destroy_caches();
		return -ENOMEM;
	}
	WRITE_ONCE(stopping, false);
	hrtimer_init(&soak_hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	soak_hrtimer.function = soak_hrtimer_fn;
	hrtimer_start(&soak_hrtimer, ns_to_ktime(500 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	timer_setup(&soak_timer, soak_timer_fn, 0);
	mod_timer(&soak_timer, jiffies + 1);
	for (i = 0; i < nr_workers; i++) {
		workers[i].id = i;
		spin_lock_init(&workers[i].inbox.lock);
		prandom_seed_state(&workers[i].rnd, get_random_u64());
	}
	atomic_set(&workers_running, nr_workers);
	for (i = 0; i < nr_workers; i++) {
		struct task_struct *t = kthread_create(worker_fn, &workers[i], "pcslab_soak/%u", i);

		if (IS_ERR(t)) {
			ok = false;
			atomic_dec(&workers_running);
			continue;
		}
		get_task_struct(t);	/* kthread_stop() after it may have exited */
		workers[i].task = t;
		wake_up_process(t);
	}
	/* each worker counts itself out of workers_running: all must start */
	while (atomic_read(&workers_started) < atomic_read(&workers_running))
		usleep_range(500, 1000);
	if (ok)
		msleep_interruptible(seconds * 1000);
	WRITE_ONCE(stopping, true);
	hrtimer_cancel(&soak_hrtimer);
	timer_delete_sync(&soak_timer);
	for (i = 0; i < nr_workers; i++) {
		if (!workers[i].task)
			continue;
		kthread_stop(workers[i].task);
		put_task_struct(workers[i].task);
		ops += workers[i].ops;
	}
	for (i = 0; i < nr_workers; i++)
		if (workers[i].inbox.n) {
			pr_err("worker %u: %u objects stranded\n", i, workers[i].inbox.n);
			ok = false;
		}
	irq_user_drop(&hard_user);
	irq_user_drop(&soft_user);
	kvfree(workers);
	for (k = 0; k < NR_CACHES; k++) {
		ok &= check_cache(k);
		fails += atomic_long_read(&counts[k].fails);
	}
	ops += hard_user.ops + soft_user.ops;
	pr_info("%u s, %lu ops (%lu in hardirq, %lu in softirq), %lu failed allocs, %s\n",
		seconds, ops, hard_user.ops, soft_user.ops, fails,
		ok ? "0 lost" : "FAILED");
	if (!ok) {
		destroy_caches();
		return -EIO;
	}
	return 0;
}

static void __exit pcslab_soak_exit(void)
{
	destroy_caches();
}

module_init(pcslab_soak_init);
module_exit(pcslab_soak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcslab soak: every workload, irq users and checks, for minutes");
