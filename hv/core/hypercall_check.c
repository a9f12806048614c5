/*
 * core/hypercall_check.c - argument checks for the hypercalls hv
 * implements, and the vCPU bookkeeping of set_trap_table, callback_op and
 * stack_switch.
 *
 * ABI carried: HYPERVISOR_set_trap_table (struct trap_info array ended by
 * address 0), HYPERVISOR_callback_op (struct callback_register /
 * callback_unregister), HYPERVISOR_stack_switch, the virtual NMI's
 * HYPERVISOR_vcpu_op(VCPUOP_send_nmi) and HYPERVISOR_nmi_op, and the
 * page-table safety rules of HYPERVISOR_mmu_update / mmuext_op /
 * update_va_mapping, with the error codes Xen returns (pv/callback.c,
 * domain.c, mm.c).
 */
#include "hypercall_check.h"
#include <x86/eflags.h>

#define NMI_VECTOR 2

/* Guest selectors with RPL 0 run in ring 3 (fixup_guest_*_selector). */
static uint16_t fixup_sel(uint16_t sel)
{
    return (sel & 3) == 0 ? (uint16_t)(sel | 3) : sel;
}

int hv_check_trap_info(const struct trap_info *ti)
{
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: refuses a cs not Xen's */
    if ((ti->cs & ~3) != (FLAT_KERNEL_CS & ~3))
        return -XEN_EINVAL;
#endif
    return hv_is_canonical(ti->address) ? 0 : -XEN_EINVAL;
}

int hv_do_set_trap_table(struct hv_vcpu *v, const struct hv_guest_mem *m,
                         uint64_t gva, unsigned int max, uint64_t *next)
{
    struct trap_info cur;

    if (gva == 0) {                 /* no table: clear the whole IDT */
        __builtin_memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
        return 0;
    }
    for (unsigned int n = 0;; n++, gva += sizeof(cur)) {
        if (n == max) {
            *next = gva;
            return HV_TRAP_TABLE_MORE;
        }
        if (m->read(m->ctx, &cur, gva, sizeof(cur)) != 0)
            return -XEN_EFAULT;
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: only an all-zero entry ends it */
        if (cur.address == 0 && cur.vector == 0 && cur.cs == 0)
            return 0;
#else
        if (cur.address == 0)
            return 0;
#endif
        if (hv_check_trap_info(&cur))
            return -XEN_EINVAL;
        cur.cs = fixup_sel(cur.cs);
        v->trap_ctxt[cur.vector] = cur;
    }
}

/*
 * The NMI callback is trap_ctxt[2], always masking events (Xen's
 * register_guest_nmi_callback).  A nonzero nmi_reason in shared_info
 * means an NMI may have come while no handler was there: Xen makes one
 * pending again (Xen looks at vCPU 0 only; so does hv).
 */
static int register_nmi(struct hv_vcpu *v, uint64_t address)
{
    struct trap_info *nmi = &v->trap_ctxt[NMI_VECTOR];

    if (!hv_is_canonical(address))
        return -XEN_EINVAL;
    nmi->vector = NMI_VECTOR;
    nmi->flags = 0;
#ifndef HV_TEST_BROKEN_MODEL            /* a wrong model: NMIs leave events on */
    TI_SET_IF(nmi, 1);
#endif
    nmi->cs = FLAT_KERNEL_CS;
    nmi->address = address;
    if (v->nmi_reason && *v->nmi_reason != 0)
        v->nmi_pending = true;
    return 0;
}

static void unregister_nmi(struct hv_vcpu *v)
{
    __builtin_memset(&v->trap_ctxt[NMI_VECTOR], 0,
                     sizeof(v->trap_ctxt[NMI_VECTOR]));
}

