/*
 * hv/tests/unit/test_bounce.c - the bounce-frame builder, iret and upcalls against
 * a fake guest stack, one check per rule of pv-traps-abi.md sections 2
 * (bounce frame), 3 (iret), 5 (software interrupts), 6 (SYSCALL/SYSENTER)
 * and 7 (event, failsafe, NMI callbacks); and the way back to the guest
 * (hv_prepare_exit, hv_exit_faulted: a return the CPU refuses).
 */
#include <string.h>

#include "tap.h"

#define EF_TF   0x100ull
#define EF_IF   0x200ull
#define EF_DF   0x400ull
#define EF_IOPL 0x3000ull
#define EF_NT   0x4000ull
#define EF_RF   0x10000ull
#define EF_VM   0x20000ull
#define EF_AC   0x40000ull

#define URIP   0x0000000000401000ull        /* user code */
#define KRIP   0xffffffff80005000ull        /* guest kernel code */
#define URSP   (USTACK_TOP - 0x108)         /* deliberately not 16-aligned */
#define KRSP   (KSTACK_TOP - 0x208)
#define GUEST_RCX 0x1111111111111111ull
#define GUEST_R11 0x2222222222222222ull

/* The bounce frame as read back from the fake stack (lowest word first). */
struct frame {
    uint64_t rcx, r11, ec, rip, cs, rflags, rsp, ss;
    uint64_t ds, es, fs, gs;
    unsigned int words;
};

static struct frame read_frame(struct fixture *fx, const struct hv_outcome *o,
                               bool failsafe)
{
    struct frame f = { 0 };
    uint64_t a = o->frame;

    f.rcx = fake_word(&fx->fm, a); a += 8;
    f.r11 = fake_word(&fx->fm, a); a += 8;
    if (o->has_error_code) { f.ec = fake_word(&fx->fm, a); a += 8; }
    if (failsafe) {
        f.ds = fake_word(&fx->fm, a); a += 8;
        f.es = fake_word(&fx->fm, a); a += 8;
        f.fs = fake_word(&fx->fm, a); a += 8;
        f.gs = fake_word(&fx->fm, a); a += 8;
    }
    f.rip = fake_word(&fx->fm, a); a += 8;
    f.cs = fake_word(&fx->fm, a); a += 8;
    f.rflags = fake_word(&fx->fm, a); a += 8;
    f.rsp = fake_word(&fx->fm, a); a += 8;
    f.ss = fake_word(&fx->fm, a); a += 8;
    f.words = (unsigned int)((a - o->frame) / 8);
    return f;
}

/* A neutral event interrupting guest user (64-bit) or kernel code. */
static struct hv_event ev_make(uint8_t type, uint8_t vec, bool user,
                               uint8_t delivery, uint8_t len)
{
    struct hv_event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.vector = vec;
    e.delivery = delivery;
    e.insn_len = delivery == HV_DELIVERY_FRED ? len : 0;
    e.mode = user ? HV_MODE_USER : HV_MODE_KERNEL;
    e.l64 = true;
    e.rip = user ? URIP : KRIP;
    e.cs = FLAT_USER_CS64;              /* == FLAT_KERNEL_CS64: ring 3 */
    e.ss = FLAT_USER_SS;
    e.rsp = user ? URSP : KRSP;
    e.rflags = 0x246;
    return e;
}

static struct hv_event ev_exc(uint8_t vec, bool user, uint32_t ec)
{
    struct hv_event e = ev_make(HV_ET_HW_EXC, vec, user, HV_DELIVERY_IDT, 0);

    e.has_error_code = (HV_EXC_HAVE_EC >> vec) & 1;
    e.error_code = e.has_error_code ? ec : 0;
    return e;
}

static void enter(struct fixture *fx, bool user)
{
    fx->v.kernel_mode = !user;
    fx->v.regs.rcx = GUEST_RCX;
    fx->v.regs.r11 = GUEST_R11;
}

static int run(struct fixture *fx, const struct hv_event *e,
               struct hv_outcome *o)
{
    return hv_handle_event(&fx->v, e, &fx->m, o);
}

/* ---- section 2: the frame ---- */

/* #GP from guest kernel mode: current stack, RPL cleared. */
static void frame_gp_from_kernel(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, false);
    e = ev_exc(HV_EXC_GP, false, 0x1234);
    EQ(run(&fx, &e, &o), HV_RESUME, "2: #GP from kernel is delivered");
    EQ(o.frame, (KRSP & ~15ull) - 8 * 8, "2: kernel frame below old rsp rounded down to 16, 8 words with error code");
    f = read_frame(&fx, &o, false);
    EQ(f.rcx, GUEST_RCX, "2: frame RCX is the interrupted rcx");
    EQ(f.r11, GUEST_R11, "2: frame R11 is the interrupted r11");
    EQ(f.ec, 0x1234, "2: frame error code");
    EQ(f.rip, KRIP, "2: frame RIP is the faulting rip");
    EQ(f.cs, 0xe030, "2: kernel-mode frame CS has RPL 0 (0xe030), mask 0 in bits 32-39");
    EQ(f.rflags, 0x246, "2: frame RFLAGS IF=1 when events were unmasked");
    EQ(f.rsp, KRSP, "2: frame RSP is the unrounded interrupted rsp");
    EQ(f.ss, FLAT_KERNEL_SS, "2: frame SS");
    EQ(fx.v.regs.rip, H(HV_EXC_GP), "2: guest resumes at the #GP handler");
    EQ(fx.v.regs.rsp, o.frame, "2: guest rsp points at the frame (RCX slot)");
    EQ(fx.v.regs.cs, FLAT_KERNEL_CS, "2: guest cs FLAT_KERNEL_CS");
    EQ(fx.v.regs.ss, FLAT_KERNEL_SS, "2: guest ss FLAT_KERNEL_SS");
    OK(fx.v.kernel_mode && !o.mode_changed, "2: stays in kernel mode, no page-table switch");
    EQ(fx.v.regs.in_syscall, 1, "2: return may use SYSRET semantics (rcx/r11 are in the frame)");
    fixture_free(&fx);
}

