/*
 * hv/domain/grant.c - HYPERVISOR_grant_table_op for a domain alone: its
 * own grant table (one frame, version 1 or 2 with its status frame),
 * mapping its own grants and copying between its grants and frames (the
 * domain is both granter and grantee, the only pair hv has).  The decisions and their GNTST_* / errno are the
 * core's (core/grant.h); here is guest memory and the page tables.
 *
 * ABI carried: <xen/grant_table.h> GNTTABOP_setup_table, query_size,
 * set_version, get_version, get_status_frames, map_grant_ref,
 * unmap_grant_ref, unmap_and_replace, copy with Xen 4.17's answers
 * (common/grant_table.c, arch/x86/pv/grant_table.c): a negative count or
 * command bits above GNTTABOP_CMD_MASK (but for cache_flush) are -EINVAL;
 * setup_table, query_size and get_status_frames take exactly one op
 * (else -EINVAL); set_version and
 * get_version read one whatever the count; per-op problems go in the op's
 * status field, not the return value.  transfer, swap_grant_ref and
 * cache_flush are -ENOSYS.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "core/grant.h"

#define SELF_DOMID 0            /* the domain's id (dom0; hv's domU too) */
#define CMD_MASK   0xfffu       /* Xen's GNTTABOP_CMD_MASK: the rest is a continuation's */

static uint8_t grant_page[HV_GNT_FRAMES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint16_t status_page[PAGE_SIZE / sizeof(uint16_t)] __attribute__((aligned(PAGE_SIZE)));
static struct hv_gnt gt;

void grant_init(void)
{
    memset(grant_page, 0, sizeof(grant_page));
    memset(status_page, 0, sizeof(status_page));
    hv_gnt_init(&gt, grant_page, status_page);
    dom.grant_mfn = __pa(grant_page) >> PAGE_SHIFT;
    dom.grant_status_mfn = __pa(status_page) >> PAGE_SHIFT;
}

/* The status frame is the domain's only while the table is version 2
 * (Xen allocates it at set_version 2 and frees it at set_version 1). */
bool grant_shared_frame(uint64_t mfn)
{
    return mfn == dom.grant_mfn || (mfn == dom.grant_status_mfn && gt.version == 2);
}

static bool self(domid_t d)
{
    return d == DOMID_SELF || d == SELF_DOMID;
}

/* setup_table's and get_status_frames' answer: n frames from `first' into
 * the guest's list (of xen_pfn_t and of uint64_t: the same here). */
_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "frame list entries");
static int16_t put_frame_list(uint64_t list, uint64_t first, unsigned int n)
{
    int16_t status = GNTST_okay;

    for (unsigned int i = 0; i < n; i++) {
        uint64_t f = first + i;
        if (copy_to_guest(list + i * sizeof(f), &f, sizeof(f)))
            status = GNTST_bad_virt_addr;
    }
    return status;
}

static long setup_table(uint64_t uop)
{
    struct gnttab_setup_table op;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!hv_gnt_array_ok((uint64_t)op.frame_list.p, op.nr_frames, sizeof(xen_pfn_t)))
        return -XEN_EFAULT;
    if (!self(op.dom))
        op.status = GNTST_bad_domain;
    else if (op.nr_frames > HV_GNT_FRAMES)
        op.status = GNTST_general_error;    /* Xen: more than max_grant_frames */
    else
        op.status = put_frame_list((uint64_t)op.frame_list.p, dom.grant_mfn, op.nr_frames);
    return copy_to_guest(uop + offsetof(struct gnttab_setup_table, status), &op.status,
                         sizeof(op.status)) ? -XEN_EFAULT : 0;
}

static long query_size(uint64_t uop)
{
    struct gnttab_query_size op;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!self(op.dom)) {
        op.status = GNTST_bad_domain;
    } else {
        op.nr_frames = HV_GNT_FRAMES;
        op.max_nr_frames = HV_GNT_FRAMES;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long set_version(uint64_t uop)
{
    struct gnttab_set_version v;

    if (copy_from_guest(&v, uop, sizeof(v)))
        return -XEN_EFAULT;
    /* Leaving version 2 frees the status frame: not while anything maps
     * or pins it (Xen: its page still has references). */
    bool busy = gt.version == 2 && (mm_l1_maps(dom.grant_status_mfn) ||
                                     hv_gnt_frame_pinned(&gt, dom.grant_status_mfn));
    long rc = hv_gnt_set_version(&gt, v.version, busy);
    v.version = gt.version;
    return copy_to_guest(uop, &v, sizeof(v)) ? -XEN_EFAULT : rc;
}

static long get_status_frames(uint64_t uop, unsigned int count)
{
    struct gnttab_get_status_frames op;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!hv_gnt_array_ok((uint64_t)op.frame_list.p, op.nr_frames, sizeof(uint64_t)))
        return -XEN_EFAULT;
    if (!self(op.dom))
        op.status = GNTST_bad_domain;
    else if (op.nr_frames > hv_gnt_nr_status_frames(&gt))
        op.status = GNTST_general_error;
    else
        op.status = put_frame_list((uint64_t)op.frame_list.p, dom.grant_status_mfn, op.nr_frames);
    return copy_to_guest(uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                         sizeof(op.status)) ? -XEN_EFAULT : 0;
}

