// SPDX-License-Identifier: MIT
/* why.c - the --why report, as text for people and as one JSON object. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "stackout.h"
#include "util.h"
#include "why.h"

int why__select(struct why *w, const struct model *m, const char *what)
{
	const struct proc **all;
	size_t n = model__all(m, &all);
	int by_pid = isdigit((unsigned char)what[0]);
	uint64_t pid = 0;

	if (by_pid && parse_u64(what, 1, 4194304, &pid))
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = all[i];
		int hit = by_pid ? p->pid == pid : !strncmp(p->comm, what, SIGREC_COMM_LEN);

		if (!hit)
			continue;
		/* the latest start wins; a signalled one beats one merely seen */
		if (w->p)
			w->others++;
		if (!w->p || p->start_ns > w->p->start_ns)
			w->p = p;
	}
	return w->p ? 0 : -ENOENT;
}

void why__offer(struct why *w, const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	int hit;

	if (!w->p)
		return;
	if (s->result == SIGREC_R_FAILED)	/* failed attempts name the pid only */
		hit = s->target.pid == w->p->pid && s->h.ts >= w->p->start_ns &&
		      (!w->p->has_exit || s->h.ts <= sat_add_u64(w->p->exit_ts, 1000000000ULL));
	else
		hit = s->target.pid == w->p->pid &&
		      model__same_start(s->target.start_ns, w->p->start_ns);
	if (!hit)
		return;
	w->clock_offset = e->clock_offset;
	if (w->nev < WHY_MAX_EVENTS)
		w->ev[w->nev++] = *e;
	w->total = sat_add_u64(w->total, ev_count(e));
	w->records++;
}

void why__offer_deliver(struct why *w, const struct ev *e)
{
	const struct sigrec_deliver *d = &e->d;

	size_t i;

	if (!w->p || d->task.pid != w->p->pid || !model__same_start(d->task.start_ns, w->p->start_ns) ||
	    w->ndv == WHY_MAX_DELIVERIES)
		return;
	/* kept in time order: a run of deliveries is written when it ends */
	for (i = w->ndv++; i > 0 && w->dv[i - 1].h.ts > d->h.ts; i--)
		w->dv[i] = w->dv[i - 1];
	w->dv[i] = *d;
}

/* ---- what the process did with each signal ---- */

/*
 * The delivery that took e's first signal: the oldest one of that signal
 * at or after it not taken by an earlier signal (the kernel takes a
 * signal's pending instances in order).  left[i]: deliveries of dv[i]
 * not yet paired.
 */
static const struct sigrec_deliver *pair_delivery(const struct why *w, uint64_t *left,
						  const struct ev *e)
{
	const struct sigrec_deliver *first = NULL;
	uint64_t want = ev_count(e), n;

	for (size_t i = 0; i < w->ndv && want; i++) {
		const struct sigrec_deliver *d = &w->dv[i];

		if (!left[i] || d->sig != e->s.sig || d->h.ts < e->s.h.ts)
			continue;
		n = left[i] < want ? left[i] : want;
		left[i] -= n;
		want -= n;
		first = first ? first : d;
	}
	return first;
}

static void fmt_span(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.1f s", ns / 1e9);
}

/* Whether d is the last signal the process took before it ended. */
static int last_delivery(const struct why *w, const struct sigrec_deliver *d)
{
	for (size_t i = 0; i < w->ndv; i++)
		if (w->dv[i].h.ts > d->h.ts && w->dv[i].h.ts <= w->p->exit_ts)
			return 0;
	return 1;
}

/*
 * "default action: terminate (core dumped)", "handled by the process, ...":
 * how the process ended is said under the last signal it took, the others
 * it handled read "which went on running".
 */
