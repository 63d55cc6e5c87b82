/* SPDX-License-Identifier: MIT */
/*
 * sigrec.h - the one contract between the BPF programs and user space.
 *
 * Every record starts with struct sigrec_rec_hdr (type, size, time) so a
 * reader can skip types it does not know.  Records are made only of
 * fixed-width integers and char arrays, padded explicitly to a multiple of
 * 8 bytes: the ring file codec treats a record as an array of 64-bit words
 * (see docs/FORMAT.md), so a layout change here is a format change.
 * Rules: append fields at the end only; never reuse a type number.
 */
#ifndef SIGREC_H
#define SIGREC_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define SIGREC_COMM_LEN		16
#define SIGREC_NSIG		64	/* signals 1..64 */
#define SIGREC_ARGV_LEN		256	/* exec: bytes of argv kept */
#define SIGREC_PATH_LEN		128	/* exec filename, exe, cgroup path */
#define SIGREC_CGROUP_LEN	(2 * SIGREC_PATH_LEN - 1)	/* a process record's cgroup path, with its NUL */

/* Record types.  Numbers are part of the on-disk format. */
enum sigrec_type {
	SIGREC_T_SIGNAL	= 1,	/* a signal generated, or a failed attempt */
	SIGREC_T_LOST	= 2,	/* written by the recorder: events dropped */
	SIGREC_T_SYSRET	= 3,	/* kill-family call failed after raising signals */
	SIGREC_T_FORK	= 4,
	SIGREC_T_EXEC	= 5,
	SIGREC_T_EXIT	= 6,
	SIGREC_T_COMM	= 7,
	SIGREC_T_OOM	= 8,
	SIGREC_T_PROC	= 9,	/* written by the recorder: /proc snapshot */
	SIGREC_T_START	= 10,	/* written by the recorder: session start */
	SIGREC_T_HOST	= 11,	/* written by sigdump --export: where a dump came from */
	SIGREC_T_DELIVER = 12,	/* a signal taken by its target: what the target did with it */
	SIGREC_T_STACK	= 13,	/* a sender's or faulting task's stack, referenced by a signal */
	SIGREC_T_MAX,
};

/* Why a signal was raised. */
enum sigrec_cause {
	SIGREC_C_UNKNOWN = 0,
	SIGREC_C_SYSCALL = 1,	/* a kill-family syscall of the sender */
	SIGREC_C_KERNEL	 = 2,	/* kernel on behalf of the running task (SIGPIPE, SIGCHLD, ...) */
	SIGREC_C_FAULT	 = 3,	/* synchronous fault: SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
	SIGREC_C_TIMER	 = 4,	/* POSIX timer / itimer expiry */
	SIGREC_C_IRQ	 = 5,	/* raised from interrupt context: the running task is not the sender */
	SIGREC_C_OOM	 = 6,	/* the OOM killer (set by sigdump from the OOM record) */
	SIGREC_C_USER	 = 7,	/* SI_USER/SI_QUEUE outside a hooked syscall (hooks off) */
};

/* Delivery result: TRACE_SIGNAL_* values of the kernel, plus FAILED. */
enum sigrec_result {
	SIGREC_R_DELIVERED	 = 0,
	SIGREC_R_IGNORED	 = 1,
	SIGREC_R_ALREADY_PENDING = 2,
	SIGREC_R_OVERFLOW	 = 3,
	SIGREC_R_LOSE_INFO	 = 4,
	SIGREC_R_FAILED		 = 5,	/* syscall failed, no signal generated */
	SIGREC_R_PROBE		 = 6,	/* kill(pid, 0) and kin: an existence probe (--probes) */
};

/* Kill-family syscalls we hook (index, not the arch syscall number). */
enum sigrec_syscall {
	SIGREC_SC_NONE = 0,
	SIGREC_SC_KILL,
	SIGREC_SC_TKILL,
	SIGREC_SC_TGKILL,
	SIGREC_SC_RT_SIGQUEUEINFO,
	SIGREC_SC_RT_TGSIGQUEUEINFO,
	SIGREC_SC_PIDFD_SEND_SIGNAL,
	SIGREC_SC_MAX,
};

