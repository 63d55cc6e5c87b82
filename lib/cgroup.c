// SPDX-License-Identifier: MIT
/*
 * cgroup.c - containers, pods and units from a cgroup path.
 *
 * The names runc's two cgroup drivers give, as the runtimes and the
 * kubelet use them (<id>: 64 lowercase hex digits):
 *   docker       /docker/<id>                          cgroupfs driver
 *                .../docker-<id>.scope                  systemd driver
 *   containerd   .../cri-containerd-<id>.scope          CRI, systemd driver
 *                .../<pod>.slice:cri-containerd:<id>    CRI set to systemd, runc on
 *                                                       cgroupfs (under containerd.service)
 *                /k8s.io/<id>                           its own layout, namespace k8s.io
 *   cri-o        .../crio-<id>.scope, .../crio-<id>
 *   podman       .../libpod-<id>.scope, /libpod_parent/libpod-<id>
 *   nspawn       /machine.slice/machine-NAME.scope, .../systemd-nspawn@NAME.service
 *                (NAME with systemd's \x2d escapes)
 *   pods         .../kubepods-QOS-pod<uid, '-' as '_'>.slice, kubepods-pod<uid>.slice
 *                /kubepods/QOS/pod<uid>/<id>, /kubepods/pod<uid>/<id>   (no QOS: guaranteed)
 * A component is recognised wherever it is (kind and k3s nest the tree
 * under another cgroup); the innermost container wins, and a pod found
 * inside a container starts over (a kubelet in a container).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "cgroup.h"

enum parent { P_NONE, P_KUBEPODS, P_QOS, P_POD, P_DOCKER, P_K8SIO };

struct scan {
	enum parent parent;	/* what the component before was, for cgroupfs layouts */
	enum cgroup_qos qos;	/* of a P_QOS parent */
};

/* a name and the enum value it stands for */
struct name_val {
	const char *name;
	int val;
};

static const struct name_val qos_names[] = {
	{ "burstable", CGROUP_QOS_BURSTABLE },
	{ "besteffort", CGROUP_QOS_BESTEFFORT },
};

/* prefix + 64 hex digits + suffix: one component each */
static const struct {
	const char *prefix, *suffix;
	enum cgroup_runtime rt;
} layouts[] = {
	{ "docker-", ".scope", CGROUP_RT_DOCKER },
	{ "cri-containerd-", ".scope", CGROUP_RT_CONTAINERD },
	{ "crio-", ".scope", CGROUP_RT_CRIO },
	{ "crio-", "", CGROUP_RT_CRIO },
	{ "libpod-", ".scope", CGROUP_RT_PODMAN },
	{ "libpod-", "", CGROUP_RT_PODMAN },
};

/* runc's "slice:prefix:name" taken as a path: the prefix names the runtime */
static const struct name_val colon_tags[] = {
	{ ":cri-containerd:", CGROUP_RT_CONTAINERD },
	{ ":crio:", CGROUP_RT_CRIO },
	{ ":docker:", CGROUP_RT_DOCKER },
};

const char *cgroup_runtime_name(enum cgroup_runtime rt)
{
	static const char *const names[] = {
		[CGROUP_RT_DOCKER] = "docker", [CGROUP_RT_CONTAINERD] = "containerd",
		[CGROUP_RT_CRIO] = "cri-o", [CGROUP_RT_PODMAN] = "podman",
		[CGROUP_RT_NSPAWN] = "systemd-nspawn",
	};

	return rt > CGROUP_RT_NONE && rt <= CGROUP_RT_NSPAWN ? names[rt] : NULL;
}