/* #UD from user mode: stack_switch stack, user CS kept, 8 words. */
static void frame_ud_from_user(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_UD, true, 0);
    EQ(run(&fx, &e, &o), HV_RESUME, "2: #UD from user is delivered");
    EQ(o.frame, SWSTACK_TOP - 7 * 8, "2: user->kernel frame at kernel_sp, 7 words without error code");
    OK(!o.has_error_code, "2: #UD frame has no error code");
    f = read_frame(&fx, &o, false);
    EQ(f.cs, 0xe033, "2: user-mode frame CS keeps RPL 3");
    EQ(f.rsp, URSP, "2: frame RSP is the user rsp");
    OK(fx.v.kernel_mode && o.mode_changed, "2: switched to kernel mode (page tables must change)");
    fixture_free(&fx);
}

/* kernel_sp rounded down too. */
static void frame_kernel_sp_rounded_down(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, true);
    fx.v.kernel_sp = SWSTACK_TOP - 0x18;
    e = ev_exc(HV_EXC_DE, true, 0);
    run(&fx, &e, &o);
    EQ(o.frame, SWSTACK_TOP - 0x20 - 56, "2: kernel_sp rounded down to 16 bytes");
    fixture_free(&fx);
}

/* compat user code. */
static void frame_compat_user(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_UD, true, 0);
    e.cs = FLAT_USER_CS32;
    e.ss = FLAT_USER_SS32;
    e.l64 = false;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(f.cs, 0xe023, "2: compat user frame CS is FLAT_USER_CS32 (0xe023)");
    EQ(f.ss, FLAT_USER_SS32, "2: compat user frame SS");
    fixture_free(&fx);
}

/* Event mask in CS bits 32-39 and inverse IF. */
static void frame_event_mask_in_cs(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, false);
    fx.vi.evtchn_upcall_mask = 1;
    e = ev_exc(HV_EXC_UD, false, 0);
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(f.cs, 0xe030ull | (1ull << 32), "2: saved mask 1 in CS bits 32-39");
    EQ(f.rflags & EF_IF, 0, "2: RFLAGS.IF = 0 when events were masked");
    EQ(fx.vi.evtchn_upcall_mask, 1, "2: mask stays set");
    fixture_free(&fx);
}

/* TI_GET_IF masks events on entry; without it they stay unmasked. */
static void frame_ti_get_if_masks_events(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, false);
    set_trap(&fx.v, HV_EXC_UD, 0, true, H(HV_EXC_UD));
    e = ev_exc(HV_EXC_UD, false, 0);
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(fx.vi.evtchn_upcall_mask, 1, "2: TI_GET_IF handler masks events on entry");
    EQ(f.cs >> 32, 0, "2: frame still holds the mask from before delivery");
    OK(f.rflags & EF_IF, "2: frame IF still set (events were enabled before)");
    fixture_free(&fx);
}

static void frame_no_ti_get_if_leaves_events(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, false);
    e = ev_exc(HV_EXC_UD, false, 0);
    run(&fx, &e, &o);
    EQ(fx.vi.evtchn_upcall_mask, 0, "2: handler without TI_GET_IF leaves events unmasked");
    fixture_free(&fx);
}

/* TF, NT, RF, VM, AC cleared for the handler, kept in the frame. */
static void frame_flags_cleared_for_handler(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_UD, true, 0);
    e.rflags = 0x202 | EF_TF | EF_NT | EF_RF | EF_AC | EF_DF;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(fx.v.regs.rflags & (EF_TF | EF_NT | EF_RF | EF_VM | EF_AC), 0, "2: TF NT RF VM AC clear on entry");
    OK(fx.v.regs.rflags & EF_DF, "2: DF not touched by an exception bounce");
    EQ(f.rflags & (EF_TF | EF_NT | EF_RF | EF_AC), EF_TF | EF_NT | EF_RF | EF_AC, "2: frame RFLAGS keeps the interrupted TF NT RF AC");
    fixture_free(&fx);
}

/* Virtual IOPL in the frame. */
static void frame_virtual_iopl(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    fx.v.arch_iopl = true;
    fx.v.iopl = 0x1000;
    e = ev_exc(HV_EXC_UD, true, 0);
    e.rflags = 0x202 | 0x3000;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(f.rflags & EF_IOPL, 0x1000, "2: frame IOPL is the virtual IOPL (architectural_iopl)");
    EQ(fx.v.regs.rflags & EF_IOPL, 0, "2: live IOPL 0");
    fixture_free(&fx);
}

static void frame_iopl_without_assist(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_UD, true, 0);
    e.rflags = 0x202 | 0x3000;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    EQ(f.rflags & EF_IOPL, 0, "2: frame IOPL 0 without the architectural_iopl assist");
    fixture_free(&fx);
}

/* Error code slot exactly for the vectors with one. */
static void frame_error_code_slot(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    {
        static const uint8_t vecs[] = { 0, 1, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 21 };
        for (unsigned int i = 0; i < sizeof(vecs); i++) {
            bool want = (HV_EXC_HAVE_EC >> vecs[i]) & 1;
            fixture_init(&fx);
            enter(&fx, false);
            e = ev_exc(vecs[i], false, 0x18);
            run(&fx, &e, &o);
            OK(o.action == HV_RESUME && o.has_error_code == want &&
               o.frame == (KRSP & ~15ull) - (want ? 64 : 56),
               "2: vector %u: error code slot %s", vecs[i], want ? "present" : "absent");
            fixture_free(&fx);
        }
    }
}

/* #PF: cr2 in vcpu_info, U/S bit rewritten to the guest mode. */
static void frame_pf_from_kernel(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, false);
    e = ev_exc(HV_EXC_PF, false, 0x7);
    e.data = 0xdeadbeef000ull;
    run(&fx, &e, &o);
    EQ(fx.vi.arch.cr2, 0xdeadbeef000ull, "2: #PF address in vcpu_info->arch.cr2");
    EQ(read_frame(&fx, &o, false).ec, 0x3, "2: #PF from guest kernel: U/S bit cleared");
    fixture_free(&fx);
}

static void frame_pf_from_user(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_PF, true, 0x6);
    e.data = 0x1000;
    run(&fx, &e, &o);
    EQ(read_frame(&fx, &o, false).ec, 0x6, "2: #PF from user: U/S bit set");
    fixture_free(&fx);
}

