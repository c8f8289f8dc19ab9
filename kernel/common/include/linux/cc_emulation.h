/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks of the emulated confidential guest (CONFIG_X86_CC_EMULATION) in
 * generic code. They compile away when the emulation is not built, and
 * cost one static branch when it is built but not booted.
 */
#ifndef _LINUX_CC_EMULATION_H
#define _LINUX_CC_EMULATION_H

#include <linux/jump_label.h>
#include <linux/types.h>

struct page;

#ifdef CONFIG_X86_CC_EMULATION
DECLARE_STATIC_KEY_FALSE(cc_emu_active);
void __cc_emu_check_cc_shared(phys_addr_t phys, size_t size);
void __cc_emu_check_free(struct page *page, unsigned int order);

/* A DMA_ATTR_CC_SHARED mapping must cover shared frames only. */
static inline void cc_emu_check_cc_shared(phys_addr_t phys, size_t size)
{
	if (static_branch_unlikely(&cc_emu_active))
		__cc_emu_check_cc_shared(phys, size);
}

/* A frame must be private again before it goes back to the allocator. */
static inline void cc_emu_check_free(struct page *page, unsigned int order)
{
	if (static_branch_unlikely(&cc_emu_active))
		__cc_emu_check_free(page, order);
}
#else
static inline void cc_emu_check_cc_shared(phys_addr_t phys, size_t size) { }
static inline void cc_emu_check_free(struct page *page, unsigned int order) { }
#endif

#endif /* _LINUX_CC_EMULATION_H */
