// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab_bench - pcslab against SLUB (a kmem_cache of the same object
 * size, SLAB_NO_MERGE) in the same boot.  Every workload runs on both,
 * alternating, several repetitions.  Raw figures go to the kernel log as
 * "pcslab_bench: CSV <table> <row>" lines; tools/bench turns them into
 * CSV files, medians, ratios and plots.  The run happens while the module
 * loads; it then stays loaded, holding nothing, until rmmod.  (Returning
 * -EAGAIN as lib/test_objpool.c does makes busybox insmod retry through
 * init_module() and run everything twice.)
 *
 * Workloads:
 *   pair      alloc+free on one CPU, batches 1/10/100/1000, FIFO/shuffled
 *   bulk      alloc_bulk+free_bulk on one CPU, batches 16/64/256 (against
 *             kmem_cache_alloc_bulk/free_bulk; pair rows of order "bulk")
 *   prodcons  alloc on one CPU, free on another: 1:1, N:1, 1:N; and the
 *             1:1 ring alone, handing over objects of a pool
 *   xfer      CPU A allocates 256, CPU B frees them, in turns: each
 *             side's cost per object, drains and kicks included
 *   sweep     two CPUs, 0/5/25/50/100 % of frees remote
 *   policy    adaptive vs fixed levels on steady, bursty, asymmetric loads
 *   trace     drain level and queue depth over time, bursty, adaptive
 *   memory    bytes held per live object; an idle owner's pending frees
 *
 * This file: the driver and the memory rows; the rows that race the two
 * allocators are in bench_rows.c, what every row runs in (the caches, the
 * CPUs, the threads) in bench_env.c, declared in bench.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <asm/timex.h>

#include "pcslab_internal.h"
#include "bench.h"

static unsigned int size = 64;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "object size (default 64)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each measurement (default 5)");

static char *tests = "pair,bulk,prodcons,xfer,sweep,policy,trace,memory,sizes";
module_param(tests, charp, 0444);
MODULE_PARM_DESC(tests, "comma list of workloads to run");

/* ---- memory ---- */

static unsigned long slab_bytes_slub(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) * PAGE_SIZE;
}

struct mem_arg {
	void **objs;
	unsigned int n;
	enum bench_alloc alloc;
	unsigned long bytes_full, bytes_half;
};

static unsigned long held_bytes(enum bench_alloc alloc, unsigned long base)
{
	if (alloc == A_PCSLAB)
		return pcslab_cache_stat(pcache, "slabs", -1) *
		       pcslab_cache_slab_pages(pcache) * PAGE_SIZE;
	return slab_bytes_slub() - base;
}

static void mem_fn(struct bthread *t)
{
	struct mem_arg *m = t->arg;
	unsigned long base;
	unsigned int i;

	pcslab_cache_shrink(pcache);
	kmem_cache_shrink(kcache);
	base = slab_bytes_slub();
	for (i = 0; i < m->n; i++)
		m->objs[i] = b_alloc(m->alloc);
	m->bytes_full = held_bytes(m->alloc, base);
	for (i = 0; i < m->n; i += 2) {
		b_free(m->alloc, m->objs[i]);
		m->objs[i] = NULL;
	}
	m->bytes_half = held_bytes(m->alloc, base);
	for (i = 1; i < m->n; i += 2)
		b_free(m->alloc, m->objs[i]);
}

void bench_memory(void)
{
	struct mem_arg m = { .n = 32768 };
	struct bthread t = { .fn = mem_fn, .arg = &m };
	enum bench_alloc a;

	m.objs = vcalloc(m.n, sizeof(void *));
	if (!m.objs)
		return;
	for (a = 0; a < NR_ALLOCS; a++) {
		m.alloc = a;
		run_threads(&t, 1);
		pr_info("CSV memory %s,%u,%u,%lu,%lu\n", alloc_names[a],
			cur_size, m.n, m.bytes_full, m.bytes_half);
	}
	vfree(m.objs);
}

/* An owner frees nothing and allocates nothing while remote frees queue up. */
struct idle_arg {
	void **objs;
	unsigned int n;
};

