// SPDX-License-Identifier: MIT
/* names.c - one table per enum of sigrec.h. */
#include <stdio.h>
#include <string.h>
#include "names.h"

static const char *const causes[] = {
	[SIGREC_C_UNKNOWN] = "unknown", [SIGREC_C_SYSCALL] = "syscall",
	[SIGREC_C_KERNEL] = "kernel",	[SIGREC_C_FAULT] = "fault",
	[SIGREC_C_TIMER] = "timer",	[SIGREC_C_IRQ] = "interrupt",
	[SIGREC_C_OOM] = "oom",		[SIGREC_C_USER] = "user",
};

static const char *const results[] = {
	[SIGREC_R_DELIVERED] = "delivered", [SIGREC_R_IGNORED] = "ignored",
	[SIGREC_R_ALREADY_PENDING] = "already_pending", [SIGREC_R_OVERFLOW] = "overflow",
	[SIGREC_R_LOSE_INFO] = "lose_info", [SIGREC_R_FAILED] = "failed",
	[SIGREC_R_PROBE] = "probe",
};

/* the pstore line's shorter words (docs/PSTORE.md), side by side */
static const char *const results_short[] = {
	[SIGREC_R_DELIVERED] = "ok", [SIGREC_R_IGNORED] = "ignored",
	[SIGREC_R_ALREADY_PENDING] = "pending", [SIGREC_R_OVERFLOW] = "overflow",
	[SIGREC_R_LOSE_INFO] = "lose_info", [SIGREC_R_FAILED] = "failed",
	[SIGREC_R_PROBE] = "probe",
};

static const char *const syscalls[] = {
	[SIGREC_SC_NONE] = "", [SIGREC_SC_KILL] = "kill", [SIGREC_SC_TKILL] = "tkill",
	[SIGREC_SC_TGKILL] = "tgkill", [SIGREC_SC_RT_SIGQUEUEINFO] = "rt_sigqueueinfo",
	[SIGREC_SC_RT_TGSIGQUEUEINFO] = "rt_tgsigqueueinfo",
	[SIGREC_SC_PIDFD_SEND_SIGNAL] = "pidfd_send_signal",
};

static const char *const contexts[] = {
	[SIGREC_CTX_TASK] = "task", [SIGREC_CTX_IRQ] = "interrupt", [SIGREC_CTX_UNKNOWN] = "unknown",
};

static const char *const actions[] = {
	[SIGREC_A_UNKNOWN] = "unknown", [SIGREC_A_HANDLER] = "handler",
	[SIGREC_A_IGNORE] = "ignore", [SIGREC_A_TERMINATE] = "terminate",
	[SIGREC_A_CORE] = "core", [SIGREC_A_STOP] = "stop", [SIGREC_A_CONTINUE] = "continue",
};

static const char *const dispositions[] = {
	[SIGREC_DISP_UNKNOWN] = "unknown", [SIGREC_DISP_DEFAULT] = "default",
	[SIGREC_DISP_IGNORED] = "ignored", [SIGREC_DISP_HANDLER] = "handler",
};

#define COUNT(tab) (sizeof(tab) / sizeof(tab[0]))
#define NAME(tab, i) ((unsigned int)(i) < COUNT(tab) && tab[i] ? tab[i] : "unknown")

static int find(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i] && tab[i][0] && !strcmp(tab[i], s))
			return i;
	return -1;
}

const char *names__cause(int cause) { return NAME(causes, cause); }
const char *names__result(int result) { return NAME(results, result); }
const char *names__syscall(int sc) { return NAME(syscalls, sc); }
const char *names__context(int ctx) { return NAME(contexts, ctx); }
const char *names__result_short(int result) { return NAME(results_short, result); }
const char *names__action(int action) { return NAME(actions, action); }
const char *names__disposition(int disp) { return NAME(dispositions, disp); }

int names__cause_parse(const char *s) { return find(causes, COUNT(causes), s); }
int names__syscall_parse(const char *s) { return find(syscalls, COUNT(syscalls), s); }
int names__result_short_parse(const char *s) { return find(results_short, COUNT(results_short), s); }

/* ---- timers (sflags' SIGREC_TK_*): what a JSON "timer" object says ---- */

#define SI_TIMER_CODE	(-2)

