// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated confidential guest, for test kernels only.
 *
 * Booted with cc_emulation=on, an ordinary x86_64 guest reports itself as a
 * confidential guest with encrypted memory. Its encryption bit is one that
 * the MMU ignores, so page tables keep working while pgprot_encrypted() and
 * pgprot_decrypted() really change them, TDX-like (a shared bit) or SNP-like
 * (a C-bit). Everything else that depends on the private/shared state of
 * memory behaves as on SEV-SNP or TDX: swiotlb bounces all DMA through a
 * shared pool, dma-direct decrypts coherent allocations, and heaps of shared
 * memory register.
 *
 * What real hardware hides is made visible instead: the state of every page
 * frame is kept in a bitmap, a conversion overwrites the frame's content,
 * conversions are counted (and can be made slow, or fail), misuse of
 * shared memory is reported, and an audit checks every mapping of RAM
 * against the state of its frames. See Documentation/arch/x86/cc-emulation.rst.
 */

#define pr_fmt(fmt) "cc_emu: " fmt

#include <linux/bitmap.h>
#include <linux/cc_emulation.h>
#include <linux/cc_platform.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/mem_encrypt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/coco.h>
#include <asm/x86_init.h>

#include "emu.h"

DEFINE_STATIC_KEY_FALSE(cc_emu_active);

static bool cc_emu_requested __initdata;
static bool cc_emu_host_mode __ro_after_init;
/* The conversion hook found when the option was parsed (see cc_emu_setup_arch()). */
static int (*cc_emu_prev_prepare)(unsigned long vaddr, int npages, bool enc) __initdata;

/* Settings, from the command line and debugfs. */
static bool cc_emu_poison = true;
static u32 cc_emu_cost_call_us;
static u32 cc_emu_cost_page_ns;
/* The profile whose modelled cost is reported as modeled_ns, and slept if asked. */
static int cc_emu_profile = CC_EMU_PROFILE_SNP;
static bool cc_emu_sleep;

/*
 * Injected conversion failures: the kernel's fault-injection framework,
 * debugfs cc_emu/fail/. should_fail() is called with size 1, so "space"
 * counts calls: space = N lets N - 1 conversions pass and fails the next.
 */
static DECLARE_FAULT_ATTR(cc_emu_fail_attr);
static s32 cc_emu_fail_errno = -EIO;

/* How an injected failure leaves the range: see cc_emu_convert(). */
enum cc_emu_fail_shape {
	CC_EMU_FAIL_PARTIAL,	/* TDX-like: the first half is converted */
	CC_EMU_FAIL_AFTER,	/* SNP-like: all of it is converted */
};

static const char * const cc_emu_fail_shapes[] = {
	[CC_EMU_FAIL_PARTIAL] = "tdx",
	[CC_EMU_FAIL_AFTER] = "snp",
};

static u32 cc_emu_fail_shape = CC_EMU_FAIL_PARTIAL;

static const char * const cc_emu_pte_modes[] = {
	[CC_EMU_PTE_NONE] = "none",
	[CC_EMU_PTE_TDX] = "tdx",
	[CC_EMU_PTE_SNP] = "snp",
};

/* The encryption bit's polarity (cc_emulation=on,pte=); TDX-like by default. */
static u32 cc_emu_pte __ro_after_init = CC_EMU_PTE_TDX;

/*
 * The C-bit that PAGE_KERNEL and user protections carry when the bit is
 * SNP-like, as sme_me_mask is on SEV-SNP (see _ENC in pgtable_types.h and
 * vm_get_page_prot()). sme_me_mask itself stays zero: it also goes into
 * CR3 and into DMA addresses, where no ignored bit exists.
 */
u64 cc_emu_enc_mask __ro_after_init;
EXPORT_SYMBOL(cc_emu_enc_mask);

/* The bit itself, whichever its polarity; zero with pte=none. */
static u64 cc_emu_bit __ro_after_init;

/* Serialises a frame's state change with host_write. */
static DEFINE_SPINLOCK(cc_emu_state_lock);

/* One bit per page frame below cc_emu_nr_pfns: set when the frame is shared. */
static unsigned long *cc_emu_shared_map;
static unsigned long cc_emu_nr_pfns;

/*
 * For the mapping audit, one bit per frame: set when the frame's last
 * conversion failed. The frame's state is then what the emulated host
 * left, which the guest cannot know, and its page-table entries are what
 * they were before (set_memory.c does not change them after a failed
 * conversion): the guest must leak such a frame and never touch it. The
 * audit does not judge mappings of these frames; it counts them.
 */
static unsigned long *cc_emu_failed_map;

VISIBLE_IF_KUNIT struct cc_emu_stats cc_emu_stats;
EXPORT_SYMBOL_IF_KUNIT(cc_emu_stats);

/* Set by the KUnit suite while it provokes violations on purpose. */
VISIBLE_IF_KUNIT bool cc_emu_expect_violations;
EXPORT_SYMBOL_IF_KUNIT(cc_emu_expect_violations);

static const struct {
	const char *key;
	const char *what;
} cc_emu_checks[CC_EMU_NR_VIOLATIONS] = {
	[CC_EMU_CC_SHARED_PRIVATE] = {
		"cc_shared_private", "DMA_ATTR_CC_SHARED mapping covers a private frame" },
	[CC_EMU_FREE_SHARED] = {
		"free_shared", "frame freed to the page allocator while shared" },
	[CC_EMU_UNTRACKED] = {
		"untracked", "conversion of a frame beyond the state map" },
	[CC_EMU_MAPPING_SHARED_ENCRYPTED] = {
		"mapping_shared_encrypted", "shared frame mapped encrypted" },
	[CC_EMU_MAPPING_PRIVATE_DECRYPTED] = {
		"mapping_private_decrypted", "private frame mapped decrypted" },
};

