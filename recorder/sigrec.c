// SPDX-License-Identifier: MIT
/* sigrec.c - the recorder: options, then capture -> ring until told to stop. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "check.h"
#include "journal.h"
#include "metrics.h"
#include "model.h"
#include "place.h"
#include "pstore.h"
#include "privs.h"
#include "procscan.h"
#include "ring.h"
#include "util.h"

#define DEFAULT_RING	"/var/lib/sigrec/sigrec.ring"

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_RING = 3,
	EXIT_BPF = 4,
};

struct env {
	const char *ring;
	struct ring_opts ropts;
	struct capture_opts copts;
	struct place_opts popts;
	uint64_t sync_ns;
	uint64_t duration_ns;
	uint64_t snapshot_ns;
	const char *metrics_file;
	uint64_t metrics_ns;
	int stats;
	int no_pin;
	int unpin;
	int check;
	int journal;
	int pstore;			/* enum pstore_mode */
	uint64_t pstore_mask[2];
};

/*
 * Ring writes that fail (a full or failing disk).  The first failure of
 * each kind is said at once, then at most once a minute; the records lost
 * are written into the recording as a lost record when writing works again.
 */
enum { W_APPEND, W_SYNC, W_SEAL, W_KINDS };
static const char *const w_what[W_KINDS] = {
	"append to the ring", "flush the ring to disk", "seal a chunk of the ring",
};

struct wfail {
	uint64_t n;			/* failures (append: records lost) since it last worked */
	uint64_t first_ts, last_ts;	/* CLOCK_BOOTTIME of the first and last */
	uint64_t said;			/* CLOCK_BOOTTIME it was last said */
};

#define W_SAY_EVERY_NS	60000000000ULL

struct run {
	struct ring *ring;
	struct pstore_writer *pstore;
	struct ring_boot boot;
	struct model *procs;	/* live process table, fed by the records */
	/* the identities the last signal named, and the chunk it went to:
	 * a storm between two processes skips the table entirely */
	struct sigrec_task last_sender, last_target;
	uint64_t last_seq;
	uint64_t records, errors, lost, exits;
	struct wfail wf[W_KINDS];	/* ring writes that failed, by kind */
	struct metrics *metrics;	/* --metrics-file, or NULL */
	struct journal *journal;	/* --journal, or NULL */
	int metrics_failed;		/* the last write failed (said once) */
	uint64_t fatal_mask[2];		/* signals counted by victim unit */
};

