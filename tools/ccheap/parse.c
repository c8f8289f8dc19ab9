// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: parsing of sizes, counts and the command line.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <string.h>

#include "ccheap.h"
#include "parse.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Shift for a K, M or G suffix, or -1 */
static int suffix_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	default:
		return -1;
	}
}

/* parse_size() of the @len bytes at @s */
static int parse_size_n(const char *s, size_t len, uint64_t *size)
{
	uint64_t val = 0;
	size_t i, digits = 0;
	int shift = 0;

	while (digits < len && is_digit(s[digits]))
		digits++;
	if (!digits)
		return -EINVAL;
	if (digits < len) {
		shift = suffix_shift(s[digits]);
		if (shift < 0 || digits + 1 != len)
			return -EINVAL;
	}
	for (i = 0; i < digits; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (val > (CCHEAP_SIZE_MAX - d) / 10)
			return -ERANGE;
		val = val * 10 + d;
	}
	if (val > CCHEAP_SIZE_MAX >> shift)
		return -ERANGE;
	if (!val)
		return -EDOM;
	*size = val << shift;
	return 0;
}

int parse_size(const char *s, uint64_t *size)
{
	return parse_size_n(s, strlen(s), size);
}

int parse_size_list(const char *s, uint64_t *sizes, unsigned int max,
		    unsigned int *nr)
{
	unsigned int n = 0;
	const char *end;
	int ret;

	for (;;) {
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		if (n == max)
			return -E2BIG;
		ret = parse_size_n(s, (size_t)(end - s), &sizes[n]);
		if (ret)
			return ret;
		n++;
		if (!*end)
			break;
		s = end + 1;
	}
	*nr = n;
	return 0;
}

