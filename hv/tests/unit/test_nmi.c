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
    struct scenario s;
    uint64_t sp;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 2, 0, true, CB_NMI);
    enter(&s.fx, false);
    set_regs(&s.fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    s.fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: pending and unmasked: delivered");
    OK(s.o.via == HV_VIA_NMI && s.o.vector == 2 && !s.o.has_error_code && !s.o.nmi_dropped,
       "nmi: through trap_ctxt[2], no error code");
    OK(!s.fx.v.nmi_pending && s.fx.v.nmi_masked, "nmi: no longer pending, NMIs masked");
    EQ(s.o.frame, (KRSP & ~15ull) - 7 * 8, "nmi: 7-word frame on the current kernel stack");
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.f.rip == KRIP && s.f.cs == 0xe030 && s.f.rsp == KRSP && s.f.ss == FLAT_KERNEL_SS,
       "nmi: frame holds the interrupted kernel context, CS RPL 0, saved mask 0");
    OK(s.f.rcx == GUEST_RCX && s.f.r11 == GUEST_R11 && (s.f.rflags & X86_EFLAGS_IF), "nmi: frame RCX, R11, RFLAGS.IF");
    OK(s.fx.v.regs.rip == CB_NMI && s.fx.v.regs.cs == FLAT_KERNEL_CS && s.fx.v.regs.rsp == s.o.frame,
       "nmi: the handler runs on the frame");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "nmi: the entry's IF flag masked events");

    /* A second one while masked: held, nothing written; events still go. */
    s.fx.v.nmi_pending = true;
    s.fx.vi.evtchn_upcall_mask = 0;
    unsigned int writes = s.fx.fm.writes;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: masked: resume");
    OK(s.o.via == HV_VIA_NONE && s.fx.v.nmi_pending && s.fx.fm.writes == writes && s.fx.v.regs.rip == CB_NMI,
       "nmi: masked: held pending, nothing delivered or written");

    /* The handler's iret (back to KRIP) unmasks: the held one follows at once. */
    sp = s.fx.v.regs.rsp + 16;            /* the handler popped RCX, R11 ... */
    sp -= 4 * 8;                        /* ... and the iret entry pushed flags, rcx, r11, rax */
    put_iret(&s.fx, sp, 0xaa, s.f.r11, s.f.rcx, 0, s.f.rip, s.f.cs, s.f.rflags, s.f.rsp, s.f.ss);
    s.fx.v.regs.rsp = sp;
    s.fx.vi.evtchn_upcall_mask = 1;
    EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: iret");
    OK(!s.fx.v.nmi_masked && s.fx.v.nmi_pending && s.fx.v.regs.rip == KRIP, "nmi: iret unmasked NMIs, back at KRIP");
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: held NMI delivered after the iret");
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.via == HV_VIA_NMI && s.fx.v.nmi_masked && !s.fx.v.nmi_pending, "nmi: second NMI delivered, masked again");
    OK(s.o.frame == (KRSP & ~15ull) - 7 * 8 && s.f.rip == KRIP && s.f.rsp == KRSP && s.f.rcx == GUEST_RCX &&
       s.f.r11 == GUEST_R11, "nmi: second frame is the first one again (iret target)");
    EQ(s.fx.v.regs.rax, 0xaa, "nmi: the iret's rax stays live under the second NMI");
    fixture_free(&s.fx);
}

/* Any iret unmasks (Xen: async_exception_cleanup in every do_iret). */
static void nmi_any_iret_unmasks(void)
{
    struct scenario s;
    uint64_t sp;

    fixture_init(&s.fx);
    s.fx.v.nmi_masked = true;
    sp = KSTACK_TOP - 0x100;
    s.fx.v.regs.rsp = sp;
    put_iret(&s.fx, sp, 0, 0, 0, VGCF_in_syscall, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS);
    hv_do_iret(&s.fx.v, &s.fx.m, &s.o);
    EQ(s.fx.v.nmi_masked, 0, "nmi: an iret that is not the NMI handler's also unmasks");
    s.fx.v.nmi_masked = true;
    s.fx.v.regs.rsp = 0x1000;             /* unreadable iret_context */
    EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_CRASH, "nmi: a bad iret crashes ...");
    EQ(s.fx.v.nmi_masked, 1, "nmi: ... before anything is unmasked");
    fixture_free(&s.fx);
}

