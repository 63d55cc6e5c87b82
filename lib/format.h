/* SPDX-License-Identifier: MIT */
/*
 * format.h - the ring file's headers, inside lib/: named offsets (one enum
 * per table of docs/FORMAT.md; tests/unit/test_format.c checks them against
 * the document), their encoders and decoders, and the active stream's
 * per-record checks.  ring.h is the interface for everyone else.
 */
#ifndef SIGREC_FORMAT_H
#define SIGREC_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "le.h"
#include "ring.h"

extern const uint8_t FILE_MAGIC[8];
#define CH_SEALED	0x4b435253U	/* "SRCK" little-endian */
#define CH_ACTIVE	0x41435253U	/* "SRCA" */
#define CH_VERSION	1
#define CODEC_RAW	0
#define CODEC_LZ4	1
#define MAX_WARN	(32 << 10)
#define LZ4F_MAGIC	0x184D2204U	/* a packed export: an LZ4 frame */

/* File header (docs/FORMAT.md, "File header"): byte offsets. */
enum fh_off {
	FH_MAGIC = 0, FH_MAJOR = 8, FH_MINOR = 10, FH_HEADER_SIZE = 12, FH_CHUNK_SIZE = 16,
	FH_NSLOTS = 20, FH_FILE_SIZE = 24, FH_CREATED_NS = 32, FH_CREATED_BOOT = 40,
	FH_FLAGS = 56, FH_HEADER_CRC = 60, FH_RESERVED = 64,
};

/* Chunk header (docs/FORMAT.md, "Chunk header"): byte offsets. */
enum ch_off {
	CH_MAGIC = 0, CH_VERSION_OFF = 4, CH_CODEC = 5, CH_FLAGS = 6, CH_SEQ = 8, CH_BOOT_ID = 16,
	CH_CLOCK_OFFSET = 32, CH_FIRST_TS = 40, CH_LAST_TS = 48, CH_NREC = 56, CH_RAW_LEN = 60,
	CH_SPLIT = 64, CH_STORED_LEN = 68, CH_PAYLOAD_CRC = 72, CH_HEADER_CRC = 76, CH_RESERVED = 80,
};
/* an active chunk's header CRC covers the fields a writer fixes at start */
#define CH_ACTIVE_CRC_LEN	CH_FIRST_TS

/* One row of a header table: what tests/unit/test_format.c compares. */
struct format_field {
	const char *name;
	uint32_t off, size;
};
extern const struct format_field format_fh_fields[];
extern const struct format_field format_ch_fields[];

struct chdr {
	uint32_t magic;
	uint8_t version, codec;
	uint16_t flags;
	uint64_t seq;
	struct ring_boot boot;
	uint64_t first_ts, last_ts;
	uint32_t nrec, raw_len, split, stored_len, pcrc, hcrc;
};


void fhdr_put(uint8_t *p, const struct ring_info *i);
/* Validation order: size, magic, version, reserved, checksum, geometry. */
int fhdr_parse(const uint8_t *p, size_t len, uint64_t actual, int allow_short,
	       struct ring_info *i, struct sigrec_err *err);

void chdr_get(const uint8_t *p, struct chdr *h);
/* Writes everything but the magic, which the caller writes last. */
void chdr_put(uint8_t *p, const struct chdr *h);
uint32_t chdr_crc(const uint8_t *p, uint32_t magic);
/* A sealed header that is self-consistent for a slot of payload capacity cap. */
const char *chdr_check_sealed(const struct chdr *h, const uint8_t *p, uint32_t cap);

/* The active stream: the length of the next checked record, 0 at its end. */
size_t active_next(struct codec_cursor *cur, const uint8_t **ts, size_t *tslen);
/* Split an active stream into structure (a) and times (b), checks dropped. */
void stream_split(const uint8_t *raw, uint32_t len, uint8_t *a, uint32_t *alen,
		  uint8_t *b, uint32_t *blen, uint32_t *nrec);

/* open_regular with its message in err (which may be NULL). */
int open_input(const char *path, struct sigrec_err *err);
/* All of buf at off, or -errno. */
int pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* The whole regular file behind fd (name for messages), if at most max bytes. */
int read_fd(int fd, const char *name, uint8_t **out, size_t *len, size_t max,
	    struct sigrec_err *err);
/* Unpack an LZ4 frame, never past RING_PACKED_MAX however it claims to be. */
int unpack(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
	   struct sigrec_err *err);

#endif
