/*
 * core/bounce.c - decide what a PV guest sees for an event, and build the
 * bounce frame on its kernel stack.  The one builder both front ends use.
 *
 * ABI carried: Documentation/pv-abi.md sections 2, 3, 5-10, following Xen:
 * x86_64/entry.S (create_bounce_frame, switch_to_kernel, sysenter_entry,
 * entry_int80), traps.c (do_general_protection, entry_from_pv for FRED),
 * pv/traps.c (pv_inject_event), pv/iret.c (do_iret), domain.c
 * (load_segments: the failsafe frame); and the way back to the guest:
 * restore_all_guest (IRET or SYSRET) / eretu_exit_to_guest (FRED), and a
 * fault of that exit (the IRETQ's pre-exception-table fixup in 4.17,
 * handle_eretu_event in master).
 *
 * The bounce frame, written below the 16-byte aligned top of the target
 * stack (lowest address first, one 8-byte word each):
 *
 *   new rsp ->  RCX        interrupted %rcx
 *               R11        interrupted %r11
 *               [errcode]  zero-extended, only if the event has one
 *               [DS ES FS GS]  failsafe frames only
 *               RIP
 *               CS         bits 15:0 selector (RPL 0 if the guest was in
 *                          kernel mode), bits 39:32 upcall mask before
 *               RFLAGS     IF = !mask before, IOPL = virtual IOPL
 *               RSP
 *               SS
 *   top     ->  (old rsp & ~15, or kernel_sp & ~15 from user mode)
 *
 * HV_TEST_BROKEN_MODEL (host unit tests only, core.mk): a deliberately
 * wrong model (here and in hypercall_check.c), which the unit tests must
 * catch (tests/unit/check-broken-model.sh).
 */
#include "bounce.h"
#include <x86/eflags.h>
#include <xen/xen.h>

#define EF_ALL   0x003f7fd5ull   /* every architectural flag (Xen's)    */

#define PFEC_USER 4u             /* #PF error code: access from user   */

/* %dr6 bits the builder merges (B0-B3 replaced, BD/BS/BT accumulate). */
#define DR6_BP_MASK 0xfull
#define DR6_KNOWN   (DR6_BP_MASK | (1ull << 13) | (1ull << 14) | (1ull << 15))

static void outcome_init(struct hv_outcome *out)
{
    *out = (struct hv_outcome){ .action = HV_RESUME, .via = HV_VIA_NONE };
}

static int crash(struct hv_outcome *out, const char *why)
{
    out->action = HV_CRASH;
    out->reason = why;
    return HV_CRASH;
}

void hv_vcpu_init(struct hv_vcpu *v, struct vcpu_info *vi)
{
    __builtin_memset(v, 0, sizeof(*v));
    v->kernel_mode = true;
    v->vcpu_info = vi;
    v->dr6 = HV_DR6_DEFAULT;
    if (vi)
        vi->evtchn_upcall_mask = 1;
}

int hv_create_bounce_frame(struct hv_vcpu *v, const struct hv_guest_mem *m,
                           const struct hv_trap_bounce *tb,
                           struct hv_outcome *out)
{
    struct vcpu_info *vi = v->vcpu_info;
    uint64_t w[11], *p = &w[11], sp, cs = v->regs.cs & 0xffff, rflags, frame;
    uint8_t saved_mask;

    /* Where: the current stack in kernel mode, else the stack_switch one. */
    if (v->kernel_mode) {
        sp = v->regs.rsp;
        cs &= ~3ull;                        /* tell the guest: from kernel */
    } else {
        v->kernel_mode = true;              /* toggle_guest_mode()         */
        out->mode_changed = true;
        sp = v->kernel_sp;
    }
    sp &= ~15ull;                           /* frames are 16-byte aligned  */

    /* Xen refuses a top of stack inside its own area (or just above). */
    if (sp > HYPERVISOR_VIRT_START && sp < HYPERVISOR_VIRT_END + 8 * 8)
        return crash(out, "bounce frame: guest stack in the hypervisor area");
    if (tb->eip == 0)
        return crash(out, "bounce frame: null handler address");

