// SPDX-License-Identifier: MIT
/*
 * bpfsee - loads bpfsee.bpf.o, prints "ready", and on SIGTERM prints one
 * "TID COUNT" line per task that was running when the kernel handed a
 * signal_generate event to the program.
 *
 *   bpfsee OBJECT
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	struct bpf_link *l;
	__u32 k, next, *prev = NULL;
	__u64 v;
	int fd;

	if (argc != 2)
		return 2;
	o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o))
		return 1;
	p = bpf_object__find_program_by_name(o, "see_signal");
	l = p ? bpf_program__attach(p) : NULL;
	if (!l)
		return 1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_link__destroy(l);
	fd = bpf_object__find_map_fd_by_name(o, "seen");
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (!bpf_map_lookup_elem(fd, &k, &v))
			printf("%u %llu\n", k, (unsigned long long)v);
	}
	bpf_object__close(o);
	return 0;
}
