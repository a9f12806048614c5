/*
 * hv/domain/emulate.c - the platform's answers for the instructions the
 * core completes on the guest's behalf (core/emulate.h): CPUID, the
 * guest's view of its control registers, debug registers and MSRs.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "core/emulate.h"

static void emul_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    cpuid(leaf, subleaf, out);
}

/*
 * The guest's %cr0 is hv's with the virtual TS (fpu_taskswitch); %cr2 is
 * vcpu_info's; %cr3 the base pointer of the current mode (a machine
 * address); %cr4 the paging and FPU bits a PV kernel may rely on.
 */
static uint64_t emul_read_cr(void *ctx, unsigned int cr)
{
    uint64_t v;

    switch (cr) {
    case 0:
        return (read_cr0() & ~(uint64_t)CR0_TS) | (dom.vcpu_ts ? CR0_TS : 0);
    case 2:
        return dom.vcpu.vcpu_info->arch.cr2;
    case 3:
        return mm_guest_cr3_mfn() << PAGE_SHIFT;
    default:
        __asm__ volatile("mov %%cr4, %0" : "=r"(v));
        return v & (CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
    }
}

/* %cr0: only TS may change (Xen's fpu_taskswitch); %cr2: vcpu_info's. */
static int emul_write_cr(void *ctx, unsigned int cr, uint64_t val)
{
    if (cr == 2) {
        dom.vcpu.vcpu_info->arch.cr2 = val;
        return 0;
    }
    if ((val ^ emul_read_cr(ctx, 0)) & ~(uint64_t)CR0_TS)
        return -1;
    do_fpu_taskswitch((val & CR0_TS) != 0);
    return 0;
}

static long emul_get_dr(void *ctx, unsigned int reg)
{
    return do_get_debugreg(reg);
}

static long emul_set_dr(void *ctx, unsigned int reg, uint64_t val)
{
    return do_set_debugreg(reg, val);
}

/*
 * The segment bases, as HYPERVISOR_set_segment_base sees them; every
 * other MSR is refused (#GP), as Xen refuses a PV guest an MSR it does
 * not virtualise.  Guest kernel mode: with IDT the kernel's GS base is
 * live, with FRED the user's.
 */
static uint32_t gs_msr(bool kernel)
{
    return kernel ^ (hv_opts.delivery == HV_DELIVERY_FRED) ? MSR_GS_BASE : MSR_KERNEL_GS_BASE;
}

static int emul_rdmsr(void *ctx, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:        *val = rdmsr(MSR_FS_BASE); return 0;
    case MSR_GS_BASE:        *val = rdmsr(gs_msr(true)); return 0;
    case MSR_KERNEL_GS_BASE: *val = rdmsr(gs_msr(false)); return 0;
    default:                 return -1;
    }
}

static int emul_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
        return do_set_segment_base(SEGBASE_FS, val) ? -1 : 0;
    case MSR_GS_BASE:
        return do_set_segment_base(SEGBASE_GS_KERNEL, val) ? -1 : 0;
    case MSR_KERNEL_GS_BASE:
        return do_set_segment_base(SEGBASE_GS_USER, val) ? -1 : 0;
    default:
        return -1;
    }
}

static const struct hv_emul_ops emul_ops = {
    .cpuid = emul_cpuid, .read_cr = emul_read_cr, .write_cr = emul_write_cr,
    .get_dr = emul_get_dr, .set_dr = emul_set_dr,
    .rdmsr = emul_rdmsr, .wrmsr = emul_wrmsr,
};

int emulate_guest_fault(struct hv_vcpu *v, const struct hv_event *ev, struct hv_event *step)
{
    int rc;

    if (ev->type != HV_ET_HW_EXC)
        return EMUL_NOT;
    if (ev->vector != X86_EXC_UD && !(ev->vector == X86_EXC_GP && ev->error_code == 0))
        return EMUL_NOT;
    v->regs.rip = ev->rip;
    v->regs.cs = ev->cs;
    v->regs.rflags = ev->rflags;
    v->regs.rsp = ev->rsp;
    v->regs.ss = ev->ss;
    if (ev->vector == X86_EXC_UD)
        rc = hv_emulate_invalid_op(v, &dom.mem, &emul_ops);
    else
        rc = hv_emulate_priv_op(v, &dom.mem, &emul_ops);
    if (rc != HV_EMUL_DONE)
        return EMUL_NOT;
    v->regs.in_syscall = 0;     /* every register goes back as it is */
    return hv_emul_done(v, ev, step) ? EMUL_DONE_STEP : EMUL_DONE;
}
