// SPDX-License-Identifier: MIT
/*
 * test_symbolize.c - the ELF symbolizer (tools/symbolize.c) on a test ELF
 * built with the tests: its build id, file offset to address, function
 * lookup, and the lookup through a directory.  Every ELF is hostile input:
 * the image cut at every offset and with a byte flipped at every offset
 * must never crash the reader, and a cut image never gives a wrong answer
 * (the right one, or none).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gelf.h>
#include "symbolize.h"

static uint8_t *image;
static size_t image_len;
static uint64_t known_vaddr, known_off;	/* known_function in the test ELF */
static uint8_t known_id[SYM_BUILD_ID_LEN];

static int load(void **state)
{
	FILE *f = fopen(SYMTEST_ELF, "rb");
	Elf *e;
	Elf_Scn *scn = NULL;

	(void)state;
	elf_version(EV_CURRENT);
	if (!f)
		return -1;
	image = malloc(1 << 20);
	image_len = fread(image, 1, 1 << 20, f);
	fclose(f);
	/* known_function's address and offset, the long way round */
	e = elf_memory((char *)image, image_len);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Sym s;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; gelf_getsym(d, i, &s); i++)
			if (!strcmp(elf_strptr(e, sh.sh_link, s.st_name), "known_function"))
				known_vaddr = s.st_value;
	}
	for (size_t i = 0, n = 0; !elf_getphdrnum(e, &n) && i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, i, &ph) && ph.p_type == PT_LOAD && known_vaddr >= ph.p_vaddr &&
		    known_vaddr < ph.p_vaddr + ph.p_filesz)
			known_off = known_vaddr - ph.p_vaddr + ph.p_offset;
	}
	sym_elf_build_id(e, known_id);
	elf_end(e);
	return known_vaddr && known_off ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	free(image);
	return 0;
}

/* What the reader makes of buf: build id, address of known_off, function there. */
struct answer {
	size_t idlen;
	uint8_t id[SYM_BUILD_ID_LEN];
	int va_rc, fn_rc;
	uint64_t vaddr, fn_off;
	char fn[128];
};

static void ask(const uint8_t *buf, size_t len, struct answer *a)
{
	uint8_t *copy = malloc(len ? len : 1);	/* exactly len: a read past it is caught */
	Elf *e;

	memset(a, 0, sizeof(*a));
	a->va_rc = a->fn_rc = -1;
	memcpy(copy, buf, len);
	e = elf_memory((char *)copy, len);
	if (e && elf_kind(e) == ELF_K_ELF) {
		a->idlen = sym_elf_build_id(e, a->id);
		a->va_rc = sym_elf_vaddr(e, known_off, &a->vaddr);
		a->fn_rc = sym_elf_function(e, 1, known_vaddr, a->fn, sizeof(a->fn), &a->fn_off);
		if (a->fn_rc)
			a->fn_rc = sym_elf_function(e, 0, known_vaddr, a->fn, sizeof(a->fn), &a->fn_off);
	}
	if (e)
		elf_end(e);
	free(copy);
}

static void intact(void **state)
{
	struct answer a;

	(void)state;
	ask(image, image_len, &a);
	assert_int_equal(a.idlen, SYM_BUILD_ID_LEN);
	assert_int_equal(a.va_rc, 0);
	assert_int_equal(a.vaddr, known_vaddr);
	assert_int_equal(a.fn_rc, 0);
	assert_string_equal(a.fn, "known_function");
	assert_int_equal(a.fn_off, 0);
	assert_int_equal(sym_elf_function(NULL, 1, 0, a.fn, sizeof(a.fn), &a.fn_off), -ENOENT);
}

/* Cut anywhere: the right answer or none, never another. */
static void truncated(void **state)
{
	struct answer a;

	(void)state;
	for (size_t n = 0; n < image_len; n++) {
		ask(image, n, &a);
		if (a.idlen)
			assert_memory_equal(a.id, known_id, a.idlen);
		if (!a.va_rc)
			assert_int_equal(a.vaddr, known_vaddr);
		if (!a.fn_rc) {
			assert_string_equal(a.fn, "known_function");
			assert_int_equal(a.fn_off, 0);
		}
	}
}

/* A byte flipped anywhere: no crash, every string ended within its buffer. */
static void flipped(void **state)
{
	uint8_t *buf = malloc(image_len);
	struct answer a;

	(void)state;
	for (size_t i = 0; i < image_len; i++) {
		for (int k = 0; k < 2; k++) {
			memcpy(buf, image, image_len);
			buf[i] ^= k ? 0xff : 0x80;
			ask(buf, image_len, &a);
			assert_true(a.idlen <= SYM_BUILD_ID_LEN);
			assert_true(memchr(a.fn, 0, sizeof(a.fn)) != NULL);
		}
	}
	free(buf);
}

/* Through a directory (flat), with broken copies of the same build id beside it. */
static void through_dir(void **state)
{
	char dir[] = "/tmp/test_symbolize.XXXXXX", path[300];
	struct symbolizer *s;
	struct sym out;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/cut%d", dir, i);
		f = fopen(path, "wb");
		fwrite(image, 1, image_len * i / 8, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/whole", dir);
	f = fopen(path, "wb");
	fwrite(image, 1, image_len, f);
	fclose(f);
	s = symbolizer__new();
	symbolizer__add_dir(s, dir);
	assert_int_equal(symbolizer__lookup(s, known_id, known_off, &out), 0);
	assert_string_equal(out.func, "known_function");
	assert_int_equal(out.func_off, 0);
	known_id[0] ^= 1;	/* a build id nobody has */
	assert_int_equal(symbolizer__lookup(s, known_id, known_off, &out), -ENOENT);
	known_id[0] ^= 1;
	symbolizer__free(s);
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/cut%d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/whole", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intact),
		cmocka_unit_test(truncated),
		cmocka_unit_test(flipped),
		cmocka_unit_test(through_dir),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
