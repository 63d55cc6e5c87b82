// SPDX-License-Identifier: MIT
/* model.c - process model: hash of (pid, start tick) plus a per-pid chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "ring.h"

#define NBUCKET 65536
#define TICK_NS 10000000ULL	/* /proc reports start times in 1/100 s */
#define MAX_OOM 1024
#define MAX_PROCS (1U << 20)	/* a hostile or huge window cannot take more */

struct model {
	int no_history;
	struct proc *bucket[NBUCKET];
	struct proc *bypid[NBUCKET];	/* chains keyed by pid, newest start first */
	struct proc **all;
	size_t nall, capall;
	struct sigrec_oom oom[MAX_OOM];
	size_t noom;
};

static uint64_t tick(uint64_t ns)
{
	return ns / TICK_NS;
}

static unsigned int hash(uint32_t pid, uint64_t start)
{
	uint64_t h = (pid * 0x9E3779B97F4A7C15ULL) ^ (tick(start) * 0xC2B2AE3D27D4EB4FULL);

	return (h >> 32) % NBUCKET;
}

struct model *model__new(void)
{
	return calloc(1, sizeof(struct model));
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

void model__free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nall; i++)
		free_proc(m->all[i]);
	free(m->all);
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

static struct proc *find(const struct model *m, uint32_t pid, uint64_t start)
{
	for (struct proc *p = m->bucket[hash(pid, start)]; p; p = p->next)
		if (p->pid == pid && model__same_start(p->start_ns, start))
			return p;
	return NULL;
}

static struct proc *get_or_add(struct model *m, uint32_t pid, uint64_t start, uint64_t ts)
{
	struct proc *p = find(m, pid, start), **pp;
	unsigned int h;

	if (p || !pid || m->nall >= MAX_PROCS)
		return p;
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
	h = hash(pid, start);
	p->next = m->bucket[h];
	m->bucket[h] = p;
	/* keep the pid chain ordered by start, newest first */
	for (pp = &m->bypid[pid % NBUCKET]; *pp && (*pp)->start_ns > start; pp = &(*pp)->pid_next)
		;
	p->pid_next = *pp;
	*pp = p;
	m->all[m->nall++] = p;
	return p;
}

/* Exact start times from BPF replace the tick-rounded ones from /proc. */
static void note_start(struct proc *p, uint64_t start)
{
	if (!p->has_start && start % TICK_NS) {
		p->start_ns = start;
		p->has_start = 1;
	}
}

static void copy_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen < dlen ? slen : dlen - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static struct proc *from_task(struct model *m, const struct sigrec_task *t, uint64_t ts)
{
	struct proc *p;

	if (!t->pid)
		return NULL;
	p = get_or_add(m, t->pid, t->start_ns, ts);
	if (!p)
		return NULL;
	note_start(p, t->start_ns);
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

	if (f->thread || !parent)
		return;
	c = get_or_add(m, f->child_pid, f->child_start_ns, f->h.ts);
	if (!c)
		return;
	note_start(c, f->child_start_ns);
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
	p->argv_len = len;
	p->argv_truncated = truncated;
}

static void on_exec_rec(struct model *m, const struct sigrec_exec *e)
{
	struct proc *p = from_task(m, &e->task, e->h.ts), *old;

	if (!p)
		return;
	/* keep who it was before: signals it sent then must show that */
	old = m->no_history ? NULL : malloc(sizeof(*old));
	if (old) {
		*old = *p;
		old->next = old->pid_next = NULL;
		p->before_exec = old;
	}
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
	copy_str(p->cgroup, sizeof(p->cgroup), r->cgroup, sizeof(r->cgroup));
	if (r->ppid) {
		p->ppid = r->ppid;
		p->pstart_ns = r->pstart_ns;
		p->has_parent = 1;
	}
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

/* Unlink tombstoned (pid 0) entries from a hash or pid chain. */
static void unlink_dead(struct proc **pp, int pid_chain)
{
	while (*pp) {
		struct proc *p = *pp;

		if (!p->pid) {
			*pp = pid_chain ? p->pid_next : p->next;
			continue;
		}
		pp = pid_chain ? &p->pid_next : &p->next;
	}
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
	for (size_t i = 0; i < drop; i++)
		m->all[i]->pid = 0;	/* tombstone, unlinked below */
	for (size_t b = 0; b < NBUCKET; b++) {
		unlink_dead(&m->bucket[b], 0);
		unlink_dead(&m->bypid[b], 1);
	}
	for (size_t i = 0; i < drop; i++)
		free_proc(m->all[i]);
	memmove(m->all, m->all + drop, (m->nall - drop) * sizeof(*m->all));
	m->nall -= drop;
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
	for (const struct proc *p = m->bypid[pid % NBUCKET]; p; p = p->pid_next)
		if (p->pid == pid && p->start_ns <= ts + TICK_NS)
			return p;
	return NULL;
}

const struct proc *model__as_of(const struct proc *p, uint64_t ts)
{
	while (p && p->has_exec && p->exec_ts > ts && p->before_exec)
		p = p->before_exec;
	return p;
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
