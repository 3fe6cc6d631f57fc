// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab drain: the owner's end of the remote queue.  One llist_del_all()
 * detaches every remote free waiting for this CPU; each object's bit is
 * then set under the owner's lock, its queued mark cleared, and its slab's
 * lists fixed.  Runs from the owner's tick (drain.h), an allocation that
 * found no free object, the kick IPI, the idle flush, the shrinker, the
 * "drain" file, CPU dead and destroy; a freer that could not queue puts
 * its objects back through the same put (the direct free).
 *
 * Context: any; the owner's lock held (by the owner, or on its behalf by
 * whoever drains), interrupts off.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/llist.h>

#include "pcslab_internal.h"
#include "owner.h"
#include "drain.h"
#include "pcslab_trace.h"

/* pcslab_put_queued_locked(), with what a drain holds constant passed in */
static __always_inline bool
__pcslab_put_queued_locked(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			   void *obj, unsigned int reserve,
			   unsigned long unmarked)
{
	/* validated when claimed: the mask is enough */
	struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
	unsigned int idx = pcslab_slab_valid_index(slab, &cache->geo, obj);

	lockdep_assert_held(&pc->lock);
	if (unlikely(pcslab_slab_is_free(slab, idx))) {
		/* freed on the owner at the same instant as it was claimed */
		WRITE_ONCE(*pcslab_mark_word(obj), unmarked);
		pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
		return false;
	}
	/* the link is the only word the freer's wipe did not cover */
	if (unlikely(cache->hooks))
		pcslab_wipe(cache, obj, sizeof(struct llist_node));
	/*
	 * Free first, mark cleared second (with release order): a freer that
	 * finds the mark gone sees the slot free and reports, so the object
	 * is never queued again while free (see pcslab_claim()).
	 */
	pcslab_slab_put(slab, idx);
	/* pairs with the xchg() in pcslab_claim() */
	smp_store_release(pcslab_mark_word(obj), unmarked);
	if (unlikely(cache->hooks))
		pcslab_kasan_poison(cache, obj, 0);
	pc->nr_inuse--;
	/* may release @slab */
	pcslab_slab_relist_locked(cache, pc, slab, reserve, slab->nr_free == 1);
	return true;
}

/*
 * The drain's step for one object of @slab: its bit set, its mark
 * cleared, without the counts and lists (pcslab_drain_run_done() fixes
 * those once per run of one slab).
 *
 * Return: 1 if put back, 0 if the slot was free (reported).
 */
static __always_inline unsigned int
pcslab_drain_one(struct pcslab_cache *cache, struct pcslab_slab *slab,
		 void *obj, unsigned long unmarked)
{
	unsigned int idx = pcslab_slab_valid_index(slab, &cache->geo, obj);

	if (unlikely(pcslab_slab_is_free(slab, idx))) {
		WRITE_ONCE(*pcslab_mark_word(obj), unmarked);
		pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
		return 0;
	}
	if (unlikely(cache->hooks))
		pcslab_wipe(cache, obj, sizeof(struct llist_node));
	/* free first, mark cleared second: see __pcslab_put_queued_locked() */
	__set_bit(idx, slab->free_map);
	/* pairs with the xchg() in pcslab_claim() */
	smp_store_release(pcslab_mark_word(obj), unmarked);
	if (unlikely(cache->hooks))
		pcslab_kasan_poison(cache, obj, 0);
	return 1;
}

/* @run objects of @slab went back to its bitmap: counts, then lists. */
static __always_inline void
pcslab_drain_run_done(struct pcslab_cache *cache, struct pcslab_cpu *pc,
		      struct pcslab_slab *slab, unsigned int run,
		      unsigned int reserve, bool was_full)
{
	slab->nr_free += run;
	pc->nr_inuse -= run;
	/* may release @slab */
	pcslab_slab_relist_locked(cache, pc, slab, reserve, was_full);
}

/**
 * pcslab_put_queued_locked - put back an object that came through a queue.
 * @cache: the cache.
 * @pc: its owner CPU's state, lock held.
 * @obj: the object, validated and marked when it was claimed; its first
 *	word holds a queue link.
 *
 * Used by the drain and by a freer that could not queue (direct free).
 *
 * Return: false (reported) if the slot was free meanwhile: a double free.
 */
bool pcslab_put_queued_locked(struct pcslab_cache *cache,
			      struct pcslab_cpu *pc, void *obj)
{
	return __pcslab_put_queued_locked(cache, pc, obj,
					  pcslab_reserve(cache, pc),
					  pcslab_unmarked(cache));
}

/**
 * pcslab_drain_locked - put every queued remote free of @pc back.
 * @cache: the cache.
 * @pc: the owner CPU's state, lock held (by the owner or on its behalf).
 *
 * Phase one detaches the whole queue with one llist_del_all(); phase two
 * sets the objects' bits.
 *
 * Return: objects drained.
 */
unsigned int pcslab_drain_locked(struct pcslab_cache *cache,
				 struct pcslab_cpu *pc)
{
	struct llist_node *list, *pos, *next;
	struct pcslab_slab *slab = NULL;
	unsigned int n, run = 0, reserve;
	unsigned long unmarked;
	bool was_full = false;

	lockdep_assert_held(&pc->lock);
	list = pcslab_remote_take(&pc->remote, &n);
	if (!list)
		return 0;
	reserve = pcslab_reserve(cache, pc);
	unmarked = pcslab_unmarked(cache);
	/*
	 * A freer sends its objects in chains, so the queue holds runs of
	 * one slab: each run fixes its slab's counts and lists once.
	 */
	llist_for_each_safe(pos, next, list) {
		struct pcslab_slab *s = pcslab_slab_base(pos, &cache->geo);

		if (s != slab) {
			if (run)
				pcslab_drain_run_done(cache, pc, slab, run,
						      reserve, was_full);
			slab = s;
			was_full = !slab->nr_free;
			run = 0;
		}
		run += pcslab_drain_one(cache, slab, pos, unmarked);
	}
	if (run)
		pcslab_drain_run_done(cache, pc, slab, run, reserve, was_full);
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
