// SPDX-License-Identifier: GPL-2.0
/*
 * heap-smoke: the workbench's first guest test. Lists the dma-buf heaps,
 * then allocates from the system heap, maps it, checks that it reads zero,
 * and writes and reads it back.
 */
#include <dirent.h>

#include "ccheap_test.h"
#include "kselftest_harness.h"

TEST(list_heaps)
{
	struct dirent *de;
	int n = 0, have_system = 0;
	DIR *d = opendir(HEAP_DIR);

	ASSERT_NE(NULL, d) TH_LOG("%s: %s", HEAP_DIR, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		TH_LOG("heap: %s", de->d_name);
		have_system |= !strcmp(de->d_name, "system");
		n++;
	}
	closedir(d);
	EXPECT_GT(n, 0);
	EXPECT_TRUE(have_system);
}

FIXTURE(system_buf) {
	int fd;
	size_t len;
	uint8_t *p;
};

FIXTURE_VARIANT(system_buf) {
	size_t len;
};

FIXTURE_VARIANT_ADD(system_buf, one_page) { .len = 4096 };
FIXTURE_VARIANT_ADD(system_buf, odd_size) { .len = 3 * 4096 + 17 };
FIXTURE_VARIANT_ADD(system_buf, four_mib) { .len = 4 << 20 };

FIXTURE_SETUP(system_buf)
{
	self->len = variant->len;
	ASSERT_EQ(0, heap_alloc("system", self->len, &self->fd));
	self->p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(system_buf)
{
	munmap(self->p, self->len);
	close(self->fd);
}

TEST_F(system_buf, zero_then_write_read)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	size_t i, nonzero = 0;

	ASSERT_EQ(0, ioctl(self->fd, DMA_BUF_IOCTL_SYNC, &sync));
	for (i = 0; i < self->len; i++)
		nonzero += self->p[i] != 0;
	EXPECT_EQ(0U, nonzero);
	for (i = 0; i < self->len; i++)
		self->p[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < self->len; i++)
		if (self->p[i] != (uint8_t)(i * 7 + 1))
			break;
	EXPECT_EQ(self->len, i);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ASSERT_EQ(0, ioctl(self->fd, DMA_BUF_IOCTL_SYNC, &sync));
}

TEST_HARNESS_MAIN
