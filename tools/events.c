// SPDX-License-Identifier: MIT
/* events.c - the event queue between the reader and the outputs: failed calls
 * patched in, pstore lines merged in time order, each event shown once. */
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

static void show(struct dump *d, const struct ev *e);

/* The same signal, seen by the ring and by pstore. */
static int same_event(const struct pstore_event *p, const struct ev *e)
{
	/* the distance in unsigned arithmetic: exact, whatever the two times */
	uint64_t dt = p->wall_ns > e->wall_ns ? (uint64_t)p->wall_ns - (uint64_t)e->wall_ns
					       : (uint64_t)e->wall_ns - (uint64_t)p->wall_ns;

	return !memcmp(p->boot8, e->boot_id, 4) && p->s.sig == e->s.sig &&
	       p->s.target.pid == e->s.target.pid && dt < 2000;
}

/* pstore events due before wall (all when wall is INT64_MAX), minus duplicates of e */
void dump_flush_pstore(struct dump *d, int64_t wall, const struct ev *e)
{
	while (d->ips < d->nps && d->ps[d->ips].wall_ns <= wall) {
		struct pstore_event *p = &d->ps[d->ips++];
		struct ev pe = { .s = p->s, .wall_ns = p->wall_ns, .oom = p->oom, .source = p->source,
				 .clock_offset = p->wall_ns };	/* its ts is 0 */

		if (p->suppressed) {	/* lines the rate limit dropped: a lost record */
			struct sigrec_lost l = ring_lost(0, p->suppressed, 0, 0, UINT32_MAX);
			struct ring_chunk c = { 0 };

			d->lost = sat_add_u64(d->lost, p->suppressed);
			if (!d->stats && !d->why && !d->pf)
				out_lost(stdout, &d->o, &l, &c, p->wall_ns, p->source);
			continue;
		}
		if (e && same_event(p, e))
			continue;
		memcpy(pe.boot_id, p->boot8, 4);
		pe.s.h.ts = 0;
		show(d, &pe);
	}
}

static void flush_one(struct dump *d)
{
	struct ev *e = &d->queue[d->qhead];

	dump_flush_pstore(d, sat_add_i64(e->wall_ns, 2000), e);
	show(d, e);
	d->qhead = (d->qhead + 1) % DELAY;
	d->qlen--;
}

static void show(struct dump *d, const struct ev *e)
{
	if (e->deliver) {	/* what the target did with a signal */
		if (d->why)
			why__offer_deliver(d->why, e);
		else if (!d->stats && !d->pf)
			out_deliver(stdout, &d->o, d->model, e);
		return;
	}
	if (d->why) {
		why__offer(d->why, e);
	} else if (d->stats) {
		uint64_t n = ev_count(e);

		uint64_t *by = &d->st.by_signal[sigrec_sig_valid(e->s.sig) ? e->s.sig : 0];

		d->st.signals_shown = sat_add_u64(d->st.signals_shown, n);
		if (e->s.result == SIGREC_R_FAILED)
			d->st.failed = sat_add_u64(d->st.failed, n);
		*by = sat_add_u64(*by, n);
		if (ev_real_sender(e))
			dump_top_add(d->st.senders, &e->s.sender, n);
		dump_top_add(d->st.targets, &e->s.target, n);
	} else if (d->pf) {
		perfetto__signal(d->pf, d->model, e);
	} else {
		out_signal(stdout, &d->o, d->model, e);
	}
	d->shown++;
}

void dump_flush_all(struct dump *d)
{
	while (d->qlen)
		flush_one(d);
}

/*
 * A stack record: its frames into the table, its id held for the signal
 * that follows it (same CPU and time).
 */
static void hold_stack(struct dump *d, const void *rec, size_t len)
{
	static struct sigrec_stack st;	/* 1 KiB: not on the stack of a callback */

	if (stack_decode(rec, len, &st))
		return;
	if (!(st.h.flags & SIGREC_STACK_REF) && !stack_store__add(d->stacks, &st))
		return;
	d->held[st.h.cpu % 64].cpu = st.h.cpu;
	d->held[st.h.cpu % 64].ts = st.h.ts;
	d->held[st.h.cpu % 64].id = st.id;
}

static const struct sigrec_stack *stack_of(struct dump *d, const struct sigrec_signal *s)
{
	const typeof(d->held[0]) *h = &d->held[s->h.cpu % 64];

	if (!(s->sflags & SIGREC_SF_STACK) || h->cpu != s->h.cpu || h->ts != s->h.ts)
		return NULL;
	return stack_store__get(d->stacks, h->id);
}

/* The queue's next free slot (the oldest event goes out when it is full). */
static struct ev *queue_slot(struct dump *d)
{
	struct ev *e;

