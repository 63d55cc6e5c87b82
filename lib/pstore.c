// SPDX-License-Identifier: MIT
/*
 * pstore.c - the pstore line format (docs/PSTORE.md): writing one line for
 * a signal, and finding those lines again in any text (a pstore file,
 * dmesg) or in a directory of pstore records.  The writer that sends the
 * lines to /dev/pmsg0 or /dev/kmsg is the recorder's (pstore/writer.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "names.h"
#include "pstore.h"
#include "util.h"

#define FILE_MAX	(4U << 20)	/* a pstore record is far smaller */

/* comm, with anything that would break the line written as \xNN */
static size_t put_comm(char *buf, size_t len, const char *comm)
{
	size_t n = 0;

	for (int i = 0; i < SIGREC_COMM_LEN && comm[i] && n + 5 < len; i++) {
		unsigned char c = comm[i];

		if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '\\')
			n += snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	if (!n && len > 1)
		buf[n++] = '?';
	buf[n] = 0;
	return n;
}

size_t pstore__format(char *buf, size_t len, const struct sigrec_signal *s, int64_t wall_ns,
		      const uint8_t boot_id[16], int oom)
{
	char snd[80], tgt[80], sn[32], how[32], res[32], eb[16];
	const char *name = sig_name(s->sig, sn, sizeof(sn));
	int n;

	if (s->ctx != SIGREC_CTX_TASK)
		snprintf(snd, sizeof(snd), "kernel");
	else
		put_comm(snd, sizeof(snd), s->sender.comm);
	put_comm(tgt, sizeof(tgt), s->target.comm);
	if (!name) {
		snprintf(sn, sizeof(sn), "SIG%d", s->sig);
		name = sn;
	}
	snprintf(how, sizeof(how), "%s", s->syscall ? names__syscall(s->syscall) :
		 oom ? names__cause(SIGREC_C_OOM) : names__cause(s->cause));
	if (s->result == SIGREC_R_FAILED)
		snprintf(res, sizeof(res), "failed:%s", errno_name(-s->ret, eb, sizeof(eb)));
	else
		snprintf(res, sizeof(res), "%s", names__result_short(s->result));
	n = snprintf(buf, len, "sigrec: %s(%u) --%s--> %s(%u) [%s] %s t=%lld.%09lld "
		     "b=%02x%02x%02x%02x", snd, s->ctx == SIGREC_CTX_TASK ? s->sender.pid : 0, name,
		     tgt, s->target.pid, how, res, (long long)(wall_ns / 1000000000LL),
		     (long long)(wall_ns % 1000000000LL), boot_id[0], boot_id[1], boot_id[2],
		     boot_id[3]);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* ---- parsing ---- */

/* "comm(pid)" with \xNN escapes; pid after the last '('. */
static int parse_task(const char *tok, struct sigrec_task *t)
{
	const char *open = strrchr(tok, '(');
	size_t n = 0;
	uint64_t pid;
	char num[16];
	size_t l = strlen(tok);

	if (!open || l < 3 || tok[l - 1] != ')' || (size_t)(tok + l - 1 - open - 1) >= sizeof(num))
		return -1;
	memcpy(num, open + 1, tok + l - 1 - open - 1);
	num[tok + l - 1 - open - 1] = 0;
	if (parse_u64(num, 0, 4194304, &pid))
		return -1;
	t->pid = t->tid = pid;
	for (const char *p = tok; p < open && n + 1 < SIGREC_COMM_LEN; p++) {
		unsigned int c;

		if (*p == '\\' && open - p >= 4 && p[1] == 'x' && sscanf(p + 2, "%2x", &c) == 1) {
			t->comm[n++] = c;
			p += 3;
		} else {
			t->comm[n++] = *p;
		}
	}
	t->comm[n] = 0;
	return 0;
}

static int parse_line(const char *line, const char *source, struct pstore_event *e)
{
	char tok[8][96], sn[64];
	int nt = 0, v;
	unsigned long long sec, nsec, count;
	unsigned int b[4];
	const char *p = line;

	memset(e, 0, sizeof(*e));
	/* "suppressed N lines (rate limit) t=SEC": dropped lines, counted */
	if (sscanf(line, "suppressed %llu lines (rate limit) t=%llu", &count, &sec) == 2 &&
	    sec < 9000000000ULL && count > 0 && count < (1ULL << 40)) {
		e->suppressed = count;
		e->wall_ns = (int64_t)sec * 1000000000LL;
		snprintf(e->source, sizeof(e->source), "%s", source);
		return 0;
	}
	while (*p && nt < 8) {
		size_t l = 0;

		while (*p == ' ')
			p++;
		while (p[l] && p[l] != ' ')
			l++;
		if (!l)
			break;
		if (l >= sizeof(tok[0]))
			return -1;
		memcpy(tok[nt], p, l);
		tok[nt++][l] = 0;
		p += l;
	}
	if (nt != 7 || parse_task(tok[0], &e->s.sender) || parse_task(tok[2], &e->s.target))
		return -1;
	/* --SIGNAME--> */
	v = strlen(tok[1]);
	if (v < 6 || v - 5 >= (int)sizeof(sn) || strncmp(tok[1], "--", 2) ||
	    strcmp(tok[1] + v - 3, "-->"))
		return -1;
	memcpy(sn, tok[1] + 2, v - 5);
	sn[v - 5] = 0;
	e->s.sig = sig_parse(sn);
	if (e->s.sig < 0)
		return -1;
	/* [how]: a syscall or a cause */
	v = strlen(tok[3]);
	if (v < 3 || tok[3][0] != '[' || tok[3][v - 1] != ']')
		return -1;
	tok[3][v - 1] = 0;
	if ((v = names__syscall_parse(tok[3] + 1)) > 0) {
		e->s.syscall = v;
		e->s.cause = SIGREC_C_SYSCALL;
	} else if ((v = names__cause_parse(tok[3] + 1)) >= 0) {
		e->s.cause = v == SIGREC_C_OOM ? SIGREC_C_KERNEL : v;
		e->oom = v == SIGREC_C_OOM;
		e->s.ctx = v == SIGREC_C_IRQ ? SIGREC_CTX_IRQ : SIGREC_CTX_TASK;
	} else {
		return -1;
	}
	if (!strncmp(tok[4], "failed:", 7)) {
		char eb[16];

		e->s.result = SIGREC_R_FAILED;
		for (v = 1; v < 256 && strcmp(errno_name(v, eb, sizeof(eb)), tok[4] + 7); v++)
			;
		e->s.ret = v < 256 ? -v : 0;
	} else if ((v = names__result_short_parse(tok[4])) >= 0 && v != SIGREC_R_FAILED) {
		e->s.result = v;
	} else {
		return -1;
	}
	if (sscanf(tok[5], "t=%llu.%9llu", &sec, &nsec) != 2 || sec > 9000000000ULL ||
	    sscanf(tok[6], "b=%2x%2x%2x%2x", &b[0], &b[1], &b[2], &b[3]) != 4)
		return -1;
	if (!strcmp(tok[0], "kernel(0)"))
		e->s.ctx = SIGREC_CTX_IRQ;
	else
		e->s.sflags |= SIGREC_SF_SENDER;
	/* the si_code a kill-family call gives; other causes do not say */
	if (e->s.syscall == SIGREC_SC_TKILL || e->s.syscall == SIGREC_SC_TGKILL)
		e->s.code = -6;		/* SI_TKILL */
	else if (e->s.syscall == SIGREC_SC_RT_SIGQUEUEINFO ||
		 e->s.syscall == SIGREC_SC_RT_TGSIGQUEUEINFO)
		e->s.code = -1;		/* SI_QUEUE */
	e->s.group = e->s.syscall == SIGREC_SC_KILL || e->s.syscall == SIGREC_SC_RT_SIGQUEUEINFO ||
		     e->s.syscall == SIGREC_SC_PIDFD_SEND_SIGNAL;
	e->wall_ns = (int64_t)sec * 1000000000LL + (int64_t)nsec;
	for (int i = 0; i < 4; i++)
		e->boot8[i] = b[i];
	e->s.h.type = SIGREC_T_SIGNAL;
	e->s.h.size = sizeof(e->s);
	snprintf(e->source, sizeof(e->source), "%s", source);
	return 0;
}

/* Where a line's "sigrec: " starts: anywhere in a pstore record's line (the
 * kernel log puts its own prefix in front), NULL if nowhere. */
typedef const char *(*find_fn)(const char *line, size_t len);

static const char *find_anywhere(const char *line, size_t len)
{
	(void)len;
	return strstr(line, "sigrec: ");
}

#define TRACE_PREFIX_MAX 128		/* task-pid, (tgid), [cpu], flags, time stamp */

/* Each line of buf shorter than max (longer ones are no line of ours)
 * through find and parse_line.  Sets *stop when fn asked to stop. */
static int parse_lines(const char *buf, size_t len, size_t max, const char *source,
		       find_fn find, pstore_fn fn, void *ctx, int *stop)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len && !*stop) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char line[PSTORE_LINE_MAX + TRACE_PREFIX_MAX];
		const char *at;
		struct pstore_event e;

		if (l < max && l < sizeof(line)) {
			memcpy(line, buf + pos, l);
			line[l] = 0;
			at = find(line, l);
			if (at && !parse_line(at + 8, source, &e)) {
				n++;
				*stop = fn(&e, ctx);
			}
		}
		pos += l + 1;
	}
	return n;
}

