/*
 * hv/tests/unit/test_hcheck.c - hypercall argument validation: set_trap_table,
 * callback_op, stack_switch (against a fake guest memory), and the
 * mmu_update / mmuext_op / update_va_mapping rules over a fake page-type
 * oracle.  Every check asserts the exact Xen errno.
 */
#include <string.h>

#include "core/hypercall_check.h"

#include "tap.h"

#define ARG_VA 0xffffffff80500000ull        /* where arguments live */

/* ---- fake frame accounting ---- */
#define NFRAMES 64
struct oracle_state {
    unsigned int type[NFRAMES];
    bool writable[NFRAMES], pinned[NFRAMES];
};
static unsigned int o_type(void *c, uint64_t mfn)
{
    struct oracle_state *s = c;
    return mfn < NFRAMES ? s->type[mfn] : HV_PAGE_INVALID;
}
static bool o_writable(void *c, uint64_t mfn)
{
    struct oracle_state *s = c;
    return mfn < NFRAMES && s->writable[mfn];
}
static bool o_pinned(void *c, uint64_t mfn)
{
    struct oracle_state *s = c;
    return mfn < NFRAMES && s->pinned[mfn];
}

/* Frames: 1 hv, 2-9 RAM (8 mapped writable), 10 L1, 11 L2, 12 L3,
 * 13 L4 (pinned), 14 L4 unpinned, >= 16 invalid. */
enum { F_HV = 1, F_RAM = 2, F_RAMW = 8, F_L1 = 10, F_L2, F_L3, F_L4, F_L4U, F_BAD = 40 };

static void oracle_init(struct oracle_state *s, struct hv_page_oracle *o)
{
    memset(s, 0, sizeof(*s));
    s->type[F_HV] = HV_PAGE_HV;
    for (int i = 2; i < 10; i++)
        s->type[i] = HV_PAGE_RAM;
    s->writable[F_RAMW] = true;
    s->type[F_L1] = HV_PAGE_L1;
    s->type[F_L2] = HV_PAGE_L2;
    s->type[F_L3] = HV_PAGE_L3;
    s->type[F_L4] = HV_PAGE_L4;
    s->type[F_L4U] = HV_PAGE_L4;
    s->pinned[F_L4] = true;
    o->ctx = s;
    o->type = o_type;
    o->writable = o_writable;
    o->pinned = o_pinned;
}

#define PTE(mfn, flags) (((uint64_t)(mfn) << 12) | (flags))
#define P   HV_PTE_P
#define RW  HV_PTE_RW
#define US  HV_PTE_US

static int mmu(const struct hv_page_oracle *o, uint64_t table, unsigned int slot,
               unsigned int cmd, uint64_t val)
{
    struct mmu_update u = { (table << 12) + slot * 8 + cmd, val };
    struct hv_mmu_req d;

    return hv_check_mmu_update(&u, o, &d);
}

static int ldt_op(const struct hv_page_oracle *o, uint64_t base, unsigned int ents)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_SET_LDT;
    op.arg1.linear_addr = base;
    op.arg2.nr_ents = ents;
    return hv_check_mmuext_op(&op, o);
}

static int ext(const struct hv_page_oracle *o, unsigned int cmd, uint64_t arg)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = arg;
    return hv_check_mmuext_op(&op, o);
}

