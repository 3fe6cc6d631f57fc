// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab caches: create, destroy, tuning and the per-CPU numbers that
 * debugfs and the tests read.  The paths an object takes are in alloc.c,
 * slab growth in grow.c, reclaim in reclaim.c, CPU hotplug in hotplug.c,
 * error reports in report.c; Documentation/pcslab.rst has the source map.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/build_bug.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

#define PCSLAB_NAME_MAX		32

/* Guards pcslab_caches; hotplug and slabinfo walk it. */
DEFINE_MUTEX(pcslab_caches_mutex);
LIST_HEAD(pcslab_caches);
/* Pages held by every cache, leaked ones included (debugfs "pages"). */
atomic_long_t pcslab_pages = ATOMIC_LONG_INIT(0);

/* The counters' names, in stats order; the enum is in pcslab_internal.h. */
const char *const pcslab_stat_names[PCSLAB_NR_STATS] = {
	[PCSLAB_STAT_ALLOC]		= "alloc",
	[PCSLAB_STAT_ALLOC_SLOWPATH]	= "alloc_slowpath",
	[PCSLAB_STAT_ALLOC_FAIL]	= "alloc_fail",
	[PCSLAB_STAT_FREE_LOCAL]	= "free_local",
	[PCSLAB_STAT_FREE_REMOTE]	= "free_remote",
	[PCSLAB_STAT_REMOTE_FULL]	= "remote_full",
	[PCSLAB_STAT_DRAIN]		= "drain",
	[PCSLAB_STAT_DRAINED_OBJECTS]	= "drained_objects",
	[PCSLAB_STAT_LEVEL_UP]		= "level_up",
	[PCSLAB_STAT_LEVEL_DOWN]	= "level_down",
	[PCSLAB_STAT_KICK]		= "kick",
	[PCSLAB_STAT_IDLE_FLUSH]	= "idle_flush",
	[PCSLAB_STAT_SLAB_NEW]		= "slab_new",
	[PCSLAB_STAT_SLAB_FREE]		= "slab_free",
	[PCSLAB_STAT_INVALID_FREE]	= "invalid_free",
	[PCSLAB_STAT_DOUBLE_FREE]	= "double_free",
	[PCSLAB_STAT_POISON_CORRUPT]	= "poison_corrupt",
	[PCSLAB_STAT_OBJECTS_IN_USE]	= "objects_in_use",
	[PCSLAB_STAT_SLABS]		= "slabs",
	[PCSLAB_STAT_PENDING]		= "pending",
	[PCSLAB_STAT_OUTBOX]		= "outbox",
	[PCSLAB_STAT_EMPTY_BYTES]	= "empty_bytes",
};

static_assert(ARRAY_SIZE(pcslab_stat_names) == PCSLAB_NR_STATS);

/**
 * pcslab_stat_cpu - read one statistic of one CPU.
 * @cache: the cache.
 * @item: which statistic.
 * @cpu: which CPU.
 *
 * Return: the (racy, monotonic for events) value.
 */
unsigned long pcslab_stat_cpu(struct pcslab_cache *cache,
			      enum pcslab_stat_item item, unsigned int cpu)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

	/* Statistics are read without the owner's lock: racy by design. */
	switch (item) {
	case PCSLAB_STAT_OBJECTS_IN_USE:
		return pcslab_nr_inuse(pc); /* racy, as above */
	case PCSLAB_STAT_SLABS:
		return data_race(pc->nr_slabs); /* racy read, see above */
	case PCSLAB_STAT_PENDING:
		return atomic_read(&pc->remote.pending);
	case PCSLAB_STAT_OUTBOX:
		return pcslab_outbox_count(pc);
	case PCSLAB_STAT_EMPTY_BYTES:
		return (unsigned long)pcslab_nr_empty(pc) << /* racy, above */
		       (PAGE_SHIFT + cache->geo.order);
	default:
		/* racy read of another CPU's counter, see above */
		return data_race(pc->stat[item]);
	}
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_stat_cpu);

/**
 * pcslab_stat_sum - one statistic summed over every possible CPU.
 * @cache: the cache.
 * @item: which statistic.
 *
 * Return: the (racy) total.
 */
unsigned long pcslab_stat_sum(struct pcslab_cache *cache,
			      enum pcslab_stat_item item)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += pcslab_stat_cpu(cache, item, cpu);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_stat_sum);

/**
 * pcslab_cpu_snapshot - one CPU's drain level, queue depth, cooldown and
 *	outbox.
 * @cache: the cache.
 * @cpu: the CPU.
 * @level: current drain level.
 * @pending: current queue depth.
 * @cooldown: adaptive cooldown ticks left (0 for a fixed policy).
 * @outbox: remote frees waiting in this CPU's outbox (for other owners).
 */
