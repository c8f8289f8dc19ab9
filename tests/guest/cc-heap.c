// SPDX-License-Identifier: GPL-2.0
/*
 * cc-heap: the system_cc_shared heap in an (emulated) confidential guest,
 * through mmap and through the dma-buf test device. Every case skips, with
 * its reason, where the heap, the emulator or the test device is missing.
 */
#include <sys/mount.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

#define CC_HEAP "system_cc_shared"
#define TRACE_DIR "/sys/kernel/tracing"

#define NEED_HEAP() do { \
	if (!heap_present(CC_HEAP)) \
		SKIP(return, "no " CC_HEAP " heap (not a CoCo guest, or not built)"); \
} while (0)

#define NEED_EMU() do { \
	if (!emulated()) \
		SKIP(return, "not booted with cc_emulation=on"); \
} while (0)

#define NEED_DEV() do { \
	if (!path_exists(TEST_DEV)) \
		SKIP(return, "kernel built without CONFIG_TEST_DMABUF"); \
} while (0)

FIXTURE(zero) {
	int fd;
	uint8_t *p;
};

FIXTURE_VARIANT(zero) {
	size_t len;
};

FIXTURE_VARIANT_ADD(zero, one_page) { .len = 4096 };
FIXTURE_VARIANT_ADD(zero, odd) { .len = 5 * 4096 + 123 };
FIXTURE_VARIANT_ADD(zero, one_mib) { .len = SZ_1M };
FIXTURE_VARIANT_ADD(zero, six_mib) { .len = 6 * SZ_1M };

FIXTURE_SETUP(zero)
{
	self->fd = -1;
	self->p = MAP_FAILED;
	NEED_HEAP();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, variant->len, &self->fd));
	self->p = mmap(NULL, variant->len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(zero)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, variant->len);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A new buffer reads zero, whatever a conversion left in its pages (the
 * emulator fills them with a pattern when they are shared).
 */
TEST_F(zero, new_buffer_reads_zero)
{
	size_t bad = count_not(self->p, variant->len, 0);

	if (bad)
		TH_LOG("%zu of %zu bytes not zero, first byte %#x", bad, variant->len, self->p[0]);
	EXPECT_EQ(0U, bad);
}

/*
 * Sizes round up to whole pages, in the buffer the device sees too; 2 MiB
 * multiples and a buffer of 256 MiB allocate and read zero at the end.
 */
FIXTURE(sizes) {
	int buf, dev;
};

FIXTURE_VARIANT(sizes) {
	size_t len, rounded;
};

FIXTURE_VARIANT_ADD(sizes, one_byte) { .len = 1, .rounded = 4096 };
FIXTURE_VARIANT_ADD(sizes, page_plus_one) { .len = 4097, .rounded = 8192 };
FIXTURE_VARIANT_ADD(sizes, odd) { .len = 3 * SZ_1M + 5, .rounded = 3 * SZ_1M + 4096 };
FIXTURE_VARIANT_ADD(sizes, two_mib) { .len = SZ_2M, .rounded = SZ_2M };
FIXTURE_VARIANT_ADD(sizes, six_mib) { .len = 3 * SZ_2M, .rounded = 3 * SZ_2M };
FIXTURE_VARIANT_ADD(sizes, mib_256) { .len = 256 * SZ_1M, .rounded = 256 * SZ_1M };

FIXTURE_SETUP(sizes)
{
	self->buf = -1;
	self->dev = -1;
	NEED_HEAP();
	NEED_DEV();
}

FIXTURE_TEARDOWN(sizes)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->buf >= 0)
		close(self->buf);
}

TEST_F(sizes, rounded_to_pages)
{
	struct test_dmabuf_import imp = { 0 };
	uint8_t *p;

	ASSERT_EQ(0, heap_alloc(CC_HEAP, variant->len, &self->buf));
	EXPECT_EQ((off_t)variant->rounded, lseek(self->buf, 0, SEEK_END));
	self->dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	imp.fd = self->buf;
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_IMPORT, &imp));
	EXPECT_EQ(variant->rounded, imp.size);
	/* The last page maps on its own at its offset; past it nothing does. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->buf, variant->rounded - 4096);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->buf, variant->rounded);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/* ... and the last page of each size reads zero, like the first. */
