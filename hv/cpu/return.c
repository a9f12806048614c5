/*
 * hv/cpu/return.c - the way back to the guest: its first start and every
 * return after an entry.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "cpu/stages.h"

_Noreturn void domain_start(void)
{
    printk("hv: starting guest (%s delivery)\n",
           hv_opts.delivery == HV_DELIVERY_FRED ? "FRED" : "IDT");
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);
    load_guest_cr3();
    resume_guest();
}

/*
 * Every return to the guest comes here: deliver what is pending (Xen's
 * test_all_events), finish the register image (hv_prepare_exit: IF on,
 * IOPL 0, SYSRET semantics), and leave through IRETQ or ERETU.  hv does
 * not vet rip, cs or ss beyond that: as in Xen, the CPU does, and a fault
 * of the exit instruction becomes the guest's fault (traps.c,
 * hv_exit_faulted).  Only what would break hv itself is checked here.
 */
_Noreturn void resume_guest(void)
{
    struct hv_vcpu *v = &dom.vcpu;
    struct hv_outcome out;
    bool was;

    if (dom.resched)                    /* another vCPU's turn? */
        schedule();
    was = v->kernel_mode;
    if (hv_deliver_pending(v, &dom.mem, &out) == HV_CRASH)
        domain_crash("%s", out.reason ? out.reason : "event delivery failed");
    if (out.nmi_dropped)                /* Xen logs the same and goes on */
        printk("hv: d0v%u Unhandled: vec 2, NMI: no nmi callback, dropped\n", dom.cur);
    guest_mode_switched(was);

    struct hv_regs *r = &v->regs;
    /* RPL 3 is what keeps the guest out of ring 0: every path forces it. */
    if ((r->cs & 3) != 3 || (r->ss & 3) != 3 || (r->cs | r->ss) > 0xffff)
        panic("return to the guest with cs %lx ss %lx (not RPL 3)", r->cs, r->ss);
    if (!v->kernel_mode && !dom.user_l4)
        domain_crash("cannot return to guest user mode without a user page table");
    hv_prepare_exit(v, fred_active ? HV_DELIVERY_FRED : HV_DELIVERY_IDT);
    stage_mark(STAGE_EXIT);
    if (fred_active)
        exit_to_guest_eretu(r);
    exit_to_guest_iret(r);
}
