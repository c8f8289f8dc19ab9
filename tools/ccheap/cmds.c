// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: the command table, and the help texts made from it.
 */
#include <string.h>

#include "ccheap.h"
#include "cmds.h"

static const struct ccheap_opt info_opts[] = {
	{ "json", NULL, OPT_JSON, "print one JSON object (keys: see ccheap(1))" },
	{ NULL, NULL, 0, NULL },
};

static const struct ccheap_opt alloc_opts[] = {
	{ "heap", "NAME", OPT_HEAP,
	  "allocate from /dev/dma_heap/NAME (default: the shared heap)" },
	{ "hold", NULL, OPT_HOLD,
	  "keep the buffer until SIGINT or SIGTERM, then free it" },
	{ "json", NULL, OPT_JSON, "print one JSON object (keys: see ccheap(1))" },
	{ NULL, NULL, 0, NULL },
};

static const struct ccheap_opt bench_opts[] = {
	{ "sizes", "LIST", OPT_SIZES,
	  "comma-separated sizes (default " BENCH_DEFAULT_SIZES ")" },
	{ "iterations", "N", OPT_ITERATIONS,
	  "alloc/free cycles per size and heap (default "
	  CCHEAP_XSTR(BENCH_DEFAULT_ITER) ")" },
	{ "phase", "PHASE", OPT_PHASE,
	  "cold (pool emptied), warm (pool kept) or both (default)" },
	{ "heap", "NAME", OPT_HEAP,
	  "heap to compare with system (default: the shared heap)" },
	{ "trace", "SPEC", OPT_TRACE,
	  "replay a client's allocations instead: rdma[,KEY=VALUE...]" },
	{ "device", NULL, OPT_DEVICE,
	  "also map a buffer of each heap through /dev/test_dmabuf" },
	{ "progress", NULL, OPT_PROGRESS,
	  "show progress on stderr even if it is not a terminal" },
	{ "json", NULL, OPT_JSON, "print one JSON object (keys: see ccheap(1))" },
	{ NULL, NULL, 0, NULL },
};

static const struct ccheap_opt no_opts[] = {
	{ NULL, NULL, 0, NULL },
};

const struct ccheap_cmd ccheap_cmds[] = {
	{ "info", CMD_INFO, NULL, false,
	  "Show the platform, dma-buf heaps, swiotlb and counters", info_opts },
	{ "alloc", CMD_ALLOC, "SIZE", false,
	  "Allocate a buffer, check that it reads zero, show its page state",
	  alloc_opts },
	{ "bench", CMD_BENCH, NULL, false,
	  "Time alloc/free on system and the shared heap, count conversions",
	  bench_opts },
	{ "help", CMD_HELP, "COMMAND", true,
	  "Show this help, or the options of COMMAND", no_opts },
	{ "--version", CMD_VERSION, NULL, false,
	  "Print the version and exit", no_opts },
	{ NULL, 0, NULL, false, NULL, NULL },
};

const struct ccheap_cmd *cmd_find(const char *name)
{
	const struct ccheap_cmd *c;

	for (c = ccheap_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct ccheap_opt *cmd_find_opt(const struct ccheap_cmd *cmd,
				      const char *name, size_t len)
{
	const struct ccheap_opt *o;

	for (o = cmd->opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* Print " @tok" at column *@col, wrapping to @indent before CCHEAP_COLS. */
static void put_word(FILE *f, int *col, int indent, const char *tok)
{
	int len = (int)strlen(tok);

	if (*col > indent && *col + 1 + len > CCHEAP_COLS) {
		*col = fprintf(f, "\n%*s", indent, "") - 1;
	} else {
		fputc(' ', f);
		(*col)++;
	}
	fputs(tok, f);
	*col += len;
}

/* "ccheap alloc SIZE [--heap NAME] ...", wrapped, starting at column 0 */
static void synopsis(FILE *f, const char *lead, const struct ccheap_cmd *cmd)
{
	const struct ccheap_opt *o;
	char tok[64];
	int col, indent;

	col = fprintf(f, "%sccheap %s", lead, cmd->name);
	indent = col + 1;
	if (cmd->operand) {
		snprintf(tok, sizeof(tok), cmd->operand_optional ? "[%s]" : "%s",
			 cmd->operand);
		put_word(f, &col, indent, tok);
	}
	for (o = cmd->opts; o->name; o++) {
		if (o->arg)
			snprintf(tok, sizeof(tok), "[--%s %s]", o->name, o->arg);
		else
			snprintf(tok, sizeof(tok), "[--%s]", o->name);
		put_word(f, &col, indent, tok);
	}
	fputc('\n', f);
}

void cmd_usage(FILE *f)
{
	const struct ccheap_cmd *c;

	fputs("Usage: ccheap COMMAND [OPTIONS]\n"
	      "Shared (decrypted) dma-buf heaps in confidential VMs.\n\n"
	      "Commands:\n", f);
	for (c = ccheap_cmds; c->name; c++) {
		synopsis(f, "  ", c);
		fprintf(f, "      %s.\n", c->summary);
	}
	fputs("\nEvery command takes -h, --help. SIZE and the items of LIST are "
	      "bytes, or take\n"
	      "a K, M or G suffix (powers of 1024).\n"
	      "Exit status: 0 ok, 2 usage, 3 not supported, 4 no memory, "
	      "5 system error.\n"
	      "See ccheap(1) for the output and its JSON keys.\n", f);
}

void cmd_help(FILE *f, const struct ccheap_cmd *cmd)
{
	const struct ccheap_opt *o;
	char left[64];

	synopsis(f, "Usage: ", cmd);
	fprintf(f, "%s.\n\nOptions:\n", cmd->summary);
	for (o = cmd->opts; o->name; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-16s %s\n", left, o->help);
	}
	fprintf(f, "  %-16s %s\n", "-h, --help", "show this help");
}

void cmd_synopsis_roff(FILE *f)
{
	const struct ccheap_cmd *c;
	const struct ccheap_opt *o;

	for (c = ccheap_cmds; c->name; c++) {
		const char *p;

		if (c != ccheap_cmds)
			fputs(".br\n", f);
		fputs(".B ccheap\n.B ", f);
		for (p = c->name; *p; p++) {
			if (*p == '-')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('\n', f);
		if (c->operand && c->operand_optional)
			fprintf(f, ".RI [ %s ]\n", c->operand);
		else if (c->operand)
			fprintf(f, ".I %s\n", c->operand);
		for (o = c->opts; o->name; o++) {
			if (o->arg)
				fprintf(f, ".RB [ \\-\\-%s\n.IR %s ]\n",
					o->name, o->arg);
			else
				fprintf(f, ".RB [ \\-\\-%s ]\n", o->name);
		}
	}
}
