// SPDX-License-Identifier: GPL-2.0
/*
 * What the pcslab KUnit suites share (declared in pcslab_kunit.h): caches
 * destroyed when the case ends, errors counted through the pcslab_error
 * tracepoint, the idle flush parked for exact pending counts, and frees
 * from another CPU.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/tracepoint.h>

#include "pcslab_kunit.h"
#include "pcslab_trace.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

atomic_t pcslab_kunit_errors;
bool pcslab_kunit_errors_traced;
static unsigned int saved_idle_flush_ms;

static void count_pcslab_error(void *ignore, const char *cache, unsigned int kind,
			       const char *what, const void *obj)
{
	atomic_inc(&pcslab_kunit_errors);
}

int pcslab_kunit_suite_init(struct kunit_suite *suite)
{
	if (IS_ENABLED(CONFIG_TRACEPOINTS)) {
		int ret = register_trace_pcslab_error(count_pcslab_error, NULL);

		if (ret)
			return ret;
	}
	pcslab_kunit_errors_traced = IS_ENABLED(CONFIG_TRACEPOINTS);
	saved_idle_flush_ms = READ_ONCE(pcslab_idle_flush_ms);
	WRITE_ONCE(pcslab_idle_flush_ms, PARKED_FLUSH_MS);
	return 0;
}

void pcslab_kunit_suite_exit(struct kunit_suite *suite)
{
	if (pcslab_kunit_errors_traced) {
		unregister_trace_pcslab_error(count_pcslab_error, NULL);
		tracepoint_synchronize_unregister();
	}
	WRITE_ONCE(pcslab_idle_flush_ms, saved_idle_flush_ms);
}

int pcslab_kunit_test_init(struct kunit *test)
{
	atomic_set(&pcslab_kunit_errors, 0);
	return 0;
}

static void destroy_action(void *cache)
{
	pcslab_cache_destroy(cache);
}

struct pcslab_cache *make_named_cache(struct kunit *test, const char *name,
				      unsigned int size, unsigned int flags,
				      void (*ctor)(void *))
{
	struct pcslab_cache *c = pcslab_cache_create(name, size, 0, flags, ctor);

	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	/* each remote free handed over at once; outbox cases raise it */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_action, c), 0);
	return c;
}

struct pcslab_cache *make_cache(struct kunit *test, unsigned int size,
				unsigned int flags, void (*ctor)(void *))
{
	return make_named_cache(test, "kunit", size, flags, ctor);
}

/* A cache whose idle flush runs at the default delay. */
struct pcslab_cache *make_flushing_cache(struct kunit *test, unsigned int size)
{
	struct pcslab_cache *c;

	WRITE_ONCE(pcslab_idle_flush_ms, PCSLAB_IDLE_FLUSH_MS);
	c = make_named_cache(test, "kunit_flush", size, 0, NULL);
	WRITE_ONCE(pcslab_idle_flush_ms, PARKED_FLUSH_MS);
	KUNIT_EXPECT_EQ(test, c->idle_flush_ms, PCSLAB_IDLE_FLUSH_MS);
	return c;
}

void **alloc_on_this_cpu(struct kunit *test, struct pcslab_cache *c,
			 unsigned int n)
{
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = pcslab_alloc(c, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	return objs;
}

void free_objs_fn(void *info)	/* runs in hardirq (IPI) */
{
	struct remote_work *w = info;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		pcslab_free(w->c, w->objs[i]);
}

unsigned int other_cpu(struct kunit *test)
{
	unsigned int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());

	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs 2 online CPUs");
	return cpu;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for pcslab");
