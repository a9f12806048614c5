/*
 * selftests/user/dr_leave.c - breakpoints a user program may not set, and
 * state it leaves behind on purpose.
 *
 * A breakpoint on kernel memory would fire in kernel mode: on the entry
 * stack's pt_regs it fires in the very return that set it, on kernel text
 * at the next entry.  The kernel must refuse both (and go on).  Then this
 * program leaves a live write breakpoint on DR_WATCH_ADDR, CR0.TS set and
 * a changed FPU control state, and exits: dr_clean, run next, checks that
 * none of it is still there.
 */
#include "ulib.h"

#define USER_VA_END (1ull << 47)

static void refused(unsigned int reg, uint64_t value, const char *what)
{
	tap_eq(sys_ctl(CTL_SET_DR, reg, (long)value), -XEN_EPERM, "DR%u = %s (%#llx): -EPERM",
	       reg, what, (unsigned long long)value);
}

static bool sys_nop_ok(void)
{
	return (uint32_t)sys3(SYS_nop, 0, 0, 0) == SYS_NOP_MAGIC;
}

int main(void)
{
	struct delivered_frame f;
	volatile uint64_t *watch = (volatile uint64_t *)DR_WATCH_ADDR;
	uint16_t cw = 0x027f;		/* precision 53 bits, all masked */
	uint32_t mxcsr = 0x1f80 & ~(1u << 9);	/* divide-by-zero unmasked */
	unsigned int i;

	fault_init();
	sys3(SYS_nop, 0, 0, 0);
	if (!tap_eq(sys_ctl(CTL_LAST_FRAME, (long)&f, 0), 0, "CTL_LAST_FRAME"))
		return 1;

	/* The reproducer: a write breakpoint on the kernel stack's pt_regs. */
	refused(0, f.kernel_stack_top - 0x38, "kernel stack top - 0x38 (pt_regs)");
	tap_eq(sys_ctl(CTL_SET_DR, 7, 0xd0001), 0, "DR7 = 0xd0001 (L0, write, 4 bytes): accepted, DR0 is 0");
	tap_eq(sys_ctl(CTL_GET_DR, 0, 0), 0, "DR0 still 0");
	tap(sys_nop_ok(), "a system call after it: the kernel goes on");
	/* An instruction breakpoint on kernel text. */
	refused(0, f.kernel_text, "kernel text (the return path)");
	tap_eq(sys_ctl(CTL_SET_DR, 7, 0x1), 0, "DR7 = 1 (L0, execute): accepted, DR0 is 0");
	tap(sys_nop_ok(), "a system call after it: the kernel goes on");
	sys_ctl(CTL_SET_DR, 7, 0);
	for (i = 0; i < 4; i++) {
		refused(i, 0xffffffff80000000ull, "the kernel's base");
		refused(i, 0xffff800000000000ull, "the hypervisor's");
		refused(i, USER_VA_END - 4, "4 bytes below the user half's end (8 could reach past)");
		refused(i, ~0ull, "~0");
		tap_eq(sys_ctl(CTL_SET_DR, i, (long)(USER_VA_END - 8)), 0,
		       "DR%u = the user half's last 8 bytes: accepted", i);
	}
	/* DR0-DR3 at USER_VA_END - 8, 8 bytes each (LEN 10), write: all user memory. */
	tap_eq(sys_ctl(CTL_SET_DR, 7, 0x99990055), 0, "DR7 enabling four 8-byte write breakpoints there: accepted");
	sys_ctl(CTL_SET_DR, 7, 0);
	for (i = 0; i < 4; i++)
		sys_ctl(CTL_SET_DR, i, 0);

	/* Left on purpose for dr_clean: it must fire here, and never there. */
	if (!tap_eq(sys_ctl(CTL_SET_DR, 0, DR_WATCH_ADDR), 0, "DR0 = DR_WATCH_ADDR") ||
	    !tap_eq(sys_ctl(CTL_SET_DR, 7, 0xd0001), 0, "DR7 = write breakpoint on it"))
		return 1;
	fault_log_clear();
	*watch = 1;
	tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_DB, "a write to DR_WATCH_ADDR: #DB here");
	*watch = 0;
	fault_log_clear();
	asm volatile("fldcw %0\n\tldmxcsr %1" : : "m"(cw), "m"(mxcsr));
	tap_eq(sys_ctl(CTL_FPU_TS, 1, 0), 0, "CR0.TS set (fpu_taskswitch), left for dr_clean");
	return 0;
}
