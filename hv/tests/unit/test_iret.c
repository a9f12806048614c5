/*
 * hv/tests/unit/test_iret.c - HYPERVISOR_iret.
 */
#include <string.h>

#include "bounce_fixture.h"

static void iret_to_user(void)
{
    struct scenario s;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&s.fx);
    s.fx.v.regs.rsp = sp;
    s.fx.vi.evtchn_upcall_mask = 1;
    put_iret(&s.fx, sp, 0xaa, 0xbb, 0xcc, 0, URIP, FLAT_USER_CS64, 0x3246 | X86_EFLAGS_VM | X86_EFLAGS_TF,
             URSP, FLAT_USER_SS);
    EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "3: iret to user mode");
    OK(!s.fx.v.kernel_mode && s.o.mode_changed, "3: CS RPL 3 switches to user mode");
    EQ(s.fx.v.regs.rip, URIP, "3: rip restored");
    EQ(s.fx.v.regs.cs, 0xe033, "3: cs restored");
    EQ(s.fx.v.regs.rsp, URSP, "3: rsp restored");
    EQ(s.fx.v.regs.ss, FLAT_USER_SS, "3: ss restored");
    EQ(s.fx.v.regs.rax, 0xaa, "3: rax restored");
    EQ(s.fx.v.regs.rcx, 0xcc, "3: without VGCF_in_syscall rcx restored");
    EQ(s.fx.v.regs.r11, 0xbb, "3: without VGCF_in_syscall r11 restored");
    EQ(s.fx.v.regs.in_syscall, 0, "3: without VGCF_in_syscall: full IRET semantics");
    EQ(s.fx.v.regs.rflags, 0x0246 | X86_EFLAGS_TF, "3: rflags: IOPL and VM dropped, IF forced on, TF kept");
    EQ(s.fx.vi.evtchn_upcall_mask, 0, "3: event mask = !IF (IF set -> unmasked)");
    fixture_free(&s.fx);
}

static void iret_in_syscall(void)
{
    struct scenario s;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&s.fx);
    s.fx.v.regs.rsp = sp;
    s.fx.v.regs.rcx = 0x77;
    s.fx.v.regs.r11 = 0x88;
    put_iret(&s.fx, sp, 1, 0xbb, 0xcc, VGCF_in_syscall, URIP, FLAT_USER_CS64, 0x46, URSP, FLAT_USER_SS);
    hv_do_iret(&s.fx.v, &s.fx.m, &s.o);
    EQ(s.fx.v.regs.rcx, 0x77, "3: VGCF_in_syscall: rcx not restored");
    EQ(s.fx.v.regs.r11, 0x88, "3: VGCF_in_syscall: r11 not restored");
    EQ(s.fx.v.regs.in_syscall, 1, "3: VGCF_in_syscall: SYSRET semantics (rcx=rip, r11=rflags)");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "3: IF clear in the context -> events masked");
    fixture_free(&s.fx);
}

static void iret_to_kernel_forces_rpl3(void)
{
    struct scenario s;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&s.fx);
    s.fx.v.regs.rsp = sp;
    put_iret(&s.fx, sp, 1, 0, 0, 0, KRIP, 0xe030, 0x246, KRSP, FLAT_KERNEL_SS & ~3);
    hv_do_iret(&s.fx.v, &s.fx.m, &s.o);
    OK(s.fx.v.kernel_mode && !s.o.mode_changed, "3: CS RPL 0 stays in kernel mode");
    EQ(s.fx.v.regs.cs, 0xe033, "3: cs forced to RPL 3");
    EQ(s.fx.v.regs.ss, FLAT_KERNEL_SS, "3: ss forced to RPL 3");
    fixture_free(&s.fx);
}

static void iret_to_user_without_user_table(void)
{
    struct scenario s;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&s.fx);
    s.fx.v.user_pt_present = false;
    s.fx.v.regs.rsp = sp;
    put_iret(&s.fx, sp, 1, 0, 0, 0, URIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS);
    EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_CRASH, "3: to user mode without a user page table crashes");
    OK(s.o.reason && strstr(s.o.reason, "user page table"), "3: reason: %s", s.o.reason ? s.o.reason : "null");
    fixture_free(&s.fx);
}

static void iret_unreadable_context(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.fx.v.regs.rsp = 0xffffffff90000000ull;
    EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_CRASH, "3: unreadable iret_context crashes");
    fixture_free(&s.fx);
}

static void iret_virtual_iopl(void)
{
    struct scenario s;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&s.fx);
    s.fx.v.arch_iopl = true;
    s.fx.v.regs.rsp = sp;
    put_iret(&s.fx, sp, 1, 0, 0, 0, KRIP, 0xe030, 0x1246, KRSP, FLAT_KERNEL_SS);
    hv_do_iret(&s.fx.v, &s.fx.m, &s.o);
    EQ(s.fx.v.iopl, 0x1000, "3: architectural_iopl: virtual IOPL taken from the context");
    EQ(s.fx.v.regs.rflags & X86_EFLAGS_IOPL, 0, "3: live IOPL stays 0");
    fixture_free(&s.fx);
}

/* Round trip: bounce from user, iret back. */
static void iret_round_trip(void)
{
    struct scenario s;

    begin(&s, true);
    {
        s.e = ev_exc(X86_EXC_UD, true, 0);
        run(&s.fx, &s.e, &s.o);
        /* The guest handler pops RCX/R11 (+16) and issues HYPERVISOR_iret
         * with rax/r11/rcx/flags pushed: build that context below. */
        uint64_t top = s.o.frame + 16;        /* RIP slot */
        put_iret(&s.fx, top - 32, 5, GUEST_R11, GUEST_RCX, 0,
                 fake_word(&s.fx.fm, top), fake_word(&s.fx.fm, top + 8),
                 fake_word(&s.fx.fm, top + 16), fake_word(&s.fx.fm, top + 24),
                 fake_word(&s.fx.fm, top + 32));
        s.fx.v.regs.rsp = top - 32;
        EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "3: round trip: iret with the bounce frame's words");
        OK(!s.fx.v.kernel_mode && s.fx.v.regs.rip == URIP && s.fx.v.regs.rsp == URSP &&
           s.fx.v.regs.cs == 0xe033 && s.fx.v.regs.rcx == GUEST_RCX,
           "3: round trip returns to the interrupted user context");
    }
    fixture_free(&s.fx);
}

void test_iret(void)
{
    iret_to_user();
    iret_in_syscall();
    iret_to_kernel_forces_rpl3();
    iret_to_user_without_user_table();
    iret_unreadable_context();
    iret_virtual_iopl();
    iret_round_trip();
}
