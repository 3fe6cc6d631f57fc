// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based random test of the pcslab core, single-threaded and
 * deterministic: one thread plays every CPU, interrupts (kick IPIs) arrive
 * when the CPU they were sent to enables interrupts, delayed work runs on a
 * clock the test moves.  After every operation the counters are checked
 * against a reference model (which objects are live, what was allocated,
 * freed, rejected); every 256 operations, and at the end, every slab of
 * every CPU is walked (see check.h) and every live object is checked to be
 * where the model says: in its cache, not free, not queued, its contents
 * intact.
 *
 * usage: model [-s SEED] [-n OPS]      (the seed is printed; failures too)
 */
#include <getopt.h>
#include <time.h>
#include <unistd.h>

#include <linux/moduleparam.h>

#include "check.h"

unsigned long long check_seed;
char check_where[128];

#define NCPUS		6	/* > PCSLAB_OUTBOX_SLOTS: owners share slots */
#define NCACHES		4
#define MAX_LIVE	3000
#define RECENT		64

struct model_obj {
	void *p;
	u64 tag;
};

struct model_cache {
	struct pcslab_cache *c;
	unsigned int size, flags;
	struct model_obj live[MAX_LIVE];
	unsigned int nlive;
	void *recent[RECENT];		/* recently freed: double-free candidates */
	unsigned int nrecent;
	unsigned long allocs, frees, errors, fails;
	unsigned int gen;
};

static struct model_cache mc[NCACHES];
static u64 rs;
static u64 next_tag = 1;
static unsigned long nops, nchecks, hotplugs, destroys;

static const struct { unsigned int size, flags; } shapes[] = {
	{ 64, 0 }, { 256, PCSLAB_POISON }, { 1024, PCSLAB_ZERO_ON_FREE },
	{ 24, PCSLAB_HWCACHE_ALIGN }, { 8, 0 }, { 512, PCSLAB_POISON },
	{ 4000, PCSLAB_STRICT_FREE }, { 96, PCSLAB_ZERO_ON_FREE },
};

/* Every live pointer of every cache: linear probing, backward-shift delete. */
#define LIVE_SET	BIT(16)
static void *live_set[LIVE_SET];

static unsigned int live_hash(void *p)
{
	return (unsigned int)(((uintptr_t)p * 0x9E3779B97F4A7C15ULL) >> 48);
}

static bool is_live_anywhere(void *p)
{
	unsigned int h;

	for (h = live_hash(p); live_set[h]; h = (h + 1) % LIVE_SET)
		if (live_set[h] == p)
			return true;
	return false;
}

static void live_add(void *p)
{
	unsigned int h;

	for (h = live_hash(p); live_set[h]; h = (h + 1) % LIVE_SET)
		;
	live_set[h] = p;
}

static void live_del(void *p)
{
	unsigned int h;

	unsigned int j, k;

	for (h = live_hash(p); live_set[h] != p; h = (h + 1) % LIVE_SET)
		CHECK(live_set[h], "%p not in the live set", p);
	live_set[h] = NULL;
	for (j = (h + 1) % LIVE_SET; live_set[j]; j = (j + 1) % LIVE_SET) {
		k = live_hash(live_set[j]);
		/* stays if its home lies cyclically in (h, j] */
		if (h < j ? (k > h && k <= j) : (k > h || k <= j))
			continue;
		live_set[h] = live_set[j];
		live_set[j] = NULL;
		h = j;
	}
}

static void fill(struct model_cache *m, void *p, u64 tag)
{
	unsigned int n = m->size / 8, i;

	for (i = 0; i < n; i++)
		((u64 *)p)[i] = tag ^ i;
}

static void verify(struct model_cache *m, struct model_obj *o)
{
	unsigned int n = m->size / 8, i;

	for (i = 0; i < n; i++)
		CHECK(((u64 *)o->p)[i] == (o->tag ^ i), "object %p word %u overwritten", o->p, i);
}

