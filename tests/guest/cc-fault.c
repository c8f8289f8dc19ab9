// SPDX-License-Identifier: GPL-2.0
/*
 * cc-fault: conversions of system_cc_shared that fail, injected through the
 * emulator's fault attribute (debugfs cc_emu/fail, the kernel's
 * fault-injection framework). The boot decides how a failed conversion
 * leaves its range (cc_emulation=on,fail=tdx|snp, shown in
 * cc_emu/fail_shape): "tdx", the first half converted; "snp", all of it
 * converted before the error.
 *
 * Our heap converts whole 2 MiB blocks from its pool (emptied before each
 * case): a 5 MiB buffer is two blocks and a 1 MiB piece of a third, three
 * conversions. Failing the n-th of them must give a clean EIO, leak the
 * failed block (its state is unknown), give the blocks before it back to
 * the pool, and never convert a private page to private (fatal on SNP, a
 * leak on TDX). With pooling off (pool_max_mb=0) a free makes the blocks
 * private at once: failing the first of those leaks that block, counted.
 * The heap's counters follow all of it.
 *
 * With CC_FAULT_EXPECT=mainline in the environment the allocation cases
 * assert instead what mainline does with its 1 MiB chunks (five
 * conversions, every chunk converted back on failure): the exact number
 * of needless conversions of private pages. The plan runs that on the
 * stock kernel, so mainline's defect is measured, not only seen to differ.
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"

#define CC_HEAP		"system_cc_shared"
#define BLOCK_PAGES	512	/* ours: 2 MiB blocks */
#define CHUNK_PAGES	256	/* mainline: 1 MiB chunks */
#define BUF_LEN		(5 * SZ_1M)

static bool expect_mainline(void)
{
	const char *e = getenv("CC_FAULT_EXPECT");

	return e && !strcmp(e, "mainline");
}

FIXTURE(fault) {
	long long shared0, viol0, redundant0, leaked0, failures0;
	long long blocks_shared0, blocks_private0, failed_shared0, failed_private0;
	char pool_max[32];
};

FIXTURE_VARIANT(fault) {
	int nth;		/* ours: the conversion that fails */
	int nth_mainline;	/* mainline: the same point, counted in chunks */
	bool at_free;		/* the conversion back at free, else sharing at alloc */
};

FIXTURE_VARIANT_ADD(fault, alloc_first_chunk) { .nth = 1, .nth_mainline = 1 };
FIXTURE_VARIANT_ADD(fault, alloc_middle_chunk) { .nth = 2, .nth_mainline = 3 };
FIXTURE_VARIANT_ADD(fault, alloc_last_chunk) { .nth = 3, .nth_mainline = 5 };
FIXTURE_VARIANT_ADD(fault, free_first_chunk) { .nth = 1, .nth_mainline = 1, .at_free = true };

FIXTURE_SETUP(fault)
{
	self->pool_max[0] = '\0';
	NEED_EMULATED_HEAP(CC_HEAP);
	ASSERT_TRUE(path_exists(EMU_FAIL_DIR "/probability"))
		TH_LOG("the emulator has no fault attribute " EMU_FAIL_DIR);
	/* Mainline has no pool: nothing to save there. */
	pool_max_save(self->pool_max, sizeof(self->pool_max));
	/* Every case starts from an empty pool: its conversions are fresh. */
	drop_caches();
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
	self->redundant0 = emu_stat("redundant_to_private");
	self->failures0 = emu_stat("injected_failures");
	self->leaked0 = heap_stat("leaked_pages");
	self->blocks_shared0 = heap_stat("blocks_to_shared");
	self->blocks_private0 = heap_stat("blocks_to_private");
	self->failed_shared0 = heap_stat("failed_to_shared");
	self->failed_private0 = heap_stat("failed_to_private");
}

FIXTURE_TEARDOWN(fault)
{
	inject_off();
	if (self->pool_max[0])
		write_string(POOL_MAX_MB, self->pool_max);
}

