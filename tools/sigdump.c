// SPDX-License-Identifier: MIT
/* sigdump.c - read a sigrec ring: timeline, filters, JSON. */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "output.h"
#include "ring.h"
#include "util.h"
#include "export.h"
#include "pstore.h"
#include "stackout.h"
#include "stacks.h"
#include "why.h"

#define DEFAULT_RING	"/var/lib/sigrec/sigrec.ring"
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
	{ SIGREC_START_NO_STACKS, "stacks" },
};

static void note_start(struct stats *st, const void *rec, size_t len)
{
	struct sigrec_start s;

	ring_rec_copy(&s, sizeof(s), rec, len);
	st->lacks |= s.flags & (SIGREC_START_NO_IRQCTX | SIGREC_START_NO_LIFECYCLE |
				SIGREC_START_NO_OOM | SIGREC_START_NO_STACKS);
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
static void print_lacks(FILE *f, uint32_t lacks, const char *prefix)
{
	if (!lacks)
		return;
	fprintf(f, "%sthis recording has ", prefix);
	each_lack(lacks, lack_text, f);
	fprintf(f, "\n");
}

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
	struct ev queue[DELAY];
	size_t qhead, qlen;
	struct symbolizer *sym;		/* stack frames to functions */
	struct stack_store *stacks;	/* the recording's stacks, by id */
	struct { uint32_t cpu; uint64_t ts, id; } held[64];	/* stack records by CPU */
	uint64_t shown, lost;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sigdump [OPTIONS] [FILE]\n"
"Print the signals recorded by sigrec in FILE (default " DEFAULT_RING ").\n"
"FILE may be a ring being written right now.\n"
"\n"
"Time window:\n"
"      --last DURATION    only the last DURATION (30s, 10m, 2h, 1d)\n"
"      --since TIME       from TIME: RFC 3339, local 'YYYY-MM-DD HH:MM:SS',\n"
"                         or relative ('10m', '10m ago')\n"
"      --until TIME       up to TIME (same forms)\n"
"Filters:\n"
"  -p, --pid PID          signals to process PID (target)\n"
"  -c, --comm NAME        signals to tasks named NAME\n"
"      --sender-pid PID   signals sent by process PID\n"
"  -s, --signal LIST      only these signals (TERM,KILL,9,SIGRTMIN+1)\n"
"      --sender-comm NAME signals sent by tasks named NAME\n"
"      --cause LIST       syscall, kernel, fault, timer, interrupt, oom, user\n"
"      --result LIST      delivered, ignored, already_pending, overflow,\n"
"                         lose_info, failed\n"
"      --failed           only failed attempts and overflows\n"
"      --cgroup PREFIX    signals to processes whose cgroup path starts so\n"
"      --boot BOOT        one boot session: current, previous, or a boot id\n"
"Output:\n"
"  -j, --json             one JSON object per line (schema: docs/OUTPUT.md)\n"
"  -l, --logfmt           one logfmt line per event (dotted keys, for Loki)\n"
"  -f, --follow           keep printing new events as they are recorded\n"
"      --no-pager         never pipe the timeline through $PAGER (less; as root or\n"
"                         under sudo always less, with LESSSECURE=1)\n"
"  -t, --tree             with sender and target ancestry (and stacks)\n"
"      --stack            with the sender's stack and the fault site\n"
"      --debug-dir DIR    binaries and debug files to symbolize stacks with: its\n"
"                         .build-id/xx/yyyy.debug layout, then every file in it\n"
"      --symbolize DIR    the same, for a recording made on another machine\n"
"      --utc              times in UTC (default: local time)\n"
"      --why PID|NAME     the story of one process's end: what it ran, its\n"
"                         parents, every signal it got with the sender's\n"
"                         ancestry, and how it exited (latest match)\n"
"      --pstore[=DIR]     the lines sigrec --pstore left in persistent RAM, read\n"
"                         after a panic or reboot from DIR (/sys/fs/pstore);\n"
"                         with FILE too, merged into its timeline\n"
"      --export FILE      write the window's matching events, the processes they\n"
"                         name and this host's facts to FILE, a small dump that\n"
"                         sigdump reads anywhere (FILE must not exist)\n"
"      --redact           with --export: command lines cut to argv[0], host name\n"
"                         replaced\n"
"      --stats            a summary of the window instead of events: records by\n"
"                         type, failed attempts, lost events, bytes on disk\n"
"  -V, --version\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  sigdump --why nginx                 who killed nginx, and how did it die?\n"
"  sigdump --last 10m                  what happened in the last ten minutes\n"
"  sigdump --pid 4242 --tree           who signalled process 4242, and their parents\n"
"  sigdump --signal KILL,TERM --json   machine-readable, fatal signals only\n"
"  sigdump --failed /tmp/t.ring        failed kill attempts in another ring\n"
"  sigdump --last 1h --export bug.sdump --redact   a dump to attach to a report\n"
"  sigdump bug.sdump                   read a dump (any option works on it)\n"
"\n"
"Exit codes: 0 success (warnings about skipped corrupt chunks go to stderr),\n"
"1 runtime error (or --why found no such process), 2 bad usage, 3 FILE cannot\n"
"be read as a ring.\n");
}

