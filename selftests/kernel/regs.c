/*
 * selftests/kernel/regs.c - every general register across a round trip
 * through the entry code (INT3 in kernel mode).
 */
#include <selftests/ktest.h>

void regs_probe(uint64_t out[15]);

void run_regs_tests(void)
{
	static const char *const names[15] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	uint64_t out[15];
	unsigned int i, bad = 0;

	probe_arm();
	regs_probe(out);
	probe_disarm();
	tap_eq(trap_probe.hits, 1, "INT3 round trip: delivered once");
	tap_eq(trap_probe.frame.rcx, (3UL << 56) | 0x005a5a5a5a5a5a5a,
	       "INT3 round trip: frame's rcx is the interrupted rcx");
	tap_eq(trap_probe.frame.r11, (11UL << 56) | 0x005a5a5a5a5a5a5a,
	       "INT3 round trip: frame's r11 is the interrupted r11");
	for (i = 0; i < 15; i++) {
		uint64_t want = ((uint64_t)(i + 1) << 56) | 0x005a5a5a5a5a5a5a;

		if (out[i] != want) {
			tap_diag("  %s = %#lx, want %#lx", names[i], out[i], want);
			bad++;
		}
	}
	tap_check(!bad, "INT3 round trip: every general register preserved");
}
