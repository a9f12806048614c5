/*
 * hv/tests/guests/gdt.c - the guest's own GDT (HYPERVISOR_set_gdt,
 * HYPERVISOR_update_descriptor), as Xen 4.17 keeps one
 * (pv/descriptor-tables.c, mm.c PGT_seg_desc_page).
 *
 * A GDT frame must be the domain's, not mapped writable, and every one of
 * its 512 entries must pass the descriptor audit; it then holds the
 * descriptor-page type: no writable mapping (-XEN_EBUSY), no mmu_update into
 * it (-XEN_EINVAL), only update_descriptor writes it, one entry audited.  The
 * audit's fixups land in the frame itself (DPL 3; a call gate's DPL moved
 * into its selector's RPL, the gate made DPL 0).  The whole frame is
 * what the CPU sees, also past `entries' (LAR).  Replacing the GDT drops
 * the type, one reference per use of the frame.  Call gates: 64-bit ones
 * to a guest GDT selector, FLAT_KERNEL_CS or an LDT selector with clear
 * reserved bits are accepted, the rest refused with -XEN_EINVAL.
 * Expected: all ok, status 0.
 */
#include "guest.h"
#include <xen/memory.h>
#include <xen/vcpu.h>

static inline long HYPERVISOR_set_gdt(unsigned long *frames, unsigned int entries)
{ return _hypercall2(long, set_gdt, frames, entries); }
static inline long HYPERVISOR_update_descriptor(uint64_t ma, uint64_t desc)
{ return _hypercall2(long, update_descriptor, ma, desc); }

#define VIRT_BASE 0xffffffff80000000ul

static const start_info_t *si;

/* Candidate GDT frames, and a page for descriptors refused. */
static uint64_t g1[512] __attribute__((aligned(PAGE)));
static uint64_t g2[512] __attribute__((aligned(PAGE)));
static uint64_t g3[512] __attribute__((aligned(PAGE)));

#define DATA_DPL0 0x00cf93000000ffffull        /* flat data, DPL 0 */
#define DATA_DPL3 0x00cff3000000ffffull        /* the same, DPL 3 */
#define TSS64     0x0000890000000067ull

/* The first half of a 64-bit call gate to sel:off with this DPL. */
static uint64_t gate(unsigned long off, unsigned int sel, unsigned int dpl)
{
    return (off & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)(0x8c00 | dpl << 13) << 32) |
           (((off >> 16) & 0xffff) << 48);
}

static void gate_target(void) {}

/*
 * #GP handler: records the error code and resumes at gp_resume (set just
 * before the instruction expected to fault), through HYPERVISOR_iret.
 */
extern void gp_handler(void);
static volatile unsigned long gp_error, gp_count, gp_resume;
asm(".pushsection .text\n"
    "gp_handler:\n\t"
    "pop %rcx\n\t"
    "pop %r11\n\t"
    "popq gp_error(%rip)\n\t"          /* the error code */
    "incq gp_count(%rip)\n\t"
    "push %rax\n\t"
    "mov gp_resume(%rip), %rax\n\t"
    "mov %rax, 8(%rsp)\n\t"            /* the frame's rip */
    "pop %rax\n\t"
    "pushq $0\n\t"
    "jmp hypercall_page + 23 * 32\n"    /* __HYPERVISOR_iret */
    ".popsection");

/* A far call through the gate at sel: 1 if it faulted (#GP, error code in
 * gp_error), 0 if it came back through the gate's target. */
static int far_call(unsigned int sel)
{
    struct __attribute__((packed)) { uint64_t off; uint16_t sel; } p = { 0, (uint16_t)sel };
    unsigned long before = gp_count;

    asm volatile("lea 1f(%%rip), %%rax\n\t"
                 "mov %%rax, gp_resume(%%rip)\n\t"
                 "rex64 lcall *%0\n"
                 "1:" :: "m"(p) : "rax", "rcx", "r11", "memory");
    return gp_count != before;
}

static long remap(const void *va, unsigned long flags)
{
    return HYPERVISOR_update_va_mapping((unsigned long)va, (mfn_of(va) << 12) | flags, UVMF_INVLPG);
}
#define RO 0x25ul   /* P | US | A */
#define RW 0x27ul