const char *cgroup_qos_name(enum cgroup_qos qos)
{
	static const char *const names[] = {
		[CGROUP_QOS_GUARANTEED] = "guaranteed", [CGROUP_QOS_BURSTABLE] = "burstable",
		[CGROUP_QOS_BESTEFFORT] = "besteffort",
	};

	return qos > CGROUP_QOS_NONE && qos <= CGROUP_QOS_BESTEFFORT ? names[qos] : NULL;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int has_prefix(const char *c, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && !memcmp(c, lit, l);
}

static int is(const char *c, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(c, lit, n);
}

/* s[0..n) is suffix, or (the path was cut right here) the start of it. */
static int suffix_ok(const char *s, size_t n, const char *suffix, int cut)
{
	size_t l = strlen(suffix);

	return n == l ? !memcmp(s, suffix, l) : cut && n < l && !memcmp(s, suffix, n);
}

/*
 * A pod UID at s[0..n): 8-4-4-4-12 hex digits separated by sep, or 32 hex
 * digits (a static pod's), followed by the end or a '.'.  Copied with
 * dashes into out; returns its length, or 0.
 */
static size_t pod_uid(const char *s, size_t n, char sep, char *out)
{
	static const size_t dash[4] = { 8, 13, 18, 23 };
	size_t i, k = 0;

	if (n >= 32 && is_hex(s, 32) && (n == 32 || s[32] == '.')) {
		memcpy(out, s, 32);
		out[32] = 0;
		return 32;
	}
	if (n < 36 || (n > 36 && s[36] != '.'))
		return 0;
	for (i = 0; i < 36; i++) {
		if (k < 4 && i == dash[k]) {
			if (s[i] != sep)
				return 0;
			k++;
		} else if (!is_hex(s + i, 1)) {
			return 0;
		}
	}
	for (i = 0; i < 36; i++)
		out[i] = s[i] == sep ? '-' : s[i];
	out[36] = 0;
	return 36;
}

static void set_pod(struct cgroup_info *ci, const char *uid, enum cgroup_qos qos)
{
	memcpy(ci->pod_uid, uid, CGROUP_UID_MAX);
	ci->qos = qos;
	/* what was found outside the pod (a kubelet in a container) is not it */
	ci->runtime = CGROUP_RT_NONE;
	ci->id[0] = 0;
}

static void set_id(struct cgroup_info *ci, enum cgroup_runtime rt, const char *id, size_t n)
{
	ci->runtime = rt;
	memcpy(ci->id, id, n);
	ci->id[n] = 0;
}

/* 64 hex digits at s[0..n) and nothing after them: the id; 1 if taken. */
static int hex_id(struct cgroup_info *ci, enum cgroup_runtime rt, const char *s, size_t n)
{
	if (n != CGROUP_ID_HEX || !is_hex(s, n))
		return 0;
	set_id(ci, rt, s, n);
	return 1;
}

/* ":cri-containerd:<id>" (or crio, docker) after a slice name in c[0..n). */
static void colon_form(struct cgroup_info *ci, const char *c, size_t n)
{
	const char *colon = memchr(c, ':', n);

	if (!colon)
		return;
	n -= colon - c;
	for (size_t i = 0; i < sizeof(colon_tags) / sizeof(colon_tags[0]); i++) {
		size_t l = strlen(colon_tags[i].name);

		if (has_prefix(colon, n, colon_tags[i].name) &&
		    hex_id(ci, colon_tags[i].val, colon + l, n - l))
			return;
	}
}

/* The kubelet's systemd driver: [...-]kubepods[-QOS]-pod<uid>.slice[:rt:id]. */
static int pod_slice(struct cgroup_info *ci, const char *c, size_t n, int cut)
{
	enum cgroup_qos qos = CGROUP_QOS_NONE;
	char uid[CGROUP_UID_MAX];
	size_t i, at = 0, l;

	for (i = 0; i + 8 <= n && !at; i++)
		if ((!i || c[i - 1] == '-') && !memcmp(c + i, "kubepods", 8))
			at = i + 8;
	if (!at)
		return 0;
	c += at;
	n -= at;
	if (has_prefix(c, n, "-pod")) {
		qos = CGROUP_QOS_GUARANTEED;
		at = 4;
	}
	for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]) && !qos; i++) {
		l = strlen(qos_names[i].name);
		if (n > l + 5 && c[0] == '-' && !memcmp(c + 1, qos_names[i].name, l) &&
		    has_prefix(c + 1 + l, n - 1 - l, "-pod")) {
			qos = qos_names[i].val;
			at = l + 5;
		}
	}
	if (!qos)
		return 0;
	l = pod_uid(c + at, n - at, '_', uid);
	if (!l)
		return 0;
	c += at + l;
	n -= at + l;
	/* ".slice", ".slice:rt:id", or ".slice" cut short */
	if (has_prefix(c, n, ".slice") && (n == 6 || c[6] == ':')) {
		set_pod(ci, uid, qos);
		colon_form(ci, c, n);
		return 1;
	}
	if (suffix_ok(c, n, ".slice", cut)) {
		set_pod(ci, uid, qos);
		return 1;
	}
	return 0;
}

