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
 *   STAGE_DECODED  the hardware frame is a struct hv_event
 *   STAGE_HANDLED  the core decided: a bounce frame built, or a hypercall
 *   STAGE_CALLED   the hypercall ran (hypercalls only)
 *   STAGE_EXIT     resume_guest() is about to leave (pending events
 *                  delivered, exit image ready)
 *
 * and the rest, from STAGE_EXIT to the next STAGE_ENTER, is the exit
 * (copy to the exit frame, pops, IRETQ/ERETU), the guest's own code, and
 * the entry stub.  Sums are kept per kind of entry (hypercall number, or
 * the bounce's via) and printed at shutdown as "hv: stages: ..." lines.
 */
#ifndef HV_CPU_STAGES_H
#define HV_CPU_STAGES_H

#include <stdint.h>

enum { STAGE_ENTER, STAGE_DECODED, STAGE_HANDLED, STAGE_CALLED, STAGE_EXIT, NR_STAGES };

#ifdef HV_STAGES
void stage_mark(unsigned int stage);
void stage_kind(unsigned int kind);     /* < 64: hypercall number; 64 + via */
void stages_print(void);
#else
static inline void stage_mark(unsigned int stage) { (void)stage; }
static inline void stage_kind(unsigned int kind) { (void)kind; }
static inline void stages_print(void) { }
#endif

#endif
