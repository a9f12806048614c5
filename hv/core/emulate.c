/*
 * core/emulate.c - the faulting instructions hv completes for a PV guest
 * (emulate.h says which, and the rules).  Only what Xen's PV emulation
 * does for these instructions; no general x86 emulator.
 */
#include "emulate.h"
#include "event.h"

#include <x86/eflags.h>
#include <x86/exceptions.h>

#include <xen/arch-x86/cpuid.h>
#include <xen/xen.h>

#define CPUID_1_ECX_HYPERVISOR (1u << 31)

bool hv_iopl_ok(const struct hv_vcpu *v)
{
    /* Guest kernel: vCPL 1 (or 0 with architectural IOPL); user: 3. */
    unsigned int vcpl = v->kernel_mode ? (v->arch_iopl ? 0 : 1) : 3;

    return (v->iopl >> 12) >= vcpl;
}

void hv_pv_cpuid(const struct hv_emul_ops *ops, uint32_t leaf, uint32_t subleaf,
                 uint32_t out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf >= XEN_CPUID_FIRST_LEAF && leaf < XEN_CPUID_FIRST_LEAF + 0x100) {
        switch (leaf - XEN_CPUID_FIRST_LEAF) {
        case 0:
            out[0] = XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES);
            out[1] = XEN_CPUID_SIGNATURE_EBX;
            out[2] = XEN_CPUID_SIGNATURE_ECX;
            out[3] = XEN_CPUID_SIGNATURE_EDX;
            break;
        case 1:
            out[0] = (4u << 16) | 17;   /* the version hv reports */
            break;
        case 2:
            out[0] = 1;                 /* hypercall pages */
            out[1] = 0x40000000;        /* hypercall-page MSR (HVM only) */
            break;
        default:                        /* TSC, HVM and PV leaves: empty */
            break;
        }
        return;
    }
    ops->cpuid(ops->ctx, leaf, subleaf, out);
    if (leaf == 1)
        out[2] |= CPUID_1_ECX_HYPERVISOR;
}

int hv_emulate_invalid_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                          const struct hv_emul_ops *ops)
{
    static const uint8_t fep[HV_FEP_LEN] = { 0x0f, 0x0b, 'x', 'e', 'n' };
    uint8_t insn[HV_FEP_LEN + 2];
    uint32_t r[4];

    if (m->read(m->ctx, insn, v->regs.rip, sizeof(insn)) != 0)
        return HV_EMUL_NONE;
    if (__builtin_memcmp(insn, fep, HV_FEP_LEN) != 0 ||
        insn[HV_FEP_LEN] != 0x0f || insn[HV_FEP_LEN + 1] != 0xa2)
        return HV_EMUL_NONE;            /* only CPUID is forced-emulated */
    hv_pv_cpuid(ops, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, r);
    v->regs.rax = r[0];
    v->regs.rbx = r[1];
    v->regs.rcx = r[2];
    v->regs.rdx = r[3];
    v->regs.rip += sizeof(insn);
    return HV_EMUL_DONE;
}

/* The GPR with x86 number n (0 rax .. 15 r15). */
static uint64_t *gpr(struct hv_vcpu *v, unsigned int n)
{
    struct hv_regs *r = &v->regs;
    uint64_t *map[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };
    return map[n & 15];
}

/* IN: all ones of the operand size, merged as the CPU merges AL/AX. */
static void port_read(struct hv_vcpu *v, unsigned int size)
{
    uint64_t *a = &v->regs.rax;

    if (size == 1)
        *a |= 0xff;
    else if (size == 2)
        *a |= 0xffff;
    else
        *a = 0xffffffff;                /* a 32-bit write zero-extends */
}

#define MAX_INSN 15