static void text_action(FILE *f, const struct why *w, const struct proc *p,
			const struct sigrec_deliver *d)
{
	int died = p->has_exit && (p->exit_code & 0x7f) == d->sig, core = p->exit_code & 0x80;

	switch (d->action) {
	case SIGREC_A_HANDLER:
		if (p->has_exit && p->exit_ts >= d->h.ts && last_delivery(w, d)) {
			char span[32], nb[32];

			fmt_span(span, sizeof(span), p->exit_ts - d->h.ts);
			if (died)
				fprintf(f, "handled by the process, then it died of the signal %s later", span);
			else if (p->exit_code & 0x7f)
				fprintf(f, "handled by the process; it was killed by %s %s later",
					sig_name(p->exit_code & 0x7f, nb, sizeof(nb)) ?: "a signal", span);
			else
				fprintf(f, "handled by the process; it exited with code %d %s later",
					(p->exit_code >> 8) & 0xff, span);
		} else {
			fputs("handled by the process, which went on running", f);
		}
		break;
	case SIGREC_A_IGNORE:
		fprintf(f, "ignored (%s)", d->disp == SIGREC_DISP_IGNORED ? "SIG_IGN" : "its default action");
		break;
	case SIGREC_A_TERMINATE:
		fprintf(f, "default action: terminate%s", died && core ? " (core dumped)" : "");
		break;
	case SIGREC_A_CORE:
		fprintf(f, "default action: terminate%s", !died ? " with a core dump" : core ?
			" (core dumped)" : " (no core dumped: the core size limit or pattern allowed none)");
		break;
	case SIGREC_A_STOP:
		fputs("default action: stop", f);
		break;
	case SIGREC_A_CONTINUE:
		fputs("default action: continue", f);
		break;
	default:
		fputs("delivered", f);
	}
}

/* One line on what became of e's signal, when the recording can tell. */
static void text_fate(FILE *f, const struct why *w, uint64_t *left, const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	int disp = sigrec_sf_disp(s->sflags), blocked = s->sflags & SIGREC_SF_BLOCKED;
	const struct sigrec_deliver *d;
	char span[32];

	if (!disp || e->source)	/* an older recorder's record, or a pstore line */
		return;
	if (s->result == SIGREC_R_IGNORED) {	/* by the kernel, when it was sent */
		fprintf(f, "      → %s\n", disp == SIGREC_DISP_IGNORED ? "ignored (SIG_IGN)" :
			s->sig == SIGREC_SIGCONT ? "continued the process (its default action)" :
			"ignored (its default action)");
		return;
	}
	if (s->result != SIGREC_R_DELIVERED && s->result != SIGREC_R_LOSE_INFO)
		return;
	d = pair_delivery(w, left, e);
	if (!d && w->no_deliver)
		return;
	fputs("      → ", f);
	if (!d) {
		fprintf(f, "%s%s\n", blocked ? "blocked, " : "", w->p->has_exit ?
			"never delivered: still pending when the process ended" :
			"still pending at the end of the recording");
		return;
	}
	if (blocked) {
		fmt_span(span, sizeof(span), d->h.ts - s->h.ts);
		fprintf(f, "blocked for %s, then delivered; ", span);
	}
	text_action(f, w, w->p, d);
	fputc('\n', f);
}

/* comm[pid] "command line", the line cut at 72 characters for the eye */
static void line_proc(FILE *f, const struct proc *p)
{
	char raw[SIGREC_ARGV_LEN + 16], cmd[SIGREC_ARGV_LEN + 16], comm[SIGREC_COMM_LEN + 1];

	proc_cmdline(p, raw, sizeof(raw));
	/* more than 72 bytes: 69 and "...", cut between characters */
	if (text_clean(cmd, 73, raw, sizeof(raw)) < strlen(raw)) {
		text_clean(cmd, 70, raw, sizeof(raw));
		strcat(cmd, "...");
	}
	text_clean(comm, sizeof(comm), p->comm, SIGREC_COMM_LEN);
	fprintf(f, "%s[%u] \"%s\"", comm, p->pid, cmd);
}

static void text_chain(FILE *f, const struct model *m, const struct proc *p, uint64_t ts,
		       const char *indent)
{
	struct model_ancestors it;

	model__ancestors(&it, m, p, ts);
	while ((p = model__next_ancestor(&it))) {
		fprintf(f, "%s%*s└─ ", indent, 2 * (it.depth - 1), "");
		line_proc(f, p);
		fputc('\n', f);
	}
}

