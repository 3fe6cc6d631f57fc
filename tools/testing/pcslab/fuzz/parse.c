// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the debugfs write parsers (module/parse.c).  Property:
 * whatever the bytes, a parse either fails with -EINVAL and leaves the
 * output alone, or succeeds with a value in range that prints back to the
 * same bytes (no sign, no leading zero, at most one trailing newline).
 */
#include "../check.h"

unsigned long long check_seed;
char check_where[128] = "fuzz-parse";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int max = PCSLAB_MAX_QUEUE, v = 0xdeadbeef, level = 0xdeadbeef;
	size_t len = size && data[size - 1] == '\n' ? size - 1 : size;
	char back[32];
	int r;

	if (size > 64)
		return 0;
	r = pcslab_parse_uint((const char *)data, size, max, &v);
	if (r) {
		CHECK(r == -EINVAL && v == 0xdeadbeef, "failed parse changed the value");
	} else {
		CHECK(v <= max, "parsed %u above %u", v, max);
		snprintf(back, sizeof(back), "%u", v);
		CHECK(strlen(back) == len && !memcmp(back, data, len), "accepted a non-canonical number");
	}
	r = pcslab_parse_policy((const char *)data, size, &level);
	if (r) {
		CHECK(r == -EINVAL && level == 0xdeadbeef, "failed policy parse changed the level");
	} else if (level == PCSLAB_DRAIN_ADAPTIVE) {
		CHECK(len == 8 && !memcmp(data, "adaptive", 8), "adaptive from other bytes");
	} else {
		CHECK(level >= 1 && level <= PCSLAB_MAX_QUEUE, "level %u", level);
		snprintf(back, sizeof(back), "fixed %u", level);
		CHECK(strlen(back) == len && !memcmp(back, data, len), "accepted a non-canonical policy");
	}
	return 0;
}