/* struct sigrec_signal.ctx: what was running when the signal was raised. */
#define SIGREC_CTX_TASK		0
#define SIGREC_CTX_IRQ		1	/* hard or soft interrupt: running task is not the sender */
#define SIGREC_CTX_UNKNOWN	2	/* the irq context hooks were not attached */

/* Signal numbers the recorder treats specially (x86-64, arm64, generic). */
#define SIGREC_SIGKILL		9
#define SIGREC_SIGCHLD		17
#define SIGREC_SIGCONT		18
/* Named sets: bit n-1 stands for signal n. */
#define SIGREC_BIT(n)		(1ULL << ((n) - 1))
/* raised by a synchronous fault: ILL TRAP BUS FPE SEGV SYS */
#define SIGREC_SET_FAULT	(SIGREC_BIT(4) | SIGREC_BIT(5) | SIGREC_BIT(7) | SIGREC_BIT(8) | \
				 SIGREC_BIT(11) | SIGREC_BIT(31))
/* fatal by default: KILL TERM ABRT SEGV BUS ILL FPE SYS (--pstore-signals, --journal, metrics) */
#define SIGREC_SET_FATAL	(SIGREC_BIT(9) | SIGREC_BIT(15) | SIGREC_BIT(6) | SIGREC_BIT(11) | \
				 SIGREC_BIT(7) | SIGREC_BIT(4) | SIGREC_BIT(8) | SIGREC_BIT(31))
/* a signal number with a bit in a set, an entry in a handler table */
#define sigrec_sig_valid(sig)	((sig) >= 1 && (sig) <= SIGREC_NSIG)
#define sigrec_sig_in(set, sig)	(sigrec_sig_valid(sig) && (((set) >> ((sig) - 1)) & 1))
/* the same for a mask of two words, uint64_t mask[2] (--signal, --pstore-signals) */
#define sigrec_mask_has(mask, sig)						\
	(sigrec_sig_valid(sig) && (((mask)[((sig) - 1) >> 6 & 1] >> (((sig) - 1) & 63)) & 1))

/* struct sigrec_signal.sflags */
#define SIGREC_SF_CLAIMED	0x1	/* claimed_pid/uid come from a real siginfo */
#define SIGREC_SF_NOINFO	0x2	/* info was SEND_SIG_NOINFO */
#define SIGREC_SF_PRIV		0x4	/* info was SEND_SIG_PRIV */
#define SIGREC_SF_SENDER	0x8	/* sender is the real sending task */
/*
 * The target's disposition of the signal when it was generated (since
 * 0.2): SIGREC_DISP_* in bits 4-5.  0 is "unknown": records of older
 * recorders, failed attempts.  BLOCKED: the target task had it blocked
 * (sigprocmask, or waited for it in sigwaitinfo: real_blocked); only
 * meaningful with a known disposition.
 */
#define SIGREC_SF_DISP_SHIFT	4
#define SIGREC_SF_DISP_MASK	0x30
#define SIGREC_SF_BLOCKED	0x40
#define sigrec_sf_disp(sflags)	(((sflags) & SIGREC_SF_DISP_MASK) >> SIGREC_SF_DISP_SHIFT)

/* A disposition: sflags bits 4-5 of a signal record, disp of a delivery. */
#define SIGREC_DISP_UNKNOWN	0
#define SIGREC_DISP_DEFAULT	1	/* SIG_DFL */
#define SIGREC_DISP_IGNORED	2	/* SIG_IGN */
#define SIGREC_DISP_HANDLER	3	/* a handler of the process */