static long set_gdt1(const void *frame, unsigned int entries)
{
    unsigned long f = mfn_of(frame);
    return HYPERVISOR_set_gdt(&f, entries);
}

/* LAR: 1 and the access rights if the CPU takes the selector. */
static int lar(unsigned int sel, unsigned int *ar)
{
    unsigned long a = 0;
    uint8_t ok;

    asm volatile("lar %2, %0; setz %1" : "+r"(a), "=qm"(ok) : "r"((unsigned long)sel) : "cc");
    *ar = (unsigned int)a;
    return ok;
}

/* The machine address of the L1 entry mapping va: a walk of the boot
 * tables, each read through the image's mapping (pfn from the M2P). */
static uint64_t l1e_ma(const void *va)
{
    const uint64_t *m2p = (const uint64_t *)MACH2PHYS_VIRT_START;
    const uint64_t *t = (const uint64_t *)si->pt_base;
    unsigned long a = (unsigned long)va, mfn = mfn_of(t);

    for (int level = 4; level > 1; level--) {
        mfn = (t[(a >> (12 + 9 * (level - 1))) & 511] & 0x000ffffffffff000ull) >> 12;
        t = (const uint64_t *)(VIRT_BASE + m2p[mfn] * PAGE);
    }
    return (mfn << 12) + ((a >> 12) & 511) * 8;
}

