/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab bitmap slab: layout, and the bit operations of the alloc and free
 * fast paths (inline; the cold parts are in slab.c).  No locking here:
 * free_map belongs to the owner CPU's lock.
 */
#ifndef _PCSLAB_SLAB_H
#define _PCSLAB_SLAB_H

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct pcslab_cache;

#define PCSLAB_MAX_OBJECTS	512U
/*
 * Smallest object stride: a queued object holds its llist link and the
 * queued mark (pcslab_claim()) in its first two words.
 */
#define PCSLAB_MIN_OBJ_SIZE	(2 * sizeof(void *))
/* Largest slab order tried; beyond PAGE_ALLOC_COSTLY_ORDER allocs get flaky. */
#define PCSLAB_MAX_ORDER	3U
#define PCSLAB_SLAB_MAGIC	0x5c51ab00U
/* Mixed into page->private so that a stray value rarely looks like ours. */
#define PCSLAB_PAGE_KEY		0x9c51ab5eed000000UL

/**
 * struct pcslab_geometry - how objects are laid out in a slab.
 * @obj_size: stride of one object (requested size rounded up to @align).
 * @align: object alignment, a power of two.
 * @order: the slab is 2^order pages, aligned to its own size.
 * @nr_objects: objects per slab, 2..%PCSLAB_MAX_OBJECTS.
 * @data_offset: offset of the first object from the slab base.
 * @data_bytes: @nr_objects * @obj_size, the bytes of object slots.
 * @obj_size_inv: ceil(2^32 / @obj_size): an offset times it, shifted right
 *	by 32, is the offset divided by @obj_size whenever the offset is a
 *	multiple of @obj_size below 2^32 (see pcslab_slab_obj_index()).
 * @slab_mask: ~(slab bytes - 1): an address and it give the slab base.
 */
struct pcslab_geometry {
	unsigned int obj_size;
	unsigned int align;
	unsigned int order;
	unsigned int nr_objects;
	unsigned int data_offset;
	unsigned int data_bytes;
	u32 obj_size_inv;
	unsigned long slab_mask;
};

/**
 * struct pcslab_slab - in-band header at the start of every slab.
 * @list: link in the owner CPU's partial/full/empty list; first, so that
 *	the allocation's list head is the slab's address too.
 * @magic: %PCSLAB_SLAB_MAGIC while the slab is live.
 * @cpu: owner CPU; only it (or a holder of its lock) touches @free_map.
 * @nr_objects: object slots in this slab.
 * @cache: owning cache.
 * @free_map: set bit = free slot; changed only under the owner's lock.
 * @nr_free: set bits in @free_map (an int: the hot paths' arithmetic on
 *	it needs no truncation).
 *
 * A slot on its way back from another CPU is not free in @free_map; the
 * object itself carries the mark that says so (see pcslab_claim()), or
 * another one carries its address (struct pcslab_carrier), so that remote
 * freers write nothing in this header.  What every free
 * reads (@magic, @cpu, @cache) shares its cache line only with @list,
 * which changes when the slab moves between lists; @free_map and
 * @nr_free, which every allocation writes, start on the next line, so a
 * remote freer's validation does not take the line from the owner.
 */
struct pcslab_slab {
	struct list_head list;
	u32 magic;
	u16 cpu;
	u16 nr_objects;
	struct pcslab_cache *cache;
	DECLARE_BITMAP(free_map, PCSLAB_MAX_OBJECTS) ____cacheline_aligned_in_smp;
	unsigned int nr_free;
};

/*
 * Bytes of the header that are used: objects may start in the struct's
 * tail padding, which nothing writes (the header is only ever written
 * field by field).
 */
#define PCSLAB_SLAB_HEADER_BYTES offsetofend(struct pcslab_slab, nr_free)

int pcslab_geometry_init(struct pcslab_geometry *geo, unsigned int size,
			 unsigned int align);
