/*
 * hv/tests/guests/grant.c - grant mappings of the domain's own pages, the
 * way a backend and frontend in one domain (or XTF's XSA tests) use them:
 * refusals and their GNTST_*, a writable host mapping seen from both
 * sides, a host+device mapping unmapped in two steps, unmap_and_replace,
 * GNTTABOP_copy between its grants and frames (refusals, a batch with a
 * status per op, a batch long enough to be continued, a copy into a
 * mapped grant), and grant table version 2 with its status frame (and a
 * sub-page grant's bounds for a copy).  After each mapping
 * is gone the frame must be pinnable as an L1 table again (no writable
 * reference left behind), and not while it is mapped.  Same answers on
 * Xen 4.17 and hv.  Expected: all ok, exit status 0.
 */
#include "guest.h"
#include <xen/grant_table.h>
#include <xen/memory.h>

#define SELF 0                  /* dom0's id: map ops name a real domain */

/* Pages whose contents change behind the compiler's back (another
 * mapping of the same frame): every access volatile. */
#define PEEK(a, i)    (((volatile uint8_t *)(a))[i])
#define POKE(a, i, v) (((volatile uint8_t *)(a))[i] = (v))

static uint8_t table_va[PAGE] __attribute__((aligned(PAGE)));  /* the grant frame */
static uint8_t win[PAGE] __attribute__((aligned(PAGE)));       /* host mappings go here */
static uint8_t win2[PAGE] __attribute__((aligned(PAGE)));
static uint8_t data[PAGE] __attribute__((aligned(PAGE)));      /* the granted page */
static uint8_t other[PAGE] __attribute__((aligned(PAGE)));
static uint8_t status_va[PAGE] __attribute__((aligned(PAGE)));

static grant_entry_v1_t *const gv1 = (grant_entry_v1_t *)table_va;
static grant_entry_v2_t *const gv2 = (grant_entry_v2_t *)table_va;

static long gnttab(unsigned int cmd, void *op, unsigned int count)
{
    return HYPERVISOR_grant_table_op(cmd, op, count);
}

static long remap(void *va, unsigned long mfn, unsigned long flags)
{
    return HYPERVISOR_update_va_mapping((unsigned long)va, mfn ? (mfn << 12) | flags : 0, UVMF_INVLPG);
}

static void grant(unsigned int ref, const void *page, uint16_t flags)
{
    gv1[ref].domid = SELF;
    gv1[ref].frame = (uint32_t)mfn_of(page);
    __atomic_store_n(&gv1[ref].flags, flags, __ATOMIC_RELEASE);
}

static struct gnttab_map_grant_ref map(unsigned int ref, uint32_t flags, uint64_t host_addr, domid_t dom)
{
    struct gnttab_map_grant_ref m = { .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom };
    long rc = gnttab(GNTTABOP_map_grant_ref, &m, 1);
    if (rc)
        m.status = 99;          /* the call itself failed: no status to read */
    return m;
}

static int16_t unmap(grant_handle_t h, uint64_t host_addr, uint64_t dev_bus_addr)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = host_addr, .dev_bus_addr = dev_bus_addr, .handle = h };
    long rc = gnttab(GNTTABOP_unmap_grant_ref, &u, 1);
    return rc ? 99 : u.status;
}

/* Pin the page as an L1 table and unpin it: 0, or why not. */
static long pin_l1(const void *page)
{
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = mfn_of(page) };
    long rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    if (rc == 0) {
        op.cmd = MMUEXT_UNPIN_TABLE;
        HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    }
    return rc;
}

