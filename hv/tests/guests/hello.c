/*
 * hv/tests/guests/hello.c - the positive control: print, take an INT3
 * through the trap table and come back with HYPERVISOR_iret, shut down.
 * Expected: "hello: ok bp_count=1", exit status 0.
 */
#include "guest.h"
#include <xen/event_channel.h>

/* Map shared_info, bind an IPI, send it while masked, unmask: exactly one
 * upcall must arrive, at the first hypercall after the unmask. */
static void test_evtchn(start_info_t *si)
{
    static char page[4096] __attribute__((aligned(4096)));
    long rc = HYPERCALL(__HYPERVISOR_update_va_mapping, page, si->shared_info | 0x67, UVMF_INVLPG);
    shinfo_va = (unsigned long)page;
    struct callback_register cb = { .type = CALLBACKTYPE_event, .address = (unsigned long)ev_handler };
    rc |= HYPERCALL(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb, 0);
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    rc |= HYPERCALL(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &b, 0);
    evtchn_port_t port = b.port;
    rc |= HYPERCALL(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &port, 0);
    shared_info_t *s = (shared_info_t *)page;
    long before = ev_count;
    s->vcpu_info[0].evtchn_upcall_mask = 0;
    HYPERCALL(__HYPERVISOR_xen_version, 0, 0, 0);
    rc |= HYPERCALL(__HYPERVISOR_event_channel_op, EVTCHNOP_close, &port, 0);
    puts_("hello: evtchn rc=");
    putnum(rc);
    puts_(before == 0 && ev_count == 1 ? " upcalls ok\n" : " upcalls FAIL\n");
}

void guest_main(start_info_t *si)
{
    guest_setup(si, "hello");
    puts_("hello: magic ");
    puts_(si->magic);
    puts_(" cmdline '");
    puts_((const char *)si->cmd_line);
    puts_("'\n");
    static struct trap_info traps[] = {
        { 3, 3, FLAT_KERNEL_CS, (unsigned long)bp_handler },
        { 0, 0, 0, 0 },
    };
    say("set_trap_table rc=", HYPERCALL(__HYPERVISOR_set_trap_table, traps, 0, 0));
    asm volatile("int3" ::: "memory");
    puts_("hello: ");
    puts_(bp_count == 1 ? "ok" : "FAIL");
    puts_(" bp_count=");
    putnum(bp_count);
    puts_("\n");
    test_evtchn(si);
    shutdown(SHUTDOWN_poweroff);
}
