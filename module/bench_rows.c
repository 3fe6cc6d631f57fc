// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab_bench rows that race pcslab against SLUB on the same workload:
 * pair, bulk, producer/consumer, xfer, sweep, and the drain policy rows
 * (pcslab only) with their level trace.  Each prints "CSV" lines
 * (bench_main.c says how to read them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/vmalloc.h>
#include <asm/timex.h>

#include "pcslab_internal.h"
#include "bench.h"

/* ---- pair: alloc + free on one CPU ---- */

struct pair_arg {
	unsigned int batch;
	bool shuffled;
	unsigned int *perm;
	void **objs;
	u64 ns;
};

static void pair_fn(struct bthread *t)
{
	struct pair_arg *a = t->arg;
	unsigned int rounds = max(bench_ops / a->batch, 1U), r, i;
	cycles_t c0 = get_cycles();
	ktime_t k0 = ktime_get();

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < a->batch; i++)
			a->objs[i] = b_alloc(t->alloc);
		for (i = 0; i < a->batch; i++) {
			void *p = a->objs[a->shuffled ? a->perm[i] : i];

			if (p)
				b_free(t->alloc, p);
			else
				t->fails++;
		}
		cond_resched();
	}
	t->cycles = get_cycles() - c0;
	a->ns = ktime_to_ns(ktime_sub(ktime_get(), k0));
	t->count = (u64)rounds * a->batch;
}

void bench_pair(unsigned int rep, enum bench_alloc alloc, unsigned int batch,
		bool shuffled, unsigned int *perm, void **objs)
{
	struct pair_arg a = { .batch = batch, .shuffled = shuffled,
			      .perm = perm, .objs = objs };
	struct bthread t = { .fn = pair_fn, .alloc = alloc, .arg = &a };
	unsigned int i;

	for (i = 0; i < batch; i++)
		perm[i] = i;
	for (i = batch - 1; i > 0; i--) {
		unsigned int j = get_random_u32_below(i + 1);

		swap(perm[i], perm[j]);
	}
	run_threads(&t, 1);
	pr_info("CSV pair %s,%u,%u,%s,%u,%llu,%llu,%llu\n",
		alloc_names[alloc], cur_size, batch, shuffled ? "shuffled" : "fifo",
		rep, div64_u64(a.ns * 1000, t.count), div64_u64(t.cycles * 1000, t.count),
		t.fails);
}

/* ---- bulk: alloc_bulk + free_bulk on one CPU ---- */

static void bulk_fn(struct bthread *t)
{
	struct pair_arg *a = t->arg;
	unsigned int rounds = max(bench_ops / a->batch, 1U), r;
	cycles_t c0 = get_cycles();
	ktime_t k0 = ktime_get();

	for (r = 0; r < rounds; r++) {
		int got = t->alloc == A_PCSLAB ?
			pcslab_alloc_bulk(pcache, GFP_KERNEL, a->batch, a->objs) :
			kmem_cache_alloc_bulk(kcache, GFP_KERNEL, a->batch, a->objs);

		if (got != a->batch) {
			t->fails++;
			continue;
		}
		if (t->alloc == A_PCSLAB)
			pcslab_free_bulk(pcache, a->batch, a->objs);
		else
			kmem_cache_free_bulk(kcache, a->batch, a->objs);
		cond_resched();
	}
	t->cycles = get_cycles() - c0;
	a->ns = ktime_to_ns(ktime_sub(ktime_get(), k0));
	t->count = (u64)rounds * a->batch;
}

/* Reported as pair rows of order "bulk": per object allocated and freed. */
void bench_bulk(unsigned int rep, enum bench_alloc alloc, unsigned int batch,
		void **objs)
{
	struct pair_arg a = { .batch = batch, .objs = objs };
	struct bthread t = { .fn = bulk_fn, .alloc = alloc, .arg = &a };

	run_threads(&t, 1);
	pr_info("CSV pair %s,%u,%u,bulk,%u,%llu,%llu,%llu\n",
		alloc_names[alloc], cur_size, batch, rep,
		div64_u64(a.ns * 1000, t.count), div64_u64(t.cycles * 1000, t.count),
		t.fails);
}

