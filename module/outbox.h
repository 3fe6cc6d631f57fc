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
					unsigned int owner)
	__releases(&pc->outbox_lock);
noinline void pcslab_outbox_start_unlock(struct pcslab_cache *cache,
					 struct pcslab_cpu *pc,
					 struct pcslab_slab *slab, void *obj,
					 bool claim)
	__releases(&pc->outbox_lock);
noinline void pcslab_outbox_tagged_unlock(struct pcslab_cache *cache,
					  struct pcslab_cpu *pc,
					  struct pcslab_slab *slab, void *obj,
					  unsigned long old)
	__releases(&pc->outbox_lock);
noinline void pcslab_outbox_add_slow(struct pcslab_cache *cache,
				     struct pcslab_slab *slab,
				     unsigned int idx, void *obj, bool claim);
noinline void pcslab_free_remote_slow(struct pcslab_cache *cache,
				      struct pcslab_slab *slab,
				      unsigned int idx, void *obj);
noinline void pcslab_free_direct(struct pcslab_cache *cache, unsigned int owner,
				 void *obj);
noinline bool pcslab_claim_checked(struct pcslab_cache *cache,
				   struct pcslab_slab *slab, unsigned int idx,
				   void *obj);
noinline bool pcslab_claim_tagged(struct pcslab_cache *cache,
				  struct pcslab_slab *slab, unsigned int idx,
				  void *obj, unsigned long old);

/*
 * The exchange of pcslab_claim() without hooks: the mark goes in, and
 * @old is what it replaced.  True if that was neither the mark nor the
 * free tag (the mark ^ PCSLAB_FREE_TAG_BIT): the user's data, claimed.
 */
static __always_inline bool pcslab_mark_exchange(struct pcslab_cache *cache,
						 void *obj, unsigned long *old)
{
	unsigned long mark = pcslab_mark(cache, obj);

	*old = xchg(pcslab_mark_word(obj), mark);
	return likely((*old ^ mark) > PCSLAB_FREE_TAG_BIT);
}

/**
 * pcslab_claim - mark a remotely freed object as queued, catching a second
 *	free of it.
 * @cache: the cache.
 * @slab: the object's slab (validated).
 * @idx: the object's slot.
 * @obj: the object.
 * @hooks: @cache->hooks.
 *
 * The claim of an object that becomes a link of a chain (struct
 * pcslab_carrier): its llist link lives in it, so no two frees may both
 * queue it.  The mark is exchanged into the object's second word, a line
 * the freer writes anyway (the link next to it).  Without hooks what it
 * replaces says the rest: the mark means the object is on its way back
 * already, the free tag that it may be free (the bit decides, in
 * pcslab_claim_tagged()); anything else is the user's data, and the
 * object is claimed without a look at the bitmap, whose line the owner
 * writes on every allocation.  A cache with hooks asks the bitmap first
 * (pcslab_claim_checked()): its free objects are wiped or poisoned.
 * Objects a carrier carries are not claimed here: the owner claims them
 * when it puts them back (pcslab_claim_for()).
 *
 * Remaining races, all of two frees of one object at the same instant:
 * a free on the owner racing a claim can both pass (the drain then finds
 * the slot free and reports it, unless the owner allocated it again in
 * between); the exchange itself lets exactly one of two claimers win; and
 * a claim of a free object racing its allocation by the owner can see it
 * allocated already, then frees it under its new user.
 *
 * Return: true if the object is claimed; false if reported.
 */
static __always_inline bool pcslab_claim(struct pcslab_cache *cache,
					 struct pcslab_slab *slab,
					 unsigned int idx, void *obj, bool hooks)
{
	unsigned long old;

	if (unlikely(hooks))
		return pcslab_claim_checked(cache, slab, idx, obj);
	if (pcslab_mark_exchange(cache, obj, &old))
		return true;
	return pcslab_claim_tagged(cache, slab, idx, obj, old);
}

/* pcslab_claim() that counts the remote free it claims (free_remote). */
static __always_inline bool pcslab_claim_counted(struct pcslab_cache *cache,
						 struct pcslab_slab *slab,
						 unsigned int idx, void *obj,
						 bool hooks)
{
	if (!pcslab_claim(cache, slab, idx, obj, hooks))
		return false;
	pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
	return true;
}

/*
 * Will @b's newest carrier carry the next object chained to it?  Such an
 * object is not written by its freer at all, so that its line stays with
 * the CPU that used it last (on real cores the exchange of the claim,
 * a miss on that line and a full fence, was most of a remote free): the
 * owner claims it when it puts it back (pcslab_drain_carried()).  @carry
 * is 0 in a cache with hooks or with PCSLAB_STRICT_FREE.
 */