/* What the target did with a signal it took (struct sigrec_deliver.action). */
enum sigrec_action {
	SIGREC_A_UNKNOWN   = 0,
	SIGREC_A_HANDLER   = 1,	/* its handler ran */
	SIGREC_A_IGNORE    = 2,	/* SIG_IGN, or a default action of ignore (SIGCHLD, SIGWINCH, SIGURG) */
	SIGREC_A_TERMINATE = 3,	/* default action: the process is killed */
	SIGREC_A_CORE	   = 4,	/* default action: killed with a core dump (if the limits allow one) */
	SIGREC_A_STOP	   = 5,	/* default action: the process stops */
	SIGREC_A_CONTINUE  = 6,	/* SIGCONT's default: it continued when the signal was sent */
};
/* a SIGREC_T_STACK record with the same h.ts and h.cpu comes just before it */
#define SIGREC_SF_STACK		0x100
/* a fault: claimed_pid | claimed_uid << 32 is si_addr, arg0 the user IP */
#define SIGREC_SF_FAULT		0x200
/*
 * Which timer raised the signal (since 0.2): SIGREC_TK_* in bits 10-12, 0
 * when none is known.  With a kind, arg0 is the timer's clock id when
 * arg1 has SIGREC_TIMER_CLOCK, and for SI_TIMER (POSIX timers) claimed_pid
 * and claimed_uid are the siginfo's si_tid (the timer id) and si_overrun,
 * which overlay si_pid and si_uid.  The timer belongs to the target's
 * process: only a process arms its own itimers and POSIX timers.
 */
#define SIGREC_SF_TIMER_SHIFT	10
#define SIGREC_SF_TIMER_MASK	0x1c00
#define sigrec_sf_timer(sflags)	(((sflags) & SIGREC_SF_TIMER_MASK) >> SIGREC_SF_TIMER_SHIFT)

/* A timer kind: sflags bits 10-12 of a signal record. */
enum sigrec_timer {
	SIGREC_TK_NONE		= 0,
	SIGREC_TK_ITIMER_REAL	= 1,	/* signal->real_timer: setitimer(ITIMER_REAL) or alarm() */
	SIGREC_TK_POSIX		= 2,	/* a POSIX timer (timer_create) on an hrtimer clock */
	SIGREC_TK_ALARM		= 3,	/* a POSIX timer on CLOCK_REALTIME_ALARM/CLOCK_BOOTTIME_ALARM */
	SIGREC_TK_CPU		= 4,	/* CPU time: ITIMER_VIRTUAL/PROF, RLIMIT_CPU, a POSIX CPU-clock timer */
};
/* arg1 of a signal record with a timer kind: arg0 is the timer's clock id */
#define SIGREC_TIMER_CLOCK	0x1

struct sigrec_rec_hdr {
	__u8  type;
	__u8  flags;
	__u16 size;	/* bytes of the whole record, multiple of 8 */
	__u32 cpu;
	__u64 ts;	/* CLOCK_BOOTTIME, ns */
};

/* A process identity that survives pid reuse: (pid, start_ns). */
struct sigrec_task {
	__u32 pid;		/* thread-group id, host pid namespace */
	__u32 tid;
	__u64 start_ns;		/* group leader's start, boottime ns */
	__u32 uid;
	__u32 ns_pid;		/* tgid as seen in its own pid namespace */
	__u64 cgroup_id;	/* cgroup v2 id */
	char  comm[SIGREC_COMM_LEN];
};

struct sigrec_signal {
	struct sigrec_rec_hdr h;
	__s32 sig;
	__s32 code;		/* si_code (SI_USER, SI_KERNEL, fault codes...) */
	__s32 err;		/* si_errno */
	__u8  result;		/* enum sigrec_result */
	__u8  group;		/* 1: process-directed, 0: thread-directed */
	__u8  cause;		/* enum sigrec_cause */
	__u8  ctx;		/* SIGREC_CTX_* */
	__u32 claimed_pid;	/* si_pid from siginfo: may be forged */
	__u32 claimed_uid;	/* si_uid from siginfo: may be forged */
	__u16 syscall;		/* enum sigrec_syscall, 0 when none */
	__u16 sflags;		/* SIGREC_SF_* */
	__s32 ret;		/* syscall return (0 or -errno); 0 until known */
	__s64 arg0;		/* raw first target argument (pid, tid, tgid, pidfd) */
	__s64 arg1;		/* raw second target argument (tid) or 0 */
	struct sigrec_task sender;	/* the running task (see cause/ctx) */
	struct sigrec_task target;
};

