// SPDX-License-Identifier: MIT
/* output.c - human timeline and JSON lines for signal and lost records. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "cgroup.h"
#include "names.h"
#include "output.h"
#include "stackout.h"
#include "util.h"

/* the names of sigrec.h's enums: one table each, in names.c */
const char *cause_name(int cause) { return names__cause(cause); }
const char *result_name(int result) { return names__result(result); }
const char *syscall_name(int sc) { return names__syscall(sc); }
static const char *ctx_name(int ctx) { return names__context(ctx); }

static void json_cmdline(FILE *f, const struct proc *p)
{
	char buf[SIGREC_ARGV_LEN + 16];

	proc_cmdline(p, buf, sizeof(buf));
	json_str(f, buf, sizeof(buf));
}

static void json_exit(FILE *f, const struct proc *p, int64_t off)
{
	char t[48];
	int st = p->exit_code;

	fmt_rfc3339(wall_ns(p->exit_ts, off), t, sizeof(t));
	fprintf(f, ",\"exit\":{\"time\":\"%s\",\"code\":%d,\"signal\":%d,\"core\":%s", t,
		(st >> 8) & 0xff, st & 0x7f, st & 0x80 ? "true" : "false");
	if (st & 0x7f) {
		char b[16];
		const char *n = sig_name(st & 0x7f, b, sizeof(b));

		fprintf(f, ",\"signal_name\":\"%s\"", n ? n : "?");
	}
	fputc('}', f);
}

/* The process a task names, as it was at ts: by identity, or by pid and time. */
static const struct proc *task_proc(const struct model *m, const struct sigrec_task *t,
				    uint64_t ts)
{
	return model__as_of(model__task(m, t, ts), ts);
}

/* ---- the timer that raised a signal (sflags' SIGREC_TK_*) ---- */

#define SI_TIMER_CODE	(-2)

/* What the outputs say of a signal's timer, each in its own syntax. */
struct timer_facts {
	int t;				/* names_timer; NAMES_TIMER_NONE: no timer */
	const char *kind;
	char how[80];
	int has_id, id, overrun;	/* POSIX timers: si_tid, si_overrun */
	int has_clock;
	char clock[48];
	const char *owner_comm;		/* the owner is the target's process */
};

static int timer_facts(const struct model *m, const struct sigrec_signal *s, struct timer_facts *tf)
{
	const struct proc *p;

	tf->t = names__timer(sigrec_sf_timer(s->sflags), s->sig, s->code);
	if (!tf->t)
		return 0;
	tf->kind = names__timer_name(tf->t);
	tf->has_clock = s->arg1 & SIGREC_TIMER_CLOCK;
	names__timer_how(tf->how, sizeof(tf->how), tf->t, s->sig, tf->has_clock, s->arg0);
	if (tf->has_clock)
		names__clock(tf->clock, sizeof(tf->clock), s->arg0);
	tf->has_id = s->code == SI_TIMER_CODE && (s->sflags & SIGREC_SF_CLAIMED);
	tf->id = (int)s->claimed_pid;
	tf->overrun = (int)s->claimed_uid;
	p = task_proc(m, &s->target, s->h.ts);
	tf->owner_comm = p && p->comm[0] ? p->comm : s->target.comm;
	return 1;
}

size_t timer_text(char *buf, size_t len, const struct model *m, const struct sigrec_signal *s)
{
	struct timer_facts tf;
	char id[24] = "", comm[SIGREC_COMM_LEN + 1];

	if (!len || !timer_facts(m, s, &tf))
		return 0;
	if (tf.has_id)
		snprintf(id, sizeof(id), " id %d", tf.id);
	text_clean(comm, sizeof(comm), tf.owner_comm, SIGREC_COMM_LEN);
	return snprintf(buf, len, "timer: %s%s %s %s[%u]", tf.how, id,
			tf.t == NAMES_TIMER_RLIMIT_CPU ? "reached by" : "armed by", comm, s->target.pid);
}

static void json_timer(FILE *f, const struct model *m, const struct sigrec_signal *s, int64_t off)
{
	const struct proc *p = task_proc(m, &s->target, s->h.ts);
	struct timer_facts tf;
	char tb[48], cmd[SIGREC_ARGV_LEN + 16];

	if (!timer_facts(m, s, &tf))
		return;
	fprintf(f, ",\"timer\":{\"kind\":\"%s\",\"how\":", tf.kind);
	json_str(f, tf.how, sizeof(tf.how));
	if (tf.has_id)
		fprintf(f, ",\"id\":%d,\"overrun\":%d", tf.id, tf.overrun);
	if (tf.has_clock)
		fprintf(f, ",\"clock\":\"%s\",\"clock_id\":%" PRId64, tf.clock, (int64_t)s->arg0);
	fprintf(f, ",\"owner\":{\"pid\":%u,\"comm\":", s->target.pid);
	json_str(f, tf.owner_comm, SIGREC_COMM_LEN);
	if (s->target.start_ns) {
		fmt_rfc3339(wall_ns(s->target.start_ns, off), tb, sizeof(tb));
		fprintf(f, ",\"start_time\":\"%s\"", tb);
	}
	if (p) {
		proc_cmdline(p, cmd, sizeof(cmd));
		fputs(",\"cmdline\":", f);
		json_str(f, cmd, sizeof(cmd));
	}
	fputs("}}", f);
}

