/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab remote queue and drain policy: the per-owner llist of objects
 * freed by other CPUs, and the adaptive law that decides when the owner
 * drains it.  The per-operation parts (the policy tick, the push) are
 * inline; the rest is in remote.c.  No locking or module glue here.
 */
#ifndef _PCSLAB_REMOTE_H
#define _PCSLAB_REMOTE_H

#include <linux/atomic.h>
#include <linux/limits.h>
#include <linux/llist.h>
#include <linux/types.h>
#include <pcslab.h>

/* Adaptive drain levels, in remote-queue entries. */
#define PCSLAB_NR_LEVELS	5U
#define PCSLAB_LEVEL_START	3U	/* index of 64 */
#define PCSLAB_COOLDOWN_TICKS	16U

extern const unsigned int pcslab_levels[PCSLAB_NR_LEVELS];

/**
 * struct pcslab_drain_state - adaptive policy state of one owner CPU.
 * @step: index into pcslab_levels[].
 * @cooldown: ticks left before the next step is allowed.
 * @level: the drain level the last full tick returned.
 * @quiet_lo: with @quiet_span, the queue depths at which a tick changes
 *	nothing: depth - @quiet_lo <= @quiet_span (unsigned).  Derived from
 *	the four inputs of the law (policy, capacity, @step, @cooldown) by
 *	pcslab_policy_window(); "none" (every tick runs the law) whenever
 *	one of them changes elsewhere.
 * @quiet_span: see @quiet_lo.
 * @still_lo: with @still_span, the depths at which the owner's whole tick
 *	does nothing: inside the quiet window and below @level (no drain
 *	due).  Kept with the quiet window, so that the hot paths skip the
 *	tick with one compare (pcslab_tick_quiet()).
 * @still_span: see @still_lo.
 */
struct pcslab_drain_state {
	u8 step;
	u8 cooldown;
	unsigned int level;
	unsigned int quiet_lo;
	unsigned int quiet_span;
	unsigned int still_lo;
	unsigned int still_span;
};

/**
 * struct pcslab_remote - lock-free queue of objects freed by other CPUs.
 * @head: llist of freed objects; the link lives in the object itself.
 * @pending: entries pushed and not yet put back by a drain.  Incremented
 *	before the push and decremented after the drain's walk of the
 *	detached list, so it never reads lower than the list length.
 */
struct pcslab_remote {
	struct llist_head head;
	atomic_t pending;
};

void pcslab_drain_state_init(struct pcslab_drain_state *st);
unsigned int pcslab_drain_level(const struct pcslab_drain_state *st,
				unsigned int fixed_level);
void pcslab_remote_init(struct pcslab_remote *rq);
unsigned int pcslab_kick_threshold(unsigned int capacity);

/**
 * pcslab_remote_detach - detach every queued object (phase one of a drain).
 * @rq: the queue.
 *
 * @rq->pending still counts the objects: the caller puts them back in one
 * walk of the list, counting, then calls pcslab_remote_detached().  One
 * walk, not a count of its own first: each step of a walk is a miss on an
 * object line the freer wrote last.
 *
 * Return: the detached list, oldest push last, or NULL if it was empty.
 */
static inline struct llist_node *pcslab_remote_detach(struct pcslab_remote *rq)
{
	return llist_del_all(&rq->head);
}

/**
 * pcslab_remote_detached - end of a drain.
 * @rq: the queue.
 * @count: objects on the list pcslab_remote_detach() returned.
 */
static inline void pcslab_remote_detached(struct pcslab_remote *rq,
					  unsigned int count)
{
	atomic_sub(count, &rq->pending);
}

/**
 * pcslab_policy_tick - one owner tick of the drain policy.
 * @st: adaptive state of the owner CPU (caller serialises).
 * @fixed_level: the fixed level, or %PCSLAB_DRAIN_ADAPTIVE.
 * @pending: current remote queue depth.
 * @capacity: remote queue capacity.
 * @moved: set to +1 / -1 when the level stepped up / down, else 0.
 *
 * The adaptive law: while a cooldown runs, count it down and change
 * nothing; else above 75% of @capacity step down (drain sooner) unless at
 * the floor, below 25% step up (amortise) unless at the ceiling; any step
 * starts a %PCSLAB_COOLDOWN_TICKS cooldown.  The products are taken in 64
 * bits, so they cannot wrap.
 *
 * Return: the drain level after this tick; drain when @pending >= it.
 */
