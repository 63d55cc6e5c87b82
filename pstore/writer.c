// SPDX-License-Identifier: MIT
/*
 * writer.c - the pstore/ramoops mode's writer: the line of each matching
 * signal (lib/pstore.c formats it) to /dev/pmsg0, /dev/kmsg or a persistent
 * ftrace instance's trace_marker, one write() per line, under a rate limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util.h"
#include "writer.h"

#define PMSG_PATH	"/dev/pmsg0"
#define KMSG_PATH	"/dev/kmsg"
/* where tracefs is, mounted by itself or under debugfs */
static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/*
 * Rate limits: pmsg and trace_marker have no limit of their own, but the
 * persistent zone is small (an ftrace instance's is shared with whatever
 * else is traced there); /dev/kmsg is limited by the kernel to 10 lines
 * per 5 s per opener (unless printk.devkmsg=on), so stay under that.
 */
struct rate {
	double tokens, per_s, burst;
	double last;
};

struct pstore_writer {
	int fd;
	int kmsg;
	const char *path;
	char marker[320];		/* PSTORE_FTRACE: the instance's trace_marker */
	uint64_t mask[2];
	struct rate rate;
	uint64_t suppressed, reported;
};

static double mono_s(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1e9;
}

static int rate_take(struct rate *r)
{
	double now = mono_s();

	r->tokens += (now - r->last) * r->per_s;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->last = now;
	if (r->tokens < 1)
		return 0;
	r->tokens -= 1;
	return 1;
}

static int tracing_off(const char *path)
{
	char c = '1';
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '1';
		close(fd);
	}
	return c == '0';
}

/*
 * The trace_marker of tracefs instance name, if the instance is one the
 * kernel mapped to reserved memory at boot: only those have last_boot_info
 * (an instance made with mkdir is lost at a reboot).
 */
static int ftrace_marker(const char *name, char *path, size_t len, struct sigrec_err *err)
{
	struct stat st;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		seterr(err, "invalid trace instance name '%s'", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		snprintf(path, len, "%s/instances/%s", tracefs_dirs[i], name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, len, "%s/instances/%s/last_boot_info", tracefs_dirs[i], name);
		if (stat(path, &st)) {
			seterr(err, "trace instance %s is not persistent (it has no "
				 "last_boot_info: it was not mapped to reserved memory at boot, "
				 "its buffer does not survive a reboot); boot with "
				 "reserve_mem=20M:2M:trace trace_instance=%s@trace", name, name);
			return -ENOTSUP;
		}
		/* a write while tracing is off fails: say so now, not never */
		snprintf(path, len, "%s/instances/%s/tracing_on", tracefs_dirs[i], name);
		if (tracing_off(path)) {
			seterr(err, "tracing is off in trace instance %s: echo 1 > %s "
				 "(after reading the previous boot's lines with sigdump --pstore)",
				 name, path);
			return -EPERM;
		}
		snprintf(path, len, "%s/instances/%s/trace_marker", tracefs_dirs[i], name);
		return 0;
	}
	seterr(err, "no persistent trace instance %s: boot with "
		 "reserve_mem=20M:2M:trace trace_instance=%s@trace", name, name);
	return -ENOENT;
}

struct pstore_writer *pstore__open(int mode, const char *instance, const uint64_t sig_mask[2],
				   struct sigrec_err *err)
{
	struct pstore_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		seterr(err, "out of memory");
		return NULL;
	}
	if (mode == PSTORE_AUTO)
		mode = access(PMSG_PATH, W_OK) ? PSTORE_KMSG : PSTORE_PMSG;
	w->kmsg = mode == PSTORE_KMSG;
	w->path = w->kmsg ? KMSG_PATH : PMSG_PATH;
	if (mode == PSTORE_FTRACE) {
		rc = ftrace_marker(instance ? instance : PSTORE_FTRACE_INSTANCE, w->marker,
				   sizeof(w->marker), err);
		if (rc) {
			free(w);
			errno = -rc;
			return NULL;
		}
		w->path = w->marker;
	}
	w->fd = open(w->path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (w->fd < 0) {
		int e = errno;

		seterr(err, "cannot open %s: %s%s", w->path, strerror(e),
			 mode == PSTORE_PMSG ? " (kernel without CONFIG_PSTORE_PMSG or ramoops; "
			 "try --pstore=kmsg)" : "");
		free(w);
		errno = e;
		return NULL;
	}
	w->mask[0] = sig_mask[0];
	w->mask[1] = sig_mask[1];
	/* kmsg: burst + 5 s of refill stays within the kernel's 10 per 5 s */
	w->rate.per_s = w->kmsg ? 1 : 50;
	w->rate.burst = w->kmsg ? 5 : 200;
	w->rate.tokens = w->rate.burst;
	w->rate.last = mono_s();
	return w;
}

const char *pstore__path(const struct pstore_writer *w)
{
	return w->path;
}

uint64_t pstore__suppressed(const struct pstore_writer *w)
{
	return w->suppressed;
}

static void put_line(struct pstore_writer *w, const char *line, size_t n)
{
	char buf[PSTORE_LINE_MAX + 8];
	size_t off = 0;

	if (w->kmsg)
		off = snprintf(buf, sizeof(buf), "<12>");	/* facility user, warning */
	memcpy(buf + off, line, n);
	buf[off + n] = '\n';
	/* one write() is one record; a failed write is not retried (no blocking) */
	if (write(w->fd, buf, off + n + 1) < 0)
		w->suppressed++;
}

void pstore__signal(struct pstore_writer *w, const struct sigrec_signal *s, int64_t wall_ns,
		    const uint8_t boot_id[16], int oom)
{
	char line[PSTORE_LINE_MAX];
	size_t n;

	if (!w || !sigrec_mask_has(w->mask, s->sig))
		return;
	if (!rate_take(&w->rate)) {
		w->suppressed++;
		return;
	}
	if (w->suppressed > w->reported) {
		n = snprintf(line, sizeof(line), "sigrec: suppressed %llu lines (rate limit) t=%lld",
			     (unsigned long long)(w->suppressed - w->reported),
			     (long long)(wall_ns / 1000000000LL));
		put_line(w, line, n);
		w->reported = w->suppressed;
		if (!rate_take(&w->rate)) {
			w->suppressed++;	/* reported with the next line */
			return;
		}
	}
	n = pstore__format(line, sizeof(line), s, wall_ns, boot_id, oom);
	put_line(w, line, n);
}

void pstore__close(struct pstore_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}
