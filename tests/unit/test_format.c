// SPDX-License-Identifier: MIT
/*
 * test_format.c - the code's header layouts against docs/FORMAT.md: every
 * row of the file header, chunk header and repeat record tables has the
 * field the code writes at that offset with that size, and the code has no
 * field the document does not list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "format.h"
#include "sigrec.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define MAX_ROWS 32

struct row {
	char name[32];
	unsigned int off, size;
};

/* The rows "| off | size | name | ... |" of the table under heading. */
static int doc_table(const char *heading, struct row *rows)
{
	FILE *f = fopen(SRCDIR "/docs/FORMAT.md", "r");
	char line[1024];
	int in = 0, n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct row r;

		if (!strncmp(line, "#", 1)) {
			if (in)
				break;
			in = strstr(line, heading) != NULL;
			continue;
		}
		if (in && n < MAX_ROWS &&
		    sscanf(line, "| %u | %u | %31[a-z_] |", &r.off, &r.size, r.name) == 3)
			rows[n++] = r;
	}
	fclose(f);
	return n;
}

static void same_table(const char *heading, const struct format_field *code)
{
	struct row rows[MAX_ROWS];
	int n = doc_table(heading, rows), ncode = 0;

	assert_true(n > 0);
	for (const struct format_field *f = code; f->name; f++, ncode++) {
		int found = 0;

		for (int i = 0; i < n; i++) {
			if (strcmp(rows[i].name, f->name))
				continue;
			found = 1;
			if (rows[i].off != f->off || rows[i].size != f->size)
				fail_msg("%s: %s is at %u (%u bytes) in FORMAT.md, %u (%u) in the code",
					 heading, f->name, rows[i].off, rows[i].size, f->off, f->size);
		}
		if (!found)
			fail_msg("%s: the code's field %s is not in FORMAT.md", heading, f->name);
	}
	if (ncode != n)
		fail_msg("%s: FORMAT.md lists %d fields, the code %d", heading, n, ncode);
}

static void test_file_header(void **state)
{
	(void)state;
	same_table("File header", format_fh_fields);
}

static void test_chunk_header(void **state)
{
	(void)state;
	same_table("Chunk header", format_ch_fields);
}

static void test_repeat_record(void **state)
{
	const struct format_field rep[] = {
		{ "s", 0, sizeof(struct sigrec_signal) },
		{ "count", offsetof(struct sigrec_repeat, count), 8 },
		{ "to_ts", offsetof(struct sigrec_repeat, to_ts), 8 },
		{ NULL, 0, 0 },
	};

	(void)state;
	same_table("Signal records and repeat records", rep);
}

/* The encoders write where the tables say: a header round-trips. */
/* Every record type of sigrec.h is known, by a name of its own, with its tasks where they are. */
static void test_record_types(void **state)
{
	(void)state;
	assert_null(ring_rec_type(0));
	assert_null(ring_rec_type(SIGREC_T_MAX));
	for (unsigned int t = SIGREC_T_SIGNAL; t < SIGREC_T_MAX; t++) {
		const struct ring_rec_type *rt = ring_rec_type(t);

		assert_non_null(rt);
		for (unsigned int u = SIGREC_T_SIGNAL; u < t; u++)
			assert_string_not_equal(rt->name, ring_rec_type(u)->name);
		if (!rt->size) {	/* only a stack's size varies */
			assert_int_equal(t, SIGREC_T_STACK);
			continue;
		}
		assert_true(rt->size % 8 == 0 && rt->size <= RING_MAX_RECORD);
		for (int i = 0; i < 2; i++)
			assert_true(!rt->task[i] || rt->task[i] + sizeof(struct sigrec_task) <= rt->size);
	}
	assert_int_equal(ring_rec_type(SIGREC_T_SIGNAL)->task[1], offsetof(struct sigrec_signal, target));
	assert_int_equal(ring_rec_type(SIGREC_T_OOM)->task[0], offsetof(struct sigrec_oom, trigger));
	assert_int_equal(ring_rec_type(SIGREC_T_LOST)->task[0], 0);
}

static void test_chunk_roundtrip(void **state)
{
	uint8_t p[RING_CHUNK_HDR_SIZE];
	struct chdr h = { .magic = CH_SEALED, .version = CH_VERSION, .codec = CODEC_LZ4,
			  .seq = 0x0102030405060708ULL, .first_ts = 11, .last_ts = 12,
			  .nrec = 13, .raw_len = 140, .split = 15, .stored_len = 16, .pcrc = 17 }, g;

	(void)state;
	h.boot.clock_offset = -5;
	memset(h.boot.boot_id, 0xab, 16);
	chdr_put(p, &h);
	put32(p + CH_MAGIC, CH_SEALED);
	put32(p + CH_HEADER_CRC, chdr_crc(p, CH_SEALED));
	assert_int_equal(le64(p + CH_SEQ), h.seq);
	assert_int_equal(le32(p + CH_NREC), 13);
	assert_int_equal(le32(p + CH_STORED_LEN), 16);
	chdr_get(p, &g);
	assert_int_equal(g.seq, h.seq);
	assert_int_equal(g.boot.clock_offset, -5);
	assert_int_equal(g.split, 15);
	assert_null(chdr_check_sealed(&g, p, 1 << 20));
	p[CH_SPLIT] ^= 1;	/* any changed byte fails the checksum */
	chdr_get(p, &g);
	assert_non_null(chdr_check_sealed(&g, p, 1 << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_header),
		cmocka_unit_test(test_chunk_header),
		cmocka_unit_test(test_repeat_record),
		cmocka_unit_test(test_record_types),
		cmocka_unit_test(test_chunk_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