static void fresh_object(struct model_cache *m, void *p, gfp_t gfp)
{
	struct pcslab_slab *slab = pcslab_obj_to_slab(p);
	int idx;

	CHECK(p, "no object");
	CHECK(slab && slab->cache == m->c, "alloc returned %p, not an object of the cache", p);
	idx = pcslab_slab_obj_index(slab, &m->c->geo, p);
	CHECK(idx >= 0, "alloc returned %p, not a slot", p);
	CHECK(!test_bit(idx, slab->free_map) && !pcslab_is_marked(m->c, p),
	      "alloc returned %p whose slot is free or queued", p);
	CHECK(!is_live_anywhere(p), "alloc returned %p, which is live", p);
	if ((m->flags & PCSLAB_ZERO_ON_FREE) || (gfp & __GFP_ZERO))
		CHECK(!memchr_inv(p, 0, m->size), "object %p not zeroed", p);
	else if (m->flags & PCSLAB_POISON)
		CHECK(!memchr_inv(p, PCSLAB_POISON_BYTE, m->size), "object %p not poisoned", p);
	CHECK(m->nlive < MAX_LIVE, "too many live");
	m->live[m->nlive].p = p;
	m->live[m->nlive].tag = next_tag++;
	live_add(p);
	fill(m, p, m->live[m->nlive].tag);
	m->nlive++;
	m->allocs++;
}

/* Take live object @i out of the model, checked; return its pointer. */
static void *retire(struct model_cache *m, unsigned int i)
{
	void *p = m->live[i].p;

	verify(m, &m->live[i]);
	live_del(p);
	m->live[i] = m->live[--m->nlive];
	m->recent[m->nrecent++ % RECENT] = p;
	m->frees++;
	return p;
}

static unsigned int pick_online_cpu(void)
{
	unsigned int cpu;

	do
		cpu = rnd_below(&rs, NCPUS);
	while (!cpu_online(cpu));
	return cpu;
}

/* Run on @cpu with interrupts enabled: its pending kicks arrive first. */
static void on_cpu(unsigned int cpu)
{
	shim_set_cpu(cpu);
	shim_irq_enabled();
}

static void create(struct model_cache *m, unsigned int k)
{
	unsigned int s = rnd_below(&rs, ARRAY_SIZE(shapes));
	char name[32];

	snprintf(name, sizeof(name), "model%u-%u", k, m->gen++);
	m->size = shapes[s].size;
	m->flags = shapes[s].flags;
	m->c = pcslab_cache_create(name, m->size, 0, m->flags, NULL);
	CHECK(!IS_ERR(m->c), "cache %s: %ld", name, PTR_ERR(m->c));
	m->nlive = 0;
	m->nrecent = 0;
	m->allocs = 0;
	m->frees = 0;
	m->errors = 0;
	m->fails = 0;
}

/*
 * The idle_flush_ms module parameter: the debugfs files' strict form,
 * 1..60000, bad input changes nothing; a cache takes the value at create.
 */
extern const struct kernel_param_ops *shim_param_ops_idle_flush_ms;

static void check_idle_flush_param(void)
{
	static const char *const bad[] = { "0", "60001", "+5", "05", "5 ", "-1", "", "abc",
					   "99999999999" };
	const struct kernel_param kp = { .arg = &pcslab_idle_flush_ms };
	const struct kernel_param_ops *ops = shim_param_ops_idle_flush_ms;
	struct pcslab_cache *c;
	char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(ops->set(bad[i], &kp) == -EINVAL && pcslab_idle_flush_ms == PCSLAB_IDLE_FLUSH_MS,
		      "idle_flush_ms took \"%s\"", bad[i]);
	CHECK(ops->set("250\n", &kp) == 0 && pcslab_idle_flush_ms == 250, "idle_flush_ms 250");
	CHECK(ops->get(buf, &kp) > 0 && !strcmp(buf, "250\n"), "idle_flush_ms reads %s", buf);
	c = pcslab_cache_create("param", 64, 0, 0, NULL);
	CHECK(!IS_ERR(c) && c->idle_flush_ms == 250, "cache did not take idle_flush_ms");
	pcslab_cache_destroy(c);
	CHECK(ops->set("100", &kp) == 0 && pcslab_idle_flush_ms == PCSLAB_IDLE_FLUSH_MS,
	      "idle_flush_ms back to 100");
}

