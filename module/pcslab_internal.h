/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab internals shared by the slab, remote queue, cache lifecycle and
 * debugfs files.  Not part of the public API.
 */
#ifndef _PCSLAB_INTERNAL_H
#define _PCSLAB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <pcslab.h>

#include "slab.h"
#include "remote.h"

/* ---- cache and its per-CPU state (cache.c) ---- */

enum pcslab_stat_item {
	PCSLAB_STAT_ALLOC,
	PCSLAB_STAT_ALLOC_SLOWPATH,
	PCSLAB_STAT_ALLOC_FAIL,
	PCSLAB_STAT_FREE_LOCAL,
	PCSLAB_STAT_FREE_REMOTE,
	PCSLAB_STAT_REMOTE_FULL,
	PCSLAB_STAT_DRAIN,
	PCSLAB_STAT_DRAINED_OBJECTS,
	PCSLAB_STAT_LEVEL_UP,
	PCSLAB_STAT_LEVEL_DOWN,
	PCSLAB_STAT_KICK,
	PCSLAB_STAT_IDLE_FLUSH,
	PCSLAB_STAT_SLAB_NEW,
	PCSLAB_STAT_SLAB_FREE,
	PCSLAB_STAT_INVALID_FREE,
	PCSLAB_STAT_DOUBLE_FREE,
	PCSLAB_STAT_POISON_CORRUPT,
	PCSLAB_NR_EVENT_STATS,
	/* gauges, computed from the per-CPU slab state when read */
	PCSLAB_STAT_OBJECTS_IN_USE = PCSLAB_NR_EVENT_STATS,
	PCSLAB_STAT_SLABS,
	PCSLAB_STAT_PENDING,
	PCSLAB_STAT_OUTBOX,
	PCSLAB_STAT_EMPTY_BYTES,
	PCSLAB_NR_STATS,
};

/* Their names as shown in debugfs "stats" (cache.c, checked against the enum). */
extern const char *const pcslab_stat_names[PCSLAB_NR_STATS];

/*
 * The outbox: remote frees wait on the freeing CPU, chained per owner, and
 * go to the owner's queue as one batch (outbox.c).  A few slots keyed by
 * owner CPU, so its size does not grow with the number of CPUs.
 */
#define PCSLAB_OUTBOX_SLOTS	4U
#define PCSLAB_OUTBOX_BATCH	16U	/* default objects per hand-off */
#define PCSLAB_OUTBOX_MAX_BATCH	64U

/**
 * struct pcslab_batch - remote frees for one owner, chained through the
 *	objects' llist links, newest first.
 * @first: newest object's link, or NULL when empty.
 * @last: oldest object's link (the chain's tail).
 * @owner: owner CPU of every object in the chain.
 * @n: objects in the chain, carried ones included (struct pcslab_carrier).
 */
struct pcslab_batch {
	struct llist_node *first;
	struct llist_node *last;
	unsigned int owner;
	unsigned int n;
};

/**
 * struct pcslab_carrier - a queued object that carries others.
 * @link: its llist link, as in any queued object.
 * @mark: its queued mark (pcslab_mark()), as in any queued object.
 * @nr: objects it carries, 0 to the cache's @carry: @carry from its
 *	start, and for the newest carrier of a batch its count once the
 *	batch is sent (pcslab_batch_seal()).
 * @objs: their addresses; the objects themselves are not touched by
 *	their freer, and their owner claims them when it puts them back
 *	(pcslab_claim_for(), pcslab_drain_carried()).
 *
 * Every step of a drain's walk along a chain is a miss on a line the
 * freer wrote last, and each waits for the one before it.  So in a cache
 * whose objects have room (@carry > 0: no hooks, at least four words),
 * a chain links carriers, not objects: the freer writes the addresses of
 * the @carry objects after the first one of each run into it, and the
 * owner takes one dependent step per carrier, reading the addresses from
 * a line it has just fetched (pcslab_batch_chain(), pcslab_drain_list()).
 * @carry is a power of two less one: a batch's count says where its next
 * object goes, with no count of the carrier's own to keep.  Everything
 * else about a queued object holds for each of them.
 */
struct pcslab_carrier {
	struct llist_node link;
	unsigned long mark;
	unsigned long nr;
	void *objs[];
};

/* A batch never needs more: the outbox sends at PCSLAB_OUTBOX_MAX_BATCH. */
#define PCSLAB_CARRY_MAX	(PCSLAB_OUTBOX_MAX_BATCH - 1)

