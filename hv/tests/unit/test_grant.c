/*
 * hv/tests/unit/test_grant.c - the grant table's decisions (core/grant.c)
 * against Xen 4.17's answers: which map flags, references, entry flags
 * and frames are accepted and with which GNTST_*, the pins and the
 * entry's GTF_reading/GTF_writing through map and unmap, the PTE of a
 * host mapping and the unmap check XSA-234 is about, and set_version
 * (XSA-255: not back to version 1 while the status frame is mapped),
 * and GNTTABOP_copy between the domain's own grants and frames.
 */
#include "core/grant.h"

#include <string.h>
#include <xen/errno.h>

#include "tap.h"

#define SELF     0
#define RAM_MFN  0x1234     /* an ordinary frame of the guest */
#define RAM2_MFN 0x1235
#define L1_MFN   0x2000     /* one of its L1 tables */
#define HV_MFN   0x100      /* hypervisor memory */
#define BAD_MFN  0xfffff    /* no such frame */

static unsigned int fake_type(void *ctx, uint64_t mfn)
{
    (void)ctx;
    switch (mfn) {
    case RAM_MFN: case RAM2_MFN: return HV_PAGE_RAM;
    case L1_MFN: return HV_PAGE_L1;
    case HV_MFN: return HV_PAGE_HV;
    default: return HV_PAGE_INVALID;
    }
}
static bool fake_false(void *ctx, uint64_t mfn) { (void)ctx; (void)mfn; return false; }
static const struct hv_page_oracle oracle = { NULL, fake_type, fake_false, fake_false };

static uint8_t shared[HV_GNT_FRAMES * HV_GNT_PAGE] __attribute__((aligned(4096)));
static uint16_t status[HV_GNT_PAGE / 2];
static struct hv_gnt gt;

static grant_entry_v1_t *e1(unsigned int ref) { return &((grant_entry_v1_t *)shared)[ref]; }
static grant_entry_v2_t *e2(unsigned int ref) { return &((grant_entry_v2_t *)shared)[ref]; }

static void fresh(void)
{
    memset(shared, 0, sizeof(shared));
    memset(status, 0, sizeof(status));
    hv_gnt_init(&gt, shared, status);
}

static void grant(unsigned int ref, uint64_t mfn, uint16_t flags, domid_t to)
{
    if (gt.version == 1)
        *e1(ref) = (grant_entry_v1_t){ .flags = flags, .domid = to, .frame = (uint32_t)mfn };
    else {
        e2(ref)->full_page.frame = mfn;
        e2(ref)->hdr.domid = to;
        e2(ref)->hdr.flags = flags;
    }
}

static int map(unsigned int ref, uint32_t flags, domid_t dom, struct hv_gnt_mapping *m)
{
    struct gnttab_map_grant_ref op = { .host_addr = 0x1000, .flags = flags, .ref = ref, .dom = dom };
    return hv_gnt_map_begin(&gt, &op, SELF, &oracle, m);
}

