// SPDX-License-Identifier: MIT
/* privs.c - drop capabilities after attaching (libcap). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "privs.h"

static const cap_value_t keep[] = { CAP_BPF, CAP_SYS_PTRACE };

static int kept(cap_value_t c)
{
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (keep[i] == c)
			return 1;
	return 0;
}

static int have(cap_t cur, cap_value_t c, cap_flag_t set)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cur && !cap_get_flag(cur, c, set, &v) && v == CAP_SET;
}

int privs__drop(char *err, size_t errlen)
{
	cap_t cur = cap_get_proc(), caps;
	cap_value_t mine[2];
	int rc = 0, n = 0;

	/* the bounding set first: dropping from it needs CAP_SETPCAP, which a
	 * recorder started with only some capabilities may not have */
	if (have(cur, CAP_SETPCAP, CAP_EFFECTIVE))
		for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
			if (!kept(c) && cap_get_bound(c) == 1 && cap_drop_bound(c)) {
				snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s",
					 c, strerror(errno));
				cap_free(cur);
				return -errno;
			}
	/* keep what is both wanted and held */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (have(cur, keep[i], CAP_PERMITTED))
			mine[n++] = keep[i];
	cap_free(cur);
	caps = cap_init();
	if (!caps)
		return -errno;
	if ((n && (cap_set_flag(caps, CAP_PERMITTED, n, mine, CAP_SET) ||
		   cap_set_flag(caps, CAP_EFFECTIVE, n, mine, CAP_SET))) || cap_set_proc(caps)) {
		rc = -errno;
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
	}
	cap_free(caps);
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rc = -errno;
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
	}
	return rc;
}