/**
 * struct pcslab_cpu - one CPU's share of a cache.
 * @lock: protects everything from @partial to @stat, with interrupts
 *	off.  Biased to this CPU (see "the owner's lock" below): the owner
 *	takes it for real only while @shared is raised.
 * @shared: how many other CPUs are taking, or hold, @lock; while it is 0
 *	the owner's interrupt-off section is its lock.
 * @lock_taken: the owner took @lock for real in the section it is in
 *	(written and read by the owner only, inside its sections).
 * @partial: slabs with a free object: partly used ones first, empty ones
 *	(kept up to the reserve) moved to the tail.
 * @full: slabs with no free object.
 * @hot: the slab this CPU last allocated from or freed to, or
 *	%PCSLAB_NO_SLAB.  It is live and on this CPU's lists (cleared before
 *	a slab is released), so a free of a pointer inside it needs no
 *	further validation.
 * @warm: the slab that was @hot before, under the same rules: frees in
 *	an order other than allocation order alternate between two slabs.
 * @foreign: the last slab of another CPU this CPU validated for a free,
 *	or %PCSLAB_NO_SLAB; read without the lock.  Live: the release of a
 *	slab clears it in every CPU (pcslab_forget_foreign()), and a CPU
 *	that sets it checks the slab's tag again after (pcslab_free()), so
 *	frees of a run of objects from one remote slab validate it once.
 * @nr_slabs: slabs on both lists.
 * @nr_empty: slabs with every object free, but for the head (the first
 *	partial slab, which allocations take from): pcslab_nr_empty().
 * @head_empty: the head has every object free (it is not in @nr_empty).
 * @head_room: the head may empty where it is: no other partial slab is
 *	in use, and @nr_empty is below the reserve.  Both are recomputed by
 *	every slow path that moves a slab or counts one
 *	(pcslab_head_update()); the fast paths store @head_empty and only
 *	read @head_room, so that one object allocated and freed over and
 *	over touches no list and no count.
 * @empty_low: the lowest @nr_empty since the idle flush last trimmed
 *	this CPU: empty slabs above it stayed unused for a whole interval.
 * @nr_put_back: objects of other CPUs' frees put back into this CPU's
 *	slabs (by drains, and by late frees of a dead cache).  With the
 *	``alloc`` and ``free_local`` counters it gives the objects in use
 *	(pcslab_nr_inuse()), so the fast paths keep no count of their own.
 * @drain: adaptive policy state.
 * @cpu: the CPU this belongs to.
 * @cache: back pointer for the kick IPI.
 * @stat: event counters.  Owner-side events (see pcslab_stat_locked())
 *	are counted here by whoever holds @lock; freer-side events by the
 *	counting CPU in its own instance with this_cpu_inc().
 * @outbox_lock: protects @outbox.  Task context on this CPU takes it with
 *	interrupts on; interrupt context on this CPU only tries it (the task
 *	it interrupted may hold it) and on failure pushes its object onto
 *	the owner's queue at once; other CPUs take it with interrupts off
 *	to flush.  It never nests with @lock.
 * @outbox: this CPU's remote frees waiting to be handed to their owners,
 *	slot owner % %PCSLAB_OUTBOX_SLOTS.
 * @remote: objects freed by other CPUs; on its own cache line because
 *	remote freers write it while the owner works on the fields above.
 * @kick_scheduled: 1 from the moment a sender claims @kick until the kick
 *	function starts; only the sender that set it may queue @kick.
 * @kick: IPI (async call_single_data) that drains @remote on the owner
 *	when senders fill half of it.  The kernel requires its users to
 *	serialise every use of one csd: @kick_scheduled does that.
 */
struct pcslab_cpu {
	spinlock_t lock;	/* see kernel-doc above */
	atomic_t shared;
	bool lock_taken;
	struct list_head partial;
	struct pcslab_slab *hot;
	struct pcslab_slab *warm;
	struct pcslab_slab *foreign;
	unsigned long nr_put_back;
	struct pcslab_drain_state drain;
	unsigned long stat[PCSLAB_NR_EVENT_STATS];
	spinlock_t outbox_lock;	/* see kernel-doc above */
	struct pcslab_batch outbox[PCSLAB_OUTBOX_SLOTS];
	struct list_head full;
	unsigned int nr_slabs;
	unsigned int nr_empty;
	bool head_empty;
	bool head_room;
	unsigned int empty_low;
	unsigned int cpu;
	struct pcslab_cache *cache;
	struct pcslab_remote remote ____cacheline_aligned_in_smp;
	atomic_t kick_scheduled;
	call_single_data_t kick;
};