/* The counters, every step: cheap enough for millions of steps. */
static void check_counters(struct model_cache *m)
{
	struct pcslab_cache *c = m->c;
	unsigned long inuse = stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE);
	unsigned long pending = stat_sum(c, PCSLAB_STAT_PENDING) + stat_sum(c, PCSLAB_STAT_OUTBOX);

	CHECK(stat_sum(c, PCSLAB_STAT_ALLOC) == m->allocs, "alloc %lu, model %lu",
	      stat_sum(c, PCSLAB_STAT_ALLOC), m->allocs);
	CHECK(stat_sum(c, PCSLAB_STAT_FREE_LOCAL) + stat_sum(c, PCSLAB_STAT_FREE_REMOTE) == m->frees,
	      "frees %lu+%lu, model %lu", stat_sum(c, PCSLAB_STAT_FREE_LOCAL),
	      stat_sum(c, PCSLAB_STAT_FREE_REMOTE), m->frees);
	CHECK(stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) + stat_sum(c, PCSLAB_STAT_INVALID_FREE) == m->errors,
	      "errors %lu+%lu, model %lu", stat_sum(c, PCSLAB_STAT_DOUBLE_FREE),
	      stat_sum(c, PCSLAB_STAT_INVALID_FREE), m->errors);
	CHECK(stat_sum(c, PCSLAB_STAT_ALLOC_FAIL) == m->fails, "alloc_fail %lu, model %lu",
	      stat_sum(c, PCSLAB_STAT_ALLOC_FAIL), m->fails);
	CHECK(stat_sum(c, PCSLAB_STAT_POISON_CORRUPT) == 0, "poison corrupt");
	CHECK(inuse == m->nlive + pending, "in use %lu, model %u live + %lu queued",
	      inuse, m->nlive, pending);
}

static void check_all(void)
{
	unsigned long slab_pages = 0;
	unsigned int k, i;

	for (k = 0; k < NCACHES; k++) {
		struct model_cache *m = &mc[k];
		unsigned long queued = check_cache_structure(m->c);

		CHECK(queued == stat_sum(m->c, PCSLAB_STAT_PENDING) +
		      stat_sum(m->c, PCSLAB_STAT_OUTBOX), "marked objects %lu", queued);
		for (i = 0; i < m->nlive; i++) {
			struct pcslab_slab *slab = pcslab_obj_to_slab(m->live[i].p);
			int idx;

			CHECK(slab && slab->cache == m->c, "live %p lost its slab", m->live[i].p);
			idx = pcslab_slab_obj_index(slab, &m->c->geo, m->live[i].p);
			CHECK(idx >= 0 && !test_bit(idx, slab->free_map) &&
			      !pcslab_is_marked(m->c, m->live[i].p), "live %p free or queued",
			      m->live[i].p);
			verify(m, &m->live[i]);
		}
		slab_pages += stat_sum(m->c, PCSLAB_STAT_SLABS) << m->c->geo.order;
	}
	CHECK(atomic_long_read(&pcslab_pages) == (long)slab_pages,
	      "pcslab_pages %ld, slabs hold %lu", atomic_long_read(&pcslab_pages), slab_pages);
	CHECK(shim_pages_in_use == (long)slab_pages, "pages in use %ld, slabs hold %lu",
	      shim_pages_in_use, slab_pages);
	nchecks++;
}

static void op_alloc(struct model_cache *m)
{
	gfp_t gfp = rnd_below(&rs, 4) ? GFP_KERNEL : GFP_ATOMIC;
	bool fail = !rnd_below(&rs, 50);
	void *p;

	if (m->nlive >= MAX_LIVE - 300)
		return;
	if (!rnd_below(&rs, 8))
		gfp |= __GFP_ZERO;
	shim_fail_pages = fail;
	if (rnd_below(&rs, 4)) {
		unsigned long before = stat_sum(m->c, PCSLAB_STAT_SLABS);

		p = pcslab_alloc(m->c, gfp);
		if (!p) {
			CHECK(fail, "alloc failed without injection");
			CHECK(stat_sum(m->c, PCSLAB_STAT_SLABS) == before, "a failed alloc added a slab");
			m->fails++;
		} else {
			fresh_object(m, p, gfp);
		}
	} else {
		unsigned int n = 1 + rnd_below(&rs, 256), i;
		unsigned long a0 = stat_sum(m->c, PCSLAB_STAT_ALLOC);
		unsigned long f0 = stat_sum(m->c, PCSLAB_STAT_FREE_LOCAL);
		void *v[256];
		int got = pcslab_alloc_bulk(m->c, gfp, n, v);

		if (!got) {
			unsigned long a = stat_sum(m->c, PCSLAB_STAT_ALLOC) - a0;

			CHECK(fail, "bulk alloc failed without injection");
			/* what it had taken went back through a local bulk free */
			CHECK(stat_sum(m->c, PCSLAB_STAT_FREE_LOCAL) - f0 == a,
			      "failed bulk: %lu taken, %lu put back", a,
			      stat_sum(m->c, PCSLAB_STAT_FREE_LOCAL) - f0);
			m->allocs += a;
			m->frees += a;
			m->fails++;
		} else {
			CHECK(got == (int)n, "bulk gave %d of %u", got, n);
			for (i = 0; i < n; i++)
				fresh_object(m, v[i], gfp);
		}
	}
	shim_fail_pages = 0;
}

