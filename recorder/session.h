/* SPDX-License-Identifier: MIT */
/*
 * session.h - one recording session: the records the capture hands over go
 * to the ring (with the process descriptions each chunk needs), to pstore,
 * the metrics and the journal, until a stop is asked for.
 */
#ifndef SIGREC_SESSION_H
#define SIGREC_SESSION_H

#include <signal.h>
#include <stdint.h>
#include "capture.h"
#include "env.h"
#include "sigrec.h"

struct ring;
struct pstore_writer;
struct model;
struct metrics;
struct journal;
struct rec_stacks;

/*
 * Ring writes that fail (a full or failing disk).  The first failure of
 * each kind is said at once, then at most once a minute; the records lost
 * are written into the recording as a lost record when writing works again.
 */
enum { W_APPEND, W_SYNC, W_SEAL, W_KINDS };

struct wfail {
	uint64_t n;			/* failures (append: records lost) since it last worked */
	uint64_t first_ts, last_ts;	/* CLOCK_BOOTTIME of the first and last */
	uint64_t said;			/* CLOCK_BOOTTIME it was last said */
};

#define SESSION_RECENT_BITS	4
#define SESSION_RECENT	(1 << SESSION_RECENT_BITS)

struct run {
	struct ring *ring;
	struct pstore_writer *pstore;
	struct ring_boot boot;
	struct model *procs;	/* live process table, fed by the records */
	/* identities recent signals named whose processes the active chunk
	 * describes, and the table has taken in: a storm among them skips the
	 * table entirely (session.c, recent) */
	struct recent_task {
		struct sigrec_task t;
		uint64_t seq, epoch;	/* the chunk, and the table's epoch */
	} recent[SESSION_RECENT];
	uint64_t epoch;		/* bumped by every record the table takes but a signal */
	uint64_t records, errors, lost, exits;
	struct wfail wf[W_KINDS];	/* ring writes that failed, by kind */
	struct metrics *metrics;	/* --metrics-file, or NULL */
	struct journal *journal;	/* --journal, or NULL */
	int metrics_failed;		/* the last write failed (said once) */
	uint64_t fatal_mask[2];		/* signals counted by victim unit */
	struct rec_stacks *stacks;	/* stacks waiting for their signals */
};

/* Set by session__on_stop (SIGINT, SIGTERM): the loop ends, the ring is sealed. */
void session__on_stop(int sig);
/* The capture's callback: one record from the kernel (or the recorder). */
int session__on_record(void *ctx, void *data, size_t len);
/* The start record; again: SIGREC_START_AGAIN for the periodic repeats. */
void session__write_start(struct run *run, const struct env *e, const struct capture *cap,
			  uint32_t again);
/* The live process table into the ring. */
void session__snapshot(struct run *run);
/* --metrics-file: first write now; dir gets the directory Landlock must leave writable. */
int session__setup_metrics(const struct env *e, struct run *run, const struct capture *cap,
			   char *dir, size_t dirlen);
void session__write_metrics(const struct env *e, struct run *run, int up);
/* Record until stopped: EXIT_OK, EXIT_RUNTIME, or EXIT_RING_GONE (SIGBUS on the ring). */
int session__record(const struct env *e, struct run *run, struct capture *cap);

#endif
