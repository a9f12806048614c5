/*
 * hv/domain/mm.c - guest memory: page-table validation and type counting,
 * guest virtual access, HYPERVISOR_mmu_update / mmuext_op /
 * update_va_mapping.
 *
 * ABI carried: the PV64 page-table contract with FEATURES
 * "!writable_page_tables", as Xen's mm.c keeps it:
 *  - a frame is plain RAM, or a validated L1..L4 page table (its "type");
 *    a page table holds one type reference per present upper-level entry
 *    or base pointer or pin, and drops back to RAM when they are gone;
 *  - a page table is never mapped writable, a writable-mapped frame never
 *    becomes a page table, and no guest entry reaches hypervisor memory:
 *    the per-entry rules are the core's hv_check_pte();
 *  - L4 slots 256..271 are hv's, copied into every validated L4.
 * Guest virtual addresses are translated in software through the guest's
 * own tables (never by touching them), so a bad guest pointer gives an
 * error, never a fault in hv.
 */
#include "domain/domain.h"
#include "lib/x86.h"

#define MAX_GUEST_PAGES ((256ul << 20) >> PAGE_SHIFT)
static struct frame_info frame_table[MAX_GUEST_PAGES];
extern uint64_t boot_l4[512];

static struct frame_info *frame(uint64_t mfn)
{
    if (mfn >= dom.base_mfn && mfn - dom.base_mfn < dom.nr_pages)
        return &dom.frames[mfn - dom.base_mfn];
    return NULL;
}

/*
 * Pages of hv's that the guest may map (Xen's shared pages): shared_info
 * and the grant table's frames (grant.c).  Never a page table, never
 * written by mmu_update or update_descriptor.
 */
bool hv_shared_page(uint64_t mfn)
{
    return mfn == dom.shared_info_mfn || grant_shared_frame(mfn);
}

/* ---- the page-type oracle for the core's checks ---- */

static unsigned int oracle_type(void *ctx, uint64_t mfn)
{
    (void)ctx;
    struct frame_info *f = frame(mfn);
    if (f)
        return f->type;
    if (hv_shared_page(mfn))
        return HV_PAGE_RAM;
    if (mfn < (HV_DIRECTMAP_SIZE >> PAGE_SHIFT))
        return HV_PAGE_HV;
    return HV_PAGE_INVALID;
}

static bool oracle_writable(void *ctx, uint64_t mfn)
{
    (void)ctx;
    struct frame_info *f = frame(mfn);
    return f && f->wcount;
}

static bool oracle_pinned(void *ctx, uint64_t mfn)
{
    (void)ctx;
    struct frame_info *f = frame(mfn);
    return f && f->pinned;
}

void mm_init_domain(uint64_t base_mfn, uint64_t nr_pages)
{
    if (nr_pages > MAX_GUEST_PAGES)
        boot_refuse("guest memory larger than %lu pages", MAX_GUEST_PAGES);
    dom.base_mfn = base_mfn;
    dom.nr_pages = nr_pages;
    dom.frames = frame_table;
    for (uint64_t i = 0; i < nr_pages; i++)
        frame_table[i] = (struct frame_info){ .type = HV_PAGE_RAM };
    dom.oracle = (struct hv_page_oracle){ NULL, oracle_type, oracle_writable, oracle_pinned };
}

static uint64_t *table(uint64_t mfn) { return __va(mfn << PAGE_SHIFT); }
static bool hv_slot(unsigned int level, unsigned int slot)
{
    return level == 4 && slot >= HV_L4_FIRST && slot <= HV_L4_LAST;
}

/*
 * Xen's adjust_guest_l*e() for 64-bit PV: guest kernel and user both run
 * in ring 3, so every present entry gets _PAGE_USER.  An L1 entry the
 * guest wrote without USER is a kernel page: it gets USER plus the
 * software bit _PAGE_GUEST_KERNEL (PTE bit 52); a real user page gets
 * GLOBAL (ignored here: hv runs with CR4.PGE clear).  L4 entries also get
 * ACCESSED.  The guest reads its entries back this way, as on Xen.
 */
#define _PAGE_GUEST_KERNEL (1ul << 52)
static uint64_t adjust_entry(unsigned int level, uint64_t e)
{
    if (!(e & _PAGE_PRESENT))
        return e;
    if (level == 1) {
        if (!(e & _PAGE_USER))
            e |= _PAGE_GUEST_KERNEL | _PAGE_USER;
        if (!(e & _PAGE_GUEST_KERNEL))
            e |= _PAGE_GLOBAL | _PAGE_USER;
        return e;
    }
    return e | _PAGE_USER | (level == 4 ? _PAGE_ACCESSED : 0);
}

