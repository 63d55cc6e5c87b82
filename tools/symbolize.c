// SPDX-License-Identifier: MIT
/*
 * symbolize.c - stack frames to functions.  A frame is a build id and a
 * file offset; the ELF with that build id is looked for in the hinted
 * paths (the process's programs), /usr/lib/debug/.build-id, the --debug-dir
 * directories (their .build-id layout, then every file in them) and the
 * usual library directories, each scanned once, lazily.  The offset becomes
 * an address through the PT_LOAD headers of the binary; the function comes
 * from .symtab (the binary's, else its debug file's), else .dynsym.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "symbolize.h"

#define MAX_FILES	4096		/* ELF files looked at, in all */
#define MAX_DIRS	16
#define MAX_FILE_SIZE	(1ULL << 32)
#define MAX_SYMS	(1U << 22)	/* symbols walked per table */
#define MAX_NOTES	4096		/* bytes of notes read per note area */

static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib",
};

struct elf_file {
	char path[256];
	int fd;
	Elf *e;			/* NULL: not ELF, or closed */
	uint8_t id[SYM_BUILD_ID_LEN];
	size_t idlen;
	int has_symtab, has_load;	/* .symtab with symbols; PT_LOAD with file bytes */
	int ok;				/* an ELF file with a build id */
};

struct symbolizer {
	struct elf_file *files;
	size_t nfiles;
	char *dirs[MAX_DIRS];
	size_t ndirs;
	int scanned_user, scanned_libs;	/* flat scans done */
};

/* The GNU build id note in d: its length, or 0. */
static size_t note_build_id(Elf_Data *d, uint8_t id[SYM_BUILD_ID_LEN])
{
	size_t off = 0, no, dno, n;
	GElf_Nhdr nh;

	while ((n = gelf_getnote(d, off, &nh, &no, &dno)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + no, "GNU", 4) && nh.n_descsz >= 1) {
			size_t l = nh.n_descsz < SYM_BUILD_ID_LEN ? nh.n_descsz : SYM_BUILD_ID_LEN;

			memcpy(id, (char *)d->d_buf + dno, l);
			return l;
		}
		off = n;
	}
	return 0;
}

size_t sym_elf_build_id(Elf *e, uint8_t id[SYM_BUILD_ID_LEN])
{
	size_t nph = 0, n;
	Elf_Scn *scn = NULL;

	/* notes by program headers (binaries), else by sections (debug files) */
	if (elf_getphdrnum(e, &nph))
		nph = 0;
	for (size_t i = 0; i < nph && i < 64; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_NOTE || !ph.p_filesz)
			continue;
		d = elf_getdata_rawchunk(e, ph.p_offset, ph.p_filesz < MAX_NOTES ? ph.p_filesz :
					 MAX_NOTES, ELF_T_NHDR);
		if (d && (n = note_build_id(d, id)))
			return n;
	}
	for (int k = 0; (scn = elf_nextscn(e, scn)) && k < 4096; k++) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE && (d = elf_getdata(scn, NULL)) &&
		    (n = note_build_id(d, id)))
			return n;
	}
	return 0;
}

/* Whether its code is in the file: a binary, not a debug file (NOBITS code). */
static int has_load_bytes(Elf *e)
{
	size_t nph = 0;

	if (elf_getphdrnum(e, &nph))
		return 0;
	for (size_t i = 0; i < nph && i < 64; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    ph.p_filesz)
			return 1;
	}
	return 0;
}

int sym_elf_vaddr(Elf *e, uint64_t off, uint64_t *vaddr)
{
	size_t nph = 0;
	uint64_t base = UINT64_MAX;

	if (elf_getphdrnum(e, &nph))
		return -ENOENT;
	for (size_t i = 0; i < nph && i < 64; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr < base)
			base = ph.p_vaddr;
		if (ph.p_filesz && off >= ph.p_offset && off - ph.p_offset < ph.p_filesz) {
			*vaddr = off - ph.p_offset + ph.p_vaddr;
			return 0;
		}
	}
	/* a debug file alone keeps no file offsets: the usual layout, whose
	 * first PT_LOAD maps the file from offset 0 at the lowest address */
	if (base == UINT64_MAX || has_load_bytes(e))
		return -ENOENT;
	*vaddr = (base & ~0xfffULL) + off;
	return 0;
}

