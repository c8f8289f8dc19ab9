// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the emulated confidential guest. They need a kernel
 * booted with cc_emulation=on and skip otherwise.
 */

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/cc_emulation.h>
#include <linux/cc_platform.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/set_memory.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>

#include <asm/coco.h>
#include <asm/apicdef.h>

#include "emu.h"

#define STAT(field) atomic_long_read(&cc_emu_stats.field)

static int cc_emu_test_init(struct kunit *test)
{
	if (cc_vendor != CC_VENDOR_EMULATED)
		kunit_skip(test, "needs a boot with cc_emulation=on");
	return 0;
}

static void cc_emu_test_exit(struct kunit *test)
{
	WRITE_ONCE(cc_emu_expect_violations, false);
}

static struct page *cc_emu_test_pages(struct kunit *test, unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL, order);

	KUNIT_ASSERT_NOT_NULL(test, page);
	return page;
}

static bool all_bytes(const void *p, size_t len, u8 val)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != val)
			return false;
	return true;
}

/* The platform looks like a confidential guest, and only that. */
static void cc_emu_test_platform(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, cc_platform_has(CC_ATTR_MEM_ENCRYPT));
	KUNIT_EXPECT_TRUE(test, cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT));
	KUNIT_EXPECT_FALSE(test, cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT));
	KUNIT_EXPECT_FALSE(test, cc_platform_has(CC_ATTR_GUEST_STATE_ENCRYPT));
	KUNIT_EXPECT_FALSE(test, cc_platform_has(CC_ATTR_GUEST_SEV_SNP));
	KUNIT_EXPECT_FALSE(test, cc_platform_has(CC_ATTR_GUEST_UNROLL_STRING_IO));
	/*
	 * The default protection is the encrypted one; the decrypted one
	 * differs exactly when the emulation has its bit (pte=tdx|snp).
	 */
	KUNIT_EXPECT_EQ(test, pgprot_val(pgprot_encrypted(PAGE_KERNEL)), pgprot_val(PAGE_KERNEL));
	KUNIT_EXPECT_EQ(test, pgprot_val(pgprot_decrypted(PAGE_KERNEL)) != pgprot_val(PAGE_KERNEL),
			cc_emu_pte_mode() != CC_EMU_PTE_NONE);
}

/* set_memory_decrypted()/encrypted() move a frame between the two states. */
static void cc_emu_test_state(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	unsigned long addr = (unsigned long)page_address(page);
	long shared = STAT(shared_frames);
	long calls = STAT(calls[CC_EMU_TO_SHARED]);
	long pages = STAT(pages[CC_EMU_TO_PRIVATE]);

	KUNIT_EXPECT_FALSE(test, cc_emu_frame_shared(page_to_pfn(page)));
	KUNIT_ASSERT_EQ(test, set_memory_decrypted(addr, 1), 0);
	KUNIT_EXPECT_TRUE(test, cc_emu_frame_shared(page_to_pfn(page)));
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared + 1);
	KUNIT_EXPECT_EQ(test, STAT(calls[CC_EMU_TO_SHARED]), calls + 1);

	KUNIT_ASSERT_EQ(test, set_memory_encrypted(addr, 1), 0);
	KUNIT_EXPECT_FALSE(test, cc_emu_frame_shared(page_to_pfn(page)));
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared);
	KUNIT_EXPECT_EQ(test, STAT(pages[CC_EMU_TO_PRIVATE]), pages + 1);
	__free_page(page);
}

/* Content does not survive a conversion in either direction. */
static void cc_emu_test_poison(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	void *addr = page_address(page);

	memset(addr, 0x11, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, set_memory_decrypted((unsigned long)addr, 1), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(addr, PAGE_SIZE, CC_EMU_POISON_SHARED));
	memset(addr, 0x22, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, set_memory_encrypted((unsigned long)addr, 1), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(addr, PAGE_SIZE, CC_EMU_POISON_PRIVATE));
	__free_page(page);
}

