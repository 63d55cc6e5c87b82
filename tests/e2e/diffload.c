// SPDX-License-Identifier: MIT
/*
 * diffload - signal loads for the differential test (test_differential.sh)
 * that sigsend and storm do not make: timer signals raised from interrupt
 * context, queue overflows, and failed kill-family calls of every kind.
 *
 *   diffload timers MS [US]
 *                          for MS milliseconds: a process with ITIMER_REAL
 *                          every US microseconds (default 100; SIGALRM from
 *                          the hrtimer interrupt, SI_KERNEL) and a POSIX
 *                          timer every 2.5 US (SIGRTMIN+1, SI_TIMER), both
 *                          handled; a busy process blocking SIGALRM and
 *                          SIGPROF with ITIMER_REAL every US / 2 and
 *                          ITIMER_PROF every 1 ms (already pending, raised
 *                          while it runs)
 *   diffload overflow      a target in a user namespace whose pending
 *                          signal limit is 8: sigqueue and tgkill beyond it
 *                          fail with EAGAIN (overflow), kill() of an RT
 *                          signal then loses its info
 *   diffload failures N    N of each failed call: kill EPERM (as nobody),
 *                          kill ESRCH, tkill EINVAL, rt_sigqueueinfo EPERM
 *                          (positive si_code), tgkill ESRCH (tid not in
 *                          tgid), pidfd_send_signal EBADF
 *   diffload threads N     N tgkill() to each of 4 threads, then a
 *                          process-directed kill
 *
 * Prints one JSON line with the pids involved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534

static volatile sig_atomic_t got;

static void on_sig(int sig)
{
	(void)sig;
	got++;
}

static void die(const char *what)
{
	fprintf(stderr, "diffload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void itimer(int which, long usec)
{
	struct itimerval it = { { 0, usec }, { 0, usec } };

	if (setitimer(which, &it, NULL))
		die("setitimer");
}

/* Ready pipe: the child writes one byte when set up. */
static void wait_ready(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("child did not start");
	close(fd);
}

static long period_us = 100;

static pid_t timer_handled(double ms)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sig };
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
					.sigev_signo = SIGRTMIN + 1 };
		long ns = period_us * 2500;
		struct itimerspec its = { { ns / 1000000000, ns % 1000000000 },
					  { ns / 1000000000, ns % 1000000000 } };
		timer_t t;
		double end = now_ms() + ms;

		sigaction(SIGALRM, &sa, NULL);
		sigaction(SIGRTMIN + 1, &sa, NULL);
		if (timer_create(CLOCK_MONOTONIC, &sev, &t) || timer_settime(t, 0, &its, NULL))
			_exit(3);
		itimer(ITIMER_REAL, period_us);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		while (now_ms() < end)
			pause();
		/* stop both before exiting: no signal after the last one */
		itimer(ITIMER_REAL, 0);
		memset(&its, 0, sizeof(its));
		timer_settime(t, 0, &its, NULL);
		_exit(0);
	}
	close(p[1]);
	wait_ready(p[0]);
	return pid;
}

static pid_t timer_busy(double ms)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sigset_t set;
		double end = now_ms() + ms;

		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		sigaddset(&set, SIGPROF);
		sigprocmask(SIG_BLOCK, &set, NULL);
		itimer(ITIMER_REAL, period_us / 2 ? period_us / 2 : 1);
		itimer(ITIMER_PROF, 1000);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		while (now_ms() < end)
			;
		itimer(ITIMER_REAL, 0);
		itimer(ITIMER_PROF, 0);
		_exit(0);
	}
	close(p[1]);
	wait_ready(p[0]);
	return pid;
}

static int do_timers(double ms)
{
	pid_t a = timer_handled(ms), b = timer_busy(ms);

	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	printf("{\"load\":\"timers\",\"handled\":%d,\"busy\":%d}\n", (int)a, (int)b);
	return 0;
}

