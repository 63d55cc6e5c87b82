// SPDX-License-Identifier: MIT
/*
 * ring_write.c - the ring file's writer: creating and taking over a file,
 * the active chunk, sealing, recovery after a crash.  Byte layout and the
 * commit protocol are specified in docs/FORMAT.md; keep the two in step.
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
	uint32_t alen, blen;	/* the active chunk's records split as they come (seal_payload) */
	int cbuf_len;
	uint8_t enc[RING_MAX_ENCODED];	/* a record and its check */
};

static void active_commit(struct ring *r)
{
	uint8_t *p = r->active;

	put64(p + CH_FIRST_TS, r->ah.first_ts);
	put64(p + CH_LAST_TS, r->ah.last_ts);
	put32(p + CH_NREC, r->ah.nrec);
	/* raw_len last: a reader trusts bytes below it */
	__atomic_store_n((uint32_t *)(p + CH_RAW_LEN), htole32(r->ah.raw_len), __ATOMIC_RELEASE);
}

static void active_start(struct ring *r, uint64_t seq)
{
	uint8_t *p = r->active;

	put32(p + CH_RAW_LEN, 0);	/* empty first: a kill now leaves nothing to re-seal */
	memset(&r->ah, 0, sizeof(r->ah));
	r->ah.magic = CH_ACTIVE;
	r->ah.version = CH_VERSION;
	r->ah.seq = seq;
	r->ah.boot = r->boot;
	chdr_put(p, &r->ah);
	put32(p + CH_MAGIC, CH_ACTIVE);
	put32(p + CH_HEADER_CRC, chdr_crc(p, CH_ACTIVE));
	ring_codec__reset(&r->codec);
	r->alen = 0;
	r->blen = 0;
}

static uint64_t slot_off(const struct ring *r, uint64_t seq)
{
	return RING_HDR_SIZE + (uint64_t)(1 + seq % r->nslots) * r->chunk_size;
}

int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
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
 * the active slot for the next start to seal again.  raw is NULL for the
 * active chunk this writer filled: ring__append split its records as they
 * came (r->abuf, r->bbuf); an active chunk found on opening is split here,
 * whole records only (salvage after a tear).
 */
static int seal_payload(struct ring *r, struct chdr *h, const uint8_t *raw)
{
	uint32_t alen = r->alen, blen = r->blen, nrec = h->nrec;
	uint64_t off = slot_off(r, h->seq);
	uint8_t hdr[RING_CHUNK_HDR_SIZE] = { 0 }, magic[4];
	const uint8_t *payload;
	int clen, rc;

	if (raw)
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
	put32(hdr + CH_HEADER_CRC, chdr_crc(hdr, CH_SEALED));
	put32(magic, CH_SEALED);
	rc = pwrite_all(r->fd, hdr, CH_VERSION_OFF, off);	/* the magic is still zero */
	if (!rc)
		rc = pwrite_all(r->fd, payload, h->stored_len, off + RING_CHUNK_HDR_SIZE);
	if (!rc)
		rc = pwrite_all(r->fd, hdr + CH_VERSION_OFF, RING_CHUNK_HDR_SIZE - CH_VERSION_OFF,
				 off + CH_VERSION_OFF);
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
	rc = seal_payload(r, &r->ah, NULL);
	if (rc)
		return rc;
	active_start(r, r->ah.seq + 1);
	return 0;
}

int ring__append(struct ring *r, const void *rec, size_t len)
{
	uint8_t *dst;
	uint64_t ts;
	int n, tsl;

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
	/* the sealed form, split now: type and words, then all but the time
	 * varint (the structure), and the time varint (the times) */
	tsl = codec_varint_len(r->enc + 2);
	memcpy(r->abuf + r->alen, r->enc, 2);
	memcpy(r->abuf + r->alen + 2, r->enc + 2 + tsl, n - 2 - tsl);
	r->alen += n - tsl;
	memcpy(r->bbuf + r->blen, r->enc + 2, tsl);
	r->blen += tsl;
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
static int lock_file(int fd, const char *path, struct sigrec_err *err)
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
			struct ring_info *i, uint8_t *hdr, struct sigrec_err *err)
{
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
	i->created_ns = clock_ns(CLOCK_REALTIME);
	memcpy(i->created_boot, boot->boot_id, 16);
	fhdr_put(hdr, i);
	return 0;
}

/* Make the new, empty file behind fd (called name in messages) a ring. */
static int format_fd(int fd, const char *name, const struct ring_opts *o,
		     const struct ring_boot *boot, struct sigrec_err *err)
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
		       struct sigrec_err *err)
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
				   const struct ring_boot *boot, struct sigrec_err *err)
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
			       const struct ring_boot *boot, struct sigrec_err *err)
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
			     const struct ring_boot *boot, struct sigrec_err *err)
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

