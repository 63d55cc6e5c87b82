/* SPDX-License-Identifier: MIT */
/* util.h - parsing and naming shared by sigrec and sigdump. */
#ifndef SIGREC_UTIL_H
#define SIGREC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "err.h"
#include "ring.h"

#define SIGREC_VERSION_STR	"0.2.0"
#define SIGREC_VERSION_NUM	((0 << 16) | (2 << 8) | 0)

/* Whole number in [min, max]; rejects sign, junk and overflow. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* 4096, 64K, 64M, 1G, 1T (binary units; optional trailing B/iB). */
int parse_size(const char *s, uint64_t *out);
/* 500ms, 30s, 10m, 2h, 1d, 1w; a bare number is seconds.  Result in ns. */
int parse_duration(const char *s, uint64_t *out_ns);

/* "SIGTERM", "SIGRTMIN+3", or NULL for numbers outside 1..64. */
const char *sig_name(int sig, char *buf, size_t len);
/* TERM, SIGTERM, sigterm, 15, SIGRTMIN+2, RTMAX-1 -> number, or -EINVAL. */
int sig_parse(const char *s);
/* Comma list into a 64-bit-per-word mask (bit n-1 = signal n). */
int sig_parse_list(const char *s, uint64_t mask[2], char *bad, size_t badlen);

/* si_code name for a signal, e.g. SI_USER, SEGV_MAPERR, CLD_EXITED. */
const char *code_name(int sig, int code, char *buf, size_t len);
/* "EPERM" for 1; "E123" when unknown. */
const char *errno_name(int err, char *buf, size_t len);

/* Boot id and the CLOCK_REALTIME - CLOCK_BOOTTIME offset now. */
int read_boot(struct ring_boot *b);
void boot_id_str(const uint8_t id[16], char out[37]);
int64_t now_realtime_ns(void);
/* The time of clock id in ns: the one clock read of lib/, recorder/, pstore/. */
int64_t clock_ns(clockid_t id);

/*
 * Saturating arithmetic for times and counts read from a recording: a
 * hostile file can hold any 64-bit time, clock offset or count, and C gives
 * signed overflow no meaning.  Results are clamped to the type's range.
 */
int64_t sat_add_i64(int64_t a, int64_t b);
uint64_t sat_add_u64(uint64_t a, uint64_t b);
/* Wall-clock ns of boottime ts in a chunk with that clock offset. */
int64_t wall_ns(uint64_t ts, int64_t clock_offset);
/* now - dur, clamped (a duration as long as the user likes). */
int64_t ns_before(int64_t now, uint64_t dur);

/*
 * Open path (relative to dirfd, or AT_FDCWD) read-only, only if it is a
 * regular file: a FIFO, device or directory is refused without blocking
 * and without opening it where that could act (a tape rewinds, a FIFO
 * waits for a writer).  Returns the descriptor, or -errno with the path
 * and the problem in err.
 */
int open_regular(int dirfd, const char *path, struct sigrec_err *err);

/* RFC 3339 UTC with nanoseconds: 2026-01-02T03:04:05.123456789Z */
void fmt_rfc3339(int64_t wall_ns, char *buf, size_t len);
/* The timeline's time of day: "2026-01-02 03:04:05.123456789", local unless utc. */
void fmt_human_time(int64_t wall_ns, int utc, char *buf, size_t len);
/* RFC 3339 (Z or offset, optional fraction), local "YYYY-MM-DD HH:MM:SS",
 * "now", "today", "yesterday" (local midnight), or a duration ago ("10m",
 * "10 min ago").  Result in realtime ns. */
int parse_time(const char *s, int64_t now_ns, int64_t *out);

#endif
