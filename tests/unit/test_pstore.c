// SPDX-License-Identifier: MIT
/*
 * test_pstore.c - the pstore line format (lib/pstore.c): what the writer
 * formats, the parser reads back; every truncation and byte flip of a line
 * is read as that line or refused, never misread as another signal.  The
 * same for the lines in ftrace's text output (an instance's "trace" file),
 * and the reading of a whole instance directory, in pieces.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

typedef int (*parse_fn)(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx);

/*
 * Every cut of text (the line of test_signal's record, after a prefix of
 * plen bytes) is refused, or read as that line where the cut is inside
 * the last token (a shorter time); every byte flip gives one signal in
 * range or nothing, and a flip in the prefix never moves the target.
 */
static void cut_and_flip(const char *text, size_t n, size_t plen, parse_fn parse)
{
	char bad[PSTORE_LINE_MAX + 256];

	assert_true(n <= sizeof(bad));
	for (size_t cut = 0; cut + 1 < n; cut++) {
		struct got g = { 0 };

		parse(text, cut, "x", keep, &g);
		assert_true(g.n == 0 || (cut > n - 12 && g.e.s.sig == 15 && g.e.s.target.pid == 5678));
	}
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct got g = { 0 };

			memcpy(bad, text, n);
			bad[i] ^= 1 << bit;
			assert_true(parse(bad, n, "x", keep, &g) <= 1);
			if (g.n)	/* what was read is one signal, never out of range */
				assert_true(g.e.s.sig >= 1 && g.e.s.sig <= 64);
			if (g.n && i < plen)
				assert_int_equal(g.e.s.target.pid, 5678);
		}
	}
}

/* A cut line is refused; a flipped byte gives that line or nothing. */
static void test_cut_and_flipped(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX];
	size_t n;

	(void)state;
	signal_rec(&s);
	n = pstore__format(line, sizeof(line), &s, 1763771234123456789LL, boot, 0);
	cut_and_flip(line, n, 0, pstore__parse);
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


/* ---- ftrace's text output: a persistent instance's "trace" ---- */

/* prefixes ftrace prints before a trace_marker write, with every option */
static const char *const trace_prefixes[] = {
	"           <...>-146     [000] .....     4.812736: tracing_mark_write: ",
	"            bash-1234    [001]   12.000001: tracing_mark_write: ",
	"  my app [1]-1-150     (    150) [003] d..1.   99.5: tracing_mark_write+0x4a/0x1b0: ",
	"          sigrec-99      [000] .....    13.000001: 0xffffffff81234567: ",
	"          <idle>-0       [000] ..s1. 123456789: tracing_mark_write: ",
	"  x-9 (-------) [012] .N... 1.000000: tracing_mark_write: ",
};

static size_t trace_line(char *buf, size_t len, const char *prefix, const char *line)
{
	return snprintf(buf, len, "%s%s", prefix, line);
}

static void test_trace_roundtrip(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX], t[PSTORE_LINE_MAX + 256];

	(void)state;
	signal_rec(&s);
	pstore__format(line, sizeof(line), &s, 1763771234123456789LL, boot, 0);
	for (size_t i = 0; i < sizeof(trace_prefixes) / sizeof(trace_prefixes[0]); i++) {
		struct got g = { 0 };
		size_t n = trace_line(t, sizeof(t), trace_prefixes[i], line);

		assert_int_equal(pstore__parse_trace(t, n, "boot_map/trace", keep, &g), 1);
		assert_int_equal(g.e.s.sig, 15);
		assert_int_equal(g.e.s.sender.pid, 1234);
		assert_string_equal(g.e.s.sender.comm, "ba sh(x)");
		assert_int_equal(g.e.s.target.pid, 5678);
		assert_int_equal(g.e.wall_ns, 1763771234123456789LL);
		assert_string_equal(g.e.source, "boot_map/trace");
	}
}

/* Only trace_marker writes count: a sigrec line in any other event's text
 * (or a comment, or the raw pstore form) is not one. */
