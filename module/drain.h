/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab drain (drain.c) and the owner's tick that decides it, inline for
 * the hot paths (alloc.c, bulk.c).  Owner's lock held, interrupts off.
 */
#ifndef _PCSLAB_DRAIN_H
#define _PCSLAB_DRAIN_H

#include <linux/atomic.h>
#include <linux/compiler.h>

#include "pcslab_internal.h"

unsigned int pcslab_put_chain_locked(struct pcslab_cache *cache,
				     struct pcslab_cpu *pc,
				     struct llist_node *first);
unsigned int pcslab_drain_locked(struct pcslab_cache *cache,
				 struct pcslab_cpu *pc);
noinline void pcslab_level_moved(struct pcslab_cache *cache,
				 struct pcslab_cpu *pc, int moved,
				 unsigned int old_level, unsigned int level,
				 unsigned int pending);

/*
 * Would pcslab_tick() do nothing now?  The queue depth is inside the
 * still window (the law's quiet window, below the drain level): the tick
 * is then only its compares, and a fast path may skip it (the law stays
 * exact).  One compare, for the hot paths.
 */
static __always_inline bool pcslab_tick_quiet(struct pcslab_cpu *pc)
{
	unsigned int pending = atomic_read(&pc->remote.pending);
	const struct pcslab_drain_state *st = &pc->drain;

	return pending - st->still_lo <= st->still_span;
}

/*
 * The owner's tick, on every local alloc and free: one read of the queue
 * depth, one step of the drain policy, a drain if the level is reached.
 */
static __always_inline void pcslab_tick(struct pcslab_cache *cache,
					struct pcslab_cpu *pc)
{
	unsigned int pending = atomic_read(&pc->remote.pending);
	unsigned int level, old;
	int moved;

	level = pcslab_policy_tick_fast(&pc->drain, &cache->fixed_level,
					pending, &cache->queue_capacity, &moved,
					&old);
	if (unlikely(moved))
		pcslab_level_moved(cache, pc, moved, old, level, pending);
	/* levels are >= 1, so this never drains an empty queue */
	if (unlikely(pending >= level))
		pcslab_drain_locked(cache, pc);
}

#endif /* _PCSLAB_DRAIN_H */
