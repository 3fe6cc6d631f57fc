// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: remote frees on the freeing CPU, module/outbox.c:
 * the outbox and its flush rules, the queue at capacity, the kick sent
 * once, an interrupt's free while its CPU's task holds the outbox.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static unsigned long outbox_of(struct pcslab_cache *c, unsigned int cpu)
{
	return pcslab_stat_cpu(c, PCSLAB_STAT_OUTBOX, cpu);
}

/*
 * Remote frees wait in the freeing CPU's outbox and reach the owner's
 * queue as one batch; a second free of a waiting object is caught on
 * either CPU (at once: every object marked, PCSLAB_STRICT_FREE; carried
 * objects are check_carried()'s).
 */
static void cache_outbox_batches_remote_frees(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, PCSLAB_STRICT_FREE, NULL);
	struct remote_work w = { .c = c };
	unsigned int owner, cpu, i;
	void **objs;

	pcslab_cache_set_policy(c, 1000);	/* no tick drains */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 16), 0);
	migrate_disable();
	owner = raw_smp_processor_id();
	cpu = other_cpu(test);
	objs = alloc_on_this_cpu(test, c, 40);
	w.objs = objs;
	w.n = 15;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 15UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 15UL);
	/* waiting objects are still in use: freed again on the freer ... */
	w.n = 1;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	/* ... and on the owner: both caught by the mark, nothing queued twice */
	pcslab_free(c, objs[1]);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 2UL);
	EXPECT_ERRORS(test, 2);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 15UL);
	/* the 16th fills the slot: one hand-off of all 16 */
	w.objs = objs + 15;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 16UL);
	/* a drain takes what waits in outboxes too */
	w.objs = objs + 16;
	w.n = 10;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 10UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 26UL);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 14UL);
	for (i = 26; i < 40; i++)
		pcslab_free(c, objs[i]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 2UL);
}

/*
 * A hand-off of @n objects of @c freed from another CPU reaches the
 * owner as carriers of up to carry + 1 objects each (one link each in the
 * queue), every object exactly once, the links marked and the carried
 * objects untouched, each still caught if freed again: a link by its
 * mark, a carried one when the owner takes it back.
 */
