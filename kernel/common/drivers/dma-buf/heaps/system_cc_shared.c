// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory for the system_cc_shared heap: conversions, a pool of
 * shared 2 MiB blocks, and statistics.
 *
 * Making memory shared with the host of a confidential guest, and private
 * again, is expensive: on SEV-SNP a page-state change (one VMGEXIT per
 * 64 entries) and a PVALIDATE per 4 KiB page unless a whole aligned 2 MiB
 * block is converted; on TDX a MapGPA and, back to private, an accept per
 * page, again cheaper for whole 2 MiB blocks; everywhere a TLB flush on
 * every CPU, and a direct-map large page split for good by any conversion
 * that does not cover it whole.
 *
 * So the heap takes its memory from here, in pieces cut from 2 MiB-aligned
 * blocks that are converted whole, once:
 *
 *  - A piece is a whole block, or 2^order pages of a smaller size class
 *    (1 MiB, 64 KiB, a page). A block cut into small pieces serves one
 *    size class only, so that a long-lived small buffer cannot keep the
 *    block of a short-lived large one shared.
 *  - A freed buffer's pieces go back to their blocks, which stay shared;
 *    an allocation takes pieces from the pool first. A piece is zeroed
 *    when it is taken, because the host may write into shared memory at
 *    any time.
 *  - Blocks of which no piece is in use are the pool proper; the free
 *    pages of blocks that are partly in use are slack. Both together are
 *    bounded by pool_max_mb (module parameter, run-time tunable; 0 turns
 *    pooling off): free blocks beyond it are made private again and
 *    returned to the page allocator at once, oldest first, and a new block
 *    is cut into small pieces only while the slack it adds stays within
 *    it. Past the bound, and always with a cap of 0, small pieces are
 *    chunks converted on their own (fallbacks). Slack made by frees inside
 *    blocks that are still in use can pass the cap; it is then used before
 *    any new block is opened.
 *  - A shrinker gives free blocks back under memory pressure and on
 *    drop_caches, and the pool is accounted as reclaimable kernel memory.
 *  - Where no 2 MiB block can be had, smaller chunks are converted one by
 *    one, as before (counted as fallbacks), and made private again when
 *    freed.
 *  - Memory that cannot be made private again, or whose state is unknown
 *    after a failed conversion, is leaked, never freed: the page allocator
 *    would hand out memory that the host can read and write. So is a block
 *    whose bookkeeping a free finds wrong (a double free), and a block with
 *    a page that someone else still holds a reference to.
 *
 * The counters are in debugfs, dma_heap/system_cc_shared/stats. They are
 * diagnostics, not ABI.
 */

#define pr_fmt(fmt) "system_cc_shared: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mem_encrypt.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/set_memory.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/xarray.h>

#include "system_cc_shared.h"

/*
 * A block is 2 MiB, 2^21 bytes: order 9 with 4 KiB pages, 7 with 16 KiB
 * and 5 with 64 KiB, never above the allocator's largest order. The
 * orders are constant expressions, as a bitmap is sized by them.
 */
static_assert(PAGE_SHIFT <= 16, "pieces of 64 KiB need pages of 64 KiB or less");
static_assert(MAX_PAGE_ORDER >= 20 - PAGE_SHIFT, "a block must hold 1 MiB");
#define CC_BLOCK_ORDER		MIN(21 - PAGE_SHIFT, MAX_PAGE_ORDER)
#define CC_BLOCK_PAGES		BIT(CC_BLOCK_ORDER)
#define CC_PIECE_ORDER(shift)	MIN((shift) - PAGE_SHIFT, CC_BLOCK_ORDER)

/*
 * Piece orders, largest first, one size class each: whole blocks, then
 * mainline's chunk sizes, 1 MiB, 64 KiB and a page, in this page size.
 */
static const unsigned int cc_piece_orders[] = {
	CC_BLOCK_ORDER,
	CC_PIECE_ORDER(20),
	CC_PIECE_ORDER(16),
	0,
};

#define CC_NR_CLASSES	ARRAY_SIZE(cc_piece_orders)
#define CC_CLASS_BLOCK	0	/* whole blocks */

enum cc_shared_dir {
	CC_SHARED_TO_SHARED,
	CC_SHARED_TO_PRIVATE,
	CC_SHARED_NR_DIRS,
};