static void op_free(struct model_cache *m)
{
	unsigned int n, i;
	void *v[65];

	if (!m->nlive)
		return;
	switch (rnd_below(&rs, 3)) {
	case 0:
		pcslab_free(m->c, retire(m, rnd_below(&rs, m->nlive)));
		break;
	case 1:
		pcslab_free_obj(retire(m, rnd_below(&rs, m->nlive)));
		break;
	default:
		n = 1 + rnd_below(&rs, min(m->nlive, 64U));
		for (i = 0; i < n; i++)
			v[i] = retire(m, rnd_below(&rs, m->nlive));
		if (rnd_below(&rs, 4) == 0) {	/* NULL entries are skipped */
			i = rnd_below(&rs, n + 1);
			v[n++] = v[i];
			v[i] = NULL;
		}
		pcslab_free_bulk(m->c, n, v);
		break;
	}
}

/* A second free of a freed object, or a pointer that is no object. */
static void op_bad_free(struct model_cache *m)
{
	bool twice = false;
	void *p = NULL;
	char stack;

	switch (rnd_below(&rs, 4)) {
	case 0:
		if (!m->nrecent)
			return;
		p = m->recent[rnd_below(&rs, min_t(unsigned int, m->nrecent, RECENT))];
		if (is_live_anywhere(p))
			return;
		twice = true;
		break;
	case 1:
		if (!m->nlive || m->c->geo.obj_size < 2)
			return;
		p = (char *)m->live[rnd_below(&rs, m->nlive)].p + 1;
		break;
	case 2:
		p = &stack;
		break;
	default:
		p = (void *)&mc;
		break;
	}
	shim_quiet = true;
	/*
	 * In a cache with carriers a second free of an object that one
	 * carries is caught when the owner takes it back, and missed if the
	 * owner allocated it again in between (PCSLAB_STRICT_FREE): here
	 * every queue goes back before and after it, so it is caught.
	 */
	if (twice && m->c->carry)
		pcslab_cache_drain(m->c);
	pcslab_free(m->c, p);
	if (twice && m->c->carry)
		pcslab_cache_drain(m->c);
	shim_quiet = false;
	m->errors++;
}

static void op_tune(struct model_cache *m)
{
	static const unsigned int caps[] = { 0, 1, 2, 3, 8, 64, 171, 512, 1024 };

	unsigned int batch;

	switch (rnd_below(&rs, 3)) {
	case 0: {
		unsigned int level = rnd_below(&rs, 3) ? PCSLAB_DRAIN_ADAPTIVE : 1 + rnd_below(&rs, 200);

		CHECK(pcslab_cache_set_policy(m->c, level) == 0, "set_policy %u", level);
		break;
	}
	case 1:
		batch = rnd_below(&rs, 2) ? PCSLAB_OUTBOX_BATCH : 1 + rnd_below(&rs, 64);
		CHECK(pcslab_cache_set_outbox_batch(m->c, batch) == 0, "set_outbox_batch %u", batch);
		for (batch = 0; batch < nr_cpu_ids; batch++)
			CHECK(pcslab_stat_cpu(m->c, PCSLAB_STAT_OUTBOX, batch) == 0,
			      "outbox kept objects across a batch change");
		break;
	default:
		CHECK(pcslab_cache_set_queue_capacity(m->c, caps[rnd_below(&rs, ARRAY_SIZE(caps))]) == 0,
		      "set_queue_capacity");
		break;
	}
	CHECK(pcslab_cache_set_outbox_batch(m->c, 0) == -EINVAL &&
	      pcslab_cache_set_outbox_batch(m->c, PCSLAB_OUTBOX_MAX_BATCH + 1) == -EINVAL,
	      "bad outbox batch taken");
	CHECK(pcslab_cache_set_policy(m->c, PCSLAB_MAX_QUEUE + 1) == -EINVAL, "bad policy taken");
	CHECK(pcslab_cache_set_queue_capacity(m->c, PCSLAB_MAX_QUEUE + 1) == -EINVAL,
	      "bad capacity taken");
}

static void op_reclaim(struct model_cache *m)
{
	unsigned int cpu;

	switch (rnd_below(&rs, 4)) {
	case 0:
		pcslab_cache_drain(m->c);
		for_each_possible_cpu(cpu)
			CHECK(pcslab_stat_cpu(m->c, PCSLAB_STAT_PENDING, cpu) == 0 &&
			      pcslab_stat_cpu(m->c, PCSLAB_STAT_OUTBOX, cpu) == 0, "drain left some");
		break;
	case 1:
		pcslab_cache_shrink(m->c);
		for_each_possible_cpu(cpu)
			CHECK(pcslab_nr_empty(per_cpu_ptr(m->c->cpu, cpu)) == 0,
			      "shrink left empty slabs");
		break;
	case 2:
		shim_shrink_all();
		break;
	default:
		shim_run_work(rnd_below(&rs, 2));
		break;
	}
}