static void map_refusals(void)
{
    struct hv_gnt_mapping m;

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(8, 0, SELF, &m), GNTST_bad_gntref, "map: neither host nor device: GNTST_bad_gntref");
    EQ(map(8, GNTMAP_readonly | GNTMAP_contains_pte, SELF, &m), GNTST_bad_gntref,
       "map: only readonly/contains_pte: GNTST_bad_gntref");
    EQ(map(8, GNTMAP_host_map, DOMID_SELF, &m), GNTST_bad_domain,
       "map: DOMID_SELF is no domain to map from: GNTST_bad_domain");
    EQ(map(8, GNTMAP_host_map, 7, &m), GNTST_bad_domain, "map: another domain: GNTST_bad_domain");
    EQ(map(HV_GNT_V1_ENTRIES, GNTMAP_host_map, SELF, &m), GNTST_bad_gntref,
       "map: ref beyond v1's 512 entries: GNTST_bad_gntref");
    EQ(map(9, GNTMAP_host_map, SELF, &m), GNTST_general_error, "map: GTF_invalid entry: GNTST_general_error");

    grant(9, RAM_MFN, GTF_permit_access, 5);
    EQ(map(9, GNTMAP_host_map, SELF, &m), GNTST_general_error,
       "map: entry granted to another domain: GNTST_general_error");
    grant(9, RAM_MFN, GTF_permit_access | GTF_sub_page, SELF);
    EQ(map(9, GNTMAP_host_map, SELF, &m), GNTST_general_error, "map: GTF_sub_page entry: GNTST_general_error");
    grant(9, RAM_MFN, GTF_transitive, SELF);
    EQ(map(9, GNTMAP_host_map, SELF, &m), GNTST_general_error, "map: transitive entry: GNTST_general_error");
    grant(9, RAM_MFN, GTF_permit_access | GTF_readonly, SELF);
    EQ(map(9, GNTMAP_host_map, SELF, &m), GNTST_general_error,
       "map: writable map of a GTF_readonly entry: GNTST_general_error");
    EQ(e1(9)->flags, GTF_permit_access | GTF_readonly, "map: a refused map leaves the entry's flags alone");
    EQ(map(9, GNTMAP_host_map | GNTMAP_readonly, SELF, &m), GNTST_okay,
       "map: read-only map of a GTF_readonly entry: okay");
    EQ(e1(9)->flags, GTF_permit_access | GTF_readonly | GTF_reading,
       "map: read-only: GTF_reading set, GTF_writing not");
    hv_gnt_map_undo(&gt, &m);
    EQ(e1(9)->flags, GTF_permit_access | GTF_readonly, "map undone: GTF_reading cleared again");
    EQ(gt.active[9].pin, 0, "map undone: not pinned");

    grant(10, BAD_MFN, GTF_permit_access, SELF);
    EQ(map(10, GNTMAP_host_map, SELF, &m), GNTST_bad_page, "map: a frame the domain does not own: GNTST_bad_page");
    EQ(e1(10)->flags, GTF_permit_access, "map: GNTST_bad_page leaves no GTF_reading/GTF_writing");
    grant(10, HV_MFN, GTF_permit_access, SELF);
    EQ(map(10, GNTMAP_device_map | GNTMAP_readonly, SELF, &m), GNTST_bad_page,
       "map: hypervisor memory, even read-only: GNTST_bad_page");
    grant(11, L1_MFN, GTF_permit_access, SELF);
    EQ(map(11, GNTMAP_host_map, SELF, &m), GNTST_general_error,
       "map: writable host map of a page table: GNTST_general_error");
    EQ(map(11, GNTMAP_device_map, SELF, &m), GNTST_general_error,
       "map: writable device map of a page table: GNTST_general_error");
    EQ(gt.active[11].pin, 0, "map: a refused writable map of a page table leaves no pin");
    EQ(e1(11)->flags, GTF_permit_access, "map: ... and no GTF_reading/GTF_writing");
    EQ(map(11, GNTMAP_host_map | GNTMAP_readonly, SELF, &m), GNTST_okay,
       "map: read-only host map of a page table: okay");
    OK(!m.dev_writable, "map: read-only: no writable count for the platform");
}