static struct {
	atomic_long_t buffers;		/* live buffers */
	atomic_long_t shared_bytes;	/* bytes in live buffers */
	atomic_long_t converted[CC_SHARED_NR_DIRS];	/* conversions: blocks and chunks */
	atomic_long_t failed[CC_SHARED_NR_DIRS];	/* conversions that failed */
	atomic_long_t leaked_pages;	/* kept out of use: maybe shared */
	atomic_long_t blocks[CC_SHARED_NR_DIRS];	/* 2 MiB blocks converted */
	atomic_long_t hits;		/* pieces taken from shared blocks at hand */
	atomic_long_t misses;		/* ... that needed a new block first */
	atomic_long_t fallbacks;	/* chunks converted on their own */
	atomic_long_t trims;		/* blocks made private on free (cap) */
	atomic_long_t shrinker_scans;
	atomic_long_t shrinker_freed;	/* blocks made private by the shrinker */
	atomic_long_t bad_frees;	/* frees that found the bookkeeping wrong */
	atomic_long_t referenced_pages;	/* blocks leaked for a reference held */
} cc_shared_stats;

/*
 * A shared 2 MiB block. While no piece is in use it is on cc_pool.free;
 * while some small pieces are, on cc_pool.partial[class]; when it is
 * full, or a whole-block piece, or leaked, on no list. cc_pool.blocks
 * finds it by frame.
 */
struct cc_block {
	struct list_head node;
	struct page *page;		/* first page; a block-order allocation, split */
	unsigned int used;		/* pages in use */
	unsigned int class;		/* size class of its pieces, while in use */
	bool leaked;			/* never reused, never freed */
	DECLARE_BITMAP(map, CC_BLOCK_PAGES);	/* pages in use */
};

static struct {
	struct mutex lock;		/* protects everything below */
	struct xarray blocks;		/* pfn >> CC_BLOCK_ORDER -> block */
	struct list_head free;		/* most recently freed first */
	struct list_head partial[CC_NR_CLASSES];
	unsigned long nr_free;		/* blocks on the free list: the pool */
	unsigned long slack;		/* free pages in partial blocks */
} cc_pool = {
	.lock = __MUTEX_INITIALIZER(cc_pool.lock),
	.blocks = XARRAY_INIT(cc_pool.blocks, 0),
	.free = LIST_HEAD_INIT(cc_pool.free),
};

/*
 * With dma_heap.mem_accounting, memory is charged to the memcg of the task
 * that allocates it. A pooled block outlives the buffer it was cut for and
 * would stay charged to whoever refilled the pool, so with accounting
 * there is no pool: every chunk is converted on its own, as without it.
 */
static bool cc_account __read_mostly;

/* Without a shrinker nothing would give the pool back: no pool then. */
static struct shrinker *cc_pool_shrinker;

/* Set once the pool is set up: a cap written earlier trims nothing. */
static bool cc_pool_ready;

/* The counters' directory, removed if the heap does not register */
static struct dentry *cc_debugfs_dir;

/*
 * The cap of the pool and its slack, in MiB. 0 turns pooling off. 128 MiB
 * by default: enough for the working set of a few RDMA queues, small next
 * to the guests that use the heap, and given back under memory pressure
 * anyway.
 */
static unsigned int pool_max_mb = 128;

static void cc_pool_trim(void);

static int cc_pool_max_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	/* A lower cap takes effect at once, not at the next free. */
	if (!ret && READ_ONCE(cc_pool_ready))
		cc_pool_trim();
	return ret;
}

static const struct kernel_param_ops cc_pool_max_ops = {
	.set = cc_pool_max_set,
	.get = param_get_uint,
};
module_param_cb(pool_max_mb, &cc_pool_max_ops, &pool_max_mb, 0644);
MODULE_PARM_DESC(pool_max_mb, "Most memory kept shared beyond live buffers, in MiB (0: none)");

/* The cap in force, in pages: 0 with accounting or without a shrinker. */
static unsigned long cc_pool_cap_pages(void)
{
	if (cc_account || !cc_pool_shrinker)
		return 0;
	/* Whole blocks; MiB per block first, no product to overflow on 32-bit. */
	return READ_ONCE(pool_max_mb) / (CC_BLOCK_PAGES * PAGE_SIZE / SZ_1M) * CC_BLOCK_PAGES;
}

static int cc_shared_convert_range(struct page *page, unsigned long nr_pages,
				   enum cc_shared_dir dir)
{
	unsigned long addr = (unsigned long)page_address(page);
	int ret;

