// SPDX-License-Identifier: GPL-2.0
/*
 * cc-badinput: bad input to the heaps and to the dma-buf test device, each
 * with the errno it must get. Runs against system_cc_shared where present,
 * else against system (the heap core's checks are the same). A length
 * beyond RAM is in cc-oversize, which cannot run on kernels without the
 * check (the allocation loop ends in the OOM killer there).
 */
#include "ccheap_test.h"
#include "kselftest_harness.h"

static const char *test_heap(void)
{
	return heap_present("system_cc_shared") ? "system_cc_shared" : "system";
}

static int heap_fd(void)
{
	char path[256];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", test_heap());
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* DMA_HEAP_IOCTL_ALLOC with the given fields; 0 or -errno. */
static int alloc_raw(uint64_t len, uint32_t fd_flags, uint64_t heap_flags, int *out)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};
	int heap = heap_fd(), ret;

	if (heap < 0)
		return -errno;
	ret = xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	if (!ret)
		*out = d.fd;
	return ret;
}

/* An ALLOC ioctl whose size field says @size bytes. */
static int alloc_sized(size_t size)
{
	uint8_t buf[128] = { 0 };
	struct dma_heap_allocation_data *d = (void *)buf;
	unsigned long req;
	int heap = heap_fd(), ret;

	if (heap < 0)
		return -errno;
	d->len = 4096;
	d->fd_flags = O_RDWR | O_CLOEXEC;
	req = _IOC(_IOC_READ | _IOC_WRITE, 'H', 0x0, size);
	ret = xioctl(heap, req, buf);
	close(heap);
	if (!ret)
		close(d->fd);
	return ret;
}

TEST(alloc_len_zero) { int fd; EXPECT_EQ(-EINVAL, alloc_raw(0, O_RDWR, 0, &fd)); }

TEST(alloc_len_huge) { int fd; EXPECT_EQ(-EINVAL, alloc_raw(~0ULL, O_RDWR, 0, &fd)); }
TEST(alloc_bad_fd_flags) { int fd; EXPECT_EQ(-EINVAL, alloc_raw(4096, 0x40000000, 0, &fd)); }
TEST(alloc_heap_flags_nonzero) { int fd; EXPECT_EQ(-EINVAL, alloc_raw(4096, O_RDWR, 1, &fd)); }
TEST(alloc_heap_flags_high_bit) { int fd; EXPECT_EQ(-EINVAL, alloc_raw(4096, O_RDWR, 1ULL << 63, &fd)); }
/*
 * The struct size is part of the ioctl number. The heap core zero-extends
 * a shorter struct and ignores the tail of a longer one, so that older and
 * newer userspace keep working: only a struct too short to hold a length
 * fails, because its length reads as zero.
 */
TEST(alloc_ioctl_struct_empty) { EXPECT_EQ(-EINVAL, alloc_sized(0)); }
TEST(alloc_ioctl_struct_short) { EXPECT_EQ(0, alloc_sized(8)); }
TEST(alloc_ioctl_struct_long) { EXPECT_EQ(0, alloc_sized(64)); }

TEST(alloc_fd_field_set)
{
	struct dma_heap_allocation_data d = { .len = 4096, .fd = 3, .fd_flags = O_RDWR };
	int heap = heap_fd();

	ASSERT_LE(0, heap);
	EXPECT_EQ(-EINVAL, xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d));
	close(heap);
}

/* The heap core has one ioctl; any other number is -EINVAL. */
TEST(alloc_unknown_ioctl)
{
	int heap = heap_fd(), x = 0;

	ASSERT_LE(0, heap);
	EXPECT_EQ(-EINVAL, xioctl(heap, _IOWR('H', 0x7f, int), &x));
	close(heap);
}

