// SPDX-License-Identifier: GPL-2.0
/*
 * What every pcslab_bench row runs in: the two caches under test, the
 * object size and count of a measurement, the CPUs, and the bench threads
 * on the workload engine (workload.h).  Set by the driver (bench_main.c),
 * read by the rows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "bench.h"

unsigned int bench_ops = 100000;
module_param_named(ops, bench_ops, uint, 0444);
MODULE_PARM_DESC(ops, "objects per measurement (default 100000)");

bool bench_percall = true;
module_param_named(percall, bench_percall, bool, 0444);
MODULE_PARM_DESC(percall,
		 "time every allocation and free of the producer/consumer row with get_cycles() (default on; under MTTCG its two clock reads per operation are a large share of a remote free, so throughput runs turn it off)");

const char *const alloc_names[NR_ALLOCS] = { "pcslab", "slub" };
struct pcslab_cache *pcache;
struct kmem_cache *kcache;
unsigned int cur_size;
unsigned int cpus[MAX_THREADS], nr_cpus;

static void bthread_fn(struct pcslab_wl_thread *wl)
{
	struct bthread *t = container_of(wl, struct bthread, wl);

	t->fn(t);
}

/* Run @n threads (thread i on cpus[i % nr_cpus]); return wall ns. */
u64 run_threads(struct bthread *t, unsigned int n)
{
	struct pcslab_wl_thread *wl[MAX_THREADS];
	unsigned int i;
	u64 ns;

	for (i = 0; i < n; i++) {
		t[i].wl.fn = bthread_fn;
		t[i].wl.cpu = cpus[i % nr_cpus];
		wl[i] = &t[i].wl;
	}
	if (pcslab_wl_run(wl, n, "pcslab_bench", &ns))
		pr_err("cannot create %u threads\n", n);
	return ns;
}
