/*
 * hv/tests/unit/test_exit.c - the way back to the guest: hv_prepare_exit, and hv_exit_faulted for a
 * return the CPU refuses.
 */
#include <string.h>

#include "bounce_fixture.h"

#define NC_RIP 0x8000000000001000ull        /* non-canonical */

/* A fault hv took at its own exit instruction (ring 0). */
static struct hv_event ev_exit_fault(uint8_t type, uint8_t vec, uint32_t ec)
{
    struct hv_event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.vector = vec;
    e.delivery = HV_DELIVERY_IDT;
    e.has_error_code = X86_EXC_HAS_EC(vec);
    e.error_code = ec;
    e.mode = HV_MODE_HV;
    e.l64 = true;
    e.rip = 0xffff830000101234ull;          /* hv's IRETQ */
    e.cs = 0xe008;
    e.ss = 0;
    e.rsp = 0xffff830000180000ull;
    e.rflags = 0x2;
    return e;
}

/* IDT, in_syscall, canonical: SYSRETQ takes its selectors from STAR. */
static void exit_idt_sysret_selectors(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, 0xe02b, 0x3246 | X86_EFLAGS_RF | X86_EFLAGS_VM, URSP, 3, true);
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    EQ(s.fx.v.regs.rflags, 0x0246, "exit: SYSRET rflags: IOPL, VM dropped, IF set, RF clear");
    EQ(s.fx.v.regs.rcx, URIP, "exit: SYSRET rcx = rip");
    EQ(s.fx.v.regs.r11, 0x0246 | X86_EFLAGS_RF, "exit: SYSRET r11 = rflags (RF kept there)");
    EQ(s.fx.v.regs.cs, FLAT_USER_CS64, "exit: SYSRETQ cs 0xe033 whatever the frame said");
    EQ(s.fx.v.regs.ss, FLAT_USER_SS, "exit: SYSRET ss 0xe02b whatever the frame said");
    EQ(s.fx.v.regs.rip, URIP, "exit: SYSRETQ rip unchanged");
    fixture_free(&s.fx);
}

static void exit_idt_sysret_compat(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, 0x100001000ull, FLAT_USER_CS32, 0x202, URSP, FLAT_USER_SS32, true);
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    OK(s.fx.v.regs.cs == FLAT_USER_CS32 && s.fx.v.regs.rip == 0x1000 && s.fx.v.regs.rcx == 0x100001000ull,
       "exit: SYSRETL to compat: cs 0xe023, rip = low 32 bits of rcx");
    fixture_free(&s.fx);
}

/* Non-canonical: Xen takes IRET even with TRAP_syscall, rcx = rip. */
static void exit_non_canonical_takes_iret(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, NC_RIP, 0xe02b, 0x202 | X86_EFLAGS_RF, URSP, 3, true);
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    OK(s.fx.v.regs.rip == NC_RIP && s.fx.v.regs.cs == 0xe02b && s.fx.v.regs.ss == 3 &&
       s.fx.v.regs.rflags == (0x202 | X86_EFLAGS_RF),
       "exit: in_syscall, non-canonical rip: IRET with the frame as it is");
    OK(s.fx.v.regs.rcx == NC_RIP && s.fx.v.regs.r11 == (0x202 | X86_EFLAGS_RF),
       "exit: in_syscall, non-canonical rip: rcx = rip, r11 = rflags all the same");
    fixture_free(&s.fx);
}

/* FRED: always ERETU with the frame's selectors. */
static void exit_fred_eretu(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, 0xe02b, 0x202, URSP, 3, true);
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_FRED);
    OK(s.fx.v.regs.cs == 0xe02b && s.fx.v.regs.ss == 3 && s.fx.v.regs.rcx == URIP && s.fx.v.regs.r11 == 0x202,
       "exit: FRED in_syscall: ERETU keeps cs/ss, rcx/r11 = rip/rflags");
    fixture_free(&s.fx);
}