static void memory_rules(void)
{
    struct oracle_state s;
    struct hv_page_oracle o;
    struct hv_mmu_req d;
    struct mmu_update u;

    oracle_init(&s, &o);

    /* mmu_update decoding. */
    u.ptr = (F_L1 << 12) + 5 * 8 + MMU_PT_UPDATE_PRESERVE_AD;
    u.val = PTE(F_RAM, P | RW | US);
    EQ(hv_check_mmu_update(&u, &o, &d), 0, "mmu: L1 entry mapping guest RAM writable is fine");
    OK(d.cmd == MMU_PT_UPDATE_PRESERVE_AD && d.table_mfn == F_L1 && d.slot == 5 && d.level == 1 &&
       d.val == u.val, "mmu: request decoded (cmd, table, slot, level, val)");
    /* MMU_MACHPHYS_UPDATE: the frame is ptr >> 12, the domain's frames only. */
    u.ptr = (F_RAM << 12) + 0x7f8 + MMU_MACHPHYS_UPDATE;
    u.val = 0x1234567;
    EQ(hv_check_mmu_update(&u, &o, &d), 0, "mmu: MMU_MACHPHYS_UPDATE of a RAM frame is fine");
    OK(d.cmd == MMU_MACHPHYS_UPDATE && d.table_mfn == F_RAM && d.val == 0x1234567,
       "mmu: MMU_MACHPHYS_UPDATE decoded (frame from ptr >> 12, offset ignored, val = pfn)");
    EQ(mmu(&o, F_L4, 0, MMU_MACHPHYS_UPDATE, 7), 0, "mmu: MMU_MACHPHYS_UPDATE of a page-table frame is fine");
    EQ(mmu(&o, F_HV, 0, MMU_MACHPHYS_UPDATE, 7), -XEN_EINVAL, "mmu: MMU_MACHPHYS_UPDATE of hv's frame -> EINVAL");
    EQ(mmu(&o, F_BAD, 0, MMU_MACHPHYS_UPDATE, 7), -XEN_EINVAL,
       "mmu: MMU_MACHPHYS_UPDATE of a frame not the guest's -> EINVAL");
    u.ptr = (F_L1 << 12) + 4;
    EQ(hv_check_mmu_update(&u, &o, &d), -XEN_EINVAL, "mmu: misaligned ptr -> EINVAL");
    EQ(mmu(&o, F_HV, 0, 0, 0), -XEN_EINVAL, "mmu: writing into hypervisor memory -> EINVAL");
    EQ(mmu(&o, F_BAD, 0, 0, 0), -XEN_EINVAL, "mmu: writing into a non-existent frame -> EINVAL");
    EQ(mmu(&o, F_RAM, 3, 0, 0x1234), 0, "mmu: plain write to an ordinary page is allowed");
    EQ(mmu(&o, F_L1, 0, MMU_NORMAL_PT_UPDATE, 0), 0, "mmu: clearing an L1 entry is fine");

    /* The two safety rules. */
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_HV, P)), -XEN_EBUSY, "mmu: mapping hypervisor memory (read-only) -> EBUSY");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_HV, P | RW)), -XEN_EBUSY, "mmu: mapping hypervisor memory writable -> EBUSY");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_BAD, P)), -XEN_EPERM, "mmu: mapping a frame the guest does not own -> EPERM");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_L1, P | RW)), -XEN_EBUSY, "mmu: an L1 table writable -> EBUSY");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_L4, P | RW)), -XEN_EBUSY, "mmu: an L4 table writable -> EBUSY");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_L4, P)), 0, "mmu: an L4 table read-only is fine");
    EQ(mmu(&o, F_L1, 1, 0, PTE(0xfffffffffull, P)), -XEN_EPERM,
       "mmu: a frame beyond the guest's memory -> EPERM");
    EQ(mmu(&o, F_L1, 1, 0, PTE(F_RAM, P | (1ull << 52) | (1ull << 9))), 0,
       "mmu: available bits 9-11 and 52-62 are the guest's");

    /* Upper levels. */
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_L1, P | RW | US)), 0, "mmu: L2 -> L1 table");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_RAM, P | RW | US)), 0, "mmu: L2 -> unmapped RAM (to be validated as L1)");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_RAMW, P | RW)), -XEN_EINVAL, "mmu: L2 -> RAM that is mapped writable -> EINVAL");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_L2, P | RW)), -XEN_EINVAL, "mmu: L2 -> an L2 table, writable -> EINVAL");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_L2, P)), 0, "mmu: L2 -> an L2 table read-only (linear) is fine");
    EQ(mmu(&o, F_L3, 0, 0, PTE(F_L3, P | RW | US)), -XEN_EINVAL, "mmu: L3 -> an L3 table, writable -> EINVAL");
    EQ(mmu(&o, F_L3, 0, 0, PTE(F_L3, P | US)), 0, "mmu: L3 -> an L3 table read-only (linear) is fine");
    EQ(mmu(&o, F_L4, 3, 0, PTE(F_L4, P | RW)), -XEN_EINVAL, "mmu: L4 -> an L4 table, writable -> EINVAL");
    EQ(mmu(&o, F_L4, 3, 0, PTE(F_L4U, P | US)), 0, "mmu: L4 -> another L4 read-only (linear) is fine");
    EQ(mmu(&o, F_L4, 256, 0, PTE(F_L4, P)), -XEN_EINVAL, "mmu: L4 linear entry in an hv slot -> EINVAL");
    EQ(mmu(&o, F_L3, 0, 0, PTE(F_L4, P)), -XEN_EINVAL, "mmu: L3 -> an L4 table -> EINVAL");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_L3, P)), -XEN_EINVAL, "mmu: L2 -> an L3 table -> EINVAL");

    /* The M2P slot of an L4, without and with m2p_strict (Xen 4.17). */
    EQ(hv_m2p_slot(HV_M2P_VALIDATED, false), HV_M2P_EMPTY, "m2p slot: a fresh L4, default: empty");
    EQ(hv_m2p_slot(HV_M2P_VALIDATED, true), HV_M2P_FILL, "m2p slot: a fresh L4, m2p_strict: filled");
    EQ(hv_m2p_slot(HV_M2P_KERNEL_BASE, false), HV_M2P_FILL, "m2p slot: kernel base, default: filled");
    EQ(hv_m2p_slot(HV_M2P_KERNEL_BASE, true), HV_M2P_UNCHANGED, "m2p slot: kernel base, m2p_strict: unchanged");
    EQ(hv_m2p_slot(HV_M2P_USER_BASE, false), HV_M2P_UNCHANGED, "m2p slot: user base, default: unchanged");
    EQ(hv_m2p_slot(HV_M2P_USER_BASE, true), HV_M2P_EMPTY, "m2p slot: user base, m2p_strict: emptied");

    /* Linear entries: one step only, never writable. */
    EQ(hv_check_linear(F_L4, PTE(F_L4, P | US), 0, 0), 0, "linear: a table mapping itself read-only");
    EQ(hv_check_linear(F_L4, PTE(F_L4, P | RW | US), 0, 0), -XEN_EINVAL, "linear: itself, writable -> EINVAL");
    EQ(hv_check_linear(F_L4, PTE(F_L4, P), -3, 5), 0,
       "linear: a table mapping itself counts nothing (whatever its counts)");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), 0, 0), 0, "linear: another table of the level, read-only");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P | RW), 0, 0), -XEN_EINVAL, "linear: another table, writable -> EINVAL");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), 2, -1), 0,
       "linear: a holder of linear entries may map a target already mapped linearly");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), -1, 0), -XEN_EINVAL,
       "linear: a table mapped linearly elsewhere may not hold a linear entry -> EINVAL");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), 0, 1), -XEN_EINVAL,
       "linear: the target may not hold linear entries itself (no chains) -> EINVAL");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), HV_LINEAR_MAX, 0), -XEN_EINVAL, "linear: holder count full -> EINVAL");
    EQ(hv_check_linear(F_L4, PTE(F_L4U, P), 0, -HV_LINEAR_MAX), -XEN_EINVAL,
       "linear: target count full -> EINVAL");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_HV, P)), -XEN_EINVAL, "mmu: L2 -> hypervisor memory -> EINVAL");
    EQ(mmu(&o, F_L2, 0, 0, PTE(F_L1, P | HV_PTE_PSE)), -XEN_EINVAL, "mmu: L2 superpage -> EINVAL");
    EQ(mmu(&o, F_L3, 0, 0, PTE(F_L2, P | RW)), 0, "mmu: L3 -> L2 table");
    EQ(mmu(&o, F_L4, 0, 0, PTE(F_L3, P | RW)), 0, "mmu: L4 slot 0 -> L3 table");
    EQ(mmu(&o, F_L4, 255, 0, PTE(F_L3, P | RW)), 0, "mmu: L4 slot 255 -> L3 table");
    EQ(mmu(&o, F_L4, 256, 0, PTE(F_L3, P | RW)), -XEN_EINVAL, "mmu: L4 slot 256 (hypervisor) -> EINVAL");
    EQ(mmu(&o, F_L4, 271, 0, 0), -XEN_EINVAL, "mmu: L4 slot 271 even non-present -> EINVAL");
    EQ(mmu(&o, F_L4, 272, 0, PTE(F_L3, P | RW)), 0, "mmu: L4 slot 272 (guest kernel) -> L3 table");
    EQ(hv_check_pte(5, 0, 0, &o), -XEN_EINVAL, "mmu: bad level -> EINVAL");

    /* mmuext_op. */
    EQ(ext(&o, MMUEXT_PIN_L1_TABLE, F_RAM), 0, "mmuext: pin unmapped RAM as L1");
    EQ(ext(&o, MMUEXT_PIN_L1_TABLE, F_RAMW), -XEN_EINVAL, "mmuext: pin a page mapped writable -> EINVAL");
    EQ(ext(&o, MMUEXT_PIN_L4_TABLE, F_HV), -XEN_EINVAL, "mmuext: pin hypervisor memory -> EINVAL");
    EQ(ext(&o, MMUEXT_PIN_L4_TABLE, F_BAD), -XEN_EINVAL, "mmuext: pin a non-existent frame -> EINVAL");
    EQ(ext(&o, MMUEXT_PIN_L2_TABLE, F_L1), -XEN_EINVAL, "mmuext: pin an L1 table as L2 -> EINVAL");
    EQ(ext(&o, MMUEXT_PIN_L4_TABLE, F_L4), -XEN_EINVAL, "mmuext: pin twice -> EINVAL");
    EQ(ext(&o, MMUEXT_PIN_L4_TABLE, F_L4U), 0, "mmuext: pin an unpinned L4");
    EQ(ext(&o, MMUEXT_UNPIN_TABLE, F_L4), 0, "mmuext: unpin a pinned table");
    EQ(ext(&o, MMUEXT_UNPIN_TABLE, F_L4U), -XEN_EINVAL, "mmuext: unpin a table not pinned -> EINVAL");
    EQ(ext(&o, MMUEXT_UNPIN_TABLE, F_HV), -XEN_EINVAL, "mmuext: unpin hypervisor memory -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_L4), 0, "mmuext: NEW_BASEPTR to an L4");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_L3), -XEN_EINVAL, "mmuext: NEW_BASEPTR to an L3 -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_RAM), 0, "mmuext: NEW_BASEPTR to plain RAM not mapped writable (validated then)");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_RAMW), -XEN_EINVAL, "mmuext: NEW_BASEPTR to RAM mapped writable -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_HV), -XEN_EINVAL, "mmuext: NEW_BASEPTR to hv memory -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_BASEPTR, F_BAD), -XEN_EINVAL, "mmuext: NEW_BASEPTR to a non-existent frame -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, F_RAM), 0, "mmuext: NEW_USER_BASEPTR to plain RAM not mapped writable");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, F_RAMW), -XEN_EINVAL, "mmuext: NEW_USER_BASEPTR to RAM mapped writable -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, F_L1), -XEN_EINVAL, "mmuext: NEW_USER_BASEPTR to an L1 -> EINVAL");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, 0), 0, "mmuext: NEW_USER_BASEPTR 0 (none)");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, F_L4U), 0, "mmuext: NEW_USER_BASEPTR to an L4");
    EQ(ext(&o, MMUEXT_NEW_USER_BASEPTR, F_HV), -XEN_EINVAL, "mmuext: NEW_USER_BASEPTR to hv memory -> EINVAL");
    EQ(ext(&o, MMUEXT_TLB_FLUSH_LOCAL, 0), 0, "mmuext: TLB_FLUSH_LOCAL");
    EQ(ext(&o, MMUEXT_INVLPG_LOCAL, 0xffffffff80000000ull), 0, "mmuext: INVLPG_LOCAL");
    EQ(ext(&o, MMUEXT_SET_LDT, 0), 0, "mmuext: SET_LDT with no entries");
    EQ(ldt_op(&o, 0xffffffff80600000ull, 2), 0, "mmuext: SET_LDT, 2 entries at a guest page");
    EQ(ldt_op(&o, 0xffffffff80600008ull, 2), -XEN_EINVAL, "mmuext: SET_LDT not page-aligned -> EINVAL");
    EQ(ldt_op(&o, 0xffffffff80600000ull, 8193), -XEN_EINVAL, "mmuext: SET_LDT, 8193 entries -> EINVAL");
    EQ(ldt_op(&o, HYPERVISOR_VIRT_START, 1), -XEN_EINVAL, "mmuext: SET_LDT in hypervisor space -> EINVAL");
    EQ(ldt_op(&o, 0x00007ffffffff000ull, 600), -XEN_EINVAL, "mmuext: SET_LDT running off canonical -> EINVAL");
    EQ(ext(&o, 1000, 0), -XEN_ENOSYS, "mmuext: unknown command -> ENOSYS");

    /* update_va_mapping. */
    EQ(hv_check_update_va_mapping(0xffffffff80600000ull, PTE(F_RAM, P | RW), UVMF_INVLPG | UVMF_LOCAL, &o), 0,
       "uvm: map shared_info-like RAM page, INVLPG local");
    EQ(hv_check_update_va_mapping(0xffffffff80600000ull, PTE(F_HV, P), UVMF_NONE, &o), -XEN_EBUSY,
       "uvm: mapping hypervisor memory -> EBUSY");
    EQ(hv_check_update_va_mapping(0xffffffff80600000ull, PTE(F_L2, P | RW), UVMF_NONE, &o), -XEN_EBUSY,
       "uvm: mapping a page table writable -> EBUSY");
    EQ(hv_check_update_va_mapping(HYPERVISOR_VIRT_START + 0x1000, PTE(F_RAM, P), UVMF_NONE, &o), -XEN_EINVAL,
       "uvm: va in the hypervisor area -> EINVAL");
    EQ(hv_check_update_va_mapping(0x0000800000000000ull, PTE(F_RAM, P), UVMF_NONE, &o), -XEN_EINVAL,
       "uvm: non-canonical va -> EINVAL");
    EQ(hv_check_update_va_mapping(0x1000, PTE(F_RAM, P), UVMF_TLB_FLUSH | UVMF_ALL, &o), 0,
       "uvm: TLB_FLUSH all");
    EQ(hv_check_update_va_mapping(0x1000, PTE(F_RAM, P), 3, &o), -XEN_EINVAL, "uvm: flush type 3 -> EINVAL");
    EQ(hv_check_update_va_mapping(0x1000, PTE(F_RAM, P), 0x8000, &o), -XEN_EINVAL,
       "uvm: UVMF_MULTI bitmap -> EINVAL in hv");
}