static Elf_Scn *table(Elf *e, int symtab, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	for (int k = 0; (scn = elf_nextscn(e, scn)) && k < 65536; k++)
		if (gelf_getshdr(scn, sh) && sh->sh_type == (symtab ? SHT_SYMTAB : SHT_DYNSYM))
			return scn;
	return NULL;
}

int sym_elf_function(Elf *e, int symtab, uint64_t vaddr, char *func, size_t len, uint64_t *off)
{
	GElf_Shdr sh;
	Elf_Scn *scn = table(e, symtab, &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	GElf_Sym best = { 0 };
	size_t n, name = 0;
	int found = 0;

	if (!d || !sh.sh_entsize)
		return -ENOENT;
	n = d->d_size / gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	for (size_t i = 0; i < n && i < MAX_SYMS; i++) {
		GElf_Sym s;
		int t;

		if (!gelf_getsym(d, i, &s))
			break;
		t = GELF_ST_TYPE(s.st_info);
		if ((t != STT_FUNC && t != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
		    s.st_value > vaddr || (s.st_size && vaddr - s.st_value >= s.st_size))
			continue;
		if (found && s.st_value < best.st_value)
			continue;
		if (found && s.st_value == best.st_value && !s.st_size)
			continue;	/* a sized symbol at the same place says more */
		best = s;
		name = s.st_name;
		found = 1;
	}
	if (found) {
		const char *str = elf_strptr(e, sh.sh_link, name);

		if (!str || !*str)
			return -ENOENT;
		snprintf(func, len, "%s", str);
		*off = vaddr - best.st_value;
		return 0;
	}
	return -ENOENT;
}

struct symbolizer *symbolizer__new(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	return calloc(1, sizeof(struct symbolizer));
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++) {
		if (s->files[i].e)
			elf_end(s->files[i].e);
		if (s->files[i].fd >= 0)
			close(s->files[i].fd);
	}
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i]);
	free(s->files);
	free(s);
}

void symbolizer__add_dir(struct symbolizer *s, const char *dir)
{
	if (s && s->ndirs < MAX_DIRS && (s->dirs[s->ndirs] = strdup(dir)))
		s->ndirs++;
}

/* Look at one file (once): a regular ELF file, its build id and what it has. */
static struct elf_file *add_file(struct symbolizer *s, const char *path)
{
	struct elf_file *f;
	struct stat st;
	GElf_Shdr sh;

	for (size_t i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return &s->files[i];
	if (s->nfiles >= MAX_FILES || strlen(path) >= sizeof(f->path))
		return NULL;
	/* one allocation: entries never move while lookups hold them */
	if (!s->files && !(s->files = calloc(MAX_FILES, sizeof(*s->files))))
		return NULL;
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	/* a path a recording names is anybody's choice: never open a device */
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		f->fd = -1;
		return f;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f->fd < 0)
		return f;
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 64 ||
	    (uint64_t)st.st_size > MAX_FILE_SIZE) {
		close(f->fd);
		f->fd = -1;
		return f;
	}
	f->e = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->e || elf_kind(f->e) != ELF_K_ELF ||
	    !(f->idlen = sym_elf_build_id(f->e, f->id))) {
		if (f->e)
			elf_end(f->e);
		f->e = NULL;
		close(f->fd);
		f->fd = -1;
		return f;
	}
	f->has_symtab = table(f->e, 1, &sh) && sh.sh_size;
	f->has_load = has_load_bytes(f->e);
	f->ok = 1;
	/* open again only if it is picked: thousands of library files stay closed */
	elf_end(f->e);
	f->e = NULL;
	close(f->fd);
	f->fd = -1;
	return f;
}

