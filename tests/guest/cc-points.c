// SPDX-License-Identifier: GPL-2.0
/*
 * cc-points: every failure point of the heap, failed once, one at a time,
 * deterministically.
 *
 * The kernel's fail-nth (/proc/thread-self/fail-nth) makes the Nth call,
 * in this thread, of any fault-injection point fail: slab allocations
 * (failslab), page allocations (fail_page_alloc) and conversions (the
 * emulator's cc_emu/fail). A scenario sets up its state, then runs one
 * operation with fail-nth = 1, 2, 3, ... until the operation completes
 * without reaching the Nth point: every point on its path has failed once.
 * Each kind is swept on its own: the other allocation attribute is told
 * to consider no call at all, so its calls do not count. Conversions
 * always count; a row says which kind actually failed.
 *
 * The scenarios are the conversion sites (a new pool block, a fallback
 * chunk at alloc and at free, the trim on free beyond the cap, the
 * shrinker) and the heap's alloc, attach (import), map and vmap paths.
 * After every point, with everything closed and the pool emptied:
 *
 *  - the operation succeeded (and works: a new buffer reads zero) or
 *    failed with an errno the scenario allows; close and drop_caches
 *    always succeed;
 *  - no emulator violation: no shared frame reached the page allocator
 *    and no private frame was mapped as shared;
 *  - the frames still shared are at most the pages the heap counted as
 *    leaked, and the heap's failure counters match the failures the
 *    emulator injected; no buffer is left live; swiotlb is back.
 *
 * The table printed (one row per point: kind, where, outcome, pages
 * leaked) is kept in the ledger, kernel/STATUS.md. Mainline, which has no
 * pool, no leak counter and converts never-shared chunks back, is not
 * swept here (cc-fault measures that).
 */
#include <poll.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define CC_HEAP		"system_cc_shared"
#define SYS_HEAP	"system"
#define MAX_POINTS	400

enum kind { K_CONV, K_SLAB, K_PAGE, NR_KINDS };
static const char * const kind_names[NR_KINDS] = { "conv", "slab", "page" };

struct ctx {
	int heap, heap_sys, buf, dev, nth_fd;
	long left;		/* fail-nth after the operation proper */
	uint8_t *scratch;
	const struct scenario *sc;
};

struct scenario {
	const char *name;
	unsigned int kinds;	/* bitmask of enum kind swept */
	const int *errnos;	/* allowed failures, 0-terminated */
	int (*setup)(struct ctx *c);
	int (*op)(struct ctx *c);
	int min_conv;		/* conversions the operation makes at least */
	/*
	 * Swept by sweep_fallback() instead of sweep(): fail-nth fails the
	 * first 2 MiB block, cc_emu/fail the Nth conversion after it (op
	 * and setup are unused).
	 */
	bool fallback;
};

static const int alloc_errnos[] = { ENOMEM, EIO, 0 };
static const int mem_errnos[] = { ENOMEM, 0 };
static const int none[] = { 0 };

static int alloc_on(int heap, size_t len, int *fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	*fd = data.fd;
	return 0;
}