static void cc_emu_violation(enum cc_emu_violation v, unsigned long pfn)
{
	static bool warned[CC_EMU_NR_VIOLATIONS];

	atomic_long_inc(&cc_emu_stats.violations[v]);
	if (READ_ONCE(cc_emu_expect_violations) || READ_ONCE(warned[v]))
		return;
	WRITE_ONCE(warned[v], true);
	WARN(1, "cc_emu: violation: %s (pfn %#lx)\n", cc_emu_checks[v].what, pfn);
}

static unsigned long cc_emu_vaddr_to_pfn(unsigned long vaddr)
{
	if (is_vmalloc_addr((void *)vaddr))
		return vmalloc_to_pfn((void *)vaddr);
	return PHYS_PFN(__pa(vaddr));
}

/**
 * cc_emu_fault() - Fault injection point of the emulated conversion.
 * @vaddr: first page of the range being converted
 * @npages: number of pages in the range
 * @enc: true when converting to private
 *
 * Asks the fault attribute cc_emu/fail (or a KUnit static stub) whether
 * this conversion fails.
 *
 * Return: 0, or the value of cc_emu/fail_errno when the conversion is to
 * fail. That value is normally a negative errno; a test may make it
 * positive, as some architectures' conversion paths return.
 */
VISIBLE_IF_KUNIT int cc_emu_fault(unsigned long vaddr, int npages, bool enc)
{
	KUNIT_STATIC_STUB_REDIRECT(cc_emu_fault, vaddr, npages, enc);
	if (should_fail(&cc_emu_fail_attr, 1))
		return READ_ONCE(cc_emu_fail_errno) ?: -EIO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_fault);

/*
 * The cost model: what a conversion would cost on real hardware, as a
 * deterministic sum of documented parameters (ns). It is a model, made
 * from the structure of the kernel's conversion code and a published
 * figure, not a measurement; see Documentation/arch/x86/cc-emulation.rst.
 */
/* A TDCALL into the TDX module that fails at once (an accept refused). */
#define CC_EMU_TDCALL_NS	1000

static const struct cc_emu_profile cc_emu_profiles[CC_EMU_NR_PROFILES] = {
	[CC_EMU_PROFILE_SNP] = {
		.name = "snp",
		.call_ns = 2000,	/* one VMGEXIT round trip ... */
		.entries_per_call = 64,	/* ... per VMGEXIT_PSC_MAX_ENTRY entries */
		.page_4k_ns = 3400,	/* PSC entry + PVALIDATE + RMPUPDATE, 4 KiB */
		.page_2m_ns = 30000,	/* the same for a 2 MiB entry */
		.page_4k_back_ns = 3400,
		.page_2m_back_ns = 30000,
	},
	[CC_EMU_PROFILE_TDX] = {
		.name = "tdx",
		.call_ns = 4000,	/* MapGPA TDVMCALL */
		.entries_per_call = 0,	/* one call per range */
		.page_4k_ns = 500,	/* the VMM's S-EPT update per 4 KiB page */
		.page_2m_ns = 2000,
		.page_4k_back_ns = 3500,/* TDG.MEM.PAGE.ACCEPT, clears 4 KiB */
		.page_2m_back_ns = 60000,/* ... clears 2 MiB */
	},
	/*
	 * TDX on a host that backs private memory with 4 KiB pages: a 2 MiB
	 * accept fails with a page size mismatch, and the guest accepts the
	 * block as 512 pages of 4 KiB instead.
	 */
	[CC_EMU_PROFILE_TDX4K] = {
		.name = "tdx4k",
		.call_ns = 4000,
		.entries_per_call = 0,
		.page_4k_ns = 500,
		.page_2m_ns = 2000,
		.page_4k_back_ns = 3500,
		.page_2m_back_ns = CC_EMU_TDCALL_NS + CC_EMU_PMD_PAGES * 3500,
	},
};

/* TLB flush of a conversion: local below the ceiling, an IPI to all above. */
#define CC_EMU_FLUSH_CEILING	33	/* tlb_single_page_flush_ceiling */
#define CC_EMU_FLUSH_LOCAL_NS	500
#define CC_EMU_FLUSH_IPI_NS	2000	/* per CPU */
#define CC_EMU_SPLIT_NS		5000	/* a page-table page and 512 entries */

static u64 cc_emu_model(const struct cc_emu_profile *p, unsigned long ops_4k,
			unsigned long ops_2m, int npages, bool enc, bool split)
{
	unsigned long entries = ops_4k + ops_2m;
	u64 ns;

	ns = p->entries_per_call ? DIV_ROUND_UP(entries, p->entries_per_call) * p->call_ns :
				   p->call_ns;
	ns += enc ? ops_4k * p->page_4k_back_ns + ops_2m * p->page_2m_back_ns :
		    ops_4k * p->page_4k_ns + ops_2m * p->page_2m_ns;
	ns += npages > CC_EMU_FLUSH_CEILING ?
	      (u64)CC_EMU_FLUSH_IPI_NS * num_online_cpus() : CC_EMU_FLUSH_LOCAL_NS;
	if (split)
		ns += CC_EMU_SPLIT_NS;
	return ns;
}

/* Count a conversion, and return its modelled cost under the boot's profile. */
static u64 cc_emu_count(unsigned long pfn, int npages, bool enc)
{
	unsigned long end = pfn + npages;
	unsigned long first = ALIGN(pfn, CC_EMU_PMD_PAGES);
	unsigned long last = ALIGN_DOWN(end, CC_EMU_PMD_PAGES);
	unsigned long ops_2m = last > first ? (last - first) / CC_EMU_PMD_PAGES : 0;
	unsigned long ops_4k = npages - ops_2m * CC_EMU_PMD_PAGES;
	int dir = enc ? CC_EMU_TO_PRIVATE : CC_EMU_TO_SHARED;
	bool split;
	u64 ns = 0;
	int p;

	atomic_long_inc(&cc_emu_stats.calls[dir]);
	atomic_long_add(npages, &cc_emu_stats.pages[dir]);
	/*
	 * A direct-map large page covers a 2 MiB-aligned block. A conversion
	 * that starts or ends inside such a block has to split it.
	 */
	split = !IS_ALIGNED(pfn, CC_EMU_PMD_PAGES) || !IS_ALIGNED(end, CC_EMU_PMD_PAGES);
	atomic_long_inc(split ? &cc_emu_stats.splits : &cc_emu_stats.aligned_2m);
	/* Page-state operations: 2 MiB where a whole aligned block is covered. */
	atomic_long_add(ops_4k, &cc_emu_stats.ops_4k);
	atomic_long_add(ops_2m, &cc_emu_stats.ops_2m);
	atomic_long_inc(&cc_emu_stats.tlb_flushes);
	for (p = 0; p < CC_EMU_NR_PROFILES; p++) {
		u64 cost = cc_emu_model(&cc_emu_profiles[p], ops_4k, ops_2m, npages, enc, split);

		atomic64_add(cost, &cc_emu_stats.modeled_ns[p]);
		if (p == cc_emu_profile)
			ns = cost;
	}
	return ns;
}

