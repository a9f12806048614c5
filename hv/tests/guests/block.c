/*
 * hv/tests/guests/block.c - SCHEDOP_block when only a timer can end it.
 *
 * With VIRQ_TIMER bound and a single-shot timer armed (set_timer_op of a
 * huge timeout: 100 ms from now, as Xen), SCHEDOP_block waits and
 * returns 0 with one upcall.  Then the VIRQ_TIMER port is masked and a
 * timer armed again: nothing can tell the vCPU any more (a masked port
 * is made pending without a word to the vCPU), so the block would last
 * for ever.  Xen leaves the domain blocked; hv crashes it (status 5 and
 * its message), which is what this guest is for: it is not run on Xen.
 */
#include "guest.h"
#include <xen/event_channel.h>

static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{ return _hypercall1(long, set_timer_op, timeout); }

void guest_main(start_info_t *si)
{
    static char page[4096] __attribute__((aligned(4096)));
    shared_info_t *s = (shared_info_t *)page;
    long rc;

    guest_setup(si, "block");
    events_setup(si, page);
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
    check(rc == 0, "bind VIRQ_TIMER: rc %ld, port %u", rc, b.port);

    rc = HYPERVISOR_set_timer_op(1ull << 62);
    check(rc == 0, "set_timer_op, a huge timeout (100 ms from now): rc %ld", rc);
    check(s->vcpu_info[0].evtchn_upcall_pending == 0, "nothing pending before the block");
    rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    s->vcpu_info[0].evtchn_upcall_mask = 1;
    check(rc == 0 && ev_count == 1, "SCHEDOP_block: rc %ld, ended by the timer: %ld upcall", rc, ev_count);

    s->evtchn_mask[b.port / 64] |= 1ul << (b.port % 64);
    rc = HYPERVISOR_set_timer_op(1ull << 62);
    check(rc == 0, "VIRQ_TIMER's port masked, a timer armed again: rc %ld", rc);
    done_testing();
    say("blocking: no timer can wake the vCPU now");
    HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    check(0, "SCHEDOP_block with nothing that could wake it returned");
    shutdown(SHUTDOWN_poweroff);
}
