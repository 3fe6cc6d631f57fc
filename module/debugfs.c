// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab debugfs interface: /sys/kernel/debug/pcslab/.
 *
 *   slabinfo                   one line per cache
 *   pages                      pages held by all caches
 *   <cache>/stats              "<counter> <total> C0=<n> C1=<n> ..."
 *   <cache>/drain_policy  rw   "adaptive" or "fixed <n>"
 *   <cache>/drain_level        per-CPU level, pending, cooldown, outbox
 *   <cache>/queue_capacity rw  remote queue bound per CPU
 *   <cache>/outbox_batch   rw  remote frees per hand-off (1..64)
 *   <cache>/memory             fixed bytes (per CPU and total), slab bytes
 *   <cache>/drain          w   "1": drain every CPU now
 *
 * Writes are parsed strictly (parse.c): one write at offset 0 of exactly
 * the documented form.  Anything else is -EINVAL and changes nothing.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

/* Longest accepted write: "fixed 65536\n" with room to spare. */
#define PCSLAB_WRITE_MAX	32

static struct dentry *pcslab_debugfs_root;

/**
 * pcslab_cache_stat - read one statistic, as shown in debugfs ``stats``.
 * @cache: the cache.
 * @name: counter name (``alloc``, ``free_remote``, ``slabs``, ...).
 * @cpu: a possible CPU, or -1 for the total over all CPUs.
 *
 * For in-kernel telemetry and benchmarks; values are read without locks.
 *
 * Return: the value, or -EINVAL for an unknown name or CPU.
 */
long pcslab_cache_stat(struct pcslab_cache *cache, const char *name, int cpu)
{
	unsigned int item;

	for (item = 0; item < PCSLAB_NR_STATS; item++)
		if (!strcmp(pcslab_stat_names[item], name))
			break;
	if (item == PCSLAB_NR_STATS)
		return -EINVAL;
	if (cpu >= 0) {
		if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
			return -EINVAL;
		return pcslab_stat_cpu(cache, item, cpu);
	}
	return pcslab_stat_sum(cache, item);
}
EXPORT_SYMBOL_GPL(pcslab_cache_stat);

/*
 * One whole write at offset 0, parsed and applied by @apply; nothing is
 * changed unless @apply succeeds.
 */
static ssize_t pcslab_write(struct pcslab_cache *cache,
			    const char __user *ubuf, size_t count, loff_t *ppos,
			    int (*apply)(struct pcslab_cache *cache,
					 const char *buf, size_t len))
{
	char buf[PCSLAB_WRITE_MAX];
	int err;

	if (*ppos != 0 || !count || count > PCSLAB_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	err = apply(cache, buf, count);
	if (err)
		return err;
	*ppos += count;
	return count;
}

/* The cache behind a single_open() file. */
static struct pcslab_cache *seq_cache(struct file *file)
{
	return ((struct seq_file *)file->private_data)->private;
}

static int pcslab_stats_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;
	unsigned int item, cpu;

	for (item = 0; item < PCSLAB_NR_STATS; item++) {
		seq_printf(m, "%s %lu", pcslab_stat_names[item],
			   pcslab_stat_sum(cache, item));
		for_each_possible_cpu(cpu)
			seq_printf(m, " C%u=%lu", cpu,
				   pcslab_stat_cpu(cache, item, cpu));
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcslab_stats);

static int pcslab_level_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;
	unsigned int cpu, level, pending, cooldown, outbox;

	seq_puts(m, "cpu level pending cooldown outbox\n");
	for_each_possible_cpu(cpu) {
		pcslab_cpu_snapshot(cache, cpu, &level, &pending, &cooldown,
				    &outbox);
		seq_printf(m, "C%u %u %u %u %u\n", cpu, level, pending, cooldown,
			   outbox);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcslab_level);

static int pcslab_policy_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;
	unsigned int level = READ_ONCE(cache->fixed_level);

	if (level == PCSLAB_DRAIN_ADAPTIVE)
		seq_puts(m, "adaptive\n");
	else
		seq_printf(m, "fixed %u\n", level);
	return 0;
}

static int pcslab_policy_open(struct inode *inode, struct file *file)
{
	return single_open(file, pcslab_policy_show, inode->i_private);
}

static int pcslab_apply_policy(struct pcslab_cache *cache, const char *buf,
			       size_t len)
{
	unsigned int level;

	if (pcslab_parse_policy(buf, len, &level))
		return -EINVAL;
	return pcslab_cache_set_policy(cache, level);
}

static ssize_t pcslab_policy_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	return pcslab_write(seq_cache(file), ubuf, count, ppos,
			    pcslab_apply_policy);
}

static const struct file_operations pcslab_policy_fops = {
	.owner = THIS_MODULE,
	.open = pcslab_policy_open,
	.read = seq_read,
	.write = pcslab_policy_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int pcslab_capacity_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;

	seq_printf(m, "%u\n", READ_ONCE(cache->queue_capacity));
	return 0;
}

static int pcslab_capacity_open(struct inode *inode, struct file *file)
{
	return single_open(file, pcslab_capacity_show, inode->i_private);
}

static int pcslab_apply_capacity(struct pcslab_cache *cache, const char *buf,
				 size_t len)
{
	unsigned int capacity;

	if (pcslab_parse_uint(buf, len, PCSLAB_MAX_QUEUE, &capacity))
		return -EINVAL;
	return pcslab_cache_set_queue_capacity(cache, capacity);
}

static ssize_t pcslab_capacity_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	return pcslab_write(seq_cache(file), ubuf, count, ppos,
			    pcslab_apply_capacity);
}

