// SPDX-License-Identifier: MIT
/* why.c - the --why report, as text for people and as one JSON object. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
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
	p = model__as_of(model__parent(m, p), ts);
	for (int d = 0; p && d < MODEL_MAX_ANCESTRY; d++) {
		fprintf(f, "%s%*s└─ ", indent, 2 * d, "");
		line_proc(f, p);
		fputc('\n', f);
		if (p->pid == 1)
			break;
		p = model__as_of(model__parent(m, p), ts);
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
	char t[48], b[32], eb[16];
	const char *sn = sig_name(s->sig, b, sizeof(b));

	fmt_human_time(e->wall_ns, utc, t, sizeof(t));
	fprintf(f, "  %s  %-9s ", t, sn ? sn : "?");
	if (e->oom) {
		char tc[SIGREC_COMM_LEN + 1];

		text_clean(tc, sizeof(tc), e->oomrec.trigger.comm, SIGREC_COMM_LEN);
		fprintf(f, "from the OOM killer (allocation by %s[%u])", tc, e->oomrec.trigger.pid);
	} else if (!ev_real_sender(e)) {
		fprintf(f, "from the kernel%s (%s)", s->ctx == SIGREC_CTX_IRQ ?
			" in interrupt context" : "", cause_name(s->cause));
	} else if (snd) {
		line_proc(f, snd);
	} else {
		char sc[SIGREC_COMM_LEN + 1];

		text_clean(sc, sizeof(sc), s->sender.comm, SIGREC_COMM_LEN);
		fprintf(f, "%s[%u]", sc, s->sender.pid);
	}
	if (s->syscall)
		fprintf(f, " via %s(%" PRId64 ")", syscall_name(s->syscall), (int64_t)s->arg0);
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

static void print_text(FILE *f, const struct why *w, const struct model *m, int utc)
{
	const struct proc *p = w->p;
	char t[48], buf[SIGREC_PATH_LEN + 1];

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
	}
	fprintf(f, "Parents:\n");
	text_chain(f, m, p, p->start_ns + 1, "  ");
	fprintf(f, "Signals received: %zu%s\n", w->total,
		w->records > w->nev ? " (first ones shown)" : "");
	for (size_t i = 0; i < w->nev; i++)
		text_event(f, m, &w->ev[i], utc);
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
	for (size_t i = 0; i < w->nev; i++)
		out_signal(f, &o, m, &w->ev[i]);
}

void why__print(FILE *f, const struct why *w, const struct model *m, const struct out_opts *o)
{
	if (o->format == OUT_JSON)
		print_json(f, w, m);
	else
		print_text(f, w, m, o->utc);
}
