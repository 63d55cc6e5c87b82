// SPDX-License-Identifier: MIT
/* capture.c - BPF skeleton lifecycle: configure, probe hooks, load, attach, poll. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "sigrec.skel.h"

#define TRACEFS_MAGIC_NR	0x74726163
#define BPF_FS_MAGIC_NR		0xcafe4a11

/*
 * Reader of the BPF ring buffer.  libbpf 1.1's ring_buffer__consume()
 * publishes the consumer position after every record and chases the
 * producer position, so during a storm the producing CPU finds those cache
 * lines owned by the reader on every event (measured: kill() 2x slower).
 * This reader drains what was there when it woke, publishes its position
 * once per 256 KiB, and sleeps until the next batch wakeup.
 * Layout as in the kernel's ringbuf: a writable consumer page, then a
 * read-only producer page followed by the data area mapped twice.
 */
struct rbuf {
	int map_fd, epfd;
	size_t page, size;
	unsigned long *consumer_pos;
	void *prod_map;
	const unsigned long *producer_pos;
	const uint8_t *data;
};

struct capture {
	struct sigrec_bpf *skel;
	struct bpf_link *irq_links[6];
	struct rbuf rb;
	int hooks;
	int ncpu;
	struct sigrec_drops *seen, *now;
	capture_fn fn;
	void *ctx;
};

static int verbose_level;
static int quiet;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (quiet || (level == LIBBPF_DEBUG && verbose_level < 2) ||
	    (level == LIBBPF_INFO && verbose_level < 1))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

int capture__mounts(char *err, size_t errlen)
{
	/* libbpf resolves classic tracepoints through tracefs */
	if (access("/sys/kernel/debug/tracing/events", F_OK) &&
	    !fs_is("/sys/kernel/tracing", TRACEFS_MAGIC_NR) &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		snprintf(err, errlen, "cannot mount tracefs on /sys/kernel/tracing: %s",
			 strerror(errno));
		return -errno;
	}
	if (!fs_is("/sys/fs/bpf", BPF_FS_MAGIC_NR) &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) && errno != EBUSY) {
		/* not fatal: pinning is optional */
		errno = 0;
	}
	return 0;
}

static void set_syscall_autoload(struct sigrec_bpf *s, int fentry, int tp)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj) {
		const char *sec = bpf_program__section_name(p);

		if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
			bpf_program__set_autoload(p, fentry);
		else if (!strncmp(sec, "tracepoint/syscalls/", 20))
			bpf_program__set_autoload(p, tp);
	}
}

static void set_lifecycle_autoload(struct sigrec_bpf *s, int on)
{
	bpf_program__set_autoload(s->progs.on_fork, on);
	bpf_program__set_autoload(s->progs.on_exec, on);
	bpf_program__set_autoload(s->progs.on_exit, on);
	bpf_program__set_autoload(s->progs.on_rename, on);
	bpf_program__set_autoload(s->progs.on_mark_victim, on);
}

static void no_autoattach_irq(struct sigrec_bpf *s)
{
	bpf_program__set_autoattach(s->progs.on_irq_exit, false);
	bpf_program__set_autoattach(s->progs.on_softirq_exit, false);
	bpf_program__set_autoattach(s->progs.on_hrtimer_exit, false);
	bpf_program__set_autoattach(s->progs.on_irq_entry, false);
	bpf_program__set_autoattach(s->progs.on_softirq_entry, false);
	bpf_program__set_autoattach(s->progs.on_hrtimer_entry, false);
}

static struct sigrec_bpf *open_load(const struct capture_opts *o, int hooks, int *rc)
{
	struct sigrec_bpf *s = sigrec_bpf__open();

