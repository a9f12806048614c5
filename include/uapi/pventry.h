/*
 * include/uapi/pventry.h - the system-call ABI between pventry and its
 * user programs.  Shared by the kernel and by 64-bit and compat programs,
 * so only fixed-width types.  Documentation/user-abi.md explains it.
 *
 * Entry paths and registers:
 *
 *   64-bit:  SYSCALL or INT $0x80.   rax = number, args rdi, rsi, rdx.
 *            Result in rax.  SYSCALL clobbers rcx and r11 (the CPU puts
 *            the return rip and rflags there); INT $0x80 preserves them.
 *            Every other register is preserved.
 *   compat:  INT $0x80, SYSCALL (AMD), SYSENTER (Intel).
 *            eax = number, args ebx, esi, edi.  Result in eax.
 *            SYSENTER saves no return address or stack: put the return
 *            eip in edx and esp in ecx first (as SYSEXIT would take them);
 *            they are preserved.  SYSCALL clobbers ecx and r11.
 */
#ifndef UAPI_PVENTRY_H
#define UAPI_PVENTRY_H

#include <stdint.h>

enum {
	SYS_exit        = 0,	/* (status): end this program */
	SYS_write       = 1,	/* (buf, len): to the console; returns len */
	SYS_tap         = 2,	/* (ok, deviation, text): one TAP check; returns ok */
	SYS_set_handler = 3,	/* (rip, struct fault_info *, stack top) */
	SYS_nop         = 4,	/* (): returns SYS_NOP_MAGIC, touches nothing */
	SYS_ctl         = 5,	/* (op, arg, arg2): test controls, below */
	NR_SYSCALLS
};

#define SYS_NOP_MAGIC 0x5c5c5c5cu

/* SYS_ctl operations */
enum {
	CTL_CMDLINE     = 0,	/* (buf, len): copy the kernel command line */
	CTL_UNREGISTER  = 1,	/* (entry): remove one entry point, see ENTRY_* */
	CTL_RESTORE     = 2,	/* (): register every entry point again */
	CTL_LAST_FRAME  = 3,	/* (struct entry_frame *): the frame of the
				   previous system call, as Xen delivered it */
	CTL_EVENT_ON_RETURN = 4,/* (): make an event pending, delivered as
				   this call returns to user mode */
	CTL_EVENT_FRAME = 5,	/* (struct entry_frame *): that event's frame */
	CTL_RETURN_TO   = 6,	/* (rip): return from this call to rip */
	CTL_SET_DR      = 7,	/* (reg, value): HYPERVISOR_set_debugreg */
	CTL_GET_DR6     = 8,	/* (): HYPERVISOR_get_debugreg(6) */
	CTL_FPU_TS      = 9,	/* (set): HYPERVISOR_fpu_taskswitch */
};

/* CTL_UNREGISTER targets */
enum {
	ENTRY_SYSCALL   = 0,
	ENTRY_SYSCALL32 = 1,
	ENTRY_SYSENTER  = 2,
	ENTRY_INT80     = 3,
};

/*
 * Known emulator deviations.  The runner names the emulator on the command
 * line (emu=qemu-10.0.2); user programs pass one with SYS_tap.  A check that fails because the emulator does
 * not do what the architecture says is still run and still asserts the
 * architectural result; on that emulator only, its failure is reported as
 * "not ok ... # TODO known emulator deviation: <why>" (TAP: not a failure),
 * everywhere else it is an ordinary failure.
 */
enum emu_deviation {
	DEV_NONE,
	DEV_QEMU_NO_SSE_XM,		/* SSE FP exceptions never raise #XM */
	DEV_QEMU_INTO_64,		/* INTO in 64-bit mode does not #UD */
	DEV_QEMU_MOVSS_DB,		/* MOV SS shadow not modelled for data breakpoints */
	DEV_QEMU_WRFSBASE,		/* non-canonical WRFSBASE does not #GP */
	DEV_QEMU_NONCANON_SS,		/* non-canonical stack access: #GP, not #SS */
	DEV_QEMU_NO_AC,			/* no alignment checking: #AC never raised */
	DEV_QEMU_SYSENTER_AMD,		/* SYSENTER in long mode runs on AMD, no #UD */
};

/* What a user fault handler is told (SYS_set_handler). */
struct fault_info {
	uint32_t vector;	/* exception vector, or N for a delivered INT $N */
	uint32_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* the frame, as delivered */
	uint64_t cr2;		/* #PF: vcpu_info.arch.cr2 */
	uint64_t dr6;		/* #DB: HYPERVISOR_get_debugreg(6) */
	uint64_t count;		/* faults delivered so far */
};

/* A kernel entry frame as Xen delivered it (before the kernel touched it). */
struct entry_frame {
	uint32_t vector;	/* pventry's entry vector (0x80, 0x102...) */
	uint32_t fast_return;	/* 1 if returned with VGCF_in_syscall */
	uint64_t rcx, r11;	/* the bounce frame's rcx/r11 slots */
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t frame_addr;	/* where on the kernel stack Xen put it */
	uint64_t kernel_stack_top;	/* the stack given to stack_switch */
};

/*
 * The selftests register trap-table vectors 0x20..0xff (not 0x80) with a
 * vDPL that varies with N, leaving some without a handler, so INT $N meets
 * every case, from kernel and from user mode alike.
 * Returns the vDPL, -1 for "no handler", -2 for "the real trap table's".
 */
static inline int softint_test_dpl(unsigned int n)
{
	if (n < 0x20 || n == 0x80)
		return -2;
	if (n % 5 == 4)
		return -1;
	return n % 4;
}

/* User memory layout (both 64-bit and compat programs). */
#define USER_IMAGE_BASE   0x00400000u	/* programs are linked here */
#define USER_IMAGE_PAGES  32
#define USER_RO_PAGE      0x00500000u	/* mapped read-only, user */
#define USER_UNMAPPED     0x00501000u	/* never mapped */
#define USER_STACK_TOP    0x00600000u
#define USER_STACK_PAGES  4

#endif
