// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap unit tests: sizes, argument parsing, exit codes, JSON, help and
 * the man page's SYNOPSIS, and the kernel signals read from fake trees.
 * Prints TAP. Usage: ccheap-unit [PATH/ccheap.1]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccheap.h"
#include "cmds.h"
#include "commands.h"
#include "fmt.h"
#include "json.h"
#include "parse.h"
#include "sys.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int nr_tests, nr_failed;

CCHEAP_PRINTF(2, 3)
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

/* A TAP comment; every line of it starts with "# " */
CCHEAP_PRINTF(1, 2)
static void diag(const char *fmt, ...)
{
	char buf[4096], *line, *save;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

/* ---- strict JSON validator (RFC 8259 grammar, UTF-8 checked) ---- */

struct jv {
	const char *p;
	int depth;
};

static bool jv_value(struct jv *v);

static void jv_ws(struct jv *v)
{
	while (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r')
		v->p++;
}

static bool jv_lit(struct jv *v, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(v->p, lit, n))
		return false;
	v->p += n;
	return true;
}

static bool jv_hex4(const char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return false;
	return true;
}

static bool jv_string(struct jv *v)
{
	const unsigned char *p = (const unsigned char *)v->p;

	if (*p++ != '"')
		return false;
	while (*p != '"') {
		if (*p < 0x20)
			return false;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (!jv_hex4((const char *)p + 1))
					return false;
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				return false;
			}
			continue;
		}
		if (*p >= 0x80) {
			/* Continuation bytes must follow a lead byte */
			int n = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc2 ? 1 : -1;

			if (n < 0 || *p > 0xf4)
				return false;
			for (p++; n > 0; n--, p++)
				if (*p < 0x80 || *p > 0xbf)
					return false;
			continue;
		}
		p++;
	}
	v->p = (const char *)p + 1;
	return true;
}

static bool jv_digits(struct jv *v)
{
	const char *s = v->p;

	while (*v->p >= '0' && *v->p <= '9')
		v->p++;
	return v->p > s;
}

static bool jv_number(struct jv *v)
{
	if (*v->p == '-')
		v->p++;
	if (*v->p == '0')
		v->p++;
	else if (!jv_digits(v))
		return false;
	if (*v->p == '.') {
		v->p++;
		if (!jv_digits(v))
			return false;
	}
	if (*v->p == 'e' || *v->p == 'E') {
		v->p++;
		if (*v->p == '+' || *v->p == '-')
			v->p++;
		if (!jv_digits(v))
			return false;
	}
	return true;
}

/* Object or array: @close ends it, members have keys if @keys */
static bool jv_container(struct jv *v, char close, bool keys)
{
	v->p++;
	jv_ws(v);
	if (*v->p == close) {
		v->p++;
		return true;
	}
	for (;;) {
		jv_ws(v);
		if (keys) {
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (*v->p++ != ':')
				return false;
		}
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (*v->p == close) {
			v->p++;
			return true;
		}
		if (*v->p++ != ',')
			return false;
	}
}

static bool jv_value(struct jv *v)
{
	bool ret;

	jv_ws(v);
	if (++v->depth > 64)
		return false;
	switch (*v->p) {
	case '{':
		ret = jv_container(v, '}', true);
		break;
	case '[':
		ret = jv_container(v, ']', false);
		break;
	case '"':
		ret = jv_string(v);
		break;
	case 't':
		ret = jv_lit(v, "true");
		break;
	case 'f':
		ret = jv_lit(v, "false");
		break;
	case 'n':
		ret = jv_lit(v, "null");
		break;
	default:
		ret = jv_number(v);
		break;
	}
	v->depth--;
	return ret;
}

/* One JSON document and nothing else but whitespace */
static bool json_valid(const char *s)
{
	struct jv v = { .p = s };

	if (!jv_value(&v))
		return false;
	jv_ws(&v);
	return !*v.p;
}

/* ---- running the tool in-process ---- */

