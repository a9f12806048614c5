/*
 * hv/tests/unit/test_domu_layout.c - hv_domu_layout() against layouts worked out
 * by hand from libxenguest's rules (xc_dom_build_image, alloc_pgtables_pv,
 * count_pgtables), and its refusals.
 */
#include "core/domu_layout.h"

#include "tap.h"

#define KB 0xffffffff80000000ull
#define MiB (1ull << 20)

static void pventry_like(void)
{
    struct hv_domu_layout l;

    /* The pventry image: 0x79000 bytes at virt_base, 64 MiB of RAM. */
    EQ(hv_domu_layout(KB, KB, KB + 0x79000, 16384, &l), 0, "layout: pventry, 64 MiB");
    EQ(l.p2m, KB + 0x79000, "layout: p2m right after the kernel");
    EQ(l.p2m_pages, 32, "layout: p2m 16384 * 8 bytes = 32 pages");
    EQ(l.start_info, KB + 0x99000, "layout: start_info after the p2m");
    EQ(l.xenstore, KB + 0x9a000, "layout: xenstore page after start_info");
    EQ(l.console, KB + 0x9b000, "layout: console page after xenstore");
    EQ(l.pt, KB + 0x9c000, "layout: page tables after the console page");
    OK(l.nr_l3 == 1 && l.nr_l2 == 1 && l.nr_l1 == 2 && l.nr_pt == 5,
       "layout: 1 L4, 1 L3, 1 L2, 2 L1 for 4 MiB");
    EQ(l.stack, KB + 0xa1000, "layout: boot stack after the page tables");
    EQ(l.v_end, KB + 4 * MiB, "layout: mapping ends at 4 MiB");
    EQ(hv_layout_pfn(&l, l.console), 0x9b, "layout: console pfn 0x9b");

    /* A kernel end inside a page is rounded up. */
    EQ(hv_domu_layout(KB, KB, KB + 0x78001, 16384, &l), 0, "layout: unaligned kend");
    EQ(l.kernel_end, KB + 0x79000, "layout: kernel_end rounded up to a page");

    /* Tables + stack + 512 KiB no longer fit below 4 MiB: 8 MiB, 4 L1s. */
    EQ(hv_domu_layout(KB, KB, KB + 0x380000, 16384, &l), 0, "layout: 3.5 MiB kernel");
    EQ(l.console, KB + 0x3a2000, "layout: 3.5 MiB kernel: console page");
    EQ(l.nr_l1, 4, "layout: 3.5 MiB kernel: 4 L1s");
    EQ(l.nr_pt, 7, "layout: 3.5 MiB kernel: 7 page-table pages");
    EQ(l.v_end, KB + 8 * MiB, "layout: 3.5 MiB kernel: mapping ends at 8 MiB");
    OK(l.v_end - (l.stack + 4096) >= 512 * 1024, "layout: >= 512 KiB after the boot stack");

    /* Just fits below 4 MiB: 0x3f9000 + tables + stack + pad = 4 MiB. */
    EQ(hv_domu_layout(KB, KB, KB + 0x350000, 16384, &l), 0, "layout: 3.3 MiB kernel");
    EQ(l.v_end, KB + 4 * MiB, "layout: 3.3 MiB kernel: still 4 MiB");
    EQ(l.stack + 4096 + 512 * 1024, KB + 0x3f9000, "layout: 3.3 MiB kernel: stack + 512 KiB end at 0x3f9000");

    /* A kernel above virt_base: the gap is part of the mapping. */
    EQ(hv_domu_layout(KB, KB + 0x200000, KB + 0x210000, 16384, &l), 0, "layout: kernel at +2 MiB");
    EQ(l.p2m, KB + 0x210000, "layout: kernel at +2 MiB: p2m after it");

    /* Crossing a 1 GiB boundary: two L2s, three L1s. */
    EQ(hv_domu_layout(0x3ff00000, 0x3ff00000, 0x40000000, 16384, &l), 0, "layout: across 1 GiB");
    OK(l.nr_l3 == 1 && l.nr_l2 == 2 && l.nr_l1 == 3, "layout: across 1 GiB: 1 L3, 2 L2, 3 L1");
    EQ(l.v_end, 0x40400000, "layout: across 1 GiB: ends at the next 4 MiB boundary");
}

static void refusals(void)
{
    struct hv_domu_layout l;

    EQ(hv_domu_layout(KB + 1, KB + 4096, KB + 8192, 16384, &l), HV_LAYOUT_EALIGN,
       "layout refused: virt_base not page aligned");
    EQ(hv_domu_layout(KB, KB + 8, KB + 8192, 16384, &l), HV_LAYOUT_EALIGN,
       "layout refused: kernel start not page aligned");
    EQ(hv_domu_layout(KB, KB - 4096, KB + 8192, 16384, &l), HV_LAYOUT_ERANGE,
       "layout refused: kernel below virt_base");
    EQ(hv_domu_layout(KB, KB + 8192, KB + 4096, 16384, &l), HV_LAYOUT_ERANGE,
       "layout refused: kernel end below its start");
    EQ(hv_domu_layout(0x0000800000000000ull, 0x0000800000000000ull, 0x0000800000001000ull,
                      16384, &l), HV_LAYOUT_ERANGE, "layout refused: non-canonical virt_base");
    EQ(hv_domu_layout(0x00007fffffe00000ull, 0x00007fffffe00000ull, 0x00007fffffe01000ull,
                      16384, &l), 0, "layout: mapping ending at the top of the lower half");
    EQ(l.v_end, 0x0000800000000000ull, "layout: ... v_end 2^47");
    EQ(hv_domu_layout(0x00007fffffc00000ull, 0x00007fffffc00000ull, 0x00007ffffffc0000ull,
                      16384, &l), HV_LAYOUT_ERANGE, "layout refused: mapping runs into the hole");
    EQ(hv_domu_layout(0xfffffffffff00000ull, 0xfffffffffff00000ull, 0xfffffffffff01000ull,
                      16384, &l), HV_LAYOUT_ERANGE, "layout refused: mapping wraps past 2^64");
    EQ(hv_domu_layout(KB, KB, KB + 0x79000, 512, &l), HV_LAYOUT_ENOMEM,
       "layout refused: 2 MiB of RAM cannot hold a 4 MiB mapping");
    EQ(hv_domu_layout(KB, KB, KB + 0x79000, 1023, &l), HV_LAYOUT_ENOMEM,
       "layout refused: 4 MiB mapping, one page short of RAM");
    EQ(hv_domu_layout(KB, KB, KB + 0x79000, 1024, &l), 0,
       "layout: 4 MiB mapping in exactly 4 MiB of RAM");
    EQ(hv_domu_layout(KB, KB, KB + 0x79000, ~0ull / 4, &l), HV_LAYOUT_ENOMEM,
       "layout refused: absurd nr_pages (p2m size overflow)");
}

void test_domu_layout(void)
{
    tap_diag("domU layout (libxenguest's)");
    pventry_like();
    refusals();
}