/* A whole 2 MiB block is one aligned conversion; a single page splits. */
static void cc_emu_test_alignment(struct kunit *test)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PMD_SHIFT - PAGE_SHIFT);
	unsigned long addr;
	long aligned, splits;

	if (!page)
		kunit_skip(test, "no free 2 MiB block");
	addr = (unsigned long)page_address(page);
	aligned = STAT(aligned_2m);
	splits = STAT(splits);

	KUNIT_ASSERT_EQ(test, set_memory_decrypted(addr, CC_EMU_PMD_PAGES), 0);
	KUNIT_ASSERT_EQ(test, set_memory_encrypted(addr, CC_EMU_PMD_PAGES), 0);
	KUNIT_EXPECT_EQ(test, STAT(aligned_2m), aligned + 2);
	KUNIT_EXPECT_EQ(test, STAT(splits), splits);

	KUNIT_ASSERT_EQ(test, set_memory_decrypted(addr + PAGE_SIZE, 1), 0);
	KUNIT_ASSERT_EQ(test, set_memory_encrypted(addr + PAGE_SIZE, 1), 0);
	KUNIT_EXPECT_EQ(test, STAT(aligned_2m), aligned + 2);
	KUNIT_EXPECT_EQ(test, STAT(splits), splits + 2);
	__free_pages(page, PMD_SHIFT - PAGE_SHIFT);
}

static s64 cc_emu_test_model(int profile)
{
	return atomic64_read(&cc_emu_stats.modeled_ns[profile]);
}

/*
 * tdx4k is tdx but for a 2 MiB block made private, which is accepted as
 * 512 pages of 4 KiB after one refused 2 MiB accept.
 */
static void cc_emu_test_profile_tdx4k(struct kunit *test)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PMD_SHIFT - PAGE_SHIFT);
	unsigned long addr;
	s64 tdx, tdx4k;

	if (!page)
		kunit_skip(test, "no free 2 MiB block");
	addr = (unsigned long)page_address(page);

	tdx = cc_emu_test_model(CC_EMU_PROFILE_TDX);
	tdx4k = cc_emu_test_model(CC_EMU_PROFILE_TDX4K);
	KUNIT_ASSERT_EQ(test, set_memory_decrypted(addr, CC_EMU_PMD_PAGES), 0);
	KUNIT_EXPECT_EQ(test, cc_emu_test_model(CC_EMU_PROFILE_TDX4K) - tdx4k,
			cc_emu_test_model(CC_EMU_PROFILE_TDX) - tdx);

	tdx = cc_emu_test_model(CC_EMU_PROFILE_TDX);
	tdx4k = cc_emu_test_model(CC_EMU_PROFILE_TDX4K);
	KUNIT_ASSERT_EQ(test, set_memory_encrypted(addr, CC_EMU_PMD_PAGES), 0);
	KUNIT_EXPECT_EQ(test, (cc_emu_test_model(CC_EMU_PROFILE_TDX4K) - tdx4k) -
			(cc_emu_test_model(CC_EMU_PROFILE_TDX) - tdx),
			1000 + 512 * 3500 - 60000);
	__free_pages(page, PMD_SHIFT - PAGE_SHIFT);
}

static int cc_emu_test_fail(unsigned long vaddr, int npages, bool enc)
{
	return -EIO;
}

/* An injected failure converts the first half of the range, no more. */
static void cc_emu_test_partial_failure(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 3);
	unsigned long addr = (unsigned long)page_address(page);
	unsigned long pfn = page_to_pfn(page);
	long failures = STAT(injected_failures);
	long shared = STAT(shared_frames);
	int i;

	kunit_activate_static_stub(test, cc_emu_fault, cc_emu_test_fail);
	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 8, false), -EIO);
	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr + 4 * PAGE_SIZE, 1, false), -EIO);
	kunit_deactivate_static_stub(test, cc_emu_fault);

	KUNIT_EXPECT_EQ(test, STAT(injected_failures), failures + 2);
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared + 4);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ_MSG(test, cc_emu_frame_shared(pfn + i), i < 4, "page %d", i);

	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 4, true), 0);
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared);
	__free_pages(page, 3);
}

/* Sharing a shared frame, or privatising a private one, is counted. */
static void cc_emu_test_redundant(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	unsigned long addr = (unsigned long)page_address(page);
	long share = STAT(redundant[CC_EMU_TO_SHARED]);
	long priv = STAT(redundant[CC_EMU_TO_PRIVATE]);
	long violations = cc_emu_violations();

	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 1, false), 0);
	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 1, false), 0);
	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 1, true), 0);
	KUNIT_EXPECT_EQ(test, cc_emu_convert(addr, 1, true), 0);
	KUNIT_EXPECT_EQ(test, STAT(redundant[CC_EMU_TO_SHARED]), share + 1);
	KUNIT_EXPECT_EQ(test, STAT(redundant[CC_EMU_TO_PRIVATE]), priv + 1);
	KUNIT_EXPECT_EQ(test, cc_emu_violations(), violations);
	KUNIT_EXPECT_FALSE(test, cc_emu_frame_shared(page_to_pfn(page)));
	__free_page(page);
}

