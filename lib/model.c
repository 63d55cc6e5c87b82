// SPDX-License-Identifier: MIT
/*
 * model.c - process model.  Processes are indexed twice: a hash on what
 * identifies one, (pid, exact start time), for the lookups of nearly every
 * record; and a tree ordered by (pid, start) for the questions a hash
 * cannot answer: which process had a pid at a time, and which one started
 * in a /proc clock tick.  Both stay logarithmic or better whatever a
 * recording holds: a file with one pid and a hundred thousand start times
 * in one tick once made every lookup walk one chain of all of them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "cgroup.h"
#include "model.h"
#include "ring.h"
#include "util.h"

#define TICK_NS 10000000ULL	/* /proc reports start times in 1/100 s */
#define MAX_OOM 1024
#define MAX_PROCS (1U << 20)	/* a hostile or huge window cannot take more */
#define MIN_BUCKETS 1024
/*
 * Longest hash chain accepted.  The table grows to one bucket per process
 * and the hash is keyed with a random seed, so chains of even 10 are rare
 * by chance and cannot be built on purpose; the bound makes sure.
 */
#define MAX_CHAIN 16

struct model {
	int no_history;
	model_admit_fn admit;	/* NULL: every process */
	void *admit_ctx;
	struct proc **bucket;
	size_t nbucket;		/* a power of two */
	uint64_t seed;
	struct proc *root;	/* tree of every process by (pid, start) */
	uint64_t rng;		/* tree priorities */
	struct proc **all;
	size_t nall, capall;
	size_t nhist;		/* exec images kept, in all */
	struct model_stats st;
	struct sigrec_oom oom[MAX_OOM];
	size_t noom;
};

static uint64_t tick(uint64_t ns)
{
	return ns / TICK_NS;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static size_t slot(const struct model *m, uint32_t pid, uint64_t start)
{
	return mix(mix(start ^ m->seed) + pid) & (m->nbucket - 1);
}

/* Lookups may be made through a const model: their count is kept anyway. */
static struct model_stats *work(const struct model *m)
{
	return &((struct model *)m)->st;
}

struct model *model__new(void)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->nbucket = MIN_BUCKETS;
	m->bucket = calloc(m->nbucket, sizeof(*m->bucket));
	if (!m->bucket) {
		free(m);
		return NULL;
	}
	if (getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) != sizeof(m->seed))
		m->seed = mix((uint64_t)time(NULL) ^ (uintptr_t)m);
	m->rng = mix(m->seed + 1) | 1;
	return m;
}

static void free_proc(struct proc *p)
{
	while (p) {
		struct proc *older = p->before_exec;

		free(p);
		p = older;
	}
}

void model__no_history(struct model *m)
{
	m->no_history = 1;
}

void model__admit(struct model *m, model_admit_fn admit, void *ctx)
{
	m->admit = admit;
	m->admit_ctx = ctx;
}

void model__free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nall; i++)
		free_proc(m->all[i]);
	free(m->all);
	free(m->bucket);
	free(m);
}

/*
 * Same process: BPF gives start times in ns, /proc in clock ticks (a whole
 * number of TICK_NS).  Two exact times must be equal (a pid can be reused
 * within one tick); a tick-rounded one matches any time in its tick.
 */
int model__same_start(uint64_t a, uint64_t b)
{
	if (a == b)
		return 1;
	return (a % TICK_NS == 0 || b % TICK_NS == 0) && tick(a) == tick(b);
}

/* ---- hash: (pid, exact start) ---- */

static struct proc *hash_get(const struct model *m, uint32_t pid, uint64_t start)
{
	work(m)->lookups++;
	for (struct proc *p = m->bucket[slot(m, pid, start)]; p; p = p->next) {
		work(m)->probes++;
		if (p->pid == pid && p->start_ns == start)
			return p;
	}
	return NULL;
}

/* Returns -1 when p's chain is full (p is then not in the hash). */
static int hash_put(struct model *m, struct proc *p)
{
	struct proc **b = &m->bucket[slot(m, p->pid, p->start_ns)];
	int n = 0;

	for (struct proc *q = *b; q; q = q->next)
		if (++n >= MAX_CHAIN)
			return -1;
	p->next = *b;
	*b = p;
	return 0;
}