static void logfmt_timer(FILE *f, const struct model *m, const struct sigrec_signal *s)
{
	struct timer_facts tf;

	if (!timer_facts(m, s, &tf))
		return;
	fprintf(f, " timer.kind=%s timer.how=", tf.kind);
	lf_val(f, tf.how, sizeof(tf.how));
	if (tf.has_id)
		fprintf(f, " timer.id=%d timer.overrun=%d", tf.id, tf.overrun);
	if (tf.has_clock) {
		fputs(" timer.clock=", f);
		lf_val(f, tf.clock, sizeof(tf.clock));
	}
	fprintf(f, " timer.owner.pid=%u timer.owner.comm=", s->target.pid);
	lf_val(f, tf.owner_comm, SIGREC_COMM_LEN);
}

/* What a cgroup path names as a container, as key-value pairs (JSON and logfmt). */
struct container_kv {
	const char *key[4], *val[4];
	int n;
};

static void container_kv(const struct cgroup_info *ci, struct container_kv *kv)
{
	const char *rt = cgroup_runtime_name(ci->runtime), *qos = cgroup_qos_name(ci->qos);
	const char *const vals[4] = { rt, ci->id[0] ? ci->id : NULL,
				      ci->pod_uid[0] ? ci->pod_uid : NULL, qos };
	static const char *const keys[4] = { "runtime", "id", "pod_uid", "qos" };

	kv->n = 0;
	for (int i = 0; i < 4; i++)
		if (vals[i]) {
			kv->key[kv->n] = keys[i];
			kv->val[kv->n++] = vals[i];
		}
}

/* ,"cgroup_hierarchy":"memory","container":{...} (only what the path names) */
static void json_container(FILE *f, const struct proc *p)
{
	struct cgroup_info ci;
	struct container_kv kv;

	cgroup_parse(p->cgroup, sizeof(p->cgroup), &ci);
	if (ci.hierarchy[0]) {
		fputs(",\"cgroup_hierarchy\":", f);
		json_str(f, ci.hierarchy, sizeof(ci.hierarchy));
	}
	container_kv(&ci, &kv);
	for (int i = 0; i < kv.n; i++) {
		fprintf(f, "%s\"%s\":", i ? "," : ",\"container\":{", kv.key[i]);
		json_str(f, kv.val[i], CGROUP_ID_MAX);
	}
	if (kv.n)
		fputc('}', f);
}

void json_task(FILE *f, const struct model *m, const struct sigrec_task *t, uint64_t ts,
	       int with_exit, int64_t off)
{
	const struct proc *p = task_proc(m, t, ts), *a;
	struct model_ancestors it;
	char tbuf[48];

	fprintf(f, "{\"pid\":%u,\"tid\":%u,\"comm\":", t->pid, t->tid);
	json_str(f, t->comm[0] || !p ? t->comm : p->comm, SIGREC_COMM_LEN);
	fprintf(f, ",\"uid\":%u", t->uid);
	if (!p)
		goto done;
	if (t->start_ns || p->start_ns) {
		fmt_rfc3339(wall_ns(t->start_ns ? t->start_ns : p->start_ns, off), tbuf,
			    sizeof(tbuf));
		fprintf(f, ",\"start_time\":\"%s\"", tbuf);
	}
	fprintf(f, ",\"ns_pid\":%u,\"cgroup_id\":%" PRIu64, t->ns_pid ? t->ns_pid : p->ns_pid,
		t->cgroup_id ? (uint64_t)t->cgroup_id : p->cgroup_id);
	if (p->cgroup[0]) {
		fputs(",\"cgroup\":", f);
		json_str(f, p->cgroup, sizeof(p->cgroup));
		json_container(f, p);
	}
	fputs(",\"cmdline\":", f);
	json_cmdline(f, p);
	fputs(",\"exe\":", f);
	json_str(f, p->exe, sizeof(p->exe));
	if (model__history_cut(p, ts))	/* shown as after a later exec */
		fputs(",\"exec_history_cut\":true", f);
	if (p->has_parent)
		fprintf(f, ",\"ppid\":%u", p->ppid);
	fputs(",\"ancestry\":[", f);
	model__ancestors(&it, m, p, ts);
	while ((a = model__next_ancestor(&it))) {
		fprintf(f, "%s{\"pid\":%u,\"comm\":", it.depth > 1 ? "," : "", a->pid);
		json_str(f, a->comm, sizeof(a->comm));
		fputs(",\"cmdline\":", f);
		json_cmdline(f, a);
		fputc('}', f);
	}
	fputc(']', f);
	if (with_exit && p->has_exit && p->exit_ts >= ts)
		json_exit(f, p, off);
done:
	fputc('}', f);
}

