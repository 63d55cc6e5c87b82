// SPDX-License-Identifier: MIT
/*
 * codec.c - record encoding inside a chunk (docs/FORMAT.md, "Record stream").
 *
 * A record is an array of 64-bit little-endian words; word 1 is its time.
 * Each record is written as: type, word count, time as a zigzag varint of
 * the change in the gap to the previous record, a bitmap of the words that
 * differ from the previous record of the same type, and those words as
 * zigzag varint deltas.  A storm of identical signals thus costs a few
 * constant bytes plus its timing; sealing moves the times into their own
 * stream so LZ4 sees long runs of identical bytes in the rest.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "codec.h"
#include "le.h"
#include "sigrec.h"

void ring_codec__reset(struct ring_codec *c)
{
	memset(c, 0, sizeof(*c));
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int put_varint(uint8_t *p, uint64_t v)
{
	int n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int codec_get_varint(struct codec_cursor *cur, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (cur->p >= cur->end)
			return -EBADMSG;
		b = *cur->p++;
		if (shift == 63 && b > 1)
			return -EBADMSG;	/* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -EBADMSG;
}

static int check_shape(const uint8_t *rec, size_t len)
{
	unsigned int words = len / 8;
	unsigned int size = rec[2] | rec[3] << 8;

	if (len % 8 || words < 2 || len > RING_MAX_RECORD)
		return -EINVAL;
	if (rec[0] == 0 || rec[0] >= RING_MAX_TYPES || size != len)
		return -EINVAL;
	return 0;
}

int ring_codec__encode(struct ring_codec *c, const void *recp, size_t len, uint8_t *out)
{
	const uint8_t *rec = recp;
	unsigned int words = len / 8, type, nmask;
	uint64_t *prev, ts;
	int64_t delta;
	uint8_t *mask;
	int n = 0;

	if (check_shape(rec, len))
		return -EINVAL;
	type = rec[0];
	prev = c->prev[type];
	ts = le64(rec + 8);
	delta = (int64_t)(ts - c->prev_ts);
	out[n++] = type;
	out[n++] = words;
	n += put_varint(out + n, zigzag((int64_t)((uint64_t)delta - (uint64_t)c->prev_delta)));
	c->prev_ts = ts;
	c->prev_delta = delta;

	nmask = (words - 1 + 7) / 8;
	mask = out + n;
	memset(mask, 0, nmask);
	n += nmask;
	for (unsigned int w = 0, bit = 0; w < words; w++) {
		uint64_t v;

		if (w == 1)
			continue;
		v = le64(rec + 8 * w);
		if (v != prev[w]) {
			mask[bit / 8] |= 1 << (bit % 8);
			n += put_varint(out + n, zigzag((int64_t)(v - prev[w])));
			prev[w] = v;
		}
		bit++;
	}
	return n;
}

/*
 * A repeat record (docs/FORMAT.md, "Signal records and repeat records")
 * stands for count signals from its time to to_ts: anything else is not
 * one the recorder writes, and a count of 2^64 - 1 would make every sum
 * of signals meaningless.
 */
static int check_repeat(const uint8_t *rec, size_t len)
{
	uint64_t count, to;

	if (rec[0] != SIGREC_T_SIGNAL || !(rec[1] & SIGREC_SIG_REPEAT))
		return 0;
	if (len < sizeof(struct sigrec_repeat))
		return -EBADMSG;
	count = le64(rec + offsetof(struct sigrec_repeat, count));
	to = le64(rec + offsetof(struct sigrec_repeat, to_ts));
	if (count < 2 || count > RING_REPEAT_MAX || to < le64(rec + 8))
		return -EBADMSG;
	return 0;
}

/*
 * Decode one record.  a holds the structure; b the time varints (for the
 * interleaved stream of an active chunk, b == a).  out gets len bytes.
 */
int codec_decode_one(struct ring_codec *c, struct codec_cursor *a, struct codec_cursor *b,
		     uint8_t *out, size_t *len)
{
	unsigned int type, words, nmask;
	uint64_t zz, *prev;
	const uint8_t *mask;
	int64_t delta;

	if (a->end - a->p < 2)
		return -EBADMSG;
	type = a->p[0];
	words = a->p[1];
	a->p += 2;
	if (type == 0 || type >= RING_MAX_TYPES || words < 2)
		return -EBADMSG;
	if (codec_get_varint(b, &zz))
		return -EBADMSG;
	nmask = (words - 1 + 7) / 8;
	if ((size_t)(a->end - a->p) < nmask)
		return -EBADMSG;
	mask = a->p;
	a->p += nmask;
	prev = c->prev[type];
	for (unsigned int w = 0, bit = 0; w < words; w++) {
		uint64_t d;

		if (w == 1)
			continue;
		if (mask[bit / 8] & (1 << (bit % 8))) {
			if (codec_get_varint(a, &d))
				return -EBADMSG;
			prev[w] += (uint64_t)unzigzag(d);
		}
		put64(out + 8 * w, prev[w]);
		bit++;
	}
	/* bits past the last word must be zero */
	if ((words - 1) % 8 && (mask[nmask - 1] >> ((words - 1) % 8)))
		return -EBADMSG;
	delta = (int64_t)((uint64_t)c->prev_delta + (uint64_t)unzigzag(zz));
	c->prev_delta = delta;
	c->prev_ts += (uint64_t)delta;
	put64(out + 8, c->prev_ts);
	*len = words * 8;
	if (out[0] != type || check_shape(out, *len) || check_repeat(out, *len))
		return -EBADMSG;
	return 0;
}

/* Length of the encoded record at cur (interleaved form), split: time part. */
int codec_split_one(struct codec_cursor *cur, const uint8_t **ts_p, size_t *ts_len)
{
	unsigned int words, nmask, changed = 0;
	uint64_t v;

	if (cur->end - cur->p < 2)
		return -EBADMSG;
	words = cur->p[1];
	if (cur->p[0] == 0 || cur->p[0] >= RING_MAX_TYPES || words < 2)
		return -EBADMSG;
	cur->p += 2;
	*ts_p = cur->p;
	if (codec_get_varint(cur, &v))
		return -EBADMSG;
	*ts_len = cur->p - *ts_p;
	nmask = (words - 1 + 7) / 8;
	if ((size_t)(cur->end - cur->p) < nmask)
		return -EBADMSG;
	for (unsigned int i = 0; i < nmask; i++)
		changed += __builtin_popcount(cur->p[i]);
	cur->p += nmask;
	while (changed--)
		if (codec_get_varint(cur, &v))
			return -EBADMSG;
	return 0;
}

struct sigrec_lost ring_lost(unsigned int flags, uint64_t count, uint64_t from_ts,
			     uint64_t to_ts, uint32_t lcpu)
{
	struct sigrec_lost l = { .h = { .type = SIGREC_T_LOST, .flags = flags, .size = sizeof(l),
					.ts = to_ts },
				 .count = count, .from_ts = from_ts, .to_ts = to_ts, .lcpu = lcpu };

	return l;
}

void ring_rec_copy(void *dst, size_t dst_len, const void *rec, size_t len)
{
	size_t n = len < dst_len ? len : dst_len;

	memcpy(dst, rec, n);
	if (n < dst_len)
		memset((uint8_t *)dst + n, 0, dst_len - n);
}