/*
 * h.flags of a signal record: it is a struct sigrec_repeat, standing for
 * `count` signals identical to it in every field but the time.  A storm of
 * the same signal between the same two tasks reaches the recording as one
 * such record per CPU and scheduler tick instead of one record per signal.
 */
#define SIGREC_SIG_REPEAT	0x1
/*
 * h.flags of a signal record: its time is shared, not its own.  Past the
 * first SIGREC_CLOCK_FREE new signals a CPU records within one scheduler
 * tick (a storm no coalescing folds), only every SIGREC_CLOCK_EVERY-th
 * reads the clock; the ones between carry the time of the last one that
 * did, on the same CPU and in the same tick, at most SIGREC_CLOCK_EVERY - 1
 * records before: the signal happened at or after h.ts and before that
 * tick ended (1/HZ after h.ts at most).  Their order on their CPU is exact
 * (the records' order).  docs/FORMAT.md.
 */
#define SIGREC_SIG_TS_SHARED	0x2
#define SIGREC_CLOCK_FREE	32
#define SIGREC_CLOCK_EVERY	16

struct sigrec_repeat {
	struct sigrec_signal s;	/* s.h.ts: the exact time of the first of them */
	__u64 count;		/* signals this record stands for, >= 2 (FORMAT.md) */
	__u64 to_ts;		/* all of them happened at or before this time */
};

/*
 * A signal taken by the task it was sent to (signal_deliver, in the
 * target's context), or `count` identical ones in a row on one CPU within
 * one scheduler tick: same task, signal, code, action and flags.
 */
struct sigrec_deliver {
	struct sigrec_rec_hdr h;	/* ts: the first of them */
	struct sigrec_task task;	/* the task that took it */
	__s32 sig;
	__s32 code;		/* si_code; 0 with SIGREC_DF_GROUP_EXIT */
	__u8  action;		/* enum sigrec_action */
	__u8  disp;		/* SIGREC_DISP_* when it was taken */
	__u16 dflags;		/* SIGREC_DF_* */
	__u32 sa_flags;		/* the handler's sa_flags (SA_RESTART, SA_SIGINFO, ...) */
	__u64 count;		/* deliveries it stands for, >= 1 */
	__u64 to_ts;		/* all of them at or before this time */
};

/* the signal was fatal when sent: the kernel killed the group with its own
 * SIGKILL; sig is the signal that started it */
#define SIGREC_DF_GROUP_EXIT	0x1

/*
 * Per-CPU state of the BPF side (map "runs"): the last signal recorded on
 * the CPU and the identical ones seen since and not yet written, and the
 * deliveries not yet written.  User space only reads `count` and
 * `dlv.count` (to know whether a flush is due).
 */
/*
 * What a repeat of a run's base is recognised by before its record is
 * built (sigrec.bpf.c and siginfo.bpf.h, RUN_KEY): the two tasks by
 * address, the signal's own fields, and of each task the fields that can
 * change while the task lives, its cgroup by its css_set.  The record is
 * built from the same reads.  What the key leaves out (the leader's start,
 * the pid in its namespace) does not change while the task lives; gen,
 * bumped by every exit and every cgroup move, tells a task struct or a
 * css_set freed and reused from the one the key was taken from.
 */
struct sigrec_keytask {
	__u64 id;			/* tgid << 32 | tid */
	__u64 comm[2];
	__u64 uid;
	__u64 cg;			/* css_set address */
};

struct sigrec_runkey {
	__u64 cur, task;		/* sender's and target's task_struct */
	__u64 gen;			/* ident_gen when the key was read */
	__u64 sc, arg0, arg1;		/* the syscall in flight, if any */
	__u64 what;			/* sig, group << 32, result << 40, context << 48 */
	__u64 disp;			/* sflags: disposition, blocked, no info or private */
	__u64 info0, info1;		/* si_code, si_errno << 32; si_pid, si_uid << 32 */
	struct sigrec_keytask s, t;	/* sender, target */
};

/*
 * New signals on the keyed path are staged per CPU and handed to the ring
 * buffer this many at a time, as one sample of back-to-back records that
 * the recorder splits by h.size (a power of two).
 */
#define SIGREC_STAGE_N	8

