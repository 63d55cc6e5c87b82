/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siginfo.bpf.h - what a signal record says: the cause, the siginfo read
 * in the way this kernel's verifier takes, the target's disposition, every
 * field.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
static __always_inline __u8 classify(int sig, int code, __u8 ctx, __u64 info)
{
	if (ctx == SIGREC_CTX_IRQ)
		return code == SI_TIMER_CODE ? SIGREC_C_TIMER : SIGREC_C_IRQ;
	if (info <= 1)		/* SEND_SIG_NOINFO / SEND_SIG_PRIV */
		return SIGREC_C_KERNEL;
	if (code == SI_TIMER_CODE)
		return SIGREC_C_TIMER;
	if (code > 0 && code != SI_KERNEL_CODE && sigrec_sig_in(SIGREC_SET_FAULT, sig))
		return SIGREC_C_FAULT;
	if (code > 0)
		return SIGREC_C_KERNEL;
	return SIGREC_C_USER;
}

/*
 * How signal_generate's `info` is read.  It may be SEND_SIG_NOINFO or
 * SEND_SIG_PRIV (0 or 1), so newer verifiers (6.18.44 among them) hand it
 * over as a scalar and refuse a direct load that older ones (5.15, 6.1)
 * accept as a BTF pointer load.  bpf_rdonly_cast (6.2+) turns the scalar
 * into an untrusted BTF pointer for free: the verifier inlines the call as
 * a move, and the loads become exception-handled loads that cost what
 * plain ones do.  One helper read of the siginfo's head is accepted by
 * every verifier but costs a call per signal: the last resort.  The object
 * carries one signal program per way; user space loads the cheapest one
 * this kernel takes (capture.c).
 */
enum info_read { INFO_CAST, INFO_DIRECT, INFO_PROBE };

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

struct info_head {
	__s32 code, err;
	__u32 pid, uid;
};

static __always_inline void read_info(struct kernel_siginfo *info, enum info_read how,
				      struct info_head *h)
{
	if (how == INFO_PROBE) {
		/* siginfo's head is user ABI: signo, errno, code, then the
		 * 8-aligned union whose _kill starts with pid, uid */
		struct { __s32 signo, err, code, pad; __u32 pid, uid; } raw;

		if (bpf_probe_read_kernel(&raw, sizeof(raw), info))
			__builtin_memset(&raw, 0, sizeof(raw));
		h->code = raw.code;
		h->err = raw.err;
		h->pid = raw.pid;
		h->uid = raw.uid;
		return;
	}
	if (how == INFO_CAST)
		info = bpf_rdonly_cast(info, bpf_core_type_id_kernel(struct kernel_siginfo));
	h->code = info->si_code;
	h->err = info->si_errno;
	h->pid = info->_sifields._kill._pid;
	h->uid = info->_sifields._kill._uid;
}

/*
 * The target's handler of sig: sighand->action[sig - 1].  No verifier
 * takes a BTF load at a variable offset, and a helper read per signal
 * costs the pair storm about 6% of its rate (the siginfo probe variant,
 * docs/BENCHMARKS.md), so each signal has its own constant load: a
 * switch, which clang lowers to a few compares.  The kernel has just read
 * the same handler and masks to send the signal: they are in cache.
 */
#define SH1(i)	case (i): h = (unsigned long)sh->action[(i)].sa.sa_handler; break;
#define SH4(i)	SH1(i) SH1((i) + 1) SH1((i) + 2) SH1((i) + 3)
#define SH16(i)	SH4(i) SH4((i) + 4) SH4((i) + 8) SH4((i) + 12)

static __always_inline __u8 disp_of(unsigned long handler)
{
	return handler == 0 ? SIGREC_DISP_DEFAULT : handler == 1 ? SIGREC_DISP_IGNORED :
	       SIGREC_DISP_HANDLER;
}

static __always_inline __u16 disposition(struct task_struct *task, int sig)
{
	struct sighand_struct *sh = task->sighand;
	__u64 bit = 1ULL << ((sig - 1) & 63), blocked;
	unsigned long h;

	switch (sig - 1) {
	SH16(0) SH16(16) SH16(32) SH16(48)
	default:
		return 0;
	}
	/* real_blocked: the mask of a task waiting in sigtimedwait */
	blocked = task->blocked.sig[0] | task->real_blocked.sig[0];
	return disp_of(h) << SIGREC_SF_DISP_SHIFT | (blocked & bit ? SIGREC_SF_BLOCKED : 0);
}

/* Everything a signal record says but its header. */
static __always_inline void fill_signal(struct sigrec_signal *e, int sig,
					struct kernel_siginfo *info, struct task_struct *task,
					int group, int result, struct task_struct *cur,
					struct inflight *fl, __u8 rctx, __u64 timer, enum info_read how)
{
	__u64 infov = (__u64)info;
	int code = 0;

	e->sig = sig;
	e->result = result;
	e->group = group;
	e->ctx = rctx;
	e->sflags = disposition(task, sig);
	e->err = 0;
	e->claimed_pid = 0;
	e->claimed_uid = 0;
	if (infov == 0) {
		e->sflags |= SIGREC_SF_NOINFO;
		code = SI_USER_CODE;
	} else if (infov == 1) {
		e->sflags |= SIGREC_SF_PRIV;
		code = SI_KERNEL_CODE;
	} else {
		struct info_head ih;

		read_info(info, how, &ih);
		code = ih.code;
		e->err = ih.err;
		/* _kill._pid/_uid overlay every si_code <= 0 layout and SIGCHLD */
		if (code <= 0 || sig == SIGREC_SIGCHLD) {
			e->claimed_pid = ih.pid;
			e->claimed_uid = ih.uid;
			e->sflags |= SIGREC_SF_CLAIMED;
		} else if (stacks_on && sigrec_sig_in(SIGREC_SET_FAULT, sig)) {
			/* _sigfault._addr (and _sigsys._call_addr) overlay them */
			e->claimed_pid = ih.pid;
			e->claimed_uid = ih.uid;
		}
	}
	e->code = code;
	if (fl) {
		e->cause = SIGREC_C_SYSCALL;
		e->syscall = fl->sc;
		e->arg0 = fl->arg0;
		e->arg1 = fl->arg1;
	} else {
		e->cause = classify(sig, code, rctx, infov);
		e->syscall = SIGREC_SC_NONE;
		e->arg0 = 0;
		e->arg1 = 0;
		if (maybe_timer(sig, code, infov, rctx, timer))
			timer_of(e, infov, task, cur, timer);
	}
	e->ret = 0;
	if (stacks_on && e->cause == SIGREC_C_FAULT)
		e->sflags |= SIGREC_SF_FAULT;	/* stack_taken adds the user IP */
	/* without the irq hooks only a syscall or a fault names its sender */
	if (rctx == SIGREC_CTX_TASK ||
	    (rctx == SIGREC_CTX_UNKNOWN && (fl || e->cause == SIGREC_C_FAULT)))
		e->sflags |= SIGREC_SF_SENDER;
	fill_task(&e->sender, cur);
	fill_task(&e->target, task);
}
