/* SPDX-License-Identifier: MIT */
/*
 * symbolize.h - build-id + file offset to file and function+0xoff, with
 * libelf.  Every ELF file is hostile input: read through libelf's checked
 * accessors, bounded in files looked at and symbols walked.
 */
#ifndef SIGREC_SYMBOLIZE_H
#define SIGREC_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>
#include <libelf.h>

#define SYM_BUILD_ID_LEN	20

struct sym {
	char file[256];		/* the binary or library (or its debug file); "" none */
	char func[128];		/* "" none */
	uint64_t func_off;
};

struct symbolizer;

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s);
/* A directory of binaries or debug files: .build-id/xx/yyyy.debug, then a flat scan. */
void symbolizer__add_dir(struct symbolizer *s, const char *dir);
/* A file that may be the one (the process's exe, its exec'd programs). */
void symbolizer__add_hint(struct symbolizer *s, const char *path);
/* 0 when the ELF was found (func may still be ""), -ENOENT when not. */
int symbolizer__lookup(struct symbolizer *s, const uint8_t *build_id, uint64_t file_off,
		       struct sym *out);

/* ---- on one ELF image (unit tests) ---- */
/* Its GNU build id: length (1..20), 0 when it has none. */
size_t sym_elf_build_id(Elf *e, uint8_t id[SYM_BUILD_ID_LEN]);
/* File offset to address through the PT_LOAD headers: 0, or -ENOENT. */
int sym_elf_vaddr(Elf *e, uint64_t file_off, uint64_t *vaddr);
/* The function at vaddr in .symtab (symtab 1) or .dynsym (0): 0, or -ENOENT. */
int sym_elf_function(Elf *e, int symtab, uint64_t vaddr, char *func, size_t len, uint64_t *off);

#endif
