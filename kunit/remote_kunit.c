// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: the adaptive drain law (as specified, and the quiet-window
 * fast tick against it) and the remote queue's count and bounds:
 * module/remote.c.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static unsigned int tick(struct pcslab_drain_state *st, unsigned int pending,
			 unsigned int cap, int *moved)
{
	return pcslab_policy_tick(st, PCSLAB_DRAIN_ADAPTIVE, pending, cap, moved);
}

static void policy_initial_level_is_64(struct kunit *test)
{
	struct pcslab_drain_state st;

	pcslab_drain_state_init(&st);
	KUNIT_EXPECT_EQ(test, pcslab_drain_level(&st, PCSLAB_DRAIN_ADAPTIVE), 64U);
	KUNIT_EXPECT_EQ(test, st.cooldown, 0);
	KUNIT_EXPECT_EQ(test, PCSLAB_DEFAULT_LEVEL, 64U);
}

static void policy_fixed_has_no_adaptive_state(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved, i;

	pcslab_drain_state_init(&st);
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ(test, pcslab_policy_tick(&st, 40, i % 2 ? 1000 : 0, 100,
							 &moved), 40U);
		KUNIT_EXPECT_EQ(test, moved, 0);
	}
	KUNIT_EXPECT_EQ(test, st.step, PCSLAB_LEVEL_START);
	KUNIT_EXPECT_EQ(test, st.cooldown, 0);
	KUNIT_EXPECT_EQ(test, pcslab_drain_level(&st, 40), 40U);
}

static void policy_steps_down_above_75_percent(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved;

	pcslab_drain_state_init(&st);
	/* exactly 75% is not above it */
	KUNIT_EXPECT_EQ(test, tick(&st, 75, 100, &moved), 64U);
	KUNIT_EXPECT_EQ(test, moved, 0);
	KUNIT_EXPECT_EQ(test, tick(&st, 76, 100, &moved), 32U);
	KUNIT_EXPECT_EQ(test, moved, -1);
	KUNIT_EXPECT_EQ(test, st.cooldown, PCSLAB_COOLDOWN_TICKS);
}

static void policy_steps_up_below_25_percent(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved;

	pcslab_drain_state_init(&st);
	/* exactly 25% is not below it */
	KUNIT_EXPECT_EQ(test, tick(&st, 25, 100, &moved), 64U);
	KUNIT_EXPECT_EQ(test, moved, 0);
	KUNIT_EXPECT_EQ(test, tick(&st, 24, 100, &moved), 128U);
	KUNIT_EXPECT_EQ(test, moved, 1);
	KUNIT_EXPECT_EQ(test, st.cooldown, PCSLAB_COOLDOWN_TICKS);
}

static void policy_cooldown_blocks_16_ticks(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved, i;

	pcslab_drain_state_init(&st);
	KUNIT_ASSERT_EQ(test, tick(&st, 100, 100, &moved), 32U);
	for (i = 0; i < PCSLAB_COOLDOWN_TICKS; i++) {
		KUNIT_EXPECT_EQ(test, tick(&st, 100, 100, &moved), 32U);
		KUNIT_EXPECT_EQ(test, moved, 0);
	}
	KUNIT_EXPECT_EQ(test, st.cooldown, 0);
	KUNIT_EXPECT_EQ(test, tick(&st, 100, 100, &moved), 16U);
	KUNIT_EXPECT_EQ(test, moved, -1);
}

static void policy_floor_and_ceiling_hold(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved, i, downs = 0, ups = 0;

	pcslab_drain_state_init(&st);
	for (i = 0; i < 1000; i++) {
		tick(&st, 1000, 1000, &moved);
		downs += moved < 0;
	}
	KUNIT_EXPECT_EQ(test, pcslab_drain_level(&st, 0), 8U);
	KUNIT_EXPECT_EQ(test, st.step, 0);
	KUNIT_EXPECT_EQ(test, downs, 3);
	for (i = 0; i < 1000; i++) {
		tick(&st, 0, 1000, &moved);
		ups += moved > 0;
	}
	KUNIT_EXPECT_EQ(test, pcslab_drain_level(&st, 0), 128U);
	KUNIT_EXPECT_EQ(test, st.step, PCSLAB_NR_LEVELS - 1);
	KUNIT_EXPECT_EQ(test, ups, 4);
	/*
	 * Huge values must not wrap: 4 * UINT_MAX > 3 * UINT_MAX is a step
	 * down; 32-bit products would wrap and compare the other way.
	 */
	KUNIT_EXPECT_EQ(test, tick(&st, UINT_MAX, UINT_MAX, &moved), 64U);
	KUNIT_EXPECT_EQ(test, moved, -1);
}

