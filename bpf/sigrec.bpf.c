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
 * Which timer raised a signal (SIGREC_TK_* in sflags; docs/FORMAT.md).
 * Every kernel read here is a CO-RE helper read, made only for a signal
 * that already looks like a timer's: the hot path of other signals pays
 * a few compares.
 *
 * - ITIMER_REAL (setitimer, alarm): it_real_fn, the callback of the
 *   hrtimer signal_struct.real_timer, sends SIGALRM (SEND_SIG_PRIV) to
 *   the group: the expiring hrtimer is the target's own real_timer.
 * - POSIX timers: send_sigqueue(&timer->sigq...) with SI_TIMER and
 *   si_tid, from posix_timer_fn (it.real.timer), alarmtimer_fired
 *   (it.alarm.alarmtimer, CLOCK_*_ALARM) or the CPU timers' task work.
 *   The k_itimer is found from the siginfo where the sigqueue is embedded
 *   in it (6.13+), else from the expiring hrtimer; it counts only if its
 *   id is si_tid and it belongs to the target's process.  Its it_clock
 *   tells the kind.
 * - CPU time (ITIMER_VIRTUAL, ITIMER_PROF, RLIMIT_CPU): the CPU timers'
 *   check sends SIGVTALRM, SIGPROF, SIGXCPU or SIGKILL (SEND_SIG_PRIV) to
 *   the running task's own group, in task work while
 *   posix_cputimers_work.scheduled is set, or from the tick's hrtimer
 *   where there is no such task work.
 */
#define KSIG_CPUTIMER	(SIGREC_BIT(9) | SIGREC_BIT(24) | SIGREC_BIT(26) | SIGREC_BIT(27))
#define KCLOCK_PROCESS_CPUTIME	2
#define KCLOCK_THREAD_CPUTIME	3
#define KCLOCK_REALTIME_ALARM	8
#define KCLOCK_BOOTTIME_ALARM	9

/* The k_itimer at kt, if it is timer tid of the target's process: its clock. */
static __always_inline int itimer_clock(__u64 kt, int tid, struct task_struct *task, __s64 *clock)
{
	struct k_itimer *k = (struct k_itimer *)kt;
	__u64 owner;

	if (BPF_CORE_READ(k, it_id) != tid)
		return 0;
	if (bpf_core_field_exists(k->it_signal)) {
		/* bit 0: a deleted timer, on kernels that mark one */
		owner = (__u64)BPF_CORE_READ(k, it_signal) & ~1ULL;
		if (owner != (__u64)task->signal)
			return 0;
	}
	*clock = BPF_CORE_READ(k, it_clock);
	return 1;
}

/* The POSIX timer that sent a SI_TIMER signal: its clock, if it is found. */
static __always_inline int posix_clock(__u64 infov, __u64 timer, int tid,
				       struct task_struct *task, __s64 *clock)
{
	if (bpf_core_field_exists(struct k_itimer, sigq) &&
	    bpf_core_field_size(struct k_itimer, sigq) > 8 &&
	    itimer_clock(infov - bpf_core_field_offset(struct sigqueue, info) -
			 bpf_core_field_offset(struct k_itimer, sigq), tid, task, clock))
		return 1;
	if (!timer)
		return 0;
	if (bpf_core_field_exists(struct k_itimer, it.real.timer) &&
	    itimer_clock(timer - bpf_core_field_offset(struct k_itimer, it.real.timer), tid, task,
			 clock))
		return 1;
	return bpf_core_field_exists(struct k_itimer, it.alarm.alarmtimer.timer) &&
	       itimer_clock(timer - bpf_core_field_offset(struct k_itimer, it.alarm.alarmtimer.timer),
			    tid, task, clock);
}

static __always_inline __u16 posix_kind(__s64 clock)
{
	if (clock < 0 || clock == KCLOCK_PROCESS_CPUTIME || clock == KCLOCK_THREAD_CPUTIME)
		return SIGREC_TK_CPU;
	if (clock == KCLOCK_REALTIME_ALARM || clock == KCLOCK_BOOTTIME_ALARM)
		return SIGREC_TK_ALARM;
	return SIGREC_TK_POSIX;
}

/* Whether cur runs its CPU timers' task work (set from the tick until the work has checked them). */
static __always_inline int in_cputimer_work(struct task_struct *cur)
{
	if (!bpf_core_field_exists(cur->posix_cputimers_work))
		return 0;
	return BPF_CORE_READ(cur, posix_cputimers_work.scheduled) != 0;
}

/*
 * Whether a signal that is not a kill-family call's may be a timer's:
 * raised from an hrtimer's callback, a SI_TIMER, or what the CPU timers
 * send.  The hot path of every other signal stops here.
 */
static __always_inline int maybe_timer(int sig, int code, __u64 infov, __u8 rctx, __u64 timer)
{
	if (rctx == SIGREC_CTX_IRQ)
		return timer != 0;
	return (code == SI_TIMER_CODE && infov > 1) ||
	       (infov == 1 && sigrec_sig_in(KSIG_CPUTIMER, sig));
}

/* The timer that raised e, if any (e's signal, code and context are set). */
static __always_inline void timer_of(struct sigrec_signal *e, __u64 infov, struct task_struct *task,
				struct task_struct *cur, __u64 timer)
{
	int sig = e->sig, code = e->code;
	__u8 rctx = e->ctx;
	int cpu_sig = infov == 1 && sigrec_sig_in(KSIG_CPUTIMER, sig) && task == cur;
	__u16 kind = SIGREC_TK_NONE;
	__s64 clock = 0;
	int known = 0;