static void exit_without_in_syscall(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, FLAT_USER_CS64, 0x0, URSP, FLAT_USER_SS, false);
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    OK(s.fx.v.regs.rcx == GUEST_RCX && s.fx.v.regs.r11 == GUEST_R11 && s.fx.v.regs.rflags == 0x202,
       "exit: without in_syscall rcx/r11 are the guest's; rflags gets IF and bit 1");
    fixture_free(&s.fx);
}

/*
 * The guest kernel irets to user mode at a non-canonical rip (no
 * VGCF_in_syscall); IRETQ raises #GP(0).  Xen 4.17: #GP(0) to the
 * kernel, frame = the user context being returned to.
 */
static void exit_fault_non_canonical_user_rip(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    {
        uint64_t sp = KSTACK_TOP - 0x100;

        s.fx.v.regs.rsp = sp;
        put_iret(&s.fx, sp, 0xaa, 0xbb, 0xcc, 0, NC_RIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS);
        EQ(hv_do_iret(&s.fx.v, &s.fx.m, &s.o), HV_RESUME, "exit: iret to a non-canonical user rip is accepted");
        OK(!s.fx.v.kernel_mode, "exit: ... and switched to user mode");
        hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
        s.e = ev_exit_fault(HV_ET_HW_EXC, X86_EXC_GP, 0);
        EQ(hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o), HV_RESUME, "exit: #GP(0) at IRETQ goes to the guest");
        OK(s.o.via == HV_VIA_TRAP && s.o.vector == X86_EXC_GP && s.o.has_error_code && s.o.error_code == 0,
           "exit: through trap_ctxt[13] with error code 0");
        OK(s.fx.v.kernel_mode && s.o.mode_changed, "exit: back to guest kernel mode (switch page tables)");
        EQ(s.o.frame, SWSTACK_TOP - 8 * 8, "exit: frame on the stack_switch stack, 8 words");
        s.f = read_frame(&s.fx, &s.o, false);
        EQ(s.f.rip, NC_RIP, "exit: frame RIP is the non-canonical target");
        EQ(s.f.cs, FLAT_USER_CS64, "exit: frame CS is the user's 0xe033, mask 0");
        EQ(s.f.rflags, 0x246, "exit: frame RFLAGS as returned to (IF = events unmasked)");
        OK(s.f.rsp == URSP && s.f.ss == FLAT_USER_SS, "exit: frame RSP/SS the user's");
        OK(s.f.rcx == 0xcc && s.f.r11 == 0xbb, "exit: frame RCX/R11 from the iret context");
        EQ(s.f.ec, 0, "exit: frame error code 0");
        OK(s.fx.v.regs.rip == H(X86_EXC_GP) && s.fx.v.regs.cs == FLAT_KERNEL_CS && s.fx.v.regs.rsp == s.o.frame,
           "exit: guest resumes at its #GP handler");
    }
    fixture_free(&s.fx);
}

/* A SYSCALL-style return (VGCF_in_syscall) to a non-canonical rip:
 * RCX/R11 in the frame are rip/rflags, as Xen loads them before IRET. */
static void exit_fault_in_syscall_return(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, NC_RIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS, true);
    s.fx.v.kernel_mode = false;
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    s.e = ev_exit_fault(HV_ET_HW_EXC, X86_EXC_GP, 0);
    hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o);
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.action == HV_RESUME && s.f.rip == NC_RIP && s.f.rcx == NC_RIP && s.f.r11 == 0x246,
       "exit: in_syscall to a non-canonical rip: #GP(0), frame RCX = rip, R11 = rflags");
    fixture_free(&s.fx);
}

/* Bad selectors: the CPU's #GP(sel) / #NP / #SS reach the guest. */
static void exit_fault_data_selector_as_cs(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, 0xe02b, 0x202, URSP, FLAT_USER_SS, false);
    s.fx.v.kernel_mode = false;
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    s.e = ev_exit_fault(HV_ET_HW_EXC, X86_EXC_GP, 0xe028);
    hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o);
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.action == HV_RESUME && s.o.vector == X86_EXC_GP && s.f.ec == 0xe028 && s.f.cs == 0xe02b && s.f.rip == URIP,
       "exit: data selector as CS: #GP(0xe028), frame CS the bad selector");
    fixture_free(&s.fx);
}

