/* SPDX-License-Identifier: MIT */
/* env.h - sigrec's options, parsed once (options.c), and its exit codes. */
#ifndef SIGREC_ENV_H
#define SIGREC_ENV_H

#include <stdint.h>
#include "capture.h"
#include "place.h"
#include "ring.h"

#define DEFAULT_RING	"/var/lib/sigrec/sigrec.ring"

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_RING = 3,
	EXIT_BPF = 4,
};

struct env {
	const char *ring;
	struct ring_opts ropts;
	struct capture_opts copts;
	struct place_opts popts;
	uint64_t sync_ns;
	uint64_t duration_ns;
	uint64_t snapshot_ns;
	const char *metrics_file;
	uint64_t metrics_ns;
	int stats;
	int no_pin;
	int unpin;
	int check;
	int journal;
	int pstore;			/* enum pstore_mode */
	const char *pstore_instance;	/* --pstore=ftrace:INSTANCE */
	uint64_t pstore_mask[2];
};

#define EXIT_RING_GONE	(-EXIT_RING)	/* session__record(): the mapping faulted */

/* The defaults, then the command line over them: 0, or -EINVAL once said why. */
void env__defaults(struct env *e);
int env__parse(int argc, char **argv, struct env *e);

#endif
