/*
 * hv/tests/unit/test_syscall.c - SYSCALL and SYSENTER from guest user mode, SYSCALL as a hypercall.
 */
#include <string.h>

#include "bounce_fixture.h"

static struct hv_event ev_syscall(bool l64, uint8_t delivery, uint8_t len)
{
    struct hv_event e = ev_make(HV_ET_OTHER, HV_OTHER_SYSCALL, true, delivery, len);

    e.rip = URIP + len;
    e.l64 = l64;
    e.cs = l64 ? FLAT_KERNEL_CS64 : FLAT_USER_CS32;
    e.ss = l64 ? FLAT_KERNEL_SS : FLAT_USER_SS32;
    e.rflags = 0x202 | X86_EFLAGS_DF;
    return e;
}

/* One scenario per function, each run with IDT and FRED delivery (d 0, 1). */
static uint8_t delivery_of(unsigned int d)
{
    return d ? HV_DELIVERY_FRED : HV_DELIVERY_IDT;
}

static const char *delivery_name(unsigned int d)
{
    return d ? "FRED" : "IDT";
}

static void syscall_from_user64(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&s.fx);
    s.fx.v.syscall_callback = CB_SYSCALL;
    s.fx.v.syscall_mask = true;
    enter(&s.fx, true);
    s.e = ev_syscall(true, del, 2);
    EQ(run(&s.fx, &s.e, &s.o), HV_RESUME, "6: %s SYSCALL from 64-bit user bounces", dn);
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.via == HV_VIA_SYSCALL && s.fx.v.regs.rip == CB_SYSCALL, "6: %s to the syscall callback", dn);
    EQ(s.o.frame, SWSTACK_TOP - 56, "6: %s on the stack_switch stack", dn);
    EQ(s.f.rcx, URIP + 2, "6: %s frame RCX = user rip", dn);
    EQ(s.f.r11, 0x202 | X86_EFLAGS_DF, "6: %s frame R11 = user rflags", dn);
    EQ(s.f.rip, URIP + 2, "6: %s frame RIP = user rip (after SYSCALL)", dn);
    EQ(s.f.cs, 0xe033, "6: %s frame CS = user CS", dn);
    EQ(s.f.rsp, URSP, "6: %s frame RSP = user rsp", dn);
    EQ(s.f.ss, FLAT_USER_SS, "6: %s frame SS", dn);
    /* Xen 4.17 and master, seen by the guest's entry64 DF checks: IDT
     * leaves DF alone (frame and live); FRED clears it in both. */
    EQ(s.f.rflags & X86_EFLAGS_DF, d ? 0 : X86_EFLAGS_DF, "6: %s frame RFLAGS.DF %s", dn,
       d ? "clear" : "= user DF");
    EQ(s.fx.v.regs.rflags & X86_EFLAGS_DF, d ? 0 : X86_EFLAGS_DF, "6: %s DF %s live in the handler", dn,
       d ? "clear" : "= user DF");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "6: %s CALLBACKF_mask_events masks", dn);
    OK(s.fx.v.kernel_mode, "6: %s now in kernel mode", dn);
    fixture_free(&s.fx);
}

static void syscall_from_compat_user(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&s.fx);
    s.fx.v.syscall_callback = CB_SYSCALL;
    s.fx.v.syscall32_callback = CB_SYSCALL32;
    enter(&s.fx, true);
    s.e = ev_syscall(false, del, 2);
    deliver(&s);
    OK(s.o.via == HV_VIA_SYSCALL32 && s.fx.v.regs.rip == CB_SYSCALL32 && s.f.cs == 0xe023 &&
       s.f.ss == FLAT_USER_SS32, "6: %s compat SYSCALL -> syscall32 callback, CS 0xe023", dn);
    EQ(s.fx.vi.evtchn_upcall_mask, 0, "6: %s without CALLBACKF_mask_events events stay on", dn);
    fixture_free(&s.fx);
}

/*
 * A compat SYSCALL with the two registrations' mask flags different:
 * IDT masks by the syscall registration's flag (Xen's switch_to_kernel),
 * FRED by syscall32's.  Expected values written out, one per case.
 */
static void compat_syscall_mask_rule(unsigned int d)
{
    static const struct { bool sc, sc32; bool idt, fred; } cases[] = {
        { true,  false, true,  false },
        { false, true,  false, true  },
    };
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    for (unsigned int i = 0; i < 2; i++) {
        struct scenario s;

        fixture_init(&s.fx);
        s.fx.v.syscall_callback = CB_SYSCALL;
        s.fx.v.syscall_mask = cases[i].sc;
        s.fx.v.syscall32_callback = CB_SYSCALL32;
        s.fx.v.syscall32_mask = cases[i].sc32;
        enter(&s.fx, true);
        s.e = ev_syscall(false, del, 2);
        deliver(&s);
        OK(s.o.via == HV_VIA_SYSCALL32, "6: %s compat SYSCALL, flags differ: syscall32 callback", dn);
        EQ(s.fx.vi.evtchn_upcall_mask, d ? cases[i].fred : cases[i].idt,
           "6: %s compat SYSCALL, syscall %s / syscall32 %s mask flag: mask %u", dn,
           cases[i].sc ? "with" : "without", cases[i].sc32 ? "with" : "without",
           d ? cases[i].fred : cases[i].idt);
        fixture_free(&s.fx);
    }
}