static void setup(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    long rc = gnttab(GNTTABOP_setup_table, &st, 1);
    check(rc == 0 && st.status == GNTST_okay, "setup_table: rc %ld status %d", rc, st.status);
    rc = remap(table_va, frame, 0x67);
    check(rc == 0, "map the grant frame: rc %ld", rc);
    struct gnttab_set_version v = { 1 };
    rc = gnttab(GNTTABOP_set_version, &v, 0);
    check(rc == 0 && v.version == 1, "set_version 1 with count 0 (count is not read): rc %ld version %u",
          rc, v.version);
    struct gnttab_query_size qs[2] = { { .dom = DOMID_SELF }, { .dom = DOMID_SELF } };
    rc = gnttab(GNTTABOP_query_size, qs, 2);
    check(rc == -XEN_EINVAL, "query_size with count 2: rc %ld", rc);
    rc = gnttab(GNTTABOP_query_size, qs, 1);
    check(rc == 0 && qs[0].status == GNTST_okay && qs[0].nr_frames >= 1 && qs[0].max_nr_frames >= qs[0].nr_frames,
          "query_size: rc %ld status %d, %u of %u frames", rc, qs[0].status, qs[0].nr_frames, qs[0].max_nr_frames);
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    rc = gnttab(GNTTABOP_get_version | (1u << 12), &gv, 1);
    check(rc == -XEN_EINVAL, "get_version with a continuation bit in the command: rc %ld", rc);
    /* The granted pages only readable by their own mappings, so that
     * pinning one as an L1 table tells whether a writable mapping is left. */
    rc = remap(data, mfn_of(data), 0x65) | remap(other, mfn_of(other), 0x65);
    check(rc == 0, "granted pages mapped read-only where they live: rc %ld", rc);
}

static void refusals(void)
{
    grant(8, data, GTF_permit_access);
    grant(9, data, GTF_permit_access | GTF_readonly);
    struct gnttab_map_grant_ref m;

    m = map(8, 0, (uint64_t)win, SELF);
    check(m.status == GNTST_bad_gntref, "map without host_map or device_map: GNTST_bad_gntref (%d)", m.status);
    m = map(8, GNTMAP_host_map, (uint64_t)win, DOMID_SELF);
    check(m.status == GNTST_bad_domain, "map from DOMID_SELF: GNTST_bad_domain (%d)", m.status);
    m = map(600, GNTMAP_host_map, (uint64_t)win, SELF);
    check(m.status == GNTST_bad_gntref, "map ref 600 of 512: GNTST_bad_gntref (%d)", m.status);
    m = map(10, GNTMAP_host_map, (uint64_t)win, SELF);
    check(m.status == GNTST_general_error, "map an invalid entry: GNTST_general_error (%d)", m.status);
    m = map(9, GNTMAP_host_map, (uint64_t)win, SELF);
    check(m.status == GNTST_general_error, "writable map of a read-only grant: GNTST_general_error (%d)", m.status);
    check(gv1[9].flags == (GTF_permit_access | GTF_readonly), "... the entry's flags untouched: %#x", gv1[9].flags);
    m = map(8, GNTMAP_host_map, 0xffff800000001000ul, SELF);
    check(m.status == GNTST_general_error, "host map in hypervisor space: GNTST_general_error (%d)", m.status);
    check(gv1[8].flags == GTF_permit_access, "... GTF_reading/GTF_writing cleared again: %#x", gv1[8].flags);
    m = map(8, GNTMAP_host_map | GNTMAP_contains_pte, (mfn_of(data) << 12) | 4, SELF);
    check(m.status == GNTST_general_error, "contains_pte, misaligned: GNTST_general_error (%d)", m.status);
    m = map(8, GNTMAP_host_map | GNTMAP_contains_pte, mfn_of(data) << 12, SELF);
    check(m.status == GNTST_general_error, "contains_pte, not an L1 table: GNTST_general_error (%d)", m.status);
    check(unmap(0xffff, (uint64_t)win, 0) == GNTST_bad_handle, "unmap handle 0xffff: GNTST_bad_handle");
}