static inline unsigned int pcslab_policy_tick(struct pcslab_drain_state *st,
					      unsigned int fixed_level,
					      unsigned int pending,
					      unsigned int capacity, int *moved)
{
	u64 depth4 = (u64)pending * 4;

	*moved = 0;
	if (fixed_level != PCSLAB_DRAIN_ADAPTIVE)
		return fixed_level;

	if (st->cooldown) {
		st->cooldown--;
	} else if (depth4 > (u64)capacity * 3 && st->step > 0) {
		st->step--;
		st->cooldown = PCSLAB_COOLDOWN_TICKS;
		*moved = -1;
	} else if (depth4 < capacity && st->step < PCSLAB_NR_LEVELS - 1) {
		st->step++;
		st->cooldown = PCSLAB_COOLDOWN_TICKS;
		*moved = 1;
	}
	return pcslab_levels[st->step];
}

/*
 * The still window from the quiet one: its depths below @st->level (>= 1),
 * or none.
 */
static inline void pcslab_policy_still(struct pcslab_drain_state *st)
{
	unsigned int top = st->level - 1;

	if (st->quiet_lo > top) {
		st->still_lo = UINT_MAX;
		st->still_span = 0;
		return;
	}
	st->still_lo = st->quiet_lo;
	st->still_span = min(st->quiet_span, top - st->quiet_lo);
}

/**
 * pcslab_policy_window_none - make the next tick run the whole law.
 * @st: adaptive state; call after the policy or the capacity changed.
 */
static inline void pcslab_policy_window_none(struct pcslab_drain_state *st)
{
	st->quiet_lo = UINT_MAX;	/* depth - UINT_MAX = depth + 1 > 0 */
	st->quiet_span = 0;
	pcslab_policy_still(st);
}

/**
 * pcslab_policy_window - the depths at which the next tick changes nothing.
 * @st: adaptive state, just updated by pcslab_policy_tick().
 * @fixed_level: the fixed level, or %PCSLAB_DRAIN_ADAPTIVE.
 * @capacity: remote queue capacity.
 *
 * A fixed policy never moves: every depth.  A running cooldown changes
 * state on every tick: none.  Otherwise the law steps down above
 * 3/4 of @capacity (4 * depth > 3 * capacity, i.e. depth > 3 * capacity / 4
 * rounded down) unless at the floor, and up below 1/4 (depth <
 * @capacity / 4 rounded up) unless at the ceiling; between the two it
 * only returns the level.
 */
static inline void pcslab_policy_window(struct pcslab_drain_state *st,
					unsigned int fixed_level,
					unsigned int capacity)
{
	unsigned int lo, hi;

	if (fixed_level != PCSLAB_DRAIN_ADAPTIVE) {
		st->quiet_lo = 0;
		st->quiet_span = UINT_MAX;
		pcslab_policy_still(st);
		return;
	}
	if (st->cooldown) {
		pcslab_policy_window_none(st);
		return;
	}
	lo = st->step < PCSLAB_NR_LEVELS - 1 ? capacity / 4 + !!(capacity % 4) : 0;
	hi = st->step > 0 ? (unsigned int)((u64)capacity * 3 / 4) : UINT_MAX;
	if (hi < lo) {
		pcslab_policy_window_none(st);
		return;
	}
	st->quiet_lo = lo;
	st->quiet_span = hi - lo;
	pcslab_policy_still(st);
}

/*
 * Is @pending inside @st's quiet window, the depths at which a tick of
 * the law changes nothing (see @quiet_lo)?
 */
static __always_inline bool
pcslab_policy_quiet(const struct pcslab_drain_state *st, unsigned int pending)
{
	return pending - st->quiet_lo <= st->quiet_span;
}