/**
 * struct pcslab_cache - a pcslab cache.
 * @name: name, also the debugfs directory name.
 * @geo: slab geometry.
 * @size: object size as requested (@geo.obj_size is the stride).
 * @flags: PCSLAB_* creation flags.
 * @ctor: constructor run on every object of a new slab, or NULL.
 * @fixed_level: drain level, or %PCSLAB_DRAIN_ADAPTIVE.
 * @queue_capacity: remote queue bound per CPU.
 * @outbox_batch: remote frees an outbox slot collects before it sends.
 * @carry: objects a queued object carries besides itself (struct
 *	pcslab_carrier); 0 for a cache with hooks or objects too small.
 * @mark_key: random key of the queued mark (pcslab_mark()).
 * @reserve: empty slabs an online CPU keeps (see %PCSLAB_RESERVE_OBJECTS);
 *	0 once destroyed.
 * @kasan: free objects are poisoned in KASAN's shadow (generic KASAN only).
 * @hooks: some per-object work is due on alloc and free (wipe, poison,
 *	KASAN, kmemleak), or the objects' words are all the user's (a
 *	constructor: no free tag, see pcslab_free_word_base()); decided once
 *	at create so that a cache without any pays one test per operation.
 * @dead: set by destroy; later frees bypass queues and kicks.
 * @remote_slow: @hooks or @dead: a remote free takes its slow path
 *	(pcslab_free_remote()); one test instead of two.
 * @kicks_inflight: kick IPIs sent and not yet finished (destroy waits on
 *	it with wait_var_event()).
 * @cpu: per-CPU state, counters included.
 * @idle_flush: drains queues whose owner stopped allocating.
 * @idle_flush_ms: its delay: the idle_flush_ms module parameter at create.
 * @shrinker: releases empty slabs and stranded queues under pressure.
 * @list: link in the global cache list (hotplug, slabinfo).
 * @debugfs: this cache's debugfs directory.
 * @reported: bit per error kind already reported (report once per cache).
 */
struct pcslab_cache {
	const char *name;
	struct pcslab_geometry geo;
	unsigned int size;
	unsigned int flags;
	void (*ctor)(void *obj);
	unsigned int fixed_level;
	unsigned int queue_capacity;
	unsigned int outbox_batch;
	unsigned int carry;
	unsigned long mark_key;
	unsigned int reserve;
	bool kasan;
	bool hooks;
	bool dead;
	bool remote_slow;
	atomic_t kicks_inflight;
	struct pcslab_cpu __percpu *cpu;
	struct delayed_work idle_flush;
	unsigned int idle_flush_ms;
	struct shrinker *shrinker;
	struct list_head list;
	struct dentry *debugfs;
	unsigned long reported;
};

/*
 * Empty slabs an online CPU keeps to absorb alloc/free churn: enough for
 * PCSLAB_RESERVE_OBJECTS objects, at least one slab and at most
 * PCSLAB_RESERVE_MAX_SLABS (SLUB keeps 6-120 objects per CPU and 5-10
 * partial slabs per node).  More empty slabs than that are released
 * lazily, by the idle flush, the shrinker or pcslab_cache_shrink().
 */
#define PCSLAB_RESERVE_OBJECTS		256U
#define PCSLAB_RESERVE_MAX_SLABS	4U
/* Delay after the first queued remote free before an idle owner is flushed. */
#define PCSLAB_IDLE_FLUSH_MS	100U
#define PCSLAB_IDLE_FLUSH_MAX_MS	60000U
extern unsigned int pcslab_idle_flush_ms;

extern atomic_long_t pcslab_pages;
extern struct mutex pcslab_caches_mutex;
extern struct list_head pcslab_caches;

/* ---- the owner's lock on the hot paths ---- */

/*
 * spin_lock() is an out-of-line call (the kernel inlines it only with
 * CONFIG_INLINE_SPIN_LOCK); every alloc and free takes a lock once, so
 * the hot paths use the same code inline: the kernel's own lock and
 * lockdep annotations.  Every caller already has preemption (or
 * interrupts) off, so the preempt count the kernel's form adds would be
 * counted twice: these leave it alone.  Where spinlock_t is not a raw
 * spinlock underneath (PREEMPT_RT), the inline form does not exist (UP,
 * GENERIC_LOCKBREAK) or calls what modules cannot (DEBUG_SPINLOCK's
 * do_raw_spin_lock()), the plain calls.
 */
/* for sparse: @lock is held when @try_fn(@lock) returns true */
#define pcslab_cond_lock(try_fn, lock) ({				\
	spinlock_t *__pcslab_lock = (lock);				\
	__cond_lock(__pcslab_lock, try_fn(__pcslab_lock));		\
})

#if defined(CONFIG_SMP) && !defined(CONFIG_PREEMPT_RT) && \
	!defined(CONFIG_GENERIC_LOCKBREAK) && !defined(CONFIG_DEBUG_SPINLOCK)
static __always_inline void pcslab_spin_lock(spinlock_t *lock)
	__acquires(lock)
{
	spin_acquire(&lock->rlock.dep_map, 0, 0, _RET_IP_);
	LOCK_CONTENDED(&lock->rlock, do_raw_spin_trylock, do_raw_spin_lock);
}

static __always_inline bool __pcslab_spin_trylock(spinlock_t *lock)
{
	if (!do_raw_spin_trylock(&lock->rlock))
		return false;
	spin_acquire(&lock->rlock.dep_map, 0, 1, _RET_IP_);
	return true;
}

#define pcslab_spin_trylock(lock) pcslab_cond_lock(__pcslab_spin_trylock, lock)

