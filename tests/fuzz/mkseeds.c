// SPDX-License-Identifier: MIT
/*
 * mkseeds.c - writes the fuzzers' seed corpus: small real rings made with
 * the ring writer (lib/ring.c), and raw record streams made with the
 * codec, so fuzzing starts from inputs that reach every decoder.
 *
 *   mkseeds DIR     writes DIR/ring/NAME.ring (and one NAME.sdump, a packed
 *                   export) and DIR/codec/NAME.bin
 *
 * Every ring is 24 KiB (header, active slot, 4 sealed slots of 4 KiB) and
 * holds records of every type in bpf/sigrec.h, with plausible contents
 * (signal storms, exec argv, /proc snapshots) so the codec's delta and
 * LZ4 paths all run.  Output is deterministic: same build, same bytes,
 * except the ring header's creation time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "codec.h"
#include "ring.h"
#include "sigrec.h"
#include "stacks.h"

#define RING_SIZE	(4096 * 6)
#define CHUNK_SIZE	4096
#define NTYPES		(SIGREC_T_MAX - 1)

static const struct ring_boot boot1 = {
	{ 0x80, 0xa8, 0xaf, 0x2c, 0xc6, 0x6d, 0x4c, 0x10, 0xbb, 0x91, 0x49, 0x14, 0xaf, 0x1d, 0x19, 0x55 },
	1763772000000000000LL,
};
static const struct ring_boot boot2 = {
	{ 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 },
	1763775600000000000LL,
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t now_ts = 5000000000ULL;	/* boottime ns of the next record */

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "mkseeds: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* ---- records of every type, a little different each time ---- */

static void hdr(struct sigrec_rec_hdr *h, int type, size_t size)
{
	h->type = type;
	h->size = size;
	h->cpu = rnd(4);
	now_ts += 1000 + rnd(50000);
	h->ts = now_ts;
}

static void task(struct sigrec_task *t, uint32_t pid)
{
	static const char *const comms[] = { "bash", "sleep", "nginx", "postgres", "kworker/0:1" };

	t->pid = pid;
	t->tid = pid + (rnd(4) == 0);
	t->start_ns = 1000000000ULL * pid;
	t->uid = rnd(3) ? 0 : 1000;
	t->ns_pid = pid;
	t->cgroup_id = 4000 + pid % 7;
	snprintf(t->comm, sizeof(t->comm), "%s", comms[pid % 5]);
}

static size_t argv_of(char *buf, size_t len, uint32_t pid)
{
	int n = snprintf(buf, len, "/usr/bin/worker%c--id=%u%c--verbose", 0, pid, 0);

	return n < 0 ? 0 : (size_t)n + 1;
}

