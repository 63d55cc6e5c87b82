// SPDX-License-Identifier: MIT
/*
 * test_model.c - the process model: identities across /proc clock ticks and
 * pid reuse, bounded work for any recording (one pid with a hundred
 * thousand start times in one tick), and bounded exec history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "model.h"

#define TICK	10000000ULL
#define BASE	(3600ULL * 1000000000ULL)

static void task(struct sigrec_task *t, uint32_t pid, uint64_t start, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = t->tid = pid;
	t->start_ns = start;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
}

static void feed_signal(struct model *m, uint64_t ts, const struct sigrec_task *from,
			const struct sigrec_task *to)
{
	struct sigrec_signal s;

	memset(&s, 0, sizeof(s));
	s.h.type = SIGREC_T_SIGNAL;
	s.h.size = sizeof(s);
	s.h.ts = ts;
	s.sig = 15;
	s.sender = *from;
	s.target = *to;
	model__feed(m, &s, sizeof(s));
}

static void feed_proc(struct model *m, uint32_t pid, uint64_t start, const char *comm)
{
	struct sigrec_proc p;

	memset(&p, 0, sizeof(p));
	p.h.type = SIGREC_T_PROC;
	p.h.size = sizeof(p);
	task(&p.task, pid, start, comm);
	model__feed(m, &p, sizeof(p));
}

static void feed_exec(struct model *m, uint64_t ts, uint32_t pid, uint64_t start,
		      const char *argv0, unsigned int arg)
{
	struct sigrec_exec e;

	memset(&e, 0, sizeof(e));
	e.h.type = SIGREC_T_EXEC;
	e.h.size = sizeof(e);
	e.h.ts = ts;
	task(&e.task, pid, start, argv0);
	snprintf(e.filename, sizeof(e.filename), "/bin/%s", argv0);
	e.argv_len = snprintf(e.argv, sizeof(e.argv), "%s%c%u", argv0, 0, arg) + 1;
	model__feed(m, &e, sizeof(e));
}

/* /proc gives ticks, BPF ns: either finds the other, pid reuse does not mix. */
static void test_ticks_and_reuse(void **state)
{
	struct model *m = model__new();
	struct sigrec_task a, b;
	const struct proc *p;

	(void)state;
	feed_proc(m, 100, BASE, "from-proc");		/* tick-rounded */
	task(&a, 100, BASE + 4321, "exact");
	task(&b, 200, BASE + 5 * TICK + 17, "other");
	feed_signal(m, BASE + TICK, &a, &b);		/* the exact time replaces it */
	p = model__get(m, 100, BASE + 4321);
	assert_non_null(p);
	assert_true(p->start_ns == BASE + 4321);
	assert_ptr_equal(model__get(m, 100, BASE), p);	/* the tick still finds it */
	assert_null(model__get(m, 100, BASE + 4322));	/* another exact time does not */
	assert_ptr_equal(model__get(m, 200, BASE + 5 * TICK), model__get(m, 200, BASE + 5 * TICK + 17));
	/* pid 100 reused later: model__at picks by time */
	task(&a, 100, BASE + 100 * TICK + 9, "reused");
	feed_signal(m, BASE + 101 * TICK, &a, &b);
	assert_ptr_equal(model__at(m, 100, BASE + 50 * TICK), p);
	assert_true(model__at(m, 100, BASE + 200 * TICK)->start_ns == BASE + 100 * TICK + 9);
	assert_null(model__at(m, 100, BASE - 2 * TICK));
	assert_null(model__at(m, 101, BASE + 200 * TICK));
	assert_non_null(model__at(m, 100, UINT64_MAX));
	model__free(m);
}

/*
 * A recording with one pid and n start times in one tick made every
 * lookup walk a chain of n (72 s for 100,000 records).  The work of the
 * same recording is now a small constant per lookup.
 */
