// SPDX-License-Identifier: MIT
/*
 * floor - attach bench/floor.bpf.c (a counter on tp_btf/signal_generate)
 * until stdin closes or SIGTERM arrives, then print how many signals it saw.
 *
 *   floor            prints "ready" once attached, "hits=N" at the end
 *   floor --fexit    also counts kill()'s returns (fexit), "rets=N" at the end
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

static unsigned long long sum(struct bpf_map *m, int ncpu)
{
	unsigned long long total = 0;
	__u32 k = 0;

	if (ncpu > 0) {
		__u64 v[ncpu];

		if (!bpf_map_lookup_elem(bpf_map__fd(m), &k, v))
			for (int i = 0; i < ncpu; i++)
				total += v[i];
	}
	return total;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct floor_bpf *skel;
	unsigned long long hits, rets;
	int ncpu = libbpf_num_possible_cpus(), fexit = 0;
	char c;

	if (argc == 2 && !strcmp(argv[1], "--fexit")) {
		fexit = 1;
	} else if (argc != 1) {
		fprintf(stderr, "usage: floor [--fexit]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	skel = floor_bpf__open();
	if (skel)
		bpf_program__set_autoload(skel->progs.count_return, fexit);
	if (!skel || floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: cannot load or attach: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop && read(0, &c, 1) > 0)
		;
	hits = sum(skel->maps.hits, ncpu);
	rets = sum(skel->maps.rets, ncpu);
	floor_bpf__destroy(skel);
	printf("hits=%llu\n", hits);
	if (fexit)
		printf("rets=%llu\n", rets);
	return 0;
}
