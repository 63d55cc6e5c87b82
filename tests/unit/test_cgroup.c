// SPDX-License-Identifier: MIT
/*
 * test_cgroup.c - the cgroup path parser: every runtime and kubelet layout,
 * v1 hierarchy prefixes, units; and for each layout a cut at every byte
 * (as the recorder's bounded path cuts it, and as a plain shorter path), a
 * flip of every byte, and overlong components: no crash, never a wrong id.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cgroup.h"

#define ID	"3f2a1b9c0d12e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9"
#define UID	"5c4e2a10-7b3d-4e8f-9a1b-2c3d4e5f6a7b"
#define UID_	"5c4e2a10_7b3d_4e8f_9a1b_2c3d4e5f6a7b"
#define SUID	"36b6d6be73b1065af369b3985edafa09"	/* a static pod's */

struct layout {
	const char *path;
	enum cgroup_runtime rt;
	const char *id, *pod;
	enum cgroup_qos qos;
	const char *hier, *unit;
};

static const struct layout layouts[] = {
	/* docker */
	{ "/docker/" ID, CGROUP_RT_DOCKER, ID, "", 0, "cgroup2", "" },
	{ "memory:/docker/" ID, CGROUP_RT_DOCKER, ID, "", 0, "memory", "" },
	{ "name=systemd:/system.slice/docker-" ID ".scope", CGROUP_RT_DOCKER, ID, "", 0,
	  "name=systemd", "docker-" ID ".scope" },
	/* containerd */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/"
	  "cri-containerd-" ID ".scope", CGROUP_RT_CONTAINERD, ID, UID, CGROUP_QOS_BURSTABLE,
	  "cgroup2", "cri-containerd-" ID ".scope" },
	{ "/system.slice/containerd.service/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID,
	  CGROUP_RT_CONTAINERD, ID, UID, CGROUP_QOS_BESTEFFORT, "cgroup2", "containerd.service" },
	{ "/system.slice/containerd.service/kubepods-burstable-pod" SUID ".slice:cri-containerd:" ID,
	  CGROUP_RT_CONTAINERD, ID, SUID, CGROUP_QOS_BURSTABLE, "cgroup2", "containerd.service" },
	{ "/k8s.io/" ID, CGROUP_RT_CONTAINERD, ID, "", 0, "cgroup2", "" },
	/* cri-o */
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", CGROUP_RT_CRIO, ID, UID,
	  CGROUP_QOS_GUARANTEED, "cgroup2", "crio-" ID ".scope" },
	{ "/kubepods/besteffort/pod" UID "/crio-" ID, CGROUP_RT_CRIO, ID, UID,
	  CGROUP_QOS_BESTEFFORT, "cgroup2", "" },
	/* podman */
	{ "/machine.slice/libpod-" ID ".scope", CGROUP_RT_PODMAN, ID, "", 0, "cgroup2",
	  "libpod-" ID ".scope" },
	{ "/machine.slice/libpod-" ID ".scope/container", CGROUP_RT_PODMAN, ID, "", 0, "cgroup2",
	  "libpod-" ID ".scope" },
	{ "memory:/libpod_parent/libpod-" ID, CGROUP_RT_PODMAN, ID, "", 0, "memory", "" },
	/* systemd-nspawn */
	{ "/machine.slice/machine-web\\x2d1.scope", CGROUP_RT_NSPAWN, "web-1", "", 0, "cgroup2",
	  "machine-web\\x2d1.scope" },
	{ "name=systemd:/machine.slice/systemd-nspawn@db.service/payload", CGROUP_RT_NSPAWN, "db",
	  "", 0, "name=systemd", "systemd-nspawn@db.service" },
	/* kubelet, systemd driver, docker */
	{ "name=systemd:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/docker-" ID ".scope", CGROUP_RT_DOCKER, ID, UID, CGROUP_QOS_BESTEFFORT,
	  "name=systemd", "docker-" ID ".scope" },
	/* kubelet, cgroupfs driver: no runtime named */
	{ "/kubepods/burstable/pod" UID "/" ID, CGROUP_RT_NONE, ID, UID, CGROUP_QOS_BURSTABLE,
	  "cgroup2", "" },
	{ "memory:/kubepods/pod" UID "/" ID, CGROUP_RT_NONE, ID, UID, CGROUP_QOS_GUARANTEED,
	  "memory", "" },
	{ "4:memory:/kubepods/besteffort/pod" UID "/" ID, CGROUP_RT_NONE, ID, UID,
	  CGROUP_QOS_BESTEFFORT, "memory", "" },
	/* kind: the kubelet's tree under its own root, inside a docker container */
	{ "/docker/" ID "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
	  "kubelet-kubepods-burstable-pod" UID_ ".slice", CGROUP_RT_NONE, "", UID,
	  CGROUP_QOS_BURSTABLE, "cgroup2", "" },
	/* no container */
	{ "name=systemd:/system.slice/cron.service", CGROUP_RT_NONE, "", "", 0, "name=systemd",
	  "cron.service" },
	{ "0::/user.slice/user-0.slice/session-3.scope", CGROUP_RT_NONE, "", "", 0, "cgroup2",
	  "session-3.scope" },
	{ "memory:/process_api/4eec5dd0c05f42262bcd34f2dc755c19", CGROUP_RT_NONE, "", "", 0,
	  "memory", "" },
	{ "/", CGROUP_RT_NONE, "", "", 0, "cgroup2", "" },
	{ "/kubepods.slice/kubepods-burstable.slice", CGROUP_RT_NONE, "", "", 0, "cgroup2", "" },
	{ "/system.slice/docker.service", CGROUP_RT_NONE, "", "", 0, "cgroup2", "docker.service" },
	{ "/" ID, CGROUP_RT_NONE, "", "", 0, "cgroup2", "" },
	{ "/system.slice/libpod-conmon-" ID ".scope", CGROUP_RT_NONE, "", "", 0, "cgroup2",
	  "libpod-conmon-" ID ".scope" },
};

