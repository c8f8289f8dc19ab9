// SPDX-License-Identifier: GPL-2.0
/*
 * cc-pool: system_cc_shared converts whole 2 MiB blocks and keeps a pool
 * of them (system_cc_shared.c). What the emulator counts is what real
 * hardware would do, so the targets are counts:
 *
 *  - a cold allocation of 2 MiB or more converts whole aligned blocks
 *    only: no 4 KiB page-state operation, no large-page split, and
 *    DirectMap4k does not grow;
 *  - warm alloc/free cycles convert nothing;
 *  - every new buffer reads zero, also after the host wrote into its
 *    pooled frames;
 *  - the pool stays under its cap, is given back on drop_caches and under
 *    memory pressure (with the shared frames back to their baseline), is
 *    accounted as reclaimable, and nothing is OOM-killed;
 *  - the pool and the slack (free pages of blocks partly in use) stay
 *    within the cap together: small pieces come from blocks of their own
 *    size class, and past the cap, or with a cap of 0, from chunks
 *    converted on their own;
 *  - a failed conversion at a refill, a trim or a shrink leaks only the
 *    block concerned, counted, with no emulator violation, and is not
 *    counted as freed; a shrink stops at the first failure;
 *  - a free that finds the bookkeeping wrong (a double free) leaks the
 *    block, whose other pieces stay valid, and warns.
 *
 * Mainline has no pool: there these fail, as expected (ledger: feat-pool).
 */
#include <sys/sysinfo.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define CC_HEAP		"system_cc_shared"
#define BLOCK		((long long)SZ_2M)
#define BLOCK_PAGES	512

static long long oom_kills(void)
{
	long long v = -1;

	return read_key("/proc/vmstat", "oom_kill", &v) ? -1 : v;
}

static int set_pool_max(unsigned int mb)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", mb);
	return write_string(POOL_MAX_MB, buf);
}

/* Allocate and free @n buffers of @len at once: they end up in the pool. */
static int cycle_many(size_t len, int n)
{
	int fds[64], i, ret = 0;

	if (n > 64)
		return -EINVAL;
	for (i = 0; i < n && !ret; i++)
		ret = heap_alloc(CC_HEAP, len, &fds[i]);
	if (ret)
		i--;
	while (i-- > 0)
		close(fds[i]);
	return ret;
}

FIXTURE(pool) {
	char pool_max[32];
	long long shared0, viol0;
};

FIXTURE_SETUP(pool)
{
	self->pool_max[0] = '\0';
	NEED_EMULATED_HEAP(CC_HEAP);
	ASSERT_EQ(0, pool_max_save(self->pool_max, sizeof(self->pool_max)))
		TH_LOG("no pool: " POOL_MAX_MB " is missing");
	ASSERT_LE(0, heap_stat("pool_bytes")) TH_LOG("no pool counters in " HEAP_STATS);
	ASSERT_EQ(0, drop_caches());
	ASSERT_EQ(0, heap_stat("pool_bytes"));
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
}

FIXTURE_TEARDOWN(pool)
{
	inject_off();
	if (self->pool_max[0])
		write_string(POOL_MAX_MB, self->pool_max);
	drop_caches();
	/* Whatever a case did, no frame is shared that was not before, bar leaks. */
	if (self->pool_max[0])
		EXPECT_EQ(self->viol0, emu_stat("violations"));
}