static __always_inline void pcslab_spin_unlock(spinlock_t *lock)
	__releases(lock)
{
	spin_release(&lock->rlock.dep_map, _RET_IP_);
	do_raw_spin_unlock(&lock->rlock);
}
#else
#define pcslab_spin_lock(lock)		spin_lock(lock)
#define pcslab_spin_trylock(lock)	spin_trylock(lock)
#define pcslab_spin_unlock(lock)	spin_unlock(lock)
#endif

/*
 * The uncontended case of pcslab_spin_lock(), for fast paths that leave
 * a busy lock to a slow path of their own: true if taken.  The lock's
 * own slow path is a call, and a call with values live across it makes
 * the compiler save registers on every path through the function; a
 * fast path whose every call is a tail call saves none.  For a queued
 * spinlock it is the one exchange queued_spin_lock() starts with (the
 * trylock reads the lock first).
 */
#if defined(CONFIG_SMP) && !defined(CONFIG_PREEMPT_RT) && \
	!defined(CONFIG_GENERIC_LOCKBREAK) && !defined(CONFIG_DEBUG_SPINLOCK) && \
	defined(CONFIG_QUEUED_SPINLOCKS)
static __always_inline bool __pcslab_spin_lock_fast(spinlock_t *lock)
{
	int val = 0;

	if (unlikely(!atomic_try_cmpxchg_acquire(&lock->rlock.raw_lock.val,
						 &val, _Q_LOCKED_VAL)))
		return false;
	spin_acquire(&lock->rlock.dep_map, 0, 0, _RET_IP_);
	return true;
}

#define pcslab_spin_lock_fast(lock) \
	pcslab_cond_lock(__pcslab_spin_lock_fast, lock)
#else
#define pcslab_spin_lock_fast(lock)	pcslab_spin_trylock(lock)
#endif

/*
 * The owner's lock, biased to its CPU.
 *
 * Every allocation and local free takes its CPU's lock, and a locked
 * instruction there is a full fence: it waits for every store the CPU
 * has in flight, and on real cores that was half the time of a
 * producer/consumer pair (Documentation/performance.rst).  So the owner,
 * on its own CPU with interrupts off, only reads @shared: while it is 0,
 * no other CPU may touch the state, and the interrupt-off section is the
 * lock (lockdep still sees @lock taken).  Another CPU that needs the
 * state (pcslab_foreign_lock()):
 *
 *   1. raises @shared, with a full barrier;
 *   2. makes sure the owner sees it: an IPI to the owner, waited for.  It
 *      runs between two of the owner's sections (they have interrupts
 *      off) and is a full barrier there, so every later section reads
 *      @shared raised and takes @lock for real;
 *   3. takes @lock, which now excludes the owner too;
 *   4. drops @lock, then lowers @shared.
 *
 * Step 2 waits for another CPU, which only task context with interrupts
 * on may do, and only if it holds nothing the owner could spin on with
 * interrupts off: pcslab's own reclaim, drain, setter and destroy paths.
 * With the CPU hotplug lock held, an offline owner runs no section and
 * needs no IPI.  The frees that run in any context never take another
 * online CPU's lock: they push onto its queue, past capacity if need be
 * (outbox.c).  After destroy, whose step 2 covers every CPU at once and
 * leaves @shared raised for good, late frees take @lock directly.
 */
#ifndef pcslab_lock_acquired	/* the userspace harness has its own */
#if defined(CONFIG_DEBUG_LOCK_ALLOC) && !defined(CONFIG_PREEMPT_RT)
/* lockdep's view of @lock, for a section that does not touch it */
#define pcslab_lock_acquired(lock) \
	spin_acquire(&(lock)->rlock.dep_map, 0, 0, _RET_IP_)
#define pcslab_lock_released(lock) \
	spin_release(&(lock)->rlock.dep_map, _RET_IP_)
#else
#define pcslab_lock_acquired(lock)	((void)(lock))
#define pcslab_lock_released(lock)	((void)(lock))
#endif
#endif

/*
 * The owner's section on its own CPU, interrupts off: true if the lock
 * is its alone (no other CPU shares it).  On false the caller takes the
 * real lock, pcslab_owner_lock_shared(), on a path of its own (see
 * __pcslab_spin_lock_fast() for why a slow path is a separate call).
 */
static __always_inline bool __pcslab_owner_lock_fast(struct pcslab_cpu *pc)
{
	/* acquire: pairs with pcslab_foreign_unlock()'s release */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) ||
	    unlikely(atomic_read_acquire(&pc->shared)))
		return false;
	pcslab_lock_acquired(&pc->lock);
	return true;
}

#define pcslab_owner_lock_fast(pc) ({					\
	struct pcslab_cpu *__pcslab_pc = (pc);				\
	__cond_lock(&__pcslab_pc->lock, __pcslab_owner_lock_fast(__pcslab_pc)); \
})

/* The owner's section while another CPU shares its lock. */
static __always_inline void pcslab_owner_lock_shared(struct pcslab_cpu *pc)
	__acquires(&pc->lock)
{
	pcslab_spin_lock(&pc->lock);
	pc->lock_taken = true;
}