static __always_inline bool pcslab_batch_carries_next(const struct pcslab_batch *b,
						      unsigned int carry)
{
	return b->n & carry;
}

/*
 * pcslab_claim() of @obj for the place it is about to take in @b (whose
 * owner it has): none for an object the batch will carry.
 *
 * Return: true if the object may be chained; false if reported.
 */
static __always_inline bool pcslab_claim_for(struct pcslab_cache *cache,
					     const struct pcslab_batch *b,
					     struct pcslab_slab *slab,
					     unsigned int idx, void *obj,
					     bool hooks)
{
	if (pcslab_batch_carries_next(b, cache->carry))
		return true;
	return pcslab_claim(cache, slab, idx, obj, hooks);
}

static __always_inline void pcslab_outbox_unlock(struct pcslab_cpu *pc)
{
	pcslab_spin_unlock(&pc->outbox_lock);
}

/*
 * With this CPU's outbox lock held and preemption off: with @claim,
 * claim @obj if it becomes a link and count the free (a cache with hooks
 * claims and counts before its hooks run), chain it into the slot for
 * @owner, send what
 * has to go (a full slot, or the slot's chain for another owner), drop
 * the lock and turn preemption back on.  Every case off the straight
 * line is a tail call (see pcslab_free_remote()).
 */
static __always_inline void pcslab_outbox_put_unlock(struct pcslab_cache *cache,
						     struct pcslab_cpu *pc,
						     struct pcslab_slab *slab,
						     void *obj, bool claim)
	__releases(&pc->outbox_lock)
{
	unsigned int owner = slab->cpu, carry = cache->carry;
	struct pcslab_batch *slot = &pc->outbox[owner % PCSLAB_OUTBOX_SLOTS];
	unsigned int n = slot->n;
	unsigned long old;

	if (unlikely(!n || slot->owner != owner)) {
		/* a chain starts: the owner's state is looked at once per chain */
		pcslab_outbox_start_unlock(cache, pc, slab, obj, claim);
		return;
	}
	/*
	 * pcslab_claim_for() without hooks, its rare outcomes a tail call
	 * (whose few arguments all go in registers).  What was read before
	 * the exchange stays in registers: nothing else writes the slot.
	 */
	if (claim && !(n & carry) &&
	    unlikely(!pcslab_mark_exchange(cache, obj, &old))) {
		pcslab_outbox_tagged_unlock(cache, pc, slab, obj, old);
		return;
	}
	__pcslab_batch_chain(slot, obj, carry, n);
	n++;
	if (claim)
		pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
	if (unlikely(n >= READ_ONCE(cache->outbox_batch))) {
		pcslab_outbox_send_unlock(cache, pc, owner);
		return;
	}
	pcslab_outbox_unlock(pc);
	preempt_enable();
}

/**
 * pcslab_free_remote - free an object of another CPU's slab.
 * @cache: the cache.
 * @slab: its slab (validated), not owned by this CPU.
 * @idx: its slot.
 * @obj: the object.
 *
 * Adds the object to this CPU's outbox, claimed if it becomes a link
 * (pcslab_claim_for()); sends what has to go (a full slot, or the slot's
 * chain for another owner).  Called with preemption off (the caller's
 * preempt_disable(), so that this CPU stays the one that is not the
 * owner), which it turns back on.  The common case in one straight line,
 * every other a tail call into outbox.c, so that the free saves no
 * register (see pcslab_spin_lock_fast()): a cache without hooks, alive,
 * task context, the outbox lock free, the slot holding this owner's
 * chain and, for a link, the exchange finding the user's data.
 */
static __always_inline void pcslab_free_remote(struct pcslab_cache *cache,
					       struct pcslab_slab *slab,
					       unsigned int idx, void *obj)
{
	struct pcslab_cpu *pc;

	if (unlikely(READ_ONCE(cache->remote_slow))) {
		pcslab_free_remote_slow(cache, slab, idx, obj);
		return;
	}
	/*
	 * This CPU's outbox lock; preemption is off.  Task context waits for
	 * it with interrupts on: no interrupt toggle on a remote free.
	 * Interrupt context only tries it, as the task it interrupted may
	 * hold it (pcslab_outbox_add_slow()).
	 */
	if (unlikely(!in_task())) {
		pcslab_outbox_add_slow(cache, slab, idx, obj, true);
		return;
	}
	pc = this_cpu_ptr(cache->cpu);
	if (unlikely(!pcslab_spin_lock_fast(&pc->outbox_lock))) {
		pcslab_outbox_add_slow(cache, slab, idx, obj, true);
		return;
	}
	pcslab_outbox_put_unlock(cache, pc, slab, obj, true);
}

#endif /* _PCSLAB_OUTBOX_H */
