// SPDX-License-Identifier: GPL-2.0
/*
 * bpfsee.bpf.c - an independent witness for the differential test: counts
 * the signal_generate events the kernel hands to a BPF program, by the
 * task that was running (current).  Events ftrace saw for a task this
 * program never saw run were not given to any BPF program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tp_btf/signal_generate")
int BPF_PROG(see_signal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	__u32 tid = bpf_get_current_pid_tgid();
	__u64 one = 1, *v = bpf_map_lookup_elem(&seen, &tid);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&seen, &tid, &one, BPF_NOEXIST);
	return 0;
}