/* ---- mapping and unmapping the domain's own grants ---- */

/* Xen's create_grant_pv_mapping: the grant's PTE into the L1 entry. */
static int host_map(uint64_t addr, uint32_t flags, uint64_t mfn)
{
    uint64_t l1, pte = hv_gnt_pte(mfn, flags);
    unsigned int slot;

    if (hv_gnt_host_addr_ok(addr, flags) != GNTST_okay ||
        !mm_l1_slot(addr, flags & GNTMAP_contains_pte, &l1, &slot))
        return GNTST_general_error;
    /* The core allowed the frame; the page-table rules hold anyway. */
    if (hv_check_pte(1, slot, pte, &dom.oracle) || mm_l1_write(l1, slot, pte))
        return GNTST_general_error;
    flush_tlb_local();
    return GNTST_okay;
}

/*
 * Xen's replace_grant_pv_mapping: the entry at addr must still be the
 * grant's; it is cleared, or (new_addr) gets the entry that mapped
 * new_addr, which is cleared.  That one goes even when the rest fails.
 */
static int host_unmap(uint64_t addr, uint32_t flags, uint64_t mfn, uint64_t new_addr)
{
    uint64_t l1, stolen = 0;
    unsigned int slot;
    int rc = GNTST_general_error;

    if (new_addr) {
        if (hv_gnt_host_addr_ok(new_addr, 0) != GNTST_okay || !mm_l1_slot(new_addr, false, &l1, &slot))
            return GNTST_general_error;
        stolen = mm_l1_take(l1, slot);
    }
    if (hv_gnt_host_addr_ok(addr, flags) == GNTST_okay &&
        mm_l1_slot(addr, flags & GNTMAP_contains_pte, &l1, &slot) &&
        hv_gnt_pte_matches(mm_l1_read(l1, slot), mfn, flags) == GNTST_okay) {
        mm_l1_place(l1, slot, stolen);
        rc = GNTST_okay;
    } else {
        mm_l1_drop(stolen);
    }
    flush_tlb_local();
    return rc;
}

