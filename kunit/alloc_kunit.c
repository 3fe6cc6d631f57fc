// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: alloc and free, module/alloc.c: first fit, zeroing,
 * ctor and wipes, poison, KASAN, invalid and double frees, the owner's
 * drain of remote frees and its tick, the foreign-slab hint.
 */
#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void cache_first_fit_and_slab_states(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	unsigned int n = c->geo.nr_objects, i;
	void **objs = kunit_kcalloc(test, n + 1, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	for (i = 0; i <= n; i++)
		objs[i] = pcslab_alloc(c, GFP_KERNEL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, objs[i], objs[0] + i * c->geo.obj_size);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), (unsigned long)n + 1);
	/* free slot 3, the next alloc takes it again (first set bit) */
	pcslab_free(c, objs[3]);
	KUNIT_EXPECT_PTR_EQ(test, pcslab_alloc(c, GFP_KERNEL), objs[3]);
	for (i = 0; i <= n; i++)
		pcslab_free(c, objs[i]);
	migrate_enable();
	/* everything free: both empty slabs fit the reserve and stay */
	KUNIT_EXPECT_GE(test, c->reserve, 2U);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_EMPTY_BYTES),
			2UL * (PAGE_SIZE << c->geo.order));
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLAB_NEW), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_LOCAL), n + 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_ALLOC), n + 2UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_shrink(c), 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_SLABS), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_EMPTY_BYTES), 0UL);
	EXPECT_ERRORS(test, 0);
}

static int ctor_calls;

static void count_ctor(void *obj)
{
	*(u32 *)obj = 0xc0de;
	ctor_calls++;
}

static void cache_zero_ctor_and_wipes(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 128, 0, NULL);
	struct pcslab_cache *zc, *cc;
	u8 *p;

	p = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xaa, 128);
	pcslab_free(c, p);
	p = pcslab_alloc(c, GFP_KERNEL | __GFP_ZERO);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 128));
	pcslab_free(c, p);

	zc = pcslab_cache_create("kunit_zero", 96, 0, PCSLAB_ZERO_ON_FREE, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(zc));
	/* a local free: a remote one keeps the queue's words until the drain */
	migrate_disable();
	p = pcslab_alloc(zc, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 96));
	memset(p, 0x55, 96);
	pcslab_free(zc, p);
	migrate_enable();
	kasan_disable_current();	/* a deliberate look at a free object */
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 96));	/* wiped on free */
	kasan_enable_current();
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(zc), 0UL);

	ctor_calls = 0;
	cc = pcslab_cache_create("kunit_ctor", 64, 0, 0, count_ctor);
	KUNIT_ASSERT_FALSE(test, IS_ERR(cc));
	p = pcslab_alloc(cc, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, *(u32 *)p, 0xc0deU);
	KUNIT_EXPECT_EQ(test, ctor_calls, (int)cc->geo.nr_objects);
	pcslab_free(cc, p);
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(cc), 0UL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("kunit_bad", 64, 0, PCSLAB_POISON,
							   count_ctor)));
}

static void cache_poison_catches_write_after_free(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, PCSLAB_POISON, NULL);
	u8 *p;

	migrate_disable();
	p = pcslab_alloc(c, GFP_KERNEL);
	pcslab_free(c, p);
	EXPECT_ERRORS(test, 0);
	kasan_disable_current();
	p[10] = 0x42;			/* write after free */
	kasan_enable_current();
	KUNIT_EXPECT_PTR_EQ(test, pcslab_alloc(c, GFP_KERNEL), (void *)p);
	migrate_enable();
	EXPECT_ERRORS(test, 1);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_POISON_CORRUPT), 1UL);
	pcslab_free(c, p);
}

/*
 * Pointers below the first slab-sized boundary have base NULL: no CPU's
 * hot or warm slab may then look like a match (they hold PCSLAB_NO_SLAB,
 * never NULL), before any allocation and after one.
 */
static void cache_small_bogus_pointer(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	void *bogus[] = { (void *)0x40, (void *)(PAGE_SIZE - 64) };
	void *p;

	pcslab_free(c, bogus[0]);		/* nothing allocated yet */
	pcslab_free_bulk(c, ARRAY_SIZE(bogus), bogus);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 3UL);
	/* one CPU: the free must be local, not left queued by a migration */
	migrate_disable();
	p = pcslab_alloc(c, GFP_KERNEL);
	if (!p)
		migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, p);
	pcslab_free(c, (void *)0x40);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 4UL);
	EXPECT_ERRORS(test, 4);
	pcslab_free(c, p);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

static void cache_invalid_and_double_frees(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct pcslab_cache *other = pcslab_cache_create("kunit_other", 64, 0, 0, NULL);
	void *k = kmalloc(64, GFP_KERNEL);
	u8 *p, *q, *o;

	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	/* one CPU: every free local, none left queued by a migration */
	migrate_disable();
	p = pcslab_alloc(c, GFP_KERNEL);
	q = pcslab_alloc(c, GFP_KERNEL);
	o = pcslab_alloc(other, GFP_KERNEL);
	pcslab_free(c, k);		/* kmalloc pointer */
	pcslab_free(c, o);		/* another cache's object */
	pcslab_free(c, p + 1);		/* misaligned inside a slab */
	pcslab_free(c, (void *)c);	/* random kernel pointer */
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 4UL);
	EXPECT_ERRORS(test, 4);
	pcslab_free(c, q);
	pcslab_free(c, q);		/* double free */
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	EXPECT_ERRORS(test, 5);
	/* the cache is intact: both slots come back, counters balance */
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 1UL);
	pcslab_free(c, p);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_ALLOC),
			total(c, PCSLAB_STAT_FREE_LOCAL) + total(c, PCSLAB_STAT_FREE_REMOTE));
	pcslab_free(other, o);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(other), 0UL);
	kfree(k);
}

