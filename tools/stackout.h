/* SPDX-License-Identifier: MIT */
/*
 * stackout.h - a signal's stack and fault site in sigdump's outputs: the
 * frames symbolized (symbolize.h), in the timeline (-t, --stack), --why,
 * JSON (sender.stack, fault) and logfmt (source.stack, fault.*).
 */
#ifndef SIGREC_STACKOUT_H
#define SIGREC_STACKOUT_H

#include <stdio.h>
#include "model.h"
#include "output.h"
#include "symbolize.h"

/* The symbolizer the outputs use (NULL: frames stay build id + offset). */
void stack_out__init(struct symbolizer *sym);
/* Text: the fault site and the frames, one a line, each line led by indent. */
void stack_out_text(FILE *f, const struct model *m, const struct ev *e, const char *indent);
/* JSON: ,"stack":[...] inside the sender object (nothing without a stack). */
void stack_out_json_stack(FILE *f, const struct model *m, const struct ev *e);
/* JSON: the sender object of json_task with its stack. */
void stack_out_json_sender(FILE *f, const struct model *m, const struct ev *e, int64_t off);
/* JSON: ,"fault":{...} for a fault signal. */
void stack_out_json_fault(FILE *f, const struct model *m, const struct ev *e);
/* logfmt: source.stack="f1;f2;..." and fault.addr=... fault.function=... */
void stack_out_logfmt(FILE *f, const struct model *m, const struct ev *e);

#endif