	if (dir == CC_SHARED_TO_SHARED)
		ret = set_memory_decrypted(addr, nr_pages);
	else
		ret = set_memory_encrypted(addr, nr_pages);
	if (!ret) {
		atomic_long_inc(&cc_shared_stats.converted[dir]);
		return 0;
	}
	atomic_long_inc(&cc_shared_stats.failed[dir]);
	pr_warn_ratelimited("cannot make %lu pages at pfn %#lx %s: %d\n", nr_pages,
			    page_to_pfn(page),
			    dir == CC_SHARED_TO_SHARED ? "shared" : "private", ret);
	/* Not every conversion path returns a negative errno on failure. */
	return ret < 0 ? ret : -EIO;
}

static void cc_shared_leak_pages(unsigned long nr_pages)
{
	atomic_long_add(nr_pages, &cc_shared_stats.leaked_pages);
}

/**
 * cc_shared_leak() - Count a chunk that is kept out of use.
 * @page: the chunk, whose state is shared or unknown
 */
static void cc_shared_leak(struct page *page)
{
	cc_shared_leak_pages(1UL << compound_order(page));
}

/*
 * Whether @nr_pages pages from @page are referenced by their owner only.
 * A page that someone else still holds (an importer that kept a reference
 * past the buffer's release) must not become private, nor be freed.
 */
static bool cc_shared_unreferenced(struct page *page, unsigned long nr_pages)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++) {
		if (page_ref_count(page + i) != 1) {
			atomic_long_add(nr_pages, &cc_shared_stats.referenced_pages);
			pr_warn_ratelimited("pfn %#lx is still referenced: %lu pages kept shared\n",
					    page_to_pfn(page + i), nr_pages);
			return false;
		}
	}
	return true;
}

/**
 * cc_shared_share() - Make a chunk shared with the host.
 * @page: the chunk (a compound page, or an order-0 page)
 *
 * On failure, part of the chunk may be shared: the caller must leak it
 * with cc_shared_leak().
 *
 * Return: 0, or a negative errno.
 */
static int cc_shared_share(struct page *page)
{
	return cc_shared_convert_range(page, 1UL << compound_order(page), CC_SHARED_TO_SHARED);
}

/**
 * cc_shared_unshare() - Make a shared chunk private again.
 * @page: the chunk
 *
 * On failure the chunk is counted as leaked, and the caller must not free
 * it.
 *
 * Return: 0, or a negative errno.
 */
static int cc_shared_unshare(struct page *page)
{
	int ret = -EBUSY;

	/* A compound chunk: only its head page carries a reference. */
	if (cc_shared_unreferenced(page, 1))
		ret = cc_shared_convert_range(page, 1UL << compound_order(page),
					      CC_SHARED_TO_PRIVATE);
	if (ret)
		cc_shared_leak(page);
	return ret;
}

void cc_shared_buffer_added(unsigned long len)
{
	atomic_long_inc(&cc_shared_stats.buffers);
	atomic_long_add(len, &cc_shared_stats.shared_bytes);
}

void cc_shared_buffer_removed(unsigned long len)
{
	atomic_long_dec(&cc_shared_stats.buffers);
	atomic_long_sub(len, &cc_shared_stats.shared_bytes);
}

/* The pool's free blocks count as reclaimable kernel memory. */
static void cc_pool_account(struct cc_block *b, long sign)
{
	mod_node_page_state(page_pgdat(b->page), NR_KERNEL_MISC_RECLAIMABLE,
			    sign * (long)CC_BLOCK_PAGES);
}

/* kzalloc_obj() where the kernel has it (7.0 and later): one source for all. */
#ifdef kzalloc_obj
#define cc_zalloc_obj(obj)	kzalloc_obj(obj)
#else
#define cc_zalloc_obj(obj)	kzalloc(sizeof(obj), GFP_KERNEL)
#endif

/* Free the pages of a block, split into order-0 pages when it was made. */
static void cc_block_free_pages(struct page *page)
{
	unsigned long i;

	for (i = 0; i < CC_BLOCK_PAGES; i++)
		__free_page(page + i);
}

/*
 * Make a block private again and give it back to the page allocator, or
 * leak it if it cannot be made private. The block is already off the
 * lists and out of the xarray.
 *
 * This runs in reclaim too (the shrinker). The conversion allocates
 * nothing there: the block was converted whole when it was made, so any
 * split of a larger direct-map page covering it happened then, and making
 * it private again only rewrites the entries that map it; the page-state
 * change is a hypercall (a GHCB of the CPU's own on SEV-SNP, MapGPA and
 * accepts on TDX). A failure is not retried, and stops the scan.
 *
 * Return: true if the block went back to the page allocator.
 */
