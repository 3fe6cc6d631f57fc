// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab drain: the owner's end of the remote queue.  One llist_del_all()
 * detaches every remote free waiting for this CPU; each object's bit is
 * then set under the owner's lock, its queued mark replaced by the free
 * tag (a carried object, which its freer did not touch, claimed here
 * first), and its slab's lists fixed.  Runs from the owner's tick (drain.h), an allocation that
 * found no free object, the kick IPI, the idle flush, the shrinker, the
 * "drain" file, CPU dead and destroy; a late free of a dead cache puts
 * its objects back through the same put (the direct free).
 *
 * Context: any; the owner's lock held (by the owner, or on its behalf by
 * whoever drains, from task context: pcslab_foreign_lock()), interrupts
 * off.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/llist.h>

#include "pcslab_internal.h"
#include "owner.h"
#include "drain.h"
#include "pcslab_trace.h"

/*
 * Put back one object of @slab that came through a queue: its bit set,
 * its mark replaced by what a free object's mark word holds (@free_base,
 * see pcslab_free_word()), without the counts and lists
 * (pcslab_drain_run_done() fixes those once per run of one slab).
 * @hooks is @cache->hooks, a constant in the drain's loops.
 *
 * Return: 1 if put back, 0 if the slot was free (reported).
 */
static __always_inline unsigned int
pcslab_drain_one(struct pcslab_cache *cache, struct pcslab_slab *slab,
		 void *obj, unsigned long free_base, bool hooks)
{
	/* validated when claimed: the multiply is enough */
	unsigned int idx = pcslab_slab_valid_index(slab, &cache->geo, obj);
	unsigned long free_word = pcslab_free_word(free_base, obj, hooks);

	/*
	 * Free first, mark replaced second (with release order): a freer
	 * that finds the mark gone (the free tag, or with hooks the free
	 * bit) sees the slot free and reports, so the object is never queued
	 * again while free (see pcslab_claim()).  A slot found free was freed
	 * on the owner at the same instant as it was claimed.  Without hooks
	 * the bit set is its own test; with them the wipe of the link (the
	 * only word the freer's wipe did not cover) must not touch a free
	 * object.
	 */
	if (!hooks) {
		if (unlikely(__test_and_set_bit(idx, slab->free_map)))
			goto double_free;
	} else {
		if (unlikely(pcslab_slab_is_free(slab, idx)))
			goto double_free;
		pcslab_wipe(cache, obj, sizeof(struct llist_node));
		__set_bit(idx, slab->free_map);
	}
	/* pairs with the xchg() in pcslab_claim() */
	smp_store_release(pcslab_mark_word(obj), free_word);
	if (hooks)
		pcslab_kasan_poison(cache, obj, 0);
	return 1;

double_free:
	WRITE_ONCE(*pcslab_mark_word(obj), free_word);
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	return 0;
}

/*
 * Put back one object of @slab that a carrier carried, in a cache
 * without hooks: its freer did not touch it (pcslab_claim_for()), so its
 * claim is made here.  A set bit means it is back already.  Otherwise the
 * bit is set and the free tag exchanged for what the object held, unless
 * that is the mark: a second free made it a link of another chain (before
 * or during the exchange), which will put it back, and the bit goes back.
 * Either way a second free is reported here, and the object, perhaps in
 * use again, is not touched.
 *
 * Return: 1 if put back, 0 if reported.
 */
static __always_inline unsigned int
pcslab_drain_carried(struct pcslab_cache *cache, struct pcslab_slab *slab,
		     void *obj, unsigned long free_base)
{
	unsigned int idx = pcslab_slab_valid_index(slab, &cache->geo, obj);
	unsigned long *word = pcslab_mark_word(obj);
	unsigned long mark = pcslab_mark(cache, obj), old = READ_ONCE(*word);

	if (unlikely(__test_and_set_bit(idx, slab->free_map)))
		goto double_free;
	/* fully ordered: a freer that finds the tag sees the slot free */
	do {
		if (unlikely(old == mark)) {
			__clear_bit(idx, slab->free_map);
			goto double_free;
		}
	} while (!try_cmpxchg(word, &old,
			      pcslab_free_word(free_base, obj, false)));
	return 1;

double_free:
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	return 0;
}

/* @run objects of @slab went back to its bitmap: counts, then lists. */
static __always_inline void
pcslab_drain_run_done(struct pcslab_cache *cache, struct pcslab_cpu *pc,
		      struct pcslab_slab *slab, unsigned int run,
		      unsigned int reserve, bool was_full)
{
	slab->nr_free += run;
	pc->nr_put_back += run;
	/* may release @slab */
	pcslab_slab_relist_locked(cache, pc, slab, reserve, was_full);
}

/* The slab whose objects a drain is putting back, and how many so far. */
struct pcslab_drain_run {
	struct pcslab_slab *slab;
	unsigned int run;
	bool was_full;
};

/*
 * Put back @obj, one object of a detached queue (@carried: carried by a
 * carrier), in the run of its slab.
 */