int pstore__parse(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx)
{
	int stop = 0;

	/* the kernel log's prefix is short */
	return parse_lines(buf, len, PSTORE_LINE_MAX + 64, source, find_anywhere, fn, ctx, &stop);
}

/* ---- the ftrace persistent ring buffer: an instance's "trace" file ---- */

#define TRACE_LINE_MAX	(PSTORE_LINE_MAX + TRACE_PREFIX_MAX)
#define TRACE_READ_MAX	(1ULL << 30)	/* a tracefs file ends; a stranger's need not */

/* n > 0 bytes at s, each one is() says yes to */
static int all_of(const char *s, size_t n, int (*is)(int))
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "12.345678" (or a bare counter, as the counter and tsc clocks print it) */
static int trace_ts(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);

	if (!dot)
		return n <= 20 && all_of(s, n, isdigit);
	return dot - s <= 20 && all_of(s, dot - s, isdigit) && n - (dot - s) - 1 <= 9 &&
	       all_of(dot + 1, n - (dot - s) - 1, isdigit);
}

/* The function of a trace_marker write: its name (with the sym-offset
 * option "+0x../0x.."), or the raw address where the symbol is unknown */
static int trace_fn(const char *s, size_t n)
{
	static const char name[] = "tracing_mark_write";
	size_t nl = sizeof(name) - 1;

	if (n >= nl && !memcmp(s, name, nl) && (n == nl || s[nl] == '+'))
		return 1;
	return n >= 3 && n <= 18 && s[0] == '0' && s[1] == 'x' && all_of(s + 2, n - 2, isxdigit);
}

