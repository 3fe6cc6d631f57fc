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
 * A batch that finds the queue at capacity goes in past it (the owner is
 * kicked); only a dead cache's objects are put back by their sender under
 * the owner's lock (the "direct" free).
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
 *   direct free    not the owner    any (dead cache)   owner's, irqs off
 *   drain          owner            any                owner's, irqs off
 *                  another CPU      task, irqs on      owner's, shared
 *   kick           owner            hardirq (IPI)      owner's
 *
 * The owner's lock is taken with interrupts off because alloc and free
 * work from hardirq, and it is biased to the owner: there it costs a
 * read, unless another CPU shares it (pcslab_internal.h, "the owner's
 * lock").  Counters of owner-side events live in the owner's struct
 * pcslab_cpu under that lock; freer-side ones in the freeing CPU's,
 * bumped with this_cpu_inc().
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
	if (unlikely(pcslab_head_taken(pc, slab)))
		pcslab_head_update(pc, pcslab_local_reserve(cache));
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
 * (the law runs, or a drain is due), no partial slab, a slab about to
 * fill, or per-object work on the result.  Entered with the CPU locked by
 * pcslab_alloc(), which has not ticked: the tick happens here, once.
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
	might_alloc(gfp);

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

/*
 * Another CPU shares this CPU's lock (a drain, reclaim or setter on its
 * behalf): take it for real, then the slow path.  Interrupts are off, as
 * pcslab_alloc() left them.
 */
static noinline void *pcslab_alloc_shared(struct pcslab_cache *cache,
					  gfp_t gfp, unsigned long flags)
{
	struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);

	pcslab_owner_lock_shared(pc);
	return pcslab_alloc_slow(cache, gfp, pc, flags);
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

	/*
	 * The common case inline, in one straight line with no call but
	 * tail calls, so that the compiler saves no register for it: the
	 * lock not shared, a tick that changes nothing (its two compares), a
	 * partial slab that keeps a free object after this one, no
	 * per-object work.  Anything else is the slow path's, tick included.
	 */
	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	if (unlikely(!pcslab_owner_lock_fast(pc)))
		return pcslab_alloc_shared(cache, gfp, flags);
	if (unlikely(!pcslab_tick_quiet(pc) || cache->hooks ||
		     (gfp & __GFP_ZERO) || list_empty(&pc->partial)))
		return pcslab_alloc_slow(cache, gfp, pc, flags);
	slab = list_first_entry(&pc->partial, struct pcslab_slab, list);
	/* its last free object: the slab moves to the full list, slowly */
	if (unlikely(slab->nr_free == 1))
		return pcslab_alloc_slow(cache, gfp, pc, flags);
	obj = pcslab_slab_take(slab, &cache->geo);
	/* the head, in use now: a store, not a count (struct pcslab_cpu) */
	pc->head_empty = false;
	pcslab_set_hot(pc, slab);
	pcslab_stat_locked(pc, PCSLAB_STAT_ALLOC);
	pcslab_unlock_cpu_fast(pc, flags);
	pcslab_clear_free_tag(obj);
	/* last: only @obj lives across its call (the slow paths have their own) */
	might_alloc(gfp);
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
 * The owner's free past its fast path (a tick with work, hooks, a slab
 * that changes lists): the whole of it.  CPU locked; unlocks.
 */
static noinline void pcslab_free_local_slow(struct pcslab_cache *cache,
					    struct pcslab_cpu *pc,
					    struct pcslab_slab *slab,
					    unsigned int idx, void *obj,
					    unsigned long flags)
	__releases(&pc->lock)
{
	pcslab_free_locked(cache, pc, slab, idx, obj);
	pcslab_unlock_cpu(pc, flags);
}

/* The owner's fast path found a double free.  CPU locked; unlocks. */
static noinline void pcslab_free_local_double(struct pcslab_cache *cache,
					      struct pcslab_cpu *pc, void *obj,
					      unsigned long flags)
	__releases(&pc->lock)
{
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	pcslab_unlock_cpu(pc, flags);
}

/*
 * pcslab_free_locked() and the unlock in one straight line, for a cache
 * without hooks when the tick changes nothing and the slab stays where
 * it is (it was not full, and does not empty or is the head with room
 * to empty in place: @head_room of struct pcslab_cpu): the checks of
 * pcslab_put_checked() and its put, nothing else.  Every other case is a
 * tail call, so that the free saves no register for them
 * (__pcslab_spin_lock_fast()).  CPU locked; unlocks.
 */
static __always_inline void pcslab_free_local(struct pcslab_cache *cache,
					      struct pcslab_cpu *pc,
					      struct pcslab_slab *slab,
					      unsigned int idx, void *obj,
					      unsigned long flags)
	__releases(&pc->lock)
{
	/* the slab's count after this free; every slab of @cache has geo's */
	unsigned int nr_free = slab->nr_free + 1;
	bool empties = nr_free == cache->geo.nr_objects;

	if (unlikely(!pcslab_tick_quiet(pc) || cache->hooks || nr_free == 1 ||
		     (empties && !pc->head_room))) {
		pcslab_free_local_slow(cache, pc, slab, idx, obj, flags);
		return;
	}
	if (unlikely(!pcslab_set_free_tagged(cache->mark_key, slab, idx, obj))) {
		pcslab_free_local_double(cache, pc, obj, flags);
		return;
	}
	pcslab_stat_locked(pc, PCSLAB_STAT_FREE_LOCAL);
	slab->nr_free = nr_free;
	/*
	 * A slab that empties here is the head (@head_room); one that does
	 * not leaves a slab in use first, so the head is not empty.
	 */
	pc->head_empty = empties;
	pcslab_unlock_cpu_fast(pc, flags);
}