static void host_mapping(void)
{
    grant(8, data, GTF_permit_access);
    struct gnttab_map_grant_ref m = map(8, GNTMAP_host_map, (uint64_t)win, SELF);
    check(m.status == GNTST_okay, "writable host map of ref 8: %d", m.status);
    check(m.dev_bus_addr == mfn_of(data) << 12, "dev_bus_addr is the frame's machine address");
    check(gv1[8].flags == (GTF_permit_access | GTF_reading | GTF_writing),
          "entry now GTF_reading|GTF_writing: %#x", gv1[8].flags);
    POKE(win, 100, 0x5a);
    check(PEEK(data, 100) == 0x5a, "a write through the mapping lands in the granted page");
    check(pin_l1(data) == -XEN_EINVAL, "granted page mapped writable: not pinnable as L1 (-XEN_EINVAL)");
    check(unmap(m.handle, (uint64_t)win2, 0) == GNTST_general_error,
          "unmap at an address mapping another page: GNTST_general_error");
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_okay, "unmap: okay");
    check(gv1[8].flags == GTF_permit_access, "entry back to GTF_permit_access: %#x", gv1[8].flags);
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_bad_handle, "unmap again: GNTST_bad_handle");
    check(pin_l1(data) == 0, "unmapped: the page is pinnable as L1 again");
    remap(win, mfn_of(win), 0x67);
}

/* XSA-224's sequence: one host+device mapping, unmapped in two steps. */
static void host_and_device(void)
{
    struct gnttab_map_grant_ref m = map(8, GNTMAP_host_map | GNTMAP_device_map, (uint64_t)win, SELF);
    check(m.status == GNTST_okay, "host+device map: %d", m.status);
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_okay, "unmap the host mapping alone");
    check(pin_l1(data) == -XEN_EINVAL, "the writable device mapping still holds the page: -XEN_EINVAL");
    check(unmap(m.handle, 0, (mfn_of(data) << 12) + PAGE) == GNTST_bad_dev_addr,
          "unmap the device mapping at another address: GNTST_bad_dev_addr");
    check(unmap(m.handle, 0, mfn_of(data) << 12) == GNTST_okay, "unmap the device mapping");
    check(gv1[8].flags == GTF_permit_access, "entry back to GTF_permit_access: %#x", gv1[8].flags);
    check(pin_l1(data) == 0, "all gone: pinnable as L1 again");
    remap(win, mfn_of(win), 0x67);
}

/* XSA-234's sequence: the read-only mapping's PTE replaced by the
 * writable one's; the writable grant then unmaps only where its PTE is. */
static void unmap_and_replace(void)
{
    grant(11, other, GTF_permit_access);
    struct gnttab_map_grant_ref a = map(8, GNTMAP_host_map, (uint64_t)win, SELF);
    struct gnttab_map_grant_ref b = map(11, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win2, SELF);
    check(a.status == GNTST_okay && b.status == GNTST_okay, "writable map at win, read-only at win2: %d %d",
          a.status, b.status);
    struct gnttab_unmap_and_replace ur = { .host_addr = (uint64_t)win2, .new_addr = (uint64_t)win, .handle = b.handle };
    long rc = gnttab(GNTTABOP_unmap_and_replace, &ur, 1);
    check(rc == 0 && ur.status == GNTST_okay, "unmap_and_replace win2 with win's entry: rc %ld status %d", rc, ur.status);
    check(PEEK(win2, 100) == 0x5a, "win2 now shows the writable grant's page");
    rc = remap(win, mfn_of(data), 0x65);
    check(rc == 0, "win mapped read-only to the same page by hand: rc %ld", rc);
    check(unmap(a.handle, (uint64_t)win, 0) == GNTST_general_error,
          "unmap the writable grant at the read-only entry: GNTST_general_error");
    check(pin_l1(data) == -XEN_EINVAL, "the writable entry at win2 still holds the page: -XEN_EINVAL");
    check(unmap(a.handle, (uint64_t)win2, 0) == GNTST_okay, "unmap it where its entry now is: okay");
    check(pin_l1(data) == 0, "all gone: pinnable as L1 again");
    check(gv1[11].flags == GTF_permit_access && gv1[8].flags == GTF_permit_access,
          "both entries back to GTF_permit_access: %#x %#x", gv1[11].flags, gv1[8].flags);
    remap(win, mfn_of(win), 0x67);
    remap(win2, mfn_of(win2), 0x67);
}

