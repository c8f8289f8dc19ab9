// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap bench: alloc/free cycles on the system heap and the shared heap,
 * size by size, side by side, in two phases:
 *
 *   cold  the shared heap's pool of shared blocks is emptied (drop_caches
 *         runs its shrinker) before every cycle, so every allocation
 *         converts fresh memory;
 *   warm  the pool is kept: one priming cycle, then the same size again
 *         and again.
 *
 * The emulator's and the heap's counters are read around each run; their
 * deltas say what the cycles converted and how. With --device, what a
 * device mapping of each heap's buffer bounces.
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
/* The tables are laid out for this many columns. */
#define BENCH_COLS		100
/* a run note per phase, heap and size, a device note per heap and size */
#define BENCH_MAX_NOTES		(BENCH_MAX_SIZES * 6 + 8)
#define BENCH_NOTE_MAX		160
#define PROGRESS_NS		100000000ull	/* redraw at most every 100 ms */
#define PROGRESS_AFTER_NS	500000000ull	/* short runs show none */

enum { PHASE_COLD, PHASE_WARM, NR_PHASES };
enum { H_SYS, H_SHARED, NR_HEAPS };

static const char *const phase_names[NR_PHASES] = {
	[PHASE_COLD] = "cold",
	[PHASE_WARM] = "warm",
};

/* The emulator's counters whose deltas are reported (emulator_deltas) */
enum emu_key {
	EMU_TO_SHARED_CALLS,
	EMU_TO_SHARED_PAGES,
	EMU_TO_PRIVATE_CALLS,
	EMU_TO_PRIVATE_PAGES,
	EMU_ALIGNED_2M,
	EMU_SPLITS,
	EMU_OPS_4K,
	EMU_OPS_2M,
	EMU_TLB_FLUSHES,
	EMU_MODELED_NS_SNP,
	EMU_MODELED_NS_TDX,
	EMU_MODELED_NS_TDX4K,
	NR_EMU_KEYS,
};

static const char *const emu_keys[NR_EMU_KEYS] = {
	[EMU_TO_SHARED_CALLS] = "to_shared_calls",
	[EMU_TO_SHARED_PAGES] = "to_shared_pages",
	[EMU_TO_PRIVATE_CALLS] = "to_private_calls",
	[EMU_TO_PRIVATE_PAGES] = "to_private_pages",
	[EMU_ALIGNED_2M] = "aligned_2m",
	[EMU_SPLITS] = "splits",
	[EMU_OPS_4K] = "ops_4k",
	[EMU_OPS_2M] = "ops_2m",
	[EMU_TLB_FLUSHES] = "tlb_flushes",
	[EMU_MODELED_NS_SNP] = "modeled_ns_snp",
	[EMU_MODELED_NS_TDX] = "modeled_ns_tdx",
	[EMU_MODELED_NS_TDX4K] = "modeled_ns_tdx4k",
};

/* The shared heap's counters whose deltas are reported (heap_deltas) */
enum heap_key {
	HST_TO_SHARED,
	HST_TO_PRIVATE,
	HST_FAILED_TO_SHARED,
	HST_FAILED_TO_PRIVATE,
	HST_POOL_HITS,
	HST_POOL_MISSES,
	HST_BLOCKS_TO_SHARED,
	HST_BLOCKS_TO_PRIVATE,
	HST_FALLBACKS,
	HST_TRIMS,
	HST_SHRINKER_SCANS,
	HST_SHRINKER_FREED,
	NR_HEAP_KEYS,
};

static const char *const heap_keys[NR_HEAP_KEYS] = {
	[HST_TO_SHARED] = "to_shared",
	[HST_TO_PRIVATE] = "to_private",
	[HST_FAILED_TO_SHARED] = "failed_to_shared",
	[HST_FAILED_TO_PRIVATE] = "failed_to_private",
	[HST_POOL_HITS] = "pool_hits",
	[HST_POOL_MISSES] = "pool_misses",
	[HST_BLOCKS_TO_SHARED] = "blocks_to_shared",
	[HST_BLOCKS_TO_PRIVATE] = "blocks_to_private",
	[HST_FALLBACKS] = "fallbacks",
	[HST_TRIMS] = "trims",
	[HST_SHRINKER_SCANS] = "shrinker_scans",
	[HST_SHRINKER_FREED] = "shrinker_freed",
};

