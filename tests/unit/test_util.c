// SPDX-License-Identifier: MIT
/* test_util.c - number, size, duration, signal and time parsers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "util.h"

static void test_parse_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_true(parse_u64("42x", 1, 100, &v) < 0);
	assert_true(parse_u64("-1", 0, 100, &v) < 0);
	assert_true(parse_u64("", 0, 100, &v) < 0);
	assert_true(parse_u64("101", 1, 100, &v) < 0);
	assert_true(parse_u64("0", 1, 100, &v) < 0);
	assert_true(parse_u64("99999999999999999999999", 0, UINT64_MAX, &v) < 0);
	assert_true(parse_u64(" 5", 0, 100, &v) < 0);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("64M", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("16k", &v), 0);
	assert_int_equal(v, 16 << 10);
	assert_true(parse_size("M", &v) < 0);
	assert_true(parse_size("12Q", &v) < 0);
	assert_true(parse_size("99999999999999T", &v) < 0);
	assert_true(parse_size("1.5G", &v) < 0);
}

static void test_parse_duration(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_duration("30s", &v), 0);
	assert_int_equal(v, 30000000000ULL);
	assert_int_equal(parse_duration("10m", &v), 0);
	assert_int_equal(v, 600000000000ULL);
	assert_int_equal(parse_duration("2h", &v), 0);
	assert_int_equal(v, 7200000000000ULL);
	assert_int_equal(parse_duration("500ms", &v), 0);
	assert_int_equal(v, 500000000ULL);
	assert_int_equal(parse_duration("5", &v), 0);
	assert_int_equal(v, 5000000000ULL);
	assert_true(parse_duration("5x", &v) < 0);
	assert_true(parse_duration("m", &v) < 0);
	assert_true(parse_duration("-5s", &v) < 0);
	assert_true(parse_duration("99999999999999999w", &v) < 0);
}

static void test_signals(void **state)
{
	char buf[32];
	uint64_t mask[2];
	char bad[64];

	(void)state;
	assert_int_equal(sig_parse("TERM"), 15);
	assert_int_equal(sig_parse("SIGTERM"), 15);
	assert_int_equal(sig_parse("sigkill"), 9);
	assert_int_equal(sig_parse("9"), 9);
	assert_int_equal(sig_parse("SIGRTMIN"), 34);
	assert_int_equal(sig_parse("SIGRTMIN+2"), 36);
	assert_int_equal(sig_parse("RTMAX-1"), 63);
	assert_int_equal(sig_parse("CLD"), 17);
	assert_true(sig_parse("65") < 0);
	assert_true(sig_parse("0") < 0);
	assert_true(sig_parse("SIGFOO") < 0);
	assert_true(sig_parse("SIGRTMIN+40") < 0);
	/* every name parses back to its number */
	for (int s = 1; s <= 64; s++) {
		const char *n = sig_name(s, buf, sizeof(buf));

		assert_non_null(n);
		assert_int_equal(sig_parse(n), s);
	}
	assert_null(sig_name(0, buf, sizeof(buf)));
	assert_null(sig_name(65, buf, sizeof(buf)));
	assert_int_equal(sig_parse_list("TERM,KILL,64", mask, bad, sizeof(bad)), 0);
	assert_int_equal(mask[0], (1ULL << 14) | (1ULL << 8) | (1ULL << 63));
	assert_int_equal(mask[1], 0);
	assert_true(sig_parse_list("TERM,NOPE", mask, bad, sizeof(bad)) < 0);
	assert_string_equal(bad, "NOPE");
	assert_true(sig_parse_list("", mask, bad, sizeof(bad)) < 0);
}