static void page_table_grant(const start_info_t *si)
{
    grant(12, (const void *)si->pt_base, GTF_permit_access);
    struct gnttab_map_grant_ref m = map(12, GNTMAP_host_map, (uint64_t)win, SELF);
    check(m.status == GNTST_general_error, "writable map of a granted page table: GNTST_general_error (%d)", m.status);
    m = map(12, GNTMAP_device_map, 0, SELF);
    check(m.status == GNTST_general_error, "writable device map of it: GNTST_general_error (%d)", m.status);
    m = map(12, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win, SELF);
    check(m.status == GNTST_okay, "read-only map of it: okay (%d)", m.status);
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_okay, "... unmapped");
    remap(win, mfn_of(win), 0x67);
    gv1[12].flags = 0;
}

/* One copy op: a side with GNTCOPY_*_gref names a ref, else a frame. */
static struct gnttab_copy cop(uint16_t flags, uint64_t s, uint16_t soff, domid_t sdom,
                              uint64_t d, uint16_t doff, domid_t ddom, uint16_t len)
{
    struct gnttab_copy c = { .source = { .offset = soff, .domid = sdom },
                             .dest = { .offset = doff, .domid = ddom }, .len = len, .flags = flags };

    if (flags & GNTCOPY_source_gref)
        c.source.u.ref = (grant_ref_t)s;
    else
        c.source.u.gmfn = s;
    if (flags & GNTCOPY_dest_gref)
        c.dest.u.ref = (grant_ref_t)d;
    else
        c.dest.u.gmfn = d;
    return c;
}

/* Run one op; its status, or 99 if the call itself failed. */
static int16_t copy1(struct gnttab_copy c)
{
    long rc = gnttab(GNTTABOP_copy, &c, 1);
    return rc ? 99 : c.status;
}

/* Bytes [off, off + n) of a and b are equal. */
static int same(const uint8_t *a, const uint8_t *b, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (PEEK(a, i) != PEEK(b, i))
            return 0;
    return 1;
}

#define NLONG 300               /* more ops than one go: the call continues */
static struct gnttab_copy many[NLONG];

