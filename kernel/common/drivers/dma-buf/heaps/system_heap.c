// SPDX-License-Identifier: GPL-2.0
/*
 * DMABUF System heap exporter
 *
 * Copyright (C) 2011 Google, Inc.
 * Copyright (C) 2019, 2020 Linaro Ltd.
 *
 * Portions based off of Andrew Davis' SRAM heap:
 * Copyright (C) 2019 Texas Instruments Incorporated - http://www.ti.com/
 *	Andrew F. Davis <afd@ti.com>
 */

#include <linux/cc_platform.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mem_encrypt.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>

#include "system_cc_shared.h"

struct system_heap_priv {
	bool cc_shared;
};

struct system_heap_buffer {
	struct dma_heap *heap;
	struct list_head attachments;
	struct mutex lock;
	unsigned long len;
	struct sg_table sg_table;
	int vmap_cnt;
	void *vaddr;
	bool cc_shared;
};

struct dma_heap_attachment {
	struct device *dev;
	struct sg_table table;
	struct list_head list;
	bool mapped;
	bool cc_shared;
	bool too_small;	/* the device cannot map a page in one piece */
};

#define cc_shared_buffer(b) (IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED) && \
				(b)->cc_shared)

/*
 * Order 0 may reclaim, but must fail rather than invoke the OOM killer: a
 * request that memory cannot satisfy is the caller's to handle, not a
 * reason to kill an unrelated process (whose death would not even help,
 * since dma-buf memory is not counted against the caller).
 */
#define LOW_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define HIGH_ORDER_GFP  (((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN \
				| __GFP_NORETRY) & ~__GFP_RECLAIM) \
				| __GFP_COMP)
static gfp_t order_flags[] = {HIGH_ORDER_GFP, HIGH_ORDER_GFP, LOW_ORDER_GFP};
/*
 * The selection of the orders used for allocation (1MB, 64K, 4K) is designed
 * to match with the sizes often found in IOMMUs. Using order 4 pages instead
 * of order 0 pages can significantly improve the performance of many IOMMUs
 * by reducing TLB pressure and time spent updating page tables.
 */
static const unsigned int orders[] = {8, 4, 0};
#define NUM_ORDERS ARRAY_SIZE(orders)

/*
 * Copy the buffer's table for an attachment, splitting chunks so that no
 * entry exceeds @max_seg bytes (a multiple of PAGE_SIZE). The buffer's
 * chunks are page-aligned, so every piece starts at offset 0 of a page.
 */
static int dup_sg_table(struct sg_table *from, struct sg_table *to,
			unsigned int max_seg)
{
	struct scatterlist *sg, *new_sg;
	unsigned int nents = 0;
	int ret, i;

	for_each_sgtable_sg(from, sg, i)
		nents += 1 + (sg->length - 1) / max_seg;	/* no overflow near UINT_MAX */

	ret = sg_alloc_table(to, nents, GFP_KERNEL);
	if (ret)
		return ret;

	new_sg = to->sgl;
	for_each_sgtable_sg(from, sg, i) {
		unsigned int done, len;

		for (done = 0; done < sg->length; done += len) {
			len = min(sg->length - done, max_seg);
			/* A chunk (or a pool piece) is physically contiguous. */
			sg_set_page(new_sg, sg_page(sg) + (done >> PAGE_SHIFT), len, sg->offset);
			new_sg = sg_next(new_sg);
		}
	}

	return 0;
}

/*
 * The largest segment that @dev can map in one piece, in whole pages, or 0
 * if it cannot map a page (or has no DMA mask, as importers that never map
 * may have). dma_max_mapping_size() is below the chunk size
 * when the mapping may be bounced through swiotlb: always for plain
 * memory in a confidential guest, with swiotlb=force, for devices with a
 * min_align_mask or a DMA mask that does not cover all of memory.
 */
static unsigned int system_heap_max_seg(struct device *dev)
{
	size_t max;

	/* Without a mask there is nothing to ask the DMA API. */
	if (!dev->dma_mask)
		return 0;
	max = min_t(size_t, dma_max_mapping_size(dev), UINT_MAX);

	return round_down(max, PAGE_SIZE);
}