    /* RFLAGS: IF carries !mask, IOPL the virtual IOPL. */
    saved_mask = vi->evtchn_upcall_mask;
    rflags = v->regs.rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL);
    if (!saved_mask)
        rflags |= X86_EFLAGS_IF;
    if (v->arch_iopl)
        rflags |= v->iopl & X86_EFLAGS_IOPL;

    /* The words from the top down (as Xen writes them), so the optional
     * ones need no shifting; p ends at the RCX slot. */
    *--p = v->regs.ss & 0xffff;
    *--p = v->regs.rsp;
    *--p = rflags;
    *--p = cs | ((uint64_t)saved_mask << 32);
    *--p = v->regs.rip;
    if (tb->failsafe) {
        *--p = tb->gs;
        *--p = tb->fs;
        *--p = tb->es;
        *--p = tb->ds;
    }
    if (tb->has_error_code)
        *--p = tb->error_code;
    *--p = v->regs.r11;
    *--p = v->regs.rcx;

    frame = sp - (uint64_t)(&w[11] - p) * 8;
    if (m->write(m->ctx, frame, p, (size_t)(&w[11] - p) * 8) != 0)
        return crash(out, "bounce frame: guest kernel stack not writable");

    if (tb->mask_events)
        vi->evtchn_upcall_mask = 1;

    /*
     * The handler's context.  TF, NT, RF, VM, AC cleared as on a real
     * trap; the live flags keep IF set and IOPL 0 (the guest's own IF is
     * the event mask, its IOPL is virtual).  SYSRET semantics allowed:
     * the frame holds the real %rcx/%r11.
     */
    v->regs.rflags &= ~(X86_EFLAGS_AC | X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT | X86_EFLAGS_TF | X86_EFLAGS_IOPL);
    v->regs.rflags |= X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.ss = FLAT_KERNEL_SS;
    v->regs.rsp = frame;
    v->regs.cs = FLAT_KERNEL_CS;
    v->regs.rip = tb->eip;
    v->regs.in_syscall = 1;

    out->frame = frame;
    out->has_error_code = tb->has_error_code;
    out->error_code = tb->has_error_code ? tb->error_code : 0;
    return HV_RESUME;
}

/* Xen's pv_inject_event() for a hardware exception (or INT3/INTO/INT1). */
static int exception(struct hv_vcpu *v, const struct hv_guest_mem *m,
                     uint8_t vector, bool has_ec, uint32_t ec, uint64_t data,
                     struct hv_outcome *out)
{
    const struct trap_info *ti = &v->trap_ctxt[vector];
    struct hv_trap_bounce tb = { 0 };

    /* The error code slot exists exactly for the vectors that have one. */
    has_ec = vector < 32 && X86_EXC_HAS_EC(vector);
#ifdef HV_TEST_BROKEN_MODEL
    has_ec = has_ec && vector < 20;     /* forgets #CP, #VC, #SX */
#endif
    if (!has_ec)
        ec = 0;

    if (vector == X86_EXC_PF) {
        v->vcpu_info->arch.cr2 = data;
#ifndef HV_TEST_BROKEN_MODEL            /* passes the hardware's U/S on */
        /* Hardware always says "user" (ring 3); say what the guest was. */
        ec &= ~PFEC_USER;
        if (!v->kernel_mode)
            ec |= PFEC_USER;
#endif
    } else if (vector == X86_EXC_DB) {
        uint64_t dr6 = v->dr6 ^ HV_DR6_DEFAULT;
        dr6 = (dr6 & ~DR6_BP_MASK) | (data & DR6_KNOWN);
        v->dr6 = dr6 ^ HV_DR6_DEFAULT;
    }

    out->via = HV_VIA_TRAP;
    out->vector = vector;
    if (ti->address == 0)
        return crash(out, "no trap-table handler for a hardware exception");

    tb.eip = ti->address;
    tb.mask_events = TI_GET_IF(ti) != 0;
    tb.has_error_code = has_ec;
    tb.error_code = ec;
    return hv_create_bounce_frame(v, m, &tb, out);
}

