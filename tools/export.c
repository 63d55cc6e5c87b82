// SPDX-License-Identifier: MIT
/*
 * export.c - `sigdump --export FILE`: a self-contained dump for a bug
 * report.  It is a ring file (docs/FORMAT.md) packed in an LZ4 frame:
 * host facts first, then a description of every process the exported
 * signals name (as it was when first seen), then the window's records.
 * With redaction, command lines keep only argv[0] and the host name goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "export.h"
#include "util.h"

#define EXPORT_CHUNK	(64U << 10)

struct export {
	struct ring *ring;
	char tmp[4096];
	char dst[4096];
	int redact;
	struct ring_boot boot;
	int have_boot;
};

/* Keep argv[0] only. */
static void redact_argv(char *argv, __u32 *len, size_t cap)
{
	size_t n = strnlen(argv, cap);

	if (n < cap) {
		memset(argv + n, 0, cap - n);
		*len = n + 1 < *len ? n + 1 : *len;
	}
}

struct export *export__begin(const char *dst, uint64_t bytes, unsigned int boots, int redact,
			     struct ring_err *err)
{
	struct ring_opts o = { .chunk_size = EXPORT_CHUNK, .mode = 0600 };
	struct ring_boot none = { { 0 }, 0 };
	struct export *x = calloc(1, sizeof(*x));
	uint64_t slots;

	if (!x) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	if (!access(dst, F_OK)) {
		snprintf(err->msg, sizeof(err->msg), "%s exists; refusing to overwrite it", dst);
		free(x);
		return NULL;
	}
	/* every chunk fills to at least cap - one worst-case record */
	slots = bytes / (EXPORT_CHUNK - RING_CHUNK_HDR_SIZE - 2 * RING_MAX_RECORD - 64) + boots + 2;
	o.size = RING_HDR_SIZE + (slots + 1) * EXPORT_CHUNK;
	snprintf(x->dst, sizeof(x->dst), "%s", dst);
	snprintf(x->tmp, sizeof(x->tmp), "%s.unpacked.%d", dst, (int)getpid());
	x->redact = redact;
	x->ring = ring__open_writer(x->tmp, &o, &none, err);
	if (!x->ring) {
		free(x);
		return NULL;
	}
	return x;
}

int export__record(struct export *x, const void *rec, size_t len, const struct ring_boot *boot)
{
	const struct sigrec_rec_hdr *h = rec;
	union {
		uint8_t raw[RING_MAX_RECORD];
		struct sigrec_exec e;
		struct sigrec_proc p;
	} u;
	int rc;

	/* each chunk carries one boot and clock mapping: switch when they change */
	if (!x->have_boot || memcmp(&x->boot, boot, sizeof(*boot))) {
		rc = ring__set_boot(x->ring, boot);
		if (rc)
			return rc;
		x->boot = *boot;
		x->have_boot = 1;
	}
	if (!x->redact || len > sizeof(u) ||
	    (h->type != SIGREC_T_EXEC && h->type != SIGREC_T_PROC))
		return ring__append(x->ring, rec, len);
	memcpy(&u, rec, len);
	if (h->type == SIGREC_T_EXEC && len >= sizeof(u.e))
		redact_argv(u.e.argv, &u.e.argv_len, sizeof(u.e.argv));
	else if (h->type == SIGREC_T_PROC && len >= sizeof(u.p))
		redact_argv(u.p.argv, &u.p.argv_len, sizeof(u.p.argv));
	return ring__append(x->ring, &u, len);
}

void export__host(struct sigrec_host *host, int redact, int64_t since, int64_t until,
		  const char *filters)
{
	struct utsname un;

	memset(host, 0, sizeof(*host));
	host->h.type = SIGREC_T_HOST;
	host->h.size = sizeof(*host);
	if (!uname(&un)) {
		snprintf(host->hostname, sizeof(host->hostname), "%.63s",
			 redact ? "redacted" : un.nodename);
		snprintf(host->release, sizeof(host->release), "%.63s", un.release);
		snprintf(host->machine, sizeof(host->machine), "%.31s", un.machine);
	}
	host->version = SIGREC_VERSION_NUM;
	host->flags = redact ? SIGREC_HOST_REDACTED : 0;
	host->exported_ns = now_realtime_ns();
	host->since_ns = since;
	host->until_ns = until;
	snprintf(host->filters, sizeof(host->filters), "%s", filters);
}

int export__finish(struct export *x, struct ring_err *err)
{
	int rc = ring__seal(x->ring);

	ring__close(x->ring);
	x->ring = NULL;
	if (!rc)
		rc = ring__pack(x->tmp, x->dst, err);
	else
		snprintf(err->msg, sizeof(err->msg), "cannot write the dump: %s", strerror(-rc));
	unlink(x->tmp);
	free(x);
	return rc;
}

void export__abort(struct export *x)
{
	if (!x)
		return;
	ring__close(x->ring);
	unlink(x->tmp);
	free(x);
}
