// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab cache lifecycle: create, alloc/free (local and remote paths),
 * growth, empty-slab release, shrinker, idle-owner flush, CPU hotplug and
 * destroy.
 *
 * Each CPU's slabs and lists are guarded by that CPU's spinlock, always
 * taken with interrupts off so that alloc and free work from hardirq.  The
 * owner takes its own lock on every alloc and local free; anyone else takes
 * it only to drain a queue on the owner's behalf (idle flush, shrinker,
 * debugfs, hotplug, destroy) or to free directly when the owner's queue is
 * full or the owner is offline.  No path holds two of these locks.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/wait_bit.h>
#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test-bug.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"
#include "pcslab_trace.h"

#define PCSLAB_NAME_MAX		32

/* Guards pcslab_caches; hotplug and slabinfo walk it. */
DEFINE_MUTEX(pcslab_caches_mutex);
LIST_HEAD(pcslab_caches);
/* Pages held by every cache, leaked ones included (debugfs "pages"). */
atomic_long_t pcslab_pages = ATOMIC_LONG_INIT(0);

static inline void pcslab_stat(struct pcslab_cache *cache,
			       enum pcslab_stat_item item)
{
	this_cpu_inc(cache->stats->count[item]);
}

static inline void pcslab_stat_add(struct pcslab_cache *cache,
				   enum pcslab_stat_item item,
				   unsigned long n)
{
	this_cpu_add(cache->stats->count[item], n);
}

/*
 * A KUnit case that provokes errors registers a "pcslab_errors" resource;
 * count into it instead of printing, as lib/slub_kunit.c does.
 */
static bool pcslab_kunit_count_error(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	struct kunit *test = kunit_get_current_test();
	struct kunit_resource *res;

	if (!test)
		return false;
	res = kunit_find_named_resource(test, "pcslab_errors");
	if (!res)
		return false;
	(*(int *)res->data)++;
	kunit_put_resource(res);
	return true;
#else
	return false;
#endif
}

/* Count an error; print it (with a backtrace) once per cache and kind. */
static void pcslab_report(struct pcslab_cache *cache,
			  enum pcslab_stat_item kind, const void *obj,
			  const char *what)
{
	pcslab_stat(cache, kind);
	if (pcslab_kunit_count_error())
		return;
	if (test_and_set_bit(kind, &cache->reported))
		return;
	pr_err("pcslab: cache %s: %s (object %p); further reports of this kind are counted in stats only\n",
	       cache->name, what, obj);
	dump_stack();
}

#ifdef CONFIG_KASAN_GENERIC
/* Exported (GPL) by mm/kasan, declared only in its private header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#define PCSLAB_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE: "use-after-free" */

/*
 * Free objects are poisoned from @from to the end so that KASAN reports a
 * use after free; a queued object keeps its first word (the llist link)
 * accessible until the drain takes it off the queue.
 */
static void pcslab_kasan_poison(struct pcslab_cache *cache, void *obj,
				size_t from)
{
	if (cache->kasan)
		kasan_poison(obj + from, cache->geo.obj_size - from,
			     PCSLAB_KASAN_FREE, false);
}

static void pcslab_kasan_unpoison(struct pcslab_cache *cache, void *obj)
{
	if (cache->kasan)
		kasan_poison(obj, cache->geo.obj_size, 0, false);
}
#else
static inline void pcslab_kasan_poison(struct pcslab_cache *cache, void *obj,
				       size_t from) { }
static inline void pcslab_kasan_unpoison(struct pcslab_cache *cache, void *obj) { }
#endif

static void pcslab_wipe(struct pcslab_cache *cache, void *obj, size_t len)
{
	if (cache->flags & PCSLAB_ZERO_ON_FREE)
		memset(obj, 0, len);
	else if (cache->flags & PCSLAB_POISON)
		memset(obj, PCSLAB_POISON_BYTE, len);
}

static void pcslab_free_slab_pages(struct pcslab_cache *cache,
				   struct pcslab_slab *slab)
{
	trace_pcslab_slab_free(cache->name, slab->cpu, cache->geo.order);
	pcslab_slab_clear_owner_tag(slab, &cache->geo);
	free_pages((unsigned long)slab, cache->geo.order);
	atomic_long_sub(1L << cache->geo.order, &pcslab_pages);
	pcslab_stat(cache, PCSLAB_STAT_SLAB_FREE);
}

/*
 * Release empty slabs of @pc beyond @keep.  Lock held.  Empty slabs sit
 * on the partial list, moved to its tail when they empty, so the walk
 * from the tail finds them first.
 */