static long mmu1(uint64_t ptr, uint64_t val)
{
    mmu_update_t u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static void test_frame_rules(void)
{
    unsigned int ar = 0;
    uint64_t ma1 = (uint64_t)mfn_of(g1) << 12;
    long rc;

    for (int i = 0; i < 512; i++)
        g1[i] = 0;
    g1[1] = DATA_DPL0;
    g1[2] = gate((unsigned long)gate_target, FLAT_KERNEL_CS, 3);
    g1[3] = (unsigned long)gate_target >> 32;
    g1[5] = DATA_DPL0;                          /* past `entries' (4) */

    rc = set_gdt1(g1, 4);
    check(rc == -XEN_EINVAL, "set_gdt of a frame mapped writable: %ld (want -EINVAL)", rc);
    rc = remap(g1, RO);
    check(rc == 0, "the frame mapped read-only: %ld", rc);
    rc = set_gdt1(g1, 4);
    check(rc == 0, "set_gdt of it (data DPL 0, a call gate to FLAT_KERNEL_CS): %ld", rc);
    check(g1[1] == DATA_DPL3 && g1[5] == DATA_DPL3,
          "the frame's data descriptors now DPL 3 (fixed up in place, all 512): %llx %llx",
          (unsigned long long)g1[1], (unsigned long long)g1[5]);
    check(g1[2] == gate((unsigned long)gate_target, FLAT_KERNEL_CS, 0),
          "the gate in the frame: DPL 0, selector 0xe033 (RPL 3): %llx", (unsigned long long)g1[2]);
    int ok = lar(0x0b, &ar);
    check(ok && ((ar >> 13) & 3) == 3, "LAR 0x0b: the CPU takes entry 1, DPL 3 (ar %x)", ar);
    check(lar(0x2b, &ar), "LAR 0x2b: entry 5, past `entries' but in the frame, is live too");
    check(!lar(0x1003, &ar), "LAR 0x1003: entry 512, past the frame: not present");
    /* Xen 4.17 emulates far calls through gates for 32-bit PV guests
     * only (traps.c do_general_protection): a PV64 one gets the #GP. */
    static struct trap_info traps[] = {
        { 13, 0, FLAT_KERNEL_CS, (unsigned long)gp_handler },
        { 0, 0, 0, 0 },
    };
    rc = HYPERVISOR_set_trap_table(traps);
    ok = far_call(0x13);
    check(rc == 0 && ok && gp_error == 0x10,
          "far call through the accepted gate (0x13): #GP(0x10) to the guest, not emulated for PV64 (error %lx)",
          gp_error);

    rc = remap(g1, RW);
    check(rc == -XEN_EBUSY, "update_va_mapping of a GDT frame writable: %ld (want -EBUSY)", rc);
    rc = mmu1(l1e_ma(g1), (mfn_of(g1) << 12) | RW);
    check(rc == -XEN_EBUSY, "mmu_update of its L1 entry writable: %ld (want -EBUSY)", rc);
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = mfn_of(g1) };
    rc = HYPERVISOR_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    check(rc == -XEN_EINVAL, "pinning a GDT frame as an L1 table: %ld (want -EINVAL)", rc);
    rc = mmu1(ma1 + 6 * 8, DATA_DPL3);
    check(rc == -XEN_EINVAL, "mmu_update (MMU_NORMAL_PT_UPDATE) into a GDT frame: %ld (want -EINVAL)", rc);
    check(g1[6] == 0, "... and entry 6 left as it was");
    rc = HYPERVISOR_update_descriptor(ma1 + 6 * 8, TSS64);
    check(rc == -XEN_EINVAL && g1[6] == 0, "update_descriptor of a TSS into it: %ld (want -EINVAL)", rc);
    rc = HYPERVISOR_update_descriptor(ma1 + 6 * 8 + 4, DATA_DPL0);
    check(rc == -XEN_EINVAL, "update_descriptor at a misaligned address: %ld (want -EINVAL)", rc);
    check(!lar(0x33, &ar), "LAR 0x33 before: entry 6 empty");
    rc = HYPERVISOR_update_descriptor(ma1 + 6 * 8, DATA_DPL0);
    check(rc == 0 && g1[6] == DATA_DPL3, "update_descriptor of data DPL 0 into it: %ld, stored DPL 3 (%llx)",
          rc, (unsigned long long)g1[6]);
    check(lar(0x33, &ar) && ((ar >> 13) & 3) == 3, "LAR 0x33 after: the CPU sees the new entry 6");
    rc = HYPERVISOR_update_descriptor(ma1 + 8 * 8, gate((unsigned long)gate_target, 0x10, 3));
    check(rc == 0 && g1[8] == gate((unsigned long)gate_target, 0x13, 0),
          "update_descriptor of a gate to 0x10: %ld, stored DPL 0, selector 0x13 (%llx)", rc,
          (unsigned long long)g1[8]);
    rc = HYPERVISOR_update_descriptor(ma1 + 8 * 8, gate((unsigned long)gate_target, 0xe008, 3));
    check(rc == -XEN_EINVAL, "update_descriptor of a gate to Xen's own code 0xe008: %ld (want -EINVAL)", rc);
    ok = far_call(0x43);
    check(ok && gp_error == 0x40, "far call through the gate of entry 8: #GP(0x40) (error %lx)", gp_error);

    /* Replaced: the type goes with the last reference (two here). */
    unsigned long two[2] = { mfn_of(g1), mfn_of(g1) };
    rc = HYPERVISOR_set_gdt(two, 1024);
    check(rc == 0, "set_gdt naming the frame twice: %ld", rc);
    check(lar(0x100b, &ar), "LAR 0x100b: entry 513 is entry 1 again");
    for (int i = 0; i < 512; i++)
        g3[i] = 0;
    rc = remap(g3, RO);
    rc |= set_gdt1(g3, 1);
    check(rc == 0 && !lar(0x0b, &ar), "another GDT (g3, empty): %ld, entry 1 gone", rc);
    rc = remap(g1, RW);
    check(rc == 0, "the old frame maps writable again: %ld", rc);
    rc = set_gdt1(g1, 0);
    check(rc == 0, "set_gdt with 0 entries: %ld", rc);
    rc = remap(g3, RW);
    check(rc == 0, "g3, no longer a GDT, maps writable again: %ld", rc);
    rc = mmu1(((uint64_t)mfn_of(g3) << 12) + 8, 0x1234);
    check(rc == 0 && g3[1] == 0x1234, "mmu_update into a plain page writes it: %ld", rc);
}