enum { OPT_LAST = 256, OPT_SINCE, OPT_UNTIL, OPT_SENDER, OPT_FAILED, OPT_UTC, OPT_STATS, OPT_WHY,
       OPT_EXPORT, OPT_REDACT, OPT_SENDER_COMM, OPT_CAUSE, OPT_RESULT, OPT_CGROUP, OPT_BOOT,
       OPT_NO_PAGER, OPT_PSTORE, OPT_STACK, OPT_DEBUG_DIR };

static const struct option long_opts[] = {
	{ "last", required_argument, NULL, OPT_LAST },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "sender-pid", required_argument, NULL, OPT_SENDER },
	{ "signal", required_argument, NULL, 's' },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "json", no_argument, NULL, 'j' },
	{ "tree", no_argument, NULL, 't' },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "why", required_argument, NULL, OPT_WHY },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "sender-comm", required_argument, NULL, OPT_SENDER_COMM },
	{ "cause", required_argument, NULL, OPT_CAUSE },
	{ "result", required_argument, NULL, OPT_RESULT },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "logfmt", no_argument, NULL, 'l' },
	{ "follow", no_argument, NULL, 'f' },
	{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
	{ "pstore", optional_argument, NULL, OPT_PSTORE },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "stack", no_argument, NULL, OPT_STACK },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "symbolize", required_argument, NULL, OPT_DEBUG_DIR },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* A comma list of names (by the naming function) into a bit set. */
static int name_set(const char *list, const char *(*name)(int), int max, unsigned int *set)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	*set = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v;

		for (v = 0; v <= max && strcmp(tok, name(v)); v++)
			;
		if (v > max)
			return -EINVAL;
		*set |= 1U << v;
	}
	return *set ? 0 : -EINVAL;
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "sigdump: invalid %s '%s': %s\nTry 'sigdump --help'.\n", opt, val, why);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct dump *d, const char **path)
{
	int64_t now = now_realtime_ns();
	char badtok[64];
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "p:c:s:jltfVh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LAST:
			if (parse_duration(optarg, &v))
				return bad("--last", optarg, "expected a duration such as 10m");
			d->q.since = ns_before(now, v);
			break;
		case OPT_SINCE:
			if (parse_time(optarg, now, &d->q.since))
				return bad("--since", optarg, "expected RFC 3339 time or '10m ago'");
			break;
		case OPT_UNTIL:
			if (parse_time(optarg, now, &d->q.until))
				return bad("--until", optarg, "expected RFC 3339 time or '10m ago'");
			break;
		case 'p':
		case OPT_SENDER:
			if (parse_u64(optarg, 1, 4194304, &v))
				return bad(c == 'p' ? "--pid" : "--sender-pid", optarg,
					   "expected a process id");
			*(c == 'p' ? &d->q.pid : &d->q.sender_pid) = v;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--comm", optarg, "expected 1 to 15 characters");
			strcpy(d->q.comm, optarg);
			break;
		case 's':
			if (sig_parse_list(optarg, d->q.sig_mask, badtok, sizeof(badtok)))
				return bad("--signal", optarg, "unknown signal in list");
			d->q.has_sig = 1;
			break;
		case OPT_FAILED:
			d->q.failed = 1;
			break;
		case 'j':
			d->o.format = OUT_JSON;
			break;
		case 't':
			d->o.tree = 1;
			break;
		case OPT_UTC:
			d->o.utc = 1;
			break;
		case OPT_STATS:
			d->stats = 1;
			break;
		case OPT_EXPORT:
			d->export_path = optarg;
			break;
		case OPT_SENDER_COMM:
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--sender-comm", optarg, "expected 1 to 15 characters");
			strcpy(d->q.sender_comm, optarg);
			break;
		case OPT_CAUSE:
			if (name_set(optarg, cause_name, SIGREC_C_USER, &d->q.causes))
				return bad("--cause", optarg, "expected syscall, kernel, fault, timer, "
					   "interrupt, oom or user");
			break;
		case OPT_RESULT:
			if (name_set(optarg, result_name, SIGREC_R_FAILED, &d->q.results))
				return bad("--result", optarg, "expected delivered, ignored, "
					   "already_pending, overflow, lose_info or failed");
			break;
		case OPT_CGROUP:
			d->q.cgroup = optarg;
			break;
		case OPT_BOOT:
			d->q.boot = optarg;
			break;
		case 'l':
			d->o.format = OUT_LOGFMT;
			break;
		case 'f':
			d->follow = 1;
			break;
		case OPT_NO_PAGER:
			d->no_pager = 1;
			break;
		case OPT_PSTORE:
			d->pstore_dir = optarg ? optarg : "/sys/fs/pstore";
			break;
		case OPT_REDACT:
			d->redact = 1;
			break;
		case OPT_WHY:
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN ||
			    (isdigit((unsigned char)*optarg) && parse_u64(optarg, 1, 4194304, &v)))
				return bad("--why", optarg, "expected a pid or a process name");
			d->why_arg = optarg;
			break;
		case 'V':
			printf("sigdump %s\n", SIGREC_VERSION_STR);
			exit(EXIT_OK);
		case OPT_STACK:
			d->o.stack = 1;
			break;
		case OPT_DEBUG_DIR:
			symbolizer__add_dir(d->sym, optarg);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'sigdump --help'.\n");
			return -EINVAL;
		}
	}
	/* the query, for the dump's host facts */
	for (int i = 1, n = 0; i < optind && n < (int)sizeof(d->query_text) - 1; i++)
		if (strcmp(argv[i], "--export") && (i < 2 || strcmp(argv[i - 1], "--export")))
			n += snprintf(d->query_text + n, sizeof(d->query_text) - n, "%s%s",
				      n ? " " : "", argv[i]);
	if (optind < argc) {
		*path = argv[optind++];
		d->path_given = 1;
	}
	if (optind < argc) {
		fprintf(stderr, "sigdump: unexpected argument '%s'\nTry 'sigdump --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	if (d->redact && !d->export_path) {
		fprintf(stderr, "sigdump: --redact goes with --export\n");
		return -EINVAL;
	}
	if (d->follow && (d->export_path || d->why_arg || d->stats)) {
		fprintf(stderr, "sigdump: --follow does not go with --export, --why or --stats\n");
		return -EINVAL;
	}
	if (d->export_path && (d->why_arg || d->stats)) {
		fprintf(stderr, "sigdump: --export does not go with --why or --stats\n");
		return -EINVAL;
	}
	if (d->q.since > d->q.until) {
		fprintf(stderr, "sigdump: --since is after --until\n");
		return -EINVAL;
	}
	return 0;
}