static bool cc_block_release(struct cc_block *b)
{
	bool freed = false;

	if (!cc_shared_unreferenced(b->page, CC_BLOCK_PAGES) ||
	    cc_shared_convert_range(b->page, CC_BLOCK_PAGES, CC_SHARED_TO_PRIVATE)) {
		cc_shared_leak_pages(CC_BLOCK_PAGES);
	} else {
		atomic_long_inc(&cc_shared_stats.blocks[CC_SHARED_TO_PRIVATE]);
		cc_block_free_pages(b->page);
		freed = true;
	}
	kfree(b);
	return freed;
}

/* Take the oldest free block out of the pool, with cc_pool.lock held. */
static struct cc_block *cc_pool_take_oldest(void)
{
	struct cc_block *b;

	if (list_empty(&cc_pool.free))
		return NULL;
	b = list_last_entry(&cc_pool.free, struct cc_block, node);
	list_del(&b->node);
	WRITE_ONCE(cc_pool.nr_free, cc_pool.nr_free - 1);
	cc_pool_account(b, -1);
	xa_erase(&cc_pool.blocks, page_to_pfn(b->page) >> CC_BLOCK_ORDER);
	return b;
}

/* Free pages held shared beyond live buffers, with cc_pool.lock held. */
static unsigned long cc_pool_held(void)
{
	return cc_pool.nr_free * CC_BLOCK_PAGES + cc_pool.slack;
}

/*
 * Give back free blocks, oldest first, while @over() says so; stop at the
 * first block that cannot be made private. Returns how many were freed,
 * and whether one failed in *@failed.
 */
static unsigned long cc_pool_release(unsigned long max, bool (*over)(void),
				     atomic_long_t *counter, bool *failed)
{
	unsigned long done = 0;
	struct cc_block *b;

	*failed = false;
	while (done < max) {
		mutex_lock(&cc_pool.lock);
		b = over() ? cc_pool_take_oldest() : NULL;
		mutex_unlock(&cc_pool.lock);
		if (!b)
			break;
		if (!cc_block_release(b)) {
			*failed = true;
			break;
		}
		atomic_long_inc(counter);
		done++;
	}
	return done;
}

static bool cc_pool_over_cap(void)
{
	return cc_pool.nr_free && cc_pool_held() > cc_pool_cap_pages();
}

static bool cc_pool_any(void)
{
	return cc_pool.nr_free;
}

/* Give back free blocks while the pool and slack are beyond the cap. */
static void cc_pool_trim(void)
{
	bool failed;

	cc_pool_release(ULONG_MAX, cc_pool_over_cap, &cc_shared_stats.trims, &failed);
}

/*
 * A new shared block: 2 MiB-aligned, converted whole (one conversion, no
 * large-page split). NULL with *err 0 when no block can be had, NULL with
 * *err set when its conversion failed (the block is then leaked: part of
 * it may be shared).
 */
static struct cc_block *cc_block_new(int *err)
{
	struct cc_block *b;
	struct page *page;

	*err = 0;
	b = cc_zalloc_obj(*b);
	if (!b)
		return NULL;
	/*
	 * No direct reclaim or compaction: it could run this pool's own
	 * shrinker against blocks that others just freed, and smaller chunks
	 * are the fallback. kswapd and kcompactd are woken for next time.
	 */
	page = alloc_pages((GFP_HIGHUSER | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_DIRECT_RECLAIM,
			   CC_BLOCK_ORDER);
	if (!page) {
		kfree(b);
		return NULL;
	}
	/*
	 * Pieces are handed out on their own: make every page of the block a
	 * page of its own, with its own reference, as importers may take
	 * references on the pages they map.
	 */
	split_page(page, CC_BLOCK_ORDER);
	*err = cc_shared_convert_range(page, CC_BLOCK_PAGES, CC_SHARED_TO_SHARED);
	if (*err) {
		cc_shared_leak_pages(CC_BLOCK_PAGES);
		kfree(b);
		return NULL;
	}
	atomic_long_inc(&cc_shared_stats.blocks[CC_SHARED_TO_SHARED]);
	b->page = page;
	return b;
}

/*
 * Cut a piece of @class from block @b, which is free or on the partial
 * list of @class, with cc_pool.lock held. A block of a class has room for
 * a piece whenever it is not full: its pieces are all of one size, aligned
 * to it.
 */
static struct page *cc_block_cut(struct cc_block *b, unsigned int class)
{
	unsigned long n = 1UL << cc_piece_orders[class], start;

