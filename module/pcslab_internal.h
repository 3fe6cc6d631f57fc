/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab internals shared by the slab, remote queue, cache lifecycle and
 * debugfs files.  Not part of the public API.
 */
#ifndef _PCSLAB_INTERNAL_H
#define _PCSLAB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <pcslab.h>

#include "slab.h"
#include "remote.h"

/* ---- cache and its per-CPU state (cache.c) ---- */

enum pcslab_stat_item {
	PCSLAB_STAT_ALLOC,
	PCSLAB_STAT_ALLOC_SLOWPATH,
	PCSLAB_STAT_ALLOC_FAIL,
	PCSLAB_STAT_FREE_LOCAL,
	PCSLAB_STAT_FREE_REMOTE,
	PCSLAB_STAT_REMOTE_FULL,
	PCSLAB_STAT_DRAIN,
	PCSLAB_STAT_DRAINED_OBJECTS,
	PCSLAB_STAT_LEVEL_UP,
	PCSLAB_STAT_LEVEL_DOWN,
	PCSLAB_STAT_KICK,
	PCSLAB_STAT_IDLE_FLUSH,
	PCSLAB_STAT_SLAB_NEW,
	PCSLAB_STAT_SLAB_FREE,
	PCSLAB_STAT_INVALID_FREE,
	PCSLAB_STAT_DOUBLE_FREE,
	PCSLAB_STAT_POISON_CORRUPT,
	PCSLAB_NR_EVENT_STATS,
	/* gauges, computed from the per-CPU slab state when read */
	PCSLAB_STAT_OBJECTS_IN_USE = PCSLAB_NR_EVENT_STATS,
	PCSLAB_STAT_SLABS,
	PCSLAB_STAT_PENDING,
	PCSLAB_NR_STATS,
};

extern const char *const pcslab_stat_names[PCSLAB_NR_STATS];

struct pcslab_stats {
	unsigned long count[PCSLAB_NR_EVENT_STATS];
};

/**
 * struct pcslab_cpu - one CPU's share of a cache.
 * @lock: protects everything above @remote, taken with interrupts off.
 * @partial: slabs with a free object: partly used ones first, empty ones
 *	(kept up to the reserve) moved to the tail.
 * @full: slabs with no free object.
 * @nr_slabs: slabs on both lists.
 * @nr_empty: slabs with every object free.
 * @nr_inuse: objects of this CPU's slabs not free in their bitmap (in use
 *	or waiting in a remote queue).
 * @drain: adaptive policy state.
 * @cpu: the CPU this belongs to.
 * @cache: back pointer for the kick IPI.
 * @remote: objects freed by other CPUs; on its own cache line because
 *	remote freers write it while the owner works on the fields above.
 * @kick_scheduled: 1 from the moment a sender claims @kick until the kick
 *	function starts; only the sender that set it may queue @kick.
 * @kick: IPI (async call_single_data) that drains @remote on the owner
 *	when senders fill half of it.  The kernel requires its users to
 *	serialise every use of one csd: @kick_scheduled does that.
 */
struct pcslab_cpu {
	spinlock_t lock;	/* see kernel-doc above */
	struct list_head partial;
	struct list_head full;
	unsigned int nr_slabs;
	unsigned int nr_empty;
	unsigned long nr_inuse;
	struct pcslab_drain_state drain;
	unsigned int cpu;
	struct pcslab_cache *cache;
	struct pcslab_remote remote ____cacheline_aligned_in_smp;
	atomic_t kick_scheduled;
	call_single_data_t kick;
};

/**
 * struct pcslab_cache - a pcslab cache.
 * @name: name, also the debugfs directory name.
 * @geo: slab geometry.
 * @size: object size as requested (@geo.obj_size is the stride).
 * @flags: PCSLAB_* creation flags.
 * @ctor: constructor run on every object of a new slab, or NULL.
 * @fixed_level: drain level, or %PCSLAB_DRAIN_ADAPTIVE.
 * @queue_capacity: remote queue bound per CPU.
 * @kasan: free objects are poisoned in KASAN's shadow (generic KASAN only).
 * @dead: set by destroy; later frees bypass queues and kicks.
 * @kicks_inflight: kick IPIs sent and not yet finished (destroy waits on
 *	it with wait_var_event()).
 * @cpu: per-CPU state.
 * @stats: per-CPU event counters.
 * @idle_flush: drains queues whose owner stopped allocating.
 * @idle_flush_ms: its delay (%PCSLAB_IDLE_FLUSH_MS; tests may stretch it).
 * @shrinker: releases empty slabs and stranded queues under pressure.
 * @list: link in the global cache list (hotplug, slabinfo).
 * @debugfs: this cache's debugfs directory.
 * @reported: bit per error kind already reported (report once per cache).
 */
struct pcslab_cache {
	const char *name;
	struct pcslab_geometry geo;
	unsigned int size;
	unsigned int flags;
	void (*ctor)(void *obj);
	unsigned int fixed_level;
	unsigned int queue_capacity;
	bool kasan;
	bool dead;
	atomic_t kicks_inflight;
	struct pcslab_cpu __percpu *cpu;
	struct pcslab_stats __percpu *stats;
	struct delayed_work idle_flush;
	unsigned int idle_flush_ms;
	struct shrinker *shrinker;
	struct list_head list;
	struct dentry *debugfs;
	unsigned long reported;
};

/* Empty slabs an online CPU keeps to absorb alloc/free churn. */
#define PCSLAB_CPU_RESERVE	1U
/* Delay after the first queued remote free before an idle owner is flushed. */
#define PCSLAB_IDLE_FLUSH_MS	100U

extern atomic_long_t pcslab_pages;
extern struct mutex pcslab_caches_mutex;
extern struct list_head pcslab_caches;

unsigned int pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu);
unsigned long pcslab_stat_cpu(struct pcslab_cache *cache,
			      enum pcslab_stat_item item, unsigned int cpu);
void pcslab_cpu_dead(struct pcslab_cache *cache, unsigned int cpu);
#if IS_ENABLED(CONFIG_KUNIT)
struct page *pcslab_alloc_slab_pages(struct pcslab_cache *cache, gfp_t gfp);
#endif
void pcslab_cpu_snapshot(struct pcslab_cache *cache, unsigned int cpu,
			 unsigned int *level, unsigned int *pending,
			 unsigned int *cooldown);

/* ---- debugfs (debugfs.c) ---- */

void pcslab_debugfs_init(void);
void pcslab_debugfs_exit(void);
void pcslab_debugfs_add(struct pcslab_cache *cache);
void pcslab_debugfs_remove(struct pcslab_cache *cache);
int pcslab_parse_uint(const char *buf, size_t len, unsigned int max,
		      unsigned int *val);
int pcslab_parse_policy(const char *buf, size_t len, unsigned int *level);

#endif /* _PCSLAB_INTERNAL_H */
