// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab hot paths: allocation, free, and the owner's end of the remote
 * queue (the freeing CPU's end, with its outbox, is in outbox.c).
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
 *   remote free    not the owner    any                own CPU's (outbox),
 *                                                      then none: llist
 *                                                      push, preemption off
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
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>

#include "pcslab_internal.h"
#include "pcslab_trace.h"

/* ---- the owner's side, under its lock ---- */

/*
 * A slot of @slab went back to its bitmap: fix the lists (the caller
 * counts it in @pc->nr_inuse).  May release @slab.  Lock held.
 */
static __always_inline void
pcslab_slab_relist_locked(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			  struct pcslab_slab *slab)
{
	if (unlikely(slab->nr_free == slab->nr_objects)) {
		/*
		 * Empty: to the tail, behind slabs in use, unless it is the
		 * only one (a single object allocated and freed over and over
		 * moves no list entry).  Beyond the reserve the idle flush
		 * releases it later, so that a workload cycling through a few
		 * slabs does not churn the page allocator; an offline owner or
		 * a dead cache keeps none and releases it now.
		 */
		unsigned int reserve = pcslab_reserve(cache, pc);

		pc->nr_empty++;
		if (unlikely(!reserve)) {
			list_del(&slab->list);
			pc->nr_empty--;
			pc->nr_slabs--;
			pcslab_free_slab_pages(cache, pc, slab);
			return;
		}
		if (!list_is_singular(&pc->partial))
			list_move_tail(&slab->list, &pc->partial);
		if (pc->nr_empty > reserve)
			pcslab_arm_idle_flush(cache);
	} else if (unlikely(slab->nr_free == 1)) {
		list_move(&slab->list, &pc->partial);
	}
}

/**
 * pcslab_put_locked - return a checked slot to its bitmap, fix the lists.
 * @cache: the cache.
 * @pc: the owner CPU's state, lock held.
 * @slab: the slot's slab, owned by @pc.
 * @idx: a slot neither free nor queued (the caller checked).
 */
static __always_inline void pcslab_put_locked(struct pcslab_cache *cache,
					      struct pcslab_cpu *pc,
					      struct pcslab_slab *slab,
					      unsigned int idx)
{
	lockdep_assert_held(&pc->lock);
	pcslab_slab_put(slab, idx);
	pc->nr_inuse--;
	pcslab_slab_relist_locked(cache, pc, slab);
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
	/* validated when claimed: the mask is enough */
	struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
	int idx = pcslab_slab_obj_index(slab, &cache->geo, obj);

	lockdep_assert_held(&pc->lock);
	if (unlikely(pcslab_slab_is_free(slab, idx))) {
		/* freed on the owner at the same instant as it was claimed */
		WRITE_ONCE(*pcslab_mark_word(obj), pcslab_unmarked(cache));
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
	smp_store_release(pcslab_mark_word(obj), pcslab_unmarked(cache));
	if (unlikely(cache->hooks))
		pcslab_kasan_poison(cache, obj, 0);
	pc->nr_inuse--;
	pcslab_slab_relist_locked(cache, pc, slab);	/* may release @slab */
	return true;
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
	unsigned int n;

	lockdep_assert_held(&pc->lock);
	list = pcslab_remote_take(&pc->remote, &n);
	if (!list)
		return 0;
	llist_for_each_safe(pos, next, list)
		pcslab_put_queued_locked(cache, pc, pos);
	pcslab_stat_locked(pc, PCSLAB_STAT_DRAIN);
	pc->stat[PCSLAB_STAT_DRAINED_OBJECTS] += n;
	trace_pcslab_drain(cache->name, pc->cpu, n,
			   pcslab_drain_level(&pc->drain,
					      READ_ONCE(cache->fixed_level)));
	return n;
}

/* The adaptive law moved the level: count and trace it, off the hot path. */
static noinline void pcslab_level_moved(struct pcslab_cache *cache,
					struct pcslab_cpu *pc, int moved,
					unsigned int level, unsigned int pending)
{
	pcslab_stat_locked(pc, moved > 0 ? PCSLAB_STAT_LEVEL_UP :
					   PCSLAB_STAT_LEVEL_DOWN);
	trace_pcslab_level_change(cache->name, pc->cpu,
				  pcslab_levels[pc->drain.step - moved], level,
				  pending);
}

/*
 * The owner's tick, on every local alloc and free: one read of the queue
 * depth, one step of the drain policy, a drain if the level is reached.
 */
static __always_inline void pcslab_tick(struct pcslab_cache *cache,
					struct pcslab_cpu *pc)
{
	unsigned int pending = atomic_read(&pc->remote.pending);
	unsigned int level;
	int moved;

	level = pcslab_policy_tick_fast(&pc->drain, &cache->fixed_level,
					pending, &cache->queue_capacity, &moved);
	if (unlikely(moved))
		pcslab_level_moved(cache, pc, moved, level, pending);
	/* levels are >= 1, so this never drains an empty queue */
	if (unlikely(pending >= level))
		pcslab_drain_locked(cache, pc);
}

/* Take the first free object of this CPU's slabs.  Lock held. */
static __always_inline void *pcslab_take_locked(struct pcslab_cache *cache,
						struct pcslab_cpu *pc)
{
	struct pcslab_slab *slab;
	void *obj;

	slab = list_first_entry_or_null(&pc->partial, struct pcslab_slab, list);
	if (unlikely(!slab))
		return NULL;
	if (unlikely(slab->nr_free == slab->nr_objects))
		pc->nr_empty--;
	obj = pcslab_slab_take(slab, &cache->geo);
	if (unlikely(!slab->nr_free))
		list_move(&slab->list, &pc->full);
	pc->nr_inuse++;
	pc->hot = slab;
	pcslab_stat_locked(pc, PCSLAB_STAT_ALLOC);
	return obj;
}

/* Debug work on an object being handed out: KASAN, poison check, zeroing. */
static noinline void pcslab_prepare_object(struct pcslab_cache *cache,
					   void *obj, gfp_t gfp)
{
	pcslab_kasan_unpoison(cache, obj);
	if ((cache->flags & PCSLAB_POISON) &&
	    memchr_inv(obj, PCSLAB_POISON_BYTE, cache->geo.obj_size))
		pcslab_report_error(cache, PCSLAB_STAT_POISON_CORRUPT, obj);
	if ((gfp & __GFP_ZERO) && !(cache->flags & PCSLAB_ZERO_ON_FREE))
		memset(obj, 0, cache->size);
	kmemleak_alloc(obj, cache->size, 1, gfp);
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
	struct pcslab_cpu *pc;
	unsigned long flags;
	void *obj;

	might_alloc(gfp);
	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	spin_lock(&pc->lock);
	pcslab_tick(cache, pc);
	obj = pcslab_take_locked(cache, pc);
	if (unlikely(!obj) && pcslab_drain_locked(cache, pc))
		obj = pcslab_take_locked(cache, pc);
	spin_unlock(&pc->lock);
	local_irq_restore(flags);

	if (unlikely(!obj)) {
		obj = pcslab_alloc_new_slab(cache, gfp);
		if (!obj) {
			pcslab_stat(cache, PCSLAB_STAT_ALLOC_FAIL);
			return NULL;
		}
	}
	if (unlikely(cache->hooks || (gfp & __GFP_ZERO)))
		pcslab_prepare_object(cache, obj, gfp);
	return obj;
}
EXPORT_SYMBOL_GPL(pcslab_alloc);

/* Take up to @n objects from this CPU's slabs, whole words at a time. */
static unsigned int pcslab_take_bulk_locked(struct pcslab_cache *cache,
					    struct pcslab_cpu *pc,
					    unsigned int n, void **p)
{
	struct pcslab_slab *slab;
	unsigned int got = 0;

	lockdep_assert_held(&pc->lock);
	while (got < n) {
		slab = list_first_entry_or_null(&pc->partial, struct pcslab_slab,
						list);
		if (!slab)
			break;
		if (slab->nr_free == slab->nr_objects)
			pc->nr_empty--;
		got += pcslab_slab_take_bulk(slab, &cache->geo, n - got, p + got);
		if (!slab->nr_free)
			list_move(&slab->list, &pc->full);
		pc->hot = slab;
	}
	pc->nr_inuse += got;
	pc->stat[PCSLAB_STAT_ALLOC] += got;
	return got;
}

/* As pcslab_take_bulk_locked(), taking the current CPU's lock. */
static unsigned int pcslab_take_bulk(struct pcslab_cache *cache,
				     unsigned int n, void **p, bool tick)
{
	struct pcslab_cpu *pc;
	unsigned long flags;
	unsigned int got;

	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	spin_lock(&pc->lock);
	if (tick)
		pcslab_tick(cache, pc);
	got = pcslab_take_bulk_locked(cache, pc, n, p);
	if (got < n && tick && pcslab_drain_locked(cache, pc))
		got += pcslab_take_bulk_locked(cache, pc, n - got, p + got);
	spin_unlock(&pc->lock);
	local_irq_restore(flags);
	return got;
}

/**
 * pcslab_alloc_bulk - allocate @size objects, all or nothing.
 * @cache: the cache.
 * @gfp: allocation flags, as for pcslab_alloc().
 * @size: number of objects wanted.
 * @p: array of at least @size pointers, filled in.
 *
 * Like kmem_cache_alloc_bulk().  The current CPU's free objects are taken
 * under one lock round trip, whole bitmap words at a time, without
 * touching the objects (unless the cache has debug flags or @gfp has
 * %__GFP_ZERO); new slabs are added as needed.  The call is one tick of
 * the CPU's drain policy.
 *
 * Return: @size, or 0 if not all could be had (then nothing stays
 * allocated and @p's contents are undefined).
 */
int pcslab_alloc_bulk(struct pcslab_cache *cache, gfp_t gfp, size_t size,
		      void **p)
{
	unsigned int got, i;

	if (!size || size > INT_MAX)
		return 0;
	might_alloc(gfp);
	got = pcslab_take_bulk(cache, size, p, true);
	while (unlikely(got < size)) {
		void *obj = pcslab_alloc_new_slab(cache, gfp);

		if (!obj) {
			pcslab_stat(cache, PCSLAB_STAT_ALLOC_FAIL);
			/* hand them out properly, so that the free is legal */
			if (unlikely(cache->hooks))
				for (i = 0; i < got; i++)
					pcslab_prepare_object(cache, p[i], 0);
			pcslab_free_bulk(cache, got, p);
			return 0;
		}
		p[got++] = obj;
		if (got < size)
			got += pcslab_take_bulk(cache, size - got, p + got, false);
	}
	if (unlikely(cache->hooks || (gfp & __GFP_ZERO)))
		for (i = 0; i < size; i++)
			pcslab_prepare_object(cache, p[i], gfp);
	return size;
}
EXPORT_SYMBOL_GPL(pcslab_alloc_bulk);

/* ---- free: validate, route, put ---- */

/**
 * pcslab_free_hooks - debug work on an object being freed, before it is
 *	put or queued.
 * @cache: the cache (with @cache->hooks set).
 * @obj: the object.
 * @keep: leading bytes left alone (a queued object's link and mark).
 */
noinline void pcslab_free_hooks(struct pcslab_cache *cache, void *obj,
				size_t keep)
{
	kmemleak_free(obj);
	pcslab_wipe(cache, obj + keep, cache->geo.obj_size - keep);
	pcslab_kasan_poison(cache, obj, keep);
}

/* Put: a slot of @pc's slab, lock held.  Catches double frees. */
static __always_inline void pcslab_put_checked(struct pcslab_cache *cache,
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
	if (unlikely(cache->hooks))
		pcslab_free_hooks(cache, obj, 0);
	pcslab_stat_locked(pc, PCSLAB_STAT_FREE_LOCAL);
	pc->hot = slab;
	pcslab_put_locked(cache, pc, slab, idx);
}

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
 * Validate and put in one step, the common case: @obj lies in the slab
 * this CPU last allocated from or freed to.  @pc->hot is only ever set,
 * under the lock, to a live slab of this CPU and cleared before that slab
 * is released, so under the lock a match proves the pointer is inside one
 * of our slabs; only its slot index remains to be checked.
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
	int idx;

	/* an unlocked hint, rechecked under the lock: no lock for a miss */
	if (data_race(raw_cpu_read(cache->cpu->hot)) != slab)
		return false;
	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	spin_lock(&pc->lock);
	if (likely(pc->hot == slab)) {
		idx = pcslab_slab_obj_index(slab, &cache->geo, obj);
		if (likely(idx >= 0)) {
			pcslab_free_locked(cache, pc, slab, idx, obj);
			done = true;
		}
	}
	spin_unlock(&pc->lock);
	local_irq_restore(flags);
	return done;
}

/* Route a validated object of @slab to the local or the remote path. */
static void pcslab_free_slot(struct pcslab_cache *cache,
			     struct pcslab_slab *slab, void *obj)
{
	unsigned long flags;
	int idx;

	idx = pcslab_slab_obj_index(slab, &cache->geo, obj);
	if (idx < 0) {
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
		struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);

		local_irq_save(flags);
		spin_lock(&pc->lock);
		pcslab_free_locked(cache, pc, slab, idx, obj);
		spin_unlock(&pc->lock);
		local_irq_restore(flags);
	} else {
		pcslab_free_remote(cache, slab, idx, obj);
	}
	preempt_enable();
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
	slab = pcslab_obj_to_slab_of(obj, &cache->geo);
	if (!slab || slab->cache != cache) {
		pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
		return;
	}
	pcslab_free_slot(cache, slab, obj);
}
EXPORT_SYMBOL_GPL(pcslab_free);

