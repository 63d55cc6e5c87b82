/* SPDX-License-Identifier: MIT */
/*
 * stacks.h - stack records (bpf/sigrec.h, docs/FORMAT.md): their id, their
 * checks, and the reader's table of the stacks a recording holds.
 */
#ifndef SIGREC_STACKS_H
#define SIGREC_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

/* FNV-1a 64 of kind, nframes and the frames in use; never 0. */
uint64_t stack_id(const struct sigrec_stack *st);
/* Bytes a stack record of st's kind and frames takes. */
size_t stack_size(const struct sigrec_stack *st);
/*
 * A decoded stack record into out, checked: a known kind, at most
 * SIGREC_STACK_MAX frames that its length holds, strings ended, and (for
 * frames, not a reference) an id equal to its hash.  0 or -EBADMSG.
 */
int stack_decode(const void *rec, size_t len, struct sigrec_stack *out);

/* The distinct stacks of a recording, by id (at most STACK_STORE_MAX). */
#define STACK_STORE_MAX	16384
struct stack_store;
struct stack_store *stack_store__new(void);
void stack_store__free(struct stack_store *s);
/* Keep a checked stack with frames; returns the kept copy (stable) or NULL. */
const struct sigrec_stack *stack_store__add(struct stack_store *s, const struct sigrec_stack *st);
const struct sigrec_stack *stack_store__get(const struct stack_store *s, uint64_t id);

#endif
