/*
 * selftests/kernel/broken_hv.c - a kernel that plays a hypervisor breaking
 * one rule of the PV ABI (Kconfig TEST_BROKEN_HV), for the runner's own
 * test: booted once per rule with broken=RULE, the selftests of that rule
 * must fail.  run_entry() (<pventry/entry.h>) calls these in that build
 * only: on the way in, change what the hypervisor handed over; on the way
 * out, the iret flags it would have honoured.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/ptregs.h>

/* Is `rule' the one broken= names? */
static bool broken(const char *rule)
{
	const char *b = cmdline_get("broken");

	return b && !strcmp(b, rule);
}

void broken_hv_entry(struct pt_regs *regs)
{
	if (broken("nomask"))
		this_vcpu()->evtchn_upcall_mask = 0;
	if (broken("mask"))
		this_vcpu()->evtchn_upcall_mask = 1;
	if (broken("r11") && regs->vector == VEC_SYSCALL)
		regs->r11 ^= X86_EFLAGS_CF;
}

uint64_t broken_hv_return(const struct pt_regs *regs, uint64_t flags)
{
	if (broken("nosysret"))
		return flags & ~VGCF_in_syscall;
	if (broken("sysret") && regs->vector == 0x80 && regs_cs_sel(regs) == FLAT_USER_CS64)
		return flags | VGCF_in_syscall;
	return flags;
}