/* Fill buf with one record of type t; returns its length. */
static size_t make_rec(void *buf, int t)
{
	uint32_t pid = 100 + rnd(40);

	memset(buf, 0, RING_MAX_RECORD);
	switch (t) {
	case SIGREC_T_SIGNAL: {
		struct sigrec_signal *s = buf;

		hdr(&s->h, t, sizeof(*s));
		s->sig = rnd(4) ? 10 : 1 + rnd(64);
		s->code = rnd(3) ? 0 : -6;
		s->result = rnd(6);
		s->group = rnd(2);
		s->cause = 1 + rnd(7);
		s->syscall = rnd(SIGREC_SC_MAX);
		s->sflags = SIGREC_SF_SENDER | (rnd(2) ? SIGREC_SF_CLAIMED : 0);
		s->ret = s->result == SIGREC_R_FAILED ? -3 : 0;
		s->arg0 = pid + 1;
		task(&s->sender, pid);
		task(&s->target, pid + 1);
		s->claimed_pid = pid;
		return sizeof(*s);
	}
	case SIGREC_T_LOST: {
		struct sigrec_lost *l = buf;

		hdr(&l->h, t, sizeof(*l));
		l->count = 1 + rnd(1000);
		l->from_ts = now_ts - 100000;
		l->to_ts = now_ts;
		l->lcpu = rnd(4);
		l->h.flags = rnd(4) ? 0 : SIGREC_LOST_GAP;
		return sizeof(*l);
	}
	case SIGREC_T_SYSRET: {
		struct sigrec_sysret *r = buf;

		hdr(&r->h, t, sizeof(*r));
		r->tid = pid;
		r->syscall = SIGREC_SC_KILL;
		r->ret = -11;
		r->count = 1 + rnd(3);
		return sizeof(*r);
	}
	case SIGREC_T_FORK: {
		struct sigrec_fork *f = buf;

		hdr(&f->h, t, sizeof(*f));
		task(&f->parent, pid);
		f->child_pid = pid + 1;
		f->child_tid = pid + 1;
		f->child_start_ns = now_ts;
		f->thread = rnd(5) == 0;
		f->child_ns_pid = pid + 1;
		return sizeof(*f);
	}
	case SIGREC_T_EXEC: {
		struct sigrec_exec *e = buf;

		hdr(&e->h, t, sizeof(*e));
		task(&e->task, pid);
		snprintf(e->filename, sizeof(e->filename), "/usr/bin/worker");
		e->argv_len = argv_of(e->argv, sizeof(e->argv), pid);
		e->truncated = rnd(10) == 0;
		return sizeof(*e);
	}
	case SIGREC_T_EXIT: {
		struct sigrec_exit *x = buf;

		hdr(&x->h, t, sizeof(*x));
		task(&x->task, pid);
		x->exit_code = rnd(2) ? 9 : 1 << 8;
		x->group_dead = 1;
		return sizeof(*x);
	}
	case SIGREC_T_COMM: {
		struct sigrec_comm *c = buf;

		hdr(&c->h, t, sizeof(*c));
		task(&c->task, pid);
		snprintf(c->newcomm, sizeof(c->newcomm), "renamed%u", pid % 10);
		return sizeof(*c);
	}
	case SIGREC_T_OOM: {
		struct sigrec_oom *o = buf;

		hdr(&o->h, t, sizeof(*o));
		task(&o->trigger, pid);
		o->victim_pid = pid + 2;
		o->victim_uid = 1000;
		o->memcg_id = 77;
		return sizeof(*o);
	}
	case SIGREC_T_PROC: {
		struct sigrec_proc *p = buf;

		hdr(&p->h, t, sizeof(*p));
		task(&p->task, pid);
		p->ppid = 1;
		p->pstart_ns = 1000000000ULL;
		snprintf(p->exe, sizeof(p->exe), "/usr/bin/worker");
		snprintf(p->cgroup, sizeof(p->cgroup), "/system.slice/worker-%u.service", pid % 3);
		p->argv_len = argv_of(p->argv, sizeof(p->argv), pid);
		return sizeof(*p);
	}
	case SIGREC_T_START: {
		struct sigrec_start *s = buf;

		hdr(&s->h, t, sizeof(*s));
		s->sig_mask[0] = ~0ULL;
		s->sig_mask[1] = 0;
		s->hooks = SIGREC_HOOKS_TRACEPOINT;
		s->version = 1 << 16;
		return sizeof(*s);
	}
	case SIGREC_T_HOST: {
		struct sigrec_host *h = buf;

		hdr(&h->h, t, sizeof(*h));
		snprintf(h->hostname, sizeof(h->hostname), rnd(2) ? "redacted" : "db-7.example.net");
		h->flags = h->hostname[0] == 'r' ? SIGREC_HOST_REDACTED : 0;
		snprintf(h->release, sizeof(h->release), "6.1.0-27-amd64");
		snprintf(h->machine, sizeof(h->machine), "x86_64");
		h->version = 1 << 16;
		h->exported_ns = 1763772000000000000LL;
		h->since_ns = INT64_MIN;
		h->until_ns = INT64_MAX;
		snprintf(h->filters, sizeof(h->filters), "--last 1h");
		return sizeof(*h);
	}
	case SIGREC_T_DELIVER: {
		struct sigrec_deliver *d = buf;

		hdr(&d->h, t, sizeof(*d));
		task(&d->task, pid + 1);
		d->sig = rnd(2) ? 15 : 10;
		d->action = rnd(2) ? SIGREC_A_HANDLER : SIGREC_A_TERMINATE;
		d->disp = d->action == SIGREC_A_HANDLER ? SIGREC_DISP_HANDLER : SIGREC_DISP_DEFAULT;
		d->dflags = rnd(8) ? 0 : SIGREC_DF_GROUP_EXIT;
		d->count = 1 + (rnd(4) ? 0 : rnd(1000));
		d->to_ts = now_ts;
		return sizeof(*d);
	}
	case SIGREC_T_STACK: {
		struct sigrec_stack *st = buf;

		hdr(&st->h, t, 0);
		st->kind = SIGREC_STACK_USER;
		st->nframes = 1 + rnd(4);
		for (uint32_t i = 0; i < st->nframes; i++) {
			st->frames[i].status = rnd(4) ? SIGREC_FRAME_VALID : SIGREC_FRAME_IP;
			memset(st->frames[i].build_id, 0x40 + (int)i, sizeof(st->frames[i].build_id));
			st->frames[i].offset = 0x1000 + 0x10 * i;
		}
		st->id = stack_id(st);
		st->h.size = stack_size(st);
		return st->h.size;
	}
	}
	/* a type added to bpf/sigrec.h: give it a case here so seeds hold it */
	fprintf(stderr, "mkseeds: no seed record for type %d\n", t);
	exit(1);
}

