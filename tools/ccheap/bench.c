// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap bench: alloc/free cycles on the system heap and the shared heap,
 * size by size, side by side; conversions per GiB from the counters; with
 * --device, what a device mapping of each heap's buffer bounces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fmt.h"
#include "heap.h"

#define BENCH_WARMUP		1
/* a run or a device note per heap and size, and a few about the setup */
#define BENCH_MAX_NOTES		(BENCH_MAX_SIZES * 2 + 8)
#define BENCH_NOTE_MAX		160
#define PROGRESS_NS		100000000ull	/* redraw at most every 100 ms */
#define PROGRESS_AFTER_NS	500000000ull	/* short runs show none */

enum conv_source {
	CONV_NONE,
	CONV_EMU,		/* emulator to_shared_calls + to_private_calls */
	CONV_HEAP,		/* heap to_shared + to_private */
};

/* One heap at one size */
struct heap_run {
	const char *heap;
	int err;			/* 0, or why it did not run */
	uint64_t mean_ns, min_ns, max_ns;
	long long conversions;		/* counter delta, -1 if unknown */
	int dev_err;			/* -ENODATA: device part not run */
	struct dev_map_result dev;
};

struct bench_row {
	uint64_t size;
	struct heap_run sys;
	struct heap_run shared;		/* heap NULL: no shared heap */
};

struct bench {
	struct ccheap_ctx *ctx;
	const struct ccheap_args *args;
	const char *shared;
	enum conv_source src;
	bool device;			/* run the device part */
	bool forced;			/* swiotlb bounces all DMA */
	uint64_t mem_total;		/* MemTotal, 0 if unknown */
	char clock[32];			/* clocksource, "" if unknown */
	bool progress, tty;
	uint64_t start_ns;		/* when the bench started */
	uint64_t drawn_ns;		/* last progress redraw, 0: none yet */
	unsigned int nr_notes;
	char notes[BENCH_MAX_NOTES][BENCH_NOTE_MAX];
	unsigned int nr_rows;
	struct bench_row rows[BENCH_MAX_SIZES];
};

CCHEAP_PRINTF(2, 3)
static void note(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->nr_notes == BENCH_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(b->notes[b->nr_notes++], BENCH_NOTE_MAX, fmt, ap);
	va_end(ap);
}

static const char *conv_source_name(enum conv_source src)
{
	switch (src) {
	case CONV_EMU:
		return "emulator";
	case CONV_HEAP:
		return "heap";
	default:
		return "n/a";
	}
}

/* Conversions so far by the chosen counters, or -1 */
static long long conversions(enum conv_source src)
{
	const char *path = src == CONV_EMU ? EMU_STATS : HEAP_STATS;
	const char *k1 = src == CONV_EMU ? "to_shared_calls" : "to_shared";
	const char *k2 = src == CONV_EMU ? "to_private_calls" : "to_private";
	struct kvset set;
	long long a, b;

	if (src == CONV_NONE || kv_read(path, &set) || kv_get(&set, k1, &a) ||
	    kv_get(&set, k2, &b))
		return -1;
	return a + b;
}

static void progress(struct bench *b, const struct heap_run *r,
		     uint64_t size, unsigned long done, bool force)
{
	unsigned long total = b->args->iterations;
	uint64_t now;
	char sz[32];

	if (!b->progress)
		return;
	fmt_size(size, sz, sizeof(sz));
	if (!b->tty) {
		/* Not a terminal: one line per heap and size */
		if (!done)
			fprintf(b->ctx->err, "bench: %s on %s, %lu cycles\n",
				sz, r->heap, total);
		return;
	}
	now = now_ns();
	if (now - b->start_ns < PROGRESS_AFTER_NS ||
	    (!force && now - b->drawn_ns < PROGRESS_NS))
		return;
	b->drawn_ns = now;
	fprintf(b->ctx->err, "\rbench: %s on %s: %lu/%lu   ", sz, r->heap,
		done, total);
	fflush(b->ctx->err);
}

static void progress_done(struct bench *b)
{
	if (b->progress && b->tty && b->drawn_ns)
		fprintf(b->ctx->err, "\r%*s\r", CCHEAP_COLS - 1, "");
}

/* Allocate and free one buffer */
static int cycle(int heap, uint64_t size)
{
	int buf, ret = heap_alloc(heap, size, &buf);

	return ret ? ret : xclose(buf);
}

/* args->iterations timed cycles; progress is drawn between them */
static int timed_cycles(struct bench *b, struct heap_run *r, int heap,
			uint64_t size)
{
	unsigned long i, n = b->args->iterations;
	uint64_t t0, dt, sum = 0;
	int ret;

	r->min_ns = UINT64_MAX;
	r->max_ns = 0;
	for (i = 0; i < n; i++) {
		progress(b, r, size, i, false);
		t0 = now_ns();
		ret = cycle(heap, size);
		dt = now_ns() - t0;
		if (ret)
			return ret;
		sum += dt;
		r->min_ns = dt < r->min_ns ? dt : r->min_ns;
		r->max_ns = dt > r->max_ns ? dt : r->max_ns;
	}
	progress(b, r, size, n, true);
	r->mean_ns = sum / n;
	return 0;
}

