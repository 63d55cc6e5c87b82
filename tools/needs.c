// SPDX-License-Identifier: MIT
/*
 * needs.c - --why models only the processes its story names.  A first,
 * cheap pass over the window finds them by pid: the processes that match
 * PID|NAME, the senders of the signals to them, and every ancestor of
 * those (the parent links of fork and process records).  The model of the
 * second pass admits only those pids, so its memory follows the story, not
 * the ring; every process it holds is modelled exactly as in a model of
 * all of them (model__admit).
 *
 * By PID, and when no filter asks the model, that second pass is the
 * output pass too: the first one also models the processes of PID alone
 * (which one is the latest; their exits) and keeps the OOM kills, all the
 * output pass needs before the end, when the story's model is complete.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "dump.h"

/*
 * Keys each of the first pass's four sets holds at most: 8-byte slots at
 * most half full, so 32 MiB a set (48 while it grows).  A window with more
 * distinct parent links or senders may lose some ancestry, with a warning.
 */
#define NEEDS_MAX_PAIRS	(1U << 21)
/*
 * One pass by PID: a Bloom filter per chunk of the pids its records other
 * than signals name (16 bits a record, 3 probes in one cache line: about
 * one chunk in ten matches 50 pids by chance), so that the output pass
 * reads those records whole only in the chunks that may hold one the
 * story's model admits.  At most this many bytes in all; chunks past it
 * are read whole.
 */
#define NEEDS_MAX_FILTERS	(64U << 20)
#define FILTER_PROBES	3

/* A set of non-zero 64-bit keys, open addressing. */
struct keyset {
	uint64_t *slot;
	size_t cap, n;
	int full;
};

/*
 * Keyed with a random seed, like the model's hash: a hostile recording
 * cannot line its pids up in one probe run.
 */
static uint64_t seed;

static uint64_t mix64(uint64_t x)
{
	x ^= seed;
	x ^= x >> 33;
	x *= 0xFF51AFD7ED558CCDULL;
	x ^= x >> 33;
	return x;
}

static int keyset_has(const struct keyset *s, uint64_t k)
{
	if (!s->cap)
		return 0;
	for (size_t i = mix64(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == k)
			return 1;
		if (!s->slot[i])
			return 0;
	}
}

static void keyset_put(struct keyset *s, uint64_t k)
{
	size_t i;

	for (i = mix64(k) & (s->cap - 1); s->slot[i] && s->slot[i] != k; i = (i + 1) & (s->cap - 1))
		;
	if (!s->slot[i]) {
		s->slot[i] = k;
		s->n++;
	}
}