/* XSA-224's sequence: one host+device mapping, unmapped in two steps. */
static void host_and_device(void)
{
    struct hv_gnt_mapping m;
    struct hv_gnt_unmap u;

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(8, GNTMAP_host_map | GNTMAP_device_map, SELF, &m), GNTST_okay, "map host+device: okay");
    EQ(m.mfn, RAM_MFN, "map: the granted frame");
    OK(m.dev_writable, "map: writable device mapping: the platform takes a writable count");
    EQ(gt.active[8].pin, HV_GNTPIN_HSTW | HV_GNTPIN_DEVW, "map: pinned once as host and once as device, writable");
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading | GTF_writing, "map: GTF_reading and GTF_writing set");
    hv_gnt_map_commit(&gt, &m);

    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0x1000, RAM_MFN << 12 | 1, 0, &u), GNTST_bad_dev_addr,
       "unmap: a device address that is not the frame's: GNTST_bad_dev_addr");
    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0x1000, 0, 0, &u), GNTST_okay, "unmap host part: okay");
    OK(u.host && !u.dev && !u.dev_writable, "unmap host part: only the host mapping goes");
    hv_gnt_unmap_finish(&gt, &u);
    EQ(gt.active[8].pin, HV_GNTPIN_DEVW, "unmap host part: the device pin stays");
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading | GTF_writing,
       "unmap host part: still GTF_writing (the device mapping is writable)");

    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0, RAM_MFN << 12, 0, &u), GNTST_okay, "unmap device part: okay");
    OK(!u.host && u.dev && u.dev_writable, "unmap device part: the platform drops the writable count");
    hv_gnt_unmap_finish(&gt, &u);
    EQ(gt.active[8].pin, 0, "unmapped: no pin left");
    EQ(e1(8)->flags, GTF_permit_access, "unmapped: GTF_reading and GTF_writing cleared");
    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0x1000, 0, 0, &u), GNTST_bad_handle,
       "unmap: the handle is free again: GNTST_bad_handle");
    EQ(hv_gnt_unmap_begin(&gt, HV_GNT_HANDLES, 0x1000, 0, 0, &u), GNTST_bad_handle,
       "unmap: handle out of range: GNTST_bad_handle");
    EQ(hv_gnt_unmap_begin(&gt, 0xffff, 0x1000, 0, 0, &u), GNTST_bad_handle, "unmap: handle 0xffff: GNTST_bad_handle");
}

static void pins(void)
{
    struct hv_gnt_mapping m, m2;
    struct hv_gnt_unmap u;

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m), GNTST_okay, "pins: read-only map");
    hv_gnt_map_commit(&gt, &m);
    EQ(map(8, GNTMAP_host_map, SELF, &m2), GNTST_okay, "pins: then a writable map of the same entry");
    hv_gnt_map_commit(&gt, &m2);
    OK(m.handle != m2.handle, "pins: two handles");
    EQ(gt.active[8].pin, HV_GNTPIN_HSTR | HV_GNTPIN_HSTW, "pins: one read-only and one writable host pin");
    EQ(hv_gnt_unmap_begin(&gt, m2.handle, 0x1000, 0, 0, &u), GNTST_okay, "pins: unmap the writable one");
    hv_gnt_unmap_finish(&gt, &u);
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading, "pins: GTF_writing goes with the last writable pin");
    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0x1000, 0, 0, &u), GNTST_okay, "pins: unmap the read-only one");
    hv_gnt_unmap_finish(&gt, &u);
    EQ(e1(8)->flags, GTF_permit_access, "pins: GTF_reading goes with the last pin");

    /* A pinned entry is not checked again: the guest may revoke it meanwhile. */
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m), GNTST_okay, "pins: map again");
    e1(8)->flags = GTF_invalid | GTF_reading;
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m2), GNTST_okay,
       "pins: another read-only pin of an entry revoked while pinned: okay (as Xen)");

    gt.active[8].pin = 0x80 * HV_GNTPIN_HSTR;
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m2), GNTST_general_error,
       "pins: a counter at 128 would overflow: GNTST_general_error");
    gt.active[8].pin = 0x7f * HV_GNTPIN_HSTR;
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m2), GNTST_okay, "pins: at 127 one more is fine");

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    for (unsigned int i = 0; i < HV_GNT_HANDLES; i++) {
        gt.handle[i].flags = GNTMAP_device_map;
        gt.handle[i].ref = 8;
    }
    EQ(map(8, GNTMAP_host_map, SELF, &m), GNTST_no_space, "map: every handle in use: GNTST_no_space");
}

