/* SPDX-License-Identifier: MIT */
/* codec.h - internals of the record stream, shared by ring.c and tests. */
#ifndef SIGREC_CODEC_H
#define SIGREC_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "ring.h"

struct codec_cursor {
	const uint8_t *p, *end;
};

int codec_get_varint(struct codec_cursor *cur, uint64_t *out);
/* Bytes of the varint at p, one ring_codec__encode wrote (at most ten). */
int codec_varint_len(const uint8_t *p);
int codec_decode_one(struct ring_codec *c, struct codec_cursor *a, struct codec_cursor *b,
		     uint8_t *out, size_t *len);
/* Words of a record decoded for its head (codec_decode_ref's head_only). */
#define HEAD_WORDS 4
/* The same without a copy: see codec.c. */
int codec_decode_ref(struct ring_codec *c, struct codec_cursor *a, struct codec_cursor *b,
		     uint8_t *scratch, const uint8_t **rec, size_t *len, int head_only);
int codec_split_one(struct codec_cursor *cur, const uint8_t **ts_p, size_t *ts_len);

#endif
