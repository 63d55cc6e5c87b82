// SPDX-License-Identifier: MIT
/* capture.c - BPF skeleton lifecycle: configure, probe hooks, load, attach, poll; the
 * pinned set it leaves capturing between recorders is pinset.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "capture.h"
#include "pinset.h"
#include "rbuf.h"
#include "util.h"
#include "sigrec.skel.h"

#define TRACEFS_MAGIC_NR	0x74726163
#define BPF_FS_MAGIC_NR		0xcafe4a11

struct capture {
	struct sigrec_bpf *skel;	/* NULL when a pinned set is reused */
	struct pinned set;
	struct rbuf rb;
	char pin_dir[256];
	int hooks;
	int sigprog;		/* index into signal_progs of the one loaded */
	int delprog;		/* index into deliver_progs of the one loaded */
	uint32_t missing;	/* SIGREC_START_NO_* of what the kernel refused or options cut */
	unsigned off;		/* 1 << role: not running */
	char notes[CAPTURE_NPARTS][512];	/* what a refusal costs, said once at start */
	char refused[CAPTURE_NPARTS][300];	/* the program and the kernel's reason */
	int reused;
	struct pin_io io;	/* where records go; per-CPU buffers */
};

static int verbose_level;

/*
 * What libbpf said about the last program the kernel refused: its name and
 * the verifier's last line.  The full log is shown only with --verbose.
 */
static struct {
	int on;
	char prog[64];
	char line[200];
	int in_log;
} refusal;