struct run {
	int rc;
	char *out, *err;
	size_t out_len, err_len;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* ccheap_main() with a NULL-terminated argument list after "ccheap" */
static int run_argv(struct run *r, const char *const *args)
{
	char *argv[32];
	FILE *out, *err;
	int argc = 0;

	argv[argc++] = "ccheap";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	memset(r, 0, sizeof(*r));
	out = open_memstream(&r->out, &r->out_len);
	err = open_memstream(&r->err, &r->err_len);
	if (!out || !err) {
		perror("open_memstream");
		exit(1);
	}
	r->rc = ccheap_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r->rc;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Length of the longest line */
static int max_line(const char *s)
{
	int max = 0, cur = 0;

	for (; *s; s++) {
		cur = *s == '\n' ? 0 : cur + 1;
		max = cur > max ? cur : max;
	}
	return max;
}

/* ---- fixtures: fake /proc, /sys and /dev trees ---- */

#define FIX_MAX 64

struct fixture {
	char root[64];
	int n;
	char *paths[FIX_MAX];		/* created, removed in reverse */
};

static void fix_track(struct fixture *fx, const char *path)
{
	if (fx->n == FIX_MAX) {
		fprintf(stderr, "fixture too big\n");
		exit(1);
	}
	fx->paths[fx->n] = strdup(path);
	if (!fx->paths[fx->n++]) {
		perror("strdup");
		exit(1);
	}
}

/* mkdir -p of @rel's parent (or @rel itself with @dir) under the root */
static void fix_mkdirs(struct fixture *fx, const char *rel, bool dir)
{
	char path[512];
	size_t i, len;

	len = (size_t)snprintf(path, sizeof(path), "%s%s", fx->root, rel);
	for (i = strlen(fx->root) + 1; i <= len; i++) {
		if (path[i] != '/' && (path[i] || !dir))
			continue;
		path[i] = '\0';
		if (!mkdir(path, 0755))
			fix_track(fx, path);
		else if (errno != EEXIST)
			perror(path);
		path[i] = i < len ? '/' : '\0';
	}
}

static void fix_file(struct fixture *fx, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	fix_mkdirs(fx, rel, false);
	snprintf(path, sizeof(path), "%s%s", fx->root, rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	fix_track(fx, path);
}

static void fix_init(struct fixture *fx, const char *machine)
{
	snprintf(fx->root, sizeof(fx->root), "/tmp/ccheap-unit.XXXXXX");
	fx->n = 0;
	if (!mkdtemp(fx->root)) {
		perror("mkdtemp");
		exit(1);
	}
	sys_set_root(fx->root, machine);
}

static void fix_done(struct fixture *fx)
{
	while (fx->n > 0) {
		char *p = fx->paths[--fx->n];

		if (remove(p))
			perror(p);
		free(p);
	}
	if (rmdir(fx->root))
		perror(fx->root);
	sys_set_root(NULL, NULL);
}

#define CPU_PLAIN	"processor\t: 0\nflags\t\t: fpu vme de pse hypervisor\n"
#define CPU_SNP_GUEST	"flags\t\t: fpu sev sev_es sev_snp hypervisor\n"
#define CPU_SNP_HOST	"flags\t\t: fpu sev sev_es sev_snp\n"
#define CPU_TDX		"flags\t\t: fpu tdx_guest hypervisor\n"
#define EMU_TEXT	"to_shared_calls 10\nto_shared_pages 40\n" \
			"to_private_calls 9\nto_private_pages 36\n" \
			"aligned_2m 0\nsplits 0\nshared_frames 123\n" \
			"violations 0\n"
#define HEAP_TEXT	"buffers 1\nshared_bytes 4096\nto_shared 3\n" \
			"to_private 2\nfailed 0\nleaked_pages 0\n"

/* ---- tests ---- */

static void test_parse_size(void)
{
	static const struct {
		const char *s;
		int err;
		uint64_t val;
	} cases[] = {
		{ "1", 0, 1 },
		{ "4096", 0, 4096 },
		{ "4K", 0, 4096 },
		{ "4k", 0, 4096 },
		{ "64K", 0, 65536 },
		{ "1M", 0, 1 << 20 },
		{ "2m", 0, 2 << 20 },
		{ "16M", 0, 16 << 20 },
		{ "1G", 0, 1ull << 30 },
		{ "3g", 0, 3ull << 30 },
		{ "00000000000000000000000000000004K", 0, 4096 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "8589934591G", 0, 8589934591ull << 30 },
		{ "0", -EDOM, 0 },
		{ "0K", -EDOM, 0 },
		{ "000", -EDOM, 0 },
		{ "", -EINVAL, 0 },
		{ "K", -EINVAL, 0 },
		{ "4KB", -EINVAL, 0 },
		{ "4KiB", -EINVAL, 0 },
		{ "4 K", -EINVAL, 0 },
		{ " 4", -EINVAL, 0 },
		{ "4 ", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "1.5M", -EINVAL, 0 },
		{ "1T", -EINVAL, 0 },
		{ "16E", -EINVAL, 0 },
		{ "4KK", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999999", -ERANGE, 0 },
		{ "8589934592G", -ERANGE, 0 },
		{ "9007199254740992M", -ERANGE, 0 },
		{ "9007199254740992K", -ERANGE, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;
		int err = parse_size(cases[i].s, &v);

		ok(err == cases[i].err && (err || v == cases[i].val),
		   "parse_size '%s' -> %d %llu", cases[i].s, cases[i].err,
		   (unsigned long long)cases[i].val);
	}
}

static void test_size_list(void)
{
	static const struct {
		const char *s;
		int err;
		unsigned int n;
	} cases[] = {
		{ "4K,64K,1M,2M,16M", 0, 5 },
		{ "4K", 0, 1 },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", 0, 16 },
		{ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", -E2BIG, 0 },
		{ "", -EINVAL, 0 },
		{ "4K,", -EINVAL, 0 },
		{ ",4K", -EINVAL, 0 },
		{ "4K,,1M", -EINVAL, 0 },
		{ "4K;1M", -EINVAL, 0 },
		{ "4K,0", -EDOM, 0 },
		{ "4K,99999999999G", -ERANGE, 0 },
	};
	uint64_t sizes[BENCH_MAX_SIZES];
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = parse_size_list(cases[i].s, sizes, BENCH_MAX_SIZES, &n);

		ok(err == cases[i].err && (err || n == cases[i].n),
		   "parse_size_list '%s' -> %d", cases[i].s, cases[i].err);
	}
	parse_size_list("4K,64K,1M,2M,16M", sizes, BENCH_MAX_SIZES, &n);
	ok(sizes[0] == 4096 && sizes[2] == 1 << 20 && sizes[4] == 16 << 20,
	   "parse_size_list values");
}

static void test_parse_count(void)
{
	static const struct {
		const char *s;
		int err;
		unsigned long val;
	} cases[] = {
		{ "1", 0, 1 },
		{ "20", 0, 20 },
		{ "1000000", 0, 1000000 },
		{ "1000001", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "0", -EDOM, 0 },
		{ "", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 },
		{ "10K", -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long v = 0;
		int err = parse_count(cases[i].s, BENCH_MAX_ITER, &v);

		ok(err == cases[i].err && (err || v == cases[i].val),
		   "parse_count '%s' -> %d", cases[i].s, cases[i].err);
	}
}

static void test_fmt_size(void)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 1536, "1536" },
		{ 4096, "4K" },
		{ 1 << 20, "1M" },
		{ (1 << 20) + 1024, "1025K" },
		{ 3ull << 30, "3G" },
		{ 1ull << 40, "1024G" },
	};
	char buf[32];
	unsigned int i;
	uint64_t back;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fmt_size(cases[i].v, buf, sizeof(buf));
		ok(!strcmp(buf, cases[i].s) &&
		   (!cases[i].v || (!parse_size(buf, &back) && back == cases[i].v)),
		   "fmt_size %llu -> %s, parses back",
		   (unsigned long long)cases[i].v, cases[i].s);
	}
}

/* json_write_string(@in) into a buffer */
static char *escaped(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	json_write_string(f, in);
	fclose(f);
	return buf;
}

static void test_json_escape(void)
{
	static const struct {
		const char *name, *in, *out;
	} cases[] = {
		{ "plain", "system_cc_shared", "\"system_cc_shared\"" },
		{ "empty", "", "\"\"" },
		{ "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "short escapes", "\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"" },
		{ "control", "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "DEL", "\x7f", "\"\\u007f\"" },
		{ "slash kept", "/dev/dma_heap", "\"/dev/dma_heap\"" },
		{ "UTF-8 2 bytes", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "UTF-8 4 bytes", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "invalid byte", "a\xff" "b", "\"a\\ufffdb\"" },
		{ "overlong", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "truncated", "\xe2\x82", "\"\\ufffd\\ufffd\"" },
		{ "surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "past U+10FFFF", "\xf4\x90\x80\x80",
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = escaped(cases[i].in);

		ok(!strcmp(s, cases[i].out) && json_valid(s),
		   "json escape: %s", cases[i].name);
		free(s);
	}
}

static void test_json_writer(void)
{
	static const char expect[] =
		"{\n"
		"  \"s\": \"x\",\n"
		"  \"n\": null,\n"
		"  \"u\": 18446744073709551615,\n"
		"  \"i\": -5,\n"
		"  \"b\": true,\n"
		"  \"d\": 1.500,\n"
		"  \"nan\": null,\n"
		"  \"empty_obj\": {},\n"
		"  \"empty_arr\": [],\n"
		"  \"arr\": [\n"
		"    1,\n"
		"    {\n"
		"      \"k\": false\n"
		"    }\n"
		"  ]\n"
		"}\n";
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "s", "x");
	json_str(&j, "n", NULL);
	json_u64(&j, "u", UINT64_MAX);
	json_i64(&j, "i", -5);
	json_bool(&j, "b", true);
	json_double(&j, "d", 1.5, 3);
	json_double(&j, "nan", 0.0 / 0.0, 3);
	json_obj_open(&j, "empty_obj");
	json_obj_close(&j);
	json_arr_open(&j, "empty_arr");
	json_arr_close(&j);
	json_arr_open(&j, "arr");
	json_u64(&j, NULL, 1);
	json_obj_open(&j, NULL);
	json_bool(&j, "k", false);
	json_obj_close(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	ret = json_end(&j);
	fclose(f);
	ok(!ret && !strcmp(buf, expect), "json writer: exact output");
	ok(json_valid(buf), "json writer: output is valid JSON");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	ok(json_end(&j) == -EINVAL, "json writer: unclosed object is an error");
	fclose(f);
	free(buf);

	ok(!json_valid("{\"a\": 1,}") && !json_valid("[01]") &&
	   !json_valid("\"\x01\"") && !json_valid("{} {}") &&
	   json_valid(" [1.5e3, -0, \"\\u00e9\"] "),
	   "json validator self-check");
}

static void test_exit_codes(void)
{
	static const struct {
		int err, code;
	} cases[] = {
		{ 0, 0 },
		{ -ENOMEM, 4 },
		{ -ENOENT, 3 },
		{ -ENODEV, 3 },
		{ -ENXIO, 3 },
		{ -ENOTTY, 3 },
		{ -EOPNOTSUPP, 3 },
		{ -ENOSYS, 3 },
		{ -EIO, 5 },
		{ -EACCES, 5 },
		{ -EPERM, 5 },
		{ -EBUSY, 5 },
		{ -EINVAL, 5 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok(ccheap_exit_code(cases[i].err) == cases[i].code,
		   "exit code for %s is %d",
		   cases[i].err ? strerror(-cases[i].err) : "success",
		   cases[i].code);
}

#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })

/*
 * The replay's buffer sizes: rc_pingpong's defaults give rdma-core's 32 KiB
 * CQ, a 12 KiB QP buffer (an 8 KiB RQ and a 256-byte SQ), 4 KiB of data
 * and 64 doorbell records a page; the parser keeps the defaults it is not
 * told to change.
 */
static void test_rdma_sizes(void)
{
	struct rdma_params p;
	char msg[160];
	int ret;

	rdma_params_default(&p);
	ok(rdma_cq_bytes(&p, 4096) == 32768, "rdma: rc_pingpong CQ is 32 KiB");
	ok(rdma_rq_bytes(&p) == 8192 && rdma_sq_bytes(&p) == 256,
	   "rdma: rc_pingpong RQ 8 KiB, SQ 256 bytes");
	ok(rdma_qp_bytes(&p, 4096) == 12288 && !rdma_raw_sq_bytes(&p, 4096),
	   "rdma: rc_pingpong QP buffer is 12 KiB, no second SQ");
	ok(rdma_data_bytes(&p, 4096) == 4096 && rdma_db_per_page(4096) == 64,
	   "rdma: 4 KiB data, 64 doorbells a page");
	p.cqe_size = 128;
	p.cqe = 1000;
	ok(rdma_cq_bytes(&p, 4096) == 1024 * 128, "rdma: 1000 CQEs of 128 bytes: 128 KiB");
	p.send_wr = 100;
	p.send_sge = 4;
	p.inline_data = 200;
	/* 192 + align16(4 + 200) = 400 -> 448 a WQE; 100 of them -> 65536 */
	ok(rdma_sq_bytes(&p) == 65536, "rdma: SQ sized for inline data");
	p.raw = true;
	ok(rdma_qp_bytes(&p, 4096) == 8192 && rdma_raw_sq_bytes(&p, 4096) == 32768,
	   "rdma: raw packet QP has the SQ apart");
	p.recv_wr = 0;
	ok(rdma_rq_bytes(&p) == 0 && rdma_qp_bytes(&p, 4096) == 0, "rdma: no RQ, no buffer");
	p.recv_wr = 1;
	ok(rdma_rq_bytes(&p) == 64, "rdma: the RQ is 64 bytes at least");
	ret = parse_trace("rdma,qps=16,churn=0,rounds=0,data=0,cqe_size=128,raw", &p,
			  msg, sizeof(msg));
	ok(!ret && p.qps == 16 && !p.churn && !p.rounds && !p.data &&
	   p.cqe_size == 128 && p.raw && p.cqe == 501 && p.recv_wr == 500,
	   "rdma: parse_trace keeps what it is not told");
	ret = parse_trace("rdma", &p, msg, sizeof(msg));
	ok(!ret && p.qps == 1024 && p.churn == 256 && p.rounds == 4 && !p.raw,
	   "rdma: parse_trace of the bare name gives the defaults");
}

static void test_usage_errors(void)
{
	const struct {
		const char *const *argv;
		const char *msg;
	} cases[] = {
		{ ARGV(NULL), "missing command" },
		{ ARGV("foo"), "unknown command 'foo'" },
		{ ARGV("--json", "info"), "unknown option '--json'" },
		{ ARGV("info", "extra"), "unexpected argument 'extra'" },
		{ ARGV("info", "--bogus"), "unknown option '--bogus'" },
		{ ARGV("info", "--hold"), "unknown option '--hold'" },
		{ ARGV("info", "--help=x"), "takes no argument" },
		{ ARGV("alloc"), "missing SIZE" },
		{ ARGV("alloc", "0"), "must not be 0" },
		{ ARGV("alloc", "4X"), "not a number" },
		{ ARGV("alloc", "99999999999999999999"), "too large" },
		{ ARGV("alloc", "4K", "8K"), "unexpected argument '8K'" },
		{ ARGV("alloc", "4K", "--heap"), "needs an argument NAME" },
		{ ARGV("alloc", "4K", "--heap", "../x"), "invalid heap name" },
		{ ARGV("alloc", "4K", "--heap="), "invalid heap name" },
		{ ARGV("alloc", "4K", "--hold=1"), "takes no argument" },
		{ ARGV("alloc", "4K", "-x"), "unknown option '-x'" },
		{ ARGV("bench", "--iterations", "0"), "must not be 0" },
		{ ARGV("bench", "--iterations", "x"), "not a positive number" },
		{ ARGV("bench", "--iterations=1000001"), "above 1000000" },
		{ ARGV("bench", "--sizes", "4K,,8K"), "not a number" },
		{ ARGV("bench", "--sizes", "99999999999G"), "too large" },
		{ ARGV("bench", "--sizes", "0"), "must not be 0" },
		{ ARGV("bench", "4K"), "unexpected argument '4K'" },
		{ ARGV("bench", "--phase", "hot"),
		  "--phase 'hot' is not cold, warm or both" },
		{ ARGV("bench", "--phase"), "needs an argument PHASE" },
		{ ARGV("bench", "--trace", "nvme"), "the only trace is rdma" },
		{ ARGV("bench", "--trace", "rdmax"), "the only trace is rdma" },
		{ ARGV("bench", "--trace", "rdma,qps=0"), "qps=0 is not" },
		{ ARGV("bench", "--trace", "rdma,qps=65537"), "qps=65537 is not" },
		{ ARGV("bench", "--trace", "rdma,qps=8,churn=9"), "churn=9 is above qps=8" },
		{ ARGV("bench", "--trace", "rdma,cqe_size=96"), "64 or 128" },
		{ ARGV("bench", "--trace", "rdma,cqe=16777216"), "cqe=16777216 is not" },
		{ ARGV("bench", "--trace", "rdma,data=2G"), "above 1G" },
		{ ARGV("bench", "--trace", "rdma,data=x"), "data=x is not a size" },
		{ ARGV("bench", "--trace", "rdma,qps"), "is not key=value" },
		{ ARGV("bench", "--trace", "rdma,qps="), "bad value" },
		{ ARGV("bench", "--trace", "rdma,nope=1"), "unknown key 'nope'" },
		{ ARGV("bench", "--trace"), "needs an argument SPEC" },
		{ ARGV("help", "nope"), "unknown command 'nope'" },
		{ ARGV("help", "info", "alloc"), "unexpected argument 'alloc'" },
		{ ARGV("help", "--json"), "unknown option '--json'" },
		{ ARGV("--version", "x"), "unexpected argument 'x'" },
		{ ARGV("--version", "--json"), "unknown option '--json'" },
		{ ARGV("--versio"), "unknown option '--versio'" },
		{ ARGV("version"), "unknown command 'version'" },
	};
	unsigned int i;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const *a = cases[i].argv;
		char name[128];
		int k, n;

		n = snprintf(name, sizeof(name), "usage error:");
		for (k = 0; a[k] && n < (int)sizeof(name); k++)
			n += snprintf(name + n, sizeof(name) - (size_t)n, " %s",
				      a[k]);
		run_argv(&r, a);
		if (!ok(r.rc == CCHEAP_EXIT_USAGE && !r.out_len &&
			!strncmp(r.err, "ccheap: ", 8) &&
			count_lines(r.err) == 1 && strstr(r.err, cases[i].msg),
			"%s -> exit 2, one line", name))
			diag("rc %d, stderr: %s", r.rc, r.err);
		run_free(&r);
	}
}

static void test_args_ok(void)
{
	struct ccheap_args a;
	char msg[CCHEAP_MSG_MAX];
	char *v1[] = { "ccheap", "alloc", "4K", "--heap", "system", "--hold",
		       "--json", NULL };
	char *v2[] = { "ccheap", "alloc", "--heap=x", "--", "2M", NULL };
	char *v3[] = { "ccheap", "bench", NULL };
	char *v4[] = { "ccheap", "bench", "--sizes=1M,2M", "--iterations", "3",
		       "--device", "--progress", "--json", NULL };
	char *v5[] = { "ccheap", "alloc", "--help", NULL };
	char *v6[] = { "ccheap", "-h", NULL };
	char *v7[] = { "ccheap", "help", "bench", NULL };
	char *v8[] = { "ccheap", "bench", "--phase", "cold", NULL };
	char *v9[] = { "ccheap", "bench", "--phase=warm", NULL };

	ok(!parse_args(7, v1, &a, msg, sizeof(msg)) && a.cmd->id == CMD_ALLOC &&
	   a.size == 4096 && !strcmp(a.heap, "system") && a.hold && a.json,
	   "args: alloc 4K --heap system --hold --json");
	ok(!parse_args(5, v2, &a, msg, sizeof(msg)) && a.size == 2 << 20 &&
	   !strcmp(a.heap, "x") && !a.hold && !a.json,
	   "args: alloc --heap=x -- 2M");
	ok(!parse_args(2, v3, &a, msg, sizeof(msg)) && a.cmd->id == CMD_BENCH &&
	   a.nr_sizes == 5 && a.sizes[3] == 2 << 20 &&
	   a.iterations == BENCH_DEFAULT_ITER && !a.device && !a.heap &&
	   a.phases == BENCH_PHASE_BOTH, "args: bench defaults");
	ok(!parse_args(8, v4, &a, msg, sizeof(msg)) && a.nr_sizes == 2 &&
	   a.sizes[1] == 2 << 20 && a.iterations == 3 && a.device &&
	   a.progress && a.json, "args: bench with every option");
	ok(!parse_args(3, v5, &a, msg, sizeof(msg)) && a.help &&
	   a.cmd->id == CMD_ALLOC, "args: alloc --help needs no SIZE");
	ok(!parse_args(2, v6, &a, msg, sizeof(msg)) && a.cmd->id == CMD_HELP &&
	   !a.topic, "args: -h");
	ok(!parse_args(3, v7, &a, msg, sizeof(msg)) && a.cmd->id == CMD_HELP &&
	   !strcmp(a.topic, "bench"), "args: help bench");
	ok(!parse_args(4, v8, &a, msg, sizeof(msg)) &&
	   a.phases == BENCH_PHASE_COLD, "args: bench --phase cold");
	ok(!parse_args(3, v9, &a, msg, sizeof(msg)) &&
	   a.phases == BENCH_PHASE_WARM, "args: bench --phase=warm");
}

static void test_help(void)
{
	const struct ccheap_cmd *c;
	const struct ccheap_opt *o;
	char want[64];
	bool all = true;
	struct run r;

	run_argv(&r, ARGV("--help"));
	for (c = ccheap_cmds; c->name; c++) {
		snprintf(want, sizeof(want), "ccheap %s", c->name);
		all &= strstr(r.out, want) != NULL;
		for (o = c->opts; o->name; o++) {
			snprintf(want, sizeof(want), "--%s", o->name);
			all &= strstr(r.out, want) != NULL;
		}
	}
	ok(r.rc == 0 && !r.err_len && all,
	   "ccheap --help lists every command and option of the table");
	ok(max_line(r.out) <= CCHEAP_COLS, "ccheap --help fits %d columns",
	   CCHEAP_COLS);
	run_free(&r);

	run_argv(&r, ARGV("help"));
	ok(r.rc == 0 && r.out_len, "ccheap help exits 0");
	run_free(&r);

	run_argv(&r, ARGV("--version"));
	if (!ok(r.rc == 0 && !r.err_len &&
		!strcmp(r.out, "ccheap " CCHEAP_VERSION "\n"),
		"ccheap --version prints \"ccheap " CCHEAP_VERSION "\""))
		diag("rc %d, stdout: %s", r.rc, r.out);
	run_free(&r);

	for (c = ccheap_cmds; c->name; c++) {
		const char *const args[] = { c->name, "--help", NULL };

		run_argv(&r, args);
		all = r.rc == 0 && strstr(r.out, "--help");
		for (o = c->opts; o->name; o++) {
			snprintf(want, sizeof(want), "--%s", o->name);
			all &= strstr(r.out, want) != NULL;
		}
		ok(all && max_line(r.out) <= CCHEAP_COLS,
		   "ccheap %s --help lists its options", c->name);
		run_free(&r);
	}
}

/* The lines between ".SH SYNOPSIS" and the next ".SH" of @path */
static char *man_synopsis(const char *path)
{
	char line[512], *buf = NULL;
	size_t len = 0;
	bool in = false;
	FILE *f = fopen(path, "r"), *out;

	if (!f)
		return NULL;
	out = open_memstream(&buf, &len);
	while (out && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ".SH", 3)) {
			if (in)
				break;
			in = !strcmp(line, ".SH SYNOPSIS\n");
			continue;
		}
		if (in)
			fputs(line, out);
	}
	fclose(f);
	if (out)
		fclose(out);
	return buf;
}

static void test_man(const char *man)
{
	char *want = NULL, *have;
	size_t len = 0;
	FILE *f;

	if (!man) {
		printf("ok %d man page SYNOPSIS matches the table # SKIP "
		       "no man page given\n", ++nr_tests);
		return;
	}
	f = open_memstream(&want, &len);
	cmd_synopsis_roff(f);
	fclose(f);
	have = man_synopsis(man);
	if (!ok(have && !strcmp(have, want),
		"man page SYNOPSIS matches the command table"))
		diag("expected SYNOPSIS body:\n%s", want);
	free(have);
	free(want);
}

static void test_kv(void)
{
	struct fixture fx;
	struct kvset set;
	uint64_t total = 0;
	char clock[32];
	long long v = 0;

	fix_init(&fx, NULL);
	fix_file(&fx, "/stats", "a 1\n\njunk\nb -2 trailing\nc x\n  d 4\n");
	fix_file(&fx, "/num", "32768\n");
	fix_file(&fx, "/octal", "010\n");
	fix_file(&fx, "/bad", "12abc\n");
	ok(!kv_read("/stats", &set) && set.n == 3 && !kv_get(&set, "b", &v) &&
	   v == -2 && !kv_get(&set, "d", &v) && v == 4 &&
	   kv_get(&set, "c", &v) == -ENOENT, "kv_read skips junk lines");
	ok(kv_read("/missing", &set) == -ENOENT, "kv_read of a missing file");
	ok(!sys_read_number("/num", &v) && v == 32768, "read_number");
	ok(!sys_read_number("/octal", &v) && v == 10, "read_number is decimal");
	ok(sys_read_number("/bad", &v) == -EINVAL, "read_number rejects junk");
	fix_file(&fx, "/proc/meminfo", "MemTotal:       2009188 kB\n");
	ok(!sys_mem_total(&total) && total == 2009188ull * 1024,
	   "MemTotal from /proc/meminfo");
	fix_file(&fx, CLOCKSOURCE, "tsc\n");
	ok(!sys_clocksource(clock, sizeof(clock)) && !strcmp(clock, "tsc"),
	   "current clocksource");
	fix_done(&fx);
}

/* info --json in the fixture: valid, and contains each of @needles */
static void check_info_json(const char *name, const char *const *needles)
{
	struct run r;
	bool all = true;

	run_argv(&r, ARGV("info", "--json"));
	for (; *needles; needles++)
		if (!strstr(r.out, *needles)) {
			diag("%s: missing %s", name, *needles);
			all = false;
		}
	if (!ok(r.rc == 0 && json_valid(r.out) && all,
		"info --json, %s: valid, right values", name))
		diag("rc %d out %s err %s", r.rc, r.out, r.err);
	run_free(&r);
	run_argv(&r, ARGV("info"));
	ok(r.rc == 0 && max_line(r.out) <= CCHEAP_COLS && !r.err_len,
	   "info, %s: fits %d columns", name, CCHEAP_COLS);
	run_free(&r);
}

static void test_info_none(void)
{
	struct fixture fx;
	struct ccheap_sys s;
	struct run r;

	fix_init(&fx, "x86_64");
	ok(!sys_probe(&s) && s.kind == COCO_NONE && !s.heap_dir &&
	   !s.shared && s.reason == SHARED_NOT_COCO && s.nslabs == -1 &&
	   !s.forced, "empty system: none, no heaps, not a CoCo guest");
	check_info_json("empty system", ARGV("\"platform\": \"none\"",
		"\"dma_heap_dir\": false", "\"shared_heap\": null",
		"\"reason\": \"not_coco_guest\"", "\"emulator_counters\": null"));
	run_argv(&r, ARGV("info"));
	ok(strstr(r.out, "shared heap:    none: not a CoCo guest") != NULL,
	   "info says why there is no shared heap");
	run_free(&r);
	fix_done(&fx);
}

static void test_info_emulated(void)
{
	struct fixture fx;
	struct ccheap_sys s;
	long long v = 0;

	fix_init(&fx, "x86_64");
	fix_file(&fx, "/proc/cpuinfo", CPU_PLAIN);
	fix_file(&fx, "/proc/cmdline", "console=ttyS0 cc_emulation=on\n");
	fix_file(&fx, EMU_STATS, EMU_TEXT);
	fix_file(&fx, HEAP_STATS, HEAP_TEXT);
	fix_file(&fx, SWIOTLB_NSLABS, "32768\n");
	fix_file(&fx, SWIOTLB_USED, "16\n");
	fix_file(&fx, HEAP_DIR "/system", "");
	fix_file(&fx, HEAP_DIR "/system_cc_shared", "");
	fix_file(&fx, HEAP_DIR "/reserved", "");
	ok(!sys_probe(&s) && s.kind == COCO_EMULATED && s.shared &&
	   !strcmp(s.shared, HEAP_SHARED) && s.nr_heaps == 3 &&
	   !strcmp(s.heaps[0].name, "reserved") && s.nslabs == 32768 &&
	   s.used == 16 && s.forced && !strcmp(s.forced_why, "coco_guest") &&
	   s.emu && !kv_get(&s.emu_stats, "shared_frames", &v) && v == 123 &&
	   s.heap_stats_ok, "emulated guest: heaps, swiotlb, counters");
	check_info_json("emulated", ARGV("\"platform\": \"emulated\"",
		"\"shared_heap\": \"system_cc_shared\"",
		"\"shared_heap_missing\": null", "\"naming\": \"mainline\"",
		"\"size_bytes\": 67108864", "\"used_bytes\": 32768",
		"\"forced_reason\": \"coco_guest\"", "\"shared_frames\": 123",
		"\"leaked_pages\": 0"));
	fix_done(&fx);
}

static void test_info_kinds(void)
{
	static const struct {
		const char *name, *machine, *cpuinfo, *cca_path;
		enum coco_kind kind;
	} cases[] = {
		{ "SEV-SNP guest", "x86_64", CPU_SNP_GUEST, NULL, COCO_SEV_SNP },
		{ "SEV-SNP host is not a guest", "x86_64", CPU_SNP_HOST, NULL,
		  COCO_NONE },
		{ "TDX guest", "x86_64", CPU_TDX, NULL, COCO_TDX },
		{ "Arm CCA via tsm report", "aarch64", "Features\t: fp asimd\n",
		  "/sys/kernel/config/tsm/report/x", COCO_ARM_CCA },
		{ "Arm CCA via device", "aarch64", "Features\t: fp asimd\n",
		  "/dev/arm-cca-guest", COCO_ARM_CCA },
		{ "tsm report on x86 is not CCA", "x86_64", CPU_PLAIN,
		  "/sys/kernel/config/tsm/report/x", COCO_NONE },
		{ "plain arm64", "aarch64", "Features\t: fp asimd\n", NULL,
		  COCO_NONE },
	};
	struct fixture fx;
	struct ccheap_sys s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fix_init(&fx, cases[i].machine);
		fix_file(&fx, "/proc/cpuinfo", cases[i].cpuinfo);
		if (cases[i].cca_path)
			fix_file(&fx, cases[i].cca_path, "");
		ok(!sys_probe(&s) && s.kind == cases[i].kind &&
		   s.forced == (cases[i].kind != COCO_NONE),
		   "platform: %s -> %s", cases[i].name,
		   coco_kind_name(cases[i].kind));
		fix_done(&fx);
	}
}

static void test_info_reasons(void)
{
	struct fixture fx;
	struct ccheap_sys s;

	fix_init(&fx, "x86_64");
	fix_file(&fx, "/proc/cpuinfo", CPU_TDX);
	ok(!sys_probe(&s) && s.reason == SHARED_NO_HEAP_DIR,
	   "CoCo guest without /dev/dma_heap");
	check_info_json("no heap dir", ARGV("\"reason\": \"no_dma_heap_dir\""));
	fix_file(&fx, HEAP_DIR "/system", "");
	ok(!sys_probe(&s) && s.reason == SHARED_KERNEL_LACKS,
	   "CoCo guest whose kernel lacks the heap");
	check_info_json("kernel lacks heap",
			ARGV("\"reason\": \"kernel_lacks_heap\""));
	fix_file(&fx, HEAP_DIR "/system_cc_decrypted", "");
	ok(!sys_probe(&s) && s.shared && !strcmp(s.shared, HEAP_SHARED_EARLY),
	   "early heap name system_cc_decrypted is the shared heap");
	check_info_json("early name", ARGV("\"naming\": \"early\"",
		"\"shared_heap\": \"system_cc_decrypted\"",
		"\"platform\": \"tdx\""));
	fix_file(&fx, HEAP_DIR "/system_cc_shared", "");
	ok(!sys_probe(&s) && !strcmp(s.shared, HEAP_SHARED),
	   "the mainline name wins over the early one");
	fix_done(&fx);
}

/* ccheap-dkms's module: loaded, installed for this kernel, or neither */
static void test_info_module(void)
{
	struct fixture fx;
	struct ccheap_sys s;
	struct run r;

	fix_init(&fx, "x86_64");
	sys_set_release("7.3.4+bpo-cloud-amd64");
	ok(!sys_probe(&s) && s.module == MODULE_ABSENT && !s.module_path[0],
	   "module: neither loaded nor installed");
	check_info_json("no module", ARGV("\"state\": \"absent\"", "\"file\": null",
		"\"message\": \"none\""));
	run_argv(&r, ARGV("info"));
	ok(!strstr(r.out, "module:"), "info has no module line without the module");
	run_free(&r);

	fix_file(&fx, "/lib/modules/7.3.4+bpo-cloud-amd64/updates/dkms/system_cc_shared.ko.xz", "");
	ok(!sys_probe(&s) && s.module == MODULE_INSTALLED &&
	   !strcmp(s.module_path, "/lib/modules/7.3.4+bpo-cloud-amd64/updates/dkms/system_cc_shared.ko.xz"),
	   "module: installed by DKMS (compressed), not loaded");
	run_argv(&r, ARGV("info"));
	ok(strstr(r.out, "module:         ccheap-dkms installed, not loaded: not a CoCo guest") != NULL,
	   "info says why the installed module is not loaded: not a confidential guest");
	run_free(&r);
	check_info_json("installed module", ARGV("\"state\": \"installed\"",
		"\"file\": \"/lib/modules/7.3.4+bpo-cloud-amd64/updates/dkms/system_cc_shared.ko.xz\""));

	fix_file(&fx, "/proc/cpuinfo", CPU_TDX);
	fix_file(&fx, HEAP_DIR "/system", "");
	ok(!sys_probe(&s) && s.module == MODULE_INSTALLED, "module: installed in a TDX guest, not loaded");
	run_argv(&r, ARGV("info"));
	ok(strstr(r.out, "ccheap-dkms installed, not loaded (the kernel log says why)") != NULL,
	   "info: in a CoCo guest, the module not loaded points at modprobe and the log");
	run_free(&r);

	fix_file(&fx, MODULE_INITSTATE, "live\n");
	fix_file(&fx, HEAP_DIR "/system_cc_shared", "");
	ok(!sys_probe(&s) && s.module == MODULE_LOADED && s.shared, "module: loaded, heap present");
	run_argv(&r, ARGV("info"));
	ok(strstr(r.out, "ccheap-dkms loaded (system_cc_shared.ko)") != NULL, "info: the module is loaded");
	run_free(&r);
	check_info_json("loaded module", ARGV("\"state\": \"loaded\"", "\"name\": \"system_cc_shared\""));
	sys_set_release(NULL);
	fix_done(&fx);
}

static void test_cmdline(void)
{
	static const struct {
		const char *cmdline;
		bool forced;
	} cases[] = {
		{ "quiet swiotlb=force", true },
		{ "swiotlb=65536,force", true },
		{ "swiotlb=force,65536 ro", true },
		{ "swiotlb=65536", false },
		{ "swiotlb=forced", false },
		{ "noswiotlb=force", false },
	};
	struct fixture fx;
	struct ccheap_sys s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fix_init(&fx, "x86_64");
		fix_file(&fx, "/proc/cmdline", cases[i].cmdline);
		ok(!sys_probe(&s) && s.forced == cases[i].forced &&
		   (!s.forced || !strcmp(s.forced_why, "cmdline")),
		   "cmdline '%s': forced %s", cases[i].cmdline,
		   cases[i].forced ? "yes" : "no");
		fix_done(&fx);
	}
}

