/*
 * hv/tests/unit/test_frame.c - the bounce frame an exception builds (PV traps ABI: the frame).
 */
#include <string.h>

#include "bounce_fixture.h"

/* #GP from guest kernel mode: current stack, RPL cleared. */
static void frame_gp_from_kernel(void)
{
    struct scenario s;

    begin(&s, false);
    s.e = ev_exc(X86_EXC_GP, false, 0x1234);
    EQ(run(&s.fx, &s.e, &s.o), HV_RESUME, "2: #GP from kernel is delivered");
    EQ(s.o.frame, (KRSP & ~15ull) - 8 * 8, "2: kernel frame below old rsp rounded down to 16, 8 words with error code");
    s.f = read_frame(&s.fx, &s.o, false);
    EQ(s.f.rcx, GUEST_RCX, "2: frame RCX is the interrupted rcx");
    EQ(s.f.r11, GUEST_R11, "2: frame R11 is the interrupted r11");
    EQ(s.f.ec, 0x1234, "2: frame error code");
    EQ(s.f.rip, KRIP, "2: frame RIP is the faulting rip");
    EQ(s.f.cs, 0xe030, "2: kernel-mode frame CS has RPL 0 (0xe030), mask 0 in bits 32-39");
    EQ(s.f.rflags, 0x246, "2: frame RFLAGS IF=1 when events were unmasked");
    EQ(s.f.rsp, KRSP, "2: frame RSP is the unrounded interrupted rsp");
    EQ(s.f.ss, FLAT_KERNEL_SS, "2: frame SS");
    EQ(s.fx.v.regs.rip, H(X86_EXC_GP), "2: guest resumes at the #GP handler");
    EQ(s.fx.v.regs.rsp, s.o.frame, "2: guest rsp points at the frame (RCX slot)");
    EQ(s.fx.v.regs.cs, FLAT_KERNEL_CS, "2: guest cs FLAT_KERNEL_CS");
    EQ(s.fx.v.regs.ss, FLAT_KERNEL_SS, "2: guest ss FLAT_KERNEL_SS");
    OK(s.fx.v.kernel_mode && !s.o.mode_changed, "2: stays in kernel mode, no page-table switch");
    EQ(s.fx.v.regs.in_syscall, 1, "2: return may use SYSRET semantics (rcx/r11 are in the frame)");
    fixture_free(&s.fx);
}

/* #UD from user mode: stack_switch stack, user CS kept, 8 words. */
static void frame_ud_from_user(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_UD, true, 0);
    EQ(run(&s.fx, &s.e, &s.o), HV_RESUME, "2: #UD from user is delivered");
    EQ(s.o.frame, SWSTACK_TOP - 7 * 8, "2: user->kernel frame at kernel_sp, 7 words without error code");
    OK(!s.o.has_error_code, "2: #UD frame has no error code");
    s.f = read_frame(&s.fx, &s.o, false);
    EQ(s.f.cs, 0xe033, "2: user-mode frame CS keeps RPL 3");
    EQ(s.f.rsp, URSP, "2: frame RSP is the user rsp");
    OK(s.fx.v.kernel_mode && s.o.mode_changed, "2: switched to kernel mode (page tables must change)");
    fixture_free(&s.fx);
}

/* kernel_sp rounded down too. */
static void frame_kernel_sp_rounded_down(void)
{
    struct scenario s;

    begin(&s, true);
    s.fx.v.kernel_sp = SWSTACK_TOP - 0x18;
    s.e = ev_exc(X86_EXC_DE, true, 0);
    run(&s.fx, &s.e, &s.o);
    EQ(s.o.frame, SWSTACK_TOP - 0x20 - 56, "2: kernel_sp rounded down to 16 bytes");
    fixture_free(&s.fx);
}

/* compat user code. */
static void frame_compat_user(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_UD, true, 0);
    s.e.cs = FLAT_USER_CS32;
    s.e.ss = FLAT_USER_SS32;
    s.e.l64 = false;
    deliver(&s);
    EQ(s.f.cs, 0xe023, "2: compat user frame CS is FLAT_USER_CS32 (0xe023)");
    EQ(s.f.ss, FLAT_USER_SS32, "2: compat user frame SS");
    fixture_free(&s.fx);
}

/* Event mask in CS bits 32-39 and inverse IF. */
static void frame_event_mask_in_cs(void)
{
    struct scenario s;

    begin(&s, false);
    s.fx.vi.evtchn_upcall_mask = 1;
    s.e = ev_exc(X86_EXC_UD, false, 0);
    deliver(&s);
    EQ(s.f.cs, 0xe030ull | (1ull << 32), "2: saved mask 1 in CS bits 32-39");
    EQ(s.f.rflags & X86_EFLAGS_IF, 0, "2: RFLAGS.IF = 0 when events were masked");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "2: mask stays set");
    fixture_free(&s.fx);
}