static int nth_set(struct ctx *c, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(c->nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* What is left of fail-nth: 0 once the Nth point was reached. */
static long nth_left(struct ctx *c)
{
	char buf[16] = "";

	if (pread(c->nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* The operation proper is over: note whether its Nth point was reached. */
static void nth_done(struct ctx *c)
{
	c->left = nth_left(c);
	nth_set(c, 0);
}

/*
 * The first 2 MiB block allocation of the next operation fails (fail-nth
 * with only order >= 9 page allocations counting), so that the heap
 * falls back to a chunk converted on its own. Conversions count too, but
 * none comes before that allocation.
 */
static int fail_first_block(struct ctx *c)
{
	int ret = alloc_faults_scope(false, true);

	ret = ret ?: attr_write(FAIL_PAGE_DIR, "min-order", "9");
	return ret ?: nth_set(c, 1);
}

/* A 4 KiB buffer in a fallback chunk of its own, shared on its own. */
static int alloc_fallback(struct ctx *c, int *fd)
{
	int ret = fail_first_block(c);
	long left;

	ret = ret ?: alloc_on(c->heap, 4096, fd);
	left = nth_left(c);
	nth_set(c, 0);
	alloc_faults_scope(false, false);
	if (!ret && left)
		return -EAGAIN;	/* no block allocation to fail? */
	return ret;
}

/* -- setups ---------------------------------------------------------------- */

static int setup_none(struct ctx *c)
{
	(void)c;
	return 0;
}

static int setup_warm(struct ctx *c)
{
	int fd = -1, ret = alloc_on(c->heap, 12288, &fd);

	if (!ret)
		close(fd);
	return ret;
}

static int setup_fallback_buf(struct ctx *c)
{
	return alloc_fallback(c, &c->buf);
}

/* Pooling off: the block behind a freed buffer is made private at once. */
static int setup_trim(struct ctx *c)
{
	int ret = write_string(POOL_MAX_MB, "0");

	return ret ?: alloc_on(c->heap, 12288, &c->buf);
}

/* Two whole free blocks in the pool, for the shrinker. */
static int setup_pool2(struct ctx *c)
{
	int a = -1, b = -1, ret = alloc_on(c->heap, SZ_2M, &a);

	if (ret)
		return ret;
	ret = alloc_on(c->heap, SZ_2M, &b);
	close(a);
	if (!ret)
		close(b);
	return ret;
}

static int setup_dev(struct ctx *c, int heap)
{
	int ret = alloc_on(heap, SZ_2M + 12288, &c->buf);

	if (ret)
		return ret;
	c->dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	return c->dev < 0 ? -errno : 0;
}

static int setup_dev_cc(struct ctx *c)
{
	return setup_dev(c, c->heap);
}

static int setup_dev_sys(struct ctx *c)
{
	return setup_dev(c, c->heap_sys);
}

static int import(struct ctx *c)
{
	struct test_dmabuf_import imp = { .fd = c->buf };
	int ret = xioctl(c->dev, TEST_DMABUF_IOCTL_IMPORT, &imp);

	if (!ret && imp.size != SZ_2M + 12288)
		return -EBADMSG;
	return ret;
}

static int setup_imported_cc(struct ctx *c)
{
	return setup_dev_cc(c) ?: import(c);
}

static int setup_imported_sys(struct ctx *c)
{
	return setup_dev_sys(c) ?: import(c);
}

/* -- operations ------------------------------------------------------------ */

/* A new buffer must read zero where it is, and take a write. */
static int check_new_buffer(int fd, size_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t bad;

	if (p == MAP_FAILED)
		return -errno;
	bad = count_not(p, 4096, 0) + count_not(p + len - 4096, 4096, 0);
	p[0] = 0xa5;
	p[len - 1] = 0x5a;
	munmap(p, len);
	return bad ? -EBADMSG : 0;
}

static int op_alloc(struct ctx *c, int heap, size_t len)
{
	int ret = alloc_on(heap, len, &c->buf);

	nth_done(c);
	if (!ret) {
		ret = check_new_buffer(c->buf, len);
		if (ret)
			return ret == -EBADMSG ? -EBADMSG : -EPROTO;
	}
	return ret;
}

static int op_alloc_cc_cold(struct ctx *c)
{
	return op_alloc(c, c->heap, SZ_2M + 12288);
}

static int op_alloc_cc_warm(struct ctx *c)
{
	return op_alloc(c, c->heap, 12288);
}

static int op_alloc_sys(struct ctx *c)
{
	return op_alloc(c, c->heap_sys, SZ_2M + 12288);
}

static int op_close(struct ctx *c)
{
	int ret = close(c->buf) ? -errno : 0;

	nth_done(c);
	c->buf = -1;
	return ret;
}

static int op_drop_caches(struct ctx *c)
{
	int ret = drop_caches();

	nth_done(c);
	return ret;
}

static int op_import(struct ctx *c)
{
	int ret = import(c);

	nth_done(c);
	return ret;
}

static int op_map(struct ctx *c)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	int ret = xioctl(c->dev, TEST_DMABUF_IOCTL_MAP, &map);

	nth_done(c);
	if (!ret && map.mapped_bytes != SZ_2M + 12288)
		return -EBADMSG;
	return ret;
}

static int op_vmap(struct ctx *c)
{
	int ret = dev_rw(c->dev, TEST_DMABUF_IOCTL_VMAP_READ, 0, c->scratch, SZ_2M + 12288);

	nth_done(c);
	return ret;
}

static const struct scenario scenarios[] = {
	{ "alloc, empty pool (new blocks)", 7, alloc_errnos, setup_none, op_alloc_cc_cold, 2, false },
	{ "alloc, warm pool", 7, alloc_errnos, setup_warm, op_alloc_cc_warm, 0, false },
	{ "alloc, fallback chunk", 1, alloc_errnos, NULL, NULL, 1, true },
	{ "free, fallback chunk", 7, none, setup_fallback_buf, op_close, 1, false },
	{ "free beyond the cap (trim)", 7, none, setup_trim, op_close, 1, false },
	{ "shrinker (drop_caches)", 1, none, setup_pool2, op_drop_caches, 2, false },
	{ "import (attach)", 7, mem_errnos, setup_dev_cc, op_import, 0, false },
	{ "map", 7, mem_errnos, setup_imported_cc, op_map, 0, false },
	{ "vmap", 7, mem_errnos, setup_imported_cc, op_vmap, 0, false },
	{ "system heap: alloc", 6, mem_errnos, setup_none, op_alloc_sys, 0, false },
	{ "system heap: map", 6, mem_errnos, setup_imported_sys, op_map, 0, false },
};

/* -- what the kernel said about the injected failure ------------------------ */

static const char * const internals[] = {
	"dump_stack", "fail_dump", "should_fail", "__should_fail", "should_failslab",
	"prepare_alloc_pages", "__alloc_pages", "alloc_pages", "__alloc_frozen_pages",
	"alloc_frozen_pages", "__folio_alloc", "folio_alloc", "alloc_slab_page",
	"allocate_slab", "new_slab", "___slab_alloc", "__slab_alloc", "slab_alloc_node",
	"kmem_cache_alloc", "__kmalloc", "kmalloc", "__kvmalloc", "kvmalloc",
	"__kmem_cache_alloc", "cc_emu_", "__set_memory_enc", "set_memory_",
	"__set_memory", "_set_memory", "kzalloc", "kvzalloc", "__vmalloc", "alloc_pages_bulk",
	"__alloc_pages_bulk", "alloc_pages_mpol", "alloc_pages_noprof", "slab_pre_alloc",
	/* stale words the guessing unwinder finds on the stack */
	"get_pid_task", "proc_fail_nth", "_raw_spin", "__x64_sys", "do_syscall",
	"entry_SYSCALL", "ksys_", "vfs_",
};

static bool internal(const char *sym)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(internals); i++)
		if (!strncmp(sym, internals[i], strlen(internals[i])))
			return true;
	return false;
}

/*
 * The first three frames outside the allocators and the conversion code,
 * from the stack that the fault-injection framework printed for the
 * failure, if it printed one (not for __GFP_NOWARN allocations).
 */
static void site_from_kmsg(int kmsg, char *site, size_t size)
{
	char rec[1024], last[96] = "", *msg, *end;
	bool trace = false;
	int frames = 0;
	ssize_t n;

	snprintf(site, size, "-");
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;	/* records lost: go on with the next */
		rec[n] = '\0';
		if (getenv("CC_POINTS_DEBUG"))
			ksft_print_msg("kmsg: %s", rec);
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (strstr(msg, "FAULT_INJECTION: forcing a failure")) {
			trace = false;
			frames = 0;
			snprintf(site, size, "?");
			continue;
		}
		if (!strcmp(msg, "Call Trace:")) {
			trace = true;
			continue;
		}
		if (!trace || frames >= 3 || msg[0] != ' ' || msg[1] == '<')
			continue;
		/*
		 * Without frame pointers every frame is a guess ("? "): the
		 * same one may show twice, and stale ones show up too.
		 */
		msg += strncmp(msg, " ? ", 3) ? 1 : 3;
		end = strchr(msg, '+');
		if (!end)
			continue;
		*end = '\0';
		if (internal(msg) || !strcmp(msg, last))
			continue;
		snprintf(last, sizeof(last), "%s", msg);
		if (!frames)
			snprintf(site, size, "%s", msg);
		else
			snprintf(site + strlen(site), size - strlen(site), "<%s", msg);
		frames++;
	}
}

/* -- the sweep -------------------------------------------------------------- */

FIXTURE(points) {
	struct ctx c;
	char pool_max[32];
	long long shared0, viol0, leaked0, failed0, injected0, buffers0, swiotlb0;
	int kmsg;
	int rows, failures, conv_rows;
	long long leaks;
};

FIXTURE_VARIANT(points) {
	unsigned int scenario;
};

FIXTURE_VARIANT_ADD(points, alloc_cold) { .scenario = 0 };
FIXTURE_VARIANT_ADD(points, alloc_warm) { .scenario = 1 };
FIXTURE_VARIANT_ADD(points, alloc_fallback) { .scenario = 2 };
FIXTURE_VARIANT_ADD(points, free_fallback) { .scenario = 3 };
FIXTURE_VARIANT_ADD(points, free_trim) { .scenario = 4 };
FIXTURE_VARIANT_ADD(points, shrinker) { .scenario = 5 };
FIXTURE_VARIANT_ADD(points, import) { .scenario = 6 };
FIXTURE_VARIANT_ADD(points, map) { .scenario = 7 };
FIXTURE_VARIANT_ADD(points, vmap) { .scenario = 8 };
FIXTURE_VARIANT_ADD(points, system_alloc) { .scenario = 9 };
FIXTURE_VARIANT_ADD(points, system_map) { .scenario = 10 };

static long long failed_conversions(void)
{
	return heap_stat("failed_to_shared") + heap_stat("failed_to_private");
}

FIXTURE_SETUP(points)
{
	memset(&self->c, 0, sizeof(self->c));
	self->c.buf = self->c.dev = self->c.nth_fd = self->kmsg = -1;
	self->pool_max[0] = '\0';
	NEED_EMULATED_HEAP(CC_HEAP);
	ASSERT_EQ(0, pool_max_save(self->pool_max, sizeof(self->pool_max)))
		TH_LOG("no pool (" POOL_MAX_MB "): not our series");
	ASSERT_LE(0, heap_stat("leaked_pages")) TH_LOG("no heap statistics in " HEAP_STATS);
	ASSERT_TRUE(path_exists(FAILSLAB_DIR "/probability") &&
		    path_exists(FAIL_PAGE_DIR "/probability"))
		TH_LOG("no failslab or fail_page_alloc in debugfs");
	self->c.nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->c.nth_fd) TH_LOG("no /proc/thread-self/fail-nth: %s", strerror(errno));
	self->c.heap = open(HEAP_DIR "/" CC_HEAP, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->c.heap);
	self->c.heap_sys = open(HEAP_DIR "/" SYS_HEAP, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->c.heap_sys);
	self->c.scratch = malloc(SZ_2M + 12288);
	ASSERT_NE(NULL, self->c.scratch);
	/* Faulted in now: the page pass must not hit the copy to it. */
	memset(self->c.scratch, 0, SZ_2M + 12288);
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->kmsg);
	self->c.sc = &scenarios[variant->scenario];

	inject_off();
	alloc_faults_off();
	/* Every failure is reported with its stack, none rate-limited away. */
	ASSERT_EQ(0, emu_fail_write("verbose", "2"));
	ASSERT_EQ(0, emu_fail_write("verbose_ratelimit_interval_ms", "0"));
	ASSERT_EQ(0, attr_write(FAILSLAB_DIR, "verbose_ratelimit_interval_ms", "0"));
	ASSERT_EQ(0, attr_write(FAIL_PAGE_DIR, "verbose_ratelimit_interval_ms", "0"));
	ASSERT_EQ(0, drop_caches());
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
	self->injected0 = emu_stat("injected_failures");
	self->leaked0 = heap_stat("leaked_pages");
	self->failed0 = failed_conversions();
	self->buffers0 = heap_stat("buffers");
	self->swiotlb0 = swiotlb_used();
}