/* ---- trap table, callbacks, stack_switch ---- */

static void vcpu_rules(void)
{
    struct fixture fx;
    struct trap_info t[4];
    struct callback_register cr;
    struct callback_unregister cu;
    uint8_t *arg;
    uint64_t next = 0;

    fixture_init(&fx);
    arg = fake_mem_add(&fx.fm, ARG_VA, 0x1000, false);
    memset(fx.v.trap_ctxt, 0, sizeof(fx.v.trap_ctxt));

    memset(t, 0, sizeof(t));
    t[0] = (struct trap_info){ 14, 4, FLAT_KERNEL_CS, 0xffffffff80001000ull };
    t[1] = (struct trap_info){ 0x80, 3, 0xe030, 0xffffffff80002000ull };
    t[2] = (struct trap_info){ 3, 3, FLAT_KERNEL_CS, 0xffffffff80003000ull };
    memcpy(arg, t, sizeof(t));
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA, 256, &next), 0, "trap table: three entries and a terminator");
    OK(fx.v.trap_ctxt[14].address == 0xffffffff80001000ull && TI_GET_IF(&fx.v.trap_ctxt[14]) &&
       TI_GET_DPL(&fx.v.trap_ctxt[14]) == 0, "trap table: #PF entry stored with TI_GET_IF");
    OK(fx.v.trap_ctxt[0x80].address == 0xffffffff80002000ull && TI_GET_DPL(&fx.v.trap_ctxt[0x80]) == 3,
       "trap table: 0x80 entry with vDPL 3");
    EQ(fx.v.trap_ctxt[0x80].cs, 0xe033, "trap table: CS with RPL 0 stored with RPL 3");
    EQ(fx.v.trap_ctxt[13].address, 0, "trap table: other vectors untouched");

    t[0] = (struct trap_info){ 13, 0, FLAT_KERNEL_CS, 0xffffffff80004000ull };
    t[1] = (struct trap_info){ 6, 0, FLAT_KERNEL_CS, 0x0000800000000000ull };   /* non-canonical */
    t[2] = (struct trap_info){ 0, 0, 0, 0 };
    memcpy(arg, t, sizeof(t));
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA, 256, &next), -XEN_EINVAL, "trap table: non-canonical address -> EINVAL");
    OK(fx.v.trap_ctxt[13].address == 0xffffffff80004000ull && fx.v.trap_ctxt[6].address == 0 &&
       fx.v.trap_ctxt[14].address != 0, "trap table: entries before the bad one stay set (as Xen)");
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA + 0x1000 - 8, 256, &next), -XEN_EFAULT,
       "trap table: entry straddling unmapped memory -> EFAULT");
    /* A table longer than one call takes: the rest is a continuation. */
    memcpy(arg, t, sizeof(t));
    t[0] = (struct trap_info){ 14, 4, FLAT_KERNEL_CS, 0xffffffff80001000ull };
    t[1] = (struct trap_info){ 0x80, 3, 0xe030, 0xffffffff80002000ull };
    t[2] = (struct trap_info){ 3, 3, FLAT_KERNEL_CS, 0xffffffff80003000ull };
    t[3] = (struct trap_info){ 0, 0, 0, 0 };
    memcpy(arg, t, sizeof(t));
    memset(fx.v.trap_ctxt, 0, sizeof(fx.v.trap_ctxt));
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA, 2, &next), HV_TRAP_TABLE_MORE,
       "trap table: more entries than one call takes -> continue");
    EQ(next, ARG_VA + 2 * sizeof(struct trap_info), "trap table: continue at the third entry");
    OK(fx.v.trap_ctxt[14].address && fx.v.trap_ctxt[0x80].address && !fx.v.trap_ctxt[3].address,
       "trap table: the first call took exactly two entries");
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, next, 2, &next), 0, "trap table: the continuation ends at the terminator");
    OK(fx.v.trap_ctxt[3].address == 0xffffffff80003000ull, "trap table: the continuation took the third entry");

    /* Address 0 ends the table: what follows is not read. */
    memset(fx.v.trap_ctxt, 0, sizeof(fx.v.trap_ctxt));
    t[0] = (struct trap_info){ 14, 0, FLAT_KERNEL_CS, 0xffffffff80001000ull };
    t[1] = (struct trap_info){ 13, 0, FLAT_KERNEL_CS, 0 };
    t[2] = (struct trap_info){ 3, 3, FLAT_KERNEL_CS, 0xffffffff80003000ull };
    t[3] = (struct trap_info){ 0, 0, 0, 0 };
    memcpy(arg, t, sizeof(t));
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA, 256, &next), 0, "trap table: an early address-0 entry ends it");
    OK(fx.v.trap_ctxt[14].address && !fx.v.trap_ctxt[3].address,
       "trap table: the entry after the address-0 one is not applied");
    /* cs means nothing to a 64-bit guest: any value is taken (RPL forced). */
    t[0] = (struct trap_info){ 3, 3, 0xdead, 0xffffffff80003000ull };
    t[1] = (struct trap_info){ 0, 0, 0, 0 };
    memcpy(arg, t, sizeof(t));
    EQ(hv_do_set_trap_table(&fx.v, &fx.m, ARG_VA, 256, &next), 0, "trap table: a garbage cs (0xdead) is accepted");
    EQ(fx.v.trap_ctxt[3].address, 0xffffffff80003000ull, "trap table: the entry with the garbage cs is applied");

    EQ(hv_do_set_trap_table(&fx.v, &fx.m, 0, 256, &next), 0, "trap table: NULL clears");
    EQ(fx.v.trap_ctxt[14].address | fx.v.trap_ctxt[13].address, 0, "trap table: NULL cleared every entry");

    /* callback_op */
    cr = (struct callback_register){ CALLBACKTYPE_syscall, CALLBACKF_mask_events, CB_SYSCALL };
    memcpy(arg, &cr, sizeof(cr));
    EQ(hv_do_callback_op(&fx.v, &fx.m, CALLBACKOP_register, ARG_VA), 0, "callback: register syscall");
    OK(fx.v.syscall_callback == CB_SYSCALL && fx.v.syscall_mask, "callback: syscall address and mask flag");
    cr = (struct callback_register){ CALLBACKTYPE_syscall, 0, 0 };
    EQ(hv_callback_register(&fx.v, &cr), 0, "callback: register address 0 (how a guest removes one)");
    OK(fx.v.syscall_callback == 0 && !fx.v.syscall_mask, "callback: syscall now unregistered");
    cr = (struct callback_register){ CALLBACKTYPE_syscall32, CALLBACKF_mask_events, CB_SYSCALL32 };
    hv_callback_register(&fx.v, &cr);
    OK(fx.v.syscall32_callback == CB_SYSCALL32 && fx.v.syscall32_mask, "callback: syscall32");
    cr = (struct callback_register){ CALLBACKTYPE_sysenter, 0, CB_SYSENTER };
    hv_callback_register(&fx.v, &cr);
    OK(fx.v.sysenter_callback == CB_SYSENTER && !fx.v.sysenter_mask, "callback: sysenter without mask");
    cr = (struct callback_register){ CALLBACKTYPE_event, 0, CB_EVENT };
    hv_callback_register(&fx.v, &cr);
    EQ(fx.v.event_callback, CB_EVENT, "callback: event");
    cr = (struct callback_register){ CALLBACKTYPE_failsafe, CALLBACKF_mask_events, CB_FAILSAFE };
    hv_callback_register(&fx.v, &cr);
    OK(fx.v.failsafe_callback == CB_FAILSAFE && fx.v.failsafe_mask, "callback: failsafe with mask");
    cr = (struct callback_register){ CALLBACKTYPE_nmi, 0, CB_NMI };
    hv_callback_register(&fx.v, &cr);
    OK(fx.v.trap_ctxt[2].address == CB_NMI && TI_GET_IF(&fx.v.trap_ctxt[2]), "callback: nmi in trap_ctxt[2], masking");
    cr = (struct callback_register){ CALLBACKTYPE_event, 0, 0x0000800000000000ull };
    EQ(hv_callback_register(&fx.v, &cr), -XEN_EINVAL, "callback: non-canonical -> EINVAL");
    EQ(fx.v.event_callback, CB_EVENT, "callback: refused registration changes nothing");
    cr = (struct callback_register){ 6, 0, CB_EVENT };
    EQ(hv_callback_register(&fx.v, &cr), -XEN_ENOSYS, "callback: unknown type 6 -> ENOSYS");
    cu = (struct callback_unregister){ CALLBACKTYPE_syscall, 0 };
    EQ(hv_callback_unregister(&fx.v, &cu), -XEN_EINVAL, "callback: unregister syscall -> EINVAL (as Xen)");
    cu = (struct callback_unregister){ CALLBACKTYPE_event, 0 };
    EQ(hv_callback_unregister(&fx.v, &cu), -XEN_EINVAL, "callback: unregister event -> EINVAL");
    cu = (struct callback_unregister){ CALLBACKTYPE_nmi, 0 };
    memcpy(arg, &cu, sizeof(cu));
    EQ(hv_do_callback_op(&fx.v, &fx.m, CALLBACKOP_unregister, ARG_VA), 0, "callback: unregister nmi");
    EQ(fx.v.trap_ctxt[2].address, 0, "callback: nmi gone");
    cu = (struct callback_unregister){ 99, 0 };
    EQ(hv_callback_unregister(&fx.v, &cu), -XEN_ENOSYS, "callback: unregister unknown -> ENOSYS");
    EQ(hv_do_callback_op(&fx.v, &fx.m, 7, ARG_VA), -XEN_ENOSYS, "callback: unknown op -> ENOSYS");
    EQ(hv_do_callback_op(&fx.v, &fx.m, CALLBACKOP_register, 0x1000), -XEN_EFAULT, "callback: bad pointer -> EFAULT");

    EQ(hv_do_stack_switch(&fx.v, FLAT_KERNEL_SS & ~3u, 0xffffffff80208000ull), 0, "stack_switch: returns 0");
    OK(fx.v.kernel_ss == FLAT_KERNEL_SS && fx.v.kernel_sp == 0xffffffff80208000ull,
       "stack_switch: kernel_ss (RPL 3) and kernel_sp recorded");
    fixture_free(&fx);
}