	if (!s) {
		*rc = -errno;
		return NULL;
	}
	s->rodata->sig_mask[0] = o->sig_mask[0];
	s->rodata->sig_mask[1] = o->sig_mask[1];
	s->rodata->filter_tgid = o->pid;
	s->rodata->filter_comm_on = o->comm_on;
	memcpy((char *)s->rodata->filter_comm, o->comm, SIGREC_COMM_LEN);
	s->rodata->failed_only = o->failed_only;
	s->rodata->wakeup_bytes = o->buffer_bytes / 4;
	s->rodata->syscall_hooks = hooks != SIGREC_HOOKS_NONE;
	bpf_map__set_max_entries(s->maps.events, o->buffer_bytes);
	set_syscall_autoload(s, hooks == SIGREC_HOOKS_FENTRY, hooks == SIGREC_HOOKS_TRACEPOINT);
	set_lifecycle_autoload(s, o->lifecycle);
	no_autoattach_irq(s);
	*rc = sigrec_bpf__load(s);
	if (*rc) {
		sigrec_bpf__destroy(s);
		return NULL;
	}
	return s;
}

/*
 * The interrupt-depth hooks are attached by hand, exits before entries, so
 * an interrupt in flight while attaching can only miss a count, never leave
 * one behind.
 */
static int attach_irq_hooks(struct capture *c)
{
	struct bpf_program *order[6] = {
		c->skel->progs.on_irq_exit, c->skel->progs.on_softirq_exit,
		c->skel->progs.on_hrtimer_exit, c->skel->progs.on_irq_entry,
		c->skel->progs.on_softirq_entry, c->skel->progs.on_hrtimer_entry,
	};

	for (int i = 0; i < 6; i++) {
		c->irq_links[i] = bpf_program__attach(order[i]);
		if (!c->irq_links[i]) {
			c->irq_links[i] = NULL;
			return -errno;
		}
	}
	return 0;
}

#define RB_BUSY		(1U << 31)
#define RB_DISCARD	(1U << 30)
#define RB_HDR		8
#define RB_PUBLISH	(256U << 10)	/* give space back at least this often */

static int rbuf_open(struct rbuf *rb, int map_fd, size_t size)
{
	/* edge-triggered: the buffer polls readable whenever it holds data;
	 * wake only on the producer's batch wakeups (or the timeout) */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	rb->map_fd = map_fd;
	rb->page = sysconf(_SC_PAGESIZE);
	rb->size = size;
	rb->consumer_pos = mmap(NULL, rb->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (rb->consumer_pos == MAP_FAILED) {
		rb->consumer_pos = NULL;
		return -errno;
	}
	rb->prod_map = mmap(NULL, rb->page + 2 * size, PROT_READ, MAP_SHARED, map_fd, rb->page);
	if (rb->prod_map == MAP_FAILED) {
		rb->prod_map = NULL;
		return -errno;
	}
	rb->producer_pos = rb->prod_map;
	rb->data = (const uint8_t *)rb->prod_map + rb->page;
	rb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epfd < 0 || epoll_ctl(rb->epfd, EPOLL_CTL_ADD, map_fd, &ev))
		return -errno;
	return 0;
}

static void rbuf_close(struct rbuf *rb)
{
	if (rb->consumer_pos)
		munmap(rb->consumer_pos, rb->page);
	if (rb->prod_map)
		munmap(rb->prod_map, rb->page + 2 * rb->size);
	if (rb->epfd > 0)
		close(rb->epfd);
}

