/* SPDX-License-Identifier: MIT */
/*
 * rbuf.h - reader of the BPF ring buffer (BPF_MAP_TYPE_RINGBUF).  libbpf
 * 1.1's ring_buffer__consume() publishes the consumer position after every
 * record and chases the producer position, so during a storm the producing
 * CPU finds those cache lines owned by the reader on every event
 * (measured: kill() 2x slower).  This reader drains what was there when it
 * woke, publishes its position once per RBUF_PUBLISH bytes, and sleeps
 * until the next batch wakeup.  Layout as in the kernel's ringbuf: a
 * writable consumer page, then a read-only producer page followed by the
 * data area mapped twice; record headers as <linux/bpf.h> defines them.
 */
#ifndef SIGREC_RBUF_H
#define SIGREC_RBUF_H

#include <stddef.h>
#include <stdint.h>

#define RBUF_PUBLISH	(256U << 10)	/* give space back at least this often */

struct rbuf {
	int map_fd, epfd;
	size_t page, size;
	unsigned long *consumer_pos;
	void *prod_map;
	const unsigned long *producer_pos;
	const uint8_t *data;
};

/* fn is called with each record (what it returns is not looked at). */
typedef int (*rbuf_fn)(void *ctx, void *rec, size_t len);

/*
 * Hand each record of a sample to fn: a sample is one record or several
 * back to back (a CPU's stage, bpf/sigrec.h), each sized by the 16-bit
 * field at offset 2 (struct sigrec_rec_hdr); where a size cannot be one
 * (under 16, not a multiple of 8, past the end), the rest goes as it is.
 * Returns the records handed over.
 */
int rbuf_split(void *rec, size_t len, rbuf_fn fn, void *ctx);
int rbuf_open(struct rbuf *rb, int map_fd, size_t size);
void rbuf_close(struct rbuf *rb);
/* Hand every committed record to fn, giving their space back.  Returns records. */
int rbuf_consume(struct rbuf *rb, rbuf_fn fn, void *ctx);
/* Give back every record up to and including the one equal to last (if
 * found); where last is one of several records in a sample, the ones after
 * it go to fn. */
void rbuf_skip_through(struct rbuf *rb, const void *last, size_t len, rbuf_fn fn, void *ctx);

#endif