/* The virtual NMI's hypercalls: vcpu_op(VCPUOP_send_nmi), nmi_op, and
 * the re-assert of CALLBACKOP_register(nmi) (Xen 4.17's errnos). */
static void nmi_hypercall_rules(void)
{
    struct fixture fx;
    struct callback_register cr;
    struct xennmi_callback nc;
    unsigned long reason = 0;
    uint8_t *arg;

    fixture_init(&fx);
    arg = fake_mem_add(&fx.fm, ARG_VA, 0x1000, false);

    EQ(hv_do_vcpu_op(&fx.v, VCPUOP_send_nmi, 1, 0), -XEN_ENOENT, "vcpu_op: send_nmi to vcpu 1 -> ENOENT");
    EQ(hv_do_vcpu_op(&fx.v, VCPUOP_send_nmi, 0xffffffffu, 0), -XEN_ENOENT, "vcpu_op: vcpu 0xffffffff -> ENOENT");
    EQ(hv_do_vcpu_op(&fx.v, 99, 1, 0), -XEN_ENOENT, "vcpu_op: the vcpu is checked before the command");
    EQ(hv_do_vcpu_op(&fx.v, VCPUOP_send_nmi, 0, ARG_VA), -XEN_EINVAL, "vcpu_op: send_nmi with an argument -> EINVAL");
    EQ(fx.v.nmi_pending, 0, "vcpu_op: refused sends made nothing pending");
    EQ(hv_do_vcpu_op(&fx.v, VCPUOP_send_nmi, 0, 0), 0, "vcpu_op: send_nmi to ourselves -> 0");
    OK(fx.v.nmi_pending && !fx.v.nmi_masked, "vcpu_op: ... an NMI is pending");
    EQ(hv_do_vcpu_op(&fx.v, VCPUOP_send_nmi, 0, 0), 0, "vcpu_op: a second send while pending -> 0 (one NMI)");
    EQ(hv_do_vcpu_op(&fx.v, 99, 0, 0), -XEN_ENOSYS, "vcpu_op: unknown command -> ENOSYS");
    EQ(hv_do_vcpu_op(&fx.v, -1, 0, 0), -XEN_ENOSYS, "vcpu_op: negative command -> ENOSYS");

    memset(fx.v.trap_ctxt, 0, sizeof(fx.v.trap_ctxt));
    fx.v.nmi_pending = false;
    nc = (struct xennmi_callback){ CB_NMI, 0x1234 };
    memcpy(arg, &nc, sizeof(nc));
    EQ(hv_do_nmi_op(&fx.v, &fx.m, XENNMI_register_callback, ARG_VA), 0, "nmi_op: register");
    OK(fx.v.trap_ctxt[2].address == CB_NMI && TI_GET_IF(&fx.v.trap_ctxt[2]) && fx.v.trap_ctxt[2].vector == 2 &&
       fx.v.trap_ctxt[2].cs == FLAT_KERNEL_CS && TI_GET_DPL(&fx.v.trap_ctxt[2]) == 0,
       "nmi_op: trap_ctxt[2] = handler, kernel CS, IF, DPL 0");
    nc = (struct xennmi_callback){ 0x0000800000000000ull, 0 };
    memcpy(arg, &nc, sizeof(nc));
    EQ(hv_do_nmi_op(&fx.v, &fx.m, XENNMI_register_callback, ARG_VA), -XEN_EINVAL, "nmi_op: non-canonical -> EINVAL");
    EQ(fx.v.trap_ctxt[2].address, CB_NMI, "nmi_op: ... the old one stays");
    EQ(hv_do_nmi_op(&fx.v, &fx.m, XENNMI_register_callback, ARG_VA + 0x1000 - 8), -XEN_EFAULT,
       "nmi_op: argument straddling unmapped memory -> EFAULT");
    EQ(hv_do_nmi_op(&fx.v, &fx.m, XENNMI_unregister_callback, 0), 0, "nmi_op: unregister (no argument read)");
    OK(fx.v.trap_ctxt[2].address == 0 && fx.v.trap_ctxt[2].flags == 0, "nmi_op: trap_ctxt[2] cleared");
    EQ(hv_do_nmi_op(&fx.v, &fx.m, 2, ARG_VA), -XEN_ENOSYS, "nmi_op: unknown command -> ENOSYS");
    EQ(fx.v.nmi_pending, 0, "nmi_op: no nmi_reason pointer: nothing pending");

    /* A nonzero shared_info.arch.nmi_reason at registration: pending. */
    fx.v.nmi_reason = &reason;
    cr = (struct callback_register){ CALLBACKTYPE_nmi, 0, CB_NMI };
    EQ(hv_callback_register(&fx.v, &cr), 0, "nmi: register with nmi_reason 0");
    EQ(fx.v.nmi_pending, 0, "nmi: ... nothing pending");
    reason = XEN_NMIREASON_io_error;
    EQ(hv_callback_register(&fx.v, &cr), 0, "nmi: register with nmi_reason set");
    EQ(fx.v.nmi_pending, 1, "nmi: ... the lost edge is re-asserted (pending)");
    fx.v.nmi_pending = false;
    cr.address = 0;
    hv_callback_register(&fx.v, &cr);
    EQ(fx.v.nmi_pending, 1, "nmi: ... also when registering address 0 (as Xen)");
    fx.v.nmi_pending = false;
    cr.address = 0x0000800000000000ull;
    EQ(hv_callback_register(&fx.v, &cr), -XEN_EINVAL, "nmi: refused registration ...");
    EQ(fx.v.nmi_pending, 0, "nmi: ... re-asserts nothing");
    memcpy(arg, &(struct xennmi_callback){ CB_NMI, 0 }, sizeof(nc));
    EQ(hv_do_nmi_op(&fx.v, &fx.m, XENNMI_register_callback, ARG_VA), 0, "nmi_op: register with nmi_reason set");
    EQ(fx.v.nmi_pending, 1, "nmi_op: ... pending too");
    fx.v.nmi_pending = false;
    cr = (struct callback_register){ CALLBACKTYPE_event, 0, CB_EVENT };
    hv_callback_register(&fx.v, &cr);
    EQ(fx.v.nmi_pending, 0, "nmi: other callbacks never look at nmi_reason");
    fixture_free(&fx);
}

