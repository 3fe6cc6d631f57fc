// SPDX-License-Identifier: GPL-2.0
/*
 * native-bench: pcslab's core on real cores, against malloc.
 *
 * The core (the module's C files) is compiled unchanged against the shim with
 * -DSHIM_BENCH and -O2: a "CPU" is a thread pinned to one core, per-CPU
 * data sits at the shim's stride, a kick is delivered when the owner next
 * enables interrupts.  With -a malloc the same workload code calls the
 * process's malloc()/free(): glibc's, or mimalloc, jemalloc or tcmalloc
 * when tools/native-bench preloads one (LD_PRELOAD); the allocator
 * actually answering is detected and printed, so a run cannot claim a
 * competitor it did not measure.
 *
 * Rows (shaped like module/bench_rows.c's), ns per object:
 *   pair1, pair64  alloc a batch of 1 or 64 and free it, one core
 *   bulk64         pcslab_alloc_bulk/free_bulk of 64 (malloc has no bulk
 *                  call: the competitors run pair64's loop)
 *   prodcons       core 0 allocates and writes, core 1 frees: 1:1 through
 *                  a single-producer single-consumer queue
 *   ring           the handoff alone, with preallocated objects: the
 *                  share of prodcons that is not the allocator
 *   sweepP         both cores allocate; P % of the objects are freed by
 *                  the other core (through the ring), the rest locally
 * and the primitives the shim stands in for (what transfers to the kernel):
 *   prim-shim-lock     shim spin_lock()+spin_unlock(), uncontended
 *   prim-kernel-lock   the kernel's queued spinlock fast path (lock
 *                      cmpxchg acquire, byte store release)
 *   prim-shim-pcpu     shim this_cpu_add() (TLS CPU id, stride, add)
 *   prim-kernel-pcpu   a segment-relative add, the kernel's this_cpu_add()
 *   prim-shim-irq      shim local_irq_save()+restore()
 *   prim-pushf         pushf+pop and the test of the saved flags: the
 *                      kernel's x86 local_irq_save()/restore() without
 *                      its cli and (conditional) sti, which cannot run
 *                      in userspace
 *
 * usage: native-bench -a pcslab|malloc [-n OBJECTS] [-r ROW,...]
 * PCSLAB_OUTBOX_BATCH=N in the environment sets pcslab's outbox batch.
 * Output: CSV "row,size,allocator,ns_per_object,fails,kicks_per_1k,
 * remote_full_per_1k" on stdout, one line per row.
 */
#include <dlfcn.h>
#include <getopt.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

unsigned long long check_seed;
char check_where[128] = "native-bench";

#define RING_SIZE	1024U
#define MAX_BATCH	64U

static bool use_pcslab;
static unsigned long bench_sink;	/* keeps the baseline's reads */
static const char *alloc_name = "pcslab";
static unsigned long nr_objects = 2000000;
static const char *only_rows;
static struct pcslab_cache *cur_cache;
static unsigned int cur_size;

static inline void *b_alloc(void)
{
	return use_pcslab ? pcslab_alloc(cur_cache, GFP_KERNEL) : malloc(cur_size);
}

static inline void b_free(void *p)
{
	if (use_pcslab)
		pcslab_free(cur_cache, p);
	else
		free(p);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Waiting for the other core: with interrupts on, as a kernel CPU is. */
static inline void bench_relax(void)
{
	if (use_pcslab)
		shim_irq_enabled();
	cpu_relax();
}

/* ---- single-producer single-consumer ring, as pcslab_bench's ---- */

/*
 * module/workload.h's ring: each end re-reads the other's index only when
 * the ring looks full or empty.
 */
struct spsc {
	void *slot[RING_SIZE];
	unsigned long head ____cacheline_aligned;
	unsigned long tail_seen;
	unsigned long tail ____cacheline_aligned;
	unsigned long head_seen;
};

static bool spsc_push(struct spsc *r, void *p)
{
	unsigned long h = r->head;

	if (h - r->tail_seen >= RING_SIZE) {
		r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (h - r->tail_seen >= RING_SIZE)
			return false;
	}
	r->slot[h % RING_SIZE] = p;
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return true;
}

static void *spsc_pop(struct spsc *r)
{
	unsigned long t = r->tail;
	void *p;

	if (t == r->head_seen) {
		r->head_seen = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (t == r->head_seen)
			return NULL;
	}
	p = r->slot[t % RING_SIZE];
	__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	return p;
}

/* ---- threads pinned to cores, released together ---- */

struct bthread {
	void (*fn)(struct bthread *t);
	int cpu;
	void *arg;
	unsigned long count, fails;
	u64 t0, t1;
	pthread_t tid;
};

static int nr_cores;
static int go;
static int ready;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % nr_cores, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *bthread_main(void *data)
{
	struct bthread *t = data;

	pin(t->cpu);
	shim_set_cpu(t->cpu);
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	t->t0 = now_ns();
	t->fn(t);
	t->t1 = now_ns();
	return NULL;
}

/* Runs @n threads on CPUs 0..n-1; returns first start to last end, ns. */
static u64 run_threads(struct bthread *t, int n)
{
	u64 first = ~0ULL, last = 0;
	int i;

	__atomic_store_n(&go, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ready, 0, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		t[i].cpu = i;
		CHECK(!pthread_create(&t[i].tid, NULL, bthread_main, &t[i]), "pthread_create");
	}
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < n)
		sched_yield();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		pthread_join(t[i].tid, NULL);
		first = t[i].t0 < first ? t[i].t0 : first;
		last = t[i].t1 > last ? t[i].t1 : last;
	}
	/* kicks still queued for a CPU whose thread has left */
	if (use_pcslab)
		for (i = 0; i < (int)nr_cpu_ids; i++)
			shim_run_cpu_ipis(i);
	return last - first;
}