static void note_refusal(const char *msg)
{
	const char *p = strstr(msg, "prog '"), *q;

	if (!refusal.prog[0] && p && (q = strchr(p + 6, '\'')) && strstr(q, "fail")) {
		snprintf(refusal.prog, sizeof(refusal.prog), "%.*s", (int)(q - (p + 6)), p + 6);
		/* until the verifier's log says more: libbpf's own words */
		snprintf(refusal.line, sizeof(refusal.line), "%s", q[1] == ':' ? q + 3 : q + 1);
		refusal.line[strcspn(refusal.line, "\n")] = 0;
	}
	if (strstr(msg, "-- BEGIN PROG LOAD LOG --")) {
		refusal.in_log = 1;
		msg = strstr(msg, "-- BEGIN PROG LOAD LOG --") + 26;
	}
	if (!refusal.in_log)
		return;
	/* the last line before "processed N insns" or the end of the log */
	for (const char *l = msg; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		if (!strncmp(l, "-- END PROG LOAD LOG --", 23)) {
			refusal.in_log = 0;
			break;
		}
		if (n && strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17) &&
		    strncmp(l, "stack depth", 11))
			snprintf(refusal.line, sizeof(refusal.line), "%.*s", (int)n, l);
		if (!nl)
			break;
		l = nl + 1;
	}
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	va_list aq;

	if (refusal.on) {	/* whole: a large program's log ends with the reason */
		va_copy(aq, ap);
		if (vasprintf(&msg, fmt, aq) >= 0)
			note_refusal(msg);
		va_end(aq);
		free(msg);
	}
	/* by default sigrec says in one line what was refused and why */
	if ((level == LIBBPF_WARN && verbose_level < 1) ||
	    (level == LIBBPF_INFO && verbose_level < 1) ||
	    (level == LIBBPF_DEBUG && verbose_level < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

int capture__mounts(struct sigrec_err *err)
{
	/* libbpf resolves classic tracepoints through tracefs */
	if (access("/sys/kernel/debug/tracing/events", F_OK) &&
	    !fs_is("/sys/kernel/tracing", TRACEFS_MAGIC_NR) &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		seterr(err, "cannot mount tracefs on /sys/kernel/tracing: %s",
			 strerror(errno));
		return -errno;
	}
	if (!fs_is("/sys/fs/bpf", BPF_FS_MAGIC_NR) &&
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) && errno != EBUSY) {
		/* not fatal: pinning is optional */
		errno = 0;
	}
	return 0;
}

/*
 * What each program is for.  The signal program is the core: without it
 * nothing is recorded.  Every other role is optional: when the kernel
 * refuses one of its programs, the role is switched off, the rest loads,
 * and the recording says what it lacks (struct sigrec_start.flags).
 */
enum role {
	ROLE_CORE = CAPTURE_SIGNALS, ROLE_SYSCALL = CAPTURE_SYSCALL, ROLE_IRQ = CAPTURE_IRQ,
	ROLE_FORK = CAPTURE_FORK, ROLE_EXEC = CAPTURE_EXEC, ROLE_EXIT = CAPTURE_EXIT,
	ROLE_RENAME = CAPTURE_RENAME, ROLE_OOM = CAPTURE_OOM, ROLE_FLUSH = CAPTURE_FLUSH,
	ROLE_DELIVER = CAPTURE_DELIVER, ROLE_STACKS = CAPTURE_STACKS, NROLES = CAPTURE_NPARTS
};

static const struct role_info {
	const char *name;	/* for sigrec --check */
	const char *what;	/* what the user does not get without it */
	const char *still;	/* what they still get */
	uint32_t start_flag;
} roles[NROLES] = {
	[ROLE_CORE] = { "signals", "no signal is recorded", "", 0 },
	[ROLE_SYSCALL] = { "failed attempts", "failed attempts (kill() returning EPERM or ESRCH) and raw syscall "
			   "arguments are not recorded", "every signal is still recorded", 0 },
	[ROLE_IRQ] = { "interrupt attribution", "signals raised from interrupts are not told from those of the "
		       "interrupted task", "senders are named only for syscalls and faults",
		       SIGREC_START_NO_IRQCTX },
	[ROLE_FORK] = { "forks", "forks are not recorded", "trees come from the process snapshots",
			SIGREC_START_NO_FORK },
	[ROLE_EXEC] = { "execs", "execs (command lines) are not recorded",
			"command lines come from the process snapshots", SIGREC_START_NO_EXEC },
	[ROLE_EXIT] = { "exits", "exits are not recorded", "every signal is still recorded",
			SIGREC_START_NO_EXIT },
	[ROLE_RENAME] = { "comm changes", "comm changes are not recorded", "every signal is still recorded",
			  SIGREC_START_NO_RENAME },
	[ROLE_OOM] = { "OOM kills", "OOM kills are not told from other SIGKILLs",
		       "every signal is still recorded", SIGREC_START_NO_OOM },
	[ROLE_FLUSH] = { "coalescing", "storms are not coalesced", "every signal is recorded on its own",
			 SIGREC_START_EXACT },
	[ROLE_DELIVER] = { "deliveries", "deliveries are not recorded",
			   "every signal is still recorded, with the target's disposition when sent",
			   SIGREC_START_NO_DELIVER },
	[ROLE_STACKS] = { "stacks", "sender stacks are not recorded", "every signal is still recorded",
			  SIGREC_START_NO_STACKS },
};

static enum role role_of(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p), *name = bpf_program__name(p);

	if (!strcmp(sec, "tp_btf/signal_generate"))
		return ROLE_CORE;
	if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6) ||
	    !strncmp(sec, "tracepoint/syscalls/", 20))
		return ROLE_SYSCALL;
	if (!strncmp(sec, "tp_btf/irq_", 11) || !strncmp(sec, "tp_btf/softirq_", 15) ||
	    !strncmp(sec, "tp_btf/hrtimer_", 15))
		return ROLE_IRQ;
	if (!strcmp(name, "on_fork"))
		return ROLE_FORK;
	if (!strcmp(name, "on_exec"))
		return ROLE_EXEC;
	if (!strcmp(name, "on_exit"))
		return ROLE_EXIT;
	if (!strcmp(name, "on_rename"))
		return ROLE_RENAME;
	if (!strcmp(name, "on_mark_victim"))
		return ROLE_OOM;
	if (strstr(sec, "/signal_deliver"))
		return ROLE_DELIVER;
	return ROLE_FLUSH;
}