/*
 * VCPUOP_initialise's context (hv_vcpu_set_context), against Xen 4.17's
 * arch_set_info_guest for a PV64 vCPU.  Each refusal leaves the vCPU as it
 * was; an accepted context is checked field by field.
 */
static struct vcpu_guest_context good_context(void)
{
    struct vcpu_guest_context c;

    memset(&c, 0, sizeof(c));
    c.flags = VGCF_in_kernel | VGCF_failsafe_disables_events;
    c.user_regs.rip = 0xffffffff80001000ull;
    c.user_regs.rsp = 0xffffffff80204000ull;
    c.user_regs.rdi = 0x1234;
    c.user_regs.cs = FLAT_KERNEL_CS & ~3;       /* RPL 0: becomes 3 */
    c.user_regs.ss = FLAT_KERNEL_SS;
    c.user_regs.rflags = 0x202 | (1u << 12);    /* IF, IOPL 1 */
    c.trap_ctxt[14] = (struct trap_info){ 14, 4, FLAT_KERNEL_CS & ~3, 0xffffffff80002000ull };
    c.trap_ctxt[2] = (struct trap_info){ 2, 4, FLAT_KERNEL_CS, 0xffffffff80002100ull };
    c.kernel_ss = FLAT_KERNEL_SS & ~3;
    c.kernel_sp = 0xffffffff80208000ull;
    c.ctrlreg[3] = 0x1000;
    c.event_callback_eip = 0xffffffff80003000ull;
    c.failsafe_callback_eip = 0xffffffff80003100ull;
    c.syscall_callback_eip = 0xffffffff80003200ull;
    return c;
}

