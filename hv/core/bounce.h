/*
 * hv/core/bounce.h - the one bounce-frame builder, HYPERVISOR_iret, upcalls.
 *
 * ABI carried: Documentation/pv-abi.md sections 2-3 (bounce frame),
 * 5 (software interrupts), 6 (SYSCALL/SYSENTER), 7-9 (callbacks, masking,
 * failsafe) and 10 (iret), as Xen's create_bounce_frame, do_general_protection,
 * entry_int80, switch_to_kernel, sysenter_entry, entry_from_pv (FRED) and
 * do_iret implement them; and the return to the guest (restore_all_guest,
 * eretu_exit_to_guest), including a return the CPU refuses.
 *
 * The frame written on the guest kernel stack (16-byte aligned top):
 *
 *   top (old rsp & ~15, or kernel_sp & ~15)
 *        SS
 *        RSP                 interrupted rsp
 *        RFLAGS              IF = !saved mask, IOPL = virtual IOPL
 *        CS                  bits 15:0 CS (RPL 0 if from guest kernel),
 *                            bits 39:32 upcall mask before delivery
 *        RIP
 *        [error code]        only for exceptions that have one
 *        R11
 *   new rsp -> RCX
 *
 * The failsafe frame additionally has DS, ES, FS, GS between R11 and RIP:
 *   RCX, R11, DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS  (lowest first)
 *
 * Nothing here ever stops hv: a guest that cannot be delivered to gets
 * action HV_CRASH with a reason, and the platform crashes the domain.
 */
#ifndef HV_BOUNCE_H
#define HV_BOUNCE_H

#include "event.h"
#include "vcpu.h"

/* What the platform must do next (hv_outcome.action, also returned). */
#define HV_RESUME    0 /* return to the guest with v->regs                */
#define HV_HYPERCALL 1 /* SYSCALL from guest kernel mode: a hypercall.
                          v->regs.rax = number, rdi rsi rdx r10 r8 = args;
                          v->regs rip/rflags/rsp/cs/ss = return context,
                          rcx = rip, r11 = rflags, in_syscall = 1.  Put
                          the result in regs.rax and resume.             */
#define HV_CRASH     2 /* crash the domain; outcome.reason says why       */
#define HV_NOT_GUEST 3 /* not a guest-synchronous event: interrupted hv
                          (HV_MODE_HV), EXT_INTR, NMI, #DF, #MC or a
                          nested FRED event.  The platform handles it.   */

/* How the guest was entered (hv_outcome.via). */
#define HV_VIA_NONE      0
#define HV_VIA_TRAP      1 /* trap_ctxt[outcome.vector]                 */
#define HV_VIA_SYSCALL   2
#define HV_VIA_SYSCALL32 3
#define HV_VIA_SYSENTER  4
#define HV_VIA_EVENT     5
#define HV_VIA_FAILSAFE  6
#define HV_VIA_NMI       7 /* trap_ctxt[2]                               */

struct hv_outcome {
    int         action;        /* HV_RESUME, ...                           */
    const char *reason;        /* HV_CRASH: static text; else NULL         */
    uint8_t     via;           /* HV_VIA_*                                 */
    uint8_t     vector;        /* HV_VIA_TRAP / _NMI: the vector           */
    bool        has_error_code;/* the frame has an error code slot         */
    uint32_t    error_code;    /* its value                                */
    bool        mode_changed;  /* v->kernel_mode changed: switch page
                                  tables / GS bases before resuming        */
    uint64_t    frame;         /* guest address of the RCX slot, 0 = none  */
    bool        nmi_dropped;   /* hv_deliver_pending dropped a
                                  pending NMI (trap_ctxt[2] has no address) */
};

/* What to bounce to: Xen's struct trap_bounce. */
struct hv_trap_bounce {
    uint64_t eip;              /* handler; 0 = none -> crash               */
    bool     mask_events;      /* TBF_INTERRUPT: set the upcall mask       */
    bool     has_error_code;   /* TBF_EXCEPTION_ERRCODE                    */
    uint32_t error_code;
    bool     failsafe;         /* also push DS, ES, FS, GS                 */
    uint16_t ds, es, fs, gs;
};

/*
 * The main entry point: deliver a guest-synchronous event.
 * Uses ev for the interrupted rip/cs/rflags/rsp/ss (copied into v->regs
 * first) and v->regs for RCX/R11 and the other GPRs.  Decides what the
 * guest sees (section 5/6 rules; IDT or FRED flavour from ev->delivery),
 * then builds the frame.  On HV_RESUME v->regs holds the new guest state
 * (rip = handler, cs = FLAT_KERNEL_CS, ss = FLAT_KERNEL_SS, rsp = frame,
 * rflags with TF NT RF VM AC cleared [DF too for a FRED SYSCALL callback]),
 * v->kernel_mode is true and the event mask is set as the handler asked.
 * #PF also stores ev->data in v->vcpu_info->arch.cr2 and fixes the U/S
 * bit of the error code to the guest mode; #DB merges ev->data into v->dr6.
 * Returns out->action.
 */
int hv_handle_event(struct hv_vcpu *v, const struct hv_event *ev,
                    const struct hv_guest_mem *m, struct hv_outcome *out);

/*
 * SYSCALL from guest kernel mode is a hypercall (IDT: only through LSTAR,
 * 64-bit code; Xen's CSTAR path always bounces.  FRED: any).  True if a
 * SYSCALL at this point would be one: the front ends test it first and
 * skip the event record (Xen's lstar_enter does the same), and
 * hv_handle_event() uses the same rule.
 */
