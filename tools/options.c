// SPDX-License-Identifier: MIT
/* options.c - sigdump's command line: --help and the options. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "dump.h"

enum { OPT_LAST = 256, OPT_SINCE, OPT_UNTIL, OPT_SENDER, OPT_FAILED, OPT_UTC, OPT_STATS, OPT_WHY,
       OPT_EXPORT, OPT_REDACT, OPT_SENDER_COMM, OPT_CAUSE, OPT_RESULT, OPT_CGROUP, OPT_BOOT,
       OPT_CONTAINER, OPT_POD,
       OPT_NO_PAGER, OPT_PSTORE, OPT_PERFETTO, OPT_STACK, OPT_DEBUG_DIR };

static const struct option long_opts[] = {
	{ "last", required_argument, NULL, OPT_LAST },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "sender-pid", required_argument, NULL, OPT_SENDER },
	{ "signal", required_argument, NULL, 's' },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "json", no_argument, NULL, 'j' },
	{ "tree", no_argument, NULL, 't' },
	{ "utc", no_argument, NULL, OPT_UTC },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "why", required_argument, NULL, OPT_WHY },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "sender-comm", required_argument, NULL, OPT_SENDER_COMM },
	{ "cause", required_argument, NULL, OPT_CAUSE },
	{ "result", required_argument, NULL, OPT_RESULT },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "logfmt", no_argument, NULL, 'l' },
	{ "follow", no_argument, NULL, 'f' },
	{ "no-pager", no_argument, NULL, OPT_NO_PAGER },
	{ "pstore", optional_argument, NULL, OPT_PSTORE },
	{ "perfetto", required_argument, NULL, OPT_PERFETTO },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "stack", no_argument, NULL, OPT_STACK },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "symbolize", required_argument, NULL, OPT_DEBUG_DIR },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sigdump [OPTIONS] [FILE]\n"
"Print the signals recorded by sigrec in FILE (default " DEFAULT_RING ").\n"
"FILE may be a ring being written right now.\n"
"\n"
"Time window:\n"
"      --last DURATION    only the last DURATION (30s, 10m, 2h, 1d)\n"
"      --since TIME       from TIME: RFC 3339, local 'YYYY-MM-DD HH:MM:SS',\n"
"                         or relative ('10m', '10m ago')\n"
"      --until TIME       up to TIME (same forms)\n"
"Filters:\n"
"  -p, --pid PID          signals to process PID (target)\n"
"  -c, --comm NAME        signals to tasks named NAME\n"
"      --sender-pid PID   signals sent by process PID\n"
"  -s, --signal LIST      only these signals (TERM,KILL,9,SIGRTMIN+1)\n"
"      --sender-comm NAME signals sent by tasks named NAME\n"
"      --cause LIST       syscall, kernel, fault, timer, interrupt, oom, user\n"
"      --result LIST      delivered, ignored, already_pending, overflow,\n"
"                         lose_info, failed\n"
"      --failed           only failed attempts and overflows\n"
"      --cgroup PREFIX    signals to processes whose cgroup path starts so\n"
"      --container ID     signals from or to a process in the container whose id\n"
"                         starts with ID (4 to 64 hex digits; from the cgroup path:\n"
"                         docker, containerd, cri-o, podman)\n"
"      --pod UID          signals from or to a process in the Kubernetes pod UID\n"
"                         (or one whose UID starts so, 4 characters at least)\n"
"      --boot BOOT        one boot session: current, previous, or a boot id\n"
"Output:\n"
"  -j, --json             one JSON object per line (schema: docs/OUTPUT.md)\n"
"  -l, --logfmt           one logfmt line per event (dotted keys, for Loki)\n"
"  -f, --follow           keep printing new events as they are recorded\n"
"      --no-pager         never pipe the timeline through $PAGER (less; as root or\n"
"                         under sudo always less, with LESSSECURE=1)\n"
"  -t, --tree             with sender and target ancestry (and stacks)\n"
"      --stack            with the sender's stack and the fault site\n"
"      --debug-dir DIR    binaries and debug files to symbolize stacks with: its\n"
"                         .build-id/xx/yyyy.debug layout, then every file in it\n"
"      --symbolize DIR    the same, for a recording made on another machine\n"
"      --utc              times in UTC (default: local time)\n"
"      --why PID|NAME     the story of one process's end: what it ran, its\n"
"                         parents, every signal it got with the sender's\n"
"                         ancestry, and how it exited (latest match)\n"
"      --pstore[=DIRS]    the lines sigrec --pstore left in persistent RAM, read\n"
"                         after a panic or reboot from DIRS, a colon-separated\n"
"                         list (default /sys/fs/pstore and where systemd-pstore\n"
"                         moves them, /var/lib/systemd/pstore, with its\n"
"                         per-record subdirectories, and the persistent ftrace\n"
"                         instance of sigrec --pstore=ftrace,\n"
"                         /sys/kernel/tracing/instances/boot_map: a directory\n"
"                         with a trace_marker is read as a tracefs instance),\n"
"                         each line shown once; with FILE too, merged into its\n"
"                         timeline\n"
"      --perfetto FILE    a Chrome JSON trace of the window's events for\n"
"                         ui.perfetto.dev or chrome://tracing: a track per\n"
"                         process and thread, signals as slices joined by\n"
"                         arrows, fork/exec/exit marks (FILE must not exist; -\n"
"                         for stdout)\n"
"      --export FILE      write the window's matching events, the processes they\n"
"                         name and this host's facts to FILE, a small dump that\n"
"                         sigdump reads anywhere (FILE must not exist)\n"
"      --redact           with --export: command lines cut to argv[0], host name\n"
"                         replaced\n"
"      --stats            a summary of the window instead of events: records by\n"
"                         type, failed attempts, lost events, bytes on disk\n"
"  -V, --version\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  sigdump --why nginx                 who killed nginx, and how did it die?\n"
"  sigdump --last 10m                  what happened in the last ten minutes\n"
"  sigdump --pid 4242 --tree           who signalled process 4242, and their parents\n"
"  sigdump --signal KILL,TERM --json   machine-readable, fatal signals only\n"
"  sigdump --failed /tmp/t.ring        failed kill attempts in another ring\n"
"  sigdump --container 3f2a1b9c0d12    signals from or to one container\n"
"  sigdump --pod 5c4e2a10 --json       signals from or to one Kubernetes pod\n"
"  sigdump --last 1h --export bug.sdump --redact   a dump to attach to a report\n"
"  sigdump bug.sdump                   read a dump (any option works on it)\n"
"  sigdump --last 1h --perfetto t.json   open t.json in ui.perfetto.dev\n"
"\n"
"Exit codes: 0 success (warnings about skipped corrupt chunks go to stderr),\n"
"1 runtime error (or --why found no such process), 2 bad usage, 3 FILE cannot\n"
"be read as a ring.\n");
}

/* A comma list of names (by the naming function) into a bit set. */
static int name_set(const char *list, const char *(*name)(int), int max, unsigned int *set)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	*set = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v;

		for (v = 0; v <= max && strcmp(tok, name(v)); v++)
			;
		if (v > max)
			return -EINVAL;
		*set |= 1U << v;
	}
	return *set ? 0 : -EINVAL;
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "sigdump: invalid %s '%s': %s\nTry 'sigdump --help'.\n", opt, val, why);
	return -EINVAL;
}

