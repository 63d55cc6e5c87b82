// SPDX-License-Identifier: MIT
/*
 * test_ring.c - the ring file: round trip, wrap-around, restart after a
 * kill, version rejection, and hostile bytes (truncation and a byte flip
 * at every offset of a small ring never crash and never yield a wrong event).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "ring.h"
#include "sigrec.h"

#define MAXREC 400000

static char dir[] = "/tmp/sigrec-unit.XXXXXX";
static struct sigrec_signal *orig;	/* record i has ts == ts_of(i) */
static const struct ring_boot boot = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
				       1700000000000000000LL };

static uint64_t ts_of(uint32_t i)
{
	return 1000000ULL + i * 997ULL + (i % 13);
}

static void make_sig(struct sigrec_signal *s, uint32_t i)
{
	memset(s, 0, sizeof(*s));
	s->h.type = SIGREC_T_SIGNAL;
	s->h.size = sizeof(*s);
	s->h.cpu = i % 2;
	s->h.ts = ts_of(i);
	s->sig = 1 + i % 64;
	s->code = (i % 3) - 1;
	s->result = i % 5;
	s->cause = 1 + i % 4;
	s->syscall = i % 7;
	s->arg0 = (int64_t)(i % 11) - 5;
	s->sender.pid = 100 + i % 3;
	s->sender.tid = s->sender.pid;
	s->sender.start_ns = 5000000000ULL + s->sender.pid;
	snprintf(s->sender.comm, sizeof(s->sender.comm), "snd%u", i % 3);
	s->target.pid = 200 + (i / 50) % 9;
	s->target.tid = s->target.pid + i % 2;
	snprintf(s->target.comm, sizeof(s->target.comm), "tgt%u", (i / 50) % 9);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static struct ring *writer(const char *path, uint64_t size, uint32_t chunk)
{
	struct ring_opts o = { .size = size, .chunk_size = chunk, .mode = 0600 };
	struct sigrec_err err = { "" };
	struct ring *r = ring__open_writer(path, &o, &boot, &err);

	if (!r)
		fail_msg("open_writer %s: %s", path, err.msg);
	return r;
}

static void append_range(struct ring *r, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		assert_int_equal(ring__append(r, &orig[i], sizeof(orig[i])), 0);
}

struct collect {
	uint32_t n, bad, first, last;
	int contiguous;
};

/* Every record must be exactly the one appended with its timestamp. */
static int check_rec(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_signal *s = rec;
	struct collect *col = ctx;
	uint32_t i;

	if (len != sizeof(*s) || s->h.ts < ts_of(0)) {
		col->bad++;
		return 0;
	}
	i = (uint32_t)((s->h.ts - 1000000ULL) / 997ULL);
	if (i >= MAXREC || memcmp(s, &orig[i], sizeof(*s)) ||
	    memcmp(&c->boot, &boot, sizeof(boot))) {
		col->bad++;
		return 0;
	}
	if (col->n && i != col->last + 1)
		col->contiguous = 0;
	if (!col->n)
		col->first = i;
	col->last = i;
	col->n++;
	return 0;
}

static void read_all(struct ring_reader *rr, struct collect *col)
{
	const struct ring_chunk *ch;
	unsigned int bad;
	size_t n;

	memset(col, 0, sizeof(*col));
	col->contiguous = 1;
	if (ring_reader__chunks(rr, &ch, &n, &bad))
		return;
	for (size_t i = 0; i < n; i++)
		ring_reader__decode(rr, &ch[i], check_rec, col);
}

static void read_path(const char *path, struct collect *col)
{
	struct sigrec_err err = { "" };
	struct ring_reader *rr = ring_reader__open(path, &err);

	if (!rr)
		fail_msg("reader %s: %s", path, err.msg);
	read_all(rr, col);
	ring_reader__close(rr);
}

/*
 * A live ring: the active chunk the reader listed is sealed before the
 * reader decodes it.  Its records are read from the slot it was sealed
 * into, none lost, none twice.
 */
static void test_sealed_between_scan_and_decode(void **state)
{
	char path[256];
	struct sigrec_err err = { "" };
	const struct ring_chunk *ch;
	struct collect col = { .contiguous = 1 };
	struct ring_reader *rr;
	struct ring *r;
	unsigned int bad;
	size_t n;

	(void)state;
	path_of(path, sizeof(path), "live.ring");
	r = writer(path, 4 << 20, 0);
	append_range(r, 0, 3000);
	assert_int_equal(ring__seal(r), 0);
	append_range(r, 3000, 3100);	/* active when the reader scans */
	assert_int_equal(ring__sync(r, 0), 0);
	rr = ring_reader__open(path, &err);
	assert_non_null(rr);
	assert_int_equal(ring_reader__chunks(rr, &ch, &n, &bad), 0);
	assert_int_equal(ch[n - 1].state, RING_CHUNK_ACTIVE);
	append_range(r, 3100, 3150);
	assert_int_equal(ring__seal(r), 0);	/* ... and sealed before it decodes */
	for (size_t i = 0; i < n; i++)
		ring_reader__decode(rr, &ch[i], check_rec, &col);
	assert_int_equal(col.bad, 0);
	assert_int_equal(col.n, 3150);
	assert_true(col.contiguous);
	ring_reader__close(rr);
	ring__close(r);
}

static void test_crc32c_vector(void **state)
{
	(void)state;
	assert_int_equal(sigrec_crc32c(0, "123456789", 9), 0xE3069283U);
	/* streaming gives the same result as one call */
	assert_int_equal(sigrec_crc32c(sigrec_crc32c(0, "1234", 4), "56789", 5), 0xE3069283U);
}

static void test_roundtrip(void **state)
{
	char path[256];
	struct collect col;
	struct ring *r;

	(void)state;
	path_of(path, sizeof(path), "rt.ring");
	r = writer(path, 4 << 20, 0);
	append_range(r, 0, 20000);
	assert_int_equal(ring__seal(r), 0);
	append_range(r, 20000, 20100);	/* left in the active chunk */
	ring__close(r);
	read_path(path, &col);
	assert_int_equal(col.bad, 0);
	assert_int_equal(col.n, 20100);
	assert_int_equal(col.first, 0);
	assert_true(col.contiguous);
}

static void test_wraparound_keeps_newest(void **state)
{
	char path[256];
	struct collect col;
	struct ring *r;

	(void)state;
	path_of(path, sizeof(path), "wrap.ring");
	r = writer(path, 64 << 10, 4096);	/* 14 slots of 4 KiB */
	append_range(r, 0, 50000);
	ring__close(r);
	read_path(path, &col);
	assert_int_equal(col.bad, 0);
	assert_true(col.n > 100);
	assert_true(col.first > 0);
	assert_int_equal(col.last, 49999);
	assert_true(col.contiguous);
}

/* A writer killed without closing: the next writer seals and continues. */
static void test_restart_after_kill(void **state)
{
	char path[256];
	struct collect col;
	struct ring *r;
	pid_t pid;
	int st;

	(void)state;
	path_of(path, sizeof(path), "kill.ring");
	pid = fork();
	if (pid == 0) {
		r = writer(path, 1 << 20, 0);
		append_range(r, 0, 3000);
		_exit(0);	/* no seal, no close: like SIGKILL */
	}
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	r = writer(path, 1 << 20, 0);
	append_range(r, 3000, 4000);
	ring__close(r);
	read_path(path, &col);
	assert_int_equal(col.bad, 0);
	assert_int_equal(col.n, 4000);
	assert_true(col.contiguous);
}

static void test_second_writer_refused(void **state)
{
	struct ring_opts o = { .size = 1 << 20 };
	struct sigrec_err err = { "" };
	char path[256];
	struct ring *a, *b;
	pid_t pid;
	int st;

	(void)state;
	path_of(path, sizeof(path), "lock.ring");
	a = writer(path, 1 << 20, 0);
	pid = fork();	/* locks are per process */
	if (pid == 0) {
		b = ring__open_writer(path, &o, &boot, &err);
		_exit(!b && errno == EBUSY && strstr(err.msg, "in use") ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ring__close(a);
}

static void test_not_a_ring_refused(void **state)
{
	struct ring_opts o = { .size = 1 << 20 };
	struct sigrec_err err = { "" };
	char path[256], buf[64];
	struct stat st;
	FILE *f;

	(void)state;
	path_of(path, sizeof(path), "notes.txt");
	f = fopen(path, "w");
	fputs("precious notes\n", f);
	fclose(f);
	assert_null(ring__open_writer(path, &o, &boot, &err));
	assert_non_null(strstr(err.msg, "not a sigrec ring"));
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious notes\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 15);
}

static void test_size_mismatch_refused(void **state)
{
	struct ring_opts o = { .size = 2 << 20, .size_given = 1 };
	struct sigrec_err err = { "" };
	char path[256];

	(void)state;
	path_of(path, sizeof(path), "size.ring");
	ring__close(writer(path, 1 << 20, 0));
	assert_null(ring__open_writer(path, &o, &boot, &err));
	assert_non_null(strstr(err.msg, "--size"));
}

static void test_newer_major_rejected(void **state)
{
	struct ring_opts o = { .size = 1 << 20 };
	struct sigrec_err err = { "" };
	char path[256];
	uint8_t two[4] = { 2, 0, 0, 0 };	/* major 2, minor 0 */
	FILE *f;

	(void)state;
	path_of(path, sizeof(path), "v2.ring");
	ring__close(writer(path, 1 << 20, 0));
	f = fopen(path, "r+");
	fseek(f, 8, SEEK_SET);
	fwrite(two, 1, 4, f);
	fclose(f);
	assert_null(ring_reader__open(path, &err));
	assert_int_equal(errno, ENOTSUP);
	assert_non_null(strstr(err.msg, "version 2.0"));
	assert_null(ring__open_writer(path, &o, &boot, &err));
	assert_non_null(strstr(err.msg, "refusing to overwrite"));
}

/* A small ring, wrapped, with an active chunk: bytes to attack. */
static uint8_t *small_ring(size_t *len)
{
	char path[256];
	struct ring *r;
	uint8_t *buf;
	FILE *f;

	path_of(path, sizeof(path), "small.ring");
	r = writer(path, 4096 * 6, 4096);	/* header, active, 4 slots */
	append_range(r, 0, 700);
	/* close without sealing the active chunk */
	ring__close(r);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc(*len);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void attack(const uint8_t *img, size_t len, struct collect *col)
{
	struct sigrec_err err;
	struct ring_reader *rr = ring_reader__open_mem(img, len, &err);

	memset(col, 0, sizeof(*col));
	if (!rr)
		return;
	read_all(rr, col);
	ring_reader__close(rr);
}

static void test_truncation_every_offset(void **state)
{
	size_t len;
	uint8_t *img = small_ring(&len);
	struct collect col;
	uint32_t full;

	(void)state;
	attack(img, len, &col);
	assert_int_equal(col.bad, 0);
	assert_true(col.n > 100);
	full = col.n;
	for (size_t cut = 0; cut < len; cut++) {
		attack(img, cut, &col);
		if (col.bad)
			fail_msg("truncated at %zu: %u wrong records", cut, col.bad);
		assert_true(col.n <= full);
	}
	free(img);
}

static void test_byte_flip_every_offset(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t len;
	uint8_t *img = small_ring(&len), *copy = malloc(len);
	struct collect col;

	(void)state;
	for (size_t m = 0; m < sizeof(masks); m++) {
		for (size_t off = 0; off < len; off++) {
			memcpy(copy, img, len);
			copy[off] ^= masks[m];
			attack(copy, len, &col);
			if (col.bad)
				fail_msg("flip 0x%02x at %zu: %u wrong records", masks[m], off,
					 col.bad);
		}
	}
	free(copy);
	free(img);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	orig = calloc(MAXREC, sizeof(*orig));
	for (uint32_t i = 0; i < MAXREC; i++)
		make_sig(&orig[i], i);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(orig);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vector),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wraparound_keeps_newest),
		cmocka_unit_test(test_restart_after_kill),
		cmocka_unit_test(test_second_writer_refused),
		cmocka_unit_test(test_not_a_ring_refused),
		cmocka_unit_test(test_size_mismatch_refused),
		cmocka_unit_test(test_newer_major_rejected),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_byte_flip_every_offset),
		cmocka_unit_test(test_sealed_between_scan_and_decode),
	};

	return cmocka_run_group_tests_name("ring", tests, setup, teardown);
}
