/*
 * include/pventry/time.h - the periodic timer (kernel/time.c).
 */
#ifndef PVENTRY_TIME_H
#define PVENTRY_TIME_H

#include <pventry/kernel.h>

#define TICK_MS 10u			/* the period asked of Xen */

struct pt_regs;
extern volatile uint64_t timer_ticks;	/* ticks since timer_init() */
/* Called on every tick with the interrupted frame (the selftests watch). */
extern void (*timer_tick_hook)(const struct pt_regs *regs);
void timer_init(void);			/* bind VIRQ_TIMER, start the timer */

/* kernel/user/exec.c: charge the running program one tick. */
void user_timer_tick(void);

#endif
