/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.bpf.h - the kill-family syscall hooks: which call a signal was
 * raised in, with its raw target argument, its return value, and the
 * attempts that raised nothing.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
/* ---- kill-family syscall hooks ---- */

/*
 * One hook per call, at its return (fexit, or the syscall's exit
 * tracepoint): the call's number and arguments are in the user registers
 * its syscall entry saved (pt_regs), which stay as they were until the
 * return, so no hook at the call's entry is needed.  The signal program
 * finds the call it runs in from the same registers: orig_ax is the
 * call's number, ax holds -ENOSYS from the syscall entry until the call
 * returns.  That tells a signal raised by the call from one raised around
 * it in the same task: a seccomp or syscall-user-dispatch SIGSYS (they
 * roll ax back to orig_ax first) and what the syscall's exit work raises
 * (ax holds the return value by then).  x86-64 numbers only (the hooks
 * are on the x86-64 wrappers); a 32-bit call (TS_COMPAT) and kernel
 * threads have no such call.
 *
 * The return hook needs to know whether the call raised anything: the
 * signal program counts, in the task's storage, the signals raised while
 * it is in a call, and the return hook takes the count and resets it.
 */
struct sc_call {
	__s64 arg0, arg1;
	__s32 sig;
	__u16 sc;	/* SIGREC_SC_*; SIGREC_SC_NONE: not in a kill-family call */
	__u16 pad;
};

#define SIGREC_ENOSYS	38
#define SIGREC_TS_COMPAT 0x0002	/* x86 thread_info.status: a 32-bit syscall */
#define SIGREC_PF_KTHREAD 0x00200000

/*
 * The kill family, X(name, SIGREC_SC_*, x86-64 number, target, second
 * target, signal), the arguments read from the saved registers R.
 */
#define ARG(R, f)	((__s64)(int)(R)->f)
#define KILL_FAMILY(X, R)							\
	X(kill, SIGREC_SC_KILL, 62, ARG(R, di), 0, ARG(R, si))			\
	X(tkill, SIGREC_SC_TKILL, 200, ARG(R, di), 0, ARG(R, si))		\
	X(tgkill, SIGREC_SC_TGKILL, 234, ARG(R, di), ARG(R, si), ARG(R, dx))	\
	X(rt_sigqueueinfo, SIGREC_SC_RT_SIGQUEUEINFO, 129, ARG(R, di), 0, ARG(R, si)) \
	X(rt_tgsigqueueinfo, SIGREC_SC_RT_TGSIGQUEUEINFO, 297, ARG(R, di), ARG(R, si), \
	  ARG(R, dx))								\
	X(pidfd_send_signal, SIGREC_SC_PIDFD_SEND_SIGNAL, 424, ARG(R, di), 0, ARG(R, si))

#define SC_SET(c, idx, a0, a1, s)						\
	({ (c)->sc = (idx); (c)->arg0 = (a0); (c)->arg1 = (a1); (c)->sig = (s); })

/*
 * Syscall number -> SIGREC_SC_*, SC_3ARGS where the call takes two target
 * arguments (the signal in dx).  A table, not a switch: the verifier reads
 * an entry at a variable index as a value it does not know, so the signal
 * program is verified once, not once per call (a switch made every start
 * several times slower to load: seconds under qemu).
 */
#define SC_NR_MAX	425
#define SC_3ARGS	0x80
#define SC_TWO_TARGETS(idx)	((idx) == SIGREC_SC_TGKILL || (idx) == SIGREC_SC_RT_TGSIGQUEUEINFO)
#define SC_NR_ENTRY(name, idx, nr, a0, a1, s)	[nr] = (idx) | (SC_TWO_TARGETS(idx) ? SC_3ARGS : 0),
const volatile __u8 sc_of_nr[SC_NR_MAX] = { KILL_FAMILY(SC_NR_ENTRY, regs) };

/* The kill-family call cur is in, into *c (c->sc 0: none). */
static __always_inline void sc_current(struct task_struct *cur, struct sc_call *c)
{
	struct pt_regs *regs;
	__u64 nr, e, m, si;

	c->arg0 = 0;
	c->arg1 = 0;
	c->sig = 0;
	c->sc = SIGREC_SC_NONE;
	c->pad = 0;
	if (cur->flags & SIGREC_PF_KTHREAD)
		return;
	if (bpf_core_field_exists(cur->thread_info.status) &&
	    (cur->thread_info.status & SIGREC_TS_COMPAT))
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	if (!regs || regs->ax != (unsigned long)-SIGREC_ENOSYS)
		return;
	nr = regs->orig_ax;
	if (nr >= SC_NR_MAX)
		return;
	e = sc_of_nr[nr];
	if (!e)
		return;
	/* two target arguments: (di, si, dx); one: (di, 0, si) */
	m = -(e >> 7);
	si = (int)regs->si;
	c->sc = e & ~SC_3ARGS;
	c->arg0 = (int)regs->di;
	c->arg1 = si & m;
	c->sig = ((__u64)(int)regs->dx & m) | (si & ~m);
}