/* #DB: DR6 for HYPERVISOR_get_debugreg(6). */
static void frame_db_sets_dr6(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_exc(HV_EXC_DB, true, 0);
    e.data = 1ull << 14;                    /* BS, positive polarity */
    run(&fx, &e, &o);
    EQ(fx.v.dr6, 0xffff4ff0ull, "2: #DB single step: virtual DR6 = 0xffff4ff0");
    e = ev_exc(HV_EXC_DB, true, 0);
    e.data = 1ull << 1;                     /* B1 */
    enter(&fx, true);
    run(&fx, &e, &o);
    EQ(fx.v.dr6, 0xffff4ff2ull, "2: #DB: breakpoint bits replace, BS accumulates");
    fixture_free(&fx);
}

/* Crashes: null handler, unwritable stack, stack in hv space. */
static void frame_crash_null_handler(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, true);
    set_trap(&fx.v, HV_EXC_GP, 0, false, 0);
    e = ev_exc(HV_EXC_GP, true, 0);
    EQ(run(&fx, &e, &o), HV_CRASH, "2: null handler for a hardware exception crashes the domain");
    OK(o.reason && strstr(o.reason, "handler"), "2: crash reason names the missing handler (%s)", o.reason ? o.reason : "null");
    EQ(fx.fm.writes, 0, "2: nothing written for a null handler");
    fixture_free(&fx);
}

static void frame_crash_unmapped_kernel_stack(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, false);
    e = ev_exc(HV_EXC_UD, false, 0);
    e.rsp = 0xffffffff90000000ull;          /* not mapped */
    EQ(run(&fx, &e, &o), HV_CRASH, "2: unmapped kernel stack crashes the domain");
    OK(o.reason && strstr(o.reason, "stack"), "2: crash reason names the stack (%s)", o.reason ? o.reason : "null");
    fixture_free(&fx);
}

static void frame_crash_read_only_switch_stack(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    fake_mem_add(&fx.fm, 0xffffffff80400000ull, 0x1000, false);
    enter(&fx, true);
    fx.v.kernel_sp = 0xffffffff80401000ull;
    e = ev_exc(HV_EXC_UD, true, 0);
    EQ(run(&fx, &e, &o), HV_CRASH, "2: read-only stack_switch stack crashes the domain");
    fixture_free(&fx);
}

static void frame_crash_stack_in_hv_area(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, false);
    e = ev_exc(HV_EXC_UD, false, 0);
    e.rsp = HYPERVISOR_VIRT_START + 0x10000;
    EQ(run(&fx, &e, &o), HV_CRASH, "2: stack inside the hypervisor area crashes the domain");
    EQ(fx.fm.writes, 0, "2: no write attempted there");
    fixture_free(&fx);
}

/* Events hv does not bounce. */
static void frame_events_not_bounced(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    e = ev_make(HV_ET_EXT_INTR, 0x30, true, HV_DELIVERY_IDT, 0);
    EQ(run(&fx, &e, &o), HV_NOT_GUEST, "2: external interrupt is hv's own business");
    e = ev_exc(HV_EXC_DF, false, 0);
    EQ(run(&fx, &e, &o), HV_NOT_GUEST, "2: #DF is not bounced");
    e = ev_exc(HV_EXC_GP, false, 0);
    e.mode = HV_MODE_HV;
    EQ(run(&fx, &e, &o), HV_NOT_GUEST, "2: fault in hv itself is not bounced");
    EQ(fx.fm.writes, 0, "2: none of them touched the guest");
    fixture_free(&fx);
}

static void frame_rules(void)
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

/* ---- section 3: HYPERVISOR_iret ---- */

static void put_iret(struct fixture *fx, uint64_t at, uint64_t rax, uint64_t r11,
                     uint64_t rcx, uint64_t flags, uint64_t rip, uint64_t cs,
                     uint64_t rflags, uint64_t rsp, uint64_t ss)
{
    uint64_t w[9] = { rax, r11, rcx, flags, rip, cs, rflags, rsp, ss };
    for (int i = 0; i < 9; i++)
        fake_put_word(&fx->fm, at + 8 * i, w[i]);
}

static void iret_to_user(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&fx);
    fx.v.regs.rsp = sp;
    fx.vi.evtchn_upcall_mask = 1;
    put_iret(&fx, sp, 0xaa, 0xbb, 0xcc, 0, URIP, FLAT_USER_CS64, 0x3246 | EF_VM | EF_TF,
             URSP, FLAT_USER_SS);
    EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_RESUME, "3: iret to user mode");
    OK(!fx.v.kernel_mode && o.mode_changed, "3: CS RPL 3 switches to user mode");
    EQ(fx.v.regs.rip, URIP, "3: rip restored");
    EQ(fx.v.regs.cs, 0xe033, "3: cs restored");
    EQ(fx.v.regs.rsp, URSP, "3: rsp restored");
    EQ(fx.v.regs.ss, FLAT_USER_SS, "3: ss restored");
    EQ(fx.v.regs.rax, 0xaa, "3: rax restored");
    EQ(fx.v.regs.rcx, 0xcc, "3: without VGCF_in_syscall rcx restored");
    EQ(fx.v.regs.r11, 0xbb, "3: without VGCF_in_syscall r11 restored");
    EQ(fx.v.regs.in_syscall, 0, "3: without VGCF_in_syscall: full IRET semantics");
    EQ(fx.v.regs.rflags, 0x0246 | EF_TF, "3: rflags: IOPL and VM dropped, IF forced on, TF kept");
    EQ(fx.vi.evtchn_upcall_mask, 0, "3: event mask = !IF (IF set -> unmasked)");
    fixture_free(&fx);
}

static void iret_in_syscall(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&fx);
    fx.v.regs.rsp = sp;
    fx.v.regs.rcx = 0x77;
    fx.v.regs.r11 = 0x88;
    put_iret(&fx, sp, 1, 0xbb, 0xcc, VGCF_in_syscall, URIP, FLAT_USER_CS64, 0x46, URSP, FLAT_USER_SS);
    hv_do_iret(&fx.v, &fx.m, &o);
    EQ(fx.v.regs.rcx, 0x77, "3: VGCF_in_syscall: rcx not restored");
    EQ(fx.v.regs.r11, 0x88, "3: VGCF_in_syscall: r11 not restored");
    EQ(fx.v.regs.in_syscall, 1, "3: VGCF_in_syscall: SYSRET semantics (rcx=rip, r11=rflags)");
    EQ(fx.vi.evtchn_upcall_mask, 1, "3: IF clear in the context -> events masked");
    fixture_free(&fx);
}

