/*
 * hv/tests/unit/test_nmi.c - the virtual NMI: pending, masked, unmasked by
 * iret, dropped, stacked under an event upcall.
 */
#include <string.h>

#include "bounce_fixture.h"

/*
 * The virtual NMI (Xen 4.17: process_nmi in entry.S, do_iret's
 * async_exception_cleanup).
 *
 * The guest stack of the first case, kernel mode, after the NMI:
 *
 *   KRSP & ~15  ->  (old top)
 *                   SS, RSP = KRSP, RFLAGS (IF), CS 0xe030 | mask 0 << 32,
 *   o.frame     ->  RIP = KRIP, R11, RCX                     (7 words)
 *
 * then the guest's iret (its iret_context at the frame's new rsp) returns
 * to KRIP, and the second NMI lands in exactly the same place.
 */
/* Pending, nothing masked, a CALLBACKOP-style entry (IF): delivered. */
static void nmi_delivered(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct frame f;
    uint64_t sp;

    fixture_init(&fx);
    set_trap(&fx.v, 2, 0, true, CB_NMI);
    enter(&fx, false);
    set_regs(&fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: pending and unmasked: delivered");
    OK(o.via == HV_VIA_NMI && o.vector == 2 && !o.has_error_code && !o.nmi_dropped,
       "nmi: through trap_ctxt[2], no error code");
    OK(!fx.v.nmi_pending && fx.v.nmi_masked, "nmi: no longer pending, NMIs masked");
    EQ(o.frame, (KRSP & ~15ull) - 7 * 8, "nmi: 7-word frame on the current kernel stack");
    f = read_frame(&fx, &o, false);
    OK(f.rip == KRIP && f.cs == 0xe030 && f.rsp == KRSP && f.ss == FLAT_KERNEL_SS,
       "nmi: frame holds the interrupted kernel context, CS RPL 0, saved mask 0");
    OK(f.rcx == GUEST_RCX && f.r11 == GUEST_R11 && (f.rflags & EF_IF), "nmi: frame RCX, R11, RFLAGS.IF");
    OK(fx.v.regs.rip == CB_NMI && fx.v.regs.cs == FLAT_KERNEL_CS && fx.v.regs.rsp == o.frame,
       "nmi: the handler runs on the frame");
    EQ(fx.vi.evtchn_upcall_mask, 1, "nmi: the entry's IF flag masked events");

    /* A second one while masked: held, nothing written; events still go. */
    fx.v.nmi_pending = true;
    fx.vi.evtchn_upcall_mask = 0;
    unsigned int writes = fx.fm.writes;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: masked: resume");
    OK(o.via == HV_VIA_NONE && fx.v.nmi_pending && fx.fm.writes == writes && fx.v.regs.rip == CB_NMI,
       "nmi: masked: held pending, nothing delivered or written");

    /* The handler's iret (back to KRIP) unmasks: the held one follows at once. */
    sp = fx.v.regs.rsp + 16;            /* the handler popped RCX, R11 ... */
    sp -= 4 * 8;                        /* ... and the iret entry pushed flags, rcx, r11, rax */
    put_iret(&fx, sp, 0xaa, f.r11, f.rcx, 0, f.rip, f.cs, f.rflags, f.rsp, f.ss);
    fx.v.regs.rsp = sp;
    fx.vi.evtchn_upcall_mask = 1;
    EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_RESUME, "nmi: iret");
    OK(!fx.v.nmi_masked && fx.v.nmi_pending && fx.v.regs.rip == KRIP, "nmi: iret unmasked NMIs, back at KRIP");
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: held NMI delivered after the iret");
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_NMI && fx.v.nmi_masked && !fx.v.nmi_pending, "nmi: second NMI delivered, masked again");
    OK(o.frame == (KRSP & ~15ull) - 7 * 8 && f.rip == KRIP && f.rsp == KRSP && f.rcx == GUEST_RCX &&
       f.r11 == GUEST_R11, "nmi: second frame is the first one again (iret target)");
    EQ(fx.v.regs.rax, 0xaa, "nmi: the iret's rax stays live under the second NMI");
    fixture_free(&fx);
}

/* Any iret unmasks (Xen: async_exception_cleanup in every do_iret). */
static void nmi_any_iret_unmasks(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp;

    fixture_init(&fx);
    fx.v.nmi_masked = true;
    sp = KSTACK_TOP - 0x100;
    fx.v.regs.rsp = sp;
    put_iret(&fx, sp, 0, 0, 0, VGCF_in_syscall, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS);
    hv_do_iret(&fx.v, &fx.m, &o);
    EQ(fx.v.nmi_masked, 0, "nmi: an iret that is not the NMI handler's also unmasks");
    fx.v.nmi_masked = true;
    fx.v.regs.rsp = 0x1000;             /* unreadable iret_context */
    EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_CRASH, "nmi: a bad iret crashes ...");
    EQ(fx.v.nmi_masked, 1, "nmi: ... before anything is unmasked");
    fixture_free(&fx);
}

