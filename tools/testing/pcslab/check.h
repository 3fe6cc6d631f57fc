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
 * Walk every CPU's outbox under its lock: each slot's chain is as long as
 * it says, ends at its tail, and holds objects of the slot's owner, in
 * use, its links marked.  Adds the links waiting for each owner to
 * @links_of[owner], the objects to @objects[owner].
 */
static inline void check_outboxes(struct pcslab_cache *c, unsigned int *links_of,
				  unsigned int *objects)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(c->cpu, cpu);
		unsigned long flags;

		spin_lock_irqsave(&pc->lock, flags);
		for (i = 0; i < PCSLAB_OUTBOX_SLOTS; i++) {
			struct pcslab_batch *b = &pc->outbox[i];
			struct llist_node *pos, *last = NULL;
			unsigned int n = 0;

			for (pos = b->first; pos && n <= b->n; pos = pos->next) {
				/* the newest carrier's count is the slot's until it goes */
				unsigned int k, links = pos == b->first && c->carry ?
							1 + ((b->n - 1) & c->carry) :
							pcslab_link_objects(c, pos);

				CHECK(links <= c->carry + 1, "cpu %u slot %u: carrier %p of %u",
				      cpu, i, (void *)pos, links);
				for (k = 0; k < links; k++) {
					void *obj = k ? ((struct pcslab_carrier *)pos)->objs[k - 1] :
							(void *)pos;
					struct pcslab_slab *slab = pcslab_slab_base(obj, &c->geo);

					CHECK(slab->cpu == b->owner &&
					      b->owner % PCSLAB_OUTBOX_SLOTS == i,
					      "cpu %u slot %u: object of cpu %u for owner %u", cpu,
					      i, slab->cpu, b->owner);
					/* carried objects are not touched by their freer */
					CHECK(k || pcslab_is_marked(c, obj),
					      "cpu %u: link %p in the outbox unmarked", cpu, obj);
					CHECK(!test_bit(pcslab_slab_obj_index(slab, &c->geo, obj),
							slab->free_map),
					      "cpu %u: %p in the outbox free", cpu, obj);
				}
				last = pos;
				n += links;
				links_of[b->owner]++;
			}
			CHECK(n == b->n && last == (n ? b->last : NULL),
			      "cpu %u slot %u: chain of %u, n %u", cpu, i, n, b->n);
			CHECK(b->n < READ_ONCE(c->outbox_batch),
			      "cpu %u slot %u holds %u, batch %u", cpu, i, b->n, c->outbox_batch);
			if (b->n)
				objects[b->owner] += b->n;
		}
		spin_unlock_irqrestore(&pc->lock, flags);
	}
}

/*
 * Walk every CPU's lists under its lock and recompute what the counters
 * claim: every marked object is a link in its owner's queue or in an
 * outbox, and the queue holds what its pending count says.
 * Return: objects queued or waiting in outboxes, over all CPUs.
 */
static inline unsigned long check_cache_structure(struct pcslab_cache *c)
{
	unsigned int *waiting = calloc(nr_cpu_ids, sizeof(*waiting));
	unsigned int *outboxed = calloc(nr_cpu_ids, sizeof(*outboxed));
	unsigned long queued_total = 0;
	unsigned int cpu;

	CHECK(waiting && outboxed, "calloc");
	check_outboxes(c, waiting, outboxed);
	/* a freer's hint names a live slab of this cache, never a released one */
	for_each_possible_cpu(cpu) {
		struct pcslab_slab *hint = READ_ONCE(per_cpu_ptr(c->cpu, cpu)->foreign);

		CHECK(hint == PCSLAB_NO_SLAB ||
		      (pcslab_obj_to_slab(hint) == hint && hint->cache == c),
		      "cpu %u foreign hint %p is not a live slab of the cache", cpu, (void *)hint);
	}
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(c->cpu, cpu);
		unsigned int slabs = 0, empty = 0, queued = 0, len = 0, links = 0;
		bool empty_seen = false, others_used = false;
		bool hot_listed = pc->hot == PCSLAB_NO_SLAB;
		bool warm_listed = pc->warm == PCSLAB_NO_SLAB;
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
					bool q = !f && pcslab_is_marked(c, pcslab_slab_obj(slab, &c->geo, i));

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
				hot_listed |= slab == pc->hot;
				warm_listed |= slab == pc->warm;
				/* the head is not counted in nr_empty */
				if (!full && slab->list.prev == &pc->partial)
					CHECK(pc->head_empty == (nfree == slab->nr_objects),
					      "cpu %u: head %p has %u of %u free, head_empty %d",
					      cpu, (void *)slab, nfree, slab->nr_objects,
					      pc->head_empty);
				else
					empty += nfree == slab->nr_objects;
				/* behind the slabs in use, the empty ones */
				if (!full && nfree == slab->nr_objects)
					empty_seen = true;
				else if (!full)
					CHECK(!empty_seen, "cpu %u: slab %p in use behind an empty one",
					      cpu, (void *)slab);
				if (!full && nfree < slab->nr_objects &&
				    slab->list.prev != &pc->partial)
					others_used = true;
				inuse += slab->nr_objects - nfree;
			}
		}
		CHECK(slabs == pc->nr_slabs, "cpu %u: %u slabs, nr_slabs %u", cpu, slabs, pc->nr_slabs);
		CHECK(empty == pc->nr_empty, "cpu %u: %u empty, nr_empty %u", cpu, empty, pc->nr_empty);
		CHECK((!pc->head_empty && !pc->head_room) || !list_empty(&pc->partial),
		      "cpu %u: head_empty %d, head_room %d, no head", cpu, pc->head_empty,
		      pc->head_room);
		/* may the head empty in place?  Never when it may not */
		CHECK(!pc->head_room || (!others_used && pc->nr_empty < c->reserve),
		      "cpu %u: head room, %u empty, reserve %u, others in use %d", cpu,
		      pc->nr_empty, c->reserve, others_used);
		CHECK(inuse == pcslab_nr_inuse(pc), "cpu %u: %lu in use, counted %lu", cpu, inuse,
		      pcslab_nr_inuse(pc));
		llist_for_each(pos, pc->remote.head.first) {
			len += pcslab_link_objects(c, pos);
			links++;
		}
		CHECK(links + waiting[cpu] == queued,
		      "cpu %u: queue holds %u links, outboxes %u, %u objects marked", cpu,
		      links, waiting[cpu], queued);
		CHECK((unsigned int)atomic_read(&pc->remote.pending) == len,
		      "cpu %u: pending %d, queue holds %u", cpu, atomic_read(&pc->remote.pending), len);
		/* what lets a free skip validation: both name live slabs of this cpu */
		CHECK(hot_listed, "cpu %u: hot slab %p not on its lists", cpu, (void *)pc->hot);
		CHECK(warm_listed, "cpu %u: warm slab %p not on its lists", cpu, (void *)pc->warm);
		if (c->fixed_level == PCSLAB_DRAIN_ADAPTIVE)
			CHECK(pc->drain.step < PCSLAB_NR_LEVELS &&
			      pc->drain.cooldown <= PCSLAB_COOLDOWN_TICKS,
			      "cpu %u: step %u cooldown %u", cpu, pc->drain.step, pc->drain.cooldown);
		spin_unlock_irqrestore(&pc->lock, flags);
		queued_total += len + outboxed[cpu];
	}
	free(waiting);
	free(outboxed);
	return queued_total;
}

#endif