/* A software interrupt the guest is allowed to take: a trap, no error code. */
static int sw_interrupt(struct hv_vcpu *v, const struct hv_guest_mem *m,
                        uint8_t vector, struct hv_outcome *out)
{
    const struct trap_info *ti = &v->trap_ctxt[vector];
    struct hv_trap_bounce tb = { 0 };

    out->via = HV_VIA_TRAP;
    out->vector = vector;
    if (ti->address == 0)
        return crash(out, "no trap-table handler for a permitted INT $N");
    tb.eip = ti->address;
    tb.mask_events = TI_GET_IF(ti) != 0;
#ifdef HV_TEST_BROKEN_MODEL
    v->regs.rip--;                      /* wrong alike under IDT and FRED */
    tb.has_error_code = vector < 32 && X86_EXC_HAS_EC(vector);  /* as if an exception */
#endif
    return hv_create_bounce_frame(v, m, &tb, out);
}

static int callback(struct hv_vcpu *v, const struct hv_guest_mem *m,
                    uint64_t eip, bool mask, uint8_t via,
                    struct hv_outcome *out)
{
    struct hv_trap_bounce tb = { 0 };

    out->via = via;
    tb.eip = eip;
    tb.mask_events = mask;
    return hv_create_bounce_frame(v, m, &tb, out);
}

/* Permission for INT $N under a virtual DPL (Xen's permit_softint). */
static bool permit_softint(const struct hv_vcpu *v, uint8_t vector)
{
    unsigned int dpl = TI_GET_DPL(&v->trap_ctxt[vector]);

    return dpl >= (v->kernel_mode ? 1u : 3u);
}

/*
 * Length of the INT $imm8 at rip (prefixes included), or 0 if it cannot
 * be read or is not one.  Only for the idt_int_full_len option.
 */
static unsigned int int_n_length(const struct hv_guest_mem *m, uint64_t rip,
                                 bool l64)
{
    uint8_t b[15];
    unsigned int i;

    for (i = 0; i < sizeof(b); i++) {
        if (m->read(m->ctx, &b[i], rip + i, 1) != 0)
            return 0;
        switch (b[i]) {
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
        case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
            continue;                           /* legacy prefix */
        case 0xcd:
            return i + 2 <= sizeof(b) ? i + 2 : 0;
        default:
            if (l64 && (b[i] & 0xf0) == 0x40)
                continue;                       /* REX */
            return 0;
        }
    }
    return 0;
}

/*
 * INT $N (N != 3, 4).  ev->rip is after the instruction (IDT: after an
 * assumed 2-byte one).  Section 5 of Documentation/pv-abi.md.
 */
static int int_n(struct hv_vcpu *v, const struct hv_guest_mem *m,
                 const struct hv_event *ev, struct hv_outcome *out)
{
    uint8_t n = ev->vector;
    uint32_t ec = ((uint32_t)n << 3) | HV_XEC_IDT;

    /* IDT: INT $0x80 hits Xen's DPL3 gate; with a handler it is delivered
     * straight away, vDPL not consulted (entry_int80). */
    if (ev->delivery == HV_DELIVERY_IDT && n == 0x80 &&
        v->trap_ctxt[0x80].address != 0)
        return sw_interrupt(v, m, n, out);

    if (permit_softint(v, n)) {
        if (ev->delivery == HV_DELIVERY_IDT && v->idt_int_full_len &&
            n != 0x80) {
            uint64_t start = v->regs.rip - 2;
            unsigned int len = int_n_length(m, start, ev->l64);

            if (len == 0) {             /* Xen: back to the original #GP */
                v->regs.rip = start;
                return exception(v, m, X86_EXC_GP, true, ec, 0, out);
            }
            v->regs.rip = start + len;
        }
        return sw_interrupt(v, m, n, out);
    }

    /* Refused: #GP(N*8+2) at the instruction.  IDT knows no prefixes. */
    v->regs.rip -= ev->insn_len ? ev->insn_len : 2;
    return exception(v, m, X86_EXC_GP, true, ec, 0, out);
}

