/* SPDX-License-Identifier: MIT */
/*
 * procscan.h - records the live process table from /proc, so processes that
 * started before recording (or before the ring last wrapped) resolve.
 */
#ifndef SIGREC_PROCSCAN_H
#define SIGREC_PROCSCAN_H

#include <stddef.h>
#include "sigrec.h"

typedef int (*procscan_fn)(void *ctx, void *rec, size_t len);

/* Fill p from /proc/PID; returns 0 or -errno (process gone). */
int procscan__read(int pid, struct sigrec_proc *p);
/* Emit one SIGREC_T_PROC record per live process.  Returns the count. */
int procscan__snapshot(procscan_fn fn, void *ctx);

#endif