/* Grows to twice the keys; past max keys, or out of memory, it is full. */
static void keyset_add(struct keyset *s, uint64_t k, size_t max)
{
	if (!k || keyset_has(s, k))
		return;
	if (s->n >= max) {
		s->full = 1;
		return;
	}
	if (2 * (s->n + 1) > s->cap) {
		struct keyset g = { .cap = s->cap ? 2 * s->cap : 1024 };

		g.slot = calloc(g.cap, sizeof(*g.slot));
		if (!g.slot) {
			s->full = 1;
			return;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				keyset_put(&g, s->slot[i]);
		free(s->slot);
		g.full = s->full;
		*s = g;
	}
	keyset_put(s, k);
}

static void keyset_free(struct keyset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

struct needs {
	uint32_t pid;			/* --why PID, or 0 for a name */
	char comm[SIGREC_COMM_LEN];	/* --why NAME */
	struct keyset named;		/* pids that may carry NAME */
	struct keyset senders;		/* target << 32 | sender */
	struct keyset parents;		/* child << 32 | parent */
	struct keyset pids;		/* the closure: what the model admits */
	struct dump *d;
	int one_pass;			/* the story's model is fed by the output pass */
	uint64_t **filter;		/* per chunk of the scan, NULL: none */
	uint32_t *filter_bits;		/* its size, a power of two */
	size_t nfilter, filter_bytes, cur;
	uint64_t *types;		/* per chunk: what the output pass reads whole */
	struct model *story;		/* that model, until dump_why_finish */
	struct model *ids;		/* then the first pass's model, kept for w->p */
};

/*
 * The probes of pid: FILTER_PROBES bits of one 512-bit block (a cache line),
 * all from one hash: the block from its low bits, each bit from nine more.
 */
static void probes(uint32_t pid, uint32_t bits, uint64_t out[FILTER_PROBES])
{
	uint64_t h = mix64((uint64_t)pid * 0x9E3779B97F4A7C15ULL + 1);
	uint64_t block = (h & (bits / 512 - 1)) * 512;

	h >>= 32;
	for (int k = 0; k < FILTER_PROBES; k++, h >>= 9)
		out[k] = block + (h & 511);
}

/* A chunk's record names pid (other than a signal). */
static void filter_add(struct needs *nd, uint32_t pid)
{
	uint64_t *f = nd->one_pass && nd->cur < nd->nfilter ? nd->filter[nd->cur] : NULL, b[FILTER_PROBES];

	if (!f)
		return;
	probes(pid, nd->filter_bits[nd->cur], b);
	for (int k = 0; k < FILTER_PROBES; k++)
		f[b[k] / 64] |= 1ULL << (b[k] % 64);
}

static int filter_may_have(const struct needs *nd, size_t i, uint32_t pid)
{
	const uint64_t *f = nd->filter[i];
	uint64_t b[FILTER_PROBES];

	probes(pid, nd->filter_bits[i], b);
	for (int k = 0; k < FILTER_PROBES; k++)
		if (!(f[b[k] / 64] >> (b[k] % 64) & 1))
			return 0;
	return 1;
}

/* The filter of chunk i, sized by its records; none past the budget. */
static void filter_new(struct needs *nd, size_t i, const struct ring_chunk *c)
{
	uint32_t bits = 4096;

	while (bits < 16ULL * c->nrec && bits < (1U << 24))
		bits *= 2;
	if (nd->filter_bytes + bits / 8 > NEEDS_MAX_FILTERS)
		return;
	nd->filter[i] = calloc(bits / 64, sizeof(uint64_t));
	if (nd->filter[i]) {
		nd->filter_bits[i] = bits;
		nd->filter_bytes += bits / 8;
	}
}

static uint64_t pair(uint32_t a, uint32_t b)
{
	return (uint64_t)a << 32 | b;
}

/* A record names pid with comm: it may be (or become) a process called NAME. */
static void note_name(struct needs *nd, uint32_t pid, const char *comm)
{
	if (!nd->pid && pid && !strncmp(comm, nd->comm, SIGREC_COMM_LEN))
		keyset_add(&nd->named, pid, NEEDS_MAX_PAIRS);
}

static int is_candidate(const struct needs *nd, uint32_t pid)
{
	return nd->pid ? pid == nd->pid : keyset_has(&nd->named, pid);
}

static void note_task(struct needs *nd, const struct sigrec_task *t)
{
	note_name(nd, t->pid, t->comm);
}

static void on_signal(struct needs *nd, const void *rec, size_t len)
{
	struct sigrec_signal s;

	ring_rec_copy(&s, sizeof(s), rec, len);
	note_task(nd, &s.sender);
	note_task(nd, &s.target);
	/* by name, whether the target is one is known only at the end */
	if (s.target.pid && s.sender.pid && (!nd->pid || s.target.pid == nd->pid))
		keyset_add(&nd->senders, pair(s.target.pid, s.sender.pid), NEEDS_MAX_PAIRS);
}

/* What a fork, a rename or a process record says beyond its leading task. */
static void on_links(struct needs *nd, unsigned int type, const void *rec, size_t len)
{
	union {
		struct sigrec_fork f;
		struct sigrec_comm m;
		struct sigrec_proc p;
	} u;

	if (type != SIGREC_T_FORK && type != SIGREC_T_COMM && type != SIGREC_T_PROC)
		return;
	ring_rec_copy(&u, sizeof(u), rec, len);
	if (type == SIGREC_T_FORK && !u.f.thread && u.f.parent.pid && u.f.child_pid) {
		if (!nd->pid && is_candidate(nd, u.f.parent.pid))	/* it starts with its parent's comm */
			keyset_add(&nd->named, u.f.child_pid, NEEDS_MAX_PAIRS);
		keyset_add(&nd->parents, pair(u.f.child_pid, u.f.parent.pid), NEEDS_MAX_PAIRS);
		filter_add(nd, u.f.child_pid);
	} else if (type == SIGREC_T_COMM) {
		note_name(nd, u.m.task.pid, u.m.newcomm);
	} else if (type == SIGREC_T_PROC && u.p.task.pid && u.p.ppid) {
		keyset_add(&nd->parents, pair(u.p.task.pid, u.p.ppid), NEEDS_MAX_PAIRS);
	}
}

static int on_needs(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	const struct sigrec_rec_hdr *h = rec;
	struct needs *nd = ctx;
	struct sigrec_task lead;	/* the task the other records of the model are led by */
	const struct ring_rec_type *rt;
	size_t hl = sizeof(*h);

	(void)c;
	if (h->type == SIGREC_T_START)	/* what the recording lacks: the only figure
					 * --why shows (it takes no --stats) */
		dump_note_start(&nd->d->st, rec, len);
	if (nd->one_pass)	/* the processes of PID, by what identifies them */
		model__feed(nd->d->model, rec, len);
	if (h->type == SIGREC_T_SIGNAL) {
		on_signal(nd, rec, len);
		return 0;
	}
	rt = ring_rec_type(h->type);
	if (!rt || rt->task[0] != hl)	/* no task leads it */
		return 0;
	ring_rec_copy(&lead, sizeof(lead), (const uint8_t *)rec + hl, len > hl ? len - hl : 0);
	filter_add(nd, lead.pid);
	if (len < h->size)	/* a type read for its head only */
		return 0;
	switch (h->type) {
	case SIGREC_T_FORK:
	case SIGREC_T_EXEC:
	case SIGREC_T_EXIT:
	case SIGREC_T_COMM:
	case SIGREC_T_OOM:
	case SIGREC_T_PROC:
		note_task(nd, &lead);
		on_links(nd, h->type, rec, len);
		break;
	}
	return 0;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The set's keys, sorted (NULL and 0 keys when empty or out of memory). */
static uint64_t *sorted_keys(const struct keyset *s, size_t *n)
{
	uint64_t *k = malloc((s->n ? s->n : 1) * sizeof(*k));

	*n = 0;
	if (!k)
		return NULL;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			k[(*n)++] = s->slot[i];
	qsort(k, *n, sizeof(*k), by_key);
	return k;
}

/* Add every pid that pid links to in the sorted pairs (pid << 32 | other). */
static void add_linked(struct needs *nd, const uint64_t *k, size_t n, uint32_t pid,
		       uint32_t *queue, size_t *nq, size_t max)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first pair of pid */
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid] >> 32 < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && k[lo] >> 32 == pid; lo++) {
		uint32_t other = (uint32_t)k[lo];

		if (keyset_has(&nd->pids, other))
			continue;
		keyset_add(&nd->pids, other, NEEDS_MAX_PAIRS);
		if (queue && *nq < max && keyset_has(&nd->pids, other))
			queue[(*nq)++] = other;
	}
}