static void test_one_pid_many_starts_bounded(void **state)
{
	const uint64_t n = 100000;
	struct model *m = model__new();
	struct model_stats st;
	struct sigrec_task a, b;

	(void)state;
	for (uint64_t i = 0; i < n; i++) {
		task(&a, 4242, BASE - TICK + 1 + i, "storm");
		task(&b, 4243, BASE - TICK + 1 + (i * 7919) % (TICK - 1), "storm");
		feed_signal(m, BASE + i, &a, &b);
	}
	/* and back: every one is found, exactly */
	for (uint64_t i = n; i-- > 0;) {
		const struct proc *p = model__get(m, 4242, BASE - TICK + 1 + i);

		assert_non_null(p);
		assert_true(p->start_ns == BASE - TICK + 1 + i);
		assert_non_null(model__at(m, 4242, BASE - TICK + 1 + i));
	}
	assert_non_null(model__get(m, 4242, BASE - TICK));	/* its tick */
	model__stats(m, &st);
	print_message("# %llu lookups, %llu entries looked at (%.1f each), %llu dropped\n",
		      (unsigned long long)st.lookups, (unsigned long long)st.probes,
		      (double)st.probes / st.lookups, (unsigned long long)st.dropped);
	assert_int_equal(st.dropped, 0);
	assert_true(st.probes <= 16 * st.lookups);
	model__free(m);
}

/* The same with start times in decreasing order, ticks apart (a tree's bad case). */
static void test_decreasing_starts_bounded(void **state)
{
	const uint64_t n = 50000;
	struct model *m = model__new();
	struct model_stats st;
	struct sigrec_task a;

	(void)state;
	for (uint64_t i = n; i-- > 0;) {
		task(&a, 7, BASE + i * TICK, "proc");	/* tick-rounded, as /proc gives */
		feed_signal(m, BASE + n * TICK, &a, &a);
		/* a /proc start may be a tick late: the latest by ts + 1 tick */
		assert_true(model__at(m, 7, BASE + (i - 1) * TICK)->start_ns == BASE + i * TICK);
	}
	model__stats(m, &st);
	print_message("# %llu lookups, %.1f entries each\n", (unsigned long long)st.lookups,
		      (double)st.probes / st.lookups);
	assert_true(st.probes <= 64 * st.lookups);
	model__free(m);
}

/* 100,000 identical execs keep no image; varying ones keep the newest 64. */
static void test_exec_history_bounded(void **state)
{
	struct model *m = model__new();
	struct model_stats st;
	const struct proc *p, *q;
	int kept = 0;

	(void)state;
	for (unsigned int i = 0; i < 100000; i++)
		feed_exec(m, BASE + i, 42, BASE - 1, "same", 0);
	p = model__get(m, 42, BASE - 1);
	assert_non_null(p->before_exec);	/* who it was before the first exec */
	assert_null(p->before_exec->before_exec);	/* and nothing for the 99,999 others */
	assert_true(p->exec_ts == BASE);	/* when it became what it is */
	model__stats(m, &st);
	assert_int_equal(st.execs_cut, 0);

	for (unsigned int i = 0; i < 1000; i++)
		feed_exec(m, BASE + 1000000 + i, 43, BASE - 1, "vary", i);
	p = model__get(m, 43, BASE - 1);
	for (q = p->before_exec; q; q = q->before_exec)
		kept++;
	assert_int_equal(kept, MODEL_MAX_EXEC_HISTORY);
	model__stats(m, &st);
	assert_int_equal(st.execs_cut, 1000 - MODEL_MAX_EXEC_HISTORY);
	assert_int_equal(st.procs_cut, 1);
	/* a time after a kept exec resolves; one before every kept one says so
	 * (execs 937..999 are kept as the images after 936..998) */
	q = model__as_of(p, BASE + 1000000 + 990);
	assert_true(q->argv_len == 9 && !strcmp(q->argv + 5, "990"));
	assert_false(model__history_cut(q, BASE + 1000000 + 990));
	q = model__as_of(p, BASE + 1000000 + 10);
	assert_true(model__history_cut(q, BASE + 1000000 + 10));
	model__free(m);
}