static void idle_alloc_fn(struct bthread *t)
{
	struct idle_arg *a = t->arg;
	unsigned int i;

	for (i = 0; i < a->n; i++)
		a->objs[i] = pcslab_alloc(pcache, GFP_KERNEL);
}

static void idle_free_fn(struct bthread *t)
{
	struct idle_arg *a = t->arg;
	unsigned int i;

	for (i = 0; i < a->n; i++)
		pcslab_free(pcache, a->objs[i]);
}

void bench_idle_owner(void)
{
	struct idle_arg a = { .n = 4096 };
	struct bthread t = { .arg = &a };
	unsigned int owner = cpus[0], level, pending, i;
	ktime_t start;

	if (nr_cpus < 2)
		return;
	a.objs = vcalloc(a.n, sizeof(void *));
	if (!a.objs)
		return;
	pcslab_cache_set_policy(pcache, PCSLAB_MAX_QUEUE);
	pcslab_cache_set_queue_capacity(pcache, PCSLAB_MAX_QUEUE);
	pcslab_cache_shrink(pcache);
	t.fn = idle_alloc_fn;
	run_threads(&t, 1);			/* on cpus[0], the owner */
	swap(cpus[0], cpus[1]);
	t.fn = idle_free_fn;
	run_threads(&t, 1);			/* on the other CPU: remote */
	swap(cpus[0], cpus[1]);
	start = ktime_get();
	for (i = 0; i < 40; i++) {
		pcslab_cache_cpu_level(pcache, owner, &level, &pending);
		pr_info("CSV idle %lld,%u,%ld\n",
			ktime_ms_delta(ktime_get(), start), pending,
			pcslab_cache_stat(pcache, "slabs", owner) *
			pcslab_cache_slab_pages(pcache));
		usleep_range(10000, 11000);
	}
	pcslab_cache_set_policy(pcache, PCSLAB_DRAIN_ADAPTIVE);
	pcslab_cache_set_queue_capacity(pcache, PCSLAB_DEFAULT_QUEUE);
	vfree(a.objs);
}

/* ---- driver ---- */

static int make_caches(unsigned int sz)
{
	cur_size = sz;
	pcache = pcslab_cache_create("pcslab_bench", sz, 0, 0, NULL);
	if (IS_ERR(pcache))
		return PTR_ERR(pcache);
	kcache = kmem_cache_create("pcslab_bench_slub", sz, 0, SLAB_NO_MERGE, NULL);
	if (!kcache) {
		pcslab_cache_destroy(pcache);
		return -ENOMEM;
	}
	return 0;
}

static void free_caches(void)
{
	pcslab_cache_destroy(pcache);
	kmem_cache_destroy(kcache);
}