TEST_F(sizes, last_page_reads_zero)
{
	uint8_t *p;

	ASSERT_EQ(0, heap_alloc(CC_HEAP, variant->len, &self->buf));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->buf, variant->rounded - 4096);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0U, count_not(p, 4096, 0));
	munmap(p, 4096);
}

/* mmap of the whole buffer, a part of it, and a part at an offset. */
TEST(mmap_whole_partial_offset)
{
	const size_t len = 3 * SZ_1M;
	uint8_t *whole, *part, *off;
	int buf;

	NEED_HEAP();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, len, &buf));
	whole = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, whole);
	memset(whole + SZ_1M + 8192, 0x77, 4096);
	part = mmap(NULL, SZ_1M, PROT_READ, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, part);
	off = mmap(NULL, 16384, PROT_READ, MAP_SHARED, buf, SZ_1M + 8192);
	ASSERT_NE(MAP_FAILED, off);
	/* Every mapping shows the same pages: what was written, and the rest. */
	EXPECT_EQ(0, memcmp(part, whole, SZ_1M));
	EXPECT_EQ(0, memcmp(off, whole + SZ_1M + 8192, 16384));
	EXPECT_EQ(0U, count_not(off, 4096, 0x77));
	munmap(off, 16384);
	munmap(part, SZ_1M);
	munmap(whole, len);
	close(buf);
}

/*
 * Open the test device, lower its maximum mapping size through its
 * min_align_mask (0: leave it), and import @buf. *max is the device's
 * dma_max_mapping_size().
 */
static int dev_import_limited(int buf, uint64_t min_align_mask, int *dev, uint64_t *max)
{
	struct test_dmabuf_limit lim = { .min_align_mask = min_align_mask };
	struct test_dmabuf_import imp = { .fd = buf };
	int ret;

	*dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	if (*dev < 0)
		return -errno;
	ret = xioctl(*dev, TEST_DMABUF_IOCTL_SET_LIMIT, &lim);
	ret = ret ?: xioctl(*dev, TEST_DMABUF_IOCTL_IMPORT, &imp);
	*max = lim.max_mapping_size;
	return ret;
}

/*
 * In a confidential guest a device mapping of a system buffer is bounced,
 * and swiotlb bounces at most dma_max_mapping_size() per segment (256 KiB,
 * less with a min_align_mask): buffers of 1 MiB and more map only if the
 * attachment's segments are kept within that.
 */
FIXTURE(system_bounce) {
	int buf, dev;
	uint64_t max;
};

FIXTURE_VARIANT(system_bounce) {
	size_t len;
	uint64_t min_align_mask;
};

FIXTURE_VARIANT_ADD(system_bounce, one_mib) { .len = SZ_1M };
FIXTURE_VARIANT_ADD(system_bounce, four_mib) { .len = 4 * SZ_1M };
/* 64 KiB alignment: at most 192 KiB per mapping */
FIXTURE_VARIANT_ADD(system_bounce, four_mib_align_64k) {
	.len = 4 * SZ_1M, .min_align_mask = (64 << 10) - 1 };

FIXTURE_SETUP(system_bounce)
{
	self->buf = -1;
	self->dev = -1;
	NEED_EMU();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc("system", variant->len, &self->buf));
	ASSERT_EQ(0, dev_import_limited(self->buf, variant->min_align_mask, &self->dev,
					&self->max));
	TH_LOG("device max mapping size %llu", (unsigned long long)self->max);
	if (variant->min_align_mask)
		ASSERT_EQ((256ULL - 64) << 10, self->max);
}

FIXTURE_TEARDOWN(system_bounce)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->buf >= 0)
		close(self->buf);
}

TEST_F(system_bounce, maps_bounced)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_TO_DEVICE };
	long long used0 = swiotlb_used();
	int ret = xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map);

	ASSERT_EQ(0, ret) TH_LOG("map: %s", strerror(-ret));
	TH_LOG("%u segments, %u bounced", map.nr_segments, map.nr_bounced);
	EXPECT_EQ(map.nr_segments, map.nr_bounced);
	EXPECT_EQ(variant->len, map.bounced_bytes);
	EXPECT_LE((variant->len + self->max - 1) / self->max, map.nr_segments);
	EXPECT_EQ(used0 + (long long)(variant->len / 2048), swiotlb_used());
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	EXPECT_EQ(used0, swiotlb_used());
}