/* Before the time stamp at end: "TASK-PID [(TGID)] [CPU] [FLAGS] " */
static int trace_context(const char *s, size_t end)
{
	size_t i = end, j;

	while (i && s[i - 1] == ' ')
		i--;
	/* the latency flags (irq-info), such as "d..1." */
	if (i && s[i - 1] != ']') {
		while (i && s[i - 1] != ' ' && s[i - 1] != ']')
			i--;
		while (i && s[i - 1] == ' ')
			i--;
	}
	if (!i || s[i - 1] != ']')
		return 0;
	for (j = --i; j && isdigit((unsigned char)s[j - 1]); j--)
		;
	if (!j || s[j - 1] != '[' || i - j < 1 || i - j > 6)
		return 0;
	i = j - 1;
	while (i && s[i - 1] == ' ')
		i--;
	/* record-tgid: "(   1234)" or "(-------)" */
	if (i && s[i - 1] == ')') {
		for (j = i - 1; j && i - j < 12 && s[j - 1] != '('; j--)
			;
		if (!j || s[j - 1] != '(')
			return 0;
		i = j - 1;
		while (i && s[i - 1] == ' ')
			i--;
	}
	for (j = i; j && isdigit((unsigned char)s[j - 1]); j--)
		;
	return j < i && i - j <= 7 && j && s[j - 1] == '-';
}

/*
 * Where the sigrec line starts in one line of ftrace's text output, if the
 * line is a trace_marker write of one:
 *   "   <task>-<pid>  [cpu] flags  secs.usecs: tracing_mark_write: sigrec: ..."
 * A comm is 15 bytes of anything, so each ": " of the prefix is tried as
 * the one after the time stamp, and the fields around it checked; what
 * the function field is followed by must be the sigrec line.  At most
 * TRACE_PREFIX_MAX positions, each checked in bounded steps: linear.
 */
static const char *trace_payload(const char *line, size_t len)
{
	size_t lim = len < TRACE_PREFIX_MAX ? len : TRACE_PREFIX_MAX;

	for (size_t i = 1; i + 2 < lim; i++) {
		size_t ts = i, f = i + 2, fe = f;

		if (line[i] != ':' || line[i + 1] != ' ')
			continue;
		while (ts && line[ts - 1] != ' ' && i - ts < 32)
			ts--;
		if (!trace_ts(line + ts, i - ts) || !trace_context(line, ts))
			continue;
		while (fe < len && line[fe] != ' ' && fe - f < 64)
			fe++;
		if (fe - f < 2 || line[fe - 1] != ':' || !trace_fn(line + f, fe - 1 - f))
			continue;
		if (len - fe >= 9 && !memcmp(line + fe, " sigrec: ", 9))
			return line + fe + 1;
	}
	return NULL;
}

int pstore__parse_trace(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx)
{
	int stop = 0;

	return parse_lines(buf, len, TRACE_LINE_MAX, source, trace_payload, fn, ctx, &stop);
}

