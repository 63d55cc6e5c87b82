// SPDX-License-Identifier: MIT
/*
 * journal.c - --journal: one journal entry per fatal-class signal
 * delivered (and per OOM kill), attached to the victim's unit
 * (OBJECT_SYSTEMD_UNIT, OBJECT_PID) so that `journalctl -u unit` shows who
 * killed it next to systemd's own "Main process exited" line.
 *
 * A kernel-raised SIGKILL waits until the end of the batch: the OOM
 * killer's mark_victim record comes right after its SIGKILL, and the entry
 * must then name the OOM killer, not the task that happened to allocate.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-journal.h>
#include "cgroup.h"
#include "journal.h"
#include "metrics.h"
#include "names.h"
#include "util.h"

/* Every entry sigrec writes: `journalctl MESSAGE_ID=...` finds them all. */
#define JOURNAL_MESSAGE_ID	"8a4f2e1c9b7d4e6fa3c5b1d09e7f6a21"
#define PENDING_MAX		64
#define RATE_PER_S		20	/* entries per second, on average */
#define RATE_BURST		100

struct pending {
	struct sigrec_signal s;
	uint64_t count;
	int oom;
};

struct journal {
	uint64_t fatal[2];
	struct pending q[PENDING_MAX];
	int nq;
	double tokens;
	uint64_t last_ns, suppressed;
};

struct journal *journal__new(const uint64_t fatal_mask[2])
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->fatal[0] = fatal_mask[0];
	j->fatal[1] = fatal_mask[1];
	j->tokens = RATE_BURST;
	j->last_ns = clock_ns(CLOCK_MONOTONIC);
	return j;
}

void journal__free(struct journal *j)
{
	free(j);
}

/* The rate limit: a token per entry, RATE_PER_S of them a second. */
static int take_token(struct journal *j)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	j->tokens += (now - j->last_ns) / 1e9 * RATE_PER_S;
	if (j->tokens > RATE_BURST)
		j->tokens = RATE_BURST;
	j->last_ns = now;
	if (j->tokens < 1) {
		j->suppressed++;
		return 0;
	}
	j->tokens--;
	return 1;
}

/* "comm[pid] "cmdline"" of a task, and its parents as " (a[1] <- b <- c[3])". */
static void describe(char *buf, size_t len, const struct model *m, const struct sigrec_task *t,
		     int chain)
{
	const struct proc *p = model__get(m, t->pid, t->start_ns);
	char cmd[128] = "";
	size_t n;

	if (p && p->argv_len) {
		size_t k = p->argv_len < sizeof(cmd) - 1 ? p->argv_len : sizeof(cmd) - 1;

		for (size_t i = 0; i < k; i++)
			cmd[i] = p->argv[i] ? p->argv[i] : ' ';
		cmd[k] = 0;
		while (k && cmd[k - 1] == ' ')
			cmd[--k] = 0;
	}
	n = snprintf(buf, len, "%.16s[%u]%s%s%s", t->comm[0] ? t->comm : "?", t->pid,
		     cmd[0] ? " \"" : "", cmd, cmd[0] ? "\"" : "");
	if (!chain || !p || n >= len)
		return;
	p = model__parent(m, p);
	for (int depth = 0; p && depth < 3 && n < len; depth++) {
		n += snprintf(buf + n, len - n, "%s%.16s[%u]", depth ? " <- " : " (", p->comm, p->pid);
		p = model__parent(m, p);
	}
	if (n > 0 && n < len && strchr(buf, '(') && buf[n - 1] != ')')
		snprintf(buf + n, len - n, ")");
}

