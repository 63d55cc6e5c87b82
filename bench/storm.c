// SPDX-License-Identifier: MIT
/*
 * storm - load generators for the benchmark (bench/bench.sh).
 *
 *   storm kill N      N kill(SIGUSR1) calls to a child that blocks SIGUSR1
 *   storm getppid N   N getppid() calls (an unrelated syscall)
 *   storm fork N      N fork + exec(/bin/true) + wait
 *   storm mix N       N kill() calls round-robin over 8 blocked children and
 *                     7 signals, so no two consecutive signals are alike
 *                     (nothing to coalesce)
 *
 * Prints one line: "op=kill n=N ns_per_op=X rate=Y target=PID" (mix:
 * targets=PID,PID,...).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The mix's signals: all blocked by the targets, so they stay pending. */
static const int mix_sigs[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGALRM, SIGWINCH, SIGURG, SIGPROF };
#define MIX_SIGS	(sizeof(mix_sigs) / sizeof(mix_sigs[0]))
#define MIX_TARGETS	8

static pid_t blocked_target(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		exit(2);
	pid = fork();
	if (pid == 0) {
		sigset_t set;

		sigemptyset(&set);
		for (size_t i = 0; i < MIX_SIGS; i++)
			sigaddset(&set, mix_sigs[i]);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	if (read(p[0], &c, 1) != 1)
		exit(2);
	close(p[0]);
	close(p[1]);
	return pid;
}

int main(int argc, char **argv)
{
	unsigned long n;
	pid_t target = 0;
	double t0, t1;
	char *end;

	if (argc != 3 || (n = strtoul(argv[2], &end, 10)) == 0 || *end) {
		fprintf(stderr, "usage: storm kill|mix|getppid|fork N\n");
		return 2;
	}
	if (!strcmp(argv[1], "kill")) {
		target = blocked_target();
		t0 = now_s();
		for (unsigned long i = 0; i < n; i++)
			if (kill(target, SIGUSR1)) {
				perror("kill");
				return 1;
			}
		t1 = now_s();
		kill(target, SIGKILL);
		waitpid(target, NULL, 0);
	} else if (!strcmp(argv[1], "mix")) {
		pid_t t[MIX_TARGETS];

		for (int i = 0; i < MIX_TARGETS; i++)
			t[i] = blocked_target();
		t0 = now_s();
		for (unsigned long i = 0; i < n; i++)
			if (kill(t[i % MIX_TARGETS], mix_sigs[i % MIX_SIGS])) {
				perror("kill");
				return 1;
			}
		t1 = now_s();
		printf("op=mix n=%lu ns_per_op=%.1f rate=%.0f targets=", n, (t1 - t0) * 1e9 / n,
		       n / (t1 - t0));
		for (int i = 0; i < MIX_TARGETS; i++) {
			printf("%d%s", (int)t[i], i + 1 < MIX_TARGETS ? "," : "\n");
			kill(t[i], SIGKILL);
			waitpid(t[i], NULL, 0);
		}
		return 0;
	} else if (!strcmp(argv[1], "getppid")) {
		t0 = now_s();
		for (unsigned long i = 0; i < n; i++)
			syscall(SYS_getppid);
		t1 = now_s();
	} else if (!strcmp(argv[1], "fork")) {
		t0 = now_s();
		for (unsigned long i = 0; i < n; i++) {
			pid_t c = fork();

			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(c, NULL, 0);
		}
		t1 = now_s();
	} else {
		fprintf(stderr, "storm: unknown load '%s'\n", argv[1]);
		return 2;
	}
	printf("op=%s n=%lu ns_per_op=%.1f rate=%.0f target=%d\n", argv[1], n,
	       (t1 - t0) * 1e9 / n, n / (t1 - t0), (int)target);
	return 0;
}
