/* SPDX-License-Identifier: MIT */
/*
 * perfetto.h - `sigdump --perfetto FILE`: the events as a Chrome JSON trace
 * (Trace Event Format) that ui.perfetto.dev and chrome://tracing open: a
 * track per process and thread (a reused pid gets a new one), a slice per
 * signal on the sender's and the target's thread joined by a flow arrow,
 * fork, exec and exit marks.  docs/OUTPUT.md, "Perfetto / Chrome trace".
 */
#ifndef SIGREC_PERFETTO_H
#define SIGREC_PERFETTO_H

#include "err.h"
#include <stdint.h>
#include "model.h"
#include "output.h"

struct perfetto;

struct perfetto_opts {
	int64_t origin_ns;		/* wall time of ts 0 */
	int64_t since_ns, until_ns;	/* window: lifecycle marks outside it are left out */
};

/*
 * "-" is stdout; any other path is created, never overwritten (O_EXCL,
 * like --export).  NULL and errno on failure, with the reason in err.
 */
struct perfetto *perfetto__open(const char *path, const struct perfetto_opts *o,
				struct sigrec_err *err);
/* One signal event (a repeat record is one slice that says how many). */
void perfetto__signal(struct perfetto *p, const struct model *m, const struct ev *e);
/*
 * Write the marks and track names, end the trace and close the file;
 * frees p.  0, or -errno with err set (the file is then removed).
 */
int perfetto__close(struct perfetto *p, struct sigrec_err *err);

#endif
