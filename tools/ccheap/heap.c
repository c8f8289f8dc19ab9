// SPDX-License-Identifier: GPL-2.0
/*
 * ccheap: dma-buf heap allocation, CPU access and the test device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "ccheap.h"
#include "heap.h"
#include "sys.h"
#include "test_dmabuf_uapi.h"

/* ioctl() returning 0 or -errno, restarted when interrupted */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : 0;
}

static int sys_open(const char *path, int flags, int *fd)
{
	char p[PATH_MAX];
	int ret = sys_path(p, sizeof(p), path);

	if (ret)
		return ret;
	*fd = open(p, flags | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int heap_open(const char *name, int *heap)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), HEAP_DIR "/%s", name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return sys_open(path, O_RDONLY, heap);
}

int heap_alloc(int heap, uint64_t len, int *buf)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = xioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data);

	if (!ret)
		*buf = (int)data.fd;
	return ret;
}

int buf_size(int buf, uint64_t *size)
{
	off_t end = lseek(buf, 0, SEEK_END);

	if (end < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

static int buf_sync(int buf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return xioctl(buf, DMA_BUF_IOCTL_SYNC, &sync);
}

/* Offset of the first nonzero byte of @p, or @len */
static size_t first_nonzero(const unsigned char *p, size_t len)
{
	static const unsigned char zero[4096];
	size_t off = 0, n;

	while (off < len) {
		n = len - off < sizeof(zero) ? len - off : sizeof(zero);
		if (memcmp(p + off, zero, n))
			break;
		off += n;
	}
	while (off < len && !p[off])
		off++;
	return off;
}

int buf_check_zero(int buf, uint64_t len, uint64_t *first)
{
	const int sync = DMA_BUF_SYNC_READ;
	void *p;
	int ret, ret2;

	if (len > SIZE_MAX)
		return -EFBIG;
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, buf, 0);
	if (p == MAP_FAILED)
		return -errno;
	ret = buf_sync(buf, DMA_BUF_SYNC_START | sync);
	if (!ret) {
		*first = first_nonzero(p, (size_t)len);
		ret = buf_sync(buf, DMA_BUF_SYNC_END | sync);
	}
	ret2 = munmap(p, (size_t)len) ? -errno : 0;
	return ret ? ret : ret2;
}

/* Map the imported buffer of @dev and unmap it again */
static int dev_map_unmap(int dev, struct dev_map_result *res)
{
	struct test_dmabuf_map map = { .dir = TEST_DMABUF_BIDIRECTIONAL };
	int ret = xioctl(dev, TEST_DMABUF_IOCTL_MAP, &map);

	if (ret)
		return ret;
	res->nr_segments = map.nr_segments;
	res->nr_bounced = map.nr_bounced;
	res->mapped_bytes = map.mapped_bytes;
	res->bounced_bytes = map.bounced_bytes;
	return xioctl(dev, TEST_DMABUF_IOCTL_UNMAP, NULL);
}

int dev_map_buf(int buf, struct dev_map_result *res)
{
	struct test_dmabuf_import imp = { .fd = buf };
	int dev, ret, ret2;

	ret = sys_open(TEST_DEV, O_RDWR, &dev);
	if (ret)
		return ret;
	ret = xioctl(dev, TEST_DMABUF_IOCTL_IMPORT, &imp);
	if (!ret)
		ret = dev_map_unmap(dev, res);
	/* Closing the importer releases the import. */
	ret2 = xclose(dev);
	return ret ? ret : ret2;
}
