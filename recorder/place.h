/* SPDX-License-Identifier: MIT */
/* place.h - the ring's directory and file: owned by the recorder's user only. */
#ifndef SIGREC_PLACE_H
#define SIGREC_PLACE_H

#include "err.h"
#include <stddef.h>
#include <sys/types.h>

struct place_opts {
	int create_dir;		/* the default place: create its directory 0750 if missing */
	int gid_set;		/* --group given */
	gid_t gid;
};

/*
 * Refuse (-EPERM, -EINVAL, -ENOTDIR, with err set) an existing directory or
 * ring not owned by this user, writable by group or others, a ring that is
 * not a regular file, or one whose group differs from --group.  Nothing is
 * changed then.
 */
int place__check(const char *ring, const struct place_opts *o, struct sigrec_err *err);
/* Give a ring the recorder just created the --group group. */
int place__set_group(const char *ring, const struct place_opts *o, struct sigrec_err *err);

#endif