static int rbuf_consume(struct capture *c)
{
	struct rbuf *rb = &c->rb;
	unsigned long cons = __atomic_load_n(rb->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE);
	unsigned long published = cons;
	int n = 0;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(rb->data + (cons & (rb->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & RB_BUSY)
			break;
		if (!(len & RB_DISCARD)) {
			c->fn(c->ctx, (void *)(hdr + 2), len & ~(RB_BUSY | RB_DISCARD));
			n++;
		}
		cons += ((len & ~(RB_BUSY | RB_DISCARD)) + RB_HDR + 7) & ~7UL;
		if (cons - published >= RB_PUBLISH) {
			__atomic_store_n(rb->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
		/* no re-reading producer_pos here: chasing the producer record
		 * by record would pull its cache line away on every event */
	}
	__atomic_store_n(rb->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

struct capture *capture__open(const struct capture_opts *o, capture_fn fn, void *ctx,
			      char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	int rc = 0;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	verbose_level = o->verbose;
	libbpf_set_print(print_fn);
	c->fn = fn;
	c->ctx = ctx;
	c->ncpu = libbpf_num_possible_cpus();
	c->seen = calloc(c->ncpu, sizeof(*c->seen));
	c->now = calloc(c->ncpu, sizeof(*c->now));
	if (c->ncpu <= 0 || !c->seen || !c->now) {
		snprintf(err, errlen, "cannot size per-CPU state");
		rc = -ENOMEM;
		goto fail;
	}

	switch (o->hooks) {
	case CAPTURE_HOOKS_OFF:
		c->hooks = SIGREC_HOOKS_NONE;
		break;
	case CAPTURE_HOOKS_TRACEPOINT:
		c->hooks = SIGREC_HOOKS_TRACEPOINT;
		break;
	default:
		/* probe: fentry costs other syscalls nothing; many kernels refuse it */
		c->hooks = SIGREC_HOOKS_FENTRY;
		quiet = o->hooks == CAPTURE_HOOKS_AUTO && verbose_level < 2;
		c->skel = open_load(o, c->hooks, &rc);
		quiet = 0;
		if (!c->skel && o->hooks == CAPTURE_HOOKS_FENTRY) {
			snprintf(err, errlen, "cannot load fentry/fexit syscall hooks: %s",
				 strerror(-rc));
			goto fail;
		}
		if (!c->skel)
			c->hooks = SIGREC_HOOKS_TRACEPOINT;
	}
	if (!c->skel)
		c->skel = open_load(o, c->hooks, &rc);
	if (!c->skel) {
		snprintf(err, errlen, "cannot load the BPF programs: %s%s", strerror(-rc),
			 rc == -EPERM ? " (run as root, or with CAP_BPF and CAP_PERFMON)" : "");
		goto fail;
	}
	rc = attach_irq_hooks(c);
	if (!rc)
		rc = sigrec_bpf__attach(c->skel);
	if (rc) {
		snprintf(err, errlen, "cannot attach the BPF programs: %s", strerror(-rc));
		goto fail;
	}
	rc = rbuf_open(&c->rb, bpf_map__fd(c->skel->maps.events), o->buffer_bytes);
	if (rc) {
		snprintf(err, errlen, "cannot map the BPF ring buffer: %s", strerror(-rc));
		goto fail;
	}
	return c;
fail:
	capture__close(c);
	errno = -rc;
	return NULL;
}

int capture__hooks(const struct capture *c)
{
	return c->hooks;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev;

	/* events submitted without a wakeup are seen on the timeout */
	if (epoll_wait(c->rb.epfd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return rbuf_consume(c);
}

int capture__drops(struct capture *c, struct sigrec_lost *out, int max)
{
	__u32 zero = 0;
	int n = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.drops), &zero, c->now))
		return -errno;
	for (int cpu = 0; cpu < c->ncpu && n < max; cpu++) {
		struct sigrec_drops *a = &c->seen[cpu], *b = &c->now[cpu];

		if (b->count == a->count)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].h.type = SIGREC_T_LOST;
		out[n].h.size = sizeof(out[n]);
		out[n].h.ts = b->last_ts;
		out[n].count = b->count - a->count;
		/* first drop since the last report: the per-CPU first_ts is only
		 * the very first drop, so use the previous last_ts as lower bound */
		out[n].from_ts = a->count ? a->last_ts : b->first_ts;
		out[n].to_ts = b->last_ts;
		out[n].lcpu = cpu;
		*a = *b;
		n++;
	}
	return n;
}

void capture__close(struct capture *c)
{
	if (!c)
		return;
	rbuf_close(&c->rb);
	for (int i = 0; i < 6; i++)
		bpf_link__destroy(c->irq_links[i]);
	sigrec_bpf__destroy(c->skel);
	free(c->seen);
	free(c->now);
	free(c);
}
