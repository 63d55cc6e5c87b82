// SPDX-License-Identifier: MIT
/*
 * floor - attach bench/floor.bpf.c (a counter on tp_btf/signal_generate)
 * until stdin closes or SIGTERM arrives, then print how many signals it saw.
 *
 *   floor            prints "ready" once attached, "hits=N" at the end
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct floor_bpf *skel;
	unsigned long long total = 0;
	int ncpu = libbpf_num_possible_cpus();
	__u32 k = 0;
	char c;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	skel = floor_bpf__open_and_load();
	if (!skel || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: cannot load or attach: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop && read(0, &c, 1) > 0)
		;
	if (ncpu > 0) {
		__u64 v[ncpu];

		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.hits), &k, v))
			for (int i = 0; i < ncpu; i++)
				total += v[i];
	}
	floor_bpf__destroy(skel);
	printf("hits=%llu\n", total);
	return 0;
}
