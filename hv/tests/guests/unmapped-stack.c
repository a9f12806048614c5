/*
 * hv/tests/guests/unmapped-stack.c - a valid #UD handler, but the kernel
 * stack is unmapped when the fault arrives, so the hypervisor cannot write
 * the bounce frame.  The launcher expects "domain crashed" and status 5.
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    guest_setup(si, "unmapped-stack");
    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, (unsigned long)bp_handler },
        { 0, 0, 0, 0 },
    };
    long rc = HYPERVISOR_set_trap_table(traps);
    check(rc == 0, "set_trap_table: rc %ld", rc);
    done_testing();
    say("faulting on an unmapped stack");
    /* 512 MiB above the kernel: never part of the initial mapping. */
    asm volatile("mov %0, %%rsp; ud2" :: "r"(0xffffffffa0000000ul));
    check(0, "survived a fault on an unmapped stack");
    shutdown(SHUTDOWN_poweroff);
}