static void json_signal(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	char t[48], b[32], bid[37], eb[16];
	const char *sn = sig_name(s->sig, b, sizeof(b));
	int64_t off = e->clock_offset;

	fmt_rfc3339(e->wall_ns, t, sizeof(t));
	boot_id_str(e->boot_id, bid);
	if (e->source)
		bid[8] = 0;	/* pstore lines carry the boot id's first 8 digits */
	fprintf(f, "{\"type\":\"signal\",\"time\":\"%s\",\"boot_id\":\"%s\",\"sig\":%d,"
		"\"signal\":", t, bid, s->sig);
	if (sn)
		fprintf(f, "\"%s\"", sn);
	else
		fputs("null", f);
	fprintf(f, ",\"code\":\"%s\",\"si_code\":%d,\"si_errno\":%d",
		code_name(s->sig, s->code, b, sizeof(b)), s->code, s->err);
	fprintf(f, ",\"cause\":\"%s\",\"result\":\"%s\",\"group\":%s,\"context\":\"%s\"",
		e->oom ? "oom" : cause_name(s->cause), result_name(s->result),
		s->group ? "true" : "false", ctx_name(s->ctx));
	if (sigrec_sf_disp(s->sflags))	/* since 0.2: the target's, when it was sent */
		fprintf(f, ",\"disposition\":\"%s\",\"blocked\":%s",
			names__disposition(sigrec_sf_disp(s->sflags)),
			s->sflags & SIGREC_SF_BLOCKED ? "true" : "false");
	fprintf(f, ",\"sender_is_task\":%s", ev_real_sender(e) ? "true" : "false");
	fputs(",\"sender\":", f);
	if (ev_real_sender(e)) {
		stack_out_json_sender(f, m, e, off);
	} else {
		/* the kernel sent it; the task that was running is kept apart */
		fprintf(f, "{\"kernel\":true,\"cause\":\"%s\"", e->oom ? "oom" : cause_name(s->cause));
		stack_out_json_stack(f, m, e);
		fputc('}', f);
		if (!e->oom && s->sender.pid) {
			fputs(",\"interrupted\":", f);
			json_task(f, m, &s->sender, s->h.ts, 0, off);
		}
	}
	fputs(",\"target\":", f);
	json_task(f, m, &s->target, s->h.ts, 1, off);
	if (s->sflags & SIGREC_SF_CLAIMED)
		fprintf(f, ",\"claimed\":{\"pid\":%u,\"uid\":%u}", s->claimed_pid, s->claimed_uid);
	if (s->syscall && e->source) {
		/* a pstore line names the call and its result, not the arguments */
		fprintf(f, ",\"syscall\":{\"name\":\"%s\",\"arg\":null,\"ret\":%d",
			syscall_name(s->syscall), s->ret);
		if (s->ret < 0)
			fprintf(f, ",\"errno\":\"%s\"", errno_name(-s->ret, eb, sizeof(eb)));
		fputc('}', f);
	} else if (s->syscall) {
		fprintf(f, ",\"syscall\":{\"name\":\"%s\",\"arg\":%" PRId64, syscall_name(s->syscall),
			(int64_t)s->arg0);
		if (s->syscall == SIGREC_SC_TGKILL || s->syscall == SIGREC_SC_RT_TGSIGQUEUEINFO)
			fprintf(f, ",\"arg2\":%" PRId64, (int64_t)s->arg1);
		fprintf(f, ",\"ret\":%d", s->ret);
		if (s->ret < 0)
			fprintf(f, ",\"errno\":\"%s\"", errno_name(-s->ret, eb, sizeof(eb)));
		fputc('}', f);
	}
	if (e->count) {
		fmt_rfc3339(e->to_wall_ns, t, sizeof(t));
		fprintf(f, ",\"count\":%" PRIu64 ",\"to\":\"%s\"", e->count, t);
	}
	if (s->h.flags & SIGREC_SIG_TS_SHARED)
		fputs(",\"time_shared\":true", f);
	stack_out_json_fault(f, m, e);
	json_timer(f, m, s, off);
	if (e->oom && !e->source) {
		fputs(",\"oom\":{\"trigger\":", f);
		json_task(f, m, &e->oomrec.trigger, e->oomrec.h.ts, 0, off);
		fputc('}', f);
	}
	fputs(",\"source\":", f);
	if (e->source) {
		char src[80];

		snprintf(src, sizeof(src), "pstore:%.63s", e->source);
		json_str(f, src, sizeof(src));
	} else {
		fputs("\"ring\"", f);
	}
	fputs("}\n", f);
}