static void test_time(void **state)
{
	int64_t t, now = 1700000000000000000LL;
	char buf[64];

	(void)state;
	assert_int_equal(parse_time("2023-11-14T22:13:20Z", now, &t), 0);
	assert_int_equal(t, 1700000000000000000LL);
	assert_int_equal(parse_time("2023-11-14T22:13:20.5Z", now, &t), 0);
	assert_int_equal(t, 1700000000500000000LL);
	assert_int_equal(parse_time("2023-11-14T23:13:20+01:00", now, &t), 0);
	assert_int_equal(t, 1700000000000000000LL);
	assert_int_equal(parse_time("10m ago", now, &t), 0);
	assert_int_equal(t, now - 600000000000LL);
	assert_int_equal(parse_time("10m", now, &t), 0);
	assert_int_equal(t, now - 600000000000LL);
	assert_true(parse_time("2023-13-14T22:13:20Z", now, &t) < 0);
	assert_true(parse_time("2023-11-14T22:13:20Zjunk", now, &t) < 0);
	assert_true(parse_time("yesterdayish", now, &t) < 0);
	/* past 2262 a time does not fit in ns: refused, not wrapped */
	assert_int_equal(parse_time("9999-01-01T00:00:00Z", now, &t), -ERANGE);
	assert_int_equal(parse_time("20000w", now, &t), 0);
	assert_true(t == INT64_MIN);
	assert_int_equal(parse_time("10 min ago", now, &t), 0);
	assert_int_equal(t, now - 600000000000LL);
	assert_int_equal(parse_time("yesterday", now, &t), 0);
	assert_true(t < now - 86400000000000LL + 1 && t > now - 2 * 86400000000000LL);
	fmt_rfc3339(1700000000123456789LL, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123456789Z");
}

static void test_code_names(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(code_name(10, 0, b, sizeof(b)), "SI_USER");
	assert_string_equal(code_name(10, -6, b, sizeof(b)), "SI_TKILL");
	assert_string_equal(code_name(11, 1, b, sizeof(b)), "SEGV_MAPERR");
	assert_string_equal(code_name(17, 1, b, sizeof(b)), "CLD_EXITED");
	assert_string_equal(code_name(9, 0x80, b, sizeof(b)), "SI_KERNEL");
	assert_string_equal(code_name(11, 99, b, sizeof(b)), "99");
	assert_string_equal(errno_name(1, b, sizeof(b)), "EPERM");
	assert_string_equal(errno_name(3, b, sizeof(b)), "ESRCH");
	assert_string_equal(errno_name(200, b, sizeof(b)), "E200");
}

/* Times and counts from a file may be anything: sums clamp, never wrap. */
static void test_saturating(void **state)
{
	(void)state;
	assert_true(sat_add_i64(INT64_MAX, 1) == INT64_MAX);
	assert_true(sat_add_i64(INT64_MIN, -1) == INT64_MIN);
	assert_true(sat_add_i64(INT64_MAX, INT64_MIN) == -1);
	assert_true(sat_add_i64(5, -7) == -2);
	assert_true(sat_add_u64(UINT64_MAX, 1) == UINT64_MAX);
	assert_true(sat_add_u64(UINT64_MAX - 1, 1) == UINT64_MAX);
	assert_true(sat_add_u64(2, 3) == 5);
	assert_true(wall_ns(UINT64_MAX, INT64_MAX) == INT64_MAX);
	assert_true(wall_ns(UINT64_MAX, INT64_MIN) == INT64_MAX);	/* 2^63 - 1 exactly */
	assert_true(wall_ns((1ULL << 63) + 5, -10) == INT64_MAX - 4);
	assert_true(wall_ns(0, INT64_MIN) == INT64_MIN);
	assert_true(wall_ns(1000, -1) == 999);
	assert_true(ns_before(0, UINT64_MAX) == INT64_MIN);
	assert_true(ns_before(INT64_MIN + 5, 10) == INT64_MIN);
	assert_true(ns_before(100, 30) == 70);
}

/* Only regular files are opened; a FIFO is refused without blocking. */
static void test_open_regular(void **state)
{
	char dir[] = "/tmp/sigrec-util.XXXXXX", path[64];
	struct sigrec_err err = { "" };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(open_regular(AT_FDCWD, path, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is a FIFO (named pipe), not a regular file"));
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(open_regular(AT_FDCWD, dir, &err), -EISDIR);
	assert_int_equal(open_regular(AT_FDCWD, "/dev/null", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "character device"));
	unlink(path);
	assert_int_equal(open_regular(AT_FDCWD, path, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "No such file"));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open_regular(AT_FDCWD, path, &err);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_code_names),
		cmocka_unit_test(test_saturating),
		cmocka_unit_test(test_open_regular),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