static void check_carried(struct kunit *test, unsigned int size,
			  unsigned int n)
{
	struct pcslab_cache *c;
	struct remote_work w = { .n = n };
	unsigned int owner, links = 0, objects = 0, i, k;
	int errors = atomic_read(&pcslab_kunit_errors);
	bool carried;
	char name[32];
	unsigned long *seen;
	struct llist_node *pos;
	void **objs;

	/* one case, several caches alive at once: each its own name */
	snprintf(name, sizeof(name), "kunit_carry%u_%u", size, n);
	c = make_named_cache(test, name, size, 0, NULL);
	w.c = c;
	pcslab_cache_set_policy(c, 1000);	/* no tick drains */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, n), 0);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	migrate_disable();
	owner = raw_smp_processor_id();
	objs = alloc_on_this_cpu(test, c, n);
	w.objs = objs;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(other_cpu(test),
						       free_objs_fn, &w, 1), 0);
	KUNIT_ASSERT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner),
			(unsigned long)n);
	/* nothing takes the queue meanwhile: no ticks, no kicks below half */
	llist_for_each(pos, per_cpu_ptr(c->cpu, owner)->remote.head.first) {
		unsigned int m = pcslab_link_objects(c, pos);

		links++;
		objects += m;
		for (k = 0; k < m; k++) {
			void *obj = k ? ((struct pcslab_carrier *)pos)->objs[k - 1] :
					pos;

			for (i = 0; i < n && objs[i] != obj; i++)
				;
			KUNIT_ASSERT_LT(test, i, n);
			KUNIT_EXPECT_FALSE(test, __test_and_set_bit(i, seen));
			KUNIT_EXPECT_EQ(test, pcslab_is_marked(c, obj), !k);
		}
	}
	KUNIT_EXPECT_EQ(test, objects, n);
	KUNIT_EXPECT_EQ(test, links, c->carry ? DIV_ROUND_UP(n, c->carry + 1) : n);
	kunit_info(test, "%u B: %u objects in %u links (carry %u)", size, n,
		   links, c->carry);
	/* the last one freed, freed again on its owner: caught */
	carried = (n - 1) & c->carry;
	pcslab_free(c, objs[n - 1]);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), carried ? 0UL : 1UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	EXPECT_ERRORS(test, errors + 1);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	/*
	 * All of them allocatable again, none twice; still on the owner, so
	 * that every free is local (a migration would leave some in an
	 * outbox, in use until drained)
	 */
	objs = alloc_on_this_cpu(test, c, n);
	for (i = 0; i < n; i++)
		pcslab_free(c, objs[i]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/*
 * The chain a batch builds, by its rules alone (so on any kernel, KASAN
 * or not): one link per carry + 1 objects, the newest carrier's count
 * written when the batch is sealed, every object on it exactly once, the
 * first one freed the tail.  And the carry a cache gets by object size.
 */
static void outbox_carrier_chain_shape(struct kunit *test)
{
	static const unsigned int carries[] = { 0, 1, 3, 63 };
	static const struct { unsigned int size, carry; } sizes[] = {
		{ 16, 0 }, { 24, 0 }, { 32, 1 }, { 64, 3 }, { 200, 15 },
		{ 1024, 63 },
	};
	const unsigned int words = 66, max = 64;
	unsigned long *mem = kunit_kcalloc(test, words * max, sizeof(long),
					   GFP_KERNEL);
	unsigned int ci, n, i, k;
	char name[32];

	KUNIT_ASSERT_NOT_NULL(test, mem);
	for (ci = 0; ci < ARRAY_SIZE(carries); ci++) {
		unsigned int carry = carries[ci];

		for (n = 1; n <= max; n++) {
			struct pcslab_batch b = { .owner = 0 };
			DECLARE_BITMAP(seen, 64) = {};
			unsigned int links = 0, objects = 0;
			struct llist_node *pos;

			for (i = 0; i < n; i++)
				pcslab_batch_chain(&b, mem + i * words, carry);
			pcslab_batch_seal(&b, carry);
			KUNIT_EXPECT_EQ(test, b.n, n);
			KUNIT_EXPECT_PTR_EQ(test, (void *)b.last, (void *)mem);
			llist_for_each(pos, b.first) {
				struct pcslab_carrier *c = (struct pcslab_carrier *)pos;
				unsigned int m = carry ? 1 + c->nr : 1;

				KUNIT_ASSERT_LE(test, m, carry + 1);
				for (k = 0; k < m; k++) {
					unsigned long *obj = k ? c->objs[k - 1] :
								 (void *)pos;

					i = (obj - mem) / words;
					KUNIT_ASSERT_LT(test, i, n);
					KUNIT_EXPECT_FALSE(test,
							   __test_and_set_bit(i, seen));
				}
				links++;
				objects += m;
			}
			KUNIT_EXPECT_EQ(test, objects, n);
			KUNIT_EXPECT_EQ(test, links, DIV_ROUND_UP(n, carry + 1));
		}
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct pcslab_cache *c;

		snprintf(name, sizeof(name), "kunit_carry%u", sizes[i].size);
		c = make_named_cache(test, name, sizes[i].size, 0, NULL);
		KUNIT_EXPECT_EQ(test, c->carry, c->hooks ? 0 : sizes[i].carry);
	}
}

/*
 * Carriers end to end, by object size: a 64 B object carries 3 others,
 * 1 KiB ones a whole batch, 16 B ones none (and a cache with hooks, as
 * under KASAN, none either).
 */
static void cache_outbox_carriers(struct kunit *test)
{
	check_carried(test, 64, 16);
	check_carried(test, 64, 13);
	check_carried(test, 1024, 64);
	check_carried(test, 16, 8);
}

/*
 * PCSLAB_STRICT_FREE: no carriers, every remotely freed object marked by
 * its freer, so that a second free is caught at once, here on the owner
 * while the first ones wait in the freer's outbox.  And the flag is one
 * pcslab_cache_create() takes.
 */
static void cache_strict_free_caught_at_once(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, PCSLAB_STRICT_FREE, NULL);
	struct remote_work w = { .c = c, .n = 4 };
	unsigned int cpu, i;

	KUNIT_EXPECT_EQ(test, c->carry, 0U);
	pcslab_cache_set_policy(c, 1000);	/* no tick drains */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 16), 0);
	migrate_disable();
	cpu = other_cpu(test);
	w.objs = alloc_on_this_cpu(test, c, w.n);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 4UL);
	for (i = 0; i < w.n; i++) {
		KUNIT_EXPECT_TRUE(test, pcslab_is_marked(c, w.objs[i]));
		pcslab_free(c, w.objs[i]);
	}
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 4UL);
	EXPECT_ERRORS(test, 4);
	KUNIT_EXPECT_EQ(test, pcslab_cache_drain(c), 4UL);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_DOUBLE_FREE), 4UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/*
 * Nothing strands in an outbox: the idle flush (an idle freer), the
 * shrinker and destroy each return what waits there.
 */
