// SPDX-License-Identifier: MIT
/* sigrec.c - the recorder: options, then capture -> ring until told to stop. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "check.h"
#include "env.h"
#include "journal.h"
#include "metrics.h"
#include "model.h"
#include "place.h"
#include "privs.h"
#include "writer.h"
#include "ring.h"
#include "session.h"
#include "stacks_rec.h"
#include "util.h"

static int from_bpf(int type)
{
	return type == SIGREC_T_SIGNAL || type == SIGREC_T_SYSRET || type == SIGREC_T_FORK ||
	       type == SIGREC_T_EXEC || type == SIGREC_T_EXIT || type == SIGREC_T_COMM ||
	       type == SIGREC_T_OOM || type == SIGREC_T_DELIVER;
}

struct last_rec {
	uint8_t buf[RING_MAX_RECORD];
	size_t len;
};

static int keep_last(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct last_rec *l = ctx;

	(void)c;
	if (from_bpf(((const struct sigrec_rec_hdr *)rec)->type) && len <= sizeof(l->buf)) {
		memcpy(l->buf, rec, len);
		l->len = len;
	}
	return 0;
}

/* The newest record that came from the kernel, to skip it if seen again. */
static void find_last(const char *path, struct last_rec *l)
{
	struct sigrec_err err;
	struct ring_reader *rr = ring_reader__open(path, &err);
	const struct ring_chunk *ch;
	size_t n = 0;

	l->len = 0;
	if (!rr)
		return;
	if (!ring_reader__chunks(rr, &ch, &n, NULL))
		for (size_t i = n > 2 ? n - 2 : 0; i < n; i++)
			ring_reader__decode(rr, &ch[i], keep_last, l);
	ring_reader__close(rr);
}

