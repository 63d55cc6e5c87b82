// SPDX-License-Identifier: MIT
/*
 * fuzz_pstore - the pstore line parsers on arbitrary text: /sys/fs/pstore
 * files and a persistent ftrace instance's "trace" come back from RAM after
 * a crash and may hold anything.  Every event they yield must be well
 * formed; they must never crash or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pstore.h"

static int check(const struct pstore_event *e, void *ctx)
{
	char line[PSTORE_LINE_MAX];
	uint8_t boot[16] = { 0 };

	(void)ctx;
	if (e->suppressed)
		return 0;
	if (e->s.sig < 1 || e->s.sig > 64 || e->s.result > SIGREC_R_FAILED ||
	    e->s.target.comm[SIGREC_COMM_LEN - 1] || e->s.sender.comm[SIGREC_COMM_LEN - 1])
		abort();
	/* what was parsed formats again without trouble */
	memcpy(boot, e->boot8, 4);
	pstore__format(line, sizeof(line), &e->s, e->wall_ns, boot, e->oom);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pstore__parse((const char *)data, size, "fuzz", check, NULL);
	pstore__parse_trace((const char *)data, size, "fuzz", check, NULL);
	return 0;
}
