/* SPDX-License-Identifier: MIT */
/*
 * err.h - the one error convention of sigrec's code: a function that can
 * fail returns a negative errno (or NULL) and, when the caller passes a
 * struct sigrec_err, says why in one line in it (seterr), for the caller
 * to print once, prefixed with the program's name.  NULL: not said.
 */
#ifndef SIGREC_ERR_H
#define SIGREC_ERR_H

struct sigrec_err {
	char msg[512];
};

void seterr(struct sigrec_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