/* The ELF of a picked file, open again (NULL if it changed under us). */
static Elf *elf_of(struct elf_file *f)
{
	uint8_t id[SYM_BUILD_ID_LEN];

	if (f->e || !f->ok)
		return f->e;
	f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f->fd >= 0)
		f->e = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->e || elf_kind(f->e) != ELF_K_ELF || sym_elf_build_id(f->e, id) != f->idlen ||
	    memcmp(id, f->id, f->idlen)) {
		if (f->e)
			elf_end(f->e);
		if (f->fd >= 0)
			close(f->fd);
		f->e = NULL;
		f->fd = -1;
		f->ok = 0;
	}
	return f->e;
}

void symbolizer__add_hint(struct symbolizer *s, const char *path)
{
	if (s && path && path[0])	/* relative: as exec'd, from where sigdump runs */
		add_file(s, path);
}

static int id_is(const struct elf_file *f, const uint8_t *id)
{
	size_t n = f->idlen;

	if (!f->ok || !n)
		return 0;
	/* the kernel pads a shorter build id with zeros */
	for (size_t i = n; i < SYM_BUILD_ID_LEN; i++)
		if (id[i])
			return 0;
	return !memcmp(f->id, id, n);
}

static void scan_dir(struct symbolizer *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d)) && s->nfiles < MAX_FILES) {
		if (de->d_name[0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			add_file(s, path);
	}
	closedir(d);
}

/* dir/.build-id/xx/yyyy.debug */
static void by_build_id(struct symbolizer *s, const char *dir, const uint8_t *id)
{
	char path[512];
	size_t n = snprintf(path, sizeof(path), "%s/.build-id/%02x/", dir, id[0]);
	size_t len = SYM_BUILD_ID_LEN;

	while (len > 1 && !id[len - 1])
		len--;
	for (size_t i = 1; i < len && n + 3 < sizeof(path); i++)
		n += snprintf(path + n, sizeof(path) - n, "%02x", id[i]);
	if (n + 7 < sizeof(path)) {
		snprintf(path + n, sizeof(path) - n, ".debug");
		add_file(s, path);
		path[n] = 0;	/* the binary itself, as some layouts keep it */
		add_file(s, path);
	}
}

/* The best file so far: with phdr bytes (image) and with a .symtab (syms). */
static void pick(struct symbolizer *s, const uint8_t *id, struct elf_file **img,
		 struct elf_file **syms)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		struct elf_file *f = &s->files[i];

		if (!id_is(f, id) || ((f->has_load && !*img) || (f->has_symtab && !*syms) ?
				      !elf_of(f) : 1))
			continue;
		if (!*img && f->has_load)
			*img = f;
		if (!*syms && f->has_symtab)
			*syms = f;
	}
}

int symbolizer__lookup(struct symbolizer *s, const uint8_t *id, uint64_t off, struct sym *out)
{
	struct elf_file *img = NULL, *syms = NULL, *any;
	uint64_t vaddr;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOENT;
	pick(s, id, &img, &syms);
	if (!syms) {
		by_build_id(s, "/usr/lib/debug", id);
		for (size_t i = 0; i < s->ndirs; i++)
			by_build_id(s, s->dirs[i], id);
		pick(s, id, &img, &syms);
	}
	if ((!syms || !img) && !s->scanned_user) {
		s->scanned_user = 1;
		for (size_t i = 0; i < s->ndirs; i++)
			scan_dir(s, s->dirs[i]);
		pick(s, id, &img, &syms);
	}
	if (!img && !s->scanned_libs) {
		s->scanned_libs = 1;
		for (size_t i = 0; i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
			scan_dir(s, lib_dirs[i]);
		pick(s, id, &img, &syms);
	}
	any = img ? img : syms;
	if (!any)
		return -ENOENT;
	snprintf(out->file, sizeof(out->file), "%s", any->path);
	if (sym_elf_vaddr(any->e, off, &vaddr) && (!syms || sym_elf_vaddr(syms->e, off, &vaddr)))
		return 0;
	if ((syms && !sym_elf_function(syms->e, 1, vaddr, out->func, sizeof(out->func),
				       &out->func_off)) ||
	    (img && !sym_elf_function(img->e, 1, vaddr, out->func, sizeof(out->func),
				      &out->func_off)) ||
	    (img && !sym_elf_function(img->e, 0, vaddr, out->func, sizeof(out->func),
				      &out->func_off)))
		return 0;
	out->func[0] = 0;
	return 0;
}
