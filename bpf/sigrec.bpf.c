// SPDX-License-Identifier: GPL-2.0
/*
 * sigrec.bpf.c - kernel side of the signal flight recorder.
 *
 * signal_generate (tp_btf) sees every signal the kernel generates; the
 * kill-family syscall hooks (fexit, or syscall exit tracepoints where fexit
 * is refused) add the raw target argument and the return value, and turn
 * attempts that raised nothing into "failed" records.  Lifecycle hooks
 * (fork, exec, exit, rename, OOM) let user space rebuild process trees.
 *
 * Filters are const volatile (.rodata) so the verifier prunes what a run
 * does not use; events are submitted without a wakeup until a CPU has
 * submitted wakeup_bytes, so the reader wakes per batch, never per event.
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
const volatile __u8 fast_repeats = 0;	/* exits are hooked: run keys can be trusted */

/* Bumped by every exit and cgroup move (lifecycle.bpf.h): a run key
 * taken before it is stale. */
__u64 ident_gen = 0;

/*
 * SEND_SIG_NOINFO (0), to compare a signal tracepoint's siginfo argument
 * with.  Some kernels type that argument as a pointer that is never NULL
 * (it is not on their list of tracepoint arguments that may be): their
 * verifier then decides a test of it against the constant 0 at load time
 * and drops the branch where it is 0 — which SEND_SIG_NOINFO is, so a
 * kill()'s SIGPIPE or a group exit's SIGKILL would take the other one.
 * A test against a value in memory, which the verifier cannot know, stays
 * in the program on every kernel.  Never written.
 */
__u64 sig_noinfo = 0;

static __always_inline int is_noinfo(__u64 info)
{
	return info == *(volatile __u64 *)&sig_noinfo;
}

/*
 * Benchmark builds only (bench/bench.sh, BENCH_PARTS=costs): what a new
 * signal's record costs, part by part, by leaving a part out of the path a
 * new signal takes (they are not recorders: bit 1 leaves the time of every
 * new signal stale, bit 2 writes none to the ring buffer).
 */
#ifndef SIGREC_BENCH_PART
#define SIGREC_BENCH_PART	0
#endif
#define BENCH_NO_CLOCK	(SIGREC_BENCH_PART & 1)
#define BENCH_NO_RING	(SIGREC_BENCH_PART & 2)

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

