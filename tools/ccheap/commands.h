/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: the commands. Each returns 0 or -errno with the reason recorded
 * by ccheap_fail(); with --json each writes one document to ctx->out.
 */
#ifndef CCHEAP_COMMANDS_H
#define CCHEAP_COMMANDS_H

#include "ccheap.h"
#include "json.h"
#include "parse.h"
#include "sys.h"

int cmd_info(struct ccheap_ctx *ctx, const struct ccheap_args *args);
int cmd_alloc(struct ccheap_ctx *ctx, const struct ccheap_args *args);
int cmd_bench(struct ccheap_ctx *ctx, const struct ccheap_args *args);
/* bench --trace, with the shared heap @shared (NULL: system only) */
int bench_trace(struct ccheap_ctx *ctx, const struct ccheap_args *args,
		const char *shared);

/*
 * Tests: one alloc/free cycle of bench is a call of @fn with the heap's
 * name and the size instead (NULL: the real one). 0 or -errno.
 */
typedef int (*bench_cycle_hook)(const char *heap, uint64_t size);
void bench_set_cycle_hook(bench_cycle_hook fn);

/* Shared by the commands (info.c) */
void json_kvset(struct json *j, const char *key, bool ok,
		const struct kvset *set);
void print_kvset(FILE *f, const char *label, const struct kvset *set);
/* @v, or null when negative (unknown) */
void json_known(struct json *j, const char *key, long long v);
/* End a JSON document: note that it was written, report write errors */
int json_finish(struct ccheap_ctx *ctx, struct json *j);
/* Flush human output: 0 or -EIO */
int out_finish(struct ccheap_ctx *ctx);

#endif /* CCHEAP_COMMANDS_H */