enum conv_source {
	CONV_NONE,
	CONV_EMU,		/* emulator to_shared_calls + to_private_calls */
	CONV_HEAP,		/* heap to_shared + to_private */
};

/* One heap at one size in one phase */
struct heap_run {
	const char *heap;		/* NULL: not run (no shared heap) */
	int err;			/* 0, or why it did not run */
	uint64_t mean_ns, min_ns, max_ns;
	bool emu_ok, heap_ok;		/* counters read before and after */
	long long emu[NR_EMU_KEYS];	/* deltas; -1: unknown */
	long long hst[NR_HEAP_KEYS];
	long long pool_bytes;		/* the pool after the run, or -1 */
};

/* A device mapping of one heap's buffer */
struct dev_run {
	int err;			/* -ENODATA: not run */
	struct dev_map_result res;
};

struct bench_row {
	uint64_t size;
	struct heap_run run[NR_PHASES][NR_HEAPS];
	struct dev_run dev[NR_HEAPS];
};

/* The counters at one moment */
struct snap {
	bool emu_ok, heap_ok;
	struct kvset emu, heap;
};

struct bench {
	struct ccheap_ctx *ctx;
	const struct ccheap_args *args;
	const char *shared;
	enum conv_source src;
	unsigned int phases;		/* BENCH_PHASE_* */
	int last;			/* the phase in "results" */
	bool device;			/* run the device part */
	bool forced;			/* swiotlb bounces all DMA */
	uint64_t mem_total;		/* MemTotal, 0 if unknown */
	char clock[32];			/* clocksource, "" if unknown */
	long long pool_max_mb;		/* module parameter, -1 if absent */
	long long pool_cap_bytes;	/* heap counter, -1 if absent */
	const char *heap_stats_path;	/* NULL: no heap counters */
	int drop_err;			/* why the pool cannot be emptied */
	bool progress, tty;
	uint64_t start_ns;		/* when the bench started */
	uint64_t drawn_ns;		/* last progress redraw, 0: none yet */
	unsigned int nr_notes;
	char notes[BENCH_MAX_NOTES][BENCH_NOTE_MAX];
	unsigned int nr_rows;
	struct bench_row rows[BENCH_MAX_SIZES];
};

static bench_cycle_hook cycle_hook;

void bench_set_cycle_hook(bench_cycle_hook fn)
{
	cycle_hook = fn;
}

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

static const char *phase_option(unsigned int phases)
{
	switch (phases) {
	case BENCH_PHASE_COLD:
		return "cold";
	case BENCH_PHASE_WARM:
		return "warm";
	default:
		return "both";
	}
}

static bool phase_on(const struct bench *b, int phase)
{
	return b->phases & (phase == PHASE_COLD ? BENCH_PHASE_COLD :
			    BENCH_PHASE_WARM);
}

static void snap_read(struct snap *s)
{
	s->emu_ok = !kv_read(EMU_STATS, &s->emu);
	s->heap_ok = !heap_stats_read(&s->heap, NULL);
}

/* @out[i]: how much @keys[i] grew from @a to @z; -1 if absent or reset */
static void deltas(const struct kvset *a, const struct kvset *z,
		   const char *const *keys, unsigned int n, long long *out)
{
	long long x, y;
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = !kv_get(a, keys[i], &x) && !kv_get(z, keys[i], &y) &&
			 y >= x ? y - x : -1;
}

/*
 * Empty the shared heap's pool: drop_caches runs the shrinkers. Without a
 * shared heap there is no pool; after one failure there is no retry.
 */
static void drop_pool(struct bench *b)
{
	int ret;

	if (!b->shared || b->drop_err)
		return;
	ret = sys_write_str(DROP_CACHES, "2\n");
	if (!ret)
		return;
	b->drop_err = ret;
	note(b, "cannot write " DROP_CACHES " (%s): the pool was not emptied, "
	     "so the cold phase is not cold%s", strerror(-ret),
	     ret == -EACCES || ret == -EPERM ? " (run as root)" : "");
}