static unsigned int pcslab_trim_locked(struct pcslab_cache *cache,
				       struct pcslab_cpu *pc, unsigned int keep)
{
	struct pcslab_slab *slab, *tmp;
	unsigned int freed = 0;

	list_for_each_entry_safe_reverse(slab, tmp, &pc->partial, list) {
		if (pc->nr_empty <= keep)
			break;
		if (slab->nr_free != slab->nr_objects)
			continue;
		list_del(&slab->list);
		pc->nr_empty--;
		pc->nr_slabs--;
		pcslab_free_slab_pages(cache, slab);
		freed++;
	}
	return freed;
}

static unsigned int pcslab_reserve(struct pcslab_cache *cache,
				   struct pcslab_cpu *pc)
{
	if (READ_ONCE(cache->dead) || !cpu_online(pc->cpu))
		return 0;
	return PCSLAB_CPU_RESERVE;
}

/* Put a slot back into its bitmap and fix the slab's list.  Lock held. */
static enum pcslab_put_result pcslab_put_locked(struct pcslab_cache *cache,
						struct pcslab_cpu *pc,
						struct pcslab_slab *slab,
						unsigned int idx)
{
	lockdep_assert_held(&pc->lock);
	if (pcslab_slab_put(slab, idx) != PCSLAB_PUT_OK)
		return PCSLAB_PUT_DOUBLE;
	pc->nr_inuse--;
	if (slab->nr_free == slab->nr_objects) {
		/*
		 * Empty: beyond the reserve it goes; else to the tail, behind
		 * slabs in use, unless it is the only one (a single object
		 * allocated and freed over and over moves no list entry).
		 */
		pc->nr_empty++;
		if (pc->nr_empty > pcslab_reserve(cache, pc)) {
			list_del(&slab->list);
			pc->nr_empty--;
			pc->nr_slabs--;
			pcslab_free_slab_pages(cache, slab);
		} else if (!list_is_singular(&pc->partial)) {
			list_move_tail(&slab->list, &pc->partial);
		}
	} else if (slab->nr_free == 1) {
		list_move(&slab->list, &pc->partial);
	}
	return PCSLAB_PUT_OK;
}

/*
 * Phase two of a drain: the list was detached with llist_del_all(); put
 * every object back under the owner's lock.  Lock held.
 */
static unsigned int pcslab_drain_locked(struct pcslab_cache *cache,
					struct pcslab_cpu *pc)
{
	struct llist_node *list, *pos, *next;
	unsigned int n;

	lockdep_assert_held(&pc->lock);
	list = pcslab_remote_take(&pc->remote, &n);
	if (!list)
		return 0;
	llist_for_each_safe(pos, next, list) {
		void *obj = pos;
		/* validated at push time: the mask is enough */
		struct pcslab_slab *slab = pcslab_slab_base(obj, &cache->geo);
		int idx = pcslab_slab_obj_index(slab, &cache->geo, obj);

		/* The link word is the only part the wipe did not cover. */
		pcslab_wipe(cache, obj, sizeof(struct llist_node));
		pcslab_kasan_poison(cache, obj, 0);
		pcslab_slab_clear_queued(slab, idx);
		if (pcslab_put_locked(cache, pc, slab, idx) != PCSLAB_PUT_OK)
			pcslab_report(cache, PCSLAB_STAT_DOUBLE_FREE, obj,
				      "double free (queued remotely and freed locally)");
	}
	pcslab_stat(cache, PCSLAB_STAT_DRAIN);
	pcslab_stat_add(cache, PCSLAB_STAT_DRAINED_OBJECTS, n);
	trace_pcslab_drain(cache->name, pc->cpu, n,
			   pcslab_drain_level(&pc->drain,
					      READ_ONCE(cache->fixed_level)));
	return n;
}

/*
 * The owner's tick, on every local alloc and free: one read of the queue
 * depth, one step of the drain policy, a drain if the level is reached.
 */
static void pcslab_tick(struct pcslab_cache *cache, struct pcslab_cpu *pc)
{
	unsigned int pending = atomic_read(&pc->remote.pending);
	unsigned int level;
	int moved;

	level = pcslab_policy_tick(&pc->drain, READ_ONCE(cache->fixed_level),
				   pending, READ_ONCE(cache->queue_capacity),
				   &moved);
	if (unlikely(moved)) {
		/* adjacent levels differ by a factor of two */
		pcslab_stat(cache, moved > 0 ? PCSLAB_STAT_LEVEL_UP :
					       PCSLAB_STAT_LEVEL_DOWN);
		trace_pcslab_level_change(cache->name, pc->cpu,
					  moved > 0 ? level / 2 : level * 2,
					  level, pending);
	}
	if (pending && pending >= level)
		pcslab_drain_locked(cache, pc);
}

