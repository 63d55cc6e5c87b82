// SPDX-License-Identifier: MIT
/*
 * test_codec.c - the record codec: random records round-trip exactly,
 * records of the same type share state, and undecodable input (random,
 * truncated or flipped streams) is rejected without reading out of bounds;
 * reading only records' headers accepts and rejects exactly what reading
 * them whole does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "codec.h"
#include "sigrec.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random record: type 1..63, 2..255 words, with runs of equal words. */
static size_t random_rec(uint8_t *rec)
{
	size_t words = 2 + xorshift() % 40;

	for (size_t w = 0; w < words; w++) {
		uint64_t v = xorshift() % 4 ? 0 : xorshift();

		memcpy(rec + 8 * w, &v, 8);
	}
	rec[0] = 1 + xorshift() % 3;
	rec[1] = 0;
	rec[2] = (words * 8) & 0xff;
	rec[3] = (words * 8) >> 8;
	return words * 8;
}

/*
 * A stream of random records of types 2..4 (not signals), then a byte of
 * it flipped, cut or left alone: decoded whole and for headers only, each
 * record is taken or refused alike, with the same first words and length
 * consumed.
 */
static void test_head_only_agrees(void **state)
{
	static struct ring_codec enc, whole, head;
	static uint8_t stream[1 << 20], scratch[RING_MAX_RECORD];
	size_t len = 0;

	(void)state;
	ring_codec__reset(&enc);
	for (int i = 0; i < 2000; i++) {
		uint8_t rec[RING_MAX_RECORD];
		size_t n = random_rec(rec);
		int e;

		rec[0] = 2 + i % 3;
		for (size_t w = 2; w < n / 8; w += 1 + xorshift() % 3)	/* long deltas too */
			memset(rec + 8 * w, (int)xorshift(), 8);
		e = ring_codec__encode(&enc, rec, n, stream + len);
		assert_true(e > 0);
		len += e;
	}
	for (int trial = 0; trial < 3000; trial++) {
		static uint8_t s[1 << 20];
		size_t slen = len;
		struct codec_cursor a, b;

		memcpy(s, stream, len);
		if (trial % 3 == 1)
			s[xorshift() % len] ^= 1 << (xorshift() % 8);
		else if (trial % 3 == 2)
			slen = xorshift() % len;
		a = b = (struct codec_cursor){ s, s + slen };
		ring_codec__reset(&whole);
		ring_codec__reset(&head);
		for (;;) {
			const uint8_t *r1, *r2;
			size_t l1, l2;
			int e1 = codec_decode_ref(&whole, &a, &a, scratch, &r1, &l1, 0);
			uint8_t h1[RING_MAX_RECORD];

			if (!e1)
				memcpy(h1, r1, l1);
			int e2 = codec_decode_ref(&head, &b, &b, scratch, &r2, &l2, 1);

			assert_int_equal(e1, e2);
			if (e1)
				break;
			assert_ptr_equal(a.p, b.p);
			assert_int_equal(l2, l1 < 8 * HEAD_WORDS ? l1 : 8 * HEAD_WORDS);
			assert_memory_equal(h1, r2, l2);
			if (a.p == a.end)
				break;
		}
		if (trial == 0)
			assert_ptr_equal(a.p, s + slen);	/* the whole stream, untouched */
	}
}

static void test_roundtrip_random(void **state)
{
	static struct ring_codec enc, dec;
	static uint8_t stream[1 << 22];
	static uint8_t recs[5000][RING_MAX_RECORD];
	size_t lens[5000], pos = 0;

	(void)state;
	ring_codec__reset(&enc);
	ring_codec__reset(&dec);
	for (int i = 0; i < 5000; i++) {
		int n;

		lens[i] = random_rec(recs[i]);
		n = ring_codec__encode(&enc, recs[i], lens[i], stream + pos);
		assert_true(n > 0);
		pos += n;
	}
	struct codec_cursor cur = { stream, stream + pos };
	for (int i = 0; i < 5000; i++) {
		uint8_t out[RING_MAX_RECORD];
		size_t len;

		assert_int_equal(codec_decode_one(&dec, &cur, &cur, out, &len), 0);
		assert_int_equal(len, lens[i]);
		assert_memory_equal(out, recs[i], len);
	}
	assert_ptr_equal(cur.p, cur.end);
}

static void test_identical_records_are_small(void **state)
{
	static struct ring_codec enc;
	struct sigrec_signal s = { .h = { .type = SIGREC_T_SIGNAL, .size = sizeof(s) } };
	uint8_t out[RING_MAX_RECORD + 64];
	int n = 0;

	(void)state;
	ring_codec__reset(&enc);
	s.sig = 10;
	s.target.pid = 1234;
	for (int i = 0; i < 100; i++) {
		s.h.ts = 1000000 + i * 1000;
		n = ring_codec__encode(&enc, &s, sizeof(s), out);
	}
	/* type, words, one time byte, a mask of 19 words: 6 bytes */
	assert_int_equal(n, 6);
}

/*
 * Signal records of both sizes interleave in one chunk: a repeat record
 * (176 bytes) between plain ones (160) decodes exactly, and so do the
 * plain ones after it (the per-type state spans both sizes).
 */
