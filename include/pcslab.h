/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab - per-CPU slab caches for objects that cross CPUs.
 *
 * Every CPU owns its slabs.  Allocation and free on the owning CPU flip a
 * bit under that CPU's lock; a free from any other CPU is pushed lock-free
 * onto the owner's remote queue and drained back in batches.  See
 * Documentation/pcslab.rst.
 */
#ifndef _PCSLAB_H
#define _PCSLAB_H

#include <linux/bits.h>
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/gfp_types.h>
#include <linux/types.h>

struct pcslab_cache;

/* Cache creation flags. */
/** PCSLAB_ZERO_ON_FREE: wipe every object with zeroes when it is freed. */
#define PCSLAB_ZERO_ON_FREE	BIT(0)
/**
 * PCSLAB_POISON: fill freed objects with %PCSLAB_POISON_BYTE and verify the
 * pattern when the object is handed out again (catches writes after free).
 */
#define PCSLAB_POISON		BIT(1)
/** PCSLAB_HWCACHE_ALIGN: align objects to the hardware cache line. */
#define PCSLAB_HWCACHE_ALIGN	BIT(2)
/**
 * PCSLAB_STRICT_FREE: mark every object at its free from another CPU, so
 * that a second free of it is caught at that second free, whenever it
 * comes.  Without it (or another debug flag), an object a remote free
 * hands over inside another one is not touched by its freer, and a
 * second free of it is caught when the owner takes it back, unless the
 * owner allocated it again in between.
 */
#define PCSLAB_STRICT_FREE	BIT(3)
#define PCSLAB_VALID_FLAGS	(PCSLAB_ZERO_ON_FREE | PCSLAB_POISON | \
				 PCSLAB_HWCACHE_ALIGN | PCSLAB_STRICT_FREE)

/* Byte written into freed objects of a %PCSLAB_POISON cache. */
#define PCSLAB_POISON_BYTE	0x6b

/* Drain policy argument meaning "adaptive" (see pcslab_cache_set_policy()). */
#define PCSLAB_DRAIN_ADAPTIVE	0U
/* Default fixed drain level, also the adaptive policy's starting level. */
#define PCSLAB_DEFAULT_LEVEL	64U
/* Largest accepted fixed drain level and remote queue capacity. */
#define PCSLAB_MAX_QUEUE	65536U
/* Default remote queue capacity per CPU. */
#define PCSLAB_DEFAULT_QUEUE	1024U

struct pcslab_cache *pcslab_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned int flags,
					 void (*ctor)(void *obj));
unsigned long pcslab_cache_destroy(struct pcslab_cache *cache);
void *pcslab_alloc(struct pcslab_cache *cache, gfp_t gfp);
void pcslab_free(struct pcslab_cache *cache, void *obj);
void pcslab_free_obj(void *obj);
int pcslab_alloc_bulk(struct pcslab_cache *cache, gfp_t gfp, size_t size,
		      void **p);
void pcslab_free_bulk(struct pcslab_cache *cache, size_t size, void **p);
unsigned long pcslab_cache_shrink(struct pcslab_cache *cache);
unsigned long pcslab_cache_drain(struct pcslab_cache *cache);
int pcslab_cache_set_policy(struct pcslab_cache *cache, unsigned int level);
int pcslab_cache_set_queue_capacity(struct pcslab_cache *cache,
				    unsigned int capacity);
unsigned int pcslab_cache_object_size(const struct pcslab_cache *cache);

/* Scope-based cleanup: "void *p __free(pcslab_obj) = pcslab_alloc(c, gfp);" */
DEFINE_FREE(pcslab_obj, void *, pcslab_free_obj(_T))
DEFINE_FREE(pcslab_cache, struct pcslab_cache *, pcslab_cache_destroy(_T))

#endif /* _PCSLAB_H */
