/*
 * hv/tests/guests/badaddr.c - hands hv non-canonical handler addresses.
 * Each hypercall must return -EINVAL (-22); then the guest faults with no
 * valid handler and hv crashes the domain safely (status 5).
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    guest_setup(si, "badaddr");
    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, 0x8000000000001000ul },  /* non-canonical #UD */
        { 0, 0, 0, 0 },
    };
    say("set_trap_table rc=", HYPERCALL(__HYPERVISOR_set_trap_table, traps, 0, 0));
    static struct callback_register cb = {
        .type = CALLBACKTYPE_event, .address = 0x0000800000000000ul,
    };
    say("callback_op rc=", HYPERCALL(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb, 0));
    say("set_trap_table(bad pointer) rc=", HYPERCALL(__HYPERVISOR_set_trap_table, 0x0000900000000000ul, 0, 0));
    puts_("badaddr: now faulting\n");
    asm volatile("ud2");
    puts_("badaddr: FAIL survived\n");
    shutdown(SHUTDOWN_poweroff);
}