/* Warm up, then time; the counters see the timed cycles only */
static void run_heap(struct bench *b, struct heap_run *r, uint64_t size)
{
	long long c0, c1;
	int heap, ret = 0;
	unsigned int i;

	r->conversions = -1;
	r->dev_err = -ENODATA;
	/* The heaps do not check; the OOM killer would end us instead. */
	if (b->mem_total && size > b->mem_total) {
		r->err = -ENOMEM;
		return;
	}
	r->err = heap_open(r->heap, &heap);
	if (r->err)
		return;
	for (i = 0; i < BENCH_WARMUP && !ret; i++)
		ret = cycle(heap, size);
	c0 = conversions(b->src);
	if (!ret)
		ret = timed_cycles(b, r, heap, size);
	c1 = conversions(b->src);
	xclose(heap);
	r->err = ret;
	if (!ret && c0 >= 0 && c1 >= 0)
		r->conversions = c1 - c0;
}

/* Map one buffer of r->heap through the test device */
static void run_device(struct heap_run *r, uint64_t size)
{
	int heap, buf, ret;

	if (r->err) {
		r->dev_err = r->err;
		return;
	}
	ret = heap_open(r->heap, &heap);
	if (ret) {
		r->dev_err = ret;
		return;
	}
	ret = heap_alloc(heap, size, &buf);
	xclose(heap);
	if (!ret) {
		ret = dev_map_buf(buf, &r->dev);
		xclose(buf);
	}
	r->dev_err = ret;
}

static void dev_note(struct bench *b, const struct heap_run *r,
		     const char *sz)
{
	if (!r->dev_err || r->err)	/* r->err has its own note */
		return;
	note(b, "%s on %s: device mapping failed: %s%s", sz, r->heap,
	     strerror(-r->dev_err), r->dev_err == -EIO && b->forced &&
	     !strcmp(r->heap, HEAP_SYSTEM) ?
	     " (all DMA bounces here, and swiotlb bounces at most 256K at "
	     "once)" : "");
}

static void run_size(struct bench *b, struct bench_row *row)
{
	char sz[32];

	fmt_size(row->size, sz, sizeof(sz));
	run_heap(b, &row->sys, row->size);
	if (row->sys.err)
		note(b, "%s on %s: %s", sz, row->sys.heap,
		     strerror(-row->sys.err));
	if (row->shared.heap) {
		run_heap(b, &row->shared, row->size);
		if (row->shared.err)
			note(b, "%s on %s: %s", sz, row->shared.heap,
			     strerror(-row->shared.err));
	}
	if (!b->device)
		return;
	run_device(&row->sys, row->size);
	dev_note(b, &row->sys, sz);
	if (row->shared.heap) {
		run_device(&row->shared, row->size);
		dev_note(b, &row->shared, sz);
	}
}

/* 0 if /dev/dma_heap/@name exists, else -errno */
static int heap_exists(const char *name)
{
	char path[SYS_NAME_MAX + sizeof(HEAP_DIR)];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	return sys_stat(path);
}

static int heap_missing(struct ccheap_ctx *ctx, const char *name, int err)
{
	if (err == -ENOENT)
		return ccheap_fail(ctx, err, "bench: no heap '%s' in " HEAP_DIR,
				   name);
	return ccheap_fail(ctx, err, "bench: heap '%s': %s", name,
			   strerror(-err));
}

/* Which heaps, counters and device to use; notes for what is missing */
static int setup(struct bench *b, const struct ccheap_sys *s)
{
	struct ccheap_ctx *ctx = b->ctx;
	char why[160];
	int ret;

	ret = heap_exists(HEAP_SYSTEM);
	if (ret)
		return heap_missing(ctx, HEAP_SYSTEM, ret);
	b->shared = b->args->heap ? b->args->heap : s->shared;
	if (b->args->heap) {
		ret = heap_exists(b->args->heap);
		if (ret)
			return heap_missing(ctx, b->args->heap, ret);
	} else if (!b->shared) {
		shared_reason_text(s, why, sizeof(why));
		note(b, "no shared heap: %s; only %s was measured", why,
		     HEAP_SYSTEM);
	}
	b->src = s->emu ? CONV_EMU : s->heap_stats_ok ? CONV_HEAP : CONV_NONE;
	if (b->src == CONV_NONE)
		note(b, "no conversion counters (%s, %s): conversions n/a",
		     EMU_STATS, HEAP_STATS);
	b->device = b->args->device && s->test_dev;
	b->forced = s->forced;
	if (sys_mem_total(&b->mem_total))
		b->mem_total = 0;
	if (sys_clocksource(b->clock, sizeof(b->clock)))
		b->clock[0] = '\0';
	if (strstr(b->clock, "jiffies"))
		note(b, "the clocksource is %s: times have jiffy resolution, "
		     "so raise --iterations", b->clock);
	if (b->args->device && !s->test_dev)
		note(b, "--device: " TEST_DEV " is missing; no device mapping");
	return 0;
}

