/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deliver.bpf.h - deliveries: what the target did with a signal
 * (signal_deliver), coalesced; the flush program of coalescing.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
/* ---- deliveries: what the target did with a signal ---- */

/* Default actions, as sig_kernel_* in include/linux/signal.h (below SIGRTMIN). */
#define KSIG_IGNORE	(SIGREC_BIT(17) | SIGREC_BIT(18) | SIGREC_BIT(23) | SIGREC_BIT(28))
#define KSIG_STOP	(SIGREC_BIT(19) | SIGREC_BIT(20) | SIGREC_BIT(21) | SIGREC_BIT(22))
#define KSIG_COREDUMP	(SIGREC_BIT(3) | SIGREC_BIT(4) | SIGREC_BIT(5) | SIGREC_BIT(6) |	\
			 SIGREC_BIT(7) | SIGREC_BIT(8) | SIGREC_BIT(11) | SIGREC_BIT(24) |	\
			 SIGREC_BIT(25) | SIGREC_BIT(31))

static __always_inline void take_action(struct sigrec_deliver *d, int sig, unsigned long handler)
{
	d->disp = disp_of(handler);
	if (handler == 1)
		d->action = SIGREC_A_IGNORE;
	else if (handler)
		d->action = SIGREC_A_HANDLER;
	else if (sig == SIGREC_SIGCONT)
		d->action = SIGREC_A_CONTINUE;
	else if (sig < 32 && sigrec_sig_in(KSIG_IGNORE, sig))
		d->action = SIGREC_A_IGNORE;
	else if (sig < 32 && sigrec_sig_in(KSIG_STOP, sig))
		d->action = SIGREC_A_STOP;
	else if (sig < 32 && sigrec_sig_in(KSIG_COREDUMP, sig))
		d->action = SIGREC_A_CORE;
	else
		d->action = SIGREC_A_TERMINATE;
}

/* Every field but the header and the count: words 2..9. */
static __always_inline int same_delivery(const struct sigrec_deliver *a,
					 const struct sigrec_deliver *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 diff = 0;

#pragma unroll
	for (int i = 2; i < offsetof(struct sigrec_deliver, count) / 8; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/* Write the deliveries a CPU holds as one record. */
static __always_inline void close_deliveries(struct sigrec_run *r, __u64 now)
{
	struct sigrec_deliver *e;

	stage_drain(r);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_drops(r->dlv.count, now);
		r->dlv.count = 0;
		return;
	}
	__builtin_memcpy(e, &r->dlv, sizeof(*e));
	e->h.cpu = bpf_get_smp_processor_id();
	e->to_ts = r->dlv.count > 1 ? now : r->dlv.h.ts;
	submit(e);
	r->dlv.count = 0;
}

/*
 * A delivery is held per CPU, not written: identical ones that follow in
 * the same tick only count.  It is written when a different one comes,
 * at the next tick, or when user space runs flush_runs (every poll).
 * The same busy protocol as the signal run (record_coalesced), on fields
 * of its own: the two programs may interrupt each other.
 */
static __always_inline void record_delivery(struct sigrec_deliver *d)
{
	__u32 zero = 0;
	struct sigrec_run *r = coalesce ? bpf_map_lookup_elem(&runs, &zero) : NULL;
	struct sigrec_deliver *e;
	__u64 now, j;

	d->h.type = SIGREC_T_DELIVER;
	d->h.flags = 0;
	d->h.size = sizeof(*d);
	d->h.cpu = 0;
	if (r && !r->dbusy) {
		r->dbusy = 1;
		barrier();
		j = bpf_jiffies64();
		if (r->dlv.count && j == r->dtick && same_delivery(d, &r->dlv)) {
			r->dlv.count++;
		} else {
			now = clock_read(r);
			if (r->dlv.count)
				close_deliveries(r, now);
			d->h.ts = now;
			d->count = 1;
			d->to_ts = now;
			__builtin_memcpy(&r->dlv, d, sizeof(*d));
			r->dtick = j;
		}
		barrier();
		r->dbusy = 0;
		return;
	}
	e = reserve(sizeof(*e), SIGREC_T_DELIVER);
	if (!e)
		return;
	d->h = e->h;
	d->count = 1;
	d->to_ts = d->h.ts;
	__builtin_memcpy(e, d, sizeof(*e));
	submit(e);
}

/*
 * signal_deliver fires in get_signal(), in the target's context, for
 * each signal it dequeues, and with (SIGKILL, SEND_SIG_NOINFO) for a
 * group exit already under way: a fatal signal makes the kernel kill the
 * group at generation, with a SIGKILL of its own; group_exit_code names
 * the signal (0: exit_group or an exec's zap, no signal).
 */
static __always_inline int on_deliver(int sig, __u64 info, int code, unsigned long handler,
				      unsigned long sa_flags)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct sigrec_deliver d;

	if (failed_only)
		return 0;
	d.dflags = 0;
	if (sig == SIGREC_SIGKILL && is_noinfo(info)) {
		sig = cur->signal->group_exit_code & 0x7f;
		if (!sig)
			return 0;
		d.dflags = SIGREC_DF_GROUP_EXIT;
		code = 0;
		handler = 0;
		sa_flags = 0;
	}
	if (!sig_wanted(sig) || (filter_tgid && cur->tgid != filter_tgid) || !comm_wanted(cur->comm))
		return 0;
	fill_task(&d.task, cur);
	d.sig = sig;
	d.code = code;
	take_action(&d, sig, handler);
	d.sa_flags = sa_flags;
	record_delivery(&d);
	return 0;
}

/* si_code of a dequeued signal: one read, which every verifier takes */
static __always_inline int info_code(struct kernel_siginfo *info)
{
	int code = 0;

	if ((__u64)info > 1)
		bpf_probe_read_kernel(&code, sizeof(code), &info->si_code);
	return code;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	TEST_REFUSE(SIGREC_TEST_REFUSE_DELIVER);
	TEST_REFUSE(SIGREC_TEST_REFUSE_DELIVER_BTF);
	return on_deliver(sig, (__u64)info, info_code(info), (unsigned long)ka->sa.sa_handler,
			  ka->sa.sa_flags);
}

/* Where the kernel refuses the tp_btf form: every argument read by helper. */
SEC("raw_tp/signal_deliver")
int BPF_PROG(on_signal_deliver_raw, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	TEST_REFUSE(SIGREC_TEST_REFUSE_DELIVER);
	return on_deliver(sig, (__u64)info, info_code(info),
			  (unsigned long)BPF_CORE_READ(ka, sa.sa_handler), BPF_CORE_READ(ka, sa.sa_flags));
}

/*
 * Run by user space on each CPU (BPF_PROG_TEST_RUN on that CPU) so the
 * tail of a run reaches the ring buffer when the storm is over.
 */
SEC("raw_tp")
int flush_runs(void *ctx)
{
	__u32 zero = 0;
	struct sigrec_run *r = bpf_map_lookup_elem(&runs, &zero);

	if (!r)
		return 0;
	if (!r->busy && (r->count || r->nstage)) {
		r->busy = 1;
		barrier();
		stage_out(r);
		if (r->count)
			close_run(r, clock_read(r));
		barrier();
		r->busy = 0;
	}
	if (!r->dbusy && r->dlv.count) {
		r->dbusy = 1;
		barrier();
		close_deliveries(r, clock_read(r));
		barrier();
		r->dbusy = 0;
	}
	return 0;
}
