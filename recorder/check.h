/* SPDX-License-Identifier: MIT */
/* check.h - sigrec --check: what this kernel gives and what it costs. */
#ifndef SIGREC_CHECK_H
#define SIGREC_CHECK_H

#include "capture.h"

/* Print the report to stdout; 0 when the core loads here, 4 when not. */
int check__run(const struct capture_opts *o);

#endif