	if (rctx == SIGREC_CTX_IRQ) {
		if (!timer)
			return;
		if (timer == (__u64)&task->signal->real_timer) {
			kind = SIGREC_TK_ITIMER_REAL;
		} else if (code == SI_TIMER_CODE && infov > 1) {
			known = posix_clock(infov, timer, e->claimed_pid, task, &clock);
			kind = known ? posix_kind(clock) : SIGREC_TK_POSIX;
		} else if (cpu_sig) {
			kind = SIGREC_TK_CPU;	/* the tick's check, without task work */
		}
	} else if (code == SI_TIMER_CODE && infov > 1) {
		known = posix_clock(infov, 0, e->claimed_pid, task, &clock);
		if (known)
			kind = posix_kind(clock);
		else if (rctx == SIGREC_CTX_TASK && !bpf_core_field_exists(struct k_itimer, sigq) &&
			 task->tgid == cur->tgid)
			/* before 6.13 only the CPU timers' task work sends SI_TIMER
			 * from a task: its own, unless the timer is on another
			 * process's CPU clock (then not attributed) */
			kind = SIGREC_TK_CPU;
	} else if (cpu_sig && in_cputimer_work(cur)) {
		kind = SIGREC_TK_CPU;
	}
	if (!kind)
		return;
	e->sflags |= kind << SIGREC_SF_TIMER_SHIFT;
	e->cause = SIGREC_C_TIMER;
	if (known) {
		e->arg0 = clock;
		e->arg1 = SIGREC_TIMER_CLOCK;
	}
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
	now = bpf_ktime_get_boot_ns();
	if (!stack_token(!user || fault, now))
		return 0;
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
	if (bpf_ringbuf_output(&events, e, sizeof(*e), output_flags(sizeof(*e))))
		count_drops(1, now);
	return 1;
}

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
	struct sigrec_deliver *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

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
			now = bpf_ktime_get_boot_ns();
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
	if (sig == SIGREC_SIGKILL && info == 0) {
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
	if (!r->busy && r->count) {
		r->busy = 1;
		barrier();
		close_run(r, bpf_ktime_get_boot_ns());
		barrier();
		r->busy = 0;
	}
	if (!r->dbusy && r->dlv.count) {
		r->dbusy = 1;
		barrier();
		close_deliveries(r, bpf_ktime_get_boot_ns());
		barrier();
		r->dbusy = 0;
	}
	return 0;
}

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

/* ---- process lifecycle ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct sigrec_fork *e;
	struct pid *cp;

	TEST_REFUSE(SIGREC_TEST_REFUSE_FORK);
	e = reserve(sizeof(*e), SIGREC_T_FORK);
	if (!e)
		return 0;
	fill_task(&e->parent, parent);
	e->child_pid = child->tgid;
	e->child_tid = child->pid;
	e->child_start_ns = child->group_leader->start_boottime;
	e->thread = child->tgid == parent->tgid;
	cp = child->thread_pid;
	e->child_ns_pid = BPF_CORE_READ(cp, numbers[cp->level].nr);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sigrec_exec *e = reserve(sizeof(*e), SIGREC_T_EXEC);
	unsigned long start, end, len;
	long n;

	if (!e)
		return 0;
	/* the reservation holds bytes of earlier records: none may leak
	 * past a string's end into the recording or an export */
	__builtin_memset((char *)e + sizeof(e->h), 0, sizeof(*e) - sizeof(e->h));
	fill_task(&e->task, p);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	start = p->mm->arg_start;
	end = p->mm->arg_end;
	len = end - start;
	e->truncated = len > SIGREC_ARGV_LEN;
	if (len > SIGREC_ARGV_LEN)
		len = SIGREC_ARGV_LEN;
	n = bpf_probe_read_user(e->argv, len & (SIGREC_ARGV_LEN - 1 | SIGREC_ARGV_LEN), (void *)start);
	e->argv_len = n < 0 ? 0 : len;
	if (n < 0)
		e->argv[0] = 0;
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct sigrec_exit *e = reserve(sizeof(*e), SIGREC_T_EXIT);

	if (!e)
		return 0;
	fill_task(&e->task, p);
	e->exit_code = p->exit_code;
	e->group_dead = p->signal->live.counter == 0;
	submit(e);
	return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(on_rename, struct task_struct *task, const char *comm)
{
	struct sigrec_comm *e = reserve(sizeof(*e), SIGREC_T_COMM);

	if (!e)
		return 0;
	__builtin_memset(e->newcomm, 0, sizeof(e->newcomm));
	fill_task(&e->task, task);
	bpf_probe_read_kernel_str(e->newcomm, sizeof(e->newcomm), comm);
	submit(e);
	return 0;
}

/* Classic tracepoint: its BTF prototype changed across kernels, the
 * format's pid/uid fields did not. */
struct mark_victim_ctx {
	__u64 common;
	__s32 pid;
};

SEC("tracepoint/oom/mark_victim")
int on_mark_victim(struct mark_victim_ctx *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct sigrec_oom *e = reserve(sizeof(*e), SIGREC_T_OOM);

	if (!e)
		return 0;
	fill_task(&e->trigger, cur);
	e->victim_pid = ctx->pid;
	e->victim_uid = 0;
	e->memcg_id = 0;
	submit(e);
	return 0;
}