static const char *const clocks[] = {
	"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
	"CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME",
	"CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", NULL, "CLOCK_TAI",
};

/* A CPU-time timer, told apart by what it sends (kernel/time/posix-cpu-timers.c). */
static int cpu_kind(int sig, int code)
{
	if (code == SI_TIMER_CODE)
		return NAMES_TIMER_POSIX_CPU;
	switch (sig) {
	case 26: return NAMES_TIMER_ITIMER_VIRTUAL;	/* SIGVTALRM */
	case 27: return NAMES_TIMER_ITIMER_PROF;	/* SIGPROF */
	case 24: case 9: return NAMES_TIMER_RLIMIT_CPU;	/* SIGXCPU soft, SIGKILL hard */
	default: return NAMES_TIMER_CPU;
	}
}

int names__timer(int kind, int sig, int code)
{
	switch (kind) {
	case SIGREC_TK_ITIMER_REAL: return NAMES_TIMER_ITIMER_REAL;
	case SIGREC_TK_POSIX: return NAMES_TIMER_POSIX;
	case SIGREC_TK_ALARM: return NAMES_TIMER_ALARM;
	case SIGREC_TK_CPU: return cpu_kind(sig, code);
	default: return NAMES_TIMER_NONE;
	}
}

static const char *const timers[] = {
	[NAMES_TIMER_NONE] = "", [NAMES_TIMER_ITIMER_REAL] = "itimer_real",
	[NAMES_TIMER_POSIX] = "posix", [NAMES_TIMER_ALARM] = "alarm",
	[NAMES_TIMER_ITIMER_VIRTUAL] = "itimer_virtual", [NAMES_TIMER_ITIMER_PROF] = "itimer_prof",
	[NAMES_TIMER_RLIMIT_CPU] = "rlimit_cpu", [NAMES_TIMER_POSIX_CPU] = "posix_cpu",
	[NAMES_TIMER_CPU] = "cpu",
};

const char *names__timer_name(int t) { return NAME(timers, t); }

void names__clock(char *buf, size_t len, int64_t clock)
{
	if (clock >= 0 && clock < (int64_t)COUNT(clocks) && clocks[clock]) {
		snprintf(buf, len, "%s", clocks[clock]);
	} else if (clock < 0 && clock >= INT32_MIN) {
		/* make_process_cpuclock(): ~pid << 3 | thread << 2 | type; pid 0 is the caller */
		int32_t c = (int32_t)clock;
		uint32_t pid = ~(uint32_t)(c >> 3);

		if (pid)
			snprintf(buf, len, "CPU clock of %s %u", c & 4 ? "thread" : "process", pid);
		else
			snprintf(buf, len, "%s", c & 4 ? "CLOCK_THREAD_CPUTIME_ID" : "CLOCK_PROCESS_CPUTIME_ID");
	} else {
		snprintf(buf, len, "clock %lld", (long long)clock);
	}
}

void names__timer_how(char *buf, size_t len, int t, int sig, int has_clock, int64_t clock)
{
	char c[48] = "";

	if (has_clock)
		names__clock(c, sizeof(c), clock);
	switch (t) {
	case NAMES_TIMER_ITIMER_REAL:
		snprintf(buf, len, "setitimer(ITIMER_REAL) or alarm()");
		break;
	case NAMES_TIMER_POSIX:
	case NAMES_TIMER_ALARM:
	case NAMES_TIMER_POSIX_CPU:
		snprintf(buf, len, "timer_create(%s)%s", c,
			 !c[0] && t == NAMES_TIMER_POSIX_CPU ? " on a CPU-time clock" : "");
		break;
	case NAMES_TIMER_ITIMER_VIRTUAL:
		snprintf(buf, len, "setitimer(ITIMER_VIRTUAL)");
		break;
	case NAMES_TIMER_ITIMER_PROF:
		snprintf(buf, len, "setitimer(ITIMER_PROF)");
		break;
	case NAMES_TIMER_RLIMIT_CPU:
		snprintf(buf, len, "RLIMIT_CPU %s limit", sig == 9 ? "hard" : "soft");
		break;
	case NAMES_TIMER_CPU:
		snprintf(buf, len, "a CPU-time timer");
		break;
	default:
		snprintf(buf, len, "%s", "");
	}
}
