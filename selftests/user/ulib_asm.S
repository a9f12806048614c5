/*
 * selftests/user/ulib_asm.S - program entry and the fault trampoline.
 */

	.text
	.globl	_start
_start:				/* from the kernel: sp = USER_STACK_TOP - 16 */
#ifdef __x86_64__
	and	$-16, %rsp
	call	main
	mov	%eax, %edi
	call	sys_exit
#else
	and	$-16, %esp
	call	main
	push	%eax
	call	sys_exit
#endif

/*
 * fault_entry: the kernel resumes here after a fault, on the fault stack,
 * with `fault' filled in and every other register and flag as at the
 * fault.  It keeps them all: the program resumes at the address
 * fault_dispatch() picks, on the interrupted stack, registers untouched,
 * as a signal handler's return would.
 */
	.globl	fault_entry
fault_entry:
#ifdef __x86_64__
	pushf
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	call	fault_dispatch		/* returns where to resume */
	mov	%rax, fault_resume(%rip)
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	popf
	mov	fault + 32(%rip), %rsp	/* fault.rsp: the interrupted stack */
	jmp	*fault_resume(%rip)
#else
	pushf
	push	%eax
	push	%ecx
	push	%edx
	call	fault_dispatch
	mov	%eax, fault_resume
	pop	%edx
	pop	%ecx
	pop	%eax
	popf
	mov	fault + 32, %esp
	jmp	*fault_resume
#endif

	.bss
	.p2align 3
fault_resume:
	.skip	8

	.section .note.GNU-stack, "", @progbits