/* Cold allocations of 2 MiB and more convert whole blocks only. */
TEST_F(pool, cold_allocations_convert_whole_blocks)
{
	static const size_t sizes[] = { 2 * SZ_1M, 3 * SZ_1M, 4 * SZ_1M, 6 * SZ_1M, 16 * SZ_1M };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		long long calls0, aligned0, splits0, ops4k0, ops2m0, dm4k0, blocks;
		int buf;

		ASSERT_EQ(0, drop_caches());
		calls0 = emu_stat("to_shared_calls");
		aligned0 = emu_stat("aligned_2m");
		splits0 = emu_stat("splits");
		ops4k0 = emu_stat("ops_4k");
		ops2m0 = emu_stat("ops_2m");
		dm4k0 = meminfo_kb("DirectMap4k");
		ASSERT_EQ(0, heap_alloc(CC_HEAP, sizes[i], &buf));
		blocks = ((long long)sizes[i] + BLOCK - 1) / BLOCK;
		TH_LOG("%zu MiB: %lld conversions, %lld aligned, %lld splits, ops 4k %lld 2m %lld, DirectMap4k %+lld kB",
		       sizes[i] >> 20, emu_stat("to_shared_calls") - calls0,
		       emu_stat("aligned_2m") - aligned0, emu_stat("splits") - splits0,
		       emu_stat("ops_4k") - ops4k0, emu_stat("ops_2m") - ops2m0,
		       meminfo_kb("DirectMap4k") - dm4k0);
		EXPECT_EQ(blocks, emu_stat("to_shared_calls") - calls0);
		EXPECT_EQ(blocks, emu_stat("aligned_2m") - aligned0);
		EXPECT_EQ(0, emu_stat("splits") - splits0);
		EXPECT_EQ(0, emu_stat("ops_4k") - ops4k0);
		EXPECT_EQ(blocks, emu_stat("ops_2m") - ops2m0);
		EXPECT_EQ(dm4k0, meminfo_kb("DirectMap4k"));
		close(buf);
	}
}

/*
 * A quarter of RAM, cold: no 4 KiB page-state operation at all while
 * blocks can be had (mainline: 262144 per GiB), fallbacks counted apart.
 */
TEST_F(pool, no_4k_operations_per_gib)
{
	struct sysinfo si;
	long long ops4k0, fallbacks0;
	size_t len;
	int buf = -1;

	ASSERT_EQ(0, sysinfo(&si));
	len = ((size_t)si.totalram * si.mem_unit / 4) & ~((size_t)SZ_2M - 1);
	ASSERT_EQ(0, set_pool_max(1024));
	ops4k0 = emu_stat("ops_4k");
	fallbacks0 = heap_stat("fallbacks");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, len, &buf));
	TH_LOG("%zu MiB cold: %lld 4 KiB operations, %lld fallbacks", len >> 20,
	       emu_stat("ops_4k") - ops4k0, heap_stat("fallbacks") - fallbacks0);
	EXPECT_EQ(0, heap_stat("fallbacks") - fallbacks0);
	EXPECT_EQ(0, emu_stat("ops_4k") - ops4k0);
	close(buf);
}

/* Warm cycles, at every size, convert nothing: the pool serves them. */
TEST_F(pool, warm_cycles_convert_nothing)
{
	static const size_t sizes[] = { 64 << 10, SZ_1M, 4 * SZ_1M };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		long long to_shared0, to_private0, hits0;
		int n, buf;

		ASSERT_EQ(0, heap_alloc(CC_HEAP, sizes[i], &buf));	/* prime */
		close(buf);
		to_shared0 = emu_stat("to_shared_calls");
		to_private0 = emu_stat("to_private_calls");
		hits0 = heap_stat("pool_hits");
		for (n = 0; n < 20; n++) {
			ASSERT_EQ(0, heap_alloc(CC_HEAP, sizes[i], &buf));
			close(buf);
		}
		EXPECT_EQ(to_shared0, emu_stat("to_shared_calls"));
		EXPECT_EQ(to_private0, emu_stat("to_private_calls"));
		EXPECT_LE(hits0 + 20, heap_stat("pool_hits"));
	}
}

/* Pooled frames the host wrote into read zero in the next buffer. */
TEST_F(pool, zero_after_host_write)
{
	uint8_t *p;
	int buf = -1;

	ASSERT_EQ(0, heap_alloc(CC_HEAP, BLOCK, &buf));
	p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x55, SZ_2M);
	munmap(p, BLOCK);
	close(buf);
	ASSERT_EQ((long long)BLOCK, heap_stat("pool_bytes"));
	ASSERT_EQ(0, write_string(EMU_DIR "/host_write", "1"));
	ASSERT_EQ(0, heap_alloc(CC_HEAP, BLOCK, &buf));
	p = mmap(NULL, BLOCK, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0U, count_not(p, BLOCK, 0));
	munmap(p, BLOCK);
	close(buf);
}