static void cc_emu_convert_one(unsigned long vaddr, bool enc)
{
	unsigned long pfn = cc_emu_vaddr_to_pfn(vaddr);

	if (pfn >= cc_emu_nr_pfns) {
		cc_emu_violation(CC_EMU_UNTRACKED, pfn);
		return;
	}
	spin_lock(&cc_emu_state_lock);
	/*
	 * Converting a frame to the state it is in is harmless here, but it
	 * is a conversion the caller did not need (or a rollback that did
	 * not know the state): count it.
	 */
	if (enc) {
		if (!test_and_clear_bit(pfn, cc_emu_shared_map))
			atomic_long_inc(&cc_emu_stats.redundant[CC_EMU_TO_PRIVATE]);
		else
			atomic_long_dec(&cc_emu_stats.shared_frames);
	} else {
		if (test_and_set_bit(pfn, cc_emu_shared_map))
			atomic_long_inc(&cc_emu_stats.redundant[CC_EMU_TO_SHARED]);
		else
			atomic_long_inc(&cc_emu_stats.shared_frames);
	}
	/*
	 * A real conversion does not keep the content: a frame made shared
	 * holds whatever the host put there, and a frame made private again
	 * holds whatever acceptance left.
	 */
	if (READ_ONCE(cc_emu_poison))
		memset((void *)vaddr, enc ? CC_EMU_POISON_PRIVATE : CC_EMU_POISON_SHARED,
		       PAGE_SIZE);
	spin_unlock(&cc_emu_state_lock);
}

static void cc_emu_mark_failed(unsigned long vaddr, int npages, int ret)
{
	unsigned long pfn;
	int i;

	for (i = 0; i < npages; i++) {
		pfn = cc_emu_vaddr_to_pfn(vaddr + i * PAGE_SIZE);
		if (pfn >= cc_emu_nr_pfns)
			continue;
		if (ret)
			set_bit(pfn, cc_emu_failed_map);
		else
			clear_bit(pfn, cc_emu_failed_map);
	}
}

/**
 * cc_emu_convert() - Emulate the hypervisor's side of a conversion.
 * @vaddr: kernel virtual address of the first page
 * @npages: number of pages
 * @enc: true to make the range private, false to make it shared
 *
 * Installed as x86_platform.guest.enc_status_change_prepare, so it runs
 * for every conversion in the kernel, before the page tables change.
 *
 * When cc_emu_fault() reports an error, the range is left in one of two
 * shapes (cc_emulation=on,fail=tdx|snp, or cc_emu/fail_shape):
 *
 *  - tdx (the default): the first npages / 2 pages are converted and the
 *    rest are not, as when the VMM stops part way through a MapGPA and
 *    the guest gives up. A single-page conversion fails with nothing
 *    converted.
 *  - snp: every page is converted and the error comes afterwards, as when
 *    the page-state change succeeded but a later step (PVALIDATE, say)
 *    failed.
 *
 * Either way the caller cannot tell which pages changed state.
 *
 * Return: 0, or the error from cc_emu_fault().
 */
VISIBLE_IF_KUNIT int cc_emu_convert(unsigned long vaddr, int npages, bool enc)
{
	u64 delay_ns, model_ns;
	int ret, done, i;

	ret = cc_emu_fault(vaddr, npages, enc);
	done = npages;
	if (ret) {
		atomic_long_inc(&cc_emu_stats.injected_failures);
		if (READ_ONCE(cc_emu_fail_shape) == CC_EMU_FAIL_PARTIAL)
			done = npages / 2;
	}

	model_ns = cc_emu_count(cc_emu_vaddr_to_pfn(vaddr), npages, enc);
	for (i = 0; i < done; i++)
		cc_emu_convert_one(vaddr + i * PAGE_SIZE, enc);
	cc_emu_mark_failed(vaddr, npages, ret);

	delay_ns = (u64)READ_ONCE(cc_emu_cost_call_us) * NSEC_PER_USEC +
		   (u64)READ_ONCE(cc_emu_cost_page_ns) * npages;
	if (READ_ONCE(cc_emu_sleep))
		delay_ns += model_ns;
	if (delay_ns)
		fsleep(DIV_ROUND_UP_ULL(delay_ns, NSEC_PER_USEC));

	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_convert);

/*
 * Conversions under way, for the audit: the page state changes in the
 * prepare hook and the page tables after it, so the two disagree until
 * the finish hook. A conversion whose page-table change fails never
 * reaches the finish hook; it stays counted, and the audit then reports
 * what it sees after its last retry.
 */
static atomic_t cc_emu_in_flight = ATOMIC_INIT(0);
static atomic_long_t cc_emu_convert_seq = ATOMIC_LONG_INIT(0);

static int cc_emu_convert_prepare(unsigned long vaddr, int npages, bool enc)
{
	int ret;

	atomic_inc(&cc_emu_in_flight);
	atomic_long_inc(&cc_emu_convert_seq);
	ret = cc_emu_convert(vaddr, npages, enc);
	if (ret)
		atomic_dec(&cc_emu_in_flight);
	return ret;
}

