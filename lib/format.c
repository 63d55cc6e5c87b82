// SPDX-License-Identifier: MIT
/*
 * format.c - the ring file's file and chunk headers, their checks, and the
 * active chunk's checked record stream.  Byte layout: docs/FORMAT.md; keep
 * the two in step (tests/unit/test_format.c compares the offsets).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "util.h"

const uint8_t FILE_MAGIC[8] = { 'S', 'I', 'G', 'R', 'E', 'C', 'R', 'G' };

/* the tables of docs/FORMAT.md, as the code lays them out */
const struct format_field format_fh_fields[] = {
	{ "magic", FH_MAGIC, 8 }, { "major", FH_MAJOR, 2 }, { "minor", FH_MINOR, 2 },
	{ "header_size", FH_HEADER_SIZE, 4 }, { "chunk_size", FH_CHUNK_SIZE, 4 },
	{ "nslots", FH_NSLOTS, 4 }, { "file_size", FH_FILE_SIZE, 8 },
	{ "created_ns", FH_CREATED_NS, 8 }, { "created_boot", FH_CREATED_BOOT, 16 },
	{ "flags", FH_FLAGS, 4 }, { "header_crc", FH_HEADER_CRC, 4 },
	{ "reserved", FH_RESERVED, RING_HDR_SIZE - FH_RESERVED }, { NULL, 0, 0 },
};

const struct format_field format_ch_fields[] = {
	{ "magic", CH_MAGIC, 4 }, { "version", CH_VERSION_OFF, 1 }, { "codec", CH_CODEC, 1 },
	{ "flags", CH_FLAGS, 2 }, { "seq", CH_SEQ, 8 }, { "boot_id", CH_BOOT_ID, 16 },
	{ "clock_offset", CH_CLOCK_OFFSET, 8 }, { "first_ts", CH_FIRST_TS, 8 },
	{ "last_ts", CH_LAST_TS, 8 }, { "nrec", CH_NREC, 4 }, { "raw_len", CH_RAW_LEN, 4 },
	{ "split", CH_SPLIT, 4 }, { "stored_len", CH_STORED_LEN, 4 },
	{ "payload_crc", CH_PAYLOAD_CRC, 4 }, { "header_crc", CH_HEADER_CRC, 4 },
	{ "reserved", CH_RESERVED, RING_CHUNK_HDR_SIZE - CH_RESERVED }, { NULL, 0, 0 },
};



/* ---- file header ---- */

void fhdr_put(uint8_t *p, const struct ring_info *i)
{
	memset(p, 0, RING_HDR_SIZE);
	memcpy(p + FH_MAGIC, FILE_MAGIC, 8);
	put16(p + FH_MAJOR, i->major);
	put16(p + FH_MINOR, i->minor);
	put32(p + FH_HEADER_SIZE, RING_HDR_SIZE);
	put32(p + FH_CHUNK_SIZE, i->chunk_size);
	put32(p + FH_NSLOTS, i->nslots);
	put64(p + FH_FILE_SIZE, i->file_size);
	put64(p + FH_CREATED_NS, (uint64_t)i->created_ns);
	memcpy(p + FH_CREATED_BOOT, i->created_boot, 16);
	put32(p + FH_FLAGS, 0);
	put32(p + FH_HEADER_CRC, sigrec_crc32c(0, p, FH_HEADER_CRC));
}

int fhdr_parse(const uint8_t *p, size_t len, uint64_t actual, int allow_short,
		      struct ring_info *i, struct sigrec_err *err)
{
	uint64_t need;

	if (len < 64) {
		seterr(err, "not a sigrec ring (only %zu bytes)", len);
		return -EBADMSG;
	}
	if (memcmp(p + FH_MAGIC, FILE_MAGIC, 8)) {
		seterr(err, "not a sigrec ring (bad magic)");
		return -EBADMSG;
	}
	i->major = le16(p + FH_MAJOR);
	i->minor = le16(p + FH_MINOR);
	if (i->major != RING_MAJOR) {
		seterr(err, "ring format version %u.%u is not supported (this build reads %u.x)%s",
		       i->major, i->minor, RING_MAJOR,
		       i->major > RING_MAJOR ? "; upgrade sigrec" : "");
		return -ENOTSUP;
	}
	if (le32(p + FH_FLAGS)) {
		seterr(err, "ring header has unknown flags 0x%x", le32(p + FH_FLAGS));
		return -ENOTSUP;
	}
	if (sigrec_crc32c(0, p, FH_HEADER_CRC) != le32(p + FH_HEADER_CRC)) {
		seterr(err, "ring header checksum mismatch (corrupt header)");
		return -EBADMSG;
	}
	i->chunk_size = le32(p + FH_CHUNK_SIZE);
	i->nslots = le32(p + FH_NSLOTS);
	i->file_size = le64(p + FH_FILE_SIZE);
	i->created_ns = (int64_t)le64(p + FH_CREATED_NS);
	memcpy(i->created_boot, p + FH_CREATED_BOOT, 16);
	need = RING_HDR_SIZE + ((uint64_t)i->nslots + 1) * i->chunk_size;
	if (le32(p + FH_HEADER_SIZE) != RING_HDR_SIZE || i->file_size > RING_MAX_SIZE ||
	    i->chunk_size < RING_MIN_CHUNK ||
	    i->chunk_size > RING_MAX_CHUNK || i->chunk_size % 4096 || i->nslots < 1 ||
	    need > i->file_size) {
		seterr(err, "ring header has an impossible geometry");
		return -EBADMSG;
	}
	if (actual < i->file_size && !allow_short) {
		seterr(err, "ring is truncated: header says %llu bytes, file has %llu",
		       (unsigned long long)i->file_size, (unsigned long long)actual);
		return -EBADMSG;
	}
	return 0;
}