static void check_layout(const struct layout *l)
{
	struct cgroup_info ci;
	int got = cgroup_parse(l->path, strlen(l->path) + 1, &ci);

	assert_int_equal(ci.runtime, l->rt);
	assert_string_equal(ci.id, l->id);
	assert_string_equal(ci.pod_uid, l->pod);
	assert_int_equal(ci.qos, l->qos);
	assert_string_equal(ci.hierarchy, l->hier);
	assert_string_equal(ci.unit, l->unit);
	assert_int_equal(got, l->rt != CGROUP_RT_NONE || l->id[0] || l->pod[0]);
}

static void test_layouts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		check_layout(&layouts[i]);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cgroup_runtime_name(CGROUP_RT_CRIO), "cri-o");
	assert_string_equal(cgroup_runtime_name(CGROUP_RT_NSPAWN), "systemd-nspawn");
	assert_null(cgroup_runtime_name(CGROUP_RT_NONE));
	assert_null(cgroup_runtime_name((enum cgroup_runtime)99));
	assert_string_equal(cgroup_qos_name(CGROUP_QOS_BESTEFFORT), "besteffort");
	assert_null(cgroup_qos_name(CGROUP_QOS_NONE));
	assert_null(cgroup_qos_name((enum cgroup_qos)-1));
}

/* What a parse of a damaged path may give: nothing, or the true value. */
static void assert_no_wrong(const struct cgroup_info *ci, const struct layout *l)
{
	/* an outer container, when the cut took the pod inside it (kind) */
	if (ci->id[0] && !l->id[0])
		assert_non_null(strstr(l->path, ci->id));
	if (ci->id[0] && l->id[0]) {
		assert_string_equal(ci->id, l->id);
		assert_int_equal(ci->runtime, l->rt);
	}
	if (ci->pod_uid[0])
		assert_string_equal(ci->pod_uid, l->pod);
	if (ci->qos)
		assert_int_equal(ci->qos, l->qos);
}

/*
 * Every layout cut at every byte: as the recorder cuts a path (it fills
 * its buffer: a cut suffix is allowed) and as a path that simply ends
 * there.  A copy on the heap of exactly the bytes given, so ASan sees a
 * read past them.
 */
