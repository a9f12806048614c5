/*
 * arch/x86/xen/mm.c - the kernel's memory: where free pages come from.
 *
 * Xen's domain builder maps, from KERNEL_BASE up: the image, the p2m list
 * (start_info->mfn_list), start_info, the initial page tables (pt_base,
 * nr_pt_frames; mapped read-only), a one-page boot stack, and then at least
 * 512 KiB of slack, all in pseudo-physical order.  We run on our own stack,
 * so pages are handed out from the slack, which is mapped read-write.
 */
#include <pventry/mm.h>
#include <pventry/hypercall.h>

/* Xen promises at least this much mapped memory after the boot stack. */
#define BOOT_SLACK_PAGES ((512 * 1024) / PAGE_SIZE)

static unsigned long next_pfn, end_pfn;

void mm_init(void)
{
	const start_info_t *si = xen_start_info;
	unsigned long pt_end = virt_to_pfn((void *)si->pt_base) + si->nr_pt_frames;

	next_pfn = pt_end + 1;		/* skip the builder's boot stack */
	end_pfn = next_pfn + BOOT_SLACK_PAGES;
	if (end_pfn > si->nr_pages)
		end_pfn = si->nr_pages;
	printk("mm: %lu free pages at pfn %#lx-%#lx\n", end_pfn - next_pfn, next_pfn, end_pfn - 1);
}

void *alloc_page(void)
{
	void *p;

	if (next_pfn >= end_pfn)
		panic("alloc_page: out of memory (%lu pages used)", (unsigned long)BOOT_SLACK_PAGES);
	p = pfn_to_virt(next_pfn++);
	memset(p, 0, PAGE_SIZE);
	return p;
}
