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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534

static volatile sig_atomic_t got;	/* signals the handler saw */

static void on_usr(int sig)
{
	(void)sig;
	got++;
}

static void die(const char *what)
{
	fprintf(stderr, "sigsend: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Fork a child that runs fn(ready_fd, arg); back once it wrote to ready_fd. */
static pid_t spawn(void (*fn)(int ready_fd, const void *arg), const void *arg)
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
		close(p[0]);
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("target did not start");
	close(p[0]);
	return pid;
}

struct target {
	int sig, ignore;
	uid_t uid;
	pid_t pgid;
};

static void target_main(int fd, const void *arg)
{
	const struct target *t = arg;
	struct sigaction sa = { .sa_handler = t->ignore ? SIG_IGN : on_usr };

	sigaction(t->sig, &sa, NULL);
	if (t->pgid >= 0 && setpgid(0, t->pgid))
		_exit(3);
	if (t->uid && (setgid(t->uid) || setuid(t->uid)))
		_exit(3);
	if (write(fd, "r", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* A child that handles (or ignores) sig, says ready, and waits to be killed. */
static pid_t spawn_target(int sig, int ignore, uid_t uid, pid_t pgid)
{
	struct target t = { sig, ignore, uid, pgid };

	return spawn(target_main, &t);
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

/*
 * sigsend dispo SCENARIO: targets that do each thing a process can do with
 * a signal (tests/e2e/test_delivery.sh); the facts line adds the target's
 * wait status.
 *   handle     SIGUSR1 to a handler; the target goes on, exits 0
 *   ignore     SIGTERM to a target that ignores it; it exits 0
 *   blocked    SIGUSR2 blocked for 1 s, then unblocked: it dies of it
 *   segv       a NULL dereference, SIGSEGV by default, core limit 0
 *   stop       SIGSTOP, SIGCONT, then SIGKILL
 *   pending    SIGUSR2 to a target that blocks it, then SIGKILL
 *   queue N    N SIGRTMIN+1 queued while blocked, then taken by a handler
 *              in one burst
 */
static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

struct dispo {
	void (*setup)(void);
	void (*fn)(int ready_fd);
};

static void dispo_main(int fd, const void *arg)
{
	const struct dispo *d = arg;

	d->setup();
	d->fn(fd);
}

/* A target that runs fn once it is set up; fn says ready. */
static pid_t spawn_dispo(void (*setup)(void), void (*fn)(int ready_fd))
{
	struct dispo d = { setup, fn };

	return spawn(dispo_main, &d);
}

static void ready(int fd)
{
	if (write(fd, "r", 1) != 1)
		_exit(3);
	close(fd);
}

static void handle_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr };

	sigaction(SIGUSR1, &sa, NULL);
}

/* wait for the signal(s), then go on running a while */
static void run_on(int fd)
{
	ready(fd);
	while (!got)
		pause();
	msleep(100);
}

static void ignore_term(void)
{
	signal(SIGTERM, SIG_IGN);
}

static void sleep_then_exit(int fd)
{
	ready(fd);
	msleep(300);
}

static void block_usr2(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock_later(int fd)
{
	sigset_t s;

	ready(fd);
	msleep(1000);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &s, NULL);	/* SIGUSR2's default: terminate */
	_exit(0);
}

static void no_core(void)
{
	struct rlimit r = { 0, 0 };

	setrlimit(RLIMIT_CORE, &r);
}

static void fault(int fd)
{
	ready(fd);
	msleep(100);
	*(volatile int *)(long)(getpid() & 0) = 1;
}

static void nothing(void)
{
}

static void wait_forever(int fd)
{
	ready(fd);
	for (;;)
		pause();
}

static int queue_n = 1000;

static void block_rt(void)
{
	struct sigaction sa = { .sa_handler = on_usr };
	sigset_t s;

	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* take them all in one burst once the sender says it is done (SIGUSR1) */
static void burst(int fd)
{
	sigset_t s, old;

	handle_usr1();
	ready(fd);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	while (!got)
		sigsuspend(&old);
	got = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	_exit(got == queue_n ? 0 : 1);
}

/* The target's wait status, in the facts line. */
static void dispo_facts(const char *name, pid_t target, int sig)
{
	char st[32];
	int status;

	if (waitpid(target, &status, 0) != target)
		die("waitpid");
	snprintf(st, sizeof(st), "\"status\":%d", status);
	facts(name, getpid(), target, sig, st);
}

static int do_dispo(int argc, char **argv)
{
	const char *s = argc >= 1 ? argv[0] : "";
	pid_t t;
	int st;

	if (!strcmp(s, "handle")) {
		t = spawn_dispo(handle_usr1, run_on);
		kill(t, SIGUSR1);
		dispo_facts(s, t, SIGUSR1);
	} else if (!strcmp(s, "ignore")) {
		t = spawn_dispo(ignore_term, sleep_then_exit);
		kill(t, SIGTERM);
		dispo_facts(s, t, SIGTERM);
	} else if (!strcmp(s, "blocked")) {
		t = spawn_dispo(block_usr2, unblock_later);
		kill(t, SIGUSR2);
		dispo_facts(s, t, SIGUSR2);
	} else if (!strcmp(s, "segv")) {
		t = spawn_dispo(no_core, fault);
		dispo_facts(s, t, SIGSEGV);
	} else if (!strcmp(s, "stop")) {
		t = spawn_dispo(nothing, wait_forever);
		kill(t, SIGSTOP);
		if (waitpid(t, &st, WUNTRACED) != t || !WIFSTOPPED(st))
			die("not stopped");
		msleep(100);
		kill(t, SIGCONT);
		if (waitpid(t, &st, WCONTINUED) != t || !WIFCONTINUED(st))
			die("not continued");
		msleep(100);
		kill(t, SIGKILL);
		dispo_facts(s, t, SIGSTOP);
	} else if (!strcmp(s, "pending")) {
		t = spawn_dispo(block_usr2, wait_forever);
		kill(t, SIGUSR2);
		msleep(100);
		kill(t, SIGKILL);
		dispo_facts(s, t, SIGUSR2);
	} else if (!strcmp(s, "queue") && argc == 2) {
		union sigval v = { 0 };

		queue_n = atoi(argv[1]);
		t = spawn_dispo(block_rt, burst);
		for (int i = 0; i < queue_n; i++)
			if (sigqueue(t, SIGRTMIN + 1, v))
				die("sigqueue");
		kill(t, SIGUSR1);
		dispo_facts(s, t, SIGRTMIN + 1);
	} else {
		fprintf(stderr, "usage: sigsend dispo handle|ignore|blocked|segv|stop|pending|queue N\n");
		return 2;
	}
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A target whose identity changes on command, for test_run_identity.sh: it
 * blocks SIGUSR1 (so every kill() of a storm finds it already pending, one
 * identical signal after another) and, for each byte on stdin, h: takes a
 * handler, i: ignores the signal, n: renames itself, u: becomes uid 65534;
 * it answers "ok X" on stdout once done.
 */
static int do_runtarget(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set;
	char c;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("ready %d\n", (int)getpid());
	while (read(0, &c, 1) == 1) {
		if (c == 'h' && sigaction(SIGUSR1, &sa, NULL))
			die("sigaction");
		if (c == 'i' && signal(SIGUSR1, SIG_IGN) == SIG_ERR)
			die("signal");
		if (c == 'n' && prctl(PR_SET_NAME, "runtarget2"))
			die("prctl");
		if (c == 'u' && setresuid(65534, 65534, 65534))
			die("setresuid");
		if (c != '\n')
			printf("ok %c\n", c);
	}
	return 0;
}

static const char *const scenarios[] = {
	"kill", "tkill", "tgkill", "sigqueue", "rt_tgsigqueueinfo", "pidfd_send_signal",
	"kill_pgrp", "kill_all", "eperm", "esrch", "segv", "sigpipe", "sigchld", "ignored",
};

int main(int argc, char **argv)
{
	const char *s = argc == 2 ? argv[1] : "";
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "dispo"))	/* not listed: test_delivery.sh */
		return do_dispo(argc - 2, argv + 2);

	if (!strcmp(s, "--list")) {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			puts(scenarios[i]);
		return 0;
	}
	if (!strcmp(s, "hog"))
		return do_hog();
	if (!strcmp(s, "runtarget"))	/* not listed: test_run_identity.sh */
		return do_runtarget();
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