/* The delivery program, then its fallback where the kernel refuses tp_btf. */
static const char *const deliver_progs[] = { "on_signal_deliver", "on_signal_deliver_raw" };
static const char *const deliver_hooks[] = { "tp_btf/signal_deliver", "raw_tp/signal_deliver" };
#define NDELIVER_PROGS	(sizeof(deliver_progs) / sizeof(deliver_progs[0]))

/* The ways the signal program reads its siginfo, cheapest first (sigrec.bpf.c). */
static const char *const signal_progs[] = {
	"on_signal_generate", "on_signal_generate_direct", "on_signal_generate_probe",
};
#define NSIGNAL_PROGS	(sizeof(signal_progs) / sizeof(signal_progs[0]))
/* How each reads siginfo: SIGREC_SIGNAL_READ names one, sigrec --check says which. */
static const char *const signal_reads[NSIGNAL_PROGS] = { "cast", "direct", "probe" };

/* The cheapest variant the kernel can take: the cast needs bpf_rdonly_cast (6.2+). */
static int first_signal_prog(void)
{
	struct btf *vm = btf__load_vmlinux_btf();
	int has_cast;

	if (!vm)
		return 1;
	has_cast = btf__find_by_name_kind(vm, "bpf_rdonly_cast", BTF_KIND_FUNC) >= 0;
	btf__free(vm);
	return has_cast ? 0 : 1;
}

/* A load plan: what is on, and why the rest is off. */
struct plan {
	int hooks;		/* enum sigrec_hooks */
	int sigprog;		/* index into signal_progs */
	int delprog;		/* index into deliver_progs */
	unsigned off;		/* 1 << role: switched off */
	unsigned by_option;	/* 1 << role: off because an option said so */
	char stacks_why[256];	/* the signal program was refused with stacks on: why */
};

static int prog_wanted(const struct plan *pl, struct bpf_program *p)
{
	enum role r = role_of(p);
	const char *sec = bpf_program__section_name(p);

	if (pl->off & (1u << r))
		return 0;
	if (r == ROLE_CORE)
		return !strcmp(bpf_program__name(p), signal_progs[pl->sigprog]);
	if (r == ROLE_DELIVER)
		return !strcmp(bpf_program__name(p), deliver_progs[pl->delprog]);
	if (r == ROLE_SYSCALL)
		return pl->hooks == (sec[0] == 'f' ? SIGREC_HOOKS_FENTRY : SIGREC_HOOKS_TRACEPOINT);
	return 1;
}

static struct sigrec_bpf *open_load(const struct capture_opts *o, const struct plan *pl, int *rc)
{
	struct sigrec_bpf *s = sigrec_bpf__open();
	struct bpf_program *p;
	int ncpu;

	if (!s) {
		*rc = -errno;
		return NULL;
	}
	s->rodata->sig_mask[0] = o->sig_mask[0];
	s->rodata->sig_mask[1] = o->sig_mask[1];
	s->rodata->filter_tgid = o->pid;
	s->rodata->filter_comm_on = o->comm_on;
	memcpy((char *)s->rodata->filter_comm, o->comm, SIGREC_COMM_LEN);
	s->rodata->failed_only = o->failed_only;
	s->rodata->record_probes = o->probes;
	/* a quarter of the buffer unread wakes the reader, counted per CPU */
	ncpu = libbpf_num_possible_cpus();
	s->rodata->wakeup_bytes = o->buffer_bytes / 4 / (ncpu > 0 ? ncpu : 1);
	s->rodata->syscall_hooks = pl->hooks != SIGREC_HOOKS_NONE;
	s->rodata->irq_hooks = !(pl->off & (1u << ROLE_IRQ));
	s->rodata->coalesce = !(pl->off & (1u << ROLE_FLUSH)) && !o->exact;
	s->rodata->stacks_on = !(pl->off & (1u << ROLE_STACKS));
	/* run keys trust that every exit bumps ident_gen */
	s->rodata->fast_repeats = s->rodata->coalesce && !(pl->off & (1u << ROLE_EXIT));
	s->rodata->stack_mask = o->stack_mask;
	s->rodata->stack_any = o->stack_mask | SIGREC_SET_FAULT;
	bpf_map__set_max_entries(s->maps.events, o->buffer_bytes);
#ifdef SIGREC_TEST_REFUSE
	if (getenv("SIGREC_TEST_REFUSE"))
		s->rodata->test_refuse = atoi(getenv("SIGREC_TEST_REFUSE"));
#endif
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, prog_wanted(pl, p));
	refusal.on = 1;
	refusal.prog[0] = refusal.line[0] = 0;
	refusal.in_log = 0;
	*rc = sigrec_bpf__load(s);
	refusal.on = 0;
	if (*rc) {
		sigrec_bpf__destroy(s);
		return NULL;
	}
	return s;
}