static void host_mapping(void)
{
    struct hv_gnt_mapping m;
    struct hv_gnt_unmap u;

    EQ(hv_gnt_pte(RAM_MFN, GNTMAP_host_map), (RAM_MFN << 12) | HV_PTE_P | HV_PTE_RW | HV_PTE_A | HV_PTE_D | HV_PTE_NX,
       "pte: writable host map: P RW A D NX");
    EQ(hv_gnt_pte(RAM_MFN, GNTMAP_host_map | GNTMAP_readonly), (RAM_MFN << 12) | HV_PTE_P | HV_PTE_A | HV_PTE_D | HV_PTE_NX,
       "pte: read-only: no RW");
    EQ(hv_gnt_pte(RAM_MFN, GNTMAP_host_map | GNTMAP_application_map) & HV_PTE_US, HV_PTE_US,
       "pte: application map: US");
    EQ(hv_gnt_pte(RAM_MFN, GNTMAP_host_map | (5u << _GNTMAP_guest_avail0)) & 0xe00, 5u << 9,
       "pte: guest_avail bits in PTE bits 9..11");
    EQ(hv_gnt_pte(RAM_MFN, GNTMAP_host_map | (0xffu << _GNTMAP_guest_avail0)) & ~(HV_PTE_ADDR | 0xe00 | 0x63 | HV_PTE_NX), 0,
       "pte: wider guest_avail values reach no other bit");

    EQ(hv_gnt_host_addr_ok(0x1000, GNTMAP_host_map), GNTST_okay, "host addr: a linear address: okay");
    EQ(hv_gnt_host_addr_ok(0xffff800000001000ull, GNTMAP_host_map), GNTST_general_error,
       "host addr: hypervisor space: GNTST_general_error");
    EQ(hv_gnt_host_addr_ok(0x0000800000000000ull, GNTMAP_host_map), GNTST_general_error,
       "host addr: non-canonical: GNTST_general_error");
    EQ(hv_gnt_host_addr_ok(0xffff880000000000ull, GNTMAP_host_map), GNTST_okay,
       "host addr: just above hypervisor space: okay");
    EQ(hv_gnt_host_addr_ok((L1_MFN << 12) | 0x18, GNTMAP_host_map | GNTMAP_contains_pte), GNTST_okay,
       "host addr: an aligned PTE address: okay");
    EQ(hv_gnt_host_addr_ok((L1_MFN << 12) | 0x1c, GNTMAP_host_map | GNTMAP_contains_pte), GNTST_general_error,
       "host addr: a misaligned PTE address: GNTST_general_error");

    /* replace_grant_host_mapping's check (XSA-234: a read-only entry
     * must not pass for a writable grant's). */
    uint64_t rw = hv_gnt_pte(RAM_MFN, GNTMAP_host_map), ro = hv_gnt_pte(RAM_MFN, GNTMAP_host_map | GNTMAP_readonly);
    EQ(hv_gnt_pte_matches(rw | (1ull << 52) | HV_PTE_US, RAM_MFN, GNTMAP_host_map), GNTST_okay,
       "unmap check: the grant's entry as the guest reads it back: okay");
    EQ(hv_gnt_pte_matches(ro, RAM_MFN, GNTMAP_host_map), GNTST_general_error,
       "unmap check: a read-only entry for a writable grant: GNTST_general_error");
    EQ(hv_gnt_pte_matches(rw, RAM_MFN, GNTMAP_host_map | GNTMAP_readonly), GNTST_general_error,
       "unmap check: a writable entry for a read-only grant: GNTST_general_error");
    EQ(hv_gnt_pte_matches(rw & ~HV_PTE_P, RAM_MFN, GNTMAP_host_map), GNTST_general_error,
       "unmap check: a non-present entry: GNTST_general_error");
    EQ(hv_gnt_pte_matches(hv_gnt_pte(RAM2_MFN, GNTMAP_host_map), RAM_MFN, GNTMAP_host_map), GNTST_general_error,
       "unmap check: another frame: GNTST_general_error");
    EQ(hv_gnt_pte_matches(rw & ~(HV_PTE_A | HV_PTE_D | HV_PTE_NX), RAM_MFN, GNTMAP_host_map), GNTST_okay,
       "unmap check: A, D, NX don't matter");

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(8, GNTMAP_host_map | GNTMAP_contains_pte, SELF, &m), GNTST_okay, "contains_pte map: okay");
    hv_gnt_map_commit(&gt, &m);
    EQ(hv_gnt_unmap_begin(&gt, m.handle, (L1_MFN << 12) | 8, 0, 0x2000, &u), GNTST_general_error,
       "unmap_and_replace of a contains_pte mapping: GNTST_general_error");
    EQ(gt.active[8].pin, HV_GNTPIN_HSTW, "... and the mapping stays");
    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0, 0, 0, &u), GNTST_okay, "unmap with neither address: okay");
    OK(!u.host && !u.dev, "unmap with neither address: nothing goes");
    hv_gnt_unmap_finish(&gt, &u);
    EQ(gt.active[8].pin, HV_GNTPIN_HSTW, "unmap with neither address: still pinned");
    EQ(hv_gnt_unmap_begin(&gt, m.handle, 0, RAM_MFN << 12, 0, &u), GNTST_okay,
       "unmap: a device address for a host-only mapping: okay");
    OK(!u.dev, "... nothing goes");
}

