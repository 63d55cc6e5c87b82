/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqctx.bpf.h - interrupt context: the irq, softirq and hrtimer hooks
 * keep a per-CPU depth, so that a signal raised from an interrupt is not
 * blamed on the task it interrupted; the expiring hrtimer for the timer of
 * a timer signal.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
/* The context a signal is raised in; *timer: the hrtimer whose callback raises it, or 0. */
static __always_inline __u8 run_ctx(struct task_struct *cur, __u64 *timer)
{
	__u32 zero = 0;
	struct irq_state *d;

	*timer = 0;
	if (!irq_hooks)
		return SIGREC_CTX_UNKNOWN;
	d = bpf_map_lookup_elem(&irq_depth, &zero);
	if (!d || !d->depth || d->owner != (__u64)cur)
		return SIGREC_CTX_TASK;
	if (d->tdepth == d->depth)
		*timer = d->timer;
	return SIGREC_CTX_IRQ;
}

static __always_inline struct irq_state *irq_enter(void)
{
	__u64 cur = (__u64)bpf_get_current_task_btf();
	__u32 zero = 0;
	struct irq_state *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (!d)
		return NULL;
	if (d->owner != cur) {	/* left raised by a preempted handler thread */
		d->owner = cur;
		d->depth = 0;
		d->timer = 0;
		d->otimer = 0;
	}
	d->depth++;
	return d;
}

static __always_inline struct irq_state *irq_leave(void)
{
	__u64 cur = (__u64)bpf_get_current_task_btf();
	__u32 zero = 0;
	struct irq_state *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (!d || !d->depth || d->owner != cur)
		return NULL;
	d->depth--;
	return d;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(on_irq_entry) { irq_enter(); return 0; }
SEC("tp_btf/irq_handler_exit")
int BPF_PROG(on_irq_exit) { irq_leave(); return 0; }
SEC("tp_btf/softirq_entry")
int BPF_PROG(on_softirq_entry) { irq_enter(); return 0; }
SEC("tp_btf/softirq_exit")
int BPF_PROG(on_softirq_exit) { irq_leave(); return 0; }
/* The expiring hrtimer's address only (no load): which timer it is, the
 * signal program finds out, for the signals raised from it. */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(on_hrtimer_entry, struct hrtimer *timer)
{
	struct irq_state *d = irq_enter();

	if (d) {
		d->otimer = d->timer;
		d->odepth = d->tdepth;
		d->timer = (__u64)timer;
		d->tdepth = d->depth;
	}
	return 0;
}
SEC("tp_btf/hrtimer_expire_exit")
int BPF_PROG(on_hrtimer_exit)
{
	struct irq_state *d = irq_leave();

	if (d && d->timer && d->tdepth == d->depth + 1) {
		d->timer = d->otimer;
		d->tdepth = d->odepth;
		d->otimer = 0;
	}
	return 0;
}