static void progress(struct bench *b, int phase, const struct heap_run *r,
		     uint64_t size, unsigned long done, bool force)
{
	unsigned long total = b->args->iterations;
	uint64_t now;
	char sz[32];

	if (!b->progress)
		return;
	fmt_size(size, sz, sizeof(sz));
	if (!b->tty) {
		/* Not a terminal: one line per phase, heap and size */
		if (!done)
			fprintf(b->ctx->err, "bench: %s, %s on %s, %lu cycles\n",
				phase_names[phase], sz, r->heap, total);
		return;
	}
	now = now_ns();
	if (now - b->start_ns < PROGRESS_AFTER_NS ||
	    (!force && now - b->drawn_ns < PROGRESS_NS))
		return;
	b->drawn_ns = now;
	fprintf(b->ctx->err, "\rbench: %s, %s on %s: %lu/%lu   ",
		phase_names[phase], sz, r->heap, done, total);
	fflush(b->ctx->err);
}

static void progress_done(struct bench *b)
{
	if (b->progress && b->tty && b->drawn_ns)
		fprintf(b->ctx->err, "\r%*s\r", CCHEAP_COLS - 1, "");
}

/* Allocate and free one buffer of the open heap @fd, named @name */
static int cycle(int fd, const char *name, uint64_t size)
{
	int buf, ret;

	if (cycle_hook)
		return cycle_hook(name, size);
	ret = heap_alloc(fd, size, &buf);
	return ret ? ret : xclose(buf);
}

/*
 * args->iterations timed cycles; cold empties the pool after each, outside
 * the timed part. Progress is drawn between cycles.
 */
static int timed_cycles(struct bench *b, int phase, struct heap_run *r,
			int fd, uint64_t size)
{
	unsigned long i, n = b->args->iterations;
	uint64_t t0, dt, sum = 0;
	int ret;

	r->min_ns = UINT64_MAX;
	r->max_ns = 0;
	for (i = 0; i < n; i++) {
		progress(b, phase, r, size, i, false);
		t0 = now_ns();
		ret = cycle(fd, r->heap, size);
		dt = now_ns() - t0;
		if (ret)
			return ret;
		if (phase == PHASE_COLD)
			drop_pool(b);
		sum += dt;
		r->min_ns = dt < r->min_ns ? dt : r->min_ns;
		r->max_ns = dt > r->max_ns ? dt : r->max_ns;
	}
	progress(b, phase, r, size, n, true);
	r->mean_ns = sum / n;
	return 0;
}

/*
 * cold: warm-up cycle, empty the pool, then [cycle, empty the pool] x N;
 * warm: empty the pool, priming cycle, then cycle x N. The counters are
 * read around the N cycles, so cold's deltas include giving each cycle's
 * blocks back (what the pool would otherwise have hidden).
 */
static void run_heap(struct bench *b, int phase, struct heap_run *r,
		     uint64_t size)
{
	struct snap s0, s1;
	unsigned int i;
	int fd, ret = 0;

	/* The heaps do not check; the OOM killer would end us instead. */
	if (b->mem_total && size > b->mem_total) {
		r->err = -ENOMEM;
		return;
	}
	r->err = heap_open(r->heap, &fd);
	if (r->err)
		return;
	if (phase == PHASE_WARM)
		drop_pool(b);
	for (i = 0; i < BENCH_WARMUP && !ret; i++)
		ret = cycle(fd, r->heap, size);
	if (phase == PHASE_COLD)
		drop_pool(b);
	snap_read(&s0);
	if (!ret)
		ret = timed_cycles(b, phase, r, fd, size);
	snap_read(&s1);
	xclose(fd);
	r->err = ret;
	if (ret)
		return;
	r->emu_ok = s0.emu_ok && s1.emu_ok;
	if (r->emu_ok)
		deltas(&s0.emu, &s1.emu, emu_keys, NR_EMU_KEYS, r->emu);
	r->heap_ok = s0.heap_ok && s1.heap_ok;
	if (r->heap_ok) {
		deltas(&s0.heap, &s1.heap, heap_keys, NR_HEAP_KEYS, r->hst);
		if (kv_get(&s1.heap, "pool_bytes", &r->pool_bytes))
			r->pool_bytes = -1;
	}
}

