// SPDX-License-Identifier: MIT
/*
 * check.c - sigrec --check: what this kernel gives sigrec and what each
 * part costs, found by loading the real programs (nothing is attached,
 * nothing recorded).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "check.h"
#include "writer.h"

#define TRACEFS_MAGIC_NR	0x74726163
#define BPF_FS_MAGIC_NR		0xcafe4a11

/* How each part is captured and what it costs, for the report. */
static const struct {
	const char *how;
	const char *cost;
} parts[CAPTURE_NPARTS] = {
	[CAPTURE_SIGNALS] = { "tp_btf/signal_generate", "one record per signal; storms of "
			      "identical signals coalesce" },
	[CAPTURE_SYSCALL] = { "", "" },	/* said by syscall_line() */
	[CAPTURE_IRQ] = { "tp_btf irq/softirq/hrtimer entry and exit",
			  "a per-CPU map update per interrupt" },
	[CAPTURE_FORK] = { "tp_btf/sched_process_fork", "one record per fork" },
	[CAPTURE_EXEC] = { "tp_btf/sched_process_exec", "one record per exec" },
	[CAPTURE_EXIT] = { "tp_btf/sched_process_exit", "one record per exit" },
	[CAPTURE_RENAME] = { "tp_btf/task_rename", "one record per comm change" },
	[CAPTURE_OOM] = { "tracepoint/oom/mark_victim", "one record per OOM kill" },
	[CAPTURE_FLUSH] = { "raw_tp flush_runs, run per CPU at each poll",
			    "a program run per busy CPU per poll" },
	[CAPTURE_DELIVER] = { "", "a compare per signal taken; identical deliveries coalesce" },
	[CAPTURE_STACKS] = { "bpf_get_stack in the signal program (build ids)",
			     "a stack per fatal signal sent and per fault, at most 8 then 10 a "
			     "second per CPU" },
};

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

static void fact(const char *name, int yes, const char *detail)
{
	printf("  %-24s %-4s %s\n", name, yes ? "yes" : "no", detail);
}

static void facilities(void)
{
	int tracefs = fs_is("/sys/kernel/tracing", TRACEFS_MAGIC_NR) ||
		      !access("/sys/kernel/debug/tracing/events", F_OK);
	int kmsg = !access("/dev/kmsg", W_OK), pmsg = !access("/dev/pmsg0", W_OK), ftrace;
	char buf[160];

	printf("kernel facilities:\n");
	fact("BTF", !access("/sys/kernel/btf/vmlinux", R_OK), "/sys/kernel/btf/vmlinux");
	fact("BPF ring buffer", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1, "");
	fact("task storage", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1,
	     "per-task syscall state of the kill-family hooks");
	fact("bpffs", fs_is("/sys/fs/bpf", BPF_FS_MAGIC_NR),
	     fs_is("/sys/fs/bpf", BPF_FS_MAGIC_NR) ? "/sys/fs/bpf: capture survives a recorder crash"
						  : "/sys/fs/bpf not mounted (sigrec mounts it)");
	fact("tracefs", tracefs, tracefs ? "/sys/kernel/tracing" :
	     "not mounted (sigrec mounts it on /sys/kernel/tracing)");
	snprintf(buf, sizeof(buf), "%s; %s; %s",
		 pmsg ? "/dev/pmsg0 writable" : "no /dev/pmsg0",
		 kmsg ? "/dev/kmsg writable" : "no writable /dev/kmsg",
		 fs_is("/sys/fs/pstore", 0x6165676C) ? "/sys/fs/pstore mounted"
						      : "/sys/fs/pstore not mounted");
	fact("pstore (--pstore)", pmsg || kmsg, buf);
	/* a boot-mapped instance has last_boot_info (tracefs mounted, or not told) */
	ftrace = !access("/sys/kernel/tracing/instances/" PSTORE_FTRACE_INSTANCE "/last_boot_info", F_OK);
	fact("persistent trace buffer", ftrace, ftrace ?
	     "instance " PSTORE_FTRACE_INSTANCE " kept across reboots (--pstore=ftrace)" :
	     "no instance " PSTORE_FTRACE_INSTANCE " in reserved memory (6.12+: reserve_mem=20M:2M:trace "
	     "trace_instance=" PSTORE_FTRACE_INSTANCE "@trace)");
}

static struct capture *probe(const struct capture_opts *o, int hooks, struct sigrec_err *err)
{
	struct capture_opts p = *o;

	p.hooks = hooks;
	p.probe_only = 1;
	p.pin_dir = NULL;
	return capture__open(&p, NULL, NULL, err);
}

static void syscall_line(const struct capture *def, const struct capture *tp)
{
	const char *name = capture__part_name(CAPTURE_SYSCALL);

	if (capture__hooks(def) == SIGREC_HOOKS_FENTRY) {
		printf("  %-24s on   fexit on the kill-family syscalls; cost: none to "
		       "other syscalls\n", name);
		return;
	}
	printf("  %-24s off  fentry refused (%s)\n", name,
	       capture__part_refused(def, CAPTURE_SYSCALL));
	if (tp && capture__hooks(tp) == SIGREC_HOOKS_TRACEPOINT)
		printf("  %-24s      --hooks tracepoint records them with syscall tracepoints; "
		       "cost: every syscall on the machine takes the slow path (getppid() "
		       "+21%% to +45%% measured on 6.18)\n", "");
	else
		printf("  %-24s      --hooks tracepoint is refused too (%s)\n", "",
		       tp ? capture__part_refused(tp, CAPTURE_SYSCALL) : "the core did not load");
}

int check__run(const struct capture_opts *o)
{
	struct capture *def, *tp = NULL;
	struct utsname u;
	struct sigrec_err err = { "" };

	if (capture__mounts(&err))	/* as a recording would */
		fprintf(stderr, "sigrec: %s\n", err.msg);
	uname(&u);
	printf("sigrec --check on Linux %s %s\n", u.release, u.machine);
	facilities();
	def = probe(o, CAPTURE_HOOKS_AUTO, &err);
	printf("what sigrec records here with these options:\n");
	if (!def) {
		printf("  %-24s off  %s\n", capture__part_name(CAPTURE_SIGNALS), err.msg);
		printf("result: the core does not load: sigrec cannot record on this kernel (exit 4)\n");
		return 4;
	}
	if (capture__hooks(def) != SIGREC_HOOKS_FENTRY)
		tp = probe(o, CAPTURE_HOOKS_TRACEPOINT, &err);
	for (int i = 0; i < CAPTURE_NPARTS; i++) {
		const char *refused = capture__part_refused(def, i);

		if (i == CAPTURE_SYSCALL) {
			syscall_line(def, tp);
			continue;
		}
		if (capture__part_on(def, i) && i == CAPTURE_SIGNALS)
			printf("  %-24s on   %s (%s); cost: %s\n", capture__part_name(i), parts[i].how,
			       capture__signal_prog(def), parts[i].cost);
		else if (capture__part_on(def, i))
			printf("  %-24s on   %s; cost: %s\n", capture__part_name(i),
			       i == CAPTURE_DELIVER ? capture__deliver_prog(def) : parts[i].how,
			       parts[i].cost);
		else
			printf("  %-24s off  %s\n", capture__part_name(i),
			       refused[0] ? refused : "switched off by an option");
	}
	printf("result: the core works: sigrec records every matching signal here (exit 0)\n");
	capture__close(tp, 1);
	capture__close(def, 1);
	return 0;
}