/* Take the first free object of this CPU's slabs.  Lock held. */
static void *pcslab_take_locked(struct pcslab_cache *cache,
				struct pcslab_cpu *pc)
{
	struct pcslab_slab *slab;
	void *obj;

	slab = list_first_entry_or_null(&pc->partial, struct pcslab_slab, list);
	if (!slab)
		return NULL;
	if (slab->nr_free == slab->nr_objects)
		pc->nr_empty--;
	obj = pcslab_slab_take(slab, &cache->geo);
	if (!slab->nr_free)
		list_move(&slab->list, &pc->full);
	pc->nr_inuse++;
	return obj;
}

/* Format a new slab's objects the way free objects look in this cache. */
static void pcslab_prepare_slab_objects(struct pcslab_cache *cache,
					struct pcslab_slab *slab)
{
	unsigned int i;

	for (i = 0; i < cache->geo.nr_objects; i++) {
		void *obj = pcslab_slab_obj(slab, &cache->geo, i);

		if (cache->ctor)
			cache->ctor(obj);
		else
			pcslab_wipe(cache, obj, cache->geo.obj_size);
		pcslab_kasan_poison(cache, obj, 0);
	}
}

/**
 * pcslab_alloc_slab_pages - get the pages for a new slab.
 * @cache: the cache.
 * @gfp: the caller's allocation flags.
 *
 * Its own function so KUnit can make it fail (a static stub).
 *
 * Return: the first page of a 2^order block, or NULL.
 */
VISIBLE_IF_KUNIT struct page *pcslab_alloc_slab_pages(struct pcslab_cache *cache,
						      gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(pcslab_alloc_slab_pages, cache, gfp);
	return alloc_pages_node(numa_mem_id(), gfp & ~(__GFP_ZERO | __GFP_COMP),
				cache->geo.order);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_alloc_slab_pages);

/* Slow path: no free object on this CPU, even after a drain. */
static void *pcslab_alloc_new_slab(struct pcslab_cache *cache, gfp_t gfp)
{
	struct pcslab_slab *slab;
	struct pcslab_cpu *pc;
	unsigned long flags;
	struct page *page;
	void *obj;

	page = pcslab_alloc_slab_pages(cache, gfp);
	if (!page)
		return NULL;
	slab = page_address(page);
	atomic_long_add(1L << cache->geo.order, &pcslab_pages);
	pcslab_prepare_slab_objects(cache, slab);

	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	pcslab_slab_init(slab, &cache->geo, cache, pc->cpu);
	spin_lock(&pc->lock);
	list_add(&slab->list, &pc->partial);
	pc->nr_slabs++;
	obj = pcslab_slab_take(slab, &cache->geo);
	pc->nr_inuse++;
	spin_unlock(&pc->lock);
	pcslab_stat(cache, PCSLAB_STAT_SLAB_NEW);
	pcslab_stat(cache, PCSLAB_STAT_ALLOC_SLOWPATH);
	trace_pcslab_slab_new(cache->name, pc->cpu, cache->geo.order);
	local_irq_restore(flags);
	return obj;
}

/* Check the poison of an object being handed out, then apply @gfp. */
static void pcslab_prepare_object(struct pcslab_cache *cache, void *obj,
				  gfp_t gfp)
{
	pcslab_kasan_unpoison(cache, obj);
	if (cache->flags & PCSLAB_POISON) {
		const u8 *bad = memchr_inv(obj, PCSLAB_POISON_BYTE,
					   cache->geo.obj_size);

		if (bad)
			pcslab_report(cache, PCSLAB_STAT_POISON_CORRUPT, obj,
				      "object written after free (poison overwritten)");
	}
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
	if (!obj && pcslab_drain_locked(cache, pc))
		obj = pcslab_take_locked(cache, pc);
	spin_unlock(&pc->lock);
	local_irq_restore(flags);

	if (!obj)
		obj = pcslab_alloc_new_slab(cache, gfp);
	if (!obj) {
		pcslab_stat(cache, PCSLAB_STAT_ALLOC_FAIL);
		return NULL;
	}
	pcslab_stat(cache, PCSLAB_STAT_ALLOC);
	pcslab_prepare_object(cache, obj, gfp);
	return obj;
}
EXPORT_SYMBOL_GPL(pcslab_alloc);

