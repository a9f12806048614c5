/*
 * hv/domain/vcpu.c - several vCPUs of the one domain on the one physical
 * CPU: VCPUOP_initialise / up / down / is_up / send_nmi, SCHEDOP_yield and
 * SCHEDOP_block, and the switch between vCPUs.
 *
 * The running vCPU lives in dom.vcpu (where the entry code and the core
 * find it); the others wait in slots[].  A switch copies the running one
 * out and the next one in, with what the platform keeps for a vCPU: its
 * page tables, GDT (cpu/desc.c keeps one per vCPU; mm.c its frames),
 * FS/GS bases, data selectors, debug registers and virtual CR0.TS.  Switches happen only on the way back to the guest
 * (resume_guest -> schedule), after a hypercall has its result, so a
 * result always lands in the vCPU that made the call.  Round robin, at
 * yield, block and down, and at the end of a time slice (HV_SLICE_TICKS
 * periods of the platform timer, cpu/timer.c) that preempts a vCPU which
 * does neither.
 *
 * ABI carried: Xen 4.17's common/domain.c do_vcpu_op and
 * arch_initialise_vcpu for these commands: the vCPU is looked up first
 * (-ENOENT past the last); VCPUOP_initialise copies the context (-EFAULT),
 * then refuses an initialised vCPU (-EEXIST); VCPUOP_up of one never
 * initialised is -EINVAL; VCPUOP_is_up is 1 or 0; VCPUOP_down on itself
 * returns 0 once another vCPU brings it up (hv refuses, -EINVAL, to take
 * down the last vCPU that is up: nothing could bring it back); SCHEDOP_block unmasks events
 * and returns at once if one is pending, else the vCPU sleeps until an
 * event or NMI for it, hv halting while no vCPU can run (idle()).  Each vCPU keeps its own
 * VCPUOP_*_timer state (timer.c), saved and restored with the rest.
 * VCPUOP_register_vcpu_info (Xen's map_vcpu_info, checks in core/evtchn.c)
 * moves a vCPU's vcpu_info from its slot in shared_info into a frame of
 * the guest's, once; hv holds a writable reference to that frame for good,
 * so it stays plain RAM (never a page table) while hv writes it.  The
 * runstate commands stay -ENOSYS.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "core/evtchn.h"
#include <xen/sched.h>
#include <xen/vcpu.h>

/* Descriptors hv keeps per vCPU LDT (Xen allows 8192; hv: one page). */
#define HV_LDT_MAX 512

enum vcpu_state {
    VCPU_UNINIT,        /* exists, never initialised: down */
    VCPU_DOWN,          /* VCPUOP_down, or initialised and not yet up */
    VCPU_RUNNABLE,
    VCPU_BLOCKED,       /* SCHEDOP_block until an event or NMI */
};

struct vcpu_slot {
    struct hv_vcpu v;           /* while another vCPU runs */
    enum vcpu_state state;
    /* The platform's part of the vCPU, saved while it does not run. */
    uint64_t kernel_l4, user_l4;
    uint64_t fs_base, gs_base, shadow_gs_base;
    uint64_t dr[4], dr7;
    uint16_t ds, es, fs, gs;
    bool ts;
    struct hv_timer timer;      /* its VCPUOP_*_timer state (dom.timer while it runs) */
    /* MMUEXT_SET_LDT: hv's copy of the guest's descriptors (the CPU's LDT
     * while this vCPU runs). */
    unsigned int ldt_ents;
    uint64_t ldt[HV_LDT_MAX] __attribute__((aligned(4096)));
};

static struct vcpu_slot slots[HV_MAX_VCPUS] __attribute__((aligned(4096)));

/* VCPUOP_register_vcpu_info: where each vCPU's vcpu_info is, NULL while it
 * is still its slot in shared_info. */
static struct vcpu_info *registered_info[HV_MAX_VCPUS];

