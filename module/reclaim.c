// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab reclaim: giving memory back and returning stranded remote frees.
 *
 * Empty slabs beyond a CPU's reserve go back to the page allocator lazily:
 * the slab that crosses the reserve arms the idle flush, which trims
 * every CPU down to its reserve; the shrinker does the same under memory
 * pressure, and pcslab_cache_shrink() releases the reserve too.
 *
 * Remote frees must not strand on a freer or an owner that went quiet: the
 * idle flush (delayed work armed by the first object into an empty outbox
 * slot or an empty queue), the shrinker, pcslab_cache_drain() and CPU
 * offline first send what waits in every outbox (outbox.c), then drain
 * the queues from any CPU, under each owner's lock.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"
#include "drain.h"
#include "pcslab_trace.h"

/*
 * Delay after the first remote free into an empty outbox slot or queue
 * before the idle flush runs: the longest an object waits for an owner or
 * a freer that went quiet.  A cache takes the value current when it is
 * created (pcslab.idle_flush_ms=, or /sys/module/pcslab/parameters/).
 */
unsigned int pcslab_idle_flush_ms = PCSLAB_IDLE_FLUSH_MS;
EXPORT_SYMBOL_IF_KUNIT(pcslab_idle_flush_ms);

static int pcslab_set_idle_flush_ms(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	/* the debugfs files' strict form: the same input means the same thing */
	if (pcslab_parse_uint(val, strlen(val), PCSLAB_IDLE_FLUSH_MAX_MS, &ms) || !ms)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops pcslab_idle_flush_ms_ops = {
	.set = pcslab_set_idle_flush_ms,
	.get = param_get_uint,
};
module_param_cb(idle_flush_ms, &pcslab_idle_flush_ms_ops, &pcslab_idle_flush_ms, 0644);
MODULE_PARM_DESC(idle_flush_ms,
		 "ms before remote frees of an idle owner or freer are flushed, 1..60000 (default 100), for caches created later");

/*
 * Recompute @pc->head_empty and @pc->head_room (struct pcslab_cpu) from
 * the lists and @pc->nr_empty, after a slow path moved a slab or counted
 * one; @reserve is pcslab_reserve().  Lock held.  Out of line: the paths
 * that call it are slow, and the bulk free's loop inlines them.
 */
void pcslab_head_update(struct pcslab_cpu *pc, unsigned int reserve)
{
	struct pcslab_slab *head;
	struct list_head *next;

	pc->head_empty = false;
	pc->head_room = false;
	if (list_empty(&pc->partial))
		return;
	head = list_first_entry(&pc->partial, struct pcslab_slab, list);
	pc->head_empty = pcslab_slab_empty(head);
	/* slabs in use come first: the second one tells */
	next = head->list.next;
	pc->head_room = pc->nr_empty < reserve &&
			(next == &pc->partial ||
			 pcslab_slab_empty(list_entry(next, struct pcslab_slab,
						      list)));
}

/*
 * Release empty slabs of @pc beyond @keep.  Empty slabs sit on the partial
 * list, moved to its tail when they empty, so the walk from the tail finds
 * them first.
 */
unsigned int pcslab_trim_locked(struct pcslab_cache *cache,
				struct pcslab_cpu *pc, unsigned int keep)
{
	struct pcslab_slab *slab, *tmp;
	unsigned int freed = 0;

	lockdep_assert_held(&pc->lock);
	list_for_each_entry_safe_reverse(slab, tmp, &pc->partial, list) {
		bool head = slab->list.prev == &pc->partial;

		if (pcslab_nr_empty(pc) <= keep)
			break;
		if (!pcslab_slab_empty(slab))
			continue;
		list_del(&slab->list);
		if (head)
			pcslab_head_left(pc);
		else
			pc->nr_empty--;
		pc->nr_slabs--;
		pcslab_free_slab_pages(cache, pc, slab);
		freed++;
	}
	if (freed)
		pcslab_head_update(pc, pcslab_reserve(cache, pc));
	pc->empty_low = min(pc->empty_low, pc->nr_empty);
	return freed;
}

/**
 * __pcslab_drain_cpu - drain one CPU's remote queue from any CPU.
 * @cache: the cache.
 * @cpu: the owner whose queue to drain.
 *
 * Context: as pcslab_foreign_lock(), the CPU hotplug lock held.
 * Return: objects returned to their slabs.
 */
unsigned int __pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	unsigned long flags;
	unsigned int n;

	pcslab_foreign_lock(pc, &flags);
	n = pcslab_drain_locked(cache, pc);
	pcslab_trim_locked(cache, pc, pcslab_reserve(cache, pc));
	pcslab_foreign_unlock(pc, flags);
	return n;
}

/**
 * pcslab_drain_cpu - __pcslab_drain_cpu() under the CPU hotplug lock.
 * @cache: the cache.
 * @cpu: the owner whose queue to drain.
 *
 * Context: task context, interrupts on.
 * Return: objects returned to their slabs.
 */
unsigned int pcslab_drain_cpu(struct pcslab_cache *cache, unsigned int cpu)
{
	unsigned int n;

	cpus_read_lock();
	n = __pcslab_drain_cpu(cache, cpu);
	cpus_read_unlock();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_drain_cpu);

/*
 * The idle flush on one CPU: drain its queue, then release the empty
 * slabs beyond the reserve that stayed empty since the last time (those
 * above the lowest empty count seen meanwhile).  An owner that cycles
 * through more slabs than its reserve keeps them while it does, instead of
 * giving them back every interval and allocating them again; one that
 * stops has them released by the next flush.
 *
 * Return: true if empty slabs beyond the reserve remain (flush again).
 */
