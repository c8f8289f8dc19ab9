/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory for the system_cc_shared heap: the pool of shared 2 MiB
 * blocks it allocates from, and its statistics.
 */
#ifndef _DMA_BUF_HEAPS_SYSTEM_CC_SHARED_H
#define _DMA_BUF_HEAPS_SYSTEM_CC_SHARED_H

#include <linux/errno.h>
#include <linux/types.h>

struct list_head;
struct page;

/* In system_heap.c: what a request may still take of MemAvailable. */
unsigned long system_heap_avail_pages(void);

#ifdef CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED
int cc_shared_alloc_pages(unsigned long nr_pages, struct list_head *pieces);
void cc_shared_free_piece(struct page *page, unsigned long nr_pages);
void cc_shared_buffer_added(unsigned long len);
void cc_shared_buffer_removed(unsigned long len);
void cc_shared_init(bool account);
void cc_shared_exit(void);
#else
static inline int cc_shared_alloc_pages(unsigned long nr_pages, struct list_head *pieces)
{
	return -EOPNOTSUPP;
}

static inline void cc_shared_free_piece(struct page *page, unsigned long nr_pages) { }
static inline void cc_shared_buffer_added(unsigned long len) { }
static inline void cc_shared_buffer_removed(unsigned long len) { }
static inline void cc_shared_init(bool account) { }
static inline void cc_shared_exit(void) { }
#endif

#endif /* _DMA_BUF_HEAPS_SYSTEM_CC_SHARED_H */
