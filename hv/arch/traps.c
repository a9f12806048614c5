/*
 * hv/arch/traps.c - C side of every entry: turn the hardware frame into
 * the neutral event record and hand it to the one bounce builder.
 *
 * ABI carried: the IDT front end (hardware gate frame, SYSCALL/SYSENTER
 * frames) and the FRED front end (FRED frame); what happens to events that
 * interrupted hv itself (panic, never a triple fault) and to a bad return
 * state (domain crash).
 */
#include "../domain.h"
#include "x86.h"
#include "arch.h"
#include <hv/event.h>

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

/* Run the core on a decoded guest event and act on the outcome. */
static _Noreturn void dispatch_event(const struct hv_event *ev)
{
    struct hv_vcpu *v = &dom.vcpu;
    struct hv_outcome out;
    bool was = v->kernel_mode;

    if (ev->type == HV_ET_HW_EXC && ev->vector == HV_EXC_NM) {
        /* fpu_taskswitch: the guest's virtual CR0.TS is consumed here. */
        __asm__ volatile("clts");
        dom.vcpu_ts = false;
    }

    int action = hv_handle_event(v, ev, &dom.mem, &out);
    if (v->kernel_mode != was) {
        gs_base_swap();
        load_guest_cr3();
    }
    switch (action) {
    case HV_RESUME:
        resume_guest();
    case HV_HYPERCALL:
        do_hypercall(v);
        resume_guest();
    case HV_CRASH:
        domain_crash("%s (event %s vector %u at %lx)", out.reason ? out.reason : "?",
                     hv_event_type_name(ev->type), ev->vector, ev->rip);
    default:
        /* Not a guest event after all: resume it untouched. */
        v->regs.rip = ev->rip;
        v->regs.rflags = ev->rflags;
        v->regs.rsp = ev->rsp;
        v->regs.cs = ev->cs;
        v->regs.ss = ev->ss;
        resume_guest();
    }
}

/* An event that interrupted hv itself (ring 0). */
static void hv_mode_event(struct entry_frame *f, unsigned int vector, const char *via)
{
    if (vector == HV_EXC_NMI) {
        printk("hv: NMI in hv at %lx, ignored\n", f->rip);
        return;
    }
    if (vector == HV_EXC_DB) {
        /* SYSENTER keeps TF: single-stepped guest entering hv. */
        f->rflags &= ~(uint64_t)X86_EFLAGS_TF;
        return;
    }
    if (f->rip == (uint64_t)iret_to_guest || f->rip == (uint64_t)eretu_to_guest)
        domain_crash("the return to the guest faulted (vector %u, error %x)",
                     vector, f->error_code);
    printk("\nhv: PANIC: %s vector %u error %x in hv\n", via, vector, f->error_code);
    dump_frame(f);
    hv_exit(HV_EXIT_PANIC);
}

void hv_idt_entry(struct entry_frame *f)
{
    unsigned int entry = f->entry;
    unsigned int kind = HV_IDT_GATE;
    uint64_t aux = 0;

    if (entry < 256 && !(f->cs & 3)) {
        hv_mode_event(f, entry, "IDT");
        return;
    }
    switch (entry) {
    case ENTRY_LSTAR: kind = HV_IDT_LSTAR; break;
    case ENTRY_CSTAR: kind = HV_IDT_CSTAR; break;
    case ENTRY_SYSENTER: kind = HV_IDT_SYSENTER; break;
    case HV_EXC_NMI:
        printk("hv: NMI in guest context, ignored\n");
        return;
    case HV_EXC_DF:
    case 18:
        printk("\nhv: PANIC: vector %u from guest context\n", entry);
        dump_frame(f);
        hv_exit(HV_EXIT_PANIC);
    case HV_EXC_PF:
        aux = read_cr2();
        break;
    case HV_EXC_DB: {
        uint64_t dr6;
        __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
        __asm__ volatile("mov %0, %%dr6" :: "r"(HV_DR6_DEFAULT));
        aux = dr6;
        break;
    }
    default:
        if (entry >= 32 && entry != 0x80) {
            printk("hv: stray interrupt vector %u, ignored\n", entry);
            return;
        }
    }

    save_gprs(f);
    struct hv_idt_frame fr = { f->error_code, f->rip, f->cs, f->rflags, f->rsp, f->ss };
    struct hv_event ev;
    if (hv_decode_idt(&ev, kind, (uint8_t)entry, &fr, aux, dom.vcpu.kernel_mode))
        panic("IDT decode of entry %x failed", entry);
    dispatch_event(&ev);
}

/* FRED, events from ring 3 (the guest). */
void hv_fred_entry(struct entry_frame *f)
{
    unsigned int type = HV_FRED_SS_TYPE(f->ss), vector = HV_FRED_SS_VECTOR(f->ss);

    if (type == HV_ET_NMI || type == HV_ET_EXT_INTR) {
        printk("hv: %s vector %u in guest context, ignored\n",
               hv_event_type_name(type), vector);
        return;
    }
    if (type == HV_ET_HW_EXC && (vector == HV_EXC_DF || vector == 18)) {
        printk("\nhv: PANIC: vector %u from guest context\n", vector);
        dump_frame(f);
        hv_exit(HV_EXIT_PANIC);
    }
    save_gprs(f);
    struct hv_event ev;
    if (hv_decode_fred(&ev, (const struct hv_fred_frame *)&f->error_code, dom.vcpu.kernel_mode))
        panic("FRED frame no CPU produces: csx %lx ssx %lx", f->cs, f->ss);
    dispatch_event(&ev);
}

/* FRED, events from ring 0 (hv itself). */
void hv_fred_entry_r0(struct entry_frame *f)
{
    unsigned int type = HV_FRED_SS_TYPE(f->ss), vector = HV_FRED_SS_VECTOR(f->ss);
    if (type == HV_ET_EXT_INTR) {
        printk("hv: stray interrupt vector %u, ignored\n", vector);
        return;
    }
    hv_mode_event(f, type == HV_ET_NMI ? HV_EXC_NMI : vector, "FRED");
}
