/*
 * hv/domain/m2p.c - the machine-to-phys table (M2P): for each machine
 * frame, the guest frame number it holds, read-only for the guest at
 * Xen's address.
 *
 * ABI carried (<xen/arch-x86/xen-x86_64.h>, <xen/memory.h>): a PV64 guest
 * reads machine_to_phys_mapping[mfn] at MACH2PHYS_VIRT_START (L4 slot
 * 256, inside Xen's reserved range: which L4s have it, with and without
 * VMASST_TYPE_m2p_strict, is the core's hv_m2p_slot);
 * entries of frames the guest does not own read INVALID_M2P_ENTRY (~0);
 * the guest changes its own frames' entries with MMU_MACHPHYS_UPDATE;
 * XENMEM_machphys_mapping gives the range and the largest mfn,
 * XENMEM_machphys_mfn_list the first frame of each 2 MiB run of the
 * table.  As Xen 4.17 (x86_64/mm.c paging_init, subarch_memory_op).
 *
 * hv's table covers the frames of its 1 GiB direct map: 262144 entries,
 * 2 MiB, one physically contiguous run in hv's own memory (so one
 * extent).  It is mapped with 4 KiB pages, supervisor-writable nowhere:
 * hv writes the entries through its direct map.  The guest can never map
 * its frames itself: they are hypervisor memory (hv_check_pte: -EBUSY).
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include <xen/memory.h>

#define M2P_ENTRIES (HV_DIRECTMAP_SIZE >> PAGE_SHIFT)
#define M2P_PAGES   (M2P_ENTRIES * 8 / PAGE_SIZE)
#define M2P_INVALID (~0ul)      /* Xen's INVALID_M2P_ENTRY */

static uint64_t m2p[M2P_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t m2p_l3[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t m2p_l2[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t m2p_l1[M2P_PAGES] __attribute__((aligned(PAGE_SIZE)));
extern uint64_t boot_l4[512];

_Static_assert(M2P_PAGES == 512, "the M2P is one L1 table of pages");
_Static_assert(HV_L4_FIRST == (MACH2PHYS_VIRT_START >> 39 & 511),
               "the M2P lies in hv's first reserved L4 slot");

/*
 * Every entry invalid, then slot 256 of hv's L4 (where guest L4s get
 * the slot from) maps the table read-only and user-accessible (the
 * guest kernel runs in ring 3), as Xen's RO_MPT mapping.  Before any
 * guest table is validated.
 */
void m2p_init(void)
{
    const uint64_t ro = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;

    for (uint64_t i = 0; i < M2P_ENTRIES; i++)
        m2p[i] = M2P_INVALID;
    for (unsigned int i = 0; i < M2P_PAGES; i++)
        m2p_l1[i] = (__pa(m2p) + i * PAGE_SIZE) | ro;
    m2p_l2[0] = __pa(m2p_l1) | ro;
    m2p_l3[0] = __pa(m2p_l2) | ro;
    boot_l4[HV_L4_FIRST] = __pa(m2p_l3) | ro;
}

/*
 * The M2P slot of a validated L4 after ev (the core's hv_m2p_slot, Xen's
 * fill_ro_mpt / zap_ro_mpt).
 */
void m2p_l4_slot(uint64_t l4_mfn, enum hv_m2p_event ev)
{
    uint64_t *t = __va(l4_mfn << PAGE_SHIFT);

    switch (hv_m2p_slot(ev, dom.m2p_strict)) {
    case HV_M2P_FILL:
        t[HV_L4_FIRST] = boot_l4[HV_L4_FIRST];
        break;
    case HV_M2P_EMPTY:
        t[HV_L4_FIRST] = 0;
        break;
    case HV_M2P_UNCHANGED:
        break;
    }
}

/* M2P[mfn] = pfn (nothing if mfn is beyond the table). */
void m2p_set(uint64_t mfn, uint64_t pfn)
{
    if (mfn < M2P_ENTRIES)
        m2p[mfn] = pfn;
}

uint64_t m2p_get(uint64_t mfn)
{
    return mfn < M2P_ENTRIES ? m2p[mfn] : M2P_INVALID;
}

/*
 * HYPERVISOR_memory_op's M2P commands.  cmd is compared whole, as Xen's
 * arch_memory_op does (a continuation index in the high bits makes
 * another command); every other command is -ENOSYS (hv has no memory
 * reservation, populate or exchange).
 */
long do_memory_op(uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping map = {
            .v_start = MACH2PHYS_VIRT_START,
            .v_end = MACH2PHYS_VIRT_END,
            .max_mfn = MACH2PHYS_NR_ENTRIES - 1,
        };
        if (!hv_opts.domu)
            map.max_mfn = M2P_ENTRIES - 1;  /* the hardware domain: Xen's max_page - 1 */
        return copy_to_guest(arg, &map, sizeof(map)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_machphys_mfn_list: {
        struct xen_machphys_mfn_list l;
        xen_pfn_t mfn = __pa(m2p) >> PAGE_SHIFT;

        if (copy_from_guest(&l, arg, sizeof(l)))
            return -XEN_EFAULT;
        /* One 2 MiB extent; Xen stops at max_extents. */
        l.nr_extents = 0;
        if (l.max_extents) {
            if (copy_to_guest((uint64_t)l.extent_start.p, &mfn, sizeof(mfn)))
                return -XEN_EFAULT;
            l.nr_extents = 1;
        }
        return copy_to_guest(arg, &l, sizeof(l)) ? -XEN_EFAULT : 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