/* Either; on the owner's CPU, interrupts off. */
static __always_inline void pcslab_owner_lock(struct pcslab_cpu *pc)
	__acquires(&pc->lock)
{
	if (!pcslab_owner_lock_fast(pc))
		pcslab_owner_lock_shared(pc);
}

/* The end of a section pcslab_owner_lock_fast() opened: lockdep's only. */
static __always_inline void pcslab_owner_unlock_fast(struct pcslab_cpu *pc)
	__releases(&pc->lock)
{
	pcslab_lock_released(&pc->lock);
	__release(&pc->lock);
}

static __always_inline void pcslab_owner_unlock(struct pcslab_cpu *pc)
	__releases(&pc->lock)
{
	if (unlikely(pc->lock_taken)) {
		pc->lock_taken = false;
		pcslab_spin_unlock(&pc->lock);
		return;
	}
	pcslab_owner_unlock_fast(pc);
}

void pcslab_foreign_lock(struct pcslab_cpu *pc, unsigned long *flags)
	__acquires(&pc->lock);
void pcslab_foreign_unlock(struct pcslab_cpu *pc, unsigned long flags)
	__releases(&pc->lock);
void pcslab_share_all(struct pcslab_cache *cache);

/*
 * Lock the current CPU's state: interrupts off first, so that the CPU
 * read is the one the section runs on.
 */
static __always_inline struct pcslab_cpu *
pcslab_lock_this_cpu(struct pcslab_cache *cache, unsigned long *flags)
{
	struct pcslab_cpu *pc;

	local_irq_save(*flags);
	pc = this_cpu_ptr(cache->cpu);
	pcslab_owner_lock(pc);
	return pc;
}

static __always_inline void pcslab_unlock_cpu(struct pcslab_cpu *pc,
					      unsigned long flags)
{
	pcslab_owner_unlock(pc);
	local_irq_restore(flags);
}

/*
 * pcslab_unlock_cpu() of a section that pcslab_owner_lock_fast() opened
 * and nothing in it shared: @lock_taken is false there (interrupts off
 * on the owner, no section nests), so only the release lockdep sees.
 * The allocation's and the local free's fast paths; one test less each.
 */
static __always_inline void pcslab_unlock_cpu_fast(struct pcslab_cpu *pc,
						   unsigned long flags)
	__releases(&pc->lock)
{
	pcslab_owner_unlock_fast(pc);
	local_irq_restore(flags);
}

/*
 * Empty slabs of @pc, the head's included (struct pcslab_cpu).  Under the
 * lock, or racy (the statistics, the shrinker's count).
 */
static inline unsigned int pcslab_nr_empty(const struct pcslab_cpu *pc)
{
	/* racy for a reader without the lock: an estimate, as the stats */
	return data_race(pc->nr_empty) + data_race(pc->head_empty);
}

/*
 * The head slab of @pc filled, moved behind or was released: the next
 * one, if any, is the head now, and if it is empty it leaves @nr_empty
 * (the idle flush's low-water mark follows, pcslab_idle_trim_cpu()).
 * Lock held; pcslab_head_update() follows.
 */
static __always_inline void pcslab_head_left(struct pcslab_cpu *pc)
{
	if (!list_empty(&pc->partial) &&
	    pcslab_slab_empty(list_first_entry(&pc->partial,
					       struct pcslab_slab, list)) &&
	    --pc->nr_empty < pc->empty_low)
		pc->empty_low = pc->nr_empty;
}

/*
 * A slab is about to go first on @pc's partial list: the head it puts
 * behind it joins @nr_empty if it is empty.  Lock held;
 * pcslab_head_update() follows.
 */
static __always_inline void pcslab_head_displaced(struct pcslab_cpu *pc)
{
	if (pc->head_empty)
		pc->nr_empty++;
	pc->head_empty = false;
}

/*
 * Objects were just taken from @slab, @pc's head: it is in use now, or
 * full and moved to the full list (then the caller, once done taking,
 * calls pcslab_head_update()).  Lock held.
 *
 * Return: true if @slab filled.
 */
static __always_inline bool pcslab_head_taken(struct pcslab_cpu *pc,
					      struct pcslab_slab *slab)
{
	if (likely(slab->nr_free)) {
		pc->head_empty = false;
		return false;
	}
	list_move(&slab->list, &pc->full);
	pcslab_head_left(pc);
	return true;
}

/*
 * The slab an allocation takes from: the head, the first partial slab
 * (slabs in use come first, then the empty ones, newest first: see
 * pcslab_slab_relist_locked()).  The caller takes from it, then calls
 * pcslab_head_taken().
 *
 * Return: the slab, or NULL if @pc has no partial slab.
 */
static __always_inline struct pcslab_slab *
pcslab_pick_slab_locked(struct pcslab_cpu *pc)
{
	lockdep_assert_held(&pc->lock);
	/* not list_first_entry_or_null(): its entry is never NULL, no test */
	if (unlikely(list_empty(&pc->partial)))
		return NULL;
	return list_first_entry(&pc->partial, struct pcslab_slab, list);
}

