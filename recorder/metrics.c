// SPDX-License-Identifier: MIT
/*
 * metrics.c - --metrics-file: counters in node_exporter's textfile format,
 * written atomically (a new file in the same directory, then rename) so
 * node_exporter never reads half a file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "metrics.h"
#include "names.h"
#include "util.h"

#define NCAUSE		8
#define NRESULT		8
#define NLOST		4

/* one counter per victim unit; the rest add up under unit="other" */
struct victim {
	char unit[METRICS_UNIT_LEN];
	uint64_t n[65];
};

struct metrics {
	char path[4096];
	uint64_t signals[65][NCAUSE][NRESULT];	/* signal x cause x result */
	uint64_t lost[NLOST];			/* by enum metrics_lost */
	struct victim victims[METRICS_MAX_UNITS + 1];	/* the last: "other" */
	int nvictims;
	char capture[256];			/* sigrec_capture_info labels */
};

static const char *const lost_names[NLOST] = {
	[METRICS_LOST_BUFFER] = "buffer", [METRICS_LOST_NESTED] = "nested",
	[METRICS_LOST_WRITE] = "write", [METRICS_LOST_GAP] = "gap",
};

struct metrics *metrics__new(const char *path)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	snprintf(m->path, sizeof(m->path), "%s", path);
	snprintf(m->victims[METRICS_MAX_UNITS].unit, METRICS_UNIT_LEN, "other");
	return m;
}

void metrics__free(struct metrics *m)
{
	free(m);
}

void metrics__capture(struct metrics *m, const char *labels)
{
	snprintf(m->capture, sizeof(m->capture), "%s", labels);
}

void metrics__signal(struct metrics *m, int sig, int cause, int result, uint64_t count)
{
	if (sig < 0 || sig > 64)
		return;
	m->signals[sig][cause >= 0 && cause < NCAUSE ? cause : 0]
		  [result >= 0 && result < NRESULT ? result : NRESULT - 1] += count;
}

void metrics__fatal(struct metrics *m, int sig, const char *unit, uint64_t count)
{
	int i;

	if (!sigrec_sig_valid(sig))
		return;
	for (i = 0; i < m->nvictims; i++)
		if (!strcmp(m->victims[i].unit, unit))
			break;
	if (i == m->nvictims) {
		if (m->nvictims < METRICS_MAX_UNITS)
			snprintf(m->victims[m->nvictims++].unit, METRICS_UNIT_LEN, "%s", unit);
		else
			i = METRICS_MAX_UNITS;
	}
	m->victims[i].n[sig] += count;
}

void metrics__lost(struct metrics *m, enum metrics_lost reason, uint64_t count)
{
	if (reason < NLOST)
		m->lost[reason] += count;
}

/* A label value: backslash, quote and newline escaped, as the format wants. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void write_all(FILE *f, const struct metrics *m, const struct metrics_ring *r, int up)
{
	char b[32];

	fputs("# HELP sigrec_signals_total Signals recorded, by signal, cause and result "
	      "(a coalesced storm counts every signal).\n# TYPE sigrec_signals_total counter\n", f);
	for (int s = 0; s <= 64; s++)
		for (int c = 0; c < NCAUSE; c++)
			for (int r2 = 0; r2 < NRESULT; r2++) {
				if (!m->signals[s][c][r2])
					continue;
				fprintf(f, "sigrec_signals_total{signal=\"%s\",cause=\"%s\",result=\"%s\"} "
					"%llu\n", s ? sig_name(s, b, sizeof(b)) ?: "unknown" : "0",
					names__cause(c), names__result(r2),
					(unsigned long long)m->signals[s][c][r2]);
			}
	fputs("# HELP sigrec_fatal_signals_total Fatal-class signals delivered, by signal and the "
	      "victim's unit or container (the first " METRICS_MAX_UNITS_STR " seen; the rest "
	      "under unit=\"other\").\n# TYPE sigrec_fatal_signals_total counter\n", f);
	for (int i = 0; i <= METRICS_MAX_UNITS; i++)
		for (int s = 1; s <= 64; s++) {
			if (!m->victims[i].n[s])
				continue;
			fprintf(f, "sigrec_fatal_signals_total{signal=\"%s\",unit=\"",
				sig_name(s, b, sizeof(b)) ?: "unknown");
			label(f, m->victims[i].unit);
			fprintf(f, "\"} %llu\n", (unsigned long long)m->victims[i].n[s]);
		}
	fputs("# HELP sigrec_lost_total Events not recorded, by reason.\n"
	      "# TYPE sigrec_lost_total counter\n", f);
	for (int i = 0; i < NLOST; i++)
		fprintf(f, "sigrec_lost_total{reason=\"%s\"} %llu\n", lost_names[i],
			(unsigned long long)m->lost[i]);
	fprintf(f, "# HELP sigrec_ring_size_bytes Size of the ring file.\n"
		"# TYPE sigrec_ring_size_bytes gauge\nsigrec_ring_size_bytes %llu\n",
		(unsigned long long)r->size);
	if (r->oldest_s > 0)
		fprintf(f, "# HELP sigrec_ring_oldest_timestamp_seconds Time of the oldest record "
			"still in the ring.\n# TYPE sigrec_ring_oldest_timestamp_seconds gauge\n"
			"sigrec_ring_oldest_timestamp_seconds %.3f\n", r->oldest_s);
	fprintf(f, "# HELP sigrec_capture_info What this session captures.\n"
		"# TYPE sigrec_capture_info gauge\nsigrec_capture_info{%s} 1\n", m->capture);
	fprintf(f, "# HELP sigrec_up 1 while sigrec records, 0 once it has stopped.\n"
		"# TYPE sigrec_up gauge\nsigrec_up %d\n", up);
}

int metrics__write(const struct metrics *m, const struct metrics_ring *r, int up)
{
	char tmp[4200];
	FILE *f;
	int fd, rc = 0;

	/* a new name each time, never an existing file (O_EXCL, no symlink) */
	snprintf(tmp, sizeof(tmp), "%s.%d.%lx.tmp", m->path, (int)getpid(), (long)time(NULL));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	write_all(f, m, r, up);
	if (fflush(f) || ferror(f))
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, m->path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/*
 * The victim's unit or container from its cgroup path: the last component
 * naming a unit (.service, .scope) or else the last one, cut to fit.
 */
void metrics__unit_of(const char *cgroup, char *out, size_t len)
{
	struct cgroup_info ci;

	cgroup_parse(cgroup, SIZE_MAX, &ci);
	if (ci.unit[0])
		snprintf(out, len, "%s", ci.unit);
	else
		snprintf(out, len, "%.*s", (int)ci.leaf_len, cgroup + ci.leaf);
	if (!out[0])
		snprintf(out, len, "-");
}