static void cache_outbox_flush_rules(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct pcslab_cache *d = pcslab_cache_create("kunit_outbox", 64, 0, 0, NULL);
	struct pcslab_cache *e = make_flushing_cache(test, 64);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 128 };
	struct remote_work w = { .c = c, .n = 5 };
	unsigned int cpu, i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	pcslab_cache_set_policy(c, 1000);
	pcslab_cache_set_policy(d, 1000);
	pcslab_cache_set_policy(e, 1000);
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 16), 0);
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(e, 16), 0);
	migrate_disable();
	cpu = other_cpu(test);
	/* the shrinker counts and returns waiting objects */
	w.objs = alloc_on_this_cpu(test, c, w.n);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 5UL);
	KUNIT_EXPECT_GE(test, c->shrinker->count_objects(c->shrinker, &sc), 5UL);
	c->shrinker->scan_objects(c->shrinker, &sc);
	KUNIT_EXPECT_EQ(test, outbox_of(c, cpu), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	/* destroy returns them: nothing live */
	w.c = d;
	w.objs = alloc_on_this_cpu(test, d, w.n);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	KUNIT_EXPECT_EQ(test, outbox_of(d, cpu), 5UL);
	KUNIT_EXPECT_EQ(test, pcslab_cache_destroy(d), 0UL);
	/* an idle freer: the idle flush sends and drains them */
	w.c = e;
	w.objs = alloc_on_this_cpu(test, e, w.n);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, free_objs_fn, &w, 1), 0);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, outbox_of(e, cpu), 5UL);
	for (i = 0; i < 100 && total(e, PCSLAB_STAT_OBJECTS_IN_USE); i++)
		msleep(20);
	kunit_info(test, "idle freer flushed after ~%u ms", i * 20);
	KUNIT_EXPECT_EQ(test, outbox_of(e, cpu), 0UL);
	KUNIT_EXPECT_EQ(test, total(e, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(e, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_GE(test, total(e, PCSLAB_STAT_IDLE_FLUSH), 1UL);
	/* c's flush, armed above, waits its minute: nothing left to take */
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_IDLE_FLUSH), 0UL);
}

/*
 * Free @w's objects from @cpu while this CPU keeps interrupts off, so the
 * owner cannot take a kick IPI in the middle; returns this CPU's pending
 * count and the cache's remote_full total as seen right after.
 */
struct async_free {
	struct remote_work w;
	call_single_data_t csd;
	atomic_t done;
};

static void async_free_fn(void *info)
{
	struct async_free *a = info;

	free_objs_fn(&a->w);
	atomic_set(&a->done, 1);
}

static void free_remotely_irqs_off(struct async_free *a, unsigned int cpu,
				   unsigned long *pending, unsigned long *full)
{
	unsigned long flags;

	atomic_set(&a->done, 0);
	INIT_CSD(&a->csd, async_free_fn, a);
	local_irq_save(flags);
	if (!smp_call_function_single_async(cpu, &a->csd))
		while (!atomic_read(&a->done))
			cpu_relax();
	*pending = pcslab_stat_cpu(a->w.c, PCSLAB_STAT_PENDING, smp_processor_id());
	*full = total(a->w.c, PCSLAB_STAT_REMOTE_FULL);
	local_irq_restore(flags);	/* a kick, if sent, runs now */
}