#define PROCS_MAX	16384	/* table size that triggers dropping exited processes */
#define PROC_REC_MAX	800	/* worst-case encoded size of a SIGREC_T_PROC record */

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The ring's active chunk is a shared mapping: if the file shrinks under
 * it, the next store faults with SIGBUS.  The recorder then stops writing
 * and leaves the capture pinned, so nothing the kernel holds is lost.
 */
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void on_bus(int sig)
{
	if (!bus_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	bus_armed = 0;
	siglongjmp(bus_jmp, 1);
}

#define EXIT_RING_GONE	(-EXIT_RING)	/* record(): the mapping faulted */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sigrec [OPTIONS]\n"
"Record every matching signal on this machine into a fixed-size ring file.\n"
"\n"
"  -r, --ring PATH            ring file (default " DEFAULT_RING ")\n"
"  -g, --group GROUP          group of a new ring file and its directory (the\n"
"                             group can read it with sigdump; default: root)\n"
"  -s, --size BYTES           size of a new ring (default 64M); an existing\n"
"                             ring keeps its size and must match if given\n"
"  -S, --signals LIST         record only these signals (TERM,KILL,9,SIGRTMIN+1)\n"
"  -x, --exclude-signals LIST do not record these signals\n"
"  -p, --pid PID              only signals to this process (all its threads)\n"
"  -c, --comm NAME            only signals to tasks named NAME\n"
"  -f, --failed-only          only failed attempts (syscall errors, overflows)\n"
"      --probes               also record kill(pid, 0) existence probes (they\n"
"                             raise no signal; needs syscall hooks)\n"
"      --no-syscall-hooks     no kill-family syscall hooks: every signal is still\n"
"                             recorded, failed attempts and raw arguments are not\n"
"      --hooks KIND           kill-family syscall hooks, which add failed attempts\n"
"                             and raw arguments: auto (default: fentry where the\n"
"                             kernel allows it, else none), fentry, tracepoint\n"
"                             (taxes every syscall on the machine) or off\n"
"      --no-lifecycle         do not record fork/exec/exit/rename/OOM\n"
"      --no-coalesce          one record per signal, each with its own time (by\n"
"                             default a run of identical signals on a CPU is\n"
"                             one record per scheduler tick with a count)\n"
"      --buffer BYTES         BPF ring buffer size (default 8M, power of two)\n"
"      --sync-interval DUR    flush the ring file to disk this often (default 5s)\n"
"      --snapshot-interval DUR  record the live process table this often\n"
"                             (default 10m; 0 = only at start)\n"
"      --duration DUR         stop after DUR (default: run until SIGINT/SIGTERM)\n"
"      --no-pin               do not pin the BPF programs: capture stops with sigrec\n"
"                             (default: they stay pinned in /sys/fs/bpf/sigrec if\n"
"                             sigrec crashes, and a restart drains what they caught)\n"
"      --unpin                remove the pinned capture a crashed sigrec left for\n"
"                             --ring (e.g. before uninstalling), then exit\n"
"      --pstore[=MODE]        also write a line per fatal signal to persistent RAM:\n"
"                             MODE auto (default: /dev/pmsg0, else /dev/kmsg),\n"
"                             pmsg or kmsg; read back with sigdump --pstore\n"
"      --pstore-signals LIST  signals for --pstore (default KILL,TERM,ABRT,SEGV,\n"
"                             BUS,ILL,FPE,SYS)\n"
"      --metrics-file PATH    Prometheus metrics in node_exporter's textfile format,\n"
"                             written atomically every --metrics-interval (15s)\n"
"                             and at exit (e.g. /var/lib/node_exporter/textfile/\n"
"                             sigrec.prom)\n"
"      --metrics-interval DUR how often to write --metrics-file (default 15s)\n"
"      --journal              a journal entry per fatal signal delivered (the\n"
"                             --pstore-signals set) and OOM kill, attached to the\n"
"                             victim's unit: journalctl -u UNIT shows who killed it\n"
"      --stats                print counters to stderr at exit\n"
"  -v, --verbose              more libbpf messages (twice: debug)\n"
"  -V, --version\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  sigrec                                  record everything to " DEFAULT_RING "\n"
"  sigrec -r /tmp/t.ring -s 16M -S TERM,KILL  only SIGTERM and SIGKILL, small ring\n"
"  sigrec --exclude-signals CHLD,WINCH     everything but the noisy ones\n"
"  sigrec --pid 1234                       signals to process 1234\n"
"  sigrec --check                          what this kernel lets sigrec record\n"
"  sigrec --hooks tracepoint               also failed kill()s where fentry is refused\n"
"\n"
"SIGINT or SIGTERM seal the active chunk and exit 0.  Read the ring with sigdump.\n"
"      --check                say what this kernel gives sigrec (each part on or off,\n"
"                             how it is captured, what it costs) and exit\n"
"\n"
"A part the kernel refuses (failed attempts, interrupt attribution, lifecycle)\n"
"is switched off with one line saying what that costs; the recording says so.\n"
"Exit codes: 0 stopped cleanly (--check: the core loads here), 1 runtime\n"
"error, 2 bad usage, 3 ring file refused (not a ring, in use, wrong size, no\n"
"space), 4 the signal program cannot be loaded or attached.\n");
}

enum {
	OPT_NO_HOOKS = 256, OPT_HOOKS, OPT_NO_LIFECYCLE, OPT_BUFFER, OPT_SYNC,
	OPT_DURATION, OPT_STATS, OPT_SNAPSHOT, OPT_NO_PIN, OPT_UNPIN, OPT_CHECK, OPT_PROBES, OPT_METRICS, OPT_METRICS_INTERVAL, OPT_JOURNAL, OPT_PSTORE,
	OPT_PSTORE_SIGNALS, OPT_NO_COALESCE,
};

