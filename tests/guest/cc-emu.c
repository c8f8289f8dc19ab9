// SPDX-License-Identifier: GPL-2.0
/*
 * cc-emu: the emulated confidential guest seen from userspace. Runs in a
 * plain boot and in a boot with cc_emulation=on, and checks each against
 * what a real non-CoCo or SEV-SNP/TDX guest would show.
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"

static void need_emulation_built(struct __test_metadata *_metadata)
{
	if (!kconfig_has("X86_CC_EMULATION"))
		SKIP(return, "kernel built without CONFIG_X86_CC_EMULATION");
}

/* The emulator, and the heap, are there exactly when booted emulated. */
TEST(presence)
{
	bool booted = cmdline_has("cc_emulation=on");

	need_emulation_built(_metadata);
	EXPECT_EQ(booted, emulated());
	if (!kconfig_has("DMABUF_HEAPS_SYSTEM_CC_SHARED"))
		SKIP(return, "kernel built without CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED");
	EXPECT_EQ(booted, heap_present("system_cc_shared"));
	EXPECT_TRUE(heap_present("system"));
}

/* Lines of the kernel log containing @what; the last one in @last. */
static int dmesg_count(const char *what, char *last, size_t size)
{
	char line[1024];
	int n = 0;
	FILE *f = popen("dmesg", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, what))
			continue;
		n++;
		if (last)
			snprintf(last, size, "%s", strstr(line, what));
	}
	pclose(f);
	return n;
}

/* One banner, and it names the emulation; no emulator warning at boot. */
TEST(banner)
{
	int banners, warnings;

	need_emulation_built(_metadata);
	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	banners = dmesg_count("Memory Encryption Features active: emulated", NULL, 0);
	warnings = dmesg_count("cc_emu: violation", NULL, 0);
	EXPECT_EQ(1, banners);
	EXPECT_EQ(0, warnings);
}

/* The swiotlb pool is shared, frame by frame, in the emulator's map. */
TEST(swiotlb_pool_shared)
{
	unsigned long long start = 0, end = 0;
	long long shared = -1, private = -1;
	char line[1024], q[64];
	FILE *f;

	need_emulation_built(_metadata);
	if (!emulated())
		SKIP(return, "not booted with cc_emulation=on");
	ASSERT_EQ(1, dmesg_count("software IO TLB: mapped [mem ", line, sizeof(line)));
	ASSERT_EQ(2, sscanf(line, "software IO TLB: mapped [mem %llx-%llx]", &start, &end));
	snprintf(q, sizeof(q), "%llu %llu", start >> 12, ((end + 1) >> 12) - (start >> 12));
	ASSERT_EQ(0, write_string(EMU_DIR "/query", q));
	f = fopen(EMU_DIR "/query", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "shared %lld private %lld", &shared, &private));
	fclose(f);
	TH_LOG("swiotlb pool %#llx-%#llx: %lld shared, %lld private", start, end, shared, private);
	EXPECT_EQ(((end + 1) - start) >> 12, (unsigned long long)shared);
	EXPECT_EQ(0, private);
}

/*
 * A system heap buffer mapped by a device: bounced through swiotlb in a
 * confidential guest, direct otherwise. Slots are taken while mapped and
 * given back by unmap.
 */
TEST(system_mapping_bounces)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	long long used0, used_mapped, used_after;
	int buf = -1, dev = -1;

	if (!path_exists(TEST_DEV))
		SKIP(return, "kernel built without CONFIG_TEST_DMABUF");
	/* 256 KiB: four 64 KiB chunks, each within swiotlb's 256 KiB limit. */
	ASSERT_EQ(0, heap_alloc("system", 256 << 10, &buf));
	ASSERT_EQ(0, dev_import(buf, &dev));
	used0 = swiotlb_used();
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map));
	used_mapped = swiotlb_used();
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	used_after = swiotlb_used();
	TH_LOG("%u segments, %u bounced; swiotlb slots %lld -> %lld -> %lld",
	       map.nr_segments, map.nr_bounced, used0, used_mapped, used_after);
	if (emulated()) {
		EXPECT_EQ(map.nr_segments, map.nr_bounced);
		EXPECT_EQ(256ULL << 10, map.bounced_bytes);
		/* swiotlb slots are 2 KiB */
		EXPECT_EQ(used0 + (256 << 10) / 2048, used_mapped);
	} else {
		EXPECT_EQ(0U, map.nr_bounced);
		EXPECT_EQ(used0, used_mapped);
	}
	EXPECT_EQ(used0, used_after);
	close(dev);
	close(buf);
}

TEST_HARNESS_MAIN