/*
 * What @hot and @warm of struct pcslab_cpu hold when they name no slab:
 * not NULL, which is the base pcslab_slab_base() gives a small bogus
 * pointer, but an address no slab base (page aligned) can equal.
 */
#define PCSLAB_NO_SLAB	((struct pcslab_slab *)1UL)

/*
 * @slab, live and on @pc's lists, becomes @pc->hot; the previous one
 * stays @pc->warm.
 */
static __always_inline void pcslab_set_hot(struct pcslab_cpu *pc,
					   struct pcslab_slab *slab)
{
	lockdep_assert_held(&pc->lock);
	if (pc->hot != slab) {
		pc->warm = pc->hot;
		pc->hot = slab;
	}
}

/* ---- counters ---- */

/*
 * Owner-side event: the caller holds @pc->lock (interrupts off), which
 * serialises every writer of this counter.
 */
static __always_inline void pcslab_stat_locked(struct pcslab_cpu *pc,
					       enum pcslab_stat_item item)
{
	pc->stat[item]++;
}

/*
 * Objects of @pc's slabs not free in their bitmap (in use, or on their
 * way back from another CPU): every allocation counts ``alloc`` and every
 * local free ``free_local``, both owner-side, and the objects of remote
 * frees put back count @nr_put_back.  Exact under the lock; racy
 * otherwise, read frees first (a free of an object follows its
 * allocation), and never below 0.
 */
static inline unsigned long pcslab_nr_inuse(const struct pcslab_cpu *pc)
{
	/* racy for a reader without the lock, see above */
	unsigned long gone = data_race(pc->stat[PCSLAB_STAT_FREE_LOCAL]) +
			     data_race(pc->nr_put_back); /* racy, above */
	unsigned long made;

	barrier();
	made = data_race(pc->stat[PCSLAB_STAT_ALLOC]); /* racy, above */
	return (long)(made - gone) > 0 ? made - gone : 0;
}

/* Freer-side event, counted on the current CPU without a lock. */
static __always_inline void pcslab_stat(struct pcslab_cache *cache,
					enum pcslab_stat_item item)
{
	this_cpu_inc(cache->cpu->stat[item]);
}

/* Freer-side events, @n at once. */
static __always_inline void pcslab_stat_add(struct pcslab_cache *cache,
					    enum pcslab_stat_item item,
					    unsigned long n)
{
	this_cpu_add(cache->cpu->stat[item], n);
}

/* ---- the queued mark ---- */

/*
 * An object freed on a CPU other than its owner is not free in its bitmap
 * until the owner drains it; meanwhile its first word is the llist link
 * and its second word the queued mark, the object's address xor a random
 * per-cache key.  The mark is what catches a second free of an object on
 * its way back, without any write to memory the owner shares: it lives in
 * the object, which the freer owns.  A user's data matches it with
 * probability 2^-64.
 */
#define PCSLAB_QUEUED_KEEP	(2 * sizeof(void *))	/* link + mark */

static __always_inline unsigned long *pcslab_mark_word(void *obj)
{
	return (unsigned long *)obj + 1;
}

static __always_inline unsigned long pcslab_mark(const struct pcslab_cache *cache,
						 const void *obj)
{
	return (unsigned long)obj ^ cache->mark_key;
}

/*
 * In a cache without hooks the mark word of a free object holds the free
 * tag, the mark with its lowest bit flipped (the key is odd and objects
 * are aligned, so the mark's lowest bit is set): a remote freer tells a
 * free object from one in use by the object alone, without reading the
 * bitmap, whose line the owner writes on every allocation.  Every free
 * of the owner's and every drain writes it, a new slab's objects get it,
 * and pcslab_alloc() clears it.  The bulk allocation leaves it (it does
 * not touch the objects it hands out), so a tag is only a hint: the free
 * bit decides (pcslab_claim_tagged()).  A cache with hooks keeps its free
 * objects wiped or poisoned instead and asks the bitmap first.
 */
#define PCSLAB_FREE_TAG_BIT	1UL

static __always_inline unsigned long
pcslab_free_tag_key(unsigned long mark_key, const void *obj)
{
	return (unsigned long)obj ^ mark_key ^ PCSLAB_FREE_TAG_BIT;
}

/* An allocation's end of the tag: the object no longer looks free. */
static __always_inline void pcslab_clear_free_tag(void *obj)
{
	WRITE_ONCE(*pcslab_mark_word(obj), 0);
}

/*
 * What the mark word of an object that is free again holds,
 * pcslab_free_word(pcslab_free_word_base(cache, hooks), obj, hooks): for
 * a cache without hooks the free tag, otherwise the wipe's pattern.
 * @hooks is a constant in the callers' loops, which keep the base in a
 * register.
 */