/*
 * A linear entry of table_mfn (level >= 2) maps a table of its own level
 * (hv_check_linear): the table itself, which takes nothing, or another,
 * which holds a type reference and the two linear counts.
 */
static bool linear_entry(unsigned int level, uint64_t e)
{
    struct frame_info *f = frame(HV_PTE_MFN(e));
    return level > 1 && f && f->type == HV_PAGE_OF_LEVEL(level);
}

static int get_linear(uint64_t table_mfn, uint64_t e)
{
    struct frame_info *t = frame(table_mfn), *f = frame(HV_PTE_MFN(e));
    int rc = hv_check_linear(table_mfn, e, t->linear, f->linear);
    if (rc || HV_PTE_MFN(e) == table_mfn)
        return rc;
    t->linear++;
    f->linear--;
    f->tcount++;
    return 0;
}

/* Take/drop what one present entry of a level-`level` table references. */
static int get_entry_ref(uint64_t table_mfn, unsigned int level, uint64_t e)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    uint64_t mfn = HV_PTE_MFN(e);
    if (level == 1) {
        struct frame_info *f = frame(mfn);
        if (f && (e & _PAGE_RW))
            f->wcount++;
        return 0;
    }
    if (linear_entry(level, e))
        return get_linear(table_mfn, e);
    return mm_get_type(mfn, level - 1);
}

static void put_entry_ref(uint64_t table_mfn, unsigned int level, uint64_t e)
{
    if (!(e & _PAGE_PRESENT))
        return;
    uint64_t mfn = HV_PTE_MFN(e);
    if (level == 1) {
        struct frame_info *f = frame(mfn);
        if (f && (e & _PAGE_RW) && f->wcount)
            f->wcount--;
        return;
    }
    if (linear_entry(level, e)) {
        if (mfn == table_mfn)
            return;
        frame(table_mfn)->linear--;
        frame(mfn)->linear++;
    }
    mm_put_type(mfn);
}

/*
 * Take a type reference on mfn as a level-`level` page table, validating
 * every entry the first time.  0 or a negative Xen errno.
 */
int mm_get_type(uint64_t mfn, unsigned int level)
{
    struct frame_info *f = frame(mfn);
    if (!f)
        return -XEN_EINVAL;
    if (f->type == HV_PAGE_OF_LEVEL(level)) {
        f->tcount++;
        return 0;
    }
    if (f->type != HV_PAGE_RAM || f->wcount)
        return -XEN_EINVAL;

    /* Typed before its entries are checked: a table reaching itself
     * through its own entries then fails the child's level check. */
    f->type = HV_PAGE_OF_LEVEL(level);
    uint64_t *t = table(mfn);
    unsigned int i;
    int rc = 0;
    for (i = 0; i < 512; i++) {
        if (hv_slot(level, i))
            continue;
        if (!(t[i] & _PAGE_PRESENT))
            continue;
        rc = hv_check_pte(level, i, t[i], &dom.oracle);
        if (!rc)
            rc = get_entry_ref(mfn, level, t[i]);
        if (rc)
            break;
        t[i] = adjust_entry(level, t[i]);
    }
    if (rc) {
        while (i-- > 0)
            if (!hv_slot(level, i))
                put_entry_ref(mfn, level, t[i]);
        f->type = HV_PAGE_RAM;
        return rc;
    }
    if (level == 4) {
        for (i = HV_L4_FIRST; i <= HV_L4_LAST; i++)
            t[i] = boot_l4[i];
        m2p_l4_slot(mfn, HV_M2P_VALIDATED);
    }
    f->tcount = 1;
    return 0;
}

void mm_put_type(uint64_t mfn)
{
    struct frame_info *f = frame(mfn);
    if (!f || f->type < HV_PAGE_L1 || !f->tcount)
        return;
    if (--f->tcount)
        return;
    if (f->type == HV_PAGE_SEG_DESC) {
        f->type = HV_PAGE_RAM;      /* no GDT uses it: writable again */
        return;
    }
    unsigned int level = HV_PAGE_LEVEL(f->type);
    uint64_t *t = table(mfn);
    for (unsigned int i = 0; i < 512; i++) {
        if (hv_slot(level, i))
            t[i] = 0;
        else
            put_entry_ref(mfn, level, t[i]);
    }
    f->type = HV_PAGE_RAM;
    f->pinned = 0;
}

