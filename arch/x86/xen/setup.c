/*
 * arch/x86/xen/setup.c - start of day.
 *
 * head.S calls start_kernel() on our own stack with events masked.  Order
 * matters: the shared-info page first (vcpu_info holds CR2 and the event
 * mask that the entry code reads), then every entry point, and only then
 * anything that could fault.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <pventry/selftest.h>
#include <pventry/xenstore.h>

start_info_t *xen_start_info;
shared_info_t *shared_info;
static char shared_info_page[PAGE_SIZE] __aligned(PAGE_SIZE)
	__attribute__((section(".bss.page_aligned")));

long remap_page(void *va, unsigned long mfn, unsigned long flags)
{
	return HYPERVISOR_update_va_mapping((unsigned long)va,
					    ((uint64_t)mfn << PAGE_SHIFT) | flags |
					    _PAGE_ACCESSED | _PAGE_DIRTY,
					    UVMF_INVLPG | UVMF_LOCAL);
}

/* start_info->shared_info is a machine address: map it over a page of ours. */
static void setup_shared_info(void)
{
	HYPERCALL_OR_PANIC(remap_page(shared_info_page,
				      xen_start_info->shared_info >> PAGE_SHIFT,
				      _PAGE_PRESENT | _PAGE_RW));
	shared_info = (shared_info_t *)shared_info_page;
}

static void print_banner(void)
{
	const start_info_t *si = xen_start_info;
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
	xen_extraversion_t extra = "";

	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	printk("pventry: PV64 guest kernel on Xen %ld.%ld%s, %s\n", ver >> 16,
	       ver & 0xffff, extra, si->flags & SIF_INITDOMAIN ? "dom0" : "domU");
	printk("  start_info %p (%.*s), %lu pages, pt_base %p (%lu frames), mfn_list %p\n",
	       (void *)si, 16, si->magic, si->nr_pages, (void *)si->pt_base,
	       si->nr_pt_frames, (void *)si->mfn_list);
	printk("  command line: \"%s\"\n", (const char *)si->cmd_line);
}

void start_kernel(start_info_t *si)
{
	xen_start_info = si;
	/* Not a PV64 start_info: there is nobody to tell. */
	if (strncmp(si->magic, "xen-3.0-x86_64", 14) != 0)
		xen_shutdown(SHUTDOWN_crash);

	setup_shared_info();
	entry_init();
	sort_exception_table();

	console_init();
	cmdline_init((const char *)si->cmd_line);
	print_banner();
	print_entry_table();
	mm_init();
	events_init();

#ifdef CONFIG_SELFTESTS
	run_selftests();
	/* For the runner's own test: what an unexpected kernel fault reports. */
	if (cmdline_has("selftest_panic"))
		(void)*(volatile unsigned long *)0x2000;
#endif
	kernel_done();
}
