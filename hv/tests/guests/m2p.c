/*
 * hv/tests/guests/m2p.c - the read-only machine-to-phys table and linear
 * page tables, as a PV64 kernel written for Xen uses them.
 *
 * M2P: XENMEM_machphys_mapping gives Xen's range; machine_to_phys_mapping
 * at MACH2PHYS_VIRT_START inverts the p2m for the guest's frames;
 * XENMEM_machphys_mfn_list gives one extent per 2 MiB of the table;
 * MMU_MACHPHYS_UPDATE changes the entry of one of the guest's frames and
 * refuses a frame that is not; which L4s have the M2P slot, with and
 * without VMASST_TYPE_m2p_strict (test_m2p_slot).  Linear page tables:
 * the live L4 mapped into itself read-only is accepted and reads back
 * the L4; the same entry with RW is refused (XSA-182); an L3 entry
 * mapping an L4 is refused.  Base pointers to tables not validated yet
 * (test_baseptr_unvalidated).  Expected: all ok, status 0.
 */
#include "guest.h"
#include <xen/memory.h>

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{ return _hypercall2(long, vm_assist, cmd, type); }

static const start_info_t *si;
static const unsigned long *p2m;

static uint64_t m2p(unsigned long mfn)
{
    return ((const volatile uint64_t *)MACH2PHYS_VIRT_START)[mfn];
}

static long mmu1(uint64_t ptr, uint64_t val)
{
    mmu_update_t u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static void test_m2p(void)
{
    struct xen_machphys_mapping map = { 0, 0, 0 };
    long rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &map);
    check(rc == 0 && map.v_start == MACH2PHYS_VIRT_START && map.v_end == MACH2PHYS_VIRT_END,
          "machphys_mapping: rc %ld, %lx-%lx", rc, (unsigned long)map.v_start,
          (unsigned long)map.v_end);
    unsigned long top = 0;
    for (unsigned long p = 0; p < si->nr_pages; p++)
        if (p2m[p] > top)
            top = p2m[p];
    check(map.max_mfn >= top, "machphys_mapping: max_mfn %lx covers the guest's frames (up to %lx)",
          (unsigned long)map.max_mfn, top);

    unsigned long bad = 0;
    for (unsigned long p = 0; p < si->nr_pages; p++)
        if (m2p(p2m[p]) != p)
            bad++;
    check(bad == 0, "M2P[p2m[pfn]] == pfn for all %lu frames (%lu wrong)", si->nr_pages, bad);

    xen_pfn_t ext[4] = { 0, 0, 0, 0 };
    struct xen_machphys_mfn_list l = { .max_extents = 4 };
    set_xen_guest_handle(l.extent_start, ext);
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    unsigned long need = ((map.max_mfn + 1) * 8 + (2ul << 20) - 1) >> 21;
    check(rc == 0 && l.nr_extents == (need < 4 ? need : 4) && ext[0] != 0,
          "machphys_mfn_list: rc %ld, %u extents of 2 MiB (first at mfn %lx)", rc, l.nr_extents,
          (unsigned long)ext[0]);
    l.max_extents = 0;
    l.nr_extents = 99;
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    check(rc == 0 && l.nr_extents == 0, "machphys_mfn_list with max_extents 0: rc %ld, %u extents",
          rc, l.nr_extents);

    /* The guest's own frame: its entry changes, and back. */
    unsigned long mfn = p2m[7];
    rc = mmu1((mfn << 12) | MMU_MACHPHYS_UPDATE, 0x12345);
    check(rc == 0 && m2p(mfn) == 0x12345, "MMU_MACHPHYS_UPDATE of a guest frame: rc %ld, entry %lx",
          rc, (unsigned long)m2p(mfn));
    rc = mmu1((mfn << 12) | 0xff8 | MMU_MACHPHYS_UPDATE, 7);
    check(rc == 0 && m2p(mfn) == 7, "MMU_MACHPHYS_UPDATE: the offset in ptr is ignored: rc %ld", rc);
    rc = mmu1((0xfffffffffful << 12) | MMU_MACHPHYS_UPDATE, 7);
    check(rc == -XEN_EINVAL, "MMU_MACHPHYS_UPDATE of a frame not the guest's: rc %ld (-EINVAL)", rc);
    check(m2p(mfn) == 7, "the refused update changed nothing");
    mmu1((mfn << 12) | MMU_MACHPHYS_UPDATE, 7);
}