FIXTURE_TEARDOWN(points)
{
	if (self->c.nth_fd >= 0) {
		nth_set(&self->c, 0);
		close(self->c.nth_fd);
	}
	inject_off();
	alloc_faults_off();
	if (self->pool_max[0])
		write_string(POOL_MAX_MB, self->pool_max);
	if (self->c.heap >= 0)
		close(self->c.heap);
	if (self->c.heap_sys >= 0)
		close(self->c.heap_sys);
	if (self->kmsg >= 0)
		close(self->kmsg);
	free(self->c.scratch);
}

/* Everything of one point closed, the pool emptied. */
static void cleanup(struct ctx *c, const char *pool_max)
{
	if (c->dev >= 0)
		close(c->dev);
	if (c->buf >= 0)
		close(c->buf);
	c->dev = c->buf = -1;
	write_string(POOL_MAX_MB, pool_max);
	drop_caches();
}

static bool allowed(const struct scenario *sc, int err)
{
	const int *e;

	for (e = sc->errnos; *e; e++)
		if (*e == err)
			return true;
	return false;
}

/*
 * Check one point after its cleanup and print its row; false when a check
 * failed (the row says which).
 */
static bool check_point(struct __test_metadata *_metadata, FIXTURE_DATA(points) *self,
			enum kind swept, int n, int ret, bool injected_conv, const char *site)
{
	const struct scenario *sc = self->c.sc;
	long long shared = emu_stat("shared_frames") - self->shared0;
	long long leaked = heap_stat("leaked_pages") - self->leaked0;
	long long injected = emu_stat("injected_failures") - self->injected0;
	long long failed = failed_conversions() - self->failed0;
	char outcome[48];
	const char *bad = NULL;

