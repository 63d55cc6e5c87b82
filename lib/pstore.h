/* SPDX-License-Identifier: MIT */
/*
 * pstore.h - the pstore line format: one compact line per signal, written
 * by the recorder's pstore mode (pstore/writer.h) so the last records
 * survive a panic or a warm reboot in persistent RAM, and found again in
 * /sys/fs/pstore after the reboot.  Line format (docs/PSTORE.md):
 *
 *   sigrec: bash(1234) --SIGTERM--> nginx(5678) [kill] ok t=1763771234.123456789 b=80a8af2c
 */
#ifndef SIGREC_PSTORE_H
#define SIGREC_PSTORE_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

#define PSTORE_LINE_MAX 256

/* Format the line (no newline).  Returns its length. */
size_t pstore__format(char *buf, size_t len, const struct sigrec_signal *s, int64_t wall_ns,
		      const uint8_t boot_id[16], int oom);

/* A record read back: the key fields, as a signal record. */
struct pstore_event {
	struct sigrec_signal s;		/* sig, result, cause, syscall, ret, sender/target pid+comm */
	int64_t wall_ns;
	uint8_t boot8[4];		/* first 4 bytes of the boot id */
	int oom;
	uint64_t suppressed;		/* non-zero: a "suppressed N lines" line, no signal */
	char source[64];		/* file it came from */
};

typedef int (*pstore_fn)(const struct pstore_event *e, void *ctx);

/* Find sigrec lines in any text (a pstore file, dmesg); other lines are skipped. */
int pstore__parse(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx);
/*
 * Find sigrec lines in ftrace's text output (an instance's "trace" file):
 * only trace_marker writes ("... 12.345678: tracing_mark_write: sigrec: ..."),
 * every other line and event skipped.
 */
int pstore__parse_trace(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx);
/*
 * Parse pmsg-ramoops-*, dmesg-ramoops-*, console-ramoops-* in dir, or when
 * dir is a tracefs instance (it has a trace_marker: the ftrace persistent
 * ring buffer, /sys/kernel/tracing/instances/boot_map) its "trace".  Returns
 * files read, or -errno with the reason in err: one of those names that is
 * not a regular file (a FIFO, a device) is refused, never opened to block.
 */
int pstore__read_dir(const char *dir, pstore_fn fn, void *ctx, struct sigrec_err *err);

#endif
