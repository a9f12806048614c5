/*
 * hv/tests/unit/test_callback.c - the event and failsafe callbacks, an NMI before an event.
 */
#include <string.h>

#include "bounce_fixture.h"

static void callback_event_delivery(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.fx.v.event_callback = CB_EVENT;
    enter(&s.fx, true);
    s.fx.v.regs.rip = URIP; s.fx.v.regs.cs = FLAT_USER_CS64; s.fx.v.regs.rsp = URSP;
    s.fx.v.regs.ss = FLAT_USER_SS; s.fx.v.regs.rflags = 0x202;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "7: nothing pending: resume");
    EQ(s.o.via, HV_VIA_NONE, "7: nothing delivered");
    s.fx.vi.evtchn_upcall_pending = 1;
    s.fx.vi.evtchn_upcall_mask = 1;
    hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o);
    EQ(s.o.via, HV_VIA_NONE, "7: pending but masked: not delivered");
    s.fx.vi.evtchn_upcall_mask = 0;
    hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o);
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.via == HV_VIA_EVENT && s.fx.v.regs.rip == CB_EVENT && !s.o.has_error_code,
       "7: pending and unmasked: event callback, no error code");
    OK(s.f.rip == URIP && s.f.cs == 0xe033 && (s.f.rflags & X86_EFLAGS_IF), "7: event frame holds the interrupted user context");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "7: event callback always masks events");
    fixture_free(&s.fx);
}

static void callback_event_without_callback(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.fx.vi.evtchn_upcall_pending = 1;
    EQ(hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o), HV_CRASH, "7: pending event, no callback: crash");
    fixture_free(&s.fx);
}

static void callback_failsafe_frame(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.fx.v.failsafe_callback = CB_FAILSAFE;
    s.fx.v.failsafe_mask = true;
    enter(&s.fx, false);
    s.fx.v.regs.rip = KRIP; s.fx.v.regs.cs = FLAT_KERNEL_CS; s.fx.v.regs.rsp = KRSP;
    s.fx.v.regs.ss = FLAT_KERNEL_SS; s.fx.v.regs.rflags = 0x202;
    EQ(hv_bounce_failsafe(&s.fx.v, &s.fx.m, 0x11, 0x22, 0x33, 0x44, &s.o), HV_RESUME, "7: failsafe delivered");
    s.f = read_frame(&s.fx, &s.o, true);
    OK(s.f.ds == 0x11 && s.f.es == 0x22 && s.f.fs == 0x33 && s.f.gs == 0x44, "7: failsafe frame: DS ES FS GS after R11");
    OK(s.f.rcx == GUEST_RCX && s.f.rip == KRIP && s.f.cs == 0xe030 && s.f.ss == FLAT_KERNEL_SS && s.f.words == 11,
       "7: failsafe frame is 11 words, kernel CS RPL 0");
    OK(s.fx.v.regs.rip == CB_FAILSAFE && s.fx.vi.evtchn_upcall_mask == 1, "7: failsafe callback, masked by flag");
    fixture_free(&s.fx);
}

static void callback_nmi_before_event(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 2, 0, true, CB_NMI);
    s.fx.v.nmi_pending = true;
    s.fx.vi.evtchn_upcall_pending = 1;
    s.fx.v.event_callback = CB_EVENT;
    s.fx.v.regs.rsp = KRSP;
    hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o);
    OK(s.o.via == HV_VIA_NMI && s.fx.v.regs.rip == CB_NMI && s.fx.v.nmi_masked, "7: NMI first, then masked");
    s.fx.v.nmi_pending = true;
    s.fx.vi.evtchn_upcall_mask = 0;
    hv_deliver_pending(&s.fx.v, &s.fx.m, &s.o);
    OK(s.o.via == HV_VIA_EVENT && s.fx.v.nmi_pending, "7: second NMI waits for iret; event goes first");
    fixture_free(&s.fx);
}

void test_callback(void)
{
    callback_event_delivery();
    callback_event_without_callback();
    callback_failsafe_frame();
    callback_nmi_before_event();
}