/* The pool never holds more than its cap; a cap of 0 keeps nothing. */
TEST_F(pool, cap_bounds_the_pool)
{
	long long trims0 = heap_stat("trims");

	ASSERT_EQ(0, set_pool_max(4));
	ASSERT_EQ(4LL << 20, heap_stat("pool_cap_bytes"));
	ASSERT_EQ(0, cycle_many(BLOCK, 8));
	EXPECT_GE(4LL << 20, heap_stat("pool_bytes"));
	EXPECT_LE(trims0 + 6, heap_stat("trims"));
	ASSERT_EQ(0, set_pool_max(0));
	ASSERT_EQ(0, cycle_many(BLOCK, 2));
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_EQ(self->shared0, emu_stat("shared_frames"));
}

/* A lower cap takes effect when it is written, not at the next free. */
TEST_F(pool, lower_cap_trims_at_once)
{
	long long trims0;

	ASSERT_EQ(0, set_pool_max(128));
	ASSERT_EQ(0, cycle_many(BLOCK, 8));
	ASSERT_EQ(8LL * BLOCK, heap_stat("pool_bytes"));
	trims0 = heap_stat("trims");
	ASSERT_EQ(0, set_pool_max(4));
	EXPECT_EQ(2LL * BLOCK, heap_stat("pool_bytes"));
	EXPECT_EQ(trims0 + 6, heap_stat("trims"));
	EXPECT_EQ(self->shared0 + 2 * BLOCK_PAGES, emu_stat("shared_frames"));
}

/*
 * With a cap of 0 nothing is kept shared beyond live buffers: a small
 * buffer is a chunk converted on its own, not a block, and is private
 * again once freed.
 */
TEST_F(pool, cap_zero_converts_small_buffers_alone)
{
	long long blocks0, fb0;
	int buf = -1;

	ASSERT_EQ(0, set_pool_max(0));
	blocks0 = heap_stat("blocks_to_shared");
	fb0 = heap_stat("fallbacks");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 4096, &buf));
	EXPECT_EQ(blocks0, heap_stat("blocks_to_shared"));
	EXPECT_EQ(fb0 + 1, heap_stat("fallbacks"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));
	EXPECT_EQ(self->shared0 + 1, emu_stat("shared_frames"));
	close(buf);
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_EQ(self->shared0, emu_stat("shared_frames"));
}

/*
 * A block is cut into small pieces only while the slack it adds keeps the
 * pool and the slack within the cap: with a cap of one block, a 4 KiB
 * buffer opens one (511 pages of slack), and a 64 KiB buffer of another
 * size class is then a chunk of its own.
 */
TEST_F(pool, slack_stays_within_cap)
{
	long long blocks0, fb0;
	int small = -1, other = -1;

	ASSERT_EQ(0, set_pool_max(2));
	blocks0 = heap_stat("blocks_to_shared");
	fb0 = heap_stat("fallbacks");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 4096, &small));
	EXPECT_EQ(blocks0 + 1, heap_stat("blocks_to_shared"));
	EXPECT_EQ((long long)BLOCK - 4096, heap_stat("slack_bytes"));
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 64 << 10, &other));
	EXPECT_EQ(blocks0 + 1, heap_stat("blocks_to_shared"));
	EXPECT_EQ(fb0 + 1, heap_stat("fallbacks"));
	EXPECT_GE(heap_stat("pool_cap_bytes"), heap_stat("held_bytes"));
	EXPECT_EQ(heap_stat("pool_bytes") + heap_stat("slack_bytes"), heap_stat("held_bytes"));
	close(other);
	close(small);
	EXPECT_EQ((long long)BLOCK, heap_stat("pool_bytes"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));
}

/* drop_caches gives the pool back, and the shared frames with it. */
TEST_F(pool, drop_caches_empties_pool)
{
	long long freed0 = heap_stat("shrinker_freed"), leaked0 = heap_stat("leaked_pages");

	ASSERT_EQ(0, cycle_many(BLOCK, 8));
	EXPECT_EQ(8LL * BLOCK, heap_stat("pool_bytes"));
	EXPECT_EQ(self->shared0 + 8 * BLOCK_PAGES, emu_stat("shared_frames"));
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_LE(freed0 + 8, heap_stat("shrinker_freed"));
	EXPECT_EQ(self->shared0 + heap_stat("leaked_pages") - leaked0, emu_stat("shared_frames"));
}

