/*
 * hv/core/grant.h - the decisions of HYPERVISOR_grant_table_op for a
 * domain that grants to itself (hv has no second domain): which flags,
 * references, frames and states are accepted, and the GNTST_* or errno
 * of every refusal, as Xen 4.17 (common/grant_table.c, arch/x86/pv/
 * grant_table.c) answers.  Pure logic: the platform reads and writes
 * guest memory and page tables, the core keeps the grant table's own
 * state (version, pins of the active entries, the mapping handles).
 *
 * The flow of one GNTTABOP_map_grant_ref:
 *     hv_gnt_map_begin()  -> GNTST_okay: the entry is pinned, m filled
 *     platform: if m.flags has GNTMAP_host_map, write hv_gnt_pte() into
 *               the L1 entry (hv_gnt_host_addr_ok() for contains_pte);
 *               if that fails: hv_gnt_map_undo(), status GNTST_general_error
 *     hv_gnt_map_commit() -> the handle for the guest
 * and of one GNTTABOP_unmap_grant_ref / unmap_and_replace:
 *     hv_gnt_unmap_begin() -> GNTST_okay: u says what to undo
 *     platform: if u.host, check the entry with hv_gnt_pte_matches() and
 *               clear it (or put the entry stolen from new_addr there);
 *               a mismatch is GNTST_general_error and nothing changes
 *     hv_gnt_unmap_finish(u), unless the host mapping could not go
 *
 * and of one GNTTABOP_copy:
 *     hv_gnt_copy_begin()  -> GNTST_okay: both sides claimed (a grant side
 *                             pinned, its GTF_reading/GTF_writing set)
 *     platform: copy op->len bytes from src.mfn + op->source.offset to
 *               dst.mfn + op->dest.offset
 *     hv_gnt_copy_release() of both sides
 *
 * Reference counting as hv's frames know it (domain/mm.c): a writable
 * grant PTE holds the frame's writable count like any writable PTE; a
 * writable device mapping (GNTMAP_device_map without readonly) holds one
 * more, which the platform takes when m.dev_writable and drops when
 * u.dev_writable.  So a frame with a writable grant mapping never becomes
 * a page table, and one that is a page table is never granted writable.
 */
#ifndef HV_GRANT_H
#define HV_GRANT_H

#include "hypercall_check.h"
#include <xen/grant_table.h>

#define HV_GNT_PAGE        4096u
#define HV_GNT_FRAMES      1u     /* the domain's grant frames (max_grant_frames) */
#define HV_GNT_V1_ENTRIES  (HV_GNT_FRAMES * HV_GNT_PAGE / sizeof(grant_entry_v1_t))
#define HV_GNT_V2_ENTRIES  (HV_GNT_FRAMES * HV_GNT_PAGE / sizeof(grant_entry_v2_t))
#define HV_GNT_HANDLES     256u   /* mappings at once (Xen's maptrack grows) */

/* The pin counts of an active entry, Xen's layout: four 8-bit counters. */
#define HV_GNTPIN_HSTW     (1u << 0)     /* host mapping, writable  */
#define HV_GNTPIN_HSTR     (1u << 8)     /* host mapping, read-only */
#define HV_GNTPIN_DEVW     (1u << 16)    /* device mapping, writable */
#define HV_GNTPIN_DEVR     (1u << 24)    /* device mapping, read-only */
#define HV_GNTPIN_W_MASK   (0xffu * (HV_GNTPIN_HSTW | HV_GNTPIN_DEVW))

/* PTE bits 9..11, where a host mapping carries GNTMAP_guest_avail. */
#define HV_GNT_PTE_AVAIL   0xe00ull

struct hv_gnt_active {
    uint32_t pin;                 /* HV_GNTPIN_* counts; 0: not in use */
    uint64_t mfn;                 /* the granted frame, while pinned   */
    uint16_t start, length;       /* the granted bytes (a v2 sub-page) */
};

struct hv_gnt_handle {
    uint32_t flags;               /* GNTMAP_* still mapped; 0: free    */
    grant_ref_t ref;
};

struct hv_gnt {
    unsigned int version;         /* 1 or 2 */
    void *shared;                 /* HV_GNT_FRAMES pages of entries (v1 or v2 layout) */
    uint16_t *status;             /* v2's status frame (grant_status_t[]) */
    struct hv_gnt_active active[HV_GNT_V1_ENTRIES];
    struct hv_gnt_handle handle[HV_GNT_HANDLES];
};