static void hash_del(struct model *m, struct proc *p)
{
	struct proc **pp = &m->bucket[slot(m, p->pid, p->start_ns)];

	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
}

/* One bucket per process at most: chains stay short as the model grows. */
static void hash_grow(struct model *m)
{
	size_t n = m->nbucket * 2;
	struct proc **b;

	if (m->nall < m->nbucket || !(b = calloc(n, sizeof(*b))))
		return;
	free(m->bucket);
	m->bucket = b;
	m->nbucket = n;
	for (size_t i = 0; i < m->nall; i++)
		if (hash_put(m, m->all[i]))
			m->all[i]->next = NULL;	/* unreachable by hash; still in the tree */
}

/* ---- tree: a treap ordered by (pid, start, address), random priorities ---- */

static int before(const struct proc *a, const struct proc *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns;
	return (uintptr_t)a < (uintptr_t)b;
}

static struct proc *tree_put(struct proc *t, struct proc *p)
{
	struct proc *c;

	if (!t)
		return p;
	if (before(p, t)) {
		t->left = tree_put(t->left, p);
		if (t->left->prio > t->prio) {	/* rotate right */
			c = t->left;
			t->left = c->right;
			c->right = t;
			return c;
		}
	} else {
		t->right = tree_put(t->right, p);
		if (t->right->prio > t->prio) {	/* rotate left */
			c = t->right;
			t->right = c->left;
			c->left = t;
			return c;
		}
	}
	return t;
}

/* Join two trees, every node of a before every node of b. */
static struct proc *tree_join(struct proc *a, struct proc *b)
{
	if (!a || !b)
		return a ? a : b;
	if (a->prio > b->prio) {
		a->right = tree_join(a->right, b);
		return a;
	}
	b->left = tree_join(a, b->left);
	return b;
}

static struct proc *tree_del(struct proc *t, struct proc *p)
{
	if (!t)
		return NULL;
	if (t == p)
		return tree_join(t->left, t->right);
	if (before(p, t))
		t->left = tree_del(t->left, p);
	else
		t->right = tree_del(t->right, p);
	return t;
}

static void tree_add(struct model *m, struct proc *p)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	p->prio = m->rng >> 32;
	p->left = p->right = NULL;
	m->root = tree_put(m->root, p);
}

/* The process of pid with the latest start <= at (up 0), or the earliest >= at (up 1). */
static struct proc *tree_near(const struct model *m, uint32_t pid, uint64_t at, int up)
{
	struct proc *best = NULL;

	work(m)->lookups++;
	for (struct proc *t = m->root; t;) {
		int below = t->pid < pid || (t->pid == pid && t->start_ns < at);

		work(m)->probes++;
		if (t->pid == pid && t->start_ns == at)
			return t;
		if (below != up)
			best = t;
		t = below ? t->right : t->left;
	}
	return best && best->pid == pid ? best : NULL;
}

/* ---- lookups ---- */

/* (pid, start) as model__same_start matches: at most two hash probes and one tree walk. */
static struct proc *find(const struct model *m, uint32_t pid, uint64_t start)
{
	struct proc *p = hash_get(m, pid, start);

	if (p)
		return p;
	if (start % TICK_NS)	/* exact: the /proc entry of its tick, if any */
		return hash_get(m, pid, tick(start) * TICK_NS);
	/* a /proc time: any process of pid started in that tick */
	p = tree_near(m, pid, start, 1);
	return p && tick(p->start_ns) == tick(start) ? p : NULL;
}

static struct proc *get_or_add(struct model *m, uint32_t pid, uint64_t start, uint64_t ts)
{
	struct proc *p;