static void test_repeat_records_interleave(void **state)
{
	static struct ring_codec enc, dec;
	struct sigrec_repeat r[6];
	uint8_t stream[6 * (RING_MAX_RECORD + 64)];
	size_t pos = 0;

	(void)state;
	memset(r, 0, sizeof(r));
	ring_codec__reset(&enc);
	ring_codec__reset(&dec);
	for (int i = 0; i < 6; i++) {
		int rep = i % 2;

		r[i].s.h.type = SIGREC_T_SIGNAL;
		r[i].s.h.flags = rep ? SIGREC_SIG_REPEAT : 0;
		r[i].s.h.size = rep ? sizeof(r[i]) : sizeof(r[i].s);
		r[i].s.h.ts = 5000000 + i * 777;
		r[i].s.sig = 10;
		r[i].s.sender.pid = 100 + i / 2;
		if (rep) {
			r[i].count = 1000 + i;
			r[i].to_ts = r[i].s.h.ts + 4000000;
		}
		pos += ring_codec__encode(&enc, &r[i], r[i].s.h.size, stream + pos);
	}
	struct codec_cursor cur = { stream, stream + pos };
	for (int i = 0; i < 6; i++) {
		uint8_t out[RING_MAX_RECORD];
		size_t len;

		assert_int_equal(codec_decode_one(&dec, &cur, &cur, out, &len), 0);
		assert_int_equal(len, r[i].s.h.size);
		assert_memory_equal(out, &r[i], len);
	}
	assert_ptr_equal(cur.p, cur.end);
}

/* A repeat record must be one the recorder writes: 2..2^32 signals, ending after it starts. */
static void test_bad_repeats_rejected(void **state)
{
	static const struct { uint64_t count, to; uint16_t size; int ok; } cases[] = {
		{ 2, 5001, sizeof(struct sigrec_repeat), 1 },
		{ RING_REPEAT_MAX, UINT64_MAX, sizeof(struct sigrec_repeat), 1 },
		{ 1, 5001, sizeof(struct sigrec_repeat), 0 },
		{ 0, 5001, sizeof(struct sigrec_repeat), 0 },
		{ RING_REPEAT_MAX + 1, 5001, sizeof(struct sigrec_repeat), 0 },
		{ UINT64_MAX, UINT64_MAX, sizeof(struct sigrec_repeat), 0 },
		{ 5, 4999, sizeof(struct sigrec_repeat), 0 },
		{ 5, 5001, sizeof(struct sigrec_signal), 0 },	/* flagged, too short */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct ring_codec enc, dec;
		struct sigrec_repeat r;
		uint8_t stream[RING_MAX_ENCODED], out[RING_MAX_RECORD];
		struct codec_cursor cur = { stream, stream };
		size_t len;
		int n;

		memset(&r, 0, sizeof(r));
		r.s.h.type = SIGREC_T_SIGNAL;
		r.s.h.flags = SIGREC_SIG_REPEAT;
		r.s.h.size = cases[i].size;
		r.s.h.ts = 5000;
		r.count = cases[i].count;
		r.to_ts = cases[i].to;
		ring_codec__reset(&enc);
		ring_codec__reset(&dec);
		n = ring_codec__encode(&enc, &r, cases[i].size, stream);
		assert_true(n > 0);
		cur.end = stream + n;
		assert_int_equal(codec_decode_one(&dec, &cur, &cur, out, &len) == 0, cases[i].ok);
	}
}

static void test_bad_shapes_rejected(void **state)
{
	static struct ring_codec enc;
	uint8_t rec[24] = { 0 }, out[RING_MAX_RECORD + 64];

	(void)state;
	ring_codec__reset(&enc);
	rec[0] = 1;
	rec[2] = 16;	/* size says 16, length is 24 */
	assert_true(ring_codec__encode(&enc, rec, 24, out) < 0);
	rec[2] = 24;
	rec[0] = 0;	/* type 0 is reserved */
	assert_true(ring_codec__encode(&enc, rec, 24, out) < 0);
	rec[0] = 1;
	assert_true(ring_codec__encode(&enc, rec, 20, out) < 0);
	assert_true(ring_codec__encode(&enc, rec, 24, out) > 0);
}

/* The largest record with no word like the last: the encoder's stated bound holds. */
static void test_worst_case_fits(void **state)
{
	static struct ring_codec enc;
	uint8_t rec[RING_MAX_RECORD], *out = malloc(RING_MAX_ENCODED);
	int n;

	(void)state;
	ring_codec__reset(&enc);
	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = xorshift() | 0x80;
	rec[0] = 1;
	rec[1] = 0;
	rec[2] = RING_MAX_RECORD & 0xff;
	rec[3] = RING_MAX_RECORD >> 8;
	n = ring_codec__encode(&enc, rec, sizeof(rec), out);
	assert_true(n > 2000);
	assert_true(n <= RING_MAX_ENCODED);
	free(out);
}

/* Random bytes never make the decoder read past its input. */
static void test_garbage_never_overreads(void **state)
{
	static struct ring_codec dec;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = xorshift() % 64;
		uint8_t *buf = malloc(len ? len : 1), out[RING_MAX_RECORD];
		size_t olen;

		for (size_t i = 0; i < len; i++)
			buf[i] = xorshift();
		ring_codec__reset(&dec);
		struct codec_cursor cur = { buf, buf + len };
		while (cur.p < cur.end && !codec_decode_one(&dec, &cur, &cur, out, &olen))
			assert_true(cur.p <= cur.end);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_identical_records_are_small),
		cmocka_unit_test(test_repeat_records_interleave),
		cmocka_unit_test(test_bad_shapes_rejected),
		cmocka_unit_test(test_bad_repeats_rejected),
		cmocka_unit_test(test_worst_case_fits),
		cmocka_unit_test(test_garbage_never_overreads),
		cmocka_unit_test(test_head_only_agrees),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
