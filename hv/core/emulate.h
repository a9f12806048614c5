/*
 * hv/core/emulate.h - the instructions hv completes on a PV guest's behalf
 * when they fault, as Xen's arch/x86/pv/emul-inv-op.c (#UD) and
 * emul-priv-op.c (#GP) do.  Decoding and the permission rules live here,
 * hardware-free; the platform answers through struct hv_emul_ops.
 *
 * ABI carried:
 *  #UD  Xen's forced-emulation prefix `ud2; .ascii "xen"; cpuid`: CPUID as
 *       the guest's policy says (Xen's leaves at 0x40000000, the
 *       "hypervisor" bit in leaf 1), %rip past all 7 bytes.  In any guest
 *       mode.  Anything else: the #UD is the guest's.
 *  #GP(0), what a guest kernel (vCPL 1, or 0 with
 *       VMASST_TYPE_architectural_iopl; user code vCPL 3) may do:
 *   - CLI / STI: allowed when the virtual IOPL >= vCPL, then nothing
 *     happens (Xen does not let a guest touch the real IF; the event mask
 *     is the guest's interrupt flag).
 *   - IN / OUT (imm8 or %dx, 8/16/32 bits): allowed when vIOPL >= vCPL.
 *     hv gives the domain no I/O port: a read gives all ones, a write is
 *     dropped - what Xen does for a port the domain may not reach.
 *   - guest kernel mode only: MOV from %cr0/%cr2/%cr3/%cr4, MOV to %cr0
 *     (TS only) and %cr2, MOV from/to %dr0-%dr7 (the set/get_debugreg
 *     rules), RDMSR/WRMSR (the platform's answer), WBINVD (ignored).
 *  Anything else, or a refusal: the original fault is the guest's.
 */
#ifndef HV_EMULATE_H
#define HV_EMULATE_H

#include "vcpu.h"

struct hv_emul_ops {
    void *ctx;
    /* Native CPUID (the core applies Xen's PV view on top). */
    void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    /* The guest's view of %crN (0, 2, 3, 4); write: 0 or -1 (refused). */
    uint64_t (*read_cr)(void *ctx, unsigned int cr);
    int (*write_cr)(void *ctx, unsigned int cr, uint64_t val);
    /* HYPERVISOR_get/set_debugreg. */
    long (*get_dr)(void *ctx, unsigned int reg);
    long (*set_dr)(void *ctx, unsigned int reg, uint64_t val);
    /* 0, or -1: #GP. */
    int (*rdmsr)(void *ctx, uint32_t msr, uint64_t *val);
    int (*wrmsr)(void *ctx, uint32_t msr, uint64_t val);
};

#define HV_EMUL_NONE 0  /* not emulated: deliver the original fault     */
#define HV_EMUL_DONE 1  /* emulated: v->regs updated, resume the guest  */

/* Xen's forced-emulation signature: ud2; .ascii "xen". */
#define HV_FEP_LEN   5

/* Has the guest the virtual IOPL for CLI/STI/IN/OUT in its current mode? */
bool hv_iopl_ok(const struct hv_vcpu *v);

/* Xen's CPUID view for a PV guest: native leaves with the hypervisor bit,
 * and Xen's leaves 0x40000000..0x40000005. */
void hv_pv_cpuid(const struct hv_emul_ops *ops, uint32_t leaf, uint32_t subleaf,
                 uint32_t out[4]);

/* #UD at v->regs.rip (regs.rip etc. already the faulting context). */
int hv_emulate_invalid_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                          const struct hv_emul_ops *ops);

/* #GP(0) at v->regs.rip. */
int hv_emulate_priv_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       const struct hv_emul_ops *ops);

/*
 * After an emulated instruction (Xen's pv_emul_instruction_done): RF is
 * cleared; with TF set the instruction "retired" under single-step, so
 * the guest gets #DB with DR6.BS at the next instruction.  Returns true
 * and fills *step (a #DB event at v->regs, otherwise as *fault) when so.
 */
struct hv_event;
bool hv_emul_done(struct hv_vcpu *v, const struct hv_event *fault, struct hv_event *step);

#endif /* HV_EMULATE_H */
