// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab hot paths: allocation and free, validate, route, put.  Elsewhere:
 * the owner's end of the remote queue in drain.c (its tick in drain.h),
 * the freeing CPU's end with its outbox in outbox.c, the bulk calls in
 * bulk.c, the inline owner-side steps they share in owner.h, debug work
 * in debug.c.
 *
 * Where an object can be, and which path moves it:
 *
 *                          pcslab_alloc()
 *      free in its slab  ----------------->  in use
 *      (bit set in the   <-----------------    |
 *       owner's bitmap)   free on the owner    | free on any other CPU
 *            ^            (local free)         v
 *            |                              marked queued, in the freeing
 *            |                              CPU's outbox (outbox.c)
 *            |                                 | a batch per owner
 *            |                                 v
 *            |                              in the owner's remote queue
 *            +------------------------------  (llist)
 *              drain: owner tick, alloc miss,
 *              kick IPI, idle flush, shrinker,
 *              drain file, CPU dead, destroy
 *
 * A batch that finds the queue at capacity, the owner offline or the
 * cache dead is put back by its sender under the owner's lock (the
 * "direct" free).
 *
 * Contexts and locks (no path holds two CPUs' locks):
 *
 *   operation      runs on          context            lock
 *   alloc          any CPU          any (GFP_ATOMIC)   own CPU's, irqs off
 *   local free     slab's owner     any                owner's, irqs off
 *   remote free    not the owner    task               own CPU's outbox
 *                                                      lock, irqs on; then
 *                                                      none: llist push
 *                  not the owner    hardirq, softirq   outbox lock tried
 *                                                      only; if busy, the
 *                                                      push of one at once
 *   direct free    not the owner    any                owner's, irqs off
 *   drain          any CPU          any                owner's, irqs off
 *   kick           owner            hardirq (IPI)      owner's
 *
 * The owner's lock is taken with interrupts off because alloc and free
 * work from hardirq.  Counters of owner-side events live in the owner's
 * struct pcslab_cpu under that lock; freer-side ones in the freeing
 * CPU's, bumped with this_cpu_inc().
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#include "pcslab_internal.h"
#include "owner.h"
#include "drain.h"
#include "outbox.h"

/* Take the first free object of @slab, from pcslab_pick_slab_locked(). */
static __always_inline void *pcslab_take_from_locked(struct pcslab_cache *cache,
						     struct pcslab_cpu *pc,
						     struct pcslab_slab *slab)
{
	void *obj;

	lockdep_assert_held(&pc->lock);
	obj = pcslab_slab_take(slab, &cache->geo);
	if (unlikely(!slab->nr_free))
		list_move(&slab->list, &pc->full);
	pc->nr_inuse++;
	pcslab_set_hot(pc, slab);
	pcslab_stat_locked(pc, PCSLAB_STAT_ALLOC);
	return obj;
}

/* Take a free object of this CPU's slabs. */
static __always_inline void *pcslab_take_locked(struct pcslab_cache *cache,
						struct pcslab_cpu *pc)
{
	struct pcslab_slab *slab = pcslab_pick_slab_locked(pc);

	if (unlikely(!slab))
		return NULL;
	return pcslab_take_from_locked(cache, pc, slab);
}

/*
 * pcslab_alloc() when its fast path does not apply: a tick that has work
 * (the law runs, or a drain is due), no partial slab, or per-object work
 * on the result.  Entered with the CPU locked by pcslab_alloc(), which
 * has not ticked: the tick happens here, once.
 */
static noinline void *pcslab_alloc_slow(struct pcslab_cache *cache, gfp_t gfp,
					struct pcslab_cpu *pc,
					unsigned long flags)
	__releases(&pc->lock)
{
	void *obj;

	pcslab_tick(cache, pc);
	obj = pcslab_take_locked(cache, pc);
	if (unlikely(!obj) && pcslab_drain_locked(cache, pc))
		obj = pcslab_take_locked(cache, pc);
	pcslab_unlock_cpu(pc, flags);

	if (unlikely(!obj)) {
		obj = pcslab_alloc_new_slab(cache, gfp);
		if (!obj) {
			pcslab_stat(cache, PCSLAB_STAT_ALLOC_FAIL);
			return NULL;
		}
	}
	if (unlikely(cache->hooks || (gfp & __GFP_ZERO)))
		pcslab_prepare_object(cache, obj, gfp);
	else
		pcslab_clear_free_tag(obj);
	return obj;
}

/**
 * pcslab_alloc - allocate an object.
 * @cache: the cache.
 * @gfp: allocation flags; %__GFP_ZERO zeroes the object, and the call only
 *	sleeps (to get a new slab) if @gfp allows it.  %GFP_ATOMIC works in
 *	any context, hardirq included.
 *
 * Takes the first free object of the current CPU's slabs; if there is
 * none, drains the CPU's remote queue, and failing that adds a slab.
 *
 * Return: the object, or NULL if no memory could be had.
 */
void *pcslab_alloc(struct pcslab_cache *cache, gfp_t gfp)
{
	struct pcslab_slab *slab;
	struct pcslab_cpu *pc;
	unsigned long flags;
	void *obj;

	might_alloc(gfp);
	pc = pcslab_lock_this_cpu(cache, &flags);
	/*
	 * The common case inline, in one straight line: a tick that changes
	 * nothing (its two compares), a partial slab to take from, no
	 * per-object work.  Anything else is the slow path's, tick included.
	 */
	if (unlikely(!pcslab_tick_quiet(pc) || cache->hooks ||
		     (gfp & __GFP_ZERO)))
		return pcslab_alloc_slow(cache, gfp, pc, flags);
	slab = pcslab_pick_slab_locked(pc);
	if (unlikely(!slab))
		return pcslab_alloc_slow(cache, gfp, pc, flags);
	obj = pcslab_take_from_locked(cache, pc, slab);
	pcslab_unlock_cpu(pc, flags);
	pcslab_clear_free_tag(obj);
	return obj;
}
EXPORT_SYMBOL_GPL(pcslab_alloc);

/* ---- free: validate, route, put ---- */

/* A local free: one owner tick, then the put. */
static __always_inline void pcslab_free_locked(struct pcslab_cache *cache,
					       struct pcslab_cpu *pc,
					       struct pcslab_slab *slab,
					       unsigned int idx, void *obj)
{
	pcslab_tick(cache, pc);
	pcslab_put_checked(cache, pc, slab, idx, obj);
}

/*
 * Validate and put in one step, the common case: @obj lies in one of the
 * two slabs this CPU last allocated from or freed to.  @pc->hot and
 * @pc->warm are only ever set, under the lock, to live slabs of this CPU
 * and cleared before such a slab is released, so under the lock a match
 * proves the pointer is inside one of our slabs; only its slot index
 * remains to be checked.
 *
 * Return: true if @obj was handled.
 */
static __always_inline bool pcslab_free_hot(struct pcslab_cache *cache,
					    void *obj)
{
	struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
	struct pcslab_cpu *pc;
	unsigned long flags;
	bool done = false;
	unsigned int idx;

	/* unlocked hints, rechecked under the lock: no lock for a miss */
	if (data_race(raw_cpu_read(cache->cpu->hot)) != slab &&
	    /* the same hint, for the second slab */
	    data_race(raw_cpu_read(cache->cpu->warm)) != slab)
		return false;
	pc = pcslab_lock_this_cpu(cache, &flags);
	if (likely(pc->hot == slab || pc->warm == slab)) {
		if (likely(pcslab_slot_at(&cache->geo, (unsigned long)obj -
					  (unsigned long)slab -
					  cache->geo.data_offset, &idx))) {
			pcslab_free_locked(cache, pc, slab, idx, obj);
			done = true;
		}
	}
	pcslab_unlock_cpu(pc, flags);
	return done;
}

/*
 * Route a validated object of @slab to the local or the remote path.
 * Inline: one stack frame for the whole free, not one per step.
 */
static __always_inline void pcslab_free_slot(struct pcslab_cache *cache,
					     struct pcslab_slab *slab,
					     void *obj)
{
	unsigned long flags;
	unsigned int idx;

	if (unlikely(!pcslab_slot_at(&cache->geo, (unsigned long)obj -
				     (unsigned long)slab -
				     cache->geo.data_offset, &idx))) {
		pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
		return;
	}
	/*
	 * Only the owner's own lock needs interrupts off (an interrupt on this
	 * CPU may take it too); the remote push is lock-free and irq-safe, so
	 * the remote path only pins the CPU.
	 */
	preempt_disable();
	if (slab->cpu == smp_processor_id()) {
		struct pcslab_cpu *pc = pcslab_lock_this_cpu(cache, &flags);

		/* before the put, which may release it (and then clears it) */
		pcslab_set_hot(pc, slab);
		pcslab_free_locked(cache, pc, slab, idx, obj);
		pcslab_unlock_cpu(pc, flags);
	} else {
		pcslab_free_remote(cache, slab, idx, obj);
	}
	preempt_enable();
}

/*
 * Remember @slab, just validated for a free from this CPU, as the slab
 * whose objects need no validation here (struct pcslab_cpu, @foreign),
 * then check its tag again: a release that cleared it before our hint
 * was visible did not see the hint either.
 *
 * Return: false if @slab was released meanwhile (the free is invalid).
 */
static noinline bool pcslab_note_foreign(struct pcslab_cache *cache,
					 struct pcslab_slab *slab)
{
	bool live;

	preempt_disable();
	this_cpu_write(cache->cpu->foreign, slab);
	smp_mb();	/* pairs with pcslab_forget_foreign() */
	live = pcslab_slab_tagged(slab);
	if (unlikely(!live))
		this_cpu_write(cache->cpu->foreign, PCSLAB_NO_SLAB);
	preempt_enable();
	return live;
}

/**
 * pcslab_free - free an object.
 * @cache: the cache it was allocated from.
 * @obj: the object; NULL is a no-op.
 *
 * Works from any CPU and any context and never fails.  On the owning CPU
 * the object goes straight back to its slab; elsewhere it is queued for
 * the owner without taking a lock.  A pointer that is not an object of
 * @cache, or an object already free, is counted (stats ``invalid_free`` /
 * ``double_free``), reported once per cache, and otherwise ignored.
 */
void pcslab_free(struct pcslab_cache *cache, void *obj)
{
	struct pcslab_slab *slab;

	if (unlikely(!obj))
		return;
	if (likely(pcslab_free_hot(cache, obj)))
		return;
	slab = pcslab_slab_base(obj, &cache->geo);
	/* any CPU's hint names a live slab of @cache: migration is harmless */
	if (data_race(raw_cpu_read(cache->cpu->foreign)) != slab) {
		slab = pcslab_obj_to_slab_of(obj, &cache->geo);
		if (!slab || slab->cache != cache ||
		    (slab->cpu != raw_smp_processor_id() &&
		     !pcslab_note_foreign(cache, slab))) {
			pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
			return;
		}
	}
	pcslab_free_slot(cache, slab, obj);
}
EXPORT_SYMBOL_GPL(pcslab_free);

/**
 * pcslab_free_obj - free an object without naming its cache.
 * @obj: an object from any pcslab cache; NULL is a no-op.
 *
 * Same as pcslab_free() with the cache found from the slab header.  This
 * is what ``__free(pcslab_obj)`` calls.  A pointer that is not a pcslab
 * object is reported with pr_err (once) and ignored.
 */
void pcslab_free_obj(void *obj)
{
	struct pcslab_slab *slab;

	if (!obj)
		return;
	slab = pcslab_obj_to_slab(obj);
	if (!slab) {
		pr_err_once("%s() of %p, which is not a pcslab object\n",
			    __func__, obj);
		return;
	}
	pcslab_free_slot(slab->cache, slab, obj);
}
EXPORT_SYMBOL_GPL(pcslab_free_obj);
