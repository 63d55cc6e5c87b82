// SPDX-License-Identifier: MIT
/*
 * test_craft.c - crafted recordings for the reader's end-to-end tests:
 * rings a recorder never writes, made with the writer API so every
 * checksum is right and sigdump reads them like any other ring.
 *
 *   test_craft ring PATH                 one kill with fork, exec and exit
 *   test_craft names PATH COMM CMDLINE   the same, the sender named so
 *   test_craft secrets PATH SECRET       SECRET (up to 12 bytes) after every string
 *   test_craft scan FILE SECRET          exit 1 if a decoded record holds SECRET
 *   test_craft pidstorm PATH N           N signals of one pid, N start times in one tick
 *   test_craft execstorm PATH N same|vary  N exec records of one process, a signal
 *                                        before and after them
 *   test_craft hostile PATH              extreme times, clock offsets, repeat counts
 *   test_craft sparse PATH               a 1 TiB sparse ring: data at both ends only
 *
 * Without arguments it is a unit test of itself: each recording reads
 * back as described.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "ring.h"
#include "sigrec.h"

#define BASE_TS		(3600ULL * 1000000000ULL)	/* an hour after boot */
#define TICK		10000000ULL
#define SPARSE_SIZE	(1ULL << 40)

static struct ring_boot boot = { { 0xc4, 0xaf, 0x7e, 0x01, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd },
				 1750000000000000000LL - (int64_t)BASE_TS };

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "test_craft: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static struct ring *open_ring(const char *path, uint64_t size, uint32_t chunk)
{
	struct ring_opts o = { .size = size, .chunk_size = chunk, .mode = 0644 };
	struct sigrec_err err = { "" };
	struct ring *r;

	unlink(path);
	r = ring__open_writer(path, &o, &boot, &err);
	if (!r)
		die("%s", err.msg);
	return r;
}

static void put(struct ring *r, const void *rec)
{
	const struct sigrec_rec_hdr *h = rec;

	if (ring__append(r, rec, h->size))
		die("cannot append a record of type %u, %u bytes", h->type, h->size);
}

