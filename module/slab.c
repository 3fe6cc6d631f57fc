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
 * the owner CPU's lock, queued_map is atomic.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

/* Mixed into page->private so that a stray value rarely looks like ours. */
#define PCSLAB_PAGE_KEY		0x9c51ab5eed000000UL

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
	data_offset = ALIGN(sizeof(struct pcslab_slab), align);

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
	geo->obj_size_rcp = reciprocal_value(obj_size);
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
	bitmap_zero(slab->queued_map, PCSLAB_MAX_OBJECTS);
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
 * pcslab_slab_take - allocate the first free slot.
 * @slab: slab, owner's lock held.
 * @geo: its geometry.
 *
 * Return: the object, or NULL if the slab is full.
 */
void *pcslab_slab_take(struct pcslab_slab *slab,
		       const struct pcslab_geometry *geo)
{
	unsigned int idx = find_first_bit(slab->free_map, slab->nr_objects);

	if (idx >= slab->nr_objects)
		return NULL;
	__clear_bit(idx, slab->free_map);
	slab->nr_free--;
	return pcslab_slab_obj(slab, geo, idx);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_take);

/**
 * pcslab_slab_obj_index - slot index of an object pointer.
 * @slab: slab the pointer lies in.
 * @geo: its geometry.
 * @obj: the pointer.
 *
 * Return: the index, or -EINVAL if @obj is not the start of a slot.
 */
int pcslab_slab_obj_index(const struct pcslab_slab *slab,
			  const struct pcslab_geometry *geo, const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)slab;
	u32 idx;

	if (off < geo->data_offset || off >= (PAGE_SIZE << geo->order))
		return -EINVAL;
	off -= geo->data_offset;
	/* reciprocal_divide(): no hardware division on the free path */
	idx = reciprocal_divide(off, geo->obj_size_rcp);
	if (idx * geo->obj_size != off || idx >= slab->nr_objects)
		return -EINVAL;
	return idx;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_obj_index);

/**
 * pcslab_slab_put - mark a slot free again.
 * @slab: slab, owner's lock held.
 * @idx: slot index (see pcslab_slab_obj_index()).
 *
 * Return: %PCSLAB_PUT_DOUBLE, changing nothing, if the slot is already free
 * or waiting in the remote queue; else %PCSLAB_PUT_OK.
 */
enum pcslab_put_result pcslab_slab_put(struct pcslab_slab *slab,
				       unsigned int idx)
{
	if (test_bit(idx, slab->free_map) || test_bit(idx, slab->queued_map))
		return PCSLAB_PUT_DOUBLE;
	__set_bit(idx, slab->free_map);
	slab->nr_free++;
	return PCSLAB_PUT_OK;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_put);

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

/**
 * pcslab_obj_to_slab_of - pcslab_obj_to_slab() for a known geometry.
 * @obj: any pointer.
 * @geo: geometry of the cache it should belong to.
 *
 * The free path's variant: the slab base comes from the alignment mask,
 * so only @obj's page is looked at.  Every page of a slab carries the
 * same tag, so a match proves the page belongs to the slab at the base.
 *
 * Return: the slab header, or NULL if @obj is not inside a live slab of
 * this geometry's size.
 */
struct pcslab_slab *pcslab_obj_to_slab_of(const void *obj,
					  const struct pcslab_geometry *geo)
{
	struct pcslab_slab *slab = pcslab_slab_base(obj, geo);

	if (!obj || !virt_addr_valid(obj))
		return NULL;
	/* Foreign pages may change private at any time; only equality counts. */
	if (data_race(page_private(virt_to_page(obj))) !=
	    ((unsigned long)slab ^ PCSLAB_PAGE_KEY))
		return NULL;
	if (READ_ONCE(slab->magic) != PCSLAB_SLAB_MAGIC)
		return NULL;
	return slab;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_obj_to_slab_of);

/**
 * pcslab_slab_is_queued - is the slot waiting in a remote queue?
 * @slab: the slab.
 * @idx: slot index.
 *
 * Return: true if queued.
 */
bool pcslab_slab_is_queued(const struct pcslab_slab *slab, unsigned int idx)
{
	return test_bit(idx, slab->queued_map);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_is_queued);

/**
 * pcslab_slab_mark_queued - claim a slot for the remote queue.
 * @slab: the slab (no lock needed).
 * @idx: slot index.
 *
 * Return: false if the slot was already queued (a double free).
 */
bool pcslab_slab_mark_queued(struct pcslab_slab *slab, unsigned int idx)
{
	return !test_and_set_bit(idx, slab->queued_map);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_mark_queued);

/**
 * pcslab_slab_clear_queued - the drain took the slot off the queue.
 * @slab: the slab.
 * @idx: slot index.
 */
void pcslab_slab_clear_queued(struct pcslab_slab *slab, unsigned int idx)
{
	clear_bit(idx, slab->queued_map);
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_clear_queued);

/**
 * pcslab_slab_is_free_racy - unlocked peek at a slot's free bit.
 * @slab: the slab.
 * @idx: slot index.
 *
 * Used by remote freers to catch a double free early; the owner may be
 * changing the bitmap, so the answer is only a hint.
 *
 * Return: true if the slot looked free.
 */
bool pcslab_slab_is_free_racy(const struct pcslab_slab *slab,
			      unsigned int idx)
{
	/* The owner may be flipping bits under its lock; a hint suffices. */
	return data_race(test_bit(idx, slab->free_map));
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_slab_is_free_racy);
