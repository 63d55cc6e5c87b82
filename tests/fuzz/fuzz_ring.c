// SPDX-License-Identifier: MIT
/*
 * fuzz_ring.c - libFuzzer target: the input is a whole ring file image.
 *
 * Each input is read through the public reader API (open, scan twice,
 * decode every chunk) as a memory image (ring_reader__open_mem), and then
 * as a file the way sigdump opens it (ring_reader__open_any on a memfd):
 * an exported dump (LZ4 frame) is unpacked first; any other input is read
 * again with every checksum recomputed, because a random mutation almost
 * never keeps CRC32C right and the interesting code (LZ4, the record
 * streams) lies behind the checksums.  The callback reads every byte of
 * every record (so ASan sees any record that is not really len bytes
 * long) and copies it the way sigdump does.
 *
 * Oracles, besides the sanitizers: records have the shape the reader
 * promises, a sealed chunk that decodes cleanly yields exactly nrec
 * records, read for heads a chunk yields the same records (their first
 * words) or the same refusal, chunks come in sequence order, a callback's stop is obeyed,
 * and the memory the reader holds at its peak is bounded by two chunk
 * buffers plus a small multiple of the image (docs/FORMAT.md: no
 * allocation from an unchecked length field).
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Ibpf -Irecorder
 *        tests/fuzz/fuzz_ring.c lib/{ring,codec,crc32c,util}.c -llz4
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sanitizer/allocator_interface.h>
#include "codec.h"
#include "ring.h"
#include "sigrec.h"

#define ALLOC_SLACK	(4U << 20)	/* warnings, codec state, one record: ~200 KiB */
#define ALLOC_PER_BYTE	16		/* per input byte: the chunk index and the like */
#define LZ4F_MAGIC	0x184D2204U	/* an exported dump (lib/ring.h) */

/* ---- allocation accounting (live bytes while the reader runs) ---- */

static size_t live, peak;
static int armed;

static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (!armed)
		return;
	live += n;
	if (live > peak)
		peak = live;
}

static void on_free(const volatile void *p)
{
	size_t n;

	if (!armed || !p)
		return;
	n = __sanitizer_get_allocated_size((const void *)p);
	live -= n < live ? n : live;	/* freed memory from before arming: clamp */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	return 0;
}

static void die(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_ring: %s (%llu, %llu)\n", what, a, b);
	abort();
}

/* ---- little-endian helpers for the checksum fix-up ---- */

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* ---- the callback: touch every byte, copy like sigdump ---- */

struct seen {
	uint64_t sum;
	uint32_t n;
	uint32_t stop_after;	/* 0: never stop early */
};

static int on_rec(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const uint8_t *p = rec;
	struct seen *s = ctx;
	struct sigrec_signal sig;

	if (len < 16 || len > RING_MAX_RECORD || len % 8)
		die("record of impossible length", len, 0);
	if (p[0] == 0 || p[0] >= RING_MAX_TYPES || (size_t)(p[2] | p[3] << 8) != len)
		die("record with impossible type or size field", p[0], len);
	for (size_t i = 0; i < len; i++)
		s->sum += p[i];
	ring_rec_copy(&sig, sizeof(sig), rec, len);
	s->sum += sig.h.ts + (uint64_t)sig.sig + sig.target.pid + (uint64_t)c->boot.clock_offset;
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 1 : 0;
}

/* A record read for its head: the first words of a record of that size. */
static int on_head(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const uint8_t *p = rec;
	size_t size = p[2] | p[3] << 8;
	struct seen *s = ctx;

	(void)c;
	if (p[0] == SIGREC_T_SIGNAL ? len != size : len != (size < 32 ? size : 32))
		die("head of the wrong length", len, size);
	if (p[0] == 0 || p[0] >= RING_MAX_TYPES || size < 16 || size % 8)
		die("head with impossible type or size field", p[0], size);
	for (size_t i = 0; i < len; i++)
		s->sum += p[i];
	s->n++;
	return 0;
}