static void versions(void)
{
    struct hv_gnt_mapping m;

    fresh();
    EQ(hv_gnt_nr_entries(&gt), 512, "version 1: 512 entries in one frame");
    EQ(hv_gnt_nr_status_frames(&gt), 0, "version 1: no status frame");
    EQ(hv_gnt_set_version(&gt, 0, false), -XEN_EINVAL, "set_version 0: -EINVAL");
    EQ(hv_gnt_set_version(&gt, 3, false), -XEN_EINVAL, "set_version 3: -EINVAL");
    EQ(hv_gnt_set_version(&gt, 1, true), 0, "set_version to the version in use: 0");

    grant(8, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(8, GNTMAP_device_map | GNTMAP_readonly, SELF, &m), GNTST_okay, "versions: a pinned entry 8");
    EQ(hv_gnt_set_version(&gt, 2, false), -XEN_EBUSY, "set_version 2 with entry 8 pinned: -EBUSY");
    EQ(gt.version, 1, "... still version 1");
    hv_gnt_map_undo(&gt, &m);

    grant(3, RAM_MFN, GTF_permit_access | GTF_readonly, SELF);
    EQ(map(3, GNTMAP_device_map | GNTMAP_readonly, SELF, &m), GNTST_okay, "versions: reserved entry 3 pinned");
    hv_gnt_map_commit(&gt, &m);
    EQ(hv_gnt_set_version(&gt, 2, false), 0, "set_version 2 with only a reserved entry pinned: 0");
    EQ(hv_gnt_nr_entries(&gt), 256, "version 2: 256 entries in one frame");
    EQ(hv_gnt_nr_status_frames(&gt), 1, "version 2: one status frame");
    EQ(e2(3)->hdr.flags, GTF_permit_access | GTF_readonly, "v1 -> v2: reserved entry's flags carried over");
    EQ(status[3], GTF_reading, "v1 -> v2: its GTF_reading moved to the status frame");
    EQ(e2(3)->full_page.frame, RAM_MFN, "v1 -> v2: its frame carried over");
    EQ(e2(8)->hdr.flags | e1(8)->flags, 0, "v1 -> v2: the rest of the table cleared");

    grant(20, RAM_MFN, GTF_permit_access, SELF);
    EQ(map(HV_GNT_V2_ENTRIES, GNTMAP_host_map, SELF, &m), GNTST_bad_gntref,
       "v2 map: ref beyond 256 entries: GNTST_bad_gntref");
    EQ(map(20, GNTMAP_host_map, SELF, &m), GNTST_okay, "v2 map: okay");
    EQ(status[20], GTF_reading | GTF_writing, "v2 map: GTF_reading|GTF_writing in the status frame");
    EQ(e2(20)->hdr.flags, GTF_permit_access, "v2 map: the entry's own flags untouched");
    hv_gnt_map_undo(&gt, &m);
    EQ(status[20], 0, "v2 map undone: status cleared");

    /* XSA-255: the status frame cannot go while it is mapped. */
    EQ(hv_gnt_set_version(&gt, 1, true), -XEN_EBUSY, "set_version 1 while the status frame is mapped: -EBUSY");
    EQ(gt.version, 2, "... still version 2");
    EQ(hv_gnt_nr_status_frames(&gt), 1, "... with its status frame");
    e2(5)->hdr.flags = GTF_transitive;
    EQ(hv_gnt_set_version(&gt, 1, false), -XEN_ERANGE, "set_version 1 with a transitive reserved entry: -ERANGE");
    grant(5, 1ull << 32, GTF_permit_access, SELF);
    EQ(hv_gnt_set_version(&gt, 1, false), -XEN_ERANGE, "set_version 1 with a reserved frame above 32 bits: -ERANGE");
    grant(5, 1ull << 32, GTF_permit_access, SELF);
    EQ(hv_gnt_set_version(&gt, 1, true), -XEN_ERANGE, "set_version 1: -ERANGE is found before the mapped status frame");
    memset(e2(5), 0, sizeof(*e2(5)));
    grant(9, RAM_MFN, GTF_permit_access, SELF);
    EQ(hv_gnt_set_version(&gt, 1, false), 0, "set_version 1, status frame unmapped: 0");
    EQ(gt.version, 1, "back to version 1");
    EQ(e1(3)->flags, GTF_permit_access | GTF_readonly | GTF_reading, "v2 -> v1: reserved entry with its status flags");
    EQ(e1(3)->frame, RAM_MFN, "v2 -> v1: its frame");
    EQ(e1(9)->flags, 0, "v2 -> v1: the rest cleared");
    EQ(status[3], 0, "v2 -> v1: status frame cleared");
    EQ(hv_gnt_nr_status_frames(&gt), 0, "version 1 again: no status frame");
    OK(hv_gnt_frame_pinned(&gt, RAM_MFN), "the reserved entry's frame is still pinned");
    OK(!hv_gnt_frame_pinned(&gt, RAM2_MFN), "another frame is not");
}

