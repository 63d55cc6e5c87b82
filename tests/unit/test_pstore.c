// SPDX-License-Identifier: MIT
/*
 * test_pstore.c - the pstore line format (lib/pstore.c): what the writer
 * formats, the parser reads back; every truncation and byte flip of a line
 * is read as that line or refused, never misread as another signal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "names.h"
#include "pstore.h"

static const uint8_t boot[16] = { 0x80, 0xa8, 0xaf, 0x2c };

static void signal_rec(struct sigrec_signal *s)
{
	memset(s, 0, sizeof(*s));
	s->h.type = SIGREC_T_SIGNAL;
	s->sig = 15;
	s->result = SIGREC_R_DELIVERED;
	s->cause = SIGREC_C_SYSCALL;
	s->syscall = SIGREC_SC_KILL;
	s->ctx = SIGREC_CTX_TASK;
	s->sender.pid = 1234;
	s->target.pid = 5678;
	snprintf(s->sender.comm, sizeof(s->sender.comm), "ba sh(x)");
	snprintf(s->target.comm, sizeof(s->target.comm), "nginx");
}

struct got {
	int n;
	struct pstore_event e;
};

static int keep(const struct pstore_event *e, void *ctx)
{
	struct got *g = ctx;

	g->e = *e;
	g->n++;
	return 0;
}

static void test_roundtrip(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX];
	struct got g = { 0 };
	size_t n;

	(void)state;
	signal_rec(&s);
	n = pstore__format(line, sizeof(line), &s, 1763771234123456789LL, boot, 0);
	assert_string_equal(line, "sigrec: ba\\x20sh\\x28x\\x29(1234) --SIGTERM--> nginx(5678) [kill] ok "
			    "t=1763771234.123456789 b=80a8af2c");
	assert_int_equal(pstore__parse(line, n, "pmsg-ramoops-0", keep, &g), 1);
	assert_int_equal(g.e.s.sig, 15);
	assert_int_equal(g.e.s.syscall, SIGREC_SC_KILL);
	assert_int_equal(g.e.s.result, SIGREC_R_DELIVERED);
	assert_int_equal(g.e.s.sender.pid, 1234);
	assert_string_equal(g.e.s.sender.comm, "ba sh(x)");
	assert_int_equal(g.e.s.target.pid, 5678);
	assert_int_equal(g.e.wall_ns, 1763771234123456789LL);
	assert_memory_equal(g.e.boot8, boot, 4);
}

/* Every result, cause and failure the writer can say, the parser reads. */
static void test_every_word(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX];

	(void)state;
	for (int r = SIGREC_R_DELIVERED; r <= SIGREC_R_PROBE; r++) {
		for (int c = SIGREC_C_UNKNOWN; c <= SIGREC_C_USER; c++) {
			struct got g = { 0 };
			size_t n;

			signal_rec(&s);
			s.result = r;
			s.ret = r == SIGREC_R_FAILED ? -3 : 0;
			s.cause = c;
			s.syscall = c == SIGREC_C_SYSCALL ? SIGREC_SC_TGKILL : SIGREC_SC_NONE;
			n = pstore__format(line, sizeof(line), &s, 5, boot, 0);
			assert_int_equal(pstore__parse(line, n, "x", keep, &g), 1);
			assert_int_equal(g.e.s.result, r);
			if (r == SIGREC_R_FAILED)
				assert_int_equal(g.e.s.ret, -3);
			if (c == SIGREC_C_SYSCALL)
				assert_int_equal(g.e.s.syscall, SIGREC_SC_TGKILL);
			else
				assert_int_equal(g.e.s.cause, c == SIGREC_C_OOM ? SIGREC_C_KERNEL : c);
		}
	}
}

/* A cut line is refused; a flipped byte gives that line or nothing. */
static void test_cut_and_flipped(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX], bad[PSTORE_LINE_MAX];
	size_t n;

	(void)state;
	signal_rec(&s);
	n = pstore__format(line, sizeof(line), &s, 1763771234123456789LL, boot, 0);
	for (size_t cut = 0; cut + 1 < n; cut++) {
		struct got g = { 0 };

		/* a cut inside the last token may still parse, as a shorter time */
		pstore__parse(line, cut, "x", keep, &g);
		if (g.n) {
			assert_int_equal(g.e.s.sig, 15);
			assert_int_equal(g.e.s.target.pid, 5678);
		}
		assert_true(cut > n - 12 || g.n == 0);
	}
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct got g = { 0 };

			memcpy(bad, line, n);
			bad[i] ^= 1 << bit;
			assert_true(pstore__parse(bad, n, "x", keep, &g) <= 1);
			if (g.n)	/* what was read is one signal, never out of range */
				assert_true(g.e.s.sig >= 1 && g.e.s.sig <= 64);
		}
	}
}

static void test_suppressed_and_noise(void **state)
{
	const char text[] = "[   12.3] random kernel line\n"
			    "sigrec: suppressed 7 lines (rate limit) t=1763771234\n"
			    "sigrec: not a line at all\n"
			    "sigrec: suppressed 0 lines (rate limit) t=1\n";
	struct got g = { 0 };

	(void)state;
	assert_int_equal(pstore__parse(text, sizeof(text) - 1, "dmesg-ramoops-0", keep, &g), 1);
	assert_int_equal(g.e.suppressed, 7);
	assert_int_equal(g.e.wall_ns, 1763771234LL * 1000000000LL);
	assert_string_equal(g.e.source, "dmesg-ramoops-0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_word),
		cmocka_unit_test(test_cut_and_flipped),
		cmocka_unit_test(test_suppressed_and_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
