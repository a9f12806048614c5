/*
 * hv/domain/build.c - the PV64 domain builder and the hypercall page.
 *
 * ABI carried: Xen's dom0 layout for a PV64 kernel (xen/arch/x86/pv/
 * dom0_build.c), in guest virtual order from VIRT_BASE:
 *
 *   v_start = VIRT_BASE
 *     kernel image          [kstart, kend)     PT_LOAD segments
 *     p2m list              nr_pages * 8 bytes, p2m[pfn] = mfn
 *     start_info            + struct dom0_vga_console_info room
 *     initial page tables   L4, then L1, L2, L3 (+ more L1/L2 as needed),
 *                           mapped read-only, nr_pt_frames of them
 *     boot stack            one page; %rsp = its top
 *     padding               to a 4 MiB boundary, at least 512 KiB
 *   v_end
 *
 * pfn p is mapped at v_start + p * 4K and is machine frame base_mfn + p
 * ("identity-ish": one contiguous run).  The guest starts in ring 3 at
 * XEN_ELFNOTE_ENTRY on FLAT_KERNEL_CS/SS, %rsi = start_info, %rflags = IF,
 * events masked, in guest kernel mode.
 *
 * With `domu` on hv's command line the domain is built as Xen's toolstack
 * (libxenguest) builds a PV domU instead: the layout of core/domu_layout.h
 * (start_info gets a whole page, then a xenstore page and a console ring
 * page; page tables L4, L3s, L2s, L1s with L1 entries P|RW|A as the
 * toolstack writes them, adjusted by validation as Xen does), start_info
 * flags 0 (no SIF_INITDOMAIN / SIF_PRIVILEGED), store_mfn/store_evtchn,
 * console.domU.mfn/evtchn.  The two ports are bound to hv itself (libxl's
 * numbers: xenstore 1, console 2); hv plays xenconsoled for the console
 * (console_backend_drain) and drops xenstore notifications.
 *
 * The hypercall page (XEN_ELFNOTE_HYPERCALL_PAGE) is Xen's 64-bit ring-3
 * one: entry N at N * 32 is "push %rcx; push %r11; mov $N, %eax; syscall;
 * pop %r11; pop %rcx; ret", except __HYPERVISOR_iret: "push %rcx;
 * push %r11; push %rax; mov $__HYPERVISOR_iret, %eax; syscall" (no return);
 * the rest of the page is int3 (0xcc).
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "core/elfnote.h"
#include "core/domu_layout.h"
#include <xen/sched.h>

static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* Guest pfn -> hv pointer (the builder only; the guest owns them after). */
static void *pfn_va(uint64_t pfn) { return __va((dom.base_mfn + pfn) << PAGE_SHIFT); }

static void write_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE / 32; i++, p += 32) {
        if (i == __HYPERVISOR_iret) {
            p[0] = 0x51;                                /* push %rcx          */
            p[1] = 0x41; p[2] = 0x53;                   /* push %r11          */
            p[3] = 0x50;                                /* push %rax          */
            p[4] = 0xb8; memcpy(p + 5, &i, 4);          /* mov $i, %eax       */
            p[9] = 0x0f; p[10] = 0x05;                  /* syscall            */
            continue;
        }
        p[0] = 0x51;                                    /* push %rcx          */
        p[1] = 0x41; p[2] = 0x53;                       /* push %r11          */
        p[3] = 0xb8; memcpy(p + 4, &i, 4);              /* mov $i, %eax       */
        p[8] = 0x0f; p[9] = 0x05;                       /* syscall            */
        p[10] = 0x41; p[11] = 0x5b;                     /* pop %r11           */
        p[12] = 0x59;                                   /* pop %rcx           */
        p[13] = 0xc3;                                   /* ret                */
    }
}

#define PGUP(x) ROUNDUP((x), PAGE_SIZE)
#define NR(l, h, s) ((ROUNDUP((h), 1ul << (s)) - ((l) & ~((1ul << (s)) - 1))) >> (s))
/* Xen's L1_PROT (with _PAGE_GUEST_KERNEL, PTE bit 52) and L2..L4_PROT. */
#define L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_USER | (1ul << 52))
#define GUEST_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)

/* Xen's dom0 builder: tables allocated as the walk needs them, L4 first,
 * then L1, L2, L3 for the first 2 MiB, then the next L1 (+ L2, L3) at each
 * 2 MiB (1 GiB, 512 GiB) boundary. */
