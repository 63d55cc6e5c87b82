// SPDX-License-Identifier: MIT
/* capture.c - BPF skeleton lifecycle: configure, probe hooks, load, attach, poll. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
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

#define MAX_LINKS	64

/* What a pinned set is made of: its maps and links, by fd. */
struct pinned {
	int events_fd, drops_fd, seen_fd, meta_fd;
	int runs_fd, flush_fd;	/* coalescing state and its flush program (-1: none) */
	size_t runs_size;	/* value size of runs: another version's may differ */
	int sig_fd;		/* the signal program, for its count of skipped runs */
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
};

struct capture {
	struct sigrec_bpf *skel;	/* NULL when a pinned set is reused */
	struct pinned set;
	struct rbuf rb;
	char pin_dir[256];
	int hooks;
	int reused;
	int ncpu;
	struct sigrec_drops *now;
	uint64_t *seen;
	uint64_t last_report;
	uint64_t opened;		/* CLOCK_BOOTTIME of capture__open */
	struct sigrec_run *runs;	/* per-CPU copy of the runs map */
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
	s->rodata->coalesce = !o->exact;
	bpf_map__set_max_entries(s->maps.events, o->buffer_bytes);
	set_syscall_autoload(s, hooks == SIGREC_HOOKS_FENTRY, hooks == SIGREC_HOOKS_TRACEPOINT);
	set_lifecycle_autoload(s, o->lifecycle);
	*rc = sigrec_bpf__load(s);
	if (*rc) {
		sigrec_bpf__destroy(s);
		return NULL;
	}
	return s;
}

/*
 * Attach every loaded program, exits before entries: an interrupt or a
 * kill-family call in flight while attaching can then only miss its count
 * or its state, never leave one behind (a stale irq depth or syscall state
 * would misattribute later signals).
 */
static int is_exit_prog(struct bpf_program *p)
{
	static const char *const irq_exits[] = {
		"tp_btf/irq_handler_exit", "tp_btf/softirq_exit", "tp_btf/hrtimer_expire_exit",
	};
	const char *sec = bpf_program__section_name(p);

	for (size_t i = 0; i < sizeof(irq_exits) / sizeof(irq_exits[0]); i++)
		if (!strcmp(sec, irq_exits[i]))
			return 1;
	return !strncmp(sec, "fexit/", 6) || strstr(sec, "sys_exit_") != NULL;
}

/* Programs attached to a hook (flush_runs is run by user space instead). */
static int is_hooked(struct bpf_program *p)
{
	return bpf_program__autoload(p) && strcmp(bpf_program__section_name(p), "raw_tp");
}

