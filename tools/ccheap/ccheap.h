/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: shared (decrypted) dma-buf heap tool for confidential VMs.
 * Common definitions: exit codes, the per-run context, error reporting.
 *
 * Functions return 0 or -errno. Only ccheap_main() turns an error into an
 * exit code (ccheap_exit_code()), and only it prints the error line.
 */
#ifndef CCHEAP_H
#define CCHEAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes; documented in ccheap.1 (EXIT STATUS). */
#define CCHEAP_EXIT_OK		0
#define CCHEAP_EXIT_USAGE	2	/* bad command line */
#define CCHEAP_EXIT_UNSUPP	3	/* no such heap, device or feature */
#define CCHEAP_EXIT_NOMEM	4	/* ENOMEM */
#define CCHEAP_EXIT_SYSERR	5	/* I/O or other system error */

#define CCHEAP_MSG_MAX		256

/* One run of the tool: where output goes and why it failed. */
struct ccheap_ctx {
	FILE *out;		/* results (stdout) */
	FILE *err;		/* errors, notes, progress (stderr) */
	bool json;		/* --json: out gets one JSON document */
	bool emitted;		/* the JSON document has been written */
	char msg[CCHEAP_MSG_MAX]; /* why the command failed */
};

#if defined(__GNUC__)
#define CCHEAP_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#else
#define CCHEAP_PRINTF(a, b)
#endif

/*
 * Record why the command fails (the first reason wins) and return @err,
 * a -errno, so that callers can write "return ccheap_fail(...)".
 */
int ccheap_fail(struct ccheap_ctx *ctx, int err, const char *fmt, ...)
	CCHEAP_PRINTF(3, 4);

/* Exit code for a -errno (0 -> 0). Usage errors never get here. */
int ccheap_exit_code(int err);

/* close() that returns 0 or -errno and ignores fd < 0 */
int xclose(int fd);

/* CLOCK_MONOTONIC in nanoseconds */
uint64_t now_ns(void);

/* Run the tool: argv as given to main(), output to @out and @err. */
int ccheap_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* CCHEAP_H */