static void exit_fault_null_ss(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, FLAT_USER_CS64, 0x202, URSP, 3, false);
    s.fx.v.kernel_mode = false;
    hv_prepare_exit(&s.fx.v, HV_DELIVERY_IDT);
    s.e = ev_exit_fault(HV_ET_HW_EXC, X86_EXC_GP, 0);
    EQ(hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o), HV_RESUME, "exit: null SS to ring 3: #GP(0) is the guest's");
    fixture_free(&s.fx);
}

static void exit_fault_np_ss_and_bad_state(void)
{
    struct scenario s;

    for (uint8_t vec = X86_EXC_NP; vec <= X86_EXC_SS; vec++) {
        fixture_init(&s.fx);
        set_regs(&s.fx.v, KRIP, FLAT_KERNEL_CS, 0x202, KRSP, FLAT_KERNEL_SS, false);
        s.e = ev_exit_fault(HV_ET_HW_EXC, vec, 0xe050);
        hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o);
        s.f = read_frame(&s.fx, &s.o, false);
        OK(s.o.action == HV_RESUME && s.o.vector == vec && s.f.ec == 0xe050,
           "exit: #%s(sel) delivered with its error code", vec == X86_EXC_NP ? "NP" : "SS");
        OK(s.o.frame == (KRSP & ~15ull) - 8 * 8 && s.f.cs == 0xe030 && !s.o.mode_changed,
           "exit: returning to guest kernel: frame on its own stack, CS RPL 0");
        fixture_free(&s.fx);
    }

    /* A state hv should never have made: crash, as Xen's "Bad return state". */
    fixture_init(&s.fx);
    set_regs(&s.fx.v, URIP, FLAT_USER_CS64, 0x3202, URSP, FLAT_USER_SS, false);
    s.e = ev_exit_fault(HV_ET_HW_EXC, X86_EXC_GP, 0);
    EQ(hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o), HV_CRASH, "exit: #GP(0) with IOPL 3 in the exit state: crash");
    OK(s.o.reason && strstr(s.o.reason, "bad return state"), "exit: reason: %s", s.o.reason ? s.o.reason : "null");
    EQ(s.fx.fm.writes, 0, "exit: nothing written to the guest");
    fixture_free(&s.fx);
}

/* Not the guest's: hv's own bug. */
static void exit_fault_not_the_guests(void)
{
    struct scenario s;

    {
        static const struct { uint8_t type, vec; const char *what; } bad[] = {
            { HV_ET_HW_EXC, X86_EXC_PF, "#PF (hv's GDT is always mapped)" },
            { HV_ET_HW_EXC, X86_EXC_UD, "#UD" },
            { HV_ET_HW_EXC, X86_EXC_TS, "#TS" },
            { HV_ET_NMI, X86_EXC_NMI, "an NMI" },
            { HV_ET_SW_EXC, X86_EXC_BP, "INT3" },
        };
        for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            fixture_init(&s.fx);
            set_regs(&s.fx.v, NC_RIP, FLAT_USER_CS64, 0x202, URSP, FLAT_USER_SS, false);
            s.fx.v.kernel_mode = false;
            s.e = ev_exit_fault(bad[i].type, bad[i].vec, 0);
            EQ(hv_exit_faulted(&s.fx.v, &s.fx.m, &s.e, &s.o), HV_NOT_GUEST, "exit: %s at the exit is not the guest's", bad[i].what);
            OK(s.fx.fm.writes == 0 && !s.fx.v.kernel_mode, "exit: ... guest untouched");
            fixture_free(&s.fx);
        }
    }
}

void test_exit(void)
{
    exit_idt_sysret_selectors();
    exit_idt_sysret_compat();
    exit_non_canonical_takes_iret();
    exit_fred_eretu();
    exit_without_in_syscall();
    exit_fault_non_canonical_user_rip();
    exit_fault_in_syscall_return();
    exit_fault_data_selector_as_cs();
    exit_fault_null_ss();
    exit_fault_np_ss_and_bad_state();
    exit_fault_not_the_guests();
}
