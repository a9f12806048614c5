/*
 * hv/tests/unit/test_callback.c - the event and failsafe callbacks, an NMI before an event.
 */
#include <string.h>

#include "bounce_fixture.h"

static void callback_event_delivery(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct frame f;

    fixture_init(&fx);
    fx.v.event_callback = CB_EVENT;
    enter(&fx, true);
    fx.v.regs.rip = URIP; fx.v.regs.cs = FLAT_USER_CS64; fx.v.regs.rsp = URSP;
    fx.v.regs.ss = FLAT_USER_SS; fx.v.regs.rflags = 0x202;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_RESUME, "7: nothing pending: resume");
    EQ(o.via, HV_VIA_NONE, "7: nothing delivered");
    fx.vi.evtchn_upcall_pending = 1;
    fx.vi.evtchn_upcall_mask = 1;
    hv_deliver_pending(&fx.v, &fx.m, &o);
    EQ(o.via, HV_VIA_NONE, "7: pending but masked: not delivered");
    fx.vi.evtchn_upcall_mask = 0;
    hv_deliver_pending(&fx.v, &fx.m, &o);
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_EVENT && fx.v.regs.rip == CB_EVENT && !o.has_error_code,
       "7: pending and unmasked: event callback, no error code");
    OK(f.rip == URIP && f.cs == 0xe033 && (f.rflags & EF_IF), "7: event frame holds the interrupted user context");
    EQ(fx.vi.evtchn_upcall_mask, 1, "7: event callback always masks events");
    fixture_free(&fx);
}

static void callback_event_without_callback(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    fx.vi.evtchn_upcall_pending = 1;
    EQ(hv_deliver_pending(&fx.v, &fx.m, &o), HV_CRASH, "7: pending event, no callback: crash");
    fixture_free(&fx);
}

static void callback_failsafe_frame(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct frame f;

    fixture_init(&fx);
    fx.v.failsafe_callback = CB_FAILSAFE;
    fx.v.failsafe_mask = true;
    enter(&fx, false);
    fx.v.regs.rip = KRIP; fx.v.regs.cs = FLAT_KERNEL_CS; fx.v.regs.rsp = KRSP;
    fx.v.regs.ss = FLAT_KERNEL_SS; fx.v.regs.rflags = 0x202;
    EQ(hv_bounce_failsafe(&fx.v, &fx.m, 0x11, 0x22, 0x33, 0x44, &o), HV_RESUME, "7: failsafe delivered");
    f = read_frame(&fx, &o, true);
    OK(f.ds == 0x11 && f.es == 0x22 && f.fs == 0x33 && f.gs == 0x44, "7: failsafe frame: DS ES FS GS after R11");
    OK(f.rcx == GUEST_RCX && f.rip == KRIP && f.cs == 0xe030 && f.ss == FLAT_KERNEL_SS && f.words == 11,
       "7: failsafe frame is 11 words, kernel CS RPL 0");
    OK(fx.v.regs.rip == CB_FAILSAFE && fx.vi.evtchn_upcall_mask == 1, "7: failsafe callback, masked by flag");
    fixture_free(&fx);
}

static void callback_nmi_before_event(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    set_trap(&fx.v, 2, 0, true, CB_NMI);
    fx.v.nmi_pending = true;
    fx.vi.evtchn_upcall_pending = 1;
    fx.v.event_callback = CB_EVENT;
    fx.v.regs.rsp = KRSP;
    hv_deliver_pending(&fx.v, &fx.m, &o);
    OK(o.via == HV_VIA_NMI && fx.v.regs.rip == CB_NMI && fx.v.nmi_masked, "7: NMI first, then masked");
    fx.v.nmi_pending = true;
    fx.vi.evtchn_upcall_mask = 0;
    hv_deliver_pending(&fx.v, &fx.m, &o);
    OK(o.via == HV_VIA_EVENT && fx.v.nmi_pending, "7: second NMI waits for iret; event goes first");
    fixture_free(&fx);
}

void test_callback(void)
{
    callback_event_delivery();
    callback_event_without_callback();
    callback_failsafe_frame();
    callback_nmi_before_event();
}