	if (ret && !allowed(sc, -ret))
		bad = "errno not allowed";
	else if (emu_stat("violations") != self->viol0)
		bad = "emulator violation";
	else if (shared < 0 || shared > leaked)
		bad = "shared frames not accounted";
	else if (failed != injected)
		bad = "heap and emulator disagree on failures";
	else if (heap_stat("buffers") != self->buffers0)
		bad = "a buffer is left";
	else if (swiotlb_used() != self->swiotlb0)
		bad = "swiotlb slots left";
	snprintf(outcome, sizeof(outcome), "%s", ret ? strerror(-ret) : "ok");
	self->conv_rows += injected_conv && swept == K_CONV;
	/* A conversion reached in the slab or page pass is a row of the conversion pass. */
	if (injected_conv && swept != K_CONV && !bad) {
		self->leaks = leaked;
		return true;
	}
	ksft_print_msg("%-30s %-4s %3d  %-5s %-60s %-24s leaked %lld%s%s\n", sc->name,
		       kind_names[swept], n,
		       injected_conv ? "conv" : kind_names[swept], site, outcome,
		       leaked - self->leaks, bad ? "  FAIL: " : "", bad ? bad : "");
	self->leaks = leaked;
	self->rows++;
	self->failures += ret != 0;
	EXPECT_EQ(NULL, bad) TH_LOG("%s, point %d (%s): %s", sc->name, n, kind_names[swept], bad);
	return !bad;
}