	if (!b->used) {
		list_del_init(&b->node);
		b->class = class;
		if (class != CC_CLASS_BLOCK) {
			list_add(&b->node, &cc_pool.partial[class]);
			cc_pool.slack += CC_BLOCK_PAGES;
		}
	}
	if (class == CC_CLASS_BLOCK) {
		bitmap_fill(b->map, CC_BLOCK_PAGES);
		b->used = CC_BLOCK_PAGES;
		return b->page;
	}
	start = bitmap_find_next_zero_area(b->map, CC_BLOCK_PAGES, 0, n, n - 1);
	bitmap_set(b->map, start, n);
	b->used += n;
	cc_pool.slack -= n;
	if (b->used == CC_BLOCK_PAGES)
		list_del_init(&b->node);
	return b->page + start;
}

/*
 * A piece of @class from the blocks at hand, with cc_pool.lock held: a
 * partial block of the class, else the most recently freed block.
 */
static struct page *cc_pool_cut(unsigned int class)
{
	struct cc_block *b;

	b = list_first_entry_or_null(&cc_pool.partial[class], struct cc_block, node);
	if (!b)
		b = list_first_entry_or_null(&cc_pool.free, struct cc_block, node);
	if (!b)
		return NULL;
	if (!b->used) {
		WRITE_ONCE(cc_pool.nr_free, cc_pool.nr_free - 1);
		cc_pool_account(b, -1);
	}
	return cc_block_cut(b, class);
}

/*
 * Whether a new block may be cut into pieces of @class: whole-block pieces
 * add no slack; small ones only while the slack they add keeps the memory
 * held beyond live buffers within the cap. With cc_pool.lock held.
 */
static bool cc_pool_may_open(unsigned int class)
{
	unsigned long n = 1UL << cc_piece_orders[class];

	if (class == CC_CLASS_BLOCK)
		return true;
	return cc_pool_held() + CC_BLOCK_PAGES - n <= cc_pool_cap_pages();
}

static void cc_pool_insert(struct cc_block *b)
{
	/* The slot was reserved when the block was created. */
	xa_store(&cc_pool.blocks, page_to_pfn(b->page) >> CC_BLOCK_ORDER, b, GFP_NOWAIT);
	INIT_LIST_HEAD(&b->node);
}

/*
 * A chunk of at most 2^*@order pages converted on its own, for when no
 * block can be had or the slack bound is reached; *@order is set to its
 * order. It is a compound page (or order 0) and is made private when
 * freed.
 */
static struct page *cc_shared_fallback(unsigned int *order, int *err)
{
	struct page *page;
	unsigned int o;
	gfp_t gfp;
	int i;

	for (i = 1; i < CC_NR_CLASSES; i++) {
		o = cc_piece_orders[i];
		if (o > *order)
			continue;
		gfp = GFP_HIGHUSER | __GFP_NOWARN | (cc_account ? __GFP_ACCOUNT : 0);
		gfp |= o ? __GFP_COMP | __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
		page = alloc_pages(gfp, o);
		if (!page)
			continue;
		*err = cc_shared_share(page);
		if (*err) {
			cc_shared_leak(page);
			return NULL;
		}
		atomic_long_inc(&cc_shared_stats.fallbacks);
		*order = o;
		return page;
	}
	*err = -ENOMEM;
	return NULL;
}

/* The size class of the largest piece that a request of @nr_pages takes. */
static unsigned int cc_piece_class(unsigned long nr_pages)
{
	unsigned int i;

	for (i = 0; i < CC_NR_CLASSES - 1; i++)
		if (nr_pages >= 1UL << cc_piece_orders[i])
			break;
	return i;
}

/*
 * One piece of the largest class that fits @nr_left pages, shared and
 * zeroed, for a request that still needs @nr_left pages.
 */
static struct page *cc_shared_get_piece(unsigned long nr_left, int *err)
{
	unsigned int class = cc_piece_class(nr_left);
	unsigned int order = cc_piece_orders[class];
	struct cc_block *b = NULL;
	struct page *page;
	bool open = false;
	unsigned long avail;