static void vcpu_context_rules(void)
{
    struct hv_vcpu v;
    struct vcpu_info vi;
    struct vcpu_guest_context c;
    const uint64_t noncanon = 0x0000800000000000ull;
    struct { const char *what; uint64_t *field; } bad[] = {
        { "rip", &c.user_regs.rip }, { "rsp", &c.user_regs.rsp }, { "kernel_sp", &c.kernel_sp },
        { "fs_base", &c.fs_base }, { "gs_base_kernel", &c.gs_base_kernel },
        { "gs_base_user", &c.gs_base_user }, { "event callback", &c.event_callback_eip },
        { "syscall callback", &c.syscall_callback_eip },
        { "failsafe callback", &c.failsafe_callback_eip },
        { "trap_ctxt[200].address", &c.trap_ctxt[200].address },
    };

    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hv_vcpu_init(&v, &vi);
        c = good_context();
        *bad[i].field = noncanon;
        EQ(hv_vcpu_set_context(&v, &c), -XEN_EINVAL, "initialise: non-canonical %s -> EINVAL", bad[i].what);
        OK(v.regs.rip == 0 && v.event_callback == 0 && v.trap_ctxt[14].address == 0,
           "initialise: ... and the vCPU is unchanged");
    }
    hv_vcpu_init(&v, &vi);
    c = good_context();
    c.flags &= ~VGCF_in_kernel;
    EQ(hv_vcpu_set_context(&v, &c), -XEN_EINVAL, "initialise: user mode with no user page table -> EINVAL");
    c.ctrlreg[1] = 0x2000;
    EQ(hv_vcpu_set_context(&v, &c), 0, "initialise: user mode with a user page table -> 0");
    OK(!v.kernel_mode && v.user_pt_present, "initialise: ... starts in user mode, user page table present");
    c = good_context();
    c.ldt_ents = 1;
    EQ(hv_vcpu_set_context(&v, &c), -XEN_EINVAL, "initialise: an LDT (hv has none) -> EINVAL");
    c = good_context();
    c.gdt_ents = 16 * 512 + 1;
    EQ(hv_vcpu_set_context(&v, &c), -XEN_EINVAL, "initialise: 17 GDT frames (gdt_frames[] has 16) -> EINVAL");
    c.gdt_ents = 16 * 512;
    EQ(hv_vcpu_set_context(&v, &c), 0, "initialise: 16 frames' worth passes here (the platform's set_gdt refuses)");

    hv_vcpu_init(&v, &vi);
    c = good_context();
    EQ(hv_vcpu_set_context(&v, &c), 0, "initialise: a complete kernel-mode context -> 0");
    OK(v.regs.rip == c.user_regs.rip && v.regs.rsp == c.user_regs.rsp && v.regs.rdi == 0x1234,
       "initialise: rip, rsp and the argument register loaded");
    EQ(v.regs.cs, FLAT_KERNEL_CS, "initialise: cs with RPL 0 gets RPL 3");
    EQ(v.regs.ss, FLAT_KERNEL_SS, "initialise: ss kept");
    OK(v.regs.rflags == 0x202 && v.iopl == (1u << 12), "initialise: rflags' IOPL becomes the virtual IOPL");
    OK(v.trap_ctxt[14].address == 0xffffffff80002000ull && v.trap_ctxt[14].cs == FLAT_KERNEL_CS &&
       TI_GET_IF(&v.trap_ctxt[14]), "initialise: trap_ctxt[14] loaded, its cs with RPL 3");
    EQ(v.trap_ctxt[2].address, 0xffffffff80002100ull, "initialise: trap_ctxt[2] is the NMI callback");
    OK(v.event_callback == c.event_callback_eip && v.failsafe_callback == c.failsafe_callback_eip &&
       v.syscall_callback == c.syscall_callback_eip, "initialise: event, failsafe, syscall callbacks");
    OK(v.failsafe_mask && !v.syscall_mask,
       "initialise: VGCF_failsafe_disables_events set, VGCF_syscall_disables_events clear");
    OK(v.syscall32_callback == 0 && v.sysenter_callback == 0,
       "initialise: no syscall32 or sysenter callback (the context has no field)");
    OK(v.kernel_ss == FLAT_KERNEL_SS && v.kernel_sp == c.kernel_sp, "initialise: kernel_ss (RPL 3), kernel_sp");
    OK(v.kernel_mode && !v.user_pt_present, "initialise: kernel mode, no user page table yet");
    EQ(vi.evtchn_upcall_mask, 1, "initialise: events still masked");
}

