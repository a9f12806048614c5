/*
 * kernel/user.c - user programs: loading, running, their system calls.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>

void user_exception(struct pt_regs *regs)
{
	panic_regs(regs, "%s from user mode, but no user program runs",
		   exception_name(regs->vector));
}

uint64_t do_syscall(struct pt_regs *regs)
{
	panic_regs(regs, "%s from %s mode, but no user program runs",
		   exception_name(regs->vector), regs_from_user(regs) ? "user" : "kernel");
}