/* A target in its own user namespace, pending signal limit 8, RT blocked. */
static int do_overflow(void)
{
	int p[2];
	pid_t t;
	int qfail = 0, tfail = 0, lose = 0;

	if (pipe(p))
		die("pipe");
	t = fork();
	if (t < 0)
		die("fork");
	if (t == 0) {
		struct rlimit rl = { 8, 8 };
		sigset_t set;

		sigemptyset(&set);
		for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
			sigaddset(&set, s);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (setrlimit(RLIMIT_SIGPENDING, &rl) || unshare(CLONE_NEWUSER))
			_exit(3);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	{
		char c;

		if (read(p[0], &c, 1) != 1) {
			waitpid(t, NULL, 0);
			fprintf(stderr, "diffload: no user namespace here\n");
			return 4;
		}
	}
	for (int i = 0; i < 12; i++) {
		union sigval v = { .sival_int = i };

		if (sigqueue(t, SIGRTMIN + 3, v) && errno == EAGAIN)
			qfail++;
	}
	for (int i = 0; i < 3; i++)
		if (syscall(SYS_tgkill, t, t, SIGRTMIN + 5) && errno == EAGAIN)
			tfail++;
	for (int i = 0; i < 3; i++)
		if (!kill(t, SIGRTMIN + 4))
			lose++;
	kill(t, SIGKILL);
	waitpid(t, NULL, 0);
	printf("{\"load\":\"overflow\",\"target\":%d,\"sigqueue_eagain\":%d,"
	       "\"tgkill_eagain\":%d,\"kill_ok\":%d}\n", (int)t, qfail, tfail, lose);
	return qfail > 0 && tfail > 0 && lose == 3 ? 0 : 1;
}

static int do_failures(int n)
{
	pid_t dead, nob;
	int st;

	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	nob = fork();
	if (nob == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		for (int i = 0; i < n; i++)
			if (kill(getppid(), SIGTERM) == 0 || errno != EPERM)
				_exit(4);
		_exit(0);
	}
	waitpid(nob, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("expected EPERM");
	for (int i = 0; i < n; i++) {
		siginfo_t si = { .si_signo = SIGUSR1, .si_code = SI_KERNEL };

		if (kill(dead, SIGTERM) == 0 || errno != ESRCH)
			die("expected ESRCH");
		if (syscall(SYS_tkill, gettid(), 99) == 0 || errno != EINVAL)
			die("expected EINVAL");
		if (syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &si) == 0 || errno != EPERM)
			die("expected EPERM from rt_sigqueueinfo");
		if (syscall(SYS_tgkill, getpid(), getppid(), SIGUSR2) == 0 || errno != ESRCH)
			die("expected ESRCH from tgkill");
		if (syscall(SYS_pidfd_send_signal, -1, SIGUSR1, NULL, 0) == 0 || errno != EBADF)
			die("expected EBADF");
	}
	printf("{\"load\":\"failures\",\"n\":%d,\"nobody\":%d,\"dead\":%d,\"sender\":%d}\n", n,
	       (int)nob, (int)dead, (int)getpid());
	return 0;
}

static int ready_fd;

static void *thread_main(void *arg)
{
	pid_t tid = gettid();

	(void)arg;
	if (write(ready_fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

static int do_threads(int n)
{
	int p[2];
	pid_t t, tids[4];

	if (pipe(p))
		die("pipe");
	t = fork();
	if (t == 0) {
		struct sigaction sa = { .sa_handler = on_sig };
		pthread_t th;

		sigaction(SIGUSR1, &sa, NULL);
		ready_fd = p[1];
		for (int i = 0; i < 4; i++)
			if (pthread_create(&th, NULL, thread_main, NULL))
				_exit(3);
		for (;;)
			pause();
	}
	for (int i = 0; i < 4; i++)
		if (read(p[0], &tids[i], sizeof(tids[i])) != sizeof(tids[i]))
			die("threads");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			if (syscall(SYS_tgkill, t, tids[k], SIGUSR1))
				die("tgkill");
	kill(t, SIGUSR1);
	usleep(10000);
	kill(t, SIGKILL);
	waitpid(t, NULL, 0);
	printf("{\"load\":\"threads\",\"target\":%d,\"tids\":[%d,%d,%d,%d]}\n", (int)t,
	       (int)tids[0], (int)tids[1], (int)tids[2], (int)tids[3]);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "timers")) {
		if (argc == 4 && (period_us = atol(argv[3])) <= 0)
			period_us = 100;
		return do_timers(atof(argv[2]));
	}
	if (argc == 2 && !strcmp(argv[1], "overflow"))
		return do_overflow();
	if (argc == 3 && !strcmp(argv[1], "failures"))
		return do_failures(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "threads"))
		return do_threads(atoi(argv[2]));
	fprintf(stderr, "usage: diffload timers MS [US] | overflow | failures N | threads N\n");
	return 2;
}
