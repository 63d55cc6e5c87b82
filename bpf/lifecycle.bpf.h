/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lifecycle.bpf.h - process lifecycle: fork, exec, exit, rename, OOM
 * kills, for the trees user space rebuilds.
 * Part of sigrec.bpf.c (one object, one skeleton): included there, in
 * order, and built with it; not a header of its own.
 */
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
	struct sigrec_exit *e;

	/* before its struct can be freed and reused: run keys of it go stale */
	__sync_fetch_and_add(&ident_gen, 1);
	e = reserve(sizeof(*e), SIGREC_T_EXIT);
	if (!e)
		return 0;
	fill_task(&e->task, p);
	e->exit_code = p->exit_code;
	e->group_dead = p->signal->live.counter == 0;
	submit(e);
	return 0;
}

/*
 * A task moved to another cgroup: a run key holds a task's css_set, which
 * the move replaces at once, and these make a css_set freed and reused
 * for another cgroup meanwhile stale as well (sigrec.h, struct
 * sigrec_runkey).  v2 and v1 moves, and v1's transfer on cpuset hotplug.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(on_cgroup_attach)
{
	__sync_fetch_and_add(&ident_gen, 1);
	return 0;
}

SEC("tp_btf/cgroup_transfer_tasks")
int BPF_PROG(on_cgroup_transfer)
{
	__sync_fetch_and_add(&ident_gen, 1);
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