/* Map one buffer of @heap through the test device; @run_err: the run's */
static void run_device(struct dev_run *d, const char *heap, int run_err,
		       uint64_t size)
{
	int fd, buf, ret;

	if (run_err) {
		d->err = run_err;
		return;
	}
	ret = heap_open(heap, &fd);
	if (ret) {
		d->err = ret;
		return;
	}
	ret = heap_alloc(fd, size, &buf);
	xclose(fd);
	if (!ret) {
		ret = dev_map_buf(buf, &d->res);
		xclose(buf);
	}
	d->err = ret;
}

static void dev_note(struct bench *b, const struct dev_run *d,
		     const struct heap_run *r, const char *sz)
{
	if (!d->err || r->err)		/* r->err has its own note */
		return;
	note(b, "%s on %s: device mapping failed: %s%s", sz, r->heap,
	     strerror(-d->err), d->err == -EIO && b->forced &&
	     !strcmp(r->heap, HEAP_SYSTEM) ?
	     " (all DMA bounces here, and swiotlb bounces at most 256K at "
	     "once)" : "");
}

static void run_phase(struct bench *b, int phase)
{
	unsigned int i, h;
	char sz[32];

	for (i = 0; i < b->nr_rows; i++) {
		struct bench_row *row = &b->rows[i];

		fmt_size(row->size, sz, sizeof(sz));
		for (h = 0; h < NR_HEAPS; h++) {
			struct heap_run *r = &row->run[phase][h];

			if (!r->heap)
				continue;
			run_heap(b, phase, r, row->size);
			if (r->err)
				note(b, "%s on %s (%s): %s", sz, r->heap,
				     phase_names[phase], strerror(-r->err));
		}
	}
}

