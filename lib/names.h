/* SPDX-License-Identifier: MIT */
/* names.h - the names of sigrec.h's enums, one table each, for every output. */
#ifndef SIGREC_NAMES_H
#define SIGREC_NAMES_H

#include "sigrec.h"

/* "unknown" for a value the table does not know (a newer recording). */
const char *names__cause(int cause);
const char *names__result(int result);
const char *names__syscall(int sc);
const char *names__context(int ctx);
/* The pstore line's word for a result ("ok", "pending", ...). */
const char *names__result_short(int result);
/* A delivery's enum sigrec_action; a SIGREC_DISP_* disposition. */
const char *names__action(int action);
const char *names__disposition(int disp);

/* The value a name stands for, or -1 (the empty "no syscall" is no name). */
int names__cause_parse(const char *s);
int names__syscall_parse(const char *s);
int names__result_short_parse(const char *s);

#endif