void pcslab_slab_init(struct pcslab_slab *slab,
		      const struct pcslab_geometry *geo,
		      struct pcslab_cache *cache, unsigned int cpu);
void pcslab_slab_clear_owner_tag(struct pcslab_slab *slab,
				 const struct pcslab_geometry *geo);
struct pcslab_slab *pcslab_obj_to_slab(const void *obj);

/* Slab of an object already known to be valid (e.g. taken off a queue). */
static inline struct pcslab_slab *pcslab_slab_base(const void *obj,
						   const struct pcslab_geometry *geo)
{
	return (struct pcslab_slab *)((unsigned long)obj & geo->slab_mask);
}

static inline void *pcslab_slab_obj(const struct pcslab_slab *slab,
				    const struct pcslab_geometry *geo,
				    unsigned int idx)
{
	unsigned long off = idx * geo->obj_size;

	return (void *)slab + geo->data_offset + off;
}

/**
 * pcslab_slot_at - slot index of an offset into a slab's object area.
 * @geo: the slab's geometry.
 * @off: pointer minus the slab's first slot.
 * @idx: set to the index if the offset is the start of a slot.
 *
 * Return: true if @off is the start of a slot.
 */
static __always_inline bool pcslab_slot_at(const struct pcslab_geometry *geo,
					   unsigned long off, unsigned int *idx)
{
	/* below the first slot wraps to a huge value: one compare, both ends */
	if (off >= geo->data_bytes)
		return false;
	/*
	 * A multiply instead of a division.  For off = q * obj_size it gives
	 * q exactly: off * obj_size_inv = q * (2^32 + e) with e < obj_size,
	 * and q * e < 2^32 as off < 2^32.  Any other off is not a multiple,
	 * so whatever it gives fails the check below.
	 */
	*idx = ((u64)off * geo->obj_size_inv) >> 32;
	return *idx * geo->obj_size == off;
}

/**
 * pcslab_slab_obj_index - slot index of an object pointer.
 * @slab: slab the pointer lies in.
 * @geo: its geometry.
 * @obj: the pointer.
 *
 * Return: the index, or -EINVAL if @obj is not the start of a slot.
 */
static inline int pcslab_slab_obj_index(const struct pcslab_slab *slab,
					const struct pcslab_geometry *geo,
					const void *obj)
{
	unsigned int idx;

	if (!pcslab_slot_at(geo, (unsigned long)obj - (unsigned long)slab -
				 geo->data_offset, &idx))
		return -EINVAL;
	return idx;
}

/* Slot index of an object already known to be valid: no checks. */
static __always_inline unsigned int
pcslab_slab_valid_index(const struct pcslab_slab *slab,
			const struct pcslab_geometry *geo, const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)slab -
			    geo->data_offset;

	return (off * geo->obj_size_inv) >> 32;
}

/**
 * pcslab_obj_to_slab_of - find and validate the slab of a pointer.
 * @obj: any pointer.
 * @geo: geometry of the cache it should belong to.
 *
 * The slab base comes from the alignment mask; only @obj's struct page is
 * read before the pointer is known to be ours.  Every page of a slab
 * carries the same tag, so a match proves the page belongs to the slab at
 * the base, and a foreign pointer (kmalloc, stack, another cache) is
 * rejected without touching its memory.
 *
 * Return: the slab header, or NULL if @obj is not inside a live slab of
 * this geometry's size.
 */
static inline struct pcslab_slab *
pcslab_obj_to_slab_of(const void *obj, const struct pcslab_geometry *geo)
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

/* Does @slab still carry its tag (is it a live slab)? */
static inline bool pcslab_slab_tagged(const struct pcslab_slab *slab)
{
	/* a released slab's page may be anyone's: only equality counts */
	return data_race(page_private(virt_to_page(slab))) ==
	       ((unsigned long)slab ^ PCSLAB_PAGE_KEY);
}