static void run_devices(struct bench *b)
{
	unsigned int i, h;
	char sz[32];

	for (i = 0; i < b->nr_rows; i++) {
		struct bench_row *row = &b->rows[i];

		fmt_size(row->size, sz, sizeof(sz));
		for (h = 0; h < NR_HEAPS; h++) {
			const struct heap_run *r = &row->run[b->last][h];

			if (!r->heap)
				continue;
			run_device(&row->dev[h], r->heap, r->err, row->size);
			dev_note(b, &row->dev[h], r, sz);
		}
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
	b->phases = b->args->phases ? b->args->phases : BENCH_PHASE_BOTH;
	b->last = b->phases & BENCH_PHASE_WARM ? PHASE_WARM : PHASE_COLD;
	b->src = s->emu ? CONV_EMU : s->heap_stats_ok ? CONV_HEAP : CONV_NONE;
	if (b->src == CONV_NONE)
		note(b, "no conversion counters (%s, %s): conversions n/a",
		     EMU_STATS, HEAP_STATS);
	b->heap_stats_path = s->heap_stats_ok ? s->heap_stats_path : NULL;
	if (!s->heap_stats_ok ||
	    kv_get(&s->heap_stats, "pool_cap_bytes", &b->pool_cap_bytes))
		b->pool_cap_bytes = -1;
	if (sys_read_number(POOL_MAX_MB, &b->pool_max_mb))
		b->pool_max_mb = -1;
	/* The cap in force: 0 also with mem_accounting or no shrinker. */
	if (b->shared && (b->pool_cap_bytes == 0 ||
			  (b->pool_cap_bytes < 0 && b->pool_max_mb == 0)))
		note(b, "the shared heap's pool cap in force is 0: it keeps no pool, so "
		     "warm is like cold");
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

/* ---- figures ---- */

/* Conversions by the chosen counters over the run, or -1 */
static long long run_conversions(const struct bench *b,
				 const struct heap_run *r)
{
	long long a, c;

	if (r->err)
		return -1;
	if (b->src == CONV_EMU && r->emu_ok) {
		a = r->emu[EMU_TO_SHARED_CALLS];
		c = r->emu[EMU_TO_PRIVATE_CALLS];
	} else if (b->src == CONV_HEAP && r->heap_ok) {
		a = r->hst[HST_TO_SHARED];
		c = r->hst[HST_TO_PRIVATE];
	} else {
		return -1;
	}
	return a < 0 || c < 0 ? -1 : a + c;
}

/* @v per timed cycle, or -1 */
static double per_cycle(const struct bench *b, long long v)
{
	return v < 0 ? -1.0 : (double)v / (double)b->args->iterations;
}

static double per_gib(const struct bench *b, const struct heap_run *r,
		      uint64_t size)
{
	long long c = run_conversions(b, r);

	if (c < 0)
		return -1.0;
	return (double)c * (double)(1ull << 30) /
	       ((double)size * (double)b->args->iterations);
}

static double ratio(const struct bench_row *row, int phase)
{
	const struct heap_run *sys = &row->run[phase][H_SYS];
	const struct heap_run *sh = &row->run[phase][H_SHARED];

	if (!sh->heap || sys->err || sh->err || !sys->mean_ns)
		return -1.0;
	return (double)sh->mean_ns / (double)sys->mean_ns;
}

/* An emulator delta of @r, or -1 */
static long long emu_delta(const struct heap_run *r, enum emu_key k)
{
	return r->err || !r->emu_ok ? -1 : r->emu[k];
}

static long long heap_delta(const struct heap_run *r, enum heap_key k)
{
	return r->err || !r->heap_ok ? -1 : r->hst[k];
}

/* ---- JSON ---- */

/* @v with @decimals, or null when negative (unknown) */
static void json_known_double(struct json *j, const char *key, double v,
			      int decimals)
{
	if (v < 0)
		json_null(j, key);
	else
		json_double(j, key, v, decimals);
}

static void json_dev(struct json *j, const struct dev_run *d)
{
	static const char *const keys[] = {
		"nr_segments", "nr_bounced", "mapped_bytes", "bounced_bytes",
	};
	const uint64_t vals[] = {
		d->res.nr_segments, d->res.nr_bounced,
		d->res.mapped_bytes, d->res.bounced_bytes,
	};
	unsigned int i;

	if (d->err == -ENODATA) {
		json_null(j, "device");
		return;
	}
	json_obj_open(j, "device");
	json_str(j, "error", d->err ? strerror(-d->err) : NULL);
	for (i = 0; i < 4; i++) {
		if (d->err)
			json_null(j, keys[i]);
		else
			json_u64(j, keys[i], vals[i]);
	}
	json_obj_close(j);
}

static void json_deltas(struct json *j, const char *key, bool ok,
			const char *const *keys, const long long *v,
			unsigned int n)
{
	unsigned int i;

	if (!ok) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	for (i = 0; i < n; i++)
		json_known(j, keys[i], v[i]);
	json_obj_close(j);
}

static void json_per_cycle(struct json *j, const struct bench *b,
			   const struct heap_run *r)
{
	unsigned int i;

	json_obj_open(j, "per_cycle");
	for (i = 0; i < NR_EMU_KEYS; i++)
		json_known_double(j, emu_keys[i],
				  per_cycle(b, emu_delta(r, i)), 3);
	for (i = 0; i < NR_HEAP_KEYS; i++)
		json_known_double(j, heap_keys[i],
				  per_cycle(b, heap_delta(r, i)), 3);
	json_obj_close(j);
}

static void json_run(struct json *j, const struct bench *b, const char *key,
		     const struct heap_run *r, const struct dev_run *d,
		     uint64_t size)
{
	long long conv = run_conversions(b, r);

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
	json_known(j, "cycles", r->err ? -1 : (long long)b->args->iterations);
	json_known(j, "conversions", conv);
	json_known_double(j, "conversions_per_gib", per_gib(b, r, size), 1);
	json_known_double(j, "conversions_per_cycle", per_cycle(b, conv), 3);
	json_deltas(j, "emulator_deltas", !r->err && r->emu_ok, emu_keys,
		    r->emu, NR_EMU_KEYS);
	json_deltas(j, "heap_deltas", !r->err && r->heap_ok, heap_keys,
		    r->hst, NR_HEAP_KEYS);
	json_per_cycle(j, b, r);
	json_known(j, "pool_bytes_after", r->err || !r->heap_ok ? -1 :
		   r->pool_bytes);
	json_dev(j, d);
	json_obj_close(j);
}

static void json_rows(struct json *j, const struct bench *b, int phase)
{
	unsigned int i;

	json_arr_open(j, "results");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];

		json_obj_open(j, NULL);
		json_u64(j, "size", row->size);
		json_run(j, b, "system", &row->run[phase][H_SYS],
			 &row->dev[H_SYS], row->size);
		json_run(j, b, "shared", &row->run[phase][H_SHARED],
			 &row->dev[H_SHARED], row->size);
		json_known_double(j, "ratio_shared_system", ratio(row, phase),
				  3);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static int bench_json(struct bench *b)
{
	struct json j;
	unsigned int i;
	int p;

	json_init(&j, b->ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", "bench");
	json_u64(&j, "iterations", b->args->iterations);
	json_u64(&j, "warmup", BENCH_WARMUP);
	json_str(&j, "phase", phase_option(b->phases));
	json_str(&j, "results_phase", phase_names[b->last]);
	json_str(&j, "system_heap", HEAP_SYSTEM);
	json_str(&j, "shared_heap", b->shared);
	json_str(&j, "conversions_source", conv_source_name(b->src));
	json_bool(&j, "device", b->device);
	json_str(&j, "clocksource", b->clock[0] ? b->clock : NULL);
	json_str(&j, "heap_stats_path", b->heap_stats_path);
	json_known(&j, "pool_max_mb", b->pool_max_mb);
	json_known(&j, "pool_cap_bytes", b->pool_cap_bytes);
	json_arr_open(&j, "notes");
	for (i = 0; i < b->nr_notes; i++)
		json_str(&j, NULL, b->notes[i]);
	json_arr_close(&j);
	json_rows(&j, b, b->last);
	json_obj_open(&j, "phases");
	for (p = 0; p < NR_PHASES; p++) {
		if (!phase_on(b, p)) {
			json_null(&j, phase_names[p]);
			continue;
		}
		json_obj_open(&j, phase_names[p]);
		json_bool(&j, "pool_emptied", b->shared && !b->drop_err);
		json_rows(&j, b, p);
		json_obj_close(&j);
	}
	json_obj_close(&j);
	json_obj_close(&j);
	return json_finish(b->ctx, &j);
}

/* ---- text ---- */

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

/* @v with @decimals, or @none when negative */
static const char *cell_num(double v, int decimals, const char *none,
			    char *buf, size_t len)
{
	if (v < 0)
		return none;
	snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

#define TIMES_FMT	"%-8s %11s %11s %7s %14s %15s\n"

static void print_times(struct bench *b, int phase)
{
	FILE *f = b->ctx->out;
	char sz[32], c1[32], c2[32], c3[32], c4[32], c5[32];
	unsigned int i;

	fprintf(f, TIMES_FMT, "size", "system us", "shared us", "ratio",
		"conv/GiB sys", "conv/GiB shared");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];
		const struct heap_run *sys = &row->run[phase][H_SYS];
		const struct heap_run *sh = &row->run[phase][H_SHARED];

		fprintf(f, TIMES_FMT, fmt_size(row->size, sz, sizeof(sz)),
			cell_us(sys, c1, sizeof(c1)),
			cell_us(sh, c2, sizeof(c2)),
			cell_num(ratio(row, phase), 2, "n/a", c3, sizeof(c3)),
			cell_num(per_gib(b, sys, row->size), 0, "n/a", c4,
				 sizeof(c4)),
			sh->heap ? cell_num(per_gib(b, sh, row->size), 0, "n/a",
					    c5, sizeof(c5)) : "-");
	}
}

#define COUNTS_FMT	"%-6s %-6s %7s %8s %6s %7s %8s %7s %10s %10s %6s %6s\n"

/* @v (a delta) per cycle, divided by @unit, with one decimal, or "-" */
static const char *cell_cycle(const struct bench *b, long long v,
			      double unit, char *buf, size_t len)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%.1f", per_cycle(b, v) / unit);
	return buf;
}

/* One heap's per-cycle figures; @sz is "" after the first heap */
static void print_counts_row(struct bench *b, const char *sz,
			     const char *label, const struct heap_run *r)
{
	static const enum emu_key emu_cols[] = {
		EMU_TO_SHARED_CALLS, EMU_TO_SHARED_PAGES, EMU_ALIGNED_2M,
		EMU_SPLITS, EMU_OPS_4K, EMU_OPS_2M, EMU_MODELED_NS_SNP,
		EMU_MODELED_NS_TDX,
	};
	static const enum heap_key heap_cols[] = {
		HST_POOL_HITS, HST_POOL_MISSES,
	};
	const char *cell[10];
	char buf[10][32];
	unsigned int i;

	if (r->err) {
		fprintf(b->ctx->out, "%-6s %-6s %7s\n", sz, label, "error");
		return;
	}
	for (i = 0; i < 8; i++)
		/* modelled time: nanoseconds, shown in microseconds */
		cell[i] = cell_cycle(b, emu_delta(r, emu_cols[i]),
				     i < 6 ? 1.0 : 1000.0, buf[i],
				     sizeof(buf[i]));
	for (i = 0; i < 2; i++)
		cell[8 + i] = cell_cycle(b, heap_delta(r, heap_cols[i]), 1.0,
					 buf[8 + i], sizeof(buf[8 + i]));
	fprintf(b->ctx->out, COUNTS_FMT, sz, label, cell[0], cell[1], cell[2],
		cell[3], cell[4], cell[5], cell[6], cell[7], cell[8], cell[9]);
}

static void print_counts(struct bench *b, int phase)
{
	FILE *f = b->ctx->out;
	unsigned int i;
	char sz[32];

	fmt_field(f, "per cycle", "conversion calls and pages to shared, "
		  "whole 2 MiB conversions, large-page splits, page-state "
		  "operations at 4K and 2M, modelled time in us (SEV-SNP, "
		  "TDX), pool hits and misses");
	fprintf(f, COUNTS_FMT, "size", "heap", "calls", "pages", "2M",
		"splits", "ops_4k", "ops_2m", "snp us", "tdx us", "hits",
		"misses");
	for (i = 0; i < b->nr_rows; i++) {
		const struct bench_row *row = &b->rows[i];

		fmt_size(row->size, sz, sizeof(sz));
		print_counts_row(b, sz, "system", &row->run[phase][H_SYS]);
		if (row->run[phase][H_SHARED].heap)
			print_counts_row(b, "", "shared",
					 &row->run[phase][H_SHARED]);
	}
}

/* Whether any run of @phase read a counter */
static bool have_counts(const struct bench *b, int phase)
{
	unsigned int i, h;

	for (i = 0; i < b->nr_rows; i++)
		for (h = 0; h < NR_HEAPS; h++) {
			const struct heap_run *r = &b->rows[i].run[phase][h];

			if (r->heap && !r->err && (r->emu_ok || r->heap_ok))
				return true;
		}
	return false;
}

/* "16777216" bounced bytes, "failed" or "-" */
static const char *cell_dev(const struct dev_run *d, const char *heap,
			    char *buf, size_t len)
{
	if (!heap)
		return "-";
	if (d->err)
		return "failed";
	snprintf(buf, len, "%" PRIu64, d->res.bounced_bytes);
	return buf;
}

static const char *cell_segs(const struct dev_run *d, const char *heap,
			     char *buf, size_t len)
{
	if (!heap || d->err)
		return "-";
	snprintf(buf, len, "%" PRIu32, d->res.nr_segments);
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
		const char *sys = row->run[b->last][H_SYS].heap;
		const char *sh = row->run[b->last][H_SHARED].heap;

		snprintf(segs, sizeof(segs), "%s/%s",
			 cell_segs(&row->dev[H_SYS], sys, c3, sizeof(c3)),
			 cell_segs(&row->dev[H_SHARED], sh, c4, sizeof(c4)));
		fprintf(f, "%-8s %15s %15s %21s\n",
			fmt_size(row->size, sz, sizeof(sz)),
			cell_dev(&row->dev[H_SYS], sys, c1, sizeof(c1)),
			cell_dev(&row->dev[H_SHARED], sh, c2, sizeof(c2)),
			segs);
	}
}

