// SPDX-License-Identifier: GPL-2.0
/*
 * What cache.c reaches outside the core: its debugfs directory.  The
 * harness has no debugfs; the parsers behind it are compiled (parse.c)
 * and fuzzed.
 */
#include <pcslab_shim.h>
#include "pcslab_internal.h"

void pcslab_debugfs_add(struct pcslab_cache *cache)
{
	cache->debugfs = NULL;
}

void pcslab_debugfs_remove(struct pcslab_cache *cache)
{
}
