// SPDX-License-Identifier: GPL-2.0
/*
 * cc-fault: conversions of system_cc_shared that fail, injected with
 * fail_function on the emulator's cc_emu_fault(). A failed conversion
 * converts the first half of its range (see cc-emulation.rst).
 *
 * A 5 MiB buffer is five 1 MiB chunks, one conversion each. Failing the
 * n-th conversion of an allocation must give a clean EIO and leave every
 * frame private, having re-encrypted only the chunks that were (maybe)
 * shared: the failed chunk's unconverted half is the only redundant work.
 * Failing the first re-encryption at free must leak that chunk, counted,
 * and leave nothing else shared.
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"

#define FF		"/sys/kernel/debug/fail_function"
#define HEAP_STATS	"/sys/kernel/debug/system_cc_shared/stats"
#define CC_HEAP		"system_cc_shared"
#define CHUNK_PAGES	256	/* 1 MiB chunks */
#define NR_CHUNKS	5

static int inject_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FF "/%s", file);
	return write_string(path, val);
}

static void inject_off(void)
{
	inject_write("inject", "!cc_emu_fault");
	write_string("/proc/self/make-it-fail", "0");
}

/* Make the nth conversion from now, in this task only, fail with EIO. */
static int inject_nth(int nth)
{
	char buf[32];
	int ret;

	inject_off();
	ret = inject_write("inject", "cc_emu_fault");
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)-EIO);
	ret = inject_write("cc_emu_fault/retval", buf);
	ret = ret ?: inject_write("probability", "100");
	ret = ret ?: inject_write("interval", "1");
	ret = ret ?: inject_write("times", "1");
	snprintf(buf, sizeof(buf), "%d", nth);
	ret = ret ?: inject_write("space", buf);
	ret = ret ?: inject_write("task-filter", "Y");
	ret = ret ?: inject_write("verbose", "0");
	ret = ret ?: write_string("/proc/self/make-it-fail", "1");
	return ret;
}

static long long heap_stat(const char *key)
{
	long long v = -1;

	if (read_key(HEAP_STATS, key, &v))
		return -1;
	return v;
}

FIXTURE(fault) {
	long long shared0, viol0, redundant0, leaked0, failures0;
};

FIXTURE_VARIANT(fault) {
	int nth;		/* conversion that fails */
	bool at_free;		/* the nth re-encryption at free, else sharing at alloc */
};

FIXTURE_VARIANT_ADD(fault, alloc_first_chunk) { .nth = 1 };
FIXTURE_VARIANT_ADD(fault, alloc_middle_chunk) { .nth = 3 };
FIXTURE_VARIANT_ADD(fault, alloc_last_chunk) { .nth = NR_CHUNKS };
FIXTURE_VARIANT_ADD(fault, free_first_chunk) { .nth = 1, .at_free = true };

FIXTURE_SETUP(fault)
{
	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
	if (!path_exists(FF "/inject"))
		SKIP(return, "kernel built without CONFIG_FAIL_FUNCTION");
	self->shared0 = emu_stat("shared_frames");
	self->viol0 = emu_stat("violations");
	self->redundant0 = emu_stat("redundant_to_private");
	self->failures0 = emu_stat("injected_failures");
	self->leaked0 = heap_stat("leaked_pages");
}

FIXTURE_TEARDOWN(fault)
{
	inject_off();
}

TEST_F(fault, conversion_fails)
{
	long long shared, leaked = 0;
	int buf = -1, ret;

	if (variant->at_free) {
		if (self->leaked0 < 0)
			SKIP(return, "no " HEAP_STATS " to count leaks");
		ASSERT_EQ(0, heap_alloc(CC_HEAP, NR_CHUNKS * SZ_1M, &buf));
		ASSERT_EQ(0, inject_nth(variant->nth));
		close(buf);
	} else {
		ASSERT_EQ(0, inject_nth(variant->nth));
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
	if (self->leaked0 >= 0)
		leaked = heap_stat("leaked_pages") - self->leaked0;
	TH_LOG("shared frames left: %lld, leaked pages: %lld, redundant re-encryptions: %lld",
	       shared, leaked, emu_stat("redundant_to_private") - self->redundant0);
	if (variant->at_free) {
		/* The failed chunk is leaked whole; half of it stayed shared. */
		EXPECT_EQ(CHUNK_PAGES, leaked);
		EXPECT_EQ(CHUNK_PAGES / 2, shared);
	} else {
		EXPECT_EQ(0, leaked);
		EXPECT_EQ(0, shared);
		/* Only the failed chunk's unconverted half is converted twice. */
		EXPECT_EQ(CHUNK_PAGES / 2, emu_stat("redundant_to_private") - self->redundant0);
	}
}

/* The heap's counters are there wherever the heap is. */
TEST(heap_stats_present)
{
	if (!heap_present(CC_HEAP))
		SKIP(return, "no " CC_HEAP " heap");
	EXPECT_TRUE(path_exists(HEAP_STATS));
}

TEST_HARNESS_MAIN