/*
 * Attach every loaded program, exits before entries: an interrupt or a
 * kill-family call in flight while attaching can then only miss its count
 * or its state, never leave one behind (a stale irq depth or syscall state
 * would misattribute later signals).
 */
static int is_exit_prog(struct bpf_program *p)
{
	static const char *const irq_exits[] = {
		"tp_btf/irq_handler_exit", "tp_btf/softirq_exit", "tp_btf/hrtimer_expire_exit",
	};
	const char *sec = bpf_program__section_name(p);

	for (size_t i = 0; i < sizeof(irq_exits) / sizeof(irq_exits[0]); i++)
		if (!strcmp(sec, irq_exits[i]))
			return 1;
	return !strncmp(sec, "fexit/", 6) || strstr(sec, "sys_exit_") != NULL;
}

/* Programs attached to a hook (flush_runs is run by user space instead). */
static int is_hooked(struct bpf_program *p)
{
	return bpf_program__autoload(p) && strcmp(bpf_program__section_name(p), "raw_tp");
}

/* Attach in order; on failure *failed is the program that could not attach. */
static int attach_all(struct capture *c, struct bpf_program **failed)
{
	struct bpf_program *p;

	for (int pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(p, c->skel->obj) {
			struct bpf_link *l;

			if (!is_hooked(p) || is_exit_prog(p) != !pass)
				continue;
			if (c->set.nlinks == PIN_MAX_LINKS)
				return -E2BIG;
			l = bpf_program__attach(p);
			if (!l) {
				*failed = p;
				return -errno;
			}
			c->set.link_prog[c->set.nlinks] = bpf_program__name(p);
			c->set.links[c->set.nlinks++] = l;
		}
	}
	return 0;
}

static void detach_all(struct capture *c)
{
	for (int i = 0; i < c->set.nlinks; i++)
		bpf_link__destroy(c->set.links[i]);
	c->set.nlinks = 0;
}

/* ---- pinning: capture goes on while the recorder is down ---- */

static uint64_t fnv(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The object and every setting that shapes what it records. */
static uint64_t config_hash(const struct capture_opts *o)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t sz;
	const void *elf = sigrec_bpf__elf_bytes(&sz);

	h = fnv(h, elf, sz);
	h = fnv(h, o->sig_mask, sizeof(o->sig_mask));
	h = fnv(h, &o->pid, sizeof(o->pid));
	h = fnv(h, o->comm, sizeof(o->comm));
	h = fnv(h, &o->comm_on, sizeof(o->comm_on));
	h = fnv(h, &o->failed_only, sizeof(o->failed_only));
	h = fnv(h, &o->probes, sizeof(o->probes));
	h = fnv(h, &o->hooks, sizeof(o->hooks));
	h = fnv(h, &o->lifecycle, sizeof(o->lifecycle));
	h = fnv(h, &o->buffer_bytes, sizeof(o->buffer_bytes));
	h = fnv(h, &o->exact, sizeof(o->exact));
	h = fnv(h, &o->stack_mask, sizeof(o->stack_mask));
	return h;
}

static void emit_gap(struct capture *c, uint64_t from, uint64_t to)
{
	struct sigrec_lost l = ring_lost(SIGREC_LOST_GAP, 0, from, to, UINT32_MAX);

	c->io.fn(c->io.ctx, &l, sizeof(l));
}

/* ---- lifecycle ---- */