/* One kind: fail point 1, 2, ... until the operation passes them all. */
static void sweep(struct __test_metadata *_metadata, FIXTURE_DATA(points) *self, enum kind k)
{
	struct ctx *c = &self->c;
	char site[160];
	int n, ret;

	for (n = 1; n <= MAX_POINTS; n++) {
		long long inj0;
		long left;

		ASSERT_EQ(0, c->sc->setup(c)) TH_LOG("%s: setup failed", c->sc->name);
		ASSERT_EQ(0, alloc_faults_scope(k == K_SLAB, k == K_PAGE));
		inj0 = emu_stat("injected_failures");
		lseek(self->kmsg, 0, SEEK_END);
		ASSERT_EQ(0, nth_set(c, n));
		c->left = -1;
		ret = c->sc->op(c);
		left = c->left;
		ASSERT_LE(0, left) TH_LOG("fail-nth not read back");
		alloc_faults_scope(false, false);
		if (left) {
			/* Point n does not exist: the operation must have worked. */
			EXPECT_EQ(0, ret) TH_LOG("%s without a failure: %s", c->sc->name,
						 strerror(-ret));
			cleanup(c, self->pool_max);
			break;
		}
		site_from_kmsg(self->kmsg, site, sizeof(site));
		cleanup(c, self->pool_max);
		if (!check_point(_metadata, self, k, n, ret,
				 emu_stat("injected_failures") > inj0, site))
			break;
	}
	EXPECT_GE(MAX_POINTS, n) TH_LOG("%s: more than %d points?", c->sc->name, MAX_POINTS);
	if (k == K_CONV && c->sc->op == op_alloc_cc_warm)
		EXPECT_EQ(1, n) TH_LOG("an allocation from a warm pool converted something");
}