	if (m->admit && !m->admit(m->admit_ctx, pid))
		return NULL;
	p = find(m, pid, start);
	if (p || !pid)
		return p;
	if (m->nall >= MAX_PROCS) {
		m->st.dropped++;
		return NULL;
	}
	if (m->nall == m->capall) {
		size_t cap = m->capall ? m->capall * 2 : 1024;
		struct proc **n = realloc(m->all, cap * sizeof(*n));

		if (!n)
			return NULL;
		m->all = n;
		m->capall = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->start_ns = start;
	p->first_ts = ts;
	if (hash_put(m, p)) {
		free(p);
		m->st.dropped++;
		return NULL;
	}
	tree_add(m, p);
	m->all[m->nall++] = p;
	hash_grow(m);
	return p;
}

/* Exact start times from BPF replace the tick-rounded ones from /proc. */
static void note_start(struct model *m, struct proc *p, uint64_t start)
{
	uint64_t was = p->start_ns;

	if (p->has_start || !(start % TICK_NS) || start == was)
		return;
	hash_del(m, p);
	m->root = tree_del(m->root, p);
	p->start_ns = start;
	if (hash_put(m, p)) {	/* its new chain is full: keep the /proc time */
		p->start_ns = was;
		hash_put(m, p);
	} else {
		p->has_start = 1;
	}
	tree_add(m, p);
}

/* Copy a string field, ending it and clearing the rest: no stale bytes
 * of an earlier value stay behind it (they would reach proc records). */
static void copy_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen < dlen ? slen : dlen - 1);

	memcpy(dst, src, n);
	memset(dst + n, 0, dlen - n);
}

static struct proc *from_task(struct model *m, const struct sigrec_task *t, uint64_t ts)
{
	struct proc *p;

	if (!t->pid)
		return NULL;
	p = get_or_add(m, t->pid, t->start_ns, ts);
	if (!p)
		return NULL;
	note_start(m, p, t->start_ns);
	if (t->tid == t->pid || !p->comm[0])
		copy_str(p->comm, sizeof(p->comm), t->comm, sizeof(t->comm));
	p->uid = t->uid;
	if (t->ns_pid)
		p->ns_pid = t->ns_pid;
	if (t->cgroup_id)
		p->cgroup_id = t->cgroup_id;
	return p;
}

static void on_fork_rec(struct model *m, const struct sigrec_fork *f)
{
	struct proc *parent = from_task(m, &f->parent, f->h.ts), *c;
	/* a model that does not admit the parent still knows the child is there */
	int refused = m->admit && f->parent.pid && !m->admit(m->admit_ctx, f->parent.pid);

	if (f->thread || (!parent && !refused))
		return;
	c = get_or_add(m, f->child_pid, f->child_start_ns, f->h.ts);
	if (!c)
		return;
	note_start(m, c, f->child_start_ns);
	if (!parent)
		return;
	c->ppid = parent->pid;
	c->pstart_ns = parent->start_ns;
	c->has_parent = 1;
	c->ns_pid = f->child_ns_pid;
	c->uid = parent->uid;
	c->cgroup_id = parent->cgroup_id;
	memcpy(c->comm, parent->comm, sizeof(c->comm));
	memcpy(c->exe, parent->exe, sizeof(c->exe));
	memcpy(c->cgroup, parent->cgroup, sizeof(c->cgroup));
	memcpy(c->argv, parent->argv, sizeof(c->argv));
	c->argv_len = parent->argv_len;
	c->argv_truncated = parent->argv_truncated;
}

static void set_argv(struct proc *p, const char *argv, uint32_t len, int truncated)
{
	if (len > SIGREC_ARGV_LEN)
		len = SIGREC_ARGV_LEN;
	memcpy(p->argv, argv, len);
	memset(p->argv + len, 0, SIGREC_ARGV_LEN - len);
	p->argv_len = len;
	p->argv_truncated = truncated;
}

/* An exec that leaves comm, program and arguments as they were. */
static int same_image(const struct proc *p, const struct sigrec_exec *e)
{
	uint32_t len = e->argv_len < SIGREC_ARGV_LEN ? e->argv_len : SIGREC_ARGV_LEN;

	return p->has_exec && !strncmp(p->comm, e->task.comm, sizeof(p->comm) - 1) &&
	       !strncmp(p->exe, e->filename, sizeof(p->exe) - 1) && p->argv_len == len &&
	       !memcmp(p->argv, e->argv, len);
}