void vcpus_init(void)
{
    unsigned int i;

    dom.nr_vcpus = hv_opts.vcpus;
    dom.cur = 0;
    slots[0].state = VCPU_RUNNABLE;     /* the builder set vCPU 0 up */
    for (i = 1; i < dom.nr_vcpus; i++)
        slots[i].state = VCPU_UNINIT;
    if (dom.nr_vcpus > 1) {
        printk("hv: %u vCPUs, round robin on one CPU at yield, block and every %u platform timer ticks\n",
               dom.nr_vcpus, HV_SLICE_TICKS);
    }
}

struct hv_vcpu *vcpu_of(unsigned int id)
{
    return id == dom.cur ? &dom.vcpu : &slots[id].v;
}

struct vcpu_info *vcpu_info_of(unsigned int id)
{
    return registered_info[id] ? registered_info[id] : &dom.shared_info->vcpu_info[id];
}

void vcpu_kick(unsigned int id)
{
    if (slots[id].state == VCPU_BLOCKED)
        slots[id].state = VCPU_RUNNABLE;
}

bool vcpu_blocked(unsigned int id)
{
    return slots[id].state == VCPU_BLOCKED;
}

/*
 * The platform timer interrupted the running vCPU: true once its time
 * slice (HV_SLICE_TICKS periods) is over and another vCPU should run.
 */
bool vcpu_slice_tick(void)
{
    static unsigned int ticks;

    if (dom.nr_vcpus == 1 || ++ticks < HV_SLICE_TICKS)
        return false;
    ticks = 0;
    vcpu_yield();
    return true;
}

/* The vCPU's periodic/single-shot timers: the running one's are dom.timer. */
struct hv_timer *vcpu_timer(unsigned int id)
{
    return id == dom.cur ? &dom.timer : &slots[id].timer;
}

void vcpu_yield(void)
{
    if (dom.nr_vcpus > 1)
        dom.resched = true;
}

long vcpu_block(void)
{
    struct vcpu_info *vi = dom.vcpu.vcpu_info;

    vi->evtchn_upcall_mask = 0;         /* Xen: local_event_delivery_enable */
    if (vi->evtchn_upcall_pending || dom.vcpu.nmi_pending)
        return 0;
    slots[dom.cur].state = VCPU_BLOCKED;
    dom.resched = true;
    return 0;
}

static uint16_t read_sel_ds(void) { uint16_t s; __asm__ volatile("mov %%ds, %0" : "=r"(s)); return s; }
static uint16_t read_sel_es(void) { uint16_t s; __asm__ volatile("mov %%es, %0" : "=r"(s)); return s; }
static uint16_t read_sel_fs(void) { uint16_t s; __asm__ volatile("mov %%fs, %0" : "=r"(s)); return s; }
static uint16_t read_sel_gs(void) { uint16_t s; __asm__ volatile("mov %%gs, %0" : "=r"(s)); return s; }

static void save_running(struct vcpu_slot *s)
{
    s->v = dom.vcpu;
    s->kernel_l4 = dom.kernel_l4;
    s->user_l4 = dom.user_l4;
    s->ds = read_sel_ds();
    s->es = read_sel_es();
    s->fs = read_sel_fs();
    s->gs = read_sel_gs();
    s->fs_base = rdmsr(MSR_FS_BASE);
    s->gs_base = rdmsr(MSR_GS_BASE);
    s->shadow_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
    __asm__ volatile("mov %%dr0, %0" : "=r"(s->dr[0]));
    __asm__ volatile("mov %%dr1, %0" : "=r"(s->dr[1]));
    __asm__ volatile("mov %%dr2, %0" : "=r"(s->dr[2]));
    __asm__ volatile("mov %%dr3, %0" : "=r"(s->dr[3]));
    s->dr7 = dom.dr7;
    s->ts = dom.vcpu_ts;
    s->timer = dom.timer;
}