static void syscall_from_kernel_is_hypercall(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    begin(&s, false);
    s.fx.v.regs.rax = 17;
    s.e = ev_syscall(true, del, 2);
    s.e.mode = HV_MODE_KERNEL;
    s.e.rip = KRIP + 2;
    EQ(run(&s.fx, &s.e, &s.o), HV_HYPERCALL, "6: %s SYSCALL from guest kernel is a hypercall", dn);
    OK(s.fx.v.regs.rax == 17 && s.fx.v.regs.rcx == KRIP + 2 && s.fx.v.regs.r11 == s.e.rflags &&
       s.fx.v.regs.rip == KRIP + 2 && s.fx.v.regs.in_syscall && s.fx.fm.writes == 0,
       "6: %s hypercall: rax kept, rcx/r11 = rip/rflags, nothing written", dn);
    fixture_free(&s.fx);
}

/*
 * The front ends' shortcut for a hypercall (hv_syscall_is_hypercall,
 * hv_hypercall_entry) must leave exactly the registers the event path
 * leaves, for 64-bit and (FRED) compat code; and must not take a SYSCALL
 * the event path would bounce.
 */
static void hypercall_shortcut_matches(unsigned int d)
{
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    for (int l64 = 1; l64 >= 0; l64--) {
        struct scenario s;
        struct hv_vcpu fast;
        bool event_path_calls;

        begin(&s, false);
        s.fx.v.regs.rax = 17;
        s.e = ev_syscall(l64, del, 2);
        s.e.mode = HV_MODE_KERNEL;
        s.e.rip = KRIP + 2;
        s.e.rsp = KRSP;
        fast = s.fx.v;
        event_path_calls = run(&s.fx, &s.e, &s.o) == HV_HYPERCALL;
        EQ(hv_syscall_is_hypercall(&fast, del, l64), event_path_calls,
           "6: %s %s SYSCALL from kernel: shortcut taken iff the event path calls", dn,
           l64 ? "64-bit" : "compat");
        if (!event_path_calls) {
            fixture_free(&s.fx);
            continue;
        }
        hv_hypercall_entry(&fast, s.e.rip, s.e.rflags, s.e.rsp, l64);
        OK(memcmp(&fast.regs, &s.fx.v.regs, sizeof(fast.regs)) == 0,
           "6: %s %s hypercall shortcut: registers as the event path leaves them", dn,
           l64 ? "64-bit" : "compat");
        fixture_free(&s.fx);
    }
    {
        struct scenario s;

        begin(&s, true);
        OK(!hv_syscall_is_hypercall(&s.fx.v, del, true),
           "6: %s SYSCALL from user mode is never a hypercall", dn);
        fixture_free(&s.fx);
    }
}

/* Not registered: #UD; prefixed (3 bytes) shows the rewind. */
static void syscall_unregistered(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    for (uint8_t len = 2; len <= 3; len++) {
        begin(&s, true);
        s.e = ev_syscall(true, del, len);
        deliver(&s);
        OK(s.o.action == HV_RESUME && s.o.vector == X86_EXC_UD && !s.o.has_error_code,
           "6: %s unregistered SYSCALL (len %u) -> #UD", dn, len);
        EQ(s.f.rip, d ? URIP : URIP + len - 2, "6: %s #UD RIP %s", dn, d ? "= start" : "= end - 2");
        OK(s.f.rflags & X86_EFLAGS_DF && s.fx.v.regs.rflags & X86_EFLAGS_DF, "6: %s #UD path leaves DF alone", dn);
        fixture_free(&s.fx);
    }
}

/* SYSENTER. */
static void sysenter(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&s.fx);
    s.fx.v.sysenter_callback = CB_SYSENTER;
    s.fx.v.sysenter_mask = true;
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_OTHER, HV_OTHER_SYSENTER, true, del, 2);
    s.e.rip = 0; s.e.cs = 3; s.e.rsp = 0; s.e.ss = FLAT_USER_SS; s.e.l64 = false;
    deliver(&s);
    OK(s.o.via == HV_VIA_SYSENTER && s.fx.v.regs.rip == CB_SYSENTER, "6: %s SYSENTER -> sysenter callback", dn);
    OK(s.f.rip == 0 && s.f.cs == 3 && s.f.rsp == 0 && s.f.ss == FLAT_USER_SS,
       "6: %s SYSENTER frame: RIP 0, CS 3, RSP 0", dn);
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "6: %s SYSENTER CALLBACKF_mask_events", dn);
    fixture_free(&s.fx);
}

static void sysenter_unregistered(unsigned int d)
{
    struct scenario s;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    begin(&s, true);
    s.e = ev_make(HV_ET_OTHER, HV_OTHER_SYSENTER, true, del, 2);
    s.e.rip = 0; s.e.cs = 3; s.e.rsp = 0; s.e.ss = FLAT_USER_SS; s.e.l64 = false;
    deliver(&s);
    OK(s.o.vector == X86_EXC_GP && s.o.has_error_code && s.f.ec == 0 && s.f.rip == 0 && s.f.cs == 3,
       "6: %s unregistered SYSENTER -> #GP(0) with the null frame", dn);
    fixture_free(&s.fx);
}

void test_syscall(void)
{
    for (unsigned int d = 0; d < 2; d++) {
        syscall_from_user64(d);
        syscall_from_compat_user(d);
        compat_syscall_mask_rule(d);
        syscall_from_kernel_is_hypercall(d);
        hypercall_shortcut_matches(d);
        syscall_unregistered(d);
        sysenter(d);
        sysenter_unregistered(d);
    }
}
