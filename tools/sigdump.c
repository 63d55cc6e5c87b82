// SPDX-License-Identifier: MIT
/*
 * sigdump.c - read a sigrec ring: the table of contents.  main() parses the
 * options (options.c) and opens the input; run() reads the ring in two
 * passes: the process model of the window (--why: of the processes its
 * story names, found by needs.c; --stats: none), then the events through
 * the queue (events.c) to the output (output.c), or --why (why.c), --stats
 * (stats.c), --export (select.c, export.c), --perfetto (perfetto.c),
 * --follow (follow.c); query.c says which events a query selects,
 * pstore_in.c merges what pstore kept, pager.c pages a terminal; output.c
 * prints events, strings.c escapes what they hold.
 */
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

/* --perfetto: ts 0 is the window's first record (or pstore line) */
int dump_perfetto_begin(struct dump *d)
{
	struct perfetto_opts o = { .origin_ns = d->st.records ? d->st.oldest : INT64_MAX,
				   .since_ns = d->q.since, .until_ns = d->q.until };
	struct sigrec_err err = { "" };

	if (!d->perfetto_path)
		return 0;
	if (o.origin_ns < d->q.since)
		o.origin_ns = d->q.since;
	if (d->nps && d->ps[0].wall_ns < o.origin_ns)
		o.origin_ns = d->ps[0].wall_ns;
	if (o.origin_ns == INT64_MAX)
		o.origin_ns = 0;
	d->pf = perfetto__open(d->perfetto_path, &o, &err);
	if (!d->pf)
		fprintf(stderr, "sigdump: --perfetto: %s\n", err.msg);
	return d->pf ? 0 : -1;
}

int dump_perfetto_end(struct dump *d)
{
	struct sigrec_err err = { "" };

	if (!d->pf)
		return 0;
	if (perfetto__close(d->pf, &err)) {
		d->pf = NULL;
		fprintf(stderr, "sigdump: --perfetto: %s\n", err.msg);
		return -1;
	}
	d->pf = NULL;
	if (strcmp(d->perfetto_path, "-"))
		fprintf(stderr, "sigdump: wrote %s: %llu events\n", d->perfetto_path,
			(unsigned long long)d->shown);
	return 0;
}

/*
 * --stats (which takes no --export, --perfetto or --follow) counts what the
 * window holds; only its filters by cgroup, container, pod or cause (an
 * OOM kill) ask the process model anything.
 */
static int needs_no_model(const struct dump *d)
{
	return d->stats && !d->q.cgroup && !d->q.container[0] && !d->q.pod[0] && !d->q.causes;
}

