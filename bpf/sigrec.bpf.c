// SPDX-License-Identifier: GPL-2.0
/*
 * sigrec.bpf.c - kernel side of the signal flight recorder.
 *
 * signal_generate (tp_btf) sees every signal the kernel generates; the
 * kill-family syscall hooks (fentry/fexit, or syscall tracepoints where
 * fentry is refused) add the raw target argument and the return value, and
 * turn attempts that raised nothing into "failed" records.  Lifecycle hooks
 * (fork, exec, exit, rename, OOM) let user space rebuild process trees.
 *
 * Filters are const volatile (.rodata) so the verifier prunes what a run
 * does not use; events are submitted without a wakeup until the ring holds
 * wakeup_bytes, so the reader wakes per batch, never per event.
 *
 * One object: the parts below are *.bpf.h files included in order (the
 * README lists them), each a job of the recorder's kernel side.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sigrec.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 sig_mask[2] = { ~0ULL, ~0ULL };
const volatile __u32 filter_tgid = 0;
const volatile __u8 filter_comm_on = 0;
const volatile char filter_comm[SIGREC_COMM_LEN] = {};
const volatile __u8 failed_only = 0;
const volatile __u64 wakeup_bytes = 1 << 20;
const volatile __u8 syscall_hooks = 1;
const volatile __u8 coalesce = 1;
const volatile __u8 irq_hooks = 1;
const volatile __u8 record_probes = 0;	/* --probes: kill(pid, 0) calls too */
const volatile __u8 stacks_on = 0;	/* sender and fault stacks (stack_taken) */
const volatile __u64 stack_mask = 0;	/* signals whose sender's stack is taken */
const volatile __u64 stack_any = 0;	/* stack_mask and the fault signals: the first test */

/*
 * Test builds only (tests/e2e/test_degrade.sh): a program the verifier of
 * every kernel refuses, chosen at load time, to prove that sigrec degrades
 * (an optional program) or stops with a short message (the core).
 */
#ifdef SIGREC_TEST_REFUSE
const volatile __u32 test_refuse = 0;	/* SIGREC_TEST_REFUSE_* */
#define TEST_REFUSE(id)								\
	do {									\
		if (test_refuse == (id))					\
			return *(volatile int *)(long)bpf_get_prandom_u32();	\
	} while (0)
#else
#define TEST_REFUSE(id)	do { } while (0)
#endif	/* 0: the irq context hooks are not attached */

/* Events to user space; size set by the recorder before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Per-CPU count and time range of events the ring buffer had no room for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sigrec_drops);
} drops SEC(".maps");

/*
 * Pinned with the rest so a restarted recorder can tell whether the pinned
 * set is its own: user space stores a hash of the object and its settings.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIGREC_META_N);
	__type(key, __u32);
	__type(value, __u64);
} meta SEC(".maps");

/* Drops already written into the ring, per CPU (user space only). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} drops_seen SEC(".maps");

/* Per-task state of a kill-family call in progress (enter -> exit). */
struct inflight {
	__u16 sc;
	__u16 pad;
	__s32 sig;
	__s64 arg0;
	__s64 arg1;
	__u32 count;	/* signals generated during the call */
	__u32 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * Per-CPU interrupt nesting depth, kept by the irq, softirq and hrtimer
 * entry/exit hooks below, and the task that was running when it rose.  A
 * signal raised while the depth is up *in that same task* comes from
 * interrupt context (a timer, a softirq): the running task is not its
 * sender.  The owner matters on PREEMPT_RT, where handlers, softirqs and
 * most hrtimer callbacks run in threads that can be preempted with the
 * depth raised: another task running on that CPU meanwhile is not in
 * interrupt context.  (The kernel's own per-CPU preempt count is a ksym
 * that kernels without KALLSYMS_ALL cannot resolve, and a stack-address
 * test breaks on kernels that give BPF programs a private stack.)  User
 * space attaches the exit hooks first, and exits saturate at zero, so the
 * depth can never stick above zero.
 */
struct irq_state {
	__u64 depth;
	__u64 owner;	/* task_struct address of the task the depth belongs to */
	/*
	 * The hrtimer expiring at depth tdepth (0: none), and the one it
	 * interrupted, if any (a hard hrtimer in a soft one's callback): a
	 * signal raised at exactly that depth comes from its callback.
	 */
	__u64 timer, tdepth;
	__u64 otimer, odepth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_state);
} irq_depth SEC(".maps");

/*
 * The last signal recorded on each CPU and the identical ones seen since
 * (struct sigrec_run in sigrec.h).  A repeat costs a compare and a count;
 * the repeats reach the ring buffer as one record per scheduler tick, when
 * a different signal comes, or when user space runs flush_runs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sigrec_run);
} runs SEC(".maps");

/* Kernel's TRACE_SIGNAL_OVERFLOW_FAIL */
#define KSIG_OVERFLOW_FAIL	3

