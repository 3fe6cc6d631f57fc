/* SPDX-License-Identifier: GPL-2.0 */
#include <pcslab_shim.h>
