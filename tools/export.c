// SPDX-License-Identifier: MIT
/*
 * export.c - `sigdump --export FILE`: a self-contained dump for a bug
 * report.  It is a ring file (docs/FORMAT.md) packed in an LZ4 frame:
 * host facts first, then a description of every process the exported
 * signals name (as it was when first seen), then the window's records.
 * With redaction, command lines keep only argv[0] and the host name goes.
 *
 * Every record is written anew from the fields this build knows, each
 * string ended and cleared behind its end: bytes a record carries after a
 * string, in padding or past its known fields never reach a dump, redacted
 * or not.  The ring is assembled in a temporary file created exclusively
 * (O_EXCL, mode 0600) and unlinked at once: in a directory other users
 * can write, nobody can open, plant or read it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <stddef.h>
#include "export.h"
#include "stacks.h"
#include "util.h"

#define EXPORT_CHUNK	(64U << 10)

struct export {
	struct ring *ring;
	int fd;			/* the temporary ring, already unlinked */
	char tmp[4096];
	char dst[4096];
	int redact;
	struct ring_boot boot;
	int have_boot;
};

/* End a string field and clear everything behind its end. */
static void clean_str(char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);

	memset(s + n, 0, cap - n);
}

/* A NUL-separated argument list: its len bytes kept (argv[0] only when
 * redacting), everything after them cleared. */
static void clean_argv(char *argv, __u32 *len, size_t cap, int redact)
{
	size_t n = *len < cap ? *len : cap;

	if (redact) {
		size_t a0 = strnlen(argv, n);

		n = a0 < n ? a0 + 1 : n;
	}
	memset(argv + n, 0, cap - n);
	*len = n;
}

static void clean_task(struct sigrec_task *t)
{
	clean_str(t->comm, sizeof(t->comm));
}

union rec {
	uint8_t raw[RING_MAX_RECORD];
	struct sigrec_rec_hdr h;
	struct sigrec_repeat s;
	struct sigrec_lost l;
	struct sigrec_sysret r;
	struct sigrec_fork f;
	struct sigrec_exec e;
	struct sigrec_exit x;
	struct sigrec_comm c;
	struct sigrec_oom o;
	struct sigrec_proc p;
	struct sigrec_start st;
	struct sigrec_host host;
	struct sigrec_deliver d;
	struct sigrec_stack stk;
};

/*
 * Rebuild rec into u from the fields this build knows: the record's length
 * becomes its struct's, strings are ended and cleared behind, padding is
 * zero.  Returns the new length, or 0 for a type that is not exported.
 */
static size_t rebuild(union rec *u, const void *rec, size_t len, int redact)
{
	const struct sigrec_rec_hdr *h = rec;
	const struct ring_rec_type *rt = ring_rec_type(h->type);
	size_t n;

	if (!rt)
		return 0;	/* unknown to this build: nothing to vouch for */
	if (h->type == SIGREC_T_STACK) {	/* checked whole, or not exported */
		if (stack_decode(rec, len, &u->stk))
			return 0;
		n = u->stk.h.flags & SIGREC_STACK_REF ? offsetof(struct sigrec_stack, frames) :
		    stack_size(&u->stk);
		u->stk.h.size = n;
		return n;
	}
	n = h->type == SIGREC_T_SIGNAL && h->flags & SIGREC_SIG_REPEAT ? sizeof(u->s) : rt->size;
	ring_rec_copy(u, n, rec, len);
	u->h.size = n;
	for (int i = 0; i < 2 && rt->task[i]; i++)
		clean_task((struct sigrec_task *)(u->raw + rt->task[i]));
	switch (h->type) {
	case SIGREC_T_LOST:
		u->l.pad = 0;
		break;
	case SIGREC_T_SYSRET:
		u->r.pad = 0;
		break;
	case SIGREC_T_EXEC:
		clean_str(u->e.filename, sizeof(u->e.filename));
		clean_argv(u->e.argv, &u->e.argv_len, sizeof(u->e.argv), redact);
		break;
	case SIGREC_T_COMM:
		clean_str(u->c.newcomm, sizeof(u->c.newcomm));
		break;
	case SIGREC_T_PROC:
		clean_str(u->p.exe, sizeof(u->p.exe));
		clean_str(u->p.cgroup, sizeof(u->p.cgroup));
		clean_str(u->p.cgroup_more, sizeof(u->p.cgroup_more));
		clean_argv(u->p.argv, &u->p.argv_len, sizeof(u->p.argv), redact);
		break;
	case SIGREC_T_START:
		clean_str(u->st.filter_comm, sizeof(u->st.filter_comm));
		break;
	case SIGREC_T_HOST:
		clean_str(u->host.hostname, sizeof(u->host.hostname));
		clean_str(u->host.release, sizeof(u->host.release));
		clean_str(u->host.machine, sizeof(u->host.machine));
		clean_str(u->host.filters, sizeof(u->host.filters));
		break;
	}
	return n;
}

struct export *export__begin(const char *dst, uint64_t bytes, unsigned int boots, int redact,
			     struct sigrec_err *err)
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
	/* ours alone: never a file someone made first, never through a link */
	x->fd = open(x->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (x->fd < 0) {
		int e = errno;

		snprintf(err->msg, sizeof(err->msg), "cannot create %.400s: %s%s", x->tmp,
			 strerror(e), e == EEXIST ? " (made by someone else; not used)" : "");
		free(x);
		return NULL;
	}
	/* no name: nothing to open, replace or leave behind after a crash */
	unlink(x->tmp);
	x->ring = ring__create_fd(fcntl(x->fd, F_DUPFD_CLOEXEC, 0), x->tmp, &o, &none, err);
	if (!x->ring) {
		close(x->fd);
		free(x);
		return NULL;
	}
	return x;
}

int export__record(struct export *x, const void *rec, size_t len, const struct ring_boot *boot)
{
	union rec u;
	size_t n;
	int rc;

	/* each chunk carries one boot and clock mapping: switch when they change */
	if (!x->have_boot || memcmp(&x->boot, boot, sizeof(*boot))) {
		rc = ring__set_boot(x->ring, boot);
		if (rc)
			return rc;
		x->boot = *boot;
		x->have_boot = 1;
	}
	n = rebuild(&u, rec, len, x->redact);
	return n ? ring__append(x->ring, &u, n) : 0;
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

int export__finish(struct export *x, struct sigrec_err *err)
{
	int rc = ring__seal(x->ring);

	ring__close(x->ring);
	x->ring = NULL;
	if (!rc)
		rc = ring__pack_fd(x->fd, x->tmp, x->dst, err);
	else
		snprintf(err->msg, sizeof(err->msg), "cannot write the dump: %s", strerror(-rc));
	close(x->fd);
	free(x);
	return rc;
}

void export__abort(struct export *x)
{
	if (!x)
		return;
	ring__close(x->ring);
	close(x->fd);
	free(x);
}