/* Free on the owner CPU: interrupts off, current CPU owns @slab. */
static void pcslab_free_local(struct pcslab_cache *cache,
			      struct pcslab_slab *slab, unsigned int idx,
			      void *obj)
{
	struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);
	bool ok = false;

	spin_lock(&pc->lock);
	pcslab_tick(cache, pc);
	if (!test_bit(idx, slab->free_map) && !pcslab_slab_is_queued(slab, idx)) {
		pcslab_wipe(cache, obj, cache->geo.obj_size);
		pcslab_kasan_poison(cache, obj, 0);
		ok = pcslab_put_locked(cache, pc, slab, idx) == PCSLAB_PUT_OK;
	}
	spin_unlock(&pc->lock);
	if (ok)
		pcslab_stat(cache, PCSLAB_STAT_FREE_LOCAL);
	else
		pcslab_report(cache, PCSLAB_STAT_DOUBLE_FREE, obj, "double free");
}

/* The first remote free into an empty queue schedules the idle flush. */
static void pcslab_arm_idle_flush(struct pcslab_cache *cache)
{
	queue_delayed_work(system_wq, &cache->idle_flush,
			   msecs_to_jiffies(READ_ONCE(cache->idle_flush_ms)));
}

/* A kick IPI finished or was never sent: destroy may be waiting. */
static void pcslab_kick_done(struct pcslab_cache *cache)
{
	/* Fully ordered: the drain before it is done when destroy sees 0. */
	if (atomic_dec_and_test(&cache->kicks_inflight))
		wake_up_var(&cache->kicks_inflight);
}

/*
 * Ask the owner to drain now, by IPI (irq_work_queue_on() is not exported
 * to modules).  The kernel leaves serialising one csd to its users, and
 * several senders (or an interrupt on a sender) can cross the threshold
 * together: whoever sets kick_scheduled sends, as skb_attempt_defer_free()
 * does with defer_ipi_scheduled; the kick function clears it.
 */
static void pcslab_kick(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			unsigned int depth)
{
	if (atomic_read(&pc->kick_scheduled) ||
	    atomic_xchg(&pc->kick_scheduled, 1))
		return;
	atomic_inc(&cache->kicks_inflight);
	if (smp_call_function_single_async(pc->cpu, &pc->kick)) {
		atomic_set(&pc->kick_scheduled, 0);
		pcslab_kick_done(cache);
		return;
	}
	pcslab_stat(cache, PCSLAB_STAT_KICK);
	trace_pcslab_kick(cache->name, pc->cpu, depth);
}

/* Free from a CPU that does not own @slab: preemption off. */
static void pcslab_free_remote(struct pcslab_cache *cache,
			       struct pcslab_slab *slab, unsigned int idx,
			       void *obj)
{
	unsigned int owner = slab->cpu;
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, owner);
	enum pcslab_put_result res;
	unsigned long flags;
	unsigned int capacity;
	bool first;
	int depth;

	/* Claim the slot before writing to it, so a second free cannot. */
	if (pcslab_slab_is_free_racy(slab, idx) ||
	    !pcslab_slab_mark_queued(slab, idx)) {
		pcslab_report(cache, PCSLAB_STAT_DOUBLE_FREE, obj,
			      "double free (remote)");
		return;
	}
	pcslab_wipe(cache, obj, cache->geo.obj_size);

	/*
	 * An offline owner cannot drain, and a dead cache must not get kicks
	 * or work queued: both take the direct path below.  An owner seen
	 * online here cannot finish going offline before we return, as
	 * preemption is off and CPU teardown runs under stop_machine.
	 */
	if (!READ_ONCE(cache->dead) && cpu_online(owner)) {
		pcslab_kasan_poison(cache, obj, sizeof(struct llist_node));
		capacity = READ_ONCE(cache->queue_capacity);
		depth = pcslab_remote_push(&pc->remote, obj, capacity, &first);
		if (depth) {
			pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
			if (depth >= pcslab_kick_threshold(capacity))
				pcslab_kick(cache, pc, depth);
			if (first)
				pcslab_arm_idle_flush(cache);
			return;
		}
		/* At capacity: never fail, never spin; free it ourselves. */
		pcslab_stat(cache, PCSLAB_STAT_REMOTE_FULL);
		trace_pcslab_remote_full(cache->name, owner, capacity);
	}

	spin_lock_irqsave(&pc->lock, flags);
	pcslab_kasan_poison(cache, obj, 0);
	pcslab_slab_clear_queued(slab, idx);
	res = pcslab_put_locked(cache, pc, slab, idx);
	spin_unlock_irqrestore(&pc->lock, flags);
	if (res == PCSLAB_PUT_OK)
		pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
	else
		pcslab_report(cache, PCSLAB_STAT_DOUBLE_FREE, obj,
			      "double free (remote, direct)");
}

