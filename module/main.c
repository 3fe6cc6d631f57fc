// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab module glue: debugfs root, CPU hotplug callback, tracepoints.
 */
#include <linux/cpuhotplug.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "pcslab_internal.h"

#define CREATE_TRACE_POINTS
#include "pcslab_trace.h"

static enum cpuhp_state pcslab_hp_state;

/* Runs on a surviving CPU after @cpu is dead. */
static int pcslab_cpu_dead_cb(unsigned int cpu)
{
	struct pcslab_cache *cache;

	mutex_lock(&pcslab_caches_mutex);
	list_for_each_entry(cache, &pcslab_caches, list)
		pcslab_cpu_dead(cache, cpu);
	mutex_unlock(&pcslab_caches_mutex);
	return 0;
}

static int __init pcslab_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "pcslab:dead",
					NULL, pcslab_cpu_dead_cb);
	if (ret < 0)
		return ret;
	pcslab_hp_state = ret;
	pcslab_debugfs_init();
	pr_info("pcslab: loaded\n");
	return 0;
}

static void __exit pcslab_exit(void)
{
	pcslab_debugfs_exit();
	cpuhp_remove_state_nocalls(pcslab_hp_state);
	if (!list_empty(&pcslab_caches))
		pr_err("pcslab: unloaded with caches still registered\n");
}

module_init(pcslab_init);
module_exit(pcslab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-CPU slab caches with lock-free cross-CPU frees");