void text_container_tag(char *buf, size_t len, const struct proc *p)
{
	struct cgroup_info ci;
	const char *rt;
	char id[33];

	buf[0] = 0;
	if (!p || !cgroup_parse(p->cgroup, sizeof(p->cgroup), &ci))
		return;
	rt = cgroup_runtime_name(ci.runtime);
	/* 12 digits, as docker ps shows them; a machine name whole, up to 32 */
	text_clean(id, ci.runtime == CGROUP_RT_NSPAWN ? sizeof(id) : 13, ci.id, sizeof(ci.id));
	if (id[0])
		snprintf(buf, len, "[%s:%s]", rt ? rt : "container", id);
	else if (ci.pod_uid[0])
		snprintf(buf, len, "[pod %.8s…]", ci.pod_uid);
	else
		snprintf(buf, len, "[%s]", rt);
}

static void text_task(char *buf, size_t len, const struct model *m, const struct sigrec_task *t,
		      uint64_t ts)
{
	const struct proc *p = model__task(m, t, ts);
	char comm[SIGREC_COMM_LEN + 1];

	text_clean(comm, sizeof(comm), t->comm[0] ? t->comm : p ? model__as_of(p, ts)->comm : "?",
		   SIGREC_COMM_LEN);
	char tag[64];
	size_t n;

	text_container_tag(tag, sizeof(tag), task_proc(m, t, ts));
	if (t->tid && t->tid != t->pid)
		n = snprintf(buf, len, "%.16s[%u/%u]", comm, t->pid, t->tid);
	else
		n = snprintf(buf, len, "%.16s[%u]", comm, t->pid ? t->pid : t->tid);
	if (tag[0] && n < len)
		snprintf(buf + n, len - n, " %s", tag);
}

static void text_ancestry(FILE *f, const struct model *m, const char *label,
			  const struct sigrec_task *t, uint64_t ts)
{
	const struct proc *p = task_proc(m, t, ts);
	char cmd[SIGREC_ARGV_LEN + 16], raw[SIGREC_ARGV_LEN + 16], comm[SIGREC_COMM_LEN + 1];
	struct model_ancestors it;

	if (!p)
		return;
	proc_cmdline(p, raw, sizeof(raw));
	text_clean(cmd, 121, raw, sizeof(raw));	/* 120 bytes, whole characters */
	text_clean(comm, sizeof(comm), p->comm, SIGREC_COMM_LEN);
	fprintf(f, "    %-7s %s[%u] %s\n", label, comm, p->pid, cmd);
	model__ancestors(&it, m, p, ts);
	while ((p = model__next_ancestor(&it))) {
		proc_cmdline(p, raw, sizeof(raw));
		text_clean(cmd, 101, raw, sizeof(raw));
		text_clean(comm, sizeof(comm), p->comm, SIGREC_COMM_LEN);
		fprintf(f, "    %*s└─ %s[%u] %s\n", 8 + 2 * (it.depth - 1), "", comm, p->pid, cmd);
	}
}

/* A run's "  xCOUNT until TIME" (t: its first time); the time of day on the same day. */
static void text_until(FILE *f, const struct out_opts *o, const struct ev *e, const char *t)
{
	char u[48];

	if (!e->count)
		return;
	fmt_human_time(e->to_wall_ns, o->utc, u, sizeof(u));
	fprintf(f, "  x%" PRIu64 " until %s", e->count, strncmp(t, u, 11) ? u : u + 11);
}