/* ---- producer/consumer ---- */

struct pc_shared {
	struct pcslab_wl_ring *rings;	/* [producer * nr_cons + consumer] */
	unsigned int nr_prod, nr_cons;
	unsigned int burst;	/* 0: steady; else burst size */
	unsigned int gap_us;	/* pause between bursts */
	bool timed;		/* get_cycles() around every call */
	unsigned long *pool;	/* the ring alone: objects handed over, one per line */
	atomic_long_t consumed;
	unsigned long total;
};

/*
 * The ring alone hands over objects of a pool twice the ring's size, one
 * per cache line, so that an object's line is written by the producer
 * and read by the consumer as an allocator's would be.
 */
#define PC_POOL_OBJECTS		(2 * PCSLAB_WL_RING_SIZE)
#define PC_POOL_STRIDE		(L1_CACHE_BYTES / sizeof(unsigned long))

static void *pc_pool_obj(struct pc_shared *s, unsigned long i)
{
	return &s->pool[(i % PC_POOL_OBJECTS) * PC_POOL_STRIDE];
}

static void producer_fn(struct bthread *t)
{
	struct pc_shared *s = t->arg;
	unsigned long n = s->total / s->nr_prod, i;
	unsigned int c = 0, in_burst = 0;

	for (i = 0; i < n; i++) {
		struct pcslab_wl_ring *r;
		cycles_t c0 = s->timed ? get_cycles() : 0;
		void *p = s->pool ? pc_pool_obj(s, i) : b_alloc(t->alloc);

		if (s->timed)
			t->cycles += get_cycles() - c0;
		if (!p) {
			t->fails++;
			atomic_long_inc(&s->consumed);
			continue;
		}
		*(unsigned long *)p = i;
		r = &s->rings[t->wl.idx * s->nr_cons + c];
		c = (c + 1) % s->nr_cons;
		while (!pcslab_wl_ring_push(r, p))
			cond_resched();	/* never starve stop_machine & co. */
		t->count++;
		if (s->burst && ++in_burst == s->burst) {
			in_burst = 0;
			usleep_range(s->gap_us, s->gap_us + 100);
		}
	}
}

/*
 * The shared count of consumed objects (the end condition) is updated
 * every PC_CONSUMED_BATCH objects and whenever a ring is found empty, not
 * per object: an atomic per object on a line all consumers write is the
 * harness's cost, not the allocator's, and it orders the free's stores.
 */
#define PC_CONSUMED_BATCH	64

static void consumer_fn(struct bthread *t)
{
	struct pc_shared *s = t->arg;
	unsigned int me = t->wl.idx - s->nr_prod, p = 0, done = 0;

	while (atomic_long_read(&s->consumed) < s->total) {
		void *obj = pcslab_wl_ring_pop(&s->rings[p * s->nr_cons + me]);
		cycles_t c0;

		p = (p + 1) % s->nr_prod;
		if (!obj) {
			atomic_long_add(done, &s->consumed);
			done = 0;
			cond_resched();
			continue;
		}
		c0 = s->timed ? get_cycles() : 0;
		if (s->pool)
			(void)READ_ONCE(*(unsigned long *)obj);	/* the object's line */
		else
			b_free(t->alloc, obj);
		if (s->timed)
			t->cycles += get_cycles() - c0;
		t->count++;
		if (++done == PC_CONSUMED_BATCH) {
			atomic_long_add(done, &s->consumed);
			done = 0;
		}
	}
}

struct pc_result {
	u64 ns, alloc_cycles, free_cycles, objects, fails;
};

static int run_prodcons(enum bench_alloc alloc, unsigned int nr_prod,
			unsigned int nr_cons, unsigned int burst,
			unsigned int gap_us, bool timed, unsigned long *pool,
			struct pc_result *res)
{
	struct pc_shared s = { .nr_prod = nr_prod, .nr_cons = nr_cons,
			       .burst = burst, .gap_us = gap_us, .timed = timed,
			       .pool = pool };
	struct bthread t[MAX_THREADS] = {};
	unsigned int i, n = nr_prod + nr_cons;