static double per_gib(const struct heap_run *r, uint64_t size,
		      unsigned long n)
{
	if (r->err || r->conversions < 0)
		return -1.0;
	return (double)r->conversions * (double)(1ull << 30) /
	       ((double)size * (double)n);
}

static double ratio(const struct bench_row *row)
{
	if (!row->shared.heap || row->sys.err || row->shared.err ||
	    !row->sys.mean_ns)
		return -1.0;
	return (double)row->shared.mean_ns / (double)row->sys.mean_ns;
}

static void json_dev(struct json *j, const struct heap_run *r)
{
	static const char *const keys[] = {
		"nr_segments", "nr_bounced", "mapped_bytes", "bounced_bytes",
	};
	const uint64_t vals[] = {
		r->dev.nr_segments, r->dev.nr_bounced,
		r->dev.mapped_bytes, r->dev.bounced_bytes,
	};
	unsigned int i;

	if (r->dev_err == -ENODATA) {
		json_null(j, "device");
		return;
	}
	json_obj_open(j, "device");
	json_str(j, "error", r->dev_err ? strerror(-r->dev_err) : NULL);
	for (i = 0; i < 4; i++) {
		if (r->dev_err)
			json_null(j, keys[i]);
		else
			json_u64(j, keys[i], vals[i]);
	}
	json_obj_close(j);
}

static void json_run(struct json *j, const char *key, const struct heap_run *r,
		     uint64_t size, unsigned long n)
{
	double pg = per_gib(r, size, n);

	if (!r->heap) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	json_str(j, "heap", r->heap);
	json_bool(j, "ok", !r->err);
	json_str(j, "error", r->err ? strerror(-r->err) : NULL);
	json_known(j, "mean_ns", r->err ? -1 : (long long)r->mean_ns);
	json_known(j, "min_ns", r->err ? -1 : (long long)r->min_ns);
	json_known(j, "max_ns", r->err ? -1 : (long long)r->max_ns);
	json_known(j, "conversions", r->err ? -1 : r->conversions);
	if (pg < 0)
		json_null(j, "conversions_per_gib");
	else
		json_double(j, "conversions_per_gib", pg, 1);
	json_dev(j, r);
	json_obj_close(j);
}

static int bench_json(struct bench *b)
{
	unsigned long n = b->args->iterations;
	struct json j;
	unsigned int i;

	json_init(&j, b->ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", "bench");
	json_u64(&j, "iterations", n);
	json_u64(&j, "warmup", BENCH_WARMUP);
	json_str(&j, "system_heap", HEAP_SYSTEM);
	json_str(&j, "shared_heap", b->shared);
	json_str(&j, "conversions_source", conv_source_name(b->src));
	json_bool(&j, "device", b->device);
	json_str(&j, "clocksource", b->clock[0] ? b->clock : NULL);
	json_arr_open(&j, "notes");
	for (i = 0; i < b->nr_notes; i++)
		json_str(&j, NULL, b->notes[i]);
	json_arr_close(&j);
	json_arr_open(&j, "results");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];
		double r = ratio(row);

		json_obj_open(&j, NULL);
		json_u64(&j, "size", row->size);
		json_run(&j, "system", &row->sys, row->size, n);
		json_run(&j, "shared", &row->shared, row->size, n);
		if (r < 0)
			json_null(&j, "ratio_shared_system");
		else
			json_double(&j, "ratio_shared_system", r, 3);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	return json_finish(b->ctx, &j);
}

/* "12.3" microseconds, "error" or "-" into @buf */
static const char *cell_us(const struct heap_run *r, char *buf, size_t len)
{
	if (!r->heap)
		return "-";
	if (r->err)
		return "error";
	snprintf(buf, len, "%.1f", (double)r->mean_ns / 1000.0);
	return buf;
}