static void pcslab_free_slot(struct pcslab_cache *cache,
			     struct pcslab_slab *slab, void *obj)
{
	unsigned long flags;
	int idx;

	idx = pcslab_slab_obj_index(slab, &cache->geo, obj);
	if (idx < 0) {
		pcslab_report(cache, PCSLAB_STAT_INVALID_FREE, obj,
			      "invalid free of a pointer inside a slab that is not an object start");
		return;
	}
	kmemleak_free(obj);
	/*
	 * Only the owner's own lock needs interrupts off (an interrupt on this
	 * CPU may take it too); the remote push is lock-free and irq-safe, so
	 * the remote path only pins the CPU.
	 */
	preempt_disable();
	if (slab->cpu == smp_processor_id()) {
		local_irq_save(flags);
		pcslab_free_local(cache, slab, idx, obj);
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

	if (!obj)
		return;
	slab = pcslab_obj_to_slab_of(obj, &cache->geo);
	if (!slab || slab->cache != cache) {
		pcslab_report(cache, PCSLAB_STAT_INVALID_FREE, obj,
			      "invalid free of a pointer not allocated from this cache");
		return;
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
		pr_err_once("pcslab: %s() of %p, which is not a pcslab object\n",
			    __func__, obj);
		return;
	}
	pcslab_free_slot(slab->cache, slab, obj);
}
EXPORT_SYMBOL_GPL(pcslab_free_obj);

/**
 * pcslab_drain_cpu - drain one CPU's remote queue from any CPU.
 * @cache: the cache.
 * @cpu: the owner whose queue to drain.
 *
 * Return: objects returned to their slabs.
 */
unsigned int pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&pc->lock, flags);
	n = pcslab_drain_locked(cache, pc);
	pcslab_trim_locked(cache, pc, pcslab_reserve(cache, pc));
	spin_unlock_irqrestore(&pc->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_drain_cpu);

/* IPI on the owner: senders filled half its queue. */
static void pcslab_kick_fn(void *info)
{
	struct pcslab_cpu *pc = info;
	struct pcslab_cache *cache = pc->cache;

	/*
	 * The csd was unlocked before this call; clearing the flag first lets
	 * a push that lands during the drain below kick again.
	 */
	atomic_set(&pc->kick_scheduled, 0);
	pcslab_drain_cpu(cache, pc->cpu);
	/* Last touch of the cache: destroy may free it right after. */
	pcslab_kick_done(cache);
}

/* Return remote frees whose owner stopped allocating and freeing. */
static void pcslab_idle_flush_fn(struct work_struct *work)
{
	struct pcslab_cache *cache = container_of(to_delayed_work(work),
						  struct pcslab_cache,
						  idle_flush);
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

		if (atomic_read(&pc->remote.pending) &&
		    pcslab_drain_cpu(cache, cpu)) {
			this_cpu_inc(cache->stats->count[PCSLAB_STAT_IDLE_FLUSH]);
			cond_resched();
		}
	}
}

/**
 * pcslab_cache_drain - return every queued remote free to its slab now.
 * @cache: the cache.
 *
 * Return: the number of objects drained.
 */
unsigned long pcslab_cache_drain(struct pcslab_cache *cache)
{
	unsigned long n = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		n += pcslab_drain_cpu(cache, cpu);
	return n;
}
EXPORT_SYMBOL_GPL(pcslab_cache_drain);

static unsigned long pcslab_shrink_cpus(struct pcslab_cache *cache, bool all)
{
	unsigned long freed = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		unsigned long flags;

		unsigned int before;

		spin_lock_irqsave(&pc->lock, flags);
		before = pc->nr_slabs;
		/* the drain itself releases slabs that empty beyond the reserve */
		pcslab_drain_locked(cache, pc);
		pcslab_trim_locked(cache, pc, all ? 0 : pcslab_reserve(cache, pc));
		freed += before - pc->nr_slabs;
		spin_unlock_irqrestore(&pc->lock, flags);
	}
	return freed;
}

