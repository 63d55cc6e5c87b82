/* SPDX-License-Identifier: MIT */
/*
 * ring.h - the sigrec ring file: a preallocated, mmap'd file of fixed-size
 * chunk slots (docs/FORMAT.md).  This module is the only code that touches
 * the file's raw bytes; everything else sees decoded records (bpf/sigrec.h).
 *
 * Functions return 0 or a negative errno; constructors return NULL and set
 * errno.  Every error also leaves a one-line explanation in the caller's
 * error buffer (struct sigrec_err) so the caller can log it once.
 */
#ifndef SIGREC_RING_H
#define SIGREC_RING_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "sigrec.h"

#define RING_MAJOR		1
#define RING_MINOR		1
#define RING_HDR_SIZE		4096
#define RING_CHUNK_HDR_SIZE	128
#define RING_MIN_SIZE		(12ULL << 10)	/* header + 2 smallest slots */
#define RING_MAX_SIZE		(1ULL << 40)
#define RING_DEFAULT_SIZE	(64ULL << 20)
#define RING_MIN_CHUNK		4096U
#define RING_MAX_CHUNK		(64U << 20)
#define RING_MAX_RECORD		2040	/* 255 words */
#define RING_MAX_TYPES		64
/* signals one repeat record may stand for: far above what one CPU raises
 * in one scheduler tick, so sums of counts stay far from overflowing */
#define RING_REPEAT_MAX		(1ULL << 32)
/*
 * Worst-case bytes a record of len bytes takes in the active chunk: type,
 * words, time varint, mask, a 10-byte varint per word but the time, and
 * its CRC (docs/FORMAT.md, "Record stream").  The one place that says it.
 */
#define RING_ENCODED_MAX(len)	(2 + 10 + ((len) / 8 - 1 + 7) / 8 + ((len) / 8 - 1) * 10 + 4)
#define RING_MAX_ENCODED	RING_ENCODED_MAX(RING_MAX_RECORD)


struct ring_boot {
	uint8_t boot_id[16];
	int64_t clock_offset;	/* CLOCK_REALTIME ns - CLOCK_BOOTTIME ns */
};

/* ---- writer ---- */

struct ring;

struct ring_opts {
	uint64_t size;		/* file size for a new ring; 0 = RING_DEFAULT_SIZE */
	int size_given;		/* 1: an existing ring must have exactly this size */
	uint32_t chunk_size;	/* 0 = chosen from size */
	unsigned int mode;	/* file mode for a new ring, e.g. 0640 */
	int gid;		/* group of a new ring; 0: the creator's */
};

/*
 * Create the ring at path, or open the existing one (sealing a chunk left
 * active by a previous run).  Refuses a file that is not a ring, a ring of
 * another major version or size, and a ring another process has locked.
 */
struct ring *ring__open_writer(const char *path, const struct ring_opts *o,
			       const struct ring_boot *boot, struct sigrec_err *err);
/*
 * Make fd, a new and empty regular file opened read-write (name is for
 * messages), a ring with o's geometry and return its writer, which owns fd
 * from then on (closed on failure too).  For temporary rings created with
 * O_EXCL: nothing is ever opened by name.
 */
struct ring *ring__create_fd(int fd, const char *name, const struct ring_opts *o,
			     const struct ring_boot *boot, struct sigrec_err *err);
/* Append one record (struct sigrec_rec_hdr first, size a multiple of 8). */
int ring__append(struct ring *r, const void *rec, size_t len);
/* Seal the active chunk if it holds records. */
int ring__seal(struct ring *r);
/* Start a new boot session: seal, then stamp new chunks with boot. */
int ring__set_boot(struct ring *r, const struct ring_boot *boot);
int ring__sync(struct ring *r, int wait);
uint64_t ring__seq(const struct ring *r);
/* Bytes still free in the active chunk. */
uint32_t ring__room(const struct ring *r);
void ring__close(struct ring *r);

/* ---- reader ---- */

struct ring_reader;

enum ring_chunk_state {
	RING_CHUNK_SEALED = 0,
	RING_CHUNK_ACTIVE = 1,
};

struct ring_chunk {
	uint64_t seq;
	uint32_t slot;		/* UINT32_MAX for the active slot */
	int state;
	struct ring_boot boot;
	uint64_t first_ts, last_ts;	/* boottime ns */
	uint32_t nrec;
	uint32_t raw_len;
	uint32_t stored_len;
};