static void build_tables_dom0(uint64_t v_start, uint64_t v_end, uint64_t pt_pfn, uint64_t nr_pt)
{
    uint64_t next_pt = pt_pfn;
    uint64_t l4_pfn = next_pt++;
    uint64_t *l4 = pfn_va(l4_pfn), *l3 = NULL, *l2 = NULL, *l1 = NULL;
    uint64_t count = (v_end - v_start) >> PAGE_SHIFT;
    for (uint64_t p = 0; p < count; p++) {
        uint64_t va = v_start + (p << PAGE_SHIFT);
        if (!l1 || !(va & ((1ul << 21) - 1))) {
            uint64_t l1_pfn = next_pt++;
            l1 = pfn_va(l1_pfn);
            if (!l2 || !(va & ((1ul << 30) - 1))) {
                uint64_t l2_pfn = next_pt++;
                l2 = pfn_va(l2_pfn);
                if (!l3 || !(va & ((1ul << 39) - 1))) {
                    uint64_t l3_pfn = next_pt++;
                    l3 = pfn_va(l3_pfn);
                    l4[(va >> 39) & 511] = ((dom.base_mfn + l3_pfn) << PAGE_SHIFT) | GUEST_PROT;
                }
                l3[(va >> 30) & 511] = ((dom.base_mfn + l2_pfn) << PAGE_SHIFT) | GUEST_PROT;
            }
            l2[(va >> 21) & 511] = ((dom.base_mfn + l1_pfn) << PAGE_SHIFT) | GUEST_PROT;
        }
        uint64_t prot = L1_PROT;
        if (p >= pt_pfn && p < pt_pfn + nr_pt)
            prot &= ~_PAGE_RW;          /* page tables are read-only */
        l1[(va >> 12) & 511] = ((dom.base_mfn + p) << PAGE_SHIFT) | prot;
    }
    if (next_pt > pt_pfn + nr_pt)
        panic("builder used %lu page-table pages, planned %lu", next_pt - pt_pfn, nr_pt);
}

/*
 * libxenguest's setup_pgtables_pv: the tables sit in level order, one L4,
 * then nr_l3 L3s, nr_l2 L2s, nr_l1 L1s, the n-th table of a level mapping
 * the n-th block of that level's size touched by [v_start, v_end).  L1
 * entries are P|RW|A (read-only for the tables themselves); validation
 * (mm_get_type) then adds USER and _PAGE_GUEST_KERNEL as Xen does.
 */
#define TOOLSTACK_L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
static void build_tables_domu(const struct hv_domu_layout *l)
{
    uint64_t l4_pfn = hv_layout_pfn(l, l->pt);
    uint64_t l3_pfn = l4_pfn + 1, l2_pfn = l3_pfn + l->nr_l3, l1_pfn = l2_pfn + l->nr_l2;
    uint64_t pt_end = l1_pfn + l->nr_l1;
    uint64_t s = l->v_start & ((1ul << 48) - 1);
    uint64_t *l4 = pfn_va(l4_pfn);

    for (uint64_t va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        uint64_t a = va & ((1ul << 48) - 1), p = hv_layout_pfn(l, va);
        uint64_t n3 = (a >> 39) - (s >> 39), n2 = (a >> 30) - (s >> 30), n1 = (a >> 21) - (s >> 21);
        if (n3 >= l->nr_l3 || n2 >= l->nr_l2 || n1 >= l->nr_l1)
            panic("domU tables: %lx outside the planned tables", va);
        uint64_t *l3 = pfn_va(l3_pfn + n3), *l2 = pfn_va(l2_pfn + n2), *l1 = pfn_va(l1_pfn + n1);
        l4[(va >> 39) & 511] = ((dom.base_mfn + l3_pfn + n3) << PAGE_SHIFT) | GUEST_PROT;
        l3[(va >> 30) & 511] = ((dom.base_mfn + l2_pfn + n2) << PAGE_SHIFT) | GUEST_PROT;
        l2[(va >> 21) & 511] = ((dom.base_mfn + l1_pfn + n1) << PAGE_SHIFT) | GUEST_PROT;
        uint64_t prot = TOOLSTACK_L1_PROT;
        if (p >= l4_pfn && p < pt_end)
            prot &= ~_PAGE_RW;          /* page tables are read-only */
        l1[(va >> 12) & 511] = ((dom.base_mfn + p) << PAGE_SHIFT) | prot;
    }
}

struct kernel {                 /* the guest ELF, parsed */
    struct hv_elf_image im;
    uint64_t voff;              /* guest virtual = paddr + voff (libelf) */
    uint64_t kstart, kend;      /* the PT_LOADs' virtual extent */
};