static void task(struct sigrec_task *t, uint32_t pid, uint64_t start, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	t->start_ns = start;
	t->uid = 1000;
	t->ns_pid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

static void hdr(void *rec, int type, size_t size, uint64_t ts)
{
	struct sigrec_rec_hdr *h = rec;

	memset(rec, 0, size);
	h->type = type;
	h->size = size;
	h->ts = ts;
}

static void sig(struct sigrec_signal *s, uint64_t ts, const struct sigrec_task *from,
		const struct sigrec_task *to, int signo)
{
	hdr(s, SIGREC_T_SIGNAL, sizeof(*s), ts);
	s->sig = signo;
	s->cause = SIGREC_C_SYSCALL;
	s->syscall = SIGREC_SC_KILL;
	s->sflags = SIGREC_SF_SENDER;
	s->arg0 = to->pid;
	s->sender = *from;
	s->target = *to;
}

static void exec_rec(struct sigrec_exec *e, uint64_t ts, const struct sigrec_task *t,
		     const char *file, const char *argv, size_t argv_len)
{
	hdr(e, SIGREC_T_EXEC, sizeof(*e), ts);
	e->task = *t;
	snprintf(e->filename, sizeof(e->filename), "%s", file);
	if (argv_len > sizeof(e->argv))
		argv_len = sizeof(e->argv);
	memcpy(e->argv, argv, argv_len);
	e->argv_len = argv_len;
}

static void exit_rec(struct sigrec_exit *x, uint64_t ts, const struct sigrec_task *t, int status)
{
	hdr(x, SIGREC_T_EXIT, sizeof(*x), ts);
	x->task = *t;
	x->exit_code = status;
	x->group_dead = 1;
}

/* A shell (100) forks 200, which execs "sleep 1000" and is killed by 100. */
static void story(struct ring *r, const char *comm, const char *cmdline)
{
	struct sigrec_task sh, child, slp;
	struct sigrec_fork f;
	struct sigrec_exec e;
	struct sigrec_signal s;
	struct sigrec_exit x;
	char argv[SIGREC_ARGV_LEN];
	size_t n = snprintf(argv, sizeof(argv), "%s", cmdline);

	task(&sh, 100, BASE_TS - 5 * TICK - 777, comm);
	task(&child, 200, BASE_TS + 1234, comm);
	task(&slp, 200, BASE_TS + 1234, "sleep");
	exec_rec(&e, BASE_TS - 1000, &sh, "/bin/sh", argv, n + 1);
	/* the arguments of a command line are separated by NULs */
	for (char *p = e.argv; p < e.argv + n; p++)
		if (*p == ' ')
			*p = 0;
	put(r, &e);
	hdr(&f, SIGREC_T_FORK, sizeof(f), BASE_TS + 1234);
	f.parent = sh;
	f.child_pid = f.child_tid = 200;
	f.child_start_ns = child.start_ns;
	f.child_ns_pid = 200;
	put(r, &f);
	exec_rec(&e, BASE_TS + 5000, &slp, "/usr/bin/sleep", "sleep\0" "1000", 11);
	put(r, &e);
	sig(&s, BASE_TS + 1000000, &sh, &slp, 15);
	put(r, &s);
	exit_rec(&x, BASE_TS + 1000500, &slp, 15);
	put(r, &x);
}

static void make_ring(const char *path, const char *comm, const char *cmdline)
{
	struct ring *r = open_ring(path, 1 << 20, 0);

	story(r, comm, cmdline);
	ring__close(r);
}

/* As much of secret as fits in cap bytes at dst (no NUL needed). */
static void plant(void *dst, size_t cap, const char *secret)
{
	size_t n = strlen(secret);

	memcpy(dst, secret, n < cap ? n : cap);
}

/* Fill a string field: str, its NUL, then secret over the rest of the field. */
static void tail(char *field, size_t cap, const char *str, const char *secret)
{
	size_t n = strlen(str);

	memset(field, 0, cap);
	memcpy(field, str, n < cap ? n : cap - 1);
	if (n + 1 < cap)
		plant(field + n + 1, cap - n - 1, secret);
}

static void make_secrets(const char *path, const char *secret)
{
	struct ring *r = open_ring(path, 1 << 20, 0);
	struct sigrec_task sh, tgt;
	union {
		struct sigrec_exec e;
		uint8_t raw[sizeof(struct sigrec_exec) + 64];
	} u;
	struct sigrec_proc p;
	struct sigrec_signal s;
	struct sigrec_comm c;
	struct sigrec_start st;
	struct sigrec_fork f;
	struct sigrec_exit x;

	task(&sh, 100, BASE_TS - 777, "sh");
	tail(sh.comm, sizeof(sh.comm), "sh", secret);
	task(&tgt, 200, BASE_TS + 1234, "v");
	tail(tgt.comm, sizeof(tgt.comm), "v", secret);

	hdr(&st, SIGREC_T_START, sizeof(st), BASE_TS - 2000);
	tail(st.filter_comm, sizeof(st.filter_comm), "", secret);
	put(r, &st);
	/* a snapshot of the shell: exe, cgroup and argv tails */
	hdr(&p, SIGREC_T_PROC, sizeof(p), BASE_TS - 1500);
	p.task = sh;
	tail(p.exe, sizeof(p.exe), "/bin/sh", secret);
	tail(p.cgroup, sizeof(p.cgroup), "/user.slice", secret);
	memcpy(p.argv, "sh\0-c\0", 6);
	p.argv_len = 6;
	plant(p.argv + 6, sizeof(p.argv) - 6, secret);
	put(r, &p);
	hdr(&f, SIGREC_T_FORK, sizeof(f), BASE_TS + 1234);
	f.parent = sh;
	f.child_pid = f.child_tid = 200;
	f.child_start_ns = tgt.start_ns;
	put(r, &f);
	/* an exec whose record is longer than this build knows: the secret
	 * also sits in the bytes past the struct */
	hdr(&u, SIGREC_T_EXEC, sizeof(u), BASE_TS + 5000);
	u.e.task = tgt;
	tail(u.e.filename, sizeof(u.e.filename), "/usr/bin/victim", secret);
	memcpy(u.e.argv, "victim\0--x\0", 11);
	u.e.argv_len = 11;
	plant(u.e.argv + 11, sizeof(u.e.argv) - 11, secret);
	plant(u.raw + sizeof(u.e), 64, secret);
	put(r, &u);
	hdr(&c, SIGREC_T_COMM, sizeof(c), BASE_TS + 6000);
	c.task = tgt;
	tail(c.newcomm, sizeof(c.newcomm), "v2", secret);
	put(r, &c);
	sig(&s, BASE_TS + 1000000, &sh, &tgt, 15);
	put(r, &s);
	exit_rec(&x, BASE_TS + 1000500, &tgt, 15);
	put(r, &x);
	ring__close(r);
}

struct scan {
	const char *secret;	/* NULL: count records only */
	size_t len;
	int verbose;		/* say which records hold it */
	uint64_t records, hits;
};

static int on_scan(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct scan *sc = ctx;

	(void)c;
	sc->records++;
	if (sc->secret && memmem(rec, len, sc->secret, sc->len)) {
		sc->hits++;
		if (sc->verbose)
			printf("record of type %u (%zu bytes) holds the secret\n",
			       ((const struct sigrec_rec_hdr *)rec)->type, len);
	}
	return 0;
}

/* Decode every record of FILE (a ring or a dump); count those holding secret. */
static int scan(const char *path, const char *secret, int verbose, struct scan *sc)
{
	struct sigrec_err err = { "" };
	struct ring_reader *rr = ring_reader__open_any(path, &err);
	const struct ring_chunk *ch;
	size_t n;

	memset(sc, 0, sizeof(*sc));
	sc->secret = secret;
	sc->len = secret ? strlen(secret) : 0;
	sc->verbose = verbose;
	if (!rr) {
		fprintf(stderr, "test_craft: %s: %s\n", path, err.msg);
		return -1;
	}
	if (ring_reader__chunks(rr, &ch, &n, NULL)) {
		ring_reader__close(rr);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ring_reader__decode(rr, &ch[i], on_scan, sc);
	ring_reader__close(rr);
	return 0;
}

static uint64_t count_arg(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end || !v || v > 100000000ULL)
		die("bad count '%s'", s);
	return v;
}

/* n signals between two processes of one pid pair, every one with its own
 * start time, all within one clock tick */
static void make_pidstorm(const char *path, uint64_t n)
{
	struct ring *r = open_ring(path, 64 << 20, 0);
	struct sigrec_task a, b;
	struct sigrec_signal s;

	for (uint64_t i = 0; i < n; i++) {
		task(&a, 4242, BASE_TS - TICK + 1 + i % (TICK - 1), "storm");
		task(&b, 4243, BASE_TS - TICK + 1 + (i * 7919) % (TICK - 1), "storm");
		sig(&s, BASE_TS + i * 1000, &a, &b, 10);
		put(r, &s);
	}
	ring__close(r);
}

/* n exec records of one process: all alike, or each with other arguments */
static void make_execstorm(const char *path, uint64_t n, int vary)
{
	struct ring *r = open_ring(path, 64 << 20, 0);
	struct sigrec_task t;
	struct sigrec_exec e;
	struct sigrec_signal s;
	char argv[64];

	task(&t, 4242, BASE_TS - 777, "loop");
	/* one signal before the execs and one after them */
	sig(&s, BASE_TS - 1, &t, &t, 10);
	put(r, &s);
	for (uint64_t i = 0; i < n; i++) {
		size_t len = snprintf(argv, sizeof(argv), "loop%c%llu", 0,
				      (unsigned long long)(vary ? i : 0)) + 1;

		exec_rec(&e, BASE_TS + i * 1000, &t, "/usr/bin/loop", argv, len);
		put(r, &e);
	}
	sig(&s, BASE_TS + n * 1000 + 1, &t, &t, 15);
	put(r, &s);
	ring__close(r);
}

/* Every time and count at its extreme, each in the chunk types that carry it. */
static void make_hostile(const char *path)
{
	struct ring *r = open_ring(path, 4 << 20, 64 << 10);
	static const int64_t offsets[] = { INT64_MAX, INT64_MIN, 0 };
	static const uint64_t times[] = { UINT64_MAX, UINT64_MAX - 1, (1ULL << 63) + 5, 1, 0 };
	struct sigrec_task a, b;
	struct sigrec_repeat rep;
	struct sigrec_lost l;
	struct sigrec_exit x;
	struct sigrec_proc p;

	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
		struct ring_boot bt = boot;

		bt.clock_offset = offsets[o];
		bt.boot_id[15] = o;
		if (ring__set_boot(r, &bt))
			die("cannot start boot %zu", o);
		for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
			uint64_t t = times[i];

			task(&a, 300 + i, t, "hostile");
			task(&b, 400 + i, t ? t - 1 : 0, "target");
			hdr(&p, SIGREC_T_PROC, sizeof(p), t);
			p.task = b;
			p.ppid = a.pid;
			p.pstart_ns = a.start_ns;
			p.argv_len = 7;
			memcpy(p.argv, "target", 7);
			put(r, &p);
			/* a valid repeat: as many signals as allowed, ending last */
			sig(&rep.s, t, &a, &b, 15);
			rep.s.h.size = sizeof(rep);
			rep.s.h.flags = SIGREC_SIG_REPEAT;
			rep.count = RING_REPEAT_MAX;
			rep.to_ts = UINT64_MAX;
			put(r, &rep);
			rep.s.h.ts = t;
			rep.s.result = SIGREC_R_FAILED;
			rep.s.ret = -1;
			put(r, &rep);
			hdr(&l, SIGREC_T_LOST, sizeof(l), t);
			l.count = UINT64_MAX;
			l.from_ts = t ? t - 1 : 0;
			l.to_ts = UINT64_MAX;
			put(r, &l);
			exit_rec(&x, t, &b, 9);
			put(r, &x);
		}
		ring__seal(r);
		/* a chunk of its own: a repeat that claims 2^64 - 1 signals is corrupt */
		sig(&rep.s, BASE_TS, &a, &b, 15);
		rep.s.h.size = sizeof(rep);
		rep.s.h.flags = SIGREC_SIG_REPEAT;
		rep.count = UINT64_MAX;
		rep.to_ts = BASE_TS + 1;
		put(r, &rep);
		ring__seal(r);
	}
	ring__close(r);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static void pwrite_or_die(int fd, const void *buf, size_t len, uint64_t off)
{
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		die("cannot write: %s", strerror(errno));
}

