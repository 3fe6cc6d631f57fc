// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab module glue: CPU hotplug callback, debugfs root, tracepoints.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>

#include "pcslab_internal.h"

#define CREATE_TRACE_POINTS
#include "pcslab_trace.h"

/* for test modules that count the errors they provoke */
EXPORT_TRACEPOINT_SYMBOL_GPL(pcslab_error);

static int __init pcslab_init(void)
{
	int ret;

	ret = pcslab_hotplug_init();
	if (ret)
		return ret;
	pcslab_debugfs_init();
	pr_info("version %s loaded\n", PCSLAB_VERSION);
	return 0;
}

static void __exit pcslab_exit(void)
{
	pcslab_debugfs_exit();
	pcslab_hotplug_exit();
	if (!list_empty(&pcslab_caches))
		pr_err("unloaded with caches still registered\n");
}

module_init(pcslab_init);
module_exit(pcslab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-CPU slab caches with lock-free cross-CPU frees");
MODULE_VERSION(PCSLAB_VERSION);
