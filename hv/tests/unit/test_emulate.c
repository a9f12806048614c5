/*
 * hv/tests/unit/test_emulate.c - core/emulate.c: the forced-emulation
 * CPUID, and the #GP(0) instructions a PV guest may have completed for
 * it (CLI/STI and port I/O by virtual IOPL and vCPL, MOV CR/DR, RDMSR/
 * WRMSR in guest kernel mode only), against byte sequences written here
 * from the instruction encodings; and hv_check_descriptor's audit.
 */
#include <string.h>

#include "tap.h"
#include "core/emulate.h"
#include "core/event.h"
#include <x86/exceptions.h>
#include "core/hypercall_check.h"
#include <xen/arch-x86/cpuid.h>

#define CODE 0xffffffff80400000ull

/* A platform that records what it was asked. */
static unsigned int last_cr_write = 99, last_dr = 99;
static uint64_t last_val;

static void p_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    out[0] = leaf; out[1] = sub; out[2] = 0x1234; out[3] = 0x5678;
}
static uint64_t p_read_cr(void *ctx, unsigned int cr) { return 0x1000u * cr + 0x11; }
static int p_write_cr(void *ctx, unsigned int cr, uint64_t val)
{
    last_cr_write = cr, last_val = val;
    return cr == 0 && val != 0x8 ? -1 : 0;
}
static long p_get_dr(void *ctx, unsigned int reg) { return reg == 7 ? 0x400 : -XEN_ENODEV; }
static long p_set_dr(void *ctx, unsigned int reg, uint64_t val)
{
    last_dr = reg, last_val = val;
    return reg <= 7 ? 0 : -XEN_ENODEV;
}
static int p_rdmsr(void *ctx, uint32_t msr, uint64_t *val)
{
    *val = 0x1122334455667788ull;
    return msr == 0xc0000100 ? 0 : -1;
}
static int p_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
    last_val = val;
    return msr == 0xc0000100 ? 0 : -1;
}
static const struct hv_emul_ops ops = { NULL, p_cpuid, p_read_cr, p_write_cr, p_get_dr, p_set_dr,
                                        p_rdmsr, p_wrmsr };

static struct fixture fx;
static uint8_t *code;

static int gp(const uint8_t *bytes, size_t n)
{
    memset(code, 0x90, 4096);
    memcpy(code, bytes, n);
    fx.v.regs.rip = CODE;
    return hv_emulate_priv_op(&fx.v, &fx.m, &ops);
}

