/*
 * core/domu_layout.c - the toolstack's domU layout (hv/domu_layout.h).
 *
 * Allocation is a bump pointer through the guest's virtual space, as
 * libxenguest's virt_alloc_end: each piece starts where the previous one
 * ended.  The page tables are sized by the toolstack's fixed point
 * (alloc_pgtables_pv): guess v_end, count the tables that map
 * [virt_base, v_end), grow until the tables, the boot stack and 512 KiB
 * of padding fit below v_end.  v_end is always a 4 MiB boundary.
 *
 * Counting (count_pgtables), with addresses cut to 48 bits: one L4, and at
 * level n one table per 2^(12 + 9n)-byte block the range touches
 * (L3: 512 GiB blocks, L2: 1 GiB, L1: 2 MiB).
 */
#include "domu_layout.h"

#define PAGE      4096ull
#define VA_MASK   ((1ull << 48) - 1)
#define PAD_PAGES ((512ull << 10) / PAGE)   /* the promised 512 KiB */

static uint64_t tables(uint64_t from, uint64_t last, unsigned int bits)
{
    uint64_t mask = (1ull << bits) - 1;
    return (((last | mask) - (from & ~mask)) >> bits) + 1;
}

static int canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

int hv_domu_layout(uint64_t virt_base, uint64_t kstart, uint64_t kend,
                   uint64_t nr_pages, struct hv_domu_layout *l)
{
    if ((virt_base | kstart) & (PAGE - 1))
        return HV_LAYOUT_EALIGN;
    if (kstart < virt_base || kend < kstart || !canonical(virt_base))
        return HV_LAYOUT_ERANGE;

    /* The pieces below the page tables, each a whole number of pages. */
    uint64_t kpages = (kend - kstart + PAGE - 1) / PAGE;
    uint64_t p2m_pages = (nr_pages * 8 + PAGE - 1) / PAGE;
    uint64_t below = (kstart - virt_base) / PAGE + kpages + p2m_pages + 3;
    if (nr_pages > (1ull << 40) || below > nr_pages)
        return HV_LAYOUT_ENOMEM;
    uint64_t end = virt_base + below * PAGE;        /* = console + 1 page */
    if (end < virt_base)
        return HV_LAYOUT_ERANGE;

    uint64_t extra = 1 + PAD_PAGES;                 /* boot stack + pad */
    uint64_t pages = extra, last, nr_pt;
    for (;;) {
        uint64_t want = end + pages * PAGE;
        if (want < end)
            return HV_LAYOUT_ERANGE;
        last = want | ((1ull << 22) - 1);           /* 4 MiB, inclusive */
        if (last == ~0ull || !canonical(last) || ((virt_base ^ last) >> 47))
            return HV_LAYOUT_ERANGE;
        if ((last - virt_base) / PAGE >= nr_pages)
            return HV_LAYOUT_ENOMEM;
        uint64_t f = virt_base & VA_MASK, t = last & VA_MASK;
        l->nr_l3 = tables(f, t, 39);
        l->nr_l2 = tables(f, t, 30);
        l->nr_l1 = tables(f, t, 21);
        nr_pt = 1 + l->nr_l3 + l->nr_l2 + l->nr_l1;
        pages = nr_pt + extra;
        if (end + pages * PAGE <= last + 1)
            break;
    }

    l->v_start = virt_base;
    l->kernel_end = kstart + kpages * PAGE;
    l->p2m = l->kernel_end;
    l->p2m_pages = p2m_pages;
    l->start_info = l->p2m + p2m_pages * PAGE;
    l->xenstore = l->start_info + PAGE;
    l->console = l->xenstore + PAGE;
    l->pt = l->console + PAGE;
    l->nr_pt = nr_pt;
    l->stack = l->pt + nr_pt * PAGE;
    l->v_end = last + 1;
    return 0;
}
