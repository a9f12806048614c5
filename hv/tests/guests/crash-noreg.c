/*
 * hv/tests/guests/crash-noreg.c - registers no trap table, then faults.
 * Expected: hv reports "domain crashed" and exits with the domain-crash
 * status (5); hv itself must not fault.
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    (void)si;
    puts_("crash-noreg: about to fault with no trap table\n");
    asm volatile("ud2");
    puts_("crash-noreg: FAIL survived\n");
    shutdown(SHUTDOWN_poweroff);
}