/**
 * pcslab_cache_shrink - drain every queue and release every empty slab.
 * @cache: the cache.
 *
 * Unlike memory pressure (the shrinker), this also gives back the per-CPU
 * reserve of empty slabs.
 *
 * Return: the number of slabs released.
 */
unsigned long pcslab_cache_shrink(struct pcslab_cache *cache)
{
	return pcslab_shrink_cpus(cache, true);
}
EXPORT_SYMBOL_GPL(pcslab_cache_shrink);

static unsigned long pcslab_shrink_count(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	struct pcslab_cache *cache = shrinker->private_data;
	unsigned long count = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		/* An estimate is all the shrinker needs; no lock. */
		unsigned int empty = data_race(pc->nr_empty);
		unsigned int keep = pcslab_reserve(cache, pc);

		count += atomic_read(&pc->remote.pending);
		if (empty > keep)
			count += (empty - keep) * cache->geo.nr_objects;
	}
	return count;
}

static unsigned long pcslab_shrink_scan(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct pcslab_cache *cache = shrinker->private_data;
	unsigned long freed;

	freed = pcslab_shrink_cpus(cache, false) * cache->geo.nr_objects;
	return freed ? freed : SHRINK_STOP;
}

/**
 * pcslab_cpu_dead - a CPU went offline: strand nothing on it.
 * @cache: the cache.
 * @cpu: the dead CPU.
 *
 * Its queue is drained and its empty slabs released.  Slabs with live
 * objects stay on the CPU's lists; frees to them take the owner lock
 * directly until the CPU comes back and allocates from them again.
 */
void pcslab_cpu_dead(struct pcslab_cache *cache, unsigned int cpu)
{
	/* Any sender that saw the CPU online has finished its push. */
	synchronize_rcu();
	pcslab_drain_cpu(cache, cpu);
}

/**
 * pcslab_stat_cpu - read one statistic of one CPU.
 * @cache: the cache.
 * @item: which statistic.
 * @cpu: which CPU.
 *
 * Return: the (racy, monotonic for events) value.
 */
unsigned long pcslab_stat_cpu(struct pcslab_cache *cache,
			      enum pcslab_stat_item item, unsigned int cpu)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

	/* Statistics are read without the owner's lock: racy by design. */
	switch (item) {
	case PCSLAB_STAT_OBJECTS_IN_USE:
		return data_race(pc->nr_inuse); /* racy read, see above */
	case PCSLAB_STAT_SLABS:
		return data_race(pc->nr_slabs); /* racy read, see above */
	case PCSLAB_STAT_PENDING:
		return atomic_read(&pc->remote.pending);
	default:
		/* racy read of another CPU's counter, see above */
		return data_race(per_cpu_ptr(cache->stats, cpu)->count[item]);
	}
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_stat_cpu);

/**
 * pcslab_cpu_snapshot - one CPU's drain level, queue depth and cooldown.
 * @cache: the cache.
 * @cpu: the CPU.
 * @level: current drain level.
 * @pending: current queue depth.
 * @cooldown: adaptive cooldown ticks left (0 for a fixed policy).
 */
void pcslab_cpu_snapshot(struct pcslab_cache *cache, unsigned int cpu,
			 unsigned int *level, unsigned int *pending,
			 unsigned int *cooldown)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	unsigned int fixed = READ_ONCE(cache->fixed_level);
	unsigned long flags;

	spin_lock_irqsave(&pc->lock, flags);
	*level = pcslab_drain_level(&pc->drain, fixed);
	*cooldown = fixed == PCSLAB_DRAIN_ADAPTIVE ? pc->drain.cooldown : 0;
	spin_unlock_irqrestore(&pc->lock, flags);
	*pending = atomic_read(&pc->remote.pending);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_cpu_snapshot);

/**
 * pcslab_cache_cpu_level - one CPU's current drain level and queue depth.
 * @cache: the cache.
 * @cpu: a possible CPU.
 * @level: set to the drain level.
 * @pending: set to the number of queued remote frees.
 *
 * Return: 0, or -EINVAL if @cpu is not a possible CPU.
 */
int pcslab_cache_cpu_level(struct pcslab_cache *cache, unsigned int cpu,
			   unsigned int *level, unsigned int *pending)
{
	unsigned int cooldown;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	pcslab_cpu_snapshot(cache, cpu, level, pending, &cooldown);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_cpu_level);

/**
 * pcslab_cache_slab_pages - pages per slab of a cache.
 * @cache: the cache.
 *
 * Return: 2^order.
 */