/* A DMA_ATTR_CC_SHARED mapping of a private frame is reported. */
static void cc_emu_test_check_cc_shared(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 1);
	unsigned long addr = (unsigned long)page_address(page);
	long v = STAT(violations[CC_EMU_CC_SHARED_PRIVATE]);

	WRITE_ONCE(cc_emu_expect_violations, true);
	KUNIT_ASSERT_EQ(test, cc_emu_convert(addr, 2, false), 0);
	cc_emu_check_cc_shared(page_to_phys(page), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, STAT(violations[CC_EMU_CC_SHARED_PRIVATE]), v);

	/* The second frame goes private: a mapping of both is a violation. */
	KUNIT_ASSERT_EQ(test, cc_emu_convert(addr + PAGE_SIZE, 1, true), 0);
	cc_emu_check_cc_shared(page_to_phys(page) + 100, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, STAT(violations[CC_EMU_CC_SHARED_PRIVATE]), v + 1);

	KUNIT_ASSERT_EQ(test, cc_emu_convert(addr, 1, true), 0);
	__free_pages(page, 1);
}

/* Freeing a shared frame is reported, and the frame is tracked private. */
static void cc_emu_test_check_free(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	long v = STAT(violations[CC_EMU_FREE_SHARED]);
	long shared = STAT(shared_frames);

	WRITE_ONCE(cc_emu_expect_violations, true);
	KUNIT_ASSERT_EQ(test, cc_emu_convert((unsigned long)page_address(page), 1, false), 0);
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared + 1);
	__free_page(page);
	KUNIT_EXPECT_EQ(test, STAT(violations[CC_EMU_FREE_SHARED]), v + 1);
	KUNIT_EXPECT_EQ(test, STAT(shared_frames), shared);
}

static void cc_emu_test_need_pte(struct kunit *test)
{
	if (cc_emu_pte_mode() == CC_EMU_PTE_NONE)
		kunit_skip(test, "needs the emulated encryption bit (pte=tdx or pte=snp)");
}

static bool cc_emu_test_kernel_decrypted(struct kunit *test, const void *addr)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)addr, &level);

	KUNIT_ASSERT_NOT_NULL(test, pte);
	return cc_emu_pte_decrypted(pte_val(*pte));
}

/*
 * The bit lies outside every address mask, so that pfns and physical
 * addresses come out right, and inside _PAGE_CHG_MASK, so that mprotect()
 * keeps it.
 */
static void cc_emu_test_pte_masks(struct kunit *test)
{
	u64 bit = BIT_ULL(CC_EMU_PTE_BIT);
	unsigned long pfn = max_pfn - 1;
	pte_t pte;
	pmd_t pmd;

	cc_emu_test_need_pte(test);
	KUNIT_EXPECT_EQ(test, pgprot_val(pgprot_encrypted(__pgprot(0))) |
			      pgprot_val(pgprot_decrypted(__pgprot(0))), bit);
	KUNIT_EXPECT_EQ(test, (u64)PHYSICAL_PAGE_MASK & bit, 0);
	KUNIT_EXPECT_EQ(test, (u64)PTE_PFN_MASK & bit, 0);
	KUNIT_EXPECT_EQ(test, (u64)_PAGE_CHG_MASK & bit, bit);

	pte = pfn_pte(pfn, pgprot_decrypted(PAGE_KERNEL));
	KUNIT_EXPECT_EQ(test, pte_pfn(pte), pfn);
	KUNIT_EXPECT_TRUE(test, cc_emu_pte_decrypted(pte_val(pte)));
	KUNIT_EXPECT_FALSE(test, cc_emu_pte_decrypted(pte_val(pfn_pte(pfn, PAGE_KERNEL))));
	/* mprotect(): the new protection has the default bit, the entry keeps its own. */
	pte = pte_modify(pte, vm_get_page_prot(VM_READ));
	KUNIT_EXPECT_EQ(test, pte_pfn(pte), pfn);
	KUNIT_EXPECT_TRUE(test, cc_emu_pte_decrypted(pte_val(pte)));
	KUNIT_EXPECT_FALSE(test, pte_write(pte));

	pmd = pfn_pmd(ALIGN_DOWN(pfn, PTRS_PER_PMD), pgprot_decrypted(PAGE_KERNEL_LARGE));
	KUNIT_EXPECT_EQ(test, pmd_pfn(pmd), ALIGN_DOWN(pfn, PTRS_PER_PMD));
	KUNIT_EXPECT_TRUE(test, cc_emu_pte_decrypted(pmd_val(pmd)));
}

