// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap alloc: allocate one buffer, check that it reads zero, show what
 * the allocation did to the page state, optionally hold it.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fmt.h"
#include "heap.h"

struct alloc_state {
	const char *heap;
	uint64_t size;			/* requested */
	uint64_t buf_size;		/* what the heap gave */
	long page_size;
	int fd;
	bool emu;			/* emulator counters available */
	long long frames_before;	/* emulator shared_frames, or -1 */
	long long frames_alloc;
	long long frames_after;
	bool heap_stats_ok;
	struct kvset heap_stats;	/* while allocated */
};

/* The emulator's shared_frames now, or -1 */
static long long shared_frames(bool emu)
{
	struct kvset set;
	long long v;

	if (!emu || kv_read(EMU_STATS, &set) || kv_get(&set, "shared_frames", &v))
		return -1;
	return v;
}

/* The heap to use: --heap, else the shared heap, else not supported */
static int pick_heap(struct ccheap_ctx *ctx, const struct ccheap_args *args,
		     const struct ccheap_sys *s, const char **heap)
{
	char why[160];

	*heap = args->heap ? args->heap : s->shared;
	if (*heap)
		return 0;
	shared_reason_text(s, why, sizeof(why));
	return ccheap_fail(ctx, -EOPNOTSUPP,
			   "alloc: no shared heap: %s (--heap " HEAP_SYSTEM
			   " takes the plain heap)", why);
}

/* Open the heap and allocate; st->fd is the buffer */
static int do_alloc(struct ccheap_ctx *ctx, struct alloc_state *st)
{
	char sz[32], mem[32];
	uint64_t total;
	int heap, ret, ret2;

	/* The heaps do not check; the OOM killer would end us instead. */
	if (!sys_mem_total(&total) && st->size > total) {
		fmt_size(st->size, sz, sizeof(sz));
		fmt_size(total, mem, sizeof(mem));
		return ccheap_fail(ctx, -ENOMEM, "alloc: %s is more than all "
				   "memory (MemTotal %s bytes)", sz, mem);
	}
	ret = heap_open(st->heap, &heap);
	if (ret == -ENOENT)
		return ccheap_fail(ctx, ret, "alloc: no heap '%s' in " HEAP_DIR,
				   st->heap);
	if (ret)
		return ccheap_fail(ctx, ret, "alloc: opening " HEAP_DIR "/%s: %s",
				   st->heap, strerror(-ret));
	ret = heap_alloc(heap, st->size, &st->fd);
	ret2 = xclose(heap);
	if (ret) {
		fmt_size(st->size, sz, sizeof(sz));
		return ccheap_fail(ctx, ret, "alloc: allocating %s from %s: %s",
				   sz, st->heap, strerror(-ret));
	}
	if (ret2)
		return ccheap_fail(ctx, ret2, "alloc: closing the heap: %s",
				   strerror(-ret2));
	return 0;
}

/* Size and zero check of the buffer just allocated */
static int check_buffer(struct ccheap_ctx *ctx, struct alloc_state *st)
{
	uint64_t first;
	int ret;

	ret = buf_size(st->fd, &st->buf_size);
	if (ret)
		return ccheap_fail(ctx, ret, "alloc: size of the buffer: %s",
				   strerror(-ret));
	ret = buf_check_zero(st->fd, st->buf_size, &first);
	if (ret)
		return ccheap_fail(ctx, ret, "alloc: reading the buffer: %s",
				   strerror(-ret));
	if (first != st->buf_size)
		return ccheap_fail(ctx, -EIO,
				   "alloc: byte %" PRIu64 " of the new buffer "
				   "from %s is not zero", first, st->heap);
	return 0;
}

static int free_buffer(struct ccheap_ctx *ctx, struct alloc_state *st)
{
	int ret = xclose(st->fd);

	st->fd = -1;
	st->frames_after = shared_frames(st->emu);
	if (ret)
		return ccheap_fail(ctx, ret, "alloc: freeing the buffer: %s",
				   strerror(-ret));
	return 0;
}

static int alloc_json(struct ccheap_ctx *ctx, const struct alloc_state *st,
		      int fd, bool hold)
{
	struct json j;

	json_init(&j, ctx->out);
	json_obj_open(&j, NULL);
	json_str(&j, "command", "alloc");
	json_str(&j, "heap", st->heap);
	json_u64(&j, "size", st->size);
	json_u64(&j, "buffer_size", st->buf_size);
	json_i64(&j, "fd", fd);
	json_bool(&j, "zeroed", true);
	json_bool(&j, "hold", hold);
	json_i64(&j, "page_size", st->page_size);
	json_obj_open(&j, "page_state");
	json_str(&j, "source", st->emu ? "emulator" : NULL);
	json_known(&j, "shared_frames_before", st->frames_before);
	json_known(&j, "shared_frames_allocated", st->frames_alloc);
	json_known(&j, "shared_frames_after_free", st->frames_after);
	if (st->frames_before < 0 || st->frames_alloc < 0)
		json_null(&j, "delta_pages");
	else
		json_i64(&j, "delta_pages", st->frames_alloc - st->frames_before);
	json_obj_close(&j);
	json_kvset(&j, "heap_counters", st->heap_stats_ok, &st->heap_stats);
	json_obj_close(&j);
	return json_finish(ctx, &j);
}