static void copies(const start_info_t *si)
{
    const uint16_t G = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    const domid_t S = DOMID_SELF;
    unsigned long m2p_mfn = 0;
    long rc;

    grant(8, data, GTF_permit_access);
    grant(9, other, GTF_permit_access | GTF_readonly);
    grant(11, other, GTF_permit_access);
    gv1[10].flags = 0;
    for (unsigned int i = 0; i < PAGE; i++)
        POKE(win2, i, (uint8_t)(i * 7 + 1));

    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 16, S, 8, 32, SELF, 64)) == GNTST_okay,
          "copy from a frame (DOMID_SELF) into a grant (own id): okay");
    check(same(data + 32, win2 + 16, 64) && PEEK(data, 31) != PEEK(win2, 15),
          "... the 64 bytes landed at the offset, nothing before them");
    check(gv1[8].flags == GTF_permit_access, "... the entry back to GTF_permit_access: %#x", gv1[8].flags);
    check(copy1(cop(G, 8, 32, S, 11, 100, S, 64)) == GNTST_okay, "copy from a grant into a grant (DOMID_SELF): okay");
    check(same(other + 100, data + 32, 64), "... the bytes landed in the other granted page");
    check(copy1(cop(GNTCOPY_source_gref, 9, 100, SELF, mfn_of(win), 0, S, 64)) == GNTST_okay,
          "copy from a read-only grant into a frame: okay");
    check(same(win, other + 100, 64), "... the bytes landed in the frame");
    check(copy1(cop(0, mfn_of(win2), 0, S, mfn_of(win), 4095, S, 1)) == GNTST_okay &&
          PEEK(win, 4095) == PEEK(win2, 0), "copy into a page's last byte: okay");

    /* Refusals. */
    check(copy1(cop(G, 600, 0, SELF, 8, 0, SELF, 1)) == GNTST_bad_gntref, "copy from ref 600 of 512: GNTST_bad_gntref");
    check(copy1(cop(G, 8, 0, SELF, 600, 0, SELF, 1)) == GNTST_bad_gntref, "copy into ref 600 of 512: GNTST_bad_gntref");
    check(gv1[8].flags == GTF_permit_access, "... the source's GTF_reading cleared again: %#x", gv1[8].flags);
    check(copy1(cop(G, 10, 0, SELF, 8, 0, SELF, 1)) == GNTST_general_error,
          "copy from an entry not granted: GNTST_general_error");
    check(copy1(cop(G, 8, 0, SELF, 9, 0, SELF, 1)) == GNTST_general_error,
          "copy into a read-only grant: GNTST_general_error");
    check(gv1[9].flags == (GTF_permit_access | GTF_readonly), "... its flags untouched: %#x", gv1[9].flags);
    check(copy1(cop(G, 8, 4000, SELF, 11, 0, SELF, 97)) == GNTST_bad_copy_arg,
          "copy from bytes that cross the page's end: GNTST_bad_copy_arg");
    check(copy1(cop(G, 8, 0, SELF, 11, 4095, SELF, 2)) == GNTST_bad_copy_arg,
          "copy into bytes that cross the page's end: GNTST_bad_copy_arg");
    check(copy1(cop(G, 10, 5000, SELF, 8, 0, SELF, 0)) == GNTST_general_error,
          "a bad entry is found before a bad offset: GNTST_general_error");
    check(copy1(cop(0, mfn_of(win2), 0, SELF, mfn_of(win), 0, S, 1)) == GNTST_permission_denied,
          "copy from a frame named with the domain's id, not DOMID_SELF: GNTST_permission_denied");
    check(copy1(cop(GNTCOPY_source_gref, 8, 0, 5, mfn_of(win), 0, S, 1)) == GNTST_bad_domain,
          "copy from a grant of domain 5 (none): GNTST_bad_domain");
    check(copy1(cop(0, 1ul << 36, 0, S, mfn_of(win), 0, S, 1)) == GNTST_bad_page,
          "copy from a frame beyond RAM: GNTST_bad_page");
    xen_pfn_t ext[1] = { 0 };
    struct xen_machphys_mfn_list l = { .max_extents = 1 };
    set_xen_guest_handle(l.extent_start, ext);
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    m2p_mfn = ext[0];
    check(rc == 0 && m2p_mfn && copy1(cop(0, mfn_of(win2), 0, S, m2p_mfn, 0, S, 1)) == GNTST_bad_page,
          "copy into a frame of the M2P (the hypervisor's): GNTST_bad_page");
    unsigned long l4 = mfn_of((const void *)si->pt_base);
    check(copy1(cop(0, mfn_of(win2), 0, S, l4, 0, S, 8)) == GNTST_general_error,
          "copy into the L4 page table: GNTST_general_error");
    grant(12, (const void *)si->pt_base, GTF_permit_access);
    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 0, S, 12, 0, SELF, 8)) == GNTST_general_error,
          "copy into a granted page table: GNTST_general_error");
    check(gv1[12].flags == GTF_permit_access, "... nothing left flagged: %#x", gv1[12].flags);
    gv1[12].flags = 0;
    check(copy1(cop(0, l4, 0, S, mfn_of(win), 0, S, 8)) == GNTST_okay &&
          same(win, (const uint8_t *)si->pt_base, 8), "copy from the L4 page table: okay");

    /* A batch: a status per op, and the call itself succeeds. */
    struct gnttab_copy b[3] = { cop(G, 8, 0, SELF, 11, 0, SELF, 16), cop(G, 600, 0, SELF, 11, 0, SELF, 16),
                                cop(G, 8, 4090, SELF, 11, 0, SELF, 16) };
    rc = gnttab(GNTTABOP_copy, b, 3);
    check(rc == 0 && b[0].status == GNTST_okay && b[1].status == GNTST_bad_gntref &&
          b[2].status == GNTST_bad_copy_arg, "a batch of 3: rc %ld, statuses %d %d %d", rc, b[0].status,
          b[1].status, b[2].status);
    rc = gnttab(GNTTABOP_copy, (void *)0xffff800000000000ul, 1);
    check(rc == -XEN_EFAULT, "an op array in hypervisor space: -EFAULT (%ld)", rc);

    /* Longer than one go: byte i of data from byte 300 - i of win2. */
    for (unsigned int i = 0; i < NLONG; i++)
        many[i] = cop(GNTCOPY_dest_gref, mfn_of(win2), (uint16_t)(NLONG - i), S, 8, (uint16_t)(1000 + i), SELF, 1);
    rc = gnttab(GNTTABOP_copy, many, NLONG);
    int all = rc == 0, right = 1;
    for (unsigned int i = 0; i < NLONG; i++) {
        all &= many[i].status == GNTST_okay;
        right &= PEEK(data, 1000 + i) == PEEK(win2, NLONG - i);
    }
    check(all && right, "%u copies in one call: rc %ld, every status okay, every byte in place", NLONG, rc);

    /* Into a grant that is mapped: the mapping's pin and flags stay. */
    struct gnttab_map_grant_ref m = map(8, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win, SELF);
    check(m.status == GNTST_okay, "entry 8 mapped read-only at win: %d", m.status);
    POKE(win2, 0, 0xc3);
    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 0, S, 8, 7, SELF, 1)) == GNTST_okay && PEEK(data, 7) == 0xc3,
          "copy into it: okay");
    /* win was read just before the map replaced its entry: Xen 4.17's map
     * leaves the old translation in the TLB (seen with QEMU's AMD model). */
    struct mmuext_op inv = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (unsigned long)win };
    check(HYPERVISOR_mmuext_op(&inv, 1, NULL, DOMID_SELF) == 0 && PEEK(win, 7) == 0xc3,
          "... seen through the mapping once its old translation is flushed");
    check(gv1[8].flags == (GTF_permit_access | GTF_reading), "... the mapping's GTF_reading stays: %#x", gv1[8].flags);
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_okay && gv1[8].flags == GTF_permit_access,
          "unmapped: GTF_permit_access");
    remap(win, mfn_of(win), 0x67);
}

