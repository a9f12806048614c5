/*
 * selftests/kernel/nmi.c - the NMI callback.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>

/*
 * VCPUOP_send_nmi to ourselves: Xen makes a virtual NMI pending and
 * delivers it through the nmi callback as the hypercall returns.  (Xen
 * keeps the nmi callback in trap-table slot 2: registering it replaces
 * entry_NMI there, which is why entry_init() registers callbacks last.)
 */
void run_nmi_tests(void)
{
	uint64_t entry = (uint64_t)hypercall_page + __HYPERVISOR_vcpu_op * HYPERCALL_ENTRY_SIZE;
	const struct pt_regs *f = &trap_probe.frame;
	uint64_t sp;
	long rc;

	probe_arm();
	{
		register long a1 asm("rdi") = VCPUOP_send_nmi;
		register long a2 asm("rsi") = this_cpu()->id;	/* ourselves */
		register long a3 asm("rdx") = 0;

		asm volatile("mov %%rsp, %[sp]\n\t"
			     "call *%[fn]"
			     : [sp] "=&r"(sp), "+r"(a1), "+r"(a2), "+r"(a3), "=a"(rc)
			     : [fn] "r"(entry)
			     : "memory", "cc", "r10", "r8");
	}
	probe_disarm();
	tap_eq(rc, 0, "NMI: VCPUOP_send_nmi to ourselves");
	if (!tap_eq(trap_probe.hits, 1, "NMI: delivered once"))
		return;
	tap_eq(f->vector, VEC_NMI_CB, "NMI: through the nmi callback");
	tap_check(f->rip > entry && f->rip < entry + HYPERCALL_ENTRY_SIZE,
		  "NMI: %%rip inside the vcpu_op hypercall entry");
	tap_eq(f->rsp, sp - 8 - 16, "NMI: %%rsp below the call and the entry's pushes");
	tap_eq(regs_cs_sel(f), KERNEL_FRAME_CS, "NMI: %%cs is the kernel's, RPL 0");
	/* Sent with events masked: masking on NMI entry is checked from
	   unmasked in masking.c. */
}
