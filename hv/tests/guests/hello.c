/*
 * hv/tests/guests/hello.c - the positive control: start_info, an INT3
 * through the trap table and back with HYPERVISOR_iret, one event-channel
 * upcall, shutdown.  Expected: all ok, exit status 0.
 */
#include "guest.h"
#include <xen/event_channel.h>

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Map shared_info, bind an IPI, send it while masked, unmask: exactly one
 * upcall must arrive, at the first hypercall after the unmask. */
static void test_evtchn(start_info_t *si)
{
    static char page[4096] __attribute__((aligned(4096)));
    long rc;

    events_setup(si, page);
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    check(rc == 0, "bind_ipi: rc %ld, port %u", rc, b.port);
    evtchn_port_t port = b.port;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &port);
    check(rc == 0, "send while masked: rc %ld", rc);
    shared_info_t *s = (shared_info_t *)page;
    long before = ev_count;
    s->vcpu_info[0].evtchn_upcall_mask = 0;
    HYPERVISOR_xen_version(0, NULL);
    long after = ev_count;
    check(before == 0 && after == 1, "one upcall, after the unmask: %ld before, %ld after", before, after);
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &port);
    check(rc == 0, "close: rc %ld", rc);
}

void guest_main(start_info_t *si)
{
    guest_setup(si, "hello");
    say("magic %s cmdline '%s'", si->magic, (const char *)si->cmd_line);
    check(streq(si->magic, "xen-3.0-x86_64"), "start_info magic is xen-3.0-x86_64");
    static struct trap_info traps[] = {
        { 3, 3, FLAT_KERNEL_CS, (unsigned long)bp_handler },
        { 0, 0, 0, 0 },
    };
    long rc = HYPERVISOR_set_trap_table(traps);
    check(rc == 0, "set_trap_table: rc %ld", rc);
    asm volatile("int3" ::: "memory");
    check(bp_count == 1, "INT3 through the trap table and back: bp_count %ld", bp_count);
    test_evtchn(si);
    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
