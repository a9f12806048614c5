/*
 * hv/core/hypercall_check.h - argument validation (and vCPU bookkeeping) for
 * the hypercalls hv implements.  Pure logic: no page tables touched.
 *
 * ABI carried: HYPERVISOR_set_trap_table, HYPERVISOR_callback_op,
 * HYPERVISOR_stack_switch (Documentation/pv-abi.md sections 4, 6, 7), and the
 * safety rules of HYPERVISOR_mmu_update / HYPERVISOR_mmuext_op /
 * HYPERVISOR_update_va_mapping: "a guest may not map hypervisor memory or
 * make its page tables writable", over an abstract page-type oracle.
 *
 * All functions return 0 or a negative Xen errno (-XEN_EINVAL, ... from
 * <xen/errno.h>), exactly what the hypercall returns to the guest.
 */
#ifndef HV_HYPERCALL_CHECK_H
#define HV_HYPERCALL_CHECK_H

#include "vcpu.h"
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/errno.h>
#include <xen/nmi.h>
#include <xen/vcpu.h>

/* ---- trap table, callbacks, kernel stack ---- */

/*
 * HYPERVISOR_set_trap_table(gva): gva == 0 clears the whole table;
 * otherwise reads struct trap_info entries from guest memory until one
 * with address 0, storing each at trap_ctxt[entry.vector] (other vectors
 * are left alone).  A non-canonical address -> -XEN_EINVAL (entries before
 * it stay set, as in Xen); unreadable guest memory -> -XEN_EFAULT.
 * A CS with RPL 0 is stored with RPL 3 (guest code always runs in ring 3).
 *
 * At most `max` entries are taken per call (Xen checks for preemption at
 * every entry): when the table goes on past them the call returns
 * HV_TRAP_TABLE_MORE with *next the address of the next entry, and the
 * platform restarts the hypercall there (a continuation), so a guest's
 * endless table costs hv a bounded amount of work per entry into hv.
 */
#define HV_TRAP_TABLE_MORE 1
int hv_do_set_trap_table(struct hv_vcpu *v, const struct hv_guest_mem *m,
                         uint64_t gva, unsigned int max, uint64_t *next);

/* One entry's check (non-canonical address -> -XEN_EINVAL). */
int hv_check_trap_info(const struct trap_info *ti);

/*
 * HYPERVISOR_callback_op(cmd, gva of struct callback_register /
 * callback_unregister).  As Xen:
 *  register: non-canonical address -> -XEN_EINVAL; types event, failsafe,
 *    syscall, syscall32, sysenter, nmi; CALLBACKF_mask_events honoured for
 *    failsafe/syscall/syscall32/sysenter; nmi goes to trap_ctxt[2] with
 *    TI_GET_IF set (and makes an NMI pending if *v->nmi_reason != 0, as
 *    Xen re-asserts an edge lost while none was registered); unknown type
 *    -> -XEN_ENOSYS.  Address 0 is accepted and means "not registered"
 *    (that is how a guest removes one).
 *  unregister: only CALLBACKTYPE_nmi (clears trap_ctxt[2]); event,
 *    failsafe, syscall, syscall32, sysenter -> -XEN_EINVAL; unknown
 *    -> -XEN_ENOSYS.
 *  unknown cmd -> -XEN_ENOSYS; unreadable argument -> -XEN_EFAULT.
 */
int hv_do_callback_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                      unsigned int cmd, uint64_t gva);

/* The same on an already-copied argument. */
int hv_callback_register(struct hv_vcpu *v, const struct callback_register *r);
int hv_callback_unregister(struct hv_vcpu *v,
                           const struct callback_unregister *u);

/*
 * The virtual NMI's hypercalls (Xen 4.17 arch/x86/domain.c
 * do_vcpu_op, pv/callback.c do_nmi_op).
 *
 * HYPERVISOR_vcpu_op(cmd, vcpuid, arg), for hv's one vCPU (id 0).  Xen's
 * prototype takes `int cmd, unsigned int vcpuid`: the platform passes the
 * registers truncated to 32 bits, as Xen's dispatch does.
 *  vcpuid != 0 (any cmd)               -> -XEN_ENOENT (domain_vcpu: none)
 *  VCPUOP_send_nmi, arg != NULL        -> -XEN_EINVAL
 *  VCPUOP_send_nmi                     -> 0, v->nmi_pending = true (a send
 *                                         while one is pending adds none)
 *  any other cmd                       -> -XEN_ENOSYS (hv has no vCPU
 *                                         timers, runstate, up/down, ...)
 * The NMI is delivered by hv_deliver_pending on the way back.
 */
