/* SPDX-License-Identifier: MIT */
/* output.h - sigdump's renderings of events: human timeline and JSON lines. */
#ifndef SIGREC_OUTPUT_H
#define SIGREC_OUTPUT_H

#include <stdio.h>
#include "model.h"
#include "ring.h"
#include "sigrec.h"

enum out_format {
	OUT_TEXT = 0,
	OUT_JSON,
	OUT_LOGFMT,
};

struct out_opts {
	int format;
	int tree;	/* text: print sender and target ancestry */
	int utc;	/* text: UTC instead of local time */
	int color;	/* text: ANSI colours (a terminal, NO_COLOR unset) */
	int stack;	/* text: stacks and fault sites under the signal line (--stack) */
};

/* A signal record with what the reader knows around it. */
struct ev {
	struct sigrec_signal s;
	int64_t wall_ns;
	uint8_t boot_id[16];
	int oom;			/* cause is the OOM killer */
	struct sigrec_oom oomrec;
	const char *source;		/* pstore file it was read from, or NULL (ring) */
	uint64_t count;			/* a repeat record: signals it stands for; 0: one */
	int64_t to_wall_ns;		/* a repeat record: all of them at or before this */
	int64_t clock_offset;		/* of its chunk (pstore: wall_ns, its ts being 0) */
	int deliver;			/* a delivery (d), not a signal: s is unused */
	struct sigrec_deliver d;
	const struct sigrec_stack *stack;	/* SIGREC_SF_STACK: its frames, or NULL */
};

/* How many signals an event stands for. */
static inline uint64_t ev_count(const struct ev *e)
{
	return e->count ? e->count : 1;
}

/*
 * Whether the signal names its real sender: a task that sent it (a syscall,
 * a fault of its own, the kernel acting for it in task context).  Not for
 * a signal raised from an interrupt (the running task was only hit), nor
 * for the OOM killer's (the allocating task triggered it, the kernel sent
 * it).  Every output names a sender only when this holds.
 */
static inline int ev_real_sender(const struct ev *e)
{
	return !e->oom && (e->s.sflags & SIGREC_SF_SENDER);
}

/* The event of a delivery record, read from a chunk of that clock offset and boot. */
void ev_of_deliver(struct ev *e, const struct sigrec_deliver *d, int64_t clock_offset,
		   const uint8_t boot_id[16]);

void out_signal(FILE *f, const struct out_opts *o, const struct model *m, const struct ev *e);
/* A delivery event (e->deliver): what the target did with a signal. */
void out_deliver(FILE *f, const struct out_opts *o, const struct model *m, const struct ev *e);
/* A lost record from a ring chunk, or (source set) a pstore "suppressed"
 * line at wall time at_ns. */
void out_lost(FILE *f, const struct out_opts *o, const struct sigrec_lost *l,
	      const struct ring_chunk *c, int64_t at_ns, const char *source);
/* An exported dump's host facts: a comment line, or a "host" JSON object. */
void out_host(FILE *f, const struct out_opts *o, const struct sigrec_host *h);
/*
 * The timer that raised s, for the timeline and --why: "timer:
 * setitimer(ITIMER_REAL) or alarm() armed by python3[7601]".  Returns 0
 * (buf untouched) when the record names no timer.
 */
size_t timer_text(char *buf, size_t len, const struct model *m, const struct sigrec_signal *s);

/*
 * Copy for a terminal, cut to whole characters: valid UTF-8 stays, and
 * each control character (C0, DEL, C1, bidi and other invisible format
 * characters) or byte of invalid UTF-8 becomes '?', so a process name or
 * command line cannot drive or disguise the terminal (JSON and logfmt
 * escape instead).  Returns the bytes of src used (fewer than its length
 * when dst was too small).
 */
size_t text_clean(char *dst, size_t len, const char *src, size_t srclen);

/* Names used in both outputs. */
const char *cause_name(int cause);
const char *result_name(int result);
const char *syscall_name(int sc);

/* JSON helpers shared with the --why report */
void json_str(FILE *f, const char *s, size_t maxlen);
/* A logfmt value, quoted and escaped when it has to be. */
void lf_val(FILE *f, const char *s, size_t maxlen);
void json_task(FILE *f, const struct model *m, const struct sigrec_task *t, uint64_t ts,
	       int with_exit, int64_t clock_offset);

/*
 * The container a process's cgroup names, for the timeline:
 * "[containerd:3f2a1b9c0d12]", "[pod 1234abcd…]"; "" when none (or p NULL).
 */
void text_container_tag(char *buf, size_t len, const struct proc *p);
/*
 * Whether the sender (when it sent the signal) or the target of s was, at
 * the event, in a container whose id starts with id and a pod whose UID
 * starts with pod ("": any; see cgroup_id_prefix, cgroup_pod_prefix).
 */
int signal_in_container(const struct model *m, const struct sigrec_signal *s, const char *id,
			const char *pod);

#endif
