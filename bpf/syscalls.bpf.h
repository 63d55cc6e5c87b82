/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.bpf.h - the kill-family syscall hooks: the raw target argument
 * and return value, failed attempts.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
/* ---- kill-family syscall hooks ---- */

static __always_inline void sc_enter(__u16 sc, __s64 arg0, __s64 arg1, __s64 sig)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct inflight *fl;

	if (sig == 0 && !record_probes)	/* existence probe: raises nothing */
		return;
	fl = bpf_task_storage_get(&inflight, cur, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!fl)
		return;
	fl->sc = sc;
	fl->sig = sig;
	fl->arg0 = arg0;
	fl->arg1 = arg1;
	fl->count = 0;
}

/* A call that raised nothing: a failed attempt, or an existence probe (sig 0). */
static __always_inline void emit_failed(struct task_struct *cur, struct inflight *fl, long ret)
{
	struct sigrec_signal *e;

	if (!sig_wanted(fl->sig) || filter_comm_on || (failed_only && ret >= 0))
		return;
	if (filter_tgid && fl->arg0 != filter_tgid)
		return;
	e = reserve(sizeof(*e), SIGREC_T_SIGNAL);
	if (!e)
		return;
	__builtin_memset(&e->sig, 0, sizeof(*e) - sizeof(e->h));
	e->sig = fl->sig;
	e->result = fl->sig == 0 && ret == 0 ? SIGREC_R_PROBE : SIGREC_R_FAILED;
	e->group = fl->sc == SIGREC_SC_KILL || fl->sc == SIGREC_SC_RT_SIGQUEUEINFO ||
		   fl->sc == SIGREC_SC_PIDFD_SEND_SIGNAL;
	e->cause = SIGREC_C_SYSCALL;
	e->syscall = fl->sc;
	e->sflags = SIGREC_SF_SENDER;
	e->ret = ret;
	e->arg0 = fl->arg0;
	e->arg1 = fl->arg1;
	fill_task(&e->sender, cur);
	switch (fl->sc) {
	case SIGREC_SC_TKILL:
		e->target.tid = fl->arg0;
		break;
	case SIGREC_SC_TGKILL:
	case SIGREC_SC_RT_TGSIGQUEUEINFO:
		e->target.pid = fl->arg0;
		e->target.tid = fl->arg1;
		break;
	case SIGREC_SC_PIDFD_SEND_SIGNAL:
		break;
	default:
		if (fl->arg0 > 0)
			e->target.pid = fl->arg0;
	}
	submit(e);
}

static __always_inline void emit_sysret(struct task_struct *cur, struct inflight *fl, long ret)
{
	struct sigrec_sysret *e = reserve(sizeof(*e), SIGREC_T_SYSRET);

	if (!e)
		return;
	e->tid = cur->pid;
	e->syscall = fl->sc;
	e->pad = 0;
	e->ret = ret;
	e->count = fl->count;
	submit(e);
}

static __always_inline void sc_exit(long ret)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct inflight *fl = bpf_task_storage_get(&inflight, cur, 0, 0);

	if (!fl || !fl->sc)
		return;
	if (fl->sig == 0)	/* a probe raises nothing: one record, its result */
		emit_failed(cur, fl, ret);
	else if (ret < 0 && fl->count == 0)
		emit_failed(cur, fl, ret);
	else if (ret < 0)
		emit_sysret(cur, fl, ret);
	fl->sc = 0;
}

/*
 * Syscall tracepoints: the fallback where fentry is refused.  Context
 * layout of syscalls:sys_enter_* / sys_exit_*: 8 bytes of common fields,
 * int __syscall_nr, then 8-byte args (or the 8-byte ret).
 */
struct sc_enter_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 args[6];
};

struct sc_exit_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

#define SC_TP(name, idx, a0, a1, s)						\
SEC("tracepoint/syscalls/sys_enter_" #name)					\
int tp_enter_##name(struct sc_enter_ctx *ctx)					\
{										\
	sc_enter(idx, a0, a1, s);						\
	return 0;								\
}										\
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int tp_exit_##name(struct sc_exit_ctx *ctx)					\
{										\
	sc_exit(ctx->ret);							\
	return 0;								\
}

SC_TP(kill, SIGREC_SC_KILL, (int)ctx->args[0], 0, (int)ctx->args[1])
SC_TP(tkill, SIGREC_SC_TKILL, (int)ctx->args[0], 0, (int)ctx->args[1])
SC_TP(tgkill, SIGREC_SC_TGKILL, (int)ctx->args[0], (int)ctx->args[1], (int)ctx->args[2])
SC_TP(rt_sigqueueinfo, SIGREC_SC_RT_SIGQUEUEINFO, (int)ctx->args[0], 0, (int)ctx->args[1])
SC_TP(rt_tgsigqueueinfo, SIGREC_SC_RT_TGSIGQUEUEINFO, (int)ctx->args[0], (int)ctx->args[1],
      (int)ctx->args[2])
SC_TP(pidfd_send_signal, SIGREC_SC_PIDFD_SEND_SIGNAL, (int)ctx->args[0], 0, (int)ctx->args[1])

/*
 * fentry/fexit on the x86-64 syscall wrappers: no cost to other syscalls.
 * The wrappers take the user's pt_regs; arguments are di, si, dx.
 */
#define SC_FENTRY(name, idx, a0, a1, s)						\
SEC("fentry/__x64_sys_" #name)							\
int BPF_PROG(fe_##name, const struct pt_regs *regs)				\
{										\
	sc_enter(idx, a0, a1, s);						\
	return 0;								\
}										\
SEC("fexit/__x64_sys_" #name)							\
int BPF_PROG(fx_##name, const struct pt_regs *regs, long ret)			\
{										\
	sc_exit(ret);								\
	return 0;								\
}

SC_FENTRY(kill, SIGREC_SC_KILL, (int)regs->di, 0, (int)regs->si)
SC_FENTRY(tkill, SIGREC_SC_TKILL, (int)regs->di, 0, (int)regs->si)
SC_FENTRY(tgkill, SIGREC_SC_TGKILL, (int)regs->di, (int)regs->si, (int)regs->dx)
SC_FENTRY(rt_sigqueueinfo, SIGREC_SC_RT_SIGQUEUEINFO, (int)regs->di, 0, (int)regs->si)
SC_FENTRY(rt_tgsigqueueinfo, SIGREC_SC_RT_TGSIGQUEUEINFO, (int)regs->di, (int)regs->si,
	  (int)regs->dx)
SC_FENTRY(pidfd_send_signal, SIGREC_SC_PIDFD_SEND_SIGNAL, (int)regs->di, 0, (int)regs->si)
