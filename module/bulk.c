// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab bulk API: pcslab_alloc_bulk() and pcslab_free_bulk(), shaped like
 * kmem_cache_alloc_bulk() / kmem_cache_free_bulk().
 *
 * One lock round trip per call: allocation harvests whole bitmap words
 * (the objects are not touched), a free puts this CPU's objects back
 * under one lock and one count per slab, and sends other CPUs' objects
 * as one batch per run of one owner.  Contexts and locks as for the
 * single-object paths (alloc.c).
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/limits.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>

#include "pcslab_internal.h"
#include "drain.h"
#include "owner.h"
#include "outbox.h"

/* Take up to @n objects from this CPU's slabs, whole words at a time. */
static unsigned int pcslab_take_bulk_locked(struct pcslab_cache *cache,
					    struct pcslab_cpu *pc,
					    unsigned int n, void **p)
{
	struct pcslab_slab *slab;
	unsigned int got = 0;
	bool filled = false;

	lockdep_assert_held(&pc->lock);
	while (got < n) {
		slab = pcslab_pick_slab_locked(pc);
		if (!slab)
			break;
		got += pcslab_slab_take_bulk(slab, &cache->geo, n - got, p + got);
		filled |= pcslab_head_taken(pc, slab);
		pcslab_set_hot(pc, slab);
	}
	if (filled)
		pcslab_head_update(pc, pcslab_local_reserve(cache));
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

	pc = pcslab_lock_this_cpu(cache, &flags);
	if (tick)
		pcslab_tick(cache, pc);
	got = pcslab_take_bulk_locked(cache, pc, n, p);
	if (got < n && tick && pcslab_drain_locked(cache, pc))
		got += pcslab_take_bulk_locked(cache, pc, n - got, p + got);
	pcslab_unlock_cpu(pc, flags);
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

/*
 * Count @run slots a bulk free set free in @slab's bitmap (the owner's,
 * lock held), and fix the lists once for all of them.
 */
static __always_inline void pcslab_put_run_locked(struct pcslab_cache *cache,
						  struct pcslab_cpu *pc,
						  struct pcslab_slab *slab,
						  unsigned int run)
{
	bool was_full;

	if (!run)
		return;
	was_full = !slab->nr_free;
	slab->nr_free += run;
	pc->stat[PCSLAB_STAT_FREE_LOCAL] += run;
	pcslab_slab_relist_locked(cache, pc, slab,
				  pcslab_local_reserve(cache), was_full);
}

/*
 * The owner's pass of a bulk free, lock held: put this CPU's objects
 * back, move the others to the front of @p for the remote pass.  Built
 * twice, with and without @hooks, so that a cache without debug work
 * tests nothing for it per object.
 *
 * Return: the number of objects left at the front of @p.
 */
static __always_inline size_t pcslab_free_bulk_locked(struct pcslab_cache *cache,
						      struct pcslab_cpu *pc,
						      size_t size, void **p,
						      const bool hooks)
{
	/*
	 * Copies: the kernel builds without strict aliasing, so every bitmap
	 * store would otherwise reload them.
	 */
	const struct pcslab_geometry geo = cache->geo;
	const unsigned long data_bytes = geo.data_bytes;
	const unsigned long obj_size = geo.obj_size;
	const unsigned long key = cache->mark_key;
	struct pcslab_slab *hot = pc->hot;
	/* @hot's first slot and the end of its slots; none if PCSLAB_NO_SLAB */
	unsigned long first = (unsigned long)hot + geo.data_offset;
	unsigned long limit = first + data_bytes;
	/*
	 * The slot after the last one set free, where the next object of a
	 * free in allocation order lies: found without a division or a
	 * range check.  @limit when there is none.
	 */
	unsigned long next = limit;
	unsigned int run = 0;	/* slots of @hot set free, not yet counted */
	unsigned int idx = 0;
	size_t i, nr_remote = 0;

	for (i = 0; i < size; i++) {
		void *obj = p[i];
		unsigned long off;

		if ((unsigned long)obj == next && next != limit) {
			idx++;
			goto put;
		}
		if (!obj)
			continue;
		if (unlikely(pcslab_slab_base(obj, &geo) != hot)) {
			struct pcslab_slab *slab = pcslab_slab_base(obj, &geo);

			/*
			 * @pc->warm is validated as @hot is (pcslab_free_hot()),
			 * @pc->foreign names a live slab (pcslab_free())
			 */
			if (slab != pc->warm) {
				if (slab != READ_ONCE(pc->foreign))
					slab = pcslab_obj_to_slab_of(obj, &geo);
				if (!slab || slab->cache != cache) {
					pcslab_report_error(cache,
							    PCSLAB_STAT_INVALID_FREE,
							    obj);
					continue;
				}
				if (slab->cpu != pc->cpu) {
					p[nr_remote++] = obj;	/* after the lock */
					continue;
				}
			}
			/* counted in the lists it is on, so a release clears it */
			pcslab_set_hot(pc, hot);
			pcslab_put_run_locked(cache, pc, hot, run);
			run = 0;
			hot = slab;
			first = (unsigned long)hot + geo.data_offset;
			limit = first + data_bytes;
		}
		/* as pcslab_slot_at(), with the geometry in registers */
		off = (unsigned long)obj - first;
		if (unlikely(off >= data_bytes))
			goto invalid;
		idx = (off * geo.obj_size_inv) >> 32;
		if (unlikely(idx * obj_size != off))
			goto invalid;
put:
		/* as pcslab_put_checked(), counting once per slab */
		if (hooks) {
			/* checked before the hooks: they must not see it twice */
			if (unlikely(pcslab_slab_is_free(hot, idx) ||
				     pcslab_is_marked_key(key, obj)))
				goto double_free;
			pcslab_free_hooks(cache, obj, 0);
			__set_bit(idx, hot->free_map);
		} else {
			if (unlikely(!pcslab_set_free_tagged(key, hot, idx, obj)))
				goto double_free;
		}
		run++;
		next = (unsigned long)obj + obj_size;
		continue;
double_free:
		pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
		next = limit;
		continue;
invalid:
		pcslab_report_error(cache, PCSLAB_STAT_INVALID_FREE, obj);
		next = limit;
	}
	pcslab_set_hot(pc, hot);
	pcslab_put_run_locked(cache, pc, hot, run);	/* may clear pc->hot */
	return nr_remote;
}

/* The remote part of a bulk free: one batch per run of one owner. */
static void pcslab_free_bulk_remote(struct pcslab_cache *cache, size_t n,
				    void **p)
{
	struct pcslab_batch b = { .owner = UINT_MAX };
	const bool hooks = cache->hooks;
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
			unsigned long flags;
			struct pcslab_cpu *pc = pcslab_lock_this_cpu(cache,
								     &flags);

			pcslab_put_checked(cache, pc, slab, idx, obj);
			pcslab_unlock_cpu(pc, flags);
			continue;
		}
		if (pcslab_claim_for(cache, &b, slab, idx, obj, hooks)) {
			if (unlikely(hooks))
				pcslab_free_hooks(cache, obj, PCSLAB_QUEUED_KEEP);
			pcslab_batch_chain(&b, obj, cache->carry);
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
	struct pcslab_cpu *pc;
	unsigned long flags;
	size_t nr_remote;

	pc = pcslab_lock_this_cpu(cache, &flags);
	pcslab_tick(cache, pc);
	if (unlikely(cache->hooks))
		nr_remote = pcslab_free_bulk_locked(cache, pc, size, p, true);
	else
		nr_remote = pcslab_free_bulk_locked(cache, pc, size, p, false);
	pcslab_unlock_cpu(pc, flags);
	if (nr_remote)
		pcslab_free_bulk_remote(cache, nr_remote, p);
}
EXPORT_SYMBOL_GPL(pcslab_free_bulk);