	if (n > nr_cpus || n > MAX_THREADS)
		return -EINVAL;
	s.rings = vzalloc(array_size(nr_prod * nr_cons, sizeof(*s.rings)));
	if (!s.rings)
		return -ENOMEM;
	s.total = bench_ops - bench_ops % nr_prod;
	atomic_long_set(&s.consumed, 0);
	for (i = 0; i < n; i++) {
		t[i].fn = i < nr_prod ? producer_fn : consumer_fn;
		t[i].alloc = alloc;
		t[i].arg = &s;
	}
	memset(res, 0, sizeof(*res));
	res->ns = run_threads(t, n);
	for (i = 0; i < n; i++) {
		if (i < nr_prod) {
			res->alloc_cycles += t[i].cycles;
			res->fails += t[i].fails;
		} else {
			res->free_cycles += t[i].cycles;
			res->objects += t[i].count;
		}
	}
	vfree(s.rings);
	return 0;
}

void bench_prodcons(unsigned int rep, enum bench_alloc alloc, unsigned int np,
		    unsigned int nc)
{
	struct pc_result r;

	if (run_prodcons(alloc, np, nc, 0, 0, bench_percall, NULL, &r) || !r.objects)
		return;
	pr_info("CSV prodcons %s,%u,%u:%u,%u,%llu,%llu,%llu,%llu\n",
		alloc_names[alloc], cur_size, np, nc, rep,
		div64_u64(r.objects * NSEC_PER_SEC, r.ns),
		div64_u64(r.free_cycles, r.objects), r.fails,
		div64_u64(r.alloc_cycles, r.objects));
}

/*
 * The producer/consumer row's ring alone, in the same threads: objects of
 * a pool handed over and read, no allocator.  Its time per object is the
 * part of every producer/consumer figure that no allocator can remove
 * (tools/bench-report subtracts it).  Printed as allocator "ring".
 */
void bench_prodcons_ring(unsigned int rep)
{
	unsigned long *pool;
	struct pc_result r;

	pool = vzalloc(array_size(PC_POOL_OBJECTS, L1_CACHE_BYTES));
	if (!pool)
		return;
	if (!run_prodcons(A_PCSLAB, 1, 1, 0, 0, bench_percall, pool, &r) &&
	    r.objects)
		pr_info("CSV prodcons ring,%u,1:1,%u,%llu,0,%llu,0\n", cur_size,
			rep, div64_u64(r.objects * NSEC_PER_SEC, r.ns), r.fails);
	vfree(pool);
}

/*
 * ---- xfer: CPU A allocates a batch, CPU B frees it, in turns ----
 *
 * Only one side runs at a time (the other sleeps on a completion), so
 * under icount each phase's cycles are the instructions of that phase
 * alone, including what it causes on the sleeping CPU: the owner's
 * drains on its next allocations, kick IPIs during the frees.
 */

struct xfer_shared {
	void *objs[XFER_BATCH];
	unsigned int rounds;
	struct completion to_free, to_alloc;
	u64 alloc_cycles, free_cycles;
};

static void xfer_alloc_fn(struct bthread *t)
{
	struct xfer_shared *s = t->arg;
	unsigned int r, i;

	for (r = 0; r < s->rounds; r++) {
		cycles_t c0 = get_cycles();

		for (i = 0; i < XFER_BATCH; i++)
			s->objs[i] = b_alloc(t->alloc);
		s->alloc_cycles += get_cycles() - c0;
		complete(&s->to_free);
		wait_for_completion(&s->to_alloc);
	}
}

static void xfer_free_fn(struct bthread *t)
{
	struct xfer_shared *s = t->arg;
	unsigned int r, i;

	for (r = 0; r < s->rounds; r++) {
		cycles_t c0;

		wait_for_completion(&s->to_free);
		c0 = get_cycles();
		for (i = 0; i < XFER_BATCH; i++) {
			if (s->objs[i])
				b_free(t->alloc, s->objs[i]);
			else
				t->fails++;
		}
		s->free_cycles += get_cycles() - c0;
		t->count += XFER_BATCH;
		complete(&s->to_alloc);
	}
}

