// SPDX-License-Identifier: MIT
/*
 * test_output.c - strings from a recording on their way out: UTF-8 passes,
 * controls (C0, C1, bidi and other invisible format characters) and
 * invalid bytes are replaced on a terminal and escaped in JSON and logfmt,
 * and a pstore file name cannot add keys to a JSON or logfmt line.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../tools/output.h"

/* What fn wrote for s, as a malloc'd string. */
static char *render(void (*fn)(FILE *, const char *, size_t), const char *s, size_t max)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s, max);
	fclose(f);
	return buf;
}

static void expect(void (*fn)(FILE *, const char *, size_t), const char *in, const char *want)
{
	char *got = render(fn, in, strlen(in) + 1);

	assert_string_equal(got, want);
	free(got);
}

static void expect_text(const char *in, const char *want)
{
	char out[256];

	text_clean(out, sizeof(out), in, strlen(in));
	assert_string_equal(out, want);
}

/* Whether s is valid UTF-8 with no C0 or C1 control and no bidi override. */
static int safe_utf8(const unsigned char *s)
{
	while (*s) {
		if (*s < 0x20 || *s == 0x7f)
			return 0;
		if (*s < 0x80) {
			s++;
		} else if ((*s & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
			if (*s < 0xc2 || (*s == 0xc2 && s[1] < 0xa0))
				return 0;	/* overlong, or U+0080..U+009F */
			s += 2;
		} else if ((*s & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
			if (*s == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
				return 0;	/* U+202A..U+202E */
			s += 3;
		} else if ((*s & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
			   (s[3] & 0xc0) == 0x80) {
			s += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

static void test_text(void **state)
{
	char out[8];

	(void)state;
	expect_text("café", "café");
	expect_text("日本語 ✓", "日本語 ✓");
	expect_text("a\033[31mb", "a?[31mb");
	expect_text("a\x9b" "31mb", "a?31mb");		/* raw C1 CSI */
	expect_text("a\xc2\x9b" "31mb", "a?31mb");	/* U+009B */
	expect_text("evil\xe2\x80\xae" "txt.exe", "evil?txt.exe");	/* RLO */
	expect_text("x\xe2\x81\xa6y\xe2\x80\x8bz\xef\xbb\xbf", "x?y?z?");	/* isolate, ZWSP, BOM */
	expect_text("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", "?????????");	/* overlong, surrogate, >10FFFF */
	expect_text("cut\xe2\x82", "cut??");		/* a sequence cut short */
	/* cut between characters only: "aé€" in 4 bytes is "aé" */
	assert_int_equal(text_clean(out, 4, "a\xc3\xa9\xe2\x82\xac", 6), 3);
	assert_string_equal(out, "a\xc3\xa9");
	assert_int_equal(text_clean(out, sizeof(out), "a\xc3\xa9\xe2\x82\xac", 6), 6);
}

static void test_json(void **state)
{
	(void)state;
	expect(json_str, "café", "\"café\"");			/* not cafÃ© */
	expect(json_str, "q\"b\\", "\"q\\\"b\\\\\"");
	expect(json_str, "a\nb\tc\033", "\"a\\nb\\tc\\u001b\"");
	expect(json_str, "\x9b", "\"\\ufffd\"");			/* invalid byte */
	expect(json_str, "\xc2\x9b", "\"\\u009b\"");		/* C1 as a character */
	expect(json_str, "\xe2\x80\xae" "abc", "\"\\u202eabc\"");
	expect(json_str, "\xff\xfe", "\"\\ufffd\\ufffd\"");
	expect(json_str, "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	/* U+1F600 */
}

static void test_logfmt(void **state)
{
	(void)state;
	expect(lf_val, "café", "café");
	expect(lf_val, "a b", "\"a b\"");
	expect(lf_val, "k=v", "\"k=v\"");
	expect(lf_val, "\033[2J", "\"\\x1b[2J\"");
	expect(lf_val, "x\xe2\x80\xaey", "\"x\\xe2\\x80\\xaey\"");
	expect(lf_val, "\x9b", "\"\\x9b\"");
	expect(lf_val, "", "\"\"");
}

/* Every one- and two-byte input, and random longer ones: output is safe. */
static void test_every_short_input(void **state)
{
	uint64_t x = 88172645463325252ULL;
	char in[16], out[64];

	(void)state;
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			char *j, *l;

			in[0] = a;
			in[1] = b;
			in[2] = 0;
			text_clean(out, sizeof(out), in, 2);
			assert_true(safe_utf8((unsigned char *)out));
			j = render(json_str, in, 3);
			l = render(lf_val, in, 3);
			assert_true(safe_utf8((unsigned char *)j));
			assert_true(safe_utf8((unsigned char *)l));
			free(j);
			free(l);
		}
	}
	for (int n = 0; n < 200000; n++) {
		for (int i = 0; i < 15; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[i] = (x & 3) ? 0x80 | (x >> 8 & 0x7f) : (x >> 16) | 1;
		}
		in[15] = 0;
		text_clean(out, sizeof(out), in, sizeof(in));
		assert_true(safe_utf8((unsigned char *)out));
	}
}

/* A pstore file name is data: quotes and ESC in it are escaped everywhere. */
static void test_pstore_name_escaped(void **state)
{
	static const char name[] = "dmesg-ramoops-0\",\"injected\":true,\"x\":\"\033[2J";
	struct sigrec_lost l = { .h = { .type = SIGREC_T_LOST, .size = sizeof(l) }, .count = 3 };
	struct ring_chunk c = { 0 };
	struct out_opts o = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int fmt = OUT_TEXT; fmt <= OUT_LOGFMT; fmt++) {
		o.format = fmt;
		f = open_memstream(&buf, &len);
		out_lost(f, &o, &l, &c, 1700000000000000000LL, name);
		fclose(f);
		assert_null(strchr(buf, '\033'));
		if (fmt == OUT_JSON)
			assert_non_null(strstr(buf, "\"source\":\"pstore:dmesg-ramoops-0\\\",\\\"injected\\\":true,"
						    "\\\"x\\\":\\\"\\u001b[2J\""));
		if (fmt == OUT_LOGFMT)
			assert_non_null(strstr(buf, " source=\"pstore:dmesg-ramoops-0\\\",\\\"injected\\\""));
		if (fmt == OUT_TEXT)
			assert_non_null(strstr(buf, "[pstore dmesg-ramoops-0\",\"injected\":true,\"x\":\"?[2J]"));
		free(buf);
		buf = NULL;
	}
}

/* What out_deliver (deliver) or out_signal wrote for e in format fmt, malloc'd. */
static char *render_ev(int fmt, const struct ev *e, int deliver)
{
	struct out_opts o = { .format = fmt, .utc = 1 };
	struct model *m = model__new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_non_null(m);
	if (deliver)
		out_deliver(f, &o, m, e);
	else
		out_signal(f, &o, m, e);
	fclose(f);
	model__free(m);
	return buf;
}

/* A delivery in each format: its action, disposition, count; its task apart from "target". */
static void test_deliver(void **state)
{
	struct ev e = { .deliver = 1, .wall_ns = 1700000000000000000LL, .count = 3,
			.to_wall_ns = 1700000000500000000LL };
	char *out;

	(void)state;
	e.d.h.type = SIGREC_T_DELIVER;
	e.d.h.size = sizeof(e.d);
	e.d.task.pid = e.d.task.tid = 4242;
	memcpy(e.d.task.comm, "victim", 7);
	e.d.sig = 12;
	e.d.action = SIGREC_A_HANDLER;
	e.d.disp = SIGREC_DISP_HANDLER;
	e.d.sa_flags = 0x10000000;
	e.d.count = 3;
	out = render_ev(OUT_JSON, &e, 1);
	assert_non_null(strstr(out, "{\"type\":\"deliver\",\"time\":\"2023-11-14T22:13:20.000000000Z\""));
	assert_non_null(strstr(out, ",\"sig\":12,\"signal\":\"SIGUSR2\",\"code\":\"SI_USER\",\"si_code\":0,"
				    "\"action\":\"handler\",\"disposition\":\"handler\",\"sa_flags\":268435456,"
				    "\"group_exit\":false,\"task\":{\"pid\":4242,"));
	assert_non_null(strstr(out, ",\"count\":3,\"to\":\"2023-11-14T22:13:20.500000000Z\""));
	assert_null(strstr(out, "\"target\""));
	free(out);
	out = render_ev(OUT_LOGFMT, &e, 1);
	assert_non_null(strstr(out, " type=deliver signal=12 signal_name=SIGUSR2 code=SI_USER action=handler "
				    "disposition=handler task.pid=4242 "));
	free(out);
	out = render_ev(OUT_TEXT, &e, 1);
	assert_non_null(strstr(out, "  SIGUSR2   => victim[4242]  deliver  handler  x3 until "));
	free(out);
	/* a group exit: the signal that started it, no siginfo */
	e.count = 0;
	e.d.dflags = SIGREC_DF_GROUP_EXIT;
	e.d.action = SIGREC_A_TERMINATE;
	e.d.disp = SIGREC_DISP_DEFAULT;
	e.d.sig = 15;
	out = render_ev(OUT_JSON, &e, 1);
	assert_non_null(strstr(out, "\"signal\":\"SIGTERM\",\"action\":\"terminate\",\"disposition\":\"default\""));
	assert_non_null(strstr(out, "\"group_exit\":true"));
	free(out);
	out = render_ev(OUT_TEXT, &e, 1);
	assert_non_null(strstr(out, "deliver  terminate (group exit)\n"));
	free(out);
}

/* A signal event of sig at 2023-11-14T22:13:20Z, the rest zero. */
static void signal_ev(struct ev *e, int sig)
{
	memset(e, 0, sizeof(*e));
	e->wall_ns = 1700000000000000000LL;
	e->s.h.type = SIGREC_T_SIGNAL;
	e->s.h.size = sizeof(e->s);
	e->s.sig = sig;
}

/* A signal's disposition and blocked state when known (sflags), absent when 0. */
static void test_disposition(void **state)
{
	struct ev e;
	char *out;

	(void)state;
	signal_ev(&e, 10);
	e.s.target.pid = e.s.target.tid = 7;
	out = render_ev(OUT_JSON, &e, 0);
	assert_null(strstr(out, "\"disposition\""));
	assert_null(strstr(out, "\"blocked\""));
	free(out);
	for (int d = SIGREC_DISP_DEFAULT; d <= SIGREC_DISP_HANDLER; d++) {
		static const char *const want[] = { "", "\"disposition\":\"default\",\"blocked\":true",
			"\"disposition\":\"ignored\",\"blocked\":true",
			"\"disposition\":\"handler\",\"blocked\":true" };

		e.s.sflags = d << SIGREC_SF_DISP_SHIFT | SIGREC_SF_BLOCKED;
		out = render_ev(OUT_JSON, &e, 0);
		assert_non_null(strstr(out, want[d]));
		free(out);
	}
	e.s.sflags = SIGREC_DISP_HANDLER << SIGREC_SF_DISP_SHIFT;
	out = render_ev(OUT_JSON, &e, 0);
	assert_non_null(strstr(out, "\"disposition\":\"handler\",\"blocked\":false"));
	free(out);
}

/* out_signal's rendering of e in fmt has (expect_ev) or has not (expect_no_ev) want. */
static void expect_ev(int fmt, const struct ev *e, const char *want)
{
	char *out = render_ev(fmt, e, 0);

	if (!strstr(out, want))
		fail_msg("no \"%s\" in: %s", want, out);
	free(out);
}

static void expect_no_ev(int fmt, const struct ev *e, const char *want)
{
	char *out = render_ev(fmt, e, 0);

	assert_null(strstr(out, want));
	free(out);
}

/* A timer's signal: the timer object, logfmt's timer.* keys, the timeline's "timer: ..." */
static void test_timer(void **state)
{
	struct ev e;

	(void)state;
	signal_ev(&e, 34);
	e.s.code = -2;		/* SI_TIMER */
	e.s.cause = SIGREC_C_TIMER;
	e.s.ctx = SIGREC_CTX_IRQ;
	e.s.claimed_pid = 3;	/* si_tid */
	e.s.claimed_uid = 1;	/* si_overrun */
	e.s.sflags = SIGREC_SF_CLAIMED | SIGREC_TK_POSIX << SIGREC_SF_TIMER_SHIFT;
	e.s.arg0 = 1;
	e.s.arg1 = SIGREC_TIMER_CLOCK;
	e.s.target.pid = 7601;
	e.s.target.tid = 7603;
	memcpy(e.s.target.comm, "worker", 7);
	expect_ev(OUT_JSON, &e, ",\"timer\":{\"kind\":\"posix\",\"how\":\"timer_create(CLOCK_MONOTONIC)\","
				"\"id\":3,\"overrun\":1,\"clock\":\"CLOCK_MONOTONIC\",\"clock_id\":1,"
				    "\"owner\":{\"pid\":7601,\"comm\":\"worker\"}}");
	expect_ev(OUT_LOGFMT, &e, " timer.kind=posix timer.how=timer_create(CLOCK_MONOTONIC) timer.id=3 "
				    "timer.overrun=1 timer.clock=CLOCK_MONOTONIC timer.owner.pid=7601 "
				    "timer.owner.comm=worker");
	expect_ev(OUT_TEXT, &e, "  delivered  timer: timer_create(CLOCK_MONOTONIC) id 3 armed by worker[7601]\n");
	/* ITIMER_REAL: no id, no clock */
	e.s.sig = 14;
	e.s.code = 0x80;
	e.s.sflags = SIGREC_SF_PRIV | SIGREC_TK_ITIMER_REAL << SIGREC_SF_TIMER_SHIFT;
	e.s.arg0 = e.s.arg1 = 0;
	expect_ev(OUT_JSON, &e, ",\"timer\":{\"kind\":\"itimer_real\",\"how\":\"setitimer(ITIMER_REAL) or "
				    "alarm()\",\"owner\":{\"pid\":7601,");
	expect_ev(OUT_TEXT, &e, "  timer: setitimer(ITIMER_REAL) or alarm() armed by worker[7601]\n");
	/* no kind: as before, no timer object */
	e.s.sflags = SIGREC_SF_PRIV;
	e.s.cause = SIGREC_C_IRQ;
	expect_no_ev(OUT_JSON, &e, "\"timer\"");
	expect_ev(OUT_TEXT, &e, "  delivered  interrupt SI_KERNEL\n");
}

/* A shared time (SIGREC_SIG_TS_SHARED): said in every format, and only when set. */
static void test_time_shared(void **state)
{
	struct ev e;

	(void)state;
	signal_ev(&e, 10);
	e.s.target.pid = e.s.target.tid = 7;
	expect_no_ev(OUT_JSON, &e, "time_shared");
	expect_no_ev(OUT_LOGFMT, &e, "time_shared");
	expect_no_ev(OUT_TEXT, &e, "time shared");
	e.s.h.flags = SIGREC_SIG_TS_SHARED;
	expect_ev(OUT_JSON, &e, ",\"time_shared\":true");
	expect_ev(OUT_LOGFMT, &e, " time_shared=true\n");
	expect_ev(OUT_TEXT, &e, "  (time shared)\n");
	/* the same time as the record it shares it with */
	expect_ev(OUT_JSON, &e, "\"time\":\"2023-11-14T22:13:20.000000000Z\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_logfmt),
		cmocka_unit_test(test_every_short_input),
		cmocka_unit_test(test_pstore_name_escaped),
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_disposition),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_time_shared),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
