/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulated confidential guest: internals shared with its KUnit suite.
 */
#ifndef _X86_COCO_EMU_H
#define _X86_COCO_EMU_H

#include <linux/atomic.h>
#include <linux/types.h>

/* Frame content after a conversion (see cc_emu_convert_one()). */
#define CC_EMU_POISON_SHARED	0xc5
#define CC_EMU_POISON_PRIVATE	0x3a
/* What host_write puts into shared frames. */
#define CC_EMU_HOST_PATTERN	0x68

/* Pages in one 2 MiB direct-map large page. */
#define CC_EMU_PMD_PAGES	(PMD_SIZE / PAGE_SIZE)

enum cc_emu_dir {
	CC_EMU_TO_SHARED,
	CC_EMU_TO_PRIVATE,
};

enum cc_emu_profile_id {
	CC_EMU_PROFILE_SNP,
	CC_EMU_PROFILE_TDX,
	CC_EMU_PROFILE_TDX4K,
	CC_EMU_NR_PROFILES,
};

/* Modelled cost of conversions on a platform, in ns (see cc_emu_count()). */
struct cc_emu_profile {
	const char *name;
	u32 call_ns;		/* per hypercall */
	u32 entries_per_call;	/* page entries one hypercall takes, 0: all */
	u32 page_4k_ns;		/* per 4 KiB page made shared */
	u32 page_2m_ns;		/* per 2 MiB block made shared */
	u32 page_4k_back_ns;	/* per 4 KiB page made private */
	u32 page_2m_back_ns;	/* per 2 MiB block made private */
};

enum cc_emu_violation {
	CC_EMU_CC_SHARED_PRIVATE,
	CC_EMU_FREE_SHARED,
	CC_EMU_UNTRACKED,
	CC_EMU_MAPPING_SHARED_ENCRYPTED,
	CC_EMU_MAPPING_PRIVATE_DECRYPTED,
	CC_EMU_NR_VIOLATIONS,
};

/* The emulated encryption bit in page-table entries (cc_emulation=on,pte=). */
enum cc_emu_pte_mode {
	CC_EMU_PTE_NONE,	/* no bit: pgprot_{en,de}crypted() change nothing */
	CC_EMU_PTE_TDX,		/* a shared bit, set on shared mappings */
	CC_EMU_PTE_SNP,		/* a C-bit, set on private mappings */
};

/*
 * The bit: 52, the lowest of the bits that the MMU ignores in every
 * paging entry (52-58; Linux's software bits start at 57, and protection
 * keys use 59-62). It lies above every physical address bit.
 */
#define CC_EMU_PTE_BIT		52

/* Where the audit found a leaf entry (see cc_emu_audit()). */
enum cc_emu_area {
	CC_EMU_AREA_DIRECT,	/* the kernel's direct map */
	CC_EMU_AREA_VMALLOC,	/* vmalloc space: vmap(), vmalloc(), ioremap() */
	CC_EMU_AREA_USER,	/* user page tables, every process */
	CC_EMU_NR_AREAS,
};

/* The two mapping checks, the last entries of enum cc_emu_violation. */
#define CC_EMU_NR_MAPPING_CHECKS	2

/* The result of one pass of the audit. */
struct cc_emu_audit {
	unsigned long entries[CC_EMU_NR_AREAS];	/* leaf entries of tracked frames */
	unsigned long shared[CC_EMU_NR_AREAS];	/* ... that map shared frames */
	unsigned long bad[CC_EMU_NR_MAPPING_CHECKS];
	unsigned long processes;	/* user address spaces walked */
	unsigned long unknown;		/* entries of frames whose conversion failed */
	unsigned int passes;		/* walks it took to see no conversion */
	struct {
		unsigned long pfn;
		unsigned long va;
		char owner[32];
	} first[CC_EMU_NR_MAPPING_CHECKS];	/* the first mismatch of each check */
	/* While walking: where, and whose. */
	enum cc_emu_area area;
	char owner[32];
};

struct cc_emu_stats {
	atomic_long_t calls[2];		/* indexed by enum cc_emu_dir */
	atomic_long_t pages[2];
	atomic_long_t aligned_2m;	/* calls covering whole 2 MiB blocks */
	atomic_long_t splits;		/* calls that would split a large page */
	atomic_long_t ops_4k;		/* page-state operations at 4 KiB */
	atomic_long_t ops_2m;		/* page-state operations at 2 MiB */
	atomic_long_t tlb_flushes;	/* one per call */
	atomic64_t modeled_ns[CC_EMU_NR_PROFILES];
	atomic_long_t shared_frames;	/* frames shared now */
	atomic_long_t injected_failures;
	atomic_long_t host_writes;	/* frames written by host_write */
	atomic_long_t redundant[2];	/* frames already in the target state */
	atomic_long_t violations[CC_EMU_NR_VIOLATIONS];
};

#if IS_ENABLED(CONFIG_KUNIT)
extern struct cc_emu_stats cc_emu_stats;
extern bool cc_emu_expect_violations;
int cc_emu_fault(unsigned long vaddr, int npages, bool enc);
int cc_emu_convert(unsigned long vaddr, int npages, bool enc);
#endif
enum cc_emu_pte_mode cc_emu_pte_mode(void);
bool cc_emu_pte_decrypted(u64 val);
int cc_emu_audit(struct cc_emu_audit *a);
bool cc_emu_frame_shared(unsigned long pfn);
long cc_emu_violations(void);

#endif /* _X86_COCO_EMU_H */
