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
	SYS_set_handler = 3,	/* (rip, struct fault_info *, stack top) */
};
/* Other numbers below NR_SYSCALLS: calls registered at run time
   (register_syscall()); an unknown number returns -ENOSYS. */
#define NR_SYSCALLS 8

/* What a user fault handler is told (SYS_set_handler). */
struct fault_info {
	uint32_t vector;	/* exception vector, or N for a delivered INT $N */
	uint32_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* the frame, as delivered */
	uint64_t cr2;		/* #PF: vcpu_info.arch.cr2 */
	uint64_t dr6;		/* #DB: HYPERVISOR_get_debugreg(6) */
	uint64_t count;		/* faults delivered so far */
};

/* User memory layout (both 64-bit and compat programs). */
#define USER_IMAGE_BASE   0x00400000u	/* programs are linked here */
#define USER_IMAGE_PAGES  32
#define USER_RO_PAGE      0x00500000u	/* mapped read-only, user */
#define USER_UNMAPPED     0x00501000u	/* never mapped */
#define USER_STACK_TOP    0x00600000u
#define USER_STACK_PAGES  4

#endif
