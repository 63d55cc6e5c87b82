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

int codec_varint_len(const uint8_t *p)
{
	int n = 1;

	while (n < 10 && p[n - 1] & 0x80)
		n++;
	return n;
}

/*
 * The same, inlined for the decoder's inner loop: with ten bytes left (the
 * longest varint) no byte needs a bounds check.  Accepts and rejects
 * exactly what codec_get_varint does.
 */
static inline int get_varint(struct codec_cursor *cur, uint64_t *out)
{
	const uint8_t *p = cur->p;
	uint64_t v = 0;

	if (cur->end - p < 10)
		return codec_get_varint(cur, out);
	for (int shift = 0; shift < 63; shift += 7) {
		uint8_t b = *p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			cur->p = p;
			*out = v;
			return 0;
		}
	}
	if (*p > 1)
		return -EBADMSG;	/* more than 64 bits, or longer than ten bytes */
	cur->p = p + 1;
	*out = v | (uint64_t)*p << 63;
	return 0;
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

/* Bits set in a mask byte, and in eight (no library call where popcnt is not assumed). */
static inline unsigned int bits8(unsigned int m)
{
	m = m - ((m >> 1) & 0x55);
	m = (m & 0x33) + ((m >> 2) & 0x33);
	return (m + (m >> 4)) & 0x0f;
}

static inline unsigned int bits64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* Skip n varints byte by byte; run: continuation bytes already seen of the first. */
static int skip_bytes(struct codec_cursor *cur, unsigned int n, int run)
{
	const uint8_t *p = cur->p, *end = cur->end;

	for (; n; n--, run = 0) {
		for (int k = run;; k++) {
			uint8_t b;

			if (p >= end || k == 10)
				return -EBADMSG;
			b = *p++;
			if (!(b & 0x80)) {
				if (k == 9 && b > 1)
					return -EBADMSG;	/* more than 64 bits */
				break;
			}
		}
	}
	cur->p = p;
	return 0;
}

/*
 * Skip n (> 0) varints, rejecting what codec_get_varint rejects: eight
 * bytes at a time (a byte without its top bit ends a varint; only the first
 * of a word can be long), the last bytes of the stream one by one.
 */
static int skip_varints(struct codec_cursor *cur, unsigned int n)
{
	int run = 0;	/* continuation bytes of the varint under way */

	while (cur->end - cur->p >= 8) {
		uint64_t t = ~le64(cur->p) & 0x8080808080808080ULL;
		/* one bit a byte: their sum gathered in the top byte */
		unsigned int ends = ((t >> 7) * 0x0101010101010101ULL) >> 56, first, last;

		if (!t) {
			run += 8;
			if (run >= 10)
				return -EBADMSG;
			cur->p += 8;
			continue;
		}
		first = __builtin_ctzll(t) / 8;
		if (run + first > 9 || (run + first == 9 && cur->p[first] > 1))
			return -EBADMSG;
		if (ends >= n) {	/* the last one ends here: after its end byte */
			while (--n)
				t &= t - 1;
			cur->p += __builtin_ctzll(t) / 8 + 1;
			return 0;
		}
		last = (63 - __builtin_clzll(t)) / 8;
		run = 7 - last;
		n -= ends;
		cur->p += 8;
	}
	return skip_bytes(cur, n, run);
}

/*
 * Decode one record.  a holds the structure; b the time varints (for the
 * interleaved stream of an active chunk, b == a).  *rec points at the
 * record, len bytes: the codec's own copy of the type's last record where
 * the byte order allows (valid until the next record of that type), else
 * scratch.  With head_only, only the record's first HEAD_WORDS words
 * (header, time and the first two of the body: a task's pid, tid and start
 * time) are made and len is at most HEAD_WORDS * 8: the other words'
 * changes are checked and skipped, so the codec's state of that type is
 * valid for those words only, and a caller asks for the head of a type for
 * a whole stream or never.  A signal record is always decoded whole (its
 * repeat count is checked).
 */
