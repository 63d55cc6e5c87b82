// SPDX-License-Identifier: MIT
/* options.c - sigrec's command line: --help, parsing with range checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "env.h"
#include "writer.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sigrec [OPTIONS]\n"
"Record every matching signal on this machine into a fixed-size ring file.\n"
"\n"
"  -r, --ring PATH            ring file (default " DEFAULT_RING ")\n"
"  -g, --group GROUP          group of a new ring file and its directory (the\n"
"                             group can read it with sigdump; default: root)\n"
"  -s, --size BYTES           size of a new ring (default 64M); an existing\n"
"                             ring keeps its size and must match if given\n"
"  -S, --signals LIST         record only these signals (TERM,KILL,9,SIGRTMIN+1)\n"
"  -x, --exclude-signals LIST do not record these signals\n"
"  -p, --pid PID              only signals to this process (all its threads)\n"
"  -c, --comm NAME            only signals to tasks named NAME\n"
"  -f, --failed-only          only failed attempts (syscall errors, overflows)\n"
"      --probes               also record kill(pid, 0) existence probes (they\n"
"                             raise no signal; needs syscall hooks)\n"
"      --no-syscall-hooks     no kill-family syscall hooks: every signal is still\n"
"                             recorded, failed attempts and raw arguments are not\n"
"      --hooks KIND           kill-family syscall hooks, which add failed attempts\n"
"                             and raw arguments: auto (default: fentry where the\n"
"                             kernel allows it, else none), fentry, tracepoint\n"
"                             (taxes every syscall on the machine) or off\n"
"      --no-lifecycle         do not record fork/exec/exit/rename/OOM\n"
"      --no-coalesce          one record per signal, each with its own clock\n"
"                             reading (by default a run of identical signals on\n"
"                             a CPU is one record per scheduler tick with a\n"
"                             count, and a storm of unlike ones shares one\n"
"                             clock reading among up to 16 records)\n"
"      --buffer BYTES         BPF ring buffer size (default 8M, power of two)\n"
"      --sync-interval DUR    flush the ring file to disk this often (default 5s)\n"
"      --snapshot-interval DUR  record the live process table this often\n"
"                             (default 10m; 0 = only at start)\n"
"      --duration DUR         stop after DUR (default: run until SIGINT/SIGTERM)\n"
"      --no-pin               do not pin the BPF programs: capture stops with sigrec\n"
"                             (default: they stay pinned in /sys/fs/bpf/sigrec if\n"
"                             sigrec crashes, and a restart drains what they caught)\n"
"      --unpin                remove the pinned capture a crashed sigrec left for\n"
"                             --ring (e.g. before uninstalling), then exit\n"
"      --pstore[=MODE]        also write a line per fatal signal to persistent RAM:\n"
"                             MODE auto (default: /dev/pmsg0, else /dev/kmsg),\n"
"                             pmsg, kmsg, or ftrace[:INSTANCE]: the trace_marker\n"
"                             of a tracefs instance the kernel (6.12+) keeps\n"
"                             across a reboot, default boot_map (boot with\n"
"                             reserve_mem=20M:2M:trace\n"
"                             trace_instance=boot_map@trace); read back with\n"
"                             sigdump --pstore\n"
"      --pstore-signals LIST  signals for --pstore (default KILL,TERM,ABRT,SEGV,\n"
"                             BUS,ILL,FPE,SYS)\n"
"      --stack-signals LIST   signals whose sender's user stack is recorded (build\n"
"                             ids; the kernel's stack when the kernel raised it),\n"
"                             rate-limited per CPU (default: the --pstore-signals\n"
"                             set); faults always record their fault site\n"
"      --no-stacks            record no stacks and no fault sites\n"
"      --metrics-file PATH    Prometheus metrics in node_exporter's textfile format,\n"
"                             written atomically every --metrics-interval (15s)\n"
"                             and at exit (e.g. /var/lib/node_exporter/textfile/\n"
"                             sigrec.prom)\n"
"      --metrics-interval DUR how often to write --metrics-file (default 15s)\n"
"      --journal              a journal entry per fatal signal delivered (the\n"
"                             --pstore-signals set) and OOM kill, attached to the\n"
"                             victim's unit: journalctl -u UNIT shows who killed it\n"
"      --stats                print counters to stderr at exit\n"
"  -v, --verbose              more libbpf messages (twice: debug)\n"
"  -V, --version\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  sigrec                                  record everything to " DEFAULT_RING "\n"
"  sigrec -r /tmp/t.ring -s 16M -S TERM,KILL  only SIGTERM and SIGKILL, small ring\n"
"  sigrec --exclude-signals CHLD,WINCH     everything but the noisy ones\n"
"  sigrec --pid 1234                       signals to process 1234\n"
"  sigrec --check                          what this kernel lets sigrec record\n"
"  sigrec --hooks tracepoint               also failed kill()s where fentry is refused\n"
"  sigrec --pstore=ftrace                  fatal signals also into the persistent\n"
"                                          trace instance boot_map\n"
"\n"
"SIGINT or SIGTERM seal the active chunk and exit 0.  Read the ring with sigdump.\n"
"      --check                say what this kernel gives sigrec (each part on or off,\n"
"                             how it is captured, what it costs) and exit\n"
"\n"
"A part the kernel refuses (failed attempts, interrupt attribution, lifecycle)\n"
"is switched off with one line saying what that costs; the recording says so.\n"
"Exit codes: 0 stopped cleanly (--check: the core loads here), 1 runtime\n"
"error (also --pstore: no such device, no persistent trace instance), 2 bad\n"
"usage, 3 ring file refused (not a ring, in use, wrong size, no space), 4 the\n"
"signal program cannot be loaded or attached.\n");
}

enum {
	OPT_NO_HOOKS = 256, OPT_HOOKS, OPT_NO_LIFECYCLE, OPT_BUFFER, OPT_SYNC,
	OPT_DURATION, OPT_STATS, OPT_SNAPSHOT, OPT_NO_PIN, OPT_UNPIN, OPT_CHECK, OPT_PROBES, OPT_METRICS, OPT_METRICS_INTERVAL, OPT_JOURNAL, OPT_PSTORE,
	OPT_PSTORE_SIGNALS, OPT_NO_COALESCE, OPT_STACK_SIGNALS, OPT_NO_STACKS,
};

static const struct option long_opts[] = {
	{ "ring", required_argument, NULL, 'r' },
	{ "size", required_argument, NULL, 's' },
	{ "group", required_argument, NULL, 'g' },
	{ "signals", required_argument, NULL, 'S' },
	{ "exclude-signals", required_argument, NULL, 'x' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "failed-only", no_argument, NULL, 'f' },
	{ "no-syscall-hooks", no_argument, NULL, OPT_NO_HOOKS },
	{ "hooks", required_argument, NULL, OPT_HOOKS },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "probes", no_argument, NULL, OPT_PROBES },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	{ "journal", no_argument, NULL, OPT_JOURNAL },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "no-lifecycle", no_argument, NULL, OPT_NO_LIFECYCLE },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "sync-interval", required_argument, NULL, OPT_SYNC },
	{ "snapshot-interval", required_argument, NULL, OPT_SNAPSHOT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "no-pin", no_argument, NULL, OPT_NO_PIN },
	{ "no-coalesce", no_argument, NULL, OPT_NO_COALESCE },
	{ "unpin", no_argument, NULL, OPT_UNPIN },
	{ "pstore", optional_argument, NULL, OPT_PSTORE },
	{ "pstore-signals", required_argument, NULL, OPT_PSTORE_SIGNALS },
	{ "stack-signals", required_argument, NULL, OPT_STACK_SIGNALS },
	{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "sigrec: invalid %s '%s': %s\n", opt, val, why);
	return -EINVAL;
}

int env__parse(int argc, char **argv, struct env *e)
{
	uint64_t excl[2] = { 0, 0 }, v;
	uint64_t stacks[2] = { 0, 0 };
	int stacks_given = 0, no_stacks = 0;
	char badtok[64];
	int c;

	while ((c = getopt_long(argc, argv, "r:s:g:S:x:p:c:fvVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			e->ring = optarg;
			break;
		case 's':
			if (parse_size(optarg, &e->ropts.size) || e->ropts.size < (1 << 20) ||
			    e->ropts.size > RING_MAX_SIZE || e->ropts.size % 4096)
				return bad("--size", optarg,
					   "expected 1M to 1T in whole 4K pages, such as 64M or 1G");
			e->ropts.size_given = 1;
			break;
		case 'g': {
			struct group *gr = getgrnam(optarg);

			if (gr)
				e->popts.gid = gr->gr_gid;
			else if (!parse_u64(optarg, 0, 4294967294U, &v))
				e->popts.gid = v;
			else
				return bad("--group", optarg, "no such group");
			e->popts.gid_set = 1;
			break;
		}
		case 'S':
			if (sig_parse_list(optarg, e->copts.sig_mask, badtok, sizeof(badtok)))
				return bad("--signals", optarg, "unknown signal in list");
			break;
		case 'x':
			if (sig_parse_list(optarg, excl, badtok, sizeof(badtok)))
				return bad("--exclude-signals", optarg, "unknown signal in list");
			break;
		case 'p':
			if (parse_u64(optarg, 1, 4194304, &v))
				return bad("--pid", optarg, "expected a process id 1..4194304");
			e->copts.pid = v;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--comm", optarg, "expected 1 to 15 characters");
			strcpy(e->copts.comm, optarg);
			e->copts.comm_on = 1;
			break;
		case 'f':
			e->copts.failed_only = 1;
			break;
		case OPT_NO_HOOKS:
			e->copts.hooks = CAPTURE_HOOKS_OFF;
			break;
		case OPT_NO_COALESCE:
			e->copts.exact = 1;
			break;
		case OPT_HOOKS:
			if (!strcmp(optarg, "auto"))
				e->copts.hooks = CAPTURE_HOOKS_AUTO;
			else if (!strcmp(optarg, "fentry"))
				e->copts.hooks = CAPTURE_HOOKS_FENTRY;
			else if (!strcmp(optarg, "tracepoint"))
				e->copts.hooks = CAPTURE_HOOKS_TRACEPOINT;
			else if (!strcmp(optarg, "off"))
				e->copts.hooks = CAPTURE_HOOKS_OFF;
			else
				return bad("--hooks", optarg, "expected auto, fentry, tracepoint or off");
			break;
		case OPT_NO_LIFECYCLE:
			e->copts.lifecycle = 0;
			break;
		case OPT_BUFFER:
			if (parse_size(optarg, &v) || v < 4096 * 16 || v > (1U << 30) ||
			    (v & (v - 1)))
				return bad("--buffer", optarg, "expected a power of two from 64K to 1G");
			e->copts.buffer_bytes = v;
			break;
		case OPT_SYNC:
			if (parse_duration(optarg, &e->sync_ns) || e->sync_ns < 1000000)
				return bad("--sync-interval", optarg, "expected a duration >= 1ms such as 5s");
			break;
		case OPT_SNAPSHOT:
			if (parse_duration(optarg, &e->snapshot_ns))
				return bad("--snapshot-interval", optarg, "expected a duration such as 10m");
			break;
		case OPT_DURATION:
			if (parse_duration(optarg, &e->duration_ns) || !e->duration_ns)
				return bad("--duration", optarg, "expected a duration such as 30s");
			break;
		case OPT_STATS:
			e->stats = 1;
			break;
		case OPT_NO_PIN:
			e->no_pin = 1;
			break;
		case OPT_UNPIN:
			e->unpin = 1;
			break;
		case OPT_CHECK:
			e->check = 1;
			break;
		case OPT_PROBES:
			e->copts.probes = 1;
			break;
		case OPT_JOURNAL:
			e->journal = 1;
			break;
		case OPT_METRICS:
			if (!*optarg || optarg[strlen(optarg) - 1] == '/')
				return bad("--metrics-file", optarg, "expected a file path");
			e->metrics_file = optarg;
			break;
		case OPT_METRICS_INTERVAL:
			if (parse_duration(optarg, &e->metrics_ns) || e->metrics_ns < 1000000000ULL)
				return bad("--metrics-interval", optarg, "expected a duration >= 1s such as 15s");
			break;
		case OPT_PSTORE:
			if (!optarg || !strcmp(optarg, "auto"))
				e->pstore = PSTORE_AUTO;
			else if (!strcmp(optarg, "pmsg"))
				e->pstore = PSTORE_PMSG;
			else if (!strcmp(optarg, "kmsg"))
				e->pstore = PSTORE_KMSG;
			else if (!strcmp(optarg, "ftrace") || !strncmp(optarg, "ftrace:", 7)) {
				e->pstore = PSTORE_FTRACE;
				e->pstore_instance = optarg[6] ? optarg + 7 : PSTORE_FTRACE_INSTANCE;
				if (!*e->pstore_instance || strchr(e->pstore_instance, '/') ||
				    strlen(e->pstore_instance) > 200 || e->pstore_instance[0] == '.')
					return bad("--pstore", optarg, "expected ftrace:NAME, NAME a tracefs "
						   "instance such as boot_map");
			} else
				return bad("--pstore", optarg, "expected auto, pmsg, kmsg or ftrace[:INSTANCE]");
			break;
		case OPT_PSTORE_SIGNALS:
			if (sig_parse_list(optarg, e->pstore_mask, badtok, sizeof(badtok)))
				return bad("--pstore-signals", optarg, "unknown signal in list");
			break;
		case OPT_STACK_SIGNALS:
			if (sig_parse_list(optarg, stacks, badtok, sizeof(badtok)))
				return bad("--stack-signals", optarg, "unknown signal in list");
			stacks_given = 1;
			break;
		case OPT_NO_STACKS:
			no_stacks = 1;
			break;
		case 'v':
			e->copts.verbose++;
			break;
		case 'V':
			printf("sigrec %s\n", SIGREC_VERSION_STR);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'sigrec --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sigrec: unexpected argument '%s'\nTry 'sigrec --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	e->copts.sig_mask[0] &= ~excl[0];
	e->copts.sig_mask[1] &= ~excl[1];
	/* signals 1..64 are in word 0; a zero mask is --no-stacks */
	e->copts.stack_mask = no_stacks ? 0 : stacks_given ? stacks[0] : e->pstore_mask[0];
	if (!no_stacks && !e->copts.stack_mask)
		e->copts.stack_mask = SIGREC_SET_FAULT;	/* an empty list: fault sites only */
	if (!e->copts.sig_mask[0] && !e->copts.sig_mask[1]) {
		fprintf(stderr, "sigrec: the signal filters exclude every signal\n");
		return -EINVAL;
	}
	return 0;
}


void env__defaults(struct env *e)
{
	*e = (struct env){
		.ring = DEFAULT_RING,
		.ropts = { .mode = 0640 },
		.copts = { .sig_mask = { ~0ULL, ~0ULL }, .lifecycle = 1, .buffer_bytes = 8 << 20 },
		.sync_ns = 5000000000ULL,
		.snapshot_ns = 600000000000ULL,
		.metrics_ns = 15000000000ULL,
		.pstore_mask = { SIGREC_SET_FATAL, 0 },
	};
}
