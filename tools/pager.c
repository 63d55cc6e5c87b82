// SPDX-License-Identifier: MIT
/* pager.c - the pager, for people at a terminal. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump.h"

/*
 * Whether sigdump runs with privileges its user's environment must not
 * steer: as root, set-id, or under sudo (sudo -E keeps the invoking user's
 * PAGER).  Then the pager is less itself, run without a shell and with
 * LESSSECURE=1, so that "!cmd", the editor, log files and LESSOPEN are off.
 */
static int privileged(void)
{
	return !geteuid() || getuid() != geteuid() || getgid() != getegid() || getenv("SUDO_UID");
}

/* The pager child: stdin is the timeline.  Never returns. */
static void run_pager(const char *pager, int secure)
{
	char buf[8192];
	ssize_t n;

	setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
	if (!secure) {
		execlp("sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	setenv("LESSSECURE", "1", 1);
	unsetenv("LESSOPEN");
	unsetenv("LESSCLOSE");
	execlp("less", "less", (char *)NULL);
	/* no less: the timeline still reaches the terminal, unpaged */
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			break;
	_exit(0);
}

pid_t dump_start_pager(void)
{
	int secure = privileged();
	const char *pager = secure ? "less" : getenv("PAGER");
	int p[2];
	pid_t pid;

	if (!pager || !*pager)
		pager = "less";
	if (!strcmp(pager, "cat") || pipe(p))
		return 0;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		run_pager(pager, secure);
	}
	dup2(p[1], STDOUT_FILENO);
	close(p[0]);
	close(p[1]);
	return pid;
}
