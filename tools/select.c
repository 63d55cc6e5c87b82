// SPDX-License-Identifier: MIT
/* select.c - --export: which records a dump keeps, and writing it. */
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
	if (!dump_want(&d->q, &s, wall_ns(s.h.ts, c->boot.clock_offset)))
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
		struct sigrec_deliver dl;
	} u;
	int64_t off = c->boot.clock_offset;

	ring_rec_copy(&u, sizeof(u), rec, len);
	switch (h->type) {
	case SIGREC_T_SIGNAL:
		return dump_want(&d->q, &u.s, wall_ns(u.s.h.ts, off));
	case SIGREC_T_DELIVER:
		return dump_want_deliver(&d->q, &u.dl, wall_ns(u.dl.h.ts, off));
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

int dump_do_export(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch,
		     size_t n)
{
	const struct proc **all;
	size_t nall = model__all(d->model, &all), nmarked = 0;
	struct sigrec_err err = { "" };
	struct sigrec_host host;
	const struct ring_chunk *first = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (dump_chunk_in_window(&ch[i], &d->q)) {
			first = first ? first : &ch[i];
			ring_reader__decode(rr, &ch[i], on_mark, d);
		}
	for (size_t i = 0; i < n; i++)
		if (dump_chunk_in_window(&ch[i], &d->q))
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
		if (dump_chunk_in_window(&ch[i], &d->q))
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
