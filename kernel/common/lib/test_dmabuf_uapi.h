/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI of the dma-buf test device (lib/test_dmabuf.c): a pretend DMA device
 * that imports a dma-buf, maps it through dma-direct and accesses the
 * memory that a real device would access.
 *
 * Each open file of /dev/test_dmabuf is one importer, with at most one
 * imported dma-buf and at most one mapping of it.
 *
 * Errors, besides -EFAULT for bad user pointers:
 *   IMPORT    -EBADF bad fd, -EINVAL not a dma-buf or nonzero flags,
 *             -EBUSY already importing
 *   MAP       -ENOENT nothing imported, -EINVAL bad direction or flags,
 *             -EBUSY already mapped, else the exporter's or DMA API's error
 *   UNMAP     -ENOENT nothing imported, -EINVAL not mapped
 *   SEGMENT   -EINVAL not mapped, -ERANGE index past the last segment
 *   DEV_READ, DEV_WRITE, VMAP_READ
 *             -EINVAL not mapped (DEV_*), zero length or nonzero flags,
 *             -ERANGE offset or length past the end of the buffer
 *   RELEASE   -ENOENT nothing imported (unmaps first if mapped)
 *   SET_LIMIT -EINVAL nonzero flags or a mask above 32 bits,
 *             -EBUSY already importing
 *   MAP_PRIVATE
 *             -ENOMEM no page, -EIO the DMA API refused the mapping,
 *             -EOPNOTSUPP the kernel has no DMA_ATTR_CC_SHARED
 *   VMAP_HOLD -ENOENT nothing imported, -EBUSY held already, else the
 *             exporter's error
 *   WRONG_MAP -EINVAL bad kind or nonzero flags, -EBUSY this file holds a
 *             wrong mapping already, -ENOMEM, or the conversion's error
 *   mmap()    -ENODEV no WRONG_USER_* page held, -EINVAL not one page at
 *             offset 0
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

struct test_dmabuf_segment {
	__u32 index;		/* in: segment number */
	__u32 bounced;		/* out: 1 if the segment is a swiotlb slot */
	__u64 dma_addr;		/* out: DMA address */
	__u64 len;		/* out: length in bytes */
};

struct test_dmabuf_rw {
	__u64 offset;		/* in: byte offset into the buffer */
	__u64 len;		/* in: bytes to copy */
	__u64 ptr;		/* in: user buffer */
	__u32 flags;		/* in: must be 0 */
	__u32 __pad;
};

struct test_dmabuf_limit {
	__u64 min_align_mask;	/* in: the device's min_align_mask */
	__u64 max_mapping_size;	/* out: dma_max_mapping_size(), ~0 for none */
	__u32 flags;		/* in: must be 0 */
	__u32 __pad;
};

#define TEST_DMABUF_IOCTL_IMPORT	_IOWR('T', 0x40, struct test_dmabuf_import)
#define TEST_DMABUF_IOCTL_MAP		_IOWR('T', 0x41, struct test_dmabuf_map)
#define TEST_DMABUF_IOCTL_UNMAP		_IO('T', 0x42)
#define TEST_DMABUF_IOCTL_SEGMENT	_IOWR('T', 0x43, struct test_dmabuf_segment)
/* The device reads or writes through the DMA addresses of the mapping. */
#define TEST_DMABUF_IOCTL_DEV_READ	_IOW('T', 0x44, struct test_dmabuf_rw)
#define TEST_DMABUF_IOCTL_DEV_WRITE	_IOW('T', 0x45, struct test_dmabuf_rw)
/* The CPU reads through the exporter's kernel mapping (vmap). */
#define TEST_DMABUF_IOCTL_VMAP_READ	_IOW('T', 0x46, struct test_dmabuf_rw)
#define TEST_DMABUF_IOCTL_RELEASE	_IO('T', 0x47)
/* Set the device's min_align_mask (before IMPORT); report its mapping limit. */
#define TEST_DMABUF_IOCTL_SET_LIMIT	_IOWR('T', 0x48, struct test_dmabuf_limit)
/* Map a private page with DMA_ATTR_CC_SHARED, a misuse, and unmap it. */
#define TEST_DMABUF_IOCTL_MAP_PRIVATE	_IO('T', 0x49)
/* Drop the device's DMA mask (before IMPORT): it may attach, never map. */
#define TEST_DMABUF_IOCTL_NO_DMA_MASK	_IO('T', 0x4a)

/*
 * Keep the exporter's kernel mapping (dma_buf_vmap()) until RELEASE or
 * close, so that a test can look at it while it exists.
 */
#define TEST_DMABUF_IOCTL_VMAP_HOLD	_IO('T', 0x4c)

/*
 * Mappings that no driver may make, for checking the CoCo emulation's
 * mapping audit: a page of the file's own, shared or private, mapped with
 * the wrong encryption attribute. The VMAP kinds map it into vmalloc space
 * at once; the USER kinds map it into the caller's address space at its
 * next mmap() of this file (one page, offset 0). Everything is undone when
 * the file is closed.
 */
#define TEST_DMABUF_WRONG_VMAP_SHARED	1	/* shared page, PAGE_KERNEL */
#define TEST_DMABUF_WRONG_VMAP_PRIVATE	2	/* private page, decrypted */
#define TEST_DMABUF_WRONG_USER_SHARED	3	/* shared page, vm_page_prot */
#define TEST_DMABUF_WRONG_USER_PRIVATE	4	/* private page, decrypted */

struct test_dmabuf_wrong_map {
	__u32 kind;		/* in: TEST_DMABUF_WRONG_* */
	__u32 flags;		/* in: must be 0 */
	__u64 pfn;		/* out: the page's frame number */
	__u64 vaddr;		/* out: its vmalloc address (VMAP kinds), else 0 */
};

#define TEST_DMABUF_IOCTL_WRONG_MAP	_IOWR('T', 0x4b, struct test_dmabuf_wrong_map)

#endif /* _LIB_TEST_DMABUF_UAPI_H */
