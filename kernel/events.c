/*
 * kernel/events.c - event channels and the event upcall.
 *
 * Xen raises an event by setting its bit in shared_info->evtchn_pending,
 * the word's bit in vcpu_info->evtchn_pending_sel, and
 * vcpu_info->evtchn_upcall_pending; if vcpu_info->evtchn_upcall_mask is
 * clear it then bounces to the event callback (entry_event), masking
 * events.  Returning through HYPERVISOR_iret restores the mask from the
 * frame's RFLAGS.IF.
 *
 * With several vCPUs, each port notifies the one vCPU it is bound to, but
 * the pending bits are one array in shared_info: a vCPU scanning a word
 * its own pending_sel named can find there a port bound to another.  So
 * each upcall handles only the ports bound to its own vCPU (cpu_ports);
 * the other vCPU was notified too and handles its own.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/ptregs.h>

#define MAX_PORTS 1024
static evtchn_handler_t handlers[MAX_PORTS];
static unsigned long cpu_ports[NR_CPUS][MAX_PORTS / 64];	/* bit set: bound to that vCPU */

void events_init(void)
{
	/* Nothing is bound yet; start with everything masked. */
	memset(shared_info->evtchn_mask, 0xff, sizeof(shared_info->evtchn_mask));
}

/* A port Xen just bound for us to vCPU `cpu': give it a handler and unmask it. */
static int install_port(evtchn_port_t port, unsigned int cpu, evtchn_handler_t h,
			evtchn_port_t *out)
{
	struct evtchn_unmask unmask = { .port = port };

	if (port >= MAX_PORTS) {
		evtchn_close(port);
		return -1;
	}
	handlers[port] = h;
	__atomic_fetch_or(&cpu_ports[cpu][port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
	*out = port;
	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &unmask);
}

int evtchn_bind_ipi_self(evtchn_handler_t h, evtchn_port_t *port)
{
	struct evtchn_bind_ipi bind = { .vcpu = this_cpu()->id };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bind);

	return rc ? rc : install_port(bind.port, bind.vcpu, h, port);
}

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, evtchn_port_t *port)
{
	struct evtchn_bind_virq bind = { .virq = virq, .vcpu = 0 };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);

	return rc ? rc : install_port(bind.port, bind.vcpu, h, port);
}

long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

void evtchn_close(evtchn_port_t port)
{
	struct evtchn_close cl = { .port = port };

	unsigned int cpu;

	HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
	if (port >= MAX_PORTS)
		return;
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		__atomic_fetch_and(&cpu_ports[cpu][port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
	handlers[port] = NULL;
}

void do_event_upcall(struct pt_regs *regs)
{
	struct vcpu_info *v = this_vcpu();
	const unsigned long *mine = cpu_ports[this_cpu()->id];

	do {
		unsigned long sel;

		WRITE_ONCE(v->evtchn_upcall_pending, 0);
		sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int w = __builtin_ctzl(sel);
			unsigned long pending;

			sel &= sel - 1;
			pending = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w] &
				  READ_ONCE(mine[w]);
			while (pending) {
				unsigned int b = __builtin_ctzl(pending);
				evtchn_port_t port = w * 64 + b;

				pending &= pending - 1;
				/* Only whoever clears the bit handles the event: an
				   upcall nested in this one may have done it already. */
				if (!(__atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << b),
							 __ATOMIC_SEQ_CST) & (1UL << b)))
					continue;
				if (port < MAX_PORTS && handlers[port])
					handlers[port](port, regs);
				else
					printk("event on unbound port %u\n", port);
			}
		}
	} while (READ_ONCE(v->evtchn_upcall_pending));
}
