// SPDX-License-Identifier: MIT
/*
 * fuzz_codec.c - libFuzzer target for the record codec (lib/codec.c).
 *
 * Input: byte 0 picks a split point, the rest is a record stream.  The
 * stream is decoded twice with codec_decode_one() until it fails or runs
 * out: as the interleaved stream of an active chunk (one cursor for both
 * structure and times) and as a sealed chunk's two streams, structure
 * before the split point and times after it.
 *
 * Oracles, besides the sanitizers:
 *  - a decoded record has the shape the reader promises (type byte equals
 *    word 0's type, size field equals its length, 16..2040 bytes);
 *  - in the interleaved form, codec_split_one() (which the reader uses to
 *    find record boundaries before checking them) agrees with the decoder
 *    on where a decodable record ends and where its time varint is;
 *  - every decoded record, encoded again by a writer whose state mirrors
 *    the decoder's, decodes back to the same bytes, and the encoder stays
 *    within the output size ring.h documents.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "ring.h"
#include "sigrec.h"

/* what ring.h asks of ring_codec__encode's caller */
#define ENC_OUT_LEN	(RING_MAX_RECORD + 32)

struct state {
	struct ring_codec dec;		/* decodes the input */
	struct ring_codec enc, redec;	/* re-encode and decode again, in step */
	uint8_t rec[RING_MAX_RECORD];
	uint8_t rec2[RING_MAX_RECORD];
	uint8_t *enc_out;		/* exactly ENC_OUT_LEN bytes, so ASan sees overruns */
	uint64_t sum;
};

static void die(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_codec: %s (%llu, %llu)\n", what, a, b);
	abort();
}

static void reset(struct state *s)
{
	ring_codec__reset(&s->dec);
	ring_codec__reset(&s->enc);
	ring_codec__reset(&s->redec);
}

static void check_record(struct state *s, size_t len)
{
	const uint8_t *p = s->rec;
	struct sigrec_signal sig;

	if (len < 16 || len > RING_MAX_RECORD || len % 8)
		die("record of impossible length", len, 0);
	if (p[0] == 0 || p[0] >= RING_MAX_TYPES || (size_t)(p[2] | p[3] << 8) != len)
		die("record with impossible type or size field", p[0], len);
	for (size_t i = 0; i < len; i++)
		s->sum += p[i];
	ring_rec_copy(&sig, sizeof(sig), p, len);
	s->sum += sig.h.ts + (uint64_t)sig.sig;
}

/* Encode the record again and decode that: the codec must be its own inverse. */
static void round_trip(struct state *s, size_t len)
{
	struct codec_cursor c;
	size_t len2 = 0;
	int n;

	n = ring_codec__encode(&s->enc, s->rec, len, s->enc_out);
	if (n <= 0)
		die("a decoded record does not encode", len, (unsigned long long)-n);
	if (n > ENC_OUT_LEN)
		die("encoder wrote past the documented output size", n, ENC_OUT_LEN);
	c = (struct codec_cursor){ s->enc_out, s->enc_out + n };
	if (codec_decode_one(&s->redec, &c, &c, s->rec2, &len2) || c.p != c.end)
		die("an encoded record does not decode", len, n);
	if (len2 != len || memcmp(s->rec, s->rec2, len))
		die("round trip changed the record", len, len2);
}

/* The reader delimits records with codec_split_one; it must agree with the decoder. */
static void check_split(const uint8_t *from, const uint8_t *to, const uint8_t *end)
{
	struct codec_cursor c = { from, end };
	const uint8_t *ts;
	size_t tslen;

	if (codec_split_one(&c, &ts, &tslen))
		die("split_one rejects a record the decoder took", to - from, 0);
	if (c.p != to)
		die("split_one and the decoder disagree on the record end", c.p - from, to - from);
	if (ts != from + 2 || !tslen || tslen > 10)
		die("split_one misplaced the time varint", ts - from, tslen);
}

static void decode_interleaved(struct state *s, const uint8_t *p, size_t n)
{
	struct codec_cursor cur = { p, p + n };

	reset(s);
	while (cur.p < cur.end) {
		const uint8_t *start = cur.p;
		size_t len = 0;

		if (codec_decode_one(&s->dec, &cur, &cur, s->rec, &len))
			break;
		check_split(start, cur.p, cur.end);
		check_record(s, len);
		round_trip(s, len);
	}
}

static void decode_split(struct state *s, const uint8_t *p, size_t n, size_t split)
{
	struct codec_cursor a = { p, p + split }, b = { p + split, p + n };

	reset(s);
	while (a.p < a.end) {
		size_t len = 0;

		if (codec_decode_one(&s->dec, &a, &b, s->rec, &len))
			break;
		if (a.p > a.end || b.p > b.end)
			die("decoder ran past a stream", a.end - a.p, b.end - b.p);
		check_record(s, len);
		round_trip(s, len);
	}
}

/* Varints on their own: never more than 10 bytes, never past the end. */
static void decode_varints(struct state *s, const uint8_t *p, size_t n)
{
	struct codec_cursor cur = { p, p + n };
	uint64_t v;

	while (cur.p < cur.end) {
		const uint8_t *at = cur.p;

		if (codec_get_varint(&cur, &v))
			break;
		if (cur.p - at > 10 || cur.p > cur.end)
			die("varint of impossible length", cur.p - at, 0);
		s->sum += v;
	}
}

/* results land here so the compiler cannot drop the reads */
volatile uint64_t fuzz_codec_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state *s;
	size_t n;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			abort();
		s->enc_out = malloc(ENC_OUT_LEN);
		if (!s->enc_out)
			abort();
	}
	if (size < 1)
		return 0;
	n = size - 1;
	s->sum = 0;
	decode_interleaved(s, data + 1, n);
	decode_split(s, data + 1, n, (size_t)data[0] * n / 255);
	decode_varints(s, data + 1, n);
	fuzz_codec_sink += s->sum;
	return 0;
}