int parse_count(const char *s, unsigned long max, unsigned long *val)
{
	unsigned long v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		unsigned long d = (unsigned long)(*p - '0');

		if (!is_digit(*p))
			return -EINVAL;
		if (v > max / 10 || d > max - v * 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (!v)
		return -EDOM;
	*val = v;
	return 0;
}

bool heap_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len <= CCHEAP_HEAP_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

CCHEAP_PRINTF(3, 4)
static int usage_err(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Why a size or count was rejected */
static const char *value_error(int err)
{
	switch (err) {
	case -EDOM:
		return "must not be 0";
	case -ERANGE:
		return "is too large";
	case -E2BIG:
		return "has more than " CCHEAP_XSTR(BENCH_MAX_SIZES) " sizes";
	default:
		return "is not a number with an optional K, M or G suffix";
	}
}

/* The numbers of a trace spec, with their bounds */
static const struct trace_key {
	const char *name;
	size_t off;
	unsigned long min, max;
} trace_keys[] = {
	{ "qps", offsetof(struct rdma_params, qps), 1, 65536 },
	{ "churn", offsetof(struct rdma_params, churn), 0, 65536 },
	{ "rounds", offsetof(struct rdma_params, rounds), 0, 1000 },
	/* providers/mlx5/verbs.c: at most 2^24 entries after rounding up */
	{ "cqe", offsetof(struct rdma_params, cqe), 1, (1ul << 24) - 1 },
	{ "cqe_size", offsetof(struct rdma_params, cqe_size), 64, 128 },
	{ "send_wr", offsetof(struct rdma_params, send_wr), 0, 32768 },
	{ "recv_wr", offsetof(struct rdma_params, recv_wr), 0, 32768 },
	{ "send_sge", offsetof(struct rdma_params, send_sge), 0, 64 },
	{ "recv_sge", offsetof(struct rdma_params, recv_sge), 0, 64 },
	{ "inline", offsetof(struct rdma_params, inline_data), 0, 1024 },
};

#define TRACE_DATA_MAX	(1ull << 30)

static int trace_item(const char *item, size_t n, struct rdma_params *p,
		      char *msg, size_t len)
{
	const char *eq = memchr(item, '=', n);
	size_t klen = eq ? (size_t)(eq - item) : n;
	char val[32];
	unsigned long v;
	unsigned int i;
	int ret;

	if (klen == 3 && !strncmp(item, "raw", 3) && !eq) {
		p->raw = true;
		return 0;
	}
	if (!eq)
		return usage_err(msg, len, "bench: --trace: '%.*s' is not key=value",
				 (int)n, item);
	if (n - klen - 1 >= sizeof(val) || n - klen - 1 == 0)
		return usage_err(msg, len, "bench: --trace: bad value in '%.*s'",
				 (int)n, item);
	memcpy(val, eq + 1, n - klen - 1);
	val[n - klen - 1] = '\0';
	if (klen == 4 && !strncmp(item, "data", 4)) {
		uint64_t size = 0;

		ret = strcmp(val, "0") ? parse_size(val, &size) : 0;
		if (!ret && size > TRACE_DATA_MAX)
			ret = -ERANGE;
		if (ret)
			return usage_err(msg, len, "bench: --trace: data=%s %s", val,
					 ret == -ERANGE ? "is above 1G" :
					 "is not a size with an optional K, M or G suffix");
		p->data = size;
		return 0;
	}
	for (i = 0; i < sizeof(trace_keys) / sizeof(trace_keys[0]); i++) {
		const struct trace_key *k = &trace_keys[i];

		if (strlen(k->name) != klen || strncmp(item, k->name, klen))
			continue;
		v = 0;
		ret = strcmp(val, "0") ? parse_count(val, k->max, &v) : 0;
		if (ret || v < k->min || (k->min == 64 && v != 64 && v != 128))
			return usage_err(msg, len, "bench: --trace: %s=%s is not %s",
					 k->name, val, k->min == 64 ?
					 "64 or 128" : "a number in range");
		*(unsigned int *)((char *)p + k->off) = (unsigned int)v;
		return 0;
	}
	return usage_err(msg, len, "bench: --trace: unknown key '%.*s'", (int)klen, item);
}

int parse_trace(const char *spec, struct rdma_params *p, char *msg, size_t len)
{
	const char *s = spec, *end;
	int ret;

	rdma_params_default(p);
	end = strchr(s, ',');
	if ((end ? (size_t)(end - s) : strlen(s)) != 4 || strncmp(s, "rdma", 4))
		return usage_err(msg, len, "bench: --trace '%s': the only trace is rdma "
				 "(" TRACE_SPEC_HELP ")", spec);
	while (end) {
		s = end + 1;
		end = strchr(s, ',');
		ret = trace_item(s, end ? (size_t)(end - s) : strlen(s), p, msg, len);
		if (ret)
			return ret;
	}
	if (p->churn > p->qps)
		return usage_err(msg, len, "bench: --trace: churn=%u is above qps=%u",
				 p->churn, p->qps);
	return 0;
}

/* Store option @o of @cmd with its argument @val (NULL for a flag). */
static int set_opt(struct ccheap_args *a, const struct ccheap_opt *o,
		   const char *val, char *msg, size_t len)
{
	const char *cmd = a->cmd->name;
	int ret = 0;

	switch (o->id) {
	case OPT_JSON:
		a->json = true;
		break;
	case OPT_HOLD:
		a->hold = true;
		break;
	case OPT_DEVICE:
		a->device = true;
		break;
	case OPT_PROGRESS:
		a->progress = true;
		break;
	case OPT_HEAP:
		if (!heap_name_valid(val))
			return usage_err(msg, len, "%s: invalid heap name '%s'",
					 cmd, val);
		a->heap = val;
		break;
	case OPT_SIZES:
		ret = parse_size_list(val, a->sizes, BENCH_MAX_SIZES,
				      &a->nr_sizes);
		if (ret)
			return usage_err(msg, len, "%s: --sizes '%s' %s",
					 cmd, val, value_error(ret));
		break;
	case OPT_TRACE:
		ret = parse_trace(val, &a->trace, msg, len);
		if (ret)
			return ret;
		a->traced = true;
		break;
	case OPT_PHASE:
		if (!strcmp(val, "cold"))
			a->phases = BENCH_PHASE_COLD;
		else if (!strcmp(val, "warm"))
			a->phases = BENCH_PHASE_WARM;
		else if (!strcmp(val, "both"))
			a->phases = BENCH_PHASE_BOTH;
		else
			return usage_err(msg, len, "%s: --phase '%s' is not "
					 "cold, warm or both", cmd, val);
		break;
	case OPT_ITERATIONS:
		ret = parse_count(val, BENCH_MAX_ITER, &a->iterations);
		if (ret == -ERANGE)
			return usage_err(msg, len,
					 "%s: --iterations '%s' is above %d",
					 cmd, val, BENCH_MAX_ITER);
		if (ret)
			return usage_err(msg, len,
					 "%s: --iterations '%s' %s", cmd, val,
					 ret == -EDOM ? "must not be 0" :
					 "is not a positive number");
		break;
	}
	return 0;
}

/* One "--name[=value]" at argv[*i]; may consume argv[*i + 1]. */
static int parse_opt(struct ccheap_args *a, int argc, char **argv, int *i,
		     char *msg, size_t len)
{
	const char *arg = argv[*i], *name = arg + 2, *eq, *val = NULL;
	const struct ccheap_opt *o;
	size_t nlen;

	eq = strchr(name, '=');
	nlen = eq ? (size_t)(eq - name) : strlen(name);
	if (nlen == 4 && !strncmp(name, "help", 4)) {
		a->help = true;
		return eq ? usage_err(msg, len,
				      "%s: option '--help' takes no argument",
				      a->cmd->name) : 0;
	}
	o = cmd_find_opt(a->cmd, name, nlen);
	if (!o)
		return usage_err(msg, len, "%s: unknown option '%.*s'",
				 a->cmd->name, (int)(nlen + 2), arg);
	if (!o->arg && eq)
		return usage_err(msg, len, "%s: option '--%s' takes no argument",
				 a->cmd->name, o->name);
	if (o->arg) {
		if (eq)
			val = eq + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return usage_err(msg, len,
					 "%s: option '--%s' needs an argument %s",
					 a->cmd->name, o->name, o->arg);
	}
	return set_opt(a, o, val, msg, len);
}

/* The operand of a->cmd, after all options were read */
static int set_operand(struct ccheap_args *a, const char *operand,
		       char *msg, size_t len)
{
	const struct ccheap_cmd *cmd = a->cmd;
	int ret;

	if (!operand)
		return cmd->operand && !cmd->operand_optional && !a->help ?
		       usage_err(msg, len, "%s: missing %s", cmd->name,
				 cmd->operand) : 0;
	if (cmd->id == CMD_HELP) {
		if (!cmd_find(operand))
			return usage_err(msg, len, "help: unknown command '%s'",
					 operand);
		a->topic = operand;
		return 0;
	}
	ret = parse_size(operand, &a->size);
	if (ret)
		return usage_err(msg, len, "%s: %s '%s' %s", cmd->name,
				 cmd->operand, operand, value_error(ret));
	return 0;
}

static int parse_cmd_args(struct ccheap_args *a, int argc, char **argv,
			  int first, char *msg, size_t len)
{
	const char *operand = NULL;
	bool opts_done = false;
	int i, ret;

	for (i = first; i < argc; i++) {
		const char *arg = argv[i];

		if (!opts_done && !strcmp(arg, "--")) {
			opts_done = true;
		} else if (!opts_done && !strcmp(arg, "-h")) {
			a->help = true;
		} else if (!opts_done && !strncmp(arg, "--", 2)) {
			ret = parse_opt(a, argc, argv, &i, msg, len);
			if (ret)
				return ret;
		} else if (!opts_done && arg[0] == '-' && arg[1]) {
			return usage_err(msg, len, "%s: unknown option '%s'",
					 a->cmd->name, arg);
		} else if (a->cmd->operand && !operand) {
			operand = arg;
		} else {
			return usage_err(msg, len, "%s: unexpected argument '%s'",
					 a->cmd->name, arg);
		}
	}
	return set_operand(a, operand, msg, len);
}

int parse_args(int argc, char **argv, struct ccheap_args *a,
	       char *msg, size_t len)
{
	const char *name;
	int ret;

	memset(a, 0, sizeof(*a));
	a->iterations = BENCH_DEFAULT_ITER;
	a->phases = BENCH_PHASE_BOTH;
	/* The default list is valid; parsing it keeps one source of truth. */
	ret = parse_size_list(BENCH_DEFAULT_SIZES, a->sizes, BENCH_MAX_SIZES,
			      &a->nr_sizes);
	if (ret)
		return usage_err(msg, len, "bad built-in size list");
	if (argc < 2)
		return usage_err(msg, len,
				 "missing command (try 'ccheap --help')");
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	a->cmd = cmd_find(name);
	if (!a->cmd && name[0] == '-')
		return usage_err(msg, len,
				 "unknown option '%s' (options go after the command)",
				 name);
	if (!a->cmd)
		return usage_err(msg, len,
				 "unknown command '%s' (try 'ccheap --help')",
				 name);
	return parse_cmd_args(a, argc, argv, 2, msg, len);
}
