/*
 * hv/core/grant.c - the grant table's decisions (grant.h): pins, entry
 * flags, handles, version changes, the PTE of a host mapping.
 */
#include "grant.h"

#define RESERVED GNTTAB_NR_RESERVED_ENTRIES

static grant_entry_v1_t *v1(struct hv_gnt *gt) { return gt->shared; }
static grant_entry_v2_t *v2(struct hv_gnt *gt) { return gt->shared; }

void hv_gnt_init(struct hv_gnt *gt, void *shared, uint16_t *status)
{
    __builtin_memset(gt, 0, sizeof(*gt));
    gt->version = 1;
    gt->shared = shared;
    gt->status = status;
}

unsigned int hv_gnt_nr_entries(const struct hv_gnt *gt)
{
    return gt->version == 1 ? HV_GNT_V1_ENTRIES : HV_GNT_V2_ENTRIES;
}

unsigned int hv_gnt_nr_status_frames(const struct hv_gnt *gt)
{
    return gt->version == 2 ? 1 : 0;
}

/* Xen's __addr_ok for a 64-bit PV guest: below 2^47, or from
 * HYPERVISOR_VIRT_END up. */
static bool addr_ok(uint64_t a)
{
    return a < (1ull << 47) || a >= HYPERVISOR_VIRT_END;
}

bool hv_gnt_array_ok(uint64_t addr, uint64_t nr, uint64_t size)
{
    return nr < ~0ull / size && addr_ok(addr);
}

bool hv_gnt_frame_pinned(const struct hv_gnt *gt, uint64_t mfn)
{
    for (unsigned int i = 0; i < HV_GNT_V1_ENTRIES; i++)
        if (gt->active[i].pin && gt->active[i].mfn == mfn)
            return true;
    return false;
}

/* The word the entry's GTF_reading/GTF_writing live in: the entry's own
 * flags (v1) or its status (v2). */
static uint16_t *status_of(struct hv_gnt *gt, grant_ref_t ref)
{
    return gt->version == 1 ? &v1(gt)[ref].flags : &gt->status[ref];
}

/*
 * Mark the entry in use for a map (Xen's _set_status).  The entry is
 * read once: a guest changing it at the same time gets either state.
 */