/*
 * The fallback chunk's conversion at alloc: the first block allocation
 * fails (fail-nth), then the Nth conversion through cc_emu/fail.
 */
static void sweep_fallback(struct __test_metadata *_metadata, FIXTURE_DATA(points) *self)
{
	struct ctx *c = &self->c;
	char site[160];
	int n, ret;

	for (n = 1; n <= MAX_POINTS; n++) {
		long long inj0 = emu_stat("injected_failures");

		lseek(self->kmsg, 0, SEEK_END);
		ASSERT_EQ(0, inject_nth(n, -EIO));
		ASSERT_EQ(0, emu_fail_write("verbose", "2"));
		ASSERT_EQ(0, fail_first_block(c));
		ret = alloc_on(c->heap, 4096, &c->buf);
		nth_set(c, 0);
		alloc_faults_scope(false, false);
		inject_off();
		if (emu_stat("injected_failures") == inj0) {
			EXPECT_EQ(0, ret) TH_LOG("fallback alloc without a failure: %s",
						 strerror(-ret));
			EXPECT_EQ(1, heap_stat("fallbacks") > 0);
			cleanup(c, self->pool_max);
			break;
		}
		if (ret)
			c->buf = -1;
		site_from_kmsg(self->kmsg, site, sizeof(site));
		cleanup(c, self->pool_max);
		if (!check_point(_metadata, self, K_CONV, n, ret, true, site))
			break;
	}
	EXPECT_LT(1, n) TH_LOG("the fallback chunk was never converted");
}

TEST_F_TIMEOUT(points, every_point_fails_cleanly, 600)
{
	const struct scenario *sc = self->c.sc;
	enum kind k;

	ksft_print_msg("%-30s %-4s %3s  %-5s %-60s %-24s %s\n", "scenario", "pass", "n",
		       "kind", "site (stack of the injected failure)", "outcome", "pages");
	if (sc->fallback) {
		sweep_fallback(_metadata, self);
	} else {
		for (k = 0; k < NR_KINDS; k++)
			if (sc->kinds & (1U << k))
				sweep(_metadata, self, k);
	}
	ksft_print_msg("%s: %d points failed one at a time, %d operations failed, %lld pages leaked (counted)\n",
		       sc->name, self->rows, self->failures,
		       heap_stat("leaked_pages") - self->leaked0);
	EXPECT_LE(sc->min_conv, self->conv_rows)
		TH_LOG("%d conversion points, expected %d at least", self->conv_rows, sc->min_conv);
}

TEST_HARNESS_MAIN