/* The candidates, their senders, then all their ancestors: the pids to model. */
static int close_needs(struct needs *nd)
{
	size_t np, ns, nq = 0, max;
	uint64_t *par = sorted_keys(&nd->parents, &np), *snd = sorted_keys(&nd->senders, &ns);
	uint32_t *queue;

	if (nd->pid)
		keyset_add(&nd->pids, nd->pid, NEEDS_MAX_PAIRS);
	for (size_t i = 0; i < nd->named.cap; i++)
		if (nd->named.slot[i])
			keyset_add(&nd->pids, nd->named.slot[i], NEEDS_MAX_PAIRS);
	max = nd->pids.n + ns + np + 1;
	queue = malloc(max * sizeof(*queue));
	if (!par || !snd || !queue) {
		free(par);
		free(snd);
		free(queue);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nd->pids.cap; i++)
		if (nd->pids.slot[i])
			queue[nq++] = (uint32_t)nd->pids.slot[i];
	/* senders one step from a candidate (not the senders of senders) */
	for (size_t i = 0, n = nq; i < n; i++)
		add_linked(nd, snd, ns, queue[i], queue, &nq, max);
	for (size_t i = 0; i < nq; i++)
		add_linked(nd, par, np, queue[i], queue, &nq, max);
	free(par);
	free(snd);
	free(queue);
	return 0;
}

static int admit(void *ctx, uint32_t pid)
{
	return keyset_has(&((struct needs *)ctx)->pids, pid);
}

static int admit_pid(void *ctx, uint32_t pid)
{
	return pid == ((struct needs *)ctx)->pid;
}

static int on_feed(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	(void)c;
	model__feed(ctx, rec, len);
	return 0;
}

/* Types the first pass reads whole: by pid, signals, forks and process records */
#define NEEDS_BY_PID	(RING_TYPE(SIGREC_T_SIGNAL) | RING_TYPE(SIGREC_T_FORK) | \
			 RING_TYPE(SIGREC_T_PROC) | RING_TYPE(SIGREC_T_START))
/* (and exits and OOM kills when it models the processes of PID: the heads
 * of the others name them) */
#define NEEDS_ONE_PASS	(NEEDS_BY_PID | RING_TYPE(SIGREC_T_EXIT) | RING_TYPE(SIGREC_T_OOM))
#define NEEDS_BY_NAME	(NEEDS_ONE_PASS | RING_TYPE(SIGREC_T_EXEC) | RING_TYPE(SIGREC_T_COMM))
/* and the model's pass: every type the model takes */
#define MODEL_TYPES	(NEEDS_BY_NAME & ~RING_TYPE(SIGREC_T_START))

/*
 * What the output pass reads whole, chunk by chunk: every type where a
 * record other than a signal may name an admitted pid, else only what the
 * output takes (the model refuses the rest) and OOM kills.
 */
