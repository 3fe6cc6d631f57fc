// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab bitmap slab.
 *
 * A slab is a block of 2^order pages aligned to its own size, with this
 * header at its start and the objects after it.  A set bit in free_map is
 * a free slot; allocation takes the first set bit.  Every page of the slab
 * carries the header address (xor a key) in page->private, so any pointer
 * can be checked for "is this one of our objects" without touching memory
 * that might not be ours.  Callers provide the locking: free_map belongs to
 * the owner CPU's lock.
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

/* Give up on a bigger order once the tail wasted is below 1/32 of a slab. */
#define PCSLAB_WASTE_SHIFT	5

static unsigned int pcslab_slab_capacity(unsigned int order,
					 unsigned int obj_size,
					 unsigned int data_offset)
{
	unsigned long bytes = PAGE_SIZE << order;

	if (data_offset >= bytes)
		return 0;
	return min_t(unsigned long, (bytes - data_offset) / obj_size,
		     PCSLAB_MAX_OBJECTS);
}

/**
 * pcslab_geometry_init - choose object stride and slab order.
 * @geo: filled in on success.
 * @size: requested object size in bytes.
 * @align: requested alignment (0 = pointer alignment; else a power of two).
 *
 * The smallest order whose tail waste is below 1/32 of the slab wins;
 * failing that the order with the least waste.  An object must hold at
 * least a pointer (the remote-free link lives in it) and a slab at least
 * two objects.
 *
 * Return: 0, or -EINVAL for impossible geometry.
 */
int pcslab_geometry_init(struct pcslab_geometry *geo, unsigned int size,
			 unsigned int align)
{
	unsigned int order, best = 0, best_waste = UINT_MAX;
	unsigned int obj_size, data_offset, nr;

	if (!size)
		return -EINVAL;
	if (!align)
		align = sizeof(void *);
	if (!is_power_of_2(align) || align > (PAGE_SIZE << PCSLAB_MAX_ORDER) / 2)
		return -EINVAL;
	if (size > (PAGE_SIZE << PCSLAB_MAX_ORDER))
		return -EINVAL;
	obj_size = ALIGN(size, align);
	if (obj_size < sizeof(void *))
		return -EINVAL;
	obj_size = max_t(unsigned int, obj_size, PCSLAB_MIN_OBJ_SIZE);
	data_offset = ALIGN(PCSLAB_SLAB_HEADER_BYTES, align);

	for (order = 0; order <= PCSLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order;
		unsigned int waste;

		nr = pcslab_slab_capacity(order, obj_size, data_offset);
		if (nr < 2)
			continue;
		waste = bytes - (unsigned long)nr * obj_size;
		/* Compare waste as a fraction of the slab: w/b < bw/bb. */
		if (best_waste == UINT_MAX ||
		    (u64)waste * (PAGE_SIZE << best) < (u64)best_waste * bytes) {
			best_waste = waste;
			best = order;
		}
		if (waste <= (bytes >> PCSLAB_WASTE_SHIFT)) {
			best = order;
			break;
		}
		if (nr == PCSLAB_MAX_OBJECTS)
			break;	/* a bigger slab cannot hold more objects */
	}
	if (best_waste == UINT_MAX)
		return -EINVAL;

	geo->obj_size = obj_size;
	geo->align = align;
	geo->order = best;
	geo->data_offset = data_offset;
	geo->nr_objects = pcslab_slab_capacity(best, obj_size, data_offset);
	geo->data_bytes = geo->nr_objects * obj_size;
	geo->obj_size_inv = DIV_ROUND_UP_ULL(1ULL << 32, obj_size);
	geo->slab_mask = ~((PAGE_SIZE << best) - 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_geometry_init);

static void pcslab_slab_set_tags(struct pcslab_slab *slab,
				 const struct pcslab_geometry *geo,
				 unsigned long tag)
{
	struct page *page = virt_to_page(slab);
	unsigned int i;

	for (i = 0; i < (1U << geo->order); i++)
		set_page_private(page + i, tag);
}

/**
 * pcslab_slab_init - format a fresh block of pages as an all-free slab.
 * @slab: base of the block (aligned to its size).
 * @geo: the cache's geometry.
 * @cache: owning cache.
 * @cpu: owner CPU.
 */
void pcslab_slab_init(struct pcslab_slab *slab,
		      const struct pcslab_geometry *geo,
		      struct pcslab_cache *cache, unsigned int cpu)
{
	slab->magic = PCSLAB_SLAB_MAGIC;
	slab->cpu = cpu;
	slab->nr_objects = geo->nr_objects;
	slab->nr_free = geo->nr_objects;
	slab->cache = cache;
	INIT_LIST_HEAD(&slab->list);
	bitmap_zero(slab->free_map, PCSLAB_MAX_OBJECTS);
	bitmap_set(slab->free_map, 0, geo->nr_objects);
	pcslab_slab_set_tags(slab, geo, (unsigned long)slab ^ PCSLAB_PAGE_KEY);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_init);

/**
 * pcslab_slab_clear_owner_tag - forget a slab before its pages are freed.
 * @slab: the slab.
 * @geo: its geometry.
 */
void pcslab_slab_clear_owner_tag(struct pcslab_slab *slab,
				 const struct pcslab_geometry *geo)
{
	slab->magic = 0;
	pcslab_slab_set_tags(slab, geo, 0);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_clear_owner_tag);

/**
 * pcslab_obj_to_slab - find and validate the slab of a pointer.
 * @obj: any pointer.
 *
 * Only struct page is read until the pointer is known to lie in one of our
 * slabs, so a foreign pointer (kmalloc, stack, another allocator) is
 * rejected without touching its memory.
 *
 * Return: the slab header, or NULL if @obj is not inside a live slab.
 */
struct pcslab_slab *pcslab_obj_to_slab(const void *obj)
{
	struct pcslab_slab *slab;
	unsigned long tag;

	if (!obj || !virt_addr_valid(obj))
		return NULL;
	/* Foreign pages may change private at any time; only equality counts. */
	tag = data_race(page_private(virt_to_page(obj)));
	if (!tag)
		return NULL;
	slab = (struct pcslab_slab *)(tag ^ PCSLAB_PAGE_KEY);
	if (!PAGE_ALIGNED(slab) || (unsigned long)obj < (unsigned long)slab)
		return NULL;
	if ((unsigned long)obj - (unsigned long)slab >=
	    (PAGE_SIZE << PCSLAB_MAX_ORDER))
		return NULL;
	if (!virt_addr_valid(slab))
		return NULL;
	/* Same racy read as above, on the slab's first page. */
	if (data_race(page_private(virt_to_page(slab))) != tag)
		return NULL;
	if (READ_ONCE(slab->magic) != PCSLAB_SLAB_MAGIC)
		return NULL;
	return slab;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_obj_to_slab);