static void iret_to_kernel_forces_rpl3(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&fx);
    fx.v.regs.rsp = sp;
    put_iret(&fx, sp, 1, 0, 0, 0, KRIP, 0xe030, 0x246, KRSP, FLAT_KERNEL_SS & ~3);
    hv_do_iret(&fx.v, &fx.m, &o);
    OK(fx.v.kernel_mode && !o.mode_changed, "3: CS RPL 0 stays in kernel mode");
    EQ(fx.v.regs.cs, 0xe033, "3: cs forced to RPL 3");
    EQ(fx.v.regs.ss, FLAT_KERNEL_SS, "3: ss forced to RPL 3");
    fixture_free(&fx);
}

static void iret_to_user_without_user_table(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&fx);
    fx.v.user_pt_present = false;
    fx.v.regs.rsp = sp;
    put_iret(&fx, sp, 1, 0, 0, 0, URIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS);
    EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_CRASH, "3: to user mode without a user page table crashes");
    OK(o.reason && strstr(o.reason, "user page table"), "3: reason: %s", o.reason ? o.reason : "null");
    fixture_free(&fx);
}

static void iret_unreadable_context(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    fx.v.regs.rsp = 0xffffffff90000000ull;
    EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_CRASH, "3: unreadable iret_context crashes");
    fixture_free(&fx);
}

static void iret_virtual_iopl(void)
{
    struct fixture fx;
    struct hv_outcome o;
    uint64_t sp = KSTACK_TOP - 0x100;

    fixture_init(&fx);
    fx.v.arch_iopl = true;
    fx.v.regs.rsp = sp;
    put_iret(&fx, sp, 1, 0, 0, 0, KRIP, 0xe030, 0x1246, KRSP, FLAT_KERNEL_SS);
    hv_do_iret(&fx.v, &fx.m, &o);
    EQ(fx.v.iopl, 0x1000, "3: architectural_iopl: virtual IOPL taken from the context");
    EQ(fx.v.regs.rflags & EF_IOPL, 0, "3: live IOPL stays 0");
    fixture_free(&fx);
}

/* Round trip: bounce from user, iret back. */
static void iret_round_trip(void)
{
    struct fixture fx;
    struct hv_outcome o;

    fixture_init(&fx);
    enter(&fx, true);
    {
        struct hv_event e = ev_exc(HV_EXC_UD, true, 0);
        run(&fx, &e, &o);
        /* The guest handler pops RCX/R11 (+16) and issues HYPERVISOR_iret
         * with rax/r11/rcx/flags pushed: build that context below. */
        uint64_t top = o.frame + 16;        /* RIP slot */
        put_iret(&fx, top - 32, 5, GUEST_R11, GUEST_RCX, 0,
                 fake_word(&fx.fm, top), fake_word(&fx.fm, top + 8),
                 fake_word(&fx.fm, top + 16), fake_word(&fx.fm, top + 24),
                 fake_word(&fx.fm, top + 32));
        fx.v.regs.rsp = top - 32;
        EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_RESUME, "3: round trip: iret with the bounce frame's words");
        OK(!fx.v.kernel_mode && fx.v.regs.rip == URIP && fx.v.regs.rsp == URSP &&
           fx.v.regs.cs == 0xe033 && fx.v.regs.rcx == GUEST_RCX,
           "3: round trip returns to the interrupted user context");
    }
    fixture_free(&fx);
}

static void iret_rules(void)
{
    iret_to_user();
    iret_in_syscall();
    iret_to_kernel_forces_rpl3();
    iret_to_user_without_user_table();
    iret_unreadable_context();
    iret_virtual_iopl();
    iret_round_trip();
}

/* ---- section 5: software interrupts ---- */

/* INT3 / INT $3 / INTO / INT $4: vDPL ignored. */
static void softint_int3_into_ignore_vdpl(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    set_trap(&fx.v, 3, 0, false, H(3));
    set_trap(&fx.v, 4, 0, false, H(4));
    enter(&fx, true);
    e = ev_make(HV_ET_SW_EXC, 3, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 1;
    EQ(run(&fx, &e, &o), HV_RESUME, "5: INT3 from user with vDPL 0 is delivered");
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_TRAP && o.vector == 3 && f.rip == URIP + 1 && !o.has_error_code,
       "5: INT3 -> #BP trap, RIP after the instruction, no error code");
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 3, true, HV_DELIVERY_FRED, 2);
    e.rip = URIP + 2;
    run(&fx, &e, &o);
    OK(o.action == HV_RESUME && o.vector == 3 && read_frame(&fx, &o, false).rip == URIP + 2,
       "5: INT $3 (FRED SW_INT 3) -> #BP, vDPL ignored");
    enter(&fx, true);
    e = ev_make(HV_ET_SW_EXC, 4, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 1;
    run(&fx, &e, &o);
    OK(o.action == HV_RESUME && o.vector == 4 && fx.v.regs.rip == H(4), "5: INTO -> #OF trap, vDPL ignored");
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 4, true, HV_DELIVERY_FRED, 2);
    run(&fx, &e, &o);
    OK(o.action == HV_RESUME && o.vector == 4, "5: INT $4 -> #OF, vDPL ignored");
    fixture_free(&fx);
}

/* ICEBP: no DPL check. */
static void softint_icebp(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_make(HV_ET_PRIV_SW_EXC, 1, true, HV_DELIVERY_FRED, 1);
    e.rip = URIP + 1;
    run(&fx, &e, &o);
    OK(o.action == HV_RESUME && o.vector == 1 && read_frame(&fx, &o, false).rip == URIP + 1,
       "5: ICEBP from user -> #DB trap with vDPL 0");
    fixture_free(&fx);
}