static int cc_emu_convert_finish(unsigned long vaddr, int npages, bool enc)
{
	atomic_long_inc(&cc_emu_convert_seq);
	atomic_dec(&cc_emu_in_flight);
	return 0;
}

static bool cc_emu_flush_required(bool enc)
{
	return true;
}

static bool cc_emu_cache_flush_required(void)
{
	return true;
}

/**
 * cc_emu_frame_shared() - Is a page frame shared?
 * @pfn: the frame
 *
 * Return: true if @pfn is tracked and shared.
 */
bool cc_emu_frame_shared(unsigned long pfn)
{
	return pfn < cc_emu_nr_pfns && test_bit(pfn, cc_emu_shared_map);
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_frame_shared);

void __cc_emu_check_cc_shared(phys_addr_t phys, size_t size)
{
	unsigned long pfn = PHYS_PFN(phys);
	unsigned long end = PHYS_PFN(phys + size - 1) + 1;

	for (; pfn < end; pfn++) {
		if (!cc_emu_frame_shared(pfn)) {
			cc_emu_violation(CC_EMU_CC_SHARED_PRIVATE, pfn);
			return;
		}
	}
}

void __cc_emu_check_free(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long i;

	for (i = 0; i < (1UL << order); i++) {
		if (!cc_emu_frame_shared(pfn + i))
			continue;
		cc_emu_violation(CC_EMU_FREE_SHARED, pfn + i);
		/*
		 * The frame is about to be reused as private memory; track it
		 * as private from here on so that one bug is reported once.
		 */
		if (test_and_clear_bit(pfn + i, cc_emu_shared_map))
			atomic_long_dec(&cc_emu_stats.shared_frames);
	}
}

static int cc_emu_parse_shape(const char *name, u32 *shape)
{
	int i = sysfs_match_string(cc_emu_fail_shapes, name);

	if (i < 0)
		return i;
	*shape = i;
	return 0;
}

static int cc_emu_parse_pte(const char *name)
{
	int i = match_string(cc_emu_pte_modes, ARRAY_SIZE(cc_emu_pte_modes), name);

	if (i < 0)
		return i;
	cc_emu_pte = i;
	return 0;
}