/* TDX-like, the default protections lack the bit; SNP-like, they carry it. */
static void cc_emu_test_pte_polarity(struct kunit *test)
{
	u64 bit = BIT_ULL(CC_EMU_PTE_BIT);
	u64 enc;

	cc_emu_test_need_pte(test);
	enc = cc_emu_pte_mode() == CC_EMU_PTE_SNP ? bit : 0;
	KUNIT_EXPECT_EQ(test, pgprot_val(PAGE_KERNEL) & bit, enc);
	KUNIT_EXPECT_EQ(test, pgprot_val(PAGE_KERNEL_LARGE) & bit, enc);
	KUNIT_EXPECT_EQ(test, pgprot_val(vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED)) & bit,
			enc);
	KUNIT_EXPECT_EQ(test, pgprot_val(pgprot_encrypted(PAGE_KERNEL_IO)) & bit, enc);
	KUNIT_EXPECT_EQ(test, pgprot_val(pgprot_decrypted(PAGE_KERNEL)) & bit, enc ^ bit);
}

/* A conversion flips the bit in the direct map, and the page stays usable. */
static void cc_emu_test_pte_direct_map(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	void *va = page_address(page);

	cc_emu_test_need_pte(test);
	KUNIT_EXPECT_FALSE(test, cc_emu_test_kernel_decrypted(test, va));
	KUNIT_ASSERT_EQ(test, set_memory_decrypted((unsigned long)va, 1), 0);
	KUNIT_EXPECT_TRUE(test, cc_emu_test_kernel_decrypted(test, va));
	KUNIT_EXPECT_EQ(test, slow_virt_to_phys(va), page_to_phys(page));
	memset(va, 0x5a, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, all_bytes(va, PAGE_SIZE, 0x5a));
	KUNIT_ASSERT_EQ(test, set_memory_encrypted((unsigned long)va, 1), 0);
	KUNIT_EXPECT_FALSE(test, cc_emu_test_kernel_decrypted(test, va));
	__free_page(page);
}

static struct device *cc_emu_test_dma_dev(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "cc-emu-test-dma");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	return dev;
}

/* swiotlb's pool, shared at boot, is mapped decrypted: a bounce slot is. */
static void cc_emu_test_pte_swiotlb(struct kunit *test)
{
	struct page *page = cc_emu_test_pages(test, 0);
	struct device *dev;
	phys_addr_t slot;
	dma_addr_t dma;

	cc_emu_test_need_pte(test);
	dev = cc_emu_test_dma_dev(test);
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	slot = dma_to_phys(dev, dma);
	KUNIT_EXPECT_NOT_NULL(test, swiotlb_find_pool(dev, slot));
	KUNIT_EXPECT_TRUE(test, cc_emu_frame_shared(PHYS_PFN(slot)));
	KUNIT_EXPECT_TRUE(test, cc_emu_test_kernel_decrypted(test, phys_to_virt(slot)));
	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	__free_page(page);
}

/* ioremap() of MMIO maps it decrypted, as TDX and SNP guests do. */
static void cc_emu_test_pte_ioremap(struct kunit *test)
{
	void __iomem *p;

	cc_emu_test_need_pte(test);
	p = ioremap(IO_APIC_DEFAULT_PHYS_BASE, PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, cc_emu_test_kernel_decrypted(test, (void __force *)p));
	iounmap(p);
}

/*
 * dma_pgprot() (dma_mmap_*(), and the remap of a coherent allocation
 * where an architecture needs one) keeps the bit right; dma_direct_alloc()
 * decrypts the direct map of what it allocates (x86 never remaps it).
 */
static void cc_emu_test_pte_dma(struct kunit *test)
{
	struct device *dev;
	dma_addr_t dma;
	pgprot_t prot;
	void *cpu;

	cc_emu_test_need_pte(test);
	dev = cc_emu_test_dma_dev(test);
#ifdef __DMA_ATTR_ALLOC_CC_SHARED
	/* Since 7.1 the attribute decides; dma_direct_mmap() adds it when forced. */
	prot = dma_pgprot(dev, PAGE_KERNEL, DMA_ATTR_CC_SHARED);
	KUNIT_EXPECT_TRUE(test, cc_emu_pte_decrypted(pgprot_val(prot)));
	prot = dma_pgprot(dev, PAGE_KERNEL, 0);
	KUNIT_EXPECT_FALSE(test, cc_emu_pte_decrypted(pgprot_val(prot)));
#else
	/* Before 7.1 it leaves the bit alone; its callers decrypt when forced. */
	prot = dma_pgprot(dev, PAGE_KERNEL, 0);
	KUNIT_EXPECT_EQ(test, pgprot_val(prot), pgprot_val(PAGE_KERNEL));
#endif
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpu);
	KUNIT_EXPECT_TRUE(test, cc_emu_frame_shared(PHYS_PFN(slow_virt_to_phys(cpu))));
	KUNIT_EXPECT_TRUE(test, cc_emu_test_kernel_decrypted(test, cpu));
	dma_free_coherent(dev, PAGE_SIZE, cpu, dma);
}

