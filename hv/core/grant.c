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
 * Mark the entry in use for a map or a copy (Xen's _set_status).  A map
 * refuses a GTF_sub_page entry, a copy takes it.  The entry is read once:
 * a guest changing it at the same time gets either state.
 */
static int set_status(struct hv_gnt *gt, grant_ref_t ref, const struct hv_gnt_active *act,
                      bool readonly, domid_t self, bool map)
{
    grant_entry_header_t h;
    uint16_t *st = status_of(gt, ref);
    uint16_t mask = map ? GTF_type_mask | GTF_sub_page : GTF_type_mask;

    __builtin_memcpy(&h, gt->version == 1 ? (void *)&v1(gt)[ref] : (void *)&v2(gt)[ref].hdr, sizeof(h));
    if (!act->pin && ((h.flags & mask) != GTF_permit_access || h.domid != self))
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
        if ((rc = set_status(gt, ref, act, ro, self, true)) != GNTST_okay)
            return rc;
        if (!act->pin) {
            uint64_t gfn = gt->version == 1 ? v1(gt)[ref].frame : v2(gt)[ref].full_page.frame;
            unsigned int t = o->type(o->ctx, gfn);

            if (t == HV_PAGE_INVALID || t == HV_PAGE_HV) {
                reduce_status(gt, ref, ro);
                return GNTST_bad_page;      /* not a frame of the granting domain */
            }
            act->mfn = gfn;                 /* PV: gfn == mfn */
            act->start = 0;
            act->length = HV_GNT_PAGE;
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

/* ---- GNTTABOP_copy ---- */

/* A frame of the domain's (its RAM, page tables, pages hv shares with it). */
static bool own_frame(const struct hv_page_oracle *o, uint64_t mfn)
{
    unsigned int t = o->type(o->ctx, mfn);

    return t != HV_PAGE_INVALID && t != HV_PAGE_HV;
}

/* Xen's gnttab_copy_lock_domain: which domain a side names. */
static int copy_domain(domid_t domid, bool gref, domid_t self)
{
    if (domid != DOMID_SELF && !gref)
        return GNTST_permission_denied;     /* a frame only from DOMID_SELF */
    if (domid != DOMID_SELF && domid != self)
        return GNTST_bad_domain;            /* hv has no other domain */
    return GNTST_okay;
}

/* Xen's acquire_grant_for_copy for the domain's own table. */
static int copy_claim_grant(struct hv_gnt *gt, grant_ref_t ref, domid_t self,
                            const struct hv_page_oracle *o, struct hv_gnt_copy_side *s)
{
    bool ro = s->readonly;
    struct hv_gnt_active *act;
    int rc;

    if (ref >= hv_gnt_nr_entries(gt))
        return GNTST_bad_gntref;
    act = &gt->active[ref];
    if (act->pin & 0x80808080u)
        return GNTST_general_error;         /* a counter could overflow */
    if (!act->pin || (!ro && !(act->pin & HV_GNTPIN_W_MASK))) {
        uint64_t frame;
        uint16_t start = 0, length = HV_GNT_PAGE;

        if ((rc = set_status(gt, ref, act, ro, self, false)) != GNTST_okay)
            return rc;
        if (gt->version == 1) {
            frame = v1(gt)[ref].frame;
        } else {
            const grant_entry_v2_t *e = &v2(gt)[ref];

            if ((e->hdr.flags & GTF_type_mask) == GTF_transitive) {
                /* Xen: to itself "self-referential", else no such domain. */
                reduce_status(gt, ref, ro);
                return GNTST_general_error;
            }
            frame = e->full_page.frame;
            if (e->hdr.flags & GTF_sub_page) {
                start = e->sub_page.page_off;
                length = e->sub_page.length;
            }
        }
        /* Xen looks the entry's frame up again even when already pinned. */
        if (!own_frame(o, frame)) {
            reduce_status(gt, ref, ro);
            return GNTST_bad_page;
        }
        if (!act->pin) {
            act->mfn = frame;
            act->start = start;
            act->length = length;
        }
    }
    act->pin += ro ? HV_GNTPIN_HSTR : HV_GNTPIN_HSTW;
    s->have_grant = true;
    s->ref = ref;
    s->mfn = act->mfn;
    s->start = act->start;
    s->length = act->length;
    return GNTST_okay;
}

/* Xen's gnttab_copy_claim_buf. */
static int copy_claim(struct hv_gnt *gt, const struct gnttab_copy_ptr *p, bool gref, bool readonly,
                      domid_t self, const struct hv_page_oracle *o, struct hv_gnt_copy_side *s)
{
    int rc;

    __builtin_memset(s, 0, sizeof(*s));
    s->readonly = readonly;
    if (gref) {
        if ((rc = copy_claim_grant(gt, p->u.ref, self, o, s)) != GNTST_okay)
            return rc;
    } else {
        if (!own_frame(o, p->u.gmfn))
            return GNTST_bad_page;
        s->mfn = p->u.gmfn;
        s->length = HV_GNT_PAGE;
    }
#ifndef HV_TEST_BROKEN_MODEL            /* a wrong model: copies into a page table */
    if (!readonly && o->type(o->ctx, s->mfn) != HV_PAGE_RAM) {
        hv_gnt_copy_release(gt, s);
        return GNTST_general_error;     /* Xen: no writable type for it */
    }
#endif
    return GNTST_okay;
}

/* The op's bytes inside what the side allows. */
static bool copy_inside(uint16_t offset, uint16_t len, const struct hv_gnt_copy_side *s)
{
    return offset >= s->start && offset + len <= s->start + s->length;
}

int hv_gnt_copy_begin(struct hv_gnt *gt, const struct gnttab_copy *op, domid_t self,
                      const struct hv_page_oracle *o, struct hv_gnt_copy_side *src,
                      struct hv_gnt_copy_side *dst)
{
    bool src_gref = op->flags & GNTCOPY_source_gref, dst_gref = op->flags & GNTCOPY_dest_gref;
    int rc;

    __builtin_memset(src, 0, sizeof(*src));
    __builtin_memset(dst, 0, sizeof(*dst));
    if ((rc = copy_domain(op->source.domid, src_gref, self)) != GNTST_okay ||
        (rc = copy_domain(op->dest.domid, dst_gref, self)) != GNTST_okay)
        return rc;
    if ((rc = copy_claim(gt, &op->source, src_gref, true, self, o, src)) != GNTST_okay)
        return rc;
    if ((rc = copy_claim(gt, &op->dest, dst_gref, false, self, o, dst)) != GNTST_okay) {
        hv_gnt_copy_release(gt, src);
        return rc;
    }
    if (op->source.offset + op->len > HV_GNT_PAGE || op->dest.offset + op->len > HV_GNT_PAGE)
        rc = GNTST_bad_copy_arg;
    else if (!copy_inside(op->source.offset, op->len, src) || !copy_inside(op->dest.offset, op->len, dst))
        rc = GNTST_general_error;
    if (rc != GNTST_okay) {
        hv_gnt_copy_release(gt, src);
        hv_gnt_copy_release(gt, dst);
    }
    return rc;
}

void hv_gnt_copy_release(struct hv_gnt *gt, struct hv_gnt_copy_side *s)
{
    if (!s->have_grant)
        return;
    gt->active[s->ref].pin -= s->readonly ? HV_GNTPIN_HSTR : HV_GNTPIN_HSTW;
    reduce_status(gt, s->ref, s->readonly);
    s->have_grant = false;
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