int hv_do_vcpu_op(struct hv_vcpu *v, int cmd, unsigned int vcpuid,
                  uint64_t arg);

/*
 * VCPUOP_initialise: load a fresh vCPU (hv_vcpu_init first) from a
 * struct vcpu_guest_context, as Xen 4.17's arch_set_info_guest does for a
 * PV64 vCPU:
 *  - any non-canonical address (rip, rsp, kernel_sp, fs/gs bases, the
 *    event/syscall/failsafe callbacks, a trap_ctxt entry) -> -XEN_EINVAL,
 *    and nothing is changed;
 *  - not VGCF_in_kernel with no user page table (ctrlreg[1]) -> -XEN_EINVAL;
 *  - selectors with RPL 0 (cs, ss, kernel_ss, trap_ctxt[].cs) get RPL 3;
 *  - rflags' IOPL becomes the virtual IOPL;
 *  - VGCF_failsafe_disables_events / VGCF_syscall_disables_events are the
 *    CALLBACKF_mask_events of those two callbacks;
 *  - trap_ctxt[] (slot 2 is the NMI callback), event/failsafe/syscall
 *    callbacks, kernel_ss/kernel_sp and the mode are loaded.  The context
 *    has no syscall32, sysenter or NMI-callback field: those stay unset.
 * hv takes no LDT here: ldt_ents != 0 -> -XEN_EINVAL.  More GDT frames
 * than gdt_frames[] holds (gdt_ents above 16 * 512) -> -XEN_EINVAL, as
 * Xen; the GDT itself (gdt_frames, gdt_ents: hv_check_gdt_ents, then
 * the frames typed as for HYPERVISOR_set_gdt) and the page tables
 * (ctrlreg[3], ctrlreg[1]) are the platform's.
 */
int hv_vcpu_set_context(struct hv_vcpu *v, const struct vcpu_guest_context *c);

/*
 * HYPERVISOR_nmi_op(cmd, gva of struct xennmi_callback): the older way to
 * the same trap_ctxt[2].  XENNMI_register_callback: unreadable argument
 * -> -XEN_EFAULT, then as CALLBACKOP_register of CALLBACKTYPE_nmi (pad
 * ignored); XENNMI_unregister_callback: clears it (no argument read), 0;
 * anything else -> -XEN_ENOSYS.
 */
int hv_do_nmi_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                 unsigned int cmd, uint64_t gva);

/* HYPERVISOR_stack_switch(ss, esp): records kernel_ss (RPL forced to 3)
 * and kernel_sp.  Always 0, as Xen (no check on the stack). */
int hv_do_stack_switch(struct hv_vcpu *v, uint64_t ss, uint64_t esp);

/* ---- memory: the page-type oracle ---- */