static int attach_all(struct capture *c)
{
	struct bpf_program *p;

	for (int pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(p, c->skel->obj) {
			struct bpf_link *l;

			if (!is_hooked(p) || is_exit_prog(p) != !pass)
				continue;
			if (c->set.nlinks == MAX_LINKS)
				return -E2BIG;
			l = bpf_program__attach(p);
			if (!l)
				return -errno;
			c->set.links[c->set.nlinks++] = l;
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
	if (rb->epfd >= 0)
		close(rb->epfd);
	rb->consumer_pos = NULL;
	rb->prod_map = NULL;
	rb->epfd = -1;
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

static int report_drops(struct capture *c, const struct pinned *s);

/* ---- pinning: capture goes on while the recorder is down ---- */

static uint64_t fnv(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The object and every setting that shapes what it records. */
static uint64_t config_hash(const struct capture_opts *o)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t sz;
	const void *elf = sigrec_bpf__elf_bytes(&sz);

	h = fnv(h, elf, sz);
	h = fnv(h, o->sig_mask, sizeof(o->sig_mask));
	h = fnv(h, &o->pid, sizeof(o->pid));
	h = fnv(h, o->comm, sizeof(o->comm));
	h = fnv(h, &o->comm_on, sizeof(o->comm_on));
	h = fnv(h, &o->failed_only, sizeof(o->failed_only));
	h = fnv(h, &o->hooks, sizeof(o->hooks));
	h = fnv(h, &o->lifecycle, sizeof(o->lifecycle));
	h = fnv(h, &o->buffer_bytes, sizeof(o->buffer_bytes));
	h = fnv(h, &o->exact, sizeof(o->exact));
	return h;
}

static void pin_path(const struct capture *c, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", c->pin_dir, name);
}

static int map_fd_at(const struct capture *c, const char *name)
{
	char path[512];

	pin_path(c, path, sizeof(path), name);
	return bpf_obj_get(path);
}

/* The pinned objects other than links: pin name and fd in struct pinned. */
static const struct {
	const char *name;
	size_t fd;
} pinned_objs[] = {
	{ "events", offsetof(struct pinned, events_fd) },
	{ "drops", offsetof(struct pinned, drops_fd) },
	{ "drops_seen", offsetof(struct pinned, seen_fd) },
	{ "meta", offsetof(struct pinned, meta_fd) },
	{ "runs", offsetof(struct pinned, runs_fd) },
	{ "flush", offsetof(struct pinned, flush_fd) },
	{ "signal_prog", offsetof(struct pinned, sig_fd) },
};
#define NPINNED_OBJS	(sizeof(pinned_objs) / sizeof(pinned_objs[0]))

static int *pinned_fd(struct pinned *s, size_t i)
{
	return (int *)((char *)s + pinned_objs[i].fd);
}

static void set_init(struct pinned *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NPINNED_OBJS; i++)
		*pinned_fd(s, i) = -1;
}

static size_t map_max_entries(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

static size_t map_value_size(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.value_size;
}

/* Take every object of the pinned set by fd (they stay pinned). */
static int set_open(struct capture *c, struct pinned *s)
{
	DIR *d = opendir(c->pin_dir);
	struct dirent *de;

	set_init(s);
	if (!d)
		return -errno;
	/* runs, flush and signal_prog are missing in sets of older versions */
	for (size_t i = 0; i < NPINNED_OBJS; i++)
		*pinned_fd(s, i) = map_fd_at(c, pinned_objs[i].name);
	s->runs_size = s->runs_fd >= 0 ? map_value_size(s->runs_fd) : 0;
	while ((de = readdir(d)) && s->nlinks < MAX_LINKS) {
		char path[512];

		if (strncmp(de->d_name, "link_", 5))
			continue;
		pin_path(c, path, sizeof(path), de->d_name);
		s->links[s->nlinks] = bpf_link__open(path);
		if (s->links[s->nlinks])
			s->nlinks++;
	}
	closedir(d);
	return s->events_fd < 0 || s->drops_fd < 0 || s->seen_fd < 0 || s->meta_fd < 0 ? -ENOENT : 0;
}

/* Remove the pins; the objects live on while fds hold them. */
static void set_unpin(struct capture *c, struct pinned *s)
{
	char path[512];

	for (int i = 0; i < s->nlinks; i++)
		bpf_link__unpin(s->links[i]);
	for (size_t i = 0; i < NPINNED_OBJS; i++) {
		pin_path(c, path, sizeof(path), pinned_objs[i].name);
		unlink(path);
	}
	rmdir(c->pin_dir);
}

/* Destroying the links detaches the programs. */
static void set_close(struct pinned *s)
{
	for (int i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	s->nlinks = 0;
	for (size_t i = 0; i < NPINNED_OBJS; i++)
		if (*pinned_fd(s, i) >= 0)
			close(*pinned_fd(s, i));
	set_init(s);
}

static int set_pin(struct capture *c)
{
	struct sigrec_bpf *k = c->skel;
	struct bpf_program *p;
	char path[512];
	int i = 0, rc;

	if (mkdir("/sys/fs/bpf/sigrec", 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(c->pin_dir, 0700) && errno != EEXIST)
		return -errno;
	pin_path(c, path, sizeof(path), "events");
	rc = bpf_map__pin(k->maps.events, path);
	pin_path(c, path, sizeof(path), "drops");
	rc = rc ?: bpf_map__pin(k->maps.drops, path);
	pin_path(c, path, sizeof(path), "drops_seen");
	rc = rc ?: bpf_map__pin(k->maps.drops_seen, path);
	pin_path(c, path, sizeof(path), "runs");
	rc = rc ?: bpf_map__pin(k->maps.runs, path);
	pin_path(c, path, sizeof(path), "flush");
	rc = rc ?: bpf_program__pin(k->progs.flush_runs, path);
	pin_path(c, path, sizeof(path), "signal_prog");
	rc = rc ?: bpf_program__pin(k->progs.on_signal_generate, path);
	/* a link per program, in attach order (exits first) */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		bpf_object__for_each_program(p, k->obj) {
			if (!is_hooked(p) || is_exit_prog(p) != !pass || rc)
				continue;
			snprintf(path, sizeof(path), "%s/link_%s", c->pin_dir, bpf_program__name(p));
			rc = bpf_link__pin(c->set.links[i++], path);
		}
	}
	/* meta last: a set without it is incomplete and gets replaced */
	pin_path(c, path, sizeof(path), "meta");
	return rc ?: bpf_map__pin(k->maps.meta, path);
}

static int meta_read(int fd, uint64_t v[2])
{
	for (__u32 k = 0; k < 2; k++)
		if (bpf_map_lookup_elem(fd, &k, &v[k]))
			return -errno;
	return 0;
}

/* Skip records a crashed recorder had already written to the ring. */
static void rbuf_skip_through(struct rbuf *rb, const void *last, size_t len)
{
	unsigned long cons = *rb->consumer_pos, prod = *rb->producer_pos, pos = cons;

	if (!last || !len)
		return;
	while (pos < prod) {
		const uint32_t *hdr = (const uint32_t *)(rb->data + (pos & (rb->size - 1)));
		uint32_t rl = *hdr;

		if (rl & RB_BUSY)
			break;
		rl &= ~(RB_BUSY | RB_DISCARD);
		pos += (rl + RB_HDR + 7) & ~7UL;
		if (rl == len && !memcmp(hdr + 2, last, len)) {
			__atomic_store_n(rb->consumer_pos, pos, __ATOMIC_RELEASE);
			return;
		}
	}
}

/*
 * Run flush_runs on every CPU whose run holds repeats not yet written
 * (all CPUs when the counts cannot be read).  A CPU in the middle of
 * changing its run is left for the next time.
 */
static void flush_set(struct capture *c, const struct pinned *s)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU);
	__u32 zero = 0;
	int known;

	if (s->flush_fd < 0)
		return;
	known = s->runs_size == sizeof(*c->runs) && !bpf_map_lookup_elem(s->runs_fd, &zero, c->runs);
	for (int cpu = 0; cpu < c->ncpu; cpu++) {
		if (known && !c->runs[cpu].count)
			continue;
		opts.cpu = cpu;
		bpf_prog_test_run_opts(s->flush_fd, &opts);	/* ENXIO: CPU offline */
	}
}

/* Drain a replaced set: its last records, then its drops. */
static void drain_old(struct capture *c, struct pinned *old)
{
	struct rbuf rb = { .epfd = -1 };
	size_t size = map_max_entries(old->events_fd);
	struct rbuf keep = c->rb;

	flush_set(c, old);
	if (size && !rbuf_open(&rb, old->events_fd, size)) {
		c->rb = rb;
		rbuf_consume(c);
		c->rb = keep;
	}
	rbuf_close(&rb);
}

static void emit_gap(struct capture *c, uint64_t from, uint64_t to)
{
	struct sigrec_lost l = { 0 };

	l.h.type = SIGREC_T_LOST;
	l.h.flags = SIGREC_LOST_GAP;
	l.h.size = sizeof(l);
	l.h.ts = to;
	l.from_ts = from;
	l.to_ts = to;
	l.lcpu = UINT32_MAX;
	c->fn(c->ctx, &l, sizeof(l));
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- lifecycle ---- */

static int load(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	int rc = 0;

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
			return rc;
		}
		if (!c->skel)
			c->hooks = SIGREC_HOOKS_TRACEPOINT;
	}
	if (!c->skel)
		c->skel = open_load(o, c->hooks, &rc);
	if (!c->skel)
		snprintf(err, errlen, "cannot load the BPF programs: %s%s", strerror(-rc),
			 rc == -EPERM ? " (run as root, or with CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH "
					"and CAP_SYS_PTRACE)" : "");
	return c->skel ? 0 : rc;
}

/* Load, attach (replacing old, if any) and pin a new set. */
static int start_new(struct capture *c, const struct capture_opts *o, struct pinned *old,
		     uint64_t hash, char *err, size_t errlen)
{
	uint64_t meta[2] = { hash, 0 }, t0 = 0;
	int rc = load(c, o, err, errlen);

	if (rc)
		return rc;
	meta[1] = c->hooks;
	if (old->nlinks) {	/* the old programs stop, the new start: a short gap */
		t0 = boottime_ns();
		for (int i = 0; i < old->nlinks; i++)
			bpf_link__destroy(old->links[i]);
		old->nlinks = 0;
	}
	rc = attach_all(c);
	if (t0)
		emit_gap(c, t0, boottime_ns());
	if (rc) {
		snprintf(err, errlen, "cannot attach the BPF programs: %s", strerror(-rc));
		return rc;
	}
	for (__u32 k = 0; k < 2; k++)
		bpf_map_update_elem(bpf_map__fd(c->skel->maps.meta), &k, &meta[k], 0);
	c->set.events_fd = dup(bpf_map__fd(c->skel->maps.events));
	c->set.drops_fd = dup(bpf_map__fd(c->skel->maps.drops));
	c->set.seen_fd = dup(bpf_map__fd(c->skel->maps.drops_seen));
	c->set.meta_fd = dup(bpf_map__fd(c->skel->maps.meta));
	c->set.runs_fd = dup(bpf_map__fd(c->skel->maps.runs));
	c->set.runs_size = sizeof(struct sigrec_run);
	c->set.flush_fd = dup(bpf_program__fd(c->skel->progs.flush_runs));
	c->set.sig_fd = dup(bpf_program__fd(c->skel->progs.on_signal_generate));
	if (c->pin_dir[0] && (rc = set_pin(c))) {
		snprintf(err, errlen, "cannot pin the BPF programs under %s: %s", c->pin_dir,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

struct capture *capture__open(const struct capture_opts *o, capture_fn fn, void *ctx,
			      char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	struct pinned old;
	uint64_t hash = config_hash(o), meta[2];
	int rc = 0;

	set_init(&old);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	set_init(&c->set);
	c->rb.epfd = -1;
	verbose_level = o->verbose;
	libbpf_set_print(print_fn);
	c->fn = fn;
	c->ctx = ctx;
	snprintf(c->pin_dir, sizeof(c->pin_dir), "%s", o->pin_dir ? o->pin_dir : "");
	c->ncpu = libbpf_num_possible_cpus();
	c->opened = boottime_ns();
	c->seen = calloc(c->ncpu > 0 ? c->ncpu : 1, sizeof(*c->seen));
	c->now = calloc(c->ncpu > 0 ? c->ncpu : 1, sizeof(*c->now));
	c->runs = calloc(c->ncpu > 0 ? c->ncpu : 1, sizeof(*c->runs));
	if (c->ncpu <= 0 || !c->seen || !c->now || !c->runs) {
		snprintf(err, errlen, "cannot size per-CPU state");
		rc = -ENOMEM;
		goto fail;
	}

	/* a pinned set of ours is still capturing: take it over */
	if (c->pin_dir[0] && !access(c->pin_dir, F_OK)) {
		if (!set_open(c, &old) && !meta_read(old.meta_fd, meta) && meta[0] == hash) {
			c->set = old;
			set_init(&old);
			c->hooks = meta[1];
			c->reused = 1;
		} else {
			set_unpin(c, &old);	/* another version or settings: replace */
		}
	}
	if (!c->reused) {
		rc = start_new(c, o, &old, hash, err, errlen);
		if (rc)
			goto fail;
	}
	rc = rbuf_open(&c->rb, c->set.events_fd, map_max_entries(c->set.events_fd));
	if (rc) {
		snprintf(err, errlen, "cannot map the BPF ring buffer: %s", strerror(-rc));
		goto fail;
	}
	if (c->reused)
		rbuf_skip_through(&c->rb, o->last_rec, o->last_len);
	if (old.events_fd >= 0) {
		drain_old(c, &old);
		report_drops(c, &old);
	}
	set_close(&old);
	/* drops already reported by an earlier recorder are not reported again */
	for (int cpu = 0; cpu < c->ncpu; cpu++) {
		__u32 k = cpu;

		bpf_map_lookup_elem(c->set.seen_fd, &k, &c->seen[cpu]);
	}
	return c;
fail:
	set_close(&old);
	capture__close(c, 1);
	errno = -rc;
	return NULL;
}

int capture__hooks(const struct capture *c)
{
	return c->hooks;
}

int capture__reused(const struct capture *c)
{
	return c->reused;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev;

	/* events submitted without a wakeup are seen on the timeout; the
	 * tails of runs are written then too, no later than the rest */
	if (epoll_wait(c->rb.epfd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	flush_set(c, &c->set);
	return rbuf_consume(c);
}

void capture__stop(struct capture *c)
{
	if (c->pin_dir[0])
		set_unpin(c, &c->set);
	for (int i = 0; i < c->set.nlinks; i++)
		bpf_link__destroy(c->set.links[i]);
	c->set.nlinks = 0;
	flush_set(c, &c->set);
}

#define SEEN_NESTED	4095	/* drops_seen slot: skipped runs already reported */

/*
 * Signals the kernel did not hand to the signal program: raised from an
 * interrupt on a CPU where it was already running (tp_btf programs do not
 * nest; the kernel counts those runs in the program's recursion_misses).
 */
static int report_nested(struct capture *c, const struct pinned *s)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), k = SEEN_NESTED;
	struct sigrec_lost l = { 0 };
	uint64_t seen = 0;

	if (s->sig_fd < 0 || bpf_obj_get_info_by_fd(s->sig_fd, &info, &len))
		return 0;
	bpf_map_lookup_elem(s->seen_fd, &k, &seen);
	if (info.recursion_misses <= seen)
		return 0;
	l.h.type = SIGREC_T_LOST;
	l.h.flags = SIGREC_LOST_NESTED;
	l.h.size = sizeof(l);
	l.h.ts = boottime_ns();
	l.count = info.recursion_misses - seen;
	l.from_ts = c->last_report ? c->last_report : c->opened;
	l.to_ts = l.h.ts;
	l.lcpu = UINT32_MAX;
	c->fn(c->ctx, &l, sizeof(l));
	seen = info.recursion_misses;
	bpf_map_update_elem(s->seen_fd, &k, &seen, 0);
	return 1;
}

/*
 * Report drops counted by the kernel since they were last written to the
 * ring (drops_seen, kept in a pinned map so a restart does not repeat them).
 */
static int report_drops(struct capture *c, const struct pinned *s)
{
	__u32 zero = 0;
	int n = 0;

	if (bpf_map_lookup_elem(s->drops_fd, &zero, c->now))
		return -errno;
	for (int cpu = 0; cpu < c->ncpu && cpu < SEEN_NESTED; cpu++) {
		struct sigrec_drops *b = &c->now[cpu];
		uint64_t seen = 0;
		__u32 k = cpu;
		struct sigrec_lost l = { 0 };

		bpf_map_lookup_elem(s->seen_fd, &k, &seen);
		if (b->count <= seen)
			continue;
		l.h.type = SIGREC_T_LOST;
		l.h.size = sizeof(l);
		l.h.ts = b->last_ts;
		l.count = b->count - seen;
		/* first_ts is the very first drop ever; the last report's time is
		 * not kept, so the range starts at the first drop when unsure */
		l.from_ts = seen ? (c->last_report ? c->last_report : b->first_ts) : b->first_ts;
		l.to_ts = b->last_ts;
		l.lcpu = cpu;
		c->fn(c->ctx, &l, sizeof(l));
		seen = b->count;
		bpf_map_update_elem(s->seen_fd, &k, &seen, 0);
		n++;
	}
	n += report_nested(c, s);
	c->last_report = boottime_ns();
	return n;
}

int capture__drops(struct capture *c)
{
	return report_drops(c, &c->set);
}

void capture__close(struct capture *c, int detach)
{
	if (!c)
		return;
	rbuf_close(&c->rb);
	if (detach && c->pin_dir[0])
		set_unpin(c, &c->set);
	if (detach) {
		set_close(&c->set);
	} else {
		/* leave the pinned links attached: capture goes on */
		for (int i = 0; i < c->set.nlinks; i++)
			bpf_link__disconnect(c->set.links[i]);
		set_close(&c->set);
	}
	sigrec_bpf__destroy(c->skel);
	free(c->seen);
	free(c->now);
	free(c->runs);
	free(c);
}

int capture__unpin(const char *pin_dir)
{
	DIR *d = opendir(pin_dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(pin_dir) ? -errno : 0;
}
