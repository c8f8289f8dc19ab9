/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccheap: dma-buf heap allocation and the test device. 0 or -errno.
 */
#ifndef CCHEAP_HEAP_H
#define CCHEAP_HEAP_H

#include <stdint.h>

/* What a mapping through /dev/test_dmabuf looked like */
struct dev_map_result {
	uint32_t nr_segments;
	uint32_t nr_bounced;
	uint64_t mapped_bytes;
	uint64_t bounced_bytes;
};

/* Open /dev/dma_heap/@name: -ENOENT if there is no such heap */
int heap_open(const char *name, int *heap);
/* Allocate @len bytes from an open heap; *buf is a dma-buf fd */
int heap_alloc(int heap, uint64_t len, int *buf);
/* The size of a dma-buf (the heap rounds up to pages) */
int buf_size(int buf, uint64_t *size);
/*
 * mmap @buf, read all @len bytes between DMA_BUF_IOCTL_SYNC start and end.
 * *first is the offset of the first nonzero byte, or @len if none.
 */
int buf_check_zero(int buf, uint64_t len, uint64_t *first);
/* Import @buf into the test device, map it, unmap it: what was mapped */
int dev_map_buf(int buf, struct dev_map_result *res);

#endif /* CCHEAP_HEAP_H */