void pcslab_cpu_snapshot(struct pcslab_cache *cache, unsigned int cpu,
			 unsigned int *level, unsigned int *pending,
			 unsigned int *cooldown, unsigned int *outbox)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	unsigned int fixed = READ_ONCE(cache->fixed_level);
	struct pcslab_drain_state st;

	/*
	 * Without the owner's lock, which would cost it an IPI: a snapshot
	 * of a state the owner changes as it runs.  Level and cooldown are
	 * read together; they are only ever changed together by the owner.
	 */
	st = data_race(pc->drain);
	*level = pcslab_drain_level(&st, fixed);
	*cooldown = fixed == PCSLAB_DRAIN_ADAPTIVE ? st.cooldown : 0;
	*outbox = pcslab_outbox_count(pc);
	*pending = atomic_read(&pc->remote.pending);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_cpu_snapshot);

/**
 * pcslab_cache_cpu_level - one CPU's current drain level and queue depth.
 * @cache: the cache.
 * @cpu: a possible CPU.
 * @level: set to the drain level.
 * @pending: set to the number of queued remote frees.
 *
 * Return: 0, or -EINVAL if @cpu is not a possible CPU.
 */
int pcslab_cache_cpu_level(struct pcslab_cache *cache, unsigned int cpu,
			   unsigned int *level, unsigned int *pending)
{
	unsigned int cooldown, outbox;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	pcslab_cpu_snapshot(cache, cpu, level, pending, &cooldown, &outbox);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_cpu_level);

/**
 * pcslab_cache_slab_pages - pages per slab of a cache.
 * @cache: the cache.
 *
 * Return: 2^order.
 */
unsigned int pcslab_cache_slab_pages(const struct pcslab_cache *cache)
{
	return 1U << cache->geo.order;
}
EXPORT_SYMBOL_GPL(pcslab_cache_slab_pages);

/*
 * The policy or the capacity changed: under each CPU's lock, make its
 * next tick run the whole law (pcslab_policy_tick_fast()), after
 * restarting its adaptive state at level 64 if @restart.
 */
static void pcslab_retune_cpus(struct pcslab_cache *cache, bool restart)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		unsigned long flags;

		pcslab_foreign_lock(pc, &flags);
		if (restart)
			pcslab_drain_state_init(&pc->drain);
		else
			pcslab_policy_window_none(&pc->drain);
		pcslab_foreign_unlock(pc, flags);
	}
	cpus_read_unlock();
}

/**
 * pcslab_cache_set_policy - choose when owners drain their remote queues.
 * @cache: the cache.
 * @level: %PCSLAB_DRAIN_ADAPTIVE for the adaptive law (levels 8..128,
 *	starting at 64), or a fixed level 1..%PCSLAB_MAX_QUEUE.
 *
 * Every CPU's adaptive state restarts at level 64.
 *
 * Context: task context, interrupts on (waits for each CPU in turn).
 * Return: 0, or -EINVAL (nothing changed) if @level is out of range.
 */
int pcslab_cache_set_policy(struct pcslab_cache *cache, unsigned int level)
{
	if (level > PCSLAB_MAX_QUEUE)
		return -EINVAL;
	WRITE_ONCE(cache->fixed_level, level);
	pcslab_retune_cpus(cache, true);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_set_policy);

/**
 * pcslab_cache_set_queue_capacity - bound each CPU's remote queue.
 * @cache: the cache.
 * @capacity: 0..%PCSLAB_MAX_QUEUE entries.  A remote free that finds
 *	the queue at capacity goes in past it all the same (counted as
 *	``remote_full``) and kicks the owner; 0 makes every remote free do
 *	so.  No free waits for the owner or takes its lock.
 *
 * Context: task context, interrupts on (waits for each CPU in turn).
 * Return: 0, or -EINVAL (nothing changed) if @capacity is out of range.
 */
int pcslab_cache_set_queue_capacity(struct pcslab_cache *cache,
				    unsigned int capacity)
{
	if (capacity > PCSLAB_MAX_QUEUE)
		return -EINVAL;
	WRITE_ONCE(cache->queue_capacity, capacity);
	pcslab_retune_cpus(cache, false);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_set_queue_capacity);

/**
 * pcslab_cache_set_outbox_batch - remote frees a CPU collects per owner
 *	before handing them over.
 * @cache: the cache.
 * @batch: 1..%PCSLAB_OUTBOX_MAX_BATCH; 1 hands every remote free over at
 *	once (no wait in the outbox, one queue push each).
 *
 * What already waits in outboxes is sent now.  Tuned through debugfs
 * ``outbox_batch``.
 *
 * Return: 0, or -EINVAL (nothing changed) if @batch is out of range.
 */
