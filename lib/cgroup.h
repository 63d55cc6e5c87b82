/* SPDX-License-Identifier: MIT */
/*
 * cgroup.h - what a recorded cgroup path says: the hierarchy it came from
 * (a v1 hybrid's paths carry it as a prefix: "name=systemd:/...",
 * "memory:/..."), the systemd unit, and the container and Kubernetes pod
 * the runtimes' naming conventions put in it.  Pure string parsing:
 * bounded, no allocation, safe on any bytes.
 */
#ifndef SIGREC_CGROUP_H
#define SIGREC_CGROUP_H

#include <stddef.h>

enum cgroup_runtime {
	CGROUP_RT_NONE = 0,	/* none named (a Kubernetes cgroupfs pod names no runtime) */
	CGROUP_RT_DOCKER,
	CGROUP_RT_CONTAINERD,
	CGROUP_RT_CRIO,
	CGROUP_RT_PODMAN,
	CGROUP_RT_NSPAWN,
};

enum cgroup_qos {
	CGROUP_QOS_NONE = 0,
	CGROUP_QOS_GUARANTEED,
	CGROUP_QOS_BURSTABLE,
	CGROUP_QOS_BESTEFFORT,
};

#define CGROUP_ID_HEX	64	/* a runtime's container id */
#define CGROUP_ID_MAX	65	/* id: 64 hex digits, or nspawn's machine name (cut to 64) */
#define CGROUP_UID_MAX	37	/* pod UID: 8-4-4-4-12, or 32 hex digits (static pods) */
#define CGROUP_UNIT_MAX	96
#define CGROUP_HIER_MAX	32

struct cgroup_info {
	enum cgroup_runtime runtime;
	enum cgroup_qos qos;			/* with a pod UID only */
	char id[CGROUP_ID_MAX];			/* "": unknown */
	char pod_uid[CGROUP_UID_MAX];		/* with dashes whatever the driver; "": none */
	char hierarchy[CGROUP_HIER_MAX];	/* "cgroup2", "name=systemd", "memory", ...; "": no path */
	char unit[CGROUP_UNIT_MAX];		/* the last *.service or *.scope component; "": none */
	size_t leaf, leaf_len;			/* offset and length of the last component */
};

/*
 * Parse path[0..maxlen) (it ends at its first NUL).  A path that fills its
 * buffer (strnlen >= maxlen - 1) may have been cut by the recorder: a
 * container id whose suffix (".scope") was cut is still taken, an id or
 * UID that was cut is not.  Returns 1 when a container or pod was
 * recognised, else 0; *ci is always filled.
 */
int cgroup_parse(const char *path, size_t maxlen, struct cgroup_info *ci);
/*
 * A process record keeps a cgroup path of up to SIGREC_CGROUP_LEN - 1 bytes
 * in two fields (bpf/sigrec.h, struct sigrec_proc): split a path into them,
 * join them again (each NUL-terminated; out holds SIGREC_CGROUP_LEN).
 */
void cgroup_split(const char *path, char *first, char *more, size_t field_len);
void cgroup_join(char *out, size_t outlen, const char *first, const char *more, size_t field_len);

/* A container or pod was recognised. */
int cgroup_has_container(const struct cgroup_info *ci);
/* "docker", "containerd", "cri-o", "podman", "systemd-nspawn"; NULL for none. */
const char *cgroup_runtime_name(enum cgroup_runtime rt);
/* "guaranteed", "burstable", "besteffort"; NULL for none. */
const char *cgroup_qos_name(enum cgroup_qos qos);

/*
 * Filter arguments: --container (4 to 64 hex digits, lowercased) and --pod
 * (4 to 36 characters of a UID, '_' read as '-').  0, or -EINVAL.
 */
int cgroup_id_prefix(const char *arg, char *out, size_t len);
int cgroup_pod_prefix(const char *arg, char *out, size_t len);
/* Whether ci is in the container with id prefix id / pod with UID prefix pod ("": any). */
int cgroup_in(const struct cgroup_info *ci, const char *id, const char *pod);

#endif