int hv_emulate_priv_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                       const struct hv_emul_ops *ops)
{
    uint8_t b[MAX_INSN];
    unsigned int i = 0, rex = 0, opsize = 4;
    uint64_t val;

    /* Read what there is of the instruction: it may end near a page end. */
    unsigned int have = 0;
    while (have < MAX_INSN && m->read(m->ctx, &b[have], v->regs.rip + have, 1) == 0)
        have++;

    for (; i < have; i++) {             /* legacy prefixes, then REX */
        if (b[i] == 0x66)
            opsize = 2;
        else if (b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x36 ||
                 b[i] == 0x64 || b[i] == 0x65 || b[i] == 0xf2 || b[i] == 0xf3)
            continue;
        else
            break;
    }
    if (i < have && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (i >= have)
        return HV_EMUL_NONE;

    switch (b[i]) {
    case 0xfa: case 0xfb:               /* CLI, STI */
        if (!hv_iopl_ok(v))
            return HV_EMUL_NONE;
        v->regs.rip += i + 1;
        return HV_EMUL_DONE;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:     /* IN/OUT imm8 */
    case 0xec: case 0xed: case 0xee: case 0xef: {   /* IN/OUT %dx */
        unsigned int size = (b[i] & 1) ? opsize : 1;
        bool imm = b[i] < 0xec, in = !(b[i] & 2);

        if (imm && i + 1 >= have)
            return HV_EMUL_NONE;
        if (!hv_iopl_ok(v))
            return HV_EMUL_NONE;
        if (in)
            port_read(v, size);
        v->regs.rip += i + 1 + imm;
        return HV_EMUL_DONE;
    }
    case 0x0f:
        break;
    default:
        return HV_EMUL_NONE;
    }

    /* Two-byte opcodes: the guest kernel's only. */
    if (!v->kernel_mode || ++i >= have)
        return HV_EMUL_NONE;
    switch (b[i]) {
    case 0x09:                          /* WBINVD: nothing to do */
        v->regs.rip += i + 1;
        return HV_EMUL_DONE;
    case 0x32:                          /* RDMSR */
        if (ops->rdmsr(ops->ctx, (uint32_t)v->regs.rcx, &val) != 0)
            return HV_EMUL_NONE;
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
        v->regs.rip += i + 1;
        return HV_EMUL_DONE;
    case 0x30:                          /* WRMSR */
        val = (uint32_t)v->regs.rax | (v->regs.rdx << 32);
        if (ops->wrmsr(ops->ctx, (uint32_t)v->regs.rcx, val) != 0)
            return HV_EMUL_NONE;
        v->regs.rip += i + 1;
        return HV_EMUL_DONE;
    case 0x20: case 0x21: case 0x22: case 0x23: {   /* MOV CR/DR */
        unsigned int op = b[i], modrm, reg, rm;

        if (++i >= have)
            return HV_EMUL_NONE;
        modrm = b[i];
        /* The CPU ignores mod: always a register operand. */
        reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
        rm = (modrm & 7) | ((rex & 1) ? 8 : 0);
        if (op == 0x20) {
            if (reg != 0 && reg != 2 && reg != 3 && reg != 4)
                return HV_EMUL_NONE;
            *gpr(v, rm) = ops->read_cr(ops->ctx, reg);
        } else if (op == 0x22) {
            if ((reg != 0 && reg != 2) || ops->write_cr(ops->ctx, reg, *gpr(v, rm)) != 0)
                return HV_EMUL_NONE;
        } else if (op == 0x21) {
            long r = ops->get_dr(ops->ctx, reg);
            if (reg > 7 || (r < 0 && r > -4096))
                return HV_EMUL_NONE;
            *gpr(v, rm) = (uint64_t)r;
        } else {
            if (reg > 7 || ops->set_dr(ops->ctx, reg, *gpr(v, rm)) != 0)
                return HV_EMUL_NONE;
        }
        v->regs.rip += i + 1;
        return HV_EMUL_DONE;
    }
    default:
        return HV_EMUL_NONE;
    }
}

#define DR6_BS (1u << 14)

bool hv_emul_done(struct hv_vcpu *v, const struct hv_event *fault, struct hv_event *step)
{
    v->regs.rflags &= ~(uint64_t)X86_EFLAGS_RF;
    if (!(v->regs.rflags & X86_EFLAGS_TF))
        return false;
    *step = *fault;
    step->type = HV_ET_HW_EXC;
    step->vector = X86_EXC_DB;
    step->has_error_code = false;
    step->error_code = 0;
    step->insn_len = 0;
    step->data = DR6_BS;
    step->rip = v->regs.rip;
    step->rflags = v->regs.rflags;
    step->rsp = v->regs.rsp;
    return true;
}