/* Drop the oldest image behind p: the newest ones explain the most events. */
static void drop_oldest(struct model *m, struct proc *p)
{
	struct proc *q = p;

	while (q->before_exec && q->before_exec->before_exec)
		q = q->before_exec;
	free(q->before_exec);
	q->before_exec = NULL;
	q->older_cut = 1;
	p->nhist--;
	m->nhist--;
}

/* Keep p's image before an exec, within the per-process and total bounds. */
static void keep_image(struct model *m, struct proc *p)
{
	struct proc *old;

	if (m->no_history)
		return;
	if (p->nhist >= MODEL_MAX_EXEC_HISTORY || m->nhist >= MODEL_MAX_HISTORY) {
		m->st.execs_cut++;
		if (!p->cut) {
			p->cut = 1;
			m->st.procs_cut++;
		}
		if (!p->nhist) {	/* nothing of its own to give up: no image */
			p->older_cut = 1;
			return;
		}
		drop_oldest(m, p);
	}
	old = malloc(sizeof(*old));
	if (!old) {
		p->older_cut = 1;
		return;
	}
	*old = *p;
	old->next = old->left = old->right = NULL;
	p->before_exec = old;
	p->older_cut = 0;
	p->nhist++;
	m->nhist++;
}

static void on_exec_rec(struct model *m, const struct sigrec_exec *e)
{
	struct proc *p = from_task(m, &e->task, e->h.ts);

	if (!p || same_image(p, e))
		return;
	/* keep who it was before: signals it sent then must show that */
	keep_image(m, p);
	copy_str(p->comm, sizeof(p->comm), e->task.comm, sizeof(e->task.comm));
	copy_str(p->exe, sizeof(p->exe), e->filename, sizeof(e->filename));
	set_argv(p, e->argv, e->argv_len, e->truncated);
	p->has_exec = 1;
	p->exec_ts = e->h.ts;
}

static void on_exit_rec(struct model *m, const struct sigrec_exit *e)
{
	struct proc *p;

	if (!e->group_dead)
		return;
	p = from_task(m, &e->task, e->h.ts);
	if (!p)
		return;
	p->has_exit = 1;
	p->exit_code = e->exit_code;
	p->exit_ts = e->h.ts;
}

static void on_comm(struct model *m, const struct sigrec_comm *c)
{
	struct proc *p = from_task(m, &c->task, c->h.ts);

	if (p && c->task.tid == c->task.pid)
		copy_str(p->comm, sizeof(p->comm), c->newcomm, sizeof(c->newcomm));
}

static void on_proc(struct model *m, const struct sigrec_proc *r)
{
	char cg[SIGREC_CGROUP_LEN];
	struct proc *p = get_or_add(m, r->task.pid, r->task.start_ns, r->h.ts);

	if (!p)
		return;
	if (!p->comm[0])
		copy_str(p->comm, sizeof(p->comm), r->task.comm, sizeof(r->task.comm));
	p->uid = r->task.uid;
	p->ns_pid = r->task.ns_pid;
	if (r->task.cgroup_id)
		p->cgroup_id = r->task.cgroup_id;
	if (!p->has_exec) {
		copy_str(p->exe, sizeof(p->exe), r->exe, sizeof(r->exe));
		set_argv(p, r->argv, r->argv_len, r->argv_len >= SIGREC_ARGV_LEN);
	}
	/* a description at an event with another path: the process moved; keep
	 * the image before, so earlier events name the cgroup they had */
	cgroup_join(cg, sizeof(cg), r->cgroup, r->cgroup_more, sizeof(r->cgroup));
	if (r->h.ts && p->cgroup[0] && cg[0] && r->h.ts > p->first_ts && strcmp(p->cgroup, cg)) {
		keep_image(m, p);
		p->moved_ts = r->h.ts;
	}
	memcpy(p->cgroup, cg, sizeof(p->cgroup));
	if (r->ppid) {
		p->ppid = r->ppid;
		p->pstart_ns = r->pstart_ns;
		p->has_parent = 1;
	}
}

