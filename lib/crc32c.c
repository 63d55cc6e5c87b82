// SPDX-License-Identifier: MIT
/*
 * crc32c.c - CRC32C (Castagnoli), the checksum of ring headers and chunks.
 * Uses the SSE4.2 instruction where the CPU has it; a table otherwise.
 * Both give the same result (tests/unit/test_ring.c checks known vectors).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ring.h"

static uint32_t crc_table[256];
static int crc_hw = -1;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78U : c >> 1;
		crc_table[i] = c;
	}
#if defined(__x86_64__)
	crc_hw = __builtin_cpu_supports("sse4.2");
#else
	crc_hw = 0;
#endif
}

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc_hw64(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

uint32_t sigrec_crc32c(uint32_t crc, const void *buf, size_t len)
{
	uint32_t c = ~crc;

	if (crc_hw < 0)
		crc_init();
#if defined(__x86_64__)
	if (crc_hw)
		return ~crc_hw64(c, buf, len);
#endif
	return ~crc_sw(c, buf, len);
}