/* A command in the fixture: exit code, and valid JSON with --json */
static void check_cmd(const char *name, const char *const *argv, int code,
		      bool json)
{
	struct run r;

	run_argv(&r, argv);
	if (!ok(r.rc == code && !strncmp(r.err, "ccheap: ", 8) &&
		count_lines(r.err) == 1 && (!json || json_valid(r.out)) &&
		(json || !r.out_len), "%s -> exit %d", name, code))
		diag("rc %d out %s err %s", r.rc, r.out, r.err);
	run_free(&r);
}

static void test_alloc_errors(void)
{
	struct fixture fx;

	fix_init(&fx, "x86_64");
	check_cmd("alloc without a shared heap", ARGV("alloc", "4K"), 3, false);
	check_cmd("alloc --json without a shared heap",
		  ARGV("alloc", "4K", "--json"), 3, true);
	check_cmd("alloc from a missing heap",
		  ARGV("alloc", "4K", "--heap", "nonexistent_heap_xyz"), 3, false);
	check_cmd("bench without a system heap", ARGV("bench"), 3, false);
	/* A regular file is no heap: the ioctl fails with ENOTTY. */
	fix_file(&fx, HEAP_DIR "/system", "");
	check_cmd("alloc from a heap that is no heap",
		  ARGV("alloc", "4K", "--heap", "system"), 3, false);
	check_cmd("bench with a missing --heap",
		  ARGV("bench", "--heap", "nonexistent_heap_xyz", "--json"), 3,
		  true);
	check_cmd("bench where system cannot allocate",
		  ARGV("bench", "--sizes", "4K", "--iterations", "1"), 3, false);
	/* More than MemTotal fails before the kernel is asked. */
	fix_file(&fx, "/proc/meminfo", "MemFree: 1 kB\nMemTotal: 1048576 kB\n");
	check_cmd("alloc larger than MemTotal",
		  ARGV("alloc", "2G", "--heap", "system", "--json"), 4, true);
	check_cmd("bench larger than MemTotal",
		  ARGV("bench", "--sizes", "2G", "--iterations", "1"), 4, false);
	fix_done(&fx);
}