static void kernel_release(char *buf, size_t len)
{
	struct utsname u;

	snprintf(buf, len, "%s", uname(&u) ? "?" : u.release);
}

/* A role with another form of its program to try: the next one (said with --verbose). */
static int next_form(int *form, const char *const *names, size_t n, const char *prog,
		     const char *why)
{
	if (*form + 1 >= (int)n)
		return 0;
	if (verbose_level)
		fprintf(stderr, "sigrec: the kernel refused %s (%s); trying %s\n", prog, why,
			names[*form + 1]);
	(*form)++;
	return 1;
}

/*
 * Stacks have no program of their own: when the signal program is refused
 * with them on, it is tried again without them (1).  Refused again, the
 * stacks were not the reason: they go back on and the next variant is
 * tried (0).  stacks_confirm() says it once the program loads without them.
 */
static int stacks_suspect(struct plan *pl, const char *why)
{
	if (!(pl->off & (1u << ROLE_STACKS))) {
		pl->off |= 1u << ROLE_STACKS;
		snprintf(pl->stacks_why, sizeof(pl->stacks_why), "%s", why);
		return 1;
	}
	if (pl->stacks_why[0]) {
		pl->off &= ~(1u << ROLE_STACKS);
		pl->stacks_why[0] = 0;
	}
	return 0;
}

static void stacks_confirm(struct capture *c, const struct plan *pl)
{
	const char *prog = signal_progs[pl->sigprog];

	if (!pl->stacks_why[0])
		return;
	snprintf(c->notes[ROLE_STACKS], sizeof(c->notes[ROLE_STACKS]), "%s: the kernel refused %s "
		 "with stack taking (bpf_get_stack with build ids): %s; %s", roles[ROLE_STACKS].what,
		 prog, pl->stacks_why, roles[ROLE_STACKS].still);
	snprintf(c->refused[ROLE_STACKS], sizeof(c->refused[ROLE_STACKS]), "%s: %s", prog,
		 pl->stacks_why);
	c->missing |= roles[ROLE_STACKS].start_flag;
}

/*
 * The kernel refused (or could not attach) a program of role r: switch
 * the role off and say once what that costs.  Returns 0 to try again, or
 * the error when there is nothing left to try (the core).
 */
static int refuse(struct capture *c, struct plan *pl, enum role r, const char *prog,
		  const char *why, int auto_hooks, struct sigrec_err *err)
{
	char rel[65];

	if (r == ROLE_CORE && stacks_suspect(pl, why))
		return 0;
	if (r == ROLE_CORE && next_form(&pl->sigprog, signal_progs, NSIGNAL_PROGS, prog, why))
		return 0;
	if (r == ROLE_DELIVER && next_form(&pl->delprog, deliver_progs, NDELIVER_PROGS, prog, why))
		return 0;
	if (r == ROLE_CORE) {
		kernel_release(rel, sizeof(rel));
		seterr(err, "the kernel (%s) refused the signal program %s: %s; nothing "
			 "can be recorded (run with --verbose for the full log)", rel, prog, why);
		return -ENOTSUP;
	}
	if (r == ROLE_SYSCALL && pl->hooks == SIGREC_HOOKS_FENTRY && auto_hooks)
		snprintf(c->notes[r], sizeof(c->notes[r]), "%s: this kernel refuses fentry (%s: %s); "
			 "%s; --hooks tracepoint records them at a cost to every syscall on this "
			 "machine", roles[r].what, prog, why, roles[r].still);
	else
		snprintf(c->notes[r], sizeof(c->notes[r]), "%s: the kernel refused %s: %s; %s",
			 roles[r].what, prog, why, roles[r].still);
	snprintf(c->refused[r], sizeof(c->refused[r]), "%s: %s", prog, why);
	if (r == ROLE_SYSCALL)
		pl->hooks = SIGREC_HOOKS_NONE;
	else
		pl->off |= 1u << r;
	c->missing |= roles[r].start_flag;
	return 0;
}