static int run(struct dump *d, struct ring_reader *rr)
{
	const struct ring_chunk *chunks;
	struct cursor cu = { .d = d };
	unsigned int bad = 0;
	pid_t pager = 0;
	size_t n;
	int rc;

	rc = ring_reader__chunks(rr, &chunks, &n, &bad);
	if (rc) {
		fprintf(stderr, "sigdump: cannot scan the ring: %s\n", strerror(-rc));
		return EXIT_INPUT;
	}
	if (d->q.boot && dump_resolve_boot(d, chunks, n))
		return EXIT_RUNTIME;
	d->q.m = d->model;
	for (size_t i = 0; i < n; i++) {
		if (!dump_chunk_in_window(&chunks[i], &d->q))
			continue;
		d->st.chunks++;
		d->st.sealed += chunks[i].state == RING_CHUNK_SEALED;
		d->st.stored += chunks[i].state == RING_CHUNK_SEALED ? chunks[i].stored_len
								      : chunks[i].raw_len;
		d->st.raw += chunks[i].raw_len;
	}
	/* pass 1: the process model of the window (--why: of its story only;
	 * --stats: none, unless a filter needs one); pass 2: the events */
	if (d->why_arg) {
		if (dump_why_model(d, rr, chunks, n)) {
			fprintf(stderr, "sigdump: out of memory\n");
			return EXIT_RUNTIME;
		}
		cu.feed = dump_why_story(d, &cu.types);
	} else if (needs_no_model(d)) {
		cu.count = 1;
	} else {
		for (size_t i = 0; i < n; i++)
			if (dump_chunk_in_window(&chunks[i], &d->q))
				ring_reader__decode(rr, &chunks[i], dump_on_model, d);
	}
	if (d->export_path) {
		rc = dump_do_export(d, rr, chunks, n);
		dump_print_warnings(rr, d->model);
		return rc;
	}
	if (d->why_arg) {
		d->why = calloc(1, sizeof(*d->why));
		if (!d->why) {
			fprintf(stderr, "sigdump: out of memory\n");
			return EXIT_RUNTIME;
		}
		if (why__select(d->why, d->model, d->why_arg)) {
			fprintf(stderr, "sigdump: no process '%s' in the recording%s\n", d->why_arg,
				d->q.since > INT64_MIN ? " window" : "");
			dump_print_warnings(rr, cu.feed ? cu.feed : d->model);
			free(d->why);
			d->why = NULL;
			return EXIT_RUNTIME;
		}
	}
	if (dump_perfetto_begin(d))
		return EXIT_RUNTIME;
	if (!d->pf && d->o.format == OUT_TEXT && isatty(STDOUT_FILENO)) {
		d->o.color = !getenv("NO_COLOR");
		if (!d->follow && !d->no_pager && !d->stats)
			pager = dump_start_pager();
		/* on a terminal the timeline starts by saying what the recording lacks */
		if (!d->why && !d->stats)
			dump_print_lacks(stdout, d->st.lacks, "# ");
	}
	dump_advance(d, rr, chunks, n, &cu);
	dump_flush_pstore(d, INT64_MAX, NULL);
	dump_why_finish(d);
	cu.feed = NULL;
	cu.types = NULL;
	if (dump_perfetto_end(d))
		return EXIT_RUNTIME;
	if (d->why) {
		if (d->o.format == OUT_TEXT)
			dump_print_lacks(stdout, d->st.lacks, "Note:     ");
		d->why->no_deliver = !!(d->st.lacks & SIGREC_START_NO_DELIVER);
		why__print(stdout, d->why, d->model, &d->o);
		free(d->why);
	}
	if (d->stats)
		dump_print_stats(d, ring_reader__info(rr));
	fflush(stdout);
	dump_print_warnings(rr, d->model);
	if (d->follow)
		rc = dump_follow(d, rr, &cu);
	if (ferror(stdout)) {
		fprintf(stderr, "sigdump: writing output: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (pager) {
		fclose(stdout);
		waitpid(pager, NULL, 0);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct dump *d = calloc(1, sizeof(*d));
	const char *path = DEFAULT_RING;
	struct sigrec_err err = { "" };
	struct ring_reader *rr = NULL;
	int rc;

	if (!d) {
		fprintf(stderr, "sigdump: out of memory\n");
		return EXIT_RUNTIME;
	}
	d->q.since = INT64_MIN;
	d->q.until = INT64_MAX;
	d->sym = symbolizer__new();
	d->stacks = stack_store__new();
	stack_out__init(d->sym);
	if (dump_parse_args(argc, argv, d, &path)) {
		rc = EXIT_USAGE;
		goto out;
	}
	d->model = model__new();
	if (!d->model) {
		fprintf(stderr, "sigdump: out of memory\n");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (d->pstore_dir) {
		if (dump_read_pstore(d)) {
			rc = EXIT_INPUT;
			goto out;
		}
		if (!d->path_given) {
			rc = dump_run_pstore_only(d);
			goto out;
		}
		/* the ring's own model, from nothing */
		model__free(d->model);
		d->model = model__new();
		if (!d->model) {
			fprintf(stderr, "sigdump: out of memory\n");
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	rr = ring_reader__open_any(path, &err);
	if (!rr) {
		fprintf(stderr, "sigdump: %s: %s\n", path, err.msg);
		rc = EXIT_INPUT;
		goto out;
	}
	rc = run(d, rr);
out:
	ring_reader__close(rr);
	model__free(d->model);
	dump_needs_free(d);
	free(d->ps);
	symbolizer__free(d->sym);
	stack_store__free(d->stacks);
	free(d);
	return rc;
}
