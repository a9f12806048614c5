/*
 * hv/cpu/traps.c - C side of every entry: turn the hardware frame into
 * the neutral event record and hand it to the one bounce builder.
 *
 * ABI carried: the IDT front end (hardware gate frame, SYSCALL/SYSENTER
 * frames) and the FRED front end (FRED frame); what happens to events that
 * interrupted hv itself (panic, never a triple fault), to the single-step
 * of a SYSENTER with TF, and to a fault of the exit instruction itself
 * (IRETQ/ERETU refusing the guest's rip or selectors: the guest's fault).
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "cpu/stages.h"
#include "core/event.h"

extern char iret_to_guest[], eretu_to_guest[];

static void dump_frame(const struct entry_frame *f)
{
    printk("hv:  rip %016lx  cs %04lx  rflags %08lx  rsp %016lx  ss %04lx\n",
           f->rip, f->cs & 0xffff, f->rflags, f->rsp, f->ss & 0xffff);
    printk("hv:  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    printk("hv:  rsi %016lx  rdi %016lx  rbp %016lx  cr2 %016lx\n", f->rsi, f->rdi, f->rbp, read_cr2());
}

/* Save the guest's GPRs (the stub pushed them in struct hv_regs order). */
static void save_gprs(const struct entry_frame *f)
{
    memcpy(&dom.vcpu.regs, f, 15 * sizeof(uint64_t));
}

/*
 * The platform timer interrupted the guest (hv itself runs with
 * interrupts off).  If a timer expired and raised an event, or the running
 * vCPU's time slice is over (several vCPUs: vcpu_slice_tick), the
 * interrupted context becomes the guest's register state (every register
 * live: no SYSRET semantics) and the way back delivers the event upcall
 * there (Xen: an interrupt's return through test_all_events) or switches
 * to the next vCPU; else straight back to the guest.
 */
static void guest_interrupt(struct entry_frame *f, const struct hv_event *ev)
{
    struct hv_regs *r = &dom.vcpu.regs;
    bool raised = platform_timer_interrupt();

    if (!vcpu_slice_tick() && !raised)
        return;
    save_gprs(f);
    r->rip = ev->rip;
    r->cs = ev->cs;
    r->rflags = ev->rflags;
    r->rsp = ev->rsp;
    r->ss = ev->ss;
    r->in_syscall = 0;          /* every register is live: no SYSRET */
    resume_guest();
}

/* Run the hypercall v->regs hold and return to the guest. */
static _Noreturn void run_hypercall(struct hv_vcpu *v)
{
    uint64_t nr = v->regs.rax;

    do_hypercall(v);
    stage_hypercall(nr, v->kernel_mode);
    stage_mark(STAGE_CALLED);
    resume_guest();
}

/*
 * A hypercall (SYSCALL from guest kernel mode): no event record, straight
 * to the call, as Xen's lstar_enter (the core's rule and register state:
 * hv_syscall_is_hypercall(), hv_hypercall_entry()).
 */
static _Noreturn void hypercall(const struct entry_frame *f, bool l64)
{
    save_gprs(f);
    hv_hypercall_entry(&dom.vcpu, f->rip, f->rflags, f->rsp, l64);
    stage_mark(STAGE_DECODED);
    stage_mark(STAGE_HANDLED);
    run_hypercall(&dom.vcpu);
}

/* Run the core on a decoded guest event and act on the outcome. */
static _Noreturn void dispatch_event(const struct hv_event *ev)
{
    struct hv_vcpu *v = &dom.vcpu;
    struct hv_outcome out;
    bool was = v->kernel_mode;

    if (ev->type == HV_ET_HW_EXC && ev->vector == X86_EXC_NM) {
        /* fpu_taskswitch: the guest's virtual CR0.TS is consumed here. */
        __asm__ volatile("clts");
        dom.vcpu_ts = false;
    }

    struct hv_event step;
    switch (emulate_guest_fault(v, ev, &step)) {
    case EMUL_DONE:
        resume_guest();
    case EMUL_DONE_STEP:
        ev = &step;             /* the single-step #DB after it */
        break;
    }

    stage_mark(STAGE_DECODED);
    int action = hv_handle_event(v, ev, &dom.mem, &out);
    guest_mode_switched(was);
    stage_mark(STAGE_HANDLED);
    switch (action) {
    case HV_RESUME:
        stage_bounce(out.via, was);
        resume_guest();
    case HV_HYPERCALL:
        run_hypercall(v);
    case HV_CRASH:
        domain_crash("%s (event %s vector %u at %lx)", out.reason ? out.reason : "?",
                     hv_event_type_name(ev->type), ev->vector, ev->rip);
    default:
        /* HV_NOT_GUEST: the front ends filter NMI, #DF, #MC, interrupts and
         * hv's own events, so this is a nested FRED event from guest
         * context: only a broken hv stack makes one (Xen: fatal). */
        panic("%s vector %u from guest context is not a guest event%s",
              hv_event_type_name(ev->type), ev->vector, ev->nested ? " (nested FRED event)" : "");
    }
}

