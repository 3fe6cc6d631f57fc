/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab_bench's shared state: the two caches under test (pcslab and a
 * SLUB kmem_cache of the same size), the CPUs the threads run on, the
 * bench thread (a workload.h thread counting what it measured) and the
 * rows.  bench_env.c defines the state, bench_main.c holds the driver
 * and the memory rows, bench_rows.c the rows that race the two
 * allocators.
 */
#ifndef _PCSLAB_BENCH_H
#define _PCSLAB_BENCH_H

#include <linux/slab.h>
#include <linux/types.h>
#include <pcslab.h>

#include "workload.h"

#define MAX_THREADS	16U
#define MAX_BATCH	1000U
#define TRACE_MAX	4000U
#define XFER_BATCH	256U	/* objects CPU A hands to CPU B per round */

enum bench_alloc { A_PCSLAB, A_SLUB, NR_ALLOCS };
extern const char *const alloc_names[NR_ALLOCS];

extern struct pcslab_cache *pcache;
extern struct kmem_cache *kcache;
extern unsigned int cur_size;		/* object size of the caches now */
extern unsigned int bench_ops;		/* objects per measurement */
extern bool bench_percall;		/* prodcons: get_cycles() per call */
extern unsigned int cpus[MAX_THREADS], nr_cpus;

static inline void *b_alloc(enum bench_alloc a)
{
	return a == A_PCSLAB ? pcslab_alloc(pcache, GFP_KERNEL) :
			       kmem_cache_alloc(kcache, GFP_KERNEL);
}

static inline void b_free(enum bench_alloc a, void *p)
{
	if (a == A_PCSLAB)
		pcslab_free(pcache, p);
	else
		kmem_cache_free(kcache, p);
}

struct bthread;
typedef void (*bench_fn)(struct bthread *t);

/* A bench thread: the engine's (workload.h), and what it measured. */
struct bthread {
	struct pcslab_wl_thread wl;
	bench_fn fn;
	enum bench_alloc alloc;
	u64 cycles;		/* cycles spent in the measured calls */
	u64 count;		/* objects handled */
	u64 fails;
	void *arg;
};

u64 run_threads(struct bthread *t, unsigned int n);

/* bench_rows.c */
void bench_pair(unsigned int rep, enum bench_alloc alloc, unsigned int batch,
		bool shuffled, unsigned int *perm, void **objs);
void bench_bulk(unsigned int rep, enum bench_alloc alloc, unsigned int batch,
		void **objs);
void bench_prodcons(unsigned int rep, enum bench_alloc alloc, unsigned int np,
		    unsigned int nc);
void bench_prodcons_ring(unsigned int rep);
void bench_xfer(unsigned int rep, enum bench_alloc alloc);
void bench_sweep(unsigned int rep, enum bench_alloc alloc, unsigned int pct);
void bench_policy(unsigned int rep, const char *load, unsigned int np,
		  unsigned int nc, unsigned int burst, unsigned int gap);
void bench_trace(void);

/* bench_main.c */
void bench_memory(void);
void bench_idle_owner(void);

#endif /* _PCSLAB_BENCH_H */
