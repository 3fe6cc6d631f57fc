/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every pcslab KUnit suite shares (pcslab_kunit_lib.c): caches that
 * the case destroys on exit, counter totals, errors counted through the
 * pcslab_error tracepoint, and objects freed from another CPU.
 *
 * The suites, one file per file of module/ they exercise:
 *   remote_kunit.c   the adaptive drain law and the remote queue
 *   parse_kunit.c    the debugfs parsers
 *   slab_kunit.c     slab geometry and object index
 *   alloc_kunit.c    alloc and free: first fit, debug flags, errors, the
 *                    owner's drain, the foreign-slab hint
 *   bulk_kunit.c     pcslab_alloc_bulk() / pcslab_free_bulk()
 *   grow_kunit.c     new slabs: page allocation failure, migration
 *   outbox_kunit.c   remote frees: outbox, hand-off, capacity, the kick
 *   reclaim_kunit.c  empty-slab reserve, shrinker, idle flush
 *   hotplug_kunit.c  CPU offline and online under load
 *   cache_kunit.c    create/destroy, every context, a multi-CPU stress
 */
#ifndef _PCSLAB_KUNIT_H
#define _PCSLAB_KUNIT_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/types.h>

#include "pcslab_internal.h"

/*
 * Errors pcslab reported during the current case, in any context, seen
 * through the pcslab_error tracepoint.  A kernel without tracepoints
 * (the UML run) cannot count them: there the cases check only the
 * per-cache error counters, which every case checks as well.
 */
extern atomic_t pcslab_kunit_errors;
extern bool pcslab_kunit_errors_traced;

#define EXPECT_ERRORS(test, n) do {					\
	if (pcslab_kunit_errors_traced)					\
		KUNIT_EXPECT_EQ(test, atomic_read(&pcslab_kunit_errors), n); \
} while (0)

/* Suites that create caches: errors traced, idle flush parked. */
int pcslab_kunit_suite_init(struct kunit_suite *suite);
void pcslab_kunit_suite_exit(struct kunit_suite *suite);
int pcslab_kunit_test_init(struct kunit *test);

#define PCSLAB_KUNIT_CACHE_SUITE(_name, _cases)				\
	static struct kunit_suite _name##_suite = {			\
		.name = #_name,						\
		.suite_init = pcslab_kunit_suite_init,			\
		.suite_exit = pcslab_kunit_suite_exit,			\
		.init = pcslab_kunit_test_init,				\
		.test_cases = _cases,					\
	};								\
	kunit_test_suite(_name##_suite)

/*
 * Exact pending counts: caches the suites create flush idle queues only
 * after a minute, unless a case asks for the flush (make_flushing_cache).
 */
#define PARKED_FLUSH_MS	60000U

static inline unsigned long total(struct pcslab_cache *c,
				  enum pcslab_stat_item item)
{
	return pcslab_stat_sum(c, item);
}

struct pcslab_cache *make_named_cache(struct kunit *test, const char *name,
				      unsigned int size, unsigned int flags,
				      void (*ctor)(void *));
struct pcslab_cache *make_cache(struct kunit *test, unsigned int size,
				unsigned int flags, void (*ctor)(void *));
struct pcslab_cache *make_flushing_cache(struct kunit *test, unsigned int size);
void **alloc_on_this_cpu(struct kunit *test, struct pcslab_cache *c,
			 unsigned int n);

/* Objects to free from another CPU, in hardirq (free_objs_fn by IPI). */
struct remote_work {
	struct pcslab_cache *c;
	void **objs;
	unsigned int n;
};

void free_objs_fn(void *info);
unsigned int other_cpu(struct kunit *test);

#endif /* _PCSLAB_KUNIT_H */