/* ---- workloads ---- */

struct pair_arg {
	unsigned int batch;
	bool bulk;
	unsigned long n;
	void *objs[MAX_BATCH];
};

static void pair_fn(struct bthread *t)
{
	struct pair_arg *a = t->arg;
	unsigned long rounds = a->n / a->batch, r;
	unsigned int i;

	for (r = 0; r < rounds; r++) {
		if (a->bulk && use_pcslab) {
			if (pcslab_alloc_bulk(cur_cache, GFP_KERNEL, a->batch, a->objs) !=
			    (int)a->batch) {
				t->fails++;
				continue;
			}
			for (i = 0; i < a->batch; i++)
				*(unsigned long *)a->objs[i] = r;
			pcslab_free_bulk(cur_cache, a->batch, a->objs);
			continue;
		}
		for (i = 0; i < a->batch; i++) {
			a->objs[i] = b_alloc();
			if (a->objs[i])
				*(unsigned long *)a->objs[i] = r;
			else
				t->fails++;
		}
		for (i = 0; i < a->batch; i++)
			if (a->objs[i])
				b_free(a->objs[i]);
	}
	t->count = rounds * a->batch;
}

struct pc_arg {
	struct spsc ring;
	unsigned long n;
	bool baseline;		/* hand over preallocated objects */
	unsigned long *pool;	/* baseline objects, one per cache line */
};

static void producer_fn(struct bthread *t)
{
	struct pc_arg *s = t->arg;
	unsigned long i;

	for (i = 0; i < s->n; i++) {
		void *p = s->baseline ? &s->pool[(i % (2 * RING_SIZE)) * 8] : b_alloc();

		if (!p) {
			t->fails++;
			p = s->pool;	/* the consumer counts it, frees nothing */
		} else {
			*(unsigned long *)p = i;
		}
		while (!spsc_push(&s->ring, p))
			bench_relax();
	}
	t->count = s->n;
}

static void consumer_fn(struct bthread *t)
{
	struct pc_arg *s = t->arg;
	unsigned long i, sum = 0;

	for (i = 0; i < s->n; i++) {
		void *p;

		while (!(p = spsc_pop(&s->ring)))
			bench_relax();
		if (s->baseline || p == (void *)s->pool)
			sum += *(unsigned long *)p;
		else
			b_free(p);
	}
	WRITE_ONCE(bench_sink, bench_sink + sum);
	t->count = s->n;
}

struct sweep_arg {
	struct spsc ring[2];	/* ring[i]: objects thread i must free */
	unsigned int pct;
	unsigned long n;
	int producing;
};

static void sweep_fn(struct bthread *t)
{
	struct sweep_arg *s = t->arg;
	struct spsc *mine = &s->ring[t->cpu], *peer = &s->ring[!t->cpu];
	u64 seed = t->cpu + 1;
	unsigned long i;
	unsigned int k;
	void *p;

	for (i = 0; i < s->n; i++) {
		p = b_alloc();
		if (!p) {
			t->fails++;
			continue;
		}
		*(unsigned long *)p = i;
		if (rnd_below(&seed, 100) < s->pct) {
			while (!spsc_push(peer, p)) {
				void *q = spsc_pop(mine);

				if (q)
					b_free(q);
				else
					bench_relax();
			}
		} else {
			b_free(p);
		}
		for (k = 0; k < 4 && (p = spsc_pop(mine)); k++)
			b_free(p);
	}
	t->count = s->n;
	__atomic_fetch_sub(&s->producing, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s->producing, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&mine->head, __ATOMIC_ACQUIRE) != mine->tail) {
		p = spsc_pop(mine);
		if (p)
			b_free(p);
		else
			bench_relax();
	}
}