static int system_heap_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;
	unsigned int max_seg;
	int ret;

	a = kzalloc_obj(*a);
	if (!a)
		return -ENOMEM;

	/*
	 * Shared buffers are mapped where they are (DMA_ATTR_CC_SHARED), but
	 * swiotlb=force bounces them too.
	 */
	if (buffer->cc_shared && !is_swiotlb_force_bounce(attachment->dev))
		max_seg = UINT_MAX;
	else
		max_seg = system_heap_max_seg(attachment->dev);
	a->too_small = !max_seg;
	ret = dup_sg_table(&buffer->sg_table, &a->table, max_seg ?: UINT_MAX);
	if (ret) {
		kfree(a);
		return ret;
	}

	a->dev = attachment->dev;
	INIT_LIST_HEAD(&a->list);
	a->mapped = false;
	a->cc_shared = buffer->cc_shared;

	attachment->priv = a;

	mutex_lock(&buffer->lock);
	list_add(&a->list, &buffer->attachments);
	mutex_unlock(&buffer->lock);

	return 0;
}

static void system_heap_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attachment)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a = attachment->priv;

	mutex_lock(&buffer->lock);
	list_del(&a->list);
	mutex_unlock(&buffer->lock);

	sg_free_table(&a->table);
	kfree(a);
}

static struct sg_table *system_heap_map_dma_buf(struct dma_buf_attachment *attachment,
						enum dma_data_direction direction)
{
	struct dma_heap_attachment *a = attachment->priv;
	struct sg_table *table = &a->table;
	unsigned long attrs;
	int ret;

	if (a->too_small)
		return ERR_PTR(-EINVAL);

	attrs = cc_shared_buffer(a) ? DMA_ATTR_CC_SHARED : 0;
	ret = dma_map_sgtable(attachment->dev, table, direction, attrs);
	if (ret)
		return ERR_PTR(ret);

	a->mapped = true;
	return table;
}

static void system_heap_unmap_dma_buf(struct dma_buf_attachment *attachment,
				      struct sg_table *table,
				      enum dma_data_direction direction)
{
	struct dma_heap_attachment *a = attachment->priv;
	unsigned long attrs = cc_shared_buffer(a) ? DMA_ATTR_CC_SHARED : 0;

	a->mapped = false;
	dma_unmap_sgtable(attachment->dev, table, direction, attrs);
}

static int system_heap_dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
						enum dma_data_direction direction)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;

	mutex_lock(&buffer->lock);

	if (buffer->vmap_cnt)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_cpu(a->dev, &a->table, direction);
	}
	mutex_unlock(&buffer->lock);

	return 0;
}

static int system_heap_dma_buf_end_cpu_access(struct dma_buf *dmabuf,
					      enum dma_data_direction direction)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;

	mutex_lock(&buffer->lock);

	if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_device(a->dev, &a->table, direction);
	}
	mutex_unlock(&buffer->lock);

	return 0;
}

static int system_heap_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct sg_table *table = &buffer->sg_table;
	unsigned long addr = vma->vm_start;
	unsigned long pgoff = vma->vm_pgoff;
	struct scatterlist *sg;
	pgprot_t prot;
	int i, ret;

	prot = vma->vm_page_prot;
	if (cc_shared_buffer(buffer))
		prot = pgprot_decrypted(prot);

	for_each_sgtable_sg(table, sg, i) {
		unsigned long n = sg->length >> PAGE_SHIFT;

		if (pgoff < n)
			break;
		pgoff -= n;
	}

	for (; sg && addr < vma->vm_end; sg = sg_next(sg)) {
		unsigned long n = (sg->length >> PAGE_SHIFT) - pgoff;
		struct page *page = sg_page(sg) + pgoff;
		unsigned long size = n << PAGE_SHIFT;

		if (addr + size > vma->vm_end)
			size = vma->vm_end - addr;

		ret = remap_pfn_range(vma, addr, page_to_pfn(page), size, prot);
		if (ret)
			return ret;

		addr += size;
		pgoff = 0;
	}

	return 0;
}

static void *system_heap_do_vmap(struct system_heap_buffer *buffer)
{
	struct sg_table *table = &buffer->sg_table;
	int npages = PAGE_ALIGN(buffer->len) / PAGE_SIZE;
	struct page **pages = vmalloc(sizeof(struct page *) * npages);
	struct page **tmp = pages;
	struct sg_page_iter piter;
	pgprot_t prot;
	void *vaddr;

	if (!pages)
		return ERR_PTR(-ENOMEM);

	for_each_sgtable_page(table, &piter, 0) {
		WARN_ON(tmp - pages >= npages);
		*tmp++ = sg_page_iter_page(&piter);
	}

	prot = PAGE_KERNEL;
	if (cc_shared_buffer(buffer))
		prot = pgprot_decrypted(prot);
	vaddr = vmap(pages, npages, VM_MAP, prot);
	vfree(pages);

	if (!vaddr)
		return ERR_PTR(-ENOMEM);

	return vaddr;
}