static void test_linear(void)
{
    unsigned long l4 = mfn_of((const void *)si->pt_base);
    const uint64_t *l4t = (const uint64_t *)si->pt_base;
    unsigned int slot = 0;

    for (unsigned int i = 1; i < 256 && !slot; i++)
        if (!(l4t[i] & 1))
            slot = i;
    uint64_t ptr = (l4 << 12) + slot * 8;
    long rc = mmu1(ptr, (l4 << 12) | 0x25);
    check(rc == 0, "linear: the live L4 mapped into slot %u read-only: rc %ld", slot, rc);
    uint64_t va = (uint64_t)slot << 39 | (uint64_t)slot << 30 | (uint64_t)slot << 21 |
                  (uint64_t)slot << 12;
    if (va & (1ul << 47))
        va |= 0xffff000000000000ul;
    const volatile uint64_t *self = (const volatile uint64_t *)va;
    check((self[slot] >> 12 & 0xffffffffff) == l4 && self[511] == l4t[511],
          "linear: the L4 reads back through itself (entry %lx)", (unsigned long)self[slot]);
    rc = mmu1(ptr, (l4 << 12) | 0x27);
    check(rc == -XEN_EINVAL, "linear: the same entry with RW is refused: rc %ld (-EINVAL)", rc);
    uint64_t l3 = l4t[511] >> 12 & 0xffffffffff;
    rc = mmu1((l3 << 12) + 511 * 8, (l4 << 12) | 0x25);
    check(rc == -XEN_EINVAL, "an L3 entry mapping an L4: rc %ld (-EINVAL)", rc);
    rc = mmu1(ptr, 0);
    check(rc == 0, "linear: the entry removed: rc %ld", rc);
}

/*
 * Which L4s have the M2P slot (256), without and with
 * VMASST_TYPE_m2p_strict: a fresh kernel table k_l4 (the kernel's slot
 * 511 copied) and the user table of user.c, pinned, then made the user
 * and the kernel base pointer.  The builder's L4 is pinned (Xen's dom0
 * builder pins the top-level table, the toolstack a domU's), so it can
 * be the base again at the end.
 */
static uint64_t k_l4[512] __attribute__((aligned(PAGE)));
extern uint8_t u_l4[], u_l3[], u_l2[], u_l1[];

static long ext1(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd };
    op.arg1.mfn = mfn;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void test_m2p_slot(int strict)
{
    const uint64_t *b_l4 = (const uint64_t *)si->pt_base, *ut = (const uint64_t *)u_l4;
    unsigned long bl4 = mfn_of(b_l4);
    const char *mode = strict ? "m2p_strict" : "default";
    uint8_t *pts[] = { (uint8_t *)k_l4, u_l4, u_l3, u_l2, u_l1 };
    long rc;

    if (strict) {
        rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict);
        check(rc == 0, "vm_assist: m2p_strict enabled: rc %ld", rc);
    }
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 512; j++)
            ((uint64_t *)pts[i])[j] = 0;
    k_l4[511] = b_l4[511];
    user_space_fill((const uint8_t *)"\x0f\x0b", 2);
    for (int i = 0; i < 5; i++)
        HYPERVISOR_update_va_mapping((unsigned long)pts[i], (mfn_of(pts[i]) << 12) | 0x25, UVMF_INVLPG);
    rc = ext1(MMUEXT_PIN_L4_TABLE, bl4);
    check(rc == -XEN_EINVAL, "%s: the builder's L4 is pinned already: pinning it again: rc %ld (-EINVAL)",
          mode, rc);
    rc = ext1(MMUEXT_PIN_L4_TABLE, mfn_of(k_l4)) | ext1(MMUEXT_PIN_L4_TABLE, mfn_of(u_l4));
    check(rc == 0, "%s: two fresh L4s pinned: rc %ld", mode, rc);
    check((b_l4[256] & 1) && k_l4[256] == (strict ? b_l4[256] : 0) && ut[256] == k_l4[256],
          "%s: M2P slot of the builder's L4 %lx, of a fresh one %lx (%s)", mode,
          (unsigned long)b_l4[256], (unsigned long)k_l4[256], strict ? "filled" : "empty");
    rc = ext1(MMUEXT_NEW_USER_BASEPTR, mfn_of(u_l4));
    check(rc == 0 && ut[256] == 0, "%s: NEW_USER_BASEPTR: rc %ld, its M2P slot %lx (empty)", mode, rc,
          (unsigned long)ut[256]);
    rc = ext1(MMUEXT_NEW_BASEPTR, mfn_of(k_l4));
    check(rc == 0 && k_l4[256] == b_l4[256] && m2p(p2m[3]) == 3,
          "%s: NEW_BASEPTR: rc %ld, its M2P slot %lx (filled), M2P readable through it", mode, rc,
          (unsigned long)k_l4[256]);
    rc = ext1(MMUEXT_NEW_BASEPTR, bl4) | ext1(MMUEXT_NEW_USER_BASEPTR, 0) |
         ext1(MMUEXT_UNPIN_TABLE, mfn_of(u_l4)) | ext1(MMUEXT_UNPIN_TABLE, mfn_of(k_l4));
    check(rc == 0, "%s: back to the builder's L4, the others unpinned: rc %ld", mode, rc);
    for (int i = 0; i < 5; i++)
        HYPERVISOR_update_va_mapping((unsigned long)pts[i], (mfn_of(pts[i]) << 12) | 0x27, UVMF_INVLPG);
    if (strict)
        HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_m2p_strict);
}