/*
 * A ring header for 1 TiB of 4 KiB slots over a sparse file: one sealed
 * chunk (seq 1, slot 1) near the start, a torn slot header at the very
 * end, and nothing but holes between them.
 */
static void make_sparse(const char *path)
{
	char small[4096];
	uint8_t hdr4k[RING_HDR_SIZE], slot[4096];
	uint64_t nslots = (SPARSE_SIZE - RING_HDR_SIZE) / 4096 - 1;
	struct ring *r;
	int fd;

	snprintf(small, sizeof(small), "%s.small", path);
	r = open_ring(small, RING_HDR_SIZE + 3 * 4096, 4096);
	story(r, "sh", "sh -c kill");
	if (ring__seal(r) || ring__seq(r) != 2)
		die("the small ring did not seal chunk 1");
	ring__close(r);
	fd = open(small, O_RDONLY);
	if (fd < 0 || pread(fd, hdr4k, sizeof(hdr4k), 0) != (ssize_t)sizeof(hdr4k) ||
	    pread(fd, slot, sizeof(slot), RING_HDR_SIZE + 2 * 4096) != (ssize_t)sizeof(slot))
		die("cannot read %s", small);
	close(fd);
	unlink(small);
	/* docs/FORMAT.md, file header: nslots at 20, file_size at 24, CRC at 60 */
	put32(hdr4k + 20, nslots);
	put64(hdr4k + 24, SPARSE_SIZE);
	put32(hdr4k + 60, sigrec_crc32c(0, hdr4k, 60));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	pwrite_or_die(fd, hdr4k, sizeof(hdr4k), 0);
	pwrite_or_die(fd, slot, sizeof(slot), RING_HDR_SIZE + 2 * 4096);
	pwrite_or_die(fd, "torn!", 5, RING_HDR_SIZE + nslots * 4096);
	if (ftruncate(fd, SPARSE_SIZE))
		die("cannot make %s 1 TiB long: %s", path, strerror(errno));
	close(fd);
}

