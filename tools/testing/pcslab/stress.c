// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent stress of the pcslab core on real threads, for
 * ThreadSanitizer and ASan+UBSan: four CPU threads allocate, free locally,
 * hand objects to each other for remote frees and use the bulk calls on
 * three caches, while a control thread changes the drain policy and the
 * queue capacity (down to 2 and 4, so kicks are frequent), drains,
 * shrinks, runs the idle flush, injects page allocation failures and
 * takes CPU 3 offline and back (its thread moves to CPU 2 meanwhile, as
 * the kernel migrates tasks).  At the end every object is freed and every
 * count must balance exactly.
 *
 * usage: stress [-s SEED] [-t MS]
 */
#include <getopt.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

unsigned long long check_seed;
char check_where[128] = "stress";

#define NCPUS		4
#define NCACHES		3
#define HOLD		256	/* objects a thread holds at most */
#define INBOX		1024

struct inbox {
	pthread_mutex_t lock;
	void *obj[INBOX];
	int cache[INBOX];
	unsigned int n;
};

static struct pcslab_cache *caches[NCACHES];
static const unsigned int sizes[NCACHES] = { 64, 256, 1024 };
static const unsigned int flags[NCACHES] = { 0, PCSLAB_POISON, PCSLAB_ZERO_ON_FREE };
static struct inbox inbox[NCPUS];
static bool stop;
static int want_offline;		/* control asks thread 3 to go away */
static unsigned long total_ops, total_fails, hotplug_cycles, faults;
static unsigned long allocs[NCACHES], frees[NCACHES];

static void stamp(void *p, unsigned int k)
{
	u64 *w = p;

	w[0] = (u64)(uintptr_t)p ^ 0xfeedULL;
	w[sizes[k] / 8 - 1] = (u64)(uintptr_t)p ^ 0xbeefULL;
}

static void check_stamp(void *p, unsigned int k)
{
	u64 *w = p;

	CHECK(w[0] == ((u64)(uintptr_t)p ^ 0xfeedULL) &&
	      w[sizes[k] / 8 - 1] == ((u64)(uintptr_t)p ^ 0xbeefULL),
	      "object %p of cache %u overwritten while live", p, k);
}

struct worker {
	int id;
	pthread_t t;
	u64 rs;
	void *held[HOLD];
	int held_cache[HOLD];
	unsigned int n;
	unsigned long ops, fails, allocs[NCACHES], frees[NCACHES];
};

static void take_inbox(struct worker *w)
{
	struct inbox *ib = &inbox[w->id];
	unsigned int i;

	pthread_mutex_lock(&ib->lock);
	for (i = 0; i < ib->n; i++) {
		check_stamp(ib->obj[i], ib->cache[i]);
		pcslab_free(caches[ib->cache[i]], ib->obj[i]);	/* mostly remote */
		w->frees[ib->cache[i]]++;
	}
	ib->n = 0;
	pthread_mutex_unlock(&ib->lock);
}

static void release(struct worker *w, unsigned int i, bool hand_off)
{
	void *p = w->held[i];
	unsigned int k = w->held_cache[i];

	check_stamp(p, k);
	w->held[i] = w->held[--w->n];
	w->held_cache[i] = w->held_cache[w->n];
	if (hand_off) {
		struct inbox *ib = &inbox[rnd_below(&w->rs, NCPUS)];

		pthread_mutex_lock(&ib->lock);
		if (ib->n < INBOX) {
			ib->obj[ib->n] = p;
			ib->cache[ib->n++] = k;
			p = NULL;
		}
		pthread_mutex_unlock(&ib->lock);
		if (!p)
			return;
	}
	pcslab_free(caches[k], p);
	w->frees[k]++;
}