/* Pooled memory is reclaimable kernel memory: KReclaimable shows it. */
TEST_F(pool, pool_is_reclaimable)
{
	long long before = meminfo_kb("KReclaimable"), after;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, cycle_many(BLOCK, 8));
	after = meminfo_kb("KReclaimable");
	TH_LOG("KReclaimable %lld -> %lld kB with %lld kB pooled", before, after,
	       heap_stat("pool_bytes") >> 10);
	/* Other reclaimable memory may move a little meanwhile. */
	EXPECT_LE(before + (8LL * BLOCK >> 10) - 1024, after);
}

/*
 * Memory the pool holds goes to whoever needs it: a plain system buffer
 * that needs more than is free besides the pool gets it, the pool
 * shrinks, and nothing is OOM-killed.
 */
TEST_F(pool, pressure_takes_from_pool)
{
	long long oom0 = oom_kills(), freed0 = heap_stat("shrinker_freed");
	struct sysinfo si;
	size_t pooled, want;
	int fds[32], i, n, buf = -1, ret;

	ASSERT_LE(0, oom0);
	ASSERT_EQ(0, sysinfo(&si));
	ASSERT_EQ(0, set_pool_max(2048));
	/* Pool about half of RAM. */
	pooled = (size_t)si.totalram * si.mem_unit / 2;
	n = pooled / (16 * SZ_1M);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, heap_alloc(CC_HEAP, 16 * SZ_1M, &fds[i]));
	while (i-- > 0)
		close(fds[i]);
	TH_LOG("pooled %lld MiB; MemFree %lld MiB, MemAvailable %lld MiB",
	       heap_stat("pool_bytes") >> 20, meminfo_kb("MemFree") >> 10,
	       meminfo_kb("MemAvailable") >> 10);
	/* More than is free without the pool, less than is available with it. */
	ASSERT_EQ(0, sysinfo(&si));
	want = (size_t)si.freeram * si.mem_unit + 64 * SZ_1M;
	ret = heap_alloc("system", want, &buf);
	TH_LOG("system buffer of %zu MiB: %s; pool now %lld MiB", want >> 20,
	       ret ? strerror(-ret) : "allocated", heap_stat("pool_bytes") >> 20);
	EXPECT_EQ(0, ret);
	if (!ret)
		close(buf);
	EXPECT_LT(freed0, heap_stat("shrinker_freed"));
	EXPECT_EQ(oom0, oom_kills());
}

/*
 * Short-lived large buffers mixed with long-lived small ones: 16 pairs of
 * a 1 MiB and a 4 KiB buffer, the 1 MiB ones freed. The small ones must
 * not keep the large ones' memory shared: once the pool is dropped, what
 * stays shared is the live bytes and at most one partly used block (one
 * size class in use). Mainline converts every chunk on its own and holds
 * the live bytes only; a block of both sizes would hold 16 MiB.
 */
TEST(mixed_sizes_hold_bounded_memory)
{
	int large[16], small[16], i, ret = 0;
	long long shared0, held, live, pool;

	NEED_EMULATED_HEAP(CC_HEAP);
	pool = heap_stat("pool_bytes");
	ASSERT_EQ(0, drop_caches());
	shared0 = emu_stat("shared_frames");
	for (i = 0; i < 16 && !ret; i++) {
		ret = heap_alloc(CC_HEAP, SZ_1M, &large[i]);
		if (!ret)
			ret = heap_alloc(CC_HEAP, 4096, &small[i]);
	}
	ASSERT_EQ(0, ret);
	for (i = 0; i < 16; i++)
		close(large[i]);
	ASSERT_EQ(0, drop_caches());
	held = (emu_stat("shared_frames") - shared0) * 4096;
	live = 16 * 4096;
	TH_LOG("16 x (1 MiB + 4 KiB), the 1 MiB freed: %lld KiB shared for %lld KiB live (slack %lld KiB%s)",
	       held >> 10, live >> 10, pool < 0 ? 0 : heap_stat("slack_bytes") >> 10,
	       pool < 0 ? ", no pool" : "");
	EXPECT_LE(live, held);
	EXPECT_GE(live + (pool < 0 ? 0 : BLOCK), held);
	for (i = 0; i < 16; i++)
		close(small[i]);
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
}