TEST(mmap_offset_past_end)
{
	void *p;
	int fd;

	ASSERT_EQ(0, alloc_raw(2 * 4096, O_RDWR | O_CLOEXEC, 0, &fd));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 2 * 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(sync_bad_flags)
{
	struct dma_buf_sync sync = { .flags = 0x100 };
	int fd;

	ASSERT_EQ(0, alloc_raw(4096, O_RDWR | O_CLOEXEC, 0, &fd));
	EXPECT_EQ(-EINVAL, xioctl(fd, DMA_BUF_IOCTL_SYNC, &sync));
	sync.flags = 0;	/* neither READ nor WRITE */
	EXPECT_EQ(-EINVAL, xioctl(fd, DMA_BUF_IOCTL_SYNC, &sync));
	close(fd);
}

/* The test device's errno table (lib/test_dmabuf_uapi.h). */
FIXTURE(dev) {
	int dev, buf;
};

FIXTURE_SETUP(dev)
{
	self->dev = -1;
	self->buf = -1;
	if (!path_exists(TEST_DEV))
		SKIP(return, "kernel built without CONFIG_TEST_DMABUF");
	self->dev = open(TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, alloc_raw(8192, O_RDWR | O_CLOEXEC, 0, &self->buf));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->buf >= 0)
		close(self->buf);
	if (self->dev >= 0)
		close(self->dev);
}

static int import(int dev, int fd)
{
	struct test_dmabuf_import imp = { .fd = fd };

	return xioctl(dev, TEST_DMABUF_IOCTL_IMPORT, &imp);
}

TEST_F(dev, import_bad_fd) { EXPECT_EQ(-EBADF, import(self->dev, -1)); }
TEST_F(dev, import_closed_fd) { EXPECT_EQ(-EBADF, import(self->dev, 1000)); }
TEST_F(dev, import_not_a_dmabuf) { EXPECT_EQ(-EINVAL, import(self->dev, self->dev)); }

TEST_F(dev, import_twice)
{
	ASSERT_EQ(0, import(self->dev, self->buf));
	EXPECT_EQ(-EBUSY, import(self->dev, self->buf));
}

TEST_F(dev, map_without_import)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };

	EXPECT_EQ(-ENOENT, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
}

TEST_F(dev, map_bad_direction)
{
	struct test_dmabuf_map map = { .dir = 3 };

	ASSERT_EQ(0, import(self->dev, self->buf));
	EXPECT_EQ(-EINVAL, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
}

TEST_F(dev, map_twice)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_TO_DEVICE };

	ASSERT_EQ(0, import(self->dev, self->buf));
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
	EXPECT_EQ(-EBUSY, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
}

TEST_F(dev, unmap_without_map)
{
	ASSERT_EQ(0, import(self->dev, self->buf));
	EXPECT_EQ(-EINVAL, xioctl(self->dev, TEST_DMABUF_IOCTL_UNMAP, NULL));
}

TEST_F(dev, segment_past_last)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_TO_DEVICE };
	struct test_dmabuf_segment seg = { .index = 1000 };

	ASSERT_EQ(0, import(self->dev, self->buf));
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
	EXPECT_EQ(-ERANGE, xioctl(self->dev, TEST_DMABUF_IOCTL_SEGMENT, &seg));
}

TEST_F(dev, device_read_past_end)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_FROM_DEVICE };
	uint8_t b[64];

	ASSERT_EQ(0, import(self->dev, self->buf));
	ASSERT_EQ(0, xioctl(self->dev, TEST_DMABUF_IOCTL_MAP, &map));
	EXPECT_EQ(-ERANGE, dev_rw(self->dev, TEST_DMABUF_IOCTL_DEV_READ, 8192, b, 1));
	EXPECT_EQ(-ERANGE, dev_rw(self->dev, TEST_DMABUF_IOCTL_DEV_READ, 8192 - 32, b, 64));
	EXPECT_EQ(-EINVAL, dev_rw(self->dev, TEST_DMABUF_IOCTL_DEV_READ, 0, b, 0));
}

TEST_F(dev, device_read_unmapped)
{
	uint8_t b[64];

	ASSERT_EQ(0, import(self->dev, self->buf));
	EXPECT_EQ(-EINVAL, dev_rw(self->dev, TEST_DMABUF_IOCTL_DEV_READ, 0, b, sizeof(b)));
}

TEST_F(dev, unknown_ioctl)
{
	EXPECT_EQ(-ENOTTY, xioctl(self->dev, _IO('T', 0x7f), NULL));
}

TEST_HARNESS_MAIN
