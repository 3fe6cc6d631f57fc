// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab CPU hotplug: when a CPU is dead, strand nothing on it.
 *
 * Every outbox is emptied (the dead CPU's own, and objects other CPUs
 * hold for it, which go to its queue), then its remote queue is drained
 * and its empty slabs released, on a surviving CPU.  Slabs with live
 * objects stay on the dead CPU's lists: later frees of their objects
 * wait in its queue, which the idle flush (armed by the first of them)
 * drains under the CPU's lock (pcslab_foreign_lock(): no IPI while the
 * CPU is offline) until the CPU comes back and allocates again.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/cpuhotplug.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "pcslab_internal.h"

static enum cpuhp_state pcslab_hp_state;

/* Runs on a surviving CPU after @cpu is dead. */
static int pcslab_cpu_dead_cb(unsigned int cpu)
{
	struct pcslab_cache *cache;

	/*
	 * A remote freer that saw @cpu online pushes with preemption off:
	 * one grace period, for every cache at once, and its push is done.
	 */
	synchronize_rcu();
	mutex_lock(&pcslab_caches_mutex);
	list_for_each_entry(cache, &pcslab_caches, list) {
		pcslab_outbox_flush_all(cache);
		__pcslab_drain_cpu(cache, cpu);	/* hotplug lock held */
	}
	mutex_unlock(&pcslab_caches_mutex);
	return 0;
}

/**
 * pcslab_hotplug_init - register the CPU-dead callback.
 *
 * Return: 0 or a negative errno from cpuhp_setup_state_nocalls().
 */
int pcslab_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "pcslab:dead",
					NULL, pcslab_cpu_dead_cb);
	if (ret < 0)
		return ret;
	pcslab_hp_state = ret;
	return 0;
}

/** pcslab_hotplug_exit - unregister the CPU-dead callback. */
void pcslab_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(pcslab_hp_state);
}
