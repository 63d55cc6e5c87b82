/* SPDX-License-Identifier: MIT */
/*
 * privs.h - once the BPF programs are loaded and attached, the recorder
 * keeps only what it still uses: CAP_BPF (BPF map reads on kernels that
 * restrict the bpf() syscall) and CAP_SYS_PTRACE (reading /proc/PID/exe of
 * other users' processes for snapshots).  Everything else, including the
 * bounding set, is dropped, and no_new_privs is set.  See docs/SECURITY.md.
 */
#ifndef SIGREC_PRIVS_H
#define SIGREC_PRIVS_H

#include <stddef.h>

int privs__drop(char *err, size_t errlen);

#endif
