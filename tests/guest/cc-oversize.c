// SPDX-License-Identifier: GPL-2.0
/*
 * cc-oversize: asking a system heap for more than the machine's RAM must
 * fail at once with ENOMEM. Without the length check (mainline) the heap
 * allocates page after page until the OOM killer runs, so this test is not
 * run on 7.3-stock (see tests/plan and the ledger, fix-oversize).
 */
#include <sys/sysinfo.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

FIXTURE(oversize) {
	uint64_t ram;
};

FIXTURE_VARIANT(oversize) {
	const char *heap;
	unsigned int times_ram;
};

FIXTURE_VARIANT_ADD(oversize, system_2x) { .heap = "system", .times_ram = 2 };
FIXTURE_VARIANT_ADD(oversize, cc_shared_2x) { .heap = "system_cc_shared", .times_ram = 2 };
FIXTURE_VARIANT_ADD(oversize, cc_shared_64x) { .heap = "system_cc_shared", .times_ram = 64 };

FIXTURE_SETUP(oversize)
{
	struct sysinfo si;

	if (!heap_present(variant->heap))
		SKIP(return, "no %s heap", variant->heap);
	ASSERT_EQ(0, sysinfo(&si));
	self->ram = (uint64_t)si.totalram * si.mem_unit;
}

FIXTURE_TEARDOWN(oversize)
{
}

TEST_F(oversize, fails_with_enomem)
{
	long long shared0 = emu_stat("shared_frames");
	int fd = -1, ret;

	ret = heap_alloc(variant->heap, self->ram * variant->times_ram, &fd);
	EXPECT_EQ(-ENOMEM, ret);
	if (!ret)
		close(fd);
	EXPECT_EQ(shared0, emu_stat("shared_frames"));
}

TEST_HARNESS_MAIN