static const struct option long_opts[] = {
	{ "ring", required_argument, NULL, 'r' },
	{ "size", required_argument, NULL, 's' },
	{ "group", required_argument, NULL, 'g' },
	{ "signals", required_argument, NULL, 'S' },
	{ "exclude-signals", required_argument, NULL, 'x' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "failed-only", no_argument, NULL, 'f' },
	{ "no-syscall-hooks", no_argument, NULL, OPT_NO_HOOKS },
	{ "hooks", required_argument, NULL, OPT_HOOKS },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "probes", no_argument, NULL, OPT_PROBES },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	{ "journal", no_argument, NULL, OPT_JOURNAL },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "no-lifecycle", no_argument, NULL, OPT_NO_LIFECYCLE },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "sync-interval", required_argument, NULL, OPT_SYNC },
	{ "snapshot-interval", required_argument, NULL, OPT_SNAPSHOT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "no-pin", no_argument, NULL, OPT_NO_PIN },
	{ "no-coalesce", no_argument, NULL, OPT_NO_COALESCE },
	{ "unpin", no_argument, NULL, OPT_UNPIN },
	{ "pstore", optional_argument, NULL, OPT_PSTORE },
	{ "pstore-signals", required_argument, NULL, OPT_PSTORE_SIGNALS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "sigrec: invalid %s '%s': %s\n", opt, val, why);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct env *e)
{
	uint64_t excl[2] = { 0, 0 }, v;
	char badtok[64];
	int c;

	while ((c = getopt_long(argc, argv, "r:s:g:S:x:p:c:fvVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			e->ring = optarg;
			break;
		case 's':
			if (parse_size(optarg, &e->ropts.size) || e->ropts.size < (1 << 20) ||
			    e->ropts.size > RING_MAX_SIZE || e->ropts.size % 4096)
				return bad("--size", optarg,
					   "expected 1M to 1T in whole 4K pages, such as 64M or 1G");
			e->ropts.size_given = 1;
			break;
		case 'g': {
			struct group *gr = getgrnam(optarg);

			if (gr)
				e->popts.gid = gr->gr_gid;
			else if (!parse_u64(optarg, 0, 4294967294U, &v))
				e->popts.gid = v;
			else
				return bad("--group", optarg, "no such group");
			e->popts.gid_set = 1;
			break;
		}
		case 'S':
			if (sig_parse_list(optarg, e->copts.sig_mask, badtok, sizeof(badtok)))
				return bad("--signals", optarg, "unknown signal in list");
			break;
		case 'x':
			if (sig_parse_list(optarg, excl, badtok, sizeof(badtok)))
				return bad("--exclude-signals", optarg, "unknown signal in list");
			break;
		case 'p':
			if (parse_u64(optarg, 1, 4194304, &v))
				return bad("--pid", optarg, "expected a process id 1..4194304");
			e->copts.pid = v;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--comm", optarg, "expected 1 to 15 characters");
			strcpy(e->copts.comm, optarg);
			e->copts.comm_on = 1;
			break;
		case 'f':
			e->copts.failed_only = 1;
			break;
		case OPT_NO_HOOKS:
			e->copts.hooks = CAPTURE_HOOKS_OFF;
			break;
		case OPT_NO_COALESCE:
			e->copts.exact = 1;
			break;
		case OPT_HOOKS:
			if (!strcmp(optarg, "auto"))
				e->copts.hooks = CAPTURE_HOOKS_AUTO;
			else if (!strcmp(optarg, "fentry"))
				e->copts.hooks = CAPTURE_HOOKS_FENTRY;
			else if (!strcmp(optarg, "tracepoint"))
				e->copts.hooks = CAPTURE_HOOKS_TRACEPOINT;
			else if (!strcmp(optarg, "off"))
				e->copts.hooks = CAPTURE_HOOKS_OFF;
			else
				return bad("--hooks", optarg, "expected auto, fentry, tracepoint or off");
			break;
		case OPT_NO_LIFECYCLE:
			e->copts.lifecycle = 0;
			break;
		case OPT_BUFFER:
			if (parse_size(optarg, &v) || v < 4096 * 16 || v > (1U << 30) ||
			    (v & (v - 1)))
				return bad("--buffer", optarg, "expected a power of two from 64K to 1G");
			e->copts.buffer_bytes = v;
			break;
		case OPT_SYNC:
			if (parse_duration(optarg, &e->sync_ns) || e->sync_ns < 1000000)
				return bad("--sync-interval", optarg, "expected a duration >= 1ms such as 5s");
			break;
		case OPT_SNAPSHOT:
			if (parse_duration(optarg, &e->snapshot_ns))
				return bad("--snapshot-interval", optarg, "expected a duration such as 10m");
			break;
		case OPT_DURATION:
			if (parse_duration(optarg, &e->duration_ns) || !e->duration_ns)
				return bad("--duration", optarg, "expected a duration such as 30s");
			break;
		case OPT_STATS:
			e->stats = 1;
			break;
		case OPT_NO_PIN:
			e->no_pin = 1;
			break;
		case OPT_UNPIN:
			e->unpin = 1;
			break;
		case OPT_CHECK:
			e->check = 1;
			break;
		case OPT_PROBES:
			e->copts.probes = 1;
			break;
		case OPT_JOURNAL:
			e->journal = 1;
			break;
		case OPT_METRICS:
			if (!*optarg || optarg[strlen(optarg) - 1] == '/')
				return bad("--metrics-file", optarg, "expected a file path");
			e->metrics_file = optarg;
			break;
		case OPT_METRICS_INTERVAL:
			if (parse_duration(optarg, &e->metrics_ns) || e->metrics_ns < 1000000000ULL)
				return bad("--metrics-interval", optarg, "expected a duration >= 1s such as 15s");
			break;
		case OPT_PSTORE:
			if (!optarg || !strcmp(optarg, "auto"))
				e->pstore = PSTORE_AUTO;
			else if (!strcmp(optarg, "pmsg"))
				e->pstore = PSTORE_PMSG;
			else if (!strcmp(optarg, "kmsg"))
				e->pstore = PSTORE_KMSG;
			else
				return bad("--pstore", optarg, "expected auto, pmsg or kmsg");
			break;
		case OPT_PSTORE_SIGNALS:
			if (sig_parse_list(optarg, e->pstore_mask, badtok, sizeof(badtok)))
				return bad("--pstore-signals", optarg, "unknown signal in list");
			break;
		case 'v':
			e->copts.verbose++;
			break;
		case 'V':
			printf("sigrec %s\n", SIGREC_VERSION_STR);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'sigrec --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sigrec: unexpected argument '%s'\nTry 'sigrec --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	e->copts.sig_mask[0] &= ~excl[0];
	e->copts.sig_mask[1] &= ~excl[1];
	if (!e->copts.sig_mask[0] && !e->copts.sig_mask[1]) {
		fprintf(stderr, "sigrec: the signal filters exclude every signal\n");
		return -EINVAL;
	}
	return 0;
}

static uint64_t boot_ns(void);

static void write_failed(struct run *run, int kind, int err)
{
	struct wfail *w = &run->wf[kind];
	uint64_t now = boot_ns();

	run->errors++;
	if (kind == W_APPEND && run->metrics)
		metrics__lost(run->metrics, METRICS_LOST_WRITE, 1);
	if (!w->n++)
		w->first_ts = now;
	w->last_ts = now;
	if (w->n == 1 || now - w->said >= W_SAY_EVERY_NS) {
		fprintf(stderr, "sigrec: cannot %s: %s (%llu time%s since it last worked)%s\n",
			w_what[kind], strerror(err < 0 ? -err : err), (unsigned long long)w->n,
			w->n == 1 ? "" : "s", kind == W_APPEND ? "; the records lost are counted and "
			"written into the recording when writing works again" : "");
		w->said = now;
	}
}

static void write_worked(struct run *run, int kind)
{
	struct wfail *w = &run->wf[kind];
	struct sigrec_lost l = { 0 };

	if (!w->n)
		return;
	if (kind == W_APPEND) {
		l.h.type = SIGREC_T_LOST;
		l.h.flags = SIGREC_LOST_WRITE;
		l.h.size = sizeof(l);
		l.h.ts = boot_ns();
		l.count = w->n;
		l.from_ts = w->first_ts;
		l.to_ts = w->last_ts;
		l.lcpu = UINT32_MAX;
		if (ring__append(run->ring, &l, sizeof(l)))
			return;		/* still failing: keep counting */
	}
	fprintf(stderr, "sigrec: can %s again after %llu failure%s%s\n", w_what[kind],
		(unsigned long long)w->n, w->n == 1 ? "" : "s",
		kind == W_APPEND ? "; the records lost are written into the recording" : "");
	w->n = 0;
}

static void append(struct run *run, const void *rec, size_t len)
{
	int rc = ring__append(run->ring, rec, len);

	if (rc) {
		write_failed(run, W_APPEND, rc);
		return;
	}
	run->records++;
	write_worked(run, W_APPEND);
}

static void seal(struct run *run)
{
	int rc = ring__seal(run->ring);

	if (rc)
		write_failed(run, W_SEAL, rc);
	else
		write_worked(run, W_SEAL);
}

/* How many signals a signal record stands for (a repeat: its count). */
static uint64_t signal_count(const struct sigrec_signal *s, size_t len)
{
	if (s->h.flags & SIGREC_SIG_REPEAT && len >= sizeof(struct sigrec_repeat))
		return ((const struct sigrec_repeat *)s)->count;
	return 1;
}

/* Metrics: every signal by kind; fatal ones delivered, by the victim's unit. */
static void count_signal(struct run *run, const struct sigrec_signal *s, size_t len)
{
	uint64_t n = signal_count(s, len);
	const struct proc *p;
	char unit[METRICS_UNIT_LEN];

	metrics__signal(run->metrics, s->sig, s->cause, s->result, n);
	if (!sigrec_sig_in(run->fatal_mask[0], s->sig) || s->result != SIGREC_R_DELIVERED)
		return;
	p = model__get(run->procs, s->target.pid, s->target.start_ns);
	metrics__unit_of(p ? p->cgroup : "", unit, sizeof(unit));
	metrics__fatal(run->metrics, s->sig, unit, n);
}

/* A process the table does not know yet: read it from /proc if it is alive. */
/*
 * Also a process the table knows whose cgroup changed since (BPF gives the
 * cgroup id at the event): the path is read again and described again in
 * this chunk, so a signal names the cgroup the process was in at the time.
 */
static void resolve(struct run *run, const struct sigrec_task *t)
{
	struct proc *known = t->pid ? model__find(run->procs, t->pid, t->start_ns) : NULL;
	struct sigrec_proc p;

	if (!t->pid || !t->start_ns ||
	    (known && (!t->cgroup_id || !known->cgroup_id || known->cgroup_id == t->cgroup_id)))
		return;
	if (procscan__read(t->pid, &p) || p.task.start_ns / 10000000 != t->start_ns / 10000000)
		return;
	p.h.ts = 0;
	model__feed(run->procs, &p, sizeof(p));
	if (known)
		known->mark = 0;	/* its new path goes into this chunk too */
}

/* Ancestry of t not yet described in the active chunk, counted or written. */
static int chain(struct run *run, const struct sigrec_task *t, uint64_t ts, int write)
{
	struct proc *p = t->pid ? model__find(run->procs, t->pid, t->start_ns) : NULL;
	uint64_t seq = ring__seq(run->ring);
	int n = 0;

	for (int depth = 0; p && depth <= MODEL_MAX_ANCESTRY && p->mark != seq; depth++) {
		if (write) {
			struct sigrec_proc rec;

			model__proc_record(p, ts, &rec);
			append(run, &rec, sizeof(rec));
			p->mark = ring__seq(run->ring);
		}
		n++;
		p = p->has_parent ? model__find(run->procs, p->ppid, p->pstart_ns) : NULL;
	}
	return n;
}

/*
 * Every chunk describes the processes its signals name (and their
 * ancestors), so after the ring wraps any event still in it resolves on its
 * own.  The descriptions go in the same chunk as the signal: if they might
 * not fit, the chunk is sealed first.
 */
static int same_task(const struct sigrec_task *a, const struct sigrec_task *b)
{
	return a->pid == b->pid && a->start_ns == b->start_ns && a->tid == b->tid &&
	       a->cgroup_id == b->cgroup_id && !memcmp(a->comm, b->comm, sizeof(a->comm));
}

static void on_signal(struct run *run, const struct sigrec_signal *s, size_t len)
{
	int need;

	if (run->last_seq == ring__seq(run->ring) && same_task(&s->sender, &run->last_sender) &&
	    same_task(&s->target, &run->last_target)) {
		append(run, s, len);
		if (run->last_seq != ring__seq(run->ring))
			run->last_seq = 0;	/* sealed: the new chunk needs the descriptions */
		else
			goto pstore;
		/* the record went to a new chunk without its processes: add them */
		chain(run, &s->sender, s->h.ts, 1);
		chain(run, &s->target, s->h.ts, 1);
		goto pstore;
	}
	resolve(run, &s->sender);
	resolve(run, &s->target);
	need = chain(run, &s->sender, s->h.ts, 0) + chain(run, &s->target, s->h.ts, 0);
	if (need && ring__room(run->ring) < (uint32_t)(need * PROC_REC_MAX + RING_MAX_RECORD * 2))
		seal(run);
	chain(run, &s->sender, s->h.ts, 1);
	chain(run, &s->target, s->h.ts, 1);
	model__feed(run->procs, s, len);
	append(run, s, len);
	run->last_sender = s->sender;
	run->last_target = s->target;
	run->last_seq = ring__seq(run->ring);
pstore:
	if (run->metrics)
		count_signal(run, s, len);
	if (run->journal)
		journal__signal(run->journal, run->procs, s, signal_count(s, len));
	/* a repeat's first signal already has its line */
	if (run->pstore && !(s->h.flags & SIGREC_SIG_REPEAT))
		pstore__signal(run->pstore, s, (int64_t)s->h.ts + run->boot.clock_offset,
			       run->boot.boot_id, 0);
}

static int on_record(void *ctx, void *data, size_t len)
{
	const struct sigrec_rec_hdr *h = data;
	struct run *run = ctx;

	if (h->type == SIGREC_T_SIGNAL && len >= sizeof(struct sigrec_signal)) {
		on_signal(run, data, len);
		return 0;
	}
	model__feed(run->procs, data, len);
	append(run, data, len);
	if (h->type == SIGREC_T_PROC) {
		const struct sigrec_proc *p = data;
		struct proc *e = model__find(run->procs, p->task.pid, p->task.start_ns);

		if (e)
			e->mark = ring__seq(run->ring);
	} else if (h->type == SIGREC_T_OOM && run->journal) {
		journal__oom(run->journal, ((const struct sigrec_oom *)data)->victim_pid);
	} else if (h->type == SIGREC_T_LOST) {
		const struct sigrec_lost *l = data;

		run->lost += l->count;
		if (run->metrics)
			metrics__lost(run->metrics, l->h.flags & SIGREC_LOST_GAP ? METRICS_LOST_GAP :
				      l->h.flags & SIGREC_LOST_NESTED ? METRICS_LOST_NESTED :
				      l->h.flags & SIGREC_LOST_WRITE ? METRICS_LOST_WRITE :
				      METRICS_LOST_BUFFER, l->count);
	} else if (h->type == SIGREC_T_EXIT && ++run->exits % 1024 == 0) {
		model__trim(run->procs, PROCS_MAX);
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void write_start(struct run *run, const struct env *e, const struct capture *cap,
			uint32_t again)
{
	struct sigrec_start s = { 0 };

	s.h.type = SIGREC_T_START;
	s.h.size = sizeof(s);
	s.h.ts = boot_ns();
	s.sig_mask[0] = e->copts.sig_mask[0];
	s.sig_mask[1] = e->copts.sig_mask[1];
	s.filter_pid = e->copts.pid;
	s.flags = (e->copts.failed_only ? SIGREC_START_FAILED_ONLY : 0) |
		  (e->copts.exact ? SIGREC_START_EXACT : 0) | capture__missing(cap) | again;
	s.hooks = capture__hooks(cap);
	s.version = SIGREC_VERSION_NUM;
	memcpy(s.filter_comm, e->copts.comm, sizeof(s.filter_comm));
	on_record(run, &s, sizeof(s));
}

static void record_drops(struct run *run, struct capture *cap)
{
	(void)run;
	capture__drops(cap);
}

static int from_bpf(int type)
{
	return type == SIGREC_T_SIGNAL || type == SIGREC_T_SYSRET || type == SIGREC_T_FORK ||
	       type == SIGREC_T_EXEC || type == SIGREC_T_EXIT || type == SIGREC_T_COMM ||
	       type == SIGREC_T_OOM;
}

struct last_rec {
	uint8_t buf[RING_MAX_RECORD];
	size_t len;
};

static int keep_last(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct last_rec *l = ctx;

	(void)c;
	if (from_bpf(((const struct sigrec_rec_hdr *)rec)->type) && len <= sizeof(l->buf)) {
		memcpy(l->buf, rec, len);
		l->len = len;
	}
	return 0;
}

/* The newest record that came from the kernel, to skip it if seen again. */
static void find_last(const char *path, struct last_rec *l)
{
	struct ring_err err;
	struct ring_reader *rr = ring_reader__open(path, &err);
	const struct ring_chunk *ch;
	size_t n = 0;

	l->len = 0;
	if (!rr)
		return;
	if (!ring_reader__chunks(rr, &ch, &n, NULL))
		for (size_t i = n > 2 ? n - 2 : 0; i < n; i++)
			ring_reader__decode(rr, &ch[i], keep_last, l);
	ring_reader__close(rr);
}

/* One pinned set per ring file: /sys/fs/bpf/sigrec/<hash of its path>. */
static void pin_dir_for(const char *ring, char *buf, size_t len)
{
	char real[4096];
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!realpath(ring, real))
		snprintf(real, sizeof(real), "%s", ring);
	for (const char *p = real; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	snprintf(buf, len, "/sys/fs/bpf/sigrec/%016llx", (unsigned long long)h);
}

static void snapshot(struct run *run)
{
	procscan__snapshot(on_record, run);
}

#define POLL_MIN_MS	100
#define POLL_MAX_MS	1000

/* Size and oldest record of the ring, for the metrics. */
static void ring_facts(const char *path, struct metrics_ring *mr)
{
	struct ring_err err;
	struct ring_reader *rr = ring_reader__open(path, &err);
	const struct ring_chunk *ch;
	size_t n;

	mr->size = 0;
	mr->oldest_s = 0;
	if (!rr)
		return;
	mr->size = ring_reader__info(rr)->file_size;
	if (!ring_reader__chunks(rr, &ch, &n, NULL))
		for (size_t i = 0; i < n; i++)
			if (ch[i].nrec) {
				mr->oldest_s = wall_ns(ch[i].first_ts, ch[i].boot.clock_offset) / 1e9;
				break;
			}
	ring_reader__close(rr);
}

static void write_metrics(const struct env *e, struct run *run, int up)
{
	struct metrics_ring mr;
	int rc;

	if (!run->metrics)
		return;
	ring_facts(e->ring, &mr);
	rc = metrics__write(run->metrics, &mr, up);
	if (rc && !run->metrics_failed)
		fprintf(stderr, "sigrec: cannot write --metrics-file %s: %s\n", e->metrics_file,
			strerror(-rc));
	run->metrics_failed = rc != 0;
}

static void capture_labels(const struct capture *cap, char *buf, size_t len)
{
	static const char *const hooks[] = { "off", "fentry", "tracepoint" };
	int h = capture__hooks(cap);
	size_t n = snprintf(buf, len, "hooks=\"%s\"", h >= 0 && h <= 2 ? hooks[h] : "unknown");

	for (int i = CAPTURE_IRQ; i < CAPTURE_NPARTS && n < len; i++) {
		char key[32];
		size_t k = 0;

		for (const char *p = capture__part_name(i); *p && k + 1 < sizeof(key); p++)
			key[k++] = *p == ' ' ? '_' : *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
		key[k] = 0;
		n += snprintf(buf + n, len - n, ",%s=\"%s\"", key,
			      capture__part_on(cap, i) ? "on" : "off");
	}
}

/* --metrics-file: the first write now, with every privilege, says whether it can work. */
static int setup_metrics(const struct env *e, struct run *run, const struct capture *cap,
			 char *dir, size_t dirlen)
{
	char labels[256];
	const char *slash = strrchr(e->metrics_file, '/');

	run->metrics = metrics__new(e->metrics_file);
	if (!run->metrics)
		return -ENOMEM;
	run->fatal_mask[0] = e->pstore_mask[0];
	run->fatal_mask[1] = e->pstore_mask[1];
	capture_labels(cap, labels, sizeof(labels));
	metrics__capture(run->metrics, labels);
	snprintf(dir, dirlen, "%.*s", slash ? (int)(slash - e->metrics_file) : 1,
		 slash ? e->metrics_file : ".");
	if (!dir[0])
		snprintf(dir, dirlen, "/");
	write_metrics(e, run, 1);
	return run->metrics_failed ? -EIO : 0;
}

static int record_loop(const struct env *e, struct run *run, struct capture *cap)
{
	uint64_t start = mono_ns(), last_sync = start, last_snap = start, last_metrics = start;
	/*
	 * The kernel wakes the reader once per batch, so the poll timeout is
	 * what brings a lone event in.  100 ms while events flow, backing off
	 * to 1 s when nothing comes (no measurable CPU on an idle machine);
	 * --pstore keeps 100 ms, for a line in the kernel's log before a panic.
	 */
	int timeout = POLL_MIN_MS, max_timeout = run->pstore ? POLL_MIN_MS : POLL_MAX_MS;

	while (!stop) {
		uint64_t now;
		int n = capture__poll(cap, timeout);

		if (n < 0) {
			fprintf(stderr, "sigrec: reading the BPF ring buffer: %s\n", strerror(-n));
			return EXIT_RUNTIME;
		}
		timeout = n ? POLL_MIN_MS : timeout * 2 > max_timeout ? max_timeout : timeout * 2;
		if (run->journal)
			journal__flush(run->journal, run->procs);
		record_drops(run, cap);
		now = mono_ns();
		if (now - last_sync >= e->sync_ns) {
			int rc = ring__sync(run->ring, 0);

			if (rc)
				write_failed(run, W_SYNC, rc);
			else
				write_worked(run, W_SYNC);
			last_sync = now;
		}
		if (e->snapshot_ns && now - last_snap >= e->snapshot_ns) {
			/* a wrapped ring still says what this session records */
			write_start(run, e, cap, SIGREC_START_AGAIN);
			snapshot(run);
			last_snap = now;
		}
		if (run->metrics && now - last_metrics >= e->metrics_ns) {
			write_metrics(e, run, 1);
			last_metrics = now;
		}
		if (e->duration_ns && now - start >= e->duration_ns)
			break;
	}
	/* detach, then write what the kernel side still holds */
	capture__stop(cap);
	capture__poll(cap, 0);
	if (run->journal)
		journal__flush(run->journal, run->procs);
	record_drops(run, cap);
	return EXIT_OK;
}

static int record(const struct env *e, struct run *run, struct capture *cap)
{
	struct sigaction bus = { .sa_handler = on_bus };
	int rc;

	if (sigsetjmp(bus_jmp, 1)) {
		fprintf(stderr, "sigrec: the ring file %s shrank under the recorder (SIGBUS writing "
			"it): stopping without writing more; the capture stays pinned, so a restart "
			"on an intact ring loses nothing\n", e->ring);
		return EXIT_RING_GONE;
	}
	sigaction(SIGBUS, &bus, NULL);
	bus_armed = 1;
	rc = record_loop(e, run, cap);
	bus_armed = 0;
	return rc;
}

int main(int argc, char **argv)
{
	struct env e = {
		.ring = DEFAULT_RING,
		.ropts = { .mode = 0640 },
		.copts = { .sig_mask = { ~0ULL, ~0ULL }, .lifecycle = 1, .buffer_bytes = 8 << 20 },
		.sync_ns = 5000000000ULL,
		.snapshot_ns = 600000000000ULL,
		.metrics_ns = 15000000000ULL,
		/* KILL TERM ABRT SEGV BUS ILL FPE SYS */
		.pstore_mask = { (1ULL << 8) | (1ULL << 14) | (1ULL << 5) | (1ULL << 10) |
				 (1ULL << 6) | (1ULL << 3) | (1ULL << 7) | (1ULL << 30), 0 },
	};
	struct sigaction sa = { .sa_handler = on_stop };
	struct run run = { 0 };
	struct ring_boot boot;
	struct ring_err rerr = { "" };
	static struct last_rec last;
	struct capture *cap = NULL;
	char err[512], pin_dir[256];
	struct privs_opts popts = { { NULL } };
	char mdir[4096];
	int rc, stopped = 0, existed;

	if (parse_args(argc, argv, &e))
		return EXIT_USAGE;
	if (e.check) {
		if (capture__mounts(err, sizeof(err)))
			fprintf(stderr, "sigrec: %s\n", err);
		return check__run(&e.copts);
	}
	if (e.unpin) {
		pin_dir_for(e.ring, pin_dir, sizeof(pin_dir));
		rc = capture__unpin(pin_dir);
		if (rc && rc != -ENOENT) {
			fprintf(stderr, "sigrec: cannot remove %s: %s\n", pin_dir, strerror(-rc));
			return EXIT_RUNTIME;
		}
		fprintf(stderr, "sigrec: %s\n", rc ? "no pinned capture for this ring" :
			"pinned capture removed");
		return EXIT_OK;
	}
	if (read_boot(&boot))
		fprintf(stderr, "sigrec: warning: no boot id in /proc; boot sessions will not be told apart\n");
	e.popts.create_dir = !strcmp(e.ring, DEFAULT_RING);
	if (place__check(e.ring, &e.popts, err, sizeof(err))) {
		fprintf(stderr, "sigrec: %s\n", err);
		return EXIT_RING;
	}
	existed = !access(e.ring, F_OK);
	run.procs = model__new();
	if (!run.procs) {
		fprintf(stderr, "sigrec: out of memory\n");
		return EXIT_RUNTIME;
	}
	model__no_history(run.procs);
	run.boot = boot;
	rc = EXIT_RUNTIME;
	if (e.pstore) {
		run.pstore = pstore__open(e.pstore, e.pstore_mask, err, sizeof(err));
		if (!run.pstore) {
			fprintf(stderr, "sigrec: --pstore: %s\n", err);
			goto out;
		}
	}
	run.ring = ring__open_writer(e.ring, &e.ropts, &boot, &rerr);
	if (!run.ring) {
		fprintf(stderr, "sigrec: %s\n", rerr.msg);
		rc = EXIT_RING;
		goto out;
	}
	if (!existed && place__set_group(e.ring, &e.popts, err, sizeof(err))) {
		fprintf(stderr, "sigrec: %s\n", err);
		rc = EXIT_RING;
		goto out;
	}
	rc = EXIT_RUNTIME;	/* a mount that fails is not a BPF refusal */
	if (capture__mounts(err, sizeof(err))) {
		fprintf(stderr, "sigrec: %s\n", err);
		goto out;
	}
	rc = EXIT_BPF;
	if (!e.no_pin) {
		pin_dir_for(e.ring, pin_dir, sizeof(pin_dir));
		e.copts.pin_dir = pin_dir;
		find_last(e.ring, &last);
		e.copts.last_rec = last.buf;
		e.copts.last_len = last.len;
	}
	cap = capture__open(&e.copts, on_record, &run, err, sizeof(err));
	if (!cap) {
		fprintf(stderr, "sigrec: %s\n", err);
		goto out;
	}
	if (e.copts.probes && capture__hooks(cap) == SIGREC_HOOKS_NONE)
		fprintf(stderr, "sigrec: --probes: no syscall hooks in this session (--hooks "
			"tracepoint adds them): kill(pid, 0) probes are not recorded\n");
	/* give back what loading BTF and the programs used */
	malloc_trim(0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	write_start(&run, &e, cap, 0);
	snapshot(&run);		/* with every capability: exe paths of all processes */
	if (e.journal && !(run.journal = journal__new(e.pstore_mask))) {
		fprintf(stderr, "sigrec: out of memory\n");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (e.metrics_file && setup_metrics(&e, &run, cap, mdir, sizeof(mdir))) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	/* the pins are removed at a clean stop; metrics are renamed into place */
	popts.writable[0] = e.no_pin ? NULL : "/sys/fs/bpf/sigrec";
	popts.writable[e.no_pin ? 0 : 1] = e.metrics_file ? mdir : NULL;
	if (privs__drop(&popts, err, sizeof(err))) {
		fprintf(stderr, "sigrec: %s\n", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (run.pstore)
		fprintf(stderr, "sigrec: --pstore: fatal signals also go to %s\n",
			pstore__path(run.pstore));
	fprintf(stderr, "sigrec: recording to %s (syscall hooks: %s%s)\n", e.ring,
		capture__hooks(cap) == SIGREC_HOOKS_FENTRY ? "fentry" :
		capture__hooks(cap) == SIGREC_HOOKS_TRACEPOINT ? "tracepoint" : "off",
		capture__reused(cap) ? "; took over the capture a previous sigrec left running" : "");

	rc = record(&e, &run, cap);
	if (rc == EXIT_RING_GONE) {	/* nothing more can touch the mapping */
		capture__close(cap, 0);
		return EXIT_RING;
	}
	stopped = 1;
out:
	/* a clean stop detaches; only a crash leaves the pinned capture running */
	if (cap)
		capture__close(cap, 1);
	if (run.ring && stopped && ring__seal(run.ring))
		fprintf(stderr, "sigrec: warning: sealing the last chunk failed\n");
	if (run.ring)
		ring__close(run.ring);
	if (stopped)
		write_metrics(&e, &run, 0);
	metrics__free(run.metrics);
	journal__free(run.journal);
	model__free(run.procs);
	if (run.pstore && pstore__suppressed(run.pstore))
		fprintf(stderr, "sigrec: --pstore: %llu lines suppressed by the rate limit\n",
			(unsigned long long)pstore__suppressed(run.pstore));
	pstore__close(run.pstore);
	if (stopped && e.stats) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "sigrec: records=%llu lost=%llu errors=%llu maxrss_kb=%ld "
			"utime_us=%ld stime_us=%ld\n",
			(unsigned long long)run.records, (unsigned long long)run.lost,
			(unsigned long long)run.errors, ru.ru_maxrss,
			ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
			ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
	}
	return rc;
}
