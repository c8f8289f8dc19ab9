// SPDX-License-Identifier: GPL-2.0
/*
 * cc-fault: conversions of system_cc_shared that fail, injected through the
 * emulator's fault attribute (debugfs cc_emu/fail, the kernel's
 * fault-injection framework). The boot decides how a failed conversion
 * leaves its range (cc_emulation=on,fail=tdx|snp, shown in
 * cc_emu/fail_shape): "tdx", the first half converted; "snp", all of it
 * converted before the error.
 *
 * A 5 MiB buffer is five 1 MiB chunks, one conversion each. Failing the
 * n-th conversion of an allocation must give a clean EIO, convert back
 * only the chunks that were shared (never a private page: fatal on SNP,
 * a leak on TDX), leak the failed chunk (its state is unknown) and free
 * the rest. Failing the first conversion back at free must leak that
 * chunk, counted, and leave nothing else shared. The heap's counters
 * follow all of it.
 *
 * With CC_FAULT_EXPECT=mainline in the environment the allocation cases
 * assert instead what mainline does (every chunk converted back): the
 * exact number of needless conversions of private pages. The plan runs
 * that on the stock kernel, so mainline's defect is measured, not only
 * seen to differ.
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"

#define FAIL_DIR	EMU_DIR "/fail"
#define HEAP_STATS	"/sys/kernel/debug/dma_heap/system_cc_shared/stats"
#define CC_HEAP		"system_cc_shared"
#define CHUNK_PAGES	256	/* 1 MiB chunks */
#define NR_CHUNKS	5

static int fail_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAIL_DIR "/%s", file);
	return write_string(path, val);
}

static void inject_off(void)
{
	fail_write("probability", "0");
	fail_write("times", "0");
	/* A debugfs u32: a negative errno is written as its two's complement. */
	write_string(EMU_DIR "/fail_errno", "4294967291");
	write_string("/proc/self/make-it-fail", "0");
}

/*
 * Make the nth conversion from now, in this task only, fail with @err.
 * should_fail() is called with size 1, so "space" counts conversions.
 */
static int inject_nth(int nth, int err)
{
	char buf[32];
	int ret;

	inject_off();
	snprintf(buf, sizeof(buf), "%u", (unsigned int)err);
	ret = write_string(EMU_DIR "/fail_errno", buf);
	ret = ret ?: fail_write("interval", "1");
	ret = ret ?: fail_write("times", "1");
	snprintf(buf, sizeof(buf), "%d", nth);
	ret = ret ?: fail_write("space", buf);
	ret = ret ?: fail_write("task-filter", "Y");
	ret = ret ?: fail_write("verbose", "0");
	ret = ret ?: write_string("/proc/self/make-it-fail", "1");
	ret = ret ?: fail_write("probability", "100");
	return ret;
}

static long long heap_stat(const char *key)
{
	long long v = -1;

	if (read_key(HEAP_STATS, key, &v))
		return -1;
	return v;
}

