// SPDX-License-Identifier: MIT
/* query.c - which events a query selects: time window, filters, boot sessions. */
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

static int effective_cause(const struct query *q, const struct sigrec_signal *s)
{
	const struct sigrec_oom *oom;

	if (s->sig == SIGREC_SIGKILL && s->cause != SIGREC_C_SYSCALL && q->m &&
	    model__oom_victim(q->m, s->target.pid, s->h.ts, &oom))
		return SIGREC_C_OOM;
	return s->cause;
}

static int cgroup_matches(const struct query *q, const struct sigrec_signal *s)
{
	const struct proc *p = q->m ? model__get(q->m, s->target.pid, s->target.start_ns) : NULL;

	return p && !strncmp(p->cgroup, q->cgroup, strlen(q->cgroup));
}

int dump_want(const struct query *q, const struct sigrec_signal *s, int64_t wall)
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
	if ((q->container[0] || q->pod[0]) &&
	    (!q->m || !signal_in_container(q->m, s, q->container, q->pod)))
		return 0;
	if (q->pid && s->target.pid != q->pid)
		return 0;
	if (q->sender_pid && (s->sender.pid != q->sender_pid || !(s->sflags & SIGREC_SF_SENDER)))
		return 0;
	if (q->comm[0] && strncmp(s->target.comm, q->comm, SIGREC_COMM_LEN))
		return 0;
	if (q->has_sig && !sigrec_mask_has(q->sig_mask, s->sig))
		return 0;
	if (q->failed && s->result != SIGREC_R_FAILED && s->result != SIGREC_R_OVERFLOW)
		return 0;
	return 1;
}

/* A delivery matches a query of its task and signal, never one of senders or results. */
int dump_want_deliver(const struct query *q, const struct sigrec_deliver *dl, int64_t wall)
{
	struct sigrec_signal s = { .h.ts = dl->h.ts, .sig = dl->sig, .target = dl->task };

	return !q->sender_pid && !q->sender_comm[0] && !q->causes && !q->results && !q->failed &&
	       dump_want(q, &s, wall);
}

int dump_chunk_in_window(const struct ring_chunk *c, const struct query *q)
{
	if (q->has_boot && memcmp(c->boot.boot_id, q->boot_id, 16))
		return 0;
	int64_t first = wall_ns(c->first_ts, c->boot.clock_offset);
	int64_t last = wall_ns(c->last_ts, c->boot.clock_offset);

	return last >= q->since && first <= q->until;
}

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
int dump_resolve_boot(struct dump *d, const struct ring_chunk *ch, size_t n)
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
