// SPDX-License-Identifier: MIT
/* ring_pack.c - packed exports: one LZ4 frame around a small ring image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lz4frame.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "format.h"
#include "util.h"


int read_fd(int fd, const char *name, uint8_t **out, size_t *len, size_t max,
		   struct sigrec_err *err)
{
	struct stat st;
	uint8_t *buf;

	if (fstat(fd, &st)) {
		int e = errno;

		seterr(err, "cannot read %s: %s", name, strerror(e));
		return -e;
	}
	if ((uint64_t)st.st_size > max) {
		seterr(err, "%s is larger than %zu bytes", name, max);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	for (size_t got = 0; got < (size_t)st.st_size;) {
		ssize_t n = pread(fd, buf + got, st.st_size - got, got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			seterr(err, "cannot read %s: %s", name, n ? strerror(errno) : "cut short");
			free(buf);
			return n ? -errno : -EIO;
		}
		got += n;
	}
	*out = buf;
	*len = st.st_size;
	return 0;
}

int unpack(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
		  struct sigrec_err *err)
{
	LZ4F_dctx *dctx;
	size_t cap = 1 << 20, used = 0, pos = 0, rc = 1;
	uint8_t *buf = malloc(cap);

	if (!buf || LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		free(buf);
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	while (rc && pos < inlen) {
		size_t src = inlen - pos, dst;

		if (used == cap) {
			uint8_t *nb;

			if (cap >= RING_PACKED_MAX) {
				seterr(err, "dump unpacks to more than %llu bytes; refusing",
				       (unsigned long long)RING_PACKED_MAX);
				rc = 0;
				used = 0;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		dst = cap - used;
		rc = LZ4F_decompress(dctx, buf + used, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(rc)) {
			seterr(err, "corrupt dump (LZ4 frame: %s)", LZ4F_getErrorName(rc));
			used = 0;
			break;
		}
		used += dst;
		pos += src;
	}
	LZ4F_freeDecompressionContext(dctx);
	if (!used || rc) {
		if (!err->msg[0])
			seterr(err, "corrupt dump (LZ4 frame cut short)");
		free(buf);
		return -EBADMSG;
	}
	*out = buf;
	*outlen = used;
	return 0;
}

int ring__pack_fd(int src, const char *name, const char *dst, struct sigrec_err *err)
{
	LZ4F_preferences_t prefs = { .frameInfo = { .contentChecksumFlag = LZ4F_contentChecksumEnabled } };
	uint8_t *img, *out;
	size_t len, cap, n;
	int fd, rc;

	rc = read_fd(src, name, &img, &len, RING_PACKED_MAX, err);
	if (rc)
		return rc;
	prefs.frameInfo.contentSize = len;
	cap = LZ4F_compressFrameBound(len, &prefs);
	out = malloc(cap);
	if (!out) {
		free(img);
		seterr(err, "out of memory");
		return -ENOMEM;
	}
	n = LZ4F_compressFrame(out, cap, img, len, &prefs);
	free(img);
	if (LZ4F_isError(n)) {
		free(out);
		seterr(err, "cannot compress: %s", LZ4F_getErrorName(n));
		return -EIO;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		seterr(err, "cannot create %s: %s", dst, strerror(errno));
		free(out);
		return rc;
	}
	rc = pwrite_all(fd, out, n, 0);
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	free(out);
	if (rc) {
		unlink(dst);
		seterr(err, "cannot write %s: %s", dst, strerror(-rc));
	}
	return rc;
}

int ring__pack(const char *src, const char *dst, struct sigrec_err *err)
{
	int fd = open_input(src, err), rc;

	if (fd < 0)
		return fd;
	rc = ring__pack_fd(fd, src, dst, err);
	close(fd);
	return rc;
}

