// SPDX-License-Identifier: MIT
/* stackout.c - stacks and fault sites in the outputs (stackout.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "stackout.h"
#include "util.h"

static struct symbolizer *symb;

void stack_out__init(struct symbolizer *sym)
{
	symb = sym;
}

/* One frame as the outputs show it. */
struct frame {
	char build_id[2 * SIGREC_STACK_MAX + 1];	/* hex; "" for a kernel frame */
	uint64_t offset;	/* file offset (or the address, ip_only) */
	int has_offset, ip_only;
	struct sym sym;		/* file, function, function_offset when found */
};

/* The programs the task ran: where its binaries are looked for first. */
static void hint_task(const struct model *m, const struct sigrec_task *t)
{
	const struct proc *p = t->pid ? model__get(m, t->pid, t->start_ns) : NULL;

	for (int i = 0; p && i < MODEL_MAX_EXEC_HISTORY; i++, p = p->before_exec)
		if (p->exe[0])
			symbolizer__add_hint(symb, p->exe);
}

static void frame_at(const struct model *m, const struct ev *e, uint32_t i, struct frame *fr)
{
	const struct sigrec_stack *st = e->stack;

	memset(fr, 0, sizeof(*fr));
	if (st->kind == SIGREC_STACK_KERNEL) {
		char *plus;

		snprintf(fr->sym.func, sizeof(fr->sym.func), "%.*s", SIGREC_KSYM_LEN - 1, st->ksyms[i]);
		plus = strstr(fr->sym.func, "+0x");
		if (plus) {
			fr->sym.func_off = strtoull(plus + 3, NULL, 16);
			*plus = 0;
		}
		snprintf(fr->sym.file, sizeof(fr->sym.file), "[kernel]");
		return;
	}
	const struct sigrec_frame *f = &st->frames[i];

	fr->offset = f->offset;
	fr->has_offset = 1;
	if (f->status != SIGREC_FRAME_VALID) {
		fr->ip_only = 1;
		return;
	}
	int idlen = 20;

	while (idlen > 1 && !f->build_id[idlen - 1])	/* a shorter build id, padded */
		idlen--;
	for (int k = 0; k < idlen; k++)
		snprintf(fr->build_id + 2 * k, 3, "%02x", f->build_id[k]);
	if (symb) {
		hint_task(m, &e->s.sender);
		symbolizer__lookup(symb, f->build_id, f->offset, &fr->sym);
	}
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "func+0x1c", "libc.so.6+0x2a0" or "<build-id>+0x2a0" */
static void frame_str(const struct frame *fr, char *buf, size_t len)
{
	if (fr->sym.func[0])
		snprintf(buf, len, "%s+0x%" PRIx64, fr->sym.func, fr->sym.func_off);
	else if (fr->ip_only)
		snprintf(buf, len, "0x%" PRIx64, fr->offset);
	else if (fr->sym.file[0])
		snprintf(buf, len, "%s+0x%" PRIx64, base(fr->sym.file), fr->offset);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, fr->build_id, fr->offset);
}

static int is_fault(const struct ev *e)
{
	return e->s.sflags & SIGREC_SF_FAULT;
}

static uint64_t fault_addr(const struct ev *e)
{
	return e->s.claimed_pid | (uint64_t)e->s.claimed_uid << 32;
}

void stack_out_text(FILE *f, const struct model *m, const struct ev *e, const char *indent)
{
	const struct sigrec_stack *st = e->stack;
	struct frame fr;
	char buf[512], clean[512], b[32];
	uint32_t n = st ? st->nframes : 0;

	if (is_fault(e)) {
		const char *sn = sig_name(e->s.sig, b, sizeof(b));

		fprintf(f, "%sfault   %s %s at 0x%" PRIx64, indent, sn ? sn : "?",
			code_name(e->s.sig, e->s.code, b, sizeof(b)), fault_addr(e));
		if (st && st->kind == SIGREC_STACK_USER && n) {
			frame_at(m, e, 0, &fr);
			frame_str(&fr, buf, sizeof(buf));
			text_clean(clean, sizeof(clean), buf, sizeof(buf));
			if (fr.sym.file[0]) {
				char file[128];

				text_clean(file, sizeof(file), base(fr.sym.file), 127);
				fprintf(f, " in %s", file);
			}
			fprintf(f, " %s", clean);
		} else if (e->s.arg0) {
			fprintf(f, " ip 0x%" PRIx64, (uint64_t)e->s.arg0);
		}
		fputc('\n', f);
	}
	for (uint32_t i = 0; i < n && i < SIGREC_STACK_MAX; i++) {
		frame_at(m, e, i, &fr);
		frame_str(&fr, buf, sizeof(buf));
		text_clean(clean, sizeof(clean), buf, sizeof(buf));
		fprintf(f, "%s%-7s %s", indent, i ? "" : "stack", clean);
		if (fr.sym.file[0] && fr.sym.func[0] && st->kind == SIGREC_STACK_USER) {
			text_clean(buf, sizeof(buf), fr.sym.file, sizeof(fr.sym.file));
			fprintf(f, " (%s)", buf);
		}
		fputc('\n', f);
	}
}