	*err = 0;
	if (!cc_account) {
		mutex_lock(&cc_pool.lock);
		page = cc_pool_cut(class);
		open = !page && cc_pool_may_open(class);
		mutex_unlock(&cc_pool.lock);
		if (page) {
			atomic_long_inc(&cc_shared_stats.hits);
			goto zero;
		}
	}
	/*
	 * New memory from here on. What the request still needs beyond the
	 * memory available (MemAvailable less a reserve for the rest of the
	 * system, system_heap_avail_pages()) could only be had by driving the
	 * system to its last pages, where every other allocation ends in the
	 * OOM killer: fail before reclaiming for it. Checked on every miss,
	 * against what is still to come, as requests made at the same time
	 * compete for the same memory; a new block takes a whole block
	 * whatever the request still needs.
	 */
	avail = system_heap_avail_pages();
	if (nr_left > avail) {
		*err = -ENOMEM;
		return NULL;
	}
	if (open && CC_BLOCK_PAGES <= avail)
		b = cc_block_new(err);
	if (!b) {
		if (*err)
			return NULL;
		page = cc_shared_fallback(&order, err);
		if (!page)
			return NULL;
		goto zero;
	}
	/* A slot for the new block, so that inserting it cannot fail. */
	if (xa_reserve(&cc_pool.blocks, page_to_pfn(b->page) >> CC_BLOCK_ORDER,
		       GFP_KERNEL)) {
		cc_block_release(b);
		*err = -ENOMEM;
		return NULL;
	}
	/*
	 * Insert the block and cut the piece from it, in one go: a free made
	 * meanwhile may have opened another block, but this one must not sit
	 * in the pool unused, and once the lock is dropped a trim or the
	 * shrinker may take free blocks back.
	 */
	mutex_lock(&cc_pool.lock);
	cc_pool_insert(b);
	page = cc_block_cut(b, class);
	mutex_unlock(&cc_pool.lock);
	atomic_long_inc(&cc_shared_stats.misses);
zero:
	set_page_private(page, order);
	/* The host may have written into it while it was pooled. */
	memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

/**
 * cc_shared_alloc_pages() - Shared, zeroed memory for a buffer.
 * @nr_pages: pages wanted
 * @pieces: list to add the pieces to, linked through page->lru; each
 *	piece is 2^page_private(page) contiguous pages
 *
 * Return: the number of pieces, or a negative errno (nothing is taken).
 */
int cc_shared_alloc_pages(unsigned long nr_pages, struct list_head *pieces)
{
	struct page *page, *tmp;
	int n = 0, err = 0;

	while (nr_pages) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		page = cc_shared_get_piece(nr_pages, &err);
		if (!page)
			break;
		list_add_tail(&page->lru, pieces);
		nr_pages -= 1UL << page_private(page);
		n++;
	}
	if (!nr_pages)
		return n;
	list_for_each_entry_safe(page, tmp, pieces, lru) {
		list_del(&page->lru);
		cc_shared_free_piece(page, 1UL << page_private(page));
	}
	return err;
}

/*
 * Take a block out of use for good, with cc_pool.lock held: it stays in
 * the xarray, so that the frees of its other pieces find it, and its
 * memory stays shared and allocated.
 */
static void cc_block_leak(struct cc_block *b)
{
	if (b->leaked)
		return;
	if (!b->used) {
		WRITE_ONCE(cc_pool.nr_free, cc_pool.nr_free - 1);
		cc_pool_account(b, -1);
	} else if (b->class != CC_CLASS_BLOCK && b->used < CC_BLOCK_PAGES) {
		cc_pool.slack -= CC_BLOCK_PAGES - b->used;
	}
	list_del_init(&b->node);
	b->leaked = true;
	cc_shared_leak_pages(CC_BLOCK_PAGES);
}

/*
 * Give @n pages at @start back to block @b, with cc_pool.lock held. A
 * range that is not wholly in use, or not a piece of the block's class,
 * is a double free or a size mismatch: the block is leaked, since trusting
 * the map could make it private under a live piece's decrypted mappings.
 */
static void cc_block_put(struct cc_block *b, unsigned long start, unsigned long n)
{
	unsigned long piece = 1UL << cc_piece_orders[b->class];

	if (b->leaked) {
		/* Its map is no longer trusted: clear within the block only. */
		if (n <= CC_BLOCK_PAGES - start)
			bitmap_clear(b->map, start, n);
		return;
	}
	if (WARN_ON_ONCE(n != piece || start & (piece - 1) || n > b->used ||
			 find_next_zero_bit(b->map, start + n, start) < start + n)) {
		atomic_long_inc(&cc_shared_stats.bad_frees);
		pr_err("bad free of %lu pages at pfn %#lx: block kept shared, out of use\n",
		       n, page_to_pfn(b->page) + start);
		cc_block_leak(b);
		return;
	}
	bitmap_clear(b->map, start, n);
	if (b->class != CC_CLASS_BLOCK) {
		/* A full block has room again. */
		if (b->used == CC_BLOCK_PAGES)
			list_add(&b->node, &cc_pool.partial[b->class]);
		cc_pool.slack += n;
	}
	b->used -= n;
	if (!b->used) {
		list_move(&b->node, &cc_pool.free);
		if (b->class != CC_CLASS_BLOCK)
			cc_pool.slack -= CC_BLOCK_PAGES;
		WRITE_ONCE(cc_pool.nr_free, cc_pool.nr_free + 1);
		cc_pool_account(b, 1);
	}
}

/* Fault injection: the next so many frees of a piece free it twice. */
static atomic_t cc_free_twice = ATOMIC_INIT(0);

/**
 * cc_shared_free_piece() - Give back a piece from cc_shared_alloc_pages().
 * @page: its first page
 * @nr_pages: its size in pages
 *
 * The pages stay shared in the pool; free blocks beyond the cap are made
 * private and freed.
 */
void cc_shared_free_piece(struct page *page, unsigned long nr_pages)
{
	unsigned long pfn = page_to_pfn(page), off;
	struct cc_block *b;

	set_page_private(page, 0);
	mutex_lock(&cc_pool.lock);
	b = xa_load(&cc_pool.blocks, pfn >> CC_BLOCK_ORDER);
	if (!b) {
		mutex_unlock(&cc_pool.lock);
		/* A fallback chunk: private again, or leaked. */
		if (!cc_shared_unshare(page))
			__free_pages(page, compound_order(page));
		return;
	}
	off = pfn & (CC_BLOCK_PAGES - 1);
	if (!b->leaked && !cc_shared_unreferenced(page, min(nr_pages, CC_BLOCK_PAGES - off))) {
		cc_block_leak(b);
		mutex_unlock(&cc_pool.lock);
		return;
	}
	cc_block_put(b, off, nr_pages);
	if (atomic_add_unless(&cc_free_twice, -1, 0))
		cc_block_put(b, off, nr_pages);
	mutex_unlock(&cc_pool.lock);
	cc_pool_trim();
}

static unsigned long cc_pool_count(struct shrinker *s, struct shrink_control *sc)
{
	/* Only free blocks: slack is in use, and no scan could free it. */
	unsigned long nr = READ_ONCE(cc_pool.nr_free) * CC_BLOCK_PAGES;

	return nr ?: SHRINK_EMPTY;
}

static unsigned long cc_pool_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long blocks = DIV_ROUND_UP(sc->nr_to_scan, CC_BLOCK_PAGES);
	bool failed;