/* ---- chunk header ---- */

void chdr_get(const uint8_t *p, struct chdr *h)
{
	h->magic = le32(p + CH_MAGIC);
	h->version = p[CH_VERSION_OFF];
	h->codec = p[CH_CODEC];
	h->flags = le16(p + CH_FLAGS);
	h->seq = le64(p + CH_SEQ);
	memcpy(h->boot.boot_id, p + CH_BOOT_ID, 16);
	h->boot.clock_offset = (int64_t)le64(p + CH_CLOCK_OFFSET);
	h->first_ts = le64(p + CH_FIRST_TS);
	h->last_ts = le64(p + CH_LAST_TS);
	h->nrec = le32(p + CH_NREC);
	h->raw_len = le32(p + CH_RAW_LEN);
	h->split = le32(p + CH_SPLIT);
	h->stored_len = le32(p + CH_STORED_LEN);
	h->pcrc = le32(p + CH_PAYLOAD_CRC);
	h->hcrc = le32(p + CH_HEADER_CRC);
}

void chdr_put(uint8_t *p, const struct chdr *h)
{
	memset(p + CH_VERSION_OFF, 0, RING_CHUNK_HDR_SIZE - CH_VERSION_OFF);
	p[CH_VERSION_OFF] = h->version;
	p[CH_CODEC] = h->codec;
	put16(p + CH_FLAGS, h->flags);
	put64(p + CH_SEQ, h->seq);
	memcpy(p + CH_BOOT_ID, h->boot.boot_id, 16);
	put64(p + CH_CLOCK_OFFSET, (uint64_t)h->boot.clock_offset);
	put64(p + CH_FIRST_TS, h->first_ts);
	put64(p + CH_LAST_TS, h->last_ts);
	put32(p + CH_NREC, h->nrec);
	put32(p + CH_RAW_LEN, h->raw_len);
	put32(p + CH_SPLIT, h->split);
	put32(p + CH_STORED_LEN, h->stored_len);
	put32(p + CH_PAYLOAD_CRC, h->pcrc);
}

uint32_t chdr_crc(const uint8_t *p, uint32_t magic)
{
	uint8_t tmp[CH_HEADER_CRC];

	memcpy(tmp, p, CH_HEADER_CRC);
	put32(tmp + CH_MAGIC, magic);
	return sigrec_crc32c(0, tmp, magic == CH_ACTIVE ? CH_ACTIVE_CRC_LEN : CH_HEADER_CRC);
}

const char *chdr_check_sealed(const struct chdr *h, const uint8_t *p, uint32_t cap)
{
	if (h->version != CH_VERSION)
		return "unknown chunk version";
	if (h->flags)
		return "unknown chunk flags";
	if (h->hcrc != chdr_crc(p, CH_SEALED))
		return "header checksum mismatch";
	if (h->codec > CODEC_LZ4 || h->raw_len > cap || h->stored_len > cap ||
	    h->split > h->raw_len || (h->codec == CODEC_RAW && h->stored_len != h->raw_len) ||
	    h->nrec == 0 || h->first_ts > h->last_ts || (uint64_t)h->nrec * 4 > h->raw_len)
		return "impossible chunk header";
	return NULL;
}

/* ---- splitting and recovering an interleaved stream ---- */

/*
 * Walk an active (interleaved) stream: each record is followed by the
 * CRC32C of its bytes.  Returns the length of the record at cur, or 0 at
 * the end or at the first record that is cut short or fails its check.
 */
size_t active_next(struct codec_cursor *cur, const uint8_t **ts, size_t *tslen)
{
	struct codec_cursor c = *cur;
	size_t len;

	if (c.p >= c.end || codec_split_one(&c, ts, tslen))
		return 0;
	len = c.p - cur->p;
	if (c.end - c.p < 4 || le32(c.p) != sigrec_crc32c(0, cur->p, len))
		return 0;
	cur->p = c.p + 4;
	return len;
}

/*
 * Split an active stream into structure (a) and times (b), dropping the
 * per-record checks.  Stops at the first bad record (a salvage prefix).
 */
void stream_split(const uint8_t *raw, uint32_t len, uint8_t *a, uint32_t *alen,
			 uint8_t *b, uint32_t *blen, uint32_t *nrec)
{
	struct codec_cursor cur = { raw, raw + len };
	uint32_t an = 0, bn = 0, n = 0;
	const uint8_t *rec = cur.p, *ts;
	size_t rlen, tslen;

	while ((rlen = active_next(&cur, &ts, &tslen))) {
		size_t head = ts - rec, tail = rlen - head - tslen;

		memcpy(a + an, rec, head);
		memcpy(a + an + head, ts + tslen, tail);
		an += head + tail;
		memcpy(b + bn, ts, tslen);
		bn += tslen;
		n++;
		rec = cur.p;
	}
	*alen = an;
	*blen = bn;
	*nrec = n;
}