struct layout {                 /* guest virtual addresses, [start, end) */
    uint64_t v_start, v_end;
    uint64_t vphysmap_start, vphysmap_end;
    uint64_t vstartinfo_start, vstartinfo_end;
    uint64_t vxenstore, vconsole;               /* domU only, else 0 */
    uint64_t vpt_start, vpt_end, nr_pt;
    uint64_t vstack_start, vstack_end;
    uint64_t nr_pages;
    struct hv_domu_layout domu;                 /* domU only */
};

static void parse_kernel(struct kernel *k, const void *img, size_t len)
{
    struct hv_elf_image *im = &k->im;
    const char *err = NULL;
    int rc = hv_elf_parse(img, len, im, &err);
    if (rc)
        boot_refuse("guest ELF: %s (%d)", err ? err : "bad image", rc);
    hv_elf_xen_defaults(im);
    printk("hv: guest \"%s\" %s, loader %s, features \"%s\"\n",
           im->guest_os ? im->guest_os : "?", im->guest_version ? im->guest_version : "?",
           im->loader ? im->loader : "?", im->features ? im->features : "");

    /* Guest virtual = paddr + (virt_base - paddr_offset), as libelf. */
    k->voff = im->has_paddr_offset ? im->virt_base - im->paddr_offset : 0;
    k->kstart = ~0ul;
    k->kend = 0;
    for (unsigned int i = 0; i < im->nr_loads; i++) {
        uint64_t s = (im->has_paddr_offset ? im->load[i].paddr + k->voff : im->load[i].vaddr);
        if (s < k->kstart) k->kstart = s;
        if (s + im->load[i].memsz > k->kend) k->kend = s + im->load[i].memsz;
    }
    uint64_t v_start = im->virt_base;
    if (v_start & (PAGE_SIZE - 1) || k->kstart < v_start || !hv_is_canonical(v_start) ||
        k->kend < k->kstart || !hv_is_canonical(k->kend - 1) ||
        ((k->kstart ^ (k->kend - 1)) >> 47) != 0)
        boot_refuse("guest ELF: kernel %lx-%lx not above VIRT_BASE %lx or not canonical",
                    k->kstart, k->kend, v_start);
}

/* libxenguest's order: kernel, p2m, start_info, xenstore, console, page
 * tables, boot stack, padding. */
static void plan_domu(struct layout *l, const struct kernel *k)
{
    int rc = hv_domu_layout(l->v_start, k->kstart & ~(PAGE_SIZE - 1), k->kend, l->nr_pages, &l->domu);
    if (rc)
        boot_refuse("guest ELF: no domU layout for kernel %lx-%lx at VIRT_BASE %lx "
                    "in %lu MiB (%d)", k->kstart, k->kend, l->v_start, hv_opts.guest_mem >> 20, rc);
    l->vphysmap_start = l->domu.p2m;
    l->vphysmap_end = l->vphysmap_start + l->nr_pages * 8;
    l->vstartinfo_start = l->domu.start_info;
    l->vstartinfo_end = l->vstartinfo_start + PAGE_SIZE;
    l->vxenstore = l->domu.xenstore;
    l->vconsole = l->domu.console;
    l->vpt_start = l->domu.pt;
    l->nr_pt = l->domu.nr_pt;
    l->vpt_end = l->vpt_start + l->nr_pt * PAGE_SIZE;
    l->vstack_start = l->domu.stack;
    l->vstack_end = l->vstack_start + PAGE_SIZE;
    l->v_end = l->domu.v_end;
}

/* Xen's dom0_build.c. */
static void plan_dom0(struct layout *l, const struct kernel *k)
{
    l->vphysmap_start = PGUP(k->kend);
    l->vphysmap_end = l->vphysmap_start + l->nr_pages * 8;
    l->vstartinfo_start = PGUP(l->vphysmap_end);
    l->vstartinfo_end = l->vstartinfo_start + sizeof(start_info_t);
    l->vpt_start = PGUP(l->vstartinfo_end);
    for (l->nr_pt = 2;; l->nr_pt++) {
        l->vpt_end = l->vpt_start + l->nr_pt * PAGE_SIZE;
        l->vstack_start = l->vpt_end;
        l->vstack_end = l->vstack_start + PAGE_SIZE;
        l->v_end = ROUNDUP(l->vstack_end, 1ul << 22);
        if (l->v_end - l->vstack_end < (512ul << 10))
            l->v_end += 1ul << 22;
        if (1 + NR(l->v_start, l->v_end, 39) + NR(l->v_start, l->v_end, 30) +
            NR(l->v_start, l->v_end, 21) <= l->nr_pt)
            break;
    }
}

