/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timers.bpf.h - which timer raised a timer signal: ITIMER_REAL, POSIX and
 * alarm timers (id, clock), CPU-time timers.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
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