static bool pcslab_idle_trim_cpu(struct pcslab_cache *cache, unsigned int cpu,
				 unsigned int *drained)
{
	struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
	unsigned int reserve, unused, low;
	unsigned long flags;
	bool more;

	pcslab_foreign_lock(pc, &flags);
	*drained = pcslab_drain_locked(cache, pc);
	reserve = pcslab_reserve(cache, pc);
	/* the head counts as unused when it is empty now */
	low = pc->empty_low + pc->head_empty;
	unused = low > reserve ? low - reserve : 0;
	pcslab_trim_locked(cache, pc, pcslab_nr_empty(pc) - unused);
	pc->empty_low = pc->nr_empty;
	more = pcslab_nr_empty(pc) > reserve;
	pcslab_foreign_unlock(pc, flags);
	return more;
}

/*
 * Return remote frees whose owner stopped allocating and freeing, and
 * release empty slabs beyond each CPU's reserve that went unused for a
 * whole interval (pcslab_idle_trim_cpu()); while some remain, run again.
 */
void pcslab_idle_flush_fn(struct work_struct *work)
{
	struct pcslab_cache *cache = container_of(to_delayed_work(work),
						  struct pcslab_cache,
						  idle_flush);
	unsigned int cpu, drained;
	bool more = false;

	pcslab_outbox_flush_all(cache);
	/*
	 * Not cpus_read_lock(): CPU hotplug may wait for work like this one;
	 * if it runs, the next interval does the rest.
	 */
	if (!cpus_read_trylock()) {
		pcslab_arm_idle_flush(cache);
		return;
	}
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

		if (!atomic_read(&pc->remote.pending) &&
		    /* an unlocked look is enough to skip an idle CPU */
		    pcslab_nr_empty(pc) <= pcslab_reserve(cache, pc))
			continue;
		more |= pcslab_idle_trim_cpu(cache, cpu, &drained);
		if (drained) {
			pcslab_stat(cache, PCSLAB_STAT_IDLE_FLUSH);
			cond_resched();
		}
	}
	cpus_read_unlock();
	if (more)
		pcslab_arm_idle_flush(cache);
}

/**
 * pcslab_cache_drain - return every remote free to its slab now.
 * @cache: the cache.
 *
 * What waits in outboxes is handed over first, then every queue drained.
 *
 * Context: task context, interrupts on (waits for each CPU in turn).
 * Return: the number of objects drained.
 */
unsigned long pcslab_cache_drain(struct pcslab_cache *cache)
{
	unsigned long n = 0;
	unsigned int cpu;

	pcslab_outbox_flush_all(cache);
	cpus_read_lock();
	for_each_possible_cpu(cpu)
		n += __pcslab_drain_cpu(cache, cpu);
	cpus_read_unlock();
	return n;
}
EXPORT_SYMBOL_GPL(pcslab_cache_drain);

/*
 * Drain every CPU and release empty slabs beyond the reserve, or @all.
 * The CPU hotplug lock held.
 */
unsigned long pcslab_shrink_cpus(struct pcslab_cache *cache, bool all)
{
	unsigned long freed = 0;
	unsigned int cpu;

	pcslab_outbox_flush_all(cache);
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		unsigned long flags;
		unsigned int before;

		pcslab_foreign_lock(pc, &flags);
		before = pc->nr_slabs;
		/* the drain itself releases slabs that empty beyond the reserve */
		pcslab_drain_locked(cache, pc);
		pcslab_trim_locked(cache, pc, all ? 0 : pcslab_reserve(cache, pc));
		freed += before - pc->nr_slabs;
		pcslab_foreign_unlock(pc, flags);
	}
	return freed;
}

/**
 * pcslab_cache_shrink - drain every queue and release every empty slab.
 * @cache: the cache.
 *
 * Unlike memory pressure (the shrinker), this also gives back the per-CPU
 * reserve of empty slabs.
 *
 * Context: task context, interrupts on (waits for each CPU in turn).
 * Return: the number of slabs released.
 */
unsigned long pcslab_cache_shrink(struct pcslab_cache *cache)
{
	unsigned long freed;

	cpus_read_lock();
	freed = pcslab_shrink_cpus(cache, true);
	cpus_read_unlock();
	return freed;
}
EXPORT_SYMBOL_GPL(pcslab_cache_shrink);

static unsigned long pcslab_shrink_count(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	struct pcslab_cache *cache = shrinker->private_data;
	unsigned long count = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);
		/* An estimate is all the shrinker needs; no lock. */
		unsigned int empty = pcslab_nr_empty(pc);
		unsigned int keep = pcslab_reserve(cache, pc);

		count += atomic_read(&pc->remote.pending) +
			 pcslab_outbox_count(pc);
		if (empty > keep)
			count += (empty - keep) * cache->geo.nr_objects;
	}
	return count;
}

static unsigned long pcslab_shrink_scan(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct pcslab_cache *cache = shrinker->private_data;
	unsigned long freed;

	/* the hotplug writer may be the one reclaiming: never wait for it */
	if (!cpus_read_trylock())
		return SHRINK_STOP;
	freed = pcslab_shrink_cpus(cache, false) * cache->geo.nr_objects;
	cpus_read_unlock();
	return freed ? freed : SHRINK_STOP;
}

/**
 * pcslab_shrinker_init - hook a cache's shrinker up (registered by create).
 * @cache: the cache, with @cache->shrinker allocated.
 */
void pcslab_shrinker_init(struct pcslab_cache *cache)
{
	cache->shrinker->count_objects = pcslab_shrink_count;
	cache->shrinker->scan_objects = pcslab_shrink_scan;
	cache->shrinker->private_data = cache;
}
