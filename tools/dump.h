/* SPDX-License-Identifier: MIT */
/*
 * dump.h - sigdump's state (struct dump) and what its files share: the
 * query, the statistics, the cursor of --follow.  Each function is in the
 * file its name's job says (sigdump.c lists them).
 */
#ifndef SIGREC_DUMP_H
#define SIGREC_DUMP_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "cgroup.h"
#include "export.h"
#include "model.h"
#include "output.h"
#include "perfetto.h"
#include "pstore.h"
#include "ring.h"
#include "stackout.h"
#include "stacks.h"
#include "util.h"
#include "why.h"

#define DEFAULT_RING	"/var/lib/sigrec/sigrec.ring"
/* pstore, systemd-pstore's archive, the ftrace instance sigrec --pstore=ftrace writes */
#define PSTORE_DIRS	"/sys/fs/pstore:/var/lib/systemd/pstore:/sys/kernel/tracing/instances/boot_map"
#define DELAY		64	/* events held back so a later SYSRET can patch them */

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,
};

struct query {
	int64_t since, until;
	uint32_t pid, sender_pid;
	uint64_t sig_mask[2];
	int has_sig;
	char comm[SIGREC_COMM_LEN];
	char sender_comm[SIGREC_COMM_LEN];
	int failed;
	unsigned int causes, results;	/* bit per enum value; 0 = any */
	const char *cgroup;		/* target cgroup path prefix */
	char container[CGROUP_ID_MAX];	/* sender or target container id prefix */
	char pod[CGROUP_UID_MAX];	/* sender or target pod UID prefix */
	const char *boot;		/* current, previous, or a boot id prefix */
	uint8_t boot_id[16];		/* resolved from boot */
	int has_boot;
	const struct model *m;
};

#define TOP_SLOTS 1024

struct top {
	uint32_t pid;
	char comm[SIGREC_COMM_LEN];
	uint64_t n;
};

struct stats {
	uint64_t chunks, sealed, records, stored, raw;
	uint64_t by_signal[65];
	struct top senders[TOP_SLOTS], targets[TOP_SLOTS];
	uint64_t by_type[SIGREC_T_MAX + 1];
	uint64_t signals_shown, failed;
	int64_t oldest, newest;
	uint32_t lacks;		/* LACK_* of the sessions read */
};

/*
 * What a recording lacks, from its start records: the parts the kernel
 * refused or options cut (SIGREC_START_NO_*), and failed attempts where a
 * session had no syscall hooks.
 */
#define LACK_FAILED	0x80000000u

struct dump {
	struct query q;
	int stats;
	const char *why_arg;
	struct why *why;
	const char *export_path;
	int redact;
	int follow, no_pager;
	FILE *pager;
	const char *pstore_dir;		/* --pstore */
	const char *perfetto_path;	/* --perfetto */
	struct perfetto *pf;
	int path_given;
	struct pstore_event *ps;	/* read from pstore, by time */
	size_t nps, cps, ips;
	char query_text[128];
	struct export *x;
	uint64_t x_bytes, x_signals;
	const struct ring_boot *x_boot;
	unsigned int x_boots;
	struct stats st;
	struct out_opts o;
	struct model *model;
	struct needs *needs;		/* --why: the pids its model admits */
	struct ev queue[DELAY];
	size_t qhead, qlen;
	struct symbolizer *sym;		/* stack frames to functions */
	struct stack_store *stacks;	/* the recording's stacks, by id */
	struct { uint32_t cpu; uint64_t ts, id; } held[64];	/* stack records by CPU */
	uint64_t shown, lost;
};

struct cursor {
	uint64_t seq;
	uint32_t done;		/* records of chunk seq already handled */
	uint32_t skip, seen;
	struct dump *d;
	struct model *feed;	/* also feed this model (follow, --why PID: one pass) */
	int count;		/* also count the window's figures (--stats: one pass) */
	const uint64_t *types;	/* per chunk, the types read whole; NULL: by the above */
};

/* Types the output pass reads whole (the others only for their headers). */
#define OUTPUT_TYPES	(RING_TYPE(SIGREC_T_SIGNAL) | RING_TYPE(SIGREC_T_DELIVER) | \
			 RING_TYPE(SIGREC_T_SYSRET) | RING_TYPE(SIGREC_T_HOST) | \
			 RING_TYPE(SIGREC_T_LOST) | RING_TYPE(SIGREC_T_STACK))

void dump_advance(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch, size_t n,
		    struct cursor *cu);
int dump_chunk_in_window(const struct ring_chunk *c, const struct query *q);
void dump_count(struct dump *d, const void *rec, size_t len, const struct ring_chunk *c);
int dump_do_export(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch,
		     size_t n);
void dump_flush_all(struct dump *d);
void dump_flush_pstore(struct dump *d, int64_t wall, const struct ev *e);
int dump_follow(struct dump *d, struct ring_reader *rr, struct cursor *cu);
void dump_needs_free(struct dump *d);
void dump_note_start(struct stats *st, const void *rec, size_t len);
int dump_on_model(const void *rec, size_t len, const struct ring_chunk *c, void *ctx);
int dump_on_output(const void *rec, size_t len, const struct ring_chunk *c, void *ctx);
int dump_parse_args(int argc, char **argv, struct dump *d, const char **path);
int dump_perfetto_begin(struct dump *d);
int dump_perfetto_end(struct dump *d);
void dump_print_lacks(FILE *f, uint32_t lacks, const char *prefix);
void dump_print_stats(struct dump *d, const struct ring_info *ri);
void dump_print_warnings(struct ring_reader *rr, const struct model *m);
int dump_read_pstore(struct dump *d);
int dump_resolve_boot(struct dump *d, const struct ring_chunk *ch, size_t n);
int dump_run_pstore_only(struct dump *d);
pid_t dump_start_pager(void);
void dump_top_add(struct top *t, const struct sigrec_task *task, uint64_t n);
int dump_want(const struct query *q, const struct sigrec_signal *s, int64_t wall);
int dump_want_deliver(const struct query *q, const struct sigrec_deliver *dl, int64_t wall);
int dump_why_model(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch, size_t n);
struct model *dump_why_story(struct dump *d, const uint64_t **types);
void dump_why_finish(struct dump *d);

#endif