static void test_trace_refused(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX], t[4096];
	static const char *const others[] = {
		"# tracer: nop sigrec: ",
		"           bash-1     [000] .....    14.0: sched_switch: ",
		"           bash-1     [000] .....    14.0: my_func: ",
		"           bash-1     [000] .....    14.0 tracing_mark_write: ",
		"           bash-1     [000] .....    x14.0: tracing_mark_write: ",
		"           bash-1     [x00] .....    14.0: tracing_mark_write: ",
		"           bash-x     [000] .....    14.0: tracing_mark_write: ",
		"           bash-1     [000] .....    14.0: tracing_mark_write:  ",
		"           bash-1     [000] .....    14.0: 0xfffg: ",
		"<12>[    5.235350] ",
		"",
	};
	size_t n = 0;

	(void)state;
	signal_rec(&s);
	pstore__format(line, sizeof(line), &s, 5, boot, 0);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		n += snprintf(t + n, sizeof(t) - n, "%s%s\n", others[i], line);
	/* a line longer than any trace_marker line of ours */
	memset(t + n, 'a', 600);
	n += 600;
	n += snprintf(t + n, sizeof(t) - n, "%s%s\nCPU:0 [LOST 12 EVENTS]\n", trace_prefixes[0], line);
	{
		struct got g = { 0 };

		assert_int_equal(pstore__parse_trace(t, n, "x", keep, &g), 0);
	}
}

/* Every cut and byte flip of a trace line: that line, or nothing. */
static void test_trace_cut_and_flipped(void **state)
{
	struct sigrec_signal s;
	char line[PSTORE_LINE_MAX], t[PSTORE_LINE_MAX + 256];
	size_t n;

	(void)state;
	signal_rec(&s);
	pstore__format(line, sizeof(line), &s, 1763771234123456789LL, boot, 0);
	for (size_t i = 0; i < sizeof(trace_prefixes) / sizeof(trace_prefixes[0]); i++) {
		n = trace_line(t, sizeof(t), trace_prefixes[i], line);
		cut_and_flip(t, n, strlen(trace_prefixes[i]), pstore__parse_trace);
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		assert_true(w > 0);
		p += w;
		n -= w;
	}
}

/*
 * A whole instance directory, as sigdump --pstore=DIR reads it: a "trace"
 * larger than the reader's piece (so lines straddle pieces) with a line
 * longer than a piece in the middle; each marker line once.
 */
static void test_trace_instance_dir(void **state)
{
	char dir[] = "/tmp/sigrec-test-pstore.XXXXXX", path[256];
	struct sigrec_err err = { "" };
	char line[PSTORE_LINE_MAX], t[PSTORE_LINE_MAX + 256], *junk;
	struct sigrec_signal s;
	struct got g = { 0 };
	size_t junk_len = 5u << 20;
	int fd, want = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trace_marker", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	junk = malloc(junk_len);
	assert_non_null(junk);
	memset(junk, 'j', junk_len);
	signal_rec(&s);
	for (int i = 0; i < 30000; i++) {
		size_t n;

		s.target.pid = 1000 + i;
		pstore__format(line, sizeof(line), &s, 1763771234000000000LL + i, boot, 0);
		n = trace_line(t, sizeof(t), trace_prefixes[i % 6], line);
		t[n++] = '\n';
		write_all(fd, t, n);
		want++;
		if (i == 15000) {	/* longer than the reader's 4 MiB piece */
			write_all(fd, junk, junk_len);
			write_all(fd, "\n", 1);
		}
		if (i % 7 == 0)	/* other events between */
			write_all(fd, "  sh-1 [000] ..... 1.0: sched_switch: x\n", 40);
	}
	close(fd);
	free(junk);
	assert_int_equal(pstore__read_dir(dir, keep, &g, &err), 1);
	assert_int_equal(g.n, want);
	assert_int_equal(g.e.s.target.pid, 1000 + 29999);
	assert_string_equal(g.e.source + strlen(g.e.source) - 6, "/trace");
	unlink(path);
	snprintf(path, sizeof(path), "%s/trace_marker", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_word),
		cmocka_unit_test(test_cut_and_flipped),
		cmocka_unit_test(test_suppressed_and_noise),
		cmocka_unit_test(test_trace_roundtrip),
		cmocka_unit_test(test_trace_refused),
		cmocka_unit_test(test_trace_cut_and_flipped),
		cmocka_unit_test(test_trace_instance_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
