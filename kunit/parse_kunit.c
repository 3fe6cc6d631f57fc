// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: the strict parsers of debugfs writes: module/parse.c.
 */
#include <kunit/test.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void parse_accepts_and_rejects(struct kunit *test)
{
	static const char *const bad_uint[] = {
		"", "\n", " ", "-1", "+1", "01", "0x1", "1 ", " 1", "1\n\n",
		"4294967296", "99999999999", "1a", "abc", "65537",
	};
	static const char *const bad_policy[] = {
		"", "adaptive ", "Adaptive", "fixed", "fixed ", "fixed 0",
		"fixed  8", "fixed 08", "fixed -1", "fixed 65537", "fixed 8x",
		"8", "adaptive\n\n", "fixed:8", "fixed 711\n\n",
	};
	unsigned int v, i;

	KUNIT_EXPECT_EQ(test, pcslab_parse_uint("0", 1, 10, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0U);
	KUNIT_EXPECT_EQ(test, pcslab_parse_uint("65536\n", 6, PCSLAB_MAX_QUEUE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 65536U);
	for (i = 0; i < ARRAY_SIZE(bad_uint); i++) {
		v = 7;
		int err = pcslab_parse_uint(bad_uint[i], strlen(bad_uint[i]),
					    PCSLAB_MAX_QUEUE, &v);

		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "'%s'", bad_uint[i]);
		KUNIT_EXPECT_EQ(test, v, 7U);
	}
	KUNIT_EXPECT_EQ(test, pcslab_parse_policy("adaptive\n", 9, &v), 0);
	KUNIT_EXPECT_EQ(test, v, PCSLAB_DRAIN_ADAPTIVE);
	KUNIT_EXPECT_EQ(test, pcslab_parse_policy("fixed 8", 7, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 8U);
	for (i = 0; i < ARRAY_SIZE(bad_policy); i++) {
		int err = pcslab_parse_policy(bad_policy[i], strlen(bad_policy[i]), &v);

		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "'%s'", bad_policy[i]);
	}
}

static struct kunit_case pcslab_parse_cases[] = {
	KUNIT_CASE(parse_accepts_and_rejects),
	{}
};

static struct kunit_suite pcslab_parse_suite = {
	.name = "pcslab_parse",
	.test_cases = pcslab_parse_cases,
};

kunit_test_suite(pcslab_parse_suite);
