// SPDX-License-Identifier: MIT
/* stacks_rec.c - stack records on their way to the ring (stacks_rec.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stacks.h"
#include "stacks_rec.h"

#define HELD		64	/* stacks waiting for their signal, by CPU */
#define WRITTEN		1024	/* ids whose frames the active chunk holds */
#define KCACHE		1024	/* kernel addresses already resolved */

struct kname {
	uint64_t ip;
	char name[SIGREC_KSYM_LEN];
};

struct rec_stacks {
	int kallsyms;			/* fd opened at start (the opener's rights count) */
	struct sigrec_stack held[HELD];	/* h.size 0: free */
	struct sigrec_stack out;
	struct { uint64_t id, seq; } written[WRITTEN];
	struct kname kcache[KCACHE];
};

struct rec_stacks *rec_stacks__new(void)
{
	struct rec_stacks *r = calloc(1, sizeof(*r));

	if (r)
		r->kallsyms = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	return r;
}

void rec_stacks__free(struct rec_stacks *r)
{
	if (!r)
		return;
	if (r->kallsyms >= 0)
		close(r->kallsyms);
	free(r);
}

void rec_stacks__hold(struct rec_stacks *r, const void *rec, size_t len)
{
	const struct sigrec_stack *st = rec;
	struct sigrec_stack *h;

	if (!r || len < offsetof(struct sigrec_stack, frames))
		return;
	h = &r->held[st->h.cpu % HELD];
	memset(h, 0, sizeof(*h));
	memcpy(h, rec, len < sizeof(*h) ? len : sizeof(*h));
	if (h->nframes > SIGREC_STACK_MAX)
		h->nframes = SIGREC_STACK_MAX;
}

static struct kname *kslot(struct rec_stacks *r, uint64_t ip)
{
	return &r->kcache[(ip ^ ip >> 12) % KCACHE];
}

/*
 * One pass over /proc/kallsyms for the addresses not cached: the text
 * symbol at or below each, the nearest one winning (module symbols come
 * after the core's, unsorted).
 */
static void kresolve(struct rec_stacks *r, const uint64_t *ips, uint32_t n)
{
	uint64_t best[SIGREC_STACK_MAX] = { 0 };
	char names[SIGREC_STACK_MAX][SIGREC_KSYM_LEN] = { { 0 } };
	char buf[65536], *line;
	size_t have = 0;
	ssize_t got;
	int todo = 0;

	for (uint32_t i = 0; i < n; i++)
		todo += kslot(r, ips[i])->ip != ips[i];
	if (!todo || r->kallsyms < 0 || lseek(r->kallsyms, 0, SEEK_SET))
		return;		/* unresolved frames read "?" */
	while ((got = read(r->kallsyms, buf + have, sizeof(buf) - 1 - have)) > 0 || have) {
		char *end;

		have += got > 0 ? got : 0;
		buf[have] = 0;
		line = buf;
		while ((end = strchr(line, '\n')) || (got <= 0 && *line)) {
			char *p, *name;
			uint64_t a;

			if (end)
				*end = 0;
			/* "ffffffff81000000 T _stext\t[module]" */
			a = strtoull(line, &p, 16);
			if (p[0] != ' ' || !p[1] || !strchr("tTwW", p[1]) || p[2] != ' ' || !a)
				goto next;
			name = p + 3;
			for (uint32_t i = 0; i < n; i++)
				if (a <= ips[i] && a > best[i]) {
					best[i] = a;
					snprintf(names[i], sizeof(names[i]), "%.*s",
						 (int)strcspn(name, " \t"), name);
				}
next:
			if (!end) {
				line += strlen(line);
				break;
			}
			line = end + 1;
		}
		have -= line - buf;
		memmove(buf, line, have);
		if (got <= 0)
			break;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct kname *k = kslot(r, ips[i]);
		uint64_t off = ips[i] - best[i];

		if (k->ip == ips[i])
			continue;
		k->ip = ips[i];
		if (best[i] && off < (1ULL << 24))
			snprintf(k->name, sizeof(k->name), "%.*s+0x%" PRIx64,
				 (int)(SIGREC_KSYM_LEN - 12), names[i], off);
		else
			snprintf(k->name, sizeof(k->name), "?");	/* no address: a restricted kallsyms */
	}
}

/* A kernel stack as the ring keeps it: "func+0xoff" per frame. */
static void kernel_frames(struct rec_stacks *r, struct sigrec_stack *st)
{
	uint64_t ips[SIGREC_STACK_MAX];
	uint32_t n = st->nframes;

	memcpy(ips, st->ips, n * sizeof(ips[0]));
	kresolve(r, ips, n);
	memset(st->ksyms, 0, sizeof(st->ksyms));
	for (uint32_t i = 0, out = 0; i < n; i++) {
		struct kname *k = kslot(r, ips[i]);
		const char *name = k->ip == ips[i] ? k->name : "?";

		/* the BPF program and the tracepoint's own frames say nothing */
		if (!out && (!strncmp(name, "bpf_", 4) || !strncmp(name, "__traceiter_", 12) ||
			     !strncmp(name, "__bpf_trace_", 12) || !strncmp(name, "trace_", 6))) {
			st->nframes--;
			continue;
		}
		memcpy(st->ksyms[out], name, strlen(name) + 1 < SIGREC_KSYM_LEN ? strlen(name) + 1 :
		       SIGREC_KSYM_LEN);
		st->ksyms[out++][SIGREC_KSYM_LEN - 1] = 0;
	}
	st->kind = SIGREC_STACK_KERNEL;
}

/* Frames as the ring keeps them: nothing past nframes, no stray bytes. */
static void user_frames(struct sigrec_stack *st)
{
	for (uint32_t i = 0; i < st->nframes; i++) {
		struct sigrec_frame *f = &st->frames[i];

		if (f->status != SIGREC_FRAME_VALID)
			memset(f->build_id, 0, sizeof(f->build_id));
		if (f->status == SIGREC_FRAME_EMPTY) {
			st->nframes = i;
			break;
		}
	}
	memset(&st->frames[st->nframes], 0, (SIGREC_STACK_MAX - st->nframes) * sizeof(st->frames[0]));
}

const struct sigrec_stack *rec_stacks__for(struct rec_stacks *r, const struct sigrec_signal *s,
					   uint64_t seq, size_t *len)
{
	struct sigrec_stack *st = r ? &r->held[s->h.cpu % HELD] : NULL;
	size_t w;

	if (!st || !st->h.size || st->h.cpu != s->h.cpu || st->h.ts != s->h.ts)
		return NULL;
	st->h.size = 0;		/* given out once */
	r->out = *st;
	st = &r->out;
	if (st->kind == SIGREC_STACK_KRAW)
		kernel_frames(r, st);
	else if (st->kind == SIGREC_STACK_USER)
		user_frames(st);
	else
		return NULL;
	if (!st->nframes)
		return NULL;
	st->h.flags = 0;
	st->id = stack_id(st);
	w = (st->id ^ st->id >> 31) % WRITTEN;
	if (r->written[w].id == st->id && r->written[w].seq == seq) {
		/* the chunk has its frames: a reference */
		st->h.flags = SIGREC_STACK_REF;
		st->nframes = 0;
		st->kind = 0;
		*len = offsetof(struct sigrec_stack, frames);
	} else {
		r->written[w].id = st->id;
		r->written[w].seq = seq;
		*len = stack_size(st);
	}
	st->h.size = *len;
	return st;
}
