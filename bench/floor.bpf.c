// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - the least a signal hook can cost, for the benchmark.
 *
 * One program on tp_btf/signal_generate that only bumps a per-CPU counter:
 * the storm ratio with this attached is the ceiling any recorder using the
 * same hook can reach on the machine at hand.  With `floor --fexit`, also
 * one on the return of kill() (fexit on its x86-64 wrapper) that only
 * counts: the ceiling for a recorder that also sees what each kill()
 * returned, as failed attempts need.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("tp_btf/signal_generate")
int BPF_PROG(count_signal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &k);

	if (n)
		(*n)++;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rets SEC(".maps");

SEC("fexit/__x64_sys_kill")
int BPF_PROG(count_return, const struct pt_regs *regs, long ret)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&rets, &k);

	if (n)
		(*n)++;
	return 0;
}
