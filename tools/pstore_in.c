// SPDX-License-Identifier: MIT
/* pstore_in.c - --pstore: the lines pstore kept, merged with the ring. */
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

static int on_pstore(const struct pstore_event *e, void *ctx)
{
	struct dump *d = ctx;
	struct pstore_event *n;

	if (e->suppressed ? e->wall_ns < d->q.since || e->wall_ns > d->q.until
			  : !dump_want(&d->q, &e->s, e->wall_ns))
		return 0;
	if (d->nps == d->cps) {
		size_t cap = d->cps ? d->cps * 2 : 256;

		if (cap > 1000000)
			return 1;	/* bounded: a stranger's files cannot exhaust memory */
		n = realloc(d->ps, cap * sizeof(*n));
		if (!n)
			return 1;
		d->ps = n;
		d->cps = cap;
	}
	d->ps[d->nps++] = *e;
	return 0;
}

/* by time, then so that copies of one line are neighbours, the first by source */
static int by_wall(const void *a, const void *b)
{
	const struct pstore_event *x = a, *y = b;

	if (x->wall_ns != y->wall_ns)
		return x->wall_ns < y->wall_ns ? -1 : 1;
	if (x->s.sig != y->s.sig)
		return x->s.sig < y->s.sig ? -1 : 1;
	if (x->s.target.pid != y->s.target.pid)
		return x->s.target.pid < y->s.target.pid ? -1 : 1;
	return strcmp(x->source, y->source);
}

/*
 * Each directory of the colon-separated list: a missing one is skipped
 * when the list has others (systemd-pstore may have emptied /sys/fs/pstore
 * into /var/lib/systemd/pstore, or never run), but one must be there.
 */
static int read_pstore_dirs(struct dump *d)
{
	char list[4096], *save = NULL;
	struct sigrec_err err = { "" };
	int found = 0, many = !!strchr(d->pstore_dir, ':'), rc;

	snprintf(list, sizeof(list), "%s", d->pstore_dir);
	for (char *dir = strtok_r(list, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		rc = pstore__read_dir(dir, on_pstore, d, &err);
		if (rc == -ENOENT && many)
			continue;
		if (rc < 0) {
			fprintf(stderr, "sigdump: --pstore: %s\n", err.msg);
			return -1;
		}
		found++;
	}
	if (!found)
		fprintf(stderr, "sigdump: --pstore: none of %s exists\n", d->pstore_dir);
	return found ? 0 : -1;
}

int dump_read_pstore(struct dump *d)
{
	size_t w = 0;

	if (read_pstore_dirs(d))
		return -1;
	qsort(d->ps, d->nps, sizeof(*d->ps), by_wall);
	/* the same line often sits in both the dmesg and the console record,
	 * and in /sys/fs/pstore and systemd-pstore's copy */
	for (size_t i = 0; i < d->nps; i++)
		if (!w || d->ps[i].wall_ns != d->ps[w - 1].wall_ns || d->ps[i].s.sig != d->ps[w - 1].s.sig ||
		    d->ps[i].s.target.pid != d->ps[w - 1].s.target.pid)
			d->ps[w++] = d->ps[i];
	d->nps = w;
	return 0;
}

int dump_run_pstore_only(struct dump *d)
{
	if (dump_perfetto_begin(d))
		return EXIT_RUNTIME;
	dump_flush_pstore(d, INT64_MAX, NULL);
	if (dump_perfetto_end(d))
		return EXIT_RUNTIME;
	if (d->stats)
		printf("{\"type\":\"stats\",\"source\":\"pstore\",\"signals\":%llu,\"failed\":%llu,"
		       "\"lost\":%llu}\n", (unsigned long long)d->st.signals_shown,
		       (unsigned long long)d->st.failed, (unsigned long long)d->lost);
	fflush(stdout);
	return ferror(stdout) ? EXIT_RUNTIME : EXIT_OK;
}