static void plan_output(struct needs *nd)
{
	for (size_t i = 0; i < nd->nfilter; i++) {
		int may = !nd->filter[i];

		for (size_t k = 0; !may && k < nd->pids.cap; k++)
			may = nd->pids.slot[k] && filter_may_have(nd, i, (uint32_t)nd->pids.slot[k]);
		nd->types[i] = may ? RING_ALL_TYPES : OUTPUT_TYPES | RING_TYPE(SIGREC_T_OOM);
		free(nd->filter[i]);
		nd->filter[i] = NULL;
	}
}

/*
 * Whether the output pass can feed the story's model (see the top): by
 * PID, and no filter asks the model before the end (--why takes no
 * --follow, --perfetto or --export).
 */
static int can_share_pass(const struct dump *d, const struct needs *nd)
{
	return nd->pid && !d->q.cgroup && !d->q.container[0] && !d->q.pod[0] && !d->q.causes;
}

int dump_why_model(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch, size_t n)
{
	struct needs *nd = calloc(1, sizeof(*nd));
	uint64_t pid = 0, types;
	int rc;

	if (!nd)
		return -ENOMEM;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uintptr_t)nd;
	d->needs = nd;
	nd->d = d;
	if (isdigit((unsigned char)d->why_arg[0]) && !parse_u64(d->why_arg, 1, 4194304, &pid))
		nd->pid = pid;
	else
		memcpy(nd->comm, d->why_arg, strnlen(d->why_arg, sizeof(nd->comm)));
	nd->one_pass = can_share_pass(d, nd);
	if (nd->one_pass)
		model__admit(d->model, admit_pid, nd);
	types = nd->one_pass ? NEEDS_ONE_PASS : nd->pid ? NEEDS_BY_PID : NEEDS_BY_NAME;
	if (nd->one_pass) {
		nd->filter = calloc(n ? n : 1, sizeof(*nd->filter));
		nd->filter_bits = calloc(n ? n : 1, sizeof(*nd->filter_bits));
		nd->types = calloc(n ? n : 1, sizeof(*nd->types));
		if (!nd->filter || !nd->filter_bits || !nd->types)
			return -ENOMEM;
		nd->nfilter = n;
	}
	for (size_t i = 0; i < n; i++) {
		if (!dump_chunk_in_window(&ch[i], &d->q))
			continue;
		nd->cur = i;
		if (nd->one_pass)
			filter_new(nd, i, &ch[i]);
		ring_reader__decode_types(rr, &ch[i], types, on_needs, nd);
	}
	rc = close_needs(nd);
	if (nd->named.full || nd->senders.full || nd->parents.full || nd->pids.full)
		fprintf(stderr, "sigdump: warning: --why: more than %u process links in the "
			"window; some senders or ancestors may be missing\n", NEEDS_MAX_PAIRS);
	keyset_free(&nd->named);
	keyset_free(&nd->senders);
	keyset_free(&nd->parents);
	if (rc)
		return rc;
	if (nd->one_pass) {
		nd->story = model__new();
		if (!nd->story)
			return -ENOMEM;
		model__admit(nd->story, admit, nd);
		plan_output(nd);
		return 0;
	}
	model__admit(d->model, admit, nd);
	for (size_t i = 0; i < n; i++)
		if (dump_chunk_in_window(&ch[i], &d->q))
			ring_reader__decode_types(rr, &ch[i], MODEL_TYPES, on_feed, d->model);
	return 0;
}

/* The model the output pass feeds, or NULL when the story's is complete;
 * types: what it reads whole, per chunk. */
struct model *dump_why_story(struct dump *d, const uint64_t **types)
{
	*types = d->needs && d->needs->story ? d->needs->types : NULL;
	return d->needs ? d->needs->story : NULL;
}

/* After the output pass: the story's model is the model; w->p one of its processes. */
void dump_why_finish(struct dump *d)
{
	struct needs *nd = d->needs;
	const struct proc *p;

	if (!nd || !nd->story)
		return;
	nd->ids = d->model;
	d->model = nd->story;
	d->q.m = d->model;
	nd->story = NULL;
	p = d->why && d->why->p ? model__get(d->model, d->why->p->pid, d->why->p->start_ns) : NULL;
	if (p)
		d->why->p = p;
}

void dump_needs_free(struct dump *d)
{
	if (!d->needs)
		return;
	model__free(d->needs->story);
	model__free(d->needs->ids);
	for (size_t i = 0; i < d->needs->nfilter; i++)
		free(d->needs->filter[i]);
	free(d->needs->filter);
	free(d->needs->filter_bits);
	free(d->needs->types);
	keyset_free(&d->needs->pids);
	free(d->needs);
	d->needs = NULL;
}
