/*
 * kernel/user/syscall.c - system calls: SYSCALL (64-bit or compat),
 * SYSENTER, or INT $0x80, dispatched through one table.
 *
 * The kernel's own calls are below; others can be added at run time
 * with register_syscall() (the selftests add theirs).
 */
#include <pventry/arch.h>
#include <pventry/ptregs.h>
#include <pventry/user.h>
#include <uapi/pventry.h>
#include <xen/errno.h>

static long sys_exit(struct pt_regs *regs, uint64_t status, uint64_t a2, uint64_t a3)
{
	if ((int)status)
		printk("# user program '%s' exited with status %d\n", user_task.name, (int)status);
	user_exit((int)status);
}

static long sys_write(struct pt_regs *regs, uint64_t ubuf, uint64_t len, uint64_t a3)
{
	const char *buf = user_ptr(ubuf, len, false);

	if (!buf)
		return -XEN_EFAULT;
	console_write(buf, len);
	return len;
}

static long sys_set_handler(struct pt_regs *regs, uint64_t rip, uint64_t info, uint64_t stack)
{
	user_task.handler_rip = rip;
	user_task.handler_info = info;
	user_task.handler_stack = stack;
	return 0;
}

static syscall_fn syscall_table[NR_SYSCALLS] = {
	[SYS_exit]        = sys_exit,
	[SYS_write]       = sys_write,
	[SYS_set_handler] = sys_set_handler,
};

const struct syscall_watch *syscall_watch;

void register_syscall(unsigned int nr, syscall_fn fn)
{
	if (nr >= NR_SYSCALLS || syscall_table[nr])
		panic("register_syscall: %u is out of range or taken", nr);
	syscall_table[nr] = fn;
}

static bool is_canonical(uint64_t a)
{
	return ((int64_t)a >> 47) == 0 || ((int64_t)a >> 47) == -1;
}

/*
 * Returns the HYPERVISOR_iret flags: VGCF_in_syscall (Xen may use SYSRET)
 * only for SYSCALL entries returning to a canonical rip without TF.
 */
static uint64_t iret_flags(const struct pt_regs *regs, bool compat)
{
	if ((regs->vector == VEC_SYSCALL || regs->vector == VEC_SYSCALL32) &&
	    is_canonical(regs->rip) && !(regs->rflags & X86_EFLAGS_TF) &&
	    (!compat || regs->rip <= 0xffffffff))
		return VGCF_in_syscall;
	return 0;
}

uint64_t do_syscall(struct pt_regs *regs)
{
	bool compat = regs->vector == VEC_SYSCALL32 || regs->vector == VEC_SYSENTER ||
		      regs_cs_sel(regs) == FLAT_USER_CS32;
	uint64_t nr, a1, a2, a3, flags;
	int64_t ret;

	if (!regs_from_user(regs))
		panic_regs(regs, "%s from kernel mode", exception_name(regs->vector));
	if (syscall_watch)
		syscall_watch->entry(regs);
	/*
	 * SYSCALL put the user's RFLAGS in r11 (the frame's r11 slot).  The
	 * frame's own RFLAGS has the user's DF under IDT delivery, but Xen's
	 * FRED path clears DF before writing the frame (findings.md): take
	 * DF from r11, so the return gives the program back its own.
	 */
	if (regs->vector == VEC_SYSCALL || regs->vector == VEC_SYSCALL32)
		regs->rflags = (regs->rflags & ~X86_EFLAGS_DF) | (regs->r11 & X86_EFLAGS_DF);

	if (regs->vector == VEC_SYSENTER) {
		/* Xen's SYSENTER frame has rip 0, cs 3, rsp 0: by our ABI the
		   return eip is in edx and the stack in ecx. */
		regs->rip = (uint32_t)regs->rdx;
		regs->rsp = (uint32_t)regs->rcx;
		regs->cs = FLAT_USER_CS32;
		regs->ss = FLAT_USER_SS32;
	}
	if (compat) {
		nr = (uint32_t)regs->rax;
		a1 = (uint32_t)regs->rbx;
		a2 = (uint32_t)regs->rsi;
		a3 = (uint32_t)regs->rdi;
	} else {
		nr = regs->rax;
		a1 = regs->rdi;
		a2 = regs->rsi;
		a3 = regs->rdx;
	}

	ret = nr < NR_SYSCALLS && syscall_table[nr] ?
		syscall_table[nr](regs, a1, a2, a3) : -XEN_ENOSYS;
	regs->rax = compat ? (uint32_t)ret : (uint64_t)ret;

	flags = iret_flags(regs, compat);
	if (syscall_watch)
		syscall_watch->leave(regs, flags);
	return flags;
}
