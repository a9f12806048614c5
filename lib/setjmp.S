/*
 * lib/setjmp.S - kernel_setjmp / kernel_longjmp.
 *
 * How the kernel gets back from a user program: user_exec() saves
 * its context with kernel_setjmp() and irets to user mode; SYS_exit, or a
 * fault that kills the program, arrives on the user-entry stack and
 * kernel_longjmp()s back, dropping that entry's frame.
 *
 * struct kjmp: rbx, rbp, r12, r13, r14, r15, rsp, rip (8 x u64).
 */
	.text
	.globl	kernel_setjmp
kernel_setjmp:				/* int kernel_setjmp(struct kjmp *) */
	mov	%rbx, 0x00(%rdi)
	mov	%rbp, 0x08(%rdi)
	mov	%r12, 0x10(%rdi)
	mov	%r13, 0x18(%rdi)
	mov	%r14, 0x20(%rdi)
	mov	%r15, 0x28(%rdi)
	lea	8(%rsp), %rax		/* %rsp after our return */
	mov	%rax, 0x30(%rdi)
	mov	(%rsp), %rax		/* our return address */
	mov	%rax, 0x38(%rdi)
	xor	%eax, %eax
	ret

	.globl	kernel_longjmp
kernel_longjmp:				/* void kernel_longjmp(struct kjmp *, int) */
	mov	0x00(%rdi), %rbx
	mov	0x08(%rdi), %rbp
	mov	0x10(%rdi), %r12
	mov	0x18(%rdi), %r13
	mov	0x20(%rdi), %r14
	mov	0x28(%rdi), %r15
	mov	0x30(%rdi), %rsp
	mov	%esi, %eax
	jmp	*0x38(%rdi)
