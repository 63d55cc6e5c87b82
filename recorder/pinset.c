// SPDX-License-Identifier: MIT
/*
 * pinset.c - the pinned set (pinset.h): its objects by fd, pinning, the
 * flush of its coalescing runs, draining a replaced one, and the drops
 * its kernel side counted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pinset.h"
#include "rbuf.h"
#include "ring.h"
#include "util.h"

/*
 * The pinned objects other than links: pin name, fd in struct pinned, and
 * the loaded object's map of that name, or program (NULL: the signal
 * program, whichever form loaded).  meta is last: pinned last, a set
 * without it is incomplete and gets replaced.  runs, flush and signal_prog
 * are missing in sets of older versions.
 */
static const struct pin_obj {
	const char *name;
	size_t fd;
	const char *map, *prog;
} objs[] = {
	{ "events", offsetof(struct pinned, events_fd), "events", NULL },
	{ "drops", offsetof(struct pinned, drops_fd), "drops", NULL },
	{ "drops_seen", offsetof(struct pinned, seen_fd), "drops_seen", NULL },
	{ "runs", offsetof(struct pinned, runs_fd), "runs", NULL },
	{ "flush", offsetof(struct pinned, flush_fd), NULL, "flush_runs" },
	{ "signal_prog", offsetof(struct pinned, sig_fd), NULL, NULL },
	{ "meta", offsetof(struct pinned, meta_fd), "meta", NULL },
};
#define NOBJS	(sizeof(objs) / sizeof(objs[0]))

static int *obj_fd(const struct pinned *s, size_t i)
{
	return (int *)((char *)s + objs[i].fd);
}

