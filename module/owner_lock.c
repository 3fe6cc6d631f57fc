// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab: another CPU's lock.  The owner's side, and why the lock is
 * biased to the owner, is in pcslab_internal.h ("the owner's lock").
 *
 * Context: task context with interrupts on and the CPU hotplug lock held
 * (cpus_read_lock(), or a hotplug callback); nothing held that the owner
 * might spin on with interrupts off.  Used by pcslab's own drain,
 * reclaim, setter and destroy paths only.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#include "pcslab_internal.h"

/* Runs on the owner between two of its sections: the barrier is the IPI. */
static void pcslab_owner_sync_fn(void *info)
{
}

/**
 * pcslab_foreign_lock - take another CPU's lock (or this CPU's, from task
 *	context), interrupts off.
 * @pc: the CPU's state.
 * @flags: saved interrupt state, for pcslab_foreign_unlock().
 *
 * Raises @pc->shared, waits until the owner has seen it (an IPI, if the
 * owner is online), then takes the lock, which the owner takes as well
 * from then on.
 */
void pcslab_foreign_lock(struct pcslab_cpu *pc, unsigned long *flags)
	__acquires(&pc->lock)
{
	lockdep_assert_irqs_enabled();
	atomic_inc(&pc->shared);
	/* raised before anything below reads whether the owner is online */
	smp_mb__after_atomic();
	/*
	 * An online owner may be inside a section that read @shared before
	 * we raised it: the IPI runs after that section and before the
	 * next, which reads it raised (an interrupt is a full barrier).  An
	 * offline one runs none, and stays offline (hotplug lock held).
	 * This CPU, from task context, is between sections by definition:
	 * the call runs the function here.
	 */
	if (cpu_online(pc->cpu))
		smp_call_function_single(pc->cpu, pcslab_owner_sync_fn, NULL, 1);
	spin_lock_irqsave(&pc->lock, *flags);
}

/**
 * pcslab_foreign_unlock - drop a lock taken by pcslab_foreign_lock().
 * @pc: the CPU's state.
 * @flags: what pcslab_foreign_lock() saved.
 */
void pcslab_foreign_unlock(struct pcslab_cpu *pc, unsigned long flags)
	__releases(&pc->lock)
{
	spin_unlock_irqrestore(&pc->lock, flags);
	/*
	 * The owner's next section may go back to its own lock; release, so
	 * that a section reading it lowered sees what we did under the lock.
	 */
	atomic_dec_return_release(&pc->shared);
}

/**
 * pcslab_share_all - raise every CPU's @shared for good (destroy).
 * @cache: the cache, about to be marked dead.
 *
 * From now on every owner takes its lock for real, so a late free (on
 * any CPU, in any context) may take an owner's lock directly.
 * Context: task context, may sleep.
 */
void pcslab_share_all(struct pcslab_cache *cache)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		atomic_inc(&per_cpu_ptr(cache->cpu, cpu)->shared);
	/* raised before on_each_cpu() reads which CPUs are online */
	smp_mb__after_atomic();
	/* every online CPU between two sections once: see pcslab_foreign_lock() */
	on_each_cpu(pcslab_owner_sync_fn, NULL, 1);
}
