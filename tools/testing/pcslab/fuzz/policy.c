// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the adaptive law (pcslab_policy_tick(), remote.h).
 * The input is a capacity and a sequence of queue depths.  Properties:
 * the level is always one of the five; it never moves while a cooldown
 * runs, and after a move the next 16 ticks cannot move it; it moves only
 * as the law says (down above 75 % of capacity, up below 25 %); a fixed
 * level never moves; and for a constant depth with capacity >= 171 it
 * settles: at most one move in the last 5 * 17 ticks of 200.  The owner's
 * fast tick (pcslab_policy_tick_fast()) follows the same sequence and must
 * agree with the law on every tick; a depth in its still window (the hot
 * paths' skip, pcslab_tick_quiet()) must be one at which the tick changes
 * nothing and no drain is due.
 */
#include "../check.h"

unsigned long long check_seed;
char check_where[128] = "fuzz-policy";

static bool is_level(unsigned int l)
{
	unsigned int i;

	for (i = 0; i < PCSLAB_NR_LEVELS; i++)
		if (pcslab_levels[i] == l)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcslab_drain_state st, fast;
	unsigned int capacity, since_move = 1000, i, level, prev;
	unsigned int adaptive = PCSLAB_DRAIN_ADAPTIVE;
	unsigned int old_fast;
	int moved, moved_fast, moves_late = 0;

	if (size < 3)
		return 0;
	capacity = (data[0] | data[1] << 8) % (PCSLAB_MAX_QUEUE + 1);
	pcslab_drain_state_init(&st);
	pcslab_drain_state_init(&fast);
	prev = pcslab_drain_level(&st, PCSLAB_DRAIN_ADAPTIVE);
	CHECK(prev == PCSLAB_DEFAULT_LEVEL, "starts at %u", prev);
	for (i = 2; i < size; i++) {
		unsigned int pending = (data[i] * (capacity + 1)) / 255;
		u8 cooldown = st.cooldown;
		u64 d4 = (u64)pending * 4;
		bool still = pending - fast.still_lo <= fast.still_span;
		struct pcslab_drain_state before = fast;

		level = pcslab_policy_tick(&st, PCSLAB_DRAIN_ADAPTIVE, pending, capacity, &moved);
		CHECK(is_level(level), "level %u", level);
		CHECK(pcslab_policy_tick_fast(&fast, &adaptive, pending, &capacity,
					      &moved_fast, &old_fast) == level &&
		      moved_fast == moved && old_fast == prev &&
		      fast.step == st.step && fast.cooldown == st.cooldown,
		      "fast tick parted from the law at depth %u of %u", pending, capacity);
		if (still)
			CHECK(!moved && pending < level && fast.step == before.step &&
			      fast.cooldown == before.cooldown,
			      "depth %u of %u still, yet the tick acted", pending, capacity);
		if (cooldown)
			CHECK(!moved && st.cooldown == cooldown - 1, "moved during cooldown");
		if (moved) {
			CHECK(since_move >= PCSLAB_COOLDOWN_TICKS, "moved %u ticks after a move", since_move);
			CHECK(moved < 0 ? d4 > (u64)capacity * 3 && level < prev :
				d4 < capacity && level > prev, "moved %d at depth %u of %u",
			      moved, pending, capacity);
			since_move = 0;
		} else {
			CHECK(level == prev, "level changed without a move");
			since_move++;
		}
		prev = level;
	}
	/* a fixed level never moves */
	level = pcslab_policy_tick(&st, 100, data[2], capacity, &moved);
	CHECK(level == 100 && !moved, "fixed level moved");
	/* a constant load settles when capacity >= 171 */
	if (capacity >= 171) {
		unsigned int pending = data[2] * capacity / 255;

		pcslab_drain_state_init(&st);
		for (i = 0; i < 200; i++) {
			pcslab_policy_tick(&st, PCSLAB_DRAIN_ADAPTIVE, pending, capacity, &moved);
			if (moved && i >= 200 - 5 * 17)
				moves_late++;
		}
		CHECK(moves_late <= 1, "constant depth %u of %u still moving (%d late moves)",
		      pending, capacity, moves_late);
	}
	return 0;
}
