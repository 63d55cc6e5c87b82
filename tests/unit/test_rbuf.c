// SPDX-License-Identifier: MIT
/* test_rbuf.c - the BPF ring buffer reader on a ring laid out in memory as
 * the kernel lays it out: samples of one record and stages of several,
 * split by their sizes; truncated and byte-flipped stages; the takeover's
 * skip past the last record written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "rbuf.h"
#include "sigrec.h"

#define RING	4096
#define MAXGOT	512

struct got {
	int n;
	size_t total;
	const uint8_t *at[MAXGOT];
	size_t len[MAXGOT];
};

static int collect(void *ctx, void *rec, size_t len)
{
	struct got *g = ctx;

	if (g->n < MAXGOT) {
		g->at[g->n] = rec;
		g->len[g->n] = len;
	}
	g->n++;
	g->total += len;
	return 0;
}

static int split_collect(void *ctx, void *rec, size_t len)
{
	return rbuf_split(rec, len, collect, ctx);
}

/* a record of size bytes: header (type, size, ts = id), then id in every byte */
static void make_rec(uint8_t *p, uint16_t size, uint8_t id)
{
	struct sigrec_rec_hdr h = { .type = SIGREC_T_SIGNAL, .size = size, .ts = id };

	memset(p, id, size);
	memcpy(p, &h, sizeof(h));
}

static void test_split_stage(void **state)
{
	uint8_t buf[3 * 160];
	struct got g = { 0 };

	(void)state;
	for (int i = 0; i < 3; i++)
		make_rec(buf + i * 160, 160, i + 1);
	assert_int_equal(rbuf_split(buf, sizeof(buf), collect, &g), 3);
	for (int i = 0; i < 3; i++) {
		assert_ptr_equal(g.at[i], buf + i * 160);
		assert_int_equal(g.len[i], 160);
	}
	/* one record: as it is */
	memset(&g, 0, sizeof(g));
	assert_int_equal(rbuf_split(buf, 160, collect, &g), 1);
	assert_int_equal(g.len[0], 160);
}

static void test_split_truncated(void **state)
{
	uint8_t buf[2 * 160];
	struct got g = { 0 };

	(void)state;
	make_rec(buf, 160, 1);
	make_rec(buf + 160, 160, 2);
	/* the second record cut short: what is left goes as it came */
	for (size_t len = 0; len <= sizeof(buf); len++) {
		memset(&g, 0, sizeof(g));
		rbuf_split(buf, len, collect, &g);
		assert_int_equal(g.total, len);
		if (len > 160) {
			assert_int_equal(g.n, 2);
			assert_int_equal(g.len[0], 160);
			assert_int_equal(g.len[1], len - 160);
		} else {
			assert_int_equal(g.n, len ? 1 : 0);
		}
	}
	/* sizes that cannot be a record's: the whole sample as one */
	static const uint16_t bad[] = { 0, 8, 15, 164, 321, 0xffff };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(buf + 2, &bad[i], 2);
		memset(&g, 0, sizeof(g));
		assert_int_equal(rbuf_split(buf, sizeof(buf), collect, &g), 1);
		assert_int_equal(g.len[0], sizeof(buf));
	}
}

static void test_split_flips(void **state)
{
	uint8_t buf[4 * 168], orig[sizeof(buf)];
	struct got g;

	(void)state;
	for (int i = 0; i < 4; i++)
		make_rec(orig + i * 168, 168, i + 1);
	for (size_t i = 0; i < sizeof(buf); i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, orig, sizeof(buf));
			buf[i] ^= 1u << bit;
			memset(&g, 0, sizeof(g));
			rbuf_split(buf, sizeof(buf), collect, &g);
			/* every byte handed over once, in order, in pieces that
			 * stay inside the sample; the records before the
			 * flipped one intact */
			assert_int_equal(g.total, sizeof(buf));
			assert_true(g.n >= (int)(i / 168) + 1);
			for (size_t k = 0; k < i / 168; k++)
				assert_int_equal(g.len[k], 168);
			for (int k = 0, off = 0; k < g.n; off += g.len[k], k++) {
				assert_ptr_equal(g.at[k], buf + off);
				assert_true(g.len[k] > 0);
			}
		}
}

/* A ring in memory: the consumer and producer positions, the data area. */
struct fake {
	unsigned long cons, prod;
	uint8_t data[RING];
	struct rbuf rb;
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->rb.size = RING;
	f->rb.consumer_pos = &f->cons;
	f->rb.producer_pos = &f->prod;
	f->rb.data = f->data;
	f->rb.epfd = -1;
}

/* a committed sample of n records of size bytes, ids from id */
static void put(struct fake *f, int n, uint16_t size, uint8_t id)
{
	uint32_t len = n * size;

	memcpy(f->data + f->prod, &len, sizeof(len));
	for (int i = 0; i < n; i++)
		make_rec(f->data + f->prod + BPF_RINGBUF_HDR_SZ + i * size, size, id + i);
	f->prod += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
}

static void test_consume_stages(void **state)
{
	struct fake f;
	struct got g = { 0 };

	(void)state;
	fake_init(&f);
	put(&f, 1, 160, 1);
	put(&f, 8, 160, 2);
	put(&f, 1, 176, 10);
	assert_int_equal(rbuf_consume(&f.rb, split_collect, &g), 3);
	assert_int_equal(g.n, 10);
	for (int i = 0; i < 9; i++)
		assert_int_equal(((const struct sigrec_rec_hdr *)g.at[i])->ts, i + 1);
	assert_int_equal(g.len[9], 176);
	assert_int_equal(f.cons, f.prod);
}

static void test_skip_through(void **state)
{
	struct fake f;
	struct got g = { 0 };
	uint8_t last[160];

	(void)state;
	/* the last record written is the 2nd of a stage of 3: the 3rd is not lost */
	fake_init(&f);
	put(&f, 1, 160, 1);
	put(&f, 3, 160, 2);
	put(&f, 1, 160, 5);
	make_rec(last, 160, 3);
	rbuf_skip_through(&f.rb, last, sizeof(last), split_collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(((const struct sigrec_rec_hdr *)g.at[0])->ts, 4);
	memset(&g, 0, sizeof(g));
	rbuf_consume(&f.rb, split_collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(((const struct sigrec_rec_hdr *)g.at[0])->ts, 5);

	/* the last of a stage: nothing more of it */
	fake_init(&f);
	put(&f, 3, 160, 2);
	put(&f, 1, 160, 5);
	make_rec(last, 160, 4);
	memset(&g, 0, sizeof(g));
	rbuf_skip_through(&f.rb, last, sizeof(last), split_collect, &g);
	assert_int_equal(g.n, 0);
	rbuf_consume(&f.rb, split_collect, &g);
	assert_int_equal(g.n, 1);

	/* not there: nothing skipped */
	fake_init(&f);
	put(&f, 3, 160, 2);
	make_rec(last, 160, 9);
	rbuf_skip_through(&f.rb, last, sizeof(last), split_collect, &g);
	assert_int_equal(f.cons, 0);
	/* a prefix of a longer record is not the record */
	make_rec(last, 160, 2);
	fake_init(&f);
	put(&f, 1, 176, 2);
	rbuf_skip_through(&f.rb, last, sizeof(last), split_collect, &g);
	assert_int_equal(f.cons, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_stage),
		cmocka_unit_test(test_split_truncated),
		cmocka_unit_test(test_split_flips),
		cmocka_unit_test(test_consume_stages),
		cmocka_unit_test(test_skip_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