unsigned int pcslab_cache_slab_pages(const struct pcslab_cache *cache)
{
	return 1U << cache->geo.order;
}
EXPORT_SYMBOL_GPL(pcslab_cache_slab_pages);

/**
 * pcslab_cache_set_policy - choose when owners drain their remote queues.
 * @cache: the cache.
 * @level: %PCSLAB_DRAIN_ADAPTIVE for the adaptive law (levels 8..128,
 *	starting at 64), or a fixed level 1..%PCSLAB_MAX_QUEUE.
 *
 * Every CPU's adaptive state restarts at level 64.
 *
 * Return: 0, or -EINVAL (nothing changed) if @level is out of range.
 */
int pcslab_cache_set_policy(struct pcslab_cache *cache, unsigned int level)
{
	unsigned int cpu;

	if (level > PCSLAB_MAX_QUEUE)
		return -EINVAL;
	WRITE_ONCE(cache->fixed_level, level);
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		unsigned long flags;

		spin_lock_irqsave(&pc->lock, flags);
		pcslab_drain_state_init(&pc->drain);
		spin_unlock_irqrestore(&pc->lock, flags);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_set_policy);

/**
 * pcslab_cache_set_queue_capacity - bound each CPU's remote queue.
 * @cache: the cache.
 * @capacity: 0..%PCSLAB_MAX_QUEUE entries.  At capacity a remote free
 *	takes the owner's lock and frees directly (counted as
 *	``remote_full``); 0 makes every remote free do so.
 *
 * Return: 0, or -EINVAL (nothing changed) if @capacity is out of range.
 */
int pcslab_cache_set_queue_capacity(struct pcslab_cache *cache,
				    unsigned int capacity)
{
	if (capacity > PCSLAB_MAX_QUEUE)
		return -EINVAL;
	WRITE_ONCE(cache->queue_capacity, capacity);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_set_queue_capacity);

/**
 * pcslab_cache_object_size - usable size of each object.
 * @cache: the cache.
 *
 * Return: the size given to pcslab_cache_create().
 */
unsigned int pcslab_cache_object_size(const struct pcslab_cache *cache)
{
	return cache->size;
}
EXPORT_SYMBOL_GPL(pcslab_cache_object_size);

static bool pcslab_name_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, PCSLAB_NAME_MAX + 1);
	if (!len || len > PCSLAB_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	return true;
}

static struct pcslab_cache *pcslab_find_locked(const char *name)
{
	struct pcslab_cache *cache;

	list_for_each_entry(cache, &pcslab_caches, list)
		if (!strcmp(cache->name, name))
			return cache;
	return NULL;
}

static void pcslab_cache_free(struct pcslab_cache *cache)
{
	free_percpu(cache->stats);
	free_percpu(cache->cpu);
	kfree(cache->name);
	kfree(cache);
}

/**
 * pcslab_cache_create - create a per-CPU slab cache.
 * @name: unique name, 1..32 printable characters without '/'; also the
 *	debugfs directory name.
 * @size: object size in bytes.
 * @align: object alignment, 0 (pointer alignment) or a power of two.
 * @flags: %PCSLAB_ZERO_ON_FREE, %PCSLAB_POISON, %PCSLAB_HWCACHE_ALIGN.
 * @ctor: called on every object when its slab is created, or NULL.
 *	Objects must be returned in constructed state; not allowed together
 *	with %PCSLAB_ZERO_ON_FREE or %PCSLAB_POISON.
 *
 * Context: process context, may sleep.
 * Return: the cache, or ERR_PTR(-EINVAL) for a bad name, flags or
 * geometry (object smaller than a pointer after rounding, fewer than two
 * objects per slab, alignment not a power of two), ERR_PTR(-EEXIST) if
 * the name is taken, ERR_PTR(-ENOMEM).
 */
