/*
 * hv/cpu/desc.c - GDT, TSS, IDT, SYSCALL/SYSENTER MSRs, FRED MSRs.
 *
 * ABI carried: the machine configuration a Xen PV64 guest runs under.
 *   GDT:  Xen 4.17's boot_gdt: 0xe008 hv 64-bit code, 0xe010 hv data,
 *         0xe018 reserved, 0xe023 FLAT_RING3_CS32, 0xe02b FLAT_RING3_DS32/
 *         SS, 0xe033 FLAT_RING3_CS64, 0xe038 reserved, 0xe040 TSS (16
 *         bytes), 0xe050 the running vCPU's LDT (16 bytes, load_ldt);
 *         code/data descriptors with the accessed bit preset, as
 *         Xen's (LAR shows it).  One GDT per vCPU, as Xen's per-vCPU
 *         GDT mapping; switching vCPUs loads the next one's (gdt_switch).
 *         Selectors below 0xe000 are the vCPU's own (HYPERVISOR_set_gdt,
 *         VCPUOP_initialise: whole frames of validated descriptors,
 *         copied in by domain/mm.c, where Xen maps the frames); every
 *         other one is a null descriptor: loading it, or an IRETQ to it,
 *         is #GP(sel) as on Xen.
 *   IDT:  all 256 gates present; DPL3 for 3 (#BP), 4 (#OF) and 0x80, DPL0
 *         for everything else so `INT $N` faults to hv for the vDPL check.
 *         #DF, NMI, #MC and #DB on their own IST stacks (#DB as Xen's:
 *         SYSCALL with TF, or a MOV SS shadow, can raise it on hv's first
 *         instruction while %rsp is still the guest's).
 *   STAR: kernel CS 0xe008, SYSRET base 0xe023 (as Xen's XEN_MSR_STAR);
 *         LSTAR/CSTAR entries; FMASK clears TF NT DF IF AC (and IOPL, RF).
 *   SEP:  SYSENTER_CS = 0xe008 on Intel only (AMD #UDs it in long mode).
 *   PIC:  both 8259s at vectors 0x20-0x2f, all masked but IRQ 0 (the PIT,
 *         timer.c; also the scheduler's tick with several vCPUs).
 *   FRED: CR4.FRED, FRED_CONFIG = the entry page (ring-3 entry at +0,
 *         ring-0 at +256), RSP_SL0 = hv stack, #MC on SL2, #DF on SL3.
 */
#include "lib/hv.h"
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "core/event.h"
#include <xen/xen.h>

bool fred_active;
bool cpu_is_intel;