static void text_signal(FILE *f, const struct out_opts *o, const struct model *m,
			const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	char t[48], b[32], snd[128], tgt[128], how[160], eb[16];
	const char *sn = sig_name(s->sig, b, sizeof(b));
	char sig[32];

	fmt_human_time(e->wall_ns, o->utc, t, sizeof(t));
	snprintf(sig, sizeof(sig), "%s", sn ? sn : "SIG?");
	if (s->sig && !sn)
		snprintf(sig, sizeof(sig), "sig %d", s->sig);
	if (e->oom)
		snprintf(snd, sizeof(snd), "kernel(oom)");
	else if (!ev_real_sender(e))	/* the running task is not the sender */
		snprintf(snd, sizeof(snd), s->ctx == SIGREC_CTX_IRQ ? "kernel(irq)" : "unknown");
	else
		text_task(snd, sizeof(snd), m, &s->sender, s->h.ts);
	text_task(tgt, sizeof(tgt), m, &s->target, s->h.ts);
	if (s->syscall == SIGREC_SC_TGKILL || s->syscall == SIGREC_SC_RT_TGSIGQUEUEINFO)
		snprintf(how, sizeof(how), "%s(%" PRId64 ",%" PRId64 ")",
			 syscall_name(s->syscall), (int64_t)s->arg0, (int64_t)s->arg1);
	else if (s->syscall && e->source)
		snprintf(how, sizeof(how), "%s", syscall_name(s->syscall));	/* pstore: no args */
	else if (s->syscall)
		snprintf(how, sizeof(how), "%s(%" PRId64 ")", syscall_name(s->syscall),
			 (int64_t)s->arg0);
	else if (!e->oom && timer_text(how, sizeof(how), m, s))
		;	/* timer: setitimer(ITIMER_REAL) or alarm() armed by python3[7601] */
	else
		snprintf(how, sizeof(how), "%s %s", e->oom ? "oom" : cause_name(s->cause),
			 code_name(s->sig, s->code, b, sizeof(b)));
	{
		/* colour: fatal signals red, failures red, the rest plain */
		int fatal = sigrec_sig_in(SIGREC_SET_FATAL, s->sig);
		const char *on = o->color && fatal ? "\033[1;31m" : o->color ? "\033[1m" : "";
		const char *off = o->color ? "\033[0m" : "";
		const char *bad = o->color ? "\033[31m" : "";

		char bid[37] = "";

		if (e->source) {
			boot_id_str(e->boot_id, bid);
			bid[8] = 0;
		}
		if (s->result == SIGREC_R_FAILED)
			fprintf(f, "%s  %s%-9s%s %s -> %s  %sfailed %s%s  %s", t, on, sig, off, snd,
				tgt, bad, errno_name(-s->ret, eb, sizeof(eb)), off, how);
		else
			fprintf(f, "%s  %s%-9s%s %s -> %s  %s  %s", t, on, sig, off, snd, tgt,
				result_name(s->result), how);
		if (e->source) {
			char src[80];

			text_clean(src, sizeof(src), e->source, 64);
			fprintf(f, "  [pstore %s, boot %s]", src, bid);
		}
		text_until(f, o, e, t);
		if (s->h.flags & SIGREC_SIG_TS_SHARED)
			fputs("  (time shared)", f);
		fputc('\n', f);
	}
	if (o->tree || o->stack)
		stack_out_text(f, m, e, "    ");
	if (o->tree) {
		if (ev_real_sender(e))
			text_ancestry(f, m, "sender", &s->sender, s->h.ts);
		text_ancestry(f, m, "target", &s->target, s->h.ts);
	}
}

static void lf_task(FILE *f, const struct model *m, const char *pfx,
		    const struct sigrec_task *t, uint64_t ts)
{
	const struct proc *p = task_proc(m, t, ts);
	char cmd[SIGREC_ARGV_LEN + 16];

	fprintf(f, " %s.pid=%u %s.tid=%u %s.uid=%u %s.comm=", pfx, t->pid, pfx, t->tid, pfx,
		t->uid, pfx);
	lf_val(f, t->comm[0] || !p ? t->comm : p->comm, SIGREC_COMM_LEN);
	if (!p)
		return;
	proc_cmdline(p, cmd, sizeof(cmd));
	fprintf(f, " %s.cmdline=", pfx);
	lf_val(f, cmd, sizeof(cmd));
	if (model__history_cut(p, ts))
		fprintf(f, " %s.exec_history_cut=true", pfx);
	if (p->has_parent)
		fprintf(f, " %s.ppid=%u", pfx, p->ppid);
	if (p->cgroup[0]) {
		struct cgroup_info ci;
		struct container_kv kv;

		fprintf(f, " %s.cgroup=", pfx);
		lf_val(f, p->cgroup, sizeof(p->cgroup));
		cgroup_parse(p->cgroup, sizeof(p->cgroup), &ci);
		if (ci.hierarchy[0]) {
			fprintf(f, " %s.cgroup_hierarchy=", pfx);
			lf_val(f, ci.hierarchy, sizeof(ci.hierarchy));
		}
		container_kv(&ci, &kv);
		for (int i = 0; i < kv.n; i++) {
			fprintf(f, " %s.container.%s=", pfx, kv.key[i]);
			lf_val(f, kv.val[i], CGROUP_ID_MAX);
		}
	}
}