#define MEM_ACCOUNTING "/sys/module/dma_heap/parameters/mem_accounting"

/*
 * With dma_heap.mem_accounting=1 memory is charged to the allocating
 * task's memcg, which a pooled block would escape (it stays charged to
 * whoever refilled the pool): there is no pool then. Every chunk is
 * converted on its own (a fallback), and nothing stays shared after the
 * free.
 */
TEST_F(pool, no_pool_with_mem_accounting)
{
	long long shared0, fb0, hits0, misses0, blocks0;
	char v[8];
	int ret, buf = -1;

	ret = read_word(MEM_ACCOUNTING, v, sizeof(v));
	if (ret == -ENOENT)
		SKIP(return, "no dma_heap.mem_accounting in this kernel");
	ASSERT_EQ(0, ret) TH_LOG(MEM_ACCOUNTING ": %s", strerror(-ret));
	if (strcmp(v, "Y"))
		SKIP(return, "not booted with dma_heap.mem_accounting=1");
	/* The counters show the cap in force, whatever pool_max_mb says. */
	EXPECT_EQ(0, heap_stat("pool_cap_bytes"));
	shared0 = emu_stat("shared_frames");
	fb0 = heap_stat("fallbacks");
	hits0 = heap_stat("pool_hits");
	misses0 = heap_stat("pool_misses");
	blocks0 = heap_stat("blocks_to_shared");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 4 * SZ_1M + 12288, &buf));
	/* 4 chunks of 1 MiB and 3 pages at least, more if memory is fragmented. */
	EXPECT_LE(fb0 + 7, heap_stat("fallbacks"));
	EXPECT_EQ(blocks0, heap_stat("blocks_to_shared"));
	close(buf);
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
	/* Nor is anything taken from a pool the next time. */
	ASSERT_EQ(0, heap_alloc(CC_HEAP, SZ_2M, &buf));
	close(buf);
	EXPECT_EQ(hits0, heap_stat("pool_hits"));
	EXPECT_EQ(misses0, heap_stat("pool_misses"));
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
}

/*
 * Conversions that fail at the pool's own sites leak the block concerned,
 * counted, and nothing else: a refill (a new block made shared), a trim
 * (a block beyond the cap made private on free), a shrink (drop_caches).
 */
FIXTURE(pool_fault) {
	char pool_max[32];
	long long shared0, leaked0, viol0, redundant0;
};

FIXTURE_VARIANT(pool_fault) {
	int site;	/* 0 refill, 1 trim, 2 shrink */
};

FIXTURE_VARIANT_ADD(pool_fault, refill) { .site = 0 };
FIXTURE_VARIANT_ADD(pool_fault, trim) { .site = 1 };
FIXTURE_VARIANT_ADD(pool_fault, shrink) { .site = 2 };

FIXTURE_SETUP(pool_fault)
{
	self->pool_max[0] = '\0';
	NEED_EMULATED_HEAP(CC_HEAP);
	ASSERT_EQ(0, pool_max_save(self->pool_max, sizeof(self->pool_max)))
		TH_LOG("no pool: " POOL_MAX_MB " is missing");
	ASSERT_TRUE(path_exists(EMU_FAIL_DIR "/probability"));
	ASSERT_EQ(0, drop_caches());
	self->shared0 = emu_stat("shared_frames");
	self->leaked0 = heap_stat("leaked_pages");
	self->viol0 = emu_stat("violations");
	self->redundant0 = emu_stat("redundant_to_private");
}

FIXTURE_TEARDOWN(pool_fault)
{
	inject_off();
	if (self->pool_max[0])
		write_string(POOL_MAX_MB, self->pool_max);
}