static void plan_layout(struct layout *l, const struct kernel *k)
{
    const struct hv_elf_image *im = &k->im;

    l->v_start = im->virt_base;
    l->nr_pages = hv_opts.guest_mem >> PAGE_SHIFT;
    if (hv_opts.domu)
        plan_domu(l, k);
    else
        plan_dom0(l, k);

    uint64_t v_start = l->v_start, v_end = l->v_end;
    if ((v_start < HYPERVISOR_VIRT_END && v_end > HYPERVISOR_VIRT_START) ||
        !hv_is_canonical(v_end - 1) || ((v_start ^ (v_end - 1)) >> 47))
        boot_refuse("guest image overlaps hv's reserved range or is not canonical");
    if (v_end - v_start > hv_opts.guest_mem)
        boot_refuse("guest needs %lu MiB for its initial mapping, mem= is %lu MiB",
                    (v_end - v_start) >> 20, hv_opts.guest_mem >> 20);
    if (im->has_hypercall_page &&
        (im->hypercall_page < v_start || im->hypercall_page >= v_end ||
         (im->hypercall_page & (PAGE_SIZE - 1))))
        boot_refuse("Invalid HYPERCALL_PAGE field in ELF notes");
    if (im->entry < k->kstart || im->entry >= k->kend)
        boot_refuse("guest entry %lx outside the kernel image", im->entry);
}

/* Guest RAM: the first 2 MiB boundary above hv and the modules, cleared. */
static void alloc_guest_ram(uint64_t mod_end_pa, uint64_t nr_pages)
{
    uint64_t base = ROUNDUP(mod_end_pa > __pa(_end) ? mod_end_pa : __pa(_end), 2ul << 20);
    if (base < (16ul << 20))
        base = 16ul << 20;
    if (base + hv_opts.guest_mem > HV_DIRECTMAP_SIZE)
        boot_refuse("guest memory does not fit below 1 GiB");
    mm_init_domain(base >> PAGE_SHIFT, nr_pages);
    memset(__va(base), 0, hv_opts.guest_mem);
    m2p_init();
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
        m2p_set(dom.base_mfn + pfn, pfn);
    dom.shared_info = (shared_info_t *)shared_info_page;
    dom.shared_info_mfn = __pa(shared_info_page) >> PAGE_SHIFT;
    grant_init();
    printk("hv: guest RAM %lx-%lx (%lu pages)\n", base, base + hv_opts.guest_mem, nr_pages);
}

static void print_layout(const struct layout *l, const struct kernel *k)
{
    printk("hv:  Loaded kernel: %lx->%lx\n", k->kstart, k->kend);
    printk("hv:  Phys-Mach map: %lx->%lx\n", l->vphysmap_start, l->vphysmap_end);
    printk("hv:  Start info:    %lx->%lx\n", l->vstartinfo_start, l->vstartinfo_end);
    if (hv_opts.domu) {
        printk("hv:  Xenstore page: %lx->%lx\n", l->vxenstore, l->vxenstore + PAGE_SIZE);
        printk("hv:  Console ring:  %lx->%lx\n", l->vconsole, l->vconsole + PAGE_SIZE);
    }
    printk("hv:  Page tables:   %lx->%lx\n", l->vpt_start, l->vpt_end);
    printk("hv:  Boot stack:    %lx->%lx\n", l->vstack_start, l->vstack_end);
    printk("hv:  TOTAL:         %lx->%lx\n", l->v_start, l->v_end);
    printk("hv:  ENTRY ADDRESS: %lx\n", k->im.entry);
}

/* Guest virtual address inside the initial mapping -> hv pointer. */
static void *vaddr_va(const struct layout *l, uint64_t va)
{
    return pfn_va((va - l->v_start) >> PAGE_SHIFT);
}

/* The kernel's PT_LOADs (bss is already zero: all guest RAM was cleared),
 * and the hypercall page where the kernel asked for it. */
static void load_kernel(const struct layout *l, const struct kernel *k, const void *img)
{
    const struct hv_elf_image *im = &k->im;
    for (unsigned int i = 0; i < im->nr_loads; i++) {
        const struct hv_elf_load *ld = &im->load[i];
        uint64_t va = (im->has_paddr_offset ? ld->paddr + k->voff : ld->vaddr);
        uint8_t *dst = (uint8_t *)vaddr_va(l, va) + (va & (PAGE_SIZE - 1));
        memcpy(dst, (const uint8_t *)img + ld->offset, ld->filesz);
    }
    if (im->has_hypercall_page)
        write_hypercall_page(vaddr_va(l, im->hypercall_page));
}