/* ---- the shim's primitives and the kernel's forms of them ---- */

static spinlock_t prim_lock;
static int kernel_lock;
static unsigned long __percpu *prim_pcpu;
static __thread unsigned long tls_counter __used;

/* general registers only: shim-irq's IPI call saves no vector register */
__attribute__((__target__("general-regs-only")))
static void prim_fn(struct bthread *t)
{
	const char *which = t->arg;
	unsigned long i, n = t->count, flags;

	if (!strcmp(which, "shim-lock")) {
		for (i = 0; i < n; i++) {
			spin_lock(&prim_lock);
			spin_unlock(&prim_lock);
		}
	} else if (!strcmp(which, "kernel-lock")) {
		for (i = 0; i < n; i++) {
			int unlocked = 0;

			while (!__atomic_compare_exchange_n(&kernel_lock, &unlocked, 1, false,
							    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				unlocked = 0;
			__atomic_store_n((u8 *)&kernel_lock, 0, __ATOMIC_RELEASE);
		}
	} else if (!strcmp(which, "shim-pcpu")) {
		for (i = 0; i < n; i++) {
			this_cpu_add(*prim_pcpu, 1);
			barrier();
		}
	} else if (!strcmp(which, "kernel-pcpu")) {
		for (i = 0; i < n; i++)
			__asm__ __volatile__("addq $1, %%fs:tls_counter@tpoff" ::: "memory");
	} else if (!strcmp(which, "shim-irq")) {
		for (i = 0; i < n; i++) {
			local_irq_save(flags);
			barrier();
			local_irq_restore(flags);
		}
	} else if (!strcmp(which, "pushf")) {
		for (i = 0; i < n; i++) {
			unsigned long fl;

			/* arch_local_save_flags(); restore tests IF before its sti */
			__asm__ __volatile__("pushf; pop %0" : "=rm"(fl) : : "memory");
			if (!(fl & 0x200))
				__asm__ __volatile__("" ::: "memory");
		}
	}
}

/* ---- rows ---- */

struct row_result {
	double ns;
	unsigned long fails, kicks, remote_full, remote;
};

static void stats_before(struct row_result *r)
{
	if (!use_pcslab)
		return;
	r->kicks = stat_sum(cur_cache, PCSLAB_STAT_KICK);
	r->remote_full = stat_sum(cur_cache, PCSLAB_STAT_REMOTE_FULL);
}

static void stats_after(struct row_result *r)
{
	if (!use_pcslab)
		return;
	r->kicks = stat_sum(cur_cache, PCSLAB_STAT_KICK) - r->kicks;
	r->remote_full = stat_sum(cur_cache, PCSLAB_STAT_REMOTE_FULL) - r->remote_full;
}

/* One measured run of @row at cur_size over @n objects. */
static void run_row(const char *row, unsigned long n, struct row_result *res)
{
	struct bthread t[2] = {};
	u64 ns;
	int nt = 1;

	memset(res, 0, sizeof(*res));
	stats_before(res);
	if (!strncmp(row, "pair", 4) || !strncmp(row, "bulk", 4)) {
		struct pair_arg *a = calloc(1, sizeof(*a));

		a->batch = strtoul(row + 4, NULL, 10);
		a->bulk = row[0] == 'b';
		a->n = n;
		t[0].fn = pair_fn;
		t[0].arg = a;
		ns = run_threads(t, 1);
		free(a);
	} else if (!strcmp(row, "prodcons") || !strcmp(row, "ring")) {
		struct pc_arg *s = calloc(1, sizeof(*s));

		s->n = n;
		s->baseline = row[0] == 'r';
		s->pool = aligned_alloc(64, 2 * RING_SIZE * 64);
		memset(s->pool, 0, 2 * RING_SIZE * 64);
		t[0].fn = producer_fn;
		t[1].fn = consumer_fn;
		t[0].arg = s;
		t[1].arg = s;
		nt = 2;
		ns = run_threads(t, 2);
		free(s->pool);
		free(s);
	} else if (!strncmp(row, "sweep", 5)) {
		struct sweep_arg *s = calloc(1, sizeof(*s));

		s->pct = strtoul(row + 5, NULL, 10);
		s->n = n / 2;
		s->producing = 2;
		t[0].fn = sweep_fn;
		t[1].fn = sweep_fn;
		t[0].arg = s;
		t[1].arg = s;
		nt = 2;
		ns = run_threads(t, 2);
		free(s);
	} else {
		CHECK(!strncmp(row, "prim-", 5), "unknown row %s", row);
		t[0].fn = prim_fn;
		t[0].arg = (void *)(row + 5);
		t[0].count = n;
		ns = run_threads(t, 1);
	}
	stats_after(res);
	res->fails = t[0].fails + (nt > 1 ? t[1].fails : 0);
	res->ns = (double)ns / n;
}

struct row {
	const char *name;
	unsigned int size;	/* 0: allocator-independent */
	unsigned int scale;	/* objects = nr_objects * scale / 4 */
};

static const struct row rows[] = {
	{ "pair1", 64, 8 }, { "pair64", 64, 8 }, { "bulk64", 64, 8 },
	{ "ring", 64, 4 }, { "prodcons", 64, 4 },
	{ "sweep0", 64, 4 }, { "sweep25", 64, 4 }, { "sweep50", 64, 4 },
	{ "sweep100", 64, 4 },
	{ "pair1", 256, 8 }, { "pair64", 256, 8 }, { "bulk64", 256, 8 },
	{ "prodcons", 256, 4 }, { "sweep100", 256, 4 },
	{ "prim-shim-lock", 0, 8 }, { "prim-kernel-lock", 0, 8 },
	{ "prim-shim-pcpu", 0, 8 }, { "prim-kernel-pcpu", 0, 8 },
	{ "prim-shim-irq", 0, 8 }, { "prim-pushf", 0, 8 },
};

static bool wanted(const char *name)
{
	const char *p = only_rows;
	size_t len = strlen(name);

	if (!p)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only_rows || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* Which allocator answers malloc() in this process. */
static const char *detect_malloc(void)
{
	if (dlsym(RTLD_DEFAULT, "mi_malloc"))
		return "mimalloc";
	if (dlsym(RTLD_DEFAULT, "mallctl"))
		return "jemalloc";
	if (dlsym(RTLD_DEFAULT, "tc_malloc"))
		return "tcmalloc";
	return "glibc";
}

int main(int argc, char **argv)
{
	struct pcslab_cache *caches[2] = {};
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "a:n:r:")) != -1) {
		switch (c) {
		case 'a':
			use_pcslab = !strcmp(optarg, "pcslab");
			CHECK(use_pcslab || !strcmp(optarg, "malloc"), "-a pcslab|malloc");
			break;
		case 'n':
			nr_objects = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			only_rows = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s -a pcslab|malloc [-n OBJECTS] [-r ROW,...]\n",
				argv[0]);
			return 2;
		}
	}
	nr_cores = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	if (nr_cores < 2)
		fprintf(stderr, "native-bench: one core: both CPUs share it\n");
	if (!use_pcslab)
		alloc_name = detect_malloc();
	shim_init(2);
	shim_quiet = true;
	prim_pcpu = alloc_percpu(unsigned long);
	if (use_pcslab) {
		caches[0] = pcslab_cache_create("bench-64", 64, 0, 0, NULL);
		caches[1] = pcslab_cache_create("bench-256", 256, 0, 0, NULL);
		CHECK(caches[0] && caches[1], "cache create");
		if (getenv("PCSLAB_OUTBOX_BATCH")) {
			unsigned int b = atoi(getenv("PCSLAB_OUTBOX_BATCH"));

			CHECK(!pcslab_cache_set_outbox_batch(caches[0], b) &&
			      !pcslab_cache_set_outbox_batch(caches[1], b), "outbox batch %u", b);
		}
	}
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		unsigned long n = nr_objects * r->scale / 4;
		struct row_result res;

		if (!wanted(r->name))
			continue;
		cur_size = r->size ? r->size : 64;
		cur_cache = caches[r->size == 256];
		/* warm up: pages faulted in, slabs and thread caches built */
		run_row(r->name, n / 8 ? n / 8 : 1, &res);
		run_row(r->name, n, &res);
		printf("%s,%u,%s,%.3f,%lu,%.3f,%.3f\n", r->name, r->size,
		       r->size ? alloc_name : "any", res.ns, res.fails,
		       res.kicks * 1000.0 / n, res.remote_full * 1000.0 / n);
		fflush(stdout);
	}
	if (use_pcslab) {
		for (i = 0; i < 2; i++)
			CHECK(pcslab_cache_destroy(caches[i]) == 0,
			      "%s: objects left after the bench", i ? "bench-256" : "bench-64");
		CHECK(shim_pages_in_use == 0, "%ld pages not returned", shim_pages_in_use);
	}
	free_percpu(prim_pcpu);
	return 0;
}
