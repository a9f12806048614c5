/*
 * hv/core/vcpu.h - the PV vCPU state the core needs, and guest memory access.
 *
 * ABI carried: the per-vCPU state behind Documentation/pv-abi.md:
 * the virtual trap table (HYPERVISOR_set_trap_table, struct trap_info),
 * the callbacks (HYPERVISOR_callback_op), the kernel stack
 * (HYPERVISOR_stack_switch), guest kernel/user mode, the user page table
 * rule, the event mask in vcpu_info, and the "arrived by SYSCALL" state
 * that lets a return use SYSRET semantics (VGCF_in_syscall).
 *
 * The platform (hv/cpu, hv/domain) owns the page tables, GDT, MSRs and entry code;
 * the core only reads and writes these fields.  Freestanding.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#ifndef __ASSEMBLER__   /* entry assembly takes only the HV_REGS_* offsets */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>    /* struct trap_info, struct vcpu_info, FLAT_* */

/*
 * The guest register file while hv runs on the guest's behalf.  Layout is
 * fixed (offsets below) so entry assembly can push/pop it directly.  The
 * GPR order is the order a stub pushes them (r15 lowest address):
 *
 *   +0 r15  +8 r14  +16 r13  +24 r12  +32 rbp  +40 rbx  +48 r11  +56 r10
 *   +64 r9  +72 r8  +80 rax  +88 rcx  +96 rdx  +104 rsi  +112 rdi
 *   +120 rip  +128 cs  +136 rflags  +144 rsp  +152 ss  +160 in_syscall
 *
 * cs/ss hold plain selectors.  in_syscall != 0 means the return to the
 * guest may use SYSRET semantics: %rcx := rip and %r11 := rflags (Xen's
 * TRAP_syscall / VGCF_in_syscall).  Every bounce sets it (the frame told
 * the guest its live %rcx/%r11 are garbage); hv_do_iret() clears it unless
 * the guest passed VGCF_in_syscall.  The platform's exit path must honour
 * it, e.g. `if (in_syscall) { rcx = rip; r11 = rflags; }` before ERETU/IRET.
 */
struct hv_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t in_syscall;
};
#endif

#define HV_REGS_r15        0
#define HV_REGS_r14        8
#define HV_REGS_r13       16
#define HV_REGS_r12       24
#define HV_REGS_rbp       32
#define HV_REGS_rbx       40
#define HV_REGS_r11       48
#define HV_REGS_r10       56
#define HV_REGS_r9        64
#define HV_REGS_r8        72
#define HV_REGS_rax       80
#define HV_REGS_rcx       88
#define HV_REGS_rdx       96
#define HV_REGS_rsi      104
#define HV_REGS_rdi      112
#define HV_REGS_rip      120
#define HV_REGS_cs       128
#define HV_REGS_rflags   136
#define HV_REGS_rsp      144
#define HV_REGS_ss       152
#define HV_REGS_in_syscall 160
#define HV_REGS_SIZE     168

#ifndef __ASSEMBLER__

/*
 * Guest virtual memory, as the guest itself would access it.
 * Both functions return 0 on success and nonzero if any byte of
 * [gva, gva+len) is not mapped (read) / not writable (write) guest memory
 * or lies in hypervisor space; on failure nothing useful can be assumed
 * about partial copies.  Accesses use the page tables of the mode in
 * v->kernel_mode AT THE TIME OF THE CALL: the builder switches to kernel
 * mode before it writes a bounce frame, as Xen's toggle_guest_mode does.
 * ctx is passed back unchanged (the platform may point it at its vCPU).
 */
struct hv_guest_mem {
    void *ctx;
    int (*read)(void *ctx, void *dst, uint64_t gva, size_t len);
    int (*write)(void *ctx, uint64_t gva, const void *src, size_t len);
};

struct hv_vcpu {
    struct hv_regs regs;            /* guest register file (see above)     */

    /* HYPERVISOR_set_trap_table: the virtual IDT; address 0 = no handler. */
    struct trap_info trap_ctxt[256];

    /* HYPERVISOR_callback_op.  0 = not registered.  *_mask = registered
     * with CALLBACKF_mask_events.  The event callback always masks; the
     * NMI callback lives in trap_ctxt[2] (as in Xen). */
    uint64_t event_callback;
    uint64_t failsafe_callback;
    uint64_t syscall_callback;
    uint64_t syscall32_callback;
    uint64_t sysenter_callback;
    bool     failsafe_mask;
    bool     syscall_mask;
    bool     syscall32_mask;
    bool     sysenter_mask;

    /* HYPERVISOR_stack_switch: where user->kernel bounces land. */
    uint64_t kernel_ss;
    uint64_t kernel_sp;

    /* Guest kernel mode (both kernel and user run in ring 3).  When the
     * core changes it, the platform must switch page tables (kernel vs
     * user base pointer) and GS bases before resuming the guest: see
     * hv_outcome.mode_changed in bounce.h. */
    bool     kernel_mode;
    bool     user_pt_present;       /* MMUEXT_NEW_USER_BASEPTR done (!= 0) */

    /* This vCPU's vcpu_info (in hv's shared_info page), by hv pointer:
     * evtchn_upcall_pending / evtchn_upcall_mask / arch.cr2 live here.
     * Must never be NULL (hv_vcpu_init requires it). */
    struct vcpu_info *vcpu_info;

    /* Virtual debug and IOPL state. */
    uint64_t dr6;                   /* HYPERVISOR_get_debugreg(6)          */
    uint32_t iopl;                  /* virtual IOPL, as rflags bits 13:12  */
    bool     arch_iopl;             /* VMASST_TYPE_architectural_iopl      */

    /* IDT mode, a permitted INT $N that faulted on a DPL0 gate: false =
     * resume at start + 2 like Xen <= 4.21 (prefixes not counted); true =
     * read the instruction and resume after its full length like Xen >=
     * 4.22 (commit "x86/pv: Don't assume that INT $imm8 instructions are
     * two bytes long"; an unreadable or non-INT instruction then gives
     * the original #GP).  FRED mode always has the full length. */
    bool     idt_int_full_len;

    /* Virtual NMI (Xen's arch.nmi_pending, and VCPU_TRAP_NMI in
     * async_exception_mask): pending, and masked from delivery from the
     * moment one is delivered until the guest's next HYPERVISOR_iret
     * (any iret, as Xen's async_exception_cleanup). */
    bool     nmi_pending;
    bool     nmi_masked;

    /* The domain's shared_info.arch.nmi_reason (guest-writable), or
     * NULL.  Registering an NMI callback while it is nonzero makes an NMI
     * pending (Xen's register_guest_nmi_callback re-asserts a lost edge). */
    const volatile unsigned long *nmi_reason;
};

/*
 * Reset v to the state of a fresh PV vCPU: empty trap table, no callbacks,
 * guest kernel mode, events masked (vi->evtchn_upcall_mask = 1), no user
 * page table.  regs are zeroed.
 */
void hv_vcpu_init(struct hv_vcpu *v, struct vcpu_info *vi);

/* Is addr canonical (48-bit virtual addresses)? */
static inline bool hv_is_canonical(uint64_t addr)
{
    return (uint64_t)((int64_t)(addr << 16) >> 16) == addr;
}

#endif /* __ASSEMBLER__ */
#endif /* HV_VCPU_H */