static int cc_emu_parse_profile(const char *name)
{
	int p;

	for (p = 0; p < CC_EMU_NR_PROFILES; p++) {
		if (!strcmp(name, cc_emu_profiles[p].name)) {
			cc_emu_profile = p;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * cc_emulation=on[,host][,nopoison][,fail=tdx|snp][,profile=snp|tdx|tdx4k][,sleep]
 *		[,cost_call=US][,cost_page=NS][,pte=tdx|snp|none]
 *
 * Only records the request: cc_emu_setup_arch() decides, once the
 * hypervisor platform is known.
 */
static int __init cc_emu_parse(char *arg)
{
	char *opt;
	int ret;

	if (!arg)
		return -EINVAL;
	while ((opt = strsep(&arg, ",")) != NULL) {
		ret = 0;
		if (!strcmp(opt, "on"))
			cc_emu_requested = true;
		else if (!strcmp(opt, "off"))
			cc_emu_requested = false;
		else if (!strcmp(opt, "host"))
			cc_emu_host_mode = true;
		else if (!strcmp(opt, "nopoison"))
			cc_emu_poison = false;
		else if (!strncmp(opt, "fail=", 5))
			ret = cc_emu_parse_shape(opt + 5, &cc_emu_fail_shape);
		else if (!strncmp(opt, "profile=", 8))
			ret = cc_emu_parse_profile(opt + 8);
		else if (!strcmp(opt, "sleep"))
			cc_emu_sleep = true;
		else if (!strncmp(opt, "cost_call=", 10))
			ret = kstrtouint(opt + 10, 0, &cc_emu_cost_call_us);
		else if (!strncmp(opt, "cost_page=", 10))
			ret = kstrtouint(opt + 10, 0, &cc_emu_cost_page_ns);
		else if (!strncmp(opt, "pte=", 4))
			ret = cc_emu_parse_pte(opt + 4);
		else
			ret = -EINVAL;
		if (ret)
			pr_err("ignoring bad option '%s'\n", opt);
	}
	cc_emu_prev_prepare = x86_platform.guest.enc_status_change_prepare;
	return 0;
}
early_param("cc_emulation", cc_emu_parse);

/*
 * Why the emulation must not start here, or NULL. A real confidential
 * guest (SEV, SNP, TDX, a Hyper-V isolated VM) or an SME host has its own
 * conversion hooks and its own idea of cc_platform_has(); replacing them
 * would break the machine and hide nothing.
 */
static const char * __init cc_emu_refusal(void)
{
	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT))
		return "a real confidential guest platform is active";
	if (cc_platform_has(CC_ATTR_MEM_ENCRYPT) || sme_get_me_mask())
		return "memory encryption (SME) is active";
	if (cc_mkenc(0) || cc_mkdec(0))
		return "a confidential computing address mask is set";
	if (x86_platform.guest.enc_status_change_prepare != cc_emu_prev_prepare)
		return "another platform installed conversion hooks";
	return NULL;
}

/*
 * Called from mem_encrypt_setup_arch(): after the hypervisor platform has
 * been set up, before swiotlb and the DMA code look at cc_platform_has(),
 * and once max_pfn is known.
 */
void __init cc_emu_setup_arch(void)
{
	const char *why;

	if (!cc_emu_requested)
		return;
	why = cc_emu_refusal();
	if (why) {
		pr_err("refusing cc_emulation=on: %s\n", why);
		return;
	}
	/*
	 * The bit is in place before init_mem_mapping() builds the direct
	 * map, so that SNP-like, the direct map carries the C-bit from the
	 * start. Mappings made earlier (the kernel image's, the fixmap) do
	 * not.
	 */
	if (cc_emu_pte != CC_EMU_PTE_NONE)
		cc_emu_bit = BIT_ULL(CC_EMU_PTE_BIT);
	cc_set_mask(cc_emu_bit);
	if (cc_emu_pte == CC_EMU_PTE_SNP)
		cc_emu_enc_mask = cc_emu_bit;
	cc_vendor = cc_emu_host_mode ? CC_VENDOR_EMULATED_HOST : CC_VENDOR_EMULATED;
	x86_platform.guest.enc_status_change_prepare = cc_emu_convert_prepare;
	x86_platform.guest.enc_status_change_finish = cc_emu_convert_finish;
	x86_platform.guest.enc_tlb_flush_required = cc_emu_flush_required;
	x86_platform.guest.enc_cache_flush_required = cc_emu_cache_flush_required;
	cc_emu_nr_pfns = max_pfn;
	cc_emu_shared_map = memblock_alloc(BITS_TO_LONGS(max_pfn) * sizeof(long),
					   SMP_CACHE_BYTES);
	cc_emu_failed_map = memblock_alloc(BITS_TO_LONGS(max_pfn) * sizeof(long),
					   SMP_CACHE_BYTES);
	if (!cc_emu_shared_map || !cc_emu_failed_map)
		panic("cc_emu: cannot allocate the page state map\n");
}

/* The free-path check goes live once static keys can be switched. */
static int __init cc_emu_enable_checks(void)
{
	if (cc_emu_shared_map)
		static_branch_enable(&cc_emu_active);
	return 0;
}
early_initcall(cc_emu_enable_checks);

/* The one line printed by mem_encrypt_init() for this platform. */
void __init cc_emu_print_banner(void)
{
	pr_info("Memory Encryption Features active: emulated %s (test only, no protection), pte %s, poison %s, fail %s, profile %s%s, cost %u us/call + %u ns/page\n",
		cc_emu_host_mode ? "host" : "guest", cc_emu_pte_modes[cc_emu_pte],
		cc_emu_poison ? "on" : "off",
		cc_emu_fail_shapes[cc_emu_fail_shape], cc_emu_profiles[cc_emu_profile].name,
		cc_emu_sleep ? " (slept)" : "", cc_emu_cost_call_us, cc_emu_cost_page_ns);
}

long cc_emu_violations(void)
{
	long sum = 0;
	int v;

	for (v = 0; v < CC_EMU_NR_VIOLATIONS; v++)
		sum += atomic_long_read(&cc_emu_stats.violations[v]);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_violations);

static int cc_emu_stats_show(struct seq_file *s, void *unused)
{
	struct cc_emu_stats *st = &cc_emu_stats;
	int v;

	seq_printf(s, "to_shared_calls %ld\n", atomic_long_read(&st->calls[CC_EMU_TO_SHARED]));
	seq_printf(s, "to_shared_pages %ld\n", atomic_long_read(&st->pages[CC_EMU_TO_SHARED]));
	seq_printf(s, "to_private_calls %ld\n", atomic_long_read(&st->calls[CC_EMU_TO_PRIVATE]));
	seq_printf(s, "to_private_pages %ld\n", atomic_long_read(&st->pages[CC_EMU_TO_PRIVATE]));
	seq_printf(s, "aligned_2m %ld\n", atomic_long_read(&cc_emu_stats.aligned_2m));
	seq_printf(s, "splits %ld\n", atomic_long_read(&cc_emu_stats.splits));
	seq_printf(s, "ops_4k %ld\n", atomic_long_read(&cc_emu_stats.ops_4k));
	seq_printf(s, "ops_2m %ld\n", atomic_long_read(&cc_emu_stats.ops_2m));
	seq_printf(s, "tlb_flushes %ld\n", atomic_long_read(&cc_emu_stats.tlb_flushes));
	for (v = 0; v < CC_EMU_NR_PROFILES; v++)
		seq_printf(s, "modeled_ns_%s %lld\n", cc_emu_profiles[v].name,
			   (long long)atomic64_read(&cc_emu_stats.modeled_ns[v]));
	seq_printf(s, "modeled_ns %lld\n",
		   (long long)atomic64_read(&cc_emu_stats.modeled_ns[cc_emu_profile]));
	seq_printf(s, "shared_frames %ld\n", atomic_long_read(&cc_emu_stats.shared_frames));
	seq_printf(s, "injected_failures %ld\n", atomic_long_read(&cc_emu_stats.injected_failures));
	seq_printf(s, "host_writes %ld\n", atomic_long_read(&cc_emu_stats.host_writes));
	seq_printf(s, "redundant_to_shared %ld\n",
		   atomic_long_read(&st->redundant[CC_EMU_TO_SHARED]));
	seq_printf(s, "redundant_to_private %ld\n",
		   atomic_long_read(&st->redundant[CC_EMU_TO_PRIVATE]));
	for (v = 0; v < CC_EMU_NR_VIOLATIONS; v++)
		seq_printf(s, "violation_%s %ld\n", cc_emu_checks[v].key,
			   atomic_long_read(&cc_emu_stats.violations[v]));
	seq_printf(s, "violations %ld\n", cc_emu_violations());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cc_emu_stats);

/* Counters go back to zero; the page state and shared_frames are kept. */
static ssize_t cc_emu_reset_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	int i;

	for (i = 0; i < 2; i++) {
		atomic_long_set(&cc_emu_stats.calls[i], 0);
		atomic_long_set(&cc_emu_stats.pages[i], 0);
		atomic_long_set(&cc_emu_stats.redundant[i], 0);
	}
	atomic_long_set(&cc_emu_stats.aligned_2m, 0);
	atomic_long_set(&cc_emu_stats.splits, 0);
	atomic_long_set(&cc_emu_stats.ops_4k, 0);
	atomic_long_set(&cc_emu_stats.ops_2m, 0);
	atomic_long_set(&cc_emu_stats.tlb_flushes, 0);
	for (i = 0; i < CC_EMU_NR_PROFILES; i++)
		atomic64_set(&cc_emu_stats.modeled_ns[i], 0);
	atomic_long_set(&cc_emu_stats.injected_failures, 0);
	atomic_long_set(&cc_emu_stats.host_writes, 0);
	for (i = 0; i < CC_EMU_NR_VIOLATIONS; i++)
		atomic_long_set(&cc_emu_stats.violations[i], 0);
	return count;
}