static int effective_cause(const struct query *q, const struct sigrec_signal *s)
{
	const struct sigrec_oom *oom;

	if (s->sig == 9 && s->cause != SIGREC_C_SYSCALL && q->m &&
	    model__oom_victim(q->m, s->target.pid, s->h.ts, &oom))
		return SIGREC_C_OOM;
	return s->cause;
}

static int cgroup_matches(const struct query *q, const struct sigrec_signal *s)
{
	const struct proc *p = q->m ? model__get(q->m, s->target.pid, s->target.start_ns) : NULL;

	return p && !strncmp(p->cgroup, q->cgroup, strlen(q->cgroup));
}

static int want(const struct query *q, const struct sigrec_signal *s, int64_t wall)
{
	if (wall < q->since || wall > q->until)
		return 0;
	if (q->sender_comm[0] && (!(s->sflags & SIGREC_SF_SENDER) ||
				  strncmp(s->sender.comm, q->sender_comm, SIGREC_COMM_LEN)))
		return 0;
	if (q->causes && !(q->causes & (1U << effective_cause(q, s))))
		return 0;
	if (q->results && !(q->results & (1U << s->result)))
		return 0;
	if (q->cgroup && !cgroup_matches(q, s))
		return 0;
	if (q->pid && s->target.pid != q->pid)
		return 0;
	if (q->sender_pid && (s->sender.pid != q->sender_pid || !(s->sflags & SIGREC_SF_SENDER)))
		return 0;
	if (q->comm[0] && strncmp(s->target.comm, q->comm, SIGREC_COMM_LEN))
		return 0;
	if (q->has_sig) {
		unsigned int n = s->sig - 1;

		if (s->sig < 1 || s->sig > 64 || !((q->sig_mask[n / 64] >> (n % 64)) & 1))
			return 0;
	}
	if (q->failed && s->result != SIGREC_R_FAILED && s->result != SIGREC_R_OVERFLOW)
		return 0;
	return 1;
}

/* Count per process (pid, comm) in a small open-addressed table. */
static void top_add(struct top *t, const struct sigrec_task *task, uint64_t n)
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

/* The same signal, seen by the ring and by pstore. */
static int same_event(const struct pstore_event *p, const struct ev *e)
{
	/* the distance in unsigned arithmetic: exact, whatever the two times */
	uint64_t dt = p->wall_ns > e->wall_ns ? (uint64_t)p->wall_ns - (uint64_t)e->wall_ns
					       : (uint64_t)e->wall_ns - (uint64_t)p->wall_ns;

	return !memcmp(p->boot8, e->boot_id, 4) && p->s.sig == e->s.sig &&
	       p->s.target.pid == e->s.target.pid && dt < 2000;
}

static void show(struct dump *d, const struct ev *e);

/* pstore events due before wall (all when wall is INT64_MAX), minus duplicates of e */
static void flush_pstore(struct dump *d, int64_t wall, const struct ev *e)
{
	while (d->ips < d->nps && d->ps[d->ips].wall_ns <= wall) {
		struct pstore_event *p = &d->ps[d->ips++];
		struct ev pe = { .s = p->s, .wall_ns = p->wall_ns, .oom = p->oom, .source = p->source,
				 .clock_offset = p->wall_ns };	/* its ts is 0 */

		if (p->suppressed) {	/* lines the rate limit dropped: a lost record */
			struct sigrec_lost l = { .h = { .type = SIGREC_T_LOST, .size = sizeof(l) },
						 .count = p->suppressed, .lcpu = UINT32_MAX };
			struct ring_chunk c = { 0 };

			d->lost = sat_add_u64(d->lost, p->suppressed);
			if (!d->stats && !d->why)
				out_lost(stdout, &d->o, &l, &c, p->wall_ns, p->source);
			continue;
		}
		if (e && same_event(p, e))
			continue;
		memcpy(pe.boot_id, p->boot8, 4);
		pe.s.h.ts = 0;
		show(d, &pe);
	}
}

