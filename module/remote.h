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
 */
struct pcslab_drain_state {
	u8 step;
	u8 cooldown;
};

/**
 * struct pcslab_remote - lock-free queue of objects freed by other CPUs.
 * @head: llist of freed objects; the link lives in the object itself.
 * @pending: entries pushed and not yet detached by a drain.  Incremented
 *	before the push and decremented after the detach, so it never reads
 *	lower than the list length.
 */
struct pcslab_remote {
	struct llist_head head;
	atomic_t pending;
};

void pcslab_drain_state_init(struct pcslab_drain_state *st);
unsigned int pcslab_drain_level(const struct pcslab_drain_state *st,
				unsigned int fixed_level);
void pcslab_remote_init(struct pcslab_remote *rq);
struct llist_node *pcslab_remote_take(struct pcslab_remote *rq,
				      unsigned int *count);
unsigned int pcslab_kick_threshold(unsigned int capacity);

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