struct sigrec_run {
	struct sigrec_signal base;	/* last signal recorded on this CPU */
	__u64 count;			/* repeats of base not yet written */
	__u64 from_ts;			/* time of the first of them */
	__u64 tick;			/* jiffies when from_ts was taken */
	__u32 valid;			/* base reached the ring buffer */
	__u32 busy;			/* signal_generate is changing this entry */
	struct sigrec_deliver dlv;	/* deliveries not yet written: dlv.count of them */
	__u64 dtick;			/* jiffies of dlv's first */
	__u32 dbusy;			/* signal_deliver is changing dlv */
	__u32 keyed;			/* key describes base: a match is a repeat */
	struct sigrec_runkey key;
	__u64 unwoken;			/* bytes this CPU submitted since it last woke the reader */
	__u64 ctick;			/* jiffies of the tick cn counts in */
	__u64 cts;			/* the last clock read of a new signal in that tick */
	__u32 cn;			/* new signals recorded in that tick */
	__u32 cskip;			/* of them since cts, that took it as their time */
	__u32 nstage;			/* new signals in stage, not yet in the ring buffer */
	__u32 spad;
	struct sigrec_signal stage[SIGREC_STAGE_N];	/* handed over as one sample */
};

/* struct sigrec_lost h.flags: capture paused (count unknown), e.g. while
 * a new recorder replaced the programs of an older one */
#define SIGREC_LOST_GAP		0x1
/* struct sigrec_lost h.flags: signals the kernel did not hand to the BPF
 * program: raised from an interrupt on a CPU where the program was already
 * running (it does not nest); lcpu is UINT32_MAX (not known) */
#define SIGREC_LOST_NESTED	0x2
/* struct sigrec_lost h.flags: records the recorder could not write to the
 * ring (a full or failing disk); written when writing works again */
#define SIGREC_LOST_WRITE	0x4

/* Written by the recorder when the kernel dropped events. */
struct sigrec_lost {
	struct sigrec_rec_hdr h;	/* ts = to */
	__u64 count;
	__u64 from_ts;
	__u64 to_ts;
	__u32 lcpu;
	__u32 pad;
};

/* A kill-family call that failed after raising signals (e.g. EAGAIN). */
struct sigrec_sysret {
	struct sigrec_rec_hdr h;
	__u32 tid;
	__u16 syscall;
	__u16 pad;
	__s32 ret;
	__u32 count;		/* signals raised during the call */
};

struct sigrec_fork {
	struct sigrec_rec_hdr h;
	struct sigrec_task parent;
	__u32 child_pid;
	__u32 child_tid;
	__u64 child_start_ns;
	__u32 thread;		/* 1: new thread, 0: new process */
	__u32 child_ns_pid;
};

struct sigrec_exec {
	struct sigrec_rec_hdr h;
	struct sigrec_task task;	/* after exec: new comm */
	__u32 argv_len;			/* bytes used in argv, NUL separated */
	__u32 truncated;
	char  filename[SIGREC_PATH_LEN];
	char  argv[SIGREC_ARGV_LEN];
};

struct sigrec_exit {
	struct sigrec_rec_hdr h;
	struct sigrec_task task;
	__s32 exit_code;	/* raw wait status: code << 8 | core << 7 | sig */
	__u32 group_dead;	/* 1: last thread of the process */
};

struct sigrec_comm {
	struct sigrec_rec_hdr h;
	struct sigrec_task task;	/* old comm */
	char  newcomm[SIGREC_COMM_LEN];
};

struct sigrec_oom {
	struct sigrec_rec_hdr h;
	struct sigrec_task trigger;	/* task whose allocation triggered the kill */
	__u32 victim_pid;
	__u32 victim_uid;
	__u64 memcg_id;
};

/* Written by the recorder from /proc: a process alive at snapshot time. */
struct sigrec_proc {
	struct sigrec_rec_hdr h;
	struct sigrec_task task;
	__u32 ppid;
	__u32 argv_len;
	__u64 pstart_ns;		/* parent's start time */
	char  exe[SIGREC_PATH_LEN];
	char  cgroup[SIGREC_PATH_LEN];
	char  argv[SIGREC_ARGV_LEN];
	/*
	 * The cgroup path past cgroup's 127 bytes (appended in 0.2; "" in
	 * older records and for shorter paths): the path is cgroup followed by
	 * cgroup_more, up to SIGREC_CGROUP_LEN - 1 bytes.  Kubernetes' paths
	 * are longer than 127 bytes and end with the pod and container.
	 */
	char  cgroup_more[SIGREC_PATH_LEN];
};

