// SPDX-License-Identifier: MIT
/* names.c - one table per enum of sigrec.h. */
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
