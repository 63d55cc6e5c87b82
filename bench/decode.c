// SPDX-License-Identifier: MIT
/*
 * decode - raw decode throughput of a ring: every chunk read, checked,
 * decompressed and decoded into records; prints MB/s of decoded records.
 *
 *   decode PATH
 */
#include <stdio.h>
#include <time.h>
#include "ring.h"

struct sum {
	unsigned long long records, bytes;
};

static int count(const void *rec, size_t len, const struct ring_chunk *c, void *ctx)
{
	struct sum *s = ctx;

	(void)rec;
	(void)c;
	s->records++;
	s->bytes += len;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sigrec_err err;
	struct ring_reader *rr;
	const struct ring_chunk *ch;
	struct sum s = { 0 };
	unsigned long long stored = 0;
	size_t n;
	double t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: decode PATH\n");
		return 2;
	}
	rr = ring_reader__open(argv[1], &err);
	if (!rr || ring_reader__chunks(rr, &ch, &n, NULL)) {
		fprintf(stderr, "decode: %s\n", rr ? "cannot scan" : err.msg);
		return 1;
	}
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		ring_reader__decode(rr, &ch[i], count, &s);
		stored += ch[i].stored_len;
	}
	t1 = now_s();
	printf("decode: %zu chunks, %llu records, %.1f MB stored -> %.1f MB of records in %.3f s: "
	       "%.0f MB/s, %.1f M records/s\n", n, s.records, stored / 1e6, s.bytes / 1e6, t1 - t0,
	       s.bytes / 1e6 / (t1 - t0), s.records / 1e6 / (t1 - t0));
	ring_reader__close(rr);
	return 0;
}