static void policy_levels_match_spec(struct kunit *test)
{
	static const unsigned int spec[] = { 8, 16, 32, 64, 128 };
	unsigned int i;

	KUNIT_ASSERT_EQ(test, PCSLAB_NR_LEVELS, ARRAY_SIZE(spec));
	for (i = 0; i < PCSLAB_NR_LEVELS; i++)
		KUNIT_EXPECT_EQ(test, pcslab_levels[i], spec[i]);
	KUNIT_EXPECT_EQ(test, pcslab_levels[PCSLAB_LEVEL_START], 64U);
}

static void policy_capacity_zero_never_moves(struct kunit *test)
{
	struct pcslab_drain_state st;
	int moved, i;

	pcslab_drain_state_init(&st);
	for (i = 0; i < 100; i++) {
		tick(&st, 0, 0, &moved);
		KUNIT_EXPECT_EQ(test, moved, 0);
	}
}

/*
 * The owner's fast tick is the law, tick for tick: random depths around
 * both bands, capacities from 0 to the maximum (changed as
 * pcslab_cache_set_queue_capacity() does), fixed and adaptive policies
 * (changed as pcslab_cache_set_policy() does); the two states never part,
 * and a depth in the still window (the hot paths' skip of the tick) is one
 * at which the tick changes nothing and no drain is due.
 */