/* Version 1, no pins, no handles; shared/status are the platform's pages. */
void hv_gnt_init(struct hv_gnt *gt, void *shared, uint16_t *status);

/* Entries the current version has (512 for v1, 256 for v2). */
unsigned int hv_gnt_nr_entries(const struct hv_gnt *gt);

/* Xen's guest_handle_okay(): an array of nr items of size bytes at addr
 * starts in guest space (it is not read here). */
bool hv_gnt_array_ok(uint64_t addr, uint64_t nr, uint64_t size);

/* What one accepted map operation did. */
struct hv_gnt_mapping {
    grant_handle_t handle;
    grant_ref_t ref;
    uint32_t flags;               /* the op's GNTMAP_* */
    uint32_t pin_incr;            /* HV_GNTPIN_* added to the entry */
    uint64_t mfn;                 /* the granted frame */
    bool dev_writable;            /* platform: take a writable count */
};

/*
 * GNTTABOP_map_grant_ref, up to the host mapping.  self is the domain's
 * id (op->dom must name it: DOMID_SELF is not a domain here, as in
 * Xen's rcu_lock_domain_by_id).  GNTST_* in order:
 *   neither host_map nor device_map          -> GNTST_bad_gntref
 *   op->dom is not self                      -> GNTST_bad_domain
 *   no free handle                           -> GNTST_no_space
 *   ref beyond the current version's entries -> GNTST_bad_gntref
 *   already pinned with a counter about to overflow -> GNTST_general_error
 *   first pin (or first writable pin): the shared entry must be
 *     GTF_permit_access (no GTF_sub_page) for domid self, not GTF_readonly
 *     for a writable map                     -> else GNTST_general_error;
 *     GTF_reading (and GTF_writing) are then set in the entry (v1) or its
 *     status (v2)
 *   the frame is not the domain's (oracle HV_PAGE_INVALID or HV_PAGE_HV)
 *                                            -> GNTST_bad_page
 *   a writable map of a page table           -> GNTST_general_error
 * On any refusal nothing is left pinned or flagged.
 */
int hv_gnt_map_begin(struct hv_gnt *gt, const struct gnttab_map_grant_ref *op, domid_t self,
                     const struct hv_page_oracle *o, struct hv_gnt_mapping *m);
void hv_gnt_map_undo(struct hv_gnt *gt, const struct hv_gnt_mapping *m);
void hv_gnt_map_commit(struct hv_gnt *gt, const struct hv_gnt_mapping *m);

/*
 * The L1 entry of a host mapping, before the platform's adjust_guest_l1e:
 * P, A, D, NX; RW unless GNTMAP_readonly; US with GNTMAP_application_map;
 * the flags' guest_avail bits in PTE bits 9..11 (Xen's grant_to_pte_flags
 * for RAM: no cache attributes).
 */
uint64_t hv_gnt_pte(uint64_t mfn, uint32_t flags);

/*
 * Where a host mapping goes: with GNTMAP_contains_pte, host_addr is the
 * machine address of an L1 entry, which must be 8-byte aligned; else a
 * linear address, which must be in guest space.  GNTST_okay or
 * GNTST_general_error (the platform then needs an L1 table there, else
 * GNTST_general_error too).
 */
int hv_gnt_host_addr_ok(uint64_t host_addr, uint32_t flags);

/*
 * replace_grant_host_mapping's check: the entry found at the address
 * must map mfn with the grant's P and RW, else GNTST_general_error.
 */
int hv_gnt_pte_matches(uint64_t old_pte, uint64_t mfn, uint32_t flags);

struct hv_gnt_unmap {
    grant_handle_t handle;
    uint32_t flags;               /* the mapping's GNTMAP_* */
    uint64_t mfn;
    bool host;                    /* platform: remove the host mapping */
    bool dev;                     /* the device mapping goes */
    bool dev_writable;            /* platform: drop the writable count */
};

/*
 * GNTTABOP_unmap_grant_ref (new_addr 0) / unmap_and_replace (dev_bus_addr
 * 0).  GNTST_* in order:
 *   handle out of range or not in use        -> GNTST_bad_handle
 *   dev_bus_addr given, a device mapping, and not the frame's address
 *                                            -> GNTST_bad_dev_addr
 *   a contains_pte host mapping with new_addr -> GNTST_general_error
 * u.host: host_addr != 0 and the handle has a host mapping; u.dev:
 * dev_bus_addr != 0 and it has a device mapping.  Neither is no error.
 */