/* Frames refused, each leaving the GDT in use as it was. */
static void test_refused(void)
{
    static const struct { const char *what; uint64_t lo, hi; } bad[] = {
        { "a TSS", TSS64, 0 },
        { "an LDT descriptor", 0x0000820000000067ull, 0 },
        { "a call gate to 0xe008 (Xen's code)", 0, 0 },
        { "a call gate to 0xe023 (FLAT_RING3_CS32)", 0, 0 },
        { "a call gate with a reserved bit set", 0, 0 },
        { "an interrupt gate", 0, 0 },
        { "a trap gate", 0, 0 },
    };
    unsigned long off = (unsigned long)gate_target;
    unsigned int ar = 0;
    long rc;

    for (int i = 0; i < 512; i++)
        g1[i] = 0;
    g1[1] = DATA_DPL3;
    rc = remap(g1, RO) | set_gdt1(g1, 2);
    check(rc == 0 && lar(0x0b, &ar), "a GDT in use (g1, entry 1): %ld", rc);
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t lo = bad[i].lo;

        if (i == 2)
            lo = gate(off, 0xe008, 3);
        else if (i == 3)
            lo = gate(off, 0xe023, 3);
        else if (i == 4)
            lo = gate(off, FLAT_KERNEL_CS, 3) | (1ull << 32);
        else if (i == 5)
            lo = (gate(off, FLAT_KERNEL_CS, 3) & ~(15ull << 40)) | (14ull << 40);
        else if (i == 6)
            lo = (gate(off, FLAT_KERNEL_CS, 3) & ~(15ull << 40)) | (15ull << 40);
        remap(g2, RW);
        for (int j = 0; j < 512; j++)
            g2[j] = 0;
        g2[3] = DATA_DPL3;
        g2[500] = lo;
        g2[501] = bad[i].hi;
        remap(g2, RO);
        rc = set_gdt1(g2, 4);
        check(rc == -XEN_EINVAL && lar(0x0b, &ar) && !lar(0x1b, &ar),
              "set_gdt of a frame with %s at entry 500 (past `entries'): %ld (want -EINVAL), old GDT kept",
              bad[i].what, rc);
    }
    rc = remap(g2, RW);
    check(rc == 0, "the refused frame did not keep the type: maps writable: %ld", rc);

    /* Gates accepted: to an LDT selector, to a guest GDT selector. */
    for (int j = 0; j < 512; j++)
        g2[j] = 0;
    g2[2] = gate(off, 0x0c, 0);
    g2[4] = gate(off, 0x1ff8, 1);
    g2[5] = off >> 32;
    remap(g2, RO);
    rc = set_gdt1(g2, 6);
    check(rc == 0 && g2[2] == gate(off, 0x0f, 0) && g2[4] == gate(off, 0x1ffb, 0),
          "call gates to an LDT selector and to guest entry 0x1ff8: %ld, selectors RPL 3, DPL 0", rc);
    check(!lar(0x13, &ar), "LAR of a call gate with DPL 0 from the guest kernel (ring 3): refused");

    const uint64_t *l1 = (const uint64_t *)(VIRT_BASE + ((const uint64_t *)MACH2PHYS_VIRT_START)[l1e_ma(g1) >> 12] * PAGE);
    rc = set_gdt1(l1, 1);
    check(rc == -XEN_EINVAL, "set_gdt of an L1 page table: %ld (want -EINVAL)", rc);
    unsigned long none = 0x7fffffffful;
    rc = HYPERVISOR_set_gdt(&none, 1);
    check(rc == -XEN_EINVAL, "set_gdt of a frame not the domain's: %ld (want -EINVAL)", rc);
    rc = HYPERVISOR_set_gdt(NULL, 7169);
    check(rc == -XEN_EINVAL, "set_gdt of 7169 entries: %ld (want -EINVAL)", rc);
    rc = HYPERVISOR_set_gdt((unsigned long *)8, 1);
    check(rc == -XEN_EFAULT, "set_gdt with an unreadable frame list: %ld (want -EFAULT)", rc);
    rc = set_gdt1(g1, 0);
    check(rc == 0 && remap(g2, RW) == 0 && remap(g1, RW) == 0, "no GDT: both frames writable again");
}

/* ---- one GDT per vCPU ---- */

static uint64_t g4[512] __attribute__((aligned(PAGE)));
static uint64_t g5[512] __attribute__((aligned(PAGE)));
static uint8_t ap_stack[PAGE] __attribute__((aligned(PAGE)));
static volatile int ap_done, ap_lar1, ap_lar2, ap_lar2_after;
static volatile long ap_set_gdt;