/* A call that raised nothing: a failed attempt, or an existence probe (sig 0). */
static __always_inline void emit_failed(struct task_struct *cur, const struct sc_call *c, long ret)
{
	struct sigrec_signal *e;

	if (!sig_wanted(c->sig) || filter_comm_on || (failed_only && ret >= 0))
		return;
	if (filter_tgid && c->arg0 != filter_tgid)
		return;
	e = reserve(sizeof(*e), SIGREC_T_SIGNAL);
	if (!e)
		return;
	__builtin_memset(&e->sig, 0, sizeof(*e) - sizeof(e->h));
	e->sig = c->sig;
	e->result = c->sig == 0 && ret == 0 ? SIGREC_R_PROBE : SIGREC_R_FAILED;
	e->group = c->sc == SIGREC_SC_KILL || c->sc == SIGREC_SC_RT_SIGQUEUEINFO ||
		   c->sc == SIGREC_SC_PIDFD_SEND_SIGNAL;
	e->cause = SIGREC_C_SYSCALL;
	e->syscall = c->sc;
	e->sflags = SIGREC_SF_SENDER;
	e->ret = ret;
	e->arg0 = c->arg0;
	e->arg1 = c->arg1;
	fill_task(&e->sender, cur);
	switch (c->sc) {
	case SIGREC_SC_TKILL:
		e->target.tid = c->arg0;
		break;
	case SIGREC_SC_TGKILL:
	case SIGREC_SC_RT_TGSIGQUEUEINFO:
		e->target.pid = c->arg0;
		e->target.tid = c->arg1;
		break;
	case SIGREC_SC_PIDFD_SEND_SIGNAL:
		break;
	default:
		if (c->arg0 > 0)
			e->target.pid = c->arg0;
	}
	submit(e);
}

static __always_inline void emit_sysret(struct task_struct *cur, const struct sc_call *c,
					long ret, __u32 count)
{
	struct sigrec_sysret *e = reserve(sizeof(*e), SIGREC_T_SYSRET);

	if (!e)
		return;
	e->tid = cur->pid;
	e->syscall = c->sc;
	e->pad = 0;
	e->ret = ret;
	e->count = count;
	submit(e);
}

/* The signal program, for a signal raised in a kill-family call: one more. */
static __always_inline void sc_count(struct task_struct *cur)
{
	struct inflight *fl = bpf_task_storage_get(&inflight, cur, 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (fl)
		fl->count++;
}

/*
 * A kill-family call's return, its number and arguments in c: what it
 * raised is already recorded; a call that raised nothing is a failed
 * attempt (or, with --probes, an existence probe), one that raised
 * something and failed all the same gets its return value (sysret).
 */
static __always_inline void sc_return(struct task_struct *cur, const struct sc_call *c, long ret)
{
	struct inflight *fl = bpf_task_storage_get(&inflight, cur, 0, 0);
	__u32 count = 0;

	if (fl && fl->count) {
		count = fl->count;
		fl->count = 0;
	}
	if (ret >= 0 && !record_probes)
		return;
	if (c->sig == 0) {	/* a probe raises nothing: one record, its result */
		if (record_probes)
			emit_failed(cur, c, ret);
	} else if (ret < 0 && count == 0) {
		emit_failed(cur, c, ret);
	} else if (ret < 0) {
		emit_sysret(cur, c, ret, count);
	}
}

/*
 * Syscall exit tracepoints: the fallback where fexit is refused.  Context
 * layout of syscalls:sys_exit_*: 8 bytes of common fields, int
 * __syscall_nr, then the 8-byte ret; the arguments are read from the
 * saved registers.
 */
struct sc_exit_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

#define SC_TP(name, idx, nr, a0, a1, s)						\
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int tp_exit_##name(struct sc_exit_ctx *ctx)					\
{										\
	struct task_struct *cur = bpf_get_current_task_btf();			\
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);	\
	struct sc_call c;							\
										\
	if (!regs)								\
		return 0;							\
	SC_SET(&c, idx, a0, a1, s);						\
	sc_return(cur, &c, ctx->ret);						\
	return 0;								\
}

/*
 * fexit on the x86-64 syscall wrappers: no cost to other syscalls.  The
 * wrappers take the user's pt_regs; arguments are di, si, dx.
 */
#define SC_FEXIT(name, idx, nr, a0, a1, s)					\
SEC("fexit/__x64_sys_" #name)							\
int BPF_PROG(fx_##name, const struct pt_regs *regs, long ret)			\
{										\
	struct sc_call c;							\
										\
	SC_SET(&c, idx, a0, a1, s);						\
	sc_return(bpf_get_current_task_btf(), &c, ret);				\
	return 0;								\
}

KILL_FAMILY(SC_TP, regs)
KILL_FAMILY(SC_FEXIT, regs)