struct pcslab_cache *pcslab_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned int flags,
					 void (*ctor)(void *obj))
{
	struct pcslab_geometry geo;
	struct pcslab_cache *cache;
	unsigned int cpu;
	int err;

	might_sleep();
	if (!pcslab_name_valid(name) || (flags & ~PCSLAB_VALID_FLAGS))
		return ERR_PTR(-EINVAL);
	if (ctor && (flags & (PCSLAB_ZERO_ON_FREE | PCSLAB_POISON)))
		return ERR_PTR(-EINVAL);
	if (align && !is_power_of_2(align))
		return ERR_PTR(-EINVAL);
	if (flags & PCSLAB_HWCACHE_ALIGN)
		align = max_t(unsigned int, align, cache_line_size());
	err = pcslab_geometry_init(&geo, size, align);
	if (err)
		return ERR_PTR(err);

	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	if (!cache)
		return ERR_PTR(-ENOMEM);
	cache->name = kstrdup(name, GFP_KERNEL);
	cache->cpu = alloc_percpu(struct pcslab_cpu);
	cache->stats = alloc_percpu(struct pcslab_stats);
	cache->shrinker = shrinker_alloc(0, "pcslab-%s", name);
	if (!cache->name || !cache->cpu || !cache->stats || !cache->shrinker) {
		err = -ENOMEM;
		goto fail;
	}
	cache->geo = geo;
	cache->size = size;
	cache->flags = flags;
	cache->ctor = ctor;
	cache->fixed_level = PCSLAB_DRAIN_ADAPTIVE;
	cache->queue_capacity = PCSLAB_DEFAULT_QUEUE;
	/* kasan_poison() works on 8-byte granules */
	cache->kasan = IS_ALIGNED(geo.obj_size, 8) && IS_ALIGNED(geo.data_offset, 8);
	INIT_DELAYED_WORK(&cache->idle_flush, pcslab_idle_flush_fn);
	cache->idle_flush_ms = PCSLAB_IDLE_FLUSH_MS;
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

		spin_lock_init(&pc->lock);
		INIT_LIST_HEAD(&pc->partial);
		INIT_LIST_HEAD(&pc->full);
		pcslab_drain_state_init(&pc->drain);
		pc->cpu = cpu;
		pc->cache = cache;
		atomic_set(&pc->kick_scheduled, 0);
		INIT_CSD(&pc->kick, pcslab_kick_fn, pc);
		pcslab_remote_init(&pc->remote);
	}
	cache->shrinker->count_objects = pcslab_shrink_count;
	cache->shrinker->scan_objects = pcslab_shrink_scan;
	cache->shrinker->private_data = cache;

	mutex_lock(&pcslab_caches_mutex);
	if (pcslab_find_locked(name)) {
		mutex_unlock(&pcslab_caches_mutex);
		err = -EEXIST;
		goto fail;
	}
	list_add_tail(&cache->list, &pcslab_caches);
	pcslab_debugfs_add(cache);
	mutex_unlock(&pcslab_caches_mutex);
	shrinker_register(cache->shrinker);
	return cache;

fail:
	shrinker_free(cache->shrinker);
	pcslab_cache_free(cache);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(pcslab_cache_create);

/**
 * pcslab_cache_destroy - drain and free a cache.
 * @cache: the cache; NULL or an ERR_PTR is a no-op.
 *
 * Every queued remote free is returned and every empty slab released.  If
 * objects are still in use, their number is reported with pr_err, their
 * slabs and the cache's bookkeeping are left allocated (a later free of
 * such an object still works and releases its slab once empty), and the
 * count is returned.  The name is free for reuse either way.
 *
 * Context: process context, may sleep.  No alloc may race with it.
 * Return: 0, or the number of objects still in use.
 */
unsigned long pcslab_cache_destroy(struct pcslab_cache *cache)
{
	unsigned long live = 0, slabs = 0;
	unsigned int cpu;

	if (IS_ERR_OR_NULL(cache))
		return 0;
	might_sleep();
	mutex_lock(&pcslab_caches_mutex);
	list_del(&cache->list);
	mutex_unlock(&pcslab_caches_mutex);
	pcslab_debugfs_remove(cache);
	shrinker_free(cache->shrinker);
	cache->shrinker = NULL;

	WRITE_ONCE(cache->dead, true);
	/* Senders that saw the cache alive have pushed and kicked by now. */
	synchronize_rcu();
	cancel_delayed_work_sync(&cache->idle_flush);
	wait_var_event(&cache->kicks_inflight,
		       !atomic_read(&cache->kicks_inflight));
	pcslab_shrink_cpus(cache, true);

	for_each_possible_cpu(cpu) {
		live += pcslab_stat_cpu(cache, PCSLAB_STAT_OBJECTS_IN_USE, cpu);
		slabs += pcslab_stat_cpu(cache, PCSLAB_STAT_SLABS, cpu);
	}
	if (live) {
		pr_err("pcslab: cache %s destroyed with %lu objects still in use; their %lu slabs stay allocated\n",
		       cache->name, live, slabs);
		kmemleak_not_leak(cache);
		return live;
	}
	pcslab_cache_free(cache);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_destroy);
