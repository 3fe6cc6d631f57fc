// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab remote queue and drain policy.
 *
 * A free on a CPU other than the slab's owner pushes the object onto the
 * owner's llist; the owner later detaches the whole list with one
 * llist_del_all() and puts the objects back into their bitmaps.  When it
 * does so is the drain level: fixed, or stepped through 8..128 by the
 * adaptive law (inline in remote.h, with the push).  No locking, module
 * or debugfs glue lives here.
 */
#define pr_fmt(fmt) "pcslab: " fmt

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
	st->level = pcslab_levels[PCSLAB_LEVEL_START];
	/* the first tick runs the law, which knows the policy and capacity */
	pcslab_policy_window_none(st);
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
 * pcslab_kick_threshold - queue depth at which a sender kicks the owner.
 * @capacity: queue bound.
 *
 * Half the capacity, like skb_attempt_defer_free(): the owner gets an
 * IPI while senders still have room, so they rarely hit the bound.
 *
 * Return: the depth whose push sends the kick (at least 1).
 */
unsigned int pcslab_kick_threshold(unsigned int capacity)
{
	return max(capacity / 2, 1U);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_kick_threshold);