/* ---- the unit test of the recordings themselves ---- */

static char dir[] = "/tmp/sigrec-craft.XXXXXX";

static const char *in_dir(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void test_secrets_are_found(void **state)
{
	struct scan sc;

	(void)state;
	make_secrets(in_dir("s.ring"), "S3CR3T-42");
	assert_int_equal(scan(in_dir("s.ring"), "S3CR3T-42", 0, &sc), 0);
	assert_int_equal(sc.records, 7);
	assert_int_equal(sc.hits, 7);	/* every record has a tail */
	assert_int_equal(scan(in_dir("s.ring"), "no such thing", 0, &sc), 0);
	assert_int_equal(sc.hits, 0);
}

static void test_storms_read_back(void **state)
{
	struct scan sc;

	(void)state;
	make_pidstorm(in_dir("p.ring"), 1000);
	assert_int_equal(scan(in_dir("p.ring"), NULL, 0, &sc), 0);
	assert_int_equal(sc.records, 1000);
	make_execstorm(in_dir("e.ring"), 1000, 1);
	assert_int_equal(scan(in_dir("e.ring"), "loop", 0, &sc), 0);
	assert_int_equal(sc.records, 1002);
	assert_int_equal(sc.hits, 1002);
}

/* the repeat that claims 2^64 - 1 signals is refused, its chunk reported */
static void test_hostile_reads(void **state)
{
	struct sigrec_err err = { "" };
	struct ring_reader *rr;
	const struct ring_chunk *ch;
	struct scan sc = { 0 };
	size_t n, bad = 0;

	(void)state;
	make_hostile(in_dir("h.ring"));
	rr = ring_reader__open(in_dir("h.ring"), &err);
	assert_non_null(rr);
	assert_int_equal(ring_reader__chunks(rr, &ch, &n, NULL), 0);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		bad += ring_reader__decode(rr, &ch[i], on_scan, &sc) == -EBADMSG;
	assert_int_equal(bad, 3);
	assert_int_equal(sc.records, 3 * 5 * 5);
	ring_reader__close(rr);
}

static void test_sparse_reads(void **state)
{
	struct sigrec_err err = { "" };
	struct ring_reader *rr;
	const struct ring_chunk *ch;
	unsigned int bad;
	size_t n;

	(void)state;
	make_sparse(in_dir("sparse.ring"));
	rr = ring_reader__open(in_dir("sparse.ring"), &err);
	assert_non_null(rr);
	assert_int_equal(ring_reader__chunks(rr, &ch, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].seq, 1);
	assert_int_equal(bad, 1);	/* the torn header at the end was read */
	ring_reader__close(rr);
	unlink(in_dir("sparse.ring"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static int self_test(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_are_found),
		cmocka_unit_test(test_storms_read_back),
		cmocka_unit_test(test_hostile_reads),
		cmocka_unit_test(test_sparse_reads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

int main(int argc, char **argv)
{
	struct scan sc;

	if (argc == 1)
		return self_test();
	if (argc == 3 && !strcmp(argv[1], "ring"))
		make_ring(argv[2], "sh", "sh -c kill");
	else if (argc == 5 && !strcmp(argv[1], "names"))
		make_ring(argv[2], argv[3], argv[4]);
	else if (argc == 4 && !strcmp(argv[1], "secrets"))
		make_secrets(argv[2], argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "scan")) {
		if (scan(argv[2], argv[3], 1, &sc))
			return 2;
		printf("%llu records, %llu hold the secret\n", (unsigned long long)sc.records,
		       (unsigned long long)sc.hits);
		return sc.hits ? 1 : 0;
	} else if (argc == 4 && !strcmp(argv[1], "pidstorm"))
		make_pidstorm(argv[2], count_arg(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "execstorm") &&
		 (!strcmp(argv[4], "same") || !strcmp(argv[4], "vary")))
		make_execstorm(argv[2], count_arg(argv[3]), !strcmp(argv[4], "vary"));
	else if (argc == 3 && !strcmp(argv[1], "hostile"))
		make_hostile(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "sparse"))
		make_sparse(argv[2]);
	else {
		fprintf(stderr, "usage: see the comment at the top of tests/unit/test_craft.c\n");
		return 2;
	}
	return 0;
}
