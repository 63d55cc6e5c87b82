/* SPDX-License-Identifier: MIT */
/*
 * pinset.h - the pinned set: the maps and programs of a capture pinned
 * under /sys/fs/bpf/sigrec/<hash>, so that capture goes on while no
 * recorder runs and the next one takes it over (capture.c decides when).
 * One table in pinset.c names every pinned object; opening, taking from a
 * loaded object, pinning, unpinning and closing all walk it.
 */
#ifndef SIGREC_PINSET_H
#define SIGREC_PINSET_H

#include <stddef.h>
#include <stdint.h>
#include "capture.h"
#include "sigrec.h"

#define PIN_MAX_LINKS	64

struct bpf_link;
struct bpf_object;

/* What a pinned set is made of: its maps and programs by fd, its links. */
struct pinned {
	int events_fd, drops_fd, seen_fd, meta_fd;
	int runs_fd, flush_fd;	/* coalescing state and its flush program (-1: none) */
	size_t runs_size;	/* value size of runs: another version's may differ */
	int sig_fd;		/* the signal program, for its count of skipped runs */
	struct bpf_link *links[PIN_MAX_LINKS];
	const char *link_prog[PIN_MAX_LINKS];	/* a new set's: each link's program (its pin name) */
	int nlinks;
};

/* Where a set's records and drop reports go, and the per-CPU buffers they need. */
struct pin_io {
	int ncpu;
	struct sigrec_drops *now;	/* ncpu */
	struct sigrec_run *runs;	/* ncpu */
	uint64_t opened;		/* CLOCK_BOOTTIME the recorder started */
	uint64_t last_report;		/* CLOCK_BOOTTIME drops were last reported */
	capture_fn fn;
	void *ctx;
};

void pinset_init(struct pinned *s);
/* Take every object pinned in dir by fd (they stay pinned); -ENOENT: incomplete. */
int pinset_open(const char *dir, struct pinned *s);
/* Take a loaded object's maps and programs by fd: the signal program sig_prog, flush_runs if flush. */
int pinset_take(struct pinned *s, struct bpf_object *obj, const char *sig_prog, int flush);
/* Pin s (its links too) in dir, its meta map last: a set without it is incomplete. */
int pinset_pin(const char *dir, const struct pinned *s);
/* Remove the pins; the objects live on while fds hold them. */
void pinset_unpin(const char *dir, const struct pinned *s);
/* Close every fd; destroying the links detaches the programs. */
void pinset_close(struct pinned *s);
int pinset_meta(const struct pinned *s, uint64_t v[SIGREC_META_N]);
size_t pinset_ring_size(const struct pinned *s);

/* Run flush_runs on every CPU whose run holds repeats not yet written. */
void pinset_flush(struct pin_io *io, const struct pinned *s);
/* rbuf_fn for a set's ring buffer (ctx: its pin_io): each record of a sample to io->fn. */
int pinset_sample(void *ctx, void *rec, size_t len);
/* A replaced set: its last records to io. */
void pinset_drain(struct pin_io *io, const struct pinned *s);
/* Drops the kernel counted since they were last reported, as lost records to io. */
int pinset_report_drops(struct pin_io *io, const struct pinned *s);

#endif