/*
 * A device that cannot map even a page in one piece cannot use a system
 * buffer: it may attach (importers that never map do), but the map fails
 * with EINVAL, and no swiotlb slot is taken.
 */
TEST(system_limit_below_page_fails_cleanly)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_TO_DEVICE };
	long long used0 = swiotlb_used();
	uint64_t max = 0;
	int buf = -1, dev = -1, ret;

	NEED_EMU();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc("system", SZ_1M, &buf));
	/* 254 KiB alignment: 2 KiB per mapping at most */
	ret = dev_import_limited(buf, (254 << 10) - 1, &dev, &max);
	TH_LOG("max mapping size %llu: import %s", (unsigned long long)max,
	       ret ? strerror(-ret) : "succeeded");
	EXPECT_GT(4096ULL, max);
	ASSERT_EQ(0, ret);
	ret = xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map);
	TH_LOG("map: %s", ret ? strerror(-ret) : "succeeded");
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_EQ(used0, swiotlb_used());
	if (dev >= 0)
		close(dev);
	close(buf);
}

/*
 * Shared memory is mapped where it is, never bounced: a device whose
 * bounce limit is below a page (a large min_align_mask) maps it whole, as
 * mainline does, with no more segments than for any other device.
 */
TEST(cc_shared_maps_below_bounce_limit)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	struct test_dmabuf_map plain = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	long long used0 = swiotlb_used();
	int buf = -1, dev = -1, dev2 = -1, ret;
	uint64_t max = 0;

	NEED_HEAP();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 3 * SZ_1M, &buf));
	ASSERT_EQ(0, dev_import_limited(buf, (254 << 10) - 1, &dev, &max));
	EXPECT_GT(4096ULL, max);
	ret = xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map);
	TH_LOG("max mapping size %llu: map %s, %u segments", (unsigned long long)max,
	       ret ? strerror(-ret) : "succeeded", map.nr_segments);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(3 * SZ_1M, map.mapped_bytes);
	EXPECT_EQ(0ULL, map.bounced_bytes);
	EXPECT_EQ(used0, swiotlb_used());
	/* One mapping at a time: DMA-API debug refuses overlapping ones. */
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	ASSERT_EQ(0, dev_import(buf, &dev2));
	ASSERT_EQ(0, xioctl(dev2, TEST_DMABUF_IOCTL_MAP, &plain));
	/* Not split to the limit (that would be hundreds of segments). */
	EXPECT_EQ(plain.nr_segments, map.nr_segments);
	xioctl(dev2, TEST_DMABUF_IOCTL_UNMAP, NULL);
	close(dev2);
	close(dev);
	close(buf);
}

/*
 * An importer without a DMA mask, one that attaches and never maps (vgem,
 * for instance), attaches to buffers of either heap: the exporter must not
 * ask the DMA API about such a device at attach time.
 */
TEST(attach_without_dma_mask)
{
	static const char * const heaps[] = { "system", CC_HEAP };
	unsigned int h;

	NEED_DEV();
	for (h = 0; h < 2; h++) {
		struct test_dmabuf_import imp = { 0 };
		int buf = -1, dev, ret;

		if (!heap_present(heaps[h])) {
			TH_LOG("no %s heap here", heaps[h]);
			continue;
		}
		ASSERT_EQ(0, heap_alloc(heaps[h], 4 * SZ_1M, &buf));
		dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, dev);
		ret = xioctl(dev, TEST_DMABUF_IOCTL_NO_DMA_MASK, NULL);
		ASSERT_EQ(0, ret) TH_LOG("NO_DMA_MASK: %s", strerror(-ret));
		imp.fd = buf;
		ret = xioctl(dev, TEST_DMABUF_IOCTL_IMPORT, &imp);
		EXPECT_EQ(0, ret) TH_LOG("%s: import: %s", heaps[h], strerror(-ret));
		EXPECT_EQ(4ULL * SZ_1M, imp.size);
		if (!ret)
			EXPECT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_RELEASE, NULL));
		close(dev);
		close(buf);
	}
}

