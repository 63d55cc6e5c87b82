// SPDX-License-Identifier: MIT
/*
 * stacksend - signals from known code paths, for tests/e2e/test_stacks.sh.
 * Built with frame pointers and without optimisation, so the sender's
 * stack names these functions.
 *   stacksend kill SIG        send_the_kill() -> kill() to a child, once
 *   stacksend storm SIG N     the same N times
 *   stacksend segv            crash_here() stores through NULL: SIGSEGV
 * Prints {"sender":PID,"target":PID,"crash":ADDR} on stdout.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* kill() has no frame of its own: its caller's return address is skipped
 * by a frame-pointer walk, so send_the_kill calls it through this one */
__attribute__((noinline)) static int do_kill(pid_t pid, int sig)
{
	return kill(pid, sig);
}

__attribute__((noinline)) int send_the_kill(pid_t pid, int sig)
{
	return do_kill(pid, sig);
}

__attribute__((noinline)) void crash_here(volatile int *p)
{
	*p = 42;
}

static pid_t blocked_child(void)
{
	sigset_t all;
	pid_t c;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	return c;
}

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	pid_t c;
	long n = 1;
	int sig;

	if (argc >= 2 && !strcmp(argv[1], "segv")) {
		setrlimit(RLIMIT_CORE, &no_core);
		printf("{\"sender\":%d,\"target\":%d}\n", getpid(), getpid());
		fflush(stdout);
		crash_here(NULL);
		return 1;
	}
	if (argc < 3 || (strcmp(argv[1], "kill") && strcmp(argv[1], "storm"))) {
		fprintf(stderr, "usage: stacksend kill SIG | storm SIG N | segv\n");
		return 2;
	}
	sig = atoi(argv[2]);
	if (!strcmp(argv[1], "storm") && argc > 3)
		n = atol(argv[3]);
	c = blocked_child();
	if (c < 0)
		return 1;
	usleep(20000);
	for (long i = 0; i < n; i++)
		if (send_the_kill(c, sig))
			return 1;
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	printf("{\"sender\":%d,\"target\":%d}\n", getpid(), c);
	return 0;
}
