// SPDX-License-Identifier: MIT
/* pstore.c - pstore/ramoops lines: writing with a rate limit, and parsing. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pstore.h"
#include "util.h"

#define PMSG_PATH	"/dev/pmsg0"
#define KMSG_PATH	"/dev/kmsg"
#define FILE_MAX	(4U << 20)	/* a pstore record is far smaller */

/*
 * Rate limits: pmsg has no limit of its own, but the persistent zone is
 * small; /dev/kmsg is limited by the kernel to 10 lines per 5 s per opener
 * (unless printk.devkmsg=on), so stay under that.
 */
struct rate {
	double tokens, per_s, burst;
	double last;
};

struct pstore_writer {
	int fd;
	int kmsg;
	const char *path;
	uint64_t mask[2];
	struct rate rate;
	uint64_t suppressed, reported;
};

static const char *const causes[] = {
	"unknown", "syscall", "kernel", "fault", "timer", "interrupt", "oom", "user",
};
static const char *const syscalls[] = {
	"", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal",
};
static const char *const results[] = {
	"ok", "ignored", "pending", "overflow", "lose_info", "failed",
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rate_take(struct rate *r)
{
	double now = mono_s();

	r->tokens += (now - r->last) * r->per_s;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->last = now;
	if (r->tokens < 1)
		return 0;
	r->tokens -= 1;
	return 1;
}

struct pstore_writer *pstore__open(int mode, const uint64_t sig_mask[2], char *err, size_t errlen)
{
	struct pstore_writer *w = calloc(1, sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (mode == PSTORE_AUTO)
		mode = access(PMSG_PATH, W_OK) ? PSTORE_KMSG : PSTORE_PMSG;
	w->kmsg = mode == PSTORE_KMSG;
	w->path = w->kmsg ? KMSG_PATH : PMSG_PATH;
	w->fd = open(w->path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (w->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s: %s%s", w->path, strerror(e),
			 w->kmsg ? "" : " (kernel without CONFIG_PSTORE_PMSG or ramoops; try --pstore=kmsg)");
		free(w);
		errno = e;
		return NULL;
	}
	w->mask[0] = sig_mask[0];
	w->mask[1] = sig_mask[1];
	/* kmsg: burst + 5 s of refill stays within the kernel's 10 per 5 s */
	w->rate.per_s = w->kmsg ? 1 : 50;
	w->rate.burst = w->kmsg ? 5 : 200;
	w->rate.tokens = w->rate.burst;
	w->rate.last = mono_s();
	return w;
}

const char *pstore__path(const struct pstore_writer *w)
{
	return w->path;
}

uint64_t pstore__suppressed(const struct pstore_writer *w)
{
	return w->suppressed;
}

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
	if (s->syscall && s->syscall < sizeof(syscalls) / sizeof(syscalls[0]))
		snprintf(how, sizeof(how), "%s", syscalls[s->syscall]);
	else
		snprintf(how, sizeof(how), "%s",
			 oom ? "oom" : s->cause < sizeof(causes) / sizeof(causes[0]) ? causes[s->cause]
										 : "unknown");
	if (s->result == SIGREC_R_FAILED)
		snprintf(res, sizeof(res), "failed:%s", errno_name(-s->ret, eb, sizeof(eb)));
	else
		snprintf(res, sizeof(res), "%s",
			 s->result < sizeof(results) / sizeof(results[0]) ? results[s->result] : "?");
	n = snprintf(buf, len, "sigrec: %s(%u) --%s--> %s(%u) [%s] %s t=%lld.%09lld "
		     "b=%02x%02x%02x%02x", snd, s->ctx == SIGREC_CTX_TASK ? s->sender.pid : 0, name,
		     tgt, s->target.pid, how, res, (long long)(wall_ns / 1000000000LL),
		     (long long)(wall_ns % 1000000000LL), boot_id[0], boot_id[1], boot_id[2],
		     boot_id[3]);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

static void put_line(struct pstore_writer *w, const char *line, size_t n)
{
	char buf[PSTORE_LINE_MAX + 8];
	size_t off = 0;

	if (w->kmsg)
		off = snprintf(buf, sizeof(buf), "<12>");	/* facility user, warning */
	memcpy(buf + off, line, n);
	buf[off + n] = '\n';
	/* one write() is one record; a failed write is not retried (no blocking) */
	if (write(w->fd, buf, off + n + 1) < 0)
		w->suppressed++;
}

void pstore__signal(struct pstore_writer *w, const struct sigrec_signal *s, int64_t wall_ns,
		    const uint8_t boot_id[16], int oom)
{
	char line[PSTORE_LINE_MAX];
	unsigned int b = s->sig - 1;
	size_t n;

	if (!w || s->sig < 1 || s->sig > 64 || !((w->mask[b / 64] >> (b % 64)) & 1))
		return;
	if (!rate_take(&w->rate)) {
		w->suppressed++;
		return;
	}
	if (w->suppressed > w->reported) {
		n = snprintf(line, sizeof(line), "sigrec: suppressed %llu lines (rate limit) t=%lld",
			     (unsigned long long)(w->suppressed - w->reported),
			     (long long)(wall_ns / 1000000000LL));
		put_line(w, line, n);
		w->reported = w->suppressed;
		if (!rate_take(&w->rate)) {
			w->suppressed++;	/* reported with the next line */
			return;
		}
	}
	n = pstore__format(line, sizeof(line), s, wall_ns, boot_id, oom);
	put_line(w, line, n);
}

void pstore__close(struct pstore_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
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

static int lookup(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i], s))
			return i;
	return -1;
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
	if ((v = lookup(syscalls + 1, 6, tok[3] + 1)) >= 0) {
		e->s.syscall = v + 1;
		e->s.cause = SIGREC_C_SYSCALL;
	} else if ((v = lookup(causes, 8, tok[3] + 1)) >= 0) {
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
	} else if ((v = lookup(results, 5, tok[4])) >= 0) {
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

int pstore__parse(const char *buf, size_t len, const char *source, pstore_fn fn, void *ctx)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char line[PSTORE_LINE_MAX + 64];
		const char *at;
		struct pstore_event e;

		if (l < sizeof(line)) {
			memcpy(line, buf + pos, l);
			line[l] = 0;
			at = strstr(line, "sigrec: ");
			if (at && !parse_line(at + 8, source, &e)) {
				n++;
				if (fn(&e, ctx))
					return n;
			}
		}
		pos += l + 1;
	}
	return n;
}

int pstore__read_dir(const char *dir, pstore_fn fn, void *ctx, char *err, size_t errlen)
{
	static const char *const prefixes[] = { "pmsg-ramoops-", "dmesg-ramoops-", "console-ramoops-" };
	DIR *d = opendir(dir);
	struct dirent *de;
	int files = 0, rc = 0;
	char *buf = malloc(FILE_MAX);

	if (!d || !buf) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		if (d)
			closedir(d);
		free(buf);
		return rc;
	}
	while ((de = readdir(d))) {
		char path[4096];
		ssize_t n;
		int fd, known = 0;

		for (size_t i = 0; i < 3; i++)
			known |= !strncmp(de->d_name, prefixes[i], strlen(prefixes[i]));
		if (!known)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* pstore holds regular files only: anything else (a FIFO would
		 * block the read for ever) is not a record, and is said so */
		fd = open_regular(AT_FDCWD, path, err, errlen);
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
		pstore__parse(buf, n, de->d_name, fn, ctx);
	}
	closedir(d);
	free(buf);
	return rc ? rc : files;
}