static void op_hotplug(void)
{
	unsigned int cpu = 1 + rnd_below(&rs, NCPUS - 1), k;

	on_cpu(0);
	if (cpu_online(cpu)) {
		shim_cpu_down(cpu);
		for (k = 0; k < NCACHES; k++) {
			struct pcslab_cpu *pc = per_cpu_ptr(mc[k].c->cpu, cpu);

			CHECK(atomic_read(&pc->remote.pending) == 0, "dead cpu %u kept its queue", cpu);
			CHECK(pcslab_outbox_count(pc) == 0, "dead cpu %u kept its outbox", cpu);
			CHECK(pcslab_stat_sum(mc[k].c, PCSLAB_STAT_OUTBOX) == 0,
			      "outboxes kept objects for dead cpu %u", cpu);
			CHECK(pcslab_nr_empty(pc) == 0, "dead cpu %u kept empty slabs", cpu);
		}
	} else {
		shim_cpu_up(cpu);
	}
	hotplugs++;
}

static void op_recreate(struct model_cache *m, unsigned int k)
{
	void *p;

	while (m->nlive) {
		on_cpu(pick_online_cpu());
		p = retire(m, 0);
		pcslab_free(m->c, p);
	}
	on_cpu(0);
	CHECK(pcslab_cache_destroy(m->c) == 0, "destroy found live objects");
	create(m, k);
	destroys++;
}

int main(int argc, char **argv)
{
	unsigned long n = 200000, i;
	unsigned int k;
	int opt;

	check_seed = time(NULL) ^ getpid();
	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		if (opt == 's')
			check_seed = strtoull(optarg, NULL, 0);
		else if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: model [-s SEED] [-n OPS]\n"), 2;
	}
	rs = (check_seed + 1) * 0x9E3779B97F4A7C15ULL | 1;
	printf("model: seed %llu, %lu ops\n", check_seed, n);
	fflush(stdout);
	shim_init(NCPUS);
	shim_clock_manual();
	shim_single_thread = true;
	CHECK(pcslab_hotplug_init() == 0, "hotplug init");
	check_idle_flush_param();
	for (k = 0; k < NCACHES; k++)
		create(&mc[k], k);

	for (i = 0; i < n; i++) {
		unsigned int r = rnd_below(&rs, 1000);
		struct model_cache *m = &mc[k = rnd_below(&rs, NCACHES)];

		on_cpu(pick_online_cpu());
		snprintf(check_where, sizeof(check_where), "op %lu (%u) on cpu %d, cache %u",
			 i, r, shim_cpu, k);
		if (r < 380)
			op_alloc(m);
		else if (r < 800)
			op_free(m);
		else if (r < 830)
			op_bad_free(m);
		else if (r < 880)
			op_tune(m);
		else if (r < 930)
			op_reclaim(m);
		else if (r < 935)
			op_hotplug();
		else if (r < 937)
			op_recreate(m, k);
		else	/* let time pass: delayed work becomes due */
			shim_clock_advance(rnd_below(&rs, 50)), shim_run_work(false);
		on_cpu(shim_cpu);		/* kicks sent during the op arrive */
		check_counters(m);
		if (i % 256 == 0)
			check_all();
		nops++;
	}
	/* everything back: every CPU online, every object freed, caches gone */
	for (k = 1; k < NCPUS; k++)
		shim_cpu_up(k);
	check_all();
	for (k = 0; k < NCACHES; k++)
		op_recreate(&mc[k], k);
	for (k = 0; k < NCACHES; k++) {
		on_cpu(0);
		CHECK(pcslab_cache_destroy(mc[k].c) == 0, "final destroy");
	}
	CHECK(shim_pages_in_use == 0, "%ld pages left after destroying every cache",
	      shim_pages_in_use);
	CHECK(atomic_long_read(&pcslab_pages) == 0, "pcslab_pages %ld", atomic_long_read(&pcslab_pages));
	pcslab_hotplug_exit();
	printf("model: seed %llu, %lu ops, %lu full checks, %lu hotplug, %lu recreated, 0 lost\n",
	       check_seed, nops, nchecks, hotplugs, destroys);
	return 0;
}