/**
 * pcslab_policy_tick_fast - pcslab_policy_tick() for the owner's hot path.
 * @st: adaptive state (caller serialises).
 * @fixed_level: as for pcslab_policy_tick(); read only when the law runs.
 * @pending: current remote queue depth.
 * @capacity: as for pcslab_policy_tick(); read only when the law runs.
 * @moved: as for pcslab_policy_tick().
 * @old_level: set to the drain level before this tick.
 *
 * The same law, tick for tick: a depth inside the quiet window returns
 * the level with one subtraction and one compare; any other depth runs
 * pcslab_policy_tick() and recomputes the window.
 *
 * Return: the drain level after this tick (@old_level unless @moved).
 */
static __always_inline unsigned int
pcslab_policy_tick_fast(struct pcslab_drain_state *st,
			const unsigned int *fixed_level, unsigned int pending,
			const unsigned int *capacity, int *moved,
			unsigned int *old_level)
{
	unsigned int fixed, cap;

	*old_level = st->level;
	if (likely(pcslab_policy_quiet(st, pending))) {
		*moved = 0;
		return st->level;
	}
	fixed = READ_ONCE(*fixed_level);
	cap = READ_ONCE(*capacity);
	st->level = pcslab_policy_tick(st, fixed, pending, cap, moved);
	pcslab_policy_window(st, fixed, cap);
	return st->level;
}

/**
 * pcslab_remote_push_batch - queue a chain of freed objects, if there is room.
 * @rq: the owner's queue.
 * @first: first link of the chain (stored in a freed object).
 * @last: last link; the chain runs @first..@last through ->next.
 * @n: links in the chain.
 * @capacity: queue bound.
 * @was_empty: set when the queue was empty before this push.
 *
 * Lock-free; the only loop is llist_add_batch()'s cmpxchg.  The pending
 * count is raised before the push, once for the whole chain, so that a
 * concurrent drain can never drive it below the list length.
 *
 * Return: the new queue depth (>= @n), or 0 when the chain does not fit
 * and the caller must return the objects another way.
 */
static inline int pcslab_remote_push_batch(struct pcslab_remote *rq,
					   struct llist_node *first,
					   struct llist_node *last,
					   unsigned int n,
					   unsigned int capacity,
					   bool *was_empty)
{
	int depth = atomic_add_return(n, &rq->pending);

	if ((unsigned int)depth > capacity) {
		atomic_sub(n, &rq->pending);
		*was_empty = false;
		return 0;
	}
	*was_empty = llist_add_batch(first, last, &rq->head);
	return depth;
}

/**
 * pcslab_remote_push_chain - queue a chain of freed objects, room or not.
 * @rq: the owner's queue.
 * @first: first link of the chain.
 * @last: last link.
 * @n: links in the chain.
 * @was_empty: set when the queue was empty before this push.
 *
 * The hand-off's push (outbox.c): a queue past its capacity takes the
 * chain all the same rather than the freer waiting, and the caller
 * compares the depth with the capacity.  Lock-free, one pending update.
 *
 * Return: the new queue depth (>= @n).
 */
static inline int pcslab_remote_push_chain(struct pcslab_remote *rq,
					   struct llist_node *first,
					   struct llist_node *last,
					   unsigned int n, bool *was_empty)
{
	int depth = atomic_add_return(n, &rq->pending);

	*was_empty = llist_add_batch(first, last, &rq->head);
	return depth;
}

/**
 * pcslab_remote_push - queue one freed object, if there is room.
 * @rq: the owner's queue.
 * @node: link stored in the freed object.
 * @capacity: queue bound.
 * @first: set when the queue was empty before this push.
 *
 * Return: as pcslab_remote_push_batch() for a chain of one.
 */
static inline int pcslab_remote_push(struct pcslab_remote *rq,
				     struct llist_node *node,
				     unsigned int capacity, bool *first)
{
	return pcslab_remote_push_batch(rq, node, node, 1, capacity, first);
}

#endif /* _PCSLAB_REMOTE_H */