static void print_phase_title(struct bench *b, int phase)
{
	FILE *f = b->ctx->out;

	if (phase == PHASE_WARM) {
		fprintf(f, "\nwarm: the pool kept; %d priming cycle first\n",
			BENCH_WARMUP);
		return;
	}
	if (!b->shared)
		fprintf(f, "\ncold: no shared heap, so no pool to empty\n");
	else if (b->drop_err)
		fprintf(f, "\ncold: the pool could not be emptied (see the "
			"notes)\n");
	else
		fprintf(f, "\ncold: the pool emptied (drop_caches) before "
			"every cycle\n");
}

static int bench_human(struct bench *b)
{
	FILE *f = b->ctx->out;
	unsigned int i;
	int p;

	fprintf(f, "bench: %lu alloc/free cycles per size, heap and phase, "
		"after %d warm-up\n", b->args->iterations, BENCH_WARMUP);
	fmt_field(f, "heaps", HEAP_SYSTEM " vs %s",
		  b->shared ? b->shared : "(no shared heap)");
	fmt_field(f, "conversions", "%s", b->src == CONV_EMU ?
		  "emulator (to_shared_calls + to_private_calls)" :
		  b->src == CONV_HEAP ? "heap (to_shared + to_private)" :
		  "n/a (no counters)");
	if (b->pool_max_mb >= 0)
		fmt_field(f, "pool", "pool_max_mb %lld%s", b->pool_max_mb,
			  b->pool_max_mb ? "" : " (pooling off)");
	else
		fmt_field(f, "pool", "n/a (no pool_max_mb parameter)");
	for (p = 0; p < NR_PHASES; p++) {
		if (!phase_on(b, p))
			continue;
		print_phase_title(b, p);
		print_times(b, p);
		if (have_counts(b, p)) {
			fputc('\n', f);
			print_counts(b, p);
		}
	}
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
	unsigned int i, h;
	int p;

	for (p = 0; p < NR_PHASES; p++)
		for (i = 0; i < b->nr_rows; i++)
			for (h = 0; h < NR_HEAPS; h++) {
				const struct heap_run *r = &b->rows[i].run[p][h];

				if (!phase_on(b, p) || !r->heap || r->err ||
				    r->mean_ns)
					continue;
				note(b, "some means are 0: the clock did not "
				     "advance during the cycles; raise "
				     "--iterations");
				return;
			}
}

