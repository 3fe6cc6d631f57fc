// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab_test - workload and checking driver for pcslab.
 *
 * Loading it creates the cache "pcslab_test", runs one scenario on a
 * kthread bound to every online CPU and logs a summary.  Every object is
 * filled with a pattern derived from its address and a sequence number and
 * checked before it is freed.  insmod fails if a check fails (or an
 * allocation fails, unless allow_fail=1).  The cache stays until rmmod so
 * its debugfs stats can be read after the run.
 *
 * Scenarios (each thread does nr_ops allocations):
 *   local   alloc a random batch, free it in shuffled order, same CPU
 *   remote  every object is freed by the next CPU's thread (through a
 *           ring of workload.h, the engine pcslab_bench runs on too)
 *   mixed   each object is freed locally or remotely at random
 *   burst   storms of remote frees alternating with quiet periods
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <pcslab.h>

#include "workload.h"

#define BATCH_MAX	256U
#define PATTERN_MAGIC	0x7e57ab1eU

static char *scenario = "mixed";
module_param(scenario, charp, 0444);
MODULE_PARM_DESC(scenario, "local, remote, mixed or burst (default mixed)");

static unsigned int nr_ops = 20000;
module_param(nr_ops, uint, 0444);
MODULE_PARM_DESC(nr_ops, "allocations per thread (default 20000)");

static unsigned int obj_size = 64;
module_param(obj_size, uint, 0444);
MODULE_PARM_DESC(obj_size, "object size in bytes, 8..16384 (default 64)");

static char *policy = "adaptive";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "adaptive or fixed:N (default adaptive)");

static int queue_capacity = -1;
module_param(queue_capacity, int, 0444);
MODULE_PARM_DESC(queue_capacity, "remote queue capacity, -1 = pcslab default");

static unsigned int batch = 64;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "largest local batch / burst unit, 1..256 (default 64)");

static unsigned int flags;
module_param(flags, uint, 0444);
MODULE_PARM_DESC(flags, "pcslab cache flags (1 zero-on-free, 2 poison, 4 hwcache align)");

static bool allow_fail;
module_param(allow_fail, bool, 0444);
MODULE_PARM_DESC(allow_fail, "allocation failures are expected (fault injection)");

static bool make_it_fail;
module_param(make_it_fail, bool, 0444);
MODULE_PARM_DESC(make_it_fail, "workers are fault-injection targets (fail_page_alloc task-filter)");

static bool gfp_atomic;
module_param(gfp_atomic, bool, 0444);
MODULE_PARM_DESC(gfp_atomic, "allocate with GFP_ATOMIC instead of GFP_KERNEL");

enum test_scenario { SC_LOCAL, SC_REMOTE, SC_MIXED, SC_BURST };

struct worker {
	struct pcslab_wl_thread wl;	/* the engine's: CPU, start, done */
	struct pcslab_wl_ring inbound;	/* objects this worker must free */
	struct worker *next;		/* whose inbound ring we feed */
	struct rnd_state rnd;
	unsigned long allocs, alloc_fail, frees_local, frees_remote;
	unsigned long errors;
	void *local[BATCH_MAX];
};

static struct pcslab_cache *test_cache;
static enum test_scenario test_scenario;
static struct worker *workers;
static unsigned int nr_workers;
static atomic_t producers_left;

static u32 pattern_seed(const void *obj, u32 seq)
{
	return (u32)((unsigned long)obj >> 3) * 2654435761U ^ seq;
}

static void fill_object(void *obj, u32 seq)
{
	u32 *hdr = obj;
	u8 *p = obj;
	u32 seed = pattern_seed(obj, seq);
	unsigned int i;

	hdr[0] = PATTERN_MAGIC;
	hdr[1] = seq;
	for (i = 8; i < obj_size; i++)
		p[i] = (u8)(seed + i);
}

static bool check_object(const void *obj)
{
	const u32 *hdr = obj;
	const u8 *p = obj;
	u32 seed;
	unsigned int i;

	if (hdr[0] != PATTERN_MAGIC)
		return false;
	seed = pattern_seed(obj, hdr[1]);
	for (i = 8; i < obj_size; i++)
		if (p[i] != (u8)(seed + i))
			return false;
	return true;
}