static int ud(const uint8_t *bytes, size_t n)
{
    memset(code, 0x90, 4096);
    memcpy(code, bytes, n);
    fx.v.regs.rip = CODE;
    return hv_emulate_invalid_op(&fx.v, &fx.m, &ops);
}

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static void forced_cpuid(void)
{
    uint32_t r[4];

    fx.v.regs.rax = 1; fx.v.regs.rcx = 0;
    EQ(ud(B(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2)), HV_EMUL_DONE, "fep: ud2; 'xen'; cpuid is emulated");
    EQ(fx.v.regs.rip, CODE + 7, "fep: rip past all seven bytes");
    OK(fx.v.regs.rcx == (0x1234u | (1u << 31)) && fx.v.regs.rax == 1,
       "fep: leaf 1 with the hypervisor bit (ecx bit 31)");
    fx.v.regs.rax = XEN_CPUID_FIRST_LEAF;
    ud(B(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    OK(fx.v.regs.rbx == XEN_CPUID_SIGNATURE_EBX && fx.v.regs.rcx == XEN_CPUID_SIGNATURE_ECX &&
       fx.v.regs.rdx == XEN_CPUID_SIGNATURE_EDX, "fep: leaf 0x40000000 is \"XenVMMXenVMM\"");
    EQ(fx.v.regs.rax, XEN_CPUID_FIRST_LEAF + 5, "fep: leaf 0x40000000 eax: the last Xen leaf");
    hv_pv_cpuid(&ops, XEN_CPUID_FIRST_LEAF + 2, 0, r);
    EQ(r[0], 1, "cpuid 0x40000002: one hypercall page");
    EQ(ud(B(0x0f, 0x0b, 'x', 'e', 'n', 0x90)), HV_EMUL_NONE, "fep: only CPUID after the prefix");
    EQ(ud(B(0x0f, 0x0b, 'x', 'e', 'x', 0x0f, 0xa2)), HV_EMUL_NONE, "fep: a wrong signature is a #UD");
    EQ(ud(B(0x0f, 0x0b)), HV_EMUL_NONE, "fep: a plain ud2 is a #UD");
    fx.v.regs.rip = 0x1000;             /* unmapped */
    EQ(hv_emulate_invalid_op(&fx.v, &fx.m, &ops), HV_EMUL_NONE, "fep: unreadable rip: the #UD stays");
}

static void iopl_rules(void)
{
    /* vCPL: kernel 1 (0 with architectural IOPL), user 3. */
    struct { bool kernel, arch; unsigned int iopl; bool ok; } c[] = {
        { true, false, 0, false }, { true, false, 1, true }, { false, false, 1, false },
        { false, false, 3, true }, { true, true, 0, true }, { false, true, 2, false },
    };
    for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        fx.v.kernel_mode = c[i].kernel;
        fx.v.arch_iopl = c[i].arch;
        fx.v.iopl = c[i].iopl << 12;
        EQ(gp(B(0xfa)), c[i].ok ? HV_EMUL_DONE : HV_EMUL_NONE, "cli, %s, %s, vIOPL %u: %s",
           c[i].kernel ? "kernel" : "user", c[i].arch ? "architectural IOPL" : "hypercall IOPL",
           c[i].iopl, c[i].ok ? "done" : "#GP");
    }
    fx.v.kernel_mode = true; fx.v.arch_iopl = false; fx.v.iopl = 1 << 12;
    EQ(gp(B(0xfb)), HV_EMUL_DONE, "sti with vIOPL 1 in the kernel: done");
    EQ(fx.v.regs.rip, CODE + 1, "sti: rip + 1");
    fx.v.regs.rax = 0x1234567812345678ull;
    gp(B(0xe4, 0x80));
    OK(fx.v.regs.rax == 0x12345678123456ffull && fx.v.regs.rip == CODE + 2, "in al, $0x80: al = 0xff, rip + 2");
    fx.v.regs.rax = 0x1234567812345678ull;
    gp(B(0x66, 0xed));
    OK(fx.v.regs.rax == 0x123456781234ffffull && fx.v.regs.rip == CODE + 2, "in ax, dx: ax = 0xffff");
    fx.v.regs.rax = 0x1234567812345678ull;
    gp(B(0xed));
    EQ(fx.v.regs.rax, 0xffffffffull, "in eax, dx: zero-extended all ones");
    EQ(gp(B(0xe6, 0x80)), HV_EMUL_DONE, "out $0x80, al: done (dropped)");
    EQ(fx.v.regs.rip, CODE + 2, "out imm8: rip + 2");
    fx.v.iopl = 0;
    EQ(gp(B(0xee)), HV_EMUL_NONE, "out dx, al without the IOPL: #GP");
}

static void kernel_only(void)
{
    fx.v.kernel_mode = true;
    EQ(gp(B(0x0f, 0x20, 0xd8)), HV_EMUL_DONE, "mov %%cr3, %%rax: done");
    EQ(fx.v.regs.rax, 0x3011, "mov from cr3: the platform's value in rax");
    EQ(fx.v.regs.rip, CODE + 3, "mov from cr3: rip + 3");
    gp(B(0x41, 0x0f, 0x20, 0xe7));
    EQ(fx.v.regs.r15, 0x4011, "mov %%cr4, %%r15 (REX.B): r15");
    EQ(gp(B(0x0f, 0x20, 0xc8)), HV_EMUL_NONE, "mov from cr1: #GP");
    EQ(gp(B(0x0f, 0x20, 0xc0 | (8 << 3 & 0x38))), HV_EMUL_DONE, "mov from cr0: done");
    EQ(gp(B(0x44, 0x0f, 0x20, 0xc0)), HV_EMUL_NONE, "mov from cr8 (REX.R): #GP");
    fx.v.regs.rcx = 0x8;
    EQ(gp(B(0x0f, 0x22, 0xc1)), HV_EMUL_DONE, "mov %%rcx, %%cr0 (TS only): done");
    EQ(last_cr_write, 0, "mov to cr0: the platform was asked");
    fx.v.regs.rcx = 0x80000000;
    EQ(gp(B(0x0f, 0x22, 0xc1)), HV_EMUL_NONE, "mov to cr0 the platform refuses: #GP");
    EQ(gp(B(0x0f, 0x22, 0xd9)), HV_EMUL_NONE, "mov to cr3: #GP (not emulated)");
    EQ(gp(B(0x0f, 0x21, 0xf8)), HV_EMUL_DONE, "mov %%dr7, %%rax: done");
    EQ(fx.v.regs.rax, 0x400, "mov from dr7: get_debugreg's value");
    EQ(gp(B(0x0f, 0x21, 0xc0)), HV_EMUL_NONE, "mov from dr0 the platform refuses: #GP");
    fx.v.regs.rdx = 0x55;
    EQ(gp(B(0x0f, 0x23, 0xfa)), HV_EMUL_DONE, "mov %%rdx, %%dr7: done");
    OK(last_dr == 7 && last_val == 0x55, "mov to dr7: set_debugreg(7, rdx)");
    fx.v.regs.rcx = 0xc0000100;
    EQ(gp(B(0x0f, 0x32)), HV_EMUL_DONE, "rdmsr FS_BASE: done");
    OK(fx.v.regs.rax == 0x55667788 && fx.v.regs.rdx == 0x11223344, "rdmsr: edx:eax");
    fx.v.regs.rcx = 0x10;
    EQ(gp(B(0x0f, 0x32)), HV_EMUL_NONE, "rdmsr the platform refuses: #GP");
    fx.v.regs.rcx = 0xc0000100; fx.v.regs.rax = 0xaabbccdd; fx.v.regs.rdx = 0x1;
    EQ(gp(B(0x0f, 0x30)), HV_EMUL_DONE, "wrmsr FS_BASE: done");
    EQ(last_val, 0x1aabbccddull, "wrmsr: the value is edx:eax");
    EQ(gp(B(0x0f, 0x09)), HV_EMUL_DONE, "wbinvd in the kernel: done (nothing to do)");
    fx.v.kernel_mode = false;
    fx.v.iopl = 3 << 12;
    EQ(gp(B(0x0f, 0x20, 0xd8)), HV_EMUL_NONE, "mov from cr3 in user mode: #GP");
    EQ(gp(B(0x0f, 0x32)), HV_EMUL_NONE, "rdmsr in user mode: #GP");
    EQ(gp(B(0x0f, 0x09)), HV_EMUL_NONE, "wbinvd in user mode: #GP");
    EQ(gp(B(0xf4)), HV_EMUL_NONE, "hlt: #GP (not emulated)");
    fx.v.kernel_mode = true;
}

static void descriptors(void)
{
    uint64_t d;

    d = 0x00af9a000000ffffull;                 /* 64-bit code, DPL 0 */
    OK(hv_check_descriptor(&d) && ((d >> 45) & 3) == 3, "descriptor: code DPL 0 accepted, DPL raised to 3");
    d = 0x00cff2000000ffffull;                 /* data, DPL 3 */
    OK(hv_check_descriptor(&d) && d == 0x00cff2000000ffffull, "descriptor: data DPL 3 accepted unchanged");
    d = 0x0000890000000067ull;                 /* TSS */
    OK(!hv_check_descriptor(&d), "descriptor: a TSS is refused");
    d = 0x0000820000000067ull;                 /* LDT */
    OK(!hv_check_descriptor(&d), "descriptor: an LDT is refused");
    d = 0x0000090000000067ull;                 /* TSS, not present */
    OK(hv_check_descriptor(&d), "descriptor: anything not present is accepted");
}

static void single_step(void)
{
    struct hv_event fault = { .vector = X86_EXC_GP, .type = HV_ET_HW_EXC, .has_error_code = true,
                              .cs = FLAT_KERNEL_CS, .ss = FLAT_KERNEL_SS }, step;

    fx.v.kernel_mode = true; fx.v.iopl = 1 << 12;
    fx.v.regs.rflags = 0x10202;                 /* RF, IF */
    gp(B(0xfa));
    OK(!hv_emul_done(&fx.v, &fault, &step) && fx.v.regs.rflags == 0x202,
       "emulated, no TF: RF cleared, no #DB");
    fx.v.regs.rflags = 0x10302;                 /* RF, TF, IF */
    gp(B(0xfa));
    OK(hv_emul_done(&fx.v, &fault, &step), "emulated under TF: a #DB follows");
    OK(step.vector == X86_EXC_DB && step.type == HV_ET_HW_EXC && !step.has_error_code &&
       step.data == (1u << 14) && step.rip == CODE + 1 && step.rflags == 0x302,
       "the #DB: DR6.BS, at the next instruction, RF clear");
}

void test_emulate(void)
{
    tap_diag("instruction emulation (forced CPUID, privileged instructions), descriptors");
    fixture_init(&fx);
    code = fake_mem_add(&fx.fm, CODE, 4096, false);
    forced_cpuid();
    iopl_rules();
    kernel_only();
    descriptors();
    single_step();
    fixture_free(&fx);
}
