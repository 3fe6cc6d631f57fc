// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed writes to every writable pcslab debugfs file and to the
 * idle_flush_ms module parameter must fail with EINVAL and leave the value
 * read back unchanged.  Run by bad_input.sh, which loads the pcslab_test
 * cache first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest.h"

#define DIR "/sys/kernel/debug/pcslab/pcslab_test/"
#define IDLE_FLUSH_MS "/sys/module/pcslab/parameters/idle_flush_ms"

struct bad {
	const char *buf;
	size_t len;	/* 0: strlen(buf) */
	off_t off;
	const char *what;
};

#define B(s, w)		{ s, 0, 0, w }
#define BL(s, l, w)	{ s, l, 0, w }
#define BO(s, o, w)	{ s, 0, o, w }

static char longbuf[4096];

/* Inputs no writable file accepts. */
static const struct bad common[] = {
	BL("", 0, "empty write"),
	B(" ", "one space"),
	B("\n", "newline only"),
	B("\t\x0a", "tab newline"),
	B("\x20\x20\x20\x0a", "spaces"),
	B("-1", "negative"),
	B("-0", "negative zero"),
	B("+1", "plus sign"),
	B("1x", "trailing garbage"),
	B("1 ", "trailing space"),
	B(" 1", "leading space"),
	B("1\n\n", "two newlines"),
	B("1\n2", "two lines"),
	B("0x10", "hex"),
	B("0X10", "hex upper"),
	B("010", "octal-looking leading zero"),
	B("00", "double zero"),
	B("1e3", "exponent"),
	B("1.5", "fraction"),
	B("4294967296", "2^32"),
	B("4294967297", "2^32+1"),
	B("18446744073709551616", "2^64"),
	B("99999999999999999999999999", "very long number"),
	B("one", "word"),
	B("yes", "yes"),
	B("fixed", "fixed without number"),
	B("fixed ", "fixed with space only"),
	B("fixed\n", "fixed newline"),
	B("adaptiv", "truncated keyword"),
	B("adaptive2", "keyword with suffix"),
	B("ADAPTIVE", "upper case keyword"),
	B("adaptive ", "keyword trailing space"),
	B(" adaptive", "keyword leading space"),
	B("fixed  8", "two spaces"),
	B("fixed\t8", "tab separator"),
	B("fixed 8 9", "two numbers"),
	B("fixed -8", "fixed negative"),
	B("fixed 0", "fixed zero"),
	B("fixed 65537", "fixed above max"),
	B("fixed 0x8", "fixed hex"),
	B("fixed 08", "fixed leading zero"),
	B("fixed 4294967296", "fixed 2^32"),
	B("fixed 18446744073709551616", "fixed 2^64"),
	B("fixed:8", "colon form"),
	B("fixed=8", "equals form"),
	B("8 fixed", "reversed"),
	B("\xff\xfe", "non-UTF-8 bytes"),
	B("\xc3\xa9", "UTF-8 non-ASCII"),
	B("1\xff", "digit then invalid byte"),
	BL("1\0", 2, "embedded NUL"),
	BL("\0", 1, "NUL only"),
	BO("1", 1, "write at offset 1"),
	BO("adaptive", 4, "keyword at offset 4"),
	BL(longbuf, sizeof(longbuf), "4 KiB string"),
	BL(longbuf, 33, "33-byte string"),
};

/* Inputs only invalid for the numeric files. */
static const struct bad numeric_only[] = {
	B("adaptive", "policy keyword"),
	B("fixed 8", "policy form"),
	B("65537", "above maximum capacity"),
	B("1000000", "far above maximum"),
};

/* Inputs only invalid for the drain trigger. */
static const struct bad drain_only[] = {
	B("0", "zero"),
	B("2", "two"),
	B("10", "ten"),
};

/* Inputs only invalid for idle_flush_ms (1..60000). */
static const struct bad idle_flush_only[] = {
	B("0", "zero"),
	B("60001", "above 60000"),
};

/* Inputs only invalid for drain_policy. */
static const struct bad policy_only[] = {
	B("8", "bare number"),
	B("0", "bare zero"),
};

static int read_value(const char *file, char *out, size_t len)
{
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = 0;
	return 0;
}