/* One GDT per vCPU; gdt is the one loaded (the running vCPU's). */
static uint64_t gdts[HV_MAX_VCPUS][GDT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t *gdt = gdts[0];
struct idt_gate { uint64_t lo, hi; };
static struct idt_gate idt[256] __attribute__((aligned(4096)));

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
static struct tss64 tss __attribute__((aligned(64)));

static uint8_t ist_stacks[4][IST_STACK_SIZE] __attribute__((aligned(64)));

/* Flat descriptors: G=1, limit 0xfffff, base 0, accessed. */
#define DESC_CODE64(dpl) (0x00af9b000000ffffull | ((uint64_t)(dpl) << 45))
#define DESC_CODE32(dpl) (0x00cf9b000000ffffull | ((uint64_t)(dpl) << 45))
#define DESC_DATA(dpl)   (0x00cf93000000ffffull | ((uint64_t)(dpl) << 45))

static void set_gdt(unsigned int sel, uint64_t d) { gdt[sel >> 3] = d; }

/*
 * The running vCPU's LDT: a system descriptor (16 bytes, type 2) at
 * HV_LDT_SEL for `ents' descriptors at base (hv memory), or none.
 */
void load_ldt(const void *base, unsigned int ents)
{
    uint64_t b = (uint64_t)base;

    if (!ents) {
        __asm__ volatile("lldt %w0" :: "r"(0));
        return;
    }
    set_gdt(HV_LDT_SEL, ((uint64_t)ents * 8 - 1) | ((b & 0xffffff) << 16) | (0x82ull << 40) |
                        (((b >> 24) & 0xff) << 56));
    gdt[(HV_LDT_SEL >> 3) + 1] = b >> 32;
    __asm__ volatile("lldt %w0" :: "r"(HV_LDT_SEL));
}

/* A guest descriptor (below 0xe000) of the running vCPU's GDT, as the
 * switch-in checks a selector. */
uint64_t gdt_guest_entry(unsigned int idx)
{
    return idx < (0xe000 >> 3) ? gdt[idx] : 0;
}

/* vCPU id's own descriptors (set_gdt, update_descriptor, initialise):
 * slots 0..7167, below the reserved ones at 0xe000. */
void gdt_set_guest_entry(unsigned int id, unsigned int idx, uint64_t desc)
{
    if (id < HV_MAX_VCPUS && idx < (0xe000 >> 3))
        gdts[id][idx] = desc;
}

struct __attribute__((packed)) desc_ptr { uint16_t limit; uint64_t base; };

/*
 * Load vCPU id's GDT.  Its reserved entries are the same as every
 * other's; the TSS descriptor loaded by LTR stays busy only in vCPU 0's
 * table, which nothing looks at again (hv never reloads TR).
 */
void gdt_switch(unsigned int id)
{
    struct desc_ptr gp = { sizeof(gdts[0]) - 1, (uint64_t)gdts[id] };

    gdt = gdts[id];
    __asm__ volatile("lgdt %0" :: "m"(gp));
}

static void set_gate(unsigned int vec, void *handler, unsigned int dpl, unsigned int ist)
{
    uint64_t a = (uint64_t)handler;
    idt[vec].lo = (a & 0xffff) | ((uint64_t)HV_CS << 16) | ((uint64_t)ist << 32) |
                  (0x8eull << 40) | ((uint64_t)dpl << 45) | (((a >> 16) & 0xffff) << 48);
    idt[vec].hi = a >> 32;
}

static bool cpu_has_fred(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7)
        return false;
    cpuid(7, 0, r);
    uint32_t max_sub = r[0];
    if (max_sub < 1)
        return false;
    cpuid(7, 1, r);
    return r[0] & (1u << 17);
}

static void init_fred(void)
{
    wrmsr(MSR_FRED_CONFIG, (uint64_t)fred_entry_page);
    wrmsr(MSR_FRED_RSP_SL0, (uint64_t)hv_stack_top);
    /* Level 1 unused: give it the NMI stack so a misuse is still safe. */
    wrmsr(MSR_FRED_RSP_SL1, (uint64_t)ist_stacks[IST_NMI - 1] + IST_STACK_SIZE);
    wrmsr(MSR_FRED_RSP_SL2, (uint64_t)ist_stacks[IST_MC - 1] + IST_STACK_SIZE);
    wrmsr(MSR_FRED_RSP_SL3, (uint64_t)ist_stacks[IST_DF - 1] + IST_STACK_SIZE);
    wrmsr(MSR_FRED_STK_LVLS, (2ull << (X86_EXC_MC * 2)) | (3ull << (X86_EXC_DF * 2)));
    /* No shadow stacks in hv (CR4.CET stays clear): the SSP MSRs exist
     * only with CET shadow stacks (CPUID.(7,0):ECX[7]); zero them then. */
    uint32_t r[4];
    cpuid(7, 0, r);
    if (r[2] & (1u << 7)) {
        wrmsr(MSR_PL0_SSP, 0);
        wrmsr(MSR_FRED_SSP_SL1, 0);
        wrmsr(MSR_FRED_SSP_SL2, 0);
        wrmsr(MSR_FRED_SSP_SL3, 0);
    }
    write_cr4(read_cr4() | CR4_FRED);
    fred_active = true;
}