/* In all, at most MODEL_MAX_HISTORY images, however many processes exec. */
static void test_exec_history_total(void **state)
{
	struct model *m = model__new();
	struct model_stats st;
	size_t images = 0;
	const struct proc **all;
	size_t n;

	(void)state;
	/* each keeps 3 images: who it was before each exec */
	for (unsigned int pid = 1; pid <= MODEL_MAX_HISTORY / 2 + 100; pid++)
		for (unsigned int i = 0; i < 3; i++)
			feed_exec(m, BASE + i, pid, BASE - 1, "job", i);
	n = model__all(m, &all);
	for (size_t i = 0; i < n; i++)
		for (const struct proc *q = all[i]->before_exec; q; q = q->before_exec)
			images++;
	model__stats(m, &st);
	assert_int_equal(images, MODEL_MAX_HISTORY);
	assert_int_equal(st.execs_cut, 3 * (MODEL_MAX_HISTORY / 2 + 100) - MODEL_MAX_HISTORY);
	model__free(m);
}

/* A shorter string after a longer one leaves no bytes of the longer. */
static void test_no_stale_tails(void **state)
{
	struct model *m = model__new();
	struct sigrec_exec e;
	const struct proc *p;

	(void)state;
	feed_exec(m, BASE, 9, BASE - 1, "averyverylongname", 123456789);
	memset(&e, 0, sizeof(e));
	e.h.type = SIGREC_T_EXEC;
	e.h.size = sizeof(e);
	e.h.ts = BASE + 1;
	task(&e.task, 9, BASE - 1, "sh");
	strcpy(e.filename, "/bin/sh");
	memcpy(e.argv, "sh", 3);
	e.argv_len = 3;
	model__feed(m, &e, sizeof(e));
	p = model__get(m, 9, BASE - 1);
	for (size_t i = strlen(p->exe); i < sizeof(p->exe); i++)
		assert_int_equal(p->exe[i], 0);
	for (size_t i = strlen(p->comm); i < sizeof(p->comm); i++)
		assert_int_equal(p->comm[i], 0);
	for (size_t i = p->argv_len; i < sizeof(p->argv); i++)
		assert_int_equal(p->argv[i], 0);
	model__free(m);
}

/* Trimming rebuilds the indexes: survivors are found, the dropped are not. */
static void test_trim(void **state)
{
	struct model *m = model__new();
	struct sigrec_exit x;
	struct sigrec_task t;

	(void)state;
	for (uint32_t pid = 1; pid <= 3000; pid++) {
		task(&t, pid, BASE + pid, "p");
		feed_signal(m, BASE + pid, &t, &t);
		if (pid <= 2000) {
			memset(&x, 0, sizeof(x));
			x.h.type = SIGREC_T_EXIT;
			x.h.size = sizeof(x);
			x.h.ts = BASE + 10 * TICK + pid;
			x.task = t;
			x.group_dead = 1;
			model__feed(m, &x, sizeof(x));
		}
	}
	model__trim(m, 1500);
	for (uint32_t pid = 1; pid <= 3000; pid++) {
		if (pid <= 1500)
			assert_null(model__get(m, pid, BASE + pid));
		else
			assert_true(model__get(m, pid, BASE + pid)->pid == pid);
	}
	assert_true(model__at(m, 2500, BASE + 3000)->pid == 2500);
	model__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks_and_reuse),
		cmocka_unit_test(test_one_pid_many_starts_bounded),
		cmocka_unit_test(test_decreasing_starts_bounded),
		cmocka_unit_test(test_exec_history_bounded),
		cmocka_unit_test(test_exec_history_total),
		cmocka_unit_test(test_no_stale_tails),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