/*
 * An instance's "trace" file (the whole buffer as text: tens of MiB) in
 * pieces of buf: the complete lines of each piece, a line longer than buf
 * skipped to its end.  Bounded memory, linear time, TRACE_READ_MAX at most.
 */
static int read_trace(const char *dir, char *buf, pstore_fn fn, void *ctx, struct sigrec_err *err)
{
	const char *base = strrchr(dir, '/');
	char path[4096], source[64];
	size_t have = 0;
	uint64_t total = 0;
	int fd, stop = 0, skip = 0;

	snprintf(path, sizeof(path), "%s/trace", dir);
	/* in the JSON source: "pstore:boot_map/trace" */
	snprintf(source, sizeof(source), "%.40s/trace", base && base[1] ? base + 1 : dir);
	fd = open_regular(AT_FDCWD, path, err);
	if (fd < 0)
		return fd;
	while (!stop && total < TRACE_READ_MAX) {
		ssize_t n = read(fd, buf + have, FILE_MAX - have);
		const char *end;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
		have += n;
		end = memrchr(buf, '\n', have);
		if (!end) {
			if (have == FILE_MAX) {
				have = 0;	/* no line of ours: skip to its end */
				skip = 1;
			}
			continue;
		}
		if (skip) {
			const char *nl = memchr(buf, '\n', have);

			memmove(buf, nl + 1, have - (nl + 1 - buf));
			have -= nl + 1 - buf;
			skip = 0;
			end = memrchr(buf, '\n', have);
			if (!end)
				continue;
		}
		parse_lines(buf, end + 1 - buf, TRACE_LINE_MAX, source, trace_payload, fn, ctx, &stop);
		have -= end + 1 - buf;
		memmove(buf, end + 1, have);
	}
	if (have && !skip && !stop)
		parse_lines(buf, have, TRACE_LINE_MAX, source, trace_payload, fn, ctx, &stop);
	close(fd);
	return 1;
}

/*
 * pstore's own names, the other backends' dmesg-* (dmesg-efi-..., which
 * systemd-pstore also moves), and the dmesg.txt systemd-pstore rebuilds.
 */
static int record_name(const char *name)
{
	static const char *const prefixes[] = { "pmsg-ramoops-", "dmesg-", "console-ramoops-" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return !strcmp(name, "dmesg.txt");
}

/* The records in dir; at depth 0 also those in its subdirectories
 * (systemd-pstore's per-record directories, named by the record id). */
static int read_dir_at(const char *dir, const char *sub, char *buf, int depth, pstore_fn fn,
		       void *ctx, struct sigrec_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int files = 0, rc = 0;

	if (!d) {
		rc = -errno;
		seterr(err, "cannot read %s: %s", dir, strerror(errno));
		return rc;
	}
	while ((de = readdir(d)) && !rc) {
		char path[4096], source[300];
		struct stat st;
		ssize_t n;
		int fd;

		if (!depth && de->d_name[0] != '.' &&
		    !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode)) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			n = read_dir_at(path, de->d_name, buf, 1, fn, ctx, err);
			rc = n < 0 ? (int)n : 0;
			files += n > 0 ? n : 0;
			continue;
		}
		if (!record_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* pstore holds regular files only: anything else (a FIFO would
		 * block the read for ever) is not a record, and is said so */
		fd = open_regular(AT_FDCWD, path, err);
		if (fd == -ENOENT)
			continue;	/* removed since the listing */
		if (fd < 0) {
			rc = fd;
			break;
		}
		n = read(fd, buf, FILE_MAX);
		close(fd);
		if (n <= 0)
			continue;
		files++;
		/* in systemd's record directory: "ID/dmesg-efi-..." */
		snprintf(source, sizeof(source), "%.24s/%s", sub ? sub : "", de->d_name);
		pstore__parse(buf, n, sub ? source : de->d_name, fn, ctx);
	}
	closedir(d);
	return rc ? rc : files;
}

/* An instance of tracefs (or its top): it has a trace_marker to write to. */
static int is_trace_instance(const char *dir)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/trace_marker", dir);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int pstore__read_dir(const char *dir, pstore_fn fn, void *ctx, struct sigrec_err *err)
{
	char *buf = malloc(FILE_MAX);
	int rc;

	if (!buf) {
		seterr(err, "cannot read %s: out of memory", dir);
		return -ENOMEM;
	}
	/* a tracefs instance (the persistent ring buffer): its "trace" only */
	if (is_trace_instance(dir))
		rc = read_trace(dir, buf, fn, ctx, err);
	else
		rc = read_dir_at(dir, NULL, buf, 0, fn, ctx, err);
	free(buf);
	return rc;
}