static int system_heap_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	void *vaddr;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_cnt) {
		buffer->vmap_cnt++;
		iosys_map_set_vaddr(map, buffer->vaddr);
		goto out;
	}

	vaddr = system_heap_do_vmap(buffer);
	if (IS_ERR(vaddr)) {
		ret = PTR_ERR(vaddr);
		goto out;
	}

	buffer->vaddr = vaddr;
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
out:
	mutex_unlock(&buffer->lock);

	return ret;
}

static void system_heap_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct system_heap_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	if (!--buffer->vmap_cnt) {
		vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

static void system_heap_dma_buf_release(struct dma_buf *dmabuf)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct sg_table *table;
	struct scatterlist *sg;
	int i;

	table = &buffer->sg_table;
	for_each_sgtable_sg(table, sg, i) {
		struct page *page = sg_page(sg);

		/* Shared pieces go back to the pool, which keeps them shared. */
		if (cc_shared_buffer(buffer))
			cc_shared_free_piece(page, sg->length >> PAGE_SHIFT);
		else
			__free_pages(page, compound_order(page));
	}
	sg_free_table(table);
	if (cc_shared_buffer(buffer))
		cc_shared_buffer_removed(buffer->len);
	kfree(buffer);
}

static const struct dma_buf_ops system_heap_buf_ops = {
	.attach = system_heap_attach,
	.detach = system_heap_detach,
	.map_dma_buf = system_heap_map_dma_buf,
	.unmap_dma_buf = system_heap_unmap_dma_buf,
	.begin_cpu_access = system_heap_dma_buf_begin_cpu_access,
	.end_cpu_access = system_heap_dma_buf_end_cpu_access,
	.mmap = system_heap_mmap,
	.vmap = system_heap_vmap,
	.vunmap = system_heap_vunmap,
	.release = system_heap_dma_buf_release,
};

/*
 * The pages a request may still take: MemAvailable (free memory plus what
 * reclaim can give back) less a reserve for the rest of the system.
 * Requests made at the same time each pass a check against what they alone
 * still need, and together could take memory to its last pages, where the
 * next allocation anywhere (a page table, a fork) ends in the OOM killer.
 * The reserve, 1/32 of RAM and at most 128 MiB (about the bounds of the
 * user reserve of mm's overcommit accounting), is kept for those; it is
 * far more than concurrent requests take between two checks, one chunk
 * each.
 */
unsigned long system_heap_avail_pages(void)
{
	unsigned long reserve = min(totalram_pages() / 32, SZ_128M >> PAGE_SHIFT);
	long avail = si_mem_available();

	return avail > (long)reserve ? avail - reserve : 0;
}

static struct page *alloc_largest_available(unsigned long size,
					    unsigned int max_order)
{
	struct page *page;
	int i;
	gfp_t flags;

	for (i = 0; i < NUM_ORDERS; i++) {
		if (size <  (PAGE_SIZE << orders[i]))
			continue;
		if (max_order < orders[i])
			continue;
		flags = order_flags[i];
		if (mem_accounting)
			flags |= __GFP_ACCOUNT;
		page = alloc_pages(flags, orders[i]);
		if (!page)
			continue;
		return page;
	}
	return NULL;
}