static const char *cell_num(double v, int decimals, char *buf, size_t len)
{
	if (v < 0)
		return "n/a";
	snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

static void print_times(struct bench *b)
{
	FILE *f = b->ctx->out;
	unsigned long n = b->args->iterations;
	char sz[32], c1[32], c2[32], c3[32], c4[32], c5[32];
	unsigned int i;

	fprintf(f, "%-8s %11s %11s %7s %14s %15s\n", "size", "system us",
		"shared us", "ratio", "conv/GiB sys", "conv/GiB shared");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];

		fprintf(f, "%-8s %11s %11s %7s %14s %15s\n",
			fmt_size(row->size, sz, sizeof(sz)),
			cell_us(&row->sys, c1, sizeof(c1)),
			cell_us(&row->shared, c2, sizeof(c2)),
			cell_num(ratio(row), 2, c3, sizeof(c3)),
			cell_num(per_gib(&row->sys, row->size, n), 0, c4,
				 sizeof(c4)),
			row->shared.heap ?
			cell_num(per_gib(&row->shared, row->size, n), 0, c5,
				 sizeof(c5)) : "-");
	}
}

/* "16777216" bounced bytes, "error" or "-" */
static const char *cell_dev(const struct heap_run *r, char *buf, size_t len)
{
	if (!r->heap)
		return "-";
	if (r->dev_err)
		return "failed";
	snprintf(buf, len, "%" PRIu64, r->dev.bounced_bytes);
	return buf;
}

static const char *cell_segs(const struct heap_run *r, char *buf, size_t len)
{
	if (!r->heap || r->dev_err)
		return "-";
	snprintf(buf, len, "%" PRIu32, r->dev.nr_segments);
	return buf;
}

static void print_device(struct bench *b)
{
	FILE *f = b->ctx->out;
	char sz[32], c1[32], c2[32], c3[16], c4[16], segs[48];
	unsigned int i;

	fprintf(f, "\ndevice mapping through " TEST_DEV
		" (bytes bounced by swiotlb):\n");
	fprintf(f, "%-8s %15s %15s %21s\n", "size", "system bounced",
		"shared bounced", "segments sys/shared");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];

		snprintf(segs, sizeof(segs), "%s/%s",
			 cell_segs(&row->sys, c3, sizeof(c3)),
			 cell_segs(&row->shared, c4, sizeof(c4)));
		fprintf(f, "%-8s %15s %15s %21s\n",
			fmt_size(row->size, sz, sizeof(sz)),
			cell_dev(&row->sys, c1, sizeof(c1)),
			cell_dev(&row->shared, c2, sizeof(c2)), segs);
	}
}

static int bench_human(struct bench *b)
{
	FILE *f = b->ctx->out;
	unsigned int i;

	fprintf(f, "bench: %lu alloc/free cycles per size and heap, after %d "
		"warm-up\n", b->args->iterations, BENCH_WARMUP);
	fmt_field(f, "heaps", HEAP_SYSTEM " vs %s",
		  b->shared ? b->shared : "(no shared heap)");
	fmt_field(f, "conversions", "%s", b->src == CONV_EMU ?
		  "emulator (to_shared_calls + to_private_calls)" :
		  b->src == CONV_HEAP ? "heap (to_shared + to_private)" :
		  "n/a (no counters)");
	fputc('\n', f);
	print_times(b);
	if (b->device)
		print_device(b);
	if (b->nr_notes)
		fputc('\n', f);
	for (i = 0; i < b->nr_notes; i++)
		fmt_field(f, "note", "%s", b->notes[i]);
	return out_finish(b->ctx);
}

/* A note if the clock did not advance during some heap's cycles */
static void check_zero_means(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];

		if ((!row->sys.err && !row->sys.mean_ns) ||
		    (row->shared.heap && !row->shared.err &&
		     !row->shared.mean_ns)) {
			note(b, "some means are 0: the clock did not advance "
			     "during the cycles; raise --iterations");
			return;
		}
	}
}

/* 0 if the system heap ran for at least one size, else its error */
static int bench_status(struct bench *b)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < b->nr_rows; i++) {
		if (!b->rows[i].sys.err)
			return 0;
		err = err ? err : b->rows[i].sys.err;
	}
	return ccheap_fail(b->ctx, err, "bench: the %s heap failed at every "
			   "size: %s", HEAP_SYSTEM, strerror(-err));
}

int cmd_bench(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	struct bench b;
	struct ccheap_sys s;
	unsigned int i;
	int ret;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.args = args;
	b.tty = isatty(fileno(ctx->err));
	b.progress = args->progress || b.tty;
	b.start_ns = now_ns();
	ret = sys_probe(&s);
	if (!ret)
		ret = setup(&b, &s);
	if (ret)
		return ret;
	for (i = 0; i < args->nr_sizes; i++) {
		struct bench_row *row = &b.rows[b.nr_rows++];

		row->size = args->sizes[i];
		row->sys.heap = HEAP_SYSTEM;
		row->shared.heap = b.shared;
		run_size(&b, row);
	}
	progress_done(&b);
	check_zero_means(&b);
	ret = bench_status(&b);
	if (ret)
		return ret;
	return ctx->json ? bench_json(&b) : bench_human(&b);
}
