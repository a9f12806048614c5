/*
 * selftests/kernel/bench_floor.S - make bench's floors: for each entry
 * path, the least a handler can do and still obey the PV ABI.  bench.c
 * registers one in place of pventry's handler for the path it measures,
 * so floor and pventry are counted on the same hypervisor in the same run;
 * the difference is what pventry's own entry code costs.
 *
 * Each arrives on the bounce frame entry/entry_64.S draws:
 *
 *   %rsp -> +0   rcx     interrupted values: the live rcx/r11 are Xen's
 *           +8   r11
 *           +16  rip
 *           +24  cs
 *           +32  rflags
 *           +40  rsp
 *           +48  ss
 *
 * and leaves by HYPERVISOR_iret with rcx/r11 popped back and the iret
 * flags pushed where they were:
 *
 *   %rsp -> +0   flags   (0, or VGCF_in_syscall to allow SYSRET)
 *           +8   rip, cs, rflags, rsp, ss
 *
 * Until the pops, rcx and r11 are free to use.  No other register is
 * touched, so a floor is also a valid handler for the interrupted code.
 */
#include <pventry/xen.h>

	.section .entry.text, "ax", @progbits

/* floor_iret FLAGS: pop rcx/r11, push FLAGS and take HYPERVISOR_iret. */
.macro floor_iret flags
	pop	%rcx
	pop	%r11
	push	$\flags
	jmp	HYPERCALL_iret
.endm

/* A 64-bit or compat SYSCALL: the return may be a SYSRET. */
	.globl	floor_syscall
	.p2align 4
floor_syscall:
	floor_iret VGCF_in_syscall

/* INT $0x80 from user mode, or INT3 from kernel mode: a plain iret. */
	.globl	floor_iret_only
	.p2align 4
floor_iret_only:
	floor_iret 0

/*
 * SYSENTER from compat mode: Xen's frame has rip 0, cs 3, rsp 0; by the
 * user ABI (include/uapi/pventry.h) edx holds the return eip and ecx the
 * stack.  Both slots are 0, so 32-bit stores zero-extend.
 */
	.globl	floor_sysenter
	.p2align 4
floor_sysenter:
	movl	%edx, 16(%rsp)				/* rip */
	movq	$FLAT_USER_CS32, 24(%rsp)		/* cs */
	movl	0(%rsp), %r11d				/* the interrupted ecx: */
	movl	%r11d, 40(%rsp)				/* rsp */
	movq	$FLAT_USER_SS32, 48(%rsp)		/* ss */
	floor_iret 0

/*
 * The event upcall: acknowledge it (without this the event would come
 * straight back, or never again): clear the port's pending bit, the
 * vCPU's pending selector and its upcall_pending byte.  bench.c fills in
 * the three addresses and the port.
 */
	.globl	floor_event
	.p2align 4
floor_event:
	mov	floor_event_port(%rip), %ecx
	mov	floor_evtchn_pending(%rip), %r11
	lock btr %rcx, (%r11)
	mov	floor_pending_sel(%rip), %r11
	lock andq $0, (%r11)
	mov	floor_upcall_pending(%rip), %r11
	movb	$0, (%r11)
	floor_iret 0

/*
 * #BP from user mode, sent to the program's handler the way pventry's
 * user ABI promises: struct fault_info (include/uapi/pventry.h) gets the
 * interrupted rip and rsp (all the bench's handler reads), and the program
 * resumes at its handler on its handler stack.  bench.c copies the
 * addresses from SYS_set_handler.
 */
#define FAULT_INFO_rip 8
#define FAULT_INFO_rsp 32
	.globl	floor_user_bp
	.p2align 4
floor_user_bp:
	mov	floor_fault_info(%rip), %rcx
	mov	16(%rsp), %r11				/* rip */
	mov	%r11, FAULT_INFO_rip(%rcx)
	mov	40(%rsp), %r11				/* rsp */
	mov	%r11, FAULT_INFO_rsp(%rcx)
	mov	floor_handler_rip(%rip), %r11
	mov	%r11, 16(%rsp)
	mov	floor_handler_stack(%rip), %r11
	mov	%r11, 40(%rsp)
	floor_iret 0

	.section .bss
	.p2align 3
	.globl	floor_event_port, floor_evtchn_pending, floor_pending_sel, floor_upcall_pending
	.globl	floor_fault_info, floor_handler_rip, floor_handler_stack
floor_event_port:	.skip 8
floor_evtchn_pending:	.skip 8
floor_pending_sel:	.skip 8
floor_upcall_pending:	.skip 8
floor_fault_info:	.skip 8
floor_handler_rip:	.skip 8
floor_handler_stack:	.skip 8