static const struct file_operations pcslab_capacity_fops = {
	.owner = THIS_MODULE,
	.open = pcslab_capacity_open,
	.read = seq_read,
	.write = pcslab_capacity_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int pcslab_batch_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;

	seq_printf(m, "%u\n", READ_ONCE(cache->outbox_batch));
	return 0;
}

static int pcslab_batch_open(struct inode *inode, struct file *file)
{
	return single_open(file, pcslab_batch_show, inode->i_private);
}

static int pcslab_apply_batch(struct pcslab_cache *cache, const char *buf,
			      size_t len)
{
	unsigned int batch;

	if (pcslab_parse_uint(buf, len, PCSLAB_OUTBOX_MAX_BATCH, &batch))
		return -EINVAL;
	return pcslab_cache_set_outbox_batch(cache, batch);
}

static ssize_t pcslab_batch_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	return pcslab_write(seq_cache(file), ubuf, count, ppos,
			    pcslab_apply_batch);
}

static const struct file_operations pcslab_batch_fops = {
	.owner = THIS_MODULE,
	.open = pcslab_batch_open,
	.read = seq_read,
	.write = pcslab_batch_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * What a cache costs before it holds an object: its struct and one
 * struct pcslab_cpu per possible CPU (the outbox included, whose size does
 * not depend on the number of CPUs); and the slabs it holds.
 */
static int pcslab_memory_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache = m->private;
	unsigned long slabs = pcslab_stat_sum(cache, PCSLAB_STAT_SLABS);
	unsigned int cpus = num_possible_cpus();

	seq_printf(m, "cache_bytes %zu\n", sizeof(*cache));
	seq_printf(m, "percpu_bytes %zu\n", sizeof(struct pcslab_cpu));
	seq_printf(m, "possible_cpus %u\n", cpus);
	seq_printf(m, "fixed_bytes %zu\n",
		   sizeof(*cache) + cpus * sizeof(struct pcslab_cpu));
	seq_printf(m, "slab_bytes %lu\n",
		   slabs << (PAGE_SHIFT + cache->geo.order));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcslab_memory);

static int pcslab_apply_drain(struct pcslab_cache *cache, const char *buf,
			      size_t len)
{
	unsigned int one;

	if (pcslab_parse_uint(buf, len, 1, &one) || one != 1)
		return -EINVAL;
	pcslab_cache_drain(cache);
	return 0;
}

static ssize_t pcslab_drain_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	return pcslab_write(file->private_data, ubuf, count, ppos,
			    pcslab_apply_drain);
}

static const struct file_operations pcslab_drain_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pcslab_drain_write,
	.llseek = default_llseek,
};

static int pcslab_slabinfo_show(struct seq_file *m, void *v)
{
	struct pcslab_cache *cache;

	seq_puts(m, "# name objsize active_objs num_objs slabs pages\n");
	mutex_lock(&pcslab_caches_mutex);
	list_for_each_entry(cache, &pcslab_caches, list) {
		unsigned long inuse = pcslab_stat_sum(cache, PCSLAB_STAT_OBJECTS_IN_USE);
		unsigned long slabs = pcslab_stat_sum(cache, PCSLAB_STAT_SLABS);

		seq_printf(m, "%s %u %lu %lu %lu %lu\n", cache->name,
			   cache->size, inuse, slabs * cache->geo.nr_objects,
			   slabs, slabs << cache->geo.order);
	}
	mutex_unlock(&pcslab_caches_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcslab_slabinfo);

static int pcslab_pages_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%ld\n", atomic_long_read(&pcslab_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcslab_pages);

/**
 * pcslab_debugfs_add - create a cache's debugfs directory.
 * @cache: the cache (its name is unique; caller holds the cache list lock).
 */
void pcslab_debugfs_add(struct pcslab_cache *cache)
{
	struct dentry *dir = debugfs_create_dir(cache->name, pcslab_debugfs_root);

	cache->debugfs = dir;
	debugfs_create_file("stats", 0444, dir, cache, &pcslab_stats_fops);
	debugfs_create_file("drain_policy", 0644, dir, cache,
			    &pcslab_policy_fops);
	debugfs_create_file("drain_level", 0444, dir, cache,
			    &pcslab_level_fops);
	debugfs_create_file("queue_capacity", 0644, dir, cache,
			    &pcslab_capacity_fops);
	debugfs_create_file("outbox_batch", 0644, dir, cache,
			    &pcslab_batch_fops);
	debugfs_create_file("memory", 0444, dir, cache, &pcslab_memory_fops);
	debugfs_create_file("drain", 0200, dir, cache, &pcslab_drain_fops);
}

/**
 * pcslab_debugfs_remove - remove a cache's directory, waiting for readers.
 * @cache: the cache.
 */
void pcslab_debugfs_remove(struct pcslab_cache *cache)
{
	debugfs_remove(cache->debugfs);
	cache->debugfs = NULL;
}

/** pcslab_debugfs_init - create /sys/kernel/debug/pcslab. */
void pcslab_debugfs_init(void)
{
	pcslab_debugfs_root = debugfs_create_dir("pcslab", NULL);
	debugfs_create_file("slabinfo", 0444, pcslab_debugfs_root, NULL,
			    &pcslab_slabinfo_fops);
	debugfs_create_file("pages", 0444, pcslab_debugfs_root, NULL,
			    &pcslab_pages_fops);
}

/** pcslab_debugfs_exit - remove /sys/kernel/debug/pcslab. */
void pcslab_debugfs_exit(void)
{
	debugfs_remove(pcslab_debugfs_root);
	pcslab_debugfs_root = NULL;
}
