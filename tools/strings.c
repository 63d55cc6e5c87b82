// SPDX-License-Identifier: MIT
/*
 * strings.c - what sigdump prints of a recorded string, made safe for each
 * output: the timeline's text (text_clean), JSON strings (json_str), logfmt
 * values (lf_val).  A recording is hostile input: names and command lines
 * may hold any bytes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output.h"

/*
 * One character of s[0..n), n >= 1: returns its length in bytes and sets
 * *cp to its code point, or to -1 for a byte that does not start valid
 * UTF-8 (a stray continuation, an overlong form, a surrogate, a code point
 * past U+10FFFF, a sequence cut short); such a byte is one "character".
 */
static size_t utf8_next(const unsigned char *s, size_t n, int32_t *cp)
{
	static const int32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	int32_t v;

	*cp = -1;
	if (!len || len > n)
		return 1;
	v = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 1;
	*cp = v;
	return len;
}

/*
 * Characters that must not reach a terminal or a reader as they are: C0,
 * DEL and C1 controls (0x9b is CSI: an escape sequence without ESC), and
 * the invisible format characters that reorder or hide text (bidi
 * overrides and isolates, zero-width characters, line and paragraph
 * separators, the byte order mark, interlinear annotations).
 */
static int cp_control(int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

size_t text_clean(char *dst, size_t len, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0, i = 0, end = strnlen(src, srclen);

	if (!len)
		return 0;
	while (i < end) {
		int32_t cp;
		size_t l = utf8_next(s + i, end - i, &cp);

		if (cp < 0 || cp_control(cp)) {	/* one '?' per character or bad byte */
			if (n + 1 >= len)
				break;
			dst[n++] = '?';
		} else {			/* whole characters only */
			if (n + l >= len)
				break;
			memcpy(dst + n, s + i, l);
			n += l;
		}
		i += l;
	}
	dst[n] = 0;
	return i;
}

/*
 * JSON string: valid UTF-8 as it is; quote, backslash and the characters
 * of cp_control escaped (\n, \t, \u00XX, \u202e ...: the same string to a
 * decoder, harmless to a terminal showing the raw line); each byte that is
 * not valid UTF-8 becomes \ufffd, so the line is always valid UTF-8.
 */
void json_str(FILE *f, const char *str, size_t maxlen)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t end = strnlen(str, maxlen);

	fputc('"', f);
	for (size_t i = 0, l; i < end; i += l) {
		int32_t cp;

		l = utf8_next(s + i, end - i, &cp);
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp < 0)
			fputs("\\ufffd", f);
		else if (cp_control(cp))
			fprintf(f, "\\u%04x", cp);
		else
			fwrite(s + i, 1, l, f);
	}
	fputc('"', f);
}

/*
 * logfmt value: bare when it is printable and has no space, '=', quote or
 * backslash; else quoted, with \" and \\, and the bytes of a control
 * character (cp_control) or of invalid UTF-8 as \xNN.  Valid UTF-8 is kept.
 */
void lf_val(FILE *f, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max), l;
	int quote = !n;
	int32_t cp;

	for (size_t i = 0; i < n && !quote; i += l) {
		l = utf8_next(s + i, n - i, &cp);
		quote = cp <= ' ' || cp == '=' || cp == '"' || cp == '\\' || cp_control(cp);
	}
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i += l) {
		l = utf8_next(s + i, n - i, &cp);
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", cp);
		else if (cp < 0 || cp_control(cp))
			for (size_t k = 0; k < l; k++)
				fprintf(f, "\\x%02x", s[i + k]);
		else
			fwrite(s + i, 1, l, f);
	}
	fputc('"', f);
}
