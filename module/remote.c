// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab remote queue and drain policy.
 *
 * A free on a CPU other than the slab's owner pushes the object onto the
 * owner's llist; the owner later detaches the whole list with one
 * llist_del_all() and puts the objects back into their bitmaps.  When it
 * does so is the drain level: fixed, or stepped through 8..128 by the
 * adaptive law below.  No locking, module or debugfs glue lives here.
 */
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/llist.h>
#include <linux/minmax.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

const unsigned int pcslab_levels[PCSLAB_NR_LEVELS] = { 8, 16, 32, 64, 128 };
EXPORT_SYMBOL_IF_KUNIT(pcslab_levels);

/**
 * pcslab_drain_state_init - reset adaptive state to level 64, no cooldown.
 * @st: state to reset.
 */
void pcslab_drain_state_init(struct pcslab_drain_state *st)
{
	st->step = PCSLAB_LEVEL_START;
	st->cooldown = 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_drain_state_init);

/**
 * pcslab_drain_level - current drain level.
 * @st: adaptive state (ignored for a fixed policy).
 * @fixed_level: the fixed level, or %PCSLAB_DRAIN_ADAPTIVE.
 *
 * Return: queue depth at which the owner drains.
 */
unsigned int pcslab_drain_level(const struct pcslab_drain_state *st,
				unsigned int fixed_level)
{
	if (fixed_level != PCSLAB_DRAIN_ADAPTIVE)
		return fixed_level;
	return pcslab_levels[st->step];
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_drain_level);

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
unsigned int pcslab_policy_tick(struct pcslab_drain_state *st,
				unsigned int fixed_level, unsigned int pending,
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
EXPORT_SYMBOL_IF_KUNIT(pcslab_policy_tick);

/**
 * pcslab_remote_init - initialise an empty remote queue.
 * @rq: the queue.
 */
void pcslab_remote_init(struct pcslab_remote *rq)
{
	init_llist_head(&rq->head);
	atomic_set(&rq->pending, 0);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_remote_init);

/**
 * pcslab_remote_push - queue a freed object for its owner, if there is room.
 * @rq: the owner's queue.
 * @node: link stored in the freed object.
 * @capacity: queue bound.
 * @first: set when the queue was empty before this push.
 *
 * Lock-free and wait-free apart from the llist cmpxchg loop.  The pending
 * count is raised before the push so that a concurrent drain can never
 * drive it below the list length.
 *
 * Return: the new queue depth (>= 1), or 0 when the queue is full and the
 * caller must return the object another way.
 */
int pcslab_remote_push(struct pcslab_remote *rq, struct llist_node *node,
		       unsigned int capacity, bool *first)
{
	int depth = atomic_inc_return(&rq->pending);

	if ((unsigned int)depth > capacity) {
		atomic_dec(&rq->pending);
		*first = false;
		return 0;
	}
	*first = llist_add(node, &rq->head);
	return depth;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_remote_push);

/**
 * pcslab_remote_take - detach every queued object (phase one of a drain).
 * @rq: the queue.
 * @count: set to the number of objects detached.
 *
 * Return: the detached list, oldest push last, or NULL if it was empty.
 */
struct llist_node *pcslab_remote_take(struct pcslab_remote *rq,
				      unsigned int *count)
{
	struct llist_node *list, *pos;
	unsigned int n = 0;

	list = llist_del_all(&rq->head);
	llist_for_each(pos, list)
		n++;
	if (n)
		atomic_sub(n, &rq->pending);
	*count = n;
	return list;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_remote_take);

/**
 * pcslab_kick_threshold - queue depth at which a sender kicks the owner.
 * @capacity: queue bound.
 *
 * Half the capacity, like skb_attempt_defer_free(): the owner gets an
 * irq_work while senders still have room, so they rarely hit the bound.
 *
 * Return: the depth whose push sends the kick (at least 1).
 */
unsigned int pcslab_kick_threshold(unsigned int capacity)
{
	return max(capacity / 2, 1U);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_kick_threshold);
