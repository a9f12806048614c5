/*
 * include/pventry/user.h - running user programs (kernel/user/).
 *
 * One program at a time runs in the one user address space
 * (arch/x86/xen/user_mm.c), entering the kernel through SYSCALL, SYSENTER,
 * INT $0x80 and exceptions.  The system-call ABI is <uapi/pventry.h>,
 * explained in Documentation/user-abi.md.
 */
#ifndef PVENTRY_USER_H
#define PVENTRY_USER_H

#include <pventry/kernel.h>

struct pt_regs;

/* uaccess.c: a kernel pointer to [uaddr, uaddr + len) of user memory, or NULL. */
void *user_ptr(uint64_t uaddr, uint64_t len, bool write);
/* Copy a NUL-terminated user string (cut to fit); -1 if it isn't readable. */
int user_strlcpy(char *dst, uint64_t uaddr, size_t size);

/* elf.c: load a 64-bit or compat ELF image into the user pages. */
int load_elf(const uint8_t *elf, size_t size, uint64_t *entry, bool *compat);

/* exec.c */
struct kjmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int kernel_setjmp(struct kjmp *j);			/* lib/setjmp.S */
__noreturn void kernel_longjmp(struct kjmp *j, int v);
__noreturn void enter_user(struct pt_regs *regs);	/* entry/entry_64.S */

/* The program running now. */
struct user_task {
	const char *name;
	bool compat;
	bool running;		/* between entering user mode and the end */
	struct kjmp exit_jmp;
	int exit_status;	/* SYS_exit's argument, or a USER_STATUS_* */
	uint64_t handler_rip, handler_info, handler_stack;	/* SYS_set_handler */
	uint64_t faults;
	uint64_t ticks;		/* timer ticks while it ran (kernel/time.c) */
	uint64_t budget_ms;	/* killed when ticks * TICK_MS exceed this */
};

/* How a program ended, besides its own exit status: killed by exception
   `vector', stopped past its time budget, or never started. */
#define USER_STATUS_KILLED(vector)	(-1 - (int)(vector))
#define USER_STATUS_OVER_BUDGET		(-999)
#define USER_STATUS_BAD_ELF		(-1000)
/* The budget unless the command line says user_budget_ms=N. */
#define USER_BUDGET_MS_DEFAULT		10000
extern struct user_task user_task;

void user_init(void);		/* this vCPU: the address space and the entry stack */
/* Run a program to its end: its exit status, or a USER_STATUS_*. */
int user_exec(const char *name, const uint8_t *elf, size_t size);
__noreturn void user_exit(int status);
__noreturn void user_kill(struct pt_regs *regs, const char *why);

/* debugreg.c: a debug register set for a user program, checked (-EPERM
   for a breakpoint that could cover kernel memory); and the clean slate
   every program starts and ends with (debug registers clear, FPU usable). */
long user_set_debugreg(unsigned int reg, uint64_t value);
void user_reset_cpu_state(void);

/* exec.c: after an event upcall from user mode, stop the program if it
   has run past its budget (a tick may have landed anywhere in it). */
void user_preempt(struct pt_regs *regs);

/* fault.c: an exception from user mode (entry/traps.c calls it). */
void user_exception(struct pt_regs *regs);

/* syscall.c: for the event and NMI entries from user mode, a frame
   built before a SYSRET return finished (Xen's rcx/r11 in it). */
void repair_interrupted_sysret(struct pt_regs *regs);

/* syscall.c */
typedef long (*syscall_fn)(struct pt_regs *regs, uint64_t a1, uint64_t a2, uint64_t a3);
void register_syscall(unsigned int nr, syscall_fn fn);
uint64_t do_syscall(struct pt_regs *regs);

/*
 * Whoever wants to see every system call (the selftests) installs this:
 * entry() gets the frame as Xen delivered it, before the call runs;
 * leave() gets the iret flags the return will use.
 */
struct syscall_watch {
	void (*entry)(const struct pt_regs *regs);
	void (*leave)(const struct pt_regs *regs, uint64_t iret_flags);
};
extern const struct syscall_watch *syscall_watch;

#endif
