// SPDX-License-Identifier: MIT
/*
 * place.c - where the ring lives: a directory and a file that only the
 * recorder's user can change.  Another user who owns the ring, or can
 * write its directory, could read every command line in it, plant events,
 * or truncate it under the recorder's mapping; such a place is refused
 * before anything is opened, and left as it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "place.h"

static void group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned)gid);
}

/* Owned by us, writable by nobody else; and of the group asked for, if any. */
static int check_owner(const char *what, const char *path, const struct stat *st,
		       const struct place_opts *o, struct sigrec_err *err)
{
	char have[64], want[64];

	if (st->st_uid != geteuid()) {
		seterr(err, "%s %s is owned by uid %u, not by the recorder's user (uid %u): "
			 "its owner could read and change the recording; left untouched",
			 what, path, (unsigned)st->st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		seterr(err, "%s %s is writable by %s (mode %04o): another user could replace "
			 "or truncate the ring; left untouched (chmod go-w it)", what, path,
			 st->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	if (o->gid_set && st->st_gid != o->gid) {
		group_name(st->st_gid, have, sizeof(have));
		group_name(o->gid, want, sizeof(want));
		seterr(err, "%s %s exists with group %s; --group %s applies only to a new "
			 "ring: chgrp it yourself or leave --group out", what, path, have, want);
		return -EPERM;
	}
	return 0;
}

static void dir_of(const char *ring, char *dir, size_t len)
{
	const char *slash = strrchr(ring, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == ring)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - ring), ring);
}

int place__check(const char *ring, const struct place_opts *o, struct sigrec_err *err)
{
	char dir[4096];
	struct stat st;
	int rc;

	dir_of(ring, dir, sizeof(dir));
	if (o->create_dir && lstat(dir, &st) && errno == ENOENT) {
		if (mkdir(dir, 0750)) {
			seterr(err, "cannot create the directory %s: %s", dir, strerror(errno));
			return -errno;
		}
		if (o->gid_set && chown(dir, -1, o->gid)) {
			seterr(err, "cannot give %s to group %u: %s", dir, (unsigned)o->gid,
				 strerror(errno));
			return -errno;
		}
	}
	if (lstat(dir, &st)) {
		seterr(err, "cannot use the directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		seterr(err, "%s is not a directory (%s)", dir,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "another kind of file");
		return -ENOTDIR;
	}
	/* group ownership of a directory we did not make is not ours to check */
	{
		struct place_opts any = *o;

		any.gid_set = o->gid_set && o->create_dir;
		if ((rc = check_owner("the directory", dir, &st, &any, err)))
			return rc;
	}
	if (lstat(ring, &st)) {
		if (errno == ENOENT)
			return 0;	/* a new ring: made by the recorder */
		seterr(err, "cannot use %s: %s", ring, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, "%s is not a regular file (%s); left untouched", ring,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "a device, FIFO or directory");
		return -EINVAL;
	}
	return check_owner("the ring", ring, &st, o, err);
}

int place__set_group(const char *ring, const struct place_opts *o, struct sigrec_err *err)
{
	int fd, rc = 0;

	if (!o->gid_set)
		return 0;
	fd = open(ring, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, -1, o->gid)) {
		rc = -errno;
		seterr(err, "cannot give %s to group %u: %s", ring, (unsigned)o->gid,
			 strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
