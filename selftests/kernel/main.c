/*
 * selftests/kernel/main.c - the selftests, run once at the end of boot.
 *
 * One TAP stream for everything: the kernel-mode tests, then each user
 * program (user_programs.c), then the plan.  With `bench' on the command
 * line, the benchmarks instead.
 */
#include <pventry/arch.h>
#include <selftests/ktest.h>

static void run_kernel_selftests(void)
{
	printk("# kernel-mode selftests\n");
	register_softint_vectors();
	run_masking_tests();
	run_exception_tests();
	run_regs_tests();
	run_softint_tests();
	run_event_tests();
	run_timer_tests();
	run_block_tests();
	run_nmi_tests();
	run_hypercall_error_tests();
}

static void run_selftests(void)
{
	probe_init();
	tap_start();
	if (cmdline_has("bench"))
		run_kernel_bench();
	else
		run_kernel_selftests();
#ifdef CONFIG_USER_SELFTESTS
	run_user_selftests();
#endif
	if (!cmdline_has("bench"))
		run_smp_selftests();
	tap_done();
	/* For the runner's own test: what an unexpected kernel fault reports. */
	if (cmdline_has("selftest_panic"))
		(void)*(volatile unsigned long *)0x2000;
}
late_initcall(run_selftests);