static void flush_one(struct dump *d)
{
	struct ev *e = &d->queue[d->qhead];

	flush_pstore(d, sat_add_i64(e->wall_ns, 2000), e);
	show(d, e);
	d->qhead = (d->qhead + 1) % DELAY;
	d->qlen--;
}

static void show(struct dump *d, const struct ev *e)
{
	if (d->why) {
		why__offer(d->why, e);
	} else if (d->stats) {
		uint64_t n = ev_count(e);

		uint64_t *by = &d->st.by_signal[e->s.sig >= 1 && e->s.sig <= 64 ? e->s.sig : 0];

		d->st.signals_shown = sat_add_u64(d->st.signals_shown, n);
		if (e->s.result == SIGREC_R_FAILED)
			d->st.failed = sat_add_u64(d->st.failed, n);
		*by = sat_add_u64(*by, n);
		if (ev_real_sender(e))
			top_add(d->st.senders, &e->s.sender, n);
		top_add(d->st.targets, &e->s.target, n);
	} else {
		out_signal(stdout, &d->o, d->model, e);
	}
	d->shown++;
}

static void flush_all(struct dump *d)
{
	while (d->qlen)
		flush_one(d);
}

static const struct sigrec_stack *stack_of(struct dump *d, const struct sigrec_signal *s);

static void queue_signal(struct dump *d, const struct sigrec_repeat *r, const struct ring_chunk *c)
{
	const struct sigrec_signal *s = &r->s;
	struct ev *e;
	const struct sigrec_oom *oom;

	if (d->qlen == DELAY)
		flush_one(d);
	e = &d->queue[(d->qhead + d->qlen++) % DELAY];
	memset(e, 0, sizeof(*e));
	e->s = *s;
	e->wall_ns = wall_ns(s->h.ts, c->boot.clock_offset);
	e->clock_offset = c->boot.clock_offset;
	if (s->h.flags & SIGREC_SIG_REPEAT && r->count) {
		e->count = r->count;
		e->to_wall_ns = wall_ns(r->to_ts, c->boot.clock_offset);
	}
	memcpy(e->boot_id, c->boot.boot_id, 16);
	e->stack = stack_of(d, s);
	if (s->sig == 9 && s->cause != SIGREC_C_SYSCALL &&
	    model__oom_victim(d->model, s->target.pid, s->h.ts, &oom)) {
		e->oom = 1;
		e->oomrec = *oom;
	}
	/* repeats reach the ring when their run ends: put them in time order */
	for (size_t i = d->qlen - 1; i > 0; i--) {
		struct ev *a = &d->queue[(d->qhead + i - 1) % DELAY];
		struct ev *b = &d->queue[(d->qhead + i) % DELAY], t;

		if (a->wall_ns <= b->wall_ns)
			break;
		t = *a;
		*a = *b;
		*b = t;
	}
}

/* A kill-family call returned an error after raising count signals. */
static void patch_sysret(struct dump *d, const struct sigrec_sysret *r)
{
	uint32_t left = r->count;

	for (size_t i = d->qlen; i-- > 0 && left;) {
		struct ev *e = &d->queue[(d->qhead + i) % DELAY];

		if (e->s.sender.tid == r->tid && e->s.syscall == r->syscall) {
			e->s.ret = r->ret;
			left--;
		}
	}
}

static int on_model(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_rec_hdr *h = rec;
	struct dump *d = ctx;
	int64_t wall = wall_ns(h->ts, c->boot.clock_offset);

	model__feed(d->model, rec, len);
	if (h->type == SIGREC_T_START)
		note_start(&d->st, rec, len);
	d->st.records++;
	d->st.by_type[h->type <= SIGREC_T_MAX ? h->type : SIGREC_T_MAX]++;
	if (wall < d->st.oldest || !d->st.oldest)
		d->st.oldest = wall;
	if (wall > d->st.newest)
		d->st.newest = wall;
	return 0;
}

