/*
 * hv/cpu/cpu.h - the platform's CPU plumbing: descriptor tables, entry
 * frames, and the way back to the guest.
 *
 * ABI carried: Xen's x86-64 PV machine setup (GDT selectors 0xe008..0xe040,
 * IDT gate DPLs, SYSCALL/SYSENTER MSRs, FRED MSRs).
 */
#ifndef HV_ARCH_ARCH_H
#define HV_ARCH_ARCH_H

#define ENTRY_LSTAR    0x100
#define ENTRY_CSTAR    0x101
#define ENTRY_SYSENTER 0x102

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "core/vcpu.h"

/*
 * What every entry stub leaves on hv's stack, lowest address first.
 * The GPRs are in struct hv_regs order; the rest is the hardware frame.
 *
 *   +0    r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
 *   +120  error_code (low 32 bits) | entry (high 32 bits, IDT only)
 *   +128  rip
 *   +136  cs       (FRED: csx, selector in bits 15:0)
 *   +144  rflags
 *   +152  rsp
 *   +160  ss       (FRED: ssx, with vector/type/length metadata)
 *   +168  edata    (FRED only: event data)
 *   +176  reserved (FRED only)
 *
 * IDT gates: hardware pushes ss..rip and sometimes the error code; the stub
 * pushes a 0 error code where hardware does not, then writes the vector in
 * the entry half.  SYSCALL and SYSENTER stubs build the same shape by hand
 * (entry ENTRY_LSTAR/_CSTAR/_SYSENTER).  FRED pushes the whole frame.
 */
struct entry_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t edata, reserved;
};

#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3
#define IST_DB  4   /* as Xen: a #DB can hit hv's first instruction after
                       SYSCALL, still on the guest's %rsp */
#define IST_STACK_SIZE 8192

/* desc.c */
void arch_init_cpu(int delivery);
extern bool fred_active;
extern bool cpu_is_intel;

/* entry.S */
_Noreturn void exit_to_guest_iret(struct hv_regs *r);
_Noreturn void exit_to_guest_eretu(struct hv_regs *r);
extern char idt_stubs[];
extern char lstar_entry[], cstar_entry[], sysenter_entry[], sysenter_eflags_saved[];
extern char fred_entry_page[];
extern char hv_stack_top[];

/* timer.c: the platform timer, IRQ 0 of the master 8259 (remapped to
   0x20 by desc.c). */
#define HV_TIMER_VECTOR 0x20
void platform_timer_init(void);
/* Acknowledge it and advance hv's clock: true if an event became pending. */
bool platform_timer_interrupt(void);

/* return.c */
_Noreturn void domain_start(void);
_Noreturn void resume_guest(void);

/* traps.c: called by the stubs. */
void hv_idt_entry(struct entry_frame *f);
void load_ldt(const void *base, unsigned int ents);     /* desc.c */
uint64_t gdt_guest_entry(unsigned int idx);
void hv_fred_entry(struct entry_frame *f);
void hv_fred_entry_r0(struct entry_frame *f);
#endif /* __ASSEMBLER__ */

#endif /* HV_ARCH_ARCH_H */
