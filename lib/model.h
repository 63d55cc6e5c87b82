/* SPDX-License-Identifier: MIT */
/*
 * model.h - the process model: processes keyed by (pid, start time), their
 * command lines, parents and exits, fed from fork/exec/exit/rename/snapshot
 * records and from signal records.  sigdump rebuilds it from a recording;
 * the recorder keeps its live process table in one (model__no_history).
 */
#ifndef SIGREC_MODEL_H
#define SIGREC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

#define MODEL_MAX_ANCESTRY 32
/*
 * Exec images kept to show a process as it was before a later exec: per
 * process and in all (an image is about 650 bytes).  An exec that changes
 * nothing (same comm, program and arguments) keeps no image.
 */
#define MODEL_MAX_EXEC_HISTORY	64
#define MODEL_MAX_HISTORY	65536

struct proc {
	uint32_t pid;
	uint64_t start_ns;
	uint32_t ppid;
	uint64_t pstart_ns;
	uint32_t uid;
	uint32_t ns_pid;
	uint64_t cgroup_id;
	char comm[SIGREC_COMM_LEN];
	char exe[SIGREC_PATH_LEN];
	char cgroup[SIGREC_CGROUP_LEN];
	char argv[SIGREC_ARGV_LEN];	/* NUL-separated */
	uint32_t argv_len;
	uint8_t argv_truncated;
	uint8_t has_parent, has_exit, has_exec, has_start;
	int32_t exit_code;		/* raw wait status */
	uint64_t exit_ts;		/* boottime ns */
	uint64_t exec_ts;
	uint64_t moved_ts;		/* boottime ns it was seen in a new cgroup; 0: never */
	uint64_t first_ts;		/* first record that named it */
	uint64_t mark;			/* recorder: chunk that last got its snapshot */
	struct proc *before_exec;	/* the same process before its last exec */
	uint8_t older_cut;		/* images before this one were not kept */
	uint8_t cut;			/* the process lost exec images (counted once) */
	uint32_t nhist;			/* images behind this one (the live image's count) */
	uint32_t prio;			/* index: tree priority, random */
	struct proc *next;		/* index: hash chain */
	struct proc *left, *right;	/* index: tree ordered by (pid, start) */
};

struct model;

struct model *model__new(void);
void model__free(struct model *m);
/* Keep only each process's latest image (the recorder's live table). */
void model__no_history(struct model *m);
/*
 * Model only the processes whose pid admit(ctx, pid) accepts (set before
 * the first record).  Every record about them is applied as in a model of
 * all processes, so each one's state is exact as long as the admitted
 * pids include every ancestor of an admitted pid (a child starts as a copy
 * of its parent).  A child whose parent is not admitted is known by its
 * identity only.  OOM records are kept whatever their pids.
 */
typedef int (*model_admit_fn)(void *ctx, uint32_t pid);
void model__admit(struct model *m, model_admit_fn admit, void *ctx);
/* Feed one decoded record (any type; unknown types are ignored). */
void model__feed(struct model *m, const void *rec, size_t len);
/* Two start times name the same process (exact ns, or the same /proc tick). */
int model__same_start(uint64_t a, uint64_t b);
/* Process (pid, start); NULL if unknown.  Start compared at clock-tick precision. */
const struct proc *model__get(const struct model *m, uint32_t pid, uint64_t start_ns);
/* The process that had pid at boottime ts (latest start <= ts), or NULL. */
const struct proc *model__at(const struct model *m, uint32_t pid, uint64_t ts);
/* p as it was at boottime ts: its image before any exec after ts. */
const struct proc *model__as_of(const struct proc *p, uint64_t ts);
/*
 * Whether model__as_of(p, ts) had to stop short: p exec'd after ts and its
 * older images were cut by the history bounds, so what it shows is the
 * process after a later exec.
 */
int model__history_cut(const struct proc *as_of, uint64_t ts);
/* Parent of p, or NULL. */
const struct proc *model__parent(const struct model *m, const struct proc *p);
/* Every known process, for --why lookups by name.  Returns count. */
size_t model__all(const struct model *m, const struct proc ***out);
/* Number of OOM victims recorded as killed around ts for pid. */
int model__oom_victim(const struct model *m, uint32_t pid, uint64_t ts,
		      const struct sigrec_oom **oom);

/* Same as model__get, writable (the recorder keeps marks on entries). */
struct proc *model__find(struct model *m, uint32_t pid, uint64_t start_ns);
/* Drop exited processes, oldest exit first, until at most max remain. */
void model__trim(struct model *m, size_t max);
/* A SIGREC_T_PROC record describing p at time ts. */
void model__proc_record(const struct proc *p, uint64_t ts, struct sigrec_proc *out);

/* What the model did and what its bounds cut, for --stats, warnings and tests. */
struct model_stats {
	uint64_t lookups, probes;	/* index lookups, and the entries they looked at */
	uint64_t dropped;		/* processes not modelled: a bound was reached */
	uint64_t execs_cut;		/* exec images not kept */
	uint64_t procs_cut;		/* processes that lost some */
};
void model__stats(const struct model *m, struct model_stats *st);

/*
 * The process a record's task names: by identity (pid and start) when the
 * start is known, else the process that had the pid at ts; NULL if unknown.
 */
const struct proc *model__task(const struct model *m, const struct sigrec_task *t, uint64_t ts);

/*
 * The ancestors of a process as they were at ts, nearest first: at most
 * MODEL_MAX_ANCESTRY of them, ending at pid 1.
 *
 *	struct model_ancestors it;
 *	model__ancestors(&it, m, p, ts);
 *	while ((a = model__next_ancestor(&it)))	(it.depth: 1 for the parent)
 */
struct model_ancestors {
	const struct model *m;
	const struct proc *p;
	uint64_t ts;
	int depth;
};
void model__ancestors(struct model_ancestors *it, const struct model *m, const struct proc *p,
		      uint64_t ts);
const struct proc *model__next_ancestor(struct model_ancestors *it);

/* Command line as one string, arguments joined by spaces. */
void proc_cmdline(const struct proc *p, char *buf, size_t len);

#endif
