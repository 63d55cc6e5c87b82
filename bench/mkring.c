// SPDX-License-Identifier: MIT
/*
 * mkring - writes a synthetic full ring for the reader benchmark:
 *
 *   mkring PATH SIZE RECENT WINDOW_S
 *
 * Fills PATH (SIZE bytes) until it has wrapped, with exec/fork/exit and
 * signal records dated an hour and more ago, then RECENT signal records in
 * the last WINDOW_S seconds, so `sigdump --last` has exactly RECENT events.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ring.h"
#include "sigrec.h"
#include "util.h"

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void fill_sig(struct sigrec_signal *s, uint64_t ts, uint32_t i)
{
	memset(s, 0, sizeof(*s));
	s->h.type = SIGREC_T_SIGNAL;
	s->h.size = sizeof(*s);
	s->h.ts = ts;
	s->sig = i % 3 ? 15 : 9;
	s->cause = SIGREC_C_SYSCALL;
	s->syscall = SIGREC_SC_KILL;
	s->sender.pid = s->sender.tid = 1000 + i % 50;
	s->target.pid = s->target.tid = 5000 + i % 997;
	s->arg0 = s->target.pid;
	snprintf(s->sender.comm, sizeof(s->sender.comm), "sender%u", i % 50);
	snprintf(s->target.comm, sizeof(s->target.comm), "worker%u", i % 997);
}

static void fill_exec(struct sigrec_exec *e, uint64_t ts, uint32_t i)
{
	memset(e, 0, sizeof(*e));
	e->h.type = SIGREC_T_EXEC;
	e->h.size = sizeof(*e);
	e->h.ts = ts;
	e->task.pid = e->task.tid = 10000 + i;
	e->task.start_ns = ts - 1000;
	snprintf(e->task.comm, sizeof(e->task.comm), "job%u", i % 1000);
	snprintf(e->filename, sizeof(e->filename), "/usr/bin/job%u", i % 1000);
	e->argv_len = snprintf(e->argv, sizeof(e->argv), "job%u --id %u --seed %08x", i % 1000, i,
			       i * 2654435761U) + 1;
}

int main(int argc, char **argv)
{
	struct ring_opts o = { .mode = 0644, .size_given = 1 };
	struct sigrec_err err;
	struct ring_boot boot;
	struct ring *r;
	uint64_t recent, window, now, t, i = 0;
	struct sigrec_signal s;
	struct sigrec_exec e;

	if (argc != 5 || parse_size(argv[2], &o.size) || parse_u64(argv[3], 1, 1ULL << 32, &recent) ||
	    parse_u64(argv[4], 1, 86400, &window)) {
		fprintf(stderr, "usage: mkring PATH SIZE RECENT WINDOW_S\n");
		return 2;
	}
	read_boot(&boot);
	r = ring__open_writer(argv[1], &o, &boot, &err);
	if (!r) {
		fprintf(stderr, "mkring: %s\n", err.msg);
		return 1;
	}
	now = boot_ns();
	/* old traffic from 1 s after boot, 1 us apart: it must end before the
	 * window, so the machine needs to have been up a little longer */
	if (now < (2 * window + 60) * 1000000000ULL) {
		fprintf(stderr, "mkring: up for less than %llus; need more uptime\n",
			(unsigned long long)(2 * window + 60));
		return 1;
	}
	t = 1000000000ULL;
	for (uint64_t start = ring__seq(r), need = o.size / (o.size / 64 < (4 << 20) ?
	     (o.size / 64 ? o.size / 64 : 1) : (4 << 20)) + 2; ring__seq(r) < start + need;
	     i++, t += 1000) {
		if (i % 4) {
			fill_exec(&e, t, i);
			ring__append(r, &e, sizeof(e));
		} else {
			fill_sig(&s, t, i);
			ring__append(r, &s, sizeof(s));
		}
	}
	for (uint64_t k = 0; k < recent; k++) {
		fill_sig(&s, now - window * 1000000000ULL + 1000000 + k * (window * 1000000000ULL - 2000000) / recent, k);
		ring__append(r, &s, sizeof(s));
	}
	ring__close(r);
	printf("mkring: %s: %llu old records, %llu in the last %llus\n", argv[1],
	       (unsigned long long)i, (unsigned long long)recent, (unsigned long long)window);
	return 0;
}