static void logfmt_signal(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_signal *s = &e->s;
	char t[48], b[32], eb[16];
	const char *sn = sig_name(s->sig, b, sizeof(b));

	fmt_rfc3339(e->wall_ns, t, sizeof(t));
	fprintf(f, "time=%s type=signal signal=%d signal_name=%s", t, s->sig, sn ? sn : "unknown");
	fprintf(f, " code=%s cause=%s result=%s context=%s", code_name(s->sig, s->code, b, sizeof(b)),
		e->oom ? "oom" : cause_name(s->cause), result_name(s->result),
		ctx_name(s->ctx));
	if (ev_real_sender(e)) {
		lf_task(f, m, "source", &s->sender, s->h.ts);
	} else {
		fprintf(f, " source.kernel=true source.cause=%s", e->oom ? "oom" : cause_name(s->cause));
		if (!e->oom && s->sender.pid)
			lf_task(f, m, "interrupted", &s->sender, s->h.ts);
	}
	lf_task(f, m, "target", &s->target, s->h.ts);
	stack_out_logfmt(f, m, e);
	logfmt_timer(f, m, s);
	if (s->syscall) {
		fprintf(f, " syscall.name=%s syscall.arg=%" PRId64 " syscall.ret=%d",
			syscall_name(s->syscall), (int64_t)s->arg0, s->ret);
		if (s->ret < 0)
			fprintf(f, " syscall.errno=%s", errno_name(-s->ret, eb, sizeof(eb)));
	}
	if (e->count) {
		fmt_rfc3339(e->to_wall_ns, t, sizeof(t));
		fprintf(f, " count=%" PRIu64 " to=%s", e->count, t);
	}
	if (s->h.flags & SIGREC_SIG_TS_SHARED)
		fputs(" time_shared=true", f);
	fputc('\n', f);
}

/* Whether p (NULL: unknown) was in a container and pod with these id and UID prefixes. */
static int proc_in(const struct proc *p, const char *id, const char *pod)
{
	struct cgroup_info ci;

	return p && cgroup_parse(p->cgroup, sizeof(p->cgroup), &ci) && cgroup_in(&ci, id, pod);
}

int signal_in_container(const struct model *m, const struct sigrec_signal *s, const char *id,
			const char *pod)
{
	return ((s->sflags & SIGREC_SF_SENDER) && proc_in(task_proc(m, &s->sender, s->h.ts), id, pod)) ||
	       proc_in(task_proc(m, &s->target, s->h.ts), id, pod);
}

void out_signal(FILE *f, const struct out_opts *o, const struct model *m, const struct ev *e)
{
	if (o->format == OUT_JSON)
		json_signal(f, m, e);
	else if (o->format == OUT_LOGFMT)
		logfmt_signal(f, m, e);
	else
		text_signal(f, o, m, e);
}

/* ---- deliveries: what the target did with a signal ---- */

void ev_of_deliver(struct ev *e, const struct sigrec_deliver *d, int64_t clock_offset,
		   const uint8_t boot_id[16])
{
	memset(e, 0, sizeof(*e));
	e->deliver = 1;
	e->d = *d;
	e->s.h = d->h;		/* as a signal would have it, for whoever looks there */
	e->s.h.flags = 0;
	e->s.sig = d->sig;
	e->s.target = d->task;
	e->clock_offset = clock_offset;
	e->wall_ns = wall_ns(d->h.ts, clock_offset);
	if (d->count > 1) {
		e->count = d->count;
		e->to_wall_ns = wall_ns(d->to_ts, clock_offset);
	}
	memcpy(e->boot_id, boot_id, sizeof(e->boot_id));
}

static void json_deliver(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_deliver *d = &e->d;
	char t[48], b[32], bid[37];
	const char *sn = sig_name(d->sig, b, sizeof(b));

	fmt_rfc3339(e->wall_ns, t, sizeof(t));
	boot_id_str(e->boot_id, bid);
	fprintf(f, "{\"type\":\"deliver\",\"time\":\"%s\",\"boot_id\":\"%s\",\"sig\":%d,"
		"\"signal\":", t, bid, d->sig);
	if (sn)
		fprintf(f, "\"%s\"", sn);
	else
		fputs("null", f);
	if (!(d->dflags & SIGREC_DF_GROUP_EXIT))
		fprintf(f, ",\"code\":\"%s\",\"si_code\":%d", code_name(d->sig, d->code, b, sizeof(b)),
			d->code);
	fprintf(f, ",\"action\":\"%s\",\"disposition\":\"%s\",\"sa_flags\":%u,\"group_exit\":%s",
		names__action(d->action), names__disposition(d->disp), d->sa_flags,
		d->dflags & SIGREC_DF_GROUP_EXIT ? "true" : "false");
	fputs(",\"task\":", f);	/* not "target": a query of signals never matches it */
	json_task(f, m, &d->task, d->h.ts, 1, e->clock_offset);
	if (e->count) {
		fmt_rfc3339(e->to_wall_ns, t, sizeof(t));
		fprintf(f, ",\"count\":%" PRIu64 ",\"to\":\"%s\"", e->count, t);
	}
	fputs(",\"source\":\"ring\"}\n", f);
}