static void cache_capacity_boundaries(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct async_free *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	unsigned long pending, full;
	unsigned int cpu, i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->w.c = c;
	a->w.n = 3;
	pcslab_cache_set_policy(c, 1000);
	KUNIT_EXPECT_EQ(test, pcslab_cache_set_queue_capacity(c, PCSLAB_MAX_QUEUE + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->queue_capacity), PCSLAB_DEFAULT_QUEUE);
	migrate_disable();
	cpu = other_cpu(test);
	/*
	 * capacity 1: one object fits, two go in past it (remote_full); one
	 * kick, which the owner takes once its interrupts are back on.  No
	 * freer waited for the owner or took its lock.
	 */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_queue_capacity(c, 1), 0);
	a->w.objs = alloc_on_this_cpu(test, c, a->w.n);
	free_remotely_irqs_off(a, cpu, &pending, &full);
	KUNIT_EXPECT_EQ(test, pending, 3UL);
	KUNIT_EXPECT_EQ(test, full, 2UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_KICK), 1UL);
	/* the kick drains the queue once interrupts are back on */
	for (i = 0; i < 100 && total(c, PCSLAB_STAT_PENDING); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	/* capacity 0: every remote free goes in past it and kicks the owner */
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_queue_capacity(c, 0), 0);
	a->w.objs = alloc_on_this_cpu(test, c, a->w.n);
	free_remotely_irqs_off(a, cpu, &pending, &full);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, pending, 3UL);
	KUNIT_EXPECT_EQ(test, full, 5UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_KICK), 2UL);
	for (i = 0; i < 100 && total(c, PCSLAB_STAT_PENDING); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 6UL);
}

/*
 * R1: one csd per owner may be queued once.  With the owner's interrupts
 * off its kick cannot run; the freer's pushes reach the kick threshold
 * twice.  Only the first may send; the second finds kick_scheduled set
 * and leaves the csd alone.
 */
struct kick_twice {
	struct pcslab_cache *c;
	void *objs[2];
	unsigned int owner;
	call_single_data_t csd;
	atomic_t done;
	unsigned long kicks_after_first, kicks_after_second;
	int scheduled_after_second;
};

static void kick_twice_fn(void *info)	/* hardirq on the freeing CPU */
{
	struct kick_twice *k = info;

	pcslab_free(k->c, k->objs[0]);		/* depth 1 = threshold: kick */
	k->kicks_after_first = total(k->c, PCSLAB_STAT_KICK);
	pcslab_free(k->c, k->objs[1]);		/* depth 2, past it again */
	k->kicks_after_second = total(k->c, PCSLAB_STAT_KICK);
	k->scheduled_after_second =
		atomic_read(&per_cpu_ptr(k->c->cpu, k->owner)->kick_scheduled);
	atomic_set(&k->done, 1);
}

static void cache_kick_queued_once(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct kick_twice *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	struct pcslab_cpu *pc;
	unsigned long flags;
	unsigned int cpu, i;

	KUNIT_ASSERT_NOT_NULL(test, k);
	k->c = c;
	pcslab_cache_set_policy(c, 1000);
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_queue_capacity(c, 2), 0);
	migrate_disable();
	cpu = other_cpu(test);
	k->owner = raw_smp_processor_id();
	pc = per_cpu_ptr(c->cpu, k->owner);
	k->objs[0] = pcslab_alloc(c, GFP_KERNEL);
	k->objs[1] = pcslab_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k->objs[0]);
	KUNIT_ASSERT_NOT_NULL(test, k->objs[1]);
	INIT_CSD(&k->csd, kick_twice_fn, k);
	local_irq_save(flags);
	if (!smp_call_function_single_async(cpu, &k->csd))
		while (!atomic_read(&k->done))
			cpu_relax();
	KUNIT_EXPECT_EQ(test, atomic_read(&c->kicks_inflight), 1);
	local_irq_restore(flags);	/* the one kick runs now */
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic_read(&k->done), 1);
	KUNIT_EXPECT_EQ(test, k->kicks_after_first, 1UL);
	KUNIT_EXPECT_EQ(test, k->kicks_after_second, 1UL);
	KUNIT_EXPECT_EQ(test, k->scheduled_after_second, 1);
	for (i = 0; i < 100 && atomic_read(&c->kicks_inflight); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->kicks_inflight), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&pc->kick_scheduled), 0);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_PENDING), 0UL);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
}

