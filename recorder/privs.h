/* SPDX-License-Identifier: MIT */
/*
 * privs.h - once the BPF programs are loaded and attached, the recorder
 * keeps only what it still uses: CAP_BPF (the bpf() calls on its own maps
 * and flush program, refused without it on kernels that restrict bpf()).
 * Everything else, the bounding set included, is dropped; no_new_privs is
 * set; Landlock leaves it read access to the file system and write access
 * only beneath the paths given; a seccomp filter refuses the system calls
 * that would let a compromised recorder gain or use privileges (exec,
 * ptrace, set*id, capset, mount, namespaces, modules).  See docs/SECURITY.md.
 */
#ifndef SIGREC_PRIVS_H
#define SIGREC_PRIVS_H

#include "err.h"
#include <stddef.h>

#define PRIVS_MAX_PATHS	4

struct privs_opts {
	const char *writable[PRIVS_MAX_PATHS];	/* directories it may still change; NULL ends */
};

/* 0, or a negative errno with err set.  Landlock missing from the kernel is not an error. */
int privs__drop(const struct privs_opts *o, struct sigrec_err *err);
/* After privs__drop: which confinements are in force (for the start line). */
const char *privs__summary(void);

#endif