/* Written by the recorder at start: what this session records. */
struct sigrec_start {
	struct sigrec_rec_hdr h;
	__u64 sig_mask[2];		/* bit n-1: signal n is recorded */
	__u32 filter_pid;
	__u32 flags;			/* SIGREC_START_* */
	__u32 hooks;			/* enum sigrec_hooks */
	__u32 version;			/* recorder version, MAJOR<<16|MINOR<<8|PATCH */
	char  filter_comm[SIGREC_COMM_LEN];
};

#define SIGREC_START_FAILED_ONLY	0x1
#define SIGREC_START_EXACT		0x2	/* --no-coalesce: no repeat records */
/*
 * What the session could not capture (a program the kernel rejected or
 * could not attach, or one switched off by an option).  Recordings from
 * before these bits have them clear; their syscall hooks are in `hooks`.
 */
#define SIGREC_START_NO_IRQCTX		0x4	/* no interrupt attribution */
#define SIGREC_START_NO_FORK		0x8
#define SIGREC_START_NO_EXEC		0x10
#define SIGREC_START_NO_EXIT		0x20
#define SIGREC_START_NO_RENAME		0x40
#define SIGREC_START_NO_OOM		0x80
/* the same session again, written with each process snapshot so that a
 * wrapped ring still says what it records; not a new session */
#define SIGREC_START_AGAIN		0x100
#define SIGREC_START_NO_DELIVER		0x200	/* no delivery records (since 0.2) */
#define SIGREC_START_NO_STACKS		0x400	/* no sender or fault stacks (refused, or --no-stacks) */
#define SIGREC_START_NO_LIFECYCLE	(SIGREC_START_NO_FORK | SIGREC_START_NO_EXEC | \
					 SIGREC_START_NO_EXIT | SIGREC_START_NO_RENAME)

/* An exported dump's first record: the host facts a bug report needs. */
struct sigrec_host {
	struct sigrec_rec_hdr h;
	char  hostname[64];
	char  release[64];		/* uname -r */
	char  machine[32];		/* uname -m */
	__u32 version;			/* sigdump version, MAJOR<<16|MINOR<<8|PATCH */
	__u32 flags;			/* SIGREC_HOST_* */
	__s64 exported_ns;		/* CLOCK_REALTIME of the export */
	__s64 since_ns, until_ns;	/* the window asked for (INT64_MIN/MAX: open) */
	char  filters[128];		/* the query, as given on the command line */
};

#define SIGREC_HOST_REDACTED	0x1

enum sigrec_hooks {
	SIGREC_HOOKS_NONE	= 0,
	SIGREC_HOOKS_FENTRY	= 1,
	SIGREC_HOOKS_TRACEPOINT	= 2,
};

/*
 * A stack (since 0.2).  Written by the recorder just before the signal record
 * it belongs to (same h.ts and h.cpu), whose sflags has SIGREC_SF_STACK.
 * The frames of one stack (id: lib/stacks.c's hash of kind and frames) are
 * written once per chunk; a later signal of the chunk with the same stack
 * gets a reference: a record of this type with SIGREC_STACK_REF in h.flags
 * and no frames.  docs/FORMAT.md.
 */
#define SIGREC_STACK_MAX	32	/* frames */
#define SIGREC_KSYM_LEN		48	/* a resolved kernel frame: "func+0xoff" */

/* struct sigrec_stack.kind */
#define SIGREC_STACK_USER	1	/* frames[]: build-id + file offset (or ip) */
#define SIGREC_STACK_KERNEL	2	/* ksyms[]: resolved by the recorder at write time */
#define SIGREC_STACK_KRAW	3	/* BPF to recorder only: ips[], never in a ring */

