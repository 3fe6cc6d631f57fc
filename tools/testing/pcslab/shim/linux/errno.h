/* SPDX-License-Identifier: GPL-2.0 */
/* glibc includes <linux/errno.h> too: give it the real one first. */
#include_next <linux/errno.h>
#include <pcslab_shim.h>