/* ---- rings ---- */

static struct ring *open_ring(const char *dir, const char *name, const struct ring_boot *b)
{
	struct ring_opts o = { .size = RING_SIZE, .chunk_size = CHUNK_SIZE, .mode = 0644, .gid = -1 };
	struct sigrec_err err = { "" };
	char path[4096];
	struct ring *r;

	snprintf(path, sizeof(path), "%s/ring/%s", dir, name);
	unlink(path);
	r = ring__open_writer(path, &o, b, &err);
	if (!r) {
		fprintf(stderr, "mkseeds: %s\n", err.msg);
		exit(1);
	}
	return r;
}

/* Replace DIR/ring/NAME with its packed form DIR/ring/PACKED. */
static void pack(const char *dir, const char *name, const char *packed)
{
	struct sigrec_err err = { "" };
	char src[4096], dst[4096];

	snprintf(src, sizeof(src), "%s/ring/%s", dir, name);
	snprintf(dst, sizeof(dst), "%s/ring/%s", dir, packed);
	unlink(dst);
	if (ring__pack(src, dst, &err)) {
		fprintf(stderr, "mkseeds: %s\n", err.msg);
		exit(1);
	}
	unlink(src);
}

/* n records of every type, round robin */
static void append_types(struct ring *r, int n)
{
	uint64_t buf[RING_MAX_RECORD / 8];

	for (int i = 0; i < n; i++) {
		for (int t = 1; t <= NTYPES; t++) {
			size_t len = make_rec(buf, t);

			if (ring__append(r, buf, len))
				die("append to", "ring");
		}
	}
}

/* n signals from one sender to one target: what LZ4 sees in a storm */
static void append_storm(struct ring *r, int n)
{
	uint64_t buf[RING_MAX_RECORD / 8];	/* make_rec fills a whole record buffer */
	struct sigrec_signal *s = (struct sigrec_signal *)buf;

	for (int i = 0; i < n; i++) {
		make_rec(buf, SIGREC_T_SIGNAL);
		s->sig = 10;
		s->sender.pid = s->sender.tid = 4242;
		s->target.pid = s->target.tid = 4243;
		if (ring__append(r, s, sizeof(*s)))
			die("append to", "ring");
	}
}

static uint64_t rnd64(void)
{
	return (uint64_t)rnd(1U << 31) << 33 ^ (uint64_t)rnd(1U << 31) << 2 ^ rnd(4);
}

/*
 * n records of types sigrec does not know yet (a reader must skip them by
 * their length), random lengths and words: incompressible, so the sealed
 * chunks are stored raw (codec 0) instead of LZ4.
 */
static void append_noise(struct ring *r, int n)
{
	uint64_t buf[RING_MAX_RECORD / 8];
	struct sigrec_rec_hdr *h = (struct sigrec_rec_hdr *)buf;

	for (int i = 0; i < n; i++) {
		size_t words = 2 + rnd(40);

		for (size_t w = 0; w < words; w++)
			buf[w] = rnd64();
		hdr(h, SIGREC_T_MAX + rnd(RING_MAX_TYPES - SIGREC_T_MAX), words * 8);
		h->flags = rnd(256);
		if (ring__append(r, buf, words * 8))
			die("append to", "ring");
	}
}