/* ---- reading the JSON back ---- */

/* Step over the members of the object or array at v->p until @seg */
static bool jp_step(struct jv *v, const char *seg, size_t seglen)
{
	bool obj = *v->p == '{';
	char close = obj ? '}' : ']';
	long want = obj ? 0 : atol(seg), i;
	const char *key;

	if (*v->p != '{' && *v->p != '[')
		return false;
	v->p++;
	for (i = 0;; i++) {
		jv_ws(v);
		if (*v->p == close)
			return false;
		if (obj) {
			key = v->p + 1;
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (*v->p++ != ':')
				return false;
			jv_ws(v);
			if (!strncmp(key, seg, seglen) && key[seglen] == '"')
				return true;
		} else if (i == want) {
			jv_ws(v);
			return true;
		}
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (*v->p == ',')
			v->p++;
	}
}

/*
 * The value at @path ("phases.cold.results.0.size") of the JSON document
 * @doc as text ("3", "null", "\"x\""; "{" or "[" for a container) in @out
 */
static bool json_at(const char *doc, const char *path, char *out, size_t len)
{
	struct jv v = { .p = doc };
	const char *start;
	size_t n;

	for (;;) {
		jv_ws(&v);
		if (!*path)
			break;
		n = strcspn(path, ".");
		if (!jp_step(&v, path, n))
			return false;
		path += n;
		if (*path == '.')
			path++;
	}
	start = v.p;
	if (*v.p == '{' || *v.p == '[') {
		snprintf(out, len, "%c", *v.p);
		return true;
	}
	if (!jv_value(&v))
		return false;
	snprintf(out, len, "%.*s", (int)(v.p - start), start);
	return true;
}