/* A selector the switch-in can load, or null (and *failed set). */
static uint16_t reload(uint16_t sel, const struct vcpu_slot *s, bool *failed)
{
    if (hv_sel_loadable(sel, s->ldt, s->ldt_ents))
        return sel;
    /* The guest's own GDT entries (HYPERVISOR_set_gdt), below 0xe000. */
    if (!(sel & 4) && (sel & ~3) && sel < 0xe000 && hv_desc_loadable(gdt_guest_entry(sel >> 3)))
        return sel;
    *failed = true;
    return 0;
}

/*
 * Switch vCPU s in.  As Xen's load_segments: the data selectors it had are
 * reloaded (against its own LDT); one that cannot be is loaded as null,
 * and the vCPU then gets the failsafe callback with all four it had.
 */
static void load_running(const struct vcpu_slot *s)
{
    bool failed = false, was;
    struct hv_outcome out;

    dom.vcpu = s->v;
    gdt_switch(dom.cur);
    dom.kernel_l4 = s->kernel_l4;
    dom.user_l4 = s->user_l4;
    load_ldt(s->ldt, s->ldt_ents);
    __asm__ volatile("mov %0, %%ds" :: "r"(reload(s->ds, s, &failed)));
    __asm__ volatile("mov %0, %%es" :: "r"(reload(s->es, s, &failed)));
    __asm__ volatile("mov %0, %%fs" :: "r"(reload(s->fs, s, &failed)));
    __asm__ volatile("mov %0, %%gs" :: "r"(reload(s->gs, s, &failed)));
    /* After the selectors, which reset the bases. */
    wrmsr(MSR_FS_BASE, s->fs_base);
    wrmsr(MSR_GS_BASE, s->gs_base);
    wrmsr(MSR_KERNEL_GS_BASE, s->shadow_gs_base);
    __asm__ volatile("mov %0, %%dr0" :: "r"(s->dr[0]));
    __asm__ volatile("mov %0, %%dr1" :: "r"(s->dr[1]));
    __asm__ volatile("mov %0, %%dr2" :: "r"(s->dr[2]));
    __asm__ volatile("mov %0, %%dr3" :: "r"(s->dr[3]));
    dom.dr7 = s->dr7;
    __asm__ volatile("mov %0, %%dr7" :: "r"(s->dr7 | 0x400));
    dom.vcpu_ts = s->ts;
    dom.timer = s->timer;
    if (s->ts)
        write_cr0(read_cr0() | CR0_TS);
    else
        __asm__ volatile("clts");
    load_guest_cr3();
    if (!failed)
        return;
    was = dom.vcpu.kernel_mode;
    if (hv_bounce_failsafe(&dom.vcpu, &dom.mem, s->ds, s->es, s->fs, s->gs, &out) == HV_CRASH)
        domain_crash("%s", out.reason ? out.reason : "failsafe bounce failed");
    guest_mode_switched(was);
}

long vcpu_set_ldt(uint64_t base, unsigned int ents)
{
    static uint64_t copy[HV_LDT_MAX];   /* the LDT in use stays intact on -EFAULT */
    struct vcpu_slot *s = &slots[dom.cur];
    unsigned int i;

    if (ents > HV_LDT_MAX)
        return -XEN_EINVAL;             /* hv's limit (Xen's is 8192) */
    if (ents && copy_from_guest(copy, base, (size_t)ents * 8))
        return -XEN_EFAULT;
    for (i = 0; i < ents; i++)
        s->ldt[i] = hv_fixup_ldt_desc(copy[i]);
    s->ldt_ents = ents;
    load_ldt(s->ldt, ents);
    return 0;
}

/* The next runnable vCPU after the running one, round robin; it may be
 * itself.  dom.nr_vcpus if none. */
