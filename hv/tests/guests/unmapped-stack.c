/*
 * hv/tests/guests/unmapped-stack.c - a valid #UD handler, but the kernel
 * stack is unmapped when the fault arrives, so hv cannot write the bounce
 * frame.  Expected: "domain crashed" and status 5, hv survives.
 */
#include "guest.h"

void guest_main(start_info_t *si)
{
    guest_setup(si, "unmapped-stack");
    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, (unsigned long)bp_handler },
        { 0, 0, 0, 0 },
    };
    say("set_trap_table rc=", HYPERCALL(__HYPERVISOR_set_trap_table, traps, 0, 0));
    puts_("unmapped-stack: faulting on an unmapped stack\n");
    /* 512 MiB above the kernel: never part of the initial mapping. */
    asm volatile("mov %0, %%rsp; ud2" :: "r"(0xffffffffa0000000ul));
    puts_("unmapped-stack: FAIL survived\n");
    shutdown(SHUTDOWN_poweroff);
}