	if (d->qlen == DELAY)
		flush_one(d);
	e = &d->queue[(d->qhead + d->qlen++) % DELAY];
	memset(e, 0, sizeof(*e));
	return e;
}

/*
 * The event just queued, moved back to its place in time: repeats and runs
 * of deliveries reach the ring when their run ends.
 */
static void queue_sort(struct dump *d)
{
	for (size_t i = d->qlen - 1; i > 0; i--) {
		struct ev *a = &d->queue[(d->qhead + i - 1) % DELAY];
		struct ev *b = &d->queue[(d->qhead + i) % DELAY], t;

		if (a->wall_ns <= b->wall_ns)
			break;
		t = *a;
		*a = *b;
		*b = t;
	}
}

static void queue_signal(struct dump *d, const struct sigrec_repeat *r, const struct ring_chunk *c)
{
	const struct sigrec_signal *s = &r->s;
	struct ev *e = queue_slot(d);
	const struct sigrec_oom *oom;

	e->s = *s;
	e->wall_ns = wall_ns(s->h.ts, c->boot.clock_offset);
	e->clock_offset = c->boot.clock_offset;
	if (s->h.flags & SIGREC_SIG_REPEAT && r->count) {
		e->count = r->count;
		e->to_wall_ns = wall_ns(r->to_ts, c->boot.clock_offset);
	}
	memcpy(e->boot_id, c->boot.boot_id, 16);
	e->stack = stack_of(d, s);
	if (s->sig == SIGREC_SIGKILL && s->cause != SIGREC_C_SYSCALL &&
	    model__oom_victim(d->model, s->target.pid, s->h.ts, &oom)) {
		e->oom = 1;
		e->oomrec = *oom;
	}
	queue_sort(d);
}

/* A delivery, queued like a signal so that the timeline stays in time order. */
static void queue_deliver(struct dump *d, const struct sigrec_deliver *dl,
			  const struct ring_chunk *c)
{
	ev_of_deliver(queue_slot(d), dl, c->boot.clock_offset, c->boot.boot_id);
	queue_sort(d);
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

int dump_on_model(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct dump *d = ctx;

	model__feed(d->model, rec, len);
	dump_count(d, rec, len, c);
	return 0;
}

/* The window's figures for --stats, and what its sessions lack. */
void dump_count(struct dump *d, const void *rec, size_t len, const struct ring_chunk *c)
{
	const struct sigrec_rec_hdr *h = rec;
	int64_t wall = wall_ns(h->ts, c->boot.clock_offset);

	if (h->type == SIGREC_T_START)
		dump_note_start(&d->st, rec, len);
	d->st.records++;
	d->st.by_type[h->type <= SIGREC_T_MAX ? h->type : SIGREC_T_MAX]++;
	if (wall < d->st.oldest || !d->st.oldest)
		d->st.oldest = wall;
	if (wall > d->st.newest)
		d->st.newest = wall;
}

int dump_on_output(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_rec_hdr *h = rec;
	struct dump *d = ctx;
	union {
		struct sigrec_repeat s;
		struct sigrec_sysret r;
		struct sigrec_lost l;
		struct sigrec_host host;
		struct sigrec_deliver dl;
	} u;

	switch (h->type) {
	case SIGREC_T_SIGNAL:
		ring_rec_copy(&u.s, sizeof(u.s), rec, len);
		if (dump_want(&d->q, &u.s.s, wall_ns(u.s.s.h.ts, c->boot.clock_offset)))
			queue_signal(d, &u.s, c);
		break;
	case SIGREC_T_DELIVER:
		ring_rec_copy(&u.dl, sizeof(u.dl), rec, len);
		if (dump_want_deliver(&d->q, &u.dl, wall_ns(u.dl.h.ts, c->boot.clock_offset)))
			queue_deliver(d, &u.dl, c);
		break;
	case SIGREC_T_SYSRET:
		ring_rec_copy(&u.r, sizeof(u.r), rec, len);
		patch_sysret(d, &u.r);
		break;
	case SIGREC_T_HOST:
		ring_rec_copy(&u.host, sizeof(u.host), rec, len);
		if (!d->stats && !d->why && !d->pf)
			out_host(stdout, &d->o, &u.host);
		break;
	case SIGREC_T_STACK:
		hold_stack(d, rec, len);
		break;
	case SIGREC_T_LOST: {
		int64_t wall;

		ring_rec_copy(&u.l, sizeof(u.l), rec, len);
		wall = wall_ns(u.l.to_ts, c->boot.clock_offset);
		if (wall < d->q.since || wall_ns(u.l.from_ts, c->boot.clock_offset) > d->q.until)
			break;
		dump_flush_all(d);
		if (!d->stats && !d->why && !d->pf)
			out_lost(stdout, &d->o, &u.l, c, 0, NULL);
		d->lost = sat_add_u64(d->lost, u.l.count);
		break;
	}
	}
	return 0;
}