void bench_xfer(unsigned int rep, enum bench_alloc alloc)
{
	struct xfer_shared *s = vzalloc(sizeof(*s));
	struct bthread t[2] = {};

	if (!s)
		return;
	s->rounds = max(bench_ops / XFER_BATCH, 1U);
	init_completion(&s->to_free);
	init_completion(&s->to_alloc);
	t[0].fn = xfer_alloc_fn;
	t[1].fn = xfer_free_fn;
	t[0].alloc = alloc;
	t[1].alloc = alloc;
	t[0].arg = s;
	t[1].arg = s;
	run_threads(t, 2);
	if (t[1].count)
		pr_info("CSV xfer %s,%u,%u,%u,%llu,%llu,%llu\n",
			alloc_names[alloc], cur_size, XFER_BATCH, rep,
			div64_u64(s->alloc_cycles * 1000, t[1].count),
			div64_u64(s->free_cycles * 1000, t[1].count), t[1].fails);
	vfree(s);
}

/* ---- remote fraction sweep: two CPUs, each allocates and frees ---- */

struct sweep_shared {
	struct pcslab_wl_ring ring[2];	/* ring[i]: objects thread i must free */
	unsigned int pct;
	atomic_t producing;
};

static void sweep_fn(struct bthread *t)
{
	struct sweep_shared *s = t->arg;
	struct pcslab_wl_ring *mine = &s->ring[t->wl.idx], *peer = &s->ring[!t->wl.idx];
	struct rnd_state rnd;
	unsigned int i, k;
	void *p;

	prandom_seed_state(&rnd, t->wl.idx + 1);
	for (i = 0; i < bench_ops; i++) {
		p = b_alloc(t->alloc);
		if (!p) {
			t->fails++;
			continue;
		}
		*(unsigned long *)p = i;
		if (prandom_u32_state(&rnd) % 100 < s->pct) {
			while (!pcslab_wl_ring_push(peer, p)) {
				void *q = pcslab_wl_ring_pop(mine);

				if (q)
					b_free(t->alloc, q);
				else
					cond_resched();
			}
		} else {
			b_free(t->alloc, p);
		}
		for (k = 0; k < 4 && (p = pcslab_wl_ring_pop(mine)); k++)
			b_free(t->alloc, p);
		t->count++;
		if (!(i % 256))
			cond_resched();
	}
	atomic_dec(&s->producing);
	while (atomic_read(&s->producing) || READ_ONCE(mine->head) != mine->tail) {
		p = pcslab_wl_ring_pop(mine);
		if (p)
			b_free(t->alloc, p);
		else
			cond_resched();
	}
}

void bench_sweep(unsigned int rep, enum bench_alloc alloc, unsigned int pct)
{
	struct sweep_shared *s = vzalloc(sizeof(*s));
	struct bthread t[2] = {};
	unsigned int i;
	u64 ns;

	if (!s)
		return;
	s->pct = pct;
	atomic_set(&s->producing, 2);
	for (i = 0; i < 2; i++) {
		t[i].fn = sweep_fn;
		t[i].alloc = alloc;
		t[i].arg = s;
	}
	ns = run_threads(t, 2);
	pr_info("CSV sweep %s,%u,%u,%u,%llu,%llu\n",
		alloc_names[alloc], cur_size, pct, rep,
		div64_u64((t[0].count + t[1].count) * NSEC_PER_SEC, ns),
		t[0].fails + t[1].fails);
	vfree(s);
}

/* ---- drain policy ---- */

static const unsigned int policies[] = { PCSLAB_DRAIN_ADAPTIVE, 8, 16, 32, 64, 128, 256, 1024 };

static void policy_name(unsigned int level, char *buf, size_t len)
{
	if (level == PCSLAB_DRAIN_ADAPTIVE)
		snprintf(buf, len, "adaptive");
	else
		snprintf(buf, len, "fixed%u", level);
}