int codec_decode_ref(struct ring_codec *c, struct codec_cursor *a, struct codec_cursor *b,
		     uint8_t *scratch, const uint8_t **rec, size_t *len, int head_only)
{
	unsigned int type, words, nmask, skip = 0;
	uint64_t zz, *prev;
	const uint8_t *mask, *out;
	int64_t delta;

	if (a->end - a->p < 2)
		return -EBADMSG;
	type = a->p[0];
	words = a->p[1];
	a->p += 2;
	if (type == 0 || type >= RING_MAX_TYPES || words < 2)
		return -EBADMSG;
	head_only &= type != SIGREC_T_SIGNAL;
	if (get_varint(b, &zz))
		return -EBADMSG;
	nmask = (words - 1 + 7) / 8;
	if ((size_t)(a->end - a->p) < nmask)
		return -EBADMSG;
	mask = a->p;
	a->p += nmask;
	prev = c->prev[type];
	/* bits past the last word must be zero */
	if ((words - 1) % 8 && (mask[nmask - 1] >> ((words - 1) % 8)))
		return -EBADMSG;
	/* bit n of the mask is word n + 1 (word 1, the time, has none) but for
	 * bit 0, word 0; the changed words' varints come in word order */
	if (head_only) {	/* words 0, 2 and 3 (bits 0-2), the others only counted */
		for (unsigned int m = mask[0] & 7; m; m &= m - 1) {
			unsigned int bit = __builtin_ctz(m);
			uint64_t d;

			if (get_varint(a, &d))
				return -EBADMSG;
			prev[bit ? bit + 1 : 0] += (uint64_t)unzigzag(d);
		}
		skip = bits8(mask[0] & ~7u);
		for (unsigned int i = 1; i < nmask; i += 8) {
			unsigned int k = nmask - i < 8 ? nmask - i : 8;
			uint64_t x = 0;

			if (a->end - (mask + i) >= 8)	/* one load, the bytes past the mask cleared */
				x = le64(mask + i) & (k == 8 ? ~0ULL : (1ULL << 8 * k) - 1);
			else
				memcpy(&x, mask + i, k);
			skip += bits64(x);
		}
	} else {
		for (unsigned int i = 0; i < nmask; i++) {
			for (unsigned int m = mask[i]; m; m &= m - 1) {
				unsigned int bit = i * 8 + __builtin_ctz(m);
				uint64_t d;

				if (get_varint(a, &d))
					return -EBADMSG;
				prev[bit ? bit + 1 : 0] += (uint64_t)unzigzag(d);
			}
		}
	}
	if (skip && skip_varints(a, skip))
		return -EBADMSG;
	delta = (int64_t)((uint64_t)c->prev_delta + (uint64_t)unzigzag(zz));
	c->prev_delta = delta;
	c->prev_ts += (uint64_t)delta;
	*len = words * 8;
#if __BYTE_ORDER == __LITTLE_ENDIAN
	(void)scratch;
	prev[1] = c->prev_ts;	/* word 1 is never a delta: the slot is free */
	out = (const uint8_t *)prev;
#else
	for (unsigned int w = 0; w < (head_only && words > HEAD_WORDS ? HEAD_WORDS : words); w++)
		put64(scratch + 8 * w, prev[w]);
	put64(scratch + 8, c->prev_ts);
	out = scratch;
#endif
	if (out[0] != type || check_shape(out, *len))
		return -EBADMSG;
	if (head_only) {
		if (words > HEAD_WORDS)
			*len = HEAD_WORDS * 8;
	} else if (check_repeat(out, *len)) {
		return -EBADMSG;
	}
	*rec = out;
	return 0;
}

int codec_decode_one(struct ring_codec *c, struct codec_cursor *a, struct codec_cursor *b,
		     uint8_t *out, size_t *len)
{
	const uint8_t *rec;
	int rc = codec_decode_ref(c, a, b, out, &rec, len, 0);

	if (!rc && rec != out)
		memcpy(out, rec, *len);
	return rc;
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
		changed += bits8(cur->p[i]);
	cur->p += nmask;
	while (changed--)
		if (codec_get_varint(cur, &v))
			return -EBADMSG;
	return 0;
}

#define TASK(t, f)	(uint16_t)offsetof(t, f)

static const struct ring_rec_type rec_types[SIGREC_T_MAX] = {
	[SIGREC_T_SIGNAL] = { "signal", sizeof(struct sigrec_signal),
			      { TASK(struct sigrec_signal, sender), TASK(struct sigrec_signal, target) } },
	[SIGREC_T_LOST] = { "lost", sizeof(struct sigrec_lost), { 0 } },
	[SIGREC_T_SYSRET] = { "sysret", sizeof(struct sigrec_sysret), { 0 } },
	[SIGREC_T_FORK] = { "fork", sizeof(struct sigrec_fork), { TASK(struct sigrec_fork, parent) } },
	[SIGREC_T_EXEC] = { "exec", sizeof(struct sigrec_exec), { TASK(struct sigrec_exec, task) } },
	[SIGREC_T_EXIT] = { "exit", sizeof(struct sigrec_exit), { TASK(struct sigrec_exit, task) } },
	[SIGREC_T_COMM] = { "comm", sizeof(struct sigrec_comm), { TASK(struct sigrec_comm, task) } },
	[SIGREC_T_OOM] = { "oom", sizeof(struct sigrec_oom), { TASK(struct sigrec_oom, trigger) } },
	[SIGREC_T_PROC] = { "proc", sizeof(struct sigrec_proc), { TASK(struct sigrec_proc, task) } },
	[SIGREC_T_START] = { "start", sizeof(struct sigrec_start), { 0 } },
	[SIGREC_T_HOST] = { "host", sizeof(struct sigrec_host), { 0 } },
	[SIGREC_T_DELIVER] = { "deliver", sizeof(struct sigrec_deliver),
			       { TASK(struct sigrec_deliver, task) } },
	[SIGREC_T_STACK] = { "stack", 0, { 0 } },
};

const struct ring_rec_type *ring_rec_type(unsigned int type)
{
	return type < SIGREC_T_MAX && rec_types[type].name ? &rec_types[type] : NULL;
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