/*
 * A free on the slab's owner that is not a free of its hot or warm slab:
 * the slab becomes the hot one.  Preemption off (pcslab_free_slot());
 * turns it back on.
 */
static noinline void pcslab_free_owner(struct pcslab_cache *cache,
				       struct pcslab_slab *slab,
				       unsigned int idx, void *obj)
{
	unsigned long flags;
	struct pcslab_cpu *pc = pcslab_lock_this_cpu(cache, &flags);

	/* before the put, which may release it (and then clears it) */
	pcslab_set_hot(pc, slab);
	pcslab_free_locked(cache, pc, slab, idx, obj);
	pcslab_unlock_cpu(pc, flags);
	preempt_enable();
}

/*
 * Route a validated object of @slab to the local or the remote path.
 * Inline, and every way out a tail call: one stack frame for the whole
 * free.
 */
static __always_inline void pcslab_free_slot(struct pcslab_cache *cache,
					     struct pcslab_slab *slab,
					     void *obj)
{
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
	 * the remote path only pins the CPU.  Both turn preemption back on.
	 */
	preempt_disable();
	if (slab->cpu == smp_processor_id()) {
		pcslab_free_owner(cache, slab, idx, obj);
		return;
	}
	pcslab_free_remote(cache, slab, idx, obj);
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

/*
 * pcslab_free() of a pointer in no slab this CPU's hints name: validate
 * it from its struct page and slab header, then free it.
 */
static noinline void pcslab_free_unknown(struct pcslab_cache *cache, void *obj)
{
	struct pcslab_slab *slab = pcslab_obj_to_slab_of(obj, &cache->geo);

	if (!slab || slab->cache != cache ||
	    (slab->cpu != raw_smp_processor_id() &&
	     !pcslab_note_foreign(cache, slab))) {
		pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
		return;
	}
	pcslab_free_slot(cache, slab, obj);
}

/*
 * pcslab_free() past the hints of @slab, which @obj lies in.  Out of line,
 * a tail call: the remote path saves its registers here, not on the
 * local free's path, which pcslab_free() keeps inline.
 */
static noinline void pcslab_free_hinted(struct pcslab_cache *cache,
					struct pcslab_slab *slab, void *obj)
{
	/* any CPU's hint names a live slab of @cache: migration is harmless */
	if (data_race(raw_cpu_read(cache->cpu->foreign)) != slab) {
		pcslab_free_unknown(cache, obj);
		return;
	}
	pcslab_free_slot(cache, slab, obj);
}

/*
 * Under @pc's lock: is @obj a slot of @pc's hot or warm slab @slab?  Sets
 * @idx if so (see pcslab_free_hot()).
 */
static __always_inline bool pcslab_hot_slot(struct pcslab_cache *cache,
					    struct pcslab_cpu *pc,
					    struct pcslab_slab *slab, void *obj,
					    unsigned int *idx)
{
	return (pc->hot == slab || pc->warm == slab) &&
	       pcslab_slot_at(&cache->geo, (unsigned long)obj -
			      (unsigned long)slab - cache->geo.data_offset, idx);
}

/*
 * pcslab_free() of an object of this CPU's hot or warm slab while another
 * CPU shares the CPU's lock: take it for real, then the whole free.
 * Interrupts off, as pcslab_free() left them.
 */
static noinline void pcslab_free_shared(struct pcslab_cache *cache,
					void *obj, unsigned long flags)
{
	struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
	struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);
	unsigned int idx;

	pcslab_owner_lock_shared(pc);
	if (pcslab_hot_slot(cache, pc, slab, obj, &idx)) {
		pcslab_free_locked(cache, pc, slab, idx, obj);
		pcslab_unlock_cpu(pc, flags);
		return;
	}
	pcslab_unlock_cpu(pc, flags);
	pcslab_free_hinted(cache, slab, obj);
}

/*
 * pcslab_free() of an object of one of the two slabs this CPU last
 * allocated from or freed to, the common case: validate and put in one
 * step.  @pc->hot and @pc->warm are only ever set, under the lock, to
 * live slabs of this CPU and cleared before such a slab is released, so
 * under the lock a match proves the pointer is inside one of our slabs;
 * only its slot index remains to be checked.  Inline in pcslab_free(),
 * whose other ways out are tail calls.
 */
static __always_inline void pcslab_free_hot(struct pcslab_cache *cache,
					    struct pcslab_slab *slab, void *obj)
{
	struct pcslab_cpu *pc;
	unsigned long flags;
	unsigned int idx;

	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	if (unlikely(!pcslab_owner_lock_fast(pc))) {
		pcslab_free_shared(cache, obj, flags);
		return;
	}
	if (likely(pcslab_hot_slot(cache, pc, slab, obj, &idx))) {
		pcslab_free_local(cache, pc, slab, idx, obj, flags);
		return;
	}
	/*
	 * The hint changed under us (an interrupt, a migration): rare, and
	 * out of line, so that the remote path's registers are not saved on
	 * every local free.
	 */
	pcslab_unlock_cpu(pc, flags);
	pcslab_free_unknown(cache, obj);
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
	struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);

	if (unlikely(!obj))
		return;
	/* unlocked hints, rechecked under the lock: no lock for a miss */
	if (data_race(raw_cpu_read(cache->cpu->hot)) == slab ||
	    /* the same hint, for the second slab */
	    data_race(raw_cpu_read(cache->cpu->warm)) == slab) {
		pcslab_free_hot(cache, slab, obj);
		return;
	}
	pcslab_free_hinted(cache, slab, obj);
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