static __always_inline unsigned long
pcslab_free_word_base(const struct pcslab_cache *cache, bool hooks)
{
	if (!hooks)
		return cache->mark_key ^ PCSLAB_FREE_TAG_BIT;
	return cache->flags & PCSLAB_POISON ?
		(ULONG_MAX / 0xff) * PCSLAB_POISON_BYTE : 0;
}

static __always_inline unsigned long
pcslab_free_word(unsigned long base, const void *obj, bool hooks)
{
	return hooks ? base : (unsigned long)obj ^ base;
}

/*
 * Is @obj (in use in its bitmap) marked as queued?  Racy by design: a
 * free racing this one at the same instant may not be seen yet.  The _key
 * form is for loops that keep the cache's mark key in a register.
 */
static __always_inline bool pcslab_is_marked_key(unsigned long mark_key,
						 void *obj)
{
	/* a freer may be exchanging the mark in: racy on purpose, see above */
	return data_race(READ_ONCE(*pcslab_mark_word(obj))) ==
	       ((unsigned long)obj ^ mark_key);
}

static __always_inline bool pcslab_is_marked(const struct pcslab_cache *cache,
					     void *obj)
{
	return pcslab_is_marked_key(cache->mark_key, obj);
}

/* ---- per-object debug work (wipe, poison, KASAN) ---- */

#ifdef CONFIG_KASAN_GENERIC
/* Exported (GPL) by mm/kasan, declared only in its private header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#define PCSLAB_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE: "use-after-free" */

/*
 * Free objects are poisoned from @from to the end so that KASAN reports a
 * use after free; a queued object keeps its first word (the llist link)
 * accessible until the drain takes it off the queue.
 */
static inline void pcslab_kasan_poison(struct pcslab_cache *cache, void *obj,
				       size_t from)
{
	if (cache->kasan)
		kasan_poison(obj + from, cache->geo.obj_size - from,
			     PCSLAB_KASAN_FREE, false);
}

static inline void pcslab_kasan_unpoison(struct pcslab_cache *cache, void *obj)
{
	if (cache->kasan)
		kasan_poison(obj, cache->geo.obj_size, 0, false);
}
#else
static inline void pcslab_kasan_poison(struct pcslab_cache *cache, void *obj,
				       size_t from) { }
static inline void pcslab_kasan_unpoison(struct pcslab_cache *cache, void *obj) { }
#endif

/* Make @len bytes of a freed object look the way this cache wants. */
static inline void pcslab_wipe(struct pcslab_cache *cache, void *obj, size_t len)
{
	if (cache->flags & PCSLAB_ZERO_ON_FREE)
		memset(obj, 0, len);
	else if (cache->flags & PCSLAB_POISON)
		memset(obj, PCSLAB_POISON_BYTE, len);
}

/* ---- errors (report.c) ---- */

void pcslab_report_error(struct pcslab_cache *cache,
			 enum pcslab_stat_item kind, const void *obj);

/* ---- per-object debug work (debug.c), for caches with @hooks ---- */

noinline void pcslab_prepare_object(struct pcslab_cache *cache, void *obj,
				    gfp_t gfp);
noinline void pcslab_free_hooks(struct pcslab_cache *cache, void *obj,
				size_t keep);

/* ---- remote frees on the freeing CPU (outbox.c) ---- */

/*
 * Objects a link @node of a sent chain (in @cache's queues) stands for:
 * itself and what it carries.
 */
static __always_inline unsigned int
pcslab_link_objects(const struct pcslab_cache *cache, struct llist_node *node)
{
	if (!cache->carry)
		return 1;
	return 1 + ((struct pcslab_carrier *)node)->nr;
}

/* pcslab_batch_chain() with @b's count @n already in hand. */
static __always_inline void __pcslab_batch_chain(struct pcslab_batch *b,
						 void *obj, unsigned int carry,
						 unsigned int n)
{
	/* loaded before the stores to @obj, which may alias anything */
	struct llist_node *node = obj, *first = b->first;
	unsigned int k = n & carry;

	b->n = n + 1;
	if (k) {
		((struct pcslab_carrier *)first)->objs[k - 1] = obj;
		return;
	}
	if (carry)
		((struct pcslab_carrier *)obj)->nr = carry;
	node->next = first;
	b->first = node;
	if (!n)
		b->last = node;
}

/**
 * pcslab_batch_chain - add an object to a batch.
 * @b: the batch, for the object's owner.
 * @obj: the object, claimed if it becomes a link (pcslab_claim_for()):
 *	carried by the batch's newest carrier if that has room (the batch's
 *	count says so), else a link of its own, and then a carrier if the
 *	cache has them.
 * @carry: the cache's @carry, 0 or a power of two less one.
 *
 * A new carrier is marked full (@carry): only the newest one may not be,
 * and pcslab_batch_seal() writes its count when the batch goes.
 */
static __always_inline void pcslab_batch_chain(struct pcslab_batch *b,
					       void *obj, unsigned int carry)
{
	__pcslab_batch_chain(b, obj, carry, b->n);
}

