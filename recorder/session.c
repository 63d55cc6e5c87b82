// SPDX-License-Identifier: MIT
/* session.c - a recording session: records to the ring, pstore, metrics, journal. */
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
#include "journal.h"
#include "metrics.h"
#include "model.h"
#include "procscan.h"
#include "writer.h"
#include "ring.h"
#include "session.h"
#include "stacks_rec.h"
#include "util.h"

#define PROCS_MAX	16384	/* table size that triggers dropping exited processes */
#define W_SAY_EVERY_NS	60000000000ULL

static const char *const w_what[W_KINDS] = {
	"append to the ring", "flush the ring to disk", "seal a chunk of the ring",
};

static volatile sig_atomic_t stop;

void session__on_stop(int sig)
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



static void write_failed(struct run *run, int kind, int err)
{
	struct wfail *w = &run->wf[kind];
	uint64_t now = clock_ns(CLOCK_BOOTTIME);

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
	struct sigrec_lost l;

	if (!w->n)
		return;
	if (kind == W_APPEND) {
		l = ring_lost(SIGREC_LOST_WRITE, w->n, w->first_ts, w->last_ts, UINT32_MAX);
		l.h.ts = clock_ns(CLOCK_BOOTTIME);	/* written now: ordered as now */
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
 *
 * A task a recent signal named, identical in every field, in the same
 * chunk and with no other record taken by the table since, has nothing
 * left to resolve, describe or take in: recent() finds it in a small
 * table by its thread id, so a storm among a few processes (one sender,
 * several targets) skips the process table.
 */
static struct recent_task *recent_slot(struct run *run, const struct sigrec_task *t)
{
	return &run->recent[(t->tid * 0x9E3779B1u) >> (32 - SESSION_RECENT_BITS)];
}

static int recent(struct run *run, const struct sigrec_task *t)
{
	const struct recent_task *r = recent_slot(run, t);

	return r->seq == ring__seq(run->ring) && r->epoch == run->epoch &&
	       !memcmp(&r->t, t, sizeof(*t));
}

static void remember(struct run *run, const struct sigrec_task *t)
{
	struct recent_task *r = recent_slot(run, t);

	r->t = *t;
	r->seq = ring__seq(run->ring);
	r->epoch = run->epoch;
}

/*
 * A signal with a stack: its stack record (frames, or a reference when the
 * chunk has them) goes just before it.  Returns the signal to write: s, or
 * a copy in *copy that no longer says it has a stack.
 */
static const struct sigrec_signal *write_stack(struct run *run, const struct sigrec_signal *s,
					       struct sigrec_signal *copy)
{
	const struct sigrec_stack *st;
	size_t len;

	if (!(s->sflags & SIGREC_SF_STACK))
		return s;
	st = rec_stacks__for(run->stacks, s, ring__seq(run->ring), &len);
	if (st) {
		append(run, st, len);
		return s;
	}
	*copy = *s;
	copy->sflags &= ~SIGREC_SF_STACK;
	return copy;
}

/* Append a signal whose processes the chunk describes; they are recent then. */
static void put_signal(struct run *run, const struct sigrec_signal *s, size_t len)
{
	uint64_t seq = ring__seq(run->ring);

	append(run, s, len);
	if (ring__seq(run->ring) != seq) {
		/* the record went to a new chunk without its processes: add them */
		chain(run, &s->sender, s->h.ts, 1);
		chain(run, &s->target, s->h.ts, 1);
	}
	remember(run, &s->sender);
	remember(run, &s->target);
}

static void on_signal(struct run *run, const struct sigrec_signal *s, size_t len)
{
	struct sigrec_signal copy;
	int need;

	if (!(s->sflags & SIGREC_SF_STACK) && recent(run, &s->sender) && recent(run, &s->target)) {
		put_signal(run, s, len);
		goto pstore;
	}
	resolve(run, &s->sender);
	resolve(run, &s->target);
	need = chain(run, &s->sender, s->h.ts, 0) + chain(run, &s->target, s->h.ts, 0);
	if ((need || s->sflags & SIGREC_SF_STACK) &&
	    ring__room(run->ring) < (uint32_t)(need * RING_ENCODED_MAX(sizeof(struct sigrec_proc)) +
						2 * RING_MAX_ENCODED))
		seal(run);
	chain(run, &s->sender, s->h.ts, 1);
	chain(run, &s->target, s->h.ts, 1);
	model__feed(run->procs, s, len);
	s = write_stack(run, s, &copy);
	put_signal(run, s, len);
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

int session__on_record(void *ctx, void *data, size_t len)
{
	const struct sigrec_rec_hdr *h = data;
	struct run *run = ctx;

	if (h->type == SIGREC_T_SIGNAL && len >= sizeof(struct sigrec_signal)) {
		on_signal(run, data, len);
		return 0;
	}
	if (h->type == SIGREC_T_STACK) {	/* written with its signal */
		rec_stacks__hold(run->stacks, data, len);
		return 0;
	}
	model__feed(run->procs, data, len);
	run->epoch++;
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

void session__write_start(struct run *run, const struct env *e, const struct capture *cap,
			  uint32_t again)
{
	struct sigrec_start s = { 0 };

	s.h.type = SIGREC_T_START;
	s.h.size = sizeof(s);
	s.h.ts = clock_ns(CLOCK_BOOTTIME);
	s.sig_mask[0] = e->copts.sig_mask[0];
	s.sig_mask[1] = e->copts.sig_mask[1];
	s.filter_pid = e->copts.pid;
	s.flags = (e->copts.failed_only ? SIGREC_START_FAILED_ONLY : 0) |
		  (e->copts.exact ? SIGREC_START_EXACT : 0) | capture__missing(cap) | again;
	s.hooks = capture__hooks(cap);
	s.version = SIGREC_VERSION_NUM;
	memcpy(s.filter_comm, e->copts.comm, sizeof(s.filter_comm));
	session__on_record(run, &s, sizeof(s));
}

static void record_drops(struct run *run, struct capture *cap)
{
	(void)run;
	capture__drops(cap);
}

void session__snapshot(struct run *run)
{
	procscan__snapshot(session__on_record, run);
}

#define POLL_MIN_MS	100
#define POLL_MAX_MS	1000

/* Size and oldest record of the ring, for the metrics. */
static void ring_facts(const char *path, struct metrics_ring *mr)
{
	struct sigrec_err err;
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

void session__write_metrics(const struct env *e, struct run *run, int up)
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
int session__setup_metrics(const struct env *e, struct run *run, const struct capture *cap,
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
	session__write_metrics(e, run, 1);
	return run->metrics_failed ? -EIO : 0;
}

static int record_loop(const struct env *e, struct run *run, struct capture *cap)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), last_sync = start, last_snap = start, last_metrics = start;
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
		now = clock_ns(CLOCK_MONOTONIC);
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
			session__write_start(run, e, cap, SIGREC_START_AGAIN);
			session__snapshot(run);
			last_snap = now;
		}
		if (run->metrics && now - last_metrics >= e->metrics_ns) {
			session__write_metrics(e, run, 1);
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

int session__record(const struct env *e, struct run *run, struct capture *cap)
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

