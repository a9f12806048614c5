/*
 * arch/x86/xen/console.c - the early and only console.
 *
 * dom0 writes through HYPERVISOR_console_io(CONSOLEIO_write), which Xen
 * prints on its own console (the serial line the runner reads).  A domU
 * has the shared console ring of start_info->console.domU instead, read
 * by xenconsoled in dom0; we kick its event channel after each write.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <xen/io/console.h>

static struct xencons_interface *cons_ring;
#ifdef CONFIG_CONSOLE_RING
static char cons_ring_page[PAGE_SIZE] __aligned(PAGE_SIZE) __attribute__((section(".bss.page_aligned")));
#endif

void console_init(void)
{
	if (xen_start_info->flags & SIF_INITDOMAIN)
		return;
#ifdef CONFIG_CONSOLE_RING
	if (xen_start_info->console.domU.mfn &&
	    remap_page(cons_ring_page, xen_start_info->console.domU.mfn,
		       _PAGE_PRESENT | _PAGE_RW) == 0)
		cons_ring = (struct xencons_interface *)cons_ring_page;
#endif
}

static void ring_write(const char *s, size_t len)
{
	struct xencons_interface *r = cons_ring;
	struct evtchn_send send = { .port = xen_start_info->console.domU.evtchn };
	XENCONS_RING_IDX prod = r->out_prod;

	while (len) {
		/* Wait for room: xenconsoled drains the ring... */
		while (prod - READ_ONCE(r->out_cons) >= sizeof(r->out)) {
			/* ...once it can see what is there. */
			asm volatile("sfence" ::: "memory");
			r->out_prod = prod;
			HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		}
		r->out[MASK_XENCONS_IDX(prod, r->out)] = *s++;
		prod++;
		len--;
	}
	asm volatile("sfence" ::: "memory");
	r->out_prod = prod;
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

void console_write(const char *s, size_t len)
{
	if (cons_ring)
		ring_write(s, len);
	else
		HYPERVISOR_console_io(CONSOLEIO_write, len, s);
}

/*
 * A domU's last lines are still in the ring when it shuts down, and the
 * ring goes with the domain: give xenconsoled a bounded while to read them.
 */
static void ring_drain(void)
{
	for (int i = 0; cons_ring && i < 1000; i++) {
		if (READ_ONCE(cons_ring->out_cons) == cons_ring->out_prod)
			return;
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
}

void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown sd = { .reason = reason };

	ring_drain();
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}
