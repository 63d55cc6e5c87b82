// SPDX-License-Identifier: MIT
/* follow.c - --follow: new records of a live ring as they come. */
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

static int on_cursor(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct cursor *cu = ctx;

	if (cu->seen++ < cu->skip)
		return 0;
	if (cu->feed)
		model__feed(cu->feed, rec, len);
	if (cu->count)
		dump_count(cu->d, rec, len, c);
	return dump_on_output(rec, len, c, cu->d);
}

/* Decode chunks at or after the cursor; returns chunks handled. */
void dump_advance(struct dump *d, struct ring_reader *rr, const struct ring_chunk *ch, size_t n,
		    struct cursor *cu)
{
	for (size_t i = 0; i < n; i++) {
		if (ch[i].seq < cu->seq || !dump_chunk_in_window(&ch[i], &d->q))
			continue;
		cu->skip = ch[i].seq == cu->seq ? cu->done : 0;
		cu->seen = 0;
		ring_reader__decode_types(rr, &ch[i], cu->types ? cu->types[i] : cu->feed ?
					  RING_ALL_TYPES : OUTPUT_TYPES |
					  (cu->count ? RING_TYPE(SIGREC_T_START) : 0), on_cursor, cu);
		cu->seq = ch[i].seq;
		cu->done = cu->seen;
	}
	dump_flush_all(d);
	fflush(stdout);
}

static volatile sig_atomic_t stop_follow;

static void on_int(int sig)
{
	(void)sig;
	stop_follow = 1;
}

int dump_follow(struct dump *d, struct ring_reader *rr, struct cursor *cu)
{
	struct sigaction sa = { .sa_handler = on_int };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cu->feed = d->model;
	while (!stop_follow) {
		const struct ring_chunk *ch;
		size_t n;

		usleep(250000);
		if (ring_reader__chunks(rr, &ch, &n, NULL))
			continue;
		dump_advance(d, rr, ch, n, cu);
		if (ferror(stdout))
			return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