/* An interrupt on this CPU that frees an object of another CPU's. */
struct irq_free {
	struct irq_work work;
	struct pcslab_cache *c;
	void *obj;
	atomic_t done;
};

static void irq_free_fn(struct irq_work *work)	/* hardirq, this CPU */
{
	struct irq_free *f = container_of(work, struct irq_free, work);

	pcslab_free(f->c, f->obj);
	atomic_set_release(&f->done, 1);
}

static void alloc_here_fn(void *info)	/* hardirq on the owner */
{
	struct irq_free *f = info;

	f->obj = pcslab_alloc(f->c, GFP_ATOMIC);
}

/*
 * Task context holds its outbox lock with interrupts on; an interrupt on
 * the same CPU only tries the lock, so its remote free goes straight to
 * the owner's queue instead of waiting for (and deadlocking on) a lock
 * its own CPU holds.  A task's remote free still waits in the outbox.
 */
static void cache_outbox_irq_free_while_task_holds_lock(struct kunit *test)
{
	struct pcslab_cache *c = make_cache(test, 64, 0, NULL);
	struct irq_free *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct irq_free second = { .c = c };
	unsigned int owner, me;
	struct pcslab_cpu *pc;

	KUNIT_ASSERT_NOT_NULL(test, f);
	owner = other_cpu(test);
	KUNIT_ASSERT_EQ(test, pcslab_cache_set_outbox_batch(c, 16), 0);
	f->c = c;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(owner, alloc_here_fn, f, 1), 0);
	KUNIT_ASSERT_EQ(test, smp_call_function_single(owner, alloc_here_fn, &second, 1), 0);
	KUNIT_ASSERT_NOT_NULL(test, f->obj);
	KUNIT_ASSERT_NOT_NULL(test, second.obj);
	init_irq_work(&f->work, irq_free_fn);

	preempt_disable();
	me = smp_processor_id();
	pc = per_cpu_ptr(c->cpu, me);
	spin_lock(&pc->outbox_lock);
	irq_work_queue(&f->work);	/* a self-IPI: runs while we hold it */
	while (!atomic_read_acquire(&f->done))
		cpu_relax();
	spin_unlock(&pc->outbox_lock);
	KUNIT_EXPECT_EQ(test, outbox_of(c, me), 0UL);
	KUNIT_EXPECT_EQ(test, pcslab_stat_cpu(c, PCSLAB_STAT_PENDING, owner), 1UL);
	/* the same free from task context waits in the outbox */
	pcslab_free(c, second.obj);
	KUNIT_EXPECT_EQ(test, outbox_of(c, me), 1UL);
	preempt_enable();

	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_FREE_REMOTE), 2UL);
	pcslab_cache_drain(c);
	KUNIT_EXPECT_EQ(test, total(c, PCSLAB_STAT_OBJECTS_IN_USE), 0UL);
	EXPECT_ERRORS(test, 0);
}

static struct kunit_case pcslab_outbox_cases[] = {
	KUNIT_CASE(cache_outbox_batches_remote_frees),
	KUNIT_CASE(outbox_carrier_chain_shape),
	KUNIT_CASE(cache_outbox_carriers),
	KUNIT_CASE(cache_strict_free_caught_at_once),
	KUNIT_CASE(cache_outbox_flush_rules),
	KUNIT_CASE(cache_capacity_boundaries),
	KUNIT_CASE(cache_kick_queued_once),
	KUNIT_CASE(cache_outbox_irq_free_while_task_holds_lock),
	{}
};

PCSLAB_KUNIT_CACHE_SUITE(pcslab_outbox, pcslab_outbox_cases);