static void send_entry(struct journal *j, const struct model *m, const struct pending *e)
{
	const struct sigrec_signal *s = &e->s;
	const struct proc *victim = model__get(m, s->target.pid, s->target.start_ns);
	char sb[32], cb[32], from[400], to[300], unit[METRICS_UNIT_LEN], more[96] = "";
	const char *sig = sig_name(s->sig, sb, sizeof(sb)), *code = code_name(s->sig, s->code, cb, sizeof(cb));
	char cnt[40] = "";
	struct cgroup_info ci;
	int is_unit;

	if (!sig) {
		snprintf(sb, sizeof(sb), "signal %d", s->sig);
		sig = sb;
	}
	/* only a real sender is named: never the task an interrupt hit */
	if (e->oom)
		snprintf(from, sizeof(from), "the OOM killer");
	else if (!(s->sflags & SIGREC_SF_SENDER))
		snprintf(from, sizeof(from), "the kernel (%s)", names__cause(s->cause));
	else
		describe(from, sizeof(from), m, &s->sender, 1);
	describe(to, sizeof(to), m, &s->target, 0);
	metrics__unit_of(victim ? victim->cgroup : "", unit, sizeof(unit));
	cgroup_parse(victim ? victim->cgroup : "", SIGREC_CGROUP_LEN, &ci);
	is_unit = ci.unit[0] != 0;	/* else the label is only the cgroup's last name */
	if (e->count > 1)
		snprintf(cnt, sizeof(cnt), " x%llu", (unsigned long long)e->count);
	if (j->suppressed)
		snprintf(more, sizeof(more), " (%llu entries before this one were rate-limited)",
			 (unsigned long long)j->suppressed);
	sd_journal_send("MESSAGE=%s%s from %s to %s: %s%s", sig, cnt, from, to,
			names__result(s->result), more,
			"MESSAGE_ID=" JOURNAL_MESSAGE_ID,
			"PRIORITY=%d", LOG_WARNING,
			"SYSLOG_IDENTIFIER=sigrec",
			"SIGREC_SIGNAL=%s", sig,
			"SIGREC_SIGNO=%d", s->sig,
			"SIGREC_CODE=%s", code,
			"SIGREC_CAUSE=%s", e->oom ? "oom" : names__cause(s->cause),
			"SIGREC_RESULT=%s", names__result(s->result),
			"SIGREC_COUNT=%llu", (unsigned long long)e->count,
			"SIGREC_SENDER_IS_TASK=%d", !e->oom && (s->sflags & SIGREC_SF_SENDER) != 0,
			"SIGREC_SENDER_PID=%u", !e->oom && (s->sflags & SIGREC_SF_SENDER) ? s->sender.pid : 0,
			"SIGREC_SENDER_START=%llu", (unsigned long long)s->sender.start_ns,
			"SIGREC_SENDER_COMM=%.16s", !e->oom && (s->sflags & SIGREC_SF_SENDER) ?
				s->sender.comm : "",
			"SIGREC_TARGET_PID=%u", s->target.pid,
			"SIGREC_TARGET_START=%llu", (unsigned long long)s->target.start_ns,
			"SIGREC_TARGET_COMM=%.16s", s->target.comm,
			"SIGREC_TARGET_UNIT=%s", unit,
			"SIGREC_SUPPRESSED=%llu", (unsigned long long)j->suppressed,
			"OBJECT_PID=%u", s->target.pid,
			is_unit ? "OBJECT_SYSTEMD_UNIT=%s" : "SIGREC_NO_UNIT=%s", unit,
			NULL);
	j->suppressed = 0;
}

void journal__signal(struct journal *j, const struct model *m, const struct sigrec_signal *s,
		     uint64_t count)
{
	struct pending e = { .s = *s, .count = count };

	if (s->result != SIGREC_R_DELIVERED || !sigrec_sig_in(j->fatal[0], s->sig))
		return;
	/* a kernel SIGKILL may be the OOM killer's: wait for its mark_victim */
	if (s->sig == SIGREC_SIGKILL && s->cause != SIGREC_C_SYSCALL && j->nq < PENDING_MAX) {
		j->q[j->nq++] = e;
		return;
	}
	if (take_token(j))
		send_entry(j, m, &e);
}

void journal__oom(struct journal *j, uint32_t victim_pid)
{
	for (int i = 0; i < j->nq; i++)
		if (j->q[i].s.target.pid == victim_pid)
			j->q[i].oom = 1;
}

void journal__flush(struct journal *j, const struct model *m)
{
	for (int i = 0; i < j->nq; i++)
		if (take_token(j))
			send_entry(j, m, &j->q[i]);
	j->nq = 0;
}
