// SPDX-License-Identifier: MIT
/*
 * perfetto.c - `sigdump --perfetto FILE`: the Chrome JSON trace (Trace
 * Event Format).  Each process identity (pid, start time) is a track of its
 * own under a synthetic pid, so a reused pid never shares a track; every
 * synthetic pid and tid is unique in the trace (Perfetto names threads by
 * tid alone).  A signal is an X slice on the sender's thread (or a
 * "kernel" track when no task sent it) and one on the target's thread,
 * joined by a flow (v2: bind_id, flow_out, flow_in).  Slices on a thread
 * nest, never overlap in part, which both viewers require.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfetto.h"
#include "util.h"

#define PF_SLICE_NS	1000	/* a signal's slice: 1 us, or a repeat's run */
#define PF_DEPTH	16	/* slices nested on one thread at one time */
#define PF_BUCKETS	4096

struct pf_thread {
	uint32_t tid;			/* real */
	uint32_t id;			/* in the trace */
	char comm[SIGREC_COMM_LEN];
	int64_t end[PF_DEPTH];		/* ends of the open slices, innermost last */
	int depth;
	struct pf_thread *next;
};

struct pf_proc {
	uint32_t pid;			/* real; 0 for the kernel */
	uint64_t start_ns;		/* identity: with pid */
	uint32_t id;			/* in the trace: pid, and tid of the main thread */
	unsigned int nth;		/* 2: the second process with this pid, ... */
	const struct proc *p;		/* the model's, when it knows the process */
	int64_t clock_offset;		/* of the first event that named it */
	char comm[SIGREC_COMM_LEN];
	struct pf_thread *threads;
	struct pf_proc *hnext, *next;
};

struct perfetto {
	FILE *f;
	char path[4096];		/* empty: stdout */
	struct perfetto_opts o;
	uint32_t next_id;
	uint64_t flows, events;
	struct pf_proc *kernel;
	struct pf_proc *first, **last;
	struct pf_proc *hash[PF_BUCKETS];
};

struct perfetto *perfetto__open(const char *path, const struct perfetto_opts *o,
				struct sigrec_err *err)
{
	struct perfetto *p = calloc(1, sizeof(*p));
	char t[48];
	int fd, e;

	if (!p) {
		seterr(err, "out of memory");
		return NULL;
	}
	p->o = *o;
	p->last = &p->first;
	p->next_id = 1;
	if (!strcmp(path, "-")) {
		p->f = stdout;
	} else {
		snprintf(p->path, sizeof(p->path), "%s", path);
		/* as --export: never a file that exists, never through a link */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		p->f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!p->f) {
			e = errno;
			if (e == EEXIST)
				seterr(err, "%s exists; refusing to overwrite it", path);
			else
				seterr(err, "cannot create %s: %s", path, strerror(e));
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			free(p);
			errno = e;
			return NULL;
		}
	}
	fmt_rfc3339(o->origin_ns, t, sizeof(t));
	/*
	 * displayTimeUnit first and traceEvents last: Perfetto reads ts as ns
	 * under "ns", and ignores everything after a key it does not know.
	 */
	fprintf(p->f, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"sigdump %s\","
		"\"ts_origin\":\"%s\",\"ts\":\"microseconds since ts_origin (wall clock)\"},"
		"\"traceEvents\":[", SIGREC_VERSION_STR, t);
	return p;
}

/* Microseconds since the origin, ns kept as three decimals. */
static void fmt_us(const struct perfetto *p, int64_t wall, char *buf, size_t len)
{
	int64_t d = wall - p->o.origin_ns;
	uint64_t a = d < 0 ? -(uint64_t)d : (uint64_t)d;

	snprintf(buf, len, "%s%" PRIu64 ".%03u", d < 0 ? "-" : "", a / 1000,
		 (unsigned int)(a % 1000));
}

/* Start an event: the comma, phase, name, track and time. */
static void ev_head(struct perfetto *p, const char *ph, const char *cat, const char *name,
		    uint32_t pid, uint32_t tid, int64_t wall)
{
	char ts[32];

	fmt_us(p, wall, ts, sizeof(ts));
	fprintf(p->f, "%s\n{\"ph\":\"%s\",\"cat\":\"%s\",\"name\":", p->events++ ? "," : "",
		ph, cat);
	json_str(p->f, name, 64);
	fprintf(p->f, ",\"pid\":%u,\"tid\":%u,\"ts\":%s", pid, tid, ts);
}

