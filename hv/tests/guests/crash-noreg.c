/*
 * hv/tests/guests/crash-noreg.c - registers no trap table, then faults.
 * Nothing to check from inside (plan 0); the launcher expects the domain
 * crash (status 5) and the hypervisor's message.
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    guest_setup(si, "crash-noreg");
    done_testing();
    say("about to fault with no trap table");
    asm volatile("ud2");
    check(0, "survived a fault with no trap table");
    shutdown(SHUTDOWN_poweroff);
}
