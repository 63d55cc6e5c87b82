/* SPDX-License-Identifier: MIT */
/* journal.h - --journal: an entry per fatal signal, in the victim's unit's journal. */
#ifndef SIGREC_JOURNAL_H
#define SIGREC_JOURNAL_H

#include <stdint.h>
#include "model.h"
#include "sigrec.h"

struct journal;

/* fatal_mask: the signals that get an entry when delivered (--pstore-signals). */
struct journal *journal__new(const uint64_t fatal_mask[2]);
void journal__free(struct journal *j);
/* A signal record (count > 1: a coalesced storm, one entry). */
void journal__signal(struct journal *j, const struct model *m, const struct sigrec_signal *s,
		     uint64_t count);
/* An OOM victim record: a pending SIGKILL to it was the OOM killer's. */
void journal__oom(struct journal *j, uint32_t victim_pid);
/* End of a batch: write what waited for an OOM record. */
void journal__flush(struct journal *j, const struct model *m);

#endif
