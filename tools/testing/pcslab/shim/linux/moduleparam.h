/* SPDX-License-Identifier: GPL-2.0 */
/* Module parameters: the harness keeps the variable and its ops, no sysfs. */
#ifndef _SHIM_MODULEPARAM_H
#define _SHIM_MODULEPARAM_H
#include <pcslab_shim.h>

struct kernel_param {
	void *arg;
};

struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
};

static inline int param_get_uint(char *buffer, const struct kernel_param *kp)
{
	return sprintf(buffer, "%u\n", *(unsigned int *)kp->arg);
}

#define module_param_cb(name, ops, arg, perm) \
	const struct kernel_param_ops *shim_param_ops_##name = (ops)
#define MODULE_PARM_DESC(name, desc)
#endif