static long level_changes(void)
{
	return pcslab_cache_stat(pcache, "level_up", -1) +
	       pcslab_cache_stat(pcache, "level_down", -1);
}

void bench_policy(unsigned int rep, const char *load, unsigned int np,
		  unsigned int nc, unsigned int burst, unsigned int gap)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		struct pc_result r;
		long changes;
		char name[16];

		pcslab_cache_set_policy(pcache, policies[i]);
		pcslab_cache_drain(pcache);
		changes = level_changes();
		if (run_prodcons(A_PCSLAB, np, nc, burst, gap, true, NULL, &r) || !r.objects)
			return;
		changes = level_changes() - changes;
		policy_name(policies[i], name, sizeof(name));
		pr_info("CSV policy %s,%s,%u,%llu,%llu,%llu\n",
			load, name, rep, div64_u64(r.objects * NSEC_PER_SEC, r.ns),
			div64_u64(r.alloc_cycles + r.free_cycles, r.objects),
			div64_u64((u64)changes * NSEC_PER_SEC, r.ns));
	}
	pcslab_cache_set_policy(pcache, PCSLAB_DRAIN_ADAPTIVE);
}

/* ---- trace: level and depth over time, bursty, adaptive ---- */

struct trace_sample {
	u32 t_us;
	u16 level, pending;
	u32 ticks;
};

static struct trace_sample *trace_buf;
static unsigned int trace_len;
static bool trace_stop;

static int trace_sampler(void *data)
{
	unsigned int owner = cpus[0];
	ktime_t start = ktime_get();

	trace_len = 0;
	while (!READ_ONCE(trace_stop) && trace_len < TRACE_MAX) {
		struct trace_sample *s = &trace_buf[trace_len++];
		unsigned int level, pending;

		pcslab_cache_cpu_level(pcache, owner, &level, &pending);
		s->t_us = ktime_us_delta(ktime_get(), start);
		s->level = level;
		s->pending = pending;
		s->ticks = pcslab_cache_stat(pcache, "alloc", owner) +
			   pcslab_cache_stat(pcache, "free_local", owner);
		usleep_range(200, 300);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

void bench_trace(void)
{
	unsigned int i, last = 0, at[5] = {}, t0 = 0;
	struct task_struct *sampler;
	struct pc_result r;
	u32 base;

	trace_buf = vcalloc(TRACE_MAX, sizeof(*trace_buf));
	if (!trace_buf || nr_cpus < 2)
		goto out;
	pcslab_cache_set_policy(pcache, PCSLAB_DRAIN_ADAPTIVE);
	pcslab_cache_drain(pcache);
	WRITE_ONCE(trace_stop, false);
	sampler = kthread_run(trace_sampler, NULL, "pcslab_bench/trace");
	if (IS_ERR(sampler))
		goto out;
	run_prodcons(A_PCSLAB, 1, 1, 2048, 2000, true, NULL, &r);
	WRITE_ONCE(trace_stop, true);
	kthread_stop(sampler);
	base = trace_len ? trace_buf[0].ticks : 0;
	for (i = 0; i < trace_len; i++) {
		struct trace_sample *s = &trace_buf[i];

		if (i && s->level != trace_buf[i - 1].level)
			last = i;
		if (i) {
			unsigned int lv = ilog2(max_t(unsigned int, trace_buf[i - 1].level, 8)) - 3;

			at[min(lv, 4U)] += s->t_us - t0;
		}
		t0 = s->t_us;
		pr_info("CSV trace %u,%u,%u,%u\n", s->t_us, s->level,
			s->pending, s->ticks - base);
	}
	if (trace_len)
		pr_info("CSV settle %u,%u,%u,%u,%u,%u,%u,%u\n",
			trace_buf[last].t_us, trace_buf[last].ticks - base,
			at[0], at[1], at[2], at[3], at[4], trace_buf[trace_len - 1].t_us);
out:
	vfree(trace_buf);
	trace_buf = NULL;
}
