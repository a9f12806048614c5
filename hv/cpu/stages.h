/*
 * hv/cpu/stages.h - where an entry's instructions go, for make bench's
 * per-stage breakdown (Documentation/hypervisor.md, "What an entry
 * costs").  Built in only with HV_STAGES=1 (make -C hv HV_STAGES=1); an
 * ordinary hv has none of it.
 *
 * Each guest entry is cut at these marks (RDTSC: one tick per instruction
 * in Bochs and under QEMU -icount):
 *
 *   STAGE_ENTER    the C entry (hv_idt_entry, hv_fred_entry) starts
 *   STAGE_DECODED  the registers are saved and the hardware frame is a
 *                  struct hv_event
 *   STAGE_HANDLED  the core decided: a bounce frame built, or a hypercall
 *   STAGE_CALLED   the hypercall ran (hypercalls only)
 *   STAGE_EXIT     resume_guest() is about to leave (pending events
 *                  delivered, exit image ready)
 *
 * and the rest, from STAGE_EXIT to the next STAGE_ENTER, is the exit
 * (copy to the exit frame, pops, IRETQ/ERETU), the guest's own code, and
 * the entry stub.  A mark is one RDTSC and a store; the sums are made after
 * the exit mark and kept out of every stage.  They are kept per kind of
 * entry (enum stage_kind) and printed at shutdown as "hv: stages:" lines.
 */
#ifndef HV_CPU_STAGES_H
#define HV_CPU_STAGES_H

#include <stdbool.h>
#include <stdint.h>

enum { STAGE_ENTER, STAGE_DECODED, STAGE_HANDLED, STAGE_CALLED, STAGE_EXIT, NR_STAGES };

enum stage_kind {
    KIND_OTHER,
    KIND_TRAP_FROM_KERNEL,      /* a trap-table bounce, guest kernel mode */
    KIND_TRAP_FROM_USER,        /* a trap-table bounce, guest user mode */
    KIND_SYSCALL,               /* the syscall callback */
    KIND_SYSCALL32,             /* the syscall32 callback */
    KIND_SYSENTER,              /* the sysenter callback */
    KIND_IRET_TO_KERNEL,        /* HYPERVISOR_iret back to kernel mode */
    KIND_IRET_TO_USER,          /* HYPERVISOR_iret to user mode */
    KIND_XEN_VERSION,           /* HYPERVISOR_xen_version */
    KIND_EVTCHN_OP,             /* HYPERVISOR_event_channel_op (the event
                                   upcall it raises is built in its exit) */
    KIND_HYPERCALL,             /* any other hypercall */
    NR_KINDS
};

#ifdef HV_STAGES
extern uint64_t stage_at[NR_STAGES];
void stage_account(void);

static inline void stage_mark(unsigned int stage)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    stage_at[stage] = ((uint64_t)hi << 32) | lo;
    if (stage == STAGE_EXIT)
        stage_account();
}
void stage_bounce(unsigned int via, bool from_kernel);      /* HV_VIA_* */
void stage_hypercall(uint64_t nr, bool now_kernel);         /* __HYPERVISOR_* */
void stages_print(void);
#else
static inline void stage_mark(unsigned int stage) { (void)stage; }
static inline void stage_bounce(unsigned int via, bool from_kernel) { (void)via; (void)from_kernel; }
static inline void stage_hypercall(uint64_t nr, bool now_kernel) { (void)nr; (void)now_kernel; }
static inline void stages_print(void) { }
#endif

#endif