int pcslab_cache_set_outbox_batch(struct pcslab_cache *cache,
				  unsigned int batch)
{
	if (!batch || batch > PCSLAB_OUTBOX_MAX_BATCH)
		return -EINVAL;
	WRITE_ONCE(cache->outbox_batch, batch);
	pcslab_outbox_flush_all(cache);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_cache_set_outbox_batch);

/**
 * pcslab_cache_object_size - usable size of each object.
 * @cache: the cache.
 *
 * Return: the size given to pcslab_cache_create().
 */
unsigned int pcslab_cache_object_size(const struct pcslab_cache *cache)
{
	return cache->size;
}
EXPORT_SYMBOL_GPL(pcslab_cache_object_size);

static bool pcslab_name_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, PCSLAB_NAME_MAX + 1);
	if (!len || len > PCSLAB_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	return true;
}

static struct pcslab_cache *pcslab_find_locked(const char *name)
{
	struct pcslab_cache *cache;

	list_for_each_entry(cache, &pcslab_caches, list)
		if (!strcmp(cache->name, name))
			return cache;
	return NULL;
}

static void pcslab_cache_free(struct pcslab_cache *cache)
{
	free_percpu(cache->cpu);
	kfree(cache->name);
	kfree(cache);
}

/**
 * pcslab_cache_create - create a per-CPU slab cache.
 * @name: unique name, 1..32 printable characters without '/'; also the
 *	debugfs directory name.
 * @size: object size in bytes.
 * @align: object alignment, 0 (pointer alignment) or a power of two.
 * @flags: %PCSLAB_ZERO_ON_FREE, %PCSLAB_POISON, %PCSLAB_HWCACHE_ALIGN,
 *	%PCSLAB_STRICT_FREE.
 * @ctor: called on every object when its slab is created, or NULL.
 *	Objects must be returned in constructed state; not allowed together
 *	with %PCSLAB_ZERO_ON_FREE or %PCSLAB_POISON.
 *
 * Context: process context, may sleep.
 * Return: the cache, or ERR_PTR(-EINVAL) for a bad name, flags or
 * geometry (object smaller than a pointer after rounding, fewer than two
 * objects per slab, alignment not a power of two), ERR_PTR(-EEXIST) if
 * the name is taken, ERR_PTR(-ENOMEM).
 */
struct pcslab_cache *pcslab_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned int flags,
					 void (*ctor)(void *obj))
{
	struct pcslab_geometry geo;
	struct pcslab_cache *cache;
	unsigned int cpu;
	int err;

	might_sleep();
	if (!pcslab_name_valid(name) || (flags & ~PCSLAB_VALID_FLAGS))
		return ERR_PTR(-EINVAL);
	if (ctor && (flags & (PCSLAB_ZERO_ON_FREE | PCSLAB_POISON)))
		return ERR_PTR(-EINVAL);
	if (align && !is_power_of_2(align))
		return ERR_PTR(-EINVAL);
	if (flags & PCSLAB_HWCACHE_ALIGN)
		align = max_t(unsigned int, align, cache_line_size());
	err = pcslab_geometry_init(&geo, size, align);
	if (err)
		return ERR_PTR(err);

	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	if (!cache)
		return ERR_PTR(-ENOMEM);
	cache->name = kstrdup(name, GFP_KERNEL);
	cache->cpu = alloc_percpu(struct pcslab_cpu);
	cache->shrinker = shrinker_alloc(0, "pcslab-%s", name);
	if (!cache->name || !cache->cpu || !cache->shrinker) {
		err = -ENOMEM;
		goto fail;
	}
	cache->geo = geo;
	cache->size = size;
	cache->flags = flags;
	cache->ctor = ctor;
	cache->fixed_level = PCSLAB_DRAIN_ADAPTIVE;
	cache->queue_capacity = PCSLAB_DEFAULT_QUEUE;
	cache->outbox_batch = PCSLAB_OUTBOX_BATCH;
	/* never 0: the mark must differ from the object's address */
	cache->mark_key = get_random_long() | 1;
	cache->reserve = clamp(DIV_ROUND_UP(PCSLAB_RESERVE_OBJECTS, geo.nr_objects),
			       1U, PCSLAB_RESERVE_MAX_SLABS);
	/* kasan_poison() works on 8-byte granules */
	cache->kasan = IS_ENABLED(CONFIG_KASAN_GENERIC) &&
		       IS_ALIGNED(geo.obj_size, 8) && IS_ALIGNED(geo.data_offset, 8);
	/* a constructor's state must survive: no free tag in its objects */
	cache->hooks = cache->kasan || IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) ||
		       (flags & (PCSLAB_ZERO_ON_FREE | PCSLAB_POISON)) || ctor;
	cache->remote_slow = cache->hooks;
	/*
	 * A carrier's words past the link and the mark hold addresses
	 * (struct pcslab_carrier): as many as fit, rounded to a power of two
	 * less one.  The objects it carries are not marked by their freer,
	 * which PCSLAB_STRICT_FREE asks for.
	 */
	if (!cache->hooks && !(flags & PCSLAB_STRICT_FREE) &&
	    geo.obj_size >= 4 * sizeof(void *)) {
		unsigned int room = geo.obj_size / sizeof(void *) - 2;

		room = min(room, PCSLAB_CARRY_MAX + 1);
		cache->carry = rounddown_pow_of_two(room) - 1;
	}
	INIT_DELAYED_WORK(&cache->idle_flush, pcslab_idle_flush_fn);
	cache->idle_flush_ms = READ_ONCE(pcslab_idle_flush_ms);
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

		spin_lock_init(&pc->lock);
		atomic_set(&pc->shared, 0);
		pc->lock_taken = false;
		spin_lock_init(&pc->outbox_lock);
		INIT_LIST_HEAD(&pc->partial);
		INIT_LIST_HEAD(&pc->full);
		pc->hot = PCSLAB_NO_SLAB;
		pc->warm = PCSLAB_NO_SLAB;
		pc->foreign = PCSLAB_NO_SLAB;
		pcslab_drain_state_init(&pc->drain);
		pc->cpu = cpu;
		pc->cache = cache;
		atomic_set(&pc->kick_scheduled, 0);
		INIT_CSD(&pc->kick, pcslab_kick_fn, pc);
		pcslab_remote_init(&pc->remote);
	}
	pcslab_shrinker_init(cache);

	mutex_lock(&pcslab_caches_mutex);
	if (pcslab_find_locked(name)) {
		mutex_unlock(&pcslab_caches_mutex);
		err = -EEXIST;
		goto fail;
	}
	list_add_tail(&cache->list, &pcslab_caches);
	pcslab_debugfs_add(cache);
	mutex_unlock(&pcslab_caches_mutex);
	shrinker_register(cache->shrinker);
	return cache;

