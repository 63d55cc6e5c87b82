/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stacks.bpf.h - the sender's or faulting task's stack, rate-limited per
 * CPU.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
/*
 * Stacks are rate-limited per CPU by a token bucket kept as its
 * theoretical arrival time (GCRA): a burst of STACK_BURST, then one every
 * STACK_EVERY_NS.  A storm of fatal signals records the stacks of its
 * first signals only; every signal is still recorded.
 */
#define STACK_BURST	8
#define STACK_EVERY_NS	100000000ULL	/* 10 a second per CPU after the burst */

/* one bucket for senders' stacks, one for faults and the kernel's: a storm
 * of kill()s never takes the stack of the crash that follows it */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stack_tat SEC(".maps");

static __always_inline int stack_token(__u32 bucket, __u64 now)
{
	__u64 *tat = bpf_map_lookup_elem(&stack_tat, &bucket), t;

	if (!tat)
		return 0;
	t = *tat > now ? *tat : now;
	if (t - now > (STACK_BURST - 1) * STACK_EVERY_NS)
		return 0;
	*tat = t + STACK_EVERY_NS;
	return 1;
}

/*
 * A kill-family sender's user stack, a faulting task's user stack (its
 * first frame is the fault site), or the kernel's stack for a fatal signal
 * the kernel raised on its own: a stack record, then the signal record
 * with the same time and CPU (never coalesced: the stack is its own).
 * Returns 1 when both were written.
 */
static __always_inline int stack_taken(void *ctx, struct sigrec_signal *e, struct task_struct *cur)
{
	struct sigrec_stack *st;
	int user, fault = e->cause == SIGREC_C_FAULT;
	__u32 cpu;
	__u64 now;
	long n;

	if (fault) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);

		e->arg0 = regs ? BPF_CORE_READ(regs, ip) : 0;
		user = 1;
	} else if (!sigrec_sig_in(stack_mask, e->sig)) {
		return 0;
	} else if (e->cause == SIGREC_C_SYSCALL ||
		   (e->cause == SIGREC_C_USER && e->ctx == SIGREC_CTX_TASK)) {
		/* the running task is the sender: never a task an interrupt hit */
		user = 1;
	} else if (e->cause == SIGREC_C_KERNEL || e->cause == SIGREC_C_IRQ ||
		   (e->cause == SIGREC_C_TIMER && (e->sflags & SIGREC_SF_PRIV))) {
		/* (the kernel's own timers: itimers, RLIMIT_CPU) */
		user = 0;
	} else {
		return 0;
	}
	TEST_REFUSE(SIGREC_TEST_REFUSE_STACKS);
	now = clock_read(NULL);
	if (!stack_token(!user || fault, now))
		return 0;
	stage_drain(NULL);
	st = bpf_ringbuf_reserve(&events, sizeof(*st), 0);
	if (!st)
		return 0;	/* the signal goes on without its stack */
	if (user)
		n = bpf_get_stack(ctx, st->frames, sizeof(st->frames),
				  BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
	else
		n = bpf_get_stack(ctx, st->ips, sizeof(st->ips), 0);
	if (n <= 0) {
		bpf_ringbuf_discard(st, 0);
		return 0;
	}
	cpu = bpf_get_smp_processor_id();
	st->h.type = SIGREC_T_STACK;
	st->h.flags = 0;
	st->h.size = sizeof(*st);
	st->h.cpu = cpu;
	st->h.ts = now;
	st->id = 0;
	st->kind = user ? SIGREC_STACK_USER : SIGREC_STACK_KRAW;
	st->nframes = user ? n / sizeof(struct sigrec_frame) : n / 8;
	submit(st);
	e->sflags |= SIGREC_SF_STACK;
	e->h.type = SIGREC_T_SIGNAL;
	e->h.flags = 0;
	e->h.size = sizeof(*e);
	e->h.cpu = cpu;
	e->h.ts = now;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wake_flags(sizeof(*e))))
		count_drops(1, now);
	return 1;
}