static int syscall_event(struct hv_vcpu *v, const struct hv_guest_mem *m,
                         const struct hv_event *ev, struct hv_outcome *out)
{
    uint64_t cb;
    bool mask;

    /* SYSCALL put rip/rflags in %rcx/%r11 (FRED does not: Xen emulates). */
    v->regs.rcx = ev->rip;
    v->regs.r11 = ev->rflags;

    if (hv_syscall_is_hypercall(v, ev->delivery, ev->l64)) {
        v->regs.in_syscall = 1;
        out->action = HV_HYPERCALL;
        return HV_HYPERCALL;
    }

    /*
     * The mask flag: a 64-bit SYSCALL takes the syscall registration's.
     * A compat one goes to the syscall32 callback, but under IDT Xen's
     * switch_to_kernel still reads the *syscall* registration's flag;
     * under FRED it reads syscall32's.  (Guests register both alike.)
     */
    cb   = ev->l64 ? v->syscall_callback : v->syscall32_callback;
    mask = ev->l64 || ev->delivery == HV_DELIVERY_IDT ? v->syscall_mask : v->syscall32_mask;
#ifdef HV_TEST_BROKEN_MODEL
    mask = ev->l64 ? v->syscall_mask : v->syscall32_mask;  /* syscall32's under IDT too */
#endif
    if (cb == 0) {
        /* Not registered: #UD at the instruction; DF untouched. */
        v->regs.rip -= ev->insn_len ? ev->insn_len : 2;
        return exception(v, m, X86_EXC_UD, false, 0, 0, out);
    }

    /*
     * DF, as Xen 4.17 and master show it (entry64's DF checks): the R11
     * slot keeps the user's flags either way.  IDT: DF is left alone,
     * in the frame's RFLAGS and live in the handler.  FRED: cleared in
     * both (Xen clears it before building the frame).
     */
    if (ev->delivery == HV_DELIVERY_FRED)
        v->regs.rflags &= ~X86_EFLAGS_DF;
    return callback(v, m, cb, mask,
                    ev->l64 ? HV_VIA_SYSCALL : HV_VIA_SYSCALL32, out);
}

static int sysenter_event(struct hv_vcpu *v, const struct hv_guest_mem *m,
                          const struct hv_event *ev, struct hv_outcome *out)
{
    /* v->regs already hold the null frame: rip 0, cs 3, rsp 0. */
    if (v->sysenter_callback == 0)
        return exception(v, m, X86_EXC_GP, true, 0, 0, out);
    return callback(v, m, v->sysenter_callback, v->sysenter_mask,
                    HV_VIA_SYSENTER, out);
}

void hv_hypercall_entry(struct hv_vcpu *v, uint64_t rip, uint64_t rflags, uint64_t rsp,
                        bool l64)
{
    /* What hv_handle_event() and syscall_event() make of it: the
     * selectors SYSRET would load (event.c, syscall_ctx). */
    v->regs.rip    = v->regs.rcx = rip;
    v->regs.rflags = v->regs.r11 = rflags;
    v->regs.rsp    = rsp;
    v->regs.cs     = l64 ? FLAT_KERNEL_CS64 : FLAT_USER_CS32;
    v->regs.ss     = l64 ? FLAT_KERNEL_SS : FLAT_USER_SS32;
    v->regs.in_syscall = 1;
}

int hv_handle_event(struct hv_vcpu *v, const struct hv_event *ev,
                    const struct hv_guest_mem *m, struct hv_outcome *out)
{
    outcome_init(out);

    if (ev->mode == HV_MODE_HV || ev->nested)
        return out->action = HV_NOT_GUEST;

    switch (ev->type) {
    case HV_ET_HW_EXC:
        if (ev->vector == X86_EXC_DF || ev->vector == X86_EXC_MC)
            return out->action = HV_NOT_GUEST;
        break;
    case HV_ET_SW_INT:
    case HV_ET_PRIV_SW_EXC:
    case HV_ET_SW_EXC:
    case HV_ET_OTHER:
        break;
    default:                            /* EXT_INTR, NMI: asynchronous */
        return out->action = HV_NOT_GUEST;
    }

    /* The interrupted context becomes the guest register state. */
    v->regs.rip    = ev->rip;
    v->regs.cs     = ev->cs;
    v->regs.rflags = ev->rflags;
    v->regs.rsp    = ev->rsp;
    v->regs.ss     = ev->ss;

    switch (ev->type) {
    case HV_ET_HW_EXC:
        return exception(v, m, ev->vector, ev->has_error_code,
                         ev->error_code, ev->data, out);
    case HV_ET_PRIV_SW_EXC:             /* INT1/ICEBP: no DPL check */
    case HV_ET_SW_EXC:                  /* INT3, INTO: vDPL ignored */
        return exception(v, m, ev->vector, false, 0, ev->data, out);
    case HV_ET_SW_INT:
        /* INT $3 / INT $4 are INT3 / INTO (DPL3 gates in Xen). */
        if (ev->vector == X86_EXC_BP || ev->vector == X86_EXC_OF)
            return exception(v, m, ev->vector, false, 0, 0, out);
        return int_n(v, m, ev, out);
    default:                            /* HV_ET_OTHER */
        if (ev->vector == HV_OTHER_SYSCALL)
            return syscall_event(v, m, ev, out);
        return sysenter_event(v, m, ev, out);
    }
}