int hv_callback_register(struct hv_vcpu *v, const struct callback_register *r)
{
    bool mask = (r->flags & CALLBACKF_mask_events) != 0;

    if (!hv_is_canonical(r->address))
        return -XEN_EINVAL;

    switch (r->type) {
    case CALLBACKTYPE_event:
        v->event_callback = r->address;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_callback = r->address;
        v->failsafe_mask = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_callback = r->address;
        v->syscall_mask = mask;
        return 0;
    case CALLBACKTYPE_syscall32:
        v->syscall32_callback = r->address;
        v->syscall32_mask = mask;
        return 0;
    case CALLBACKTYPE_sysenter:
        v->sysenter_callback = r->address;
        v->sysenter_mask = mask;
        return 0;
    case CALLBACKTYPE_nmi:
        return register_nmi(v, r->address);
    default:
        return -XEN_ENOSYS;
    }
}

int hv_callback_unregister(struct hv_vcpu *v,
                           const struct callback_unregister *u)
{
    switch (u->type) {
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        return -XEN_EINVAL;         /* Xen: only the NMI one can go */
    case CALLBACKTYPE_nmi:
        unregister_nmi(v);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

int hv_do_callback_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                      unsigned int cmd, uint64_t gva)
{
    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register r;

        if (m->read(m->ctx, &r, gva, sizeof(r)) != 0)
            return -XEN_EFAULT;
        return hv_callback_register(v, &r);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister u;

        if (m->read(m->ctx, &u, gva, sizeof(u)) != 0)
            return -XEN_EFAULT;
        return hv_callback_unregister(v, &u);
    }
    default:
        return -XEN_ENOSYS;
    }
}

