/*
 * hv/core/domu_layout.h - where Xen's toolstack (libxenguest, xg_dom_core.c
 * xc_dom_build_image + xg_dom_x86.c) puts a 64-bit PV domU's boot pieces
 * in its initial virtual mapping.  Pure arithmetic, no memory touched.
 *
 * ABI carried: the PV64 start-of-day contract for a domU, in guest virtual
 * order from virt_base (XEN_ELFNOTE_VIRT_BASE); pfn p is at virt_base +
 * p * 4 KiB, every allocation page-granular:
 *
 *   kernel      [kstart, kend)      kstart page aligned, >= virt_base
 *   p2m list    nr_pages * 8 bytes, rounded up to pages (start_info.mfn_list)
 *   start_info  one page            (%rsi at entry)
 *   xenstore    one page            (start_info.store_mfn)
 *   console     one page            (start_info.console.domU.mfn)
 *   page tables L4, then the L3s, the L2s, the L1s covering
 *               [virt_base, v_end)  (start_info.pt_base, nr_pt_frames)
 *   boot stack  one page            (%rsp = its top)
 *   padding     up to v_end: the first 4 MiB boundary with at least
 *               512 KiB after the boot stack
 *
 * No XEN_ELFNOTE_INIT_P2M support: the p2m list is always in the mapping
 * (start_info.first_p2m_pfn = nr_p2m_frames = 0).
 */
#ifndef HV_DOMU_LAYOUT_H
#define HV_DOMU_LAYOUT_H

#include <stdint.h>

struct hv_domu_layout {
    uint64_t v_start;           /* virt_base                              */
    uint64_t kernel_end;        /* kend rounded up to a page              */
    uint64_t p2m;               /* p2m list, p2m_pages pages              */
    uint64_t p2m_pages;
    uint64_t start_info;        /* one page each ...                      */
    uint64_t xenstore;
    uint64_t console;
    uint64_t pt;                /* nr_pt pages: 1 L4, nr_l3, nr_l2, nr_l1 */
    uint64_t nr_pt, nr_l3, nr_l2, nr_l1;
    uint64_t stack;             /* one page                               */
    uint64_t v_end;             /* end of the mapping (4 MiB aligned)     */
};

#define HV_LAYOUT_EALIGN  (-1)  /* virt_base or kstart not page aligned   */
#define HV_LAYOUT_ERANGE  (-2)  /* kstart < virt_base, kend < kstart, or
                                   the mapping is not canonical / wraps  */
#define HV_LAYOUT_ENOMEM  (-3)  /* the mapping needs more than nr_pages   */

/* 0 and *l filled in, or a negative HV_LAYOUT_E*. */
int hv_domu_layout(uint64_t virt_base, uint64_t kstart, uint64_t kend,
                   uint64_t nr_pages, struct hv_domu_layout *l);

/* The pfn of a guest virtual address inside the mapping. */
static inline uint64_t hv_layout_pfn(const struct hv_domu_layout *l, uint64_t va)
{
    return (va - l->v_start) >> 12;
}

#endif /* HV_DOMU_LAYOUT_H */