static void arg_str(FILE *f, const char *key, const char *val, size_t max)
{
	fprintf(f, ",\"%s\":", key);
	json_str(f, val, max);
}

static void arg_time(FILE *f, const char *key, int64_t wall)
{
	char t[48];

	fmt_rfc3339(wall, t, sizeof(t));
	fprintf(f, ",\"%s\":\"%s\"", key, t);
}

/* ---- tracks ---- */

static struct pf_proc *proc_new(struct perfetto *p, uint32_t pid, uint64_t start,
				const char *comm)
{
	struct pf_proc *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pp->pid = pid;
	pp->start_ns = start;
	pp->id = p->next_id++;
	snprintf(pp->comm, sizeof(pp->comm), "%s", comm[0] ? comm : "?");
	*p->last = pp;
	p->last = &pp->next;
	return pp;
}

/* The track of a task's process: one per (pid, start time), by first appearance. */
static struct pf_proc *proc_of(struct perfetto *p, const struct model *m,
			       const struct sigrec_task *t, const struct ev *e)
{
	const struct proc *mp = model__task(m, t, e->s.h.ts);
	uint64_t start = mp ? mp->start_ns : t->start_ns;
	struct pf_proc **b = &p->hash[t->pid % PF_BUCKETS], *pp;
	unsigned int nth = 1;

	for (pp = *b; pp; pp = pp->hnext) {
		if (pp->pid != t->pid)
			continue;
		if (pp->start_ns == start)
			return pp;
		nth++;
	}
	/* the process's last name: what it ran in the end */
	pp = proc_new(p, t->pid, start, mp ? mp->comm : t->comm);
	if (!pp)
		return NULL;
	pp->nth = nth;
	pp->p = mp;
	pp->clock_offset = e->clock_offset;
	pp->hnext = *b;
	*b = pp;
	return pp;
}

static struct pf_thread *thread_of(struct perfetto *p, struct pf_proc *pp, uint32_t tid,
				   const char *comm)
{
	struct pf_thread *t, **l = &pp->threads;

	for (t = pp->threads; t; l = &t->next, t = t->next)
		if (t->tid == tid)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	/* the main thread shares the process's id, as in a real trace */
	t->id = tid == pp->pid && pp->pid ? pp->id : p->next_id++;
	snprintf(t->comm, sizeof(t->comm), "%s", comm && comm[0] ? comm : pp->comm);
	*l = t;
	return t;
}

/* The kernel's track for a signal no task sent, a thread per cause. */
static struct pf_thread *kernel_thread(struct perfetto *p, const char *cause, int id)
{
	if (!p->kernel)
		p->kernel = proc_new(p, 0, 0, "kernel");
	return p->kernel ? thread_of(p, p->kernel, id, cause) : NULL;
}

/*
 * How long a slice that starts at wall may last on this thread: want, or
 * less so that it nests in the slice still open there.
 */
static int64_t slice_dur(struct pf_thread *t, int64_t wall, int64_t want)
{
	int64_t dur = want;

	while (t->depth && t->end[t->depth - 1] <= wall)
		t->depth--;
	if (t->depth && t->end[t->depth - 1] - wall < dur)
		dur = t->end[t->depth - 1] - wall;
	if (t->depth == PF_DEPTH)
		return 0;	/* deep enough: a zero-length slice nests anywhere */
	t->end[t->depth++] = wall + dur;
	return dur;
}

/* ---- signals ---- */

static void task_label(char *buf, size_t len, const struct sigrec_task *t)
{
	snprintf(buf, len, "%s [%u/%u]", t->comm[0] ? t->comm : "?", t->pid, t->tid);
}