/* The kubelet's cgroupfs driver: kubepods/[QOS/]pod<uid>/<id>. */
static int cgroupfs_pod(struct cgroup_info *ci, struct scan *st, const char *c, size_t n)
{
	char uid[CGROUP_UID_MAX];

	if (is(c, n, "kubepods")) {
		st->parent = P_KUBEPODS;
		return 1;
	}
	if (st->parent == P_KUBEPODS)
		for (size_t i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++)
			if (is(c, n, qos_names[i].name)) {
				st->parent = P_QOS;
				st->qos = qos_names[i].val;
				return 1;
			}
	if ((st->parent == P_KUBEPODS || st->parent == P_QOS) && n > 3 && has_prefix(c, n, "pod") &&
	    pod_uid(c + 3, n - 3, '-', uid) == n - 3) {
		set_pod(ci, uid, st->parent == P_QOS ? st->qos : CGROUP_QOS_GUARANTEED);
		st->parent = P_POD;
		return 1;
	}
	return 0;
}

/* prefix<id>suffix of layouts[], or a bare id under a parent that names it. */
static int container(struct cgroup_info *ci, const struct scan *st, const char *c, size_t n,
		     int cut)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		size_t l = strlen(layouts[i].prefix);

		if (n >= l + CGROUP_ID_HEX && !memcmp(c, layouts[i].prefix, l) &&
		    is_hex(c + l, CGROUP_ID_HEX) &&
		    suffix_ok(c + l + CGROUP_ID_HEX, n - l - CGROUP_ID_HEX, layouts[i].suffix, cut)) {
			set_id(ci, layouts[i].rt, c + l, CGROUP_ID_HEX);
			return 1;
		}
	}
	if (st->parent == P_DOCKER)
		return hex_id(ci, CGROUP_RT_DOCKER, c, n);
	if (st->parent == P_K8SIO)
		return hex_id(ci, CGROUP_RT_CONTAINERD, c, n);
	if (st->parent == P_POD)	/* the cgroupfs driver names no runtime */
		return hex_id(ci, CGROUP_RT_NONE, c, n);
	return 0;
}

/* systemd's unit name escapes (\x2d for '-') undone where they give a printable byte. */
static size_t unescape(char *out, size_t len, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] == 'x' && is_hex(s + i + 2, 2)) {
			int v = (s[i + 2] <= '9' ? s[i + 2] - '0' : s[i + 2] - 'a' + 10) << 4 |
				(s[i + 3] <= '9' ? s[i + 3] - '0' : s[i + 3] - 'a' + 10);

			if (v > 0x20 && v < 0x7f && v != '/') {
				c = v;
				i += 3;
			}
		}
		if (k + 1 >= len)
			return 0;	/* longer than a machine name: not one */
		out[k++] = c;
	}
	out[k] = 0;
	return k;
}

/* machine-NAME.scope (a machine registered with machined), systemd-nspawn@NAME.service */
static int nspawn(struct cgroup_info *ci, const char *c, size_t n)
{
	static const struct {
		const char *prefix, *suffix;
	} forms[] = { { "machine-", ".scope" }, { "systemd-nspawn@", ".service" } };
	char name[CGROUP_ID_MAX];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t p = strlen(forms[i].prefix), s = strlen(forms[i].suffix);

		if (n > p + s && !memcmp(c, forms[i].prefix, p) &&
		    !memcmp(c + n - s, forms[i].suffix, s) &&
		    unescape(name, sizeof(name), c + p, n - p - s)) {
			set_id(ci, CGROUP_RT_NSPAWN, name, strlen(name));
			return 1;
		}
	}
	return 0;
}

static void unit(struct cgroup_info *ci, const char *c, size_t n)
{
	if ((n > 8 && !memcmp(c + n - 8, ".service", 8)) || (n > 6 && !memcmp(c + n - 6, ".scope", 6))) {
		if (n >= sizeof(ci->unit))
			n = sizeof(ci->unit) - 1;	/* cut, as a bounded label */
		memcpy(ci->unit, c, n);
		ci->unit[n] = 0;
	}
}

static void component(struct cgroup_info *ci, struct scan *st, const char *c, size_t n, int cut)
{
	unit(ci, c, n);
	if (pod_slice(ci, c, n, cut)) {
		st->parent = P_POD;
		return;
	}
	if (cgroupfs_pod(ci, st, c, n))
		return;
	if (!container(ci, st, c, n, cut))
		nspawn(ci, c, n);
	st->parent = is(c, n, "docker") ? P_DOCKER : is(c, n, "k8s.io") ? P_K8SIO : P_NONE;
}

