/*
 * selftests/user/regs_loop.c - timer ticks that land anywhere in user
 * code, or on a system call's way back, leave every register and flag as
 * it was (the loops are regs_loop_asm.S).  Built 64-bit (SYSCALL, INT $0x80)
 * and compat (INT $0x80, then SYSENTER on Intel or SYSCALL on AMD).
 */
#include "ulib.h"

struct regs_loop {
	unsigned long nr, want_middle, want_return, max_ticks, bad, got, iterations, max_iterations;
} rl;
struct timer_stats tstats;
/* The order CHECK numbers them in (pattern[1], %rcx, is 0: LOOP ends there). */
unsigned long pattern[16];
static const char *const names[] = {
#ifdef __x86_64__
	"rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "rflags", "rax (the call's result)",
#else
	"ebx", "ecx (the stack, for SYSENTER)", "edx (the return, for SYSENTER)", "esi", "edi", "ebp",
	"", "", "", "", "", "", "", "", "eflags", "eax (the call's result)",
#endif
};

void regs_loop_int80(void), regs_loop_syscall(void), regs_loop_sysenter(void);

/* 10 ticks in the middle of user code, 5 on a call's way back; give up after 5 s. */
#define WANT_MIDDLE 10
#define WANT_RETURN 5
#define MAX_TICKS 500
#define MAX_CALLS 200000	/* in case no tick ever comes: about 10 s under QEMU */

static void run(const char *how, void (*loop)(void))
{
	struct timer_stats before = tstats;
	unsigned long user, ret;

	memset(&rl, 0, sizeof(rl));
	rl.nr = SYS_nop;
	rl.want_middle = before.user_ticks - before.return_ticks + WANT_MIDDLE;
	rl.want_return = before.return_ticks + WANT_RETURN;
	rl.max_ticks = before.ticks + MAX_TICKS;
	rl.max_iterations = MAX_CALLS;
	loop();
	user = tstats.user_ticks - before.user_ticks;
	ret = tstats.return_ticks - before.return_ticks;
	diag("%s loop: %lu calls, %lu ticks: %lu on a call's way back, %lu in user code", how,
	     rl.iterations, (unsigned long)(tstats.ticks - before.ticks), ret, user - ret);
	if (!tap(rl.bad == 0, "%s loop: every register and flag kept", how))
		diag("  %s was %#lx, want %#lx", names[rl.bad - 1], rl.got,
		     rl.bad == 16 ? (unsigned long)SYS_NOP_MAGIC : pattern[rl.bad - 1]);
	if (rl.bad)
		return;
	tap(ret >= WANT_RETURN, "%s loop: at least %u timer ticks on a call's way back to user mode",
	    how, WANT_RETURN);
	tap(user - ret >= WANT_MIDDLE, "%s loop: at least %u in the middle of user code",
	    how, WANT_MIDDLE);
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < 14; i++)
		pattern[i] = (unsigned long)(0x0123456789abcdefull * (i + 3) ^ 0xa5a5a5a55a5a5a5aull);
	pattern[1] = 0;
	/* ID, OF, DF, IF, SF, ZF, AF, PF, CF and bit 1. */
	pattern[14] = X86_EFLAGS_ID | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_IF | X86_EFLAGS_SF |
		      X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | X86_EFLAGS_CF | X86_EFLAGS_MBS;
	if (!tap_eq(sys_ctl(CTL_TIMER_WATCH, (long)&tstats, 0), 0, "CTL_TIMER_WATCH"))
		return 1;
	run("INT $0x80", regs_loop_int80);
#ifdef __x86_64__
	run("SYSCALL", regs_loop_syscall);
#else
	if (cpu_is_intel())
		run("SYSENTER", regs_loop_sysenter);
	else
		run("SYSCALL", regs_loop_syscall);
#endif
	return 0;
}