/* What a machine frame is, from the guest's point of view. */
#define HV_PAGE_INVALID 0 /* no such frame for this guest (beyond RAM, MMIO) */
#define HV_PAGE_HV      1 /* exists but is hypervisor memory                  */
#define HV_PAGE_RAM     2 /* guest RAM with no page-table type               */
#define HV_PAGE_L1      3 /* a validated page table of level 1 .. 4          */
#define HV_PAGE_L2      4
#define HV_PAGE_L3      5
#define HV_PAGE_L4      6
#define HV_PAGE_SEG_DESC 7 /* a validated descriptor page: some vCPU's GDT
                              (Xen's PGT_seg_desc_page); never writable   */
#define HV_PAGE_LEVEL(t) ((t) >= HV_PAGE_L1 && (t) <= HV_PAGE_L4 ? (t) - HV_PAGE_L1 + 1 : 0)
#define HV_PAGE_OF_LEVEL(l) (HV_PAGE_L1 + (l) - 1)

/*
 * The platform answers these about its own frame accounting.  Pages the
 * guest is allowed to map although hv allocated them (shared_info, the
 * start_info page, ...) must be reported as HV_PAGE_RAM.
 */
struct hv_page_oracle {
    void *ctx;
    unsigned int (*type)(void *ctx, uint64_t mfn);  /* HV_PAGE_*          */
    bool (*writable)(void *ctx, uint64_t mfn);       /* some guest PTE maps
                                                        it with RW set      */
    bool (*pinned)(void *ctx, uint64_t mfn);
};

/* PTE bits (architectural). */
#define HV_PTE_P     (1ull << 0)
#define HV_PTE_RW    (1ull << 1)
#define HV_PTE_US    (1ull << 2)
#define HV_PTE_PWT   (1ull << 3)
#define HV_PTE_PCD   (1ull << 4)
#define HV_PTE_A     (1ull << 5)
#define HV_PTE_D     (1ull << 6)
#define HV_PTE_PSE   (1ull << 7)   /* PAT in an L1 entry */
#define HV_PTE_G     (1ull << 8)
#define HV_PTE_NX    (1ull << 63)
#define HV_PTE_ADDR  0x000ffffffffff000ull
#define HV_PTE_MFN(pte) (((pte) & HV_PTE_ADDR) >> 12)

/* L4 slots that belong to the hypervisor (Xen: 256..271,
 * HYPERVISOR_VIRT_START..END).  Guests may not write them. */
#define HV_L4_FIRST_HV_SLOT 256
#define HV_L4_LAST_HV_SLOT  271

/*
 * Check writing val into slot `slot` of a page table of level `level`
 * (1..4).  Non-present entries are always fine (except L4 hv slots).
 * Rules (error codes as Xen's mm.c):
 *  - L4 slot in 256..271                          -> -XEN_EINVAL
 *  - reserved/unsupported flag bits set (L1: bits 52-62 other than the
 *    available ones are fine; PSE in L2/L3: no superpages) -> -XEN_EINVAL
 *  - L1 entry: target HV_PAGE_INVALID            -> -XEN_EPERM
 *              target HV_PAGE_HV                 -> -XEN_EBUSY
 *              RW set and target is a page table
 *              or a descriptor page              -> -XEN_EBUSY
 *  - L2-L4 entry: target must be HV_PAGE_L(level-1), or HV_PAGE_RAM not
 *    mapped writable (it becomes that table once the platform validates
 *    it), or - a linear entry - a table of the same level with RW clear
 *    (then the platform also asks hv_check_linear); anything else
 *                                                -> -XEN_EINVAL
 */
int hv_check_pte(unsigned int level, unsigned int slot, uint64_t val,
                 const struct hv_page_oracle *o);

/*
 * Linear (recursive) page tables, as Xen 4.17 with pv-linear-pt (its
 * default; mm.c get_l{2,3,4}_linear_pagetable): an entry of a level-N
 * table (N = 2..4) may map a validated level-N table, the table itself
 * or another, only without RW, so every address reached through it is
 * read-only.  Only a one-step chain is allowed: each table carries a
 * count, > 0 the linear entries it holds to other tables, < 0 the linear
 * entries elsewhere that map it; the table holding the entry must not be
 * mapped linearly itself (table_linear >= 0), the target must hold none
 * (target_linear <= 0), and neither count may reach HV_LINEAR_MAX.
 * An entry mapping its own table takes no reference and counts nothing.
 * 0 or -XEN_EINVAL (Xen's answer when the entry fails both as a
 * next-level table and as a linear one).
 */
#define HV_LINEAR_MAX 0x7fff
int hv_check_linear(uint64_t table_mfn, uint64_t val, int table_linear, int target_linear);

/*
 * The read-only M2P's L4 slot (MACH2PHYS_VIRT_START, slot 256), as Xen
 * 4.17 keeps it with and without VMASST_TYPE_m2p_strict (mm.c
 * promote_l4_table, new_guest_cr3, MMUEXT_NEW_USER_BASEPTR,
 * arch_set_info_guest).  What happens to the slot of the L4 concerned:
 *   an L4 validated           strict: filled      else: empty
 *   NEW_BASEPTR, or a vCPU's
 *   kernel table (initialise) strict: unchanged   else: filled
 *   NEW_USER_BASEPTR, or a
 *   vCPU's user table         strict: emptied     else: unchanged
 * (the builder's first L4 is filled, as Xen's dom0 builder and
 * toolstack leave it).  So without m2p_strict user mode sees the M2P
 * only through an L4 that has served as a kernel table; with it, never.
 */
enum hv_m2p_event { HV_M2P_VALIDATED, HV_M2P_KERNEL_BASE, HV_M2P_USER_BASE };
enum hv_m2p_slot { HV_M2P_UNCHANGED, HV_M2P_FILL, HV_M2P_EMPTY };
enum hv_m2p_slot hv_m2p_slot(enum hv_m2p_event ev, bool strict);

/* A decoded mmu_update request. */
struct hv_mmu_req {
    unsigned int cmd;        /* MMU_NORMAL_PT_UPDATE, ...                  */
    uint64_t     table_mfn;  /* frame of the page table being written (for
                                MMU_MACHPHYS_UPDATE: the frame whose M2P
                                entry is set)                              */
    unsigned int slot;       /* entry index 0..511                         */
    unsigned int level;      /* 1..4, or 0 = a plain RAM page (plain write) */
    uint64_t     val;
};

/*
 * One struct mmu_update.  Decodes into *d and checks:
 *  - cmd MMU_MACHPHYS_UPDATE: table_mfn is ptr >> 12, the frame whose
 *    M2P entry becomes val; a frame not the domain's (HV_PAGE_INVALID /
 *    HV_PAGE_HV)                                   -> -XEN_EINVAL
 *  - any other unknown cmd                         -> -XEN_ENOSYS;
 *    NORMAL / PRESERVE_AD / NO_TRANSLATE handled alike
 *  - ptr not 8-byte aligned                        -> -XEN_EINVAL
 *  - table frame HV_PAGE_INVALID / HV_PAGE_HV      -> -XEN_EINVAL
 *  - table frame HV_PAGE_SEG_DESC (a GDT's)         -> -XEN_EINVAL (Xen
 *    4.17's do_mmu_update has no case for a descriptor page; only
 *    update_descriptor writes one)
 *  - table frame HV_PAGE_RAM: a plain write (level 0), accepted
 *  - table frame L1..L4: hv_check_pte()
 */
int hv_check_mmu_update(const struct mmu_update *req,
                        const struct hv_page_oracle *o,
                        struct hv_mmu_req *d);

/*
 * One struct mmuext_op:
 *  - PIN_L1..L4_TABLE: frame not guest RAM (INVALID/HV), mapped writable,
 *    already typed as another level, or already pinned -> -XEN_EINVAL
 *  - UNPIN_TABLE: frame not guest RAM or not pinned  -> -XEN_EINVAL
 *  - NEW_BASEPTR: an L4, or RAM not mapped writable (to be validated as
 *    an L4, as Xen's new_guest_cr3 does)              else -XEN_EINVAL
 *  - NEW_USER_BASEPTR: 0 (none), or as NEW_BASEPTR    else -XEN_EINVAL
 *  - TLB_FLUSH_LOCAL, INVLPG_LOCAL (any address): 0
 *  - SET_LDT: linear_addr not page-aligned, nr_ents > 8192, or (with
 *    entries) a range that is not canonical or reaches hypervisor space
 *                                                     -> -XEN_EINVAL
 *  - anything else                                    -> -XEN_ENOSYS
 * (Pinning and the base pointers only check the frame; the platform then
 * validates each entry of a table not yet typed with hv_check_pte before
 * typing it, and answers the first entry's refusal.)
 */
/*
 * The guest's LDT (MMUEXT_SET_LDT).  hv takes a copy of the descriptors
 * when the LDT is set (Xen maps the guest's read-only pages instead).
 * hv_fixup_ldt_desc gives the descriptor hv installs for one the guest
 * wrote: not present: as is; a system descriptor or conforming code: 0
 * (unusable); code or data: DPL 3 (as Xen raises a DPL below the guest
 * kernel's ring).
 * hv_sel_loadable: can a data selector be loaded when hv switches a vCPU
 * back in (Xen's load_segments)?  Null: yes; a GDT selector: only Xen's
 * flat ring-3 ones; an LDT selector: inside ents, present, data or
 * readable code.  One that cannot is loaded as null and raises the
 * failsafe callback.
 */
uint64_t hv_fixup_ldt_desc(uint64_t d);
bool hv_desc_loadable(uint64_t d);      /* present, data or readable code */
bool hv_sel_loadable(uint16_t sel, const uint64_t *ldt, unsigned int ents);

int hv_check_mmuext_op(const struct mmuext_op *op,
                       const struct hv_page_oracle *o);

/*
 * HYPERVISOR_update_va_mapping(va, val, flags): va must be canonical and
 * outside HYPERVISOR_VIRT_START..END (-XEN_EINVAL); val is checked as an
 * L1 entry (hv_check_pte level 1); flags: UVMF_NONE / TLB_FLUSH / INVLPG
 * with UVMF_LOCAL or UVMF_ALL, else -XEN_EINVAL.
 */
int hv_check_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags,
                               const struct hv_page_oracle *o);