	atomic_long_inc(&cc_shared_stats.shrinker_scans);
	blocks = cc_pool_release(blocks, cc_pool_any, &cc_shared_stats.shrinker_freed, &failed);
	/*
	 * Not credited with mm_account_reclaimed_pages(): one block is 512
	 * times what direct reclaim asks for, so reclaim would stop after a
	 * block per round, and an order-0 __GFP_RETRY_MAYFAIL allocation,
	 * whose retries count only free and LRU pages, then fails while the
	 * pool still holds most of memory.
	 */
	if (failed || !blocks)
		return SHRINK_STOP;
	return blocks * CC_BLOCK_PAGES;
}

static int cc_shared_stats_show(struct seq_file *s, void *unused)
{
	static const char * const dirs[CC_SHARED_NR_DIRS] = { "shared", "private" };
	unsigned long nr_free, slack;
	int d;

	mutex_lock(&cc_pool.lock);
	nr_free = cc_pool.nr_free;
	slack = cc_pool.slack;
	mutex_unlock(&cc_pool.lock);

	seq_printf(s, "buffers %ld\n", atomic_long_read(&cc_shared_stats.buffers));
	seq_printf(s, "shared_bytes %ld\n", atomic_long_read(&cc_shared_stats.shared_bytes));
	for (d = 0; d < CC_SHARED_NR_DIRS; d++)
		seq_printf(s, "to_%s %ld\n", dirs[d],
			   atomic_long_read(&cc_shared_stats.converted[d]));
	for (d = 0; d < CC_SHARED_NR_DIRS; d++)
		seq_printf(s, "failed_to_%s %ld\n", dirs[d],
			   atomic_long_read(&cc_shared_stats.failed[d]));
	seq_printf(s, "leaked_pages %ld\n", atomic_long_read(&cc_shared_stats.leaked_pages));
	seq_printf(s, "pool_bytes %lu\n", nr_free * CC_BLOCK_PAGES * PAGE_SIZE);
	seq_printf(s, "pool_cap_bytes %lu\n", cc_pool_cap_pages() * PAGE_SIZE);
	seq_printf(s, "slack_bytes %lu\n", slack * PAGE_SIZE);
	seq_printf(s, "held_bytes %lu\n", (nr_free * CC_BLOCK_PAGES + slack) * PAGE_SIZE);
	seq_printf(s, "block_bytes %lu\n", CC_BLOCK_PAGES * PAGE_SIZE);
	seq_printf(s, "pool_hits %ld\n", atomic_long_read(&cc_shared_stats.hits));
	seq_printf(s, "pool_misses %ld\n", atomic_long_read(&cc_shared_stats.misses));
	for (d = 0; d < CC_SHARED_NR_DIRS; d++)
		seq_printf(s, "blocks_to_%s %ld\n", dirs[d],
			   atomic_long_read(&cc_shared_stats.blocks[d]));
	seq_printf(s, "fallbacks %ld\n", atomic_long_read(&cc_shared_stats.fallbacks));
	seq_printf(s, "trims %ld\n", atomic_long_read(&cc_shared_stats.trims));
	seq_printf(s, "shrinker_scans %ld\n", atomic_long_read(&cc_shared_stats.shrinker_scans));
	seq_printf(s, "shrinker_freed %ld\n", atomic_long_read(&cc_shared_stats.shrinker_freed));
	seq_printf(s, "bad_frees %ld\n", atomic_long_read(&cc_shared_stats.bad_frees));
	seq_printf(s, "referenced_pages %ld\n",
		   atomic_long_read(&cc_shared_stats.referenced_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cc_shared_stats);

static int cc_free_twice_set(void *data, u64 val)
{
	atomic_set(&cc_free_twice, val > INT_MAX ? INT_MAX : val);
	return 0;
}

static int cc_free_twice_get(void *data, u64 *val)
{
	*val = atomic_read(&cc_free_twice);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(cc_free_twice_fops, cc_free_twice_get, cc_free_twice_set, "%llu\n");

/**
 * cc_shared_init() - Set up the pool's shrinker and the statistics.
 * @account: charge the memory to the allocating task's memcg; there is no
 *	pool then, as a pooled block would stay charged to another task
 *
 * Called once, before the system_cc_shared heap registers.
 */
void cc_shared_init(bool account)
{
	struct dentry *top, *dir;
	struct shrinker *shrinker;
	unsigned int i;

	for (i = 0; i < CC_NR_CLASSES; i++)
		INIT_LIST_HEAD(&cc_pool.partial[i]);
	cc_account = account;
	shrinker = shrinker_alloc(0, "system-cc-shared-pool");
	if (shrinker) {
		shrinker->count_objects = cc_pool_count;
		shrinker->scan_objects = cc_pool_scan;
		shrinker->seeks = DEFAULT_SEEKS;
		shrinker_register(shrinker);
		cc_pool_shrinker = shrinker;
	} else {
		/* The cap in force is 0, whatever pool_max_mb says. */
		pr_warn("no shrinker: pooling is off\n");
	}
	WRITE_ONCE(cc_pool_ready, true);

	/* Another heap may have made the directory; debugfs_lookup() takes a reference. */
	top = debugfs_lookup("dma_heap", NULL);
	if (top) {
		dir = debugfs_create_dir("system_cc_shared", top);
		dput(top);
	} else {
		top = debugfs_create_dir("dma_heap", NULL);
		dir = debugfs_create_dir("system_cc_shared", top);
	}
	debugfs_create_file("stats", 0444, dir, NULL, &cc_shared_stats_fops);
	/* For tests: makes the next frees of a piece bad ones, as a double free would. */
	debugfs_create_file_unsafe("fail_free_twice", 0600, dir, NULL, &cc_free_twice_fops);
	cc_debugfs_dir = dir;
}

/**
 * cc_shared_exit() - Undo cc_shared_init() when the heap did not register.
 *
 * No buffer can have been allocated, so the pool is empty: only the
 * shrinker and the debugfs files go.
 */
void cc_shared_exit(void)
{
	WRITE_ONCE(cc_pool_ready, false);
	shrinker_free(cc_pool_shrinker);
	cc_pool_shrinker = NULL;
	debugfs_remove(cc_debugfs_dir);
	cc_debugfs_dir = NULL;
}
