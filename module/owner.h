/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab: the owner's side of the hot paths, inline, for alloc.c, bulk.c
 * and drain.c: list fixes and the checked put.  Everything here runs on
 * (or on behalf of) the owner CPU with its lock held and interrupts off
 * (see the table in alloc.c).
 */
#ifndef _PCSLAB_OWNER_H
#define _PCSLAB_OWNER_H

#include <linux/list.h>
#include <linux/spinlock.h>

#include "pcslab_internal.h"

/*
 * Put a slab that just emptied where pcslab_slab_relist_locked() wants
 * it: behind the slabs in use, ahead of the other empty ones; and count
 * it in @pc->nr_empty unless it is the head now (then
 * pcslab_head_update() does).
 */
static __always_inline void pcslab_place_empty(struct pcslab_cpu *pc,
					       struct pcslab_slab *slab)
{
	struct list_head *next = slab->list.next;
	struct pcslab_slab *first;

	if (pc->partial.next == &slab->list) {
		/* the head already: stays unless a slab in use follows it */
		if (next != &pc->partial &&
		    !pcslab_slab_empty(list_entry(next, struct pcslab_slab, list))) {
			list_move_tail(&slab->list, &pc->partial);
			pc->nr_empty++;
		}
		return;
	}
	if (unlikely(list_empty(&pc->partial))) {
		/* from the full list, and the only partial slab now */
		list_move(&slab->list, &pc->partial);
		return;
	}
	first = list_first_entry(&pc->partial, struct pcslab_slab, list);
	if (pcslab_slab_empty(first))
		/* the new head: the old one, empty too, is counted now */
		list_move(&slab->list, &pc->partial);
	else
		list_move_tail(&slab->list, &pc->partial);
	pc->nr_empty++;
}

/*
 * Slots of @slab went back to its bitmap (@was_full: it had none free
 * before): fix the lists; the caller counts them (pcslab_nr_inuse()).
 * @reserve is pcslab_reserve(); the owner's own free passes
 * pcslab_local_reserve(), the same on a CPU that is running (online)
 * without its cpu_online() test.  May release @slab.
 */
static __always_inline void
pcslab_slab_relist_locked(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			  struct pcslab_slab *slab, unsigned int reserve,
			  bool was_full)
{
	lockdep_assert_held(&pc->lock);
	if (unlikely(pcslab_slab_empty(slab))) {
		/*
		 * Empty: behind the slabs in use (they fill first), ahead of
		 * the other empty ones.  The newest empty slab is the next one
		 * taken, so a workload that needs fewer slabs than are empty
		 * keeps to the same ones (a single object allocated and freed
		 * over and over moves no list entry) and the others stay
		 * unused for the idle flush to release beyond the reserve
		 * (pcslab_idle_trim_cpu()), lazily, so that a workload cycling
		 * through a few slabs does not churn the page allocator.  An
		 * offline owner or a dead cache keeps none and releases it now.
		 */
		if (unlikely(!reserve)) {
			bool head = pc->partial.next == &slab->list;

			list_del(&slab->list);
			if (head)
				pcslab_head_left(pc);
			pcslab_head_update(pc, reserve);
			pc->nr_slabs--;
			pcslab_free_slab_pages(cache, pc, slab);
			return;
		}
		pcslab_place_empty(pc, slab);
		pcslab_head_update(pc, reserve);
		if (unlikely(pcslab_nr_empty(pc) > reserve))
			pcslab_arm_idle_flush(cache);
	} else if (unlikely(was_full)) {
		pcslab_head_displaced(pc);
		list_move(&slab->list, &pc->partial);
		pcslab_head_update(pc, reserve);
	}
}

/*
 * A slot of @slab just set free in its bitmap: count it, fix the lists.
 * Lock held.  May release @slab.
 */
static __always_inline void pcslab_put_counted_locked(struct pcslab_cache *cache,
						      struct pcslab_cpu *pc,
						      struct pcslab_slab *slab)
{
	lockdep_assert_held(&pc->lock);
	slab->nr_free++;
	pcslab_slab_relist_locked(cache, pc, slab,
				  pcslab_local_reserve(cache),
				  slab->nr_free == 1);
}

/*
 * The owner's put of a slot in a cache without hooks: the object must be
 * neither queued for it (the mark, @key being the cache's mark key) nor
 * free (its bit, set here as the test), and the free tag follows the bit
 * with release order, so that a remote freer that finds the tag sees the
 * slot free (pcslab_claim_tagged()).
 *
 * Return: false for a double free; then nothing changed.
 */
static __always_inline bool pcslab_set_free_tagged(unsigned long key,
						   struct pcslab_slab *slab,
						   unsigned int idx, void *obj)
{
	if (unlikely(pcslab_is_marked_key(key, obj) ||
		     __test_and_set_bit(idx, slab->free_map)))
		return false;
	/* after the bit: a freer that finds the tag sees the slot free */
	smp_store_release(pcslab_mark_word(obj), pcslab_free_tag_key(key, obj));
	return true;
}

/* pcslab_put_checked() of a cache with hooks: checks before the hooks. */
static __always_inline void pcslab_put_checked_hooks(struct pcslab_cache *cache,
						     struct pcslab_cpu *pc,
						     struct pcslab_slab *slab,
						     unsigned int idx, void *obj)
{
	/* free, or on its way back from another CPU (then it must not be wiped) */
	if (unlikely(pcslab_slab_is_free(slab, idx) ||
		     pcslab_is_marked(cache, obj))) {
		pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
		return;
	}
	pcslab_free_hooks(cache, obj, 0);
	pcslab_stat_locked(pc, PCSLAB_STAT_FREE_LOCAL);
	__set_bit(idx, slab->free_map);
	pcslab_put_counted_locked(cache, pc, slab);
}

/**
 * pcslab_put_checked - the owner's free of one of its objects.
 * @cache: the cache.
 * @pc: the owner CPU's state, lock held.
 * @slab: the object's slab, owned by @pc.
 * @idx: the object's slot (validated).
 * @obj: the object.
 *
 * Catches a double free: a slot free already, or an object on its way
 * back from another CPU (pcslab_set_free_tagged() without hooks).  May
 * release @slab.
 */
static __always_inline void pcslab_put_checked(struct pcslab_cache *cache,
					       struct pcslab_cpu *pc,
					       struct pcslab_slab *slab,
					       unsigned int idx, void *obj)
{
	if (unlikely(cache->hooks)) {
		pcslab_put_checked_hooks(cache, pc, slab, idx, obj);
		return;
	}
	if (unlikely(!pcslab_set_free_tagged(cache->mark_key, slab, idx, obj))) {
		pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
		return;
	}
	pcslab_stat_locked(pc, PCSLAB_STAT_FREE_LOCAL);
	pcslab_put_counted_locked(cache, pc, slab);
}

#endif /* _PCSLAB_OWNER_H */
