/*
 * hv/cpu/timer.c - the platform timer: the PIT's channel 0 at about
 * 1 kHz, through the master 8259 (IRQ 0, HV_TIMER_VECTOR).
 *
 * The PIT is there on every PC QEMU and Bochs model, and in both its
 * clock follows the emulator's idea of time.  hv runs with interrupts
 * off, so the interrupt arrives in guest context (IDT: a gate from ring
 * 3; FRED: an external interrupt from ring 3), or in hv halting while no
 * vCPU can run (domain/vcpu.c, idle()); traps.c hands it here.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "cpu/cpu.h"

#define PIT_HZ       1193182u               /* the PIT's input clock */
#define PIT_DIVISOR  1193u                  /* about 1000 Hz */
#define PIT_PERIOD_NS ((uint64_t)PIT_DIVISOR * 1000000000u / PIT_HZ)   /* 999847 */

void platform_timer_init(void)
{
    outb(0x43, 0x34);                       /* channel 0, lo/hi byte, mode 2 (rate generator) */
    outb(0x40, PIT_DIVISOR & 0xff);
    outb(0x40, PIT_DIVISOR >> 8);
    outb(0x21, 0xfe);                       /* master 8259: IRQ 0 only */
}

bool platform_timer_interrupt(void)
{
    outb(0x20, 0x20);                       /* EOI to the master 8259 */
    return domain_timer_advance(PIT_PERIOD_NS);
}