/**
 * pcslab_slab_take - allocate the first free slot.
 * @slab: slab with at least one free slot (every slab on a partial list,
 *	a new one), owner's lock held.
 * @geo: its geometry.
 *
 * Return: the object.
 */
static inline void *pcslab_slab_take(struct pcslab_slab *slab,
				     const struct pcslab_geometry *geo)
{
	unsigned long *word = slab->free_map, bits;
	unsigned int idx;

	/* a set bit exists, and bits past nr_objects never are */
	while (!(bits = *word))
		word++;
	idx = (word - slab->free_map) * BITS_PER_LONG + __ffs(bits);
	*word = bits & (bits - 1);
	slab->nr_free--;
	return pcslab_slab_obj(slab, geo, idx);
}

/**
 * pcslab_slab_take_bulk - allocate up to @n free slots, lowest first.
 * @slab: slab, owner's lock held.
 * @geo: its geometry.
 * @n: slots wanted.
 * @p: filled with the objects.
 *
 * Harvests whole bitmap words: the objects themselves are not touched.
 *
 * Return: the number taken (< @n only if the slab ran out).
 */
static inline unsigned int pcslab_slab_take_bulk(struct pcslab_slab *slab,
						 const struct pcslab_geometry *geo,
						 unsigned int n, void **p)
{
	/*
	 * Locals: the kernel builds without strict aliasing, so every store
	 * through @p would otherwise reload the geometry.
	 */
	const unsigned long size = geo->obj_size;
	unsigned int w, words = BITS_TO_LONGS(slab->nr_objects), got;
	void *base = (void *)slab + geo->data_offset;
	void **const start = p, **const end = p + n;

	if (!n)
		return 0;
	/* bits past nr_objects are never set (pcslab_slab_init()) */
	for (w = 0; w < words; w++, base += BITS_PER_LONG * size) {
		unsigned long bits = slab->free_map[w], run;
		unsigned int lo;

		if (!bits)
			continue;
		lo = __ffs(bits);
		run = bits >> lo;
		if (!(run & (run + 1))) {
			/*
			 * One run of free slots (what a bulk free leaves):
			 * consecutive objects, no bit search per object.
			 */
			unsigned int run_len = __fls(run) + 1;
			unsigned int len = min_t(unsigned long, run_len, end - p);
			void **const stop = p + len;
			void *obj = base + lo * size;

			while (p + 4 <= stop) {
				p[0] = obj;
				p[1] = obj + size;
				p[2] = obj + 2 * size;
				p[3] = obj + 3 * size;
				p += 4;
				obj += 4 * size;
			}
			while (p != stop) {
				*p++ = obj;
				obj += size;
			}
			/* a run cut short leaves bits (and len < BITS_PER_LONG) */
			bits = len == run_len ? 0 : bits & ~(((1UL << len) - 1) << lo);
		} else {
			do {
				*p++ = base + __ffs(bits) * size;
				bits &= bits - 1;
			} while (bits && p != end);
		}
		slab->free_map[w] = bits;
		if (p == end)
			break;
	}
	got = p - start;
	slab->nr_free -= got;
	return got;
}

/* Is every slot of @slab free?  Owner's lock held. */
static __always_inline bool pcslab_slab_empty(const struct pcslab_slab *slab)
{
	return slab->nr_free == slab->nr_objects;
}

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
static inline bool pcslab_slab_is_free_racy(const struct pcslab_slab *slab,
					    unsigned int idx)
{
	/* The owner may be flipping bits under its lock; a hint suffices. */
	return data_race(test_bit(idx, slab->free_map));
}

/**
 * pcslab_slab_is_free - is the slot free in its bitmap?
 * @slab: slab, owner's lock held.
 * @idx: slot index.
 *
 * Return: true if free.
 */
static inline bool pcslab_slab_is_free(const struct pcslab_slab *slab,
				       unsigned int idx)
{
	return test_bit(idx, slab->free_map);
}

#endif /* _PCSLAB_SLAB_H */
