/*
 * hv/tests/unit/main.c - run every host unit test suite of the hv core.
 * Output is TAP; the last line is "N passed, N failed"; exit 1 on failure.
 */
#include "tap.h"

int main(void)
{
    test_decode();
    tap_diag("bounce builder: the frame, iret, software interrupts, SYSCALL and "
             "SYSENTER, the way back, callbacks, the virtual NMI");
    test_frame();
    test_iret();
    test_softint();
    test_syscall();
    test_exit();
    test_callback();
    test_nmi();
    test_elf();
    test_hcheck();
    test_console_ring();
    test_domu_layout();
    test_emulate();
    test_timer();
    test_grant();
    test_evtchn();
    printf("1..%d\n", tap_passed + tap_failed);
    printf("%d passed, %d failed\n", tap_passed, tap_failed);
    return tap_failed ? 1 : 0;
}