TEST_F(fault, conversion_fails)
{
	long long shared, leaked, redundant, converted, unit;
	bool snp = shape_is_snp(), mainline = expect_mainline();
	int buf = -1, ret;

	/* Pages of the failed block (chunk) that its conversion did convert. */
	unit = mainline ? CHUNK_PAGES : BLOCK_PAGES;
	converted = snp ? unit : unit / 2;
	if (variant->at_free) {
		if (!mainline)
			ASSERT_EQ(0, write_string(POOL_MAX_MB, "0"));
		ASSERT_EQ(0, heap_alloc(CC_HEAP, BUF_LEN, &buf));
		ASSERT_EQ(0, inject_nth(mainline ? variant->nth_mainline : variant->nth, -EIO));
		close(buf);
	} else {
		ASSERT_EQ(0, inject_nth(mainline ? variant->nth_mainline : variant->nth, -EIO));
		ret = heap_alloc(CC_HEAP, BUF_LEN, &buf);
		inject_off();
		EXPECT_EQ(-EIO, ret) TH_LOG("allocation: %s", strerror(-ret));
		if (!ret)
			close(buf);
	}
	inject_off();
	EXPECT_EQ(self->failures0 + 1, emu_stat("injected_failures"));
	EXPECT_EQ(self->viol0, emu_stat("violations"));

	shared = emu_stat("shared_frames") - self->shared0;
	redundant = emu_stat("redundant_to_private") - self->redundant0;
	leaked = heap_stat("leaked_pages") - self->leaked0;
	TH_LOG("shape %s: shared frames left %lld, leaked pages %lld, private pages converted to private %lld",
	       snp ? "snp" : "tdx", shared, leaked, redundant);

	if (mainline && !variant->at_free) {
		/*
		 * Mainline converts every chunk back: the failed one (its
		 * unconverted part twice) and those after it, never shared.
		 */
		EXPECT_EQ(CHUNK_PAGES - converted +
			  (5 - variant->nth_mainline) * CHUNK_PAGES, redundant);
		EXPECT_EQ(0, shared);
		return;
	}
	ASSERT_LE(0, self->leaked0) TH_LOG("no heap counters in " HEAP_STATS);
	ASSERT_LE(0, self->blocks_shared0) TH_LOG("no pool of shared blocks");
	/* Nothing private is ever converted to private. */
	EXPECT_EQ(0, redundant);
	/* The failed block is leaked whole, in whatever state it was left. */
	EXPECT_EQ(BLOCK_PAGES, leaked);
	if (variant->at_free) {
		/* Made private in part or whole; the rest stays shared. */
		EXPECT_EQ(BLOCK_PAGES - converted, shared);
		/* Two blocks; with a cap of 0 the last 1 MiB is a chunk of its own. */
		EXPECT_EQ(self->blocks_shared0 + 2, heap_stat("blocks_to_shared"));
		EXPECT_EQ(self->blocks_private0 + 1, heap_stat("blocks_to_private"));
		EXPECT_EQ(self->failed_shared0, heap_stat("failed_to_shared"));
		EXPECT_EQ(self->failed_private0 + 1, heap_stat("failed_to_private"));
	} else {
		/* The blocks before the failed one went to the pool, shared. */
		EXPECT_EQ(converted + (variant->nth - 1) * BLOCK_PAGES, shared);
		EXPECT_EQ(self->blocks_shared0 + variant->nth - 1, heap_stat("blocks_to_shared"));
		EXPECT_EQ(self->failed_shared0 + 1, heap_stat("failed_to_shared"));
		EXPECT_EQ(self->failed_private0, heap_stat("failed_to_private"));
		/* Emptying the pool leaves the leaked block's shared part. */
		ASSERT_EQ(0, drop_caches());
		EXPECT_EQ(converted, emu_stat("shared_frames") - self->shared0);
		EXPECT_EQ(self->blocks_private0 + variant->nth - 1, heap_stat("blocks_to_private"));
	}
}

/*
 * A conversion that fails with a positive value (as some architectures'
 * paths return) must still fail the allocation with a negative errno.
 * Mainline returns ERR_PTR(1) and oopses; the plan runs this case in a
 * boot of its own there.
 */
TEST(positive_return_fails_cleanly)
{
	long long viol0 = emu_stat("violations");
	int buf = -1, ret;

	NEED_EMULATED_HEAP(CC_HEAP);
	drop_caches();
	ASSERT_EQ(0, inject_nth(1, 1));
	ret = heap_alloc(CC_HEAP, SZ_1M, &buf);
	inject_off();
	EXPECT_EQ(-EIO, ret) TH_LOG("allocation: %s", strerror(-ret));
	if (!ret)
		close(buf);
	EXPECT_EQ(viol0, emu_stat("violations"));
}

/*
 * The heap's counters, where the heap is, follow an allocation and a free:
 * the live buffer and its bytes, and the blocks converted: two for 3 MiB
 * from an empty pool, none back on free (they stay pooled), both back
 * when the pool is emptied.
 */
TEST(heap_stats_follow_alloc_and_free)
{
	long long buffers0, bytes0, shared0, private0;
	int buf = -1;

	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
	ASSERT_TRUE(path_exists(HEAP_STATS));
	drop_caches();
	buffers0 = heap_stat("buffers");
	bytes0 = heap_stat("shared_bytes");
	shared0 = heap_stat("blocks_to_shared");
	private0 = heap_stat("blocks_to_private");
	ASSERT_LE(0, shared0) TH_LOG("no pool of shared blocks");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 3 * SZ_1M, &buf));
	EXPECT_EQ(buffers0 + 1, heap_stat("buffers"));
	EXPECT_EQ(bytes0 + 3 * (long long)SZ_1M, heap_stat("shared_bytes"));
	EXPECT_EQ(shared0 + 2, heap_stat("blocks_to_shared"));
	close(buf);
	EXPECT_EQ(buffers0, heap_stat("buffers"));
	EXPECT_EQ(bytes0, heap_stat("shared_bytes"));
	EXPECT_EQ(private0, heap_stat("blocks_to_private"));
	ASSERT_EQ(0, drop_caches());
	EXPECT_EQ(private0 + 2, heap_stat("blocks_to_private"));
}

TEST_HARNESS_MAIN
