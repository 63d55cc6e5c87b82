// SPDX-License-Identifier: MIT
/* stacks.c - stack record ids and checks; the reader's table of stacks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ring.h"
#include "stacks.h"

static uint64_t fnv(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

size_t stack_size(const struct sigrec_stack *st)
{
	uint32_t n = st->nframes > SIGREC_STACK_MAX ? SIGREC_STACK_MAX : st->nframes;

	return SIGREC_STACK_SIZE(st->kind, n);
}

uint64_t stack_id(const struct sigrec_stack *st)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, &st->nframes, 8);	/* nframes and kind */
	h = fnv(h, &st->frames, stack_size(st) - offsetof(struct sigrec_stack, frames));
	return h ? h : 1;
}

int stack_decode(const void *rec, size_t len, struct sigrec_stack *out)
{
	ring_rec_copy(out, sizeof(*out), rec, len);
	if (out->h.flags & SIGREC_STACK_REF)
		return out->id && !out->nframes ? 0 : -EBADMSG;
	if ((out->kind != SIGREC_STACK_USER && out->kind != SIGREC_STACK_KERNEL) ||
	    !out->nframes || out->nframes > SIGREC_STACK_MAX || len < stack_size(out))
		return -EBADMSG;
	if (out->kind == SIGREC_STACK_KERNEL)
		for (uint32_t i = 0; i < out->nframes; i++)
			if (!memchr(out->ksyms[i], 0, SIGREC_KSYM_LEN))
				return -EBADMSG;
	return out->id == stack_id(out) ? 0 : -EBADMSG;
}

#define STORE_SLOTS	(2 * STACK_STORE_MAX)	/* a power of two, half full at most */

struct stack_store {
	struct sigrec_stack *slot[STORE_SLOTS];
	size_t n;
};

struct stack_store *stack_store__new(void)
{
	return calloc(1, sizeof(struct stack_store));
}

void stack_store__free(struct stack_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < STORE_SLOTS; i++)
		free(s->slot[i]);
	free(s);
}

static size_t find(const struct stack_store *s, uint64_t id)
{
	size_t i = (id ^ id >> 29) & (STORE_SLOTS - 1);

	while (s->slot[i] && s->slot[i]->id != id)
		i = (i + 1) & (STORE_SLOTS - 1);
	return i;
}

const struct sigrec_stack *stack_store__add(struct stack_store *s, const struct sigrec_stack *st)
{
	size_t i = find(s, st->id);

	if (s->slot[i])		/* ids are hashes of the frames: the same stack */
		return s->slot[i];
	if (s->n >= STACK_STORE_MAX || !(s->slot[i] = malloc(sizeof(*st))))
		return NULL;
	memcpy(s->slot[i], st, sizeof(*st));
	s->n++;
	return s->slot[i];
}

const struct sigrec_stack *stack_store__get(const struct stack_store *s, uint64_t id)
{
	return s ? s->slot[find(s, id)] : NULL;
}
