// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab remote frees on the freeing CPU: claim, outbox, hand-off, kick
 * (the claim and the outbox add are inline, in outbox.h).
 *
 * A free on a CPU that does not own the object's slab touches no memory
 * the owner writes:
 *
 *   1. outbox    the object is chained, under this CPU's own lock, into
 *                this CPU's outbox slot for the owner (slot = owner % 4):
 *                in a cache without hooks, its address written into the
 *                chain's newest object if that has room (a carrier,
 *                struct pcslab_carrier), so that the owner's walk takes
 *                one dependent miss per carrier, not one per object;
 *   2. claim     an object that becomes a link of the chain (a carrier,
 *                or every object where there are none) is marked queued
 *                in its own second word, an xchg on a line the freer
 *                writes anyway; what it replaces tells a free object (the
 *                free tag) from one in use, without a look at the owner's
 *                bitmap (pcslab_claim()).  A carried object is not
 *                touched: the owner claims it when it puts it back;
 *   3. hand-off  when the slot holds outbox_batch objects, or another owner
 *                needs the slot, the chain goes to the owner's remote queue
 *                with one llist_add_batch() and one pending update;
 *   4. kick      a hand-off that fills the queue past half its capacity
 *                sends the owner an IPI to drain it.
 *
 * No free takes another CPU's lock or waits for one, so that the owner's
 * lock can be biased to the owner (pcslab_internal.h): a hand-off that
 * finds the queue at capacity goes in past it (counted as remote_full,
 * the owner kicked), and one for an offline owner waits in its queue for
 * the idle flush.  Only the objects of a dead cache go back directly,
 * under the owner's lock.  Nothing waits in an outbox for long: the first object
 * of a slot arms the idle flush, and every path that drains queues
 * (pcslab_cache_drain(), the shrinker, pcslab_cache_shrink(), destroy, CPU
 * dead) empties every outbox first (pcslab_outbox_flush_all()).
 *
 * Context: any, hardirq included.  The outbox is changed with interrupts
 * off under its CPU's lock, the one its allocations take; a flush from
 * another CPU takes that lock.  Batches are sent after the lock is
 * dropped, so no path holds two CPUs' locks.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/atomic.h>
#include <linux/irqflags.h>
#include <linux/llist.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"
#include "drain.h"
#include "outbox.h"
#include "pcslab_trace.h"

/**
 * pcslab_claim_checked - pcslab_claim() for a cache with hooks.
 * @cache: the cache.
 * @slab: the object's slab (validated).
 * @idx: the object's slot.
 * @obj: the object.
 *
 * A free slot is reported without touching the object (KASAN has it
 * poisoned).  Otherwise the mark is exchanged in as without hooks, and
 * the free bit read again after the exchange (a full barrier): the drain
 * sets the bit before it replaces the mark, so a second free that comes
 * after the mark was replaced sees the slot free.
 *
 * Return: true if the object is claimed; false if reported.
 */
noinline bool pcslab_claim_checked(struct pcslab_cache *cache,
				   struct pcslab_slab *slab, unsigned int idx,
				   void *obj)
{
	unsigned long mark = pcslab_mark(cache, obj);

	if (pcslab_slab_is_free_racy(slab, idx))
		goto double_free;
	if (xchg(pcslab_mark_word(obj), mark) == mark)
		goto double_free;	/* queued already: the mark stays */
	if (pcslab_slab_is_free_racy(slab, idx)) {
		/* drained and free meanwhile: take our mark back */
		cmpxchg(pcslab_mark_word(obj), mark,
			pcslab_free_word_base(cache, true));
		goto double_free;
	}
	return true;

double_free:
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	return false;
}

/**
 * pcslab_claim_tagged - the rare outcomes of pcslab_claim()'s exchange.
 * @cache: the cache (without hooks).
 * @slab: the object's slab (validated).
 * @idx: the object's slot.
 * @obj: the object, whose mark word now holds the mark.
 * @old: what the exchange found there: the mark or the free tag.
 *
 * The mark: the object is queued already (a double free; the mark stays).
 * The free tag: the object is free, or was handed out by a bulk
 * allocation, which leaves the tag; the free bit decides.  It is read
 * after the exchange (a full barrier), and whoever wrote the tag set the
 * bit before (release order), so a free slot reads free.  Such a double
 * free gets the tag back, unless the owner has allocated the object
 * meanwhile (then the cmpxchg finds its cleared word and leaves it).
 *
 * Return: true if the object is claimed; false if reported.
 */