static void make_rings(const char *dir)
{
	struct ring *r;

	/* only an active chunk: the state a SIGKILLed recorder leaves */
	r = open_ring(dir, "active.ring", &boot1);
	append_types(r, 2);
	append_storm(r, 5);
	ring__close(r);

	/* sealed chunks, nothing active, not wrapped; packed into an LZ4
	 * frame the way sigdump --export writes a dump */
	r = open_ring(dir, "sealed.ring", &boot1);
	append_types(r, 8);
	append_storm(r, 40);
	ring__seal(r);
	ring__close(r);
	pack(dir, "sealed.ring", "sealed.sdump");

	/* a few hundred of every type: wraps many times; then a second boot
	 * session; the 4 slots keep both, the last chunk is left active */
	r = open_ring(dir, "wrapped.ring", &boot1);
	append_types(r, 300);
	append_storm(r, 500);
	ring__set_boot(r, &boot2);
	append_types(r, 12);
	ring__close(r);

	/* unknown types, random words: chunks stored raw (codec 0), not LZ4 */
	r = open_ring(dir, "raw.ring", &boot1);
	append_noise(r, 40);
	ring__seal(r);
	append_types(r, 1);
	ring__close(r);
}

/* ---- raw codec streams (input format of fuzz_codec) ---- */

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/codec/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		die("cannot write", path);
}

/*
 * Byte 0 of a fuzz_codec input picks the split at byte0 * n / 255 of the
 * n bytes that follow; find a byte0 and a padded length that put it exactly
 * at the end of the structure stream (largest byte0 first: least padding).
 */
static size_t place_split(uint8_t *out, size_t alen, size_t blen)
{
	for (unsigned int k = 255; k > 0; k--) {
		size_t n = (alen * 255 + k - 1) / k;

		if (n >= alen + blen && k * n / 255 == alen) {
			out[0] = k;
			return n;
		}
	}
	return 0;
}

/*
 * STREAM_ROUNDS records of every type, about 3 KiB: small inputs keep the
 * codec fuzzer fast, and mutations then land on record structure.
 */
#define STREAM_ROUNDS	8

static void make_streams(const char *dir)
{
	static uint8_t inter[16 << 10], a[16 << 10], b[4 << 10], split[32 << 10];
	struct ring_codec *c = calloc(1, sizeof(*c));
	uint64_t rec[RING_MAX_RECORD / 8];
	uint8_t enc[RING_MAX_RECORD + 64];
	size_t in = 1, an = 0, bn = 0, n;

	if (!c)
		die("out of memory", "");
	inter[0] = 0x80;	/* split point: unused by the interleaved form */
	for (int i = 0; i < STREAM_ROUNDS; i++) {
		for (int t = 1; t <= NTYPES; t++) {
			struct codec_cursor cur;
			const uint8_t *ts;
			size_t len = make_rec(rec, t), tslen;
			int e = ring_codec__encode(c, rec, len, enc);

			if (e < 0 || in + e > sizeof(inter) || an + e > sizeof(a) ||
			    bn + e > sizeof(b))
				die("stream buffers too small for", "the seed streams");
			memcpy(inter + in, enc, e);
			in += e;
			/* the sealed form: times apart from the structure */
			cur = (struct codec_cursor){ enc, enc + e };
			codec_split_one(&cur, &ts, &tslen);
			memcpy(a + an, enc, ts - enc);
			memcpy(a + an + (ts - enc), ts + tslen, e - (ts - enc) - tslen);
			an += e - tslen;
			memcpy(b + bn, ts, tslen);
			bn += tslen;
		}
	}
	write_file(dir, "interleaved.bin", inter, in);
	n = place_split(split, an, bn);
	if (!n || n + 1 > sizeof(split))
		die("cannot place the split in", "split.bin");
	memcpy(split + 1, a, an);
	memcpy(split + 1 + an, b, bn);
	memset(split + 1 + an + bn, 0, n - an - bn);	/* padding after the times */
	write_file(dir, "split.bin", split, n + 1);
	free(c);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/ring", argv[1]);
	if (mkdir(argv[1], 0755) && errno != EEXIST)
		die("cannot create", argv[1]);
	if (mkdir(path, 0755) && errno != EEXIST)
		die("cannot create", path);
	snprintf(path, sizeof(path), "%s/codec", argv[1]);
	if (mkdir(path, 0755) && errno != EEXIST)
		die("cannot create", path);
	make_rings(argv[1]);
	make_streams(argv[1]);
	return 0;
}