static int set_status(struct hv_gnt *gt, grant_ref_t ref, const struct hv_gnt_active *act,
                      bool readonly, domid_t self)
{
    grant_entry_header_t h;
    uint16_t *st = status_of(gt, ref);

    __builtin_memcpy(&h, gt->version == 1 ? (void *)&v1(gt)[ref] : (void *)&v2(gt)[ref].hdr, sizeof(h));
    if (!act->pin && ((h.flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access || h.domid != self))
        return GNTST_general_error;
    if (!readonly && (h.flags & GTF_readonly))
        return GNTST_general_error;
    *st |= GTF_reading | (readonly ? 0 : GTF_writing);
    return GNTST_okay;
}

/* Xen's reduce_status_for_pin: drop GTF_reading when nothing is pinned
 * any more, GTF_writing when no writable pin is left. */
static void reduce_status(struct hv_gnt *gt, grant_ref_t ref, bool readonly)
{
    const struct hv_gnt_active *act = &gt->active[ref];
    uint16_t clear = act->pin ? 0 : GTF_reading;

    if (!readonly && !(act->pin & HV_GNTPIN_W_MASK))
        clear |= GTF_writing;
    *status_of(gt, ref) &= (uint16_t)~clear;
}

static int free_handle(const struct hv_gnt *gt)
{
    for (unsigned int h = 0; h < HV_GNT_HANDLES; h++)
        if (!gt->handle[h].flags)
            return (int)h;
    return -1;
}

int hv_gnt_map_begin(struct hv_gnt *gt, const struct gnttab_map_grant_ref *op, domid_t self,
                     const struct hv_page_oracle *o, struct hv_gnt_mapping *m)
{
    bool ro = op->flags & GNTMAP_readonly;
    uint32_t incr = 0;
    int h, rc;

    __builtin_memset(m, 0, sizeof(*m));
    if (op->flags & GNTMAP_device_map)
        incr += ro ? HV_GNTPIN_DEVR : HV_GNTPIN_DEVW;
    if (op->flags & GNTMAP_host_map)
        incr += ro ? HV_GNTPIN_HSTR : HV_GNTPIN_HSTW;
    if (!incr)
        return GNTST_bad_gntref;
    if (op->dom != self)
        return GNTST_bad_domain;
    if ((h = free_handle(gt)) < 0)
        return GNTST_no_space;
    if (op->ref >= hv_gnt_nr_entries(gt))
        return GNTST_bad_gntref;

    grant_ref_t ref = op->ref;
    struct hv_gnt_active *act = &gt->active[ref];
    /* Each counter's top bit set: one more could overflow it. */
    if (act->pin && (act->pin & (incr << 7)))
        return GNTST_general_error;

    if (!act->pin || (!ro && !(act->pin & HV_GNTPIN_W_MASK))) {
        if ((rc = set_status(gt, ref, act, ro, self)) != GNTST_okay)
            return rc;
        if (!act->pin) {
            uint64_t gfn = gt->version == 1 ? v1(gt)[ref].frame : v2(gt)[ref].full_page.frame;
            unsigned int t = o->type(o->ctx, gfn);

            if (t == HV_PAGE_INVALID || t == HV_PAGE_HV) {
                reduce_status(gt, ref, ro);
                return GNTST_bad_page;      /* not a frame of the granting domain */
            }
            act->mfn = gfn;                 /* PV: gfn == mfn */
        }
    }
    act->pin += incr;

    /* A writable mapping (host or device) needs a writable type. */
    unsigned int t = o->type(o->ctx, act->mfn);
    if (!ro && t != HV_PAGE_RAM) {
        act->pin -= incr;
        reduce_status(gt, ref, ro);
        return GNTST_general_error;
    }

    m->handle = (grant_handle_t)h;
    m->ref = ref;
    m->flags = op->flags;
    m->pin_incr = incr;
    m->mfn = act->mfn;
    m->dev_writable = (op->flags & GNTMAP_device_map) && !ro;
    return GNTST_okay;
}

void hv_gnt_map_undo(struct hv_gnt *gt, const struct hv_gnt_mapping *m)
{
    if (m->ref >= hv_gnt_nr_entries(gt))
        return;
    gt->active[m->ref].pin -= m->pin_incr;
    reduce_status(gt, m->ref, m->flags & GNTMAP_readonly);
}

void hv_gnt_map_commit(struct hv_gnt *gt, const struct hv_gnt_mapping *m)
{
    gt->handle[m->handle] = (struct hv_gnt_handle){ .flags = m->flags, .ref = m->ref };
}

uint64_t hv_gnt_pte(uint64_t mfn, uint32_t flags)
{
    uint64_t pte = (mfn << 12) | HV_PTE_P | HV_PTE_A | HV_PTE_D | HV_PTE_NX;

    if (flags & GNTMAP_application_map)
        pte |= HV_PTE_US;
    if (!(flags & GNTMAP_readonly))
        pte |= HV_PTE_RW;
    pte |= ((uint64_t)(flags >> _GNTMAP_guest_avail0) << 9) & HV_GNT_PTE_AVAIL;
    return pte;
}

int hv_gnt_host_addr_ok(uint64_t host_addr, uint32_t flags)
{
    if (flags & GNTMAP_contains_pte)
        return host_addr & 7 ? GNTST_general_error : GNTST_okay;
    return addr_ok(host_addr) ? GNTST_okay : GNTST_general_error;
}

int hv_gnt_pte_matches(uint64_t old_pte, uint64_t mfn, uint32_t flags)
{
    uint64_t want = hv_gnt_pte(mfn, flags);

#ifdef HV_TEST_BROKEN_MODEL            /* a wrong model: XSA-234, any access passes */
    want = (want & ~HV_PTE_RW) | (old_pte & HV_PTE_RW);
#endif
    if (HV_PTE_MFN(old_pte) != mfn || ((old_pte ^ want) & (HV_PTE_P | HV_PTE_RW)))
        return GNTST_general_error;
    return GNTST_okay;
}

int hv_gnt_unmap_begin(struct hv_gnt *gt, grant_handle_t handle, uint64_t host_addr,
                       uint64_t dev_bus_addr, uint64_t new_addr, struct hv_gnt_unmap *u)
{
    __builtin_memset(u, 0, sizeof(*u));
    if (handle >= HV_GNT_HANDLES || !gt->handle[handle].flags)
        return GNTST_bad_handle;

    const struct hv_gnt_handle *hd = &gt->handle[handle];
    if (hd->ref >= hv_gnt_nr_entries(gt))
        return GNTST_bad_handle;
    uint64_t mfn = gt->active[hd->ref].mfn;

    u->handle = handle;
    u->flags = hd->flags;
    u->mfn = mfn;
    if (dev_bus_addr && (hd->flags & GNTMAP_device_map) && dev_bus_addr != mfn << 12)
        return GNTST_bad_dev_addr;
    u->host = host_addr && (hd->flags & GNTMAP_host_map);
    u->dev = dev_bus_addr && (hd->flags & GNTMAP_device_map);
    if (u->host && (hd->flags & GNTMAP_contains_pte) && new_addr)
        return GNTST_general_error;     /* replace needs a linear address */
    u->dev_writable = u->dev && !(hd->flags & GNTMAP_readonly);
    return GNTST_okay;
}

void hv_gnt_unmap_finish(struct hv_gnt *gt, const struct hv_gnt_unmap *u)
{
    struct hv_gnt_handle *hd = &gt->handle[u->handle];
    bool ro = u->flags & GNTMAP_readonly;
    struct hv_gnt_active *act = &gt->active[hd->ref];
    uint32_t decr = 0;

    if (u->host) {
        hd->flags &= ~(uint32_t)GNTMAP_host_map;
        decr += ro ? HV_GNTPIN_HSTR : HV_GNTPIN_HSTW;
    }
    if (u->dev) {
        hd->flags &= ~(uint32_t)GNTMAP_device_map;
        decr += ro ? HV_GNTPIN_DEVR : HV_GNTPIN_DEVW;
    }
    if (!decr)
        return;
    act->pin -= decr;
    reduce_status(gt, hd->ref, ro);
    if (!(hd->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        hd->flags = 0;
}

int hv_gnt_set_version(struct hv_gnt *gt, unsigned int version, bool status_mapped)
{
    grant_entry_v1_t keep[RESERVED];

    if (version != 1 && version != 2)
        return -XEN_EINVAL;
    if (version == gt->version)
        return 0;
    for (unsigned int i = RESERVED; i < hv_gnt_nr_entries(gt); i++)
        if (gt->active[i].pin)
            return -XEN_EBUSY;

    /* The reserved entries, in v1's layout. */
    if (gt->version == 1) {
        __builtin_memcpy(keep, v1(gt), sizeof(keep));
    } else {
        for (unsigned int i = 0; i < RESERVED; i++) {
            const grant_entry_v2_t *e = &v2(gt)[i];
            unsigned int type = e->hdr.flags & GTF_type_mask;

            if ((type == GTF_permit_access && (e->full_page.frame >> 32)) || type == GTF_transitive)
                return -XEN_ERANGE;
        }
#ifndef HV_TEST_BROKEN_MODEL            /* a wrong model: XSA-255, frees a mapped frame */
        if (status_mapped)
            return -XEN_EBUSY;
#endif          /* Xen: the status frame still has references */
        for (unsigned int i = 0; i < RESERVED; i++) {
            const grant_entry_v2_t *e = &v2(gt)[i];

            if ((e->hdr.flags & GTF_type_mask) == GTF_permit_access)
                keep[i] = (grant_entry_v1_t){ .flags = e->hdr.flags | gt->status[i],
                                              .domid = e->hdr.domid,
                                              .frame = (uint32_t)e->full_page.frame };
            else
                keep[i] = (grant_entry_v1_t){ 0 };
        }
    }

    __builtin_memset(gt->shared, 0, HV_GNT_FRAMES * HV_GNT_PAGE);
    __builtin_memset(gt->status, 0, HV_GNT_PAGE);
    if (version == 1) {
        __builtin_memcpy(v1(gt), keep, sizeof(keep));
    } else {
        for (unsigned int i = 0; i < RESERVED; i++) {
            grant_entry_v2_t *e = &v2(gt)[i];

            gt->status[i] = keep[i].flags & (GTF_reading | GTF_writing);
            e->hdr.flags = keep[i].flags & ~(GTF_reading | GTF_writing);
            e->hdr.domid = keep[i].domid;
            e->full_page.frame = keep[i].frame;
        }
    }
    gt->version = version;
    return 0;
}