struct ring_info {
	uint16_t major, minor;
	uint64_t file_size;
	uint32_t chunk_size;
	uint32_t nslots;
	int64_t created_ns;
	uint8_t created_boot[16];
};

/*
 * Open a ring file read-only.  Only a regular file is opened: a FIFO or a
 * device is refused at once, with what it is in err.  Torn or corrupt
 * slots are counted by ring_reader__chunks, never fatal.
 */
struct ring_reader *ring_reader__open(const char *path, struct sigrec_err *err);
/*
 * Open a ring file, or an exported dump: a ring image in an LZ4 frame
 * (magic 0x184D2204), unpacked in memory up to RING_PACKED_MAX bytes.
 */
struct ring_reader *ring_reader__open_any(const char *path, struct sigrec_err *err);
#define RING_PACKED_MAX	(1ULL << 30)
/* Same over memory (tests, fuzzing): a ring image or a packed one. */
struct ring_reader *ring_reader__open_mem_any(const void *buf, size_t len, struct sigrec_err *err);
/* Pack the ring at src into an LZ4 frame at dst (created, never replaced). */
int ring__pack(const char *src, const char *dst, struct sigrec_err *err);
/* Same from a ring open at fd src (name is for messages); src stays open. */
int ring__pack_fd(int src, const char *name, const char *dst, struct sigrec_err *err);
/* Same, over a caller-owned memory image (tests, fuzzing). */
struct ring_reader *ring_reader__open_mem(const void *buf, size_t len, struct sigrec_err *err);
const struct ring_info *ring_reader__info(const struct ring_reader *rr);
/* Chunks in sequence order, the active one last; re-scans the file. */
int ring_reader__chunks(struct ring_reader *rr, const struct ring_chunk **out,
			size_t *n, unsigned int *bad_slots);
/* Warnings collected by the last scan or decode, one per line. */
const char *ring_reader__warnings(struct ring_reader *rr);

typedef int (*ring_rec_fn)(const void *rec, size_t len, const struct ring_chunk *c, void *ctx);
/*
 * Decode every record of a chunk, in order.  Returns 0, the callback's
 * non-zero return, or -EBADMSG when the chunk is corrupt (records already
 * passed to the callback stay valid: they were checked).
 */
int ring_reader__decode(struct ring_reader *rr, const struct ring_chunk *c,
			ring_rec_fn fn, void *ctx);
/*
 * The same, with only the types in the bit mask whole (bit n: type n)
 * decoded whole: a record of another type reaches fn as its first 32 bytes
 * (header, time and the first two words of its body, e.g. a task's pid,
 * tid and start time; len 32, or less for a shorter record), checked as
 * strictly but much cheaper to decode.  Signal records are always whole.
 */
#define RING_TYPE(t)	(1ULL << (t))
#define RING_ALL_TYPES	(~0ULL)
int ring_reader__decode_types(struct ring_reader *rr, const struct ring_chunk *c, uint64_t whole,
			      ring_rec_fn fn, void *ctx);
void ring_reader__close(struct ring_reader *rr);

/* ---- codec, exposed for tests and benchmarks ---- */

struct ring_codec {
	uint64_t prev_ts;
	int64_t prev_delta;
	uint64_t prev[RING_MAX_TYPES][RING_MAX_RECORD / 8];	/* last record per type */
};

void ring_codec__reset(struct ring_codec *c);
/* Encode rec into out (>= RING_MAX_ENCODED bytes). Returns bytes or -errno. */
int ring_codec__encode(struct ring_codec *c, const void *rec, size_t len, uint8_t *out);

/*
 * What this build knows of a record type: its name (as --stats names it),
 * its struct's size (a signal's without the repeat's tail; 0: the size
 * varies, a stack's), and where its tasks (struct sigrec_task) are, the
 * leading one first (0: none).  NULL for a type unknown to this build.
 */
struct ring_rec_type {
	const char *name;
	uint16_t size;
	uint16_t task[2];
};
const struct ring_rec_type *ring_rec_type(unsigned int type);

/* Copy a decoded record into a fixed struct: zero-fill or truncate. */
void ring_rec_copy(void *dst, size_t dst_len, const void *rec, size_t len);

/*
 * A lost record: count events (0: not known) between from_ts and to_ts,
 * its time to_ts, flags SIGREC_LOST_*, lcpu the CPU (UINT32_MAX: not known).
 */
struct sigrec_lost ring_lost(unsigned int flags, uint64_t count, uint64_t from_ts,
			     uint64_t to_ts, uint32_t lcpu);

uint32_t sigrec_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* SIGREC_RING_H */