static void step(struct worker *w)
{
	unsigned int k = rnd_below(&w->rs, NCACHES), r = rnd_below(&w->rs, 100), i, n;
	void *v[32];

	if (r < 45 && w->n < HOLD) {
		void *p = pcslab_alloc(caches[k], rnd_below(&w->rs, 2) ? GFP_KERNEL : GFP_ATOMIC);

		if (!p) {
			w->fails++;
			return;
		}
		stamp(p, k);
		w->held[w->n] = p;
		w->held_cache[w->n++] = k;
		w->allocs[k]++;
	} else if (r < 55 && w->n + 32 <= HOLD) {
		n = 1 + rnd_below(&w->rs, 32);
		if (!pcslab_alloc_bulk(caches[k], GFP_KERNEL, n, v)) {
			w->fails++;
			return;
		}
		for (i = 0; i < n; i++) {
			stamp(v[i], k);
			w->held[w->n] = v[i];
			w->held_cache[w->n++] = k;
		}
		w->allocs[k] += n;
	} else if (r < 65 && w->n) {
		/* bulk free of whatever this thread holds of cache k */
		for (i = 0, n = 0; i < w->n && n < 32;) {
			if (w->held_cache[i] == (int)k) {
				check_stamp(w->held[i], k);
				v[n++] = w->held[i];
				w->held[i] = w->held[--w->n];
				w->held_cache[i] = w->held_cache[w->n];
			} else {
				i++;
			}
		}
		pcslab_free_bulk(caches[k], n, v);
		w->frees[k] += n;
	} else if (w->n) {
		release(w, rnd_below(&w->rs, w->n), r < 85);
	}
	if (r == 99)
		take_inbox(w);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int home = w->id;

	shim_set_cpu(home);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (home == NCPUS - 1 && __atomic_load_n(&want_offline, __ATOMIC_ACQUIRE)) {
			/* migrated off the CPU, which then goes down and up */
			shim_set_cpu(home - 1);
			shim_cpu_down(home);
			for (int i = 0; i < 200; i++)
				step(w);
			shim_cpu_up(home);
			shim_set_cpu(home);
			__atomic_store_n(&want_offline, 0, __ATOMIC_RELEASE);
			__atomic_fetch_add(&hotplug_cycles, 1, __ATOMIC_RELAXED);
		}
		step(w);
		w->ops++;
		if ((w->ops & 63) == 0)
			take_inbox(w);
	}
	take_inbox(w);
	while (w->n)
		release(w, 0, false);
	return NULL;
}

static void control(u64 *rs, unsigned long ms)
{
	static const unsigned int caps[] = { 2, 4, 8, 64, 512, 0, 1 };
	unsigned long end = shim_jiffies() + ms;

	while ((long)(shim_jiffies() - end) < 0) {
		struct pcslab_cache *c = caches[rnd_below(rs, NCACHES)];

		switch (rnd_below(rs, 9)) {
		case 0:
			pcslab_cache_set_policy(c, rnd_below(rs, 2) ? PCSLAB_DRAIN_ADAPTIVE :
						1 + rnd_below(rs, 128));
			break;
		case 1:
			pcslab_cache_set_queue_capacity(c, caps[rnd_below(rs, ARRAY_SIZE(caps))]);
			break;
		case 2:
			pcslab_cache_drain(c);
			break;
		case 3:
			shim_shrink_all();
			break;
		case 4:
			shim_run_work(false);
			break;
		case 5:
			shim_set_fail_pages(2);
			faults += 2;
			break;
		case 6:
			if (!__atomic_load_n(&want_offline, __ATOMIC_ACQUIRE))
				__atomic_store_n(&want_offline, 1, __ATOMIC_RELEASE);
			break;
		default:
			shim_wait_a_bit();
			break;
		}
		usleep(200);
	}
}