/* ---- read one image through the public API ---- */

static void check_chunks(const struct ring_info *info, const struct ring_chunk *ch, size_t n)
{
	if (n > (size_t)info->nslots + 1)
		die("more chunks than slots", n, info->nslots);
	for (size_t i = 0; i < n; i++) {
		if (i && ch[i].seq < ch[i - 1].seq)
			die("chunks out of sequence order", ch[i - 1].seq, ch[i].seq);
		if (ch[i].raw_len > info->chunk_size - RING_CHUNK_HDR_SIZE)
			die("chunk longer than its slot", ch[i].raw_len, info->chunk_size);
		if (ch[i].state == RING_CHUNK_SEALED && ch[i].slot >= info->nslots)
			die("sealed chunk in no slot", ch[i].slot, info->nslots);
	}
}

static void decode_all(struct ring_reader *rr, const struct ring_chunk *ch, size_t n,
		       uint64_t *sum)
{
	for (size_t i = 0; i < n; i++) {
		struct seen s = { 0 };
		int rc = ring_reader__decode(rr, &ch[i], on_rec, &s);

		if (rc && rc != -EBADMSG && rc != -ENOMEM)
			die("decode returned an undocumented error", (unsigned long long)-rc, i);
		struct seen h = { 0 };
		int hrc;

		if (!rc && ch[i].state == RING_CHUNK_SEALED && s.n != ch[i].nrec)
			die("clean sealed chunk with the wrong record count", s.n, ch[i].nrec);
		*sum += s.sum;
		/* read for heads but signals: the same records taken or refused */
		hrc = ring_reader__decode_types(rr, &ch[i], RING_TYPE(SIGREC_T_SIGNAL), on_head, &h);
		if (hrc != rc && rc != -ENOMEM && hrc != -ENOMEM)
			die("heads and whole records decode differently", (unsigned long long)-hrc,
			    (unsigned long long)-rc);
		if (hrc == rc && h.n != s.n && ch[i].state == RING_CHUNK_SEALED)
			die("heads and whole records differ in number", h.n, s.n);
		*sum += h.sum;
	}
	/* a callback's non-zero return stops the decode and comes back as is */
	if (n) {
		struct seen s = { .stop_after = 1 };
		int rc = ring_reader__decode(rr, &ch[n - 1], on_rec, &s);

		if (s.n > 1 || (s.n == 1 && rc != 1))
			die("decode went on after the callback said stop", s.n, (unsigned long long)rc);
	}
}

/* ---- the two ways in: a memory image, or a file as sigdump opens it ---- */

typedef struct ring_reader *(*open_fn)(const uint8_t *data, size_t size, struct sigrec_err *err);

static struct ring_reader *open_mem(const uint8_t *data, size_t size, struct sigrec_err *err)
{
	return ring_reader__open_mem(data, size, err);
}

/*
 * Through a memfd and ring_reader__open_any(), sigdump's entry point: a
 * ring file read with pread, or an exported dump (LZ4 frame) unpacked first.
 */
static struct ring_reader *open_file(const uint8_t *data, size_t size, struct sigrec_err *err)
{
	static int fd = -1;
	char path[64];