static void release_object(struct worker *w, void *obj, bool remote)
{
	if (!check_object(obj)) {
		if (!w->errors)
			pr_err("cpu %u: pattern check failed on %p\n",
			       w->wl.cpu, obj);
		w->errors++;
	}
	pcslab_free(test_cache, obj);
	if (remote)
		w->frees_remote++;
	else
		w->frees_local++;
}

static void *get_object(struct worker *w, u32 seq)
{
	void *obj = pcslab_alloc(test_cache, gfp_atomic ? GFP_ATOMIC : GFP_KERNEL);

	if (!obj) {
		w->alloc_fail++;
		return NULL;
	}
	w->allocs++;
	fill_object(obj, seq);
	return obj;
}

/* Free whatever other CPUs sent us; returns how many. */
static unsigned int consume_inbound(struct worker *w, unsigned int max)
{
	unsigned int n = 0;
	void *obj;

	while (n < max && (obj = pcslab_wl_ring_pop(&w->inbound))) {
		release_object(w, obj, nr_workers > 1);
		n++;
	}
	return n;
}

/* Hand @obj to the next CPU's thread; free our own inbound while full. */
static void send_remote(struct worker *w, void *obj)
{
	while (!pcslab_wl_ring_push(&w->next->inbound, obj)) {
		if (!consume_inbound(w, PCSLAB_WL_RING_SIZE))
			cond_resched();
	}
}

static void run_local(struct worker *w)
{
	unsigned int done = 0;

	while (done < nr_ops) {
		unsigned int n = 1 + prandom_u32_state(&w->rnd) % batch;
		unsigned int i, got = 0;

		n = min(n, nr_ops - done);
		for (i = 0; i < n; i++) {
			void *obj = get_object(w, done + i);

			if (obj)
				w->local[got++] = obj;
		}
		done += n;
		while (got) {	/* shuffled free order */
			i = prandom_u32_state(&w->rnd) % got;
			release_object(w, w->local[i], false);
			w->local[i] = w->local[--got];
		}
		cond_resched();
	}
}

static void run_remote(struct worker *w, unsigned int remote_pct, bool bursty)
{
	unsigned int done = 0, storm = 0;

	while (done < nr_ops) {
		void *obj = get_object(w, done++);

		if (obj) {
			if (prandom_u32_state(&w->rnd) % 100 < remote_pct)
				send_remote(w, obj);
			else
				release_object(w, obj, false);
		}
		consume_inbound(w, 4);
		if (bursty && ++storm == batch * 8) {
			/* Quiet period: the owner neither allocates nor frees. */
			storm = 0;
			usleep_range(500, 1000);
		} else if (!(done % 256)) {
			cond_resched();
		}
	}
	atomic_dec(&producers_left);
	while (atomic_read(&producers_left) || !pcslab_wl_ring_empty(&w->inbound)) {
		if (!consume_inbound(w, PCSLAB_WL_RING_SIZE))
			cond_resched();
	}
}

static void worker_fn(struct pcslab_wl_thread *wl)
{
	struct worker *w = container_of(wl, struct worker, wl);

#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = make_it_fail;
#endif
	switch (test_scenario) {
	case SC_LOCAL:
		run_local(w);
		atomic_dec(&producers_left);
		break;
	case SC_REMOTE:
		run_remote(w, 100, false);
		break;
	case SC_MIXED:
		run_remote(w, 50, false);
		break;
	case SC_BURST:
		run_remote(w, 100, true);
		break;
	}
}

static int parse_params(unsigned int *level)
{
	unsigned int v;

	if (!strcmp(scenario, "local"))
		test_scenario = SC_LOCAL;
	else if (!strcmp(scenario, "remote"))
		test_scenario = SC_REMOTE;
	else if (!strcmp(scenario, "mixed"))
		test_scenario = SC_MIXED;
	else if (!strcmp(scenario, "burst"))
		test_scenario = SC_BURST;
	else
		return -EINVAL;

	if (!strcmp(policy, "adaptive"))
		*level = PCSLAB_DRAIN_ADAPTIVE;
	else if (!strncmp(policy, "fixed:", 6) && !kstrtouint(policy + 6, 10, &v) &&
		 v >= 1 && v <= PCSLAB_MAX_QUEUE)
		*level = v;
	else
		return -EINVAL;

	if (obj_size < 8 || obj_size > 16384 || !batch || batch > BATCH_MAX || !nr_ops)
		return -EINVAL;
	if (queue_capacity < -1 || queue_capacity > (int)PCSLAB_MAX_QUEUE)
		return -EINVAL;
	return 0;
}

