// SPDX-License-Identifier: MIT
/* privs.c - drop capabilities (libcap), confine writes (Landlock), refuse
 * privilege-gaining system calls (libseccomp) once set-up is done. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "privs.h"

static const cap_value_t keep[] = { CAP_BPF };
static char summary[128];

static int kept(cap_value_t c)
{
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (keep[i] == c)
			return 1;
	return 0;
}

static int have(cap_t cur, cap_value_t c, cap_flag_t set)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cur && !cap_get_flag(cur, c, set, &v) && v == CAP_SET;
}

static int drop_caps(struct sigrec_err *err)
{
	cap_t cur = cap_get_proc(), caps;
	cap_value_t mine[sizeof(keep) / sizeof(keep[0])];
	int rc = 0, n = 0;

	/* the bounding set first: dropping from it needs CAP_SETPCAP, which a
	 * recorder started with only some capabilities may not have */
	if (have(cur, CAP_SETPCAP, CAP_EFFECTIVE))
		for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
			if (!kept(c) && cap_get_bound(c) == 1 && cap_drop_bound(c)) {
				seterr(err, "cannot drop capability %d from the bounding set: %s",
					 c, strerror(errno));
				cap_free(cur);
				return -errno;
			}
	/* keep what is both wanted and held */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (have(cur, keep[i], CAP_PERMITTED))
			mine[n++] = keep[i];
	cap_free(cur);
	caps = cap_init();
	if (!caps)
		return -errno;
	if ((n && (cap_set_flag(caps, CAP_PERMITTED, n, mine, CAP_SET) ||
		   cap_set_flag(caps, CAP_EFFECTIVE, n, mine, CAP_SET))) || cap_set_proc(caps)) {
		rc = -errno;
		seterr(err, "cannot drop capabilities: %s", strerror(errno));
	}
	cap_free(caps);
	return rc;
}

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

/* Every file-system right this kernel's Landlock knows (ABI 1: bits 0-12). */
static uint64_t landlock_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return r;
}

static int allow(int ruleset, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = rights };
	int rc;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* nothing there to change */
	rc = syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) ? -errno : 0;
	close(pb.parent_fd);
	return rc;
}

/* Read anywhere, write only beneath o->writable, execute nothing.  Files
 * already open (the ring, pstore devices) are not affected. */
static int confine_fs(const struct privs_opts *o, struct sigrec_err *err)
{
	int abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr attr;
	uint64_t all, read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	int fd, rc;

	if (abi < 1)
		return 1;	/* no Landlock in this kernel */
	all = landlock_rights(abi);
	attr.handled_access_fs = all;
	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		seterr(err, "cannot create a Landlock ruleset: %s", strerror(errno));
		return -errno;
	}
	rc = allow(fd, "/", read);
	for (int i = 0; !rc && i < PRIVS_MAX_PATHS && o->writable[i]; i++)
		rc = allow(fd, o->writable[i], all & ~LANDLOCK_ACCESS_FS_EXECUTE);
	if (!rc && syscall(__NR_landlock_restrict_self, fd, 0))
		rc = -errno;
	if (rc)
		seterr(err, "cannot confine file access with Landlock: %s", strerror(-rc));
	close(fd);
	return rc;
}

/*
 * LeakSanitizer checks for leaks at exit from a helper that ptrace()s the
 * recorder's threads; the sanitizer build (make san, tests only) keeps ptrace
 * so that check can run.  Release builds refuse it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SIGREC_REFUSED_PTRACE
#else
#define SIGREC_REFUSED_PTRACE SCMP_SYS(ptrace),
#endif

/* Calls a compromised recorder could use to gain or use privileges. */
static const int refused_calls[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SIGREC_REFUSED_PTRACE SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev), SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(setfsuid),
	SCMP_SYS(setfsgid), SCMP_SYS(setgroups), SCMP_SYS(capset), SCMP_SYS(mount),
	SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(unshare),
	SCMP_SYS(setns), SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(reboot), SCMP_SYS(swapon),
	SCMP_SYS(swapoff), SCMP_SYS(acct), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(perf_event_open), SCMP_SYS(personality),
	SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at), SCMP_SYS(userfaultfd),
	SCMP_SYS(fsopen), SCMP_SYS(fsmount), SCMP_SYS(move_mount), SCMP_SYS(open_tree),
	SCMP_SYS(iopl), SCMP_SYS(ioperm), SCMP_SYS(chown), SCMP_SYS(fchown), SCMP_SYS(lchown),
	SCMP_SYS(fchownat), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
};

static int filter_calls(struct sigrec_err *err)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int rc = f ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < sizeof(refused_calls) / sizeof(refused_calls[0]); i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), refused_calls[i], 0);
	if (!rc)
		rc = seccomp_load(f);
	if (rc)
		seterr(err, "cannot install the seccomp filter: %s", strerror(-rc));
	seccomp_release(f);
	return rc;
}

int privs__drop(const struct privs_opts *o, struct sigrec_err *err)
{
	int rc = drop_caps(err), ll;

	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		seterr(err, "cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	ll = confine_fs(o, err);
	if (ll < 0)
		return ll;
	rc = filter_calls(err);
	if (rc)
		return rc;
	snprintf(summary, sizeof(summary), "capabilities: CAP_BPF only; %s; seccomp filter",
		 ll ? "no Landlock in this kernel" : "Landlock: writes only to its own paths");
	return 0;
}

const char *privs__summary(void)
{
	return summary;
}