/* The args both slices of a signal carry. */
static void signal_args(FILE *f, const struct ev *e, const char *sender)
{
	const struct sigrec_signal *s = &e->s;
	char b[32], lab[64];

	arg_time(f, "time", e->wall_ns);
	fprintf(f, ",\"sig\":%d,\"code\":\"%s\",\"si_code\":%d", s->sig,
		code_name(s->sig, s->code, b, sizeof(b)), s->code);
	fprintf(f, ",\"cause\":\"%s\",\"result\":\"%s\"", e->oom ? "oom" : cause_name(s->cause),
		result_name(s->result));
	arg_str(f, "sender", sender, 64);
	task_label(lab, sizeof(lab), &s->target);
	arg_str(f, "target", lab, sizeof(lab));
	if (!ev_real_sender(e) && !e->oom && s->sender.pid) {
		task_label(lab, sizeof(lab), &s->sender);
		arg_str(f, "interrupted", lab, sizeof(lab));	/* hit, not the sender */
	}
	if (s->syscall) {
		fprintf(f, ",\"syscall\":\"%s\",\"ret\":%d", syscall_name(s->syscall), s->ret);
		if (!e->source)
			fprintf(f, ",\"syscall_arg\":%" PRId64, (int64_t)s->arg0);
		if (s->ret < 0)
			fprintf(f, ",\"errno\":\"%s\"", errno_name(-s->ret, b, sizeof(b)));
	}
	if (e->count) {
		fprintf(f, ",\"count\":%" PRIu64, e->count);
		arg_time(f, "to", e->to_wall_ns);
		fprintf(f, ",\"storm\":\"one record for %" PRIu64 " identical signals, the first "
			"at time, all at or before to\"", e->count);
	}
	if (e->source) {
		snprintf(lab, sizeof(lab), "pstore:%.50s", e->source);
		arg_str(f, "source", lab, sizeof(lab));
	}
}

static void slice(struct perfetto *p, const struct pf_proc *pp, struct pf_thread *t,
		  const struct ev *e, const char *name, const char *role, const char *flow,
		  const char *sender)
{
	int64_t want = PF_SLICE_NS;
	char dur[32];
	int64_t d;

	if (e->count && e->to_wall_ns - e->wall_ns > want)
		want = e->to_wall_ns - e->wall_ns;
	d = slice_dur(t, e->wall_ns, want);
	snprintf(dur, sizeof(dur), "%" PRId64 ".%03d", d / 1000, (int)(d % 1000));
	ev_head(p, "X", "signal", name, pp->id, t->id, e->wall_ns);
	fprintf(p->f, ",\"dur\":%s", dur);
	if (flow)
		fprintf(p->f, ",\"bind_id\":%" PRIu64 ",\"%s\":true", p->flows, flow);
	fprintf(p->f, ",\"args\":{\"role\":\"%s\"", role);
	signal_args(p->f, e, sender);
	fputs("}}", p->f);
}

void perfetto__signal(struct perfetto *p, const struct model *m, const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	const char *cause = e->oom ? "oom" : cause_name(s->cause), *name;
	struct pf_proc *sp, *tp;
	struct pf_thread *st, *tt;
	char b[32], sender[64];

	name = sig_name(s->sig, b, sizeof(b));
	if (!name) {
		snprintf(b, sizeof(b), "SIG%d", s->sig);
		name = b;
	}
	/* the sender first: tracks are sorted by first appearance */
	if (ev_real_sender(e)) {
		sp = proc_of(p, m, &s->sender, e);
		st = sp ? thread_of(p, sp, s->sender.tid, s->sender.comm) : NULL;
		task_label(sender, sizeof(sender), &s->sender);
	} else {
		st = kernel_thread(p, cause, e->oom ? SIGREC_C_OOM : s->cause);
		sp = p->kernel;
		snprintf(sender, sizeof(sender), "kernel (%s)", cause);
	}
	tp = proc_of(p, m, &s->target, e);
	tt = tp ? thread_of(p, tp, s->target.tid, s->target.comm) : NULL;
	if (!tt || !st)
		return;
	if (st == tt) {	/* a task's own fault, raise(): one slice */
		slice(p, tp, tt, e, name, "sender and target", NULL, sender);
		return;
	}
	p->flows++;
	slice(p, sp, st, e, name, "sender", "flow_out", sender);
	slice(p, tp, tt, e, name, "target", "flow_in", sender);
}

/* ---- marks and names ---- */

static int in_window(const struct perfetto *p, int64_t wall)
{
	return wall >= p->o.origin_ns && wall >= p->o.since_ns && wall <= p->o.until_ns;
}

static void mark(struct perfetto *p, struct pf_proc *pp, const char *name, int64_t wall)
{
	struct pf_thread *t = thread_of(p, pp, pp->pid, NULL);
	char ts[48];

	ev_head(p, "i", "process", name, pp->id, t ? t->id : pp->id, wall);
	fmt_rfc3339(wall, ts, sizeof(ts));
	fprintf(p->f, ",\"s\":\"t\",\"args\":{\"time\":\"%s\"", ts);
}

