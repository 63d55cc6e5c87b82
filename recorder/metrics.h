/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - Prometheus metrics in node_exporter's textfile format
 * (--metrics-file).  Cardinality is bounded: signals x causes x results
 * (at most 65 x 8 x 8 series), and fatal signals by victim unit for the
 * first METRICS_MAX_UNITS units seen, the rest under unit="other".
 */
#ifndef SIGREC_METRICS_H
#define SIGREC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_UNITS	64
#define METRICS_MAX_UNITS_STR	"64"
#define METRICS_UNIT_LEN	96

enum metrics_lost { METRICS_LOST_BUFFER, METRICS_LOST_NESTED, METRICS_LOST_WRITE, METRICS_LOST_GAP };

struct metrics_ring {
	uint64_t size;		/* bytes */
	double oldest_s;	/* Unix time of the oldest record, 0 if unknown */
};

struct metrics;

struct metrics *metrics__new(const char *path);
void metrics__free(struct metrics *m);
/* The labels of sigrec_capture_info, as `k="v",...`. */
void metrics__capture(struct metrics *m, const char *labels);
void metrics__signal(struct metrics *m, int sig, int cause, int result, uint64_t count);
void metrics__fatal(struct metrics *m, int sig, const char *unit, uint64_t count);
void metrics__lost(struct metrics *m, enum metrics_lost reason, uint64_t count);
/* Write the file atomically; 0 or a negative errno. */
int metrics__write(const struct metrics *m, const struct metrics_ring *r, int up);
/* Unit or container name of a cgroup path ("0::/system.slice/x.service" -> x.service). */
void metrics__unit_of(const char *cgroup, char *out, size_t len);

#endif
