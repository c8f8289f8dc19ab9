/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI of the dma-buf test device (lib/test_dmabuf.c), the part ccheap
 * uses. Copied from the kernel series' lib/test_dmabuf_uapi.h with the same
 * layout and ioctl numbers; keep the two in sync.
 *
 * Each open file of /dev/test_dmabuf is one importer, with at most one
 * imported dma-buf and at most one mapping of it.
 */
#ifndef _LIB_TEST_DMABUF_UAPI_H
#define _LIB_TEST_DMABUF_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Values of dma_data_direction */
#define TEST_DMABUF_BIDIRECTIONAL	0
#define TEST_DMABUF_TO_DEVICE		1
#define TEST_DMABUF_FROM_DEVICE		2

struct test_dmabuf_import {
	__s32 fd;		/* in: dma-buf file descriptor */
	__u32 flags;		/* in: must be 0 */
	__u64 size;		/* out: size of the dma-buf */
};

struct test_dmabuf_map {
	__u32 dir;		/* in: TEST_DMABUF_* direction */
	__u32 flags;		/* in: must be 0 */
	__u32 nr_segments;	/* out: DMA segments of the mapping */
	__u32 nr_bounced;	/* out: segments that are swiotlb slots */
	__u64 mapped_bytes;	/* out: bytes mapped */
	__u64 bounced_bytes;	/* out: bytes in swiotlb slots */
};

#define TEST_DMABUF_IOCTL_IMPORT	_IOWR('T', 0x40, struct test_dmabuf_import)
#define TEST_DMABUF_IOCTL_MAP		_IOWR('T', 0x41, struct test_dmabuf_map)
#define TEST_DMABUF_IOCTL_UNMAP		_IO('T', 0x42)
#define TEST_DMABUF_IOCTL_RELEASE	_IO('T', 0x47)

#endif /* _LIB_TEST_DMABUF_UAPI_H */