static int copy(uint16_t flags, uint64_t s, uint16_t soff, domid_t sdom, uint64_t d, uint16_t doff,
                domid_t ddom, uint16_t len, struct hv_gnt_copy_side *src, struct hv_gnt_copy_side *dst)
{
    struct gnttab_copy op = { .source = { .offset = soff, .domid = sdom }, .dest = { .offset = doff, .domid = ddom },
                              .len = len, .flags = flags };

    if (flags & GNTCOPY_source_gref)
        op.source.u.ref = (grant_ref_t)s;
    else
        op.source.u.gmfn = s;
    if (flags & GNTCOPY_dest_gref)
        op.dest.u.ref = (grant_ref_t)d;
    else
        op.dest.u.gmfn = d;
    return hv_gnt_copy_begin(&gt, &op, SELF, &oracle, src, dst);
}

static void copies(void)
{
    const uint16_t G = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    struct hv_gnt_copy_side s, d;
    struct hv_gnt_mapping m;

    fresh();
    grant(8, RAM_MFN, GTF_permit_access, SELF);
    grant(9, RAM2_MFN, GTF_permit_access | GTF_readonly, SELF);
    grant(10, BAD_MFN, GTF_permit_access, SELF);
    grant(11, L1_MFN, GTF_permit_access, SELF);
    grant(12, RAM_MFN, GTF_permit_access, 5);

    EQ(copy(0, RAM_MFN, 0, DOMID_SELF, RAM2_MFN, 100, DOMID_SELF, 16, &s, &d), GNTST_okay,
       "copy: frame to frame, DOMID_SELF: okay");
    OK(s.mfn == RAM_MFN && d.mfn == RAM2_MFN && !s.have_grant && !d.have_grant, "copy: frame sides, nothing pinned");
    EQ(copy(G, 9, 0, DOMID_SELF, 8, 0, SELF, 4096, &s, &d), GNTST_okay,
       "copy: a read-only grant as source, a writable one as destination (its own id or DOMID_SELF): okay");
    OK(s.mfn == RAM2_MFN && d.mfn == RAM_MFN, "copy: the granted frames");
    EQ(gt.active[9].pin, HV_GNTPIN_HSTR, "copy: the source pinned read-only while it runs");
    EQ(gt.active[8].pin, HV_GNTPIN_HSTW, "copy: the destination pinned writable");
    EQ(e1(9)->flags, GTF_permit_access | GTF_readonly | GTF_reading, "copy: source GTF_reading");
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading | GTF_writing, "copy: destination GTF_reading|GTF_writing");
    hv_gnt_copy_release(&gt, &s);
    hv_gnt_copy_release(&gt, &d);
    OK(gt.active[8].pin == 0 && gt.active[9].pin == 0, "copy released: no pins");
    OK(e1(8)->flags == GTF_permit_access && e1(9)->flags == (GTF_permit_access | GTF_readonly),
       "copy released: GTF_reading/GTF_writing cleared");

    /* Refusals, in Xen's order. */
    EQ(copy(0, RAM_MFN, 0, SELF, RAM2_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_permission_denied,
       "copy: a frame named with the domain's own id, not DOMID_SELF: GNTST_permission_denied");
    EQ(copy(GNTCOPY_source_gref, 8, 0, 7, RAM2_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_bad_domain,
       "copy: a grant of another domain: GNTST_bad_domain");
    EQ(copy(GNTCOPY_source_gref, 8, 0, 7, RAM2_MFN, 0, SELF, 1, &s, &d), GNTST_bad_domain,
       "copy: the source side's domain is looked at first");
    EQ(copy(G, HV_GNT_V1_ENTRIES, 0, SELF, 8, 0, SELF, 1, &s, &d), GNTST_bad_gntref,
       "copy: source ref beyond the table: GNTST_bad_gntref");
    EQ(gt.active[8].pin, 0, "copy: ... the destination never claimed");
    EQ(copy(G, 8, 0, SELF, HV_GNT_V1_ENTRIES, 0, SELF, 1, &s, &d), GNTST_bad_gntref,
       "copy: destination ref beyond the table: GNTST_bad_gntref");
    OK(gt.active[8].pin == 0 && e1(8)->flags == GTF_permit_access, "copy: ... the source released again");
    EQ(copy(G, 8, 0, SELF, 9, 0, SELF, 1, &s, &d), GNTST_general_error,
       "copy: a read-only grant as destination: GNTST_general_error");
    EQ(e1(9)->flags, GTF_permit_access | GTF_readonly, "copy: ... its flags untouched");
    EQ(copy(G, 8, 0, SELF, 13, 0, SELF, 1, &s, &d), GNTST_general_error,
       "copy: an entry not granted: GNTST_general_error");
    EQ(copy(G, 12, 0, SELF, 8, 0, SELF, 1, &s, &d), GNTST_general_error,
       "copy: an entry granted to another domain: GNTST_general_error");
    EQ(copy(G, 10, 0, SELF, 8, 0, SELF, 1, &s, &d), GNTST_bad_page,
       "copy: a granted frame that is not the domain's: GNTST_bad_page");
    EQ(e1(10)->flags, GTF_permit_access, "copy: ... no GTF_reading left");
    EQ(copy(0, BAD_MFN, 0, DOMID_SELF, RAM_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_bad_page,
       "copy: a source frame that is not the domain's: GNTST_bad_page");
    EQ(copy(0, RAM_MFN, 0, DOMID_SELF, HV_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_bad_page,
       "copy: hypervisor memory as destination: GNTST_bad_page");
    EQ(copy(0, RAM_MFN, 0, DOMID_SELF, L1_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_general_error,
       "copy: a page table as destination frame: GNTST_general_error");
    EQ(copy(G, 8, 0, SELF, 11, 0, SELF, 1, &s, &d), GNTST_general_error,
       "copy: a granted page table as destination: GNTST_general_error");
    OK(gt.active[11].pin == 0 && e1(11)->flags == GTF_permit_access, "copy: ... nothing left pinned or flagged");
    EQ(copy(0, L1_MFN, 0, DOMID_SELF, RAM_MFN, 0, DOMID_SELF, 8, &s, &d), GNTST_okay,
       "copy: a page table as source: okay");
    EQ(copy(G, 8, 4000, SELF, 8, 0, SELF, 97, &s, &d), GNTST_bad_copy_arg,
       "copy: source offset + len beyond the page: GNTST_bad_copy_arg");
    EQ(copy(G, 8, 0, SELF, 8, 4095, SELF, 2, &s, &d), GNTST_bad_copy_arg,
       "copy: destination offset + len beyond the page: GNTST_bad_copy_arg");
    EQ(gt.active[8].pin, 0, "copy: ... both sides released");
    EQ(copy(G, 8, 4000, SELF, 8, 0, SELF, 96, &s, &d), GNTST_okay, "copy: up to the page's last byte: okay");
    hv_gnt_copy_release(&gt, &s);
    hv_gnt_copy_release(&gt, &d);
    EQ(copy(G, 13, 5000, SELF, 8, 0, SELF, 0, &s, &d), GNTST_general_error,
       "copy: the claims come before the offsets");

    /* With a mapping of the entry in place. */
    EQ(map(8, GNTMAP_host_map | GNTMAP_readonly, SELF, &m), GNTST_okay, "copy: entry 8 mapped read-only");
    hv_gnt_map_commit(&gt, &m);
    EQ(copy(GNTCOPY_dest_gref, RAM2_MFN, 0, DOMID_SELF, 8, 0, SELF, 1, &s, &d), GNTST_okay,
       "copy: into the mapped entry: okay");
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading | GTF_writing, "copy: GTF_writing while it runs");
    hv_gnt_copy_release(&gt, &s);
    hv_gnt_copy_release(&gt, &d);
    EQ(e1(8)->flags, GTF_permit_access | GTF_reading, "copy released: the mapping's GTF_reading stays");
    EQ(gt.active[8].pin, HV_GNTPIN_HSTR, "copy released: the mapping's pin stays");
    gt.active[8].pin |= 0x80 * HV_GNTPIN_DEVR;
    EQ(copy(GNTCOPY_source_gref, 8, 0, SELF, RAM2_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_general_error,
       "copy: any pin counter at 128: GNTST_general_error");

    /* Version 2: sub-page grants limit the bytes; transitive ones fail. */
    fresh();
    EQ(hv_gnt_set_version(&gt, 2, false), 0, "copy: version 2");
    grant(8, RAM_MFN, GTF_permit_access | GTF_sub_page, SELF);
    e2(8)->sub_page.page_off = 256;
    e2(8)->sub_page.length = 512;
    EQ(copy(GNTCOPY_dest_gref, RAM2_MFN, 0, DOMID_SELF, 8, 256, SELF, 512, &s, &d), GNTST_okay,
       "copy v2: the whole sub-page: okay");
    OK(d.start == 256 && d.length == 512 && status[8] == (GTF_reading | GTF_writing),
       "copy v2: the sub-page's bounds, flags in the status frame");
    hv_gnt_copy_release(&gt, &s);
    hv_gnt_copy_release(&gt, &d);
    EQ(status[8], 0, "copy v2 released: status cleared");
    EQ(copy(GNTCOPY_dest_gref, RAM2_MFN, 0, DOMID_SELF, 8, 255, SELF, 2, &s, &d), GNTST_general_error,
       "copy v2: a byte before the sub-page: GNTST_general_error");
    EQ(copy(GNTCOPY_dest_gref, RAM2_MFN, 0, DOMID_SELF, 8, 700, SELF, 69, &s, &d), GNTST_general_error,
       "copy v2: a byte after the sub-page: GNTST_general_error");
    EQ(status[8], 0, "copy v2: ... nothing left flagged");
    e2(9)->hdr.flags = GTF_transitive;
    e2(9)->hdr.domid = SELF;
    e2(9)->transitive.trans_domid = SELF;
    EQ(copy(GNTCOPY_source_gref, 9, 0, SELF, RAM2_MFN, 0, DOMID_SELF, 1, &s, &d), GNTST_general_error,
       "copy v2: a transitive grant (no other domain): GNTST_general_error");
    OK(status[9] == 0 && gt.active[9].pin == 0, "copy v2: ... nothing left pinned or flagged");
}

static void arrays(void)
{
    OK(hv_gnt_array_ok(0x1000, 4, 24), "array: in guest space");
    OK(hv_gnt_array_ok(0xffff880000000000ull, 1, 24), "array: above hypervisor space");
    OK(!hv_gnt_array_ok(0xffff800000000000ull, 1, 24), "array: in hypervisor space: -EFAULT");
    OK(!hv_gnt_array_ok(0x1000, ~0ull / 24, 24), "array: a count whose size overflows: -EFAULT");
}

void test_grant(void)
{
    tap_diag("grant table: map/unmap decisions, pins, versions (Xen 4.17)");
    map_refusals();
    host_and_device();
    pins();
    host_mapping();
    versions();
    copies();
    arrays();
}