/*
 * The exit instruction (IRETQ at iret_to_guest, ERETU at eretu_to_guest)
 * faulted on the guest state it was loading: a non-canonical %rip, a bad
 * or null selector.  hv's stack at that point (entry.S):
 *
 *   EXIT_FRAME + 120   ss rsp rflags cs rip   what IRETQ was loading (the
 *                                             GPRs below it already popped;
 *                                             ERETU: ssx ... rip, error slot)
 *   below              the CPU's ring-0 frame of the fault and the stub's
 *   f ->               GPRs: a struct entry_frame
 *
 * The guest's state is still in dom.vcpu.regs (the image was a copy), and
 * nothing on this stack is needed again: resume_guest() builds a new exit
 * image.  As Xen does, the core makes the fault the guest's own, at that
 * state (hv_exit_faulted).
 */
static _Noreturn void exit_faulted(struct entry_frame *f, unsigned int vector)
{
    struct hv_vcpu *v = &dom.vcpu;
    struct hv_event ev;
    struct hv_outcome out;
    bool was = v->kernel_mode;
    int rc;

    if (fred_active) {
        rc = hv_decode_fred(&ev, (const struct hv_fred_frame *)&f->error_code, v->kernel_mode);
    } else {
        struct hv_idt_frame fr = { f->error_code, f->rip, f->cs, f->rflags, f->rsp, f->ss };

        /* hv's own NT would make IRETQ #GP(0) whatever the guest state. */
        if (f->rflags & X86_EFLAGS_NT)
            panic("IRETQ to the guest with NT set in hv's flags");
        rc = hv_decode_idt(&ev, HV_IDT_GATE, (uint8_t)vector, &fr,
                           vector == X86_EXC_PF ? read_cr2() : 0, v->kernel_mode);
    }
    if (rc)
        panic("exit fault: cannot decode vector %u", vector);

    int action = hv_exit_faulted(v, &dom.mem, &ev, &out);
    if (hv_opts.verbose)
        printk("hv: return to the guest faulted: vector %u error %x -> %s\n",
               vector, ev.error_code, action == HV_RESUME ? "the guest's fault" :
               action == HV_CRASH ? "domain crash" : "not the guest's");
    guest_mode_switched(was);
    switch (action) {
    case HV_RESUME:
        resume_guest();
    case HV_CRASH:
        domain_crash("%s (vector %u, error %x at the return to the guest)",
                     out.reason ? out.reason : "?", vector, f->error_code);
    default:
        printk("\nhv: PANIC: vector %u error %x at the return to the guest (hv's fault)\n",
               vector, f->error_code);
        dump_frame(f);
        hv_exit(HV_EXIT_PANIC);
    }
}

/* An event that interrupted hv itself (ring 0). */
static void hv_mode_event(struct entry_frame *f, unsigned int vector, const char *via)
{
    /*
     * The timer, although hv runs with interrupts off: while hv halts
     * because no vCPU can run (vcpu.c, idle()), and in Bochs, which
     * delivers one that is pending when ERETU returns to the guest as an
     * event from ring 0, at the ERETU.  Acknowledge it (else the 8259
     * sends no other) and count the time; an event it made pending wakes
     * its vCPU and is delivered on the next way back.
     */
    if (vector == HV_TIMER_VECTOR) {
        platform_timer_interrupt();
        return;
    }
    if (vector == X86_EXC_NMI) {
        printk("hv: NMI in hv at %lx, ignored\n", f->rip);
        return;
    }
    if (vector == X86_EXC_DB) {
        /*
         * Xen's do_debug for a #DB in its own context: %dr6 back to its
         * default (the step or breakpoint is not the guest's), then
         *  - SYSENTER keeps TF: keep stepping until the guest's flags are
         *    saved (sysenter_eflags_saved), then clear TF;
         *  - else a trap the guest carried into hv (SYSCALL with TF; a
         *    data breakpoint held back by MOV SS/POP SS until after the
         *    SYSCALL): note it, clear TF, carry on.
         */
        static unsigned int noted;

        if (!fred_active)
            __asm__ volatile("mov %0, %%dr6" :: "r"(HV_DR6_DEFAULT));
        if ((f->rflags & X86_EFLAGS_TF) &&
            f->rip >= (uint64_t)sysenter_entry && f->rip <= (uint64_t)sysenter_eflags_saved) {
            if (f->rip == (uint64_t)sysenter_eflags_saved)
                f->rflags &= ~(uint64_t)X86_EFLAGS_TF;
            return;
        }
        f->rflags &= ~(uint64_t)X86_EFLAGS_TF;
        if (noted++ < 10 || hv_opts.verbose)
            printk("hv: #DB in hv context at %lx, stack %lx: ignored\n", f->rip, f->rsp);
        return;
    }
    if (f->rip == (uint64_t)iret_to_guest || f->rip == (uint64_t)eretu_to_guest)
        exit_faulted(f, vector);
    printk("\nhv: PANIC: %s vector %u error %x in hv\n", via, vector, f->error_code);
    dump_frame(f);
    hv_exit(HV_EXIT_PANIC);
}