/* ---- descriptor tables ---- */

/* Xen's FIRST_RESERVED_GDT_ENTRY: a guest GDT has at most 14 pages. */
#define HV_GDT_MAX_ENTRIES (14 * 512)
#define HV_GDT_MAX_FRAMES  14

/*
 * One guest descriptor, as Xen 4.17's check_descriptor() audits it for a
 * PV64 guest (pv/descriptor-tables.c): HYPERVISOR_set_gdt (every entry of
 * every frame), HYPERVISOR_update_descriptor, VCPUOP_initialise's GDT.
 *  - not present: accepted as is (loading it faults anyway);
 *  - code or data (S set): accepted, a DPL below 3 raised to 3;
 *  - system, type 0 (the second half of a 64-bit gate): accepted as is;
 *  - a 64-bit call gate (type 12) whose target selector is a guest GDT
 *    one (index below 0xe000 >> 3), FLAT_KERNEL_CS (0xe033) or any LDT
 *    one, with bits 0-7 of its high word (reserved) clear: accepted
 *    with its DPL moved into the target selector's RPL (raised to 3
 *    like any DPL) and the DPL itself made 0, so that a far call
 *    through it is #GP(gate) for the hypervisor to emulate;
 *  - anything else (TSS, LDT, interrupt/trap gates, other selectors):
 *    refused.
 * True when *d may go into a guest descriptor table; *d is then the value
 * to store (Xen writes its fixups into the guest's frame).
 */