/* The value at @path of @doc is @want */
static void json_is(const char *name, const char *doc, const char *path,
		    const char *want)
{
	char got[128] = "(no such member)";

	json_at(doc, path, got, sizeof(got));
	if (!ok(!strcmp(got, want), "%s: %s = %s", name, path, want))
		diag("got %s", got);
}

static void test_json_at(void)
{
	static const char doc[] =
		"{\"a\": {\"b\": [1, {\"c\": \"x\"}], \"bb\": null}, \"d\": 2.5}";
	char v[32];

	ok(json_at(doc, "a.b.1.c", v, sizeof(v)) && !strcmp(v, "\"x\"") &&
	   json_at(doc, "a.b.0", v, sizeof(v)) && !strcmp(v, "1") &&
	   json_at(doc, "a.bb", v, sizeof(v)) && !strcmp(v, "null") &&
	   json_at(doc, "d", v, sizeof(v)) && !strcmp(v, "2.5") &&
	   json_at(doc, "a.b", v, sizeof(v)) && !strcmp(v, "[") &&
	   !json_at(doc, "a.b.2", v, sizeof(v)) &&
	   !json_at(doc, "a.c", v, sizeof(v)) &&
	   !json_at(doc, "a.b.0.x", v, sizeof(v)), "json_at self-check");
}