static void json_frame(FILE *f, const struct frame *fr)
{
	int first = 1;

#define SEP() (first ? (first = 0, "") : ",")
	fputc('{', f);
	if (fr->build_id[0])
		fprintf(f, "%s\"build_id\":\"%s\"", SEP(), fr->build_id);
	if (fr->ip_only)
		fprintf(f, "%s\"ip\":\"0x%" PRIx64 "\"", SEP(), fr->offset);
	else if (fr->has_offset)
		fprintf(f, "%s\"offset\":%" PRIu64, SEP(), fr->offset);
	if (fr->sym.file[0]) {
		fprintf(f, "%s\"file\":", SEP());
		json_str(f, fr->sym.file, sizeof(fr->sym.file));
	}
	if (fr->sym.func[0]) {
		fprintf(f, "%s\"function\":", SEP());
		json_str(f, fr->sym.func, sizeof(fr->sym.func));
		fprintf(f, ",\"function_offset\":%" PRIu64, fr->sym.func_off);
	}
	fputc('}', f);
#undef SEP
}

void stack_out_json_stack(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_stack *st = e->stack;
	struct frame fr;

	if (!st)
		return;
	fputs(",\"stack\":[", f);
	for (uint32_t i = 0; i < st->nframes && i < SIGREC_STACK_MAX; i++) {
		frame_at(m, e, i, &fr);
		if (i)
			fputc(',', f);
		json_frame(f, &fr);
	}
	fputc(']', f);
}

void stack_out_json_sender(FILE *f, const struct model *m, const struct ev *e, int64_t off)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = e->stack ? open_memstream(&buf, &len) : NULL;

	if (!mem) {
		json_task(f, m, &e->s.sender, e->s.h.ts, 0, off);
		return;
	}
	/* json_task's object, its closing brace after the stack */
	json_task(mem, m, &e->s.sender, e->s.h.ts, 0, off);
	fclose(mem);
	if (len && buf[len - 1] == '}')
		len--;
	fwrite(buf, 1, len, f);
	free(buf);
	stack_out_json_stack(f, m, e);
	fputc('}', f);
}

void stack_out_json_fault(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_stack *st = e->stack;
	struct frame fr;

	if (!is_fault(e))
		return;
	fprintf(f, ",\"fault\":{\"addr\":\"0x%" PRIx64 "\"", fault_addr(e));
	if (e->s.arg0)
		fprintf(f, ",\"ip\":\"0x%" PRIx64 "\"", (uint64_t)e->s.arg0);
	if (st && st->kind == SIGREC_STACK_USER && st->nframes) {
		frame_at(m, e, 0, &fr);
		if (fr.build_id[0])
			fprintf(f, ",\"build_id\":\"%s\",\"offset\":%" PRIu64, fr.build_id, fr.offset);
		if (fr.sym.file[0]) {
			fputs(",\"file\":", f);
			json_str(f, fr.sym.file, sizeof(fr.sym.file));
		}
		if (fr.sym.func[0]) {
			fputs(",\"function\":", f);
			json_str(f, fr.sym.func, sizeof(fr.sym.func));
			fprintf(f, ",\"function_offset\":%" PRIu64, fr.sym.func_off);
		}
	}
	fputc('}', f);
}

void stack_out_logfmt(FILE *f, const struct model *m, const struct ev *e)
{
	const struct sigrec_stack *st = e->stack;
	char all[SIGREC_STACK_MAX * 64 + 1] = "", one[512];
	size_t n = 0;
	struct frame fr;

	for (uint32_t i = 0; st && i < st->nframes && i < SIGREC_STACK_MAX; i++) {
		frame_at(m, e, i, &fr);
		frame_str(&fr, one, sizeof(one));
		n += snprintf(all + n, sizeof(all) - n, "%s%.60s", i ? ";" : "", one);
		if (n >= sizeof(all))
			break;
	}
	if (all[0]) {
		fputs(" source.stack=", f);
		lf_val(f, all, sizeof(all));
	}
	if (is_fault(e)) {
		fprintf(f, " fault.addr=0x%" PRIx64, fault_addr(e));
		if (e->s.arg0)
			fprintf(f, " fault.ip=0x%" PRIx64, (uint64_t)e->s.arg0);
		if (st && st->kind == SIGREC_STACK_USER && st->nframes) {
			frame_at(m, e, 0, &fr);
			if (fr.sym.func[0]) {
				snprintf(one, sizeof(one), "%s+0x%" PRIx64, fr.sym.func, fr.sym.func_off);
				fputs(" fault.function=", f);
				lf_val(f, one, sizeof(one));
			}
		}
	}
}