/* Mapped through a device, shared memory is never bounced. */
TEST(never_bounced)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	long long used0;
	int buf = -1, dev = -1;

	NEED_HEAP();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 3 * SZ_1M + 8192, &buf));
	ASSERT_EQ(0, dev_import(buf, &dev));
	used0 = swiotlb_used();
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map));
	EXPECT_GT(map.nr_segments, 0U);
	EXPECT_EQ(0U, map.nr_bounced);
	EXPECT_EQ(0ULL, map.bounced_bytes);
	EXPECT_EQ(3 * SZ_1M + 8192, map.mapped_bytes);
	EXPECT_EQ(used0, swiotlb_used());
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	close(dev);
	close(buf);
}

/*
 * RDMA's problem: the device writes, the CPU reads, nobody syncs. With
 * shared memory the CPU sees the write at once; with a bounced system
 * buffer it sees it only after the unmap copies the slot back.
 *
 * swiotlb=force bounces every streaming mapping; on mainline that includes
 * DMA_ATTR_CC_SHARED ones. A shared buffer whose chunks are larger than a
 * bounce (1 MiB and 2 MiB pieces against 256 KiB) must still map, split
 * to the limit where it is bounced, and the CPU must read back what the
 * device wrote once the mapping is gone (the variant cc_shared_force, in
 * the boot with swiotlb=force only; whether the write is seen before the
 * unmap depends on whether the base bounces the attribute there, so it
 * follows what the mapping reports).
 */
FIXTURE(device_write) {
	int buf, dev;
	uint8_t *p;
	struct test_dmabuf_map map;
};

FIXTURE_VARIANT(device_write) {
	const char *heap;
	size_t len;
	size_t off;		/* where the device writes 4 KiB */
	bool force;		/* needs swiotlb=force */
	int visible_before_unmap;	/* 1, 0, or -1: as the mapping says */
};

#define DW_LEN (64 << 10)

FIXTURE_VARIANT_ADD(device_write, cc_shared) {
	.heap = CC_HEAP, .len = DW_LEN, .off = 8192, .visible_before_unmap = 1,
};
FIXTURE_VARIANT_ADD(device_write, system) {
	.heap = "system", .len = DW_LEN, .off = 8192, .visible_before_unmap = 0,
};
FIXTURE_VARIANT_ADD(device_write, cc_shared_force) {
	.heap = CC_HEAP, .len = 4 * SZ_1M + 8192, .off = 3 * SZ_1M - 2048,
	.force = true, .visible_before_unmap = -1,
};

FIXTURE_SETUP(device_write)
{
	int ret;

	self->buf = -1;
	self->dev = -1;
	NEED_EMU();
	NEED_HEAP();
	NEED_DEV();
	if (variant->force && !cmdline_has("swiotlb=force"))
		SKIP(return, "not booted with swiotlb=force");
	ASSERT_EQ(0, heap_alloc(variant->heap, variant->len, &self->buf));
	self->p = mmap(NULL, variant->len, PROT_READ | PROT_WRITE, MAP_SHARED, self->buf, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_EQ(0, dev_import(self->buf, &self->dev));
	self->map.dir = TEST_DMABUF_FROM_DEVICE;
	ret = xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &self->map);
	ASSERT_EQ(0, ret) TH_LOG("map: %s", strerror(-ret));
	TH_LOG("%u segments, %u bounced", self->map.nr_segments, self->map.nr_bounced);
	EXPECT_EQ(variant->len, self->map.mapped_bytes);
}

FIXTURE_TEARDOWN(device_write)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->buf >= 0) {
		munmap(self->p, variant->len);
		close(self->buf);
	}
}

TEST_F(device_write, visible_without_sync)
{
	uint8_t msg[4096];

	memset(msg, 0x5e, sizeof(msg));
	ASSERT_EQ(0, dev_rw(self->dev, TEST_DMABUF_IOCTL_DEV_WRITE, variant->off, msg,
			    sizeof(msg)));
	/*
	 * Where the base's answer differs (swiotlb=force), the mapping says
	 * it: a write lands in the buffer before the unmap exactly when no
	 * segment was bounced.
	 */
	EXPECT_EQ(variant->visible_before_unmap >= 0 ? variant->visible_before_unmap :
		  self->map.nr_bounced == 0,
		  !memcmp(self->p + variant->off, msg, sizeof(msg)));
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	EXPECT_EQ(0, memcmp(self->p + variant->off, msg, sizeof(msg)));
}