/*
 * A base pointer that is not a validated table yet: Xen's new_guest_cr3()
 * (and MMUEXT_NEW_USER_BASEPTR) validate it on the spot and take the type
 * reference the base holds; dropping the base drops the type, so the
 * frame can be mapped writable again.  A table whose validation fails is
 * refused with validation's error (an L4 entry naming a writable data
 * page as its L3: -EINVAL), and so is a frame mapped writable, and the
 * base stays as it was.
 */
static uint64_t bad_l4[512] __attribute__((aligned(PAGE)));
static uint64_t data_page[512] __attribute__((aligned(PAGE)));

static long remap(const void *va, unsigned long flags)
{
    return HYPERVISOR_update_va_mapping((unsigned long)va, (mfn_of(va) << 12) | flags, UVMF_INVLPG);
}

static void test_baseptr_unvalidated(void)
{
    const uint64_t *b_l4 = (const uint64_t *)si->pt_base;
    unsigned long bl4 = mfn_of(b_l4);
    uint8_t *pts[] = { (uint8_t *)k_l4, u_l4, u_l3, u_l2, u_l1 };
    long rc;

    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 512; j++)
            ((uint64_t *)pts[i])[j] = 0;
    k_l4[511] = b_l4[511];
    user_space_fill((const uint8_t *)"\x0f\x0b", 2);

    rc = ext1(MMUEXT_NEW_BASEPTR, mfn_of(k_l4));
    check(rc == -XEN_EINVAL, "unvalidated base: NEW_BASEPTR to an L4 still mapped writable: rc %ld (-EINVAL)",
          rc);
    rc = 0;
    for (int i = 0; i < 5; i++)
        rc |= remap(pts[i], 0x25);
    check(rc == 0, "unvalidated base: a fresh L4 and a user L4..L1 mapped read-only, none pinned: rc %ld", rc);
    rc = ext1(MMUEXT_NEW_BASEPTR, mfn_of(k_l4));
    check(rc == 0 && m2p(p2m[3]) == 3 && k_l4[511] == b_l4[511],
          "unvalidated base: NEW_BASEPTR to the fresh L4 validates it: rc %ld, running on it", rc);
    rc = ext1(MMUEXT_NEW_USER_BASEPTR, mfn_of(u_l4));
    check(rc == 0, "unvalidated base: NEW_USER_BASEPTR to the fresh user L4 validates it with its L3..L1: rc %ld",
          rc);
    rc = remap(k_l4, 0x27);
    check(rc == -XEN_EBUSY, "unvalidated base: the base L4 cannot be mapped writable: rc %ld (-EBUSY)", rc);
    rc = ext1(MMUEXT_PIN_L4_TABLE, mfn_of(k_l4));
    check(rc == 0, "unvalidated base: pinning it now: rc %ld", rc);
    rc = ext1(MMUEXT_UNPIN_TABLE, mfn_of(k_l4));
    check(rc == 0, "unvalidated base: unpinning it: rc %ld (the base still holds it)", rc);
    rc = ext1(MMUEXT_NEW_BASEPTR, bl4) | ext1(MMUEXT_NEW_USER_BASEPTR, 0);
    check(rc == 0, "unvalidated base: back to the builder's L4, no user L4: rc %ld", rc);
    rc = 0;
    for (int i = 0; i < 5; i++)
        rc |= remap(pts[i], 0x27);
    check(rc == 0, "unvalidated base: with no base holding them, all five map writable again: rc %ld", rc);

    for (int j = 0; j < 512; j++)
        bad_l4[j] = 0;
    bad_l4[511] = b_l4[511];
    bad_l4[1] = (mfn_of(data_page) << 12) | 0x7;
    remap(bad_l4, 0x25);
    rc = ext1(MMUEXT_NEW_BASEPTR, mfn_of(bad_l4));
    check(rc == -XEN_EINVAL && m2p(p2m[3]) == 3,
          "unvalidated base: an L4 whose slot 1 names a writable data page as its L3: rc %ld (-EINVAL), "
          "base unchanged", rc);
    rc = ext1(MMUEXT_NEW_USER_BASEPTR, mfn_of(bad_l4));
    check(rc == -XEN_EINVAL, "unvalidated base: the same as NEW_USER_BASEPTR: rc %ld (-EINVAL)", rc);
    rc = remap(bad_l4, 0x27);
    check(rc == 0, "unvalidated base: the refused L4 is left untyped (maps writable again): rc %ld", rc);
}

void guest_main(start_info_t *start)
{
    si = start;
    p2m = (const unsigned long *)si->mfn_list;
    guest_setup(si, "m2p");
    test_m2p();
    test_linear();
    test_m2p_slot(0);
    test_m2p_slot(1);
    test_baseptr_unvalidated();
    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