/* The remote part of a bulk free: one batch per run of one owner. */
static void pcslab_free_bulk_remote(struct pcslab_cache *cache, size_t n,
				    void **p)
{
	struct pcslab_batch b = { .owner = UINT_MAX };
	size_t i, claimed = 0;

	preempt_disable();
	for (i = 0; i < n; i++) {
		void *obj = p[i];
		/* validated by pcslab_free_bulk(): the mask is enough */
		struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
		int idx = pcslab_slab_obj_index(slab, &cache->geo, obj);

		if (idx < 0) {
			pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
			continue;
		}
		if (slab->cpu != b.owner) {
			pcslab_batch_send(cache, &b);
			b.owner = slab->cpu;
		}
		if (slab->cpu == smp_processor_id()) {
			/* we moved to the owner since the locked pass */
			struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);
			unsigned long flags;

			local_irq_save(flags);
			spin_lock(&pc->lock);
			pcslab_put_checked(cache, pc, slab, idx, obj);
			spin_unlock(&pc->lock);
			local_irq_restore(flags);
			continue;
		}
		if (pcslab_claim(cache, slab, idx, obj)) {
			if (unlikely(cache->hooks))
				pcslab_free_hooks(cache, obj, PCSLAB_QUEUED_KEEP);
			pcslab_batch_chain(&b, obj);
			claimed++;
		}
	}
	pcslab_batch_send(cache, &b);
	pcslab_stat_add(cache, PCSLAB_STAT_FREE_REMOTE, claimed);
	preempt_enable();
}