/* What the CPU writes, the device and the kernel mapping read back. */
TEST(cpu_write_seen_by_device_and_vmap)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_TO_DEVICE };
	uint8_t got[512], want[512];
	uint8_t *p;
	int buf = -1, dev = -1;

	NEED_HEAP();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, SZ_2M, &buf));
	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(want, 0xa7, sizeof(want));
	memcpy(p + SZ_1M - 256, want, sizeof(want));
	ASSERT_EQ(0, dev_import(buf, &dev));
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map));
	ASSERT_EQ(0, dev_rw(dev, TEST_DMABUF_IOCTL_DEV_READ, SZ_1M - 256, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, dev_rw(dev, TEST_DMABUF_IOCTL_VMAP_READ, SZ_1M - 256, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
	close(dev);
	munmap(p, SZ_2M);
	close(buf);
}

/*
 * Larger than 4x the swiotlb pool: shared memory maps, because it is never
 * bounced; the same size from the system heap cannot be bounced and the
 * map fails cleanly, with nothing left behind in swiotlb.
 */
FIXTURE(huge) {
	int buf, dev;
};

FIXTURE_VARIANT(huge) {
	const char *heap;
	bool maps;
};

FIXTURE_VARIANT_ADD(huge, cc_shared) { .heap = CC_HEAP, .maps = true };
FIXTURE_VARIANT_ADD(huge, system) { .heap = "system", .maps = false };

FIXTURE_SETUP(huge)
{
	self->buf = -1;
	self->dev = -1;
	NEED_EMU();
	NEED_HEAP();
	NEED_DEV();
}

FIXTURE_TEARDOWN(huge)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->buf >= 0)
		close(self->buf);
}

TEST_F(huge, four_times_swiotlb)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	long long slabs = read_number(SWIOTLB_DIR "/io_tlb_nslabs");
	long long used0 = swiotlb_used();
	size_t len;
	int ret;

	ASSERT_GT(slabs, 0);
	len = (size_t)slabs * 2048 * 4;
	TH_LOG("swiotlb pool %lld MiB, buffer %zu MiB", slabs * 2048 >> 20, len >> 20);
	ASSERT_EQ(0, heap_alloc(variant->heap, len, &self->buf));
	ASSERT_EQ(0, dev_import(self->buf, &self->dev));
	ret = xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map);
	if (variant->maps) {
		ASSERT_EQ(0, ret);
		EXPECT_EQ(len, map.mapped_bytes);
		EXPECT_EQ(0U, map.nr_bounced);
		ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	} else {
		EXPECT_NE(0, ret);
		TH_LOG("system heap map: %s", strerror(-ret));
	}
	EXPECT_EQ(used0, swiotlb_used());
}

/* Counter deltas of the emulator across one step of a test. */
static const char * const emu_keys[] = {
	"to_shared_calls", "to_shared_pages", "to_private_calls", "to_private_pages",
	"aligned_2m", "splits", "shared_frames", "violations",
};
#define NR_EMU_KEYS (sizeof(emu_keys) / sizeof(emu_keys[0]))

static void emu_snapshot(long long *v)
{
	size_t i;

	for (i = 0; i < NR_EMU_KEYS; i++)
		v[i] = emu_stat(emu_keys[i]);
}

/*
 * The emulator's books balance, and match the heap's blocks exactly: from
 * an empty pool, 5 MiB is two 2 MiB blocks and a piece of a third, each
 * block one conversion of 512 pages covering a whole aligned 2 MiB block
 * (no large-page split). Freeing the buffer converts nothing (the blocks
 * stay pooled); emptying the pool converts each block back once. The
 * shared-frame count returns to its baseline, and no check fires.
 */