/*
 * The audit finds a shared page vmapped encrypted and a private page
 * vmapped decrypted, with the right pfn and address, and nothing else.
 */
static void cc_emu_test_audit(struct kunit *test)
{
	struct cc_emu_audit *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct page *page = cc_emu_test_pages(test, 0);
	unsigned long va = (unsigned long)page_address(page);
	void *map;

	cc_emu_test_need_pte(test);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, cc_emu_audit(a), 0);
	KUNIT_EXPECT_EQ(test, a->bad[0] + a->bad[1], 0);
	KUNIT_EXPECT_GT(test, a->entries[CC_EMU_AREA_DIRECT], 0);
	KUNIT_EXPECT_GT(test, a->shared[CC_EMU_AREA_DIRECT], 0);

	WRITE_ONCE(cc_emu_expect_violations, true);
	KUNIT_ASSERT_EQ(test, set_memory_decrypted(va, 1), 0);
	map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, cc_emu_audit(a), 0);
	KUNIT_EXPECT_EQ(test, a->bad[0], 1);
	KUNIT_EXPECT_EQ(test, a->bad[1], 0);
	KUNIT_EXPECT_EQ(test, a->first[0].pfn, page_to_pfn(page));
	KUNIT_EXPECT_EQ(test, a->first[0].va, (unsigned long)map);
	KUNIT_EXPECT_STREQ(test, a->first[0].owner, "kernel vmalloc");
	vunmap(map);

	map = vmap(&page, 1, VM_MAP, pgprot_decrypted(PAGE_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, cc_emu_audit(a), 0);
	KUNIT_EXPECT_EQ(test, a->bad[0] + a->bad[1], 0);
	KUNIT_EXPECT_GT(test, a->shared[CC_EMU_AREA_VMALLOC], 0);
	vunmap(map);

	KUNIT_ASSERT_EQ(test, set_memory_encrypted(va, 1), 0);
	map = vmap(&page, 1, VM_MAP, pgprot_decrypted(PAGE_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, cc_emu_audit(a), 0);
	KUNIT_EXPECT_EQ(test, a->bad[0], 0);
	KUNIT_EXPECT_EQ(test, a->bad[1], 1);
	KUNIT_EXPECT_EQ(test, a->first[1].pfn, page_to_pfn(page));
	KUNIT_EXPECT_EQ(test, a->first[1].va, (unsigned long)map);
	vunmap(map);
	__free_page(page);
}

static struct kunit_case cc_emu_test_cases[] = {
	KUNIT_CASE(cc_emu_test_platform),
	KUNIT_CASE(cc_emu_test_state),
	KUNIT_CASE(cc_emu_test_poison),
	KUNIT_CASE(cc_emu_test_alignment),
	KUNIT_CASE(cc_emu_test_profile_tdx4k),
	KUNIT_CASE(cc_emu_test_partial_failure),
	KUNIT_CASE(cc_emu_test_redundant),
	KUNIT_CASE(cc_emu_test_check_cc_shared),
	KUNIT_CASE(cc_emu_test_check_free),
	KUNIT_CASE(cc_emu_test_pte_masks),
	KUNIT_CASE(cc_emu_test_pte_polarity),
	KUNIT_CASE(cc_emu_test_pte_direct_map),
	KUNIT_CASE(cc_emu_test_pte_swiotlb),
	KUNIT_CASE(cc_emu_test_pte_ioremap),
	KUNIT_CASE(cc_emu_test_pte_dma),
	KUNIT_CASE(cc_emu_test_audit),
	{}
};

static struct kunit_suite cc_emu_test_suite = {
	.name = "x86-cc-emulation",
	.init = cc_emu_test_init,
	.exit = cc_emu_test_exit,
	.test_cases = cc_emu_test_cases,
};

kunit_test_suite(cc_emu_test_suite);

MODULE_DESCRIPTION("KUnit tests for the emulated confidential guest");
MODULE_LICENSE("GPL");