static void plan_init(struct plan *pl, const struct capture_opts *o)
{
	const char *force = getenv("SIGREC_SIGNAL_READ");	/* benchmarks: cast, direct, probe */

	memset(pl, 0, sizeof(*pl));
	pl->sigprog = first_signal_prog();
	for (size_t i = 0; force && i < NSIGNAL_PROGS; i++)
		if (!strcmp(force, signal_reads[i]))
			pl->sigprog = i;
	/* fentry costs other syscalls nothing; syscall tracepoints tax every
	 * syscall on the machine, so they are used only when asked for */
	pl->hooks = o->hooks == CAPTURE_HOOKS_OFF ? SIGREC_HOOKS_NONE :
		    o->hooks == CAPTURE_HOOKS_TRACEPOINT ? SIGREC_HOOKS_TRACEPOINT :
		    SIGREC_HOOKS_FENTRY;
	if (!o->lifecycle)
		pl->by_option = (1u << ROLE_FORK) | (1u << ROLE_EXEC) | (1u << ROLE_EXIT) |
				(1u << ROLE_RENAME) | (1u << ROLE_OOM);
	if (o->failed_only)	/* only failed attempts and overflows */
		pl->by_option |= 1u << ROLE_DELIVER;
	if (!o->stack_mask)
		pl->by_option |= 1u << ROLE_STACKS;
	pl->off = pl->by_option;
}

static enum role role_named(struct sigrec_bpf *s, const char *name, int *found)
{
	struct bpf_program *p = bpf_object__find_program_by_name(s->obj, name);

	*found = p != NULL;
	return p ? role_of(p) : ROLE_CORE;
}

/*
 * Whether this kernel loads an fexit program on the kill() wrapper: a
 * two-instruction program tried first, because a refused load of the real
 * ones makes libbpf retry it with a 16 MiB verifier log, which the kernel
 * fills (11 MiB more peak memory for the recorder).  A yes here still lets
 * the real load fail and be refused as any other.
 */
static int fentry_loads(char *why, size_t len)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_FEXIT);
	int id = libbpf_find_vmlinux_btf_id("__x64_sys_kill", BPF_TRACE_FEXIT), fd;

	if (id < 0) {
		snprintf(why, len, "no __x64_sys_kill in the kernel's BTF: %s", strerror(-id));
		return 0;
	}
	lo.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "sigrec_fexit", "GPL", ret0, 2, &lo);
	if (fd < 0) {
		snprintf(why, len, "BPF program load failed: %s", strerror(errno));
		return 0;
	}
	close(fd);
	return 1;
}

/*
 * Load and attach what this kernel takes: each refusal of an optional
 * program switches its role off and tries again.  old's links are
 * destroyed just before the first attach (a short gap, recorded).
 */
static int load_attach(struct capture *c, const struct capture_opts *o, struct pinned *old,
		       struct sigrec_err *err)
{
	int auto_hooks = o->hooks == CAPTURE_HOOKS_AUTO, rc = 0;
	uint64_t t0 = 0;
	struct plan pl;