static const struct file_operations cc_emu_reset_fops = {
	.write = cc_emu_reset_write,
	.llseek = noop_llseek,
};

/*
 * "query": write "PFN COUNT", then read "shared S private P" for the
 * frames [PFN, PFN + COUNT).
 */
static unsigned long cc_emu_query_pfn, cc_emu_query_count;
static DEFINE_MUTEX(cc_emu_query_lock);

static int cc_emu_query_show(struct seq_file *s, void *unused)
{
	unsigned long pfn, end, i, shared = 0;

	mutex_lock(&cc_emu_query_lock);
	pfn = cc_emu_query_pfn;
	end = min(pfn + cc_emu_query_count, cc_emu_nr_pfns);
	mutex_unlock(&cc_emu_query_lock);
	for (i = pfn; i < end; i++)
		shared += test_bit(i, cc_emu_shared_map);
	seq_printf(s, "shared %lu private %lu\n", shared, end > pfn ? end - pfn - shared : 0);
	return 0;
}

static int cc_emu_query_open(struct inode *inode, struct file *file)
{
	return single_open(file, cc_emu_query_show, NULL);
}

static ssize_t cc_emu_query_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned long pfn, nr;
	char buf[64];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%lu %lu", &pfn, &nr) != 2 || pfn >= cc_emu_nr_pfns ||
	    nr > cc_emu_nr_pfns - pfn)
		return -EINVAL;
	mutex_lock(&cc_emu_query_lock);
	cc_emu_query_pfn = pfn;
	cc_emu_query_count = nr;
	mutex_unlock(&cc_emu_query_lock);
	return count;
}

static const struct file_operations cc_emu_query_fops = {
	.open = cc_emu_query_open,
	.read = seq_read,
	.write = cc_emu_query_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * "host_write": writing 1 fills every frame that is shared at that moment
 * with CC_EMU_HOST_PATTERN, as a host may write into shared memory at any
 * time. Frames that change state meanwhile are skipped or written before
 * the change, never after it (cc_emu_state_lock).
 */
static ssize_t cc_emu_host_write_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	unsigned long pfn;
	bool val;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &val);
	if (ret)
		return ret;
	if (!val)
		return count;
	for_each_set_bit(pfn, cc_emu_shared_map, cc_emu_nr_pfns) {
		spin_lock(&cc_emu_state_lock);
		if (test_bit(pfn, cc_emu_shared_map)) {
			memset(page_address(pfn_to_page(pfn)), CC_EMU_HOST_PATTERN, PAGE_SIZE);
			atomic_long_inc(&cc_emu_stats.host_writes);
		}
		spin_unlock(&cc_emu_state_lock);
		cond_resched();
	}
	return count;
}

static const struct file_operations cc_emu_host_write_fops = {
	.write = cc_emu_host_write_write,
	.llseek = noop_llseek,
};

/**
 * cc_emu_pte_mode() - The polarity of the emulated encryption bit.
 *
 * Return: CC_EMU_PTE_NONE when the emulation is off or has no bit.
 */
enum cc_emu_pte_mode cc_emu_pte_mode(void)
{
	return cc_emu_shared_map && cc_emu_bit ? cc_emu_pte : CC_EMU_PTE_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_pte_mode);

/**
 * cc_emu_pte_decrypted() - Does a page-table entry map its frames shared?
 * @val: the entry's value
 *
 * Return: true if the entry has the bit of a decrypted mapping: the shared
 * bit TDX-like, no C-bit SNP-like.
 */
bool cc_emu_pte_decrypted(u64 val)
{
	return cc_emu_pte == CC_EMU_PTE_SNP ? !(val & cc_emu_bit) : !!(val & cc_emu_bit);
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_pte_decrypted);

/*
 * The mapping audit. Every present leaf entry (4 KiB, 2 MiB or 1 GiB) in
 * the direct map, in vmalloc space and in every process's page tables that
 * maps tracked frames is checked against their state: an encrypted entry
 * must map private frames only, a decrypted one shared frames only. Frames
 * that are not System RAM (MMIO, firmware tables) are not held to either
 * rule: ioremap() maps them decrypted, as on TDX and SNP.
 */
static DEFINE_MUTEX(cc_emu_audit_lock);

static void cc_emu_audit_bad(struct cc_emu_audit *a, enum cc_emu_violation v,
			     unsigned long pfn, unsigned long va)
{
	int k = v - CC_EMU_MAPPING_SHARED_ENCRYPTED;

	if (a->bad[k]++)
		return;
	a->first[k].pfn = pfn;
	a->first[k].va = va;
	strscpy(a->first[k].owner, a->owner, sizeof(a->first[k].owner));
}

static void cc_emu_audit_leaf(struct cc_emu_audit *a, unsigned long va, u64 val,
			      unsigned long pfn, unsigned long nr)
{
	unsigned long end = min(pfn + nr, cc_emu_nr_pfns);
	unsigned long i;

	bool unknown = false;

	if (pfn >= end)
		return;
	a->entries[a->area]++;
	if (!cc_emu_pte_decrypted(val)) {
		i = pfn;
		for_each_set_bit_from(i, cc_emu_shared_map, end) {
			if (test_bit(i, cc_emu_failed_map)) {
				unknown = true;
				continue;
			}
			cc_emu_audit_bad(a, CC_EMU_MAPPING_SHARED_ENCRYPTED, i,
					 va + (i - pfn) * PAGE_SIZE);
			return;
		}
		a->unknown += unknown;
		return;
	}
	for (i = find_next_zero_bit(cc_emu_shared_map, end, pfn); i < end;
	     i = find_next_zero_bit(cc_emu_shared_map, end, i + 1)) {
		if (test_bit(i, cc_emu_failed_map)) {
			unknown = true;
		} else if (page_is_ram(i)) {
			cc_emu_audit_bad(a, CC_EMU_MAPPING_PRIVATE_DECRYPTED, i,
					 va + (i - pfn) * PAGE_SIZE);
			return;
		}
	}
	a->unknown += unknown;
	if (find_next_bit(cc_emu_shared_map, end, pfn) < end)
		a->shared[a->area]++;
}