static int __init pcslab_test_init(void)
{
	unsigned long allocs = 0, fails = 0, local = 0, remote = 0, errors = 0;
	struct pcslab_wl_thread **threads;
	unsigned int level, cpu, i = 0;
	u64 ns;
	int ret;

	ret = parse_params(&level);
	if (ret) {
		pr_err("bad parameters (scenario=%s policy=%s obj_size=%u batch=%u nr_ops=%u queue_capacity=%d)\n",
		       scenario, policy, obj_size, batch, nr_ops, queue_capacity);
		return ret;
	}
	test_cache = pcslab_cache_create("pcslab_test", obj_size, 0, flags, NULL);
	if (IS_ERR(test_cache)) {
		pr_err("cannot create cache: %ld\n", PTR_ERR(test_cache));
		return PTR_ERR(test_cache);
	}
	ret = pcslab_cache_set_policy(test_cache, level);
	if (!ret && queue_capacity >= 0)
		ret = pcslab_cache_set_queue_capacity(test_cache, queue_capacity);
	if (ret)
		goto out_destroy;

	cpus_read_lock();
	nr_workers = num_online_cpus();
	workers = kcalloc(nr_workers, sizeof(*workers), GFP_KERNEL);
	threads = kcalloc(nr_workers, sizeof(*threads), GFP_KERNEL);
	if (!workers || !threads) {
		cpus_read_unlock();
		kfree(workers);
		kfree(threads);
		ret = -ENOMEM;
		goto out_destroy;
	}
	atomic_set(&producers_left, nr_workers);
	for_each_online_cpu(cpu) {
		struct worker *w = &workers[i];

		w->wl.fn = worker_fn;
		w->wl.cpu = cpu;
		w->next = &workers[(i + 1) % nr_workers];
		prandom_seed_state(&w->rnd, get_random_u64());
		threads[i++] = &w->wl;
	}
	cpus_read_unlock();

	ret = pcslab_wl_run(threads, nr_workers, "pcslab_test", &ns);
	kfree(threads);
	if (ret)
		pr_err("cannot create threads: %d\n", ret);

	for (i = 0; i < nr_workers; i++) {
		allocs += workers[i].allocs;
		fails += workers[i].alloc_fail;
		local += workers[i].frees_local;
		remote += workers[i].frees_remote;
		errors += workers[i].errors;
	}
	pr_info("scenario=%s policy=%s obj_size=%u threads=%u nr_ops=%u: allocs=%lu alloc_fail=%lu frees_local=%lu frees_remote=%lu errors=%lu time_ms=%llu\n",
		scenario, policy, obj_size, nr_workers, nr_ops, allocs, fails,
		local, remote, errors, div_u64(ns, NSEC_PER_MSEC));
	kfree(workers);
	workers = NULL;
	if (!ret && allocs != local + remote) {
		pr_err("%lu objects allocated but %lu freed\n",
		       allocs, local + remote);
		ret = -EIO;
	}
	if (!ret && (errors || (fails && !allow_fail))) {
		pr_err("FAILED: %lu pattern errors, %lu allocation failures\n",
		       errors, fails);
		ret = -EIO;
	}
	if (ret)
		goto out_destroy;
	pr_info("PASSED\n");
	return 0;

out_destroy:
	pcslab_cache_destroy(test_cache);
	return ret;
}

static void __exit pcslab_test_exit(void)
{
	unsigned long live = pcslab_cache_destroy(test_cache);

	if (live)
		pr_err("%lu objects were still in use at unload\n", live);
}

module_init(pcslab_test_init);
module_exit(pcslab_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Workload and checking driver for pcslab");
