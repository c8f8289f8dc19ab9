/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: the command table. The argument parser, --help and the man page's
 * SYNOPSIS (checked by the unit tests) all come from it.
 */
#ifndef CCHEAP_CMDS_H
#define CCHEAP_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CCHEAP_XSTR(x)		CCHEAP_STR(x)
#define CCHEAP_STR(x)		#x

/* bench defaults */
#define BENCH_DEFAULT_SIZES	"4K,64K,1M,2M,16M"
#define BENCH_DEFAULT_ITER	20
#define BENCH_MAX_ITER		1000000
#define BENCH_MAX_SIZES		16
/* bench --phase: a mask of these (default both) */
#define BENCH_PHASE_COLD	1u	/* the pool emptied before every cycle */
#define BENCH_PHASE_WARM	2u	/* the pool kept, after a priming cycle */
/* bench --trace: rdma-core's pattern (rdma.h), with its options */
#define TRACE_SPEC_HELP	"rdma[,qps=N][,churn=N][,rounds=N][,cqe=N]" \
	"[,cqe_size=64|128][,send_wr=N][,recv_wr=N][,send_sge=N]" \
	"[,recv_sge=N][,inline=N][,data=SIZE][,raw]"
#define BENCH_PHASE_BOTH	(BENCH_PHASE_COLD | BENCH_PHASE_WARM)

/* Output is laid out for this many columns. */
#define CCHEAP_COLS		80

enum ccheap_cmd_id {
	CMD_INFO,
	CMD_ALLOC,
	CMD_BENCH,
	CMD_HELP,
	CMD_VERSION,
};

enum ccheap_opt_id {
	OPT_JSON,
	OPT_HEAP,
	OPT_HOLD,
	OPT_SIZES,
	OPT_ITERATIONS,
	OPT_DEVICE,
	OPT_PROGRESS,
	OPT_PHASE,
	OPT_TRACE,
};

struct ccheap_opt {
	const char *name;		/* long name without "--"; NULL ends */
	const char *arg;		/* metavariable, NULL for a flag */
	enum ccheap_opt_id id;
	const char *help;
};

struct ccheap_cmd {
	/* NULL ends the table; "--name": an option that stands alone */
	const char *name;
	enum ccheap_cmd_id id;
	const char *operand;		/* "SIZE", "COMMAND" or NULL */
	bool operand_optional;
	const char *summary;		/* one line, no final period */
	const struct ccheap_opt *opts;
};

extern const struct ccheap_cmd ccheap_cmds[];

const struct ccheap_cmd *cmd_find(const char *name);
/* The option @name (@len bytes, no "--") of @cmd, or NULL */
const struct ccheap_opt *cmd_find_opt(const struct ccheap_cmd *cmd,
				      const char *name, size_t len);

/* ccheap --help */
void cmd_usage(FILE *f);
/* ccheap help CMD, ccheap CMD --help */
void cmd_help(FILE *f, const struct ccheap_cmd *cmd);
/* The body of the man page's SYNOPSIS section, in roff. */
void cmd_synopsis_roff(FILE *f);

#endif /* CCHEAP_CMDS_H */
