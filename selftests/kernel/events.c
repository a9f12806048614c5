/*
 * selftests/kernel/events.c - the event upcall, delivered as a hypercall
 * returns to kernel mode.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>

static volatile unsigned int ipi_hits;
static struct pt_regs ipi_frame;
static uint8_t ipi_mask_in_handler;

static void ipi_handler(evtchn_port_t port, struct pt_regs *regs)
{
	ipi_hits++;
	ipi_frame = *regs;
	ipi_mask_in_handler = this_vcpu()->evtchn_upcall_mask;
}

static void run_event_send_tests(void)
{
	evtchn_port_t port;
	struct evtchn_send send;
	uint64_t entry = (uint64_t)hypercall_page + __HYPERVISOR_event_channel_op * HYPERCALL_ENTRY_SIZE;
	uint64_t sp, fl;
	long rc;

	rc = evtchn_bind_ipi_self(ipi_handler, &port);
	if (!tap_eq(rc, 0, "event: EVTCHNOP_bind_ipi to ourselves"))
		return;
	send.port = port;
	ipi_hits = 0;
	/*
	 * Send with events unmasked: Xen delivers the upcall as the hypercall
	 * returns, so the frame's rip is inside the hypercall page entry and
	 * its rsp is ours minus the call and the entry's two pushes (rcx, r11).
	 */
	this_vcpu()->evtchn_upcall_mask = 0;
	barrier();
	{
		register long a1 asm("rdi") = EVTCHNOP_send;
		register long a2 asm("rsi") = (long)&send;

		asm volatile("pushf\n\t"
			     "pop %[fl]\n\t"
			     "mov %%rsp, %[sp]\n\t"
			     "call *%[fn]"
			     : [sp] "=&r"(sp), [fl] "=&r"(fl), "+r"(a1), "+r"(a2), "=a"(rc)
			     : [fn] "r"(entry)
			     : "memory", "cc", "rdx", "r10", "r8");
	}
	this_vcpu()->evtchn_upcall_mask = 1;
	barrier();
	evtchn_close(port);

	tap_eq(rc, 0, "event: EVTCHNOP_send returned 0");
	if (!tap_eq(ipi_hits, 1, "event: upcall delivered once"))
		return;
	tap_eq(ipi_frame.vector, VEC_EVENT, "event: through the event callback");
	tap_check(ipi_frame.rip > entry && ipi_frame.rip < entry + HYPERCALL_ENTRY_SIZE,
		  "event: %%rip inside the event_channel_op hypercall entry");
	tap_eq(ipi_frame.rsp, sp - 8 - 16, "event: %%rsp below the call and the entry's pushes");
	tap_eq(regs_cs_sel(&ipi_frame), KERNEL_FRAME_CS, "event: %%cs is the kernel's, RPL 0");
	tap_check(ipi_frame.rflags & X86_EFLAGS_IF, "event: frame IF set (events were unmasked)");
	tap_eq(regs_saved_mask(&ipi_frame), 0, "event: saved event mask 0");
	tap_eq(ipi_mask_in_handler, 1, "event: events masked in the handler");
}

/*
 * Events reach the guest only on the hypervisor's way back to it: an
 * event made pending while masked stays pending when the guest clears the
 * mask, until the next hypercall (any one) returns.
 */
static void check_delivery_on_the_way_out(void)
{
	uint64_t entry = (uint64_t)hypercall_page + __HYPERVISOR_xen_version * HYPERCALL_ENTRY_SIZE;
	evtchn_port_t port;
	struct evtchn_send send;
	unsigned int i, hits_unmasked;
	long rc;

	if (!tap_eq(evtchn_bind_ipi_self(ipi_handler, &port), 0, "pending event: bind an IPI"))
		return;
	send.port = port;
	ipi_hits = 0;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);	/* masked: stays pending */
	tap_check(rc == 0 && ipi_hits == 0 && this_vcpu()->evtchn_upcall_pending,
		  "pending event: sent while masked, pending, no upcall");
	this_vcpu()->evtchn_upcall_mask = 0;
	barrier();
	/* A few instructions, no hypercall.  (An interrupt Xen took right
	   here would deliver it on its way back: the window is kept short.) */
	for (i = 0; i < 16; i++)
		asm volatile("nop" ::: "memory");
	hits_unmasked = ipi_hits;
	{
		register long a1 asm("rdi") = XENVER_version;
		register long a2 asm("rsi") = 0;

		asm volatile("call *%[fn]"
			     : "+r"(a1), "+r"(a2), "=a"(rc)
			     : [fn] "r"(entry)
			     : "memory", "cc", "rdx", "r10", "r8", "rcx", "r11");
	}
	this_vcpu()->evtchn_upcall_mask = 1;
	barrier();
	evtchn_close(port);
	tap_eq(hits_unmasked, 0, "pending event: clearing the mask alone delivers nothing");
	if (!tap_eq(ipi_hits, 1, "pending event: the next hypercall (xen_version) delivers it"))
		return;
	tap_check(ipi_frame.rip > entry && ipi_frame.rip < entry + HYPERCALL_ENTRY_SIZE,
		  "pending event: %%rip inside the xen_version hypercall entry");
}

void run_event_tests(void)
{
	run_event_send_tests();
	check_delivery_on_the_way_out();
}
