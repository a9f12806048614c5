/*
 * include/pventry/mm.h - pages, frames and page-table entries.
 *
 * A PV guest sees three kinds of page number: its virtual addresses, its
 * pseudo-physical frames (pfn, 0 .. nr_pages - 1, the kernel image starting
 * at pfn 0) and the machine frames Xen really gave it (mfn), which are what
 * page-table entries hold.  start_info->mfn_list is the p2m: pfn -> mfn.
 */
#ifndef PVENTRY_MM_H
#define PVENTRY_MM_H

#include <pventry/arch.h>

#define KERNEL_BASE 0xffffffff80000000UL

/* Architectural page-table entry bits. */
#define _PAGE_PRESENT	0x001UL
#define _PAGE_RW	0x002UL
#define _PAGE_USER	0x004UL
#define _PAGE_ACCESSED	0x020UL
#define _PAGE_DIRTY	0x040UL
#define _PAGE_NX	(1UL << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000UL

static inline unsigned long virt_to_pfn(const void *va)
{
	return ((unsigned long)va - KERNEL_BASE) >> PAGE_SHIFT;
}

static inline void *pfn_to_virt(unsigned long pfn)
{
	return (void *)(KERNEL_BASE + (pfn << PAGE_SHIFT));
}

static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
	return ((const unsigned long *)xen_start_info->mfn_list)[pfn];
}

static inline unsigned long virt_to_mfn(const void *va)
{
	return pfn_to_mfn(virt_to_pfn(va));
}

/* Point the PTE that maps `va' (inside the initial mapping) at machine frame
   `mfn' with `flags'.  Returns the hypercall's result. */
long remap_page(void *va, unsigned long mfn, unsigned long flags);

/* arch/x86/xen/mm.c */
void mm_init(void);
void *alloc_page(void);		/* zeroed, kernel-mapped, writable */
void user_mm_init(void);	/* build and install the user page table */
extern char *user_image_kva, *user_stack_kva;

#endif