TEST_F(pool_fault, leaks_only_the_block)
{
	long long converted = shape_is_snp() ? BLOCK_PAGES : BLOCK_PAGES / 2;
	long long left, trims0 = heap_stat("trims"), freed0 = heap_stat("shrinker_freed");
	long long nleak = 1, pooled;
	int buf = -1, ret;

	switch (variant->site) {
	case 0:
		ASSERT_EQ(0, inject_nth(1, -EIO));
		ret = heap_alloc(CC_HEAP, BLOCK, &buf);
		inject_off();
		EXPECT_EQ(-EIO, ret);
		if (!ret)
			close(buf);
		left = converted;	/* made shared in part or whole */
		break;
	case 1:
		ASSERT_EQ(0, set_pool_max(0));
		ASSERT_EQ(0, heap_alloc(CC_HEAP, BLOCK, &buf));
		ASSERT_EQ(0, inject_nth(1, -EIO));
		close(buf);
		inject_off();
		/* A block that could not be given back is no trim. */
		EXPECT_EQ(trims0, heap_stat("trims"));
		left = BLOCK_PAGES - converted;	/* made private in part or whole */
		break;
	default:
		/*
		 * Every conversion fails, as when conversions are stopped for
		 * kexec: the shrink leaks the first block, counts nothing as
		 * freed, and stops there instead of leaking the whole pool.
		 */
		ASSERT_EQ(0, cycle_many(BLOCK, 6));
		ASSERT_EQ(6 * BLOCK, heap_stat("pool_bytes"));
		ASSERT_EQ(0, inject_nth(1, -EIO));
		ASSERT_EQ(0, emu_fail_write("times", "-1"));
		drop_caches();
		inject_off();
		EXPECT_EQ(freed0, heap_stat("shrinker_freed"));
		/*
		 * One block per pass over the shrinkers, and drop_caches
		 * repeats its pass while the others free much: a few at most.
		 */
		pooled = heap_stat("pool_bytes") / BLOCK;
		TH_LOG("persistent failure: %lld of 6 blocks leaked by one drop_caches", 6 - pooled);
		EXPECT_LE(3, pooled);
		nleak = 6 - pooled;
		ASSERT_EQ(0, drop_caches());
		EXPECT_EQ(freed0 + pooled, heap_stat("shrinker_freed"));
		left = nleak * (BLOCK_PAGES - converted);
		break;
	}
	EXPECT_EQ(self->leaked0 + nleak * BLOCK_PAGES, heap_stat("leaked_pages"));
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(self->shared0 + left, emu_stat("shared_frames"));
	EXPECT_EQ(self->viol0, emu_stat("violations"));
	EXPECT_EQ(self->redundant0, emu_stat("redundant_to_private"));
}

/*
 * A free that finds its range not in use (here: the fault knob frees the
 * piece twice) leaks the block, with one warning, instead of trusting the
 * map: with a live piece left in it, a trim would otherwise make the block
 * private under that piece's decrypted mappings. The live piece stays
 * valid, and freeing it later changes nothing.
 */
#define FREE_TWICE	"/sys/kernel/debug/dma_heap/system_cc_shared/fail_free_twice"

TEST_F(pool, bad_free_leaks_the_block)
{
	long long bad0 = heap_stat("bad_frees"), leaked0 = heap_stat("leaked_pages");
	int a = -1, b = -1;
	uint8_t *p;

	ASSERT_TRUE(path_exists(FREE_TWICE)) TH_LOG("no " FREE_TWICE);
	/* Alone in its block: the second free finds the block free. */
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 64 << 10, &a));
	ASSERT_EQ(0, write_string(FREE_TWICE, "1"));
	close(a);
	EXPECT_EQ(bad0 + 1, heap_stat("bad_frees"));
	EXPECT_EQ(leaked0 + BLOCK_PAGES, heap_stat("leaked_pages"));
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));

	/* Beside a live piece: the block is leaked, the live piece stays usable. */
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 64 << 10, &a));
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 64 << 10, &b));
	p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, write_string(FREE_TWICE, "1"));
	close(a);
	EXPECT_EQ(bad0 + 2, heap_stat("bad_frees"));
	EXPECT_EQ(leaked0 + 2 * BLOCK_PAGES, heap_stat("leaked_pages"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));
	memset(p, 0xa5, 64 << 10);
	EXPECT_EQ(0U, count_not(p, 64 << 10, 0xa5));
	munmap(p, 64 << 10);
	close(b);
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(0, heap_stat("pool_bytes"));
	EXPECT_EQ(0, heap_stat("slack_bytes"));
	/* Both blocks stay shared and out of use: nothing went back private. */
	EXPECT_EQ(self->shared0 + 2 * BLOCK_PAGES, emu_stat("shared_frames"));
}

TEST_HARNESS_MAIN
