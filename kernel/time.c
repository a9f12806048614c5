/*
 * kernel/time.c - the periodic timer.
 *
 * Xen's timer reaches a PV guest as an event: VIRQ_TIMER, bound to a port
 * of ours, raised by the vCPU's periodic timer (VCPUOP_set_periodic_timer)
 * every TICK_MS.  Its upcall lands wherever the vCPU is with events
 * unmasked: in user mode at any instruction, or on the way back to user
 * mode when it came while the kernel ran with events masked (every entry
 * masks them).  A tick only counts; the running user program is charged
 * for it, and stopped past its budget when the upcall is done
 * (user_preempt(), kernel/user/exec.c).
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/time.h>

volatile uint64_t timer_ticks;
void (*timer_tick_hook)(const struct pt_regs *regs);

static void timer_event(evtchn_port_t port, struct pt_regs *regs)
{
	timer_ticks++;
	if (timer_tick_hook)
		timer_tick_hook(regs);
#ifdef CONFIG_USER_PROGRAMS
	user_timer_tick();
#endif
}

void timer_init(void)
{
	struct vcpu_set_periodic_timer period = { .period_ns = TICK_MS * 1000000ULL };
	evtchn_port_t port;

	HYPERCALL_OR_PANIC(evtchn_bind_virq(VIRQ_TIMER, timer_event, &port));
	HYPERCALL_OR_PANIC(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &period));
	printk("timer: VIRQ_TIMER on port %u, every %u ms (VCPUOP_set_periodic_timer)\n",
	       port, TICK_MS);
}
