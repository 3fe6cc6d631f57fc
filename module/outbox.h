/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab: the freeing CPU's end of a remote free (claim, outbox), inline
 * for the free paths in alloc.c and bulk.c; the hand-off, the kick and
 * the flushes are in outbox.c, whose opening describes the whole path.
 */
#ifndef _PCSLAB_OUTBOX_H
#define _PCSLAB_OUTBOX_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>

#include "pcslab_internal.h"

noinline void pcslab_outbox_send_unlock(struct pcslab_cache *cache,
					struct pcslab_cpu *pc,
					struct pcslab_batch *slot)
	__releases(&pc->outbox_lock);
noinline void pcslab_outbox_start_unlock(struct pcslab_cache *cache,
					 struct pcslab_cpu *pc,
					 struct pcslab_batch *slot,
					 unsigned int owner, void *obj)
	__releases(&pc->outbox_lock);
noinline void pcslab_free_direct(struct pcslab_cache *cache, unsigned int owner,
				 void *obj);

/**
 * pcslab_claim - mark a remotely freed object as queued, catching a second
 *	free of it.
 * @cache: the cache.
 * @slab: the object's slab (validated).
 * @idx: the object's slot.
 * @obj: the object.
 *
 * A free slot is reported without touching the object (KASAN has it
 * poisoned).  Otherwise the mark is exchanged into the object: finding it
 * there already means the object is on its way back (a double free).  The
 * free bit is read again after the exchange (a full barrier): the drain
 * sets the bit before it clears the mark, so a second free that comes
 * after the mark was cleared sees the slot free.
 *
 * Remaining races, all of two frees of one object at the same instant:
 * a free on the owner racing a claim can both pass (the drain then finds
 * the slot free and reports it, unless the owner allocated it again in
 * between); the exchange itself lets exactly one of two claimers win.
 *
 * Return: true if the object is claimed; false if reported.
 */
static __always_inline bool pcslab_claim(struct pcslab_cache *cache,
					 struct pcslab_slab *slab,
					 unsigned int idx, void *obj)
{
	unsigned long mark = pcslab_mark(cache, obj);

	if (pcslab_slab_is_free_racy(slab, idx))
		goto double_free;
	if (xchg(pcslab_mark_word(obj), mark) == mark)
		goto double_free;	/* queued already: the mark stays */
	if (pcslab_slab_is_free_racy(slab, idx)) {
		/* drained and free meanwhile: take our mark back */
		cmpxchg(pcslab_mark_word(obj), mark, pcslab_unmarked(cache));
		goto double_free;
	}
	return true;

double_free:
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	return false;
}

static __always_inline void pcslab_outbox_unlock(struct pcslab_cpu *pc)
{
	pcslab_spin_unlock(&pc->outbox_lock);
}

/**
 * pcslab_free_remote - free an object of another CPU's slab.
 * @cache: the cache.
 * @slab: its slab (validated), not owned by this CPU.
 * @idx: its slot.
 * @obj: the object.
 *
 * Claims the object and adds it to this CPU's outbox; sends what has to
 * go (a full slot, or the slot's chain for another owner).  Preemption
 * must be off, so that this CPU stays the one that is not the owner.
 */
static __always_inline void pcslab_free_remote(struct pcslab_cache *cache,
					       struct pcslab_slab *slab,
					       unsigned int idx, void *obj)
{
	unsigned int owner = slab->cpu;
	struct llist_node *node = obj;
	struct pcslab_batch *slot;
	struct pcslab_cpu *pc;
	unsigned int n;

	if (!pcslab_claim(cache, slab, idx, obj))
		return;
	pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
	if (unlikely(cache->hooks | READ_ONCE(cache->dead))) {
		if (cache->hooks)
			pcslab_free_hooks(cache, obj, PCSLAB_QUEUED_KEEP);
		if (READ_ONCE(cache->dead)) {
			pcslab_free_direct(cache, owner, obj);
			return;
		}
	}

	/*
	 * This CPU's outbox lock; preemption is off (the caller's).  Task
	 * context waits for it with interrupts on: no interrupt toggle on a
	 * remote free.  Interrupt context only tries it, as the task it
	 * interrupted may hold it, and on failure hands the object to the
	 * owner directly.
	 */
	pc = this_cpu_ptr(cache->cpu);
	if (likely(in_task())) {
		pcslab_spin_lock(&pc->outbox_lock);
	} else if (!pcslab_spin_trylock(&pc->outbox_lock)) {
		pcslab_free_direct(cache, owner, obj);
		return;
	}
	slot = &pc->outbox[owner % PCSLAB_OUTBOX_SLOTS];
	n = slot->n;
	if (unlikely(!n || slot->owner != owner)) {
		/* a chain starts: the owner's state is looked at once per chain */
		pcslab_outbox_start_unlock(cache, pc, slot, owner, obj);
		return;
	}
	/* pcslab_batch_chain() for a chain that has a tail already */
	node->next = slot->first;
	slot->first = node;
	slot->n = ++n;
	if (unlikely(n >= READ_ONCE(cache->outbox_batch))) {
		pcslab_outbox_send_unlock(cache, pc, slot);
		return;
	}
	pcslab_outbox_unlock(pc);
}

#endif /* _PCSLAB_OUTBOX_H */
