/* SPDX-License-Identifier: MIT */
/* names.h - the names of sigrec.h's enums, one table each, for every output. */
#ifndef SIGREC_NAMES_H
#define SIGREC_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include "sigrec.h"

/* "unknown" for a value the table does not know (a newer recording). */
const char *names__cause(int cause);
const char *names__result(int result);
const char *names__syscall(int sc);
const char *names__context(int ctx);
/* The pstore line's word for a result ("ok", "pending", ...). */
const char *names__result_short(int result);
/* A delivery's enum sigrec_action; a SIGREC_DISP_* disposition. */
const char *names__action(int action);
const char *names__disposition(int disp);

/* The value a name stands for, or -1 (the empty "no syscall" is no name). */
int names__cause_parse(const char *s);
int names__syscall_parse(const char *s);
int names__result_short_parse(const char *s);

/*
 * Timers: the kind a JSON "timer" object names.  A signal record's
 * SIGREC_TK_CPU is one of four, told by the signal and its si_code.
 */
enum names_timer {
	NAMES_TIMER_NONE = 0,
	NAMES_TIMER_ITIMER_REAL,	/* setitimer(ITIMER_REAL), alarm() */
	NAMES_TIMER_POSIX,		/* timer_create on an hrtimer clock */
	NAMES_TIMER_ALARM,		/* timer_create(CLOCK_*_ALARM) */
	NAMES_TIMER_ITIMER_VIRTUAL,	/* SIGVTALRM */
	NAMES_TIMER_ITIMER_PROF,	/* SIGPROF */
	NAMES_TIMER_RLIMIT_CPU,		/* SIGXCPU (soft), SIGKILL (hard) */
	NAMES_TIMER_POSIX_CPU,		/* timer_create on a CPU-time clock */
	NAMES_TIMER_CPU,		/* another signal from the CPU timers */
};
/* The names_timer of a record's timer kind (sflags), signal and si_code. */
int names__timer(int kind, int sig, int code);
/* "itimer_real", "posix", ...; "" for NAMES_TIMER_NONE. */
const char *names__timer_name(int t);
/* How it was armed: "setitimer(ITIMER_REAL) or alarm()", "timer_create(CLOCK_MONOTONIC)". */
void names__timer_how(char *buf, size_t len, int t, int sig, int has_clock, int64_t clock);
/* A clock id: "CLOCK_MONOTONIC", "CPU clock of process 4242", "clock 42". */
void names__clock(char *buf, size_t len, int64_t clock);

#endif
