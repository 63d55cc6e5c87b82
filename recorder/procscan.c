// SPDX-License-Identifier: MIT
/* procscan.c - /proc walker for process snapshots (SIGREC_T_PROC records). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "procscan.h"
#include "util.h"

#define CGROUP2_MAGIC 0x63677270

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* /proc/PID/stat: ppid (field 4) and starttime (22), after the ")" of comm. */
static int read_stat(int pid, __u32 *ppid, __u64 *start_ns)
{
	static long hz;
	unsigned long long start;
	char path[64], buf[1024], *p;
	unsigned int pp;
	ssize_t n;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n ? (int)n : -ENOENT;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &pp, &start) != 2)
		return -EBADMSG;
	*ppid = pp;
	*start_ns = start * (1000000000ULL / hz);
	return 0;
}

static void read_status(int pid, struct sigrec_task *t)
{
	char path[64], buf[4096], *line;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	line = strstr(buf, "\nUid:");
	if (line)
		t->uid = strtoul(line + 5, NULL, 10);
	line = strstr(buf, "\nNSpid:");
	if (line) {
		char *end = strchr(line + 1, '\n'), *last = line + 7, *q;

		for (q = line + 7; q && (!end || q < end); q = strchr(q, '\t')) {
			q++;
			last = q;
			if (!*q)
				break;
		}
		t->ns_pid = strtoul(last, NULL, 10);
	}
}

/* Where the cgroup2 hierarchy is mounted: /sys/fs/cgroup, or its
 * "unified" subdirectory on hybrid v1/v2 systems. */
static const char *cgroup2_root(void)
{
	struct statfs st;

	if (!statfs("/sys/fs/cgroup", &st) && st.f_type == CGROUP2_MAGIC)
		return "/sys/fs/cgroup";
	return "/sys/fs/cgroup/unified";
}

/*
 * The cgroup path: the cgroup2 one, unless that is the root on a hybrid
 * system; there the name=systemd hierarchy's path (it names units), else
 * the v1 memory controller's (it names containers), each with its
 * hierarchy as a prefix; and on a hybrid, a v1 path that names a container
 * where the chosen one names none.  Up to SIGREC_CGROUP_LEN - 1 bytes are
 * kept (a longer path keeps its end).  The id is the cgroup2 directory's
 * inode, which is what BPF records.
 */
static int named_container(const char *path)
{
	struct cgroup_info ci;

	return cgroup_parse(path, SIZE_MAX, &ci);
}

static void read_cgroup(int pid, struct sigrec_proc *p)
{
	char path[64], buf[2048], cg[sizeof(buf) + 64], *line, *save = NULL;
	char big[sizeof(buf)] = "", full[SIGREC_CGROUP_LEN];
	size_t len;
	const char *v2 = NULL, *mem = NULL, *sd = NULL;
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "0::", 3))
			v2 = line + 3;
		else if (strstr(line, ":memory:"))
			mem = strstr(line, ":memory:") + 8;
		else if (strstr(line, ":name=systemd:"))
			sd = strstr(line, ":name=systemd:") + 14;
	}
	if (v2) {
		snprintf(cg, sizeof(cg), "%s%s", cgroup2_root(), v2);
		if (!stat(cg, &st))
			p->task.cgroup_id = st.st_ino;
	}
	if (sd && !strcmp(sd, "/"))
		sd = NULL;
	if (mem && !strcmp(mem, "/"))
		mem = NULL;
	if (v2 && (strcmp(v2, "/") || (!mem && !sd)))
		snprintf(big, sizeof(big), "%s", v2);
	else if (sd)
		snprintf(big, sizeof(big), "name=systemd:%s", sd);
	else if (mem)
		snprintf(big, sizeof(big), "memory:%s", mem);
	/* a hybrid's runtime with the cgroupfs driver names the container in
	 * the v1 hierarchies only: that path, when the chosen one names none */
	if (!named_container(big) && (sd || mem)) {
		char alt[sizeof(big)];

		snprintf(alt, sizeof(alt), "%s%s", sd ? "name=systemd:" : "memory:", sd ? sd : mem);
		if (!named_container(alt) && sd && mem)
			snprintf(alt, sizeof(alt), "memory:%s", mem);
		if (named_container(alt))
			memcpy(big, alt, sizeof(big));
	}
	len = strlen(big);
	if (len < sizeof(full)) {
		memcpy(full, big, len + 1);
	} else {
		/* too long: the hierarchy, then "/..." and the end of the path,
		 * which names the pod and the container */
		const char *colon = strchr(big, ':'), *slash = strchr(big, '/');
		size_t pre = colon && (!slash || colon < slash) ? (size_t)(colon - big) + 1 : 0;

		snprintf(full, sizeof(full), "%.*s/...%s", (int)pre, big,
			 big + len - (sizeof(full) - 1 - pre - 4));
	}
	cgroup_split(full, p->cgroup, p->cgroup_more, SIGREC_PATH_LEN);
}

int procscan__read(int pid, struct sigrec_proc *p)
{
	char path[64], buf[SIGREC_PATH_LEN + 8];
	ssize_t n;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = read_stat(pid, &p->ppid, &p->task.start_ns);
	if (rc)
		return rc;
	p->h.type = SIGREC_T_PROC;
	p->h.size = sizeof(*p);
	p->task.pid = pid;
	p->task.tid = pid;
	p->task.ns_pid = pid;
	read_status(pid, &p->task);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = read_file(path, buf, SIGREC_COMM_LEN);
	if (n > 0) {
		if (buf[n - 1] == '\n')
			n--;
		memcpy(p->task.comm, buf, n < SIGREC_COMM_LEN ? n : SIGREC_COMM_LEN - 1);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_file(path, p->argv, SIGREC_ARGV_LEN);
	p->argv_len = n > 0 ? n : 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, p->exe, SIGREC_PATH_LEN - 1);
	if (n < 0)
		p->exe[0] = 0;
	read_cgroup(pid, p);
	if (p->ppid) {
		__u32 pp;

		read_stat(p->ppid, &pp, &p->pstart_ns);
	}
	return 0;
}

int procscan__snapshot(procscan_fn fn, void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct sigrec_proc p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (procscan__read(atoi(de->d_name), &p))
			continue;
		p.h.ts = clock_ns(CLOCK_BOOTTIME);
		fn(ctx, &p, sizeof(p));
		count++;
	}
	closedir(d);
	return count;
}
