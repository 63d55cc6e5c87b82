/* SPDX-License-Identifier: MIT */
/*
 * writer.h - the recorder's pstore/ramoops mode: the line of each matching
 * signal (lib/pstore.h) to /dev/pmsg0 or /dev/kmsg, rate-limited.
 */
#ifndef SIGREC_PSTORE_WRITER_H
#define SIGREC_PSTORE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "pstore.h"

enum pstore_mode {
	PSTORE_OFF = 0,
	PSTORE_AUTO,	/* pmsg if /dev/pmsg0 exists, else kmsg */
	PSTORE_PMSG,
	PSTORE_KMSG,
};

struct pstore_writer;

/* sig_mask: signals to write (bit n-1 = signal n).  NULL and errno on failure. */
struct pstore_writer *pstore__open(int mode, const uint64_t sig_mask[2], char *err, size_t errlen);
const char *pstore__path(const struct pstore_writer *w);
/* Write the line for s if its signal is in the set and the rate allows. */
void pstore__signal(struct pstore_writer *w, const struct sigrec_signal *s, int64_t wall_ns,
		    const uint8_t boot_id[16], int oom);
/* Lines dropped by the rate limit so far. */
uint64_t pstore__suppressed(const struct pstore_writer *w);
void pstore__close(struct pstore_writer *w);

#endif