int dump_parse_args(int argc, char **argv, struct dump *d, const char **path)
{
	int64_t now = now_realtime_ns();
	char badtok[64];
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "p:c:s:jltfVh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LAST:
			if (parse_duration(optarg, &v))
				return bad("--last", optarg, "expected a duration such as 10m");
			d->q.since = ns_before(now, v);
			break;
		case OPT_SINCE:
			if (parse_time(optarg, now, &d->q.since))
				return bad("--since", optarg, "expected RFC 3339 time or '10m ago'");
			break;
		case OPT_UNTIL:
			if (parse_time(optarg, now, &d->q.until))
				return bad("--until", optarg, "expected RFC 3339 time or '10m ago'");
			break;
		case 'p':
		case OPT_SENDER:
			if (parse_u64(optarg, 1, 4194304, &v))
				return bad(c == 'p' ? "--pid" : "--sender-pid", optarg,
					   "expected a process id");
			*(c == 'p' ? &d->q.pid : &d->q.sender_pid) = v;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--comm", optarg, "expected 1 to 15 characters");
			strcpy(d->q.comm, optarg);
			break;
		case 's':
			if (sig_parse_list(optarg, d->q.sig_mask, badtok, sizeof(badtok)))
				return bad("--signal", optarg, "unknown signal in list");
			d->q.has_sig = 1;
			break;
		case OPT_FAILED:
			d->q.failed = 1;
			break;
		case 'j':
			d->o.format = OUT_JSON;
			break;
		case 't':
			d->o.tree = 1;
			break;
		case OPT_UTC:
			d->o.utc = 1;
			break;
		case OPT_STATS:
			d->stats = 1;
			break;
		case OPT_EXPORT:
			d->export_path = optarg;
			break;
		case OPT_SENDER_COMM:
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN)
				return bad("--sender-comm", optarg, "expected 1 to 15 characters");
			strcpy(d->q.sender_comm, optarg);
			break;
		case OPT_CAUSE:
			if (name_set(optarg, cause_name, SIGREC_C_USER, &d->q.causes))
				return bad("--cause", optarg, "expected syscall, kernel, fault, timer, "
					   "interrupt, oom or user");
			break;
		case OPT_RESULT:
			if (name_set(optarg, result_name, SIGREC_R_FAILED, &d->q.results))
				return bad("--result", optarg, "expected delivered, ignored, "
					   "already_pending, overflow, lose_info or failed");
			break;
		case OPT_CGROUP:
			d->q.cgroup = optarg;
			break;
		case OPT_CONTAINER:
			if (cgroup_id_prefix(optarg, d->q.container, sizeof(d->q.container)))
				return bad("--container", optarg, "expected 4 to 64 hex digits of a "
					   "container id");
			break;
		case OPT_POD:
			if (cgroup_pod_prefix(optarg, d->q.pod, sizeof(d->q.pod)))
				return bad("--pod", optarg, "expected a pod UID or its first 4 or more "
					   "characters");
			break;
		case OPT_BOOT:
			d->q.boot = optarg;
			break;
		case 'l':
			d->o.format = OUT_LOGFMT;
			break;
		case 'f':
			d->follow = 1;
			break;
		case OPT_NO_PAGER:
			d->no_pager = 1;
			break;
		case OPT_PSTORE:
			d->pstore_dir = optarg ? optarg : PSTORE_DIRS;
			break;
		case OPT_REDACT:
			d->redact = 1;
			break;
		case OPT_PERFETTO:
			d->perfetto_path = optarg;
			break;
		case OPT_WHY:
			if (!*optarg || strlen(optarg) >= SIGREC_COMM_LEN ||
			    (isdigit((unsigned char)*optarg) && parse_u64(optarg, 1, 4194304, &v)))
				return bad("--why", optarg, "expected a pid or a process name");
			d->why_arg = optarg;
			break;
		case OPT_STACK:
			d->o.stack = 1;
			break;
		case OPT_DEBUG_DIR:
			symbolizer__add_dir(d->sym, optarg);
			break;
		case 'V':
			printf("sigdump %s\n", SIGREC_VERSION_STR);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'sigdump --help'.\n");
			return -EINVAL;
		}
	}
	/* the query, for the dump's host facts */
	for (int i = 1, n = 0; i < optind && n < (int)sizeof(d->query_text) - 1; i++)
		if (strcmp(argv[i], "--export") && (i < 2 || strcmp(argv[i - 1], "--export")))
			n += snprintf(d->query_text + n, sizeof(d->query_text) - n, "%s%s",
				      n ? " " : "", argv[i]);
	if (optind < argc) {
		*path = argv[optind++];
		d->path_given = 1;
	}
	if (optind < argc) {
		fprintf(stderr, "sigdump: unexpected argument '%s'\nTry 'sigdump --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	if (d->redact && !d->export_path) {
		fprintf(stderr, "sigdump: --redact goes with --export\n");
		return -EINVAL;
	}
	if (d->follow && (d->export_path || d->why_arg || d->stats)) {
		fprintf(stderr, "sigdump: --follow does not go with --export, --why or --stats\n");
		return -EINVAL;
	}
	if (d->perfetto_path && (d->follow || d->export_path || d->why_arg || d->stats)) {
		fprintf(stderr, "sigdump: --perfetto does not go with --follow, --export, --why "
			"or --stats\n");
		return -EINVAL;
	}
	if (d->export_path && (d->why_arg || d->stats)) {
		fprintf(stderr, "sigdump: --export does not go with --why or --stats\n");
		return -EINVAL;
	}
	if (d->q.since > d->q.until) {
		fprintf(stderr, "sigdump: --since is after --until\n");
		return -EINVAL;
	}
	return 0;
}
