/*
 * selftests/user/crashme_asm.S - enter one crashme input, come back from
 * whatever it did.
 *
 * int cm_run(void): run the code at cm_code with every general register,
 * %rsp and %rflags taken from cm_in (struct cm_regs, crashme.c), by an
 * IRETQ: the only way to set them all at once, so even TF applies to the
 * input's first instruction.  The compat program far-jumps to the 64-bit
 * user code segment for the IRETQ, which returns to compat code.  The
 * input ends with a fault, a trap or an INT $N: the kernel delivers it to
 * cm_fault (SYS_set_handler), which puts back our own stack and flags,
 * and cm_run returns 1.  (A 32-bit IRET is never used: QEMU 10.0.2 TCG
 * enters vm86 mode on one whose popped flags have VM, even at CPL 3 in
 * long mode.)
 */
#include <xen/arch-x86/xen-x86_64.h>

/* struct cm_regs: uint64_t r[16] (the order below), rflags, rip, cs */
#define R(n)		(8 * (n))
#define CM_RFLAGS	(8 * 16)
#define CM_RIP		(8 * 17)
#define CM_CS		(8 * 18)
/* rax rcx rdx rbx rsp rbp rsi rdi r8 .. r15: the encoding order */

	.text
#ifdef __x86_64__
	.globl	cm_run
cm_run:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, cm_saved_sp(%rip)
	mov	$cm_in, %eax
#else
	.code32
	.globl	cm_run
cm_run:
	push	%ebx
	push	%ebp
	push	%esi
	push	%edi
	mov	%esp, cm_saved_sp
	mov	$cm_in, %eax
	ljmp	$FLAT_USER_CS64, $1f
	.code64
1:
#endif
	mov	%eax, %eax		/* zero-extended: rax -> cm_in */
	pushq	$FLAT_USER_SS
	pushq	R(4)(%rax)
	pushq	CM_RFLAGS(%rax)
	pushq	CM_CS(%rax)
	pushq	CM_RIP(%rax)
	mov	R(1)(%rax), %rcx
	mov	R(2)(%rax), %rdx
	mov	R(3)(%rax), %rbx
	mov	R(5)(%rax), %rbp
	mov	R(6)(%rax), %rsi
	mov	R(7)(%rax), %rdi
	mov	R(8)(%rax), %r8
	mov	R(9)(%rax), %r9
	mov	R(10)(%rax), %r10
	mov	R(11)(%rax), %r11
	mov	R(12)(%rax), %r12
	mov	R(13)(%rax), %r13
	mov	R(14)(%rax), %r14
	mov	R(15)(%rax), %r15
	mov	R(0)(%rax), %rax
	iretq

/*
 * cm_fault: the kernel's delivery of whatever ended the input (fault_info
 * in cm_fault_info), on cm_fault_stack, in the program's own mode.  The
 * input may have left any data selector and flag: reset them first.
 */
#ifdef __x86_64__
	.globl	cm_fault
cm_fault:
	mov	cm_saved_sp(%rip), %rsp
	pushq	$2
	popfq
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$1, %eax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
#else
	.code32
	.globl	cm_fault
cm_fault:
	mov	$FLAT_USER_DS32, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	cm_saved_sp, %esp
	pushl	$2
	popfl
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$1, %eax
	pop	%edi
	pop	%esi
	pop	%ebp
	pop	%ebx
	ret
#endif

	.bss
	.p2align 3
cm_saved_sp:
	.skip	8

	.section .note.GNU-stack, "", @progbits