/* A writable device mapping holds the frame writable, as a PTE would. */
static uint64_t dev_ref(uint64_t mfn)
{
    return (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW;
}

static void map_one(struct gnttab_map_grant_ref *op)
{
    struct hv_gnt_mapping m;
    int rc = hv_gnt_map_begin(&gt, op, SELF_DOMID, &dom.oracle, &m);

    if (rc == GNTST_okay && (m.flags & GNTMAP_host_map))
        if ((rc = host_map(op->host_addr, m.flags, m.mfn)) != GNTST_okay)
            hv_gnt_map_undo(&gt, &m);
    if (rc != GNTST_okay) {
        op->status = (int16_t)rc;
        return;
    }
    if (m.dev_writable)
        mm_l1_ref(dev_ref(m.mfn));
    hv_gnt_map_commit(&gt, &m);
    op->dev_bus_addr = m.mfn << PAGE_SHIFT;
    op->handle = m.handle;
    op->status = GNTST_okay;
}

static int16_t unmap_one(grant_handle_t handle, uint64_t host_addr, uint64_t dev_bus_addr,
                         uint64_t new_addr)
{
    struct hv_gnt_unmap u;
    int rc = hv_gnt_unmap_begin(&gt, handle, host_addr, dev_bus_addr, new_addr, &u);

    if (rc == GNTST_okay && u.host)
        rc = host_unmap(host_addr, u.flags, u.mfn, new_addr);
    if (rc != GNTST_okay)
        return (int16_t)rc;
    if (u.dev_writable)
        mm_l1_drop(dev_ref(u.mfn));
    hv_gnt_unmap_finish(&gt, &u);
    return GNTST_okay;
}

/*
 * One GNTTABOP_copy: the core claims both sides, the bytes go through
 * hv's direct map (both frames are the domain's: its RAM or a page hv
 * shares with it), then both sides are released.  Xen keeps a side
 * claimed from one op to the next when they name the same grant or
 * frame; a guest cannot tell the difference.
 */
static int16_t copy_one(const struct gnttab_copy *op)
{
    struct hv_gnt_copy_side src, dst;
    int rc = hv_gnt_copy_begin(&gt, op, SELF_DOMID, &dom.oracle, &src, &dst);

    if (rc != GNTST_okay)
        return (int16_t)rc;
    memmove((char *)__va(dst.mfn << PAGE_SHIFT) + op->dest.offset,
            (const char *)__va(src.mfn << PAGE_SHIFT) + op->source.offset, op->len);
    hv_gnt_copy_release(&gt, &src);
    hv_gnt_copy_release(&gt, &dst);
    return GNTST_okay;
}

/*
 * The batched commands: count ops of `size' bytes at uop, one at a time;
 * after HYPERCALL_BATCH of them the hypercall continues itself with the
 * rest, as Xen's preemption check does.
 */
static long batch(unsigned int cmd, uint64_t uop, unsigned int count, size_t size)
{
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_unmap_and_replace ur;
        struct gnttab_copy copy;
    } op;

    if (!hv_gnt_array_ok(uop, count, size))
        return -XEN_EFAULT;
    for (unsigned int i = 0; i < count; i++, uop += size) {
        if (i == HYPERCALL_BATCH) {
            hypercall_continue(&dom.vcpu, __HYPERVISOR_grant_table_op, cmd, uop, count - i, 0);
            return HV_CONTINUED;
        }
        if (copy_from_guest(&op, uop, size))
            return -XEN_EFAULT;
        size_t out = offsetof(struct gnttab_unmap_grant_ref, status);
        switch (cmd) {
        case GNTTABOP_map_grant_ref:
            map_one(&op.map);
            if (copy_to_guest(uop, &op.map, size))
                return -XEN_EFAULT;
            continue;
        case GNTTABOP_unmap_grant_ref:
            op.unmap.status = unmap_one(op.unmap.handle, op.unmap.host_addr, op.unmap.dev_bus_addr, 0);
            break;
        case GNTTABOP_copy:
            op.copy.status = copy_one(&op.copy);
            out = offsetof(struct gnttab_copy, status);
            break;
        default:
            op.ur.status = unmap_one(op.ur.handle, op.ur.host_addr, 0, op.ur.new_addr);
            out = offsetof(struct gnttab_unmap_and_replace, status);
            break;
        }
        /* Xen writes back only the status of an unmap or a copy. */
        if (copy_to_guest(uop + out, (char *)&op + out, sizeof(int16_t)))
            return -XEN_EFAULT;
    }
    return 0;
}

long do_grant_table_op(unsigned int cmd, uint64_t uop, unsigned int count)
{
    /* Only cache_flush gives the bits above CMD_MASK a meaning. */
    if ((int)count < 0 || ((cmd & ~CMD_MASK) && (cmd & CMD_MASK) != GNTTABOP_cache_flush))
        return -XEN_EINVAL;
    switch (cmd) {
    case GNTTABOP_setup_table:
        return count != 1 ? -XEN_EINVAL : setup_table(uop);
    case GNTTABOP_query_size:
        return count != 1 ? -XEN_EINVAL : query_size(uop);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(uop, count);
    case GNTTABOP_get_version: {
        struct gnttab_get_version v;

        if (copy_from_guest(&v, uop, sizeof(v)))
            return -XEN_EFAULT;
        if (!self(v.dom))
            return -XEN_ESRCH;
        v.version = gt.version;
        return copy_to_guest(uop, &v, sizeof(v)) ? -XEN_EFAULT : 0;
    }
    case GNTTABOP_map_grant_ref:
        return batch(cmd, uop, count, sizeof(struct gnttab_map_grant_ref));
    case GNTTABOP_unmap_grant_ref:
        return batch(cmd, uop, count, sizeof(struct gnttab_unmap_grant_ref));
    case GNTTABOP_unmap_and_replace:
        return batch(cmd, uop, count, sizeof(struct gnttab_unmap_and_replace));
    case GNTTABOP_copy:
        return batch(cmd, uop, count, sizeof(struct gnttab_copy));
    default:
        return -XEN_ENOSYS;             /* transfer, swap_grant_ref, cache_flush */
    }
}