/* ---- bench against a fake kernel ---- */

/*
 * The hook that stands in for the alloc/free cycles: a small model of the
 * shared heap with a pool of 2 MiB blocks, that writes the counters the
 * bench reads into the fixture, as the kernel would. A drop_caches write
 * empties the pool when the next cycle runs.
 */
static struct fake_kernel {
	bool new_keys;			/* the emulator's and pool's new keys */
	bool emu;			/* write the emulator's counters */
	const char *heap_stats;		/* where the heap's go, or NULL */
	long long pool_blocks;
	long long emu_v[11], heap_v[9];
	unsigned long sys_cycles, drops;
	int fail_shared;		/* -errno for every shared cycle */
} fk;

static const char *const fk_emu_keys[11] = {
	"to_shared_calls", "to_shared_pages", "to_private_calls",
	"to_private_pages", "aligned_2m", "splits", "ops_4k", "ops_2m",
	"tlb_flushes", "modeled_ns_snp", "modeled_ns_tdx",
};
#define FK_OLD_EMU_KEYS	6	/* the first six are the old ones */
static const char *const fk_heap_keys[9] = {
	"to_shared", "to_private", "failed_to_shared", "failed_to_private",
	"pool_hits", "pool_misses", "blocks_to_shared", "blocks_to_private",
	"pool_bytes",
};
#define FK_OLD_HEAP_KEYS 4