/* The LDT: what hv installs, and which selectors it can reload on switch-in. */
static void ldt_rules(void)
{
    const uint64_t data3 = 0x00cff3000000ffffull, data0 = 0x00cf93000000ffffull;
    const uint64_t code_xo = 0x00af9b000000ffffull & ~(1ull << 41), conf = 0x00cf9f000000ffffull;
    const uint64_t gate = 0x0000ec0000000000ull, absent = 0x00cf73000000ffffull;
    uint64_t ldt[4] = { data3, absent, code_xo, 0x00cffb000000ffffull };

    EQ(hv_fixup_ldt_desc(data3), data3, "ldt: a DPL 3 data descriptor is kept");
    EQ(hv_fixup_ldt_desc(data0), data3, "ldt: DPL 0 data gets DPL 3");
    EQ(hv_fixup_ldt_desc(conf), 0, "ldt: conforming code is dropped");
    EQ(hv_fixup_ldt_desc(gate), 0, "ldt: a system descriptor (call gate) is dropped");
    EQ(hv_fixup_ldt_desc(absent), absent, "ldt: a not-present descriptor is kept as is");

    OK(hv_sel_loadable(0, ldt, 4) && hv_sel_loadable(3, ldt, 4), "reload: null selectors");
    OK(hv_sel_loadable(FLAT_RING3_DS32, ldt, 4) && hv_sel_loadable(FLAT_RING3_CS64, ldt, 4),
       "reload: Xen's flat ring-3 selectors");
    OK(!hv_sel_loadable(0xe010, ldt, 4), "reload: another GDT selector (hv's own data) is not");
    OK(hv_sel_loadable((0 << 3) | 7, ldt, 4), "reload: LDT slot 0, data");
    OK(!hv_sel_loadable((1 << 3) | 7, ldt, 4), "reload: LDT slot 1, not present: no");
    OK(!hv_sel_loadable((2 << 3) | 7, ldt, 4), "reload: LDT slot 2, execute-only code: no");
    OK(hv_sel_loadable((3 << 3) | 7, ldt, 4), "reload: LDT slot 3, readable code");
    OK(!hv_sel_loadable((0 << 3) | 7, ldt, 0), "reload: an LDT selector with no LDT: no (failsafe)");
    OK(!hv_sel_loadable((4 << 3) | 7, ldt, 4), "reload: past the LDT's end: no");
}

/*
 * GDTs (Xen 4.17 pv/descriptor-tables.c): check_descriptor's call gates,
 * a page validated in place, set_gdt's argument checks, which frames can
 * take the descriptor-page type, and what a descriptor page refuses.
 */
static uint64_t gate64(unsigned int sel, unsigned int dpl)
{
    /* offset 0x80001000 (low half), present 64-bit call gate */
    return 0x1000ull | ((uint64_t)sel << 16) | (0x8000ull << 32) | (12ull << 40) |
           ((uint64_t)dpl << 45) | (1ull << 47);
}