/*
 * The hierarchy prefix of path[0..n): "name=systemd:/...", "memory:/...",
 * or a line of /proc/PID/cgroup ("4:memory:/...", "0::/..."); none or an
 * empty name is cgroup2.  Returns where the path itself starts.
 */
static size_t hierarchy(struct cgroup_info *ci, const char *path, size_t n)
{
	const char *slash = memchr(path, '/', n), *colon, *c1;
	size_t head = slash ? (size_t)(slash - path) : n, from = 0, to, body = 0;

	colon = head ? memrchr(path, ':', head) : NULL;
	if (colon) {
		to = colon - path;
		body = to + 1;
		c1 = memrchr(path, ':', to);
		if (c1)
			from = c1 - path + 1;
	} else {
		to = 0;
	}
	if (!slash || head != body)	/* no path after the prefix */
		return body;
	if (to == from) {
		strcpy(ci->hierarchy, "cgroup2");
		return body;
	}
	if (to - from >= sizeof(ci->hierarchy))
		return body;
	for (size_t i = from; i < to; i++) {
		char c = path[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '=' || c == ',' || c == '_' || c == '-' || c == '.'))
			return body;
	}
	memcpy(ci->hierarchy, path + from, to - from);
	ci->hierarchy[to - from] = 0;
	return body;
}

int cgroup_parse(const char *path, size_t maxlen, struct cgroup_info *ci)
{
	size_t n = path && maxlen ? strnlen(path, maxlen) : 0;
	int cut = n && n + 1 >= maxlen;
	struct scan st = { P_NONE, CGROUP_QOS_NONE };

	memset(ci, 0, sizeof(*ci));
	ci->leaf = n;
	if (!n)
		return 0;
	for (size_t i = hierarchy(ci, path, n), j; i < n; i = j) {
		if (path[i] == '/') {
			j = i + 1;
			continue;
		}
		j = i;
		while (j < n && path[j] != '/')
			j++;
		component(ci, &st, path + i, j - i, cut && j == n);
		ci->leaf = i;
		ci->leaf_len = j - i;
	}
	return cgroup_has_container(ci);
}

int cgroup_has_container(const struct cgroup_info *ci)
{
	return ci->runtime != CGROUP_RT_NONE || ci->id[0] || ci->pod_uid[0];
}

/* arg: min to max characters of accept, lowercased (and '_' as '-') into out. */
static int prefix_arg(const char *arg, char *out, size_t len, size_t max, int uid)
{
	size_t n = strnlen(arg, max + 1);

	if (n < 4 || n > max || len <= n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = arg[i] >= 'A' && arg[i] <= 'F' ? arg[i] - 'A' + 'a' : arg[i];

		if (uid && (c == '_' || c == '-'))
			c = '-';
		else if (!is_hex(&c, 1))
			return -EINVAL;
		out[i] = c;
	}
	out[n] = 0;
	return 0;
}

int cgroup_id_prefix(const char *arg, char *out, size_t len)
{
	return prefix_arg(arg, out, len, CGROUP_ID_HEX, 0);
}

int cgroup_pod_prefix(const char *arg, char *out, size_t len)
{
	return prefix_arg(arg, out, len, CGROUP_UID_MAX - 1, 1);
}

int cgroup_in(const struct cgroup_info *ci, const char *id, const char *pod)
{
	return (!id[0] || !strncmp(ci->id, id, strlen(id))) &&
	       (!pod[0] || !strncmp(ci->pod_uid, pod, strlen(pod)));
}

void cgroup_split(const char *path, char *first, char *more, size_t field_len)
{
	size_t n = strlen(path), a = n < field_len - 1 ? n : field_len - 1;
	size_t b = n - a < field_len - 1 ? n - a : field_len - 1;

	memcpy(first, path, a);
	memset(first + a, 0, field_len - a);
	memcpy(more, path + a, b);
	memset(more + b, 0, field_len - b);
}

void cgroup_join(char *out, size_t outlen, const char *first, const char *more, size_t field_len)
{
	size_t a = strnlen(first, field_len), b;

	if (!outlen)
		return;
	if (a == field_len)	/* no terminator: a hostile record */
		a--;
	b = a < field_len - 1 ? 0 : strnlen(more, field_len);	/* more only after a full first */
	if (b == field_len)
		b--;
	if (a > outlen - 1)
		a = outlen - 1;
	if (b > outlen - 1 - a)
		b = outlen - 1 - a;
	memcpy(out, first, a);
	memcpy(out + a, more, b);
	out[a + b] = 0;
}
