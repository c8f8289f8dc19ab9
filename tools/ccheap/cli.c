// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: command dispatch and error reporting.
 */
#include <errno.h>
#include <string.h>

#include "commands.h"

#ifndef CCHEAP_VERSION
#error "CCHEAP_VERSION comes from tools/ccheap/VERSION through the Makefile"
#endif

static int show_help(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	if (args->cmd->id != CMD_HELP)
		cmd_help(ctx->out, args->cmd);
	else if (args->topic)
		cmd_help(ctx->out, cmd_find(args->topic));
	else if (args->help)
		cmd_help(ctx->out, args->cmd);
	else
		cmd_usage(ctx->out);
	return out_finish(ctx);
}

static int run(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	if (args->help || args->cmd->id == CMD_HELP)
		return show_help(ctx, args);
	switch (args->cmd->id) {
	case CMD_INFO:
		return cmd_info(ctx, args);
	case CMD_ALLOC:
		return cmd_alloc(ctx, args);
	case CMD_BENCH:
		return cmd_bench(ctx, args);
	case CMD_VERSION:
		fprintf(ctx->out, "ccheap %s\n", CCHEAP_VERSION);
		return out_finish(ctx);
	default:
		return ccheap_fail(ctx, -EOPNOTSUPP, "%s: not implemented",
				   args->cmd->name);
	}
}

/* The error line, and with --json an error document if none was written */
static void report_error(struct ccheap_ctx *ctx, const char *cmd, int ret)
{
	struct json j;

	if (!ctx->msg[0])
		snprintf(ctx->msg, sizeof(ctx->msg), "%s: %s", cmd,
			 strerror(-ret));
	fprintf(ctx->err, "ccheap: %s\n", ctx->msg);
	if (!ctx->json || ctx->emitted)
		return;
	json_init(&j, ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", cmd);
	json_str(&j, "error", ctx->msg);
	json_i64(&j, "exit_code", ccheap_exit_code(ret));
	json_obj_close(&j);
	json_end(&j);
}

int ccheap_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ccheap_ctx ctx = { .out = out, .err = err };
	struct ccheap_args args;
	int ret;

	ret = parse_args(argc, argv, &args, ctx.msg, sizeof(ctx.msg));
	if (ret) {
		fprintf(err, "ccheap: %s\n", ctx.msg);
		return CCHEAP_EXIT_USAGE;
	}
	ctx.json = args.json;
	ret = run(&ctx, &args);
	if (ret)
		report_error(&ctx, args.cmd->name, ret);
	return ccheap_exit_code(ret);
}