/*
 * Xen's test_all_events, without what hv has none of (softirqs, a pending
 * exception, #MC).  It looks again after every delivery or drop:
 *
 *   NMI pending, not masked: no longer pending; trap_ctxt[2] without an
 *     address -> dropped (Xen: "Unhandled: vec 2"), look again; else NMIs
 *     masked until the next iret, bounce (events masked if the entry has
 *     TI_GET_IF, as CALLBACKOP_register's always has), look again.
 *   else event pending and not masked: bounce to the event callback
 *     (events masked), look again.
 *   else: done.
 *
 * Each branch masks or clears what it handled, so there are at most two
 * frames: an NMI whose trap_ctxt[2] entry leaves events unmasked (set by
 * set_trap_table without IF) gets the event upcall stacked on its frame
 * before its first instruction runs, as on Xen.
 */
int hv_deliver_pending(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       struct hv_outcome *out)
{
    struct vcpu_info *vi = v->vcpu_info;
    int rc;

    outcome_init(out);
    for (;;) {
        if (v->nmi_pending && !v->nmi_masked) {
            const struct trap_info *ti = &v->trap_ctxt[X86_EXC_NMI];

            v->nmi_pending = false;
            if (ti->address == 0) {
                out->nmi_dropped = true;    /* lost, as on Xen */
                continue;
            }
            v->nmi_masked = true;           /* until the next iret */
            out->vector = X86_EXC_NMI;
            rc = callback(v, m, ti->address, TI_GET_IF(ti) != 0,
                          HV_VIA_NMI, out);
        } else if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask) {
            out->vector = 0;
            if (v->event_callback == 0) {
                out->via = HV_VIA_EVENT;
                return crash(out, "event pending but no event callback");
            }
            rc = callback(v, m, v->event_callback, true, HV_VIA_EVENT, out);
        } else {
            return HV_RESUME;
        }
        if (rc != HV_RESUME)
            return rc;
    }
}

int hv_bounce_failsafe(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       uint16_t ds, uint16_t es, uint16_t fs, uint16_t gs,
                       struct hv_outcome *out)
{
    struct hv_trap_bounce tb = { 0 };

    outcome_init(out);
    out->via = HV_VIA_FAILSAFE;
    if (v->failsafe_callback == 0)
        return crash(out, "failsafe needed but no failsafe callback");
    tb.eip = v->failsafe_callback;
    tb.mask_events = v->failsafe_mask;
    tb.failsafe = true;
    tb.ds = ds;
    tb.es = es;
    tb.fs = fs;
    tb.gs = gs;
    return hv_create_bounce_frame(v, m, &tb, out);
}

/*
 * HYPERVISOR_iret.  The guest stack at the hypercall:
 *
 *   rsp ->  +0  rax
 *           +8  r11
 *          +16  rcx
 *          +24  flags     (VGCF_in_syscall)
 *          +32  rip
 *          +40  cs        RPL 3 -> back to user mode
 *          +48  rflags    IF -> event mask
 *          +56  rsp
 *          +64  ss
 */
int hv_do_iret(struct hv_vcpu *v, const struct hv_guest_mem *m,
               struct hv_outcome *out)
{
    struct iret_context ic;