TEST(counters_match_blocks)
{
	long long before[NR_EMU_KEYS], held[NR_EMU_KEYS], freed[NR_EMU_KEYS];
	long long after[NR_EMU_KEYS];
	int buf = -1;

	NEED_EMU();
	NEED_HEAP();
	ASSERT_EQ(0, drop_caches());
	emu_snapshot(before);
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 5 * SZ_1M, &buf));
	emu_snapshot(held);
	close(buf);
	emu_snapshot(freed);
	ASSERT_EQ(0, drop_caches());
	emu_snapshot(after);

	EXPECT_EQ(before[0] + 3, held[0]);		/* to_shared_calls */
	EXPECT_EQ(before[1] + 3 * 512, held[1]);	/* to_shared_pages */
	EXPECT_EQ(before[4] + 3, held[4]);		/* aligned_2m */
	EXPECT_EQ(before[5], held[5]);			/* splits */
	EXPECT_EQ(before[6] + 3 * 512, held[6]);	/* shared_frames */
	EXPECT_EQ(held[2], freed[2]);			/* to_private_calls */
	EXPECT_EQ(held[6], freed[6]);			/* shared_frames */
	EXPECT_EQ(before[2] + 3, after[2]);		/* to_private_calls */
	EXPECT_EQ(before[3] + 3 * 512, after[3]);	/* to_private_pages */
	EXPECT_EQ(before[5], after[5]);			/* splits */
	EXPECT_EQ(before[6], after[6]);			/* shared_frames */
	EXPECT_EQ(before[7], after[7]);			/* violations */
}

/*
 * Map and unmap through an importer many times. With CONFIG_DMA_API_DEBUG
 * (the debug variant) any mismatch between map and unmap is reported in
 * the kernel log, which fails the test in the runner.
 */
TEST(map_unmap_cycles)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	int buf = -1, dev = -1, i, failed = 0;

	NEED_HEAP();
	NEED_DEV();
	ASSERT_EQ(0, heap_alloc(CC_HEAP, SZ_1M + 4096, &buf));
	ASSERT_EQ(0, dev_import(buf, &dev));
	for (i = 0; i < 1000; i++) {
		failed += !!xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map);
		failed += !!xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL);
	}
	EXPECT_EQ(0, failed);
	EXPECT_EQ(0U, map.nr_bounced);
	close(dev);
	close(buf);
}

/* Enable or disable one dma trace event; 0 or -errno. */
static int trace_event(const char *event, bool on)
{
	char path[256];

	snprintf(path, sizeof(path), TRACE_DIR "/events/dma/%s/enable", event);
	return write_string(path, on ? "1" : "0");
}

/*
 * An unmap passes the attributes of its map. The dma trace events print
 * both, so this is visible without CONFIG_DMA_API_DEBUG.
 */
TEST(unmap_attrs_match_map)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	char line[1024];
	int buf = -1, dev = -1, maps = 0, unmaps = 0, unmaps_cc = 0;
	FILE *f;

	NEED_HEAP();
	NEED_DEV();
	if (!path_exists(TRACE_DIR "/trace"))
		mount("tracefs", TRACE_DIR, "tracefs", 0, NULL);
	if (trace_event("dma_map_sg", true) || trace_event("dma_unmap_sg", true))
		SKIP(return, "no dma trace events");
	write_string(TRACE_DIR "/trace", "");
	ASSERT_EQ(0, heap_alloc(CC_HEAP, 256 << 10, &buf));
	ASSERT_EQ(0, dev_import(buf, &dev));
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map));
	ASSERT_EQ(0, xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
	close(dev);
	close(buf);
	trace_event("dma_map_sg", false);
	trace_event("dma_unmap_sg", false);

	f = fopen(TRACE_DIR "/trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "test_dmabuf"))
			continue;
		if (strstr(line, "dma_map_sg:"))
			maps += !!strstr(line, "CC_SHARED");
		if (strstr(line, "dma_unmap_sg:")) {
			unmaps++;
			unmaps_cc += !!strstr(line, "CC_SHARED");
			if (!strstr(line, "CC_SHARED"))
				TH_LOG("unmap without the map's attrs: %s", line);
		}
	}
	fclose(f);
	EXPECT_EQ(1, maps);
	EXPECT_EQ(1, unmaps);
	EXPECT_EQ(1, unmaps_cc);
}

TEST_HARNESS_MAIN