/*
 * Kernel page tables (init_mm) are walked under pgd_lock, which the
 * change_page_attr code holds while it splits or collapses the direct
 * map, so no table goes away under the walk. User page tables are walked
 * under the mmap lock, their last level under its page-table lock.
 */
static void cc_emu_audit_ptes(struct cc_emu_audit *a, struct mm_struct *mm, pmd_t *pmdp,
			      unsigned long addr, unsigned long end)
{
	spinlock_t *ptl = NULL;
	pte_t *start, *pte;

	if (mm == &init_mm)
		start = pte_offset_kernel(pmdp, addr);
	else
		start = pte_offset_map_lock(mm, pmdp, addr, &ptl);
	if (!start)
		return;
	for (pte = start; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t val = ptep_get(pte);

		if (pte_present(val))
			cc_emu_audit_leaf(a, addr, pte_val(val), pte_pfn(val), 1);
	}
	if (ptl)
		pte_unmap_unlock(start, ptl);
}

static void cc_emu_audit_pmds(struct cc_emu_audit *a, struct mm_struct *mm, pud_t *pudp,
			      unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudp, addr);
	unsigned long next;

	for (; addr < end; pmdp++, addr = next) {
		pmd_t pmd = pmdp_get(pmdp);

		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd) || !pmd_present(pmd))
			continue;
		if (pmd_leaf(pmd))
			cc_emu_audit_leaf(a, addr, pmd_val(pmd),
					  pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT),
					  (next - addr) >> PAGE_SHIFT);
		else
			cc_emu_audit_ptes(a, mm, pmdp, addr, next);
	}
}

static void cc_emu_audit_puds(struct cc_emu_audit *a, struct mm_struct *mm, p4d_t *p4dp,
			      unsigned long addr, unsigned long end)
{
	pud_t *pudp = pud_offset(p4dp, addr);
	unsigned long next;

	for (; addr < end; pudp++, addr = next) {
		pud_t pud = pudp_get(pudp);

		next = pud_addr_end(addr, end);
		if (pud_none(pud) || !pud_present(pud))
			continue;
		if (pud_leaf(pud))
			cc_emu_audit_leaf(a, addr, pud_val(pud),
					  pud_pfn(pud) + ((addr & ~PUD_MASK) >> PAGE_SHIFT),
					  (next - addr) >> PAGE_SHIFT);
		else
			cc_emu_audit_pmds(a, mm, pudp, addr, next);
	}
}

static void cc_emu_audit_range(struct cc_emu_audit *a, struct mm_struct *mm,
			       unsigned long addr, unsigned long end)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	unsigned long next, p4d_next;
	p4d_t *p4dp;

	for (; addr < end; pgdp++, addr = next) {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgdp)))
			continue;
		p4dp = p4d_offset(pgdp, addr);
		for (; addr < next; p4dp++, addr = p4d_next) {
			p4d_next = p4d_addr_end(addr, next);
			if (!p4d_none(p4dp_get(p4dp)))
				cc_emu_audit_puds(a, mm, p4dp, addr, p4d_next);
		}
	}
}

static void cc_emu_audit_kernel(struct cc_emu_audit *a)
{
	spin_lock(&pgd_lock);
	a->area = CC_EMU_AREA_DIRECT;
	strscpy(a->owner, "kernel direct map", sizeof(a->owner));
	cc_emu_audit_range(a, &init_mm, PAGE_OFFSET,
			   (unsigned long)__va(PFN_PHYS(cc_emu_nr_pfns)));
	a->area = CC_EMU_AREA_VMALLOC;
	strscpy(a->owner, "kernel vmalloc", sizeof(a->owner));
	cc_emu_audit_range(a, &init_mm, VMALLOC_START, VMALLOC_END);
	spin_unlock(&pgd_lock);
}

static int cc_emu_audit_mm(struct cc_emu_audit *a, struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);
	struct vm_area_struct *vma;
	char comm[TASK_COMM_LEN];
	int ret;

	if (!mm)
		return 0;
	get_task_comm(comm, task);
	snprintf(a->owner, sizeof(a->owner), "%s[%d]", comm, task_pid_nr(task));
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			cc_emu_audit_range(a, mm, vma->vm_start, vma->vm_end);
			cond_resched();
		}
		mmap_read_unlock(mm);
		a->processes++;
	}
	mmput(mm);
	return ret;
}