/*
 * A record about one task, led by it, that the model does not admit: it
 * would change nothing (from_task and on_proc would find no process), so
 * it is not even copied.  Most records of a big window, for a story.
 */
static int refused(const struct model *m, unsigned int type, const void *rec, size_t len)
{
	uint32_t pid;

	if (!m->admit || len < sizeof(struct sigrec_rec_hdr) + sizeof(pid))
		return 0;
	if (type != SIGREC_T_EXEC && type != SIGREC_T_EXIT && type != SIGREC_T_COMM &&
	    type != SIGREC_T_PROC)
		return 0;
	memcpy(&pid, (const uint8_t *)rec + sizeof(struct sigrec_rec_hdr), sizeof(pid));
	return !m->admit(m->admit_ctx, pid);
}

void model__feed(struct model *m, const void *rec, size_t len)
{
	const struct sigrec_rec_hdr *h = rec;
	union {
		struct sigrec_signal s;
		struct sigrec_fork f;
		struct sigrec_exec e;
		struct sigrec_exit x;
		struct sigrec_comm c;
		struct sigrec_oom o;
		struct sigrec_proc p;
	} u;

	if (refused(m, h->type, rec, len))
		return;
	switch (h->type) {
	case SIGREC_T_SIGNAL:
		ring_rec_copy(&u.s, sizeof(u.s), rec, len);
		from_task(m, &u.s.sender, u.s.h.ts);
		from_task(m, &u.s.target, u.s.h.ts);
		break;
	case SIGREC_T_FORK:
		ring_rec_copy(&u.f, sizeof(u.f), rec, len);
		on_fork_rec(m, &u.f);
		break;
	case SIGREC_T_EXEC:
		ring_rec_copy(&u.e, sizeof(u.e), rec, len);
		on_exec_rec(m, &u.e);
		break;
	case SIGREC_T_EXIT:
		ring_rec_copy(&u.x, sizeof(u.x), rec, len);
		on_exit_rec(m, &u.x);
		break;
	case SIGREC_T_COMM:
		ring_rec_copy(&u.c, sizeof(u.c), rec, len);
		on_comm(m, &u.c);
		break;
	case SIGREC_T_OOM:
		ring_rec_copy(&u.o, sizeof(u.o), rec, len);
		from_task(m, &u.o.trigger, u.o.h.ts);
		if (m->noom < MAX_OOM)
			m->oom[m->noom++] = u.o;
		break;
	case SIGREC_T_PROC:
		ring_rec_copy(&u.p, sizeof(u.p), rec, len);
		on_proc(m, &u.p);
		break;
	}
}

const struct proc *model__get(const struct model *m, uint32_t pid, uint64_t start_ns)
{
	return find(m, pid, start_ns);
}

struct proc *model__find(struct model *m, uint32_t pid, uint64_t start_ns)
{
	return find(m, pid, start_ns);
}

static int by_exit(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a, *y = *(const struct proc *const *)b;

	if (x->has_exit != y->has_exit)
		return x->has_exit ? -1 : 1;
	return x->exit_ts < y->exit_ts ? -1 : x->exit_ts > y->exit_ts;
}

void model__trim(struct model *m, size_t max)
{
	size_t drop = 0;

	if (m->nall <= max)
		return;
	qsort(m->all, m->nall, sizeof(*m->all), by_exit);
	while (drop < m->nall - max && m->all[drop]->has_exit)
		drop++;
	if (!drop)
		return;
	for (size_t i = 0; i < drop; i++) {
		m->nhist -= m->all[i]->nhist;
		free_proc(m->all[i]);
	}
	memmove(m->all, m->all + drop, (m->nall - drop) * sizeof(*m->all));
	m->nall -= drop;
	/* both indexes again from the survivors: O(n log n), once per trim */
	memset(m->bucket, 0, m->nbucket * sizeof(*m->bucket));
	m->root = NULL;
	for (size_t i = 0; i < m->nall; i++) {
		if (hash_put(m, m->all[i]))
			m->all[i]->next = NULL;
		tree_add(m, m->all[i]);
	}
}