/* "tdx" or "snp": how this boot's failed conversions leave their range. */
static bool shape_is_snp(void)
{
	char buf[16] = "";
	FILE *f = fopen(EMU_DIR "/fail_shape", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return !strncmp(buf, "snp", 3);
}

static bool expect_mainline(void)
{
	const char *e = getenv("CC_FAULT_EXPECT");

	return e && !strcmp(e, "mainline");
}

FIXTURE(fault) {
	long long shared0, viol0, redundant0, leaked0, failures0;
	long long to_shared0, to_private0, failed_shared0, failed_private0;
};

FIXTURE_VARIANT(fault) {
	int nth;		/* conversion that fails */
	bool at_free;		/* the nth conversion back at free, else sharing at alloc */
	int err;		/* what the failed conversion returns */
};

FIXTURE_VARIANT_ADD(fault, alloc_first_chunk) { .nth = 1, .err = -EIO };
FIXTURE_VARIANT_ADD(fault, alloc_middle_chunk) { .nth = 3, .err = -EIO };
FIXTURE_VARIANT_ADD(fault, alloc_last_chunk) { .nth = NR_CHUNKS, .err = -EIO };
FIXTURE_VARIANT_ADD(fault, free_first_chunk) { .nth = 1, .at_free = true, .err = -EIO };

FIXTURE_SETUP(fault)
{
	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
	ASSERT_TRUE(path_exists(FAIL_DIR "/probability"))
		TH_LOG("the emulator has no fault attribute " FAIL_DIR);
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
	self->redundant0 = emu_stat("redundant_to_private");
	self->failures0 = emu_stat("injected_failures");
	self->leaked0 = heap_stat("leaked_pages");
	self->to_shared0 = heap_stat("to_shared");
	self->to_private0 = heap_stat("to_private");
	self->failed_shared0 = heap_stat("failed_to_shared");
	self->failed_private0 = heap_stat("failed_to_private");
}

FIXTURE_TEARDOWN(fault)
{
	inject_off();
}

TEST_F(fault, conversion_fails)
{
	long long shared, leaked, redundant, converted;
	bool snp = shape_is_snp();
	int buf = -1, ret;

	if (variant->at_free) {
		ASSERT_EQ(0, heap_alloc(CC_HEAP, NR_CHUNKS * SZ_1M, &buf));
		ASSERT_EQ(0, inject_nth(variant->nth, variant->err));
		close(buf);
	} else {
		ASSERT_EQ(0, inject_nth(variant->nth, variant->err));
		ret = heap_alloc(CC_HEAP, NR_CHUNKS * SZ_1M, &buf);
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
	/* Pages of the failed chunk that its conversion did convert. */
	converted = snp ? CHUNK_PAGES : CHUNK_PAGES / 2;
	TH_LOG("shape %s: shared frames left %lld, leaked pages %lld, private pages converted to private %lld",
	       snp ? "snp" : "tdx", shared, leaked, redundant);

	if (expect_mainline() && !variant->at_free) {
		/*
		 * Mainline converts every chunk back: the failed one (its
		 * unconverted part twice) and those after it, never shared.
		 */
		EXPECT_EQ(CHUNK_PAGES - converted + (NR_CHUNKS - variant->nth) * CHUNK_PAGES,
			  redundant);
		EXPECT_EQ(0, shared);
		return;
	}
	ASSERT_LE(0, self->leaked0) TH_LOG("no heap counters in " HEAP_STATS);
	/* Nothing private is ever converted to private. */
	EXPECT_EQ(0, redundant);
	/* The failed chunk is leaked whole, in whatever state it was left. */
	EXPECT_EQ(CHUNK_PAGES, leaked);
	if (variant->at_free) {
		/* Converted back to private, in part or whole: the rest stays shared. */
		EXPECT_EQ(CHUNK_PAGES - converted, shared);
		EXPECT_EQ(self->to_shared0 + NR_CHUNKS, heap_stat("to_shared"));
		EXPECT_EQ(self->to_private0 + NR_CHUNKS - 1, heap_stat("to_private"));
		EXPECT_EQ(self->failed_shared0, heap_stat("failed_to_shared"));
		EXPECT_EQ(self->failed_private0 + 1, heap_stat("failed_to_private"));
	} else {
		EXPECT_EQ(converted, shared);
		EXPECT_EQ(self->to_shared0 + variant->nth - 1, heap_stat("to_shared"));
		EXPECT_EQ(self->to_private0 + variant->nth - 1, heap_stat("to_private"));
		EXPECT_EQ(self->failed_shared0 + 1, heap_stat("failed_to_shared"));
		EXPECT_EQ(self->failed_private0, heap_stat("failed_to_private"));
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

	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
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
 * one conversion per 1 MiB chunk each way, the live buffer and its bytes.
 */
TEST(heap_stats_follow_alloc_and_free)
{
	long long buffers0, bytes0, to_shared0, to_private0;
	int buf = -1;

	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
	ASSERT_TRUE(path_exists(HEAP_STATS));
	buffers0 = heap_stat("buffers");
	bytes0 = heap_stat("shared_bytes");
	to_shared0 = heap_stat("to_shared");
	to_private0 = heap_stat("to_private");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 3 * SZ_1M, &buf));
	EXPECT_EQ(buffers0 + 1, heap_stat("buffers"));
	EXPECT_EQ(bytes0 + 3 * (long long)SZ_1M, heap_stat("shared_bytes"));
	EXPECT_EQ(to_shared0 + 3, heap_stat("to_shared"));
	EXPECT_EQ(to_private0, heap_stat("to_private"));
	close(buf);
	EXPECT_EQ(buffers0, heap_stat("buffers"));
	EXPECT_EQ(bytes0, heap_stat("shared_bytes"));
	EXPECT_EQ(to_private0 + 3, heap_stat("to_private"));
}

TEST_HARNESS_MAIN