static int cc_emu_audit_users(struct cc_emu_audit *a)
{
	struct task_struct *p, **tasks;
	unsigned int n = 0, cap, i;
	int ret = 0;

	rcu_read_lock();
	for_each_process(p)
		n++;
	rcu_read_unlock();
	/* Processes started meanwhile are not walked; they mapped nothing yet. */
	cap = n + 16;
	tasks = kvmalloc_array(cap, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return -ENOMEM;
	n = 0;
	rcu_read_lock();
	for_each_process(p) {
		if (n == cap)
			break;
		if (p->flags & PF_KTHREAD)
			continue;
		get_task_struct(p);
		tasks[n++] = p;
	}
	rcu_read_unlock();
	a->area = CC_EMU_AREA_USER;
	for (i = 0; i < n; i++) {
		if (!ret)
			ret = cc_emu_audit_mm(a, tasks[i]);
		put_task_struct(tasks[i]);
	}
	kvfree(tasks);
	return ret;
}

/* Report each check's first mismatch, unless it is the one reported last. */
static void cc_emu_audit_report(struct cc_emu_audit *a)
{
	static struct {
		unsigned long pfn, va;
	} last[CC_EMU_NR_MAPPING_CHECKS];
	int k;

	for (k = 0; k < CC_EMU_NR_MAPPING_CHECKS; k++) {
		enum cc_emu_violation v = CC_EMU_MAPPING_SHARED_ENCRYPTED + k;

		if (!a->bad[k])
			continue;
		atomic_long_add(a->bad[k], &cc_emu_stats.violations[v]);
		if (READ_ONCE(cc_emu_expect_violations) ||
		    (last[k].pfn == a->first[k].pfn && last[k].va == a->first[k].va))
			continue;
		last[k].pfn = a->first[k].pfn;
		last[k].va = a->first[k].va;
		pr_err("violation: %s (pfn %#lx at %#lx, %s; %lu entries in this audit)\n",
		       cc_emu_checks[v].what, a->first[k].pfn, a->first[k].va,
		       a->first[k].owner, a->bad[k]);
	}
}

/**
 * cc_emu_audit() - Check every mapping of RAM against the page state.
 * @a: the result
 *
 * Walks the direct map, vmalloc space and every process's page tables.
 * A walk that overlapped a conversion is repeated, up to four walks in
 * all. Mismatches are added to the violation counters and reported.
 *
 * Return: 0, -ENODEV without the emulation or its bit, -EINTR if a fatal
 * signal interrupted the walk, -ENOMEM.
 */
int cc_emu_audit(struct cc_emu_audit *a)
{
	long seq;
	int ret;

	if (cc_emu_pte_mode() == CC_EMU_PTE_NONE)
		return -ENODEV;
	mutex_lock(&cc_emu_audit_lock);
	do {
		memset(a, 0, offsetof(struct cc_emu_audit, area));
		a->passes++;
		seq = atomic_long_read(&cc_emu_convert_seq);
		cc_emu_audit_kernel(a);
		ret = cc_emu_audit_users(a);
		if (ret)
			break;
	} while ((a->bad[0] || a->bad[1]) && a->passes < 4 &&
		 (atomic_read(&cc_emu_in_flight) ||
		  atomic_long_read(&cc_emu_convert_seq) != seq));
	if (!ret)
		cc_emu_audit_report(a);
	mutex_unlock(&cc_emu_audit_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(cc_emu_audit);

static int cc_emu_audit_show(struct seq_file *s, void *unused)
{
	static const char * const areas[] = { "direct", "vmalloc", "user" };
	/* One reader's result at a time; too big for the stack. */
	static struct cc_emu_audit result;
	static DEFINE_MUTEX(result_lock);
	struct cc_emu_audit *a = &result;
	int ret, i;

	mutex_lock(&result_lock);
	ret = cc_emu_audit(a);
	if (ret)
		goto out;
	seq_printf(s, "pte %s\n", cc_emu_pte_modes[cc_emu_pte]);
	seq_printf(s, "bit %d\n", CC_EMU_PTE_BIT);
	seq_printf(s, "passes %u\n", a->passes);
	seq_printf(s, "processes %lu\n", a->processes);
	seq_printf(s, "unknown_state %lu\n", a->unknown);
	for (i = 0; i < CC_EMU_NR_AREAS; i++) {
		seq_printf(s, "%s_entries %lu\n", areas[i], a->entries[i]);
		seq_printf(s, "%s_shared %lu\n", areas[i], a->shared[i]);
	}
	for (i = 0; i < CC_EMU_NR_MAPPING_CHECKS; i++)
		seq_printf(s, "violation_%s %lu\n",
			   cc_emu_checks[CC_EMU_MAPPING_SHARED_ENCRYPTED + i].key, a->bad[i]);
	seq_printf(s, "violations %lu\n", a->bad[0] + a->bad[1]);
out:
	mutex_unlock(&result_lock);
	return ret;
}

static int cc_emu_audit_open(struct inode *inode, struct file *file)
{
	return single_open(file, cc_emu_audit_show, NULL);
}

static const struct file_operations cc_emu_audit_fops = {
	.open = cc_emu_audit_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int cc_emu_fail_shape_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "%s\n", cc_emu_fail_shapes[READ_ONCE(cc_emu_fail_shape)]);
	return 0;
}

static int cc_emu_fail_shape_open(struct inode *inode, struct file *file)
{
	return single_open(file, cc_emu_fail_shape_show, NULL);
}

static ssize_t cc_emu_fail_shape_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	char buf[8];
	u32 shape;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = cc_emu_parse_shape(strim(buf), &shape);
	if (ret)
		return ret;
	WRITE_ONCE(cc_emu_fail_shape, shape);
	return count;
}

static const struct file_operations cc_emu_fail_shape_fops = {
	.open = cc_emu_fail_shape_open,
	.read = seq_read,
	.write = cc_emu_fail_shape_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init cc_emu_debugfs_init(void)
{
	struct dentry *dir;

	if (!cc_emu_shared_map)
		return 0;
	dir = debugfs_create_dir("cc_emu", NULL);
	/* One line per injected failure, no stack dump. */
	cc_emu_fail_attr.verbose = 1;
	fault_create_debugfs_attr("fail", dir, &cc_emu_fail_attr);
	debugfs_create_file("fail_shape", 0600, dir, NULL, &cc_emu_fail_shape_fops);
	debugfs_create_u32("fail_errno", 0600, dir, (u32 *)&cc_emu_fail_errno);
	debugfs_create_file("host_write", 0200, dir, NULL, &cc_emu_host_write_fops);
	debugfs_create_file("stats", 0444, dir, NULL, &cc_emu_stats_fops);
	debugfs_create_file("reset", 0200, dir, NULL, &cc_emu_reset_fops);
	debugfs_create_file("query", 0600, dir, NULL, &cc_emu_query_fops);
	debugfs_create_file("audit", 0400, dir, NULL, &cc_emu_audit_fops);
	debugfs_create_bool("poison", 0600, dir, &cc_emu_poison);
	debugfs_create_u32("cost_call_us", 0600, dir, &cc_emu_cost_call_us);
	debugfs_create_u32("cost_page_ns", 0600, dir, &cc_emu_cost_page_ns);
	debugfs_create_bool("sleep", 0600, dir, &cc_emu_sleep);
	return 0;
}
late_initcall(cc_emu_debugfs_init);