int main(int argc, char **argv)
{
	struct worker w[NCPUS] = {};
	unsigned long ms = 2000, kicks = 0;
	unsigned int k, i;
	u64 rs;
	int opt;

	check_seed = time(NULL) ^ getpid();
	while ((opt = getopt(argc, argv, "s:t:")) != -1) {
		if (opt == 's')
			check_seed = strtoull(optarg, NULL, 0);
		else if (opt == 't')
			ms = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: stress [-s SEED] [-t MS]\n"), 2;
	}
	rs = (check_seed + 1) * 0x9E3779B97F4A7C15ULL | 1;
	printf("stress: seed %llu, %lu ms\n", check_seed, ms);
	fflush(stdout);
	shim_init(NCPUS);
	CHECK(pcslab_hotplug_init() == 0, "hotplug init");
	for (k = 0; k < NCACHES; k++) {
		char name[16];

		snprintf(name, sizeof(name), "stress%u", k);
		caches[k] = pcslab_cache_create(name, sizes[k], 0, flags[k], NULL);
		CHECK(!IS_ERR(caches[k]), "create");
	}
	for (i = 0; i < NCPUS; i++)
		pthread_mutex_init(&inbox[i].lock, NULL);
	for (i = 0; i < NCPUS; i++) {
		w[i].id = i;
		w[i].rs = rs + i * 7919;
		pthread_create(&w[i].t, NULL, worker_main, &w[i]);
	}
	control(&rs, ms);
	while (__atomic_load_n(&want_offline, __ATOMIC_ACQUIRE))
		shim_wait_a_bit();
	shim_set_fail_pages(0);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < NCPUS; i++)
		pthread_join(w[i].t, NULL);
	/* inboxes filled after their owner left: free them here */
	for (i = 0; i < NCPUS; i++) {
		struct worker tmp = { .id = i };

		take_inbox(&tmp);
		for (k = 0; k < NCACHES; k++)
			frees[k] += tmp.frees[k];
	}
	for (i = 0; i < NCPUS; i++) {
		total_ops += w[i].ops;
		total_fails += w[i].fails;
		for (k = 0; k < NCACHES; k++) {
			allocs[k] += w[i].allocs[k];
			frees[k] += w[i].frees[k];
		}
	}
	for (k = 0; k < NCACHES; k++) {
		struct pcslab_cache *c = caches[k];

		for (i = 0; i < NCPUS; i++)
			shim_run_cpu_ipis(i);
		pcslab_cache_drain(c);
		/* the drain's outbox hand-offs may have kicked an owner */
		for (i = 0; i < NCPUS; i++)
			shim_run_cpu_ipis(i);
		check_cache_structure(c);
		CHECK(allocs[k] == frees[k], "cache %u: %lu allocated, %lu freed", k, allocs[k], frees[k]);
		CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 0, "cache %u: %lu in use", k,
		      stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE));
		/* a failed bulk alloc counts what it took and put back on both sides */
		CHECK(stat_sum(c, PCSLAB_STAT_ALLOC) >= allocs[k], "cache %u: alloc %lu < %lu handed out",
		      k, stat_sum(c, PCSLAB_STAT_ALLOC), allocs[k]);
		CHECK(stat_sum(c, PCSLAB_STAT_ALLOC) ==
		      stat_sum(c, PCSLAB_STAT_FREE_LOCAL) + stat_sum(c, PCSLAB_STAT_FREE_REMOTE),
		      "cache %u: counters do not balance", k);
		CHECK(stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) + stat_sum(c, PCSLAB_STAT_INVALID_FREE) +
		      stat_sum(c, PCSLAB_STAT_POISON_CORRUPT) == 0, "cache %u: errors reported", k);
		kicks += stat_sum(c, PCSLAB_STAT_KICK);
		CHECK(pcslab_cache_destroy(c) == 0, "cache %u: destroy found live objects", k);
	}
	CHECK(shim_pages_in_use == 0, "%ld pages left", shim_pages_in_use);
	CHECK(shim_printk_errors == 0, "%d errors printed", shim_printk_errors);
	pcslab_hotplug_exit();
	printf("stress: %d CPUs, %d caches, %lu ops, %lu hotplug cycles, %lu kicks, %lu faults injected (%lu allocs failed), 0 lost\n",
	       NCPUS, NCACHES, total_ops, hotplug_cycles, kicks, faults, total_fails);
	return 0;
}