static void policy_fast_tick_matches_law(struct kunit *test)
{
	static const unsigned int caps[] = { 0, 1, 2, 3, 5, 8, 100, 171, 172,
					     512, 1024, 4099, PCSLAB_MAX_QUEUE };
	struct pcslab_drain_state law, fast;
	unsigned int fixed = PCSLAB_DRAIN_ADAPTIVE, cap = 1024, i, bad = 0;
	unsigned int slow = 0, still = 0, span;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 42);
	pcslab_drain_state_init(&law);
	pcslab_drain_state_init(&fast);
	for (i = 0; i < 200000; i++) {
		unsigned int r = prandom_u32_state(&rnd), pending, a, b, old_a, old_b;
		int moved_a, moved_b;
		bool is_still;

		if (r % 1000 == 0) {
			cap = caps[(r >> 10) % ARRAY_SIZE(caps)];
			pcslab_policy_window_none(&fast);
		} else if (r % 1000 == 1) {
			fixed = (r >> 10) % 3 ? PCSLAB_DRAIN_ADAPTIVE : 1 + (r >> 12) % 200;
			pcslab_drain_state_init(&law);
			pcslab_drain_state_init(&fast);
		}
		/* mostly near the bands and the levels, sometimes anywhere */
		span = cap + 16;
		pending = (r >> 20) % 8 ? prandom_u32_state(&rnd) % span :
			  prandom_u32_state(&rnd) % (PCSLAB_MAX_QUEUE + 1);
		if (pending - fast.quiet_lo > fast.quiet_span)
			slow++;
		is_still = pending - fast.still_lo <= fast.still_span;
		still += is_still;
		old_a = pcslab_drain_level(&law, fixed);
		a = pcslab_policy_tick(&law, fixed, pending, cap, &moved_a);
		b = pcslab_policy_tick_fast(&fast, &fixed, pending, &cap, &moved_b,
					    &old_b);
		/* the old level matters when the law moved it */
		if (a != b || moved_a != moved_b || law.step != fast.step ||
		    law.cooldown != fast.cooldown ||
		    (moved_b && (old_b != old_a || a == old_b)) ||
		    (is_still && (moved_b || pending >= b ||
				  (fixed == PCSLAB_DRAIN_ADAPTIVE && law.cooldown)))) {
			if (!bad++)
				kunit_info(test, "tick %u: depth %u cap %u fixed %u: law %u/%d, fast %u/%d",
					   i, pending, cap, fixed, a, moved_a, b, moved_b);
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	kunit_info(test, "%u of 200000 ticks ran the whole law, %u were still",
		   slow, still);

	/* a steady depth inside the bands: only the first tick runs the law */
	cap = 1024;
	fixed = PCSLAB_DRAIN_ADAPTIVE;
	pcslab_drain_state_init(&fast);
	for (i = 0, slow = 0; i < 1000; i++) {
		unsigned int old;
		int moved;

		if (500 - fast.quiet_lo > fast.quiet_span)
			slow++;
		KUNIT_EXPECT_EQ(test, pcslab_policy_tick_fast(&fast, &fixed, 500, &cap,
							      &moved, &old), 64U);
		KUNIT_EXPECT_EQ(test, old, 64U);
	}
	KUNIT_EXPECT_EQ(test, slow, 1U);

	/*
	 * Below the level too (bands 16..48 of 64, level 64): after the
	 * first tick every one is still, so the hot paths skip them all.
	 */
	cap = 64;
	pcslab_drain_state_init(&fast);
	for (i = 0, still = 0; i < 1000; i++) {
		unsigned int old;
		int moved;

		still += 30 - fast.still_lo <= fast.still_span;
		KUNIT_EXPECT_EQ(test, pcslab_policy_tick_fast(&fast, &fixed, 30, &cap,
							      &moved, &old), 64U);
	}
	KUNIT_EXPECT_EQ(test, still, 999U);
}

/*
 * Steady load model: @rate remote frees arrive per owner tick, the owner
 * drains when the depth reaches the level.  With a capacity of at least
 * 4/3 of the top level (171 for 128; the default is 1024) the law settles:
 * no level change after a bounded number of ticks.  Below that the exact
 * law has a limit cycle between two adjacent levels (the sawtooth of the
 * depth crosses both bands); the cooldown bounds it to one step per 17
 * ticks.  Both are pinned here.
 */
struct settle_case {
	unsigned int rate, cap, expect_level;
	bool settles;
	const char *name;
};

static const struct settle_case settle_cases[] = {
	{ 3, PCSLAB_DEFAULT_QUEUE, 128, true, "light load, default queue: settles at 128" },
	{ 3, 512, 128, true, "light load, 512 entries: settles at 128" },
	{ 3, 172, 128, true, "queue just above 4/3 of 128: settles at 128" },
	{ 40, 100, 32, true, "heavy load: settles at 32" },
	{ 80, 100, 8, true, "flooded queue: settles at the floor" },
	{ 3, 160, 128, false, "queue below 4/3 of 128: 64 <-> 128 cycle" },
	{ 1, 64, 128, false, "tiny queue: 64 <-> 128 cycle" },
};

KUNIT_ARRAY_PARAM_DESC(settle, settle_cases, name);

static void policy_settles_under_steady_load(struct kunit *test)
{
	const struct settle_case *c = test->param_value;
	struct pcslab_drain_state st;
	unsigned int pending = 0, t, last_change = 0, level = 0;
	int moved;

	unsigned int changes = 0, lo = UINT_MAX, hi = 0;

	pcslab_drain_state_init(&st);
	for (t = 1; t <= 20000; t++) {
		pending = min(pending + c->rate, c->cap);
		level = tick(&st, pending, c->cap, &moved);
		if (moved) {
			last_change = t;
			changes++;
		}
		if (t > 10000) {
			lo = min(lo, level);
			hi = max(hi, level);
		}
		if (pending >= level)
			pending = 0;
	}
	kunit_info(test, "level %u, %u changes, last at tick %u, range %u..%u",
		   level, changes, last_change, lo, hi);
	if (c->settles) {
		KUNIT_EXPECT_LT(test, last_change, 500U);
		KUNIT_EXPECT_EQ(test, level, c->expect_level);
		KUNIT_EXPECT_EQ(test, lo, hi);
	} else {
		/* bounded: two adjacent levels, at most one step per 17 ticks */
		KUNIT_EXPECT_EQ(test, hi, c->expect_level);
		KUNIT_EXPECT_EQ(test, lo, c->expect_level / 2);
		KUNIT_EXPECT_LE(test, changes, 20000U / (PCSLAB_COOLDOWN_TICKS + 1) + 1);
	}
}

/* A drain's two ends: detach, walk counting, lower pending by the count. */
static struct llist_node *take(struct pcslab_remote *rq, unsigned int *n)
{
	struct llist_node *list = pcslab_remote_detach(rq), *pos;

	*n = 0;
	llist_for_each(pos, list)
		(*n)++;
	pcslab_remote_detached(rq, *n);
	return list;
}

static void remote_pending_tracks_pushes(struct kunit *test)
{
	struct llist_node nodes[8];
	struct pcslab_remote rq;
	unsigned int n, i;
	bool first;

	pcslab_remote_init(&rq);
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[i], 8, &first), (int)i + 1);
		KUNIT_EXPECT_EQ(test, first, i == 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 5);
	/* detached and not yet put back: still pending, no longer listed */
	KUNIT_EXPECT_PTR_EQ(test, pcslab_remote_detach(&rq), &nodes[4]);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 5);
	KUNIT_EXPECT_TRUE(test, llist_empty(&rq.head));
	pcslab_remote_detached(&rq, 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 0);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_GE(test, pcslab_remote_push(&rq, &nodes[i], 8, &first), 1);
	KUNIT_EXPECT_PTR_EQ(test, take(&rq, &n), &nodes[4]);
	KUNIT_EXPECT_EQ(test, n, 5U);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 0);
	/* no stale add after a drain */
	KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[5], 8, &first), 1);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 1);
	KUNIT_EXPECT_NOT_NULL(test, take(&rq, &n));
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_NULL(test, take(&rq, &n));
	KUNIT_EXPECT_EQ(test, n, 0U);
}

