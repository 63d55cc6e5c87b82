// SPDX-License-Identifier: MIT
/* sigdump.c - read a sigrec ring: timeline, filters, JSON. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "output.h"
#include "ring.h"
#include "util.h"
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
	int failed;
};

struct stats {
	uint64_t chunks, sealed, records, stored, raw;
	uint64_t by_type[SIGREC_T_MAX + 1];
	uint64_t signals_shown, failed;
	int64_t oldest, newest;
};

struct dump {
	struct query q;
	int stats;
	const char *why_arg;
	struct why *why;
	struct stats st;
	struct out_opts o;
	struct model *model;
	struct ev queue[DELAY];
	size_t qhead, qlen;
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
"      --failed           only failed attempts and overflows\n"
"Output:\n"
"  -j, --json             one JSON object per line (schema: docs/OUTPUT.md)\n"
"  -t, --tree             with sender and target ancestry\n"
"      --utc              times in UTC (default: local time)\n"
"      --why PID|NAME     the story of one process's end: what it ran, its\n"
"                         parents, every signal it got with the sender's\n"
"                         ancestry, and how it exited (latest match)\n"
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
"\n"
"Exit codes: 0 success (warnings about skipped corrupt chunks go to stderr),\n"
"1 runtime error (or --why found no such process), 2 bad usage, 3 FILE cannot\n"
"be read as a ring.\n");
}

enum { OPT_LAST = 256, OPT_SINCE, OPT_UNTIL, OPT_SENDER, OPT_FAILED, OPT_UTC, OPT_STATS, OPT_WHY };

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
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

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

	while ((c = getopt_long(argc, argv, "p:c:s:jtVh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LAST:
			if (parse_duration(optarg, &v))
				return bad("--last", optarg, "expected a duration such as 10m");
			d->q.since = now - (int64_t)v;
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
		case OPT_WHY:
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN ||
			    (isdigit((unsigned char)*optarg) && parse_u64(optarg, 1, 4194304, &v)))
				return bad("--why", optarg, "expected a pid or a process name");
			d->why_arg = optarg;
			break;
		case 'V':
			printf("sigdump %s\n", SIGREC_VERSION_STR);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'sigdump --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		*path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "sigdump: unexpected argument '%s'\nTry 'sigdump --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	if (d->q.since > d->q.until) {
		fprintf(stderr, "sigdump: --since is after --until\n");
		return -EINVAL;
	}
	return 0;
}

static int want(const struct query *q, const struct sigrec_signal *s, int64_t wall)
{
	if (wall < q->since || wall > q->until)
		return 0;
	if (q->pid && s->target.pid != q->pid)
		return 0;
	if (q->sender_pid && (s->sender.pid != q->sender_pid || s->ctx != SIGREC_CTX_TASK))
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

static void flush_one(struct dump *d)
{
	struct ev *e = &d->queue[d->qhead];

	if (d->why) {
		why__offer(d->why, e);
	} else if (d->stats) {
		d->st.signals_shown++;
		d->st.failed += e->s.result == SIGREC_R_FAILED;
	} else {
		out_signal(stdout, &d->o, d->model, e);
	}
	d->shown++;
	d->qhead = (d->qhead + 1) % DELAY;
	d->qlen--;
}

static void flush_all(struct dump *d)
{
	while (d->qlen)
		flush_one(d);
}

static void queue_signal(struct dump *d, const struct sigrec_signal *s, const struct ring_chunk *c)
{
	struct ev *e;
	const struct sigrec_oom *oom;

	if (d->qlen == DELAY)
		flush_one(d);
	e = &d->queue[(d->qhead + d->qlen++) % DELAY];
	memset(e, 0, sizeof(*e));
	e->s = *s;
	e->wall_ns = (int64_t)s->h.ts + c->boot.clock_offset;
	memcpy(e->boot_id, c->boot.boot_id, 16);
	if (s->sig == 9 && s->cause != SIGREC_C_SYSCALL &&
	    model__oom_victim(d->model, s->target.pid, s->h.ts, &oom)) {
		e->oom = 1;
		e->oomrec = *oom;
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
	int64_t wall = (int64_t)h->ts + c->boot.clock_offset;

	model__feed(d->model, rec, len);
	d->st.records++;
	d->st.by_type[h->type <= SIGREC_T_MAX ? h->type : SIGREC_T_MAX]++;
	if (wall < d->st.oldest || !d->st.oldest)
		d->st.oldest = wall;
	if (wall > d->st.newest)
		d->st.newest = wall;
	return 0;
}

static void print_stats(const struct dump *d)
{
	static const char *const names[] = {
		[SIGREC_T_SIGNAL] = "signal", [SIGREC_T_LOST] = "lost", [SIGREC_T_SYSRET] = "sysret",
		[SIGREC_T_FORK] = "fork", [SIGREC_T_EXEC] = "exec", [SIGREC_T_EXIT] = "exit",
		[SIGREC_T_COMM] = "comm", [SIGREC_T_OOM] = "oom", [SIGREC_T_PROC] = "proc",
		[SIGREC_T_START] = "start", [SIGREC_T_MAX] = "unknown",
	};
	const struct stats *s = &d->st;
	char a[48] = "", b[48] = "";

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
		printf("%s\"%s\":%llu", first ? "" : ",", names[t], (unsigned long long)s->by_type[t]);
		first = 0;
	}
	printf("}}\n");
}

static int on_output(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_rec_hdr *h = rec;
	struct dump *d = ctx;
	union {
		struct sigrec_signal s;
		struct sigrec_sysret r;
		struct sigrec_lost l;
	} u;

	switch (h->type) {
	case SIGREC_T_SIGNAL:
		ring_rec_copy(&u.s, sizeof(u.s), rec, len);
		if (want(&d->q, &u.s, (int64_t)u.s.h.ts + c->boot.clock_offset))
			queue_signal(d, &u.s, c);
		break;
	case SIGREC_T_SYSRET:
		ring_rec_copy(&u.r, sizeof(u.r), rec, len);
		patch_sysret(d, &u.r);
		break;
	case SIGREC_T_LOST: {
		int64_t wall;

		ring_rec_copy(&u.l, sizeof(u.l), rec, len);
		wall = (int64_t)u.l.to_ts + c->boot.clock_offset;
		if (wall < d->q.since || (int64_t)u.l.from_ts + c->boot.clock_offset > d->q.until)
			break;
		flush_all(d);
		if (!d->stats && !d->why)
			out_lost(stdout, &d->o, &u.l, c);
		d->lost += u.l.count;
		break;
	}
	}
	return 0;
}

static int chunk_in_window(const struct ring_chunk *c, const struct query *q)
{
	int64_t first = (int64_t)c->first_ts + c->boot.clock_offset;
	int64_t last = (int64_t)c->last_ts + c->boot.clock_offset;

	return last >= q->since && first <= q->until;
}

static void print_warnings(struct ring_reader *rr)
{
	const char *w = ring_reader__warnings(rr);

	while (w && *w) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);

		fprintf(stderr, "sigdump: warning: %.*s\n", n, w);
		w += n + (nl ? 1 : 0);
	}
}

static int run(struct dump *d, struct ring_reader *rr)
{
	const struct ring_chunk *chunks;
	unsigned int bad = 0;
	size_t n;
	int rc;

	rc = ring_reader__chunks(rr, &chunks, &n, &bad);
	if (rc) {
		fprintf(stderr, "sigdump: cannot scan the ring: %s\n", strerror(-rc));
		return EXIT_INPUT;
	}
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
	if (d->why_arg) {
		d->why = calloc(1, sizeof(*d->why));
		if (!d->why) {
			fprintf(stderr, "sigdump: out of memory\n");
			return EXIT_RUNTIME;
		}
		if (why__select(d->why, d->model, d->why_arg)) {
			fprintf(stderr, "sigdump: no process '%s' in the recording%s\n", d->why_arg,
				d->q.since > INT64_MIN ? " window" : "");
			print_warnings(rr);
			free(d->why);
			return EXIT_RUNTIME;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (chunk_in_window(&chunks[i], &d->q))
			ring_reader__decode(rr, &chunks[i], on_output, d);
	flush_all(d);
	if (d->why) {
		why__print(stdout, d->why, d->model, &d->o);
		free(d->why);
	}
	if (d->stats)
		print_stats(d);
	fflush(stdout);
	print_warnings(rr);
	if (ferror(stdout)) {
		fprintf(stderr, "sigdump: writing output: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
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
	if (parse_args(argc, argv, d, &path)) {
		free(d);
		return EXIT_USAGE;
	}
	rr = ring_reader__open(path, &err);
	if (!rr) {
		fprintf(stderr, "sigdump: %s: %s\n", path, err.msg);
		free(d);
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
	free(d);
	return rc;
}
