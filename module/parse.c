// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab debugfs write parsers.  Strict: decimal without sign or leading
 * zeros, exact keywords, at most one trailing newline; anything else is
 * -EINVAL.  Kept apart from debugfs.c so that the userspace harness can
 * fuzz them unchanged (tools/testing/pcslab).
 */
#define pr_fmt(fmt) "pcslab: " fmt

#include <linux/errno.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "pcslab_internal.h"

/**
 * pcslab_parse_uint - parse a strict decimal number written to debugfs.
 * @buf: the bytes written (not NUL-terminated).
 * @len: their number.
 * @max: largest accepted value.
 * @val: result on success.
 *
 * Accepts 1-10 decimal digits without sign or leading zeros, optionally
 * followed by one newline, with a value <= @max.
 *
 * Return: 0 or -EINVAL.
 */
int pcslab_parse_uint(const char *buf, size_t len, unsigned int max,
		      unsigned int *val)
{
	unsigned long long v = 0;
	size_t i;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len > 10 || (buf[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		v = v * 10 + (buf[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*val = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_parse_uint);

/**
 * pcslab_parse_policy - parse a drain_policy write.
 * @buf: the bytes written (not NUL-terminated).
 * @len: their number.
 * @level: %PCSLAB_DRAIN_ADAPTIVE or the fixed level, on success.
 *
 * Accepts exactly "adaptive" or "fixed <n>" (one space, n in
 * 1..%PCSLAB_MAX_QUEUE), optionally followed by one newline.
 *
 * Return: 0 or -EINVAL.
 */
int pcslab_parse_policy(const char *buf, size_t len, unsigned int *level)
{
	static const char fixed[] = "fixed ";
	unsigned int v;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len == 8 && !memcmp(buf, "adaptive", 8)) {
		*level = PCSLAB_DRAIN_ADAPTIVE;
		return 0;
	}
	if (len <= sizeof(fixed) - 1 || memcmp(buf, fixed, sizeof(fixed) - 1))
		return -EINVAL;
	buf += sizeof(fixed) - 1;
	len -= sizeof(fixed) - 1;
	/* the newline is gone: the number must not bring a second one */
	if (buf[len - 1] == '\n' ||
	    pcslab_parse_uint(buf, len, PCSLAB_MAX_QUEUE, &v) || !v)
		return -EINVAL;
	*level = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcslab_parse_policy);