static void print_stats(struct dump *d, const struct ring_info *ri)
{
	static const char *const names[] = {
		[SIGREC_T_SIGNAL] = "signal", [SIGREC_T_LOST] = "lost", [SIGREC_T_SYSRET] = "sysret",
		[SIGREC_T_FORK] = "fork", [SIGREC_T_EXEC] = "exec", [SIGREC_T_EXIT] = "exit",
		[SIGREC_T_COMM] = "comm", [SIGREC_T_OOM] = "oom", [SIGREC_T_PROC] = "proc",
		[SIGREC_T_START] = "start", [SIGREC_T_HOST] = "host", [SIGREC_T_STACK] = "stack",
		[SIGREC_T_MAX] = "unknown",
	};
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
		printf("%s\"%s\":%llu", first ? "" : ",", names[t] ? names[t] : "unknown",
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

/*
 * A stack record: its frames into the table, its id held for the signal
 * that follows it (same CPU and time).
 */
static void hold_stack(struct dump *d, const void *rec, size_t len)
{
	static struct sigrec_stack st;	/* 1 KiB: not on the stack of a callback */

	if (stack_decode(rec, len, &st))
		return;
	if (!(st.h.flags & SIGREC_STACK_REF) && !stack_store__add(d->stacks, &st))
		return;
	d->held[st.h.cpu % 64].cpu = st.h.cpu;
	d->held[st.h.cpu % 64].ts = st.h.ts;
	d->held[st.h.cpu % 64].id = st.id;
}

static const struct sigrec_stack *stack_of(struct dump *d, const struct sigrec_signal *s)
{
	const typeof(d->held[0]) *h = &d->held[s->h.cpu % 64];

	if (!(s->sflags & SIGREC_SF_STACK) || h->cpu != s->h.cpu || h->ts != s->h.ts)
		return NULL;
	return stack_store__get(d->stacks, h->id);
}

static int on_output(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_rec_hdr *h = rec;
	struct dump *d = ctx;
	union {
		struct sigrec_repeat s;
		struct sigrec_sysret r;
		struct sigrec_lost l;
		struct sigrec_host host;
	} u;

	switch (h->type) {
	case SIGREC_T_SIGNAL:
		ring_rec_copy(&u.s, sizeof(u.s), rec, len);
		if (want(&d->q, &u.s.s, wall_ns(u.s.s.h.ts, c->boot.clock_offset)))
			queue_signal(d, &u.s, c);
		break;
	case SIGREC_T_SYSRET:
		ring_rec_copy(&u.r, sizeof(u.r), rec, len);
		patch_sysret(d, &u.r);
		break;
	case SIGREC_T_HOST:
		ring_rec_copy(&u.host, sizeof(u.host), rec, len);
		if (!d->stats && !d->why)
			out_host(stdout, &d->o, &u.host);
		break;
	case SIGREC_T_STACK:
		hold_stack(d, rec, len);
		break;
	case SIGREC_T_LOST: {
		int64_t wall;

		ring_rec_copy(&u.l, sizeof(u.l), rec, len);
		wall = wall_ns(u.l.to_ts, c->boot.clock_offset);
		if (wall < d->q.since || wall_ns(u.l.from_ts, c->boot.clock_offset) > d->q.until)
			break;
		flush_all(d);
		if (!d->stats && !d->why)
			out_lost(stdout, &d->o, &u.l, c, 0, NULL);
		d->lost = sat_add_u64(d->lost, u.l.count);
		break;
	}
	}
	return 0;
}

/* ---- --export ---- */

static int chunk_in_window(const struct ring_chunk *c, const struct query *q);

static void mark_task(struct dump *d, const struct sigrec_task *t)
{
	struct proc *p = t->pid ? model__find(d->model, t->pid, t->start_ns) : NULL;

	for (int depth = 0; p && depth <= MODEL_MAX_ANCESTRY; depth++) {
		p->mark = 1;
		p = p->has_parent ? model__find(d->model, p->ppid, p->pstart_ns) : NULL;
	}
}

static int marked(struct dump *d, const struct sigrec_task *t)
{
	const struct proc *p = t->pid ? model__get(d->model, t->pid, t->start_ns) : NULL;

	return p && p->mark;
}

/* Mark the processes the exported signals name, with their ancestors. */
static int on_mark(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct dump *d = ctx;
	struct sigrec_signal s;

	if (((const struct sigrec_rec_hdr *)rec)->type != SIGREC_T_SIGNAL)
		return 0;
	ring_rec_copy(&s, sizeof(s), rec, len);
	if (!want(&d->q, &s, wall_ns(s.h.ts, c->boot.clock_offset)))
		return 0;
	mark_task(d, &s.sender);
	mark_task(d, &s.target);
	return 0;
}

static int export_wants(struct dump *d, const void *rec, size_t len, const struct ring_chunk *c)
{
	const struct sigrec_rec_hdr *h = rec;
	union {
		struct sigrec_signal s;
		struct sigrec_fork f;
		struct sigrec_exec e;
		struct sigrec_exit x;
		struct sigrec_comm m;
		struct sigrec_proc p;
		struct sigrec_oom o;
		struct sigrec_lost l;
	} u;
	int64_t off = c->boot.clock_offset;

	ring_rec_copy(&u, sizeof(u), rec, len);
	switch (h->type) {
	case SIGREC_T_SIGNAL:
		return want(&d->q, &u.s, wall_ns(u.s.h.ts, off));
	case SIGREC_T_LOST:
		return wall_ns(u.l.to_ts, off) >= d->q.since && wall_ns(u.l.from_ts, off) <= d->q.until;
	case SIGREC_T_SYSRET:
	case SIGREC_T_START:
	case SIGREC_T_STACK:	/* every stack of the window: small, rate-limited */
		return 1;
	case SIGREC_T_FORK:
		return marked(d, &u.f.parent) || (model__get(d->model, u.f.child_pid,
				u.f.child_start_ns) && model__get(d->model, u.f.child_pid,
				u.f.child_start_ns)->mark);
	case SIGREC_T_EXEC:
		return marked(d, &u.e.task);
	case SIGREC_T_EXIT:
		return marked(d, &u.x.task);
	case SIGREC_T_COMM:
		return marked(d, &u.m.task);
	case SIGREC_T_PROC:
		return marked(d, &u.p.task);
	case SIGREC_T_OOM: {
		struct sigrec_task v = { .pid = u.o.victim_pid };
		const struct proc *p = model__at(d->model, v.pid, u.o.h.ts);

		return p && p->mark;
	}
	}
	return 0;
}

/* Counting pass (d->x NULL) or writing pass. */
static int on_export(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct dump *d = ctx;

	if (!export_wants(d, rec, len, c))
		return 0;
	if (((const struct sigrec_rec_hdr *)rec)->type == SIGREC_T_SIGNAL) {
		struct sigrec_repeat r;

		ring_rec_copy(&r, sizeof(r), rec, len);
		d->x_signals = sat_add_u64(d->x_signals, r.s.h.flags & SIGREC_SIG_REPEAT && r.count ? r.count : 1);
	}
	if (!d->x) {
		d->x_bytes += len + 64;
		if (!d->x_boot || memcmp(d->x_boot, &c->boot, sizeof(c->boot)))
			d->x_boots++;
		d->x_boot = &c->boot;
		return 0;
	}
	return export__record(d->x, rec, len, &c->boot) ? -EIO : 0;
}

static int do_export(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch,
		     size_t n)
{
	const struct proc **all;
	size_t nall = model__all(d->model, &all), nmarked = 0;
	struct ring_err err = { "" };
	struct sigrec_host host;
	const struct ring_chunk *first = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (chunk_in_window(&ch[i], &d->q)) {
			first = first ? first : &ch[i];
			ring_reader__decode(rr, &ch[i], on_mark, d);
		}
	for (size_t i = 0; i < n; i++)
		if (chunk_in_window(&ch[i], &d->q))
			ring_reader__decode(rr, &ch[i], on_export, d);
	for (size_t i = 0; i < nall; i++)
		nmarked += all[i]->mark;
	d->x_bytes += (nmarked + 1) * (sizeof(struct sigrec_proc) + 64);
	d->x = export__begin(d->export_path, d->x_bytes, d->x_boots, d->redact, &err);
	if (!d->x) {
		fprintf(stderr, "sigdump: --export: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	if (first) {
		uint64_t ts = first->first_ts;

		export__host(&host, d->redact, d->q.since, d->q.until, d->query_text);
		host.h.ts = ts;
		rc = export__record(d->x, &host, sizeof(host), &first->boot);
		/* each named process as first seen; later exec records replay the rest */
		for (size_t i = 0; i < nall && !rc; i++) {
			const struct proc *p = all[i];
			struct sigrec_proc pr;

			if (!p->mark)
				continue;
			while (p->before_exec)
				p = p->before_exec;
			model__proc_record(p, ts, &pr);
			rc = export__record(d->x, &pr, sizeof(pr), &first->boot);
		}
	}
	d->x_signals = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (chunk_in_window(&ch[i], &d->q))
			rc = ring_reader__decode(rr, &ch[i], on_export, d) == -EIO ? -EIO : 0;
	if (rc) {
		export__abort(d->x);
		fprintf(stderr, "sigdump: --export: writing the dump failed\n");
		return EXIT_RUNTIME;
	}
	if (export__finish(d->x, &err)) {
		fprintf(stderr, "sigdump: --export: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "sigdump: wrote %s: %llu signals, %zu processes%s\n", d->export_path,
		(unsigned long long)d->x_signals, nmarked, d->redact ? ", redacted" : "");
	return EXIT_OK;
}

static int chunk_in_window(const struct ring_chunk *c, const struct query *q)
{
	if (q->has_boot && memcmp(c->boot.boot_id, q->boot_id, 16))
		return 0;
	int64_t first = wall_ns(c->first_ts, c->boot.clock_offset);
	int64_t last = wall_ns(c->last_ts, c->boot.clock_offset);

	return last >= q->since && first <= q->until;
}

/* The reader's warnings, then what the process model's bounds cut. */
static void print_warnings(struct ring_reader *rr, const struct model *m)
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

/* ---- boot sessions ---- */

static int boot_matches(const uint8_t id[16], const char *want)
{
	char str[37], hex[33];
	size_t n = 0, wl = strlen(want);

	boot_id_str(id, str);
	for (const char *p = str; *p; p++)
		if (*p != '-')
			hex[n++] = *p;
	hex[n] = 0;
	return wl >= 4 && (!strncasecmp(str, want, wl) || !strncasecmp(hex, want, wl));
}

/* Resolve --boot to one boot id among the chunks (in sequence order). */
static int resolve_boot(struct dump *d, const struct ring_chunk *ch, size_t n)
{
	struct ring_boot here;
	int have_here = !read_boot(&here), cur = -1;

	for (size_t i = 0; i < n; i++)
		if (have_here && !memcmp(ch[i].boot.boot_id, here.boot_id, 16))
			cur = i;
	if (cur < 0 && n)
		cur = n - 1;	/* not recorded on this boot: the newest is "current" */
	for (int i = n - 1; i >= 0; i--) {
		if (!strcmp(d->q.boot, "current") && i == cur)
			goto found;
		if (!strcmp(d->q.boot, "previous") && cur >= 0 && i < cur &&
		    memcmp(ch[i].boot.boot_id, ch[cur].boot.boot_id, 16))
			goto found;
		if (boot_matches(ch[i].boot.boot_id, d->q.boot))
			goto found;
		continue;
found:
		memcpy(d->q.boot_id, ch[i].boot.boot_id, 16);
		d->q.has_boot = 1;
		return 0;
	}
	fprintf(stderr, "sigdump: no boot session '%s' in the recording\n", d->q.boot);
	return -ENOENT;
}

/* ---- pager and colour: only for people at a terminal ---- */

/*
 * Whether sigdump runs with privileges its user's environment must not
 * steer: as root, set-id, or under sudo (sudo -E keeps the invoking user's
 * PAGER).  Then the pager is less itself, run without a shell and with
 * LESSSECURE=1, so that "!cmd", the editor, log files and LESSOPEN are off.
 */
static int privileged(void)
{
	return !geteuid() || getuid() != geteuid() || getgid() != getegid() || getenv("SUDO_UID");
}

/* The pager child: stdin is the timeline.  Never returns. */
static void run_pager(const char *pager, int secure)
{
	char buf[8192];
	ssize_t n;

	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
	if (!secure) {
		execlp("sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	setenv("LESSSECURE", "1", 1);
	unsetenv("LESSOPEN");
	unsetenv("LESSCLOSE");
	execlp("less", "less", (char *)NULL);
	/* no less: the timeline still reaches the terminal, unpaged */
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			break;
	_exit(0);
}

static pid_t start_pager(void)
{
	int secure = privileged();
	const char *pager = secure ? "less" : getenv("PAGER");
	int p[2];
	pid_t pid;

	if (!pager || !*pager)
		pager = "less";
	if (!strcmp(pager, "cat") || pipe(p))
		return 0;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		run_pager(pager, secure);
	}
	dup2(p[1], STDOUT_FILENO);
	close(p[0]);
	close(p[1]);
	return pid;
}

/* ---- --follow ---- */

struct cursor {
	uint64_t seq;
	uint32_t done;		/* records of chunk seq already handled */
	uint32_t skip, seen;
	struct dump *d;
	int feed;		/* also feed the model (follow: one pass) */
};

static int on_cursor(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct cursor *cu = ctx;

	if (cu->seen++ < cu->skip)
		return 0;
	if (cu->feed)
		model__feed(cu->d->model, rec, len);
	return on_output(rec, len, c, cu->d);
}

/* Decode chunks at or after the cursor; returns chunks handled. */
static void advance(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch, size_t n,
		    struct cursor *cu)
{
	for (size_t i = 0; i < n; i++) {
		if (ch[i].seq < cu->seq || !chunk_in_window(&ch[i], &d->q))
			continue;
		cu->skip = ch[i].seq == cu->seq ? cu->done : 0;
		cu->seen = 0;
		ring_reader__decode(rr, &ch[i], on_cursor, cu);
		cu->seq = ch[i].seq;
		cu->done = cu->seen;
	}
	flush_all(d);
	fflush(stdout);
}

static volatile sig_atomic_t stop_follow;

static void on_int(int sig)
{
	(void)sig;
	stop_follow = 1;
}

static int follow(struct dump *d, struct ring_reader *rr, struct cursor *cu)
{
	struct sigaction sa = { .sa_handler = on_int };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cu->feed = 1;
	while (!stop_follow) {
		const struct ring_chunk *ch;
		size_t n;

		usleep(250000);
		if (ring_reader__chunks(rr, &ch, &n, NULL))
			continue;
		advance(d, rr, ch, n, cu);
		if (ferror(stdout))
			return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* ---- --pstore ---- */

static int on_pstore(const struct pstore_event *e, void *ctx)
{
	struct dump *d = ctx;
	struct pstore_event *n;

	if (e->suppressed ? e->wall_ns < d->q.since || e->wall_ns > d->q.until
			  : !want(&d->q, &e->s, e->wall_ns))
		return 0;
	if (d->nps == d->cps) {
		size_t cap = d->cps ? d->cps * 2 : 256;

		if (cap > 1000000)
			return 1;	/* bounded: a stranger's files cannot exhaust memory */
		n = realloc(d->ps, cap * sizeof(*n));
		if (!n)
			return 1;
		d->ps = n;
		d->cps = cap;
	}
	d->ps[d->nps++] = *e;
	return 0;
}

static int by_wall(const void *a, const void *b)
{
	const struct pstore_event *x = a, *y = b;

	return x->wall_ns < y->wall_ns ? -1 : x->wall_ns > y->wall_ns;
}

static int read_pstore(struct dump *d)
{
	char err[256];
	size_t w = 0;

	if (pstore__read_dir(d->pstore_dir, on_pstore, d, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigdump: --pstore: %s\n", err);
		return -1;
	}
	qsort(d->ps, d->nps, sizeof(*d->ps), by_wall);
	/* the same line often sits in both the dmesg and the console record */
	for (size_t i = 0; i < d->nps; i++)
		if (!w || d->ps[i].wall_ns != d->ps[w - 1].wall_ns || d->ps[i].s.sig != d->ps[w - 1].s.sig ||
		    d->ps[i].s.target.pid != d->ps[w - 1].s.target.pid)
			d->ps[w++] = d->ps[i];
	d->nps = w;
	return 0;
}

static int run_pstore_only(struct dump *d)
{
	flush_pstore(d, INT64_MAX, NULL);
	if (d->stats)
		printf("{\"type\":\"stats\",\"source\":\"pstore\",\"signals\":%llu,\"failed\":%llu,"
		       "\"lost\":%llu}\n", (unsigned long long)d->st.signals_shown,
		       (unsigned long long)d->st.failed, (unsigned long long)d->lost);
	fflush(stdout);
	return ferror(stdout) ? EXIT_RUNTIME : EXIT_OK;
}

static int run(struct dump *d, struct ring_reader *rr)
{
	const struct ring_chunk *chunks;
	struct cursor cu = { .d = d };
	unsigned int bad = 0;
	pid_t pager = 0;
	size_t n;
	int rc;

	rc = ring_reader__chunks(rr, &chunks, &n, &bad);
	if (rc) {
		fprintf(stderr, "sigdump: cannot scan the ring: %s\n", strerror(-rc));
		return EXIT_INPUT;
	}
	if (d->q.boot && resolve_boot(d, chunks, n))
		return EXIT_RUNTIME;
	d->q.m = d->model;
	/* pass 1: the process model of the window; pass 2: the events */
	for (size_t i = 0; i < n; i++) {
		if (!chunk_in_window(&chunks[i], &d->q))
			continue;
		d->st.chunks++;
		d->st.sealed += chunks[i].state == RING_CHUNK_SEALED;
		d->st.stored += chunks[i].state == RING_CHUNK_SEALED ? chunks[i].stored_len
								      : chunks[i].raw_len;
		d->st.raw += chunks[i].raw_len;
		ring_reader__decode(rr, &chunks[i], on_model, d);
	}
	if (d->export_path) {
		rc = do_export(d, rr, chunks, n);
		print_warnings(rr, d->model);
		return rc;
	}
	if (d->why_arg) {
		d->why = calloc(1, sizeof(*d->why));
		if (!d->why) {
			fprintf(stderr, "sigdump: out of memory\n");
			return EXIT_RUNTIME;
		}
		if (why__select(d->why, d->model, d->why_arg)) {
			fprintf(stderr, "sigdump: no process '%s' in the recording%s\n", d->why_arg,
				d->q.since > INT64_MIN ? " window" : "");
			print_warnings(rr, d->model);
			free(d->why);
			return EXIT_RUNTIME;
		}
	}
	if (d->o.format == OUT_TEXT && isatty(STDOUT_FILENO)) {
		d->o.color = !getenv("NO_COLOR");
		if (!d->follow && !d->no_pager && !d->stats)
			pager = start_pager();
		/* on a terminal the timeline starts by saying what the recording lacks */
		if (!d->why && !d->stats)
			print_lacks(stdout, d->st.lacks, "# ");
	}
	advance(d, rr, chunks, n, &cu);
	flush_pstore(d, INT64_MAX, NULL);
	if (d->why) {
		if (d->o.format == OUT_TEXT)
			print_lacks(stdout, d->st.lacks, "Note:     ");
		why__print(stdout, d->why, d->model, &d->o);
		free(d->why);
	}
	if (d->stats)
		print_stats(d, ring_reader__info(rr));
	fflush(stdout);
	print_warnings(rr, d->model);
	if (d->follow)
		rc = follow(d, rr, &cu);
	if (ferror(stdout)) {
		fprintf(stderr, "sigdump: writing output: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (pager) {
		fclose(stdout);
		waitpid(pager, NULL, 0);
	}
	return rc;
}

static void dump_free(struct dump *d)
{
	symbolizer__free(d->sym);
	stack_store__free(d->stacks);
	free(d);
}

int main(int argc, char **argv)
{
	struct dump *d = calloc(1, sizeof(*d));
	const char *path = DEFAULT_RING;
	struct ring_err err = { "" };
	struct ring_reader *rr;
	int rc;

	if (!d) {
		fprintf(stderr, "sigdump: out of memory\n");
		return EXIT_RUNTIME;
	}
	d->q.since = INT64_MIN;
	d->q.until = INT64_MAX;
	d->sym = symbolizer__new();
	d->stacks = stack_store__new();
	stack_out__init(d->sym);
	if (parse_args(argc, argv, d, &path)) {
		dump_free(d);
		return EXIT_USAGE;
	}
	if (d->pstore_dir) {
		d->model = model__new();
		if (!d->model || read_pstore(d)) {
			model__free(d->model);
			free(d->ps);
			dump_free(d);
			return EXIT_INPUT;
		}
		if (!d->path_given) {
			rc = run_pstore_only(d);
			model__free(d->model);
			free(d->ps);
			dump_free(d);
			return rc;
		}
		model__free(d->model);
	}
	rr = ring_reader__open_any(path, &err);
	if (!rr) {
		fprintf(stderr, "sigdump: %s: %s\n", path, err.msg);
		dump_free(d);
		return EXIT_INPUT;
	}
	d->model = model__new();
	if (!d->model) {
		fprintf(stderr, "sigdump: out of memory\n");
		rc = EXIT_RUNTIME;
	} else {
		rc = run(d, rr);
	}
	model__free(d->model);
	ring_reader__close(rr);
	free(d->ps);
	dump_free(d);
	return rc;
}
