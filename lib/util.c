// SPDX-License-Identifier: MIT
/* util.c - parsing and naming shared by sigrec and sigdump. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

int64_t sat_add_i64(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;	/* only same signs overflow */
	return r;
}

uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

int64_t wall_ns(uint64_t ts, int64_t clock_offset)
{
	int64_t r;

	/* the builtin adds in infinite precision; ts >= 0 and an offset >=
	 * INT64_MIN cannot go below INT64_MIN, so overflow is always upwards */
	if (__builtin_add_overflow(ts, clock_offset, &r))
		return INT64_MAX;
	return r;
}

int64_t ns_before(int64_t now, uint64_t dur)
{
	return dur > INT64_MAX ? INT64_MIN : sat_add_i64(now, -(int64_t)dur);
}

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "of an unknown kind";
}

int open_regular(int dirfd, const char *path, struct sigrec_err *err)
{
	struct stat before, st;
	int fd, e;

	/* look first: opening a FIFO waits for a writer, a device may act */
	if (fstatat(dirfd, path, &before, 0)) {
		e = errno;
		seterr(err, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(before.st_mode)) {
		seterr(err, "%s is %s, not a regular file", path,
			 file_kind(before.st_mode));
		return S_ISDIR(before.st_mode) ? -EISDIR : -EINVAL;
	}
	/* O_NONBLOCK: should a FIFO be swapped in after the look, the open
	 * still returns at once, and fstat below refuses it */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		seterr(err, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_dev != before.st_dev ||
	    st.st_ino != before.st_ino) {
		seterr(err, "%s changed while it was being opened; not read", path);
		close(fd);
		return -EAGAIN;
	}
	/* reads of a regular file do not block anyway: back to ordinary flags */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		e = errno;
		seterr(err, "cannot read %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Number followed by a unit from units[]; returns the multiplier index. */
static int split_unit(const char *s, char *num, size_t numlen, const char **unit)
{
	size_t i = 0;

	while (s[i] && (isdigit((unsigned char)s[i])))
		i++;
	if (i == 0 || i >= numlen)
		return -EINVAL;
	memcpy(num, s, i);
	num[i] = 0;
	*unit = s + i;
	while (**unit == ' ')
		(*unit)++;
	return 0;
}

/* A number with a unit: the unit's multiplier from a table (case-folded or not). */
struct unit {
	const char *u;
	uint64_t mul;
};

static int parse_with_unit(const char *s, const struct unit *units, size_t n, int fold,
			   uint64_t *out)
{
	const char *unit;
	char num[24];
	uint64_t v;

	if (!s || split_unit(s, num, sizeof(num), &unit) || parse_u64(num, 0, UINT64_MAX, &v))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (fold ? strcasecmp(unit, units[i].u) : strcmp(unit, units[i].u))
			continue;
		if (v > UINT64_MAX / units[i].mul)
			return -ERANGE;
		*out = v * units[i].mul;
		return 0;
	}
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct unit units[] = {
		{ "", 1 }, { "B", 1 }, { "K", 1ULL << 10 }, { "KB", 1ULL << 10 }, { "KIB", 1ULL << 10 },
		{ "M", 1ULL << 20 }, { "MB", 1ULL << 20 }, { "MIB", 1ULL << 20 }, { "G", 1ULL << 30 },
		{ "GB", 1ULL << 30 }, { "GIB", 1ULL << 30 }, { "T", 1ULL << 40 }, { "TB", 1ULL << 40 },
		{ "TIB", 1ULL << 40 },
	};

	return parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), 1, out);
}

int parse_duration(const char *s, uint64_t *out_ns)
{
	static const struct unit units[] = {
		{ "", 1000000000ULL }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000ULL }, { "sec", 1000000000ULL }, { "m", 60000000000ULL },
		{ "min", 60000000000ULL }, { "h", 3600000000000ULL }, { "d", 86400000000000ULL },
		{ "w", 604800000000000ULL },
	};

	return parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), 0, out_ns);
}

static const char *const sig_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

/* glibc reserves 32 and 33; its SIGRTMIN is 34, like kill -l shows. */
#define RTMIN 34
#define RTMAX 64

const char *sig_name(int sig, char *buf, size_t len)
{
	if (sig >= 1 && sig < 32)
		return sig_names[sig];
	if (sig == 32 || sig == 33)
		snprintf(buf, len, "SIG%d", sig);
	else if (sig == RTMIN)
		snprintf(buf, len, "SIGRTMIN");
	else if (sig == RTMAX)
		snprintf(buf, len, "SIGRTMAX");
	else if (sig > RTMIN && sig <= RTMIN + 15)
		snprintf(buf, len, "SIGRTMIN+%d", sig - RTMIN);
	else if (sig > RTMIN + 15 && sig < RTMAX)
		snprintf(buf, len, "SIGRTMAX-%d", RTMAX - sig);
	else
		return NULL;
	return buf;
}