static void logfmt_deliver(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_deliver *d = &e->d;
	char t[48], b[32];
	const char *sn = sig_name(d->sig, b, sizeof(b));

	fmt_rfc3339(e->wall_ns, t, sizeof(t));
	fprintf(f, "time=%s type=deliver signal=%d signal_name=%s", t, d->sig, sn ? sn : "unknown");
	if (!(d->dflags & SIGREC_DF_GROUP_EXIT))
		fprintf(f, " code=%s", code_name(d->sig, d->code, b, sizeof(b)));
	fprintf(f, " action=%s disposition=%s%s", names__action(d->action),
		names__disposition(d->disp), d->dflags & SIGREC_DF_GROUP_EXIT ? " group_exit=true" : "");
	lf_task(f, m, "task", &d->task, d->h.ts);
	if (e->count) {
		fmt_rfc3339(e->to_wall_ns, t, sizeof(t));
		fprintf(f, " count=%" PRIu64 " to=%s", e->count, t);
	}
	fputc('\n', f);
}

/* time  SIGNAL  => target[pid]  deliver  action */
static void text_deliver(FILE *f, const struct out_opts *o, const struct model *m,
			 const struct ev *e)
{
	const struct sigrec_deliver *d = &e->d;
	char t[48], b[32], tgt[64];
	const char *sn = sig_name(d->sig, b, sizeof(b));

	fmt_human_time(e->wall_ns, o->utc, t, sizeof(t));
	text_task(tgt, sizeof(tgt), m, &d->task, d->h.ts);
	fprintf(f, "%s  %-9s => %s  deliver  %s%s", t, sn ? sn : "SIG?", tgt,
		names__action(d->action), d->disp == SIGREC_DISP_IGNORED ? " (SIG_IGN)" :
		d->dflags & SIGREC_DF_GROUP_EXIT ? " (group exit)" : "");
	text_until(f, o, e, t);
	fputc('\n', f);
}

void out_deliver(FILE *f, const struct out_opts *o, const struct model *m, const struct ev *e)
{
	if (o->format == OUT_JSON)
		json_deliver(f, m, e);
	else if (o->format == OUT_LOGFMT)
		logfmt_deliver(f, m, e);
	else
		text_deliver(f, o, m, e);
}