/* INT $N permission: kernel needs vDPL >= 1, user vDPL == 3. */
static void softint_int_n_permission(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    {
        static const struct { bool user; uint8_t dpl; bool ok; } p[] = {
            { false, 0, false }, { false, 1, true }, { false, 2, true }, { false, 3, true },
            { true, 0, false },  { true, 1, false }, { true, 2, false }, { true, 3, true },
        };
        for (unsigned int d = 0; d < 2; d++) {
            uint8_t del = d ? HV_DELIVERY_FRED : HV_DELIVERY_IDT;
            for (unsigned int i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
                uint64_t start = p[i].user ? URIP : KRIP;
                fixture_init(&fx);
                set_trap(&fx.v, 0x40, p[i].dpl, false, H(0x40));
                enter(&fx, p[i].user);
                e = ev_make(HV_ET_SW_INT, 0x40, p[i].user, del, 2);
                e.rip = start + 2;
                run(&fx, &e, &o);
                f = read_frame(&fx, &o, false);
                if (p[i].ok)
                    OK(o.action == HV_RESUME && o.vector == 0x40 && !o.has_error_code &&
                       f.rip == start + 2,
                       "5: %s INT $0x40 from %s, vDPL %u: delivered, RIP after", d ? "FRED" : "IDT",
                       p[i].user ? "user" : "kernel", p[i].dpl);
                else
                    OK(o.action == HV_RESUME && o.vector == 13 && o.has_error_code &&
                       f.ec == 0x40 * 8 + 2 && f.rip == start,
                       "5: %s INT $0x40 from %s, vDPL %u: #GP(0x202) at the instruction", d ? "FRED" : "IDT",
                       p[i].user ? "user" : "kernel", p[i].dpl);
                fixture_free(&fx);
            }
        }
    }

    /* Prefixed INT $N (3 bytes): IDT rewinds 2, FRED the full length. */
    fixture_init(&fx);
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 2;                       /* IDT decode: #GP rip + 2 */
    run(&fx, &e, &o);
    EQ(read_frame(&fx, &o, false).rip, URIP, "5: IDT refused INT $N: RIP = reported - 2");
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_FRED, 3);
    e.rip = URIP + 3;
    run(&fx, &e, &o);
    EQ(read_frame(&fx, &o, false).rip, URIP, "5: FRED refused prefixed INT $N: RIP rewound by 3 to the start");
    fixture_free(&fx);
}

/* Permitted INT $N with no handler. */
static void softint_int_n_no_handler(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    fx.v.trap_ctxt[0x41].flags = 3;
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x41, true, HV_DELIVERY_FRED, 2);
    EQ(run(&fx, &e, &o), HV_CRASH, "5: permitted INT $N with address 0 crashes the domain");
    fixture_free(&fx);
}

/* INT $0x80. */
static void softint_int80(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    set_trap(&fx.v, 0x80, 0, true, H(0x80));
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 2;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.action == HV_RESUME && o.vector == 0x80 && f.rip == URIP + 2 && !o.has_error_code,
       "5: IDT INT $0x80 with an address: delivered directly, vDPL 0 ignored");
    EQ(fx.vi.evtchn_upcall_mask, 1, "5: INT $0x80 direct trap honours TI_GET_IF");
    fx.vi.evtchn_upcall_mask = 0;
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 2);
    e.rip = URIP + 2;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.vector == 13 && f.ec == 0x402 && f.rip == URIP,
       "5: FRED INT $0x80 with vDPL 0: vDPL checked -> #GP(0x402) at the instruction");
    set_trap(&fx.v, 0x80, 3, false, H(0x80));
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 2);
    e.rip = URIP + 2;
    run(&fx, &e, &o);
    OK(o.vector == 0x80 && read_frame(&fx, &o, false).rip == URIP + 2,
       "5: FRED INT $0x80 with vDPL 3: delivered");
    fixture_free(&fx);
}

static void softint_int80_without_address(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 3;                       /* a 3-byte prefixed INT $0x80 */
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.vector == 13 && f.ec == 0x402 && f.rip == URIP + 1,
       "5: IDT INT $0x80 without an address: #GP(0x402), RIP = end - 2");
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 3);
    e.rip = URIP + 3;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.vector == 13 && f.ec == 0x402 && f.rip == URIP,
       "5: FRED INT $0x80 without an address: #GP(0x402), RIP = start");
    fixture_free(&fx);
}

/* Option: Xen >= 4.22 IDT behaviour, full length of a permitted INT. */
static void softint_full_length_option(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    {
        uint8_t *code = fake_mem_add(&fx.fm, 0x400000, 0x2000, false);
        code[0x1000] = 0x66; code[0x1001] = 0xcd; code[0x1002] = 0x40;   /* at URIP */
        code[0x1010] = 0x90; code[0x1011] = 0x90;                       /* not INT */
    }
    fx.v.idt_int_full_len = true;
    set_trap(&fx.v, 0x40, 3, false, H(0x40));
    enter(&fx, true);
    e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_IDT, 0);
    e.rip = URIP + 2;
    run(&fx, &e, &o);
    EQ(read_frame(&fx, &o, false).rip, URIP + 3, "5: idt_int_full_len: permitted 66 CD 40 resumes after 3 bytes");
    enter(&fx, true);
    e.rip = URIP + 0x10 + 2;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.vector == 13 && f.ec == 0x202 && f.rip == URIP + 0x10,
       "5: idt_int_full_len: not an INT at rip -> the original #GP");
    fixture_free(&fx);
}

static void softint_rules(void)
{
    softint_int3_into_ignore_vdpl();
    softint_icebp();
    softint_int_n_permission();
    softint_int_n_no_handler();
    softint_int80();
    softint_int80_without_address();
    softint_full_length_option();
}

/* ---- section 6: SYSCALL and SYSENTER ---- */

static struct hv_event ev_syscall(bool l64, uint8_t delivery, uint8_t len)
{
    struct hv_event e = ev_make(HV_ET_OTHER, HV_OTHER_SYSCALL, true, delivery, len);

