/* SPDX-License-Identifier: MIT */
/*
 * why.h - `sigdump --why PID|NAME`: the story of one process's end: when it
 * started and what it ran, the signals it received with each sender and the
 * sender's ancestry, and how it exited.
 */
#ifndef SIGREC_WHY_H
#define SIGREC_WHY_H

#include <stdio.h>
#include "model.h"
#include "output.h"

#define WHY_MAX_EVENTS 200	/* signals shown; the rest are counted */
#define WHY_MAX_DELIVERIES 1000	/* deliveries paired with them; later ones are not */

struct why {
	const struct proc *p;		/* the process, NULL if not found */
	size_t others;			/* other processes that matched */
	struct ev ev[WHY_MAX_EVENTS];
	size_t nev, total;	/* events kept, signals in all (repeats counted) */
	size_t records;		/* events offered */
	int64_t clock_offset;		/* of the chunk its last record came from */
	struct sigrec_deliver dv[WHY_MAX_DELIVERIES];	/* signals it took */
	size_t ndv;
	int no_deliver;			/* the recording does not record deliveries */
};

/* Pick the process: the latest with that pid or comm.  Returns 0 or -ENOENT. */
int why__select(struct why *w, const struct model *m, const char *what);
/* Offer a signal; kept when it targets the chosen process. */
void why__offer(struct why *w, const struct ev *e);
/* Offer a delivery (e->deliver); kept when the chosen process took it. */
void why__offer_deliver(struct why *w, const struct ev *e);
void why__print(FILE *f, const struct why *w, const struct model *m, const struct out_opts *o);

#endif