#define SI_USER_CODE	0
#define SI_KERNEL_CODE	0x80
#define SI_TIMER_CODE	(-2)

#include "irqctx.bpf.h"

static __always_inline int sig_wanted(int sig)
{
	if (sig < 1 || sig > SIGREC_NSIG)
		return 1;	/* invalid numbers are only seen as failed attempts */
	__u32 n = sig - 1;

	return (sig_mask[(n >> 6) & 1] >> (n & 63)) & 1;
}

static __always_inline int comm_wanted(const char *comm)
{
	int i;

	if (!filter_comm_on)
		return 1;
	for (i = 0; i < SIGREC_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

/*
 * Direct (BTF) loads only on the hot path: helper calls are what a signal
 * record costs.  The namespace pid needs an indexed read, so it is taken
 * only for tasks outside the initial pid namespace.
 */
static __always_inline void fill_task(struct sigrec_task *t, struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	struct pid *lp = leader->thread_pid;
	unsigned int level = lp->level;
	const __u64 *comm = (const __u64 *)task->comm;
	__u64 *dst = (__u64 *)t->comm;

	t->pid = task->tgid;
	t->tid = task->pid;
	t->start_ns = leader->start_boottime;
	t->uid = task->real_cred->uid.val;
	t->ns_pid = level ? BPF_CORE_READ(lp, numbers[level].nr) : t->pid;
	t->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	dst[0] = comm[0];
	dst[1] = comm[1];
}

static __always_inline void count_drops(__u64 n, __u64 now)
{
	__u32 zero = 0;
	struct sigrec_drops *d = bpf_map_lookup_elem(&drops, &zero);

	if (!d)
		return;
	if (!d->count)
		d->first_ts = now;
	d->count += n;
	d->last_ts = now;
}

static __always_inline void *reserve_at(__u32 size, __u8 type, __u64 ts)
{
	struct sigrec_rec_hdr *h = bpf_ringbuf_reserve(&events, size, 0);

	if (!h) {
		count_drops(1, ts);
		return NULL;
	}
	h->type = type;
	h->flags = 0;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts = ts;
	return h;
}

static __always_inline void *reserve(__u32 size, __u8 type)
{
	return reserve_at(size, type, bpf_ktime_get_boot_ns());
}

/*
 * Wake the reader only when the producer position crosses a multiple of
 * wakeup_bytes (a power of two): once per batch however full the buffer
 * is, and without reading the consumer's position, whose cache line the
 * reader owns.  The reader also polls on a short timeout.
 */
static __always_inline void submit(void *e)
{
	struct sigrec_rec_hdr *h = e;
	__u64 pos = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
	__u64 len = (h->size + 8 + 7) & ~7ULL;

	bpf_ringbuf_submit(e, (pos & (wakeup_bytes - 1)) < len ? BPF_RB_FORCE_WAKEUP
								 : BPF_RB_NO_WAKEUP);
}

/* The same rule for a record copied in with bpf_ringbuf_output(). */
static __always_inline __u64 output_flags(__u32 size)
{
	__u64 pos = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
	__u64 len = (size + 8 + 7) & ~7ULL;

	return ((pos + len) & (wakeup_bytes - 1)) < len ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#define barrier()	asm volatile("" ::: "memory")

/*
 * Write the run's pending repeats as one record; the run goes on.  A lone
 * repeat is written as a plain signal record: its time is exact.
 */
static __always_inline void close_run(struct sigrec_run *r, __u64 now)
{
	__u32 size = r->count == 1 ? sizeof(struct sigrec_signal) : sizeof(struct sigrec_repeat);
	struct sigrec_repeat *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		count_drops(r->count, now);
		r->count = 0;
		return;
	}
	__builtin_memcpy(&e->s, &r->base, sizeof(e->s));
	e->s.h.type = SIGREC_T_SIGNAL;
	e->s.h.flags = 0;
	e->s.h.size = size;
	e->s.h.cpu = bpf_get_smp_processor_id();
	e->s.h.ts = r->from_ts;
	if (size == sizeof(*e)) {
		e->s.h.flags = SIGREC_SIG_REPEAT;
		e->count = r->count;
		e->to_ts = now;
	}
	submit(e);
	r->count = 0;
}

/* Every field but the header: the time and the CPU may differ. */
static __always_inline int same_signal(const struct sigrec_signal *a,
				       const struct sigrec_signal *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 diff = 0;

#pragma unroll
	for (int i = 2; i < sizeof(*a) / 8; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

#include "timers.bpf.h"
#include "siginfo.bpf.h"

/*
 * Coalescing: a signal identical to the last one recorded on this CPU only
 * counts; the first repeat of each tick takes the time.  A different
 * signal first writes the pending repeats, then itself.
 *
 * Only this program and flush_runs touch a CPU's entry, and only from that
 * CPU, so the one way to meet is by interruption: flush_runs from an IPI
 * in the middle of this program, or this program from an interrupt in the
 * middle of flush_runs run on the recorder's own CPU.  Whoever holds the
 * busy flag finishes first; the other skips (flush_runs) or records the
 * signal on its own (this program).  This program never nests on a CPU:
 * the kernel skips a tp_btf program that is already running there.
 */
static __always_inline void record_coalesced(struct sigrec_run *r, struct sigrec_signal *e)
{
	__u64 now, j;

	r->busy = 1;
	barrier();
	if (r->valid && same_signal(e, &r->base)) {
		j = bpf_jiffies64();
		if (!r->count || j != r->tick) {
			now = bpf_ktime_get_boot_ns();
			if (r->count)
				close_run(r, now);
			r->from_ts = now;
			r->tick = j;
		}
		r->count++;
		goto out;
	}
	now = bpf_ktime_get_boot_ns();
	if (r->count)
		close_run(r, now);
	e->h.type = SIGREC_T_SIGNAL;
	e->h.flags = 0;
	e->h.size = sizeof(*e);
	e->h.cpu = bpf_get_smp_processor_id();
	e->h.ts = now;
	/* a full buffer loses this one, counted; its repeats still coalesce
	 * (each repeat record carries the whole signal), so a reader starved
	 * of CPU loses one record, not the storm */
	if (bpf_ringbuf_output(&events, e, sizeof(*e), output_flags(sizeof(*e))))
		count_drops(1, now);
	__builtin_memcpy(&r->base, e, sizeof(*e));
	r->valid = 1;
out:
	barrier();
	r->busy = 0;
}

#include "stacks.bpf.h"

static __always_inline int on_signal(void *ctx, int sig, struct kernel_siginfo *info,
				     struct task_struct *task, int group, int result,
				     enum info_read how)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct inflight *fl = NULL;
	struct sigrec_run *r = NULL;
	struct sigrec_signal *e, one;
	__u64 timer;
	__u8 rctx = run_ctx(cur, &timer);
	__u32 zero = 0;

	TEST_REFUSE(SIGREC_TEST_REFUSE_SIGNAL);
	if (syscall_hooks && rctx != SIGREC_CTX_IRQ) {
		fl = bpf_task_storage_get(&inflight, cur, 0, 0);
		if (fl && fl->sc && (rctx == SIGREC_CTX_TASK || fl->sig == sig))
			fl->count++;
		else
			fl = NULL;
	}
	if (!sig_wanted(sig) || (filter_tgid && task->tgid != filter_tgid) ||
	    !comm_wanted(task->comm))
		return 0;
	if (failed_only && result != KSIG_OVERFLOW_FAIL)
		return 0;

	/* an overflow's syscall fails afterwards (sysret): never coalesced */
	if (coalesce && result != KSIG_OVERFLOW_FAIL)
		r = bpf_map_lookup_elem(&runs, &zero);
	if (stacks_on && sigrec_sig_in(stack_any, sig)) {
		fill_signal(&one, sig, info, task, group, result, cur, fl, rctx, timer, how);
		if (stack_taken(ctx, &one, cur))
			return 0;
		if (r && !r->busy)
			record_coalesced(r, &one);
		else if ((e = reserve(sizeof(*e), SIGREC_T_SIGNAL))) {
			__builtin_memcpy(&e->sig, &one.sig, sizeof(*e) - sizeof(e->h));
			submit(e);
		}
		return 0;
	}
	if (r && !r->busy) {
		fill_signal(&one, sig, info, task, group, result, cur, fl, rctx, timer, how);
		record_coalesced(r, &one);
		return 0;
	}
	e = reserve(sizeof(*e), SIGREC_T_SIGNAL);
	if (!e)
		return 0;
	fill_signal(e, sig, info, task, group, result, cur, fl, rctx, timer, how);
	submit(e);
	return 0;
}

/* The core program, one per way of reading `info` (read_info above). */
#define SIGNAL_PROG(name, how)							\
SEC("tp_btf/signal_generate")							\
int BPF_PROG(name, int sig, struct kernel_siginfo *info, struct task_struct *task,	\
	     int group, int result)						\
{										\
	return on_signal(ctx, sig, info, task, group, result, how);			\
}

SIGNAL_PROG(on_signal_generate, INFO_CAST)
SIGNAL_PROG(on_signal_generate_direct, INFO_DIRECT)
SIGNAL_PROG(on_signal_generate_probe, INFO_PROBE)

#include "deliver.bpf.h"
#include "syscalls.bpf.h"
#include "lifecycle.bpf.h"