noinline bool pcslab_claim_tagged(struct pcslab_cache *cache,
				  struct pcslab_slab *slab, unsigned int idx,
				  void *obj, unsigned long old)
{
	unsigned long mark = pcslab_mark(cache, obj);

	if (old != mark) {
		if (!pcslab_slab_is_free_racy(slab, idx))
			return true;	/* in use: a tag left by a bulk allocation */
		cmpxchg(pcslab_mark_word(obj), mark, old);
	}
	pcslab_report_error(cache, PCSLAB_STAT_DOUBLE_FREE, obj);
	return false;
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

/**
 * pcslab_kick_fn - the kick IPI, on the owner: drain its queue.
 * @info: the owner's struct pcslab_cpu.
 */
void pcslab_kick_fn(void *info)
{
	struct pcslab_cpu *pc = info;
	struct pcslab_cache *cache = pc->cache;

	/*
	 * The csd was unlocked before this call; clearing the flag first lets
	 * a push that lands during the drain below kick again.
	 */
	atomic_set(&pc->kick_scheduled, 0);
	/*
	 * Drain only: slabs that empty stay on the lists for the idle flush
	 * to trim.  Trimming here released slabs the owner needed again a
	 * moment later (slab_new at 0.25 % of allocations in make run).
	 */
	lockdep_assert_irqs_disabled();	/* an IPI, on the owner */
	pcslab_owner_lock(pc);
	pcslab_drain_locked(cache, pc);
	pcslab_owner_unlock(pc);
	/* Last touch of the cache: destroy may free it right after. */
	pcslab_kick_done(cache);
}

/*
 * A batch for a dead cache goes back to its slabs here, under the owner's
 * lock: destroy raised every CPU's @shared for good and waited for each
 * to see it, so the lock excludes the owner too (a late local free).
 */
static void pcslab_batch_put_back(struct pcslab_cache *cache,
				  struct pcslab_cpu *pc, struct pcslab_batch *b)
{
	unsigned long flags;

	b->last->next = NULL;
	spin_lock_irqsave(&pc->lock, flags);
	pcslab_put_chain_locked(cache, pc, b->first);
	spin_unlock_irqrestore(&pc->lock, flags);
}

/**
 * pcslab_batch_send - hand a batch to its owner, and empty it.
 * @cache: the cache.
 * @b: the batch (may be empty).
 *
 * One push onto the owner's queue.  A push that finds the queue at
 * capacity goes in all the same (counted as ``remote_full``): the owner
 * has been kicked at half capacity already and is kicked again, and no
 * free waits for another CPU or takes its lock, whatever its context.
 * An offline owner's queue is drained by the idle flush, which the first
 * push arms (and by the owner when it is back).  Only a dead cache's
 * objects go back directly.  The objects were counted (``free_remote``)
 * when they were claimed.  Preemption must be off.
 */
void pcslab_batch_send(struct pcslab_cache *cache, struct pcslab_batch *b)
{
	struct pcslab_cpu *pc;
	unsigned int capacity;
	bool first;
	int depth;

	if (!b->n)
		return;
	pcslab_batch_seal(b, cache->carry);
	pc = per_cpu_ptr(cache->cpu, b->owner);
	/* a dead cache must not get kicks or work queued */
	if (unlikely(READ_ONCE(cache->dead))) {
		pcslab_batch_put_back(cache, pc, b);
		goto out;
	}
	capacity = READ_ONCE(cache->queue_capacity);
	depth = pcslab_remote_push_chain(&pc->remote, b->first, b->last, b->n,
					 &first);
	if (unlikely((unsigned int)depth > capacity)) {
		/* past capacity: never fail, never wait; in all the same */
		pcslab_stat_add(cache, PCSLAB_STAT_REMOTE_FULL, b->n);
		trace_pcslab_remote_full(cache->name, pc->cpu, capacity);
	}
	if (depth >= pcslab_kick_threshold(capacity))
		pcslab_kick(cache, pc, depth);
	if (first)
		pcslab_arm_idle_flush(cache);
out:
	b->first = NULL;
	b->last = NULL;
	b->n = 0;
}

/* Move a slot's chain to @out and empty the slot.  Its outbox lock held. */
static void pcslab_outbox_take(struct pcslab_batch *slot,
			       struct pcslab_batch *out)
{
	*out = *slot;
	slot->first = NULL;
	slot->last = NULL;
	slot->n = 0;
}

/*
 * Hand @obj to its owner's queue at once, as a batch of one, without the
 * outbox: for a dead cache or an offline owner (destroy and the CPU-dead
 * callback empty the outboxes after the caller's preempt-off section), an
 * outbox batch of 1, or an interrupt that found the outbox lock taken.
 */
noinline void pcslab_free_direct(struct pcslab_cache *cache, unsigned int owner,
				 void *obj)
{
	struct pcslab_batch b = { .owner = owner };

	pcslab_batch_chain(&b, obj, cache->carry);
	pcslab_batch_send(cache, &b);
}

/*
 * The ends of pcslab_free_remote() that leave its straight line; each
 * turns preemption back on, as the inline path does.
 */

/*
 * Send the chain of @owner's slot: take it under the outbox lock (held),
 * drop the lock, then hand it over, so that no path holds two locks.  Out
 * of line: the batch on the stack stays out of the remote free's frame,
 * and the slot is found again here so that the inline path keeps no
 * pointer to it for the call.
 */
noinline void pcslab_outbox_send_unlock(struct pcslab_cache *cache,
					struct pcslab_cpu *pc,
					unsigned int owner)
	__releases(&pc->outbox_lock)
{
	struct pcslab_batch *slot = &pc->outbox[owner % PCSLAB_OUTBOX_SLOTS];
	struct pcslab_batch out;

	pcslab_outbox_take(slot, &out);
	pcslab_outbox_unlock(pc);
	pcslab_batch_send(cache, &out);
	preempt_enable();
}

/*
 * The remote free of @obj found its slot empty or holding another
 * owner's chain: @obj starts a new chain for @owner (claimed, with
 * @claim, as every chain's first object is a link), after the old chain
 * is taken out to be sent.  An owner gone offline gets @obj in its queue
 * at once instead (its CPU-dead callback has flushed, or will flush,
 * every outbox; the idle flush drains what comes after).  Outbox lock
 * held; dropped before anything is sent, so that no path holds two
 * locks.
 */
noinline void pcslab_outbox_start_unlock(struct pcslab_cache *cache,
					 struct pcslab_cpu *pc,
					 struct pcslab_slab *slab, void *obj,
					 bool claim)
	__releases(&pc->outbox_lock)
{
	unsigned int owner = slab->cpu;
	struct pcslab_batch *slot = &pc->outbox[owner % PCSLAB_OUTBOX_SLOTS];
	bool wait = cpu_online(owner) && READ_ONCE(cache->outbox_batch) > 1;
	struct pcslab_batch old;

	if (claim &&
	    !pcslab_claim_counted(cache, slab,
				  pcslab_slab_valid_index(slab, &cache->geo, obj),
				  obj, false)) {
		pcslab_outbox_unlock(pc);
		preempt_enable();
		return;
	}
	pcslab_outbox_take(slot, &old);
	if (wait) {
		slot->owner = owner;
		pcslab_batch_chain(slot, obj, cache->carry);
	}
	pcslab_outbox_unlock(pc);
	pcslab_batch_send(cache, &old);
	if (wait)
		/* waiting in the outbox: the idle flush returns it at worst */
		pcslab_arm_idle_flush(cache);
	else
		pcslab_free_direct(cache, owner, obj);
	preempt_enable();
}

/*
 * pcslab_outbox_put_unlock() whose exchange found the mark or the free
 * tag in a link-to-be: pcslab_claim_tagged() decides, and a claimed
 * object is chained as usual.  Outbox lock held.
 */
noinline void pcslab_outbox_tagged_unlock(struct pcslab_cache *cache,
					  struct pcslab_cpu *pc,
					  struct pcslab_slab *slab, void *obj,
					  unsigned long old)
	__releases(&pc->outbox_lock)
{
	unsigned int idx = pcslab_slab_valid_index(slab, &cache->geo, obj);

	if (pcslab_claim_tagged(cache, slab, idx, obj, old)) {
		pcslab_stat(cache, PCSLAB_STAT_FREE_REMOTE);
		pcslab_outbox_put_unlock(cache, pc, slab, obj, false);
		return;
	}
	pcslab_outbox_unlock(pc);
	preempt_enable();
}

/*
 * Add @obj (claimed already unless @claim) to this CPU's outbox, any
 * context, when the inline path could not: task context waits for the
 * outbox lock (interrupts on); interrupt context only tries it, as the
 * task it interrupted may hold it, and on failure pushes the object,
 * claimed, onto the owner's queue.  Preemption off; turns it back on.
 */
noinline void pcslab_outbox_add_slow(struct pcslab_cache *cache,
				     struct pcslab_slab *slab,
				     unsigned int idx, void *obj, bool claim)
{
	struct pcslab_cpu *pc = this_cpu_ptr(cache->cpu);

	if (likely(in_task())) {
		pcslab_spin_lock(&pc->outbox_lock);
	} else if (!pcslab_spin_trylock(&pc->outbox_lock)) {
		if (!claim || pcslab_claim_counted(cache, slab, idx, obj, false))
			pcslab_free_direct(cache, slab->cpu, obj);
		preempt_enable();
		return;
	}
	pcslab_outbox_put_unlock(cache, pc, slab, obj, claim);
}

/* pcslab_free_remote() of a cache with hooks, or a dead one. */
noinline void pcslab_free_remote_slow(struct pcslab_cache *cache,
				      struct pcslab_slab *slab,
				      unsigned int idx, void *obj)
{
	bool hooks = cache->hooks;

	/* alive without hooks (dying): the outbox claims what becomes a link */
	if (!hooks && !READ_ONCE(cache->dead)) {
		pcslab_outbox_add_slow(cache, slab, idx, obj, true);
		return;
	}
	/* a link: a cache with hooks carries nothing, a dead one queues nothing */
	if (!pcslab_claim_counted(cache, slab, idx, obj, hooks))
		goto out;
	if (hooks)
		pcslab_free_hooks(cache, obj, PCSLAB_QUEUED_KEEP);
	if (!READ_ONCE(cache->dead)) {
		pcslab_outbox_add_slow(cache, slab, idx, obj, false);
		return;
	}
	pcslab_free_direct(cache, slab->cpu, obj);
out:
	preempt_enable();
}

/**
 * pcslab_outbox_count - objects waiting in one CPU's outbox.
 * @pc: the CPU's state (read without its lock: a snapshot).
 *
 * Return: the number of objects.
 */
unsigned int pcslab_outbox_count(struct pcslab_cpu *pc)
{
	unsigned int i, n = 0;

	for (i = 0; i < PCSLAB_OUTBOX_SLOTS; i++)
		n += data_race(pc->outbox[i].n);	/* a snapshot, see above */
	return n;
}

/**
 * pcslab_outbox_flush_cpu - send everything waiting in one CPU's outbox.
 * @cache: the cache.
 * @cpu: whose outbox (any CPU, online or not).
 *
 * Context: any but an interrupt on @cpu (which only tries the outbox lock);
 * takes @cpu's outbox lock with interrupts off.
 * Return: objects sent.
 */
unsigned int pcslab_outbox_flush_cpu(struct pcslab_cache *cache,
				     unsigned int cpu)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	struct pcslab_batch b[PCSLAB_OUTBOX_SLOTS];
	unsigned int i, n = 0;
	unsigned long flags;

	/* any CPU, any context but an interrupt of @cpu's (which only tries) */
	spin_lock_irqsave(&pc->outbox_lock, flags);
	for (i = 0; i < PCSLAB_OUTBOX_SLOTS; i++) {
		pcslab_outbox_take(&pc->outbox[i], &b[i]);
		n += b[i].n;
	}
	spin_unlock_irqrestore(&pc->outbox_lock, flags);
	if (!n)
		return 0;
	preempt_disable();
	for (i = 0; i < PCSLAB_OUTBOX_SLOTS; i++)
		pcslab_batch_send(cache, &b[i]);
	preempt_enable();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_outbox_flush_cpu);

/**
 * pcslab_outbox_flush_all - send everything waiting in every outbox.
 * @cache: the cache.
 *
 * Return: objects sent.
 */
unsigned long pcslab_outbox_flush_all(struct pcslab_cache *cache)
{
	unsigned long n = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		n += pcslab_outbox_flush_cpu(cache, cpu);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_outbox_flush_all);