void hv_idt_entry(struct entry_frame *f)
{
    stage_mark(STAGE_ENTER);
    unsigned int entry = f->entry;
    unsigned int kind = HV_IDT_GATE;
    uint64_t aux = 0;

    if (entry < 256 && !(f->cs & 3)) {
        /* Ring 0 outside hv: no CPU gets there from the guest's ring 3.
         * QEMU 10.0.2 TCG does, by executing MOV to CS (8E /1), where a
         * CPU raises #UD, and running on with the selector it loaded. */
        if (f->rip < HV_DIRECTMAP)
            domain_crash("guest code ran with cs %#lx at %lx (vector %u): impossible on a CPU "
                         "(QEMU TCG executes MOV to CS)", f->cs & 0xffff, f->rip, entry);
        hv_mode_event(f, entry, "IDT");
        return;
    }
    switch (entry) {
    case ENTRY_LSTAR:
        if (hv_syscall_is_hypercall(&dom.vcpu, HV_DELIVERY_IDT, true))
            hypercall(f, true);
        kind = HV_IDT_LSTAR;
        break;
    case ENTRY_CSTAR: kind = HV_IDT_CSTAR; break;
    case ENTRY_SYSENTER: kind = HV_IDT_SYSENTER; break;
    case X86_EXC_NMI:
        printk("hv: NMI in guest context, ignored\n");
        return;
    case X86_EXC_DF:
    case 18:
        printk("\nhv: PANIC: vector %u from guest context\n", entry);
        dump_frame(f);
        hv_exit(HV_EXIT_PANIC);
    case X86_EXC_PF:
        aux = read_cr2();
        break;
    case X86_EXC_DB: {
        uint64_t dr6;
        __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
        __asm__ volatile("mov %0, %%dr6" :: "r"(HV_DR6_DEFAULT));
        aux = dr6;
        break;
    }
    default:
        if (entry >= 32 && entry != 0x80 && entry != HV_TIMER_VECTOR) {
            printk("hv: stray interrupt vector %u, ignored\n", entry);
            return;
        }
    }

    struct hv_idt_frame fr = { f->error_code, f->rip, f->cs, f->rflags, f->rsp, f->ss };
    struct hv_event ev;
    if (hv_decode_idt(&ev, kind, (uint8_t)entry, &fr, aux, dom.vcpu.kernel_mode))
        panic("IDT decode of entry %x failed", entry);
    if (entry == HV_TIMER_VECTOR) {
        guest_interrupt(f, &ev);
        return;
    }
    save_gprs(f);
    dispatch_event(&ev);
}

/* FRED, events from ring 3 (the guest). */
void hv_fred_entry(struct entry_frame *f)
{
    stage_mark(STAGE_ENTER);
    unsigned int type = HV_FRED_SS_TYPE(f->ss), vector = HV_FRED_SS_VECTOR(f->ss);

    if (type == HV_ET_NMI || (type == HV_ET_EXT_INTR && vector != HV_TIMER_VECTOR)) {
        printk("hv: %s vector %u in guest context, ignored\n",
               hv_event_type_name(type), vector);
        return;
    }
    if (type == HV_ET_HW_EXC && (vector == X86_EXC_DF || vector == 18)) {
        printk("\nhv: PANIC: vector %u from guest context\n", vector);
        dump_frame(f);
        hv_exit(HV_EXIT_PANIC);
    }
    if (type == HV_ET_OTHER && vector == HV_OTHER_SYSCALL &&
        hv_syscall_is_hypercall(&dom.vcpu, HV_DELIVERY_FRED, f->ss & HV_FRED_SS_L))
        hypercall(f, f->ss & HV_FRED_SS_L);
    struct hv_event ev;
    if (hv_decode_fred(&ev, (const struct hv_fred_frame *)&f->error_code, dom.vcpu.kernel_mode))
        panic("FRED frame no CPU produces: csx %lx ssx %lx", f->cs, f->ss);
    if (type == HV_ET_EXT_INTR) {
        guest_interrupt(f, &ev);
        return;
    }
    save_gprs(f);
    dispatch_event(&ev);
}

/* FRED, events from ring 0 (hv itself). */
void hv_fred_entry_r0(struct entry_frame *f)
{
    unsigned int type = HV_FRED_SS_TYPE(f->ss), vector = HV_FRED_SS_VECTOR(f->ss);
    if (type == HV_ET_EXT_INTR && vector != HV_TIMER_VECTOR) {
        printk("hv: stray interrupt vector %u, ignored\n", vector);
        return;
    }
    hv_mode_event(f, type == HV_ET_NMI ? X86_EXC_NMI : vector, "FRED");
}