static void test_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		size_t n = strlen(l->path);

		for (size_t cut = 0; cut <= n; cut++) {
			char *p = malloc(cut ? cut : 1);
			struct cgroup_info ci;

			memcpy(p, l->path, cut);
			cgroup_parse(p, cut, &ci);	/* no NUL: fills its buffer */
			assert_no_wrong(&ci, l);
			free(p);
			p = malloc(cut + 1);
			memcpy(p, l->path, cut);
			p[cut] = 0;
			cgroup_parse(p, cut + 1, &ci);	/* as full as can be, cut */
			assert_no_wrong(&ci, l);
			cgroup_parse(p, cut + 64, &ci);	/* a shorter path: strict */
			assert_no_wrong(&ci, l);
			free(p);
		}
		/* the recorder's cut keeps the id when only the suffix is lost */
		if (l->id[0] && l->rt != CGROUP_RT_NSPAWN && strstr(l->path, ".scope") &&
		    !strcmp(strstr(l->path, ".scope"), ".scope")) {
			struct cgroup_info ci;
			char *p = malloc(n - 3);

			memcpy(p, l->path, n - 3);
			cgroup_parse(p, n - 3, &ci);
			assert_string_equal(ci.id, l->id);
			free(p);
		}
	}
	/* a path that did not fill its buffer was not cut: ".sco" is no ".scope" */
	{
		static const char p[] = "/system.slice/docker-" ID ".sco";
		struct cgroup_info ci;

		assert_int_equal(cgroup_parse(p, sizeof(p) + 1, &ci), 0);
		assert_int_equal(cgroup_parse(p, sizeof(p), &ci), 1);
		assert_string_equal(ci.id, ID);
	}
}

/* Every byte of every layout changed to a few others: never a crash, ids stay hex. */
static void test_byte_flips(void **state)
{
	static const char subst[] = { 0, '/', ':', '-', '_', '.', 'a', 'G', '\\', (char)0xff };

	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		size_t n = strlen(layouts[i].path);
		char *p = malloc(n + 1);

		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(subst); k++) {
				struct cgroup_info ci;

				memcpy(p, layouts[i].path, n + 1);
				p[at] = subst[k];
				cgroup_parse(p, n + 1, &ci);
				assert_true(strlen(ci.id) < sizeof(ci.id));
				assert_true(strlen(ci.pod_uid) == 0 || strlen(ci.pod_uid) == 32 ||
					    strlen(ci.pod_uid) == 36);
				if (ci.id[0] && ci.runtime != CGROUP_RT_NSPAWN)
					assert_int_equal(strspn(ci.id, "0123456789abcdef"), 64);
				assert_true(ci.leaf + ci.leaf_len <= n);
			}
		free(p);
	}
}

static void test_overlong(void **state)
{
	char buf[8192], *p = buf;
	struct cgroup_info ci;

	(void)state;
	/* a component of 4000 hex digits, and 1000 of them nested */
	memset(buf, 'a', sizeof(buf));
	buf[0] = '/';
	buf[4001] = 0;
	assert_int_equal(cgroup_parse(buf, sizeof(buf), &ci), 0);
	for (int i = 0; i < 1000; i++)
		p += sprintf(p, "/docker");
	sprintf(p, "/%s", ID);
	assert_int_equal(cgroup_parse(buf, sizeof(buf), &ci), 1);
	assert_string_equal(ci.id, ID);
	/* 65 and 63 hex digits are no id */
	snprintf(buf, sizeof(buf), "/docker/%sa", ID);
	assert_int_equal(cgroup_parse(buf, sizeof(buf), &ci), 0);
	snprintf(buf, sizeof(buf), "/system.slice/docker-%.63s.scope", ID);
	assert_int_equal(cgroup_parse(buf, sizeof(buf), &ci), 0);
	/* uppercase is not how runtimes write ids */
	assert_int_equal(cgroup_parse("/docker/3F2A1B9C0D12E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4"
				      "B5C6D7E8F9", 100, &ci), 0);
	/* a machine name longer than machined allows is not one */
	p = buf + sprintf(buf, "/machine.slice/machine-");
	memset(p, 'm', 65);
	strcpy(p + 65, ".scope");
	cgroup_parse(buf, sizeof(buf), &ci);
	assert_int_equal(ci.runtime, CGROUP_RT_NONE);
	/* a unit name longer than the label is cut, bounded */
	p = buf + sprintf(buf, "/system.slice/");
	memset(p, 'u', 300);
	strcpy(p + 300, ".service");
	cgroup_parse(buf, sizeof(buf), &ci);
	assert_int_equal(strlen(ci.unit), sizeof(ci.unit) - 1);
	/* a hierarchy name too long, or with odd bytes, is not named */
	sprintf(buf, "%0100d:/x", 0);
	cgroup_parse(buf, sizeof(buf), &ci);
	assert_string_equal(ci.hierarchy, "");
	cgroup_parse("mem ory:/x", 20, &ci);
	assert_string_equal(ci.hierarchy, "");
	/* escapes that would give '/' or a control byte stay escaped */
	cgroup_parse("/machine.slice/machine-a\\x2fb\\x01.scope", 100, &ci);
	assert_string_equal(ci.id, "a\\x2fb\\x01");
	/* empty and NULL */
	assert_int_equal(cgroup_parse("", 1, &ci), 0);
	assert_string_equal(ci.hierarchy, "");
	assert_int_equal(cgroup_parse(NULL, 0, &ci), 0);
	assert_int_equal(cgroup_parse("/docker/x", 0, &ci), 0);
}