/* No address in trap_ctxt[2]: Xen drops it (process_nmi clears
 * nmi_pending before it looks), nothing masked, and it stays lost. */
static void nmi_dropped_without_address(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    set_trap(&fx.v, 2, 0, true, 0);
    enter(&fx, false);
    set_regs(&fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: no callback: no crash");
    OK(o.nmi_dropped && o.via == HV_VIA_NONE && !fx.v.nmi_pending && !fx.v.nmi_masked,
       "nmi: no callback: dropped, not masked");
    OK(fx.fm.writes == 0 && fx.v.regs.rip == KRIP && fx.vi.evtchn_upcall_mask == 0,
       "nmi: no callback: guest untouched");
    set_trap(&fx.v, 2, 0, true, CB_NMI);
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: registered later ...");
    OK(o.via == HV_VIA_NONE && !o.nmi_dropped && fx.fm.writes == 0, "nmi: ... the dropped one does not come back");
    /* Dropped, then Xen looks again: a pending event still goes out. */
    set_trap(&fx.v, 2, 0, true, 0);
    fx.v.nmi_pending = true;
    fx.v.event_callback = CB_EVENT;
    fx.vi.evtchn_upcall_pending = 1;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: dropped with an event pending");
    OK(o.nmi_dropped && o.via == HV_VIA_EVENT && fx.v.regs.rip == CB_EVENT, "nmi: ... the event is delivered in the same pass");
    fixture_free(&fx);
}

/* An entry without IF (set_trap_table, vector 2, flags 0): events stay
 * unmasked, so Xen's loop stacks the event upcall on the NMI frame
 * before the NMI handler's first instruction:
 *
 *   N = (KRSP & ~15) - 56:  NMI frame    RIP = KRIP, CS 0xe030, RFLAGS.IF
 *   (N & ~15) - 56:         event frame  RIP = H(2), CS 0xe030, RSP = N
 */
static void nmi_event_stacked_on_nmi(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, false);
    set_regs(&fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    fx.v.event_callback = CB_EVENT;
    fx.vi.evtchn_upcall_pending = 1;
    fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: entry without IF, event pending");
    OK(o.via == HV_VIA_EVENT && fx.v.regs.rip == CB_EVENT && fx.v.nmi_masked && fx.vi.evtchn_upcall_mask == 1,
       "nmi: the event upcall went on top of the NMI");
    EQ(o.frame, (((KRSP & ~15ull) - 7 * 8) & ~15ull) - 7 * 8, "nmi: event frame right below the NMI frame (16-aligned)");
    f = read_frame(&fx, &o, false);
    OK(f.rip == H(2) && f.cs == 0xe030 && f.rsp == (KRSP & ~15ull) - 7 * 8 && (f.rflags & EF_IF),
       "nmi: event frame interrupts the NMI handler's first instruction, events were unmasked");
    o.frame = (KRSP & ~15ull) - 7 * 8;
    f = read_frame(&fx, &o, false);
    OK(f.rip == KRIP && f.rsp == KRSP && (f.cs >> 32) == 0, "nmi: below it the NMI frame, saved mask 0");
    fixture_free(&fx);
}

/* From guest user mode: kernel_sp, mode switch, CS keeps RPL 3. */
static void nmi_from_user(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct frame f;

    fixture_init(&fx);
    set_trap(&fx.v, 2, 0, true, CB_NMI);
    enter(&fx, true);
    set_regs(&fx.v, URIP, FLAT_USER_CS64, 0x202, URSP, FLAT_USER_SS, false);
    fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "nmi: from user mode");
    f = read_frame(&fx, &o, false);
    OK(o.mode_changed && fx.v.kernel_mode && o.frame == SWSTACK_TOP - 7 * 8,
       "nmi: from user mode: to kernel mode, frame on the stack_switch stack");
    OK(f.rip == URIP && f.cs == 0xe033 && f.rsp == URSP && f.ss == FLAT_USER_SS, "nmi: user frame, CS RPL 3");
    fixture_free(&fx);
}

/* A kernel stack it cannot be written to: the domain is crashed. */
static void nmi_unwritable_stack(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    set_trap(&fx.v, 2, 0, true, CB_NMI);
    enter(&fx, false);
    set_regs(&fx.v, KRIP, FLAT_KERNEL_CS, 0x246, 0xffffffff90000000ull, FLAT_KERNEL_SS, true);
    fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_CRASH, "nmi: unwritable stack: crash");
    OK(o.reason != NULL && o.via == HV_VIA_NMI, "nmi: ... with a reason");
    fixture_free(&fx);
}

void test_nmi(void)
{
    nmi_delivered();
    nmi_any_iret_unmasks();
    nmi_dropped_without_address();
    nmi_event_stacked_on_nmi();
    nmi_from_user();
    nmi_unwritable_stack();
}