	if (fd < 0)
		fd = memfd_create("fuzz_ring", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		die("cannot stage the input in a memfd", size, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return ring_reader__open_any(path, err);
}

static int is_lz4_frame(const uint8_t *data, size_t size)
{
	return size >= 4 && get32(data) == LZ4F_MAGIC;
}

static uint64_t read_image(open_fn opener, const uint8_t *data, size_t size)
{
	struct sigrec_err err = { "" };
	const struct ring_chunk *ch;
	struct ring_reader *rr;
	unsigned int bad = 0;
	uint64_t sum = 0, limit;
	const char *w;
	size_t n = 0;

	live = peak = 0;
	armed = 1;
	rr = opener(data, size, &err);
	if (!rr) {
		armed = 0;
		if (!memchr(err.msg, 0, sizeof(err.msg)))
			die("error message not terminated", 0, 0);
		return 0;
	}
	/* an LZ4 frame unpacks up to 255 times its size, through a doubling buffer */
	limit = 2ULL * ring_reader__info(rr)->chunk_size + ALLOC_SLACK +
		(is_lz4_frame(data, size) ? 4 * 255 : ALLOC_PER_BYTE) * (uint64_t)size;
	/* scan twice: a rescan must release the previous index */
	for (int pass = 0; pass < 2; pass++) {
		if (ring_reader__chunks(rr, &ch, &n, &bad))
			break;
		check_chunks(ring_reader__info(rr), ch, n);
	}
	if (n)
		decode_all(rr, ch, n, &sum);
	w = ring_reader__warnings(rr);
	if (w)
		sum += strlen(w);
	ring_reader__close(rr);
	armed = 0;
	if (peak > limit)
		die("reader held more memory than the image justifies (peak, image bytes)", peak, size);
	return sum;
}

/* ---- checksum fix-up: let mutations reach the payload decoders ---- */

/* Re-sign each record of an interleaved (active) stream, as the writer would. */
static void fix_active_records(uint8_t *p, size_t len)
{
	struct codec_cursor cur = { p, p + len };

	while (cur.p < cur.end) {
		uint8_t *rec = (uint8_t *)cur.p;
		const uint8_t *ts;
		size_t tslen;

		if (codec_split_one(&cur, &ts, &tslen) || cur.end - cur.p < 4)
			return;
		put32((uint8_t *)cur.p, sigrec_crc32c(0, rec, cur.p - rec));
		cur.p += 4;
	}
}

static void fix_slot(uint8_t *s, size_t avail, uint32_t cap)
{
	uint32_t magic = get32(s), len;
	uint8_t tmp[76];

	if (magic == 0x41435253U) {		/* SRCA: active */
		len = get32(s + 60);
		if (len <= cap && len <= avail - RING_CHUNK_HDR_SIZE)
			fix_active_records(s + RING_CHUNK_HDR_SIZE, len);
		put32(s + 76, sigrec_crc32c(0, s, 40));
	} else if (magic == 0x4b435253U) {	/* SRCK: sealed */
		len = get32(s + 68);
		if (len <= cap && len <= avail - RING_CHUNK_HDR_SIZE)
			put32(s + 72, sigrec_crc32c(0, s + RING_CHUNK_HDR_SIZE, len));
		memcpy(tmp, s, sizeof(tmp));
		put32(s + 76, sigrec_crc32c(0, tmp, sizeof(tmp)));
	}
}

/* Returns 0 when the image is not worth a second read (no ring header). */
static int fix_checksums(uint8_t *img, size_t size)
{
	uint32_t chunk;

	if (size < 64 || memcmp(img, "SIGRECRG", 8))
		return 0;
	put32(img + 60, sigrec_crc32c(0, img, 60));
	chunk = get32(img + 16);
	if (chunk < RING_MIN_CHUNK || chunk > RING_MAX_CHUNK || chunk % 4096)
		return 1;
	/* every slot that starts inside the image, active slot first */
	for (uint64_t off = RING_HDR_SIZE; off + RING_CHUNK_HDR_SIZE <= size; off += chunk)
		fix_slot(img + off, size - off, chunk - RING_CHUNK_HDR_SIZE);
	return 1;
}

/* results land here so the compiler cannot drop the reads */
volatile uint64_t fuzz_ring_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	fuzz_ring_sink += read_image(open_mem, data, size);
	if (is_lz4_frame(data, size)) {
		fuzz_ring_sink += read_image(open_file, data, size);
		return 0;
	}
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (fix_checksums(copy, size))
		fuzz_ring_sink += read_image(open_file, copy, size);
	free(copy);
	return 0;
}