/* 0 if the system heap ran for at least one size, else its error */
static int bench_status(struct bench *b)
{
	unsigned int i;
	int err = 0, p;

	for (p = 0; p < NR_PHASES; p++) {
		if (!phase_on(b, p))
			continue;
		for (i = 0; i < b->nr_rows; i++) {
			const struct heap_run *r = &b->rows[i].run[p][H_SYS];

			if (!r->err)
				return 0;
			err = err ? err : r->err;
		}
	}
	return ccheap_fail(b->ctx, err, "bench: the %s heap failed at every "
			   "size: %s", HEAP_SYSTEM, strerror(-err));
}

static void init_run(struct heap_run *r, const char *heap)
{
	unsigned int k;

	memset(r, 0, sizeof(*r));
	r->heap = heap;
	r->pool_bytes = -1;
	for (k = 0; k < NR_EMU_KEYS; k++)
		r->emu[k] = -1;
	for (k = 0; k < NR_HEAP_KEYS; k++)
		r->hst[k] = -1;
}

int cmd_bench(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	static struct bench b;	/* large: not on the stack */
	struct ccheap_sys s;
	unsigned int i, h;
	int ret, p;

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
	if (args->traced) {
		progress_done(&b);
		return bench_trace(ctx, args, b.shared);
	}
	for (i = 0; i < args->nr_sizes; i++) {
		struct bench_row *row = &b.rows[b.nr_rows++];

		row->size = args->sizes[i];
		for (p = 0; p < NR_PHASES; p++) {
			init_run(&row->run[p][H_SYS], HEAP_SYSTEM);
			init_run(&row->run[p][H_SHARED], b.shared);
		}
		for (h = 0; h < NR_HEAPS; h++)
			row->dev[h].err = -ENODATA;
	}
	for (p = 0; p < NR_PHASES; p++)
		if (phase_on(&b, p))
			run_phase(&b, p);
	if (b.device)
		run_devices(&b);
	progress_done(&b);
	check_zero_means(&b);
	ret = bench_status(&b);
	if (ret)
		return ret;
	return ctx->json ? bench_json(&b) : bench_human(&b);
}