static void run(const char *name, const struct bad *t, size_t nr)
{
	char file[256], before[256], after[256];
	size_t i;

	snprintf(file, sizeof(file), "%s%s", name[0] == '/' ? "" : DIR, name);
	for (i = 0; i < nr; i++) {
		size_t len = t[i].len ? t[i].len : strlen(t[i].buf);
		int fd, err = 0;
		ssize_t n;

		/*
		 * A module parameter's store sees the write as a C string
		 * from offset 0 (the kernel's rule for every parameter): an
		 * empty write, bytes after a NUL and the offset never reach it.
		 */
		if (name[0] == '/' && (!len || t[i].off || memchr(t[i].buf, 0, len))) {
			ksft_test_result_skip("%s: %s is not seen by a sysfs store\n",
					      name, t[i].what);
			continue;
		}

		if (!strcmp(name, "drain"))
			snprintf(before, sizeof(before), "(write-only)");
		else if (read_value(file, before, sizeof(before)))
			ksft_exit_fail_msg("cannot read %s: %s\n", file, strerror(errno));
		fd = open(file, O_WRONLY);
		if (fd < 0)
			ksft_exit_fail_msg("cannot open %s: %s\n", file, strerror(errno));
		/* seq_file-backed files do not allow pwrite(); seek instead. */
		if (t[i].off && lseek(fd, t[i].off, SEEK_SET) != t[i].off)
			ksft_exit_fail_msg("cannot seek %s: %s\n", file, strerror(errno));
		n = write(fd, t[i].buf, len);
		if (n < 0)
			err = errno;
		close(fd);
		if (strcmp(name, "drain"))
			read_value(file, after, sizeof(after));
		else
			snprintf(after, sizeof(after), "%s", before);
		ksft_test_result(n < 0 && err == EINVAL && !strcmp(before, after),
				 "%s rejects %s (errno %d, value %s)\n", name,
				 t[i].what, err, strcmp(before, after) ? "CHANGED" : "kept");
	}
}

static void good(const char *name, const char *val, const char *expect)
{
	char file[256], got[256];
	int fd;
	ssize_t n;

	snprintf(file, sizeof(file), "%s%s", name[0] == '/' ? "" : DIR, name);
	fd = open(file, O_WRONLY);
	n = fd < 0 ? -1 : write(fd, val, strlen(val));
	if (fd >= 0)
		close(fd);
	got[0] = 0;
	if (expect)
		read_value(file, got, sizeof(got));
	ksft_test_result(n == (ssize_t)strlen(val) && (!expect || !strcmp(got, expect)),
			 "%s accepts a valid write\n", name);
}

int main(void)
{
	size_t nc = ARRAY_SIZE(common);

	memset(longbuf, '7', sizeof(longbuf));
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must be root\n");
	if (access(DIR "stats", R_OK))
		ksft_exit_skip("pcslab_test cache not loaded (%s)\n", DIR);
	if (access(IDLE_FLUSH_MS, W_OK))
		ksft_exit_fail_msg("no %s\n", IDLE_FLUSH_MS);
	ksft_set_plan(3 * nc + 2 * ARRAY_SIZE(numeric_only) +
		      ARRAY_SIZE(drain_only) + ARRAY_SIZE(policy_only) + 3 +
		      nc + ARRAY_SIZE(numeric_only) + ARRAY_SIZE(idle_flush_only) + 2);

	good("drain_policy", "fixed 16\n", "fixed 16\n");
	good("queue_capacity", "256\n", "256\n");
	good("drain", "1\n", NULL);
	run("drain_policy", common, nc);
	run("drain_policy", policy_only, ARRAY_SIZE(policy_only));
	run("queue_capacity", common, nc);
	run("queue_capacity", numeric_only, ARRAY_SIZE(numeric_only));
	run("drain", common, nc);
	run("drain", numeric_only, ARRAY_SIZE(numeric_only));
	run("drain", drain_only, ARRAY_SIZE(drain_only));
	good(IDLE_FLUSH_MS, "250\n", "250\n");
	run(IDLE_FLUSH_MS, common, nc);
	run(IDLE_FLUSH_MS, numeric_only, ARRAY_SIZE(numeric_only));
	run(IDLE_FLUSH_MS, idle_flush_only, ARRAY_SIZE(idle_flush_only));
	good(IDLE_FLUSH_MS, "100\n", "100\n");
	ksft_finished();
}