int hv_gnt_unmap_begin(struct hv_gnt *gt, grant_handle_t handle, uint64_t host_addr,
                       uint64_t dev_bus_addr, uint64_t new_addr, struct hv_gnt_unmap *u);

/* After the platform removed the host mapping (u.host), or when there
 * was none to remove: the pins, the entry's GTF_reading/GTF_writing, the
 * handle.  When removing it failed, not called: as in Xen, the device
 * mapping then stays too. */
void hv_gnt_unmap_finish(struct hv_gnt *gt, const struct hv_gnt_unmap *u);

/*
 * GNTTABOP_set_version, Xen 4.17's checks in order:
 *   version not 1 or 2                        -> -XEN_EINVAL
 *   the version in use                        -> 0, nothing changes
 *   an entry beyond the first 8 (GNTTAB_NR_RESERVED_ENTRIES) pinned
 *                                             -> -XEN_EBUSY
 *   2 -> 1 with a reserved entry that v1 cannot hold (transitive, or a
 *     frame above 32 bits)                    -> -XEN_ERANGE
 *   2 -> 1 while the status frame is still mapped (status_mapped: the
 *     platform's count of mappings of it)     -> -XEN_EBUSY
 * Accepted: the reserved entries carried over to the new layout, the
 * rest of the table (and the status frame) cleared.
 */
int hv_gnt_set_version(struct hv_gnt *gt, unsigned int version, bool status_mapped);

/* The status frames a version has: 1 for v2, 0 for v1. */
unsigned int hv_gnt_nr_status_frames(const struct hv_gnt *gt);

/*
 * One side of a GNTTABOP_copy, claimed (Xen's struct gnttab_copy_buf):
 * the frame and the bytes of it the op may touch (a whole page, or a v2
 * sub-page grant's start and length).  have_grant: entry ref is pinned
 * (read-only for a source, writable for a destination) until
 * hv_gnt_copy_release().
 */
struct hv_gnt_copy_side {
    uint64_t mfn;
    uint16_t start, length;
    bool readonly;
    bool have_grant;
    grant_ref_t ref;
};

/*
 * GNTTABOP_copy, one op, up to the copy itself (Xen 4.17's
 * gnttab_copy_one).  self is the domain's id; a grant side (the op's
 * GNTCOPY_source_gref / GNTCOPY_dest_gref) names a ref of the domain's
 * own table, the other side a frame (gmfn).  GNTST_* in order, source
 * side before destination side at each step:
 *   a frame side with a domid other than DOMID_SELF (its own id too)
 *                                            -> GNTST_permission_denied
 *   a grant side with a domid that is neither DOMID_SELF nor self
 *                                            -> GNTST_bad_domain
 *   claiming the source, then the destination (destination: writable):
 *     grant: ref beyond the current version's entries -> GNTST_bad_gntref
 *            a pin counter at 128            -> GNTST_general_error
 *            on the first pin (or the first writable one): the entry must
 *            be GTF_permit_access (GTF_sub_page allowed) for self, and not
 *            GTF_readonly for the destination -> GNTST_general_error
 *            (a v2 transitive grant: GNTST_general_error, there being no
 *            other domain); GTF_reading (GTF_writing) then set
 *            the entry's frame not the domain's -> GNTST_bad_page
 *     frame: not the domain's (HV_PAGE_INVALID, HV_PAGE_HV) -> GNTST_bad_page
 *     destination frame not plain RAM (a page table) -> GNTST_general_error
 *   an offset plus len beyond the page on either side -> GNTST_bad_copy_arg
 *   the source or destination bytes outside what the grant allows (a v2
 *     sub-page)                              -> GNTST_general_error
 * On a refusal nothing is left pinned or flagged.
 */
int hv_gnt_copy_begin(struct hv_gnt *gt, const struct gnttab_copy *op, domid_t self,
                      const struct hv_page_oracle *o, struct hv_gnt_copy_side *src,
                      struct hv_gnt_copy_side *dst);
/* Unpin a claimed side (GTF_writing / GTF_reading go with the last pin
 * that needed them); nothing for a frame side. */
void hv_gnt_copy_release(struct hv_gnt *gt, struct hv_gnt_copy_side *s);

/* Is mfn granted (pinned) through any entry? */
bool hv_gnt_frame_pinned(const struct hv_gnt *gt, uint64_t mfn);

#endif