bool hv_check_descriptor(uint64_t *d);

/*
 * A whole descriptor page as Xen validates one becoming a GDT frame
 * (validate_segdesc_page): each entry hv_check_descriptor()ed in order
 * and fixed up in place, stopping at the first refused one (the entries
 * before it stay fixed up, as in Xen).  True if all 512 pass.
 */
bool hv_check_desc_page(uint64_t desc[512]);

/*
 * HYPERVISOR_set_gdt(frame_list, entries), the checks before any frame
 * is looked at: entries above HV_GDT_MAX_ENTRIES -> -XEN_EINVAL; the
 * frame list unreadable -> -XEN_EFAULT.  frames[] gets the
 * (entries + 511) / 512 frames.  Each frame must then be one of the
 * domain's that can take the descriptor-page type (hv_gdt_frame_ok).
 */
int hv_check_set_gdt(const struct hv_guest_mem *m, uint64_t frame_list,
                     unsigned int entries, uint64_t frames[HV_GDT_MAX_FRAMES]);

/*
 * Can this frame become (another) GDT frame, as Xen's
 * get_page_and_type(PGT_seg_desc_page)?  HV_PAGE_SEG_DESC already: yes,
 * no new validation; plain RAM not mapped writable: yes, once
 * hv_check_desc_page() passes; anything else (not the domain's, a page
 * table, mapped writable, a page hv shares) -> -XEN_EINVAL.  1: already a
 * descriptor page, 0: to be validated, or the error.
 */
int hv_gdt_frame_ok(uint64_t mfn, const struct hv_page_oracle *o);

/*
 * HYPERVISOR_update_descriptor(maddr, desc): maddr not 8-aligned, or
 * the descriptor refused -> -XEN_EINVAL; the frame not the domain's, or
 * a page table -> -XEN_EINVAL.  Plain RAM or a descriptor page (a GDT's)
 * is written.  *desc is the value to write (fixed up).
 */
int hv_check_update_descriptor(uint64_t maddr, uint64_t *desc,
                               const struct hv_page_oracle *o);

#endif /* HV_HYPERCALL_CHECK_H */
