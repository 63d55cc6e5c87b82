/* SPDX-License-Identifier: MIT */
/*
 * capture.h - loads and attaches the BPF programs and hands their records
 * to a callback.  Chooses the syscall hook kind at start: fexit on the
 * kill-family syscalls where the kernel allows it, none otherwise (syscall
 * exit tracepoints when asked for).
 */
#ifndef SIGREC_CAPTURE_H
#define SIGREC_CAPTURE_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

enum capture_hooks_req {
	CAPTURE_HOOKS_AUTO = 0,
	CAPTURE_HOOKS_OFF,
	CAPTURE_HOOKS_FENTRY,
	CAPTURE_HOOKS_TRACEPOINT,
};

/* The parts of a capture: the signal program is the core, the rest optional. */
enum capture_part {
	CAPTURE_SIGNALS,	/* tp_btf/signal_generate */
	CAPTURE_SYSCALL,	/* kill-family hooks: failed attempts, raw arguments */
	CAPTURE_IRQ,		/* irq/softirq/hrtimer entry+exit: interrupt attribution */
	CAPTURE_FORK,
	CAPTURE_EXEC,
	CAPTURE_EXIT,
	CAPTURE_RENAME,
	CAPTURE_OOM,
	CAPTURE_FLUSH,		/* coalescing's flush program */
	CAPTURE_DELIVER,	/* signal_deliver: what the target did with a signal */
	CAPTURE_STACKS,		/* the signal program's stack taking (no program of its own) */
	CAPTURE_NPARTS
};

struct capture_opts {
	uint64_t sig_mask[2];
	uint32_t pid;
	char comm[SIGREC_COMM_LEN];
	int comm_on;
	int failed_only;
	int probes;		/* kill(pid, 0) and kin (needs syscall hooks) */
	int hooks;		/* enum capture_hooks_req */
	int lifecycle;		/* fork/exec/exit/rename/oom */
	uint32_t buffer_bytes;	/* BPF ring buffer size, power of two */
	int exact;		/* no coalescing: one record per signal */
	uint64_t stack_mask;	/* signals whose sender's stack is taken; 0: no stacks */
	int verbose;
	int probe_only;		/* load to see what the kernel takes; attach nothing */
	const char *pin_dir;	/* bpffs directory to pin in; NULL: no pinning */
	const void *last_rec;	/* last BPF record already in the ring (dedup on reuse) */
	size_t last_len;
};

typedef int (*capture_fn)(void *ctx, void *data, size_t len);

struct capture;

struct capture *capture__open(const struct capture_opts *o, capture_fn fn, void *ctx,
			      struct sigrec_err *err);
/* enum sigrec_hooks in use */
int capture__hooks(const struct capture *c);
/* Whether a part runs; its name; the program the kernel refused and why ("" if none). */
int capture__part_on(const struct capture *c, int part);
const char *capture__part_name(int part);
const char *capture__part_refused(const struct capture *c, int part);
/* The signal program variant loaded (how it reads siginfo). */
const char *capture__signal_prog(const struct capture *c);
/* How deliveries are captured: the tp_btf program, or its raw_tp fallback. */
const char *capture__deliver_prog(const struct capture *c);
/* SIGREC_START_NO_* (and _EXACT): what this capture lacks */
uint32_t capture__missing(const struct capture *c);
/* 1 when a pinned set left by an earlier recorder was taken over */
int capture__reused(const struct capture *c);
/*
 * Wait up to timeout_ms for a batch, have the kernel side write the repeats
 * it holds back, then drain.  Returns records or -errno.
 */
int capture__poll(struct capture *c, int timeout_ms);
/* Clean stop: detach and unpin, then have every pending repeat written
 * (a last capture__poll drains them). */
void capture__stop(struct capture *c);
/*
 * Pass a SIGREC_T_LOST record to the callback for each CPU that dropped
 * events since the last report, and one for signals the kernel did not
 * hand to the BPF program (SIGREC_LOST_NESTED).  Returns how many.
 */
int capture__drops(struct capture *c);
/* detach: stop capturing and remove the pins; else leave the pinned set running */
void capture__close(struct capture *c, int detach);

/* Remove a pinned set (its programs detach).  -ENOENT when there is none. */
int capture__unpin(const char *pin_dir);

/* Mount tracefs and bpffs where the recorder needs them and they are absent. */
int capture__mounts(struct sigrec_err *err);

#endif