#ifdef CONFIG_KASAN_GENERIC
static __no_sanitize_address u8 shadow_byte(const void *p)
{
	return *(u8 *)kasan_mem_to_shadow(p);
}
#endif

/* Under generic KASAN free objects are poisoned in the shadow memory. */
static void cache_kasan_poisons_free_objects(struct kunit *test)
{
#ifdef CONFIG_KASAN_GENERIC
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct remote_work w = { .c = c, .n = 1 };
	u8 *p, *q;

	migrate_disable();
	p = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, shadow_byte(p), 0);
	KUNIT_EXPECT_EQ(test, shadow_byte(p + 56), 0);
	pcslab_free(c, p);
	KUNIT_EXPECT_NE(test, shadow_byte(p), 0);
	KUNIT_EXPECT_NE(test, shadow_byte(p + 56), 0);
	q = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, shadow_byte(q), 0);
	if (num_online_cpus() > 1) {
		pcslab_cache_set_policy(c, 1000);
		w.objs = (void **)&q;
		smp_call_function_single(other_cpu(test), free_objs_fn, &w, 1);
		/* queued: the llist link and mark stay reachable, the rest is poisoned */
		KUNIT_EXPECT_EQ(test, shadow_byte(q), 0);
		KUNIT_EXPECT_EQ(test, shadow_byte(q + 8), 0);
		KUNIT_EXPECT_NE(test, shadow_byte(q + 16), 0);
		pcslab_cache_drain(c);
		KUNIT_EXPECT_NE(test, shadow_byte(q), 0);
	} else {
		pcslab_free(c, q);
	}
	migrate_enable();
#else
	kunit_skip(test, "needs CONFIG_KASAN_GENERIC (PCSLAB_POISON covers other kernels)");
#endif
}

static void cache_remote_free_and_drain(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct remote_work w = { .c = c, .n = 20 };
	unsigned int cpu, owner;

	pcslab_cache_set_policy(c, 1000);	/* no tick drains */
	migrate_disable();
	owner = raw_smp_processor_id();
	cpu = other_cpu(test);
	w.objs = alloc_on_this_cpu(test, c, w.n);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 20UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 20UL);
	/* remote double free of a queued object: caught, not queued twice */
	w.n = 1;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	w.n = 20;
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 20UL);
	/* local free of a queued object: also a double free */
	pcslab_free(c, w.objs[1]);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 2UL);
	/* both traced, the one raised in the other CPU's IPI too */
	EXPECT_ERRORS(test, 2);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 20UL);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DRAINED_OBJECTS), 20UL);
}

/*
 * A freer validates a remote slab once and remembers it (@foreign); the
 * slab's release makes every CPU forget it, so a stale pointer into the
 * released slab is reported, not followed.
 */
static void cache_foreign_hint_forgotten_on_release(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct remote_work w = { .c = c, .n = 1 };
	struct pcslab_slab *slab;
	unsigned int cpu;
	void **objs;

	pcslab_cache_set_policy(c, 1000);	/* no tick drains */
	migrate_disable();
	cpu = other_cpu(test);
	objs = alloc_on_this_cpu(test, c, 2);
	slab = pcslab_slab_base(objs[0], &c->geo);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(c->cpu, cpu)->foreign, PCSLAB_NO_SLAB);
	w.objs = objs;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(c->cpu, cpu)->foreign, slab);
	/* the second object goes the short way: claimed and counted as usual */
	w.objs = objs + 1;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 2UL);
	/* ... and a second free of it is still a double free */
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 2UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_shrink(c), 1UL);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(c->cpu, cpu)->foreign, PCSLAB_NO_SLAB);
	/* a stale pointer into the released slab */
	w.objs = objs;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_INVALID_FREE), 1UL);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu_ptr(c->cpu, cpu)->foreign, PCSLAB_NO_SLAB);
	EXPECT_ERRORS(test, 2);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/* The owner's tick drains once the level is reached; pending resets. */
static void cache_tick_drain_resets_pending(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct remote_work w = { .c = c, .n = 4 };
	unsigned int owner;
	void *p;

	pcslab_cache_set_policy(c, 4);
	migrate_disable();
	owner = raw_smp_processor_id();
	w.objs = alloc_on_this_cpu(test, c, 3);
	w.n = 3;
	smp_call_function_single(other_cpu(test), free_objs_fn, &w, 1);
	/* 3 < level 4: the next tick does not drain */
	p = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 3UL);
	w.objs = (void **)&p;
	w.n = 1;
	smp_call_function_single(other_cpu(test), free_objs_fn, &w, 1);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 4UL);
	/* an owner tick (this alloc) sees 4 >= 4 and drains */
	p = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DRAINED_OBJECTS), 4UL);
	pcslab_free(c, p);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

static struct kunit_case pcslab_alloc_cases[] = {
	KUNIT_CASE(cache_first_fit_and_slab_states),
	KUNIT_CASE(cache_zero_ctor_and_wipes),
	KUNIT_CASE(cache_poison_catches_write_after_free),
	KUNIT_CASE(cache_small_bogus_pointer),
	KUNIT_CASE(cache_invalid_and_double_frees),
	KUNIT_CASE(cache_kasan_poisons_free_objects),
	KUNIT_CASE(cache_remote_free_and_drain),
	KUNIT_CASE(cache_foreign_hint_forgotten_on_release),
	KUNIT_CASE(cache_tick_drain_resets_pending),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_alloc, pcslab_alloc_cases);
