// SPDX-License-Identifier: MIT
/*
 * sigsend - sends signals in one named way and prints, as one JSON line,
 * the facts a test needs to find and check the recorded event: sender and
 * target pids, the signal, the expected code/result/syscall return.
 *
 *   sigsend SCENARIO       (sigsend --list shows them)
 *
 * Targets are children that report ready through a pipe before the signal
 * is sent, so the signal always finds them in a known state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

static void on_usr(int sig)
{
	(void)sig;
}

static void die(const char *what)
{
	fprintf(stderr, "sigsend: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* A child that handles (or ignores) sig, says ready, and waits to be killed. */
static pid_t spawn_target(int sig, int ignore, uid_t uid, pid_t pgid)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = ignore ? SIG_IGN : on_usr };

		close(p[0]);
		sigaction(sig, &sa, NULL);
		if (pgid >= 0 && setpgid(0, pgid))
			_exit(3);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(3);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("target did not start");
	close(p[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void facts(const char *name, pid_t sender, pid_t target, int sig, const char *extra)
{
	printf("{\"scenario\":\"%s\",\"sender\":%d,\"target\":%d,\"sig\":%d%s%s}\n", name,
	       (int)sender, (int)target, sig, extra ? "," : "", extra ? extra : "");
	fflush(stdout);
}

static int do_simple(const char *name)
{
	pid_t t = spawn_target(SIGUSR1, 0, 0, -1);
	siginfo_t si = { 0 };
	union sigval v = { .sival_int = 42 };
	int rc = 0, pidfd;
	char extra[64];

	if (!strcmp(name, "kill")) {
		rc = kill(t, SIGUSR1);
	} else if (!strcmp(name, "tkill")) {
		rc = syscall(SYS_tkill, t, SIGUSR1);
	} else if (!strcmp(name, "tgkill")) {
		rc = syscall(SYS_tgkill, t, t, SIGUSR1);
	} else if (!strcmp(name, "sigqueue")) {
		rc = sigqueue(t, SIGUSR1, v);
	} else if (!strcmp(name, "rt_tgsigqueueinfo")) {
		si.si_signo = SIGUSR1;
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		rc = syscall(SYS_rt_tgsigqueueinfo, t, t, SIGUSR1, &si);
	} else if (!strcmp(name, "pidfd_send_signal")) {
		pidfd = syscall(SYS_pidfd_open, t, 0);
		if (pidfd < 0)
			die("pidfd_open");
		rc = syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0);
		snprintf(extra, sizeof(extra), "\"pidfd\":%d", pidfd);
		usleep(20000);
		reap(t);
		facts(name, getpid(), t, SIGUSR1, extra);
		return rc ? 1 : 0;
	} else {
		return -1;
	}
	if (rc)
		die(name);
	usleep(20000);	/* let the handler run before the target is reaped */
	reap(t);
	facts(name, getpid(), t, SIGUSR1, NULL);
	return 0;
}

/* kill(-pgid): two targets in their own process group. */
static int do_pgrp(void)
{
	pid_t a = spawn_target(SIGUSR1, 0, 0, 0);
	pid_t b = spawn_target(SIGUSR1, 0, 0, a);
	char extra[64];

	if (kill(-a, SIGUSR1))
		die("kill(-pgid)");
	usleep(20000);
	reap(a);
	reap(b);
	snprintf(extra, sizeof(extra), "\"pgid\":%d,\"target2\":%d", (int)a, (int)b);
	facts("kill_pgrp", getpid(), a, SIGUSR1, extra);
	return 0;
}

/* kill(-1) from an unprivileged user reaches only that user's processes. */
static int do_kill_all(void)
{
	int p[2];
	pid_t sender;
	char buf[128];
	ssize_t n;

	if (pipe(p))
		die("pipe");
	sender = fork();
	if (sender == 0) {
		pid_t a, b;

		close(p[0]);
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		a = spawn_target(SIGUSR2, 0, 0, -1);
		b = spawn_target(SIGUSR2, 0, 0, -1);
		if (kill(-1, SIGUSR2))
			_exit(4);
		usleep(20000);
		n = snprintf(buf, sizeof(buf), "%d %d", (int)a, (int)b);
		if (write(p[1], buf, n) != n)
			_exit(5);
		reap(a);
		reap(b);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	waitpid(sender, NULL, 0);
	if (n <= 0)
		die("kill(-1) sender failed");
	buf[n] = 0;
	{
		int a, b;
		char extra[64];

		if (sscanf(buf, "%d %d", &a, &b) != 2)
			die("kill(-1) sender output");
		snprintf(extra, sizeof(extra), "\"target2\":%d,\"uid\":%d", b, NOBODY);
		facts("kill_all", sender, a, SIGUSR2, extra);
	}
	return 0;
}

/* EPERM: an unprivileged sender to root's process. */
static int do_eperm(void)
{
	pid_t t = spawn_target(SIGUSR1, 0, 0, -1), s;
	int st;

	s = fork();
	if (s == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		_exit(kill(t, SIGTERM) == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(s, &st, 0);
	reap(t);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("expected EPERM");
	facts("eperm", s, t, SIGTERM, "\"ret\":-1");
	return 0;
}

/* ESRCH: a pid that just died. */
static int do_esrch(void)
{
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	if (kill(dead, SIGTERM) == 0 || errno != ESRCH)
		die("expected ESRCH");
	facts("esrch", getpid(), dead, SIGTERM, "\"ret\":-3");
	return 0;
}

static pid_t run_child(void (*fn)(void))
{
	pid_t c = fork();

	if (c == 0) {
		fn();
		_exit(0);
	}
	return c;
}

static void segv_fn(void)
{
	volatile int *p = NULL;

	signal(SIGSEGV, SIG_DFL);
	*p = 1;
}

static void pipe_fn(void)
{
	int p[2];

	if (pipe(p))
		_exit(3);
	close(p[0]);
	signal(SIGPIPE, SIG_DFL);
	if (write(p[1], "x", 1) < 0)
		_exit(4);
}

static void exit7_fn(void)
{
	_exit(7);
}

static int do_kernel(const char *name)
{
	int st;
	pid_t c;

	if (!strcmp(name, "segv")) {
		c = run_child(segv_fn);
		waitpid(c, &st, 0);
		facts(name, c, c, SIGSEGV, NULL);
	} else if (!strcmp(name, "sigpipe")) {
		c = run_child(pipe_fn);
		waitpid(c, &st, 0);
		facts(name, c, c, SIGPIPE, NULL);
	} else if (!strcmp(name, "sigchld")) {
		c = run_child(exit7_fn);
		waitpid(c, &st, 0);
		facts(name, c, getpid(), SIGCHLD, NULL);
	} else {
		return -1;
	}
	return 0;
}

static int do_ignored(void)
{
	pid_t t = spawn_target(SIGUSR2, 1, 0, -1);

	if (kill(t, SIGUSR2))
		die("kill");
	usleep(10000);
	reap(t);
	facts("ignored", getpid(), t, SIGUSR2, NULL);
	return 0;
}

static void *thread_main(void *arg)
{
	int fd = *(int *)arg;
	pid_t tid = gettid();

	if (write(fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

/*
 * late_thread: print the target's pid, wait for "go" on stdin (the test
 * starts the recorder meanwhile), then have the target start a thread and
 * signal that thread, plus a second process the filter must leave out.
 */
static int do_late_thread(void)
{
	int go[2], back[2];
	pid_t t, other, tid;
	char line[16], c;
	char extra[64];

	if (pipe(go) || pipe(back))
		die("pipe");
	t = fork();
	if (t == 0) {
		struct sigaction sa = { .sa_handler = on_usr };
		pthread_t th;

		sigaction(SIGUSR2, &sa, NULL);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		if (pthread_create(&th, NULL, thread_main, &back[1]))
			_exit(3);
		for (;;)
			pause();
	}
	other = spawn_target(SIGUSR2, 0, 0, -1);
	printf("%d\n", (int)t);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		die("no go");
	if (write(go[1], "g", 1) != 1 || read(back[0], &tid, sizeof(tid)) != sizeof(tid))
		die("thread");
	if (syscall(SYS_tgkill, t, tid, SIGUSR2) || kill(other, SIGUSR2))
		die("send");
	usleep(20000);
	reap(t);
	reap(other);
	snprintf(extra, sizeof(extra), "\"tid\":%d,\"other\":%d", (int)tid, (int)other);
	facts("late_thread", getpid(), t, SIGUSR2, extra);
	return 0;
}

/* hog: touch memory until the OOM killer (of a limited cgroup) ends us. */
static int do_hog(void)
{
	for (size_t total = 0; total < (8UL << 30); total += 1 << 20) {
		char *p = malloc(1 << 20);

		if (!p)
			return 1;
		memset(p, 0x5a, 1 << 20);
	}
	return 1;
}

static const char *const scenarios[] = {
	"kill", "tkill", "tgkill", "sigqueue", "rt_tgsigqueueinfo", "pidfd_send_signal",
	"kill_pgrp", "kill_all", "eperm", "esrch", "segv", "sigpipe", "sigchld", "ignored",
};

int main(int argc, char **argv)
{
	const char *s = argc == 2 ? argv[1] : "";
	int rc;

	if (!strcmp(s, "--list")) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			puts(scenarios[i]);
		return 0;
	}
	if (!strcmp(s, "hog"))
		return do_hog();
	if (!strcmp(s, "late_thread"))
		return do_late_thread();
	if (!strcmp(s, "kill_pgrp"))
		return do_pgrp();
	if (!strcmp(s, "kill_all"))
		return do_kill_all();
	if (!strcmp(s, "eperm"))
		return do_eperm();
	if (!strcmp(s, "esrch"))
		return do_esrch();
	if (!strcmp(s, "ignored"))
		return do_ignored();
	rc = do_kernel(s);
	if (rc >= 0)
		return rc;
	rc = do_simple(s);
	if (rc >= 0)
		return rc;
	fprintf(stderr, "usage: sigsend SCENARIO (sigsend --list)\n");
	return 2;
}
