// SPDX-License-Identifier: MIT
/*
 * test_names.c - the name tables of lib/names.c that are more than a list:
 * a record's timer kind, signal and si_code to the kind a JSON "timer"
 * object names and how it was armed; clock ids, CPU clocks included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "names.h"

#define SI_TIMER (-2)
#define SI_KERNEL 0x80

static void expect_clock(int64_t clock, const char *want)
{
	char buf[48];

	names__clock(buf, sizeof(buf), clock);
	assert_string_equal(buf, want);
}

static void test_clocks(void **state)
{
	(void)state;
	expect_clock(0, "CLOCK_REALTIME");
	expect_clock(1, "CLOCK_MONOTONIC");
	expect_clock(7, "CLOCK_BOOTTIME");
	expect_clock(8, "CLOCK_REALTIME_ALARM");
	expect_clock(9, "CLOCK_BOOTTIME_ALARM");
	expect_clock(11, "CLOCK_TAI");
	expect_clock(10, "clock 10");	/* no such clock */
	expect_clock(12, "clock 12");
	/* the kernel keeps CLOCK_PROCESS_CPUTIME_ID as make_process_cpuclock(0, CPUCLOCK_SCHED) */
	expect_clock(-6, "CLOCK_PROCESS_CPUTIME_ID");
	expect_clock(-2, "CLOCK_THREAD_CPUTIME_ID");
	/* clock_getcpuclockid(4242): ~4242 << 3 | CPUCLOCK_SCHED */
	expect_clock((int32_t)((~4242u) << 3 | 2), "CPU clock of process 4242");
	expect_clock((int32_t)((~77u) << 3 | 4 | 2), "CPU clock of thread 77");
	expect_clock(INT64_MIN, "clock -9223372036854775808");
}

struct kind_case {
	int kind, sig, code;
	const char *name, *how;
	int has_clock;
	int64_t clock;
};

static void test_kinds(void **state)
{
	static const struct kind_case cases[] = {
		{ SIGREC_TK_ITIMER_REAL, 14, SI_KERNEL, "itimer_real", "setitimer(ITIMER_REAL) or alarm()", 0, 0 },
		{ SIGREC_TK_POSIX, 34, SI_TIMER, "posix", "timer_create(CLOCK_MONOTONIC)", 1, 1 },
		{ SIGREC_TK_POSIX, 14, SI_TIMER, "posix", "timer_create()", 0, 0 },
		{ SIGREC_TK_ALARM, 34, SI_TIMER, "alarm", "timer_create(CLOCK_BOOTTIME_ALARM)", 1, 9 },
		{ SIGREC_TK_CPU, 26, SI_KERNEL, "itimer_virtual", "setitimer(ITIMER_VIRTUAL)", 0, 0 },
		{ SIGREC_TK_CPU, 27, SI_KERNEL, "itimer_prof", "setitimer(ITIMER_PROF)", 0, 0 },
		{ SIGREC_TK_CPU, 24, SI_KERNEL, "rlimit_cpu", "RLIMIT_CPU soft limit", 0, 0 },
		{ SIGREC_TK_CPU, 9, SI_KERNEL, "rlimit_cpu", "RLIMIT_CPU hard limit", 0, 0 },
		{ SIGREC_TK_CPU, 34, SI_TIMER, "posix_cpu", "timer_create(CLOCK_PROCESS_CPUTIME_ID)", 1, -6 },
		{ SIGREC_TK_CPU, 34, SI_TIMER, "posix_cpu", "timer_create() on a CPU-time clock", 0, 0 },
		{ SIGREC_TK_CPU, 10, SI_KERNEL, "cpu", "a CPU-time timer", 0, 0 },
		{ SIGREC_TK_NONE, 14, SI_KERNEL, "", "", 0, 0 },
		{ 5, 14, SI_KERNEL, "", "", 0, 0 },	/* a kind a newer recorder may write */
		{ 7, 14, SI_KERNEL, "", "", 0, 0 },
	};
	char how[80];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kind_case *c = &cases[i];
		int t = names__timer(c->kind, c->sig, c->code);

		assert_string_equal(names__timer_name(t), c->name);
		assert_int_equal(t == NAMES_TIMER_NONE, c->name[0] == 0);
		names__timer_how(how, sizeof(how), t, c->sig, c->has_clock, c->clock);
		assert_string_equal(how, c->how);
	}
	assert_string_equal(names__timer_name(-1), "unknown");
	assert_string_equal(names__timer_name(100), "unknown");
	/* a short buffer: cut, still a string */
	names__timer_how(how, 8, NAMES_TIMER_ITIMER_REAL, 14, 0, 0);
	assert_string_equal(how, "setitim");
}

/* Every kind's bits fit sflags' field and none overlaps the other flags. */
static void test_sflags(void **state)
{
	(void)state;
	for (int k = 0; k < 8; k++) {
		uint16_t f = k << SIGREC_SF_TIMER_SHIFT;

		assert_int_equal(f & ~SIGREC_SF_TIMER_MASK, 0);
		assert_int_equal(sigrec_sf_timer(f | 0x3ff | 0xe000), k);
	}
	assert_int_equal(SIGREC_SF_TIMER_MASK & (SIGREC_SF_CLAIMED | SIGREC_SF_NOINFO | SIGREC_SF_PRIV |
					       SIGREC_SF_SENDER | SIGREC_SF_DISP_MASK | SIGREC_SF_BLOCKED |
					       SIGREC_SF_STACK | SIGREC_SF_FAULT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_sflags),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