static void test_filters(void **state)
{
	char out[CGROUP_ID_MAX], pod[CGROUP_UID_MAX];
	struct cgroup_info ci;

	(void)state;
	assert_int_equal(cgroup_id_prefix("3F2a", out, sizeof(out)), 0);
	assert_string_equal(out, "3f2a");
	assert_int_equal(cgroup_id_prefix(ID, out, sizeof(out)), 0);
	assert_int_equal(cgroup_id_prefix("3f2", out, sizeof(out)), -EINVAL);
	assert_int_equal(cgroup_id_prefix("3f2g", out, sizeof(out)), -EINVAL);
	assert_int_equal(cgroup_id_prefix(ID "0", out, sizeof(out)), -EINVAL);
	assert_int_equal(cgroup_id_prefix("", out, sizeof(out)), -EINVAL);
	assert_int_equal(cgroup_id_prefix("3f2a", out, 4), -EINVAL);
	assert_int_equal(cgroup_pod_prefix(UID_, pod, sizeof(pod)), 0);
	assert_string_equal(pod, UID);
	assert_int_equal(cgroup_pod_prefix("5C4E2A10-7b", pod, sizeof(pod)), 0);
	assert_string_equal(pod, "5c4e2a10-7b");
	assert_int_equal(cgroup_pod_prefix("5c4", pod, sizeof(pod)), -EINVAL);
	assert_int_equal(cgroup_pod_prefix("5c4e/", pod, sizeof(pod)), -EINVAL);
	assert_int_equal(cgroup_pod_prefix(UID "0", pod, sizeof(pod)), -EINVAL);

	cgroup_parse(layouts[3].path, 1000, &ci);
	assert_true(cgroup_in(&ci, "3f2a", ""));
	assert_true(cgroup_in(&ci, ID, UID));
	assert_true(cgroup_in(&ci, "", "5c4e2a10-7b3d"));
	assert_false(cgroup_in(&ci, "3f2b", ""));
	assert_false(cgroup_in(&ci, "3f2a", "5c4f"));
	cgroup_parse("/system.slice/cron.service", 100, &ci);
	assert_false(cgroup_in(&ci, "3f2a", ""));
	assert_false(cgroup_in(&ci, "", "5c4e"));
}

/* A path in a process record's two fields, and back; hostile fields. */
static void test_split_join(void **state)
{
	char path[300], a[128], b[128], out[255];

	(void)state;
	for (size_t n = 0; n <= 254; n += 1) {
		memset(path, 'x', n);
		path[n] = 0;
		if (n > 3)
			memcpy(path + n - 3, "end", 3);
		cgroup_split(path, a, b, sizeof(a));
		assert_true(memchr(a, 0, sizeof(a)) && memchr(b, 0, sizeof(b)));
		cgroup_join(out, sizeof(out), a, b, sizeof(a));
		assert_string_equal(out, path);
	}
	/* no terminators anywhere: still a terminated path within bounds */
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	cgroup_join(out, sizeof(out), a, b, sizeof(a));
	assert_int_equal(strlen(out), 254);
	/* a short first field ends the path: what follows it is not joined */
	snprintf(a, sizeof(a), "/short");
	cgroup_join(out, sizeof(out), a, b, sizeof(a));
	assert_string_equal(out, "/short");
	cgroup_join(out, 4, a, b, sizeof(a));
	assert_string_equal(out, "/sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_byte_flips),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_split_join),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
