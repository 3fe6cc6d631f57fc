// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab slab growth: the slow path of an allocation that found no free
 * object on its CPU, even after draining the CPU's remote queue.  Pages
 * come from the page allocator on the CPU's memory node, are formatted
 * the way free objects of the cache look (constructor, wipe, KASAN
 * poison) without any lock held, and the new slab joins the CPU that
 * runs when its header is written (interrupts off from then on).
 *
 * And the reverse: an empty slab given back to the page allocator, its
 * tag cleared and every CPU's foreign-slab hint naming it forgotten.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/topology.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"
#include "pcslab_trace.h"

/*
 * Format a new slab's objects the way free objects look in this cache:
 * without hooks, the free tag in each (pcslab_free_word_base()).
 */
static void pcslab_prepare_slab_objects(struct pcslab_cache *cache,
					struct pcslab_slab *slab)
{
	unsigned long tag_base = pcslab_free_word_base(cache, false);
	unsigned int i;

	for (i = 0; i < cache->geo.nr_objects; i++) {
		void *obj = pcslab_slab_obj(slab, &cache->geo, i);

		if (!cache->hooks) {
			*pcslab_mark_word(obj) = pcslab_free_word(tag_base, obj,
								  false);
			continue;
		}
		if (cache->ctor)
			cache->ctor(obj);
		else
			pcslab_wipe(cache, obj, cache->geo.obj_size);
		pcslab_kasan_poison(cache, obj, 0);
	}
}

/**
 * pcslab_alloc_slab_pages - get the pages for a new slab.
 * @cache: the cache.
 * @gfp: the caller's allocation flags.
 *
 * Its own function so KUnit can make it fail (a static stub).
 *
 * Return: the first page of a 2^order block, or NULL.
 */
VISIBLE_IF_KUNIT struct page *pcslab_alloc_slab_pages(struct pcslab_cache *cache,
						      gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(pcslab_alloc_slab_pages, cache, gfp);
	return alloc_pages_node(numa_mem_id(), gfp & ~(__GFP_ZERO | __GFP_COMP),
				cache->geo.order);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_alloc_slab_pages);

/**
 * pcslab_alloc_new_slab - allocate from a new slab of the current CPU.
 * @cache: the cache.
 * @gfp: the caller's allocation flags.
 *
 * Return: an object of the new slab, or NULL if no pages could be had.
 */
void *pcslab_alloc_new_slab(struct pcslab_cache *cache, gfp_t gfp)
{
	struct pcslab_slab *slab;
	struct pcslab_cpu *pc;
	unsigned long flags;
	struct page *page;
	void *obj;

	page = pcslab_alloc_slab_pages(cache, gfp);
	if (!page)
		return NULL;
	slab = page_address(page);
	atomic_long_add(1L << cache->geo.order, &pcslab_pages);
	pcslab_prepare_slab_objects(cache, slab);

	local_irq_save(flags);
	pc = this_cpu_ptr(cache->cpu);
	pcslab_slab_init(slab, &cache->geo, cache, pc->cpu);
	pcslab_owner_lock(pc);
	pcslab_head_displaced(pc);
	list_add(&slab->list, &pc->partial);
	pc->nr_slabs++;
	obj = pcslab_slab_take(slab, &cache->geo);
	pcslab_set_hot(pc, slab);
	pcslab_head_update(pc, pcslab_local_reserve(cache));
	pcslab_stat_locked(pc, PCSLAB_STAT_SLAB_NEW);
	pcslab_stat_locked(pc, PCSLAB_STAT_ALLOC_SLOWPATH);
	pcslab_stat_locked(pc, PCSLAB_STAT_ALLOC);
	pcslab_owner_unlock(pc);
	trace_pcslab_slab_new(cache->name, pc->cpu, cache->geo.order);
	local_irq_restore(flags);
	return obj;
}

/*
 * Clear every CPU's @foreign hint naming @slab, whose tag is gone.  The
 * full barrier pairs with the one in pcslab_note_foreign(): a CPU setting
 * its hint to @slab now either sees the tag gone or has its hint seen
 * here.  A hint replaced concurrently by another slab is left alone or
 * lost, both harmless.
 */
static void pcslab_forget_foreign(struct pcslab_cache *cache,
				  struct pcslab_slab *slab)
{
	unsigned int cpu;

	smp_mb();	/* tag cleared before the hints are read: see above */
	for_each_possible_cpu(cpu) {
		struct pcslab_cpu *pc = per_cpu_ptr(cache->cpu, cpu);

		if (READ_ONCE(pc->foreign) == slab)
			WRITE_ONCE(pc->foreign, PCSLAB_NO_SLAB);
	}
}

/* Give an empty slab of @pc back to the page allocator. */
void pcslab_free_slab_pages(struct pcslab_cache *cache, struct pcslab_cpu *pc,
			    struct pcslab_slab *slab)
{
	lockdep_assert_held(&pc->lock);
	if (pc->hot == slab)
		pc->hot = PCSLAB_NO_SLAB;
	if (pc->warm == slab)
		pc->warm = PCSLAB_NO_SLAB;
	trace_pcslab_slab_free(cache->name, slab->cpu, cache->geo.order);
	pcslab_slab_clear_owner_tag(slab, &cache->geo);
	pcslab_forget_foreign(cache, slab);
	free_pages((unsigned long)slab, cache->geo.order);
	atomic_long_sub(1L << cache->geo.order, &pcslab_pages);
	pcslab_stat_locked(pc, PCSLAB_STAT_SLAB_FREE);
}