static void path_of(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

void pinset_init(struct pinned *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NOBJS; i++)
		*obj_fd(s, i) = -1;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

size_t pinset_ring_size(const struct pinned *s)
{
	struct bpf_map_info info;

	return map_info(s->events_fd, &info) ? 0 : info.max_entries;
}

int pinset_open(const char *dir, struct pinned *s)
{
	DIR *d = opendir(dir);
	struct bpf_map_info info;
	struct dirent *de;
	char path[512];

	pinset_init(s);
	if (!d)
		return -errno;
	for (size_t i = 0; i < NOBJS; i++) {
		path_of(path, sizeof(path), dir, objs[i].name);
		*obj_fd(s, i) = bpf_obj_get(path);
	}
	s->runs_size = s->runs_fd >= 0 && !map_info(s->runs_fd, &info) ? info.value_size : 0;
	while ((de = readdir(d)) && s->nlinks < PIN_MAX_LINKS) {
		if (strncmp(de->d_name, "link_", 5))
			continue;
		path_of(path, sizeof(path), dir, de->d_name);
		s->links[s->nlinks] = bpf_link__open(path);
		if (s->links[s->nlinks])
			s->nlinks++;
	}
	closedir(d);
	return s->events_fd < 0 || s->drops_fd < 0 || s->seen_fd < 0 || s->meta_fd < 0 ? -ENOENT : 0;
}

int pinset_take(struct pinned *s, struct bpf_object *obj, const char *sig_prog, int flush)
{
	for (size_t i = 0; i < NOBJS; i++) {
		const char *prog = objs[i].prog ? objs[i].prog : sig_prog;
		struct bpf_program *p;
		struct bpf_map *m;
		int fd;

		if (objs[i].map) {
			m = bpf_object__find_map_by_name(obj, objs[i].map);
			fd = m ? bpf_map__fd(m) : -1;
		} else {
			if (objs[i].prog && !flush)
				continue;
			p = bpf_object__find_program_by_name(obj, prog);
			fd = p ? bpf_program__fd(p) : -1;
		}
		if (fd < 0 || (*obj_fd(s, i) = dup(fd)) < 0)
			return fd < 0 ? -ENOENT : -errno;
	}
	s->runs_size = sizeof(struct sigrec_run);
	return 0;
}

int pinset_pin(const char *dir, const struct pinned *s)
{
	char path[512];
	const char *slash = strrchr(dir, '/');
	int rc = 0;

	/* its parent (/sys/fs/bpf/sigrec), then itself: root's only */
	if (slash && slash != dir) {
		snprintf(path, sizeof(path), "%.*s", (int)(slash - dir), dir);
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	for (size_t i = 0; i + 1 < NOBJS && !rc; i++) {
		if (*obj_fd(s, i) < 0)
			continue;
		path_of(path, sizeof(path), dir, objs[i].name);
		rc = bpf_obj_pin(*obj_fd(s, i), path) ? -errno : 0;
	}
	/* a link per program, in attach order (exits first) */
	for (int i = 0; i < s->nlinks && !rc; i++) {
		snprintf(path, sizeof(path), "%s/link_%s", dir, s->link_prog[i]);
		rc = bpf_link__pin(s->links[i], path);
	}
	path_of(path, sizeof(path), dir, objs[NOBJS - 1].name);
	return rc ?: bpf_obj_pin(*obj_fd(s, NOBJS - 1), path) ? -errno : 0;
}

void pinset_unpin(const char *dir, const struct pinned *s)
{
	char path[512];

	for (int i = 0; i < s->nlinks; i++)
		bpf_link__unpin(s->links[i]);
	for (size_t i = 0; i < NOBJS; i++) {
		path_of(path, sizeof(path), dir, objs[i].name);
		unlink(path);
	}
	rmdir(dir);
}

void pinset_close(struct pinned *s)
{
	for (int i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	for (size_t i = 0; i < NOBJS; i++)
		if (*obj_fd(s, i) >= 0)
			close(*obj_fd(s, i));
	pinset_init(s);
}

int pinset_meta(const struct pinned *s, uint64_t v[SIGREC_META_N])
{
	for (__u32 k = 0; k < SIGREC_META_N; k++)
		if (bpf_map_lookup_elem(s->meta_fd, &k, &v[k]))
			return -errno;
	return 0;
}

/*
 * Run flush_runs on every CPU whose run holds repeats not yet written
 * (all CPUs when the counts cannot be read).  A CPU in the middle of
 * changing its run is left for the next time.
 */
void pinset_flush(struct pin_io *io, const struct pinned *s)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU);
	__u32 zero = 0;
	int known;

	if (s->flush_fd < 0)
		return;
	known = s->runs_size == sizeof(*io->runs) && !bpf_map_lookup_elem(s->runs_fd, &zero, io->runs);
	for (int cpu = 0; cpu < io->ncpu; cpu++) {
		if (known && !io->runs[cpu].count && !io->runs[cpu].dlv.count &&
		    !io->runs[cpu].nstage)
			continue;
		opts.cpu = cpu;
		bpf_prog_test_run_opts(s->flush_fd, &opts);	/* ENXIO: CPU offline */
	}
}

int pinset_sample(void *ctx, void *rec, size_t len)
{
	struct pin_io *io = ctx;

	return rbuf_split(rec, len, io->fn, io->ctx);
}

void pinset_drain(struct pin_io *io, const struct pinned *s)
{
	struct rbuf rb = { .epfd = -1 };
	size_t size = pinset_ring_size(s);

	pinset_flush(io, s);
	if (size && !rbuf_open(&rb, s->events_fd, size))
		rbuf_consume(&rb, pinset_sample, io);
	rbuf_close(&rb);
}

#define SEEN_NESTED	4095	/* drops_seen slot: skipped runs already reported */

/*
 * Signals the kernel did not hand to the signal program: raised from an
 * interrupt on a CPU where it was already running (tp_btf programs do not
 * nest; the kernel counts those runs in the program's recursion_misses).
 */
static int report_nested(struct pin_io *io, const struct pinned *s)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), k = SEEN_NESTED;
	struct sigrec_lost l;
	uint64_t seen = 0;

	if (s->sig_fd < 0 || bpf_obj_get_info_by_fd(s->sig_fd, &info, &len))
		return 0;
	bpf_map_lookup_elem(s->seen_fd, &k, &seen);
	if (info.recursion_misses <= seen)
		return 0;
	l = ring_lost(SIGREC_LOST_NESTED, info.recursion_misses - seen,
		      io->last_report ? io->last_report : io->opened, clock_ns(CLOCK_BOOTTIME),
		      UINT32_MAX);
	io->fn(io->ctx, &l, sizeof(l));
	seen = info.recursion_misses;
	bpf_map_update_elem(s->seen_fd, &k, &seen, 0);
	return 1;
}

/*
 * Report drops counted by the kernel since they were last written to the
 * ring (drops_seen, kept in a pinned map so a restart does not repeat them).
 */
int pinset_report_drops(struct pin_io *io, const struct pinned *s)
{
	__u32 zero = 0;
	int n = 0;

	if (bpf_map_lookup_elem(s->drops_fd, &zero, io->now))
		return -errno;
	for (int cpu = 0; cpu < io->ncpu && cpu < SEEN_NESTED; cpu++) {
		struct sigrec_drops *b = &io->now[cpu];
		uint64_t seen = 0;
		__u32 k = cpu;
		struct sigrec_lost l;

		bpf_map_lookup_elem(s->seen_fd, &k, &seen);
		if (b->count <= seen)
			continue;
		/* first_ts is the very first drop ever; the last report's time is
		 * not kept, so the range starts at the first drop when unsure */
		l = ring_lost(0, b->count - seen,
			      seen && io->last_report ? io->last_report : b->first_ts, b->last_ts, cpu);
		io->fn(io->ctx, &l, sizeof(l));
		seen = b->count;
		bpf_map_update_elem(s->seen_fd, &k, &seen, 0);
		n++;
	}
	n += report_nested(io, s);
	io->last_report = clock_ns(CLOCK_BOOTTIME);
	return n;
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
		path_of(path, sizeof(path), pin_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(pin_dir) ? -errno : 0;
}
