/*
 * kernel/user/fault.c - exceptions from user mode.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/ptregs.h>
#include <pventry/user.h>
#include <uapi/pventry.h>

/*
 * An exception (or a delivered INT $N, or a failsafe callback) from user
 * mode.  With a handler registered, the program gets a struct fault_info
 * and resumes at its handler on its handler stack; without one it dies.
 */
void user_exception(struct pt_regs *regs)
{
	struct fault_info *fi;

	if (regs->vector == VEC_FAILSAFE)
		user_kill(regs, "failsafe callback (bad segment selector):");
	if (!user_task.handler_rip)
		user_kill(regs, "unhandled");
	fi = user_ptr(user_task.handler_info, sizeof(*fi), true);
	if (!fi) {
		char why[96];

		snprintf(why, sizeof(why), "handler registered, but its fault_info pointer %p "
			 "is not writable user memory, for", (void *)user_task.handler_info);
		user_kill(regs, why);
	}
	if (++user_task.faults > 100000)
		user_kill(regs, "fault storm:");
	fi->vector = regs->vector;
	fi->error_code = regs->error_code;
	fi->rip = regs->rip;
	fi->cs = regs->cs;
	fi->rflags = regs->rflags;
	fi->rsp = regs->rsp;
	fi->ss = regs->ss;
	fi->cr2 = regs->vector == X86_EXC_PF ? this_vcpu()->arch.cr2 : 0;
	fi->dr6 = regs->vector == X86_EXC_DB ? HYPERVISOR_get_debugreg(6) : 0;
	fi->count = user_task.faults;
	if (regs->vector == X86_EXC_DB)
		HYPERVISOR_set_debugreg(6, 0xffff0ff0);
	regs->rip = user_task.handler_rip;
	regs->rsp = user_task.handler_stack;
	regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_AC | X86_EFLAGS_DF | X86_EFLAGS_NT);
	/* The handler runs in the mode the program runs in. */
	regs->cs = user_task.compat ? FLAT_USER_CS32 : FLAT_USER_CS64;
	regs->ss = user_task.compat ? FLAT_USER_SS32 : FLAT_USER_SS;
}