    outcome_init(out);
    if (m->read(m->ctx, &ic, v->regs.rsp, sizeof(ic)) != 0)
        return crash(out, "iret: cannot read iret_context from guest stack");

    if ((ic.cs & 3) == 3) {
        if (!v->user_pt_present)
            return crash(out, "iret: to user mode with no user page table");
        if (v->kernel_mode) {
            v->kernel_mode = false;
            out->mode_changed = true;
        }
    }

    if (v->arch_iopl)
        v->iopl = ic.rflags & X86_EFLAGS_IOPL;

    v->regs.rip    = ic.rip;
    v->regs.cs     = (ic.cs | 3) & 0xffff;
    v->regs.rflags = (ic.rflags & EF_ALL & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.rsp    = ic.rsp;
    v->regs.ss     = (ic.ss | 3) & 0xffff;

    if (ic.flags & VGCF_in_syscall) {
        v->regs.in_syscall = 1;         /* rcx/r11 become rip/rflags */
    } else {
        v->regs.in_syscall = 0;
        v->regs.r11 = ic.r11;
        v->regs.rcx = ic.rcx;
    }

    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    v->nmi_masked = false;
    v->regs.rax = ic.rax;
    return HV_RESUME;
}

/*
 * The way back (Xen's restore_all_guest, IDT; eretu_exit_to_guest, FRED).
 * Xen tests TRAP_syscall: set, it loads %rcx/%r11 from rip/rflags and
 * (IDT, canonical rip) leaves by SYSRETQ/SYSRETL with STAR's selectors
 * (SYSRET base FLAT_USER_CS32: +0 CS32, +8 SS, +16 CS64); otherwise, and
 * always under FRED, it leaves by IRETQ/ERETU with the frame as it is.
 */
void hv_prepare_exit(struct hv_vcpu *v, int delivery)
{
    struct hv_regs *r = &v->regs;

    r->rflags = (r->rflags & EF_ALL & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    if (!r->in_syscall)
        return;
    r->rcx = r->rip;
    r->r11 = r->rflags;
    if (delivery != HV_DELIVERY_IDT || !hv_is_canonical(r->rip))
        return;                         /* IRET/ERETU: may fault */
    if (r->cs == FLAT_USER_CS32) {      /* SYSRETL: %eip = %ecx */
        r->rip = (uint32_t)r->rip;
    } else {                            /* SYSRETQ */
        r->cs = FLAT_USER_CS64;
    }
    r->ss = FLAT_USER_SS;
    r->rflags &= ~X86_EFLAGS_RF;                /* SYSRET loads r11 without RF */
}

/* Exit state bits a ring-3 return must not have (the FRED spec's ERETU
 * checks, as Xen's handle_eretu_event tests them). */
#define EXIT_CSX_CHECK    0xffffffffffff0003ull /* must read 3 */
#define EXIT_RFLAGS_CHECK 0xffffffffffc2b02aull /* must read 2 */
#define EXIT_SSX_CHECK    0x00000000fff80003ull /* must read 3 */

int hv_exit_faulted(struct hv_vcpu *v, const struct hv_guest_mem *m,
                    const struct hv_event *ev, struct hv_outcome *out)
{
    const struct hv_regs *r = &v->regs;

    outcome_init(out);
    if (ev->type != HV_ET_HW_EXC || ev->nested)
        return out->action = HV_NOT_GUEST;

    switch (ev->vector) {
    case X86_EXC_GP:
        /* #GP(0) is the guest's for a null cs/ss or a non-canonical rip;
         * for a state hv should never have made, Xen crashes the domain. */
        if (ev->error_code == 0 && (r->cs & ~3ull) && (r->ss & ~3ull) &&
            ((r->cs & EXIT_CSX_CHECK) != 3 ||
             (r->rflags & EXIT_RFLAGS_CHECK) != 2 ||
             (r->ss & EXIT_SSX_CHECK) != 3))
            return crash(out, "bad return state (cs/ss RPL or rflags)");
        break;
    case X86_EXC_NP:                     /* not-present code segment */
    case X86_EXC_SS:                     /* not-present stack segment */
        break;
    default:
        return out->action = HV_NOT_GUEST;
    }
    return exception(v, m, ev->vector, true, ev->error_code, 0, out);
}
