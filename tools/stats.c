// SPDX-License-Identifier: MIT
/* stats.c - what a recording holds and lacks: --stats, the lacks line, top senders and
 * targets, the reader's warnings. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump.h"

static const struct {
	uint32_t bits;
	const char *name;
} lack_names[] = {
	{ LACK_FAILED, "failed attempts" },
	{ SIGREC_START_NO_IRQCTX, "interrupt attribution" },
	{ SIGREC_START_NO_LIFECYCLE, "process lifecycle" },	/* all four: one name */
	{ SIGREC_START_NO_FORK, "forks" },
	{ SIGREC_START_NO_EXEC, "execs" },
	{ SIGREC_START_NO_EXIT, "exits" },
	{ SIGREC_START_NO_RENAME, "comm changes" },
	{ SIGREC_START_NO_OOM, "OOM kills" },
	{ SIGREC_START_NO_DELIVER, "deliveries" },
	{ SIGREC_START_NO_STACKS, "stacks" },
};

void dump_note_start(struct stats *st, const void *rec, size_t len)
{
	struct sigrec_start s;

	ring_rec_copy(&s, sizeof(s), rec, len);
	st->lacks |= s.flags & (SIGREC_START_NO_IRQCTX | SIGREC_START_NO_LIFECYCLE |
				SIGREC_START_NO_OOM | SIGREC_START_NO_DELIVER |
				SIGREC_START_NO_STACKS);
	if (s.hooks == SIGREC_HOOKS_NONE)
		st->lacks |= LACK_FAILED;
}

/* Each name of what is lacking, once ("process lifecycle" for all four). */
static void each_lack(uint32_t lacks, void (*fn)(const char *name, int first, void *ctx),
		      void *ctx)
{
	int first = 1;

	for (size_t i = 0; i < sizeof(lack_names) / sizeof(lack_names[0]); i++) {
		if ((lacks & lack_names[i].bits) != lack_names[i].bits)
			continue;
		lacks &= ~lack_names[i].bits;
		fn(lack_names[i].name, first, ctx);
		first = 0;
	}
}

static void lack_text(const char *name, int first, void *ctx)
{
	fprintf(ctx, "%sno %s", first ? "" : ", ", name);
}

static void lack_json(const char *name, int first, void *ctx)
{
	fprintf(ctx, "%s\"%s\"", first ? "" : ",", name);
}

/* "# this recording has no failed attempts, no ..." when something is lacking */
void dump_print_lacks(FILE *f, uint32_t lacks, const char *prefix)
{
	if (!lacks)
		return;
	fprintf(f, "%sthis recording has ", prefix);
	each_lack(lacks, lack_text, f);
	fprintf(f, "\n");
}

/* Count per process (pid, comm) in a small open-addressed table. */
void dump_top_add(struct top *t, const struct sigrec_task *task, uint64_t n)
{
	for (uint32_t i = 0, h = task->pid % TOP_SLOTS; i < TOP_SLOTS; i++, h = (h + 1) % TOP_SLOTS) {
		if (t[h].n && (t[h].pid != task->pid ||
			       strncmp(t[h].comm, task->comm, SIGREC_COMM_LEN)))
			continue;
		if (!t[h].n) {
			t[h].pid = task->pid;
			memcpy(t[h].comm, task->comm, SIGREC_COMM_LEN);
		}
		t[h].n = sat_add_u64(t[h].n, n);
		return;
	}
}

static int by_count(const void *a, const void *b)
{
	const struct top *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void print_top(const char *name, struct top *t)
{
	printf(",\"%s\":[", name);
	qsort(t, TOP_SLOTS, sizeof(*t), by_count);
	for (int i = 0; i < 5 && t[i].n; i++) {
		printf("%s{\"pid\":%u,\"comm\":", i ? "," : "", t[i].pid);
		json_str(stdout, t[i].comm, SIGREC_COMM_LEN);
		printf(",\"signals\":%llu}", (unsigned long long)t[i].n);
	}
	printf("]");
}

void dump_print_stats(struct dump *d, const struct ring_info *ri)
{
	struct stats *s = &d->st;
	struct model_stats ms;
	char a[48] = "", b[48] = "", sb[32];

	if (s->records) {
		fmt_rfc3339(s->oldest, a, sizeof(a));
		fmt_rfc3339(s->newest, b, sizeof(b));
	}
	printf("{\"type\":\"stats\",\"chunks\":%llu,\"sealed_chunks\":%llu,\"records\":%llu,"
	       "\"stored_bytes\":%llu,\"raw_bytes\":%llu,\"signals\":%llu,\"failed\":%llu,"
	       "\"lost\":%llu,\"oldest\":\"%s\",\"newest\":\"%s\",\"by_type\":{",
	       (unsigned long long)s->chunks, (unsigned long long)s->sealed,
	       (unsigned long long)s->records, (unsigned long long)s->stored,
	       (unsigned long long)s->raw, (unsigned long long)s->signals_shown,
	       (unsigned long long)s->failed, (unsigned long long)d->lost, a, b);
	for (int t = 1, first = 1; t <= SIGREC_T_MAX; t++) {
		if (!s->by_type[t])
			continue;
		const struct ring_rec_type *rt = ring_rec_type(t);

		printf("%s\"%s\":%llu", first ? "" : ",", rt ? rt->name : "unknown",
		       (unsigned long long)s->by_type[t]);
		first = 0;
	}
	printf("},\"by_signal\":{");
	for (int g = 1, first = 1; g <= 64; g++) {
		if (!s->by_signal[g])
			continue;
		printf("%s\"%s\":%llu", first ? "" : ",", sig_name(g, sb, sizeof(sb)),
		       (unsigned long long)s->by_signal[g]);
		first = 0;
	}
	printf("}");
	print_top("top_senders", s->senders);
	print_top("top_targets", s->targets);
	printf(",\"missing\":[");
	each_lack(s->lacks, lack_json, stdout);
	printf("]");
	model__stats(d->model, &ms);
	printf(",\"exec_images_cut\":%llu,\"processes_dropped\":%llu",
	       (unsigned long long)ms.execs_cut, (unsigned long long)ms.dropped);
	printf(",\"ring\":{\"file_size\":%llu,\"chunk_size\":%u,\"slots\":%u,"
	       "\"records_per_chunk\":%llu}}\n", (unsigned long long)ri->file_size, ri->chunk_size,
	       ri->nslots, (unsigned long long)(s->chunks ? s->records / s->chunks : 0));
}

/* The reader's warnings, then what the process model's bounds cut. */
void dump_print_warnings(struct ring_reader *rr, const struct model *m)
{
	const char *w = ring_reader__warnings(rr);
	struct model_stats st;

	while (w && *w) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);

		fprintf(stderr, "sigdump: warning: %.*s\n", n, w);
		w += n + (nl ? 1 : 0);
	}
	model__stats(m, &st);
	if (st.execs_cut)
		fprintf(stderr, "sigdump: warning: exec history cut: %llu exec images of %llu "
			"processes not kept (at most %d a process, %d in all); an event before "
			"them shows the process after a later exec, marked exec_history_cut in "
			"JSON and logfmt\n", (unsigned long long)st.execs_cut,
			(unsigned long long)st.procs_cut, MODEL_MAX_EXEC_HISTORY, MODEL_MAX_HISTORY);
	if (st.dropped)
		fprintf(stderr, "sigdump: warning: %llu processes not modelled (the process "
			"table is full); events naming them show only pid and comm\n",
			(unsigned long long)st.dropped);
}
