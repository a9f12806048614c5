/*
 * kernel/user/debugreg.c - a user program's debug registers and FPU state.
 *
 * Xen's set_debugreg refuses breakpoints on Xen's own memory but not on
 * the guest kernel's: a breakpoint is as good as a kernel fault for
 * whoever sets it.  A write breakpoint on the entry stack's pt_regs, say,
 * takes #DB in kernel mode on the very return that installed it.  So a
 * user request for a debug register goes through user_set_debugreg(),
 * which lets a breakpoint cover user addresses only, and every program
 * starts and ends with the debug registers clear and the FPU usable
 * (user_reset_cpu_state()), so nothing one program set up fires in the
 * kernel or in the next program.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/user.h>
#include <xen/errno.h>

/* The lower canonical half: user mode's.  The kernel runs from the upper
   half and never touches the lower one in kernel mode. */
#define USER_VA_END (1ULL << 47)

#define DR7_ENABLE(i)	(3ULL << (2 * (i)))		/* L<i>, G<i> */
#define DR7_RW(dr7, i)	(((dr7) >> (16 + 4 * (i))) & 3)	/* 0 exec, 1 write, 2 I/O, 3 rw */
#define DR7_LEN(dr7, i)	(((dr7) >> (18 + 4 * (i))) & 3)

/* The bytes breakpoint i of dr7 watches (the LEN encoding: 1, 2, 8, 4). */
static uint64_t bp_len(uint64_t dr7, unsigned int i)
{
	static const uint8_t len[4] = { 1, 2, 8, 4 };

	return DR7_RW(dr7, i) == 0 ? 1 : len[DR7_LEN(dr7, i)];
}

static bool user_range(uint64_t addr, uint64_t len)
{
	return addr < USER_VA_END && len <= USER_VA_END - addr;
}

/*
 * HYPERVISOR_set_debugreg(reg, value) on a user program's behalf:
 * -EPERM for an address register that could cover anything outside user
 * memory (checked with the longest length, 8, since DR7 may widen it
 * later), and for a DR7 that enables a breakpoint whose address register,
 * with the length DR7 gives it, does (the kernel's own tests may have
 * left a kernel address there).  Everything else is Xen's to judge, its
 * answer returned.
 */
long user_set_debugreg(unsigned int reg, uint64_t value)
{
	unsigned int i;

	if (reg < 4 && !user_range(value, 8))
		return -XEN_EPERM;
	if (reg == 7)
		for (i = 0; i < 4; i++)
			if ((value & DR7_ENABLE(i)) &&
			    !user_range(HYPERVISOR_get_debugreg(i), bp_len(value, i)))
				return -XEN_EPERM;
	return HYPERVISOR_set_debugreg(reg, value);
}

/*
 * Debug registers off and zero, DR6 at its reset value, FPU usable (TS
 * clear) and in its initial state.  The kernel itself never uses the FPU
 * (-mgeneral-regs-only), so this is only for the next program.
 */
void user_reset_cpu_state(void)
{
	static const uint32_t mxcsr_reset = 0x1f80;
	unsigned int i;

	HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(7, 0));
	for (i = 0; i < 4; i++)
		HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(i, 0));
	HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(6, 0xffff0ff0));
	HYPERCALL_OR_PANIC(HYPERVISOR_fpu_taskswitch(0));
	asm volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr_reset));
}