static void describe_exit(FILE *f, const struct proc *p, int64_t off, int utc)
{
	char t[48], b[16];
	int st = p->exit_code, sig = st & 0x7f;

	fmt_human_time(wall_ns(p->exit_ts, off), utc, t, sizeof(t));
	if (sig)
		fprintf(f, "Ended:    %s, killed by %s%s\n", t, sig_name(sig, b, sizeof(b)) ?: "?",
			st & 0x80 ? " (core dumped)" : "");
	else
		fprintf(f, "Ended:    %s, exited with code %d\n", t, (st >> 8) & 0xff);
}

static void text_event(FILE *f, const struct model *m, const struct ev *e, int utc)
{
	const struct sigrec_signal *s = &e->s;
	const struct proc *snd = model__as_of(model__get(m, s->sender.pid, s->sender.start_ns),
					      s->h.ts);
	char t[48], b[32], eb[16], tt[160];
	const char *sn = sig_name(s->sig, b, sizeof(b));

	fmt_human_time(e->wall_ns, utc, t, sizeof(t));
	fprintf(f, "  %s  %-9s ", t, sn ? sn : "?");
	if (e->oom) {
		char tc[SIGREC_COMM_LEN + 1];

		text_clean(tc, sizeof(tc), e->oomrec.trigger.comm, SIGREC_COMM_LEN);
		fprintf(f, "from the OOM killer (allocation by %s[%u])", tc, e->oomrec.trigger.pid);
	} else if (!ev_real_sender(e)) {
		fprintf(f, "from the kernel%s", s->ctx == SIGREC_CTX_IRQ ? " in interrupt context" : "");
		if (!timer_text(tt, sizeof(tt), m, s))	/* else the timer says it below */
			fprintf(f, " (%s)", cause_name(s->cause));
	} else if (snd) {
		line_proc(f, snd);
	} else {
		char sc[SIGREC_COMM_LEN + 1];

		text_clean(sc, sizeof(sc), s->sender.comm, SIGREC_COMM_LEN);
		fprintf(f, "%s[%u]", sc, s->sender.pid);
	}
	if (s->syscall)
		fprintf(f, " via %s(%" PRId64 ")", syscall_name(s->syscall), (int64_t)s->arg0);
	else if (!e->oom && timer_text(tt, sizeof(tt), m, s))
		fprintf(f, " (%s)", tt);
	else if (!e->oom)
		fprintf(f, " (%s, %s)", cause_name(s->cause), code_name(s->sig, s->code, b, sizeof(b)));
	if (s->result == SIGREC_R_FAILED)
		fprintf(f, ": FAILED %s", errno_name(-s->ret, eb, sizeof(eb)));
	else
		fprintf(f, ": %s", result_name(s->result));
	if (e->count) {
		fmt_human_time(e->to_wall_ns, utc, t, sizeof(t));
		fprintf(f, " (x%" PRIu64 " until %s)", e->count, t + 11);
	}
	fputc('\n', f);
	stack_out_text(f, m, e, "      ");
	if (snd && s->ctx == SIGREC_CTX_TASK && !e->oom && snd->pid != s->target.pid)
		text_chain(f, m, snd, s->h.ts, "      ");
}

/* "Container: containerd 3f2a..., pod 1234abcd-..., QoS burstable" when the cgroup names one */
static void text_container(FILE *f, const struct proc *p)
{
	struct cgroup_info ci;
	const char *rt, *qos;
	char id[CGROUP_ID_MAX];

	if (!cgroup_parse(p->cgroup, sizeof(p->cgroup), &ci))
		return;
	rt = cgroup_runtime_name(ci.runtime);
	qos = cgroup_qos_name(ci.qos);
	text_clean(id, sizeof(id), ci.id, sizeof(ci.id));
	fputs("Container:", f);
	if (rt)
		fprintf(f, " %s", rt);
	if (id[0])
		fprintf(f, " %s", id);
	if (ci.pod_uid[0])
		fprintf(f, "%s pod %s", rt || id[0] ? "," : "", ci.pod_uid);
	if (qos)
		fprintf(f, ", QoS %s", qos);
	fputc('\n', f);
}

