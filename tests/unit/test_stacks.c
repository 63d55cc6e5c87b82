// SPDX-License-Identifier: MIT
/*
 * test_stacks.c - stack records (lib/stacks.c): the id is the hash of the
 * frames, a decoded record is checked (kind, frames within its length,
 * strings ended, id), references decode, and every truncation and byte
 * flip of a record decodes as that record or is refused, never as another
 * stack; the reader's table keeps one copy per id, bounded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "stacks.h"

static void user_stack(struct sigrec_stack *st, uint32_t n)
{
	memset(st, 0, sizeof(*st));
	st->h.type = SIGREC_T_STACK;
	st->h.ts = 123456789;
	st->h.cpu = 1;
	st->kind = SIGREC_STACK_USER;
	st->nframes = n;
	for (uint32_t i = 0; i < n; i++) {
		st->frames[i].status = SIGREC_FRAME_VALID;
		memset(st->frames[i].build_id, 0x10 + i, sizeof(st->frames[i].build_id));
		st->frames[i].offset = 0x1000 + 16 * i;
	}
	st->h.size = stack_size(st);
	st->id = stack_id(st);
}

static void kernel_stack(struct sigrec_stack *st)
{
	memset(st, 0, sizeof(*st));
	st->h.type = SIGREC_T_STACK;
	st->kind = SIGREC_STACK_KERNEL;
	st->nframes = 3;
	snprintf(st->ksyms[0], SIGREC_KSYM_LEN, "__send_signal_locked+0x1c4");
	snprintf(st->ksyms[1], SIGREC_KSYM_LEN, "__cgroup_kill+0xab");
	snprintf(st->ksyms[2], SIGREC_KSYM_LEN, "cgroup_kill_write+0xaa");
	st->h.size = stack_size(st);
	st->id = stack_id(st);
}

static void ids(void **state)
{
	struct sigrec_stack a, b;

	(void)state;
	user_stack(&a, 4);
	user_stack(&b, 4);
	assert_int_equal(a.id, b.id);
	assert_int_equal(stack_size(&a), 32 + 4 * 32);
	b.frames[3].offset++;
	assert_true(stack_id(&b) != a.id);
	user_stack(&b, 3);	/* a prefix is another stack */
	assert_true(b.id != a.id);
	b.h.ts++;		/* the header is not the stack */
	assert_int_equal(stack_id(&b), b.id);
	kernel_stack(&b);
	assert_int_equal(stack_size(&b), 32 + 3 * SIGREC_KSYM_LEN);
	assert_true(b.id != 0);
}

static void decode(void **state)
{
	struct sigrec_stack a, out, ref = { 0 };

	(void)state;
	user_stack(&a, 5);
	assert_int_equal(stack_decode(&a, a.h.size, &out), 0);
	assert_memory_equal(&out, &a, a.h.size);
	kernel_stack(&a);
	assert_int_equal(stack_decode(&a, a.h.size, &out), 0);
	assert_string_equal(out.ksyms[1], "__cgroup_kill+0xab");
	a.ksyms[2][SIGREC_KSYM_LEN - 1] = 'x';
	memset(a.ksyms[2], 'x', SIGREC_KSYM_LEN);	/* not ended */
	a.id = stack_id(&a);
	assert_int_equal(stack_decode(&a, a.h.size, &out), -EBADMSG);
	/* a reference: an id and no frames */
	ref.h.type = SIGREC_T_STACK;
	ref.h.flags = SIGREC_STACK_REF;
	ref.id = 42;
	ref.h.size = offsetof(struct sigrec_stack, frames);
	assert_int_equal(stack_decode(&ref, ref.h.size, &out), 0);
	assert_int_equal(out.id, 42);
	ref.nframes = 1;
	assert_int_equal(stack_decode(&ref, ref.h.size, &out), -EBADMSG);
	user_stack(&a, 2);
	a.kind = 7;
	assert_int_equal(stack_decode(&a, a.h.size, &out), -EBADMSG);
	user_stack(&a, 2);
	a.nframes = SIGREC_STACK_MAX + 1;
	assert_int_equal(stack_decode(&a, sizeof(a), &out), -EBADMSG);
}

/* Cut or flipped anywhere: the same stack, or refused. */
static void hostile(void **state)
{
	struct sigrec_stack a, b, out;
	uint8_t *p = (uint8_t *)&b;

	(void)state;
	user_stack(&a, 6);
	for (size_t n = 0; n < a.h.size; n++)
		assert_int_equal(stack_decode(&a, n, &out), -EBADMSG);
	for (size_t i = 0; i < a.h.size; i++) {
		for (int bit = 0; bit < 8; bit++) {
			b = a;
			p[i] ^= 1 << bit;
			if (stack_decode(&b, a.h.size, &out))
				continue;
			/* accepted: only the header's time, CPU, size or type moved */
			assert_true(i < 16);
			assert_int_equal(out.id, a.id);
			assert_memory_equal(out.frames, a.frames, 6 * sizeof(a.frames[0]));
		}
	}
}

static void store(void **state)
{
	struct stack_store *s = stack_store__new();
	struct sigrec_stack a, b;
	const struct sigrec_stack *k;

	(void)state;
	user_stack(&a, 3);
	user_stack(&b, 4);
	k = stack_store__add(s, &a);
	assert_non_null(k);
	assert_ptr_equal(stack_store__add(s, &a), k);	/* one copy per id */
	assert_non_null(stack_store__add(s, &b));
	assert_ptr_equal(stack_store__get(s, a.id), k);
	assert_null(stack_store__get(s, a.id ^ 1));
	assert_null(stack_store__get(NULL, a.id));
	/* bounded: STACK_STORE_MAX distinct stacks, then no more */
	for (uint32_t i = 0; i < STACK_STORE_MAX + 10; i++) {
		a.frames[0].offset = 0x100000 + i;
		a.id = stack_id(&a);
		stack_store__add(s, &a);
	}
	a.frames[0].offset = 0x900000;
	a.id = stack_id(&a);
	assert_null(stack_store__add(s, &a));
	stack_store__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids),
		cmocka_unit_test(decode),
		cmocka_unit_test(hostile),
		cmocka_unit_test(store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