static struct dma_buf *system_heap_allocate(struct dma_heap *heap,
					    unsigned long len,
					    u32 fd_flags,
					    u64 heap_flags)
{
	struct system_heap_buffer *buffer;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	unsigned long size_remaining = len;
	unsigned int max_order = orders[0];
	struct system_heap_priv *priv = dma_heap_get_drvdata(heap);
	bool cc_shared = priv->cc_shared;
	struct dma_buf *dmabuf;
	struct sg_table *table;
	struct scatterlist *sg;
	struct list_head pages;
	struct page *page, *tmp_page;
	int i, ret = -ENOMEM;

	buffer = kzalloc_obj(*buffer);
	if (!buffer)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&buffer->attachments);
	mutex_init(&buffer->lock);
	buffer->heap = heap;
	buffer->len = len;
	buffer->cc_shared = cc_shared;

	INIT_LIST_HEAD(&pages);
	i = 0;
	/*
	 * Shared memory comes from the pool of shared 2 MiB blocks, in
	 * pieces that are already shared and zeroed; the pool checks the
	 * memory available where it must take new memory
	 * (cc_shared_get_piece()).
	 */
	if (cc_shared_buffer(buffer)) {
		i = cc_shared_alloc_pages(len >> PAGE_SHIFT, &pages);
		if (i < 0) {
			ret = i;
			goto free_buffer;
		}
		size_remaining = 0;
	}
	while (size_remaining > 0) {
		/*
		 * Avoid trying to allocate memory if the process
		 * has been killed by SIGKILL
		 */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_buffer;
		}

		/*
		 * More than the memory available (system_heap_avail_pages())
		 * could only be had by driving the system to its last pages,
		 * where every other allocation ends in the OOM killer: fail
		 * before reclaiming for it. Checked before every chunk, against
		 * what is still to come, as requests made at the same time
		 * each pass a check made only at the start.
		 */
		if (size_remaining >> PAGE_SHIFT > system_heap_avail_pages())
			goto free_buffer;

		page = alloc_largest_available(size_remaining, max_order);
		if (!page)
			goto free_buffer;

		list_add_tail(&page->lru, &pages);
		size_remaining -= page_size(page);
		max_order = compound_order(page);
		i++;
	}

	table = &buffer->sg_table;
	if (sg_alloc_table(table, i, GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN))
		goto free_buffer;

	sg = table->sgl;
	list_for_each_entry_safe(page, tmp_page, &pages, lru) {
		/* A shared piece is 2^page_private() pages; see system_cc_shared.c. */
		sg_set_page(sg, page, cc_shared_buffer(buffer) ?
			    PAGE_SIZE << page_private(page) : page_size(page), 0);
		sg = sg_next(sg);
		list_del(&page->lru);
	}

	/* create the dmabuf */
	exp_info.exp_name = dma_heap_get_name(heap);
	exp_info.ops = &system_heap_buf_ops;
	exp_info.size = buffer->len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto free_pages;
	}
	if (cc_shared_buffer(buffer))
		cc_shared_buffer_added(buffer->len);
	return dmabuf;

free_pages:
	for_each_sgtable_sg(table, sg, i) {
		struct page *p = sg_page(sg);

		if (cc_shared_buffer(buffer))
			cc_shared_free_piece(p, sg->length >> PAGE_SHIFT);
		else
			__free_pages(p, compound_order(p));
	}
	sg_free_table(table);
free_buffer:
	list_for_each_entry_safe(page, tmp_page, &pages, lru) {
		if (cc_shared_buffer(buffer))
			cc_shared_free_piece(page, 1UL << page_private(page));
		else
			__free_pages(page, compound_order(page));
	}
	kfree(buffer);

	return ERR_PTR(ret);
}

static const struct dma_heap_ops system_heap_ops = {
	.allocate = system_heap_allocate,
};

static struct system_heap_priv system_heap_cc_shared_priv = {
	.cc_shared = true,
};

#ifdef SYSTEM_HEAP_CC_SHARED_ONLY
/*
 * This file built alone, as an out-of-tree module for a kernel whose own
 * system heap is built in but whose system_cc_shared heap is not: only
 * system_cc_shared is registered here (a name can be registered once).
 * Loading fails, saying why, where the heap would not be registered.
 */
static int __init system_heap_create(void)
{
	struct dma_heap_export_info exp_info = {
		.name = "system_cc_shared",
		.ops = &system_heap_ops,
		.priv = &system_heap_cc_shared_priv,
	};
	struct dma_heap *heap;

	if (IS_ENABLED(CONFIG_HIGHMEM)) {
		pr_info("system_cc_shared: not registered: HIGHMEM pages have no direct map to share\n");
		return -ENODEV;
	}
	if (!cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT)) {
		pr_info("system_cc_shared: not registered: not a confidential guest (no guest memory encryption)\n");
		return -ENODEV;
	}
	cc_shared_init(mem_accounting);
	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap)) {
		cc_shared_exit();
		return PTR_ERR(heap);
	}

	return 0;
}
#else
static struct system_heap_priv system_heap_priv = {
	.cc_shared = false,
};

static int __init system_heap_create(void)
{
	struct dma_heap_export_info exp_info;
	struct dma_heap *sys_heap;

	exp_info.name = "system";
	exp_info.ops = &system_heap_ops;
	exp_info.priv = &system_heap_priv;

	sys_heap = dma_heap_add(&exp_info);
	if (IS_ERR(sys_heap))
		return PTR_ERR(sys_heap);

	if (IS_ENABLED(CONFIG_HIGHMEM) ||
	    !IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED) ||
	    !cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT))
		return 0;

	/* The pool is ready before the heap can be opened. */
	cc_shared_init(mem_accounting);
	exp_info.name = "system_cc_shared";
	exp_info.priv = &system_heap_cc_shared_priv;
	sys_heap = dma_heap_add(&exp_info);
	if (IS_ERR(sys_heap)) {
		cc_shared_exit();
		return PTR_ERR(sys_heap);
	}

	return 0;
}
#endif
module_init(system_heap_create);

MODULE_DESCRIPTION("DMA-BUF System Heap");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