    e.rip = URIP + len;
    e.l64 = l64;
    e.cs = l64 ? FLAT_KERNEL_CS64 : FLAT_USER_CS32;
    e.ss = l64 ? FLAT_KERNEL_SS : FLAT_USER_SS32;
    e.rflags = 0x202 | EF_DF;
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
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&fx);
    fx.v.syscall_callback = CB_SYSCALL;
    fx.v.syscall_mask = true;
    enter(&fx, true);
    e = ev_syscall(true, del, 2);
    EQ(run(&fx, &e, &o), HV_RESUME, "6: %s SYSCALL from 64-bit user bounces", dn);
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_SYSCALL && fx.v.regs.rip == CB_SYSCALL, "6: %s to the syscall callback", dn);
    EQ(o.frame, SWSTACK_TOP - 56, "6: %s on the stack_switch stack", dn);
    EQ(f.rcx, URIP + 2, "6: %s frame RCX = user rip", dn);
    EQ(f.r11, 0x202 | EF_DF, "6: %s frame R11 = user rflags", dn);
    EQ(f.rip, URIP + 2, "6: %s frame RIP = user rip (after SYSCALL)", dn);
    EQ(f.cs, 0xe033, "6: %s frame CS = user CS", dn);
    EQ(f.rsp, URSP, "6: %s frame RSP = user rsp", dn);
    EQ(f.ss, FLAT_USER_SS, "6: %s frame SS", dn);
    /* Xen fact: the IDT path clears DF after writing the frame, the
     * FRED path before. */
    EQ(f.rflags & EF_DF, d ? 0 : EF_DF, "6: %s frame RFLAGS.DF %s", dn, d ? "clear (cleared before the frame)" : "= user DF (cleared after the frame)");
    EQ(fx.v.regs.rflags & EF_DF, 0, "6: %s DF clear in the handler", dn);
    EQ(fx.vi.evtchn_upcall_mask, 1, "6: %s CALLBACKF_mask_events masks", dn);
    OK(fx.v.kernel_mode, "6: %s now in kernel mode", dn);
    fixture_free(&fx);
}

static void syscall_from_compat_user(unsigned int d)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&fx);
    fx.v.syscall_callback = CB_SYSCALL;
    fx.v.syscall32_callback = CB_SYSCALL32;
    enter(&fx, true);
    e = ev_syscall(false, del, 2);
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_SYSCALL32 && fx.v.regs.rip == CB_SYSCALL32 && f.cs == 0xe023 &&
       f.ss == FLAT_USER_SS32, "6: %s compat SYSCALL -> syscall32 callback, CS 0xe023", dn);
    EQ(fx.vi.evtchn_upcall_mask, 0, "6: %s without CALLBACKF_mask_events events stay on", dn);
    fixture_free(&fx);
}

static void syscall_from_kernel_is_hypercall(unsigned int d)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&fx);
    enter(&fx, false);
    fx.v.regs.rax = 17;
    e = ev_syscall(true, del, 2);
    e.mode = HV_MODE_KERNEL;
    e.rip = KRIP + 2;
    EQ(run(&fx, &e, &o), HV_HYPERCALL, "6: %s SYSCALL from guest kernel is a hypercall", dn);
    OK(fx.v.regs.rax == 17 && fx.v.regs.rcx == KRIP + 2 && fx.v.regs.r11 == e.rflags &&
       fx.v.regs.rip == KRIP + 2 && fx.v.regs.in_syscall && fx.fm.writes == 0,
       "6: %s hypercall: rax kept, rcx/r11 = rip/rflags, nothing written", dn);
    fixture_free(&fx);
}

/* Not registered: #UD; prefixed (3 bytes) shows the rewind. */
static void syscall_unregistered(unsigned int d)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    for (uint8_t len = 2; len <= 3; len++) {
        fixture_init(&fx);
        enter(&fx, true);
        e = ev_syscall(true, del, len);
        run(&fx, &e, &o);
        f = read_frame(&fx, &o, false);
        OK(o.action == HV_RESUME && o.vector == HV_EXC_UD && !o.has_error_code,
           "6: %s unregistered SYSCALL (len %u) -> #UD", dn, len);
        EQ(f.rip, d ? URIP : URIP + len - 2, "6: %s #UD RIP %s", dn, d ? "= start" : "= end - 2");
        OK(f.rflags & EF_DF && fx.v.regs.rflags & EF_DF, "6: %s #UD path leaves DF alone", dn);
        fixture_free(&fx);
    }
}

/* SYSENTER. */
static void sysenter(unsigned int d)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&fx);
    fx.v.sysenter_callback = CB_SYSENTER;
    fx.v.sysenter_mask = true;
    enter(&fx, true);
    e = ev_make(HV_ET_OTHER, HV_OTHER_SYSENTER, true, del, 2);
    e.rip = 0; e.cs = 3; e.rsp = 0; e.ss = FLAT_USER_SS; e.l64 = false;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.via == HV_VIA_SYSENTER && fx.v.regs.rip == CB_SYSENTER, "6: %s SYSENTER -> sysenter callback", dn);
    OK(f.rip == 0 && f.cs == 3 && f.rsp == 0 && f.ss == FLAT_USER_SS,
       "6: %s SYSENTER frame: RIP 0, CS 3, RSP 0", dn);
    EQ(fx.vi.evtchn_upcall_mask, 1, "6: %s SYSENTER CALLBACKF_mask_events", dn);
    fixture_free(&fx);
}

static void sysenter_unregistered(unsigned int d)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;
    uint8_t del = delivery_of(d);
    const char *dn = delivery_name(d);

    fixture_init(&fx);
    enter(&fx, true);
    e = ev_make(HV_ET_OTHER, HV_OTHER_SYSENTER, true, del, 2);
    e.rip = 0; e.cs = 3; e.rsp = 0; e.ss = FLAT_USER_SS; e.l64 = false;
    run(&fx, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.vector == HV_EXC_GP && o.has_error_code && f.ec == 0 && f.rip == 0 && f.cs == 3,
       "6: %s unregistered SYSENTER -> #GP(0) with the null frame", dn);
    fixture_free(&fx);
}

static void syscall_rules(void)
{
    for (unsigned int d = 0; d < 2; d++) {
        syscall_from_user64(d);
        syscall_from_compat_user(d);
        syscall_from_kernel_is_hypercall(d);
        syscall_unregistered(d);
        sysenter(d);
        sysenter_unregistered(d);
    }
}

/* ---- the way back: hv_prepare_exit, hv_exit_faulted ---- */

#define NC_RIP 0x8000000000001000ull        /* non-canonical */