static inline bool hv_syscall_is_hypercall(const struct hv_vcpu *v, int delivery, bool l64)
{
    return v->kernel_mode && (delivery == HV_DELIVERY_FRED || l64);
}

/*
 * A hypercall's entry: the interrupted rip/rflags/rsp (SYSCALL's
 * rcx/r11 too) become the guest registers, in guest kernel mode's
 * selectors, with SYSRET semantics for the return (in_syscall).  Then the
 * platform runs the hypercall on v->regs.
 */
void hv_hypercall_entry(struct hv_vcpu *v, uint64_t rip, uint64_t rflags, uint64_t rsp,
                        bool l64);

/*
 * Before every return to the guest (Xen's test_all_events): deliver a
 * virtual NMI if pending and not masked (then NMIs are masked until the
 * next hv_do_iret; with no address in trap_ctxt[2] it is dropped instead:
 * out->nmi_dropped), then, looking again, the event upcall if
 * vcpu_info->evtchn_upcall_pending and !evtchn_upcall_mask (always masks
 * events; a null event callback crashes the domain).  Both can happen in
 * one call (an NMI entry without TI_GET_IF leaves events unmasked): the
 * event frame is then on top of the NMI frame, and out describes the last
 * frame built.  Returns HV_RESUME (out->via: HV_VIA_NONE if nothing was
 * delivered) or HV_CRASH.
 */
int hv_deliver_pending(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       struct hv_outcome *out);

/*
 * The failsafe callback: hv could not load the guest's data selectors on
 * return.  Pushes the failsafe frame with ds/es/fs/gs as given.  Masks
 * events if registered with CALLBACKF_mask_events.
 */
int hv_bounce_failsafe(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       uint16_t ds, uint16_t es, uint16_t fs, uint16_t gs,
                       struct hv_outcome *out);

/*
 * HYPERVISOR_iret, called with v->regs as at the hypercall (rsp points at
 * the guest's struct iret_context).  Reads it; CS RPL 3 switches to user
 * mode (crash if no user page table); rip, cs|3, rflags (IF forced on,
 * IOPL/VM dropped, virtual IOPL taken if arch_iopl), rsp, ss|3; RCX/R11
 * restored unless VGCF_in_syscall (then in_syscall = 1); rax restored;
 * upcall mask = !IF; clears nmi_masked.  Returns HV_RESUME or HV_CRASH.
 */
int hv_do_iret(struct hv_vcpu *v, const struct hv_guest_mem *m,
               struct hv_outcome *out);

/*
 * The way back to the guest (Xen's restore_all_guest for IDT delivery,
 * eretu_exit_to_guest for FRED).  Called last, after hv_deliver_pending;
 * it finishes v->regs into exactly the state the exit instruction loads:
 *
 *   rflags   architectural bits only, IF set, IOPL and VM clear
 *   in_syscall (Xen's TRAP_syscall): rcx = rip, r11 = rflags
 *   IDT, in_syscall, canonical rip: Xen leaves by SYSRET, which takes
 *            the selectors from STAR, not from the frame: cs =
 *            FLAT_USER_CS32 (SYSRETL: rip = its low 32 bits) if cs was
 *            that, else FLAT_USER_CS64 (SYSRETQ); ss = FLAT_USER_SS; RF
 *            clear (r11 keeps it).  hv leaves by IRETQ with that state.
 *   otherwise (IRET, ERETU): rip, cs, ss as they are.  A non-canonical
 *            rip or a bad selector makes the exit instruction fault:
 *            the platform then calls hv_exit_faulted().
 */
void hv_prepare_exit(struct hv_vcpu *v, int delivery);

/*
 * The exit instruction (IRETQ / ERETU) faulted on the state
 * hv_prepare_exit left in v->regs.  ev is that fault, decoded from hv's
 * own ring-0 frame (ev->mode == HV_MODE_HV).  As in Xen, the fault is the
 * guest's, at the context it was being returned to (Xen 4.17: the IRETQ's
 * pre-exception-table entry re-enters handle_exception on the guest's
 * frame; FRED, Xen master: handle_eretu_event):
 *
 *   #GP, #NP, #SS with the CPU's error code: delivered to the guest kernel
 *     through trap_ctxt, exactly as if raised there (from user mode:
 *     kernel_sp, mode switch; frame %rip = the target, %cs = its selector,
 *     RCX/R11 = v->regs', i.e. rip/rflags after a SYSRET-style return).
 *   #GP(0) for a state no ring-3 return may have (ERETU's own checks:
 *     RPL not 3, reserved RFLAGS bits, IOPL, VM): HV_CRASH, "bad return
 *     state" (Xen crashes the domain).
 *   anything else (#PF: hv's GDT is always mapped and there is no LDT;
 *     other vectors; not a hardware exception): HV_NOT_GUEST, an hv bug.
 *
 * Returns out->action: HV_RESUME, HV_CRASH or HV_NOT_GUEST.
 */
int hv_exit_faulted(struct hv_vcpu *v, const struct hv_guest_mem *m,
                    const struct hv_event *ev, struct hv_outcome *out);

/*
 * The raw builder (Xen's create_bounce_frame): frame on the current stack
 * if v->kernel_mode, else switch to kernel mode and use kernel_sp; CS RPL
 * cleared for frames from kernel mode; then v->regs becomes the handler's
 * context.  Exposed for the tests and for the platform's own uses.
 */
int hv_create_bounce_frame(struct hv_vcpu *v, const struct hv_guest_mem *m,
                           const struct hv_trap_bounce *tb,
                           struct hv_outcome *out);

#endif /* HV_BOUNCE_H */