static void version2(void)
{
    struct gnttab_set_version v = { 2 };
    long rc = gnttab(GNTTABOP_set_version, &v, 1);
    check(rc == 0 && v.version == 2, "set_version 2: rc %ld version %u", rc, v.version);
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    rc = gnttab(GNTTABOP_get_version, &gv, 1);
    check(rc == 0 && gv.version == 2, "get_version: rc %ld version %u", rc, gv.version);

    uint64_t frames[2] = { 0, 0 };
    struct gnttab_get_status_frames gs = { .dom = DOMID_SELF, .nr_frames = 2 };
    set_xen_guest_handle(gs.frame_list, frames);
    rc = gnttab(GNTTABOP_get_status_frames, &gs, 1);
    check(rc == 0 && gs.status == GNTST_general_error, "get_status_frames for 2 of 1: rc %ld status %d",
          rc, gs.status);
    rc = gnttab(GNTTABOP_get_status_frames, &gs, 2);
    check(rc == -XEN_EINVAL, "get_status_frames with count 2: rc %ld", rc);
    gs.nr_frames = 1;
    rc = gnttab(GNTTABOP_get_status_frames, &gs, 1);
    check(rc == 0 && gs.status == GNTST_okay && frames[0], "get_status_frames: rc %ld status %d", rc, gs.status);
    rc = remap(status_va, frames[0], 0x65);
    check(rc == 0, "map the status frame read-only: rc %ld", rc);

    gv2[8].full_page.frame = mfn_of(data);
    gv2[8].hdr.domid = SELF;
    __atomic_store_n(&gv2[8].hdr.flags, GTF_permit_access, __ATOMIC_RELEASE);
    struct gnttab_map_grant_ref m = map(8, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win, SELF);
    const uint16_t *st = (const uint16_t *)status_va;
    check(m.status == GNTST_okay && st[8] == GTF_reading && gv2[8].hdr.flags == GTF_permit_access,
          "v2 read-only map: status %d, status frame %#x, entry %#x", m.status, st[8], gv2[8].hdr.flags);
    check(PEEK(win, 100) == 0x5a, "v2 mapping shows the page");
    struct gnttab_map_grant_ref beyond = map(300, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win2, SELF);
    check(beyond.status == GNTST_bad_gntref, "v2: ref 300 of 256: GNTST_bad_gntref (%d)", beyond.status);

    /* A sub-page grant: a copy may touch only its bytes. */
    gv2[13].sub_page.frame = mfn_of(other);
    gv2[13].sub_page.page_off = 256;
    gv2[13].sub_page.length = 16;
    gv2[13].hdr.domid = SELF;
    __atomic_store_n(&gv2[13].hdr.flags, GTF_permit_access | GTF_sub_page, __ATOMIC_RELEASE);
    POKE(win2, 0, 0x3c);
    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 0, DOMID_SELF, 13, 271, SELF, 1)) == GNTST_okay &&
          PEEK(other, 271) == 0x3c, "v2: copy into a sub-page grant's last byte: okay");
    check(st[13] == 0, "v2: ... its status back to 0: %#x", st[13]);
    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 0, DOMID_SELF, 13, 255, SELF, 2)) == GNTST_general_error,
          "v2: copy into a byte before the sub-page: GNTST_general_error");
    check(copy1(cop(GNTCOPY_dest_gref, mfn_of(win2), 0, DOMID_SELF, 13, 270, SELF, 3)) == GNTST_general_error,
          "v2: copy into a byte after the sub-page: GNTST_general_error");
    struct gnttab_map_grant_ref sub = map(13, GNTMAP_host_map | GNTMAP_readonly, (uint64_t)win2, SELF);
    check(sub.status == GNTST_general_error, "v2: a sub-page grant cannot be mapped: GNTST_general_error (%d)",
          sub.status);
    gv2[13].hdr.flags = 0;

    v.version = 1;
    rc = gnttab(GNTTABOP_set_version, &v, 1);
    check(rc == -XEN_EBUSY && v.version == 2, "set_version 1 with entry 8 mapped: rc %ld version %u", rc, v.version);
    check(unmap(m.handle, (uint64_t)win, 0) == GNTST_okay, "v2 unmap");
    check(st[8] == 0, "v2 status back to 0: %#x", st[8]);

    /* XSA-255: the status frame is still mapped. */
    v.version = 1;
    rc = gnttab(GNTTABOP_set_version, &v, 1);
    check(rc == -XEN_EBUSY && v.version == 2, "set_version 1 with the status frame mapped: rc %ld version %u",
          rc, v.version);
    rc = remap(status_va, 0, 0);
    check(rc == 0, "unmap the status frame: rc %ld", rc);
    v.version = 1;
    rc = gnttab(GNTTABOP_set_version, &v, 1);
    check(rc == 0 && v.version == 1, "set_version 1: rc %ld version %u", rc, v.version);
    gs.nr_frames = 1;
    rc = gnttab(GNTTABOP_get_status_frames, &gs, 1);
    check(rc == 0 && gs.status == GNTST_general_error, "version 1 has no status frame: rc %ld status %d",
          rc, gs.status);
    rc = remap(status_va, frames[0], 0x65);
    check(rc != 0, "the freed status frame cannot be mapped: rc %ld (hv)", rc);
    remap(win, mfn_of(win), 0x67);
    remap(status_va, mfn_of(status_va), 0x67);
}

void guest_main(start_info_t *si)
{
    guest_setup(si, "grant");
    setup();
    refusals();
    host_mapping();
    host_and_device();
    unmap_and_replace();
    page_table_grant(si);
    copies(si);
    version2();
    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
