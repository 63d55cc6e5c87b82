// SPDX-License-Identifier: MIT
/* rbuf.c - reader of the BPF ring buffer (rbuf.h says why not libbpf's). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "rbuf.h"

#define RB_LEN_MASK	(~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT))

int rbuf_open(struct rbuf *rb, int map_fd, size_t size)
{
	/* edge-triggered: the buffer polls readable whenever it holds data;
	 * wake only on the producer's batch wakeups (or the timeout) */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	rb->map_fd = map_fd;
	rb->page = sysconf(_SC_PAGESIZE);
	rb->size = size;
	rb->consumer_pos = mmap(NULL, rb->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (rb->consumer_pos == MAP_FAILED) {
		rb->consumer_pos = NULL;
		return -errno;
	}
	rb->prod_map = mmap(NULL, rb->page + 2 * size, PROT_READ, MAP_SHARED, map_fd, rb->page);
	if (rb->prod_map == MAP_FAILED) {
		rb->prod_map = NULL;
		return -errno;
	}
	rb->producer_pos = rb->prod_map;
	rb->data = (const uint8_t *)rb->prod_map + rb->page;
	rb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epfd < 0 || epoll_ctl(rb->epfd, EPOLL_CTL_ADD, map_fd, &ev))
		return -errno;
	return 0;
}

void rbuf_close(struct rbuf *rb)
{
	if (rb->consumer_pos)
		munmap(rb->consumer_pos, rb->page);
	if (rb->prod_map)
		munmap(rb->prod_map, rb->page + 2 * rb->size);
	if (rb->epfd >= 0)
		close(rb->epfd);
	rb->consumer_pos = NULL;
	rb->prod_map = NULL;
	rb->epfd = -1;
}

/*
 * The record at *pos before prod: its length (and *rec, NULL for a
 * discarded one), *pos moved past it; -1 at the end or at a record still
 * being written.
 */
static long next(const struct rbuf *rb, unsigned long *pos, unsigned long prod, const void **rec)
{
	const uint32_t *hdr;
	uint32_t len;

	if (*pos >= prod)
		return -1;
	hdr = (const uint32_t *)(rb->data + (*pos & (rb->size - 1)));
	len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
	if (len & BPF_RINGBUF_BUSY_BIT)
		return -1;
	*rec = len & BPF_RINGBUF_DISCARD_BIT ? NULL : (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ;
	len &= RB_LEN_MASK;
	*pos += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
	return len;
}

int rbuf_consume(struct rbuf *rb, rbuf_fn fn, void *ctx)
{
	unsigned long cons = __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE);
	unsigned long published = cons;
	const void *rec;
	long len;
	int n = 0;

	/* no re-reading producer_pos in the loop: chasing the producer record
	 * by record would pull its cache line away on every event */
	while ((len = next(rb, &cons, prod, &rec)) >= 0) {
		if (rec) {
			fn(ctx, (void *)rec, len);
			n++;
		}
		if (cons - published >= RBUF_PUBLISH) {
			__atomic_store_n(rb->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
	}
	__atomic_store_n(rb->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

/* The size of the record at p, the first of len bytes: the 16-bit field
 * at offset 2 (struct sigrec_rec_hdr), or len where that cannot be one. */
static size_t piece(const uint8_t *p, size_t len)
{
	uint16_t size;

	if (len < 16)
		return len;
	memcpy(&size, p + 2, sizeof(size));
	return size < 16 || size > len || size % 8 ? len : size;
}

int rbuf_split(void *rec, size_t len, rbuf_fn fn, void *ctx)
{
	uint8_t *p = rec;
	int n = 0;

	while (len) {
		size_t size = piece(p, len);

		fn(ctx, p, size);
		p += size;
		len -= size;
		n++;
	}
	return n;
}

/* Where last ends in the sample rec of rl bytes (0: not in it). */
static size_t end_of(const uint8_t *rec, size_t rl, const void *last, size_t len)
{
	for (size_t off = 0, size; off < rl; off += size) {
		size = piece(rec + off, rl - off);
		if (size == len && !memcmp(rec + off, last, len))
			return off + len;
	}
	return 0;
}

void rbuf_skip_through(struct rbuf *rb, const void *last, size_t len, rbuf_fn fn, void *ctx)
{
	unsigned long pos = __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE);
	const void *rec;
	long rl;
	size_t end;

	if (!last || !len)
		return;
	while ((rl = next(rb, &pos, prod, &rec)) >= 0) {
		if (rec && (end = end_of(rec, rl, last, len))) {
			if (end < (size_t)rl)	/* the rest of a stage */
				fn(ctx, (uint8_t *)rec + end, rl - end);
			__atomic_store_n(rb->consumer_pos, pos, __ATOMIC_RELEASE);
			return;
		}
	}
}
