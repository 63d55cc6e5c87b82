/* SPDX-License-Identifier: MIT */
/* export.h - writing a self-contained dump for a bug report (--export). */
#ifndef SIGREC_EXPORT_H
#define SIGREC_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include "ring.h"
#include "sigrec.h"

struct export;

/* bytes: an upper bound of the records' sizes; boots: boot changes to expect */
struct export *export__begin(const char *dst, uint64_t bytes, unsigned int boots, int redact,
			     struct sigrec_err *err);
/* Append one record from a chunk with that boot (redacted if asked). */
int export__record(struct export *x, const void *rec, size_t len, const struct ring_boot *boot);
void export__host(struct sigrec_host *host, int redact, int64_t since, int64_t until,
		  const char *filters);
/* Seal, pack into the destination, remove the temporary ring. */
int export__finish(struct export *x, struct sigrec_err *err);
void export__abort(struct export *x);

#endif