static unsigned int next_runnable(void)
{
    unsigned int i, next;

    for (i = 1; i <= dom.nr_vcpus; i++) {
        next = (dom.cur + i) % dom.nr_vcpus;
        if (slots[next].state == VCPU_RUNNABLE)
            return next;
    }
    return dom.nr_vcpus;
}

/*
 * No vCPU can run: every one is blocked or down.  As Xen's idle vCPU,
 * wait for an event: halt with interrupts on, so the platform timer's
 * interrupt reaches hv itself (traps.c, hv_mode_event), advances the
 * clock and lets an expired vCPU timer raise VIRQ_TIMER, which wakes the
 * vCPU it is bound to (evtchn.c).  Nothing but a timer can make an event
 * while no vCPU runs, so when no armed timer could wake a vCPU
 * (domain_timer_may_wake) hv crashes the domain, where Xen would leave
 * it blocked for ever.
 */
static unsigned int idle(void)
{
    unsigned int next;

    while ((next = next_runnable()) == dom.nr_vcpus) {
        if (!domain_timer_may_wake())
            domain_crash("every vCPU is blocked or down, and no timer could wake one "
                         "(Xen would wait for ever)");
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    return next;
}

/* dom.resched: switch to the next runnable vCPU, waiting for one if none is. */
void schedule(void)
{
    unsigned int next;

    dom.resched = false;
    next = idle();
    if (next == dom.cur)
        return;
    save_running(&slots[dom.cur]);
    dom.cur = next;
    load_running(&slots[next]);
}

static long vcpu_initialise(unsigned int id, uint64_t arg)
{
    static struct vcpu_guest_context ctxt;     /* large: not on hv's stack */
    struct vcpu_slot *s = &slots[id];
    uint64_t l4, ul4;
    long rc;

    if (copy_from_guest(&ctxt, arg, sizeof(ctxt)))
        return -XEN_EFAULT;
    if (s->state != VCPU_UNINIT || id == dom.cur)
        return -XEN_EEXIST;
    hv_vcpu_init(&s->v, vcpu_info_of(id));
    s->v.nmi_reason = &dom.shared_info->arch.nmi_reason;
    rc = hv_vcpu_set_context(&s->v, &ctxt);
    if (rc)
        return rc;
    /* Its own GDT, before the page tables, as Xen's arch_set_info_guest
     * (which drops it again when they are refused). */
    if ((rc = vcpu_set_gdt(id, ctxt.gdt_frames, ctxt.gdt_ents)))
        return rc;
    l4 = xen_cr3_to_pfn(ctxt.ctrlreg[3]);
    ul4 = xen_cr3_to_pfn(ctxt.ctrlreg[1]);
    if ((rc = mm_get_type(l4, 4))) {
        vcpu_set_gdt(id, NULL, 0);
        return rc;
    }
    if (ul4 && (rc = mm_get_type(ul4, 4))) {
        mm_put_type(l4);
        vcpu_set_gdt(id, NULL, 0);
        return rc;
    }
    m2p_l4_slot(l4, HV_M2P_KERNEL_BASE);
    if (ul4)
        m2p_l4_slot(ul4, HV_M2P_USER_BASE);
    s->kernel_l4 = l4;
    s->user_l4 = ul4;
    s->fs_base = ctxt.fs_base;
    /* In guest kernel mode hv keeps the kernel's GS base live (IDT) or in
     * the shadow (FRED, which swaps on every ring change). */
    if (hv_opts.delivery == HV_DELIVERY_FRED) {
        s->gs_base = ctxt.gs_base_user;
        s->shadow_gs_base = ctxt.gs_base_kernel;
    } else {
        s->gs_base = ctxt.gs_base_kernel;
        s->shadow_gs_base = ctxt.gs_base_user;
    }
    s->ds = ctxt.user_regs.ds;
    s->es = ctxt.user_regs.es;
    s->fs = ctxt.user_regs.fs;
    s->gs = ctxt.user_regs.gs;
    s->state = VCPU_DOWN;
    return 0;
}

/*
 * VCPUOP_register_vcpu_info for vCPU id.  The frame must be the domain's
 * own RAM, or shared_info (Xen takes that too); the grant table's frames
 * are refused (the status frame stops being the guest's at the switch
 * back to version 1).  A writable reference (as one more writable mapping) keeps a
 * frame of the domain's from ever becoming a page table; hv reaches it
 * through its direct map.
 */
static long register_vcpu_info(unsigned int id, uint64_t arg)
{
    struct vcpu_register_vcpu_info info;
    struct vcpu_info *to;
    enum vcpu_state st = slots[id].state;
    bool self_or_down = id == dom.cur || st == VCPU_UNINIT || st == VCPU_DOWN;
    long rc;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -XEN_EFAULT;
    rc = hv_check_register_vcpu_info(info.mfn, info.offset, registered_info[id] != NULL,
                                     self_or_down, &dom.oracle);
    if (rc)
        return rc;
    if (info.mfn != dom.shared_info_mfn && hv_shared_page(info.mfn))
        return -XEN_EINVAL;
    mm_l1_ref((info.mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW);
    to = (struct vcpu_info *)((uint8_t *)__va(info.mfn << PAGE_SHIFT) + info.offset);
    bool kick = hv_vcpu_info_move(to, vcpu_info_of(id));
    registered_info[id] = to;
    vcpu_of(id)->vcpu_info = to;
    if (kick)
        vcpu_kick(id);
    return 0;
}

/* Is a vCPU other than id up (running, runnable or blocked)? */
static bool other_up(unsigned int id)
{
    for (unsigned int i = 0; i < dom.nr_vcpus; i++)
        if (i != id && (slots[i].state == VCPU_RUNNABLE || slots[i].state == VCPU_BLOCKED))
            return true;
    return false;
}

long do_vcpu_op(struct hv_vcpu *v, uint64_t cmd64, uint64_t vcpuid64, uint64_t arg)
{
    static uint8_t seen[32 / 8];
    /* Xen's do_vcpu_op(int cmd, unsigned int vcpuid, arg): 32-bit values. */
    int cmd = (int)cmd64;
    unsigned int id = (unsigned int)vcpuid64;
    struct vcpu_slot *s = &slots[id];
    long rc;

    if (id >= dom.nr_vcpus)
        return -XEN_ENOENT;             /* before the command, as Xen */
    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(id, arg);
    case VCPUOP_up:
        if (s->state == VCPU_UNINIT)
            return -XEN_EINVAL;
        if (s->state == VCPU_DOWN)
            s->state = VCPU_RUNNABLE;
        return 0;
    case VCPUOP_down:
        if (s->state == VCPU_UNINIT || s->state == VCPU_DOWN)
            return 0;
        if (!other_up(id))
            return -XEN_EINVAL;         /* hv: nothing could bring it back */
        s->state = VCPU_DOWN;
        if (id == dom.cur)
            dom.resched = true;         /* returns 0 once up again */
        return 0;
    case VCPUOP_is_up:
        return s->state == VCPU_RUNNABLE || s->state == VCPU_BLOCKED;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(id, arg);
    case VCPUOP_send_nmi:
        /* The core's rules, on the target (it sees it as its vCPU 0). */
        rc = hv_do_vcpu_op(vcpu_of(id), cmd, 0, arg);
        if (rc == 0)
            vcpu_kick(id);
        return rc;
    default:
        /* The timers are timer.c's; commands hv does not have
         * (runstate, ...): logged once. */
        rc = hv_do_vcpu_op(v, cmd, 0, arg);
        if (rc == -XEN_ENOSYS)
            rc = do_vcpu_timer_op(vcpu_timer(id), cmd, arg);
        if (rc == -XEN_ENOSYS)
            log_not_implemented("vcpu_op", (unsigned int)cmd, seen, 32);
        return rc;
    }
}