/* A batch is about to go: its newest carrier's count, in the carrier. */
static __always_inline void pcslab_batch_seal(struct pcslab_batch *b,
					      unsigned int carry)
{
	if (carry && b->n)
		((struct pcslab_carrier *)b->first)->nr = (b->n - 1) & carry;
}

void pcslab_batch_send(struct pcslab_cache *cache, struct pcslab_batch *b);
unsigned int pcslab_outbox_flush_cpu(struct pcslab_cache *cache,
				     unsigned int cpu);
unsigned long pcslab_outbox_flush_all(struct pcslab_cache *cache);
unsigned int pcslab_outbox_count(struct pcslab_cpu *pc);
void pcslab_kick_fn(void *info);

/* ---- growth (grow.c) ---- */

void *pcslab_alloc_new_slab(struct pcslab_cache *cache, gfp_t gfp);
#if IS_ENABLED(CONFIG_KUNIT)
struct page *pcslab_alloc_slab_pages(struct pcslab_cache *cache, gfp_t gfp);
#endif

/* ---- reclaim (reclaim.c) ---- */

/* Empty slabs @pc keeps: none once offline or dead. */
static inline unsigned int pcslab_reserve(struct pcslab_cache *cache,
					  struct pcslab_cpu *pc)
{
	if (READ_ONCE(cache->dead) || !cpu_online(pc->cpu))
		return 0;
	return READ_ONCE(cache->reserve);
}

/*
 * pcslab_reserve() for the CPU that runs: online, so only a dead cache
 * matters, and destroy sets the reserve to 0 before it marks the cache
 * dead (a late free releases the slab it empties).
 */
static inline unsigned int pcslab_local_reserve(struct pcslab_cache *cache)
{
	return READ_ONCE(cache->reserve);
}

void pcslab_free_slab_pages(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			    struct pcslab_slab *slab);
void pcslab_head_update(struct pcslab_cpu *pc, unsigned int reserve);
unsigned int pcslab_trim_locked(struct pcslab_cache *cache,
				struct pcslab_cpu *pc, unsigned int keep);
unsigned int __pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu);
unsigned int pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu);
unsigned long pcslab_shrink_cpus(struct pcslab_cache *cache, bool all);

/*
 * The first remote free into an empty outbox slot or queue, or a CPU's
 * empty slabs passing its reserve, schedules the idle flush.  While it is
 * pending this is one read of a line nobody writes.  The caller changed
 * the outbox, queue or lists before: a flush that has already cleared
 * pending (with a full barrier) takes the lock after that change or is
 * seen here as not pending.
 *
 * Start it unless it is pending already; reclaim.c runs it.
 */
static inline void pcslab_arm_idle_flush(struct pcslab_cache *cache)
{
	if (delayed_work_pending(&cache->idle_flush))
		return;
	queue_delayed_work(system_wq, &cache->idle_flush,
			   msecs_to_jiffies(READ_ONCE(cache->idle_flush_ms)));
}

void pcslab_idle_flush_fn(struct work_struct *work);
void pcslab_shrinker_init(struct pcslab_cache *cache);

/* ---- hotplug (hotplug.c) ---- */

int pcslab_hotplug_init(void);
void pcslab_hotplug_exit(void);

/* ---- statistics and tuning (cache.c) ---- */

unsigned long pcslab_stat_cpu(struct pcslab_cache *cache,
			      enum pcslab_stat_item item, unsigned int cpu);
unsigned long pcslab_stat_sum(struct pcslab_cache *cache,
			      enum pcslab_stat_item item);
void pcslab_cpu_snapshot(struct pcslab_cache *cache, unsigned int cpu,
			 unsigned int *level, unsigned int *pending,
			 unsigned int *cooldown, unsigned int *outbox);
int pcslab_cache_set_outbox_batch(struct pcslab_cache *cache,
				  unsigned int batch);

/* ---- debugfs (debugfs.c) ---- */

void pcslab_debugfs_init(void);
void pcslab_debugfs_exit(void);
void pcslab_debugfs_add(struct pcslab_cache *cache);
void pcslab_debugfs_remove(struct pcslab_cache *cache);

/* ---- for the bench and soak modules ---- */

/*
 * Exported for the project's bench and soak modules, which include this
 * header; a client module reads the same figures in debugfs.
 */
long pcslab_cache_stat(struct pcslab_cache *cache, const char *name, int cpu);
int pcslab_cache_cpu_level(struct pcslab_cache *cache, unsigned int cpu,
			   unsigned int *level, unsigned int *pending);
unsigned int pcslab_cache_slab_pages(const struct pcslab_cache *cache);

/* ---- debugfs parsers (parse.c) ---- */

int pcslab_parse_uint(const char *buf, size_t len, unsigned int max,
		      unsigned int *val);
int pcslab_parse_policy(const char *buf, size_t len, unsigned int *level);

#endif /* _PCSLAB_INTERNAL_H */