void arch_init_cpu(int delivery)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    cpu_is_intel = r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;

    if (delivery == HV_DELIVERY_FRED && !cpu_has_fred())
        boot_refuse("delivery=fred but this CPU has no FRED "
                    "(CPUID.(EAX=7,ECX=1):EAX[17] clear); no fallback to IDT");

    /* The 8259 PICs: moved to vectors 0x20-0x2f, so that an IRQ (and a
     * spurious IRQ 7 or 15, raised even when masked) is an interrupt for
     * hv, not an exception vector for the guest; all masked here, then
     * IRQ 0 unmasked for the platform timer (timer.c). */
    static const uint8_t icw[2][4] = {
        { 0x11, 0x20, 0x04, 0x01 },     /* master: ICW1, base 0x20, slave on IR2, 8086 */
        { 0x11, 0x28, 0x02, 0x01 },     /* slave: ICW1, base 0x28, cascade id 2, 8086 */
    };
    for (unsigned int i = 0; i < 4; i++) {
        outb(i ? 0x21 : 0x20, icw[0][i]);
        outb(i ? 0xa1 : 0xa0, icw[1][i]);
    }
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    platform_timer_init();

    uint64_t t = (uint64_t)&tss;
    tss.rsp[0] = (uint64_t)hv_stack_top;
    for (int i = 0; i < 4; i++)
        tss.ist[i] = (uint64_t)ist_stacks[i] + sizeof(ist_stacks[i]);
    tss.iomap_base = sizeof(tss);    /* no I/O bitmap: ring 3 I/O faults */
    for (unsigned int id = HV_MAX_VCPUS; id-- > 0;) {
        gdt = gdts[id];
        set_gdt(HV_CS, DESC_CODE64(0));
        set_gdt(HV_DS, DESC_DATA(0));
        set_gdt(FLAT_RING3_CS32, DESC_CODE32(3));
        set_gdt(FLAT_RING3_DS32, DESC_DATA(3));
        set_gdt(FLAT_RING3_CS64, DESC_CODE64(3));
        set_gdt(HV_TSS_SEL, (sizeof(tss) - 1) | ((t & 0xffffff) << 16) | (0x89ull << 40) |
                            (((t >> 24) & 0xff) << 56));
        gdt[(HV_TSS_SEL >> 3) + 1] = t >> 32;
    }
    gdt_switch(0);
    __asm__ volatile(
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %[ds], %%eax\n\t"
        "mov %%eax, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        :: [cs] "i"(HV_CS), [ds] "i"(HV_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" :: "r"(HV_TSS_SEL));
    __asm__ volatile("lldt %w0" :: "r"(0));

    /* CR0: FPU native (MP, NE), write-protect on, alignment checks for
     * ring 3 with EFLAGS.AC (AM, as Xen's trampoline sets it: the guest
     * gets #AC); CR4: SSE for the guest, global pages off (guest and hv
     * share the TLB on every CR3 switch). */
    write_cr0((read_cr0() | CR0_MP | CR0_NE | CR0_WP | CR0_AM) & ~(uint64_t)CR0_TS & ~4ull /* EM */);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

    /* SYSCALL: STAR as Xen's, FMASK as Xen's XEN_SYSCALL_MASK. */
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)HV_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)lstar_entry);
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    wrmsr(MSR_FMASK, X86_EFLAGS_AC | X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT |
                     X86_EFLAGS_DF | X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_IOPL);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);

    if (cpu_is_intel) {
        wrmsr(MSR_SYSENTER_CS, HV_CS);
        wrmsr(MSR_SYSENTER_ESP, (uint64_t)hv_stack_top);
        wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
    } else {
        wrmsr(MSR_SYSENTER_CS, 0);
    }

    if (delivery == HV_DELIVERY_FRED) {
        init_fred();
        struct desc_ptr ip = { 0, 0 };
        __asm__ volatile("lidt %0" :: "m"(ip));
        printk("hv: using FRED event delivery\n");
        return;
    }

    for (unsigned int v = 0; v < 256; v++) {
        unsigned int dpl = (v == 3 || v == 4 || v == 0x80) ? 3 : 0;
        unsigned int ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC :
                           v == 1 ? IST_DB : 0;
        set_gate(v, idt_stubs + 16 * v, dpl, ist);
    }
    struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(ip));
    printk("hv: using IDT event delivery (%s)\n", cpu_is_intel ? "Intel: SYSENTER on" : "not Intel: SYSENTER off");
}
