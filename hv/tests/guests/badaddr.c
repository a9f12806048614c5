/*
 * hv/tests/guests/badaddr.c - hands the hypervisor non-canonical handler
 * addresses and a bad pointer: each hypercall must fail with an error
 * code; then the guest faults with no valid handler and the hypervisor
 * crashes the domain safely (status 5, checked by the launcher).
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    guest_setup(si, "badaddr");
    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, 0x8000000000001000ul },  /* non-canonical #UD */
        { 0, 0, 0, 0 },
    };
    long rc = HYPERVISOR_set_trap_table(traps);
    check(rc == -XEN_EINVAL, "set_trap_table, non-canonical #UD handler: rc %ld, want -EINVAL", rc);
    static struct callback_register cb = {
        .type = CALLBACKTYPE_event, .address = 0x0000800000000000ul,
    };
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    check(rc == -XEN_EINVAL, "callback_op, non-canonical event callback: rc %ld, want -EINVAL", rc);
    rc = HYPERVISOR_set_trap_table((const struct trap_info *)0x0000900000000000ul);
    check(rc == -XEN_EFAULT, "set_trap_table, unmapped table pointer: rc %ld, want -EFAULT", rc);
    done_testing();
    say("now faulting with no valid #UD handler");
    asm volatile("ud2");
    check(0, "survived a fault with no handler");
    shutdown(SHUTDOWN_poweroff);
}