static void fk_write(const char *rel, const char *const *keys,
		     const long long *v, unsigned int n, const char *extra)
{
	char path[512];
	unsigned int i;
	FILE *f;

	if (sys_path(path, sizeof(path), rel) || !(f = fopen(path, "w"))) {
		perror(rel);
		exit(1);
	}
	fputs(extra, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s %lld\n", keys[i], v[i]);
	fclose(f);
}

static void fk_publish(void)
{
	if (fk.emu)
		fk_write(EMU_STATS, fk_emu_keys, fk.emu_v,
			 fk.new_keys ? 11 : FK_OLD_EMU_KEYS,
			 "shared_frames 7\nviolations 0\n");
	if (fk.heap_stats)
		fk_write(fk.heap_stats, fk_heap_keys, fk.heap_v,
			 fk.new_keys ? 9 : FK_OLD_HEAP_KEYS,
			 "buffers 0\nleaked_pages 0\n");
}

/* Was "2" written to drop_caches since the last look? Then forget it. */
static bool fk_dropped(void)
{
	char path[512], buf[8] = "";
	bool dropped;
	FILE *f;

	if (sys_path(path, sizeof(path), DROP_CACHES) ||
	    !(f = fopen(path, "r")))
		return false;
	dropped = fgets(buf, sizeof(buf), f) && !strcmp(buf, "2\n");
	fclose(f);
	if (dropped) {
		f = fopen(path, "w");
		if (f)
			fclose(f);
	}
	return dropped;
}

static int fk_cycle(const char *heap, uint64_t size)
{
	long long pages = (long long)(size / 4096);
	long long blocks = (long long)((size + (2 << 20) - 1) / (2 << 20));
	bool large = size >= 2 << 20;

	if (fk_dropped()) {
		fk.drops++;
		fk.pool_blocks = 0;
	}
	if (!strcmp(heap, HEAP_SYSTEM)) {
		fk.sys_cycles++;
		return 0;
	}
	if (fk.fail_shared)
		return fk.fail_shared;
	if (fk.new_keys && fk.pool_blocks >= blocks) {
		fk.heap_v[4]++;				/* pool_hits */
		fk_publish();
		return 0;
	}
	if (fk.new_keys)
		fk.heap_v[5]++;				/* pool_misses */
	fk.emu_v[0]++;					/* to_shared_calls */
	fk.emu_v[1] += pages;
	fk.emu_v[4] += large ? blocks : 0;		/* aligned_2m */
	fk.emu_v[5] += large ? 0 : 1;			/* splits */
	fk.emu_v[6] += large ? 0 : pages;		/* ops_4k */
	fk.emu_v[7] += large ? blocks : 0;		/* ops_2m */
	fk.emu_v[9] += pages * 1000;			/* modeled_ns_snp */
	fk.emu_v[10] += pages * 2000;			/* modeled_ns_tdx */
	fk.heap_v[0]++;					/* to_shared */
	fk.heap_v[6] += blocks;				/* blocks_to_shared */
	if (fk.new_keys) {
		/* the free keeps the blocks in the pool */
		fk.pool_blocks = blocks > fk.pool_blocks ? blocks :
				 fk.pool_blocks;
		fk.heap_v[8] = fk.pool_blocks << 21;	/* pool_bytes */
	} else {
		/* no pool: the free converts back */
		fk.emu_v[2]++;
		fk.emu_v[3] += pages;
		fk.heap_v[1]++;
	}
	fk_publish();
	return 0;
}

/* A guest with both heaps; @new_kernel: every new counter and the pool */
static void fk_init(struct fixture *fx, bool new_kernel, bool emu)
{
	memset(&fk, 0, sizeof(fk));
	fk.new_keys = new_kernel;
	fk.emu = emu;
	fk.heap_stats = new_kernel ? HEAP_STATS : HEAP_STATS_OLD;
	fix_init(fx, "x86_64");
	fix_file(fx, "/proc/cpuinfo", CPU_PLAIN);
	fix_file(fx, HEAP_DIR "/system", "");
	fix_file(fx, HEAP_DIR "/system_cc_shared", "");
	/* the files the fake kernel rewrites */
	if (emu)
		fix_file(fx, EMU_STATS, "");
	fix_file(fx, fk.heap_stats, "");
	if (new_kernel) {
		fix_file(fx, DROP_CACHES, "");
		fix_file(fx, POOL_MAX_MB, "64\n");
	}
	fk_publish();
	bench_set_cycle_hook(fk_cycle);
}

static void fk_done(struct fixture *fx)
{
	bench_set_cycle_hook(NULL);
	fix_done(fx);
}

/* bench @argv with --json in the fake: exit 0 and valid JSON in r */
static bool bench_json_run(const char *name, struct run *r,
			   const char *const *argv)
{
	run_argv(r, argv);
	if (!ok(r->rc == 0 && json_valid(r->out) && !r->err_len,
		"bench --json, %s: exit 0, valid JSON", name)) {
		diag("rc %d err %s out %.1500s", r->rc, r->err, r->out);
		return false;
	}
	return true;
}

static void test_bench_new_kernel(void)
{
	const char *n = "new kernel";
	struct fixture fx;
	struct run r;

	fk_init(&fx, true, true);
	if (bench_json_run(n, &r, ARGV("bench", "--sizes", "64K,4M",
				       "--iterations", "3", "--json"))) {
		json_is(n, r.out, "phase", "\"both\"");
		json_is(n, r.out, "results_phase", "\"warm\"");
		json_is(n, r.out, "heap_stats_path", "\"" HEAP_STATS "\"");
		json_is(n, r.out, "pool_max_mb", "64");
		json_is(n, r.out, "pool_cap_bytes", "null");
		json_is(n, r.out, "notes", "[");
		json_is(n, r.out, "phases.cold.pool_emptied", "true");
		json_is(n, r.out, "phases.warm.pool_emptied", "true");
		/* cold: every cycle misses and converts */
		json_is(n, r.out, "phases.cold.results.0.size", "65536");
		json_is(n, r.out, "phases.cold.results.0.shared.cycles", "3");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"emulator_deltas.to_shared_calls", "3");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"emulator_deltas.to_shared_pages", "48");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"emulator_deltas.splits", "3");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"emulator_deltas.ops_4k", "48");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"emulator_deltas.tlb_flushes", "0");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"heap_deltas.pool_misses", "3");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"heap_deltas.pool_hits", "0");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"heap_deltas.trims", "null");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"per_cycle.to_shared_pages", "16.000");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"per_cycle.modeled_ns_tdx", "32000.000");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"conversions", "3");
		json_is(n, r.out, "phases.cold.results.0.shared."
			"conversions_per_cycle", "1.000");
		json_is(n, r.out, "phases.cold.results.1.shared."
			"emulator_deltas.aligned_2m", "6");
		json_is(n, r.out, "phases.cold.results.1.shared."
			"emulator_deltas.ops_2m", "6");
		json_is(n, r.out, "phases.cold.results.1.shared."
			"heap_deltas.blocks_to_shared", "6");
		json_is(n, r.out, "phases.cold.results.1.shared."
			"per_cycle.modeled_ns_snp", "1024000.000");
		/* the system heap converts nothing */
		json_is(n, r.out, "phases.cold.results.0.system."
			"emulator_deltas.to_shared_calls", "0");
		json_is(n, r.out, "phases.cold.results.0.system.device",
			"null");
		/* warm: the priming cycle filled the pool */
		json_is(n, r.out, "phases.warm.results.1.shared."
			"emulator_deltas.to_shared_calls", "0");
		json_is(n, r.out, "phases.warm.results.1.shared."
			"heap_deltas.pool_hits", "3");
		json_is(n, r.out, "phases.warm.results.1.shared."
			"per_cycle.pool_hits", "1.000");
		json_is(n, r.out, "phases.warm.results.1.shared."
			"pool_bytes_after", "4194304");
		/* results: the warm rows, as before phases */
		json_is(n, r.out, "results.1.shared.heap_deltas.pool_hits",
			"3");
		json_is(n, r.out, "results.0.system.ok", "true");
		json_is(n, r.out, "results.0.shared.ok", "true");
		json_is(n, r.out, "shared_heap", "\"system_cc_shared\"");
	}
	/* 2 phases x 2 sizes x (1 + 3) cycles */
	ok(fk.sys_cycles == 16, "bench: system ran 16 cycles (%lu)",
	   fk.sys_cycles);
	run_free(&r);

	memset(fk.emu_v, 0, sizeof(fk.emu_v));
	run_argv(&r, ARGV("bench", "--sizes", "64K,4M,16M", "--iterations",
			  "2"));
	if (!ok(r.rc == 0 && max_line(r.out) <= 100 && !r.err_len &&
		strstr(r.out, "cold: the pool emptied (drop_caches)") &&
		strstr(r.out, "warm: the pool kept") &&
		strstr(r.out, "pool:           pool_max_mb 64\n") &&
		strstr(r.out, "   snp us     tdx us   hits misses\n") &&
		/* cold 16M: 8 blocks per cycle, 4096 pages */
		strstr(r.out, "       shared     1.0   4096.0    8.0     0.0"
		       "      0.0     8.0     4096.0     8192.0    0.0    1.0\n"),
		"bench text, new kernel: tables of both phases, 100 columns"))
		diag("rc %d err %s\n%s", r.rc, r.err, r.out);
	run_free(&r);

	if (bench_json_run("--phase cold", &r, ARGV("bench", "--sizes", "2M",
			   "--iterations", "2", "--phase", "cold", "--json"))) {
		json_is("--phase cold", r.out, "phases.warm", "null");
		json_is("--phase cold", r.out, "results_phase", "\"cold\"");
		json_is("--phase cold", r.out,
			"results.0.shared.heap_deltas.pool_misses", "2");
	}
	run_free(&r);
	if (bench_json_run("--phase warm", &r, ARGV("bench", "--sizes", "2M",
			   "--iterations", "2", "--phase", "warm", "--json"))) {
		json_is("--phase warm", r.out, "phases.cold", "null");
		json_is("--phase warm", r.out,
			"results.0.shared.heap_deltas.pool_hits", "2");
	}
	run_free(&r);

	fk.fail_shared = -ENOMEM;
	if (bench_json_run("shared heap fails", &r, ARGV("bench", "--sizes",
			   "64K", "--iterations", "1", "--json"))) {
		json_is("shared heap fails", r.out, "results.0.shared.ok",
			"false");
		json_is("shared heap fails", r.out,
			"results.0.shared.emulator_deltas", "null");
		json_is("shared heap fails", r.out,
			"results.0.ratio_shared_system", "null");
	}
	run_free(&r);
	run_argv(&r, ARGV("bench", "--sizes", "64K", "--iterations", "1"));
	if (!ok(r.rc == 0 && strstr(r.out, "\n       shared   error\n") &&
	   strstr(r.out, "note:           64K on system_cc_shared (cold): "),
	   "bench text: a failed shared heap is an error cell and a note"))
		diag("rc %d err %s\n%s", r.rc, r.err, r.out);
	run_free(&r);
	fk_done(&fx);
}