uint64_t mm_guest_cr3_mfn(void)
{
    return dom.vcpu.kernel_mode || !dom.user_l4 ? dom.kernel_l4 : dom.user_l4;
}

/*
 * Translate a guest virtual address through the current mode's tables.
 * Returns an hv pointer to the byte, or NULL if not present / not user /
 * (for write) not writable at every level, or not a guest frame.
 */
static void *guest_va(uint64_t va, bool write)
{
    if (!hv_is_canonical(va) ||
        (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return NULL;
    uint64_t mfn = mm_guest_cr3_mfn();
    if (!mfn)
        return NULL;
    for (int level = 4; level >= 1; level--) {
        unsigned int idx = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t e = table(mfn)[idx];
        if (!(e & _PAGE_PRESENT) || !(e & _PAGE_USER) || (write && !(e & _PAGE_RW)))
            return NULL;
        if (level > 1 && (e & _PAGE_PSE))
            return NULL;            /* no superpages in PV guests */
        mfn = HV_PTE_MFN(e);
        if (!frame(mfn) && !hv_shared_page(mfn))
            return NULL;
    }
    return (char *)table(mfn) + (va & (PAGE_SIZE - 1));
}

/*
 * The last page guest_va() translated.  Every bounce frame and every
 * HYPERVISOR_iret touches the guest's kernel stack, so most copies hit it
 * and skip the four-level walk (Documentation/hypervisor.md, "What an
 * entry costs").  Keyed by the top-level table in use (kernel or user
 * mode); forgotten by every write to a page table (write_entry) and every
 * change of base pointer (set_base): the guest cannot change a mapping
 * any other way.
 */
static struct {
    uint64_t l4_mfn, page;      /* page: va >> PAGE_SHIFT; ~0: none */
    bool writable;
    char *hva;                  /* hv's address of the page */
} last_va = { .page = ~0ull };

static void forget_last_va(void)
{
    last_va.page = ~0ull;
}

static void *guest_va_cached(uint64_t va, bool write)
{
    uint64_t l4 = mm_guest_cr3_mfn(), off = va & (PAGE_SIZE - 1);

    if (va >> PAGE_SHIFT == last_va.page && l4 == last_va.l4_mfn && (last_va.writable || !write))
        return last_va.hva + off;
    char *p = guest_va(va, write);
    if (p) {
        last_va.l4_mfn = l4;
        last_va.page = va >> PAGE_SHIFT;
        last_va.writable = write;
        last_va.hva = p - off;
    }
    return p;
}

/* The hv address of [gva, gva + len) if it lies in the last page, else NULL. */
static void *in_last_va(uint64_t gva, size_t len, bool write)
{
    if (len == 0 || gva >> PAGE_SHIFT != last_va.page ||
        (gva + len - 1) >> PAGE_SHIFT != last_va.page ||
        (write && !last_va.writable) || mm_guest_cr3_mfn() != last_va.l4_mfn)
        return NULL;
    return last_va.hva + (gva & (PAGE_SIZE - 1));
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    const void *last = in_last_va(gva, len, false);

    if (last) {
        memcpy(dst, last, len);
        return 0;
    }
    char *d = dst;
    while (len) {
        size_t n = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        const void *p = guest_va_cached(gva, false);
        if (!p)
            return -XEN_EFAULT;
        memcpy(d, p, n);
        d += n, gva += n, len -= n;
    }
    return 0;
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    void *last = in_last_va(gva, len, true);

    if (last) {
        memcpy(last, src, len);
        return 0;
    }
    const char *s = src;
    while (len) {
        size_t n = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        void *p = guest_va_cached(gva, true);
        if (!p)
            return -XEN_EFAULT;
        memcpy(p, s, n);
        s += n, gva += n, len -= n;
    }
    return 0;
}

/* ---- writing one entry of a validated table ---- */

static int write_entry(uint64_t table_mfn, unsigned int level, unsigned int slot, uint64_t val)
{
    uint64_t *t = table(table_mfn);
    uint64_t old = t[slot];
    val = adjust_entry(level, val);
    int rc = get_entry_ref(table_mfn, level, val);
    if (rc)
        return rc;
    t[slot] = val;
    forget_last_va();
    put_entry_ref(table_mfn, level, old);
    return 0;
}

/*
 * Xen's batched MMU hypercalls: count requests of size bytes from the
 * guest at ureqs, each done by one(), stopping at the first error; the
 * number done goes to *pdone.
 */
/* Xen's mark of a continued batch: the count's top bit (xen/mm.h). */
#define MMU_UPDATE_PREEMPTED (1u << 31)

static long mmu_batch(unsigned int nr, uint64_t ureqs, unsigned int count, size_t size, uint64_t pdone,
                      unsigned int domid, long (*one)(const void *req), bool flush)
{
    union { struct mmu_update u; struct mmuext_op e; } req;
    unsigned int i, done = 0;
    long rc = 0;

    if (domid != DOMID_SELF)
        return -XEN_ESRCH;
    /* A continuation: the count so far is in *pdone (Xen's MMU_UPDATE_PREEMPTED). */
    if (count & MMU_UPDATE_PREEMPTED) {
        count &= ~MMU_UPDATE_PREEMPTED;
        if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
            done = 0;
    }
    for (i = 0; i < count; i++) {
        if (i == HYPERCALL_BATCH) {
            hypercall_continue(&dom.vcpu, nr, ureqs + i * size,
                               (count - i) | MMU_UPDATE_PREEMPTED, pdone, domid);
            rc = HV_CONTINUED;
            break;
        }
        if (copy_from_guest(&req, ureqs + i * size, size)) {
            rc = -XEN_EFAULT;
            break;
        }
        if ((rc = one(&req)))
            break;
    }
    if (flush)
        flush_tlb_local();
    done += i;
    if (pdone && copy_to_guest(pdone, &done, sizeof(done)) && !rc)
        rc = -XEN_EFAULT;
    return rc;
}

static long mmu_update_one(const void *p)
{
    const struct mmu_update *req = p;
    struct hv_mmu_req d;
    long rc = hv_check_mmu_update(req, &dom.oracle, &d);
    if (rc)
        return rc;
    if (d.cmd == MMU_MACHPHYS_UPDATE) {
        m2p_set(d.table_mfn, d.val);
        return 0;
    }
    if (d.level == 0) {
        if (hv_shared_page(d.table_mfn))
            return -XEN_EINVAL;
        table(d.table_mfn)[d.slot] = d.val;
        return 0;
    }
    return write_entry(d.table_mfn, d.level, d.slot, d.val);
}

long do_mmu_update(uint64_t ureqs, unsigned int count, uint64_t pdone, unsigned int domid)
{
    return mmu_batch(__HYPERVISOR_mmu_update, ureqs, count, sizeof(struct mmu_update), pdone, domid,
                     mmu_update_one, true);
}

static void set_base(uint64_t *slot, uint64_t mfn)
{
    uint64_t old = *slot;
    *slot = mfn;
    forget_last_va();
    if (old)
        mm_put_type(old);
}

static long mmuext_one(const void *p)
{
    const struct mmuext_op *op = p;
    long rc = hv_check_mmuext_op(op, &dom.oracle);
    if (rc)
        return rc;
    uint64_t mfn = op->arg1.mfn;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        if (hv_shared_page(mfn)) {
            rc = -XEN_EINVAL;
            break;
        }
        rc = mm_get_type(mfn, op->cmd - MMUEXT_PIN_L1_TABLE + 1);
        if (!rc)
            frame(mfn)->pinned = 1;
        break;
    case MMUEXT_UNPIN_TABLE:
        frame(mfn)->pinned = 0;
        mm_put_type(mfn);
        break;
    case MMUEXT_NEW_BASEPTR:
        /* A frame not yet an L4 is validated here, as by Xen's
         * new_guest_cr3(); a refusal leaves the base as it was. */
        if ((rc = mm_get_type(mfn, 4)))
            break;
        m2p_l4_slot(mfn, HV_M2P_KERNEL_BASE);
        set_base(&dom.kernel_l4, mfn);
        load_guest_cr3();
        break;
    case MMUEXT_NEW_USER_BASEPTR:
        if (mfn && (rc = mm_get_type(mfn, 4)))
            break;
        if (mfn)
            m2p_l4_slot(mfn, HV_M2P_USER_BASE);
        set_base(&dom.user_l4, mfn);
        dom.vcpu.user_pt_present = mfn != 0;
        break;
    case MMUEXT_SET_LDT:
        rc = vcpu_set_ldt(op->arg1.linear_addr, op->arg2.nr_ents);
        break;
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        break;
    case MMUEXT_INVLPG_LOCAL:
        invlpg(op->arg1.linear_addr);
        break;
    }
    return rc;
}

long do_mmuext_op(uint64_t uops, unsigned int count, uint64_t pdone, unsigned int domid)
{
    return mmu_batch(__HYPERVISOR_mmuext_op, uops, count, sizeof(struct mmuext_op), pdone, domid,
                     mmuext_one, false);
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
    int rc = hv_check_update_va_mapping(va, val, flags, &dom.oracle);
    if (rc)
        return rc;
    /* Find the L1 table through the guest kernel's tables. */
    uint64_t mfn = dom.kernel_l4;
    for (int level = 4; level > 1; level--) {
        uint64_t e = table(mfn)[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
            return -XEN_EINVAL;
        mfn = HV_PTE_MFN(e);
    }
    if (frame(mfn) == NULL || frame(mfn)->type != HV_PAGE_L1)
        return -XEN_EINVAL;
    rc = write_entry(mfn, 1, (va >> 12) & 511, val);
    if (rc)
        return rc;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg(va);
    else
        flush_tlb_local();
    return 0;
}

/* ---- descriptor tables (the checks: core hv_check_set_gdt) ---- */

/*
 * Each vCPU's GDT, as Xen's pv_set_gdt keeps it: its frames hold the
 * descriptor-page type (HV_PAGE_SEG_DESC, one type reference per use),
 * so none of them can be mapped writable, become a page table or be
 * written but through update_descriptor while it is a GDT.  Their
 * validated descriptors, whole frames as the CPU sees Xen's mapping of
 * them, are copied into the vCPU's GDT in hv (cpu/desc.c); the copy
 * cannot go stale because nothing else writes the frames.
 */
static struct {
    uint64_t frames[HV_GDT_MAX_FRAMES];
    unsigned int nr_frames;
    unsigned int entries;           /* as the guest gave it (Xen's gdt_ents) */
} vgdt[HV_MAX_VCPUS];

/* A reference on mfn as a descriptor page, validating it the first time
 * (its fixups written into the frame, as Xen's validate_segdesc_page). */
static int get_seg_desc(uint64_t mfn)
{
    int rc = hv_gdt_frame_ok(mfn, &dom.oracle);

    if (rc < 0 || !frame(mfn))
        return -XEN_EINVAL;         /* incl. pages hv shares (shared_info) */
    if (rc == 0) {
        if (!hv_check_desc_page(table(mfn)))
            return -XEN_EINVAL;
        frame(mfn)->type = HV_PAGE_SEG_DESC;
        frame(mfn)->tcount = 0;
    }
    frame(mfn)->tcount++;
    return 0;
}

/*
 * Make frames[0..(entries+511)/512) vCPU id's GDT: every frame typed
 * first (any refusal -XEN_EINVAL, nothing changed), then the old GDT's
 * references dropped and the copy in hv replaced.  entries 0: no GDT.
 */
long vcpu_set_gdt(unsigned int id, const uint64_t *frames, uint64_t entries)
{
    unsigned int i, j, nr;

    if (entries > HV_GDT_MAX_ENTRIES)
        return -XEN_EINVAL;
    nr = (unsigned int)(entries + 511) / 512;
    for (i = 0; i < nr; i++)
        if (get_seg_desc(frames[i])) {
            while (i-- > 0)
                mm_put_type(frames[i]);
            return -XEN_EINVAL;
        }
    for (i = 0; i < vgdt[id].nr_frames; i++)
        mm_put_type(vgdt[id].frames[i]);
    for (i = 0; i < HV_GDT_MAX_FRAMES; i++) {
        const uint64_t *t = i < nr ? table(frames[i]) : NULL;

        if (!t && i >= vgdt[id].nr_frames)
            continue;
        for (j = 0; j < 512; j++)
            gdt_set_guest_entry(id, i * 512 + j, t ? t[j] : 0);
        vgdt[id].frames[i] = t ? frames[i] : 0;
    }
    vgdt[id].nr_frames = nr;
    vgdt[id].entries = (unsigned int)entries;
    return 0;
}

long do_set_gdt(uint64_t frame_list, unsigned int entries)
{
    uint64_t frames[HV_GDT_MAX_FRAMES];
    int rc = hv_check_set_gdt(&dom.mem, frame_list, entries, frames);

    if (rc)
        return rc;
    return vcpu_set_gdt(dom.cur, frames, entries);
}

/*
 * Xen writes the frame, which every vCPU using it as GDT frame sees at
 * once; hv writes the frame and each such vCPU's copy.
 */
long do_update_descriptor(uint64_t maddr, uint64_t desc)
{
    uint64_t mfn = maddr >> PAGE_SHIFT;
    unsigned int slot = (unsigned int)((maddr & (PAGE_SIZE - 1)) / 8);
    int rc = hv_check_update_descriptor(maddr, &desc, &dom.oracle);

    if (rc)
        return rc;
    if (hv_shared_page(mfn))
        return -XEN_EINVAL;
    table(mfn)[slot] = desc;
    if (frame(mfn)->type != HV_PAGE_SEG_DESC)
        return 0;
    for (unsigned int id = 0; id < HV_MAX_VCPUS; id++)
        for (unsigned int i = 0; i < vgdt[id].nr_frames; i++)
            if (vgdt[id].frames[i] == mfn)
                gdt_set_guest_entry(id, i * 512 + slot, desc);
    return 0;
}

/* ---- single L1 entries, for grant mappings (grant.c) ---- */

/*
 * The L1 entry a grant's host mapping uses: with `machine', addr is the
 * machine address of the entry (GNTMAP_contains_pte), else a linear
 * address looked up through the current page tables.  False unless the
 * entry lies in a validated L1 table of the guest.
 */
bool mm_l1_slot(uint64_t addr, bool machine, uint64_t *l1_mfn, unsigned int *slot)
{
    uint64_t mfn = addr >> PAGE_SHIFT;

    if (!machine) {
        mfn = mm_guest_cr3_mfn();
        for (int level = 4; level > 1 && mfn; level--) {
            uint64_t e = table(mfn)[(addr >> (12 + 9 * (level - 1))) & 511];
            mfn = (e & _PAGE_PRESENT) && !(e & _PAGE_PSE) ? HV_PTE_MFN(e) : 0;
        }
    }
    if (!mfn || !frame(mfn) || frame(mfn)->type != HV_PAGE_L1)
        return false;
    *l1_mfn = mfn;
    *slot = machine ? (unsigned int)((addr & (PAGE_SIZE - 1)) >> 3) : (unsigned int)((addr >> 12) & 511);
    return true;
}

uint64_t mm_l1_read(uint64_t l1_mfn, unsigned int slot)
{
    return table(l1_mfn)[slot];
}

/* A new entry, with what it references taken and the old one's dropped. */
int mm_l1_write(uint64_t l1_mfn, unsigned int slot, uint64_t val)
{
    return write_entry(l1_mfn, 1, slot, val);
}

/* Clear an entry, keeping what it references for mm_l1_place(). */
uint64_t mm_l1_take(uint64_t l1_mfn, unsigned int slot)
{
    uint64_t old = table(l1_mfn)[slot];

    table(l1_mfn)[slot] = 0;
    forget_last_va();
    return old;
}

/* Put an entry from mm_l1_take() in place, dropping the old one's refs. */
void mm_l1_place(uint64_t l1_mfn, unsigned int slot, uint64_t taken)
{
    uint64_t old = table(l1_mfn)[slot];

    table(l1_mfn)[slot] = taken;
    forget_last_va();
    put_entry_ref(l1_mfn, 1, old);
}

/* Take / drop what an L1 entry with this value references (the writable
 * count of a guest frame) without any entry: an L1 entry's references do
 * not depend on its table, hence table 0. */
void mm_l1_ref(uint64_t val)
{
    (void)get_entry_ref(0, 1, val);
}

void mm_l1_drop(uint64_t val)
{
    put_entry_ref(0, 1, val);
}

/* How many entries of the guest's L1 tables map mfn. */
unsigned int mm_l1_maps(uint64_t mfn)
{
    unsigned int n = 0;

    for (uint64_t i = 0; i < dom.nr_pages; i++) {
        if (dom.frames[i].type != HV_PAGE_L1)
            continue;
        const uint64_t *t = table(dom.base_mfn + i);
        for (unsigned int j = 0; j < 512; j++)
            n += (t[j] & _PAGE_PRESENT) && HV_PTE_MFN(t[j]) == mfn;
    }
    return n;
}
