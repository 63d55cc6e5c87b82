/* SPDX-License-Identifier: MIT */
/*
 * writer.h - the recorder's pstore/ramoops mode: the line of each matching
 * signal (lib/pstore.h) to /dev/pmsg0, /dev/kmsg or the trace_marker of a
 * persistent ftrace instance, rate-limited.
 */
#ifndef SIGREC_PSTORE_WRITER_H
#define SIGREC_PSTORE_WRITER_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>
#include "pstore.h"

enum pstore_mode {
	PSTORE_OFF = 0,
	PSTORE_AUTO,	/* pmsg if /dev/pmsg0 exists, else kmsg */
	PSTORE_PMSG,
	PSTORE_KMSG,
	PSTORE_FTRACE,	/* trace_marker of a tracefs instance in reserved memory */
};

#define PSTORE_FTRACE_INSTANCE	"boot_map"	/* the name the kernel's documentation uses */

struct pstore_writer;

/*
 * sig_mask: signals to write (bit n-1 = signal n); instance: the tracefs
 * instance of PSTORE_FTRACE (tracefs mounted by the caller).  NULL and
 * errno on failure, with the reason in err: ENOENT for an instance that
 * is not there, ENOTSUP for one whose buffer does not outlive a reboot.
 */
struct pstore_writer *pstore__open(int mode, const char *instance, const uint64_t sig_mask[2],
				   struct sigrec_err *err);
const char *pstore__path(const struct pstore_writer *w);
/* Write the line for s if its signal is in the set and the rate allows. */
void pstore__signal(struct pstore_writer *w, const struct sigrec_signal *s, int64_t wall_ns,
		    const uint8_t boot_id[16], int oom);
/* Lines dropped by the rate limit so far. */
uint64_t pstore__suppressed(const struct pstore_writer *w);
void pstore__close(struct pstore_writer *w);

#endif
