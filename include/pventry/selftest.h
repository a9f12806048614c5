/*
 * include/pventry/selftest.h - TAP 13 output for the kernel-mode selftests.
 *
 * One line per check: "ok N - what" or "not ok N - what", with "# " lines
 * of diagnostics after a failure.  The plan ("1..N") is printed last,
 * by tap_done(), since the number of checks depends on the hypervisor.
 */
#ifndef PVENTRY_SELFTEST_H
#define PVENTRY_SELFTEST_H

#include <pventry/kernel.h>
#include <uapi/pventry.h>	/* softint_test_dpl() */

void tap_start(void);
bool tap_check(bool ok, const char *fmt, ...) __printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
void tap_skip(const char *reason, const char *fmt, ...) __printf(2, 3);
void tap_done(void);
unsigned int tap_failures(void);

/* Compare two values; print both on mismatch. */
#define tap_eq(got, want, fmt, ...) ({					\
	uint64_t __g = (uint64_t)(got), __w = (uint64_t)(want);		\
	bool __ok = tap_check(__g == __w, fmt, ##__VA_ARGS__);		\
	if (!__ok)							\
		tap_diag("  got %#lx, want %#lx", __g, __w);		\
	__ok; })

/* Known emulator deviations: enum emu_deviation in <uapi/pventry.h>. */
bool tap_check_dev(bool ok, enum emu_deviation dev, const char *fmt, ...) __printf(3, 4);
bool emu_has_deviation(enum emu_deviation dev);

void run_selftests(void);
void register_softint_vectors(void);
void run_kernel_selftests(void);
void run_kernel_bench(void);
void run_user_selftests(void);

#endif