/* No address in trap_ctxt[2]: Xen drops it (process_nmi clears
 * nmi_pending before it looks), nothing masked, and it stays lost. */
static void nmi_dropped_without_address(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 2, 0, true, 0);
    enter(&s.fx, false);
    set_regs(&s.fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    s.fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: no callback: no crash");
    OK(s.o.nmi_dropped && s.o.via == HV_VIA_NONE && !s.fx.v.nmi_pending && !s.fx.v.nmi_masked,
       "nmi: no callback: dropped, not masked");
    OK(s.fx.fm.writes == 0 && s.fx.v.regs.rip == KRIP && s.fx.vi.evtchn_upcall_mask == 0,
       "nmi: no callback: guest untouched");
    set_trap(&s.fx.v, 2, 0, true, CB_NMI);
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: registered later ...");
    OK(s.o.via == HV_VIA_NONE && !s.o.nmi_dropped && s.fx.fm.writes == 0, "nmi: ... the dropped one does not come back");
    /* Dropped, then Xen looks again: a pending event still goes out. */
    set_trap(&s.fx.v, 2, 0, true, 0);
    s.fx.v.nmi_pending = true;
    s.fx.v.event_callback = CB_EVENT;
    s.fx.vi.evtchn_upcall_pending = 1;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: dropped with an event pending");
    OK(s.o.nmi_dropped && s.o.via == HV_VIA_EVENT && s.fx.v.regs.rip == CB_EVENT, "nmi: ... the event is delivered in the same pass");
    fixture_free(&s.fx);
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
    struct scenario s;

    begin(&s, false);
    set_regs(&s.fx.v, KRIP, FLAT_KERNEL_CS, 0x246, KRSP, FLAT_KERNEL_SS, true);
    s.fx.v.event_callback = CB_EVENT;
    s.fx.vi.evtchn_upcall_pending = 1;
    s.fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: entry without IF, event pending");
    OK(s.o.via == HV_VIA_EVENT && s.fx.v.regs.rip == CB_EVENT && s.fx.v.nmi_masked && s.fx.vi.evtchn_upcall_mask == 1,
       "nmi: the event upcall went on top of the NMI");
    EQ(s.o.frame, (((KRSP & ~15ull) - 7 * 8) & ~15ull) - 7 * 8, "nmi: event frame right below the NMI frame (16-aligned)");
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.f.rip == H(2) && s.f.cs == 0xe030 && s.f.rsp == (KRSP & ~15ull) - 7 * 8 && (s.f.rflags & X86_EFLAGS_IF),
       "nmi: event frame interrupts the NMI handler's first instruction, events were unmasked");
    s.o.frame = (KRSP & ~15ull) - 7 * 8;
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.f.rip == KRIP && s.f.rsp == KRSP && (s.f.cs >> 32) == 0, "nmi: below it the NMI frame, saved mask 0");
    fixture_free(&s.fx);
}

/* From guest user mode: kernel_sp, mode switch, CS keeps RPL 3. */
static void nmi_from_user(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 2, 0, true, CB_NMI);
    enter(&s.fx, true);
    set_regs(&s.fx.v, URIP, FLAT_USER_CS64, 0x202, URSP, FLAT_USER_SS, false);
    s.fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "nmi: from user mode");
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.mode_changed && s.fx.v.kernel_mode && s.o.frame == SWSTACK_TOP - 7 * 8,
       "nmi: from user mode: to kernel mode, frame on the stack_switch stack");
    OK(s.f.rip == URIP && s.f.cs == 0xe033 && s.f.rsp == URSP && s.f.ss == FLAT_USER_SS, "nmi: user frame, CS RPL 3");
    fixture_free(&s.fx);
}

/* A kernel stack it cannot be written to: the domain is crashed. */
static void nmi_unwritable_stack(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 2, 0, true, CB_NMI);
    enter(&s.fx, false);
    set_regs(&s.fx.v, KRIP, FLAT_KERNEL_CS, 0x246, 0xffffffff90000000ull, FLAT_KERNEL_SS, true);
    s.fx.v.nmi_pending = true;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_CRASH, "nmi: unwritable stack: crash");
    OK(s.o.reason != NULL && s.o.via == HV_VIA_NMI, "nmi: ... with a reason");
    fixture_free(&s.fx);
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