static void gdt_rules(void)
{
    struct oracle_state s;
    struct hv_page_oracle o;
    struct fixture fx;
    uint64_t d, page[512], frames[HV_GDT_MAX_FRAMES];
    uint8_t *arg;

    d = gate64(0xe033, 3);
    OK(hv_check_descriptor(&d) && d == (gate64(0xe033, 0)),
       "gate: to FLAT_KERNEL_CS, DPL 3: accepted, DPL 0, selector RPL 3");
    d = gate64(0x10, 0);
    OK(hv_check_descriptor(&d) && d == gate64(0x13, 0),
       "gate: to a guest GDT selector, DPL 0: accepted, DPL 3 kept in the selector's RPL");
    d = gate64(0x1ff8, 1);
    OK(hv_check_descriptor(&d) && d == gate64(0x1ffb, 0), "gate: to the last guest GDT entry (0xdff8): accepted");
    d = gate64(0x0c, 3);
    OK(hv_check_descriptor(&d) && d == gate64(0x0f, 0), "gate: to an LDT selector: accepted");
    d = gate64(0xe008, 3);
    OK(!hv_check_descriptor(&d), "gate: to hv's own code 0xe008: refused");
    d = gate64(0xe023, 3);
    OK(!hv_check_descriptor(&d), "gate: to FLAT_RING3_CS32 0xe023 (not FLAT_KERNEL_CS): refused");
    d = gate64(0xe000, 3);
    OK(!hv_check_descriptor(&d), "gate: to the first reserved entry 0xe000: refused");
    d = gate64(0xe033, 3) | (1ull << 32);
    OK(!hv_check_descriptor(&d), "gate: a reserved bit (high word bit 0) set: refused");
    d = gate64(0xe033, 3) | (0x80ull << 32);
    OK(!hv_check_descriptor(&d), "gate: a reserved bit (high word bit 7) set: refused");
    d = (gate64(0xe033, 3) & ~(15ull << 40)) | (14ull << 40);
    OK(!hv_check_descriptor(&d), "gate: an interrupt gate: refused");
    d = (gate64(0xe033, 3) & ~(15ull << 40)) | (15ull << 40);
    OK(!hv_check_descriptor(&d), "gate: a trap gate: refused");
    d = (gate64(0xe033, 3) & ~(15ull << 40)) | (4ull << 40);
    OK(!hv_check_descriptor(&d), "gate: a 16-bit call gate: refused");
    d = 0x0000800012345678ull;
    OK(hv_check_descriptor(&d) && d == 0x0000800012345678ull,
       "system type 0, present (a gate's second half): accepted unchanged, DPL 0 kept");
    d = 0x00cf93000000ffffull;
    OK(hv_check_descriptor(&d) && d == 0x00cff3000000ffffull, "data DPL 0: DPL raised to 3");

    /* A page: fixed up in place up to the first refused entry. */
    memset(page, 0, sizeof(page));
    page[1] = 0x00cf93000000ffffull;
    page[2] = gate64(0xe033, 3);
    page[3] = 0;
    OK(hv_check_desc_page(page) && page[1] == 0x00cff3000000ffffull && page[2] == gate64(0xe033, 0),
       "page: data and a gate with its second half: valid, fixed up in place");
    page[5] = 0x0000890000000067ull;            /* a TSS */
    page[6] = 0x00cf93000000ffffull;
    page[1] = 0x00cf93000000ffffull;
    OK(!hv_check_desc_page(page), "page: a TSS at entry 5: refused");
    OK(page[1] == 0x00cff3000000ffffull && page[6] == 0x00cf93000000ffffull,
       "page: entries before the refused one fixed up, those after untouched (as Xen's in-place audit)");
    memset(page, 0, sizeof(page));
    page[511] = gate64(0xe008, 3);
    OK(!hv_check_desc_page(page), "page: a bad gate in the last entry: refused");

    /* set_gdt's own checks, then the frames' types. */
    fixture_init(&fx);
    arg = fake_mem_add(&fx.fm, ARG_VA, 0x1000, false);
    memset(arg, 0, 0x1000);
    ((uint64_t *)arg)[0] = 5;
    ((uint64_t *)arg)[1] = 6;
    EQ(hv_check_set_gdt(&fx.m, ARG_VA, HV_GDT_MAX_ENTRIES + 1, frames), -XEN_EINVAL,
       "set_gdt: 7169 entries -> EINVAL");
    EQ(hv_check_set_gdt(&fx.m, ARG_VA + 0x1000, 1, frames), -XEN_EFAULT, "set_gdt: unreadable list -> EFAULT");
    EQ(hv_check_set_gdt(&fx.m, ARG_VA + 0x1000, 0, frames), 0, "set_gdt: 0 entries reads no list -> 0");
    OK(hv_check_set_gdt(&fx.m, ARG_VA, 513, frames) == 0 && frames[0] == 5 && frames[1] == 6,
       "set_gdt: 513 entries: two frames read");
    EQ(hv_check_set_gdt(&fx.m, ARG_VA + 0xff8, 513, frames), -XEN_EFAULT,
       "set_gdt: the second frame number past the readable page -> EFAULT");
    fixture_free(&fx);

    oracle_init(&s, &o);
    s.type[F_RAM + 1] = HV_PAGE_SEG_DESC;
    EQ(hv_gdt_frame_ok(F_RAM, &o), 0, "gdt frame: plain RAM: to be validated");
    EQ(hv_gdt_frame_ok(F_RAM + 1, &o), 1, "gdt frame: a descriptor page already: another reference");
    EQ(hv_gdt_frame_ok(F_RAMW, &o), -XEN_EINVAL, "gdt frame: mapped writable -> EINVAL");
    EQ(hv_gdt_frame_ok(F_L1, &o), -XEN_EINVAL, "gdt frame: an L1 table -> EINVAL");
    EQ(hv_gdt_frame_ok(F_L4, &o), -XEN_EINVAL, "gdt frame: an L4 table -> EINVAL");
    EQ(hv_gdt_frame_ok(F_HV, &o), -XEN_EINVAL, "gdt frame: hv memory -> EINVAL");
    EQ(hv_gdt_frame_ok(F_BAD, &o), -XEN_EINVAL, "gdt frame: not a frame of the domain -> EINVAL");

    /* While it is a GDT frame. */
    EQ(hv_check_pte(1, 0, PTE(F_RAM + 1, P | RW), &o), -XEN_EBUSY, "descriptor page: writable L1 entry -> EBUSY");
    EQ(hv_check_pte(1, 0, PTE(F_RAM + 1, P), &o), 0, "descriptor page: read-only L1 entry -> 0");
    EQ(hv_check_pte(2, 0, PTE(F_RAM + 1, P), &o), -XEN_EINVAL, "descriptor page as an L1 table -> EINVAL");
    EQ(hv_check_update_va_mapping(0x400000, PTE(F_RAM + 1, P | RW), UVMF_INVLPG, &o), -XEN_EBUSY,
       "descriptor page: update_va_mapping writable -> EBUSY");
    EQ(mmu(&o, F_RAM + 1, 3, MMU_NORMAL_PT_UPDATE, 0x00cff3000000ffffull), -XEN_EINVAL,
       "descriptor page: mmu_update into it -> EINVAL (Xen 4.17 has no case for it)");
    EQ(mmu(&o, F_RAM, 3, MMU_NORMAL_PT_UPDATE, 0x1234), 0, "plain RAM: mmu_update into it -> 0");
    struct mmuext_op op;
    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_PIN_L1_TABLE;
    op.arg1.mfn = F_RAM + 1;
    EQ(hv_check_mmuext_op(&op, &o), -XEN_EINVAL, "descriptor page: pin as L1 -> EINVAL");
    op.cmd = MMUEXT_NEW_BASEPTR;
    EQ(hv_check_mmuext_op(&op, &o), -XEN_EINVAL, "descriptor page: NEW_BASEPTR -> EINVAL");
    d = 0x00cf93000000ffffull;
    OK(hv_check_update_descriptor(((uint64_t)(F_RAM + 1) << 12) + 8, &d, &o) == 0 && d == 0x00cff3000000ffffull,
       "update_descriptor: into a descriptor page -> 0, DPL raised");
    d = gate64(0xe033, 3);
    OK(hv_check_update_descriptor(((uint64_t)F_RAM << 12) + 16, &d, &o) == 0 && d == gate64(0xe033, 0),
       "update_descriptor: a call gate -> 0, stored with DPL 0");
    d = gate64(0xe008, 3);
    EQ(hv_check_update_descriptor(((uint64_t)F_RAM << 12) + 16, &d, &o), -XEN_EINVAL,
       "update_descriptor: a gate to hv's code -> EINVAL");
    d = 0;
    EQ(hv_check_update_descriptor(((uint64_t)F_L1 << 12), &d, &o), -XEN_EINVAL,
       "update_descriptor: into a page table -> EINVAL");
    EQ(hv_check_update_descriptor(((uint64_t)F_RAM << 12) + 4, &d, &o), -XEN_EINVAL,
       "update_descriptor: misaligned -> EINVAL");
}

void test_hcheck(void)
{
    tap_diag("hypercall argument validation");
    memory_rules();
    vcpu_rules();
    nmi_hypercall_rules();
    vcpu_context_rules();
    ldt_rules();
    gdt_rules();
}