	plan_init(&pl, o);
	if (pl.hooks == SIGREC_HOOKS_FENTRY) {
		char why[256];

		if (!fentry_loads(why, sizeof(why)) &&
		    (rc = refuse(c, &pl, ROLE_SYSCALL, "fx_kill", why, auto_hooks, err)))
			return rc;
	}
	for (int tries = 0; tries < 32; tries++) {
		struct bpf_program *failed = NULL;
		char why[256];
		int found;

		c->skel = open_load(o, &pl, &rc);
		if (!c->skel) {
			struct sigrec_bpf *names = sigrec_bpf__open();
			enum role r = names ? role_named(names, refusal.prog, &found) : ROLE_CORE;

			sigrec_bpf__destroy(names);
			if (!names || !found) {
				seterr(err, "cannot load the BPF programs: %s%s",
					 strerror(-rc), rc == -EPERM ?
					 " (run as root, or with CAP_BPF, CAP_PERFMON, "
					 "CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE)" : "");
				return rc;
			}
			snprintf(why, sizeof(why), "%s", refusal.line[0] ? refusal.line : strerror(-rc));
			if ((rc = refuse(c, &pl, r, refusal.prog, why, auto_hooks, err)))
				return rc;
			continue;
		}
		if (old->nlinks && !t0) {	/* the old programs stop, the new start */
			t0 = clock_ns(CLOCK_BOOTTIME);
			for (int i = 0; i < old->nlinks; i++)
				bpf_link__destroy(old->links[i]);
			old->nlinks = 0;
		}
		if (o->probe_only)
			break;
		rc = attach_all(c, &failed);
		if (!rc)
			break;
		detach_all(c);
		if (!failed) {
			seterr(err, "cannot attach the BPF programs: %s", strerror(-rc));
			return rc;
		}
		snprintf(why, sizeof(why), "cannot attach: %s", strerror(-rc));
		rc = refuse(c, &pl, role_of(failed), bpf_program__name(failed), why, auto_hooks,
			    err);
		sigrec_bpf__destroy(c->skel);
		c->skel = NULL;
		if (rc)
			return rc;
	}
	if (!c->skel) {
		seterr(err, "cannot load the BPF programs: too many refusals");
		return -ELOOP;
	}
	if (t0)
		emit_gap(c, t0, clock_ns(CLOCK_BOOTTIME));
	stacks_confirm(c, &pl);
	c->hooks = pl.hooks;
	c->sigprog = pl.sigprog;
	c->delprog = pl.delprog;
	c->off = pl.off | (pl.hooks == SIGREC_HOOKS_NONE ? 1u << ROLE_SYSCALL : 0);
	for (int r = 0; r < NROLES; r++)
		if (pl.by_option & (1u << r))
			c->missing |= roles[r].start_flag;
	return 0;
}

