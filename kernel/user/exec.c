/*
 * kernel/user/exec.c - running a user program, and leaving it for good.
 *
 * user_exec() loads the image, saves its own context with kernel_setjmp()
 * and irets to user mode.  SYS_exit, or a fault that kills the program,
 * arrives on the user-entry stack and kernel_longjmp()s back, dropping
 * that entry's frame.  A program that faults with no handler of its own
 * is killed with a one-line report; the kernel goes on.  So is one that
 * runs past its time budget (user_budget_ms=, default
 * USER_BUDGET_MS_DEFAULT), counted in timer ticks (kernel/time.c).
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <pventry/ptregs.h>
#include <pventry/time.h>
#include <pventry/user.h>
#include <uapi/pventry.h>

/*
 * One program at a time, on any vCPU.  The stack Xen switches to when
 * user mode enters the kernel is the running vCPU's own entry stack
 * (cpu->entry_stack_top, include/pventry/smp.h).
 */
struct user_task user_task;

/* On each vCPU that runs programs: the user page table and the entry stack. */
void user_init(void)
{
	user_mm_init();
	HYPERCALL_OR_PANIC(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, this_cpu()->entry_stack_top));
}

void user_exit(int status)
{
	user_task.exit_status = status;
	kernel_longjmp(&user_task.exit_jmp, 1);
}

/* kernel/time.c, on every tick, whatever mode it interrupted. */
void user_timer_tick(void)
{
	if (user_task.running)
		user_task.ticks++;
}

/*
 * Only here, with the upcall finished, may a program be stopped: the
 * event loop must not be left halfway through a word of pending ports.
 */
void user_preempt(struct pt_regs *regs)
{
	if (!user_task.running || user_task.ticks * TICK_MS <= user_task.budget_ms)
		return;
	printk("# user program '%s' killed: ran past its time budget of %lu ms (%lu timer ticks), "
	       "at rip %p, cs %#x, rsp %p\n", user_task.name, user_task.budget_ms, user_task.ticks,
	       (void *)regs->rip, regs_cs_sel(regs), (void *)regs->rsp);
	user_exit(USER_STATUS_OVER_BUDGET);
}

void user_kill(struct pt_regs *regs, const char *why)
{
	char sym[32];

	printk("# user program '%s' killed: %s %s (vector %#x), error code %#x, rip %p, cs %#x, rsp %p%s",
	       user_task.name, why, exception_name(regs->vector), regs->vector, regs->error_code,
	       (void *)regs->rip, regs_cs_sel(regs), (void *)regs->rsp,
	       regs->vector == X86_EXC_PF ? ", cr2 " : "");
	if (regs->vector == X86_EXC_PF)
		printk("%s", (snprintf(sym, sizeof(sym), "%p", (void *)this_vcpu()->arch.cr2), sym));
	printk("\n");
	user_exit(USER_STATUS_KILLED(regs->vector));
}

int user_exec(const char *name, const uint8_t *elf, size_t size)
{
	struct pt_regs *regs = (struct pt_regs *)(this_cpu()->entry_stack_top - sizeof(*regs));
	uint64_t entry;
	bool compat;

	memset(&user_task, 0, sizeof(user_task));
	user_task.name = name;
	if (load_elf(elf, size, &entry, &compat)) {
		printk("# user program '%s': bad ELF image\n", name);
		return USER_STATUS_BAD_ELF;
	}
	user_task.compat = compat;
	user_task.budget_ms = cmdline_get("user_budget_ms") ?
		strtoul(cmdline_get("user_budget_ms"), NULL, 0) : USER_BUDGET_MS_DEFAULT;
	/*
	 * Data segments: ignored in 64-bit mode, but compat code faults (#GP)
	 * on a null %ds or %es.  Xen's iret does not touch them, so load the
	 * flat user data selector ourselves; the kernel (64-bit) is unaffected.
	 */
	asm volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(FLAT_USER_DS32));
	user_reset_cpu_state();
	if (kernel_setjmp(&user_task.exit_jmp) == 0) {
		memset(regs, 0, sizeof(*regs));
		regs->rip = entry;
		regs->cs = compat ? FLAT_USER_CS32 : FLAT_USER_CS64;
		regs->ss = compat ? FLAT_USER_SS32 : FLAT_USER_SS;
		regs->rsp = USER_STACK_TOP - 16;
		regs->rflags = X86_EFLAGS_IF | 2;	/* IF: events unmasked in user mode */
		user_task.running = true;
		enter_user(regs);
	}
	/* Back from SYS_exit or a kill, on our own stack, events masked.
	   Nothing the program set in the debug registers or the FPU outlives it. */
	user_task.running = false;
	user_reset_cpu_state();
	return user_task.exit_status;
}