/* vCPU 1: what its GDT (g4) shows, then its own set_gdt (g5), then down. */
static void ap_main(void)
{
    unsigned int ar;

    ap_lar1 = lar(0x0b, &ar);                   /* vCPU 0's entry 1: not here */
    ap_lar2 = lar(0x13, &ar);                   /* g4's entry 2 */
    ap_set_gdt = set_gdt1(g5, 1);
    ap_lar2_after = lar(0x13, &ar);             /* g5 has no entry 2 */
    ap_done = 1;
    HYPERVISOR_vcpu_op(VCPUOP_down, 1, NULL);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static void test_per_vcpu(void)
{
    static struct vcpu_guest_context c;
    unsigned int ar = 0;
    long rc;

    rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL);
    check(rc == 0, "vCPU 1 exists and is down: %ld", rc);
    for (int i = 0; i < 512; i++)
        g1[i] = g4[i] = g5[i] = 0;
    g1[1] = DATA_DPL3;
    g4[2] = DATA_DPL0;
    rc = remap(g1, RO) | set_gdt1(g1, 2) | remap(g5, RO);
    check(rc == 0 && lar(0x0b, &ar) && !lar(0x13, &ar), "vCPU 0's GDT: g1, entry 1 only: %ld", rc);

    c.flags = VGCF_in_kernel;
    c.user_regs.rip = (unsigned long)ap_main;
    c.user_regs.rsp = (unsigned long)ap_stack + PAGE - 8;
    c.user_regs.cs = FLAT_KERNEL_CS;
    c.user_regs.ss = FLAT_KERNEL_SS;
    c.user_regs.rflags = 0x2;
    c.kernel_ss = FLAT_KERNEL_SS;
    c.kernel_sp = (unsigned long)ap_stack + PAGE;
    c.ctrlreg[3] = xen_pfn_to_cr3(mfn_of((const void *)si->pt_base));
    c.gdt_frames[0] = mfn_of(g4);
    c.gdt_ents = 3;
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &c);
    check(rc == -XEN_EINVAL, "initialise vCPU 1 with a GDT frame mapped writable: %ld (want -EINVAL)", rc);
    rc = HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL);
    check(rc == -XEN_EINVAL, "... it stays uninitialised: up %ld (want -EINVAL)", rc);
    c.gdt_ents = 7169;
    rc = remap(g4, RO) | HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &c);
    check(rc == -XEN_EINVAL, "initialise with 7169 GDT entries: %ld (want -EINVAL)", rc);
    c.gdt_ents = 3;
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &c);
    check(rc == 0, "initialise vCPU 1 with its own GDT (g4, read-only): %ld", rc);
    check(g4[2] == DATA_DPL3, "g4 validated: entry 2 DPL 3 in the frame");
    rc = remap(g4, RW);
    check(rc == -XEN_EBUSY, "g4, vCPU 1's GDT, cannot be mapped writable: %ld (want -EBUSY)", rc);
    check(lar(0x0b, &ar) && !lar(0x13, &ar), "vCPU 0 still sees its own GDT (g1), not g4");

    rc = HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL);
    check(rc == 0, "up vCPU 1: %ld", rc);
    for (long i = 0; i < 1000000 && !ap_done; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(ap_done, "vCPU 1 ran");
    check(!ap_lar1 && ap_lar2, "vCPU 1 sees its own GDT: entry 1 (vCPU 0's) not there (%d), entry 2 (g4's) there (%d)",
          ap_lar1, ap_lar2);
    check(ap_set_gdt == 0 && !ap_lar2_after, "vCPU 1's own set_gdt (g5): %ld, entry 2 gone for it", ap_set_gdt);
    check(lar(0x0b, &ar) && !lar(0x13, &ar), "vCPU 0's GDT unchanged by vCPU 1's set_gdt");
    rc = remap(g4, RW);
    check(rc == 0, "g4, no vCPU's GDT any more, maps writable again: %ld", rc);
    rc = remap(g5, RW);
    check(rc == -XEN_EBUSY, "g5, vCPU 1's GDT now (vCPU 1 down keeps it), cannot: %ld (want -EBUSY)", rc);
    rc = set_gdt1(g1, 0);
    check(rc == 0 && !lar(0x0b, &ar) && remap(g1, RW) == 0, "vCPU 0 drops its GDT: g1 writable again");
}

void guest_main(start_info_t *start)
{
    si = start;
    guest_setup(si, "gdt");
    test_frame_rules();
    test_refused();
    test_per_vcpu();
    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