static __always_inline void
pcslab_drain_obj(struct pcslab_cache *cache, struct pcslab_cpu *pc,
		 struct pcslab_drain_run *r, void *obj, unsigned long free_base,
		 unsigned int reserve, bool hooks, bool carried)
{
	struct pcslab_slab *s = pcslab_slab_base(obj, &cache->geo);

	if (s != r->slab) {
		if (r->run)
			pcslab_drain_run_done(cache, pc, r->slab, r->run,
					      reserve, r->was_full);
		r->slab = s;
		r->was_full = !s->nr_free;
		r->run = 0;
	}
	if (carried)
		r->run += pcslab_drain_carried(cache, s, obj, free_base);
	else
		r->run += pcslab_drain_one(cache, s, obj, free_base, hooks);
}

/*
 * Put back a detached queue, counting it (pcslab_remote_detach()), or a
 * batch of a dead cache.  A freer sends its objects in chains, so the
 * queue holds runs of one slab: each run fixes its slab's counts and
 * lists once.  A carrier's objects go back before the carrier itself,
 * whose slab, not empty until then, cannot be released while its
 * addresses are read (struct pcslab_carrier).
 *
 * Return: objects on @list, carried ones and double frees included.
 */
static __always_inline unsigned int
pcslab_drain_list(struct pcslab_cache *cache, struct pcslab_cpu *pc,
		  struct llist_node *list, bool hooks)
{
	unsigned int reserve = pcslab_reserve(cache, pc), n = 0;
	unsigned long free_base = pcslab_free_word_base(cache, hooks);
	/* a cache with hooks has no carriers: a constant in its loop */
	unsigned int carry = hooks ? 0 : cache->carry;
	struct pcslab_drain_run r = { .slab = NULL };
	struct llist_node *pos, *next;

	llist_for_each_safe(pos, next, list) {
		if (carry) {
			struct pcslab_carrier *c = (struct pcslab_carrier *)pos;
			unsigned int i, nr = c->nr;

			for (i = 0; i < nr; i++)
				pcslab_drain_obj(cache, pc, &r, c->objs[i],
						 free_base, reserve, false, true);
			n += nr;
		}
		pcslab_drain_obj(cache, pc, &r, pos, free_base, reserve, hooks,
				 false);
		n++;
	}
	if (r.run)
		pcslab_drain_run_done(cache, pc, r.slab, r.run, reserve,
				      r.was_full);
	return n;
}

/**
 * pcslab_put_chain_locked - put back a chain of queued objects.
 * @cache: the cache.
 * @pc: their owner CPU's state, lock held.
 * @first: the chain's first link; the last one's next is NULL.
 *
 * The drain's walk of a detached queue, and of a late free's chain for a
 * dead cache (the direct free), which never reached the queue.
 *
 * Return: objects on the chain, double frees (reported) included.
 */
unsigned int pcslab_put_chain_locked(struct pcslab_cache *cache,
				     struct pcslab_cpu *pc,
				     struct llist_node *first)
{
	lockdep_assert_held(&pc->lock);
	if (unlikely(cache->hooks))
		return pcslab_drain_list(cache, pc, first, true);
	return pcslab_drain_list(cache, pc, first, false);
}

/**
 * pcslab_drain_locked - put every queued remote free of @pc back.
 * @cache: the cache.
 * @pc: the owner CPU's state, lock held (by the owner or on its behalf).
 *
 * Phase one detaches the whole queue with one llist_del_all(); phase two
 * sets the objects' bits, counting them, and only then lowers the queue's
 * pending count.
 *
 * Return: objects drained.
 */
unsigned int pcslab_drain_locked(struct pcslab_cache *cache,
				 struct pcslab_cpu *pc)
{
	struct llist_node *list;
	unsigned int n;

	lockdep_assert_held(&pc->lock);
	list = pcslab_remote_detach(&pc->remote);
	if (!list)
		return 0;
	n = pcslab_put_chain_locked(cache, pc, list);
	pcslab_remote_detached(&pc->remote, n);
	pcslab_stat_locked(pc, PCSLAB_STAT_DRAIN);
	pc->stat[PCSLAB_STAT_DRAINED_OBJECTS] += n;
	trace_pcslab_drain(cache->name, pc->cpu, n,
			   pcslab_drain_level(&pc->drain,
					      READ_ONCE(cache->fixed_level)));
	return n;
}

/* The adaptive law moved the level: count and trace it, off the hot path. */
noinline void pcslab_level_moved(struct pcslab_cache *cache,
				 struct pcslab_cpu *pc, int moved,
				 unsigned int old_level, unsigned int level,
				 unsigned int pending)
{
	pcslab_stat_locked(pc, moved > 0 ? PCSLAB_STAT_LEVEL_UP :
					   PCSLAB_STAT_LEVEL_DOWN);
	trace_pcslab_level_change(cache->name, pc->cpu,
				  old_level, level,
				  pending);
}