void out_lost(FILE *f, const struct out_opts *o, const struct sigrec_lost *l,
	      const struct ring_chunk *c, int64_t at_ns, const char *source)
{
	int64_t off = c->boot.clock_offset;
	char a[48], b[48];

	if (source) {
		char src[80];

		/* a file name is anybody's choice: escaped like any other string */
		fmt_rfc3339(at_ns, a, sizeof(a));
		if (o->format == OUT_JSON) {
			snprintf(src, sizeof(src), "pstore:%.63s", source);
			fprintf(f, "{\"type\":\"lost\",\"time\":\"%s\",\"count\":%" PRIu64
				",\"from\":null,\"to\":\"%s\",\"source\":", a, (uint64_t)l->count, a);
			json_str(f, src, sizeof(src));
			fputs(",\"reason\":\"rate limit\"}\n", f);
		} else if (o->format == OUT_LOGFMT) {
			snprintf(src, sizeof(src), "pstore:%.63s", source);
			fprintf(f, "time=%s type=lost count=%" PRIu64 " reason=\"rate limit\" source=",
				a, (uint64_t)l->count);
			lf_val(f, src, sizeof(src));
			fputc('\n', f);
		} else {
			text_clean(src, sizeof(src), source, 64);
			fmt_human_time(at_ns, o->utc, a, sizeof(a));
			fprintf(f, "%s  LOST      %" PRIu64 " pstore lines dropped by the rate limit "
				"before this time  [pstore %s]\n", a, (uint64_t)l->count, src);
		}
		return;
	}

	int gap = l->h.flags & SIGREC_LOST_GAP, nested = l->h.flags & SIGREC_LOST_NESTED;
	int write = l->h.flags & SIGREC_LOST_WRITE;

	if (o->format == OUT_LOGFMT) {
		fmt_rfc3339(wall_ns(l->from_ts, off), a, sizeof(a));
		fmt_rfc3339(wall_ns(l->to_ts, off), b, sizeof(b));
		if (gap)
			fprintf(f, "time=%s type=lost gap=true from=%s to=%s\n", b, a, b);
		else if (nested || write)
			fprintf(f, "time=%s type=lost count=%" PRIu64 " reason=%s from=%s to=%s\n",
				b, (uint64_t)l->count, nested ? "nested" : "write", a, b);
		else
			fprintf(f, "time=%s type=lost count=%" PRIu64 " cpu=%u from=%s to=%s\n", b,
				(uint64_t)l->count, l->lcpu, a, b);
		return;
	}
	if (o->format == OUT_JSON) {
		fmt_rfc3339(wall_ns(l->h.ts, off), a, sizeof(a));
		if (gap)
			fprintf(f, "{\"type\":\"lost\",\"time\":\"%s\",\"gap\":true,\"count\":null", a);
		else if (nested || write)
			fprintf(f, "{\"type\":\"lost\",\"time\":\"%s\",\"count\":%" PRIu64
				",\"cpu\":null,\"reason\":\"%s\"", a, (uint64_t)l->count,
				nested ? "nested" : "write");
		else
			fprintf(f, "{\"type\":\"lost\",\"time\":\"%s\",\"count\":%" PRIu64 ",\"cpu\":%u",
				a, (uint64_t)l->count, l->lcpu);
		fmt_rfc3339(wall_ns(l->from_ts, off), a, sizeof(a));
		fmt_rfc3339(wall_ns(l->to_ts, off), b, sizeof(b));
		fprintf(f, ",\"from\":\"%s\",\"to\":\"%s\"}\n", a, b);
		return;
	}
	fmt_human_time(wall_ns(l->from_ts, off), o->utc, a, sizeof(a));
	fmt_human_time(wall_ns(l->to_ts, off), o->utc, b, sizeof(b));
	if (gap) {
		fprintf(f, "%s  GAP       capture paused until %s while sigrec replaced its BPF "
			"programs; events there were not recorded\n", a, b);
		return;
	}
	if (nested) {
		fprintf(f, "%s  LOST      %" PRIu64 " signals raised from interrupts while the "
			"signal hook ran on that CPU (the kernel does not nest it), between %s "
			"and %s\n", a, (uint64_t)l->count, a, b);
		return;
	}
	if (write) {
		fprintf(f, "%s  LOST      %" PRIu64 " records sigrec could not write to the ring "
			"(disk full or failing) between %s and %s\n", a, (uint64_t)l->count, a, b);
		return;
	}
	fprintf(f, "%s  LOST      %" PRIu64 " events on cpu %u between %s and %s\n", a,
		(uint64_t)l->count, l->lcpu, a, b);
}

void out_host(FILE *f, const struct out_opts *o, const struct sigrec_host *h)
{
	char t[48];

	fmt_rfc3339(h->exported_ns, t, sizeof(t));
	if (o->format == OUT_LOGFMT) {
		fprintf(f, "time=%s type=host hostname=", t);
		lf_val(f, h->hostname, sizeof(h->hostname));
		fprintf(f, " kernel=");
		lf_val(f, h->release, sizeof(h->release));
		fprintf(f, " arch=");
		lf_val(f, h->machine, sizeof(h->machine));
		fprintf(f, " redacted=%s\n", h->flags & SIGREC_HOST_REDACTED ? "true" : "false");
		return;
	}
	if (o->format == OUT_JSON) {
		fputs("{\"type\":\"host\",\"hostname\":", f);
		json_str(f, h->hostname, sizeof(h->hostname));
		fputs(",\"kernel\":", f);
		json_str(f, h->release, sizeof(h->release));
		fputs(",\"arch\":", f);
		json_str(f, h->machine, sizeof(h->machine));
		fprintf(f, ",\"sigrec_version\":\"%u.%u.%u\",\"exported\":\"%s\",\"redacted\":%s,"
			"\"query\":", h->version >> 16, (h->version >> 8) & 0xff, h->version & 0xff, t,
			h->flags & SIGREC_HOST_REDACTED ? "true" : "false");
		json_str(f, h->filters, sizeof(h->filters));
		fputs("}\n", f);
		return;
	}
	char hn[65], rel[65], mach[33];

	text_clean(hn, sizeof(hn), h->hostname, sizeof(h->hostname));
	text_clean(rel, sizeof(rel), h->release, sizeof(h->release));
	text_clean(mach, sizeof(mach), h->machine, sizeof(h->machine));
	fprintf(f, "# dump of host %s (Linux %s %s), exported %s by sigrec %u.%u.%u%s\n",
		hn, rel, mach, t, h->version >> 16, (h->version >> 8) & 0xff,
		h->version & 0xff, h->flags & SIGREC_HOST_REDACTED ? ", redacted" : "");
}