/* TI_GET_IF masks events on entry; without it they stay unmasked. */
static void frame_ti_get_if_masks_events(void)
{
    struct scenario s;

    begin(&s, false);
    set_trap(&s.fx.v, X86_EXC_UD, 0, true, H(X86_EXC_UD));
    s.e = ev_exc(X86_EXC_UD, false, 0);
    deliver(&s);
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "2: TI_GET_IF handler masks events on entry");
    EQ(s.f.cs >> 32, 0, "2: frame still holds the mask from before delivery");
    OK(s.f.rflags & X86_EFLAGS_IF, "2: frame IF still set (events were enabled before)");
    fixture_free(&s.fx);
}

static void frame_no_ti_get_if_leaves_events(void)
{
    struct scenario s;

    begin(&s, false);
    s.e = ev_exc(X86_EXC_UD, false, 0);
    run(&s.fx, &s.e, &s.o);
    EQ(s.fx.vi.evtchn_upcall_mask, 0, "2: handler without TI_GET_IF leaves events unmasked");
    fixture_free(&s.fx);
}

/* TF, NT, RF, VM, AC cleared for the handler, kept in the frame. */
static void frame_flags_cleared_for_handler(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_UD, true, 0);
    s.e.rflags = 0x202 | X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC | X86_EFLAGS_DF;
    deliver(&s);
    EQ(s.fx.v.regs.rflags & (X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC), 0, "2: TF NT RF VM AC clear on entry");
    OK(s.fx.v.regs.rflags & X86_EFLAGS_DF, "2: DF not touched by an exception bounce");
    EQ(s.f.rflags & (X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC), X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC, "2: frame RFLAGS keeps the interrupted TF NT RF AC");
    fixture_free(&s.fx);
}

/* Virtual IOPL in the frame. */
static void frame_virtual_iopl(void)
{
    struct scenario s;

    begin(&s, true);
    s.fx.v.arch_iopl = true;
    s.fx.v.iopl = 0x1000;
    s.e = ev_exc(X86_EXC_UD, true, 0);
    s.e.rflags = 0x202 | 0x3000;
    deliver(&s);
    EQ(s.f.rflags & X86_EFLAGS_IOPL, 0x1000, "2: frame IOPL is the virtual IOPL (architectural_iopl)");
    EQ(s.fx.v.regs.rflags & X86_EFLAGS_IOPL, 0, "2: live IOPL 0");
    fixture_free(&s.fx);
}

static void frame_iopl_without_assist(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_UD, true, 0);
    s.e.rflags = 0x202 | 0x3000;
    deliver(&s);
    EQ(s.f.rflags & X86_EFLAGS_IOPL, 0, "2: frame IOPL 0 without the architectural_iopl assist");
    fixture_free(&s.fx);
}

/* Error code slot exactly for the vectors with one. */
static void frame_error_code_slot(void)
{
    struct scenario s;

    {
        /* The architecture's list, written out rather than read from
         * X86_EXC_HAVE_EC: #TS #NP #SS #GP #PF #AC #CP #VC #SX have one
         * (#DF too, but it never reaches a guest). */
        static const struct { uint8_t vec; bool ec; } vecs[] = {
            { 0, false }, { 1, false }, { 5, false }, { 6, false }, { 7, false },
            { 10, true }, { 11, true }, { 12, true }, { 13, true }, { 14, true },
            { 16, false }, { 17, true }, { 19, false }, { 20, false }, { 21, true },
            { 29, true }, { 30, true },
        };
        for (unsigned int i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
            bool want = vecs[i].ec;
            begin(&s, false);
            s.e = ev_exc(vecs[i].vec, false, 0x18);
            run(&s.fx, &s.e, &s.o);
            OK(s.o.action == HV_RESUME && s.o.has_error_code == want &&
               s.o.frame == (KRSP & ~15ull) - (want ? 64 : 56),
               "2: vector %u: error code slot %s", vecs[i].vec, want ? "present" : "absent");
            fixture_free(&s.fx);
        }
    }
}

/* #PF: cr2 in vcpu_info, U/S bit rewritten to the guest mode. */
static void frame_pf_from_kernel(void)
{
    struct scenario s;

    begin(&s, false);
    s.e = ev_exc(X86_EXC_PF, false, 0x7);
    s.e.data = 0xdeadbeef000ull;
    run(&s.fx, &s.e, &s.o);
    EQ(s.fx.vi.arch.cr2, 0xdeadbeef000ull, "2: #PF address in vcpu_info->arch.cr2");
    EQ(read_frame(&s.fx, &s.o, false).ec, 0x3, "2: #PF from guest kernel: U/S bit cleared");
    fixture_free(&s.fx);
}

static void frame_pf_from_user(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_PF, true, 0x2);      /* write, not present, U/S clear */
    s.e.data = 0x1000;
    run(&s.fx, &s.e, &s.o);
    EQ(read_frame(&s.fx, &s.o, false).ec, 0x6, "2: #PF from user: U/S bit set (input had it clear)");
    fixture_free(&s.fx);
}