static int rt_parse(const char *s, const char *base, int basev, int dir)
{
	size_t n = strlen(base);
	uint64_t off = 0;

	if (strncasecmp(s, base, n))
		return -EINVAL;
	s += n;
	if (*s) {
		if ((dir > 0 && *s != '+') || (dir < 0 && *s != '-'))
			return -EINVAL;
		if (parse_u64(s + 1, 0, 30, &off))
			return -EINVAL;
	}
	n = basev + dir * (int)off;
	return n >= RTMIN && n <= RTMAX ? (int)n : -EINVAL;
}

int sig_parse(const char *s)
{
	uint64_t v;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s))
		return parse_u64(s, 1, 64, &v) ? -EINVAL : (int)v;
	if (!strncasecmp(s, "SIG", 3) && strncasecmp(s, "SIGRT", 5) && s[3] &&
	    !isdigit((unsigned char)s[3]))
		s += 3;
	else if (!strncasecmp(s, "SIG", 3) && isdigit((unsigned char)s[3]))
		return parse_u64(s + 3, 1, 64, &v) ? -EINVAL : (int)v;
	if (!strncasecmp(s, "SIGRT", 5))
		s += 3;
	r = rt_parse(s, "RTMIN", RTMIN, 1);
	if (r > 0)
		return r;
	r = rt_parse(s, "RTMAX", RTMAX, -1);
	if (r > 0)
		return r;
	for (int i = 1; i < 32; i++)
		if (!strcasecmp(s, sig_names[i] + 3))
			return i;
	if (!strcasecmp(s, "CLD"))
		return 17;
	if (!strcasecmp(s, "IOT"))
		return 6;
	if (!strcasecmp(s, "POLL"))
		return 29;
	return -EINVAL;
}

int sig_parse_list(const char *s, uint64_t mask[2], char *bad, size_t badlen)
{
	char *dup = strdup(s ? s : ""), *save = NULL, *tok;
	int rc = 0, any = 0;

	if (!dup)
		return -ENOMEM;
	mask[0] = mask[1] = 0;
	for (tok = strtok_r(dup, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int sig = sig_parse(tok);

		if (sig < 0) {
			snprintf(bad, badlen, "%s", tok);
			rc = -EINVAL;
			break;
		}
		mask[(sig - 1) / 64] |= 1ULL << ((sig - 1) % 64);
		any = 1;
	}
	if (!rc && !any) {
		snprintf(bad, badlen, "(empty list)");
		rc = -EINVAL;
	}
	free(dup);
	return rc;
}

const char *code_name(int sig, int code, char *buf, size_t len)
{
	static const char *const neg[] = { "SI_USER", "SI_QUEUE", "SI_TIMER", "SI_MESGQ",
					   "SI_ASYNCIO", "SI_SIGIO", "SI_TKILL", "SI_DETHREAD" };
	static const char *const ill[] = { "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR",
		"ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR" };
	static const char *const fpe[] = { "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
		"FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB",
		"FPE_FLTUNK", "FPE_CONDTRAP" };
	static const char *const segv[] = { "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
		"SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR",
		"SEGV_MTESERR", "SEGV_CPERR" };
	static const char *const bus[] = { "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR",
		"BUS_MCEERR_AR", "BUS_MCEERR_AO" };
	static const char *const trap[] = { "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH",
		"TRAP_HWBKPT", "TRAP_UNK", "TRAP_PERF" };
	static const char *const chld[] = { "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
		"CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
	static const char *const poll[] = { "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR",
		"POLL_PRI", "POLL_HUP" };
#define PICK(t) do { if (code >= 1 && code <= (int)(sizeof(t) / sizeof(t[0]))) \
			return t[code - 1]; } while (0)

	if (code == 0x80)
		return "SI_KERNEL";
	if (code == -60)
		return "SI_ASYNCNL";
	if (code <= 0 && code >= -7)
		return neg[-code];
	switch (sig) {
	case 4: PICK(ill); break;
	case 8: PICK(fpe); break;
	case 11: PICK(segv); break;
	case 7: PICK(bus); break;
	case 5: PICK(trap); break;
	case 17: PICK(chld); break;
	case 29: PICK(poll); break;
	case 31: if (code == 1) return "SYS_SECCOMP"; if (code == 2) return "SYS_USER_DISPATCH";
		break;
	}
#undef PICK
	snprintf(buf, len, "%d", code);
	return buf;
}

const char *errno_name(int err, char *buf, size_t len)
{
	static const char *const names[] = {
		[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [9] = "EBADF",
		[11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT",
		[22] = "EINVAL", [38] = "ENOSYS",
	};

	if (err > 0 && err < (int)(sizeof(names) / sizeof(names[0])) && names[err])
		return names[err];
	snprintf(buf, len, "E%d", err);
	return buf;
}

int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t now_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int read_boot(struct ring_boot *b)
{
	char s[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int64_t best = INT64_MAX;
	int n = 0;

	memset(b, 0, sizeof(*b));
	if (f) {
		if (!fgets(s, sizeof(s), f))
			s[0] = 0;
		fclose(f);
	}
	for (const char *p = s; *p && n < 32; p++) {
		int v;

		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char)*p))
			break;
		v = isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10);
		b->boot_id[n / 2] |= v << (n % 2 ? 0 : 4);
		n++;
	}
	/* the narrowest of a few samples bounds the mapping's error */
	for (int i = 0; i < 5; i++) {
		int64_t t0 = clock_ns(CLOCK_BOOTTIME), rt = clock_ns(CLOCK_REALTIME);
		int64_t t1 = clock_ns(CLOCK_BOOTTIME);

		if (t1 - t0 < best) {
			best = t1 - t0;
			b->clock_offset = rt - (t0 + (t1 - t0) / 2);
		}
	}
	return n == 32 ? 0 : -ENOENT;
}