void model__proc_record(const struct proc *p, uint64_t ts, struct sigrec_proc *out)
{
	memset(out, 0, sizeof(*out));
	out->h.type = SIGREC_T_PROC;
	out->h.size = sizeof(*out);
	out->h.ts = ts;
	out->task.pid = p->pid;
	out->task.tid = p->pid;
	out->task.start_ns = p->start_ns;
	out->task.uid = p->uid;
	out->task.ns_pid = p->ns_pid;
	out->task.cgroup_id = p->cgroup_id;
	memcpy(out->task.comm, p->comm, sizeof(out->task.comm));
	out->ppid = p->has_parent ? p->ppid : 0;
	out->pstart_ns = p->has_parent ? p->pstart_ns : 0;
	out->argv_len = p->argv_len;
	memcpy(out->exe, p->exe, sizeof(out->exe));
	memcpy(out->cgroup, p->cgroup, sizeof(out->cgroup));
	memcpy(out->argv, p->argv, sizeof(out->argv));
}

const struct proc *model__at(const struct model *m, uint32_t pid, uint64_t ts)
{
	/* a /proc start may be up to a tick later than the exact one */
	return tree_near(m, pid, ts > UINT64_MAX - TICK_NS ? UINT64_MAX : ts + TICK_NS, 0);
}

const struct proc *model__as_of(const struct proc *p, uint64_t ts)
{
	while (p && ((p->has_exec && p->exec_ts > ts) || p->moved_ts > ts) && p->before_exec)
		p = p->before_exec;
	return p;
}

int model__history_cut(const struct proc *as_of, uint64_t ts)
{
	return as_of && as_of->older_cut && as_of->has_exec && as_of->exec_ts > ts;
}

void model__stats(const struct model *m, struct model_stats *st)
{
	*st = m->st;
}

const struct proc *model__parent(const struct model *m, const struct proc *p)
{
	if (!p->has_parent || !p->ppid)
		return NULL;
	return p->pstart_ns ? find(m, p->ppid, p->pstart_ns) : model__at(m, p->ppid, p->start_ns);
}

size_t model__all(const struct model *m, const struct proc ***out)
{
	*out = (const struct proc **)m->all;
	return m->nall;
}

int model__oom_victim(const struct model *m, uint32_t pid, uint64_t ts,
		      const struct sigrec_oom **oom)
{
	/* the kernel sends the SIGKILL just before it marks the victim */
	for (size_t i = 0; i < m->noom; i++) {
		const struct sigrec_oom *o = &m->oom[i];

		if (o->victim_pid == pid && o->h.ts >= ts && o->h.ts - ts < 1000000000ULL) {
			*oom = o;
			return 1;
		}
	}
	return 0;
}

void proc_cmdline(const struct proc *p, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	for (uint32_t i = 0; i < p->argv_len && n + 1 < len; i++) {
		char c = p->argv[i];

		if (c == 0) {
			if (i + 1 == p->argv_len)
				break;
			c = ' ';
		}
		buf[n++] = c;
	}
	buf[n] = 0;
	if (!n && p->comm[0])
		snprintf(buf, len, "[%s]", p->comm);
}

const struct proc *model__task(const struct model *m, const struct sigrec_task *t, uint64_t ts)
{
	if (t->start_ns)
		return model__get(m, t->pid, t->start_ns);
	return t->pid ? model__at(m, t->pid, ts) : NULL;
}

void model__ancestors(struct model_ancestors *it, const struct model *m, const struct proc *p,
		      uint64_t ts)
{
	*it = (struct model_ancestors){ .m = m, .p = p, .ts = ts };
}

const struct proc *model__next_ancestor(struct model_ancestors *it)
{
	if (!it->p || it->depth >= MODEL_MAX_ANCESTRY || (it->depth && it->p->pid == 1))
		it->p = NULL;
	else
		it->p = model__as_of(model__parent(it->m, it->p), it->ts);
	if (it->p)
		it->depth++;
	return it->p;
}