/**
 * pcslab_free_bulk - free @size objects.
 * @cache: the cache they were allocated from.
 * @size: number of pointers in @p.
 * @p: the objects; NULL entries are skipped.  Its contents are undefined
 *	after the call (as for kmem_cache_free_bulk()).
 *
 * The current CPU's own objects go back under one lock round trip (one
 * drain-policy tick); objects of other CPUs are handed to each owner as
 * one batch per run of consecutive objects with the same owner (one
 * llist_add_batch() and one counter update).  Invalid pointers and double
 * frees are reported as for pcslab_free() and skipped.
 */
void pcslab_free_bulk(struct pcslab_cache *cache, size_t size, void **p)
{
	/*
	 * Copies: the kernel builds without strict aliasing, so every bitmap
	 * store would otherwise reload them.
	 */
	const struct pcslab_geometry geo = cache->geo;
	const unsigned long key = cache->mark_key;
	struct pcslab_slab *slab, *hot;
	size_t i, nr_remote = 0;
	unsigned int freed = 0;
	struct pcslab_cpu *pc;
	unsigned long flags;

	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	spin_lock(&pc->lock);
	pcslab_tick(cache, pc);
	hot = pc->hot;
	for (i = 0; i < size; i++) {
		void *obj = p[i];
		int idx;

		if (!obj)
			continue;
		slab = pcslab_slab_base(obj, &geo);
		if (unlikely(slab != hot)) {
			slab = pcslab_obj_to_slab_of(obj, &geo);
			if (!slab || slab->cache != cache) {
				pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE,
						    obj);
				continue;
			}
			if (slab->cpu != pc->cpu) {
				p[nr_remote++] = obj;	/* after the lock */
				continue;
			}
			hot = slab;
		}
		idx = pcslab_slab_obj_index(slab, &geo, obj);
		if (unlikely(idx < 0)) {
			pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
			continue;
		}
		/* as pcslab_put_checked(), counting once for the whole call */
		if (unlikely(pcslab_slab_is_free(slab, idx) ||
			     pcslab_is_marked_key(key, obj))) {
			pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
			continue;
		}
		if (unlikely(cache->hooks))
			pcslab_free_hooks(cache, obj, 0);
		pcslab_slab_put(slab, idx);
		freed++;
		if (unlikely(slab->nr_free == slab->nr_objects ||
			     slab->nr_free == 1)) {
			pc->hot = hot;
			pcslab_slab_relist_locked(cache, pc, slab);
			hot = pc->hot;	/* NULL if the slab was released */
		}
	}
	pc->hot = hot;
	pc->nr_inuse -= freed;
	pc->stat[PCSLAB_STAT_FREE_LOCAL] += freed;
	spin_unlock(&pc->lock);
	local_irq_restore(flags);
	if (nr_remote)
		pcslab_free_bulk_remote(cache, nr_remote, p);
}
EXPORT_SYMBOL_GPL(pcslab_free_bulk);

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