static bool want(const char *name)
{
	const char *p = tests;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == tests || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/*
 * Slab churn per row: pcslab's alloc, slab_new and slab_free counters
 * around each of its rows, printed as "CSV churn ROW,SIZE,ALLOCS,
 * SLAB_NEW,SLAB_FREE" (the report sums a row's repetitions and judges the
 * < 0.1 % target; slabs released during a row tell churn from growth).
 */
static long churn_allocs, churn_slabs, churn_released;

static void churn_begin(enum bench_alloc a)
{
	if (a != A_PCSLAB)
		return;
	churn_allocs = pcslab_cache_stat(pcache, "alloc", -1);
	churn_slabs = pcslab_cache_stat(pcache, "slab_new", -1);
	churn_released = pcslab_cache_stat(pcache, "slab_free", -1);
}

static void churn_end(enum bench_alloc a, const char *row, unsigned int arg)
{
	if (a != A_PCSLAB)
		return;
	pr_info("CSV churn %s%u,%u,%ld,%ld,%ld\n", row, arg, cur_size,
		pcslab_cache_stat(pcache, "alloc", -1) - churn_allocs,
		pcslab_cache_stat(pcache, "slab_new", -1) - churn_slabs,
		pcslab_cache_stat(pcache, "slab_free", -1) - churn_released);
}

static void run_all(unsigned int *perm, void **objs)
{
	static const unsigned int batches[] = { 1, 10, 100, 1000 };
	static const unsigned int pcts[] = { 0, 5, 25, 50, 100 };
	static const unsigned int bulks[] = { 16, 64, 256 };
	unsigned int rep, i, s;
	enum bench_alloc a;

	for (rep = 0; rep < reps; rep++) {
		/* the producer/consumer ring alone, the part no allocator removes */
		if (want("prodcons") && nr_cpus >= 2)
			bench_prodcons_ring(rep);
		for (a = 0; a < NR_ALLOCS; a++) {
			if (want("pair"))
				for (i = 0; i < ARRAY_SIZE(batches); i++) {
					churn_begin(a);
					bench_pair(rep, a, batches[i], false, perm, objs);
					churn_end(a, "pair-fifo-", batches[i]);
					churn_begin(a);
					bench_pair(rep, a, batches[i], true, perm, objs);
					churn_end(a, "pair-shuffled-", batches[i]);
				}
			if (want("bulk"))
				for (i = 0; i < ARRAY_SIZE(bulks); i++) {
					churn_begin(a);
					bench_bulk(rep, a, bulks[i], objs);
					churn_end(a, "bulk-", bulks[i]);
				}
			if (want("prodcons") && nr_cpus >= 2) {
				churn_begin(a);
				bench_prodcons(rep, a, 1, 1);
				churn_end(a, "prodcons-1:", 1);
				if (nr_cpus >= 3) {
					bench_prodcons(rep, a, nr_cpus - 1, 1);
					bench_prodcons(rep, a, 1, nr_cpus - 1);
				}
			}
			if (want("xfer") && nr_cpus >= 2) {
				churn_begin(a);
				bench_xfer(rep, a);
				churn_end(a, "xfer-", XFER_BATCH);
			}
			if (want("sweep") && nr_cpus >= 2)
				for (i = 0; i < ARRAY_SIZE(pcts); i++) {
					churn_begin(a);
					bench_sweep(rep, a, pcts[i]);
					churn_end(a, "sweep-", pcts[i]);
				}
		}
		if (want("policy") && nr_cpus >= 2) {
			bench_policy(rep, "steady", 1, 1, 0, 0);
			bench_policy(rep, "bursty", 1, 1, 2048, 2000);
			if (nr_cpus >= 3)
				bench_policy(rep, "asymmetric", nr_cpus - 1, 1, 0, 0);
			else
				bench_policy(rep, "asymmetric", 1, 1, 64, 50);
		}
	}
	if (want("trace"))
		bench_trace();
	if (want("memory")) {
		bench_memory();
		bench_idle_owner();
	}
	if (!want("sizes"))
		return;
	for (s = 16; s <= 1024; s *= 4) {
		if (s == size)
			continue;
		free_caches();
		if (make_caches(s))
			return;
		for (rep = 0; rep < reps; rep++)
			for (a = 0; a < NR_ALLOCS; a++) {
				churn_begin(a);
				bench_pair(rep, a, 100, false, perm, objs);
				churn_end(a, "pair-fifo-", 100);
				if (nr_cpus >= 2) {
					churn_begin(a);
					bench_prodcons(rep, a, 1, 1);
					churn_end(a, "prodcons-1:", 1);
				}
			}
		bench_memory();
	}
}

static int __init pcslab_bench_init(void)
{
	unsigned int *perm, cpu;
	void **objs;
	int ret;

	if (size < sizeof(unsigned long) || size > 4096 || !reps || bench_ops < 1000)
		return -EINVAL;
	nr_cpus = 0;
	for_each_online_cpu(cpu)
		if (nr_cpus < MAX_THREADS)
			cpus[nr_cpus++] = cpu;
	perm = vcalloc(MAX_BATCH, sizeof(*perm));
	objs = vcalloc(MAX_BATCH, sizeof(*objs));
	ret = -ENOMEM;
	if (!perm || !objs)
		goto out;
	ret = make_caches(size);
	if (ret)
		goto out;
	pr_info("START cpus=%u size=%u reps=%u ops=%u tests=%s\n",
		nr_cpus, size, reps, bench_ops, tests);
	run_all(perm, objs);
	free_caches();
	pr_info("END\n");
	ret = 0;
out:
	vfree(perm);
	vfree(objs);
	return ret;
}

static void __exit pcslab_bench_exit(void)
{
}

module_init(pcslab_bench_init);
module_exit(pcslab_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcslab versus SLUB benchmarks");