/* #DB: DR6 for HYPERVISOR_get_debugreg(6). */
static void frame_db_sets_dr6(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_exc(X86_EXC_DB, true, 0);
    s.e.data = 1ull << 14;                    /* BS, positive polarity */
    run(&s.fx, &s.e, &s.o);
    EQ(s.fx.v.dr6, 0xffff4ff0ull, "2: #DB single step: virtual DR6 = 0xffff4ff0");
    s.e = ev_exc(X86_EXC_DB, true, 0);
    s.e.data = 1ull << 1;                     /* B1 */
    enter(&s.fx, true);
    run(&s.fx, &s.e, &s.o);
    EQ(s.fx.v.dr6, 0xffff4ff2ull, "2: #DB: breakpoint bits replace, BS accumulates");
    fixture_free(&s.fx);
}

/* Crashes: null handler, unwritable stack, stack in hv space. */
static void frame_crash_null_handler(void)
{
    struct scenario s;

    begin(&s, true);
    set_trap(&s.fx.v, X86_EXC_GP, 0, false, 0);
    s.e = ev_exc(X86_EXC_GP, true, 0);
    EQ(run(&s.fx, &s.e, &s.o), HV_CRASH, "2: null handler for a hardware exception crashes the domain");
    OK(s.o.reason && strstr(s.o.reason, "handler"), "2: crash reason names the missing handler (%s)", s.o.reason ? s.o.reason : "null");
    EQ(s.fx.fm.writes, 0, "2: nothing written for a null handler");
    fixture_free(&s.fx);
}

static void frame_crash_unmapped_kernel_stack(void)
{
    struct scenario s;

    begin(&s, false);
    s.e = ev_exc(X86_EXC_UD, false, 0);
    s.e.rsp = 0xffffffff90000000ull;          /* not mapped */
    EQ(run(&s.fx, &s.e, &s.o), HV_CRASH, "2: unmapped kernel stack crashes the domain");
    OK(s.o.reason && strstr(s.o.reason, "stack"), "2: crash reason names the stack (%s)", s.o.reason ? s.o.reason : "null");
    fixture_free(&s.fx);
}

static void frame_crash_read_only_switch_stack(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    fake_mem_add(&s.fx.fm, 0xffffffff80400000ull, 0x1000, false);
    enter(&s.fx, true);
    s.fx.v.kernel_sp = 0xffffffff80401000ull;
    s.e = ev_exc(X86_EXC_UD, true, 0);
    EQ(run(&s.fx, &s.e, &s.o), HV_CRASH, "2: read-only stack_switch stack crashes the domain");
    fixture_free(&s.fx);
}

static void frame_crash_stack_in_hv_area(void)
{
    struct scenario s;

    begin(&s, false);
    s.e = ev_exc(X86_EXC_UD, false, 0);
    s.e.rsp = HYPERVISOR_VIRT_START + 0x10000;
    EQ(run(&s.fx, &s.e, &s.o), HV_CRASH, "2: stack inside the hypervisor area crashes the domain");
    EQ(s.fx.fm.writes, 0, "2: no write attempted there");
    fixture_free(&s.fx);
}

/* Events hv does not bounce. */
static void frame_events_not_bounced(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.e = ev_make(HV_ET_EXT_INTR, 0x30, true, HV_DELIVERY_IDT, 0);
    EQ(run(&s.fx, &s.e, &s.o), HV_NOT_GUEST, "2: external interrupt is hv's own business");
    s.e = ev_exc(X86_EXC_DF, false, 0);
    EQ(run(&s.fx, &s.e, &s.o), HV_NOT_GUEST, "2: #DF is not bounced");
    s.e = ev_exc(X86_EXC_GP, false, 0);
    s.e.mode = HV_MODE_HV;
    EQ(run(&s.fx, &s.e, &s.o), HV_NOT_GUEST, "2: fault in hv itself is not bounced");
    EQ(s.fx.fm.writes, 0, "2: none of them touched the guest");
    fixture_free(&s.fx);
}

void test_frame(void)
{
    frame_gp_from_kernel();
    frame_ud_from_user();
    frame_kernel_sp_rounded_down();
    frame_compat_user();
    frame_event_mask_in_cs();
    frame_ti_get_if_masks_events();
    frame_no_ti_get_if_leaves_events();
    frame_flags_cleared_for_handler();
    frame_virtual_iopl();
    frame_iopl_without_assist();
    frame_error_code_slot();
    frame_pf_from_kernel();
    frame_pf_from_user();
    frame_db_sets_dr6();
    frame_crash_null_handler();
    frame_crash_unmapped_kernel_stack();
    frame_crash_read_only_switch_stack();
    frame_crash_stack_in_hv_area();
    frame_events_not_bounced();
}