static void remote_capacity_boundaries(struct kunit *test)
{
	struct llist_node nodes[3];
	struct pcslab_remote rq;
	unsigned int n;
	bool first;

	pcslab_remote_init(&rq);
	/* capacity 0: every push is refused, nothing is counted */
	KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[0], 0, &first), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 0);
	/* capacity 1: one push, then refused until drained */
	KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[0], 1, &first), 1);
	KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[1], 1, &first), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&rq.pending), 1);
	take(&rq, &n);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, pcslab_remote_push(&rq, &nodes[2], 1, &first), 1);
	KUNIT_EXPECT_EQ(test, pcslab_kick_threshold(0), 1U);
	KUNIT_EXPECT_EQ(test, pcslab_kick_threshold(1), 1U);
	KUNIT_EXPECT_EQ(test, pcslab_kick_threshold(512), 256U);
}

static struct kunit_case pcslab_remote_cases[] = {
	KUNIT_CASE(policy_initial_level_is_64),
	KUNIT_CASE(policy_fixed_has_no_adaptive_state),
	KUNIT_CASE(policy_steps_down_above_75_percent),
	KUNIT_CASE(policy_steps_up_below_25_percent),
	KUNIT_CASE(policy_cooldown_blocks_16_ticks),
	KUNIT_CASE(policy_floor_and_ceiling_hold),
	KUNIT_CASE(policy_levels_match_spec),
	KUNIT_CASE(policy_capacity_zero_never_moves),
	KUNIT_CASE(policy_fast_tick_matches_law),
	KUNIT_CASE_PARAM(policy_settles_under_steady_load, settle_gen_params),
	KUNIT_CASE(remote_pending_tracks_pushes),
	KUNIT_CASE(remote_capacity_boundaries),
	{}
};

static struct kunit_suite pcslab_remote_suite = {
	.name = "pcslab_remote",
	.test_cases = pcslab_remote_cases,
};

kunit_test_suite(pcslab_remote_suite);