static void test_bench_old_kernel(void)
{
	const char *n = "old kernel";
	struct fixture fx;
	struct run r;

	/* old counters only, the old heap counters' path, no pool, no drop */
	fk_init(&fx, false, true);
	if (bench_json_run(n, &r, ARGV("bench", "--sizes", "2M",
				       "--iterations", "2", "--json"))) {
		json_is(n, r.out, "heap_stats_path", "\"" HEAP_STATS_OLD "\"");
		json_is(n, r.out, "pool_max_mb", "null");
		json_is(n, r.out, "phases.cold.pool_emptied", "false");
		json_is(n, r.out, "notes.0", "\"cannot write " DROP_CACHES
			" (No such file or directory): the pool was not "
			"emptied, so the cold phase is not cold\"");
		json_is(n, r.out, "results.0.shared.emulator_deltas."
			"to_shared_calls", "2");
		json_is(n, r.out, "results.0.shared.emulator_deltas."
			"to_private_pages", "1024");
		json_is(n, r.out, "results.0.shared.emulator_deltas.ops_4k",
			"null");
		json_is(n, r.out, "results.0.shared.emulator_deltas."
			"modeled_ns_snp", "null");
		json_is(n, r.out, "results.0.shared.heap_deltas.to_shared",
			"2");
		json_is(n, r.out, "results.0.shared.heap_deltas.pool_hits",
			"null");
		json_is(n, r.out, "results.0.shared.per_cycle.ops_2m", "null");
		json_is(n, r.out, "results.0.shared.per_cycle.to_shared_calls",
			"1.000");
		json_is(n, r.out, "results.0.shared.pool_bytes_after", "null");
		json_is(n, r.out, "results.0.shared.conversions", "4");
	}
	run_free(&r);
	run_argv(&r, ARGV("bench", "--sizes", "64K,2M", "--iterations", "1"));
	if (!ok(r.rc == 0 && max_line(r.out) <= 100 &&
		strstr(r.out, "cold: the pool could not be emptied") &&
		strstr(r.out, "pool:           n/a (no pool_max_mb") &&
		strstr(r.out, "       shared     1.0    512.0    1.0     0.0"
		       "        -       -          -          -      -      -\n"),
		"bench text, old kernel: '-' for what it lacks"))
		diag("rc %d err %s\n%s", r.rc, r.err, r.out);
	run_free(&r);
	fk_done(&fx);

	/* no emulator: the heap's counters only */
	fk_init(&fx, true, false);
	if (bench_json_run("no emulator", &r, ARGV("bench", "--sizes", "64K",
			   "--iterations", "1", "--json"))) {
		json_is("no emulator", r.out, "conversions_source", "\"heap\"");
		json_is("no emulator", r.out,
			"results.0.shared.emulator_deltas", "null");
		json_is("no emulator", r.out,
			"results.0.shared.per_cycle.to_shared_calls", "null");
		json_is("no emulator", r.out,
			"results.0.shared.heap_deltas.pool_hits", "1");
	}
	run_free(&r);
	fk_done(&fx);
}

static void test_heap_stats_path(void)
{
	struct fixture fx;
	struct ccheap_sys s;
	long long v = 0;

	fix_init(&fx, "x86_64");
	fix_file(&fx, HEAP_STATS_OLD, "to_shared 5\n");
	ok(!sys_probe(&s) && s.heap_stats_ok &&
	   !strcmp(s.heap_stats_path, HEAP_STATS_OLD) &&
	   !kv_get(&s.heap_stats, "to_shared", &v) && v == 5,
	   "heap counters: the old path when the new one is missing");
	check_info_json("old heap counters' path",
			ARGV("\"path\": \"" HEAP_STATS_OLD "\"",
			     "\"to_shared\": 5"));
	fix_file(&fx, HEAP_STATS, "to_shared 6\n");
	ok(!sys_probe(&s) && s.heap_stats_ok &&
	   !strcmp(s.heap_stats_path, HEAP_STATS) &&
	   !kv_get(&s.heap_stats, "to_shared", &v) && v == 6,
	   "heap counters: the new path wins");
	fix_done(&fx);
	fix_init(&fx, "x86_64");
	ok(!sys_probe(&s) && !s.heap_stats_ok &&
	   !strcmp(s.heap_stats_path, HEAP_STATS),
	   "heap counters: neither path, the new one is named");
	ok(sys_write_str(DROP_CACHES, "2\n") == -ENOENT,
	   "sys_write_str creates no file");
	fix_done(&fx);
}

int main(int argc, char **argv)
{
	const char *man = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	test_parse_size();
	test_size_list();
	test_parse_count();
	test_fmt_size();
	test_json_escape();
	test_json_writer();
	test_exit_codes();
	test_rdma_sizes();
	test_usage_errors();
	test_args_ok();
	test_help();
	test_man(man);
	test_kv();
	test_info_none();
	test_info_emulated();
	test_info_kinds();
	test_info_reasons();
	test_info_module();
	test_cmdline();
	test_alloc_errors();
	test_json_at();
	test_heap_stats_path();
	test_bench_new_kernel();
	test_bench_old_kernel();
	printf("1..%d\n", nr_tests);
	if (nr_failed)
		diag("%d of %d failed", nr_failed, nr_tests);
	return nr_failed ? 1 : 0;
}