static void print_page_state(FILE *f, const struct alloc_state *st)
{
	struct fmt_line l;
	uint64_t pages;

	fmt_line_start(&l, f, "page state");
	if (st->frames_before < 0 || st->frames_alloc < 0) {
		fmt_line_item(&l, "n/a (no emulator counters in " EMU_STATS ")");
		fmt_line_end(&l);
		return;
	}
	fmt_line_item(&l, "shared_frames %lld before", st->frames_before);
	pages = st->buf_size / (uint64_t)st->page_size;
	fmt_line_item(&l, "%lld allocated (%+lld; the buffer is %" PRIu64
		      " page%s)", st->frames_alloc,
		      st->frames_alloc - st->frames_before, pages,
		      pages == 1 ? "" : "s");
	if (st->frames_after >= 0)
		fmt_line_item(&l, "%lld after free", st->frames_after);
	fmt_line_end(&l);
}

static int alloc_human(struct ccheap_ctx *ctx, const struct alloc_state *st,
		       int fd)
{
	FILE *f = ctx->out;
	char req[32], got[32];

	fmt_field(f, "heap", "%s", st->heap);
	fmt_field(f, "size", "%s requested, %" PRIu64 " bytes allocated (%s)",
		  fmt_size(st->size, req, sizeof(req)), st->buf_size,
		  fmt_size(st->buf_size, got, sizeof(got)));
	fmt_field(f, "fd", "%d%s", fd, st->fd < 0 ? " (now closed)" : "");
	fmt_field(f, "zeroed", "yes, all %" PRIu64 " bytes read zero",
		  st->buf_size);
	print_page_state(f, st);
	if (st->heap_stats_ok)
		print_kvset(f, "heap counters", &st->heap_stats);
	return out_finish(ctx);
}

static int report(struct ccheap_ctx *ctx, const struct alloc_state *st,
		  int fd, bool hold)
{
	return ctx->json ? alloc_json(ctx, st, fd, hold) :
			   alloc_human(ctx, st, fd);
}

/* Wait for SIGINT or SIGTERM with the buffer held, then free it. */
static int hold(struct ccheap_ctx *ctx, struct alloc_state *st, int fd)
{
	FILE *f = ctx->json ? ctx->err : ctx->out;
	sigset_t set, old;
	int sig = 0, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, &old))
		return ccheap_fail(ctx, -errno, "alloc: blocking signals: %s",
				   strerror(errno));
	ret = report(ctx, st, fd, true);
	if (!ret) {
		fprintf(f, "holding the buffer (fd %d) until SIGINT (Ctrl-C) "
			"or SIGTERM\n", fd);
		fflush(f);
		ret = -sigwait(&set, &sig);
	}
	if (sigprocmask(SIG_SETMASK, &old, NULL) && !ret)
		ret = -errno;
	if (ret) {
		free_buffer(ctx, st);
		return ccheap_fail(ctx, ret, "alloc: holding: %s", strerror(-ret));
	}
	ret = free_buffer(ctx, st);
	if (ret)
		return ret;
	if (st->frames_after >= 0)
		fprintf(f, "freed the buffer on %s: shared_frames %lld\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM", st->frames_after);
	else
		fprintf(f, "freed the buffer on %s\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM");
	return fflush(f) ? ccheap_fail(ctx, -EIO, "writing output failed") : 0;
}

int cmd_alloc(struct ccheap_ctx *ctx, const struct ccheap_args *args)
{
	struct alloc_state st = { .fd = -1, .size = args->size };
	struct ccheap_sys s;
	int ret, fd;

	ret = sys_probe(&s);
	if (ret)
		return ccheap_fail(ctx, ret, "alloc: %s", strerror(-ret));
	ret = pick_heap(ctx, args, &s, &st.heap);
	if (ret)
		return ret;
	st.page_size = sysconf(_SC_PAGESIZE);
	st.emu = s.emu;
	st.frames_before = shared_frames(st.emu);
	st.frames_alloc = st.frames_after = -1;
	ret = do_alloc(ctx, &st);
	if (!ret)
		ret = check_buffer(ctx, &st);
	if (ret) {
		xclose(st.fd);
		return ret;
	}
	fd = st.fd;
	st.frames_alloc = shared_frames(st.emu);
	st.heap_stats_ok = !heap_stats_read(&st.heap_stats, NULL);
	if (args->hold)
		return hold(ctx, &st, fd);
	ret = free_buffer(ctx, &st);
	return ret ? ret : report(ctx, &st, fd, false);
}
