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
#include <pventry/time.h>
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
	smp_setup_vcpu_info(&cpus[0]);
}

char xen_version_string[32];

static void print_banner(void)
{
	const start_info_t *si = xen_start_info;
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
	xen_extraversion_t extra = "";
	xen_changeset_info_t changeset = "";

	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	HYPERVISOR_xen_version(XENVER_changeset, changeset);
	snprintf(xen_version_string, sizeof(xen_version_string), "%ld.%ld%.*s", ver >> 16,
		 ver & 0xffff, (int)sizeof(extra), extra);
	printk("pventry: PV64 guest kernel on Xen %s, %s\n", xen_version_string,
	       si->flags & SIF_INITDOMAIN ? "dom0" : "domU");
	printk("  changeset: %.*s\n", (int)sizeof(changeset), changeset);
	printk("  start_info %p (%.*s), %lu pages, pt_base %p (%lu frames), mfn_list %p\n",
	       (void *)si, 16, si->magic, si->nr_pages, (void *)si->pt_base,
	       si->nr_pt_frames, (void *)si->mfn_list);
	printk("  command line: \"%s\"\n", (const char *)si->cmd_line);
}

static void run_late_initcalls(void)
{
	extern const initcall_t __initcall_start[], __initcall_end[];
	const initcall_t *c;

	for (c = __initcall_start; c < __initcall_end; c++)
		(*c)();
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
	timer_init();
	smp_init();

	run_late_initcalls();
	kernel_done();
}