static void lifecycle(struct perfetto *p, struct pf_proc *pp)
{
	const struct proc *mp = pp->p, *img;
	char buf[SIGREC_ARGV_LEN + 16], b[32];
	const char *sn;
	int64_t w;

	if (!mp)
		return;
	w = wall_ns(mp->start_ns, pp->clock_offset);
	/* a start inside the window: it was forked while recorded */
	if (in_window(p, w)) {
		mark(p, pp, "fork", w);
		if (mp->has_parent)
			fprintf(p->f, ",\"ppid\":%u", mp->ppid);
		fputs("}}", p->f);
	}
	for (img = mp; img; img = img->before_exec) {
		w = wall_ns(img->exec_ts, pp->clock_offset);
		if (!img->has_exec || !in_window(p, w))
			continue;
		mark(p, pp, "exec", w);
		arg_str(p->f, "comm", img->comm, sizeof(img->comm));
		arg_str(p->f, "exe", img->exe, sizeof(img->exe));
		proc_cmdline(img, buf, sizeof(buf));
		arg_str(p->f, "cmdline", buf, sizeof(buf));
		fputs("}}", p->f);
	}
	w = wall_ns(mp->exit_ts, pp->clock_offset);
	if (mp->has_exit && in_window(p, w)) {
		int st = mp->exit_code;

		mark(p, pp, "exit", w);
		fprintf(p->f, ",\"code\":%d,\"signal\":%d,\"core\":%s", (st >> 8) & 0xff, st & 0x7f,
			st & 0x80 ? "true" : "false");
		sn = st & 0x7f ? sig_name(st & 0x7f, b, sizeof(b)) : NULL;
		if (sn)
			arg_str(p->f, "killed_by", sn, 32);
		fputs("}}", p->f);
	}
}

static void meta(struct perfetto *p, const char *what, uint32_t pid, uint32_t tid,
		 const char *name, long sort)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_name", what);
	ev_head(p, "M", "__metadata", key, pid, tid, p->o.origin_ns);
	fputs(",\"args\":{\"name\":", p->f);
	json_str(p->f, name, 160);
	fputs("}}", p->f);
	snprintf(key, sizeof(key), "%s_sort_index", what);
	ev_head(p, "M", "__metadata", key, pid, tid, p->o.origin_ns);
	fprintf(p->f, ",\"args\":{\"sort_index\":%ld}}", sort);
}

static const char *ordinal(unsigned int n, char *buf, size_t len)
{
	const char *suf = n % 100 / 10 == 1 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" :
			  n % 10 == 3 ? "rd" : "th";

	snprintf(buf, len, "%u%s", n, suf);
	return buf;
}

static void names(struct perfetto *p, struct pf_proc *pp)
{
	char name[160], th[64], o[16];
	long sort = 1;

	if (!pp->pid)
		snprintf(name, sizeof(name), "kernel (no sending task)");
	else if (pp->nth > 1)
		snprintf(name, sizeof(name), "%s [%u] (%s process with pid %u)", pp->comm,
			 pp->pid, ordinal(pp->nth, o, sizeof(o)), pp->pid);
	else
		snprintf(name, sizeof(name), "%s [%u]", pp->comm, pp->pid);
	/* on a thread it has: a tid of its own would be a thread without a name */
	meta(p, "process", pp->id, pp->threads ? pp->threads->id : pp->id, name, pp->id);
	for (struct pf_thread *t = pp->threads; t; t = t->next) {
		if (pp->pid)
			snprintf(th, sizeof(th), "%s [%u]", t->comm, t->tid);
		else
			snprintf(th, sizeof(th), "%s", t->comm);
		meta(p, "thread", pp->id, t->id, th, t->id == pp->id ? 0 : sort++);
	}
}

int perfetto__close(struct perfetto *p, struct sigrec_err *err)
{
	struct pf_proc *pp, *n;
	int rc = 0;

	for (pp = p->first; pp; pp = pp->next)
		lifecycle(p, pp);
	for (pp = p->first; pp; pp = pp->next)
		names(p, pp);
	fputs("\n]}\n", p->f);
	if (fflush(p->f) || ferror(p->f) || (p->path[0] && fsync(fileno(p->f))))
		rc = -(errno ? errno : EIO);
	if (p->path[0] && fclose(p->f) && !rc)
		rc = -(errno ? errno : EIO);
	if (rc) {
		seterr(err, "cannot write %s: %s", p->path[0] ? p->path : "stdout",
			 strerror(-rc));
		if (p->path[0])
			unlink(p->path);
	}
	for (pp = p->first; pp; pp = n) {
		struct pf_thread *t, *tn;

		n = pp->next;
		for (t = pp->threads; t; t = tn) {
			tn = t->next;
			free(t);
		}
		free(pp);
	}
	free(p);
	return rc;
}
