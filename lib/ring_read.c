// SPDX-License-Identifier: MIT
/*
 * ring_read.c - the ring file's reader: validating a file or an image,
 * listing its chunks in order, decoding one (docs/FORMAT.md, "Readers
 * validate, in this order").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lz4frame.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "format.h"
#include "util.h"

struct ring_reader {
	int fd;			/* -1 for a memory image */
	const uint8_t *mem;
	uint8_t *owned;		/* unpacked export, freed on close */
	uint64_t len;
	struct ring_info info;
	uint32_t cap;
	struct ring_chunk *chunks;
	size_t nchunks;
	uint8_t *sbuf, *rbuf, *obuf;	/* stored payload, decoded stream, one record */
	char *warn;
	size_t warn_len;
};

static void warnf(struct ring_reader *rr, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (rr->warn_len + n + 2 > MAX_WARN || (rr->warn_len && strstr(rr->warn, line)))
		return;	/* full, or said already (sigdump decodes twice) */
	memcpy(rr->warn + rr->warn_len, line, n);
	rr->warn_len += n;
	rr->warn[rr->warn_len++] = '\n';
	rr->warn[rr->warn_len] = 0;
}

static int rd(struct ring_reader *rr, uint64_t off, void *buf, size_t len)
{
	if (off > rr->len || len > rr->len - off)
		return -EBADMSG;
	if (rr->fd < 0) {
		memcpy(buf, rr->mem + off, len);
		return 0;
	}
	while (len) {
		ssize_t n = pread(rr->fd, buf, len, off);

		if (n <= 0)
			return n < 0 ? -errno : -EBADMSG;
		buf = (uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static struct ring_reader *reader_init(struct ring_reader *rr, struct sigrec_err *err)
{
	uint8_t hdr[RING_HDR_SIZE];
	size_t n = rr->len < sizeof(hdr) ? rr->len : sizeof(hdr);
	int rc;

	rc = rd(rr, 0, hdr, n);
	if (!rc)
		rc = fhdr_parse(hdr, n, rr->len, 1, &rr->info, err);
	if (rc) {
		ring_reader__close(rr);
		errno = -rc;
		return NULL;
	}
	rr->cap = rr->info.chunk_size - RING_CHUNK_HDR_SIZE;
	/* a stored payload cannot be larger than the input itself */
	rr->sbuf = malloc(rr->cap < rr->len ? rr->cap : rr->len);
	/* nor can what it decodes to exceed LZ4's best ratio (255:1) */
	rr->rbuf = malloc(rr->cap < rr->len * 255 ? rr->cap : rr->len * 255);
	rr->obuf = malloc(RING_MAX_RECORD);
	rr->warn = calloc(1, MAX_WARN);
	if (!rr->sbuf || !rr->rbuf || !rr->obuf || !rr->warn) {
		seterr(err, "out of memory");
		ring_reader__close(rr);
		errno = ENOMEM;
		return NULL;
	}
	return rr;
}

/* The reader over fd, a regular file opened read-only (fd is the reader's now). */
static struct ring_reader *reader_from_fd(int fd, struct sigrec_err *err)
{
	struct ring_reader *rr = calloc(1, sizeof(*rr));
	struct stat st;

	if (!rr) {
		close(fd);
		seterr(err, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rr->fd = fd;
	if (fstat(fd, &st)) {
		int e = errno;

		seterr(err, "cannot read the file: %s", strerror(e));
		ring_reader__close(rr);
		errno = e;
		return NULL;
	}
	rr->len = st.st_size;
	return reader_init(rr, err);
}

int open_input(const char *path, struct sigrec_err *err)
{
	int fd = open_regular(AT_FDCWD, path, err);

	if (fd < 0)
		errno = -fd;
	return fd;
}

struct ring_reader *ring_reader__open(const char *path, struct sigrec_err *err)
{
	int fd = open_input(path, err);

	return fd < 0 ? NULL : reader_from_fd(fd, err);
}

struct ring_reader *ring_reader__open_mem(const void *buf, size_t len, struct sigrec_err *err)
{
	struct ring_reader *rr = calloc(1, sizeof(*rr));

	if (!rr) {
		seterr(err, "out of memory");
		return NULL;
	}
	rr->fd = -1;
	rr->mem = buf;
	rr->len = len;
	return reader_init(rr, err);
}

const struct ring_info *ring_reader__info(const struct ring_reader *rr)
{
	return &rr->info;
}

const char *ring_reader__warnings(struct ring_reader *rr)
{
	return rr->warn_len ? rr->warn : NULL;
}

static int cmp_chunk(const void *a, const void *b)
{
	const struct ring_chunk *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void chunk_from(struct ring_chunk *c, const struct chdr *h, uint32_t slot, int state)
{
	c->seq = h->seq;
	c->slot = slot;
	c->state = state;
	c->boot = h->boot;
	c->first_ts = h->first_ts;
	c->last_ts = h->last_ts;
	c->nrec = h->nrec;
	c->raw_len = h->raw_len;
	c->stored_len = h->stored_len;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* Room for one more chunk in the index, which grows with what is found. */
static int chunks_room(struct ring_reader *rr, size_t *cap)
{
	struct ring_chunk *n;

	if (rr->nchunks < *cap)
		return 0;
	n = realloc(rr->chunks, (*cap ? *cap * 2 : 64) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rr->chunks = n;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

/*
 * After an empty slot s, the next slot worth reading: the one holding the
 * file's next data.  A hole reads as zeros, an empty slot, so a sparse file
 * of any size costs one seek per run of holes instead of a read per slot.
 * Returns ns when no data follows; s + 1 when the file cannot say.
 */
static uint32_t next_slot_with_data(struct ring_reader *rr, uint32_t s, uint32_t ns)
{
	uint64_t next = RING_HDR_SIZE + (uint64_t)(2 + s) * rr->info.chunk_size;
	off_t d;

	if (rr->fd < 0 || s + 1 >= ns || next > (uint64_t)INT64_MAX)
		return s + 1;
	d = lseek(rr->fd, (off_t)next, SEEK_DATA);
	if (d < 0)
		return errno == ENXIO ? ns : s + 1;
	if ((uint64_t)d <= next)
		return s + 1;
	/* the slot whose header holds or follows the data */
	d = ((uint64_t)d - RING_HDR_SIZE) / rr->info.chunk_size - 1;
	return (uint64_t)d < ns ? (uint32_t)d : ns;
}

int ring_reader__chunks(struct ring_reader *rr, const struct ring_chunk **out, size_t *n,
			unsigned int *bad_slots)
{
	uint32_t ns = rr->info.nslots;
	uint8_t p[RING_CHUNK_HDR_SIZE];
	uint64_t max = 0;
	unsigned int bad = 0;
	size_t cap = 0;
	struct chdr h;

	/* only slots whose header lies inside the file are looked at: the
	 * header's slot count is not trusted with an allocation */
	uint64_t in_file = rr->len > RING_HDR_SIZE + (uint64_t)rr->info.chunk_size ?
		(rr->len - RING_HDR_SIZE - rr->info.chunk_size + rr->info.chunk_size - 1) /
		rr->info.chunk_size : 0;

	if (in_file < ns)
		ns = in_file;
	free(rr->chunks);
	rr->chunks = NULL;
	rr->nchunks = 0;
	rr->warn_len = 0;
	if (rr->len < rr->info.file_size)
		warnf(rr, "file is truncated: %llu of %llu bytes; reading what is there",
		      (unsigned long long)rr->len, (unsigned long long)rr->info.file_size);
	for (uint32_t s = 0; s < ns;) {
		uint64_t off = RING_HDR_SIZE + (uint64_t)(1 + s) * rr->info.chunk_size;
		const char *why;

		if (rd(rr, off, p, sizeof(p))) {
			bad++;
			warnf(rr, "slot %u: beyond the end of the file (truncated); skipped", s);
			s++;
			continue;
		}
		chdr_get(p, &h);
		if (h.magic != CH_SEALED) {
			if (!all_zero(p, sizeof(p)) && h.magic) {
				bad++;
				warnf(rr, "slot %u: not a chunk header (torn or overwritten); skipped", s);
			} else if (h.magic == 0 && !all_zero(p + CH_VERSION_OFF, sizeof(p) - CH_VERSION_OFF)) {
				bad++;
				warnf(rr, "slot %u: chunk was being written (torn seal); skipped", s);
			} else {
				s = next_slot_with_data(rr, s, ns);
				continue;
			}
			s++;
			continue;
		}
		why = chdr_check_sealed(&h, p, rr->cap);
		if (why) {
			bad++;
			warnf(rr, "slot %u: %s; skipped", s, why);
		} else if (h.seq % rr->info.nslots != s) {
			bad++;
			warnf(rr, "slot %u: chunk %llu does not belong in this slot; skipped", s,
			      (unsigned long long)h.seq);
		} else if (chunks_room(rr, &cap)) {
			return -ENOMEM;
		} else {
			chunk_from(&rr->chunks[rr->nchunks++], &h, s, RING_CHUNK_SEALED);
			if (h.seq > max)
				max = h.seq;
		}
		s++;
	}
	if (rd(rr, RING_HDR_SIZE, p, sizeof(p)))
		memset(p, 0, sizeof(p));
	chdr_get(p, &h);
	if (h.magic == CH_ACTIVE && h.version == CH_VERSION &&
	    h.hcrc == chdr_crc(p, CH_ACTIVE) && h.seq > max && h.raw_len && h.nrec) {
		if (h.raw_len > rr->cap) {
			bad++;
			warnf(rr, "active chunk: impossible length; skipped");
		} else if (chunks_room(rr, &cap)) {
			return -ENOMEM;
		} else {
			chunk_from(&rr->chunks[rr->nchunks++], &h, UINT32_MAX, RING_CHUNK_ACTIVE);
		}
	} else if (h.magic != CH_ACTIVE && !all_zero(p, sizeof(p))) {
		bad++;
		warnf(rr, "active slot: bad header; skipped");
	}
	if (rr->nchunks)
		qsort(rr->chunks, rr->nchunks, sizeof(*rr->chunks), cmp_chunk);
	*out = rr->chunks;
	*n = rr->nchunks;
	if (bad_slots)
		*bad_slots = bad;
	return 0;
}

/* Copy the active chunk's committed bytes; -ESTALE if it was sealed meanwhile. */
static int read_active(struct ring_reader *rr, struct ring_chunk *c, uint32_t *len)
{
	uint8_t p[RING_CHUNK_HDR_SIZE];
	struct chdr h;

	if (rd(rr, RING_HDR_SIZE, p, sizeof(p)))
		return -EBADMSG;
	chdr_get(p, &h);
	if (h.magic != CH_ACTIVE || h.seq != c->seq)
		return -ESTALE;
	if (h.raw_len > rr->cap)
		return -EBADMSG;
	if (h.raw_len > rr->len || rd(rr, RING_HDR_SIZE + RING_CHUNK_HDR_SIZE, rr->rbuf, h.raw_len))
		return -EBADMSG;
	*len = h.raw_len;
	return 0;
}

/* Decode an active stream record by record, each checked before use. */
/* One record: whole if its type is in whole, else its header and time. */
static int decode_rec(struct ring_reader *rr, struct ring_codec *codec, struct codec_cursor *a,
		      struct codec_cursor *b, uint64_t whole, const uint8_t **rec, size_t *len)
{
	unsigned int type = a->p < a->end ? a->p[0] : 0;

	return codec_decode_ref(codec, a, b, rr->obuf, rec, len, type < 64 && !(whole >> type & 1));
}

static int decode_active(struct ring_reader *rr, const struct ring_chunk *c, uint32_t len,
			 uint64_t whole, ring_rec_fn fn, void *ctx)
{
	struct codec_cursor cur = { rr->rbuf, rr->rbuf + len };
	struct ring_codec *codec = malloc(sizeof(*codec));
	const uint8_t *rec = cur.p, *ts, *out;
	size_t rlen, tslen, olen;
	int rc = 0;

	if (!codec)
		return -ENOMEM;
	ring_codec__reset(codec);
	while ((rlen = active_next(&cur, &ts, &tslen))) {
		struct codec_cursor one = { rec, rec + rlen };

		if (decode_rec(rr, codec, &one, &one, whole, &out, &olen) || one.p != one.end)
			break;
		rc = fn(out, olen, c, ctx);
		if (rc)
			break;
		rec = cur.p;
	}
	free(codec);
	if (!rc && cur.p != cur.end) {
		warnf(rr, "active chunk %llu: bad record at byte %zu of %u (torn write); rest skipped",
		      (unsigned long long)c->seq, (size_t)(cur.p - rr->rbuf), len);
		rc = -EBADMSG;
	}
	return rc;
}

static int decode_stream(struct ring_reader *rr, const struct ring_chunk *c,
			 struct codec_cursor *a, struct codec_cursor *b, uint32_t expect,
			 uint64_t whole, ring_rec_fn fn, void *ctx)
{
	struct ring_codec *codec = malloc(sizeof(*codec));
	uint32_t got = 0;
	int rc = 0;

	if (!codec)
		return -ENOMEM;
	ring_codec__reset(codec);
	while (a->p < a->end) {
		const uint8_t *out;
		size_t len;

		if (decode_rec(rr, codec, a, b, whole, &out, &len)) {
			rc = -EBADMSG;
			break;
		}
		got++;
		rc = fn(out, len, c, ctx);
		if (rc)
			break;
	}
	free(codec);
	if (rc == 0 && expect && (got != expect || b->p != b->end))
		rc = -EBADMSG;
	return rc;
}

int ring_reader__decode(struct ring_reader *rr, const struct ring_chunk *c, ring_rec_fn fn,
			void *ctx)
{
	return ring_reader__decode_types(rr, c, RING_ALL_TYPES, fn, ctx);
}

int ring_reader__decode_types(struct ring_reader *rr, const struct ring_chunk *c, uint64_t whole,
			      ring_rec_fn fn, void *ctx)
{
	struct codec_cursor a, b;
	struct ring_chunk sealed;
	uint32_t len = 0;
	int rc;

	if (c->state == RING_CHUNK_ACTIVE) {
		struct ring_chunk live = *c;

		rc = read_active(rr, &live, &len);
		if (rc == -ESTALE) {
			/*
			 * Sealed since the scan (a live ring): the writer sealed
			 * it into the slot of its sequence number, with every
			 * record the scan saw and the ones appended since.
			 */
			sealed = *c;
			sealed.state = RING_CHUNK_SEALED;
			sealed.slot = c->seq % rr->info.nslots;
			c = &sealed;
		} else if (rc) {
			warnf(rr, "active chunk %llu: unreadable; skipped", (unsigned long long)c->seq);
			return rc;
		} else {
			return decode_active(rr, c, len, whole, fn, ctx);
		}
	}

	uint64_t off = RING_HDR_SIZE + (uint64_t)(1 + c->slot) * rr->info.chunk_size;
	uint8_t p[RING_CHUNK_HDR_SIZE];
	struct chdr h;

	if (rd(rr, off, p, sizeof(p)))
		memset(p, 0, sizeof(p));
	chdr_get(p, &h);
	if (h.magic != CH_SEALED || h.seq != c->seq || chdr_check_sealed(&h, p, rr->cap)) {
		warnf(rr, "chunk %llu: overwritten or corrupt since the scan; skipped",
		      (unsigned long long)c->seq);
		return -EBADMSG;
	}
	if (rd(rr, off + RING_CHUNK_HDR_SIZE, rr->sbuf, h.stored_len)) {
		warnf(rr, "chunk %llu (slot %u): cut short by the end of the file; skipped",
		      (unsigned long long)c->seq, c->slot);
		return -EBADMSG;
	}
	if (sigrec_crc32c(0, rr->sbuf, h.stored_len) != h.pcrc) {
		warnf(rr, "chunk %llu (slot %u): payload checksum mismatch; skipped",
		      (unsigned long long)c->seq, c->slot);
		return -EBADMSG;
	}
	if (h.raw_len > rr->len * 255) {
		warnf(rr, "chunk %llu (slot %u): impossible length; skipped",
		      (unsigned long long)c->seq, c->slot);
		return -EBADMSG;
	}
	if (h.codec == CODEC_LZ4) {
		int n = LZ4_decompress_safe((const char *)rr->sbuf, (char *)rr->rbuf,
					    h.stored_len, h.raw_len);
		if (n < 0 || (uint32_t)n != h.raw_len) {
			warnf(rr, "chunk %llu (slot %u): LZ4 data corrupt; skipped",
			      (unsigned long long)c->seq, c->slot);
			return -EBADMSG;
		}
	} else {
		memcpy(rr->rbuf, rr->sbuf, h.raw_len);
	}
	a = (struct codec_cursor){ rr->rbuf, rr->rbuf + h.split };
	b = (struct codec_cursor){ rr->rbuf + h.split, rr->rbuf + h.raw_len };
	rc = decode_stream(rr, c, &a, &b, h.nrec, whole, fn, ctx);
	if (rc == -EBADMSG)
		warnf(rr, "chunk %llu (slot %u): bad record stream; rest of chunk skipped",
		      (unsigned long long)c->seq, c->slot);
	return rc;
}

void ring_reader__close(struct ring_reader *rr)
{
	if (!rr)
		return;
	if (rr->fd >= 0)
		close(rr->fd);
	free(rr->chunks);
	free(rr->sbuf);
	free(rr->rbuf);
	free(rr->obuf);
	free(rr->warn);
	free(rr->owned);
	free(rr);
}

/* ---- any input: a ring, or a packed export (unpacked by ring_pack.c) ---- */

struct ring_reader *ring_reader__open_mem_any(const void *buf, size_t len, struct sigrec_err *err)
{
	struct ring_reader *rr;
	uint8_t *img;
	size_t ilen;
	int rc;

	if (len < 4 || le32(buf) != LZ4F_MAGIC)
		return ring_reader__open_mem(buf, len, err);
	err->msg[0] = 0;
	rc = unpack(buf, len, &img, &ilen, err);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	rr = ring_reader__open_mem(img, ilen, err);
	if (!rr) {
		free(img);
		return NULL;
	}
	rr->owned = img;
	return rr;
}

struct ring_reader *ring_reader__open_any(const char *path, struct sigrec_err *err)
{
	uint8_t magic[4] = { 0 }, *packed;
	struct ring_reader *rr;
	size_t plen;
	int fd = open_input(path, err), rc;

	if (fd < 0)
		return NULL;
	if (pread(fd, magic, 4, 0) != 4 || le32(magic) != LZ4F_MAGIC)
		return reader_from_fd(fd, err);
	err->msg[0] = 0;
	rc = read_fd(fd, path, &packed, &plen, RING_PACKED_MAX, err);
	close(fd);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	rr = ring_reader__open_mem_any(packed, plen, err);	/* unpacks into its own memory */
	free(packed);
	return rr;
}