fail:
	shrinker_free(cache->shrinker);
	pcslab_cache_free(cache);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(pcslab_cache_create);

/**
 * pcslab_cache_destroy - drain and free a cache.
 * @cache: the cache; NULL or an ERR_PTR is a no-op.
 *
 * Every queued remote free is returned and every empty slab released.  If
 * objects are still in use, their number is reported with pr_err, their
 * slabs and the cache's bookkeeping are left allocated (a later free of
 * such an object still works and releases its slab once empty), and the
 * count is returned.  The name is free for reuse either way.
 *
 * Context: process context, may sleep.  No alloc may race with it.
 * Return: 0, or the number of objects still in use.
 */
unsigned long pcslab_cache_destroy(struct pcslab_cache *cache)
{
	unsigned long live, slabs;

	if (IS_ERR_OR_NULL(cache))
		return 0;
	might_sleep();
	mutex_lock(&pcslab_caches_mutex);
	list_del(&cache->list);
	mutex_unlock(&pcslab_caches_mutex);
	pcslab_debugfs_remove(cache);
	shrinker_free(cache->shrinker);
	cache->shrinker = NULL;

	/* a free after destroy keeps no empty slab: pcslab_reserve() */
	WRITE_ONCE(cache->reserve, 0);
	cpus_read_lock();
	/* late frees take an owner's lock directly: every owner shares it */
	pcslab_share_all(cache);
	WRITE_ONCE(cache->dead, true);
	WRITE_ONCE(cache->remote_slow, true);
	/* Senders that saw the cache alive have pushed and kicked by now. */
	synchronize_rcu();
	cancel_delayed_work_sync(&cache->idle_flush);
	wait_var_event(&cache->kicks_inflight,
		       !atomic_read(&cache->kicks_inflight));
	pcslab_shrink_cpus(cache, true);
	cpus_read_unlock();

	live = pcslab_stat_sum(cache, PCSLAB_STAT_OBJECTS_IN_USE);
	slabs = pcslab_stat_sum(cache, PCSLAB_STAT_SLABS);
	if (live) {
		pr_err("cache %s destroyed with %lu objects still in use; their %lu slabs stay allocated\n",
		       cache->name, live, slabs);
		kmemleak_not_leak(cache);
		return live;
	}
	/*
	 * A free that found the cache dead puts its object back itself and
	 * still touches the cache (slab release, counters) after the count
	 * we just read dropped: it does all of it with preemption off, so
	 * one more grace period and it has returned.
	 */
	synchronize_rcu();
	pcslab_cache_free(cache);
	return 0;
}
EXPORT_SYMBOL_GPL(pcslab_cache_destroy);