/* Per task: signals raised in the kill-family call it is in (syscalls.bpf.h). */
struct inflight {
	__u32 count;
	__u32 pad;
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
	/* invalid numbers are only seen as failed attempts */
	return !sigrec_sig_valid(sig) || sigrec_mask_has(sig_mask, sig);
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
 * record costs.  KEY_TASK reads what can change while a task lives (a run
 * key holds it: its css_set stands for its cgroup, ident_gen for a move);
 * fill_task_key adds what cannot, and the cgroup's id.  The namespace pid
 * needs an indexed read, so it is taken only for tasks outside the initial
 * pid namespace.
 *
 * KEY_TASK and RUN_KEY (siginfo.bpf.h) list a key's fields with the read
 * of each, X(field, value), for KEY_SET to take a key and KEY_DIFFERS to
 * compare one with the live values, without a copy.
 */
#define KEY_SET(lv, v)		(lv) = (__u64)(v);
#define KEY_DIFFERS(lv, v)	if ((lv) != (__u64)(v)) return 0;
#define KEY_TASK(X, K, t)							\
	X((K).id, (__u64)(__u32)(t)->tgid << 32 | (__u32)(t)->pid)		\
	X((K).comm[0], ((const __u64 *)(t)->comm)[0])				\
	X((K).comm[1], ((const __u64 *)(t)->comm)[1])				\
	X((K).uid, (t)->real_cred->uid.val)					\
	X((K).cg, (t)->cgroups)
static __always_inline void fill_task_key(struct sigrec_task *t, struct task_struct *task,
					  const struct sigrec_keytask *k)
{
	struct task_struct *leader = task->group_leader;
	struct pid *lp = leader->thread_pid;
	unsigned int level = lp->level;
	__u64 *dst = (__u64 *)t->comm;

	t->pid = k->id >> 32;
	t->tid = (__u32)k->id;
	t->start_ns = leader->start_boottime;
	t->uid = k->uid;
	t->ns_pid = level ? BPF_CORE_READ(lp, numbers[level].nr) : t->pid;
	t->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	dst[0] = k->comm[0];
	dst[1] = k->comm[1];
}

static __always_inline void fill_task(struct sigrec_task *t, struct task_struct *task)
{
	struct sigrec_keytask k;

	KEY_TASK(KEY_SET, k, task)
	fill_task_key(t, task, &k);
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

/*
 * A clock read for anything but a new signal on the keyed path: the next
 * new signal on this CPU reads the clock too, so that no record after this
 * one in the CPU's order carries an earlier, shared time
 * (SIGREC_SIG_TS_SHARED).  r: this CPU's run, or NULL to look it up.
 */
static __always_inline __u64 clock_read(struct sigrec_run *r)
{
	__u32 zero = 0;

	if (!r)
		r = bpf_map_lookup_elem(&runs, &zero);
	if (r)
		r->cskip = SIGREC_CLOCK_EVERY;
	barrier();
	return bpf_ktime_get_boot_ns();
}

/*
 * The flags for a record of size bytes: wake the reader only when this CPU
 * has submitted wakeup_bytes since it last did (the recorder sets it to a
 * share of the buffer per CPU), so the reader wakes per batch, never per
 * event, at the cost of a per-CPU count: no helper call, and no read of
 * the ring's positions, whose cache lines the reader and the other CPUs
 * own.  The reader also polls on a short timeout.
 */
static __always_inline __u64 wake_flags(__u32 size)
{
	__u32 zero = 0;
	struct sigrec_run *r = bpf_map_lookup_elem(&runs, &zero);

	if (!r)
		return 0;
	r->unwoken += (size + 8 + 7) & ~7ULL;
	if (r->unwoken < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	r->unwoken = 0;
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline void submit(void *e)
{
	bpf_ringbuf_submit(e, wake_flags(((struct sigrec_rec_hdr *)e)->size));
}

#define barrier()	asm volatile("" ::: "memory")

/*
 * The stage (SIGREC_STAGE_N in sigrec.h): new signals on the keyed path
 * are written to this CPU's run and handed to the ring buffer as one
 * sample, so a storm takes one reserve and commit per SIGREC_STAGE_N
 * records; the ring buffer's lock and positions are cache lines that every
 * CPU and the reader share.  Whatever writes another record on this CPU
 * hands the stage over first, so the CPU's records keep their order in the
 * ring; flush_runs hands it over at every poll.  stage_out: the caller
 * holds r->busy.
 */
static __always_inline void stage_out(struct sigrec_run *r)
{
	__u32 n = r->nstage;
	__u64 size;

	if (!n)
		return;
	if (n > SIGREC_STAGE_N)
		n = SIGREC_STAGE_N;
	r->nstage = 0;
	size = n * sizeof(r->stage[0]);
	if (bpf_ringbuf_output(&events, r->stage, size, wake_flags(size)))
		count_drops(n, r->stage[(n - 1) & (SIGREC_STAGE_N - 1)].h.ts);
}

/* The stage handed over before another record, unless this CPU's signal
 * program is in the middle of changing it (a record from an interrupt). */
static __always_inline void stage_drain(struct sigrec_run *r)
{
	__u32 zero = 0;

	if (!r)
		r = bpf_map_lookup_elem(&runs, &zero);
	if (!r || !r->nstage || r->busy)
		return;
	r->busy = 1;
	barrier();
	stage_out(r);
	barrier();
	r->busy = 0;
}

/* A record's header, written on this CPU at ts. */
static __always_inline void set_hdr(struct sigrec_rec_hdr *h, __u8 type, __u8 flags, __u16 size,
				    __u64 ts)
{
	h->type = type;
	h->flags = flags;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts = ts;
}

/* A record of size bytes in the ring buffer, after this CPU's stage, with its header. */
static __always_inline void *reserve(__u32 size, __u8 type)
{
	__u32 zero = 0;
	struct sigrec_run *r = bpf_map_lookup_elem(&runs, &zero);
	__u64 ts = clock_read(r);
	struct sigrec_rec_hdr *h;

	stage_drain(r);
	h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		count_drops(1, ts);
		return NULL;
	}
	set_hdr(h, type, 0, size, ts);
	return h;
}

/*
 * Write the run's pending repeats as one record; the run goes on.  A lone
 * repeat is written as a plain signal record: its time is exact.
 */
static __always_inline void close_run(struct sigrec_run *r, __u64 now)
{
	struct sigrec_repeat *e;
	__u32 size;
	__u8 flags;

	/*
	 * The repeat's own fields are written in the branch that reserved
	 * them: a verifier that does not carry the branch's outcome to a
	 * later test of it (6.1's) would otherwise see a store past the
	 * smaller record.  What follows the branches is common to both sizes.
	 */
	stage_out(r);
	if (r->count == 1) {
		size = sizeof(struct sigrec_signal);
		flags = 0;
		e = bpf_ringbuf_reserve(&events, sizeof(struct sigrec_signal), 0);
	} else {
		size = sizeof(struct sigrec_repeat);
		flags = SIGREC_SIG_REPEAT;
		e = bpf_ringbuf_reserve(&events, sizeof(struct sigrec_repeat), 0);
		if (e) {
			e->count = r->count;
			e->to_ts = now;
		}
	}
	if (!e) {
		count_drops(r->count, now);
		r->count = 0;
		return;
	}
	__builtin_memcpy(&e->s, &r->base, sizeof(e->s));
	set_hdr(&e->s.h, SIGREC_T_SIGNAL, flags, size, r->from_ts);
	submit(e);
	r->count = 0;
}

/* Whether n 8-byte words at a and b are equal, without a branch per word. */
static __always_inline int same_words(const void *a, const void *b, int n)
{
	const __u64 *x = a, *y = b;
	__u64 diff = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/* Every field but the header: the time and the CPU may differ. */
static __always_inline int same_signal(const struct sigrec_signal *a,
				       const struct sigrec_signal *b)
{
	return same_words(&a->sig, &b->sig, (sizeof(*a) - sizeof(a->h)) / 8);
}

#include "timers.bpf.h"
#include "syscalls.bpf.h"
#include "siginfo.bpf.h"

/*
 * Count a repeat of the run's base: the first repeat of each tick takes
 * the time, and writes the repeats of the tick before.
 */
static __always_inline void count_repeat(struct sigrec_run *r)
{
	__u64 now, j = bpf_jiffies64();

	if (!r->count || j != r->tick) {
		now = clock_read(r);
		if (r->count)
			close_run(r, now);
		r->from_ts = now;
		r->tick = j;
	}
	r->count++;
}

/*
 * Coalescing: a signal identical to the last one recorded on this CPU only
 * counts (count_repeat).  A different signal first writes the pending
 * repeats, then itself.  Returns 1 for a repeat.
 *
 * Only this program and flush_runs touch a CPU's entry, and only from that
 * CPU, so the one way to meet is by interruption: flush_runs from an IPI
 * in the middle of this program, or this program from an interrupt in the
 * middle of flush_runs run on the recorder's own CPU.  Whoever holds the
 * busy flag finishes first; the other skips (flush_runs) or records the
 * signal on its own (this program).  This program never nests on a CPU:
 * the kernel skips a tp_btf program that is already running there.
 */
static __always_inline int record_coalesced(struct sigrec_run *r, struct sigrec_signal *e)
{
	int repeat = r->valid && same_signal(e, &r->base);
	__u64 now;

	r->busy = 1;
	barrier();
	if (repeat) {
		count_repeat(r);
		goto out;
	}
	now = clock_read(r);
	if (r->count)
		close_run(r, now);
	set_hdr(&e->h, SIGREC_T_SIGNAL, 0, sizeof(*e), now);
	stage_out(r);
	/* a full buffer loses this one, counted; its repeats still coalesce
	 * (each repeat record carries the whole signal), so a reader starved
	 * of CPU loses one record, not the storm */
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wake_flags(sizeof(*e))))
		count_drops(1, now);
	__builtin_memcpy(&r->base, e, sizeof(*e));
	r->valid = 1;
out:
	barrier();
	r->busy = 0;
	return repeat;
}

#include "stacks.bpf.h"

/*
 * The time of a new signal on the keyed path, and its header flags: a
 * clock read, or in a storm the last one's (SIGREC_SIG_TS_SHARED, whose
 * comment in sigrec.h says what such a time means).  The clock is the
 * largest part of a new signal's cost (docs/BENCHMARKS.md); jiffies is a
 * plain load.  A run to close takes the clock: its to_ts must not be
 * earlier than its last repeat.
 */
static __always_inline __u64 new_signal_time(struct sigrec_run *r, __u8 *flags)
{
	__u64 j = bpf_jiffies64();

	*flags = 0;
	if (j != r->ctick) {
		r->ctick = j;
		r->cn = 0;
	}
	if (++r->cn > SIGREC_CLOCK_FREE && !r->count && r->cskip < SIGREC_CLOCK_EVERY - 1) {
		r->cskip++;
		*flags = SIGREC_SIG_TS_SHARED;
		return r->cts;
	}
	r->cskip = 0;
	r->cts = BENCH_NO_CLOCK ? r->from_ts : bpf_ktime_get_boot_ns();
	return r->cts;
}

/*
 * A run key (struct sigrec_runkey) holds every read a signal record is
 * built from but those that cannot change while the tasks live.  Once a
 * signal has been found equal to the run's base by its whole record, its
 * key is kept; a later signal with the same key, the same generation of
 * exits and nothing else to read (no interrupt, no timer) is a repeat
 * without building its record: a compare of the reads instead of
 * building, copying and comparing 160 bytes.
 */
static __always_inline int keyable(const struct sigrec_runkey *k, __u8 rctx)
{
	int code = (__s32)k->info0;
	__u64 info = k->disp & SIGREC_SF_NOINFO ? 0 : k->disp & SIGREC_SF_PRIV ? 1 : 2;

	return fast_repeats && rctx != SIGREC_CTX_IRQ &&
	       !maybe_timer((__u32)k->what, code, info, rctx, 0);
}

static __always_inline int on_signal(void *ctx, int sig, struct kernel_siginfo *info,
				     struct task_struct *task, int group, int result,
				     enum info_read how)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct sc_call call = {};	/* sc 0: not in a kill-family call */
	struct sigrec_run *rs, *r = NULL;
	struct sigrec_runkey *k;
	struct key_in in;
	struct sigrec_signal *e, one;
	__u64 timer, now;
	__u8 tflags;
	int stack;
	__u8 rctx = run_ctx(cur, &timer);
	__u32 zero = 0;

	TEST_REFUSE(SIGREC_TEST_REFUSE_SIGNAL);
	if (syscall_hooks && rctx != SIGREC_CTX_IRQ) {
		sc_current(cur, &call);
		/* without the irq hooks, a signal other than the call's may
		 * come from an interrupt */
		if (call.sc && (rctx == SIGREC_CTX_TASK || call.sig == sig))
			sc_count(cur);
		else
			call.sc = SIGREC_SC_NONE;
	}
	if (!sig_wanted(sig) || (filter_tgid && task->tgid != filter_tgid) ||
	    !comm_wanted(task->comm))
		return 0;
	if (failed_only && result != KSIG_OVERFLOW_FAIL)
		return 0;

	/* this CPU's run; its key is also where a record's reads are taken */
	rs = bpf_map_lookup_elem(&runs, &zero);
	if (!rs)
		return 0;
	k = &rs->key;
	/* an overflow's syscall fails afterwards (sysret): never coalesced */
	if (coalesce && result != KSIG_OVERFLOW_FAIL)
		r = rs;
	stack = stacks_on && sigrec_sig_in(stack_any, sig);
	key_in(&in, sig, info, task, how);
	if (r && !r->busy && !stack && r->keyed &&
	    key_same(k, &in, sig, task, group, result, cur, &call, rctx)) {
		r->busy = 1;
		barrier();
		/* the run's first repeat: its record, from this identical signal */
		if (!r->valid) {
			fill_signal(&r->base, k, info, task, cur, timer);
			r->valid = 1;
		}
		count_repeat(r);
		barrier();
		r->busy = 0;
		return 0;
	}
	rs->keyed = 0;
	read_key(k, &in, sig, task, group, result, cur, &call, rctx);
	if (r && !r->busy && !stack && keyable(k, rctx)) {
		/* a new signal: written where the ring buffer holds it, and its
		 * key kept; the run's record is built if a repeat comes */
		r->busy = 1;
		barrier();
		now = new_signal_time(r, &tflags);
		if (r->count)
			close_run(r, now);
		r->valid = 0;
		r->keyed = 1;
		/* staged; a full buffer loses the stage, counted; repeats
		 * still coalesce (each repeat record carries the whole
		 * signal), so a reader starved of CPU loses records, not the
		 * storm */
		if (BENCH_NO_RING) {
			fill_signal(&r->base, k, info, task, cur, timer);
			r->base.h.ts = now;
		} else {
			e = &r->stage[r->nstage & (SIGREC_STAGE_N - 1)];
			set_hdr(&e->h, SIGREC_T_SIGNAL, tflags, sizeof(*e), now);
			fill_signal(e, k, info, task, cur, timer);
			if (++r->nstage >= SIGREC_STAGE_N)
				stage_out(r);
		}
		barrier();
		r->busy = 0;
		return 0;
	}
	if (stack) {
		fill_signal(&one, k, info, task, cur, timer);
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
		fill_signal(&one, k, info, task, cur, timer);
		record_coalesced(r, &one);
		return 0;
	}
	e = reserve(sizeof(*e), SIGREC_T_SIGNAL);
	if (!e)
		return 0;
	fill_signal(e, k, info, task, cur, timer);
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
#include "lifecycle.bpf.h"
