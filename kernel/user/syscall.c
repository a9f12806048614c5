/*
 * kernel/user/syscall.c - system calls: SYSCALL (64-bit or compat),
 * SYSENTER, or INT $0x80, dispatched through one table.
 *
 * The kernel's own calls are below; others can be added at run time
 * with register_syscall() (the selftests add theirs).
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
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

/*
 * SYSRET may return only to a canonical rip without TF (else Xen's return
 * would fault or single-step in the wrong place), and to compat mode
 * only below 4 GiB.  Returns the HYPERVISOR_iret flags accordingly, and
 * notes where a SYSRET returns to, for repair_interrupted_sysret().
 */
static uint64_t sysret_flags(const struct pt_regs *regs, bool compat)
{
	uint64_t rip_limit = compat ? 0xffffffff : ~0UL;
	bool canonical = (uint64_t)(((int64_t)regs->rip >> 47) + 1) <= 1;

	if (canonical && regs->rip <= rip_limit && !(regs->rflags & X86_EFLAGS_TF)) {
		this_cpu()->sysret_rip = regs->rip;
		return VGCF_in_syscall;
	}
	return 0;
}

/*
 * Xen's HYPERVISOR_iret with VGCF_in_syscall leaves the saved rcx and r11
 * as the hypercall's own SYSCALL set them (rcx = the instruction after it
 * in the hypercall page, r11 = the kernel's rflags) for its SYSRET to
 * replace with rip and rflags as the very last step.  An event or NMI
 * that was pending while the kernel ran with events masked is delivered
 * before that step, and its bounce frame carries the hypercall's rcx/r11
 * as the user's: returning through it would hand user mode a kernel text
 * address in rcx (Documentation/findings.md).  The event and NMI entries
 * from user mode call this: a frame still at the SYSRET's rip with rcx in
 * the hypercall page's iret entry (no user program holds a kernel
 * address there) gets what SYSRET would have given.
 */
void repair_interrupted_sysret(struct pt_regs *regs)
{
	uint64_t iret_entry = (uint64_t)hypercall_page + __HYPERVISOR_iret * HYPERCALL_ENTRY_SIZE;

	if (regs->rip == this_cpu()->sysret_rip && regs->rcx - iret_entry < HYPERCALL_ENTRY_SIZE) {
		regs->rcx = regs->rip;
		regs->r11 = regs->rflags;
	}
}

/* Xen's SYSENTER frame has rip 0, cs 3, rsp 0: by our ABI the return eip
   is in edx and the stack in ecx. */
static void sysenter_frame(struct pt_regs *regs)
{
	regs->rip = (uint32_t)regs->rdx;
	regs->rsp = (uint32_t)regs->rcx;
	regs->cs = FLAT_USER_CS32;
	regs->ss = FLAT_USER_SS32;
}

static long call(struct pt_regs *regs, uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (nr < NR_SYSCALLS && syscall_table[nr])
		return syscall_table[nr](regs, a1, a2, a3);
	return -XEN_ENOSYS;
}

/* A system-call entry from kernel mode: only the selftests make one. */
static __attribute__((noinline, cold)) uint64_t kernel_mode_syscall(struct pt_regs *regs)
{
	if (!hooked(regs))
		panic_regs(regs, "%s from kernel mode", exception_name(regs->vector));
	return 0;
}

/* The system call: returns the HYPERVISOR_iret flags. */
static uint64_t dispatch(struct pt_regs *regs)
{
	bool compat;
	uint64_t flags = 0;

	if (!regs_from_user(regs))
		return kernel_mode_syscall(regs);
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

	switch (regs->vector) {
	case VEC_SYSCALL:	/* from 64-bit mode */
		regs->rax = call(regs, regs->rax, regs->rdi, regs->rsi, regs->rdx);
		flags = sysret_flags(regs, false);
		break;
	case VEC_SYSENTER:	/* from compat mode */
		sysenter_frame(regs);
		/* fall through */
	default:		/* INT $0x80, or SYSCALL from compat mode */
		compat = regs_cs_sel(regs) == FLAT_USER_CS32;
		if (compat)
			regs->rax = (uint32_t)call(regs, (uint32_t)regs->rax, (uint32_t)regs->rbx,
						   (uint32_t)regs->rsi, (uint32_t)regs->rdi);
		else
			regs->rax = call(regs, regs->rax, regs->rdi, regs->rsi, regs->rdx);
		if (regs->vector == VEC_SYSCALL32)
			flags = sysret_flags(regs, true);
		break;
	}

	if (syscall_watch)
		syscall_watch->leave(regs, flags);
	return flags;
}

/*
 * Every system-call entry (SYSCALL, SYSENTER, INT $0x80) comes here from
 * entry_64.S.  Returns the HYPERVISOR_iret flags: VGCF_in_syscall (Xen may
 * use SYSRET) only for SYSCALL entries, see sysret_flags().
 */
uint64_t do_syscall(struct pt_regs *regs)
{
	return run_entry(regs, dispatch);
}
