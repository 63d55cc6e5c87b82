// SPDX-License-Identifier: MIT
/*
 * ring.c - the ring file: header, chunk slots, sealing, recovery, reading.
 * Byte layout and the commit protocol are specified in docs/FORMAT.md;
 * keep the two in step.
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
#include "codec.h"
#include "ring.h"
#include "util.h"

static const uint8_t FILE_MAGIC[8] = { 'S', 'I', 'G', 'R', 'E', 'C', 'R', 'G' };
#define CH_SEALED	0x4b435253U	/* "SRCK" little-endian */
#define CH_ACTIVE	0x41435253U	/* "SRCA" */
#define CH_VERSION	1
#define CODEC_RAW	0
#define CODEC_LZ4	1
#define FH_CRC_OFF	60
#define CH_ACTIVE_CRC_LEN 40
#define CH_CRC_OFF	76
#define MAX_WARN	(32 << 10)

/* ---- little-endian access ---- */

static uint16_t le16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

static void seterr(struct ring_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* ---- file header ---- */

static void fhdr_put(uint8_t *p, const struct ring_info *i)
{
	memset(p, 0, RING_HDR_SIZE);
	memcpy(p, FILE_MAGIC, 8);
	put16(p + 8, i->major);
	put16(p + 10, i->minor);
	put32(p + 12, RING_HDR_SIZE);
	put32(p + 16, i->chunk_size);
	put32(p + 20, i->nslots);
	put64(p + 24, i->file_size);
	put64(p + 32, (uint64_t)i->created_ns);
	memcpy(p + 40, i->created_boot, 16);
	put32(p + 56, 0);
	put32(p + FH_CRC_OFF, sigrec_crc32c(0, p, FH_CRC_OFF));
}

/* Validation order: size, magic, version, reserved, checksum, geometry. */
static int fhdr_parse(const uint8_t *p, size_t len, uint64_t actual, int allow_short,
		      struct ring_info *i, struct ring_err *err)
{
	uint64_t need;

	if (len < 64) {
		seterr(err, "not a sigrec ring (only %zu bytes)", len);
		return -EBADMSG;
	}
	if (memcmp(p, FILE_MAGIC, 8)) {
		seterr(err, "not a sigrec ring (bad magic)");
		return -EBADMSG;
	}
	i->major = le16(p + 8);
	i->minor = le16(p + 10);
	if (i->major != RING_MAJOR) {
		seterr(err, "ring format version %u.%u is not supported (this build reads %u.x)%s",
		       i->major, i->minor, RING_MAJOR,
		       i->major > RING_MAJOR ? "; upgrade sigrec" : "");
		return -ENOTSUP;
	}
	if (le32(p + 56)) {
		seterr(err, "ring header has unknown flags 0x%x", le32(p + 56));
		return -ENOTSUP;
	}
	if (sigrec_crc32c(0, p, FH_CRC_OFF) != le32(p + FH_CRC_OFF)) {
		seterr(err, "ring header checksum mismatch (corrupt header)");
		return -EBADMSG;
	}
	i->chunk_size = le32(p + 16);
	i->nslots = le32(p + 20);
	i->file_size = le64(p + 24);
	i->created_ns = (int64_t)le64(p + 32);
	memcpy(i->created_boot, p + 40, 16);
	need = RING_HDR_SIZE + ((uint64_t)i->nslots + 1) * i->chunk_size;
	if (le32(p + 12) != RING_HDR_SIZE || i->file_size > RING_MAX_SIZE ||
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

struct chdr {
	uint32_t magic;
	uint8_t version, codec;
	uint16_t flags;
	uint64_t seq;
	struct ring_boot boot;
	uint64_t first_ts, last_ts;
	uint32_t nrec, raw_len, split, stored_len, pcrc, hcrc;
};

static void chdr_get(const uint8_t *p, struct chdr *h)
{
	h->magic = le32(p);
	h->version = p[4];
	h->codec = p[5];
	h->flags = le16(p + 6);
	h->seq = le64(p + 8);
	memcpy(h->boot.boot_id, p + 16, 16);
	h->boot.clock_offset = (int64_t)le64(p + 32);
	h->first_ts = le64(p + 40);
	h->last_ts = le64(p + 48);
	h->nrec = le32(p + 56);
	h->raw_len = le32(p + 60);
	h->split = le32(p + 64);
	h->stored_len = le32(p + 68);
	h->pcrc = le32(p + 72);
	h->hcrc = le32(p + 76);
}

/* Writes everything but the magic, which the caller writes last. */
static void chdr_put(uint8_t *p, const struct chdr *h)
{
	memset(p + 4, 0, RING_CHUNK_HDR_SIZE - 4);
	p[4] = h->version;
	p[5] = h->codec;
	put16(p + 6, h->flags);
	put64(p + 8, h->seq);
	memcpy(p + 16, h->boot.boot_id, 16);
	put64(p + 32, (uint64_t)h->boot.clock_offset);
	put64(p + 40, h->first_ts);
	put64(p + 48, h->last_ts);
	put32(p + 56, h->nrec);
	put32(p + 60, h->raw_len);
	put32(p + 64, h->split);
	put32(p + 68, h->stored_len);
	put32(p + 72, h->pcrc);
}

static uint32_t chdr_crc(const uint8_t *p, uint32_t magic)
{
	uint8_t tmp[CH_CRC_OFF];

	memcpy(tmp, p, CH_CRC_OFF);
	put32(tmp, magic);
	return sigrec_crc32c(0, tmp, magic == CH_ACTIVE ? CH_ACTIVE_CRC_LEN : CH_CRC_OFF);
}

/* A sealed header that is self-consistent for a slot of payload capacity cap. */
static const char *chdr_check_sealed(const struct chdr *h, const uint8_t *p, uint32_t cap)
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
static size_t active_next(struct codec_cursor *cur, const uint8_t **ts, size_t *tslen)
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
static void stream_split(const uint8_t *raw, uint32_t len, uint8_t *a, uint32_t *alen,
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

/* ---- writer ---- */

struct ring {
	int fd;
	uint8_t *map;
	size_t maplen;
	uint64_t size;
	uint32_t chunk_size, nslots, cap;
	uint8_t *active;	/* header of the active slot */
	struct chdr ah;		/* the active chunk's header in memory */
	struct ring_boot boot;
	struct ring_codec codec;
	uint8_t *abuf, *bbuf, *cbuf;
	int cbuf_len;
	uint8_t enc[RING_MAX_ENCODED + 4];	/* a record and its check */
};

static void active_commit(struct ring *r)
{
	uint8_t *p = r->active;

	put64(p + 40, r->ah.first_ts);
	put64(p + 48, r->ah.last_ts);
	put32(p + 56, r->ah.nrec);
	/* raw_len last: a reader trusts bytes below it */
	__atomic_store_n((uint32_t *)(p + 60), htole32(r->ah.raw_len), __ATOMIC_RELEASE);
}

static void active_start(struct ring *r, uint64_t seq)
{
	uint8_t *p = r->active;

	put32(p + 60, 0);	/* empty first: a kill now leaves nothing to re-seal */
	memset(&r->ah, 0, sizeof(r->ah));
	r->ah.magic = CH_ACTIVE;
	r->ah.version = CH_VERSION;
	r->ah.seq = seq;
	r->ah.boot = r->boot;
	chdr_put(p, &r->ah);
	put32(p, CH_ACTIVE);
	put32(p + CH_CRC_OFF, chdr_crc(p, CH_ACTIVE));
	ring_codec__reset(&r->codec);
}

static uint64_t slot_off(const struct ring *r, uint64_t seq)
{
	return RING_HDR_SIZE + (uint64_t)(1 + seq % r->nslots) * r->chunk_size;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Compress and store h's interleaved payload raw[0..h->raw_len) as chunk
 * h->seq.  Order: invalidate the slot's magic, payload, header, magic: a
 * seal cut short leaves a slot that readers skip, and the data is still in
 * the active slot for the next start to seal again.
 */
static int seal_payload(struct ring *r, struct chdr *h, const uint8_t *raw)
{
	uint32_t alen, blen, nrec;
	uint64_t off = slot_off(r, h->seq);
	uint8_t hdr[RING_CHUNK_HDR_SIZE] = { 0 }, magic[4];
	const uint8_t *payload;
	int clen, rc;

	stream_split(raw, h->raw_len, r->abuf, &alen, r->bbuf, &blen, &nrec);
	memcpy(r->abuf + alen, r->bbuf, blen);
	h->raw_len = alen + blen;
	h->split = alen;
	h->nrec = nrec;
	if (!nrec)
		return 0;
	clen = LZ4_compress_default((const char *)r->abuf, (char *)r->cbuf, h->raw_len,
				    r->cbuf_len);
	if (clen > 0 && (uint32_t)clen < h->raw_len) {
		h->codec = CODEC_LZ4;
		h->stored_len = clen;
		payload = r->cbuf;
	} else {
		h->codec = CODEC_RAW;
		h->stored_len = h->raw_len;
		payload = r->abuf;
	}
	h->version = CH_VERSION;
	h->flags = 0;
	h->pcrc = sigrec_crc32c(0, payload, h->stored_len);
	chdr_put(hdr, h);
	put32(hdr + CH_CRC_OFF, chdr_crc(hdr, CH_SEALED));
	put32(magic, CH_SEALED);
	rc = pwrite_all(r->fd, hdr, 4, off);	/* hdr[0..4) is still zero */
	if (!rc)
		rc = pwrite_all(r->fd, payload, h->stored_len, off + RING_CHUNK_HDR_SIZE);
	if (!rc)
		rc = pwrite_all(r->fd, hdr + 4, RING_CHUNK_HDR_SIZE - 4, off + 4);
	if (!rc)
		rc = pwrite_all(r->fd, magic, 4, off);
	if (!rc)
		sync_file_range(r->fd, off, r->chunk_size, SYNC_FILE_RANGE_WRITE);
	return rc;
}

int ring__seal(struct ring *r)
{
	int rc;

	if (!r->ah.nrec)
		return 0;
	rc = seal_payload(r, &r->ah, r->active + RING_CHUNK_HDR_SIZE);
	if (rc)
		return rc;
	active_start(r, r->ah.seq + 1);
	return 0;
}

int ring__append(struct ring *r, const void *rec, size_t len)
{
	uint8_t *dst;
	uint64_t ts;
	int n;

	if (len < 16 || len > RING_MAX_RECORD || len % 8)
		return -EINVAL;
	/* worst case: type, words, ts varint, mask, 10 bytes per word, check */
	if (r->ah.raw_len + 2 + 10 + 32 + (len / 8) * 10 + 4 > r->cap) {
		n = ring__seal(r);
		if (n)
			return n;
	}
	n = ring_codec__encode(&r->codec, rec, len, r->enc);
	if (n < 0)
		return n;
	dst = r->active + RING_CHUNK_HDR_SIZE + r->ah.raw_len;
	put32(r->enc + n, sigrec_crc32c(0, r->enc, n));
	memcpy(dst, r->enc, n + 4);
	n += 4;
	memcpy(&ts, (const uint8_t *)rec + 8, 8);
	ts = le64toh(ts);
	if (!r->ah.nrec || ts < r->ah.first_ts)
		r->ah.first_ts = ts;
	if (ts > r->ah.last_ts)
		r->ah.last_ts = ts;
	r->ah.nrec++;
	r->ah.raw_len += n;
	active_commit(r);
	return 0;
}

int ring__set_boot(struct ring *r, const struct ring_boot *boot)
{
	int rc = ring__seal(r);

	if (rc)
		return rc;
	r->boot = *boot;
	active_start(r, r->ah.seq);
	return 0;
}

int ring__sync(struct ring *r, int wait)
{
	if (msync(r->map, r->maplen, wait ? MS_SYNC : MS_ASYNC))
		return -errno;
	if (wait && fdatasync(r->fd))
		return -errno;
	return 0;
}

uint64_t ring__seq(const struct ring *r)
{
	return r->ah.seq;
}

uint32_t ring__room(const struct ring *r)
{
	return r->cap - r->ah.raw_len;
}

/* The pid holding a flock on the file at (dev, ino), from /proc/locks. */
static int lock_holder(dev_t dev, ino_t ino)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	int pid = 0;

	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long long inode;
		int p;

		if (!strstr(line, "FLOCK") ||
		    sscanf(strstr(line, "FLOCK"), "FLOCK %*s %*s %d %x:%x:%llu", &p, &maj, &min,
			   &inode) != 4)
			continue;
		if (makedev(maj, min) == dev && inode == ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

/*
 * flock, not fcntl: a POSIX record lock is dropped when the process closes
 * any descriptor of the file, and the recorder opens the ring for reading
 * too.  flock belongs to this open file description alone.
 */
static int lock_file(int fd, const char *path, struct ring_err *err)
{
	struct stat st;
	int pid;

	if (!flock(fd, LOCK_EX | LOCK_NB))
		return 0;
	if (errno != EWOULDBLOCK) {
		seterr(err, "cannot lock %s: %s", path, strerror(errno));
		return -errno;
	}
	pid = fstat(fd, &st) ? 0 : lock_holder(st.st_dev, st.st_ino);
	if (pid > 0)
		seterr(err, "%s is in use by another sigrec (pid %d); stop it first", path, pid);
	else
		seterr(err, "%s is in use by another sigrec", path);
	return -EBUSY;
}

static uint32_t pick_chunk(uint64_t size)
{
	uint64_t c = size / 64;

	if (c > (4U << 20))
		c = 4U << 20;
	if (c < RING_MIN_CHUNK)
		c = RING_MIN_CHUNK;
	return c & ~4095ULL;
}

/* Geometry of a new ring of o->size bytes, checked; header bytes in hdr. */
static int new_geometry(const struct ring_opts *o, const struct ring_boot *boot,
			struct ring_info *i, uint8_t *hdr, struct ring_err *err)
{
	struct timespec ts;

	memset(i, 0, sizeof(*i));
	i->major = RING_MAJOR;
	i->minor = RING_MINOR;
	i->file_size = o->size ? o->size : RING_DEFAULT_SIZE;
	if (i->file_size < RING_MIN_SIZE || i->file_size > RING_MAX_SIZE || i->file_size % 4096) {
		seterr(err, "ring size %llu is out of range: use a multiple of 4 KiB up to 1 TiB",
		       (unsigned long long)i->file_size);
		return -EINVAL;
	}
	i->chunk_size = o->chunk_size ? o->chunk_size : pick_chunk(i->file_size);
	if (i->chunk_size < RING_MIN_CHUNK || i->chunk_size > RING_MAX_CHUNK ||
	    i->chunk_size % 4096 || i->file_size < RING_HDR_SIZE + 2ULL * i->chunk_size) {
		seterr(err, "chunk size %u does not fit a ring of %llu bytes", i->chunk_size,
		       (unsigned long long)i->file_size);
		return -EINVAL;
	}
	i->nslots = (i->file_size - RING_HDR_SIZE) / i->chunk_size - 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	i->created_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	memcpy(i->created_boot, boot->boot_id, 16);
	fhdr_put(hdr, i);
	return 0;
}

/* Make the new, empty file behind fd (called name in messages) a ring. */
static int format_fd(int fd, const char *name, const struct ring_opts *o,
		     const struct ring_boot *boot, struct ring_err *err)
{
	uint8_t hdr[RING_HDR_SIZE];
	struct ring_info i;
	int rc;

	rc = new_geometry(o, boot, &i, hdr, err);
	if (rc)
		return rc;
	if (o->gid > 0 && fchown(fd, -1, o->gid)) {
		rc = -errno;
		seterr(err, "cannot give %s to group %d: %s", name, o->gid, strerror(errno));
		return rc;
	}
	rc = posix_fallocate(fd, 0, i.file_size);
	if (rc) {
		seterr(err, "cannot allocate %llu bytes for %s: %s",
		       (unsigned long long)i.file_size, name, strerror(rc));
		return -rc;
	}
	if (pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || fsync(fd)) {
		rc = errno ? -errno : -EIO;
		seterr(err, "cannot write %s: %s", name, strerror(-rc));
		return rc;
	}
	return 0;
}

static int create_file(const char *path, const struct ring_opts *o, const struct ring_boot *boot,
		       struct ring_err *err)
{
	char tmp[4096];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s.new.%d", path, (int)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  o->mode ? o->mode : 0640);
	if (fd < 0) {
		rc = -errno;
		seterr(err, "cannot create %s: %s", tmp, strerror(errno));
		return rc;
	}
	rc = format_fd(fd, path, o, boot, err);
	if (rc)
		goto fail;
	/* link, not rename: never replace a file that appeared meanwhile */
	if (link(tmp, path)) {
		rc = -errno;
		seterr(err, "cannot create %s: %s", path, strerror(errno));
		goto fail;
	}
	unlink(tmp);
	close(fd);
	return 0;
fail:
	unlink(tmp);
	close(fd);
	return rc;
}

/* Seal what a previous run left in the active slot; returns the next seq. */
static uint64_t recover(struct ring *r)
{
	uint64_t max = 0;
	struct chdr h;

	for (uint32_t s = 0; s < r->nslots; s++) {
		uint8_t p[RING_CHUNK_HDR_SIZE];

		if (pread(r->fd, p, sizeof(p), slot_off(r, s)) != (ssize_t)sizeof(p))
			continue;
		chdr_get(p, &h);
		if (h.magic == CH_SEALED && !chdr_check_sealed(&h, p, r->cap) && h.seq > max)
			max = h.seq;
	}
	chdr_get(r->active, &h);
	if (h.magic == CH_ACTIVE && h.version == CH_VERSION &&
	    h.hcrc == chdr_crc(r->active, CH_ACTIVE) && h.seq > max) {
		if (h.raw_len && h.raw_len <= r->cap) {
			/* seal_payload keeps only whole records (salvage after a tear) */
			seal_payload(r, &h, r->active + RING_CHUNK_HDR_SIZE);
			max = h.seq;
		} else if (h.seq > max + 1) {
			max = h.seq - 1;
		}
	}
	return max + 1;
}

/* The writer over fd, a ring file opened read-write (fd is the writer's now). */
static struct ring *writer_from_fd(int fd, const char *path, const struct ring_opts *o,
				   const struct ring_boot *boot, struct ring_err *err)
{
	struct ring *r = calloc(1, sizeof(*r));
	uint8_t hdr[RING_HDR_SIZE];
	struct ring_info i;
	struct stat st;
	int rc = 0;
	ssize_t n;

	if (!r) {
		close(fd);
		seterr(err, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->fd = fd;
	if (fstat(r->fd, &st) || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		seterr(err, "%s is not a regular file; refusing to use it", path);
		goto fail;
	}
	rc = lock_file(r->fd, path, err);
	if (rc)
		goto fail;
	n = pread(r->fd, hdr, sizeof(hdr), 0);
	rc = fhdr_parse(hdr, n < 0 ? 0 : n, st.st_size, 0, &i, err);
	if (rc) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		seterr(err, "%.200s: %.250s; refusing to overwrite it", path, why);
		goto fail;
	}
	if (o->size_given && o->size != i.file_size) {
		rc = -EINVAL;
		seterr(err, "%s is a ring of %llu bytes but --size asks for %llu: omit --size "
		       "(or pass %llu) to keep recording into it, or use a new path",
		       path, (unsigned long long)i.file_size, (unsigned long long)o->size,
		       (unsigned long long)i.file_size);
		goto fail;
	}
	r->size = i.file_size;
	r->chunk_size = i.chunk_size;
	r->nslots = i.nslots;
	r->cap = i.chunk_size - RING_CHUNK_HDR_SIZE;
	r->boot = *boot;
	/* only the active slot is mapped: sealed chunks go through pwrite,
	 * so resident memory does not grow with the ring */
	r->maplen = RING_HDR_SIZE + (size_t)r->chunk_size;
	r->map = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		rc = -errno;
		seterr(err, "cannot map %s: %s", path, strerror(errno));
		goto fail;
	}
	r->active = r->map + RING_HDR_SIZE;
	r->cbuf_len = LZ4_compressBound(r->cap);
	r->abuf = malloc(2 * (size_t)r->cap);
	r->bbuf = malloc(r->cap);
	r->cbuf = malloc(r->cbuf_len);
	if (!r->abuf || !r->bbuf || !r->cbuf) {
		rc = -ENOMEM;
		seterr(err, "out of memory");
		goto fail;
	}
	active_start(r, recover(r));
	return r;
fail:
	ring__close(r);
	errno = -rc;
	return NULL;
}

struct ring *ring__open_writer(const char *path, const struct ring_opts *o,
			       const struct ring_boot *boot, struct ring_err *err)
{
	struct stat st;
	int fd, rc;

	if (stat(path, &st) && errno == ENOENT) {
		rc = create_file(path, o, boot, err);
		if (rc && rc != -EEXIST) {
			errno = -rc;
			return NULL;
		}
	}
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = errno;
		seterr(err, "cannot open %s: %s", path, strerror(rc));
		errno = rc;
		return NULL;
	}
	return writer_from_fd(fd, path, o, boot, err);
}

struct ring *ring__create_fd(int fd, const char *name, const struct ring_opts *o,
			     const struct ring_boot *boot, struct ring_err *err)
{
	struct stat st;
	int rc;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size) {
		seterr(err, "%s is not a new, empty file; refusing to use it", name);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	rc = format_fd(fd, name, o, boot, err);
	if (rc) {
		close(fd);
		errno = -rc;
		return NULL;
	}
	return writer_from_fd(fd, name, o, boot, err);
}

void ring__close(struct ring *r)
{
	if (!r)
		return;
	if (r->map) {
		msync(r->map, r->maplen, MS_SYNC);
		munmap(r->map, r->maplen);
	}
	if (r->fd >= 0)
		close(r->fd);
	free(r->abuf);
	free(r->bbuf);
	free(r->cbuf);
	free(r);
}

/* ---- reader ---- */

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

static struct ring_reader *reader_init(struct ring_reader *rr, struct ring_err *err)
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
static struct ring_reader *reader_from_fd(int fd, struct ring_err *err)
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

/* open_regular with its message in err (which may be NULL). */
static int open_input(const char *path, struct ring_err *err)
{
	struct ring_err local;
	struct ring_err *e = err ? err : &local;
	int fd = open_regular(AT_FDCWD, path, e->msg, sizeof(e->msg));

	if (fd < 0)
		errno = -fd;
	return fd;
}

struct ring_reader *ring_reader__open(const char *path, struct ring_err *err)
{
	int fd = open_input(path, err);

	return fd < 0 ? NULL : reader_from_fd(fd, err);
}

struct ring_reader *ring_reader__open_mem(const void *buf, size_t len, struct ring_err *err)
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
			} else if (h.magic == 0 && !all_zero(p + 4, sizeof(p) - 4)) {
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
static int decode_active(struct ring_reader *rr, const struct ring_chunk *c, uint32_t len,
			 ring_rec_fn fn, void *ctx)
{
	struct codec_cursor cur = { rr->rbuf, rr->rbuf + len };
	struct ring_codec *codec = malloc(sizeof(*codec));
	const uint8_t *rec = cur.p, *ts;
	size_t rlen, tslen, olen;
	int rc = 0;

	if (!codec)
		return -ENOMEM;
	ring_codec__reset(codec);
	while ((rlen = active_next(&cur, &ts, &tslen))) {
		struct codec_cursor one = { rec, rec + rlen };

		if (codec_decode_one(codec, &one, &one, rr->obuf, &olen) || one.p != one.end)
			break;
		rc = fn(rr->obuf, olen, c, ctx);
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
			 ring_rec_fn fn, void *ctx)
{
	struct ring_codec *codec = malloc(sizeof(*codec));
	uint32_t got = 0;
	int rc = 0;

	if (!codec)
		return -ENOMEM;
	ring_codec__reset(codec);
	while (a->p < a->end) {
		size_t len;

		if (codec_decode_one(codec, a, b, rr->obuf, &len)) {
			rc = -EBADMSG;
			break;
		}
		got++;
		rc = fn(rr->obuf, len, c, ctx);
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
	struct codec_cursor a, b;
	uint32_t len = 0;
	int rc;

	if (c->state == RING_CHUNK_ACTIVE) {
		struct ring_chunk live = *c;

		rc = read_active(rr, &live, &len);
		if (rc == -ESTALE)
			return 0;	/* sealed since the scan: caller may rescan */
		if (rc) {
			warnf(rr, "active chunk %llu: unreadable; skipped", (unsigned long long)c->seq);
			return rc;
		}
		return decode_active(rr, c, len, fn, ctx);
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
	rc = decode_stream(rr, c, &a, &b, h.nrec, fn, ctx);
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

/* ---- packed exports ---- */

#define LZ4F_MAGIC 0x184D2204U

/* The whole regular file behind fd (name for messages), if at most max bytes. */
static int read_fd(int fd, const char *name, uint8_t **out, size_t *len, size_t max,
		   struct ring_err *err)
{
	struct stat st;
	uint8_t *buf;

	if (fstat(fd, &st)) {
		int e = errno;

		seterr(err, "cannot read %s: %s", name, strerror(e));
		return -e;
	}
	if ((uint64_t)st.st_size > max) {
		seterr(err, "%s is larger than %zu bytes", name, max);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	for (size_t got = 0; got < (size_t)st.st_size;) {
		ssize_t n = pread(fd, buf + got, st.st_size - got, got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			seterr(err, "cannot read %s: %s", name, n ? strerror(errno) : "cut short");
			free(buf);
			return n ? -errno : -EIO;
		}
		got += n;
	}
	*out = buf;
	*len = st.st_size;
	return 0;
}

/* Unpack an LZ4 frame, never past RING_PACKED_MAX however it claims to be. */
static int unpack(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
		  struct ring_err *err)
{
	LZ4F_dctx *dctx;
	size_t cap = 1 << 20, used = 0, pos = 0, rc = 1;
	uint8_t *buf = malloc(cap);

	if (!buf || LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		free(buf);
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	while (rc && pos < inlen) {
		size_t src = inlen - pos, dst;

		if (used == cap) {
			uint8_t *nb;

			if (cap >= RING_PACKED_MAX) {
				seterr(err, "dump unpacks to more than %llu bytes; refusing",
				       (unsigned long long)RING_PACKED_MAX);
				rc = 0;
				used = 0;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		dst = cap - used;
		rc = LZ4F_decompress(dctx, buf + used, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(rc)) {
			seterr(err, "corrupt dump (LZ4 frame: %s)", LZ4F_getErrorName(rc));
			used = 0;
			break;
		}
		used += dst;
		pos += src;
	}
	LZ4F_freeDecompressionContext(dctx);
	if (!used || rc) {
		if (!err->msg[0])
			seterr(err, "corrupt dump (LZ4 frame cut short)");
		free(buf);
		return -EBADMSG;
	}
	*out = buf;
	*outlen = used;
	return 0;
}

struct ring_reader *ring_reader__open_mem_any(const void *buf, size_t len, struct ring_err *err)
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

struct ring_reader *ring_reader__open_any(const char *path, struct ring_err *err)
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

int ring__pack_fd(int src, const char *name, const char *dst, struct ring_err *err)
{
	LZ4F_preferences_t prefs = { .frameInfo = { .contentChecksumFlag = LZ4F_contentChecksumEnabled } };
	uint8_t *img, *out;
	size_t len, cap, n;
	int fd, rc;

	rc = read_fd(src, name, &img, &len, RING_PACKED_MAX, err);
	if (rc)
		return rc;
	prefs.frameInfo.contentSize = len;
	cap = LZ4F_compressFrameBound(len, &prefs);
	out = malloc(cap);
	if (!out) {
		free(img);
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	n = LZ4F_compressFrame(out, cap, img, len, &prefs);
	free(img);
	if (LZ4F_isError(n)) {
		free(out);
		seterr(err, "cannot compress: %s", LZ4F_getErrorName(n));
		return -EIO;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		seterr(err, "cannot create %s: %s", dst, strerror(errno));
		free(out);
		return rc;
	}
	rc = pwrite_all(fd, out, n, 0);
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	free(out);
	if (rc) {
		unlink(dst);
		seterr(err, "cannot write %s: %s", dst, strerror(-rc));
	}
	return rc;
}

int ring__pack(const char *src, const char *dst, struct ring_err *err)
{
	int fd = open_input(src, err), rc;

	if (fd < 0)
		return fd;
	rc = ring__pack_fd(fd, src, dst, err);
	close(fd);
	return rc;
}
