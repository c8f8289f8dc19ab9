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

/*
 * The emulator is there exactly when booted emulated, and the heap exactly
 * in an emulated confidential guest: not in the host mode, which has
 * memory encryption without guest encryption, as an SME host has.
 */
TEST(presence)
{
	enum cc_boot mode = cc_boot_mode();

	need_emulation_built(_metadata);
	EXPECT_EQ(mode != CC_BOOT_PLAIN, emulated());
	/* Built in, or ccheap-dkms's module in this guest (7.3-dkms) */
	ASSERT_TRUE(kconfig_has("DMABUF_HEAPS_SYSTEM_CC_SHARED") ||
		    !access("/etc/ccheap/system_cc_shared.ko", F_OK))
		TH_LOG("kernel built without CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED, and no module");
	EXPECT_TRUE(heap_present("system"));
	if (mode == CC_BOOT_HOST)
		return;
	EXPECT_EQ(mode == CC_BOOT_GUEST, heap_present("system_cc_shared"));
}

/* In the host mode (as on an SME host) there is no system_cc_shared heap. */
TEST(no_shared_heap_on_host)
{
	need_emulation_built(_metadata);
	if (cc_boot_mode() != CC_BOOT_HOST)
		SKIP(return, "not booted with cc_emulation=on,host");
	ASSERT_TRUE(emulated());
	EXPECT_FALSE(heap_present("system_cc_shared"));
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
	banners = dmesg_count(cc_boot_mode() == CC_BOOT_HOST ?
			      "Memory Encryption Features active: emulated host" :
			      "Memory Encryption Features active: emulated guest", NULL, 0);
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
	if (cc_boot_mode() != CC_BOOT_GUEST)
		SKIP(return, "not booted with cc_emulation=on (guest mode)");
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
	if (cc_boot_mode() == CC_BOOT_GUEST) {
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

/*
 * host_write fills every shared frame, as a host may at any time: a shared
 * buffer reads the pattern through its mapping afterwards, a private one
 * is untouched.
 */
TEST(host_write_reaches_shared_frames_only)
{
	size_t len = 256 << 10;
	long long writes0;
	uint8_t *shared, *private;
	int sbuf = -1, pbuf = -1;

	need_emulation_built(_metadata);
	if (cc_boot_mode() != CC_BOOT_GUEST)
		SKIP(return, "not booted with cc_emulation=on (guest mode)");
	ASSERT_TRUE(path_exists(EMU_DIR "/host_write"));
	ASSERT_EQ(0, heap_alloc("system_cc_shared", len, &sbuf));
	ASSERT_EQ(0, heap_alloc("system", len, &pbuf));
	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, sbuf, 0);
	private = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pbuf, 0);
	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_NE(MAP_FAILED, private);
	memset(private, 0x11, len);
	memset(shared, 0x22, len);
	writes0 = emu_stat("host_writes");
	ASSERT_EQ(0, write_string(EMU_DIR "/host_write", "1"));
	EXPECT_LE(writes0 + (long long)(len >> 12), emu_stat("host_writes"));
	EXPECT_EQ(0U, count_not(shared, len, 0x68));
	EXPECT_EQ(0U, count_not(private, len, 0x11));
	munmap(shared, len);
	munmap(private, len);
	close(sbuf);
	close(pbuf);
}

/*
 * A DMA_ATTR_CC_SHARED mapping of a private page, made by the test device
 * through dma-direct, is counted once by the emulator's map-path check.
 * (The check also warns once per boot: the plan allows that report for
 * this test, which it runs on its own as cc-emu-violation.)
 */
TEST(cc_shared_private_mapping_reported)
{
	long long check0, all0;
	int dev, ret;

	need_emulation_built(_metadata);
	if (cc_boot_mode() != CC_BOOT_GUEST)
		SKIP(return, "not booted with cc_emulation=on (guest mode)");
	ASSERT_TRUE(path_exists(TEST_DEV));
	check0 = emu_stat("violation_cc_shared_private");
	all0 = emu_stat("violations");
	dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ret = xioctl(dev, TEST_DMABUF_IOCTL_MAP_PRIVATE, NULL);
	close(dev);
	TH_LOG("map of a private page with DMA_ATTR_CC_SHARED: %s", ret ? strerror(-ret) : "mapped");
	EXPECT_EQ(check0 + 1, emu_stat("violation_cc_shared_private"));
	EXPECT_EQ(all0 + 1, emu_stat("violations"));
}

TEST_HARNESS_MAIN
