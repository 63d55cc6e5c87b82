/* SPDX-License-Identifier: MIT */
/*
 * stacks_rec.h - the recorder's side of stack records: the BPF side's
 * stack waits for its signal (same CPU and time), kernel addresses become
 * "func+0xoff" from /proc/kallsyms, and each chunk gets a stack's frames
 * once, later signals of the chunk a reference (docs/FORMAT.md).
 */
#ifndef SIGREC_STACKS_REC_H
#define SIGREC_STACKS_REC_H

#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

struct rec_stacks;

/* Opens /proc/kallsyms now, while the recorder may still read addresses. */
struct rec_stacks *rec_stacks__new(void);
void rec_stacks__free(struct rec_stacks *r);
/* A stack record from the BPF side: held until its signal comes. */
void rec_stacks__hold(struct rec_stacks *r, const void *rec, size_t len);
/*
 * The stack record to write just before signal s in chunk seq: the frames
 * or a reference (*len bytes), or NULL when its stack is not held (the
 * caller then clears SIGREC_SF_STACK).  A stack is given out once.
 */
const struct sigrec_stack *rec_stacks__for(struct rec_stacks *r, const struct sigrec_signal *s,
					   uint64_t seq, size_t *len);

#endif