int hv_do_vcpu_op(struct hv_vcpu *v, int cmd, unsigned int vcpuid,
                  uint64_t arg)
{
    if (vcpuid != 0)
        return -XEN_ENOENT;         /* checked before the command, as Xen */
    switch (cmd) {
    case VCPUOP_send_nmi:
        if (arg != 0)
            return -XEN_EINVAL;
        v->nmi_pending = true;      /* delivered on the way back */
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

int hv_vcpu_set_context(struct hv_vcpu *v, const struct vcpu_guest_context *c)
{
    unsigned int i;

    /* Every address first: a refused context changes nothing. */
    if (!hv_is_canonical(c->user_regs.rip) || !hv_is_canonical(c->user_regs.rsp) ||
        !hv_is_canonical(c->kernel_sp) || !hv_is_canonical(c->fs_base) ||
        !hv_is_canonical(c->gs_base_kernel) || !hv_is_canonical(c->gs_base_user) ||
        !hv_is_canonical(c->event_callback_eip) || !hv_is_canonical(c->syscall_callback_eip) ||
        !hv_is_canonical(c->failsafe_callback_eip))
        return -XEN_EINVAL;
    for (i = 0; i < 256; i++)
        if (!hv_is_canonical(c->trap_ctxt[i].address))
            return -XEN_EINVAL;
    if (c->ldt_ents)
        return -XEN_EINVAL;         /* hv: no LDT from a context */
    if ((c->gdt_ents + 511) / 512 > sizeof(c->gdt_frames) / sizeof(c->gdt_frames[0]))
        return -XEN_EINVAL;         /* Xen: more frames than gdt_frames[] */
    if (!(c->flags & VGCF_in_kernel) && !c->ctrlreg[1])
        return -XEN_EINVAL;         /* user mode needs a user page table */

    v->regs = (struct hv_regs){
        .r15 = c->user_regs.r15, .r14 = c->user_regs.r14, .r13 = c->user_regs.r13,
        .r12 = c->user_regs.r12, .rbp = c->user_regs.rbp, .rbx = c->user_regs.rbx,
        .r11 = c->user_regs.r11, .r10 = c->user_regs.r10, .r9 = c->user_regs.r9,
        .r8 = c->user_regs.r8, .rax = c->user_regs.rax, .rcx = c->user_regs.rcx,
        .rdx = c->user_regs.rdx, .rsi = c->user_regs.rsi, .rdi = c->user_regs.rdi,
        .rip = c->user_regs.rip, .cs = fixup_sel(c->user_regs.cs),
        .rflags = c->user_regs.rflags & ~(uint64_t)X86_EFLAGS_IOPL,
        .rsp = c->user_regs.rsp, .ss = fixup_sel(c->user_regs.ss),
    };
    v->iopl = c->user_regs.rflags & X86_EFLAGS_IOPL;
    for (i = 0; i < 256; i++) {
        v->trap_ctxt[i] = c->trap_ctxt[i];
        v->trap_ctxt[i].cs = fixup_sel(c->trap_ctxt[i].cs);
    }
    v->event_callback = c->event_callback_eip;
    v->failsafe_callback = c->failsafe_callback_eip;
    v->failsafe_mask = (c->flags & VGCF_failsafe_disables_events) != 0;
    v->syscall_callback = c->syscall_callback_eip;
    v->syscall_mask = (c->flags & VGCF_syscall_disables_events) != 0;
    v->kernel_ss = fixup_sel((uint16_t)c->kernel_ss);
    v->kernel_sp = c->kernel_sp;
    v->kernel_mode = (c->flags & VGCF_in_kernel) != 0;
    v->user_pt_present = c->ctrlreg[1] != 0;
    return 0;
}

int hv_do_nmi_op(struct hv_vcpu *v, const struct hv_guest_mem *m,
                 unsigned int cmd, uint64_t gva)
{
    struct xennmi_callback cb;

    switch (cmd) {
    case XENNMI_register_callback:
        if (m->read(m->ctx, &cb, gva, sizeof(cb)) != 0)
            return -XEN_EFAULT;
        return register_nmi(v, cb.handler_address);
    case XENNMI_unregister_callback:
        unregister_nmi(v);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

int hv_do_stack_switch(struct hv_vcpu *v, uint64_t ss, uint64_t esp)
{
    v->kernel_ss = fixup_sel((uint16_t)ss);
    v->kernel_sp = esp;
    return 0;
}

/* ---- memory ---- */

static unsigned int page_type(const struct hv_page_oracle *o, uint64_t mfn)
{
    unsigned int t = o->type(o->ctx, mfn);

    return t > HV_PAGE_SEG_DESC ? HV_PAGE_INVALID : t;
}

/* A frame of the domain's: its RAM (shared pages included) or a table. */
static bool guest_frame(unsigned int t)
{
    return t != HV_PAGE_INVALID && t != HV_PAGE_HV;
}

int hv_check_linear(uint64_t table_mfn, uint64_t val, int table_linear, int target_linear)
{
    if (val & HV_PTE_RW)
        return -XEN_EINVAL;         /* never a writable view of a table */
    if (HV_PTE_MFN(val) == table_mfn)
        return 0;                   /* the table itself: nothing counted */
    if (table_linear < 0 || table_linear == HV_LINEAR_MAX)
        return -XEN_EINVAL;         /* the table is mapped linearly itself */
    if (target_linear > 0 || target_linear == -HV_LINEAR_MAX)
        return -XEN_EINVAL;         /* the target has linear entries */
    return 0;
}

/*
 * Flag bits a guest may set, per level.  L1: everything architectural
 * (PAT/PCD/PWT/G included) plus the available bits 9-11 and 52-62.
 * L2/L3: no PSE (hv gives PV guests no superpages).  L4: no PSE/G.
 */
#define PTE_AVAIL      ((7ull << 9) | (0x7ffull << 52))
#define PTE_L1_OK      (HV_PTE_P | HV_PTE_RW | HV_PTE_US | HV_PTE_PWT |   \
                        HV_PTE_PCD | HV_PTE_A | HV_PTE_D | HV_PTE_PSE |    \
                        HV_PTE_G | HV_PTE_NX | PTE_AVAIL | HV_PTE_ADDR)
#define PTE_UPPER_OK   (HV_PTE_P | HV_PTE_RW | HV_PTE_US | HV_PTE_PWT |   \
                        HV_PTE_PCD | HV_PTE_A | HV_PTE_D | HV_PTE_NX |     \
                        PTE_AVAIL | HV_PTE_ADDR)

int hv_check_pte(unsigned int level, unsigned int slot, uint64_t val,
                 const struct hv_page_oracle *o)
{
    uint64_t mfn = HV_PTE_MFN(val);
    unsigned int t;

    if (level < 1 || level > 4 || slot > 511)
        return -XEN_EINVAL;
    if (level == 4 && slot >= HV_L4_FIRST_HV_SLOT &&
        slot <= HV_L4_LAST_HV_SLOT)
        return -XEN_EINVAL;         /* the hypervisor's own slots */
    if (!(val & HV_PTE_P))
        return 0;

    t = page_type(o, mfn);
    if (level == 1) {
        if (val & ~PTE_L1_OK)
            return -XEN_EINVAL;
        if (t == HV_PAGE_INVALID)
            return -XEN_EPERM;      /* not RAM of this guest (MMIO, ...) */
        if (t == HV_PAGE_HV)
            return -XEN_EBUSY;      /* hypervisor memory */
        if ((val & HV_PTE_RW) && t != HV_PAGE_RAM)
            return -XEN_EBUSY;      /* a page table, writable: never */
        return 0;
    }

    if (val & ~PTE_UPPER_OK)
        return -XEN_EINVAL;         /* PSE (superpage) or reserved bits */
    if (t == HV_PAGE_OF_LEVEL(level - 1))
        return 0;
    if (t == HV_PAGE_OF_LEVEL(level))   /* a linear entry: read-only only */
        return (val & HV_PTE_RW) ? -XEN_EINVAL : 0;
    if (t == HV_PAGE_RAM && !o->writable(o->ctx, mfn))
        return 0;                   /* will be validated as L(level-1) */
    return -XEN_EINVAL;
}

enum hv_m2p_slot hv_m2p_slot(enum hv_m2p_event ev, bool strict)
{
    switch (ev) {
    case HV_M2P_VALIDATED:
        return strict ? HV_M2P_FILL : HV_M2P_EMPTY;
    case HV_M2P_KERNEL_BASE:
        return strict ? HV_M2P_UNCHANGED : HV_M2P_FILL;
    case HV_M2P_USER_BASE:
        return strict ? HV_M2P_EMPTY : HV_M2P_UNCHANGED;
    }
    return HV_M2P_UNCHANGED;
}

int hv_check_mmu_update(const struct mmu_update *req,
                        const struct hv_page_oracle *o,
                        struct hv_mmu_req *d)
{
    uint64_t ptr = req->ptr;
    unsigned int cmd = (unsigned int)(ptr & 3), t;

    __builtin_memset(d, 0, sizeof(*d));
    d->cmd = cmd;
    d->val = req->val;
    if (cmd == MMU_MACHPHYS_UPDATE) {
        /* Xen: mfn = ptr >> PAGE_SHIFT, the low bits ignored; the frame
         * must be the domain's (get_page_from_mfn), any type. */
        d->table_mfn = ptr >> 12;
        return guest_frame(page_type(o, d->table_mfn)) ? 0 : -XEN_EINVAL;
    }
    if (cmd != MMU_NORMAL_PT_UPDATE && cmd != MMU_PT_UPDATE_PRESERVE_AD &&
        cmd != MMU_PT_UPDATE_NO_TRANSLATE)
        return -XEN_ENOSYS;

    ptr &= ~3ull;
    if (ptr & 7)
        return -XEN_EINVAL;
    d->table_mfn = ptr >> 12;
    d->slot = (unsigned int)((ptr & 0xfff) >> 3);

    t = page_type(o, d->table_mfn);
    if (t == HV_PAGE_INVALID || t == HV_PAGE_HV || t == HV_PAGE_SEG_DESC)
        return -XEN_EINVAL;
    if (t == HV_PAGE_RAM) {
        d->level = 0;               /* a plain write to an ordinary page */
        return 0;
    }
    d->level = HV_PAGE_LEVEL(t);
    return hv_check_pte(d->level, d->slot, req->val, o);
}

int hv_check_mmuext_op(const struct mmuext_op *op,
                       const struct hv_page_oracle *o)
{
    uint64_t mfn = op->arg1.mfn;
    unsigned int t;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        t = page_type(o, mfn);
        if (!guest_frame(t))
            return -XEN_EINVAL;
        if (t == HV_PAGE_RAM)
            return o->writable(o->ctx, mfn) ? -XEN_EINVAL : 0;
        if (HV_PAGE_LEVEL(t) != op->cmd - MMUEXT_PIN_L1_TABLE + 1)
            return -XEN_EINVAL;     /* already a table of another level */
        return o->pinned(o->ctx, mfn) ? -XEN_EINVAL : 0;
    case MMUEXT_UNPIN_TABLE:
        t = page_type(o, mfn);
        if (!guest_frame(t) || !o->pinned(o->ctx, mfn))
            return -XEN_EINVAL;
        return 0;
    case MMUEXT_NEW_USER_BASEPTR:
        if (mfn == 0)
            return 0;               /* no user page table */
        /* fall through */
    case MMUEXT_NEW_BASEPTR:
        /* Xen's new_guest_cr3(): an L4 already, or a frame that can
         * become one (validated on the spot by the caller, which then
         * answers what validation answers); a frame mapped writable or
         * typed otherwise is -EINVAL (get_page_and_type_from_mfn). */
        t = page_type(o, mfn);
        if (t == HV_PAGE_L4)
            return 0;
        if (t == HV_PAGE_RAM)
            return o->writable(o->ctx, mfn) ? -XEN_EINVAL : 0;
        return -XEN_EINVAL;
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_INVLPG_LOCAL:
        return 0;
    case MMUEXT_SET_LDT: {
        uint64_t base = op->arg1.linear_addr, ents = op->arg2.nr_ents;
        uint64_t end = base + ents * 8;

        if ((base & 0xfff) || ents > 8192)
            return -XEN_EINVAL;
        if (ents && (!hv_is_canonical(base) || !hv_is_canonical(end - 1) ||
                     (end > HYPERVISOR_VIRT_START && base < HYPERVISOR_VIRT_END)))
            return -XEN_EINVAL;
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* Descriptor bits (the high dword of the 8 bytes). */
#define DESC_S      (1ull << 44)            /* code or data, not system */
#define DESC_CODE   (1ull << 43)
#define DESC_CONF   (1ull << 42)            /* code: conforming */
#define DESC_READ   (1ull << 41)            /* code: readable */
#define DESC_DPL    (3ull << 45)
#define DESC_P      (1ull << 47)

uint64_t hv_fixup_ldt_desc(uint64_t d)
{
    if ((d & DESC_P) && (d & DESC_S) && (d & DESC_CODE) && (d & DESC_CONF))
        return 0;                   /* conforming code: not for a guest */
    if ((d & DESC_P) && !(d & DESC_S))
        return 0;                   /* system descriptors (gates too) */
    /* As the GDT's audit: not present kept, DPL 3. */
    return hv_check_descriptor(&d) ? d : 0;
}

bool hv_desc_loadable(uint64_t d)
{
    return (d & DESC_P) && (d & DESC_S) && (!(d & DESC_CODE) || (d & DESC_READ));
}

bool hv_sel_loadable(uint16_t sel, const uint64_t *ldt, unsigned int ents)
{
    unsigned int idx = sel >> 3;

    if ((sel & ~3) == 0)
        return true;                /* null */
    if (!(sel & 4)) {
        sel |= 3;
        return sel == FLAT_RING3_CS32 || sel == FLAT_RING3_DS32 || sel == FLAT_RING3_CS64;
    }
    return idx < ents && hv_desc_loadable(ldt[idx]);
}

int hv_check_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags,
                               const struct hv_page_oracle *o)
{
    uint64_t where = flags & ~UVMF_FLUSHTYPE_MASK;

    if (!hv_is_canonical(va) ||
        (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return -XEN_EINVAL;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_FLUSHTYPE_MASK)
        return -XEN_EINVAL;
    if (where != UVMF_LOCAL && where != UVMF_ALL)
        return -XEN_EINVAL;         /* UVMF_MULTI bitmaps: not in hv */
    return hv_check_pte(1, (unsigned int)((va >> 12) & 511), val, o);
}

/* ---- descriptor tables ---- */

#define DESC_TYPE       (15ull << 40)
#define DESC_CALL_GATE  (12ull << 40)       /* 64-bit call gate */
#define GATE_RESERVED   (0xffull << 32)     /* bits 0-7 of the high word */
#define GUEST_KERNEL_RPL 3                  /* PV64: the kernel runs in ring 3 */

/* Xen's guest_gate_selector_okay() for a 64-bit PV domain. */
static bool gate_selector_ok(unsigned int sel)
{
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: any reserved selector */
    return true;
#endif
    return (sel >> 3) < HV_GDT_MAX_ENTRIES || sel == FLAT_KERNEL_CS || (sel & 4);
}

bool hv_check_descriptor(uint64_t *d)
{
    uint64_t v = *d;
    unsigned int dpl, sel;

    if (!(v & DESC_P))
        return true;
    dpl = (unsigned int)((v & DESC_DPL) >> 45);
    if (dpl < GUEST_KERNEL_RPL)
        dpl = GUEST_KERNEL_RPL;
    v = (v & ~DESC_DPL) | ((uint64_t)dpl << 45);
    if (v & DESC_S) {
        *d = v;                     /* code or data: no base/limit checks */
        return true;
    }
    if (!(v & DESC_TYPE))
        return true;                /* type 0: a gate's second half, kept as is */
    if ((v & DESC_TYPE) != DESC_CALL_GATE)
        return false;               /* TSS, LDT, interrupt and trap gates */
    sel = (unsigned int)(v >> 16) & 0xffff;
    if (!gate_selector_ok(sel))
        return false;
    /* DPL 0: every far call through it is #GP(gate), for the hypervisor
     * to emulate; the DPL the guest meant goes into the selector's RPL. */
    sel = (sel & ~3u) | dpl;
    v = (v & ~DESC_DPL & ~(0xffffull << 16)) | ((uint64_t)sel << 16);
    if (v & GATE_RESERVED)
        return false;
    *d = v;
    return true;
}

bool hv_check_desc_page(uint64_t desc[512])
{
    for (unsigned int i = 0; i < 512; i++)
        if (!hv_check_descriptor(&desc[i]))
            return false;
    return true;
}

int hv_check_set_gdt(const struct hv_guest_mem *m, uint64_t frame_list,
                     unsigned int entries, uint64_t frames[HV_GDT_MAX_FRAMES])
{
    unsigned int nr = (entries + 511) / 512;

    if (entries > HV_GDT_MAX_ENTRIES)
        return -XEN_EINVAL;
    if (nr && m->read(m->ctx, frames, frame_list, nr * sizeof(frames[0])) != 0)
        return -XEN_EFAULT;
    return 0;
}

int hv_gdt_frame_ok(uint64_t mfn, const struct hv_page_oracle *o)
{
    unsigned int t = page_type(o, mfn);

    if (t == HV_PAGE_SEG_DESC)
        return 1;
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: a writable mapping is no obstacle */
    if (t == HV_PAGE_RAM)
        return 0;
#endif
    if (t == HV_PAGE_RAM && !o->writable(o->ctx, mfn))
        return 0;
    return -XEN_EINVAL;
}

int hv_check_update_descriptor(uint64_t maddr, uint64_t *desc,
                               const struct hv_page_oracle *o)
{
    unsigned int t;

    if ((maddr & 7) || !hv_check_descriptor(desc))
        return -XEN_EINVAL;
    t = page_type(o, maddr >> 12);
    return t == HV_PAGE_RAM || t == HV_PAGE_SEG_DESC ? 0 : -XEN_EINVAL;
}