static void write_p2m(const struct layout *l)
{
    uint64_t *p2m = vaddr_va(l, l->vphysmap_start);
    for (uint64_t p = 0; p < l->nr_pages; p++)
        p2m[p] = dom.base_mfn + p;
}

static void write_start_info(const struct layout *l, const char *cmdline)
{
    start_info_t *si = vaddr_va(l, l->vstartinfo_start);
    memset(si, 0, PAGE_SIZE);
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = l->nr_pages;
    si->shared_info = dom.shared_info_mfn << PAGE_SHIFT;
    si->pt_base = l->vpt_start;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->vphysmap_start;
    if (hv_opts.domu) {
        /* start_info_x86_64(): flags 0, no p2m outside the mapping. */
        dom.store_mfn = dom.base_mfn + ((l->vxenstore - l->v_start) >> PAGE_SHIFT);
        dom.console_mfn = dom.base_mfn + ((l->vconsole - l->v_start) >> PAGE_SHIFT);
        dom.store_port = DOMU_STORE_PORT;
        dom.console_port = DOMU_CONSOLE_PORT;
        dom.evtchn[DOMU_STORE_PORT] = EVTCHN_BACKEND;
        dom.evtchn[DOMU_CONSOLE_PORT] = EVTCHN_BACKEND;
        si->flags = 0;
        si->store_mfn = dom.store_mfn;
        si->store_evtchn = dom.store_port;
        si->console.domU.mfn = dom.console_mfn;
        si->console.domU.evtchn = dom.console_port;
        /* Both pages are zero (all guest RAM was cleared): an empty ring. */
    } else {
        si->flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
        si->first_p2m_pfn = l->nr_pages;
        si->nr_p2m_frames = 0;
    }
    strlcpy((char *)si->cmd_line, cmdline, sizeof(si->cmd_line));
}

/* shared_info: all upcalls masked. */
static void init_shared_info(const struct layout *l)
{
    memset(dom.shared_info, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        dom.shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    dom.shared_info->arch.max_pfn = l->nr_pages;
}

/* Validate the initial tables the way any guest table is validated. */
static void validate_tables(uint64_t l4_pfn)
{
    uint64_t l4_mfn = dom.base_mfn + l4_pfn;
    int rc = mm_get_type(l4_mfn, 4);
    if (rc)
        panic("initial page tables fail validation (%d)", rc);
    /* Pinned, as Xen's dom0 builder (mark_pv_pt_pages_rdonly) and the
     * toolstack (a domU's) leave the top-level table: a second type
     * reference besides the base pointer's. */
    mm_get_type(l4_mfn, 4);
    dom.frames[l4_pfn].pinned = 1;
    m2p_l4_slot(l4_mfn, HV_M2P_KERNEL_BASE);  /* the M2P, as Xen's builders leave it */
    dom.kernel_l4 = l4_mfn;
    /*
     * xenconsoled keeps the ring mapped (a writable reference in Xen): the
     * frame can never become a page table, so hv's writes of out_cons can
     * never land in one.
     */
    if (dom.console_mfn)
        dom.frames[dom.console_mfn - dom.base_mfn].wcount++;
}

static void init_vcpu(const struct layout *l, const struct kernel *k)
{
    struct hv_vcpu *v = &dom.vcpu;
    hv_vcpu_init(v, &dom.shared_info->vcpu_info[0]);
    v->nmi_reason = &dom.shared_info->arch.nmi_reason;  /* hv never sets it */
    v->regs.rip = k->im.entry;
    v->regs.rsp = l->vstack_end;
    v->regs.rsi = l->vstartinfo_start;
    v->regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.cs = FLAT_KERNEL_CS;
    v->regs.ss = FLAT_KERNEL_SS;
    v->regs.in_syscall = 0;
    dom.mem = guest_mem_ops;
    vcpus_init();
}

void domain_build(const void *img, size_t len, uint64_t mod_end_pa, const char *cmdline)
{
    struct kernel k;
    struct layout l = { 0 };

    parse_kernel(&k, img, len);
    plan_layout(&l, &k);
    alloc_guest_ram(mod_end_pa, l.nr_pages);
    print_layout(&l, &k);

    /* Initial page tables, in the builder's order; the L4 comes first. */
    uint64_t pt_pfn = (l.vpt_start - l.v_start) >> PAGE_SHIFT;
    if (hv_opts.domu)
        build_tables_domu(&l.domu);
    else
        build_tables_dom0(l.v_start, l.v_end, pt_pfn, l.nr_pt);
    load_kernel(&l, &k, img);
    write_p2m(&l);
    write_start_info(&l, cmdline);
    init_shared_info(&l);
    validate_tables(pt_pfn);
    init_vcpu(&l, &k);
}