/* h.flags of a stack record */
#define SIGREC_STACK_REF	0x1	/* no frames: the chunk has them under this id */

/* struct sigrec_frame.status: BPF_STACK_BUILD_ID_* of the kernel */
#define SIGREC_FRAME_EMPTY	0
#define SIGREC_FRAME_VALID	1	/* build_id + offset into the file */
#define SIGREC_FRAME_IP		2	/* no build id could be read: ip only */

/* Layout of the kernel's struct bpf_stack_build_id. */
struct sigrec_frame {
	__s32 status;
	__u8  build_id[20];
	__u64 offset;		/* VALID: file offset; IP: the address */
};

struct sigrec_stack {
	struct sigrec_rec_hdr h;	/* ts, cpu: those of its signal record */
	__u64 id;
	__u32 nframes;
	__u32 kind;			/* SIGREC_STACK_* */
	union {
		struct sigrec_frame frames[SIGREC_STACK_MAX];
		char ksyms[SIGREC_STACK_MAX][SIGREC_KSYM_LEN];
		__u64 ips[SIGREC_STACK_MAX];
	};
};
/* bytes of a stack record of n frames of kind k */
#define SIGREC_STACK_SIZE(k, n)	(32 + (n) * ((k) == SIGREC_STACK_KERNEL ? SIGREC_KSYM_LEN :	\
					     (k) == SIGREC_STACK_KRAW ? 8 :			\
					     (__u32)sizeof(struct sigrec_frame)))

/* Test builds: which program the verifier is made to refuse (test_refuse). */
#define SIGREC_TEST_REFUSE_SIGNAL	1
#define SIGREC_TEST_REFUSE_FORK		2
#define SIGREC_TEST_REFUSE_DELIVER	3	/* both forms of the delivery program */
#define SIGREC_TEST_REFUSE_DELIVER_BTF	4	/* its tp_btf form: the raw_tp one loads */
#define SIGREC_TEST_REFUSE_STACKS	5	/* the signal program's stack taking */

/* Entries of the pinned meta map: config hash, enum sigrec_hooks, SIGREC_START_NO_*. */
#define SIGREC_META_N	3

/* Per-CPU drop counter kept by the BPF side. */
struct sigrec_drops {
	__u64 count;
	__u64 first_ts;
	__u64 last_ts;
};

#ifndef __bpf__
_Static_assert(sizeof(struct sigrec_rec_hdr) == 16, "hdr size");
_Static_assert(sizeof(struct sigrec_task) == 48, "task size");
_Static_assert(sizeof(struct sigrec_signal) == 160, "signal size");
_Static_assert(sizeof(struct sigrec_lost) % 8 == 0, "lost size");
_Static_assert(sizeof(struct sigrec_repeat) == 176, "repeat size");
_Static_assert(sizeof(struct sigrec_run) % 8 == 0, "run size");
_Static_assert(sizeof(struct sigrec_sysret) % 8 == 0, "sysret size");
_Static_assert(sizeof(struct sigrec_fork) % 8 == 0, "fork size");
_Static_assert(sizeof(struct sigrec_exec) % 8 == 0, "exec size");
_Static_assert(sizeof(struct sigrec_exit) % 8 == 0, "exit size");
_Static_assert(sizeof(struct sigrec_comm) % 8 == 0, "comm size");
_Static_assert(sizeof(struct sigrec_oom) % 8 == 0, "oom size");
_Static_assert(sizeof(struct sigrec_proc) % 8 == 0, "proc size");
_Static_assert(sizeof(struct sigrec_start) % 8 == 0, "start size");
_Static_assert(sizeof(struct sigrec_host) % 8 == 0, "host size");
_Static_assert(sizeof(struct sigrec_deliver) == 96, "deliver size");
_Static_assert(sizeof(struct sigrec_frame) == 32, "frame size");
_Static_assert(sizeof(struct sigrec_stack) == SIGREC_STACK_SIZE(SIGREC_STACK_KERNEL, SIGREC_STACK_MAX),
	       "stack size");
_Static_assert(sizeof(struct sigrec_stack) <= 2040, "stack record fits the ring's 255 words");
#endif

#endif /* SIGREC_H */