/* FNV-1a of the ring's real path, then of its device and inode (inode: 1). */
static uint64_t ring_hash(const char *ring, int inode)
{
	char real[4096];
	uint64_t h = 0xcbf29ce484222325ULL;
	struct stat st;

	if (!realpath(ring, real))
		snprintf(real, sizeof(real), "%s", ring);
	for (const char *p = real; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	if (inode && !stat(ring, &st)) {
		uint64_t id[2] = { st.st_dev, st.st_ino };

		for (size_t i = 0; i < sizeof(id); i++)
			h = (h ^ ((const uint8_t *)id)[i]) * 0x100000001b3ULL;
	}
	return h;
}

/* The pin directory's name before it included the inode: the path alone. */
static void legacy_pin_dir_for(const char *ring, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/fs/bpf/sigrec/%016llx", (unsigned long long)ring_hash(ring, 0));
}

/*
 * One pinned set per ring file: /sys/fs/bpf/sigrec/<hash of its path and
 * inode>.  bpffs is shared by the whole machine: a recorder in a chroot or
 * a container with the same path must not take over the host's capture.
 */
static void pin_dir_for(const char *ring, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/fs/bpf/sigrec/%016llx", (unsigned long long)ring_hash(ring, 1));
}

static int unpin_only(const struct env *e)
{
	char pin_dir[256];
	int rc;

	pin_dir_for(e->ring, pin_dir, sizeof(pin_dir));
	rc = capture__unpin(pin_dir);
	if (rc && rc != -ENOENT) {
		fprintf(stderr, "sigrec: cannot remove %s: %s\n", pin_dir, strerror(-rc));
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "sigrec: %s\n", rc ? "no pinned capture for this ring" :
		"pinned capture removed");
	return EXIT_OK;
}

/* The ring (refused unless only this user can change it), the process table, pstore. */
static int setup_ring(struct env *e, struct run *run)
{
	struct sigrec_err rerr = { "" };
	struct sigrec_err err = { "" };
	int existed;

	if (read_boot(&run->boot))
		fprintf(stderr, "sigrec: warning: no boot id in /proc; boot sessions will not be told apart\n");
	e->popts.create_dir = !strcmp(e->ring, DEFAULT_RING);
	if (place__check(e->ring, &e->popts, &err)) {
		fprintf(stderr, "sigrec: %s\n", err.msg);
		return EXIT_RING;
	}
	existed = !access(e->ring, F_OK);
	run->procs = model__new();
	run->epoch = 1;	/* an empty recent slot matches nothing */
	if (!run->procs) {
		fprintf(stderr, "sigrec: out of memory\n");
		return EXIT_RUNTIME;
	}
	model__no_history(run->procs);
	run->stacks = rec_stacks__new();	/* NULL: signals go without their stacks */
	/* the ftrace instance is found in tracefs, which may not be mounted yet */
	if (e->pstore == PSTORE_FTRACE && capture__mounts(&err)) {
		fprintf(stderr, "sigrec: --pstore: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	if (e->pstore && !(run->pstore = pstore__open(e->pstore, e->pstore_instance, e->pstore_mask,
						      &err))) {
		fprintf(stderr, "sigrec: --pstore: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	run->ring = ring__open_writer(e->ring, &e->ropts, &run->boot, &rerr);
	if (!run->ring) {
		fprintf(stderr, "sigrec: %s\n", rerr.msg);
		return EXIT_RING;
	}
	if (!existed && place__set_group(e->ring, &e->popts, &err)) {
		fprintf(stderr, "sigrec: %s\n", err.msg);
		return EXIT_RING;
	}
	return EXIT_OK;
}

/* Load and attach (or take over a pinned capture); say what was refused. */
static int setup_capture(struct env *e, struct run *run, struct capture **cap)
{
	static struct last_rec last;
	static char pin_dir[256];
	struct sigrec_err err = { "" };

	if (capture__mounts(&err)) {
		fprintf(stderr, "sigrec: %s\n", err.msg);
		return EXIT_RUNTIME;	/* a mount that fails is not a BPF refusal */
	}
	if (!e->no_pin) {
		char legacy[256];

		pin_dir_for(e->ring, pin_dir, sizeof(pin_dir));
		/* a set pinned by a version that named it by path only: move it
		 * here, so this start takes it over instead of orphaning it */
		legacy_pin_dir_for(e->ring, legacy, sizeof(legacy));
		if (access(pin_dir, F_OK) && !access(legacy, F_OK) && rename(legacy, pin_dir))
			fprintf(stderr, "sigrec: warning: cannot move the older pinned capture %s: %s\n",
				legacy, strerror(errno));
		e->copts.pin_dir = pin_dir;
		find_last(e->ring, &last);
		e->copts.last_rec = last.buf;
		e->copts.last_len = last.len;
	}
	*cap = capture__open(&e->copts, session__on_record, run, &err);
	if (!*cap) {
		fprintf(stderr, "sigrec: %s\n", err.msg);
		return EXIT_BPF;
	}
	if (e->copts.probes && capture__hooks(*cap) == SIGREC_HOOKS_NONE)
		fprintf(stderr, "sigrec: --probes: no syscall hooks in this session (--hooks "
			"tracepoint adds them): kill(pid, 0) probes are not recorded\n");
	malloc_trim(0);		/* give back what loading BTF and the programs used */
	return EXIT_OK;
}

/* What needs every privilege (start record, first snapshot, outputs), then the drop. */
static int start_session(const struct env *e, struct run *run, const struct capture *cap)
{
	struct sigaction sa = { .sa_handler = session__on_stop };
	struct privs_opts popts = { { NULL } };
	static char mdir[4096];
	struct sigrec_err err = { "" };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	session__write_start(run, e, cap, 0);
	session__snapshot(run);		/* with every capability: exe paths of all processes */
	if (e->journal && !(run->journal = journal__new(e->pstore_mask))) {
		fprintf(stderr, "sigrec: out of memory\n");
		return EXIT_RUNTIME;
	}
	if (e->metrics_file && session__setup_metrics(e, run, cap, mdir, sizeof(mdir)))
		return EXIT_RUNTIME;
	/* the pins are removed at a clean stop; metrics are renamed into place */
	popts.writable[0] = e->no_pin ? NULL : "/sys/fs/bpf/sigrec";
	popts.writable[e->no_pin ? 0 : 1] = e->metrics_file ? mdir : NULL;
	if (privs__drop(&popts, &err)) {
		fprintf(stderr, "sigrec: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	if (run->pstore)
		fprintf(stderr, "sigrec: --pstore: fatal signals also go to %s\n",
			pstore__path(run->pstore));
	fprintf(stderr, "sigrec: recording to %s (syscall hooks: %s%s%s%s)\n", e->ring,
		capture__hooks(cap) == SIGREC_HOOKS_FENTRY ? "fentry" :
		capture__hooks(cap) == SIGREC_HOOKS_TRACEPOINT ? "tracepoint" : "off",
		capture__reused(cap) ? "; took over the capture a previous sigrec left running" : "",
		e->copts.pin_dir ? "; capture pinned in " : "", e->copts.pin_dir ? e->copts.pin_dir : "");
	return EXIT_OK;
}

static void report(const struct env *e, const struct run *run)
{
	struct rusage ru;

	if (run->pstore && pstore__suppressed(run->pstore))
		fprintf(stderr, "sigrec: --pstore: %llu lines suppressed by the rate limit\n",
			(unsigned long long)pstore__suppressed(run->pstore));
	if (!e->stats)
		return;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "sigrec: records=%llu lost=%llu errors=%llu maxrss_kb=%ld "
		"utime_us=%ld stime_us=%ld\n",
		(unsigned long long)run->records, (unsigned long long)run->lost,
		(unsigned long long)run->errors, ru.ru_maxrss,
		ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
		ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
	struct run run = { 0 };
	struct capture *cap = NULL;
	struct env e;
	int rc, stopped = 0;

	env__defaults(&e);
	if (env__parse(argc, argv, &e))
		return EXIT_USAGE;
	if (e.check)
		return check__run(&e.copts);
	if (e.unpin)
		return unpin_only(&e);
	rc = setup_ring(&e, &run);
	rc = rc ?: setup_capture(&e, &run, &cap);
	rc = rc ?: start_session(&e, &run, cap);
	if (!rc) {
		rc = session__record(&e, &run, cap);
		stopped = rc != EXIT_RING_GONE;
	}
	/*
	 * A clean stop detaches; only a crash leaves the pinned capture running,
	 * and so does a ring that shrank under the mapping: nothing more may
	 * store into it (msync and munmap in ring__close do not).
	 */
	capture__close(cap, rc != EXIT_RING_GONE);
	if (rc == EXIT_RING_GONE)
		rc = EXIT_RING;
	if (run.ring && stopped && ring__seal(run.ring))
		fprintf(stderr, "sigrec: warning: sealing the last chunk failed\n");
	if (run.ring)
		ring__close(run.ring);
	if (stopped) {
		session__write_metrics(&e, &run, 0);
		report(&e, &run);
	}
	metrics__free(run.metrics);
	journal__free(run.journal);
	model__free(run.procs);
	rec_stacks__free(run.stacks);
	pstore__close(run.pstore);
	return rc;
}
