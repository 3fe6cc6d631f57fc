/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the harness programs: failing loudly, a seeded PRNG, and the
 * structural check of a cache (every slab walked, every count recomputed).
 */
#ifndef _PCSLAB_HARNESS_CHECK_H
#define _PCSLAB_HARNESS_CHECK_H

#include "shim/shim.h"
#include "pcslab_internal.h"

extern unsigned long long check_seed;	/* printed with every failure */
extern char check_where[128];		/* what was running, printed too */

#define CHECK(cond, ...) do {						\
	if (unlikely(!(cond))) {					\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, " (seed %llu; %s)\n", check_seed, check_where); \
		abort();						\
	}								\
} while (0)

/* xorshift64*: reproducible from the seed alone */
static inline u64 rnd(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static inline unsigned int rnd_below(u64 *s, unsigned int n)
{
	return n ? (unsigned int)(rnd(s) % n) : 0;
}

static inline unsigned long stat_sum(struct pcslab_cache *c, enum pcslab_stat_item i)
{
	return pcslab_stat_sum(c, i);
}

/*
 * Walk every CPU's lists under its lock and recompute what the counters
 * claim.  Return: objects queued (queued bits) over all CPUs.
 */
static inline unsigned long check_cache_structure(struct pcslab_cache *c)
{
	unsigned long queued_total = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(c->cpu, cpu);
		unsigned int slabs = 0, empty = 0, queued = 0, len = 0;
		unsigned long inuse = 0;
		struct pcslab_slab *slab;
		struct llist_node *pos;
		unsigned long flags;
		int full;

		spin_lock_irqsave(&pc->lock, flags);
		for (full = 0; full < 2; full++) {
			struct list_head *head = full ? &pc->full : &pc->partial;

			list_for_each_entry(slab, head, list) {
				unsigned int i, nfree = 0;

				CHECK(slab->magic == PCSLAB_SLAB_MAGIC, "slab %p", (void *)slab);
				CHECK(slab->cpu == cpu && slab->cache == c,
				      "slab %p on cpu %u says cpu %u", (void *)slab, cpu, slab->cpu);
				CHECK(pcslab_obj_to_slab(slab) == slab,
				      "slab %p not found from its address", (void *)slab);
				for (i = 0; i < slab->nr_objects; i++) {
					bool f = test_bit(i, slab->free_map);
					bool q = test_bit(i, slab->queued_map);

					CHECK(!(f && q), "slot %u of %p free and queued", i, (void *)slab);
					nfree += f;
					queued += q;
				}
				for (i = slab->nr_objects; i < PCSLAB_MAX_OBJECTS; i++)
					CHECK(!test_bit(i, slab->free_map), "bit %u past the end", i);
				CHECK(nfree == slab->nr_free, "slab %p: %u free bits, nr_free %u",
				      (void *)slab, nfree, slab->nr_free);
				CHECK(full ? nfree == 0 : nfree > 0,
				      "slab %p with %u free on the %s list", (void *)slab, nfree,
				      full ? "full" : "partial");
				slabs++;
				empty += nfree == slab->nr_objects;
				inuse += slab->nr_objects - nfree;
			}
		}
		CHECK(slabs == pc->nr_slabs, "cpu %u: %u slabs, nr_slabs %u", cpu, slabs, pc->nr_slabs);
		CHECK(empty == pc->nr_empty, "cpu %u: %u empty, nr_empty %u", cpu, empty, pc->nr_empty);
		CHECK(inuse == pc->nr_inuse, "cpu %u: %lu in use, nr_inuse %lu", cpu, inuse, pc->nr_inuse);
		llist_for_each(pos, pc->remote.head.first)
			len++;
		CHECK(len == queued, "cpu %u: queue holds %u, %u queued bits", cpu, len, queued);
		CHECK((unsigned int)atomic_read(&pc->remote.pending) == len,
		      "cpu %u: pending %d, queue holds %u", cpu, atomic_read(&pc->remote.pending), len);
		CHECK(!pc->hot || pc->hot->cpu == cpu, "cpu %u: hot slab of another cpu", cpu);
		if (c->fixed_level == PCSLAB_DRAIN_ADAPTIVE)
			CHECK(pc->drain.step < PCSLAB_NR_LEVELS &&
			      pc->drain.cooldown <= PCSLAB_COOLDOWN_TICKS,
			      "cpu %u: step %u cooldown %u", cpu, pc->drain.step, pc->drain.cooldown);
		spin_unlock_irqrestore(&pc->lock, flags);
		queued_total += queued;
	}
	return queued_total;
}

#endif