void boot_id_str(const uint8_t id[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = 0;
}

/* "2026-12-01" SEP "14:55:18.292779471" ZONE, in UTC or local time. */
static void fmt_time(int64_t wall_ns, int utc, char sep, const char *zone, char *buf, size_t len)
{
	time_t sec = wall_ns / 1000000000LL;
	long ns = wall_ns % 1000000000LL;
	struct tm tm;

	if (ns < 0) {
		ns += 1000000000L;
		sec--;
	}
	if (!(utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)))
		memset(&tm, 0, sizeof(tm));	/* a year the C library cannot show */
	snprintf(buf, len, "%04d-%02d-%02d%c%02d:%02d:%02d.%09ld%s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, sep, tm.tm_hour, tm.tm_min, tm.tm_sec, ns, zone);
}

void fmt_rfc3339(int64_t wall_ns, char *buf, size_t len)
{
	fmt_time(wall_ns, 1, 'T', "Z", buf, len);
}

void fmt_human_time(int64_t wall_ns, int utc, char *buf, size_t len)
{
	fmt_time(wall_ns, utc, ' ', "", buf, len);
}

int parse_time(const char *s, int64_t now_ns, int64_t *out)
{
	int Y, M, D, h, m, sec, n = 0;
	uint64_t dur;
	struct tm tm = { 0 };
	int64_t frac = 0, t;
	const char *p;

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "now")) {
		*out = now_ns;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		time_t sec = now_ns / 1000000000LL;
		struct tm lt;

		localtime_r(&sec, &lt);
		lt.tm_hour = lt.tm_min = lt.tm_sec = 0;
		lt.tm_mday -= !strcmp(s, "yesterday");
		lt.tm_isdst = -1;
		*out = (int64_t)mktime(&lt) * 1000000000LL;
		return 0;
	}
	{
		char tmp[64];
		size_t l = strlen(s);

		if (l < sizeof(tmp)) {
			memcpy(tmp, s, l + 1);
			if (l > 4 && !strcmp(tmp + l - 4, " ago"))
				tmp[l - 4] = 0;
			if (!parse_duration(tmp, &dur)) {
				*out = ns_before(now_ns, dur);
				return 0;
			}
		}
	}
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6)
		return -EINVAL;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -EINVAL;
	p = s + n;
	if (*p == '.') {
		int digits = 0;

		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (!digits)
			return -EINVAL;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || oh > 23 || om > 59)
			return -EINVAL;
		t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
		p += 1 + k;
	} else if (!*p) {
		tm.tm_isdst = -1;	/* no zone: local time */
		t = mktime(&tm);
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	/* years past 2262 do not fit in ns: say so rather than wrap */
	if (__builtin_mul_overflow((int64_t)t, 1000000000LL, out) ||
	    __builtin_add_overflow(*out, frac, out))
		return -ERANGE;
	return 0;
}

void seterr(struct sigrec_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}