static void print_text(FILE *f, const struct why *w, const struct model *m, int utc)
{
	const struct proc *p = w->p;
	char t[48], buf[4 * SIGREC_CGROUP_LEN + 1];	/* a path, escaped */
	uint64_t *left = calloc(w->ndv + 1, sizeof(*left));	/* NULL: no fates */

	fprintf(f, "Process:  ");
	line_proc(f, p);
	fprintf(f, "  uid %u", p->uid);
	if (p->ns_pid && p->ns_pid != p->pid)
		fprintf(f, "  (pid %u in its namespace)", p->ns_pid);
	fputc('\n', f);
	if (p->start_ns) {
		fmt_human_time(wall_ns(p->start_ns, w->clock_offset), utc, t, sizeof(t));
		fprintf(f, "Started:  %s%s\n", t, w->nev ? "" : " (clock offset unknown)");
	}
	if (p->exe[0]) {
		text_clean(buf, sizeof(buf), p->exe, sizeof(p->exe));
		fprintf(f, "Program:  %s\n", buf);
	}
	if (p->cgroup[0]) {
		text_clean(buf, sizeof(buf), p->cgroup, sizeof(p->cgroup));
		fprintf(f, "Cgroup:   %s\n", buf);
		text_container(f, p);
	}
	fprintf(f, "Parents:\n");
	text_chain(f, m, p, p->start_ns + 1, "  ");
	fprintf(f, "Signals received: %zu%s\n", w->total,
		w->records > w->nev ? " (first ones shown)" : "");
	for (size_t i = 0; left && i < w->ndv; i++)
		left[i] = w->dv[i].count ? w->dv[i].count : 1;
	for (size_t i = 0; i < w->nev; i++) {
		text_event(f, m, &w->ev[i], utc);
		if (left)
			text_fate(f, w, left, &w->ev[i]);
	}
	free(left);
	if (p->has_exit)
		describe_exit(f, p, w->clock_offset, utc);
	else
		fprintf(f, "Ended:    no exit recorded (still running, or exited after the recording)\n");
	if (w->others)
		fprintf(f, "(%zu other process%s matched; this is the latest)\n", w->others,
			w->others > 1 ? "es" : "");
}

static void print_json(FILE *f, const struct why *w, const struct model *m)
{
	const struct proc *p = w->p;
	struct sigrec_task t = { .pid = p->pid, .tid = p->pid, .start_ns = p->start_ns,
				 .uid = p->uid, .ns_pid = p->ns_pid, .cgroup_id = p->cgroup_id };
	struct out_opts o = { .format = OUT_JSON };

	memcpy(t.comm, p->comm, sizeof(t.comm));
	fputs("{\"type\":\"why\",\"process\":", f);
	json_task(f, m, &t, p->start_ns, 1, w->clock_offset);
	fprintf(f, ",\"signals_total\":%zu,\"others_matched\":%zu}\n", w->total, w->others);
	/* the signals, and the deliveries of what it took, in time order */
	for (size_t i = 0, j = 0; i < w->nev || (w->nev && j < w->ndv);) {
		struct ev dl;

		if (i < w->nev && (j == w->ndv || w->ev[i].s.h.ts <= w->dv[j].h.ts)) {
			out_signal(f, &o, m, &w->ev[i++]);
			continue;
		}
		/* one process, one boot: its signals' */
		ev_of_deliver(&dl, &w->dv[j++], w->clock_offset, w->ev[0].boot_id);
		out_deliver(f, &o, m, &dl);
	}
}

void why__print(FILE *f, const struct why *w, const struct model *m, const struct out_opts *o)
{
	if (o->format == OUT_JSON)
		print_json(f, w, m);
	else
		print_text(f, w, m, o->utc);
}