/* A fault hv took at its own exit instruction (ring 0). */
static struct hv_event ev_exit_fault(uint8_t type, uint8_t vec, uint32_t ec)
{
    struct hv_event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.vector = vec;
    e.delivery = HV_DELIVERY_IDT;
    e.has_error_code = (HV_EXC_HAVE_EC >> vec) & 1;
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

static void set_regs(struct hv_vcpu *v, uint64_t rip, uint64_t cs, uint64_t rflags,
                     uint64_t rsp, uint64_t ss, bool in_syscall)
{
    v->regs.rip = rip;
    v->regs.cs = cs;
    v->regs.rflags = rflags;
    v->regs.rsp = rsp;
    v->regs.ss = ss;
    v->regs.in_syscall = in_syscall;
    v->regs.rcx = GUEST_RCX;
    v->regs.r11 = GUEST_R11;
}

/* IDT, in_syscall, canonical: SYSRETQ takes its selectors from STAR. */
static void exit_idt_sysret_selectors(void)
{
    struct fixture fx;

    fixture_init(&fx);
    set_regs(&fx.v, URIP, 0xe02b, 0x3246 | EF_RF | EF_VM, URSP, 3, true);
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    EQ(fx.v.regs.rflags, 0x0246, "exit: SYSRET rflags: IOPL, VM dropped, IF set, RF clear");
    EQ(fx.v.regs.rcx, URIP, "exit: SYSRET rcx = rip");
    EQ(fx.v.regs.r11, 0x0246 | EF_RF, "exit: SYSRET r11 = rflags (RF kept there)");
    EQ(fx.v.regs.cs, FLAT_USER_CS64, "exit: SYSRETQ cs 0xe033 whatever the frame said");
    EQ(fx.v.regs.ss, FLAT_USER_SS, "exit: SYSRET ss 0xe02b whatever the frame said");
    EQ(fx.v.regs.rip, URIP, "exit: SYSRETQ rip unchanged");
    fixture_free(&fx);
}

static void exit_idt_sysret_compat(void)
{
    struct fixture fx;

    fixture_init(&fx);
    set_regs(&fx.v, 0x100001000ull, FLAT_USER_CS32, 0x202, URSP, FLAT_USER_SS32, true);
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    OK(fx.v.regs.cs == FLAT_USER_CS32 && fx.v.regs.rip == 0x1000 && fx.v.regs.rcx == 0x100001000ull,
       "exit: SYSRETL to compat: cs 0xe023, rip = low 32 bits of rcx");
    fixture_free(&fx);
}

/* Non-canonical: Xen takes IRET even with TRAP_syscall, rcx = rip. */
static void exit_non_canonical_takes_iret(void)
{
    struct fixture fx;

    fixture_init(&fx);
    set_regs(&fx.v, NC_RIP, 0xe02b, 0x202 | EF_RF, URSP, 3, true);
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    OK(fx.v.regs.rip == NC_RIP && fx.v.regs.cs == 0xe02b && fx.v.regs.ss == 3 &&
       fx.v.regs.rflags == (0x202 | EF_RF),
       "exit: in_syscall, non-canonical rip: IRET with the frame as it is");
    OK(fx.v.regs.rcx == NC_RIP && fx.v.regs.r11 == (0x202 | EF_RF),
       "exit: in_syscall, non-canonical rip: rcx = rip, r11 = rflags all the same");
    fixture_free(&fx);
}

/* FRED: always ERETU with the frame's selectors. */
static void exit_fred_eretu(void)
{
    struct fixture fx;

    fixture_init(&fx);
    set_regs(&fx.v, URIP, 0xe02b, 0x202, URSP, 3, true);
    hv_prepare_exit(&fx.v, HV_DELIVERY_FRED);
    OK(fx.v.regs.cs == 0xe02b && fx.v.regs.ss == 3 && fx.v.regs.rcx == URIP && fx.v.regs.r11 == 0x202,
       "exit: FRED in_syscall: ERETU keeps cs/ss, rcx/r11 = rip/rflags");
    fixture_free(&fx);
}

static void exit_without_in_syscall(void)
{
    struct fixture fx;

    fixture_init(&fx);
    set_regs(&fx.v, URIP, FLAT_USER_CS64, 0x0, URSP, FLAT_USER_SS, false);
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    OK(fx.v.regs.rcx == GUEST_RCX && fx.v.regs.r11 == GUEST_R11 && fx.v.regs.rflags == 0x202,
       "exit: without in_syscall rcx/r11 are the guest's; rflags gets IF and bit 1");
    fixture_free(&fx);
}

/*
 * The guest kernel irets to user mode at a non-canonical rip (no
 * VGCF_in_syscall); IRETQ raises #GP(0).  Xen 4.17: #GP(0) to the
 * kernel, frame = the user context being returned to.
 */
static void exit_fault_non_canonical_user_rip(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    {
        uint64_t sp = KSTACK_TOP - 0x100;

        fx.v.regs.rsp = sp;
        put_iret(&fx, sp, 0xaa, 0xbb, 0xcc, 0, NC_RIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS);
        EQ(hv_do_iret(&fx.v, &fx.m, &o), HV_RESUME, "exit: iret to a non-canonical user rip is accepted");
        OK(!fx.v.kernel_mode, "exit: ... and switched to user mode");
        hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
        e = ev_exit_fault(HV_ET_HW_EXC, HV_EXC_GP, 0);
        EQ(hv_exit_faulted(&fx.v, &fx.m, &e, &o), HV_RESUME, "exit: #GP(0) at IRETQ goes to the guest");
        OK(o.via == HV_VIA_TRAP && o.vector == HV_EXC_GP && o.has_error_code && o.error_code == 0,
           "exit: through trap_ctxt[13] with error code 0");
        OK(fx.v.kernel_mode && o.mode_changed, "exit: back to guest kernel mode (switch page tables)");
        EQ(o.frame, SWSTACK_TOP - 8 * 8, "exit: frame on the stack_switch stack, 8 words");
        f = read_frame(&fx, &o, false);
        EQ(f.rip, NC_RIP, "exit: frame RIP is the non-canonical target");
        EQ(f.cs, FLAT_USER_CS64, "exit: frame CS is the user's 0xe033, mask 0");
        EQ(f.rflags, 0x246, "exit: frame RFLAGS as returned to (IF = events unmasked)");
        OK(f.rsp == URSP && f.ss == FLAT_USER_SS, "exit: frame RSP/SS the user's");
        OK(f.rcx == 0xcc && f.r11 == 0xbb, "exit: frame RCX/R11 from the iret context");
        EQ(f.ec, 0, "exit: frame error code 0");
        OK(fx.v.regs.rip == H(HV_EXC_GP) && fx.v.regs.cs == FLAT_KERNEL_CS && fx.v.regs.rsp == o.frame,
           "exit: guest resumes at its #GP handler");
    }
    fixture_free(&fx);
}

/* A SYSCALL-style return (VGCF_in_syscall) to a non-canonical rip:
 * RCX/R11 in the frame are rip/rflags, as Xen loads them before IRET. */
static void exit_fault_in_syscall_return(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    set_regs(&fx.v, NC_RIP, FLAT_USER_CS64, 0x246, URSP, FLAT_USER_SS, true);
    fx.v.kernel_mode = false;
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    e = ev_exit_fault(HV_ET_HW_EXC, HV_EXC_GP, 0);
    hv_exit_faulted(&fx.v, &fx.m, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.action == HV_RESUME && f.rip == NC_RIP && f.rcx == NC_RIP && f.r11 == 0x246,
       "exit: in_syscall to a non-canonical rip: #GP(0), frame RCX = rip, R11 = rflags");
    fixture_free(&fx);
}

/* Bad selectors: the CPU's #GP(sel) / #NP / #SS reach the guest. */
static void exit_fault_data_selector_as_cs(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    fixture_init(&fx);
    set_regs(&fx.v, URIP, 0xe02b, 0x202, URSP, FLAT_USER_SS, false);
    fx.v.kernel_mode = false;
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    e = ev_exit_fault(HV_ET_HW_EXC, HV_EXC_GP, 0xe028);
    hv_exit_faulted(&fx.v, &fx.m, &e, &o);
    f = read_frame(&fx, &o, false);
    OK(o.action == HV_RESUME && o.vector == HV_EXC_GP && f.ec == 0xe028 && f.cs == 0xe02b && f.rip == URIP,
       "exit: data selector as CS: #GP(0xe028), frame CS the bad selector");
    fixture_free(&fx);
}

static void exit_fault_null_ss(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    fixture_init(&fx);
    set_regs(&fx.v, URIP, FLAT_USER_CS64, 0x202, URSP, 3, false);
    fx.v.kernel_mode = false;
    hv_prepare_exit(&fx.v, HV_DELIVERY_IDT);
    e = ev_exit_fault(HV_ET_HW_EXC, HV_EXC_GP, 0);
    EQ(hv_exit_faulted(&fx.v, &fx.m, &e, &o), HV_RESUME, "exit: null SS to ring 3: #GP(0) is the guest's");
    fixture_free(&fx);
}

static void exit_fault_np_ss_and_bad_state(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;
    struct frame f;

    for (uint8_t vec = HV_EXC_NP; vec <= HV_EXC_SS; vec++) {
        fixture_init(&fx);
        set_regs(&fx.v, KRIP, FLAT_KERNEL_CS, 0x202, KRSP, FLAT_KERNEL_SS, false);
        e = ev_exit_fault(HV_ET_HW_EXC, vec, 0xe050);
        hv_exit_faulted(&fx.v, &fx.m, &e, &o);
        f = read_frame(&fx, &o, false);
        OK(o.action == HV_RESUME && o.vector == vec && f.ec == 0xe050,
           "exit: #%s(sel) delivered with its error code", vec == HV_EXC_NP ? "NP" : "SS");
        OK(o.frame == (KRSP & ~15ull) - 8 * 8 && f.cs == 0xe030 && !o.mode_changed,
           "exit: returning to guest kernel: frame on its own stack, CS RPL 0");
        fixture_free(&fx);
    }

    /* A state hv should never have made: crash, as Xen's "Bad return state". */
    fixture_init(&fx);
    set_regs(&fx.v, URIP, FLAT_USER_CS64, 0x3202, URSP, FLAT_USER_SS, false);
    e = ev_exit_fault(HV_ET_HW_EXC, HV_EXC_GP, 0);
    EQ(hv_exit_faulted(&fx.v, &fx.m, &e, &o), HV_CRASH, "exit: #GP(0) with IOPL 3 in the exit state: crash");
    OK(o.reason && strstr(o.reason, "bad return state"), "exit: reason: %s", o.reason ? o.reason : "null");
    EQ(fx.fm.writes, 0, "exit: nothing written to the guest");
    fixture_free(&fx);
}

/* Not the guest's: hv's own bug. */
static void exit_fault_not_the_guests(void)
{
    struct fixture fx;
    struct hv_outcome o;
    struct hv_event e;

    {
        static const struct { uint8_t type, vec; const char *what; } bad[] = {
            { HV_ET_HW_EXC, HV_EXC_PF, "#PF (hv's GDT is always mapped)" },
            { HV_ET_HW_EXC, HV_EXC_UD, "#UD" },
            { HV_ET_HW_EXC, HV_EXC_TS, "#TS" },
            { HV_ET_NMI, HV_EXC_NMI, "an NMI" },
            { HV_ET_SW_EXC, HV_EXC_BP, "INT3" },
        };
        for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            fixture_init(&fx);
            set_regs(&fx.v, NC_RIP, FLAT_USER_CS64, 0x202, URSP, FLAT_USER_SS, false);
            fx.v.kernel_mode = false;
            e = ev_exit_fault(bad[i].type, bad[i].vec, 0);
            EQ(hv_exit_faulted(&fx.v, &fx.m, &e, &o), HV_NOT_GUEST, "exit: %s at the exit is not the guest's", bad[i].what);
            OK(fx.fm.writes == 0 && !fx.v.kernel_mode, "exit: ... guest untouched");
            fixture_free(&fx);
        }
    }
}

static void exit_rules(void)
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

/* ---- section 7: event, failsafe, NMI ---- */

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

static void callback_rules(void)
{
    callback_event_delivery();
    callback_event_without_callback();
    callback_failsafe_frame();
    callback_nmi_before_event();
}

/*
 * ---- the virtual NMI (Xen 4.17: process_nmi in entry.S, do_iret's
 * async_exception_cleanup) ----
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

static void nmi_rules(void)
{
    nmi_delivered();
    nmi_any_iret_unmasks();
    nmi_dropped_without_address();
    nmi_event_stacked_on_nmi();
    nmi_from_user();
    nmi_unwritable_stack();
}

void test_bounce(void)
{
    tap_diag("bounce builder: pv-traps-abi.md sections 2, 3, 5, 6, 7, and the way back");
    frame_rules();
    iret_rules();
    softint_rules();
    syscall_rules();
    exit_rules();
    callback_rules();
    nmi_rules();
}
