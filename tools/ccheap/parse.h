/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: sizes, counts and the command line.
 */
#ifndef CCHEAP_PARSE_H
#define CCHEAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmds.h"
#include "rdma.h"

/* The largest size accepted: it must fit size_t and off_t. */
#define CCHEAP_SIZE_MAX	((uint64_t)(SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX))

/* Longest heap name accepted (the kernel's limit is smaller) */
#define CCHEAP_HEAP_NAME_MAX	64

struct ccheap_args {
	const struct ccheap_cmd *cmd;
	bool help;			/* --help: show cmd's help (or all) */
	bool json;
	bool hold;
	bool device;
	bool progress;
	const char *heap;		/* --heap NAME, or NULL */
	const char *topic;		/* help COMMAND, or NULL */
	uint64_t size;			/* alloc SIZE */
	uint64_t sizes[BENCH_MAX_SIZES];
	unsigned int nr_sizes;
	unsigned long iterations;
	unsigned int phases;		/* BENCH_PHASE_* mask */
	bool traced;			/* --trace given */
	struct rdma_params trace;	/* ... and what it said */
};

/*
 * Parse a size: decimal digits with an optional K, M or G suffix (either
 * case; powers of 1024). Returns 0, -EINVAL for junk, -EDOM for zero or
 * -ERANGE above CCHEAP_SIZE_MAX.
 */
int parse_size(const char *s, uint64_t *size);

/* Comma-separated sizes, at most @max. Like parse_size(); -E2BIG: too many */
int parse_size_list(const char *s, uint64_t *sizes, unsigned int max,
		    unsigned int *nr);

/* Decimal count in [1, max]: 0, -EINVAL junk, -EDOM zero, -ERANGE > max */
int parse_count(const char *s, unsigned long max, unsigned long *val);

/*
 * bench --trace SPEC (TRACE_SPEC_HELP) over rdma_params_default(): 0, or
 * -EINVAL with one line in @msg.
 */
int parse_trace(const char *spec, struct rdma_params *p, char *msg, size_t len);

/* A heap name is one path component: not empty, ".", ".." or with '/'. */
bool heap_name_valid(const char *name);

/*
 * Parse argv (argv[0] is the program). Returns 0, or -EINVAL with one line
 * saying what is wrong in @msg (a usage error).
 */
int parse_args(int argc, char **argv, struct ccheap_args *args,
	       char *msg, size_t msglen);

#endif /* CCHEAP_PARSE_H */
