// SPDX-License-Identifier: MIT
/*
 * timersend - arms one kind of timer in this process, waits for its signal
 * and prints, as one JSON line, the facts a test needs to find and check
 * the recorded event: the process (the timer's owner), the thread the
 * signal was for, the signal, the timer id and clock.
 *
 *   timersend SCENARIO       (timersend --list shows them)
 *
 * The signal is blocked and taken with sigtimedwait, so every scenario
 * ends the same way whatever the signal's default action (SIGXCPU dumps
 * core).  A scenario that cannot be set up here (no alarm-capable RTC)
 * prints "skip" with the reason.  Exit 0 when the signal came.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *const scenarios[] = {
	"alarm", "itimer_real", "posix", "posix_thread", "posix_alarm", "posix_cpu",
	"rlimit_cpu", "itimer_prof", "itimer_virtual",
};

static void die(const char *what)
{
	fprintf(stderr, "timersend: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		die("sigprocmask");
}

/* Take sig within secs; spin on the CPU meanwhile when cpu is set (CPU-time timers). */
static int take(int sig, int secs, int cpu, siginfo_t *si)
{
	struct timespec zero = { 0, 0 }, end, now;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	if (!cpu) {
		struct timespec t = { secs, 0 };

		return sigtimedwait(&set, si, &t) == sig ? 0 : -1;
	}
	do {
		for (volatile unsigned long i = 0; i < 1000000; i++)
			;
		if (sigtimedwait(&set, si, &zero) == sig)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	return -1;
}

static void facts(const char *name, pid_t tid, int sig, int code, int id, const char *clock)
{
	char comm[17] = "";

	prctl(PR_GET_NAME, comm);
	printf("{\"scenario\":\"%s\",\"target\":%d,\"tid\":%d,\"comm\":\"%s\",\"sig\":%d,\"code\":%d",
	       name, (int)getpid(), (int)tid, comm, sig, code);
	if (id >= 0)
		printf(",\"id\":%d", id);
	if (clock)
		printf(",\"clock\":\"%s\"", clock);
	printf("}\n");
	fflush(stdout);
}

static int itimer(const char *name, int which, int sig, int cpu)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	siginfo_t si;

	block(sig);
	if (!strcmp(name, "alarm"))
		alarm(1);
	else if (setitimer(which, &it, NULL))
		die("setitimer");
	if (take(sig, 3, cpu, &si))
		die("no signal");
	facts(name, getpid(), sig, si.si_code, -1, NULL);
	return 0;
}

static int rlimit_cpu(void)
{
	struct rlimit rl = { 1, RLIM_INFINITY };
	siginfo_t si;

	block(SIGXCPU);
	if (setrlimit(RLIMIT_CPU, &rl))
		die("setrlimit");
	if (take(SIGXCPU, 6, 1, &si))
		die("no SIGXCPU");
	facts("rlimit_cpu", getpid(), SIGXCPU, si.si_code, -1, NULL);
	return 0;
}

/* A POSIX timer: SIGRTMIN+3 to this process, or to thread tid. */
static int posix_timer(const char *name, clockid_t clock, const char *cname, pid_t tid, int *id)
{
	struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
	struct sigevent sev;
	timer_t t;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = tid ? SIGEV_THREAD_ID : SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 3;
	sev._sigev_un._tid = tid;
	if (timer_create(clock, &sev, &t)) {
		if (clock == CLOCK_BOOTTIME_ALARM && (errno == ENOTSUP || errno == EINVAL || errno == EPERM)) {
			printf("{\"scenario\":\"%s\",\"skip\":\"timer_create(%s): %s\"}\n", name, cname,
			       strerror(errno));
			return 1;
		}
		die("timer_create");
	}
	*id = (int)(long)t;
	if (timer_settime(t, 0, &its, NULL))
		die("timer_settime");
	return 0;
}

struct waiter {
	pid_t tid;
	int ready, done;
	siginfo_t si;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	prctl(PR_SET_NAME, "timerwaiter");
	w->tid = syscall(SYS_gettid);
	__atomic_store_n(&w->ready, 1, __ATOMIC_RELEASE);
	w->done = take(SIGRTMIN + 3, 3, 0, &w->si) == 0;
	return NULL;
}

static int posix(const char *name)
{
	const char *cname = !strcmp(name, "posix_cpu") ? "CLOCK_PROCESS_CPUTIME_ID" :
			    !strcmp(name, "posix_alarm") ? "CLOCK_BOOTTIME_ALARM" : "CLOCK_MONOTONIC";
	clockid_t clock = !strcmp(name, "posix_cpu") ? CLOCK_PROCESS_CPUTIME_ID :
			  !strcmp(name, "posix_alarm") ? CLOCK_BOOTTIME_ALARM : CLOCK_MONOTONIC;
	siginfo_t si;
	int id;

	block(SIGRTMIN + 3);	/* before the thread: it inherits the mask */
	if (!strcmp(name, "posix_thread")) {
		struct waiter w = { 0 };
		pthread_t th;

		if (pthread_create(&th, NULL, wait_thread, &w))
			die("pthread_create");
		while (!__atomic_load_n(&w.ready, __ATOMIC_ACQUIRE))
			usleep(1000);
		if (posix_timer(name, clock, cname, w.tid, &id))
			return 0;
		pthread_join(th, NULL);
		if (!w.done)
			die("no signal in the thread");
		facts(name, w.tid, SIGRTMIN + 3, w.si.si_code, id, cname);
		return 0;
	}
	if (posix_timer(name, clock, cname, 0, &id))
		return 0;
	if (take(SIGRTMIN + 3, 3, clock == CLOCK_PROCESS_CPUTIME_ID, &si))
		die("no signal");
	facts(name, getpid(), SIGRTMIN + 3, si.si_code, id, cname);
	return 0;
}

int main(int argc, char **argv)
{
	const char *s = argc == 2 ? argv[1] : "";

	if (!strcmp(s, "--list")) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			puts(scenarios[i]);
		return 0;
	}
	prctl(PR_SET_NAME, "timersend");
	if (!strcmp(s, "alarm") || !strcmp(s, "itimer_real"))
		return itimer(s, ITIMER_REAL, SIGALRM, 0);
	if (!strcmp(s, "itimer_prof"))
		return itimer(s, ITIMER_PROF, SIGPROF, 1);
	if (!strcmp(s, "itimer_virtual"))
		return itimer(s, ITIMER_VIRTUAL, SIGVTALRM, 1);
	if (!strcmp(s, "rlimit_cpu"))
		return rlimit_cpu();
	if (!strncmp(s, "posix", 5)) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			if (!strcmp(s, scenarios[i]))
				return posix(s);
	}
	fprintf(stderr, "usage: timersend SCENARIO (timersend --list)\n");
	return 2;
}