/* Load, attach (replacing old, if any) and pin a new set. */
static int start_new(struct capture *c, const struct capture_opts *o, struct pinned *old,
		     uint64_t hash, struct sigrec_err *err)
{
	uint64_t meta[SIGREC_META_N] = { hash, 0, 0 };
	int rc = load_attach(c, o, old, err);

	if (rc)
		return rc;
	meta[1] = c->hooks;
	meta[2] = c->missing;
	for (__u32 k = 0; k < SIGREC_META_N; k++)
		bpf_map_update_elem(bpf_map__fd(c->skel->maps.meta), &k, &meta[k], 0);
	rc = pinset_take(&c->set, c->skel->obj, signal_progs[c->sigprog],
			 !(c->missing & roles[ROLE_FLUSH].start_flag && !o->exact));
	if (rc) {
		seterr(err, "cannot take the loaded BPF objects: %s", strerror(-rc));
		return rc;
	}
	if (c->pin_dir[0] && (rc = pinset_pin(c->pin_dir, &c->set))) {
		seterr(err, "cannot pin the BPF programs under %s: %s", c->pin_dir,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

struct capture *capture__open(const struct capture_opts *o, capture_fn fn, void *ctx,
			      struct sigrec_err *err)
{
	struct capture *c = calloc(1, sizeof(*c));
	struct pinned old;
	uint64_t hash = config_hash(o), meta[SIGREC_META_N];
	int rc = 0;

	pinset_init(&old);
	if (!c) {
		seterr(err, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	pinset_init(&c->set);
	c->rb.epfd = -1;
	verbose_level = o->verbose;
	libbpf_set_print(print_fn);
	c->io.fn = fn;
	c->io.ctx = ctx;
	snprintf(c->pin_dir, sizeof(c->pin_dir), "%s", o->pin_dir ? o->pin_dir : "");
	c->io.ncpu = libbpf_num_possible_cpus();
	c->io.opened = clock_ns(CLOCK_BOOTTIME);
	c->io.now = calloc(c->io.ncpu > 0 ? c->io.ncpu : 1, sizeof(*c->io.now));
	c->io.runs = calloc(c->io.ncpu > 0 ? c->io.ncpu : 1, sizeof(*c->io.runs));
	if (c->io.ncpu <= 0 || !c->io.now || !c->io.runs) {
		seterr(err, "cannot size per-CPU state");
		rc = -ENOMEM;
		goto fail;
	}

	if (o->probe_only) {
		rc = load_attach(c, o, &old, err);
		if (rc)
			goto fail;
		return c;
	}
	/* a pinned set of ours is still capturing: take it over */
	if (c->pin_dir[0] && !access(c->pin_dir, F_OK)) {
		if (!pinset_open(c->pin_dir, &old) && !pinset_meta(&old, meta) && meta[0] == hash) {
			c->set = old;
			pinset_init(&old);
			c->hooks = meta[1];
			c->missing = meta[2];
			c->reused = 1;
		} else {
			pinset_unpin(c->pin_dir, &old);	/* another version or settings: replace */
		}
	}
	if (!c->reused) {
		rc = start_new(c, o, &old, hash, err);
		if (rc)
			goto fail;
	}
	rc = rbuf_open(&c->rb, c->set.events_fd, pinset_ring_size(&c->set));
	if (rc) {
		seterr(err, "cannot map the BPF ring buffer: %s", strerror(-rc));
		goto fail;
	}
	if (c->reused)
		rbuf_skip_through(&c->rb, o->last_rec, o->last_len, pinset_sample, &c->io);
	for (int r = 0; r < NROLES; r++)
		if (c->notes[r][0])
			fprintf(stderr, "sigrec: %s\n", c->notes[r]);
	if (old.events_fd >= 0) {
		pinset_drain(&c->io, &old);
		pinset_report_drops(&c->io, &old);
	}
	pinset_close(&old);
	return c;
fail:
	pinset_close(&old);
	capture__close(c, 1);
	errno = -rc;
	return NULL;
}

int capture__hooks(const struct capture *c)
{
	return c->hooks;
}

int capture__part_on(const struct capture *c, int part)
{
	return part >= 0 && part < NROLES && !(c->off & (1u << part));
}

const char *capture__part_name(int part)
{
	return part >= 0 && part < NROLES ? roles[part].name : "?";
}

const char *capture__part_refused(const struct capture *c, int part)
{
	return part >= 0 && part < NROLES ? c->refused[part] : "";
}

const char *capture__signal_prog(const struct capture *c)
{
	static const char *const how[NSIGNAL_PROGS] = {
		"siginfo read through bpf_rdonly_cast: plain loads",
		"siginfo read by direct BTF loads",
		"siginfo read by one bpf_probe_read_kernel per signal",
	};

	return how[c->sigprog];
}

const char *capture__deliver_prog(const struct capture *c)
{
	return deliver_hooks[c->delprog];
}

uint32_t capture__missing(const struct capture *c)
{
	return c->missing;
}

int capture__reused(const struct capture *c)
{
	return c->reused;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev;

	/* events submitted without a wakeup are seen on the timeout; the
	 * tails of runs are written then too, no later than the rest */
	if (epoll_wait(c->rb.epfd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	pinset_flush(&c->io, &c->set);
	return rbuf_consume(&c->rb, pinset_sample, &c->io);
}

void capture__stop(struct capture *c)
{
	if (c->pin_dir[0])
		pinset_unpin(c->pin_dir, &c->set);
	for (int i = 0; i < c->set.nlinks; i++)
		bpf_link__destroy(c->set.links[i]);
	c->set.nlinks = 0;
	pinset_flush(&c->io, &c->set);
}

int capture__drops(struct capture *c)
{
	return pinset_report_drops(&c->io, &c->set);
}

void capture__close(struct capture *c, int detach)
{
	if (!c)
		return;
	rbuf_close(&c->rb);
	if (detach && c->pin_dir[0])
		pinset_unpin(c->pin_dir, &c->set);
	if (detach) {
		pinset_close(&c->set);
	} else {
		/* leave the pinned links attached: capture goes on */
		for (int i = 0; i < c->set.nlinks; i++)
			bpf_link__disconnect(c->set.links[i]);
		pinset_close(&c->set);
	}
	sigrec_bpf__destroy(c->skel);
	free(c->io.now);
	free(c->io.runs);
	free(c);
}
