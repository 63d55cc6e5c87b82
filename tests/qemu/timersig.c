// SPDX-License-Identifier: GPL-2.0
/*
 * tests/qemu/timersig.c — timer signals raised while another task runs.
 *
 * Why this exists: a signal a timer raises comes from interrupt context
 * (or, on PREEMPT_RT, from the timer softirq thread); the task that
 * happened to be running on that CPU did not send it. This program makes
 * that situation on purpose so the kernel matrix (test_matrix.sh) can check
 * that sigrec never blames the bystander:
 *   - everything is pinned to one CPU;
 *   - a "bystander" child spins in user space, so it is the running task
 *     whenever the timer interrupt comes;
 *   - a "timertarget" child blocks in sigsuspend() with a POSIX timer
 *     (SIGEV_SIGNAL, SIGRTMIN+1, si_code SI_TIMER) and an ITIMER_REAL
 *     (SIGALRM, sent by the kernel with SEND_SIG_PRIV) firing every
 *     PERIOD_MS, until it has COUNT of each.
 * Prints one JSON line: {"scenario":"timer","target":T,"bystander":B,
 * "posix":N,"itimer":N,"cpu":C} and exits 0 (1 with "error":true if
 * something could not be set up).
 *
 * Usage: timersig [COUNT [PERIOD_MS]]   (default 20 signals of each, 10 ms)
 *
 * timersig --load PERIOD_US: until killed, a POSIX timer fires every
 * PERIOD_US at this process (handler does nothing): hrtimer expiries and
 * signals raised from them, at little CPU cost, for the restart check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t n_posix, n_itimer;

static void on_sig(int sig)
{
	if (sig == SIGALRM)
		n_itimer++;
	else
		n_posix++;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The target: both timers, then sigsuspend() until COUNT of each. */
static int run_target(int count, int period_ms, int fd)
{
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	struct itimerval itv;
	sigset_t block, wait_mask;
	timer_t tid;
	int rtsig = SIGRTMIN + 1;
	char buf[64];
	int len;

	prctl(PR_SET_NAME, "timertarget");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || sigaction(rtsig, &sa, NULL))
		return 1;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, rtsig);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGALRM);
	sigdelset(&wait_mask, rtsig);

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = rtsig;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tid))
		return 1;
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = period_ms * 1000000L;
	its.it_interval = its.it_value;
	itv.it_value.tv_sec = 0;
	itv.it_value.tv_usec = period_ms * 1000L + 500;	/* not in step with the other */
	itv.it_interval = itv.it_value;
	if (timer_settime(tid, 0, &its, NULL) || setitimer(ITIMER_REAL, &itv, NULL))
		return 1;
	while (n_posix < count || n_itimer < count)
		sigsuspend(&wait_mask);
	timer_delete(tid);
	memset(&itv, 0, sizeof(itv));
	setitimer(ITIMER_REAL, &itv, NULL);
	len = snprintf(buf, sizeof(buf), "%d %d\n", (int)n_posix, (int)n_itimer);
	return write(fd, buf, len) == len ? 0 : 1;
}

static int run_load(long period_us)
{
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	timer_t tid;

	prctl(PR_SET_NAME, "timerload");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN + 2, &sa, NULL))
		return 1;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 2;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tid))
		return 1;
	its.it_value.tv_sec = period_us / 1000000;
	its.it_value.tv_nsec = (period_us % 1000000) * 1000L;
	its.it_interval = its.it_value;
	if (timer_settime(tid, 0, &its, NULL))
		return 1;
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 20;
	int period_ms = argc > 2 ? atoi(argv[2]) : 10;
	int cpu, pfd[2], st = 0, np = 0, ni = 0;
	pid_t by, tg;
	char buf[64];
	ssize_t r;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "--load")) {
		long us = argc > 2 ? atol(argv[2]) : 0;

		if (us < 1) {
			fprintf(stderr, "usage: timersig --load PERIOD_US\n");
			return 2;
		}
		return run_load(us);
	}
	if (count < 1 || period_ms < 1 || period_ms > 999) {
		fprintf(stderr, "usage: timersig [COUNT [PERIOD_MS]]\n");
		return 2;
	}
	cpu = sched_getcpu();
	if (cpu < 0 || pin_cpu(cpu))
		cpu = -1;
	if (pipe(pfd))
		return 1;
	by = fork();
	if (by < 0)
		return 1;
	if (by == 0) {
		volatile unsigned long spin = 0;

		prctl(PR_SET_NAME, "bystander");
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			spin++;
	}
	tg = fork();
	if (tg < 0) {
		kill(by, SIGKILL);
		return 1;
	}
	if (tg == 0) {
		close(pfd[0]);
		_exit(run_target(count, period_ms, pfd[1]));
	}
	close(pfd[1]);
	r = read(pfd[0], buf, sizeof(buf) - 1);
	waitpid(tg, &st, 0);
	kill(by, SIGKILL);
	waitpid(by, NULL, 0);
	if (r > 0) {
		buf[r] = 0;
		if (sscanf(buf, "%d %d", &np, &ni) != 2)
			np = ni = 0;
	}
	f = stdout;
	fprintf(f, "{\"scenario\":\"timer\",\"target\":%d,\"bystander\":%d,\"posix\":%d,"
		"\"itimer\":%d,\"rtsig\":%d,\"cpu\":%d%s}\n", (int)tg, (int)by, np, ni,
		SIGRTMIN + 1, cpu,
		WIFEXITED(st) && WEXITSTATUS(st) == 0 && np && ni ? "" : ",\"error\":true");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
