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
 * takes a BTF load at a variable offset.  Where bpf_rdonly_cast is there
 * (INFO_CAST), the entry's address is computed and cast: one load.  Else
 * each signal has its own constant load: a switch, which clang lowers to a
 * tree of compares, mispredicted when the signals vary (the mix storm:
 * about 13 ns of BPF time a signal).  A helper read per signal costs the
 * pair storm about 6% of its rate (the siginfo probe variant,
 * docs/BENCHMARKS.md).
 * The kernel has just read the same handler and masks to send the signal:
 * they are in cache.
 */
#define SH1(i)	case (i): return (unsigned long)sh->action[(i)].sa.sa_handler;
#define SH4(i)	SH1(i) SH1((i) + 1) SH1((i) + 2) SH1((i) + 3)
#define SH16(i)	SH4(i) SH4((i) + 4) SH4((i) + 8) SH4((i) + 12)

static __always_inline unsigned long handler_of(struct sighand_struct *sh, int sig,
						enum info_read how)
{
	const struct k_sigaction *ka;
	__u64 a;

	if (how == INFO_CAST) {
		a = (__u64)sh + bpf_core_field_offset(struct sighand_struct, action) +
		    (__u64)((sig - 1) & 63) * bpf_core_type_size(struct k_sigaction);
		ka = bpf_rdonly_cast((void *)a, bpf_core_type_id_kernel(struct k_sigaction));
		return (unsigned long)ka->sa.sa_handler;
	}
	switch (sig - 1) {
	SH16(0) SH16(16) SH16(32) SH16(48)
	}
	return 0;
}

static __always_inline __u8 disp_of(unsigned long handler)
{
	return handler == 0 ? SIGREC_DISP_DEFAULT : handler == 1 ? SIGREC_DISP_IGNORED :
	       SIGREC_DISP_HANDLER;
}

static __always_inline __u16 disposition(struct task_struct *task, int sig, enum info_read how)
{
	__u64 bit = 1ULL << ((sig - 1) & 63), blocked;
	unsigned long h;

	if (!sigrec_sig_valid(sig))	/* no table entry: nothing to say */
		return 0;
	h = handler_of(task->sighand, sig, how);

	/* real_blocked: the mask of a task waiting in sigtimedwait */
	blocked = task->blocked.sig[0] | task->real_blocked.sig[0];
	return disp_of(h) << SIGREC_SF_DISP_SHIFT | (blocked & bit ? SIGREC_SF_BLOCKED : 0);
}

/* siginfo's words for a run key: si_code, si_errno << 32; si_pid, si_uid << 32 */
static __always_inline void info_words(struct kernel_siginfo *info, enum info_read how, __u64 w[2])
{
	struct info_head ih;

	w[0] = (__u32)(is_noinfo((__u64)info) ? SI_USER_CODE : SI_KERNEL_CODE);
	w[1] = 0;
	if ((__u64)info <= 1)
		return;
	read_info(info, how, &ih);
	w[0] = (__u32)ih.code | (__u64)(__u32)ih.err << 32;
	w[1] = ih.pid | (__u64)ih.uid << 32;
}

/*
 * The reads a signal record is built from (struct sigrec_runkey), in the
 * order a compare meets a difference soonest.  The record and its key are
 * built from the same reads: they agree whatever changes meanwhile.
 */
#define RUN_KEY(X, K)								\
	X((K).cur, cur)								\
	X((K).task, task)							\
	X((K).what, (__u32)sig | (__u64)(__u8)group << 32 | (__u64)(__u8)result << 40 |	\
		    (__u64)rctx << 48)						\
	X((K).gen, ident_gen)							\
	X((K).sc, call->sc)							\
	X((K).arg0, call->sc ? call->arg0 : 0)					\
	X((K).arg1, call->sc ? call->arg1 : 0)					\
	X((K).info0, in->info[0])						\
	X((K).info1, in->info[1])						\
	X((K).disp, in->disp)							\
	KEY_TASK(X, (K).t, task)						\
	KEY_TASK(X, (K).s, cur)

/* The reads both a key and its compare start from, taken once per signal. */
struct key_in {
	__u64 info[2];	/* info_words */
	__u64 disp;	/* disposition, and whether there is a siginfo */
};

static __always_inline void key_in(struct key_in *in, int sig, struct kernel_siginfo *info,
				   struct task_struct *task, enum info_read how)
{
	info_words(info, how, in->info);
	in->disp = disposition(task, sig, how) | (is_noinfo((__u64)info) ? SIGREC_SF_NOINFO :
						  (__u64)info == 1 ? SIGREC_SF_PRIV : 0);
}

#define RUN_KEY_ARGS	const struct key_in *in, int sig, struct task_struct *task,	\
			int group, int result, struct task_struct *cur,			\
			const struct sc_call *call, __u8 rctx

static __always_inline void read_key(struct sigrec_runkey *k, RUN_KEY_ARGS)
{
	RUN_KEY(KEY_SET, *k)
}

/* Whether k holds the reads of this signal, compared as they are read. */
static __always_inline int key_same(const struct sigrec_runkey *k, RUN_KEY_ARGS)
{
	RUN_KEY(KEY_DIFFERS, *k)
	return 1;
}

/* Everything a signal record says but its header, from its reads k. */
static __always_inline void fill_signal(struct sigrec_signal *e, const struct sigrec_runkey *k,
					struct kernel_siginfo *info, struct task_struct *task,
					struct task_struct *cur, __u64 timer)
{
	__u64 infov = (__u64)info;
	int sig = (__u32)k->what, code = (__s32)k->info0;
	__u8 rctx = k->what >> 48;

	e->sig = sig;
	e->result = k->what >> 40;
	e->group = k->what >> 32;
	e->ctx = rctx;
	e->sflags = k->disp;
	e->err = k->info0 >> 32;
	e->claimed_pid = 0;
	e->claimed_uid = 0;
	/* _kill._pid/_uid overlay every si_code <= 0 layout and SIGCHLD;
	 * _sigfault._addr (and _sigsys._call_addr) overlay them for faults */
	if (infov > 1 && (code <= 0 || sig == SIGREC_SIGCHLD)) {
		e->claimed_pid = k->info1;
		e->claimed_uid = k->info1 >> 32;
		e->sflags |= SIGREC_SF_CLAIMED;
	} else if (infov > 1 && stacks_on && sigrec_sig_in(SIGREC_SET_FAULT, sig)) {
		e->claimed_pid = k->info1;
		e->claimed_uid = k->info1 >> 32;
	}
	e->code = code;
	if (k->sc) {
		e->cause = SIGREC_C_SYSCALL;
		e->syscall = k->sc;
		e->arg0 = k->arg0;
		e->arg1 = k->arg1;
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
	    (rctx == SIGREC_CTX_UNKNOWN && (k->sc || e->cause == SIGREC_C_FAULT)))
		e->sflags |= SIGREC_SF_SENDER;
	fill_task_key(&e->sender, cur, &k->s);
	fill_task_key(&e->target, task, &k->t);
}
