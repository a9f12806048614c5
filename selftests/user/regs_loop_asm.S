/*
 * selftests/user/regs_loop_asm.S - every register held while timer ticks land.
 *
 * regs_loop_<path>() loads every general register it may (all but %rax,
 * which carries the call, and %rsp) and the arithmetic flags (CF PF AF ZF
 * SF OF, and DF and ID) from `pattern', then repeats: spin with LOOP (it
 * changes only %rcx, no flag), make one system call (SYS_nop), and check
 * every register and the flags against the pattern.  A tick that lands in
 * the spin interrupts user code at an arbitrary instruction; one that
 * comes while the kernel runs the call is delivered on its way back
 * (Xen's iret finds it pending), the return-path case.  The kernel counts
 * both in `tstats' (CTL_TIMER_WATCH); the loop ends once both counts reach what
 * `rl' asks for, or after rl.max_ticks ticks in all, or (no ticks at all)
 * after rl.max_iterations calls.  A mismatch ends it at once:
 * rl.bad = which (1-based, the order of regs_loop.c's names), rl.got = the
 * value seen.
 */

#ifdef __x86_64__
#define W 8
#else
#define W 4
#endif
/* struct regs_loop (regs_loop.c) */
#define RL_NR		(0 * W)
#define RL_WANT_MIDDLE	(1 * W)
#define RL_WANT_RETURN	(2 * W)
#define RL_MAX_TICKS	(3 * W)
#define RL_BAD		(4 * W)
#define RL_GOT		(5 * W)
#define RL_ITER		(6 * W)
#define RL_MAX_ITER	(7 * W)
/* struct timer_stats (abi.h): three uint64_t */
#define TS_TICKS	0
#define TS_USER		8
#define TS_RETURN	16
#define SPIN		5000	/* LOOP iterations, plus 0-4095 that vary per call */
#define NOP_MAGIC	0x5c5c5c5c
#define FLAGS		(14 * W)	/* pattern[14]: the flags */

/*
 * Where the ticks land must not depend on the spin's length alone: under
 * an emulator whose clock counts instructions (Bochs), a fixed-length loop
 * can keep every tick in the same phase, never during a call.  So the spin
 * varies from call to call (a multiplicative hash of the call count).
 * Arithmetic flags are free here: the loop reloads them from the pattern.
 */
.macro NEXT_SPIN iter
	mov	\iter, %eax
	imul	$40503, %eax, %eax
	shr	$20, %eax
	add	$SPIN, %eax
	mov	%eax, spin
.endm

	.data
	.balign 4
spin:	.long	SPIN

	.text
#ifdef __x86_64__

.macro CHECK reg, idx
	cmp	pattern + \idx * W(%rip), \reg
	je	1f
	mov	\reg, rl + RL_GOT(%rip)
	movq	$\idx + 1, rl + RL_BAD(%rip)
	add	$8, %rsp
	jmp	.Lout
1:
.endm

/* One loop for each way in; \insn the call, \keeps_rcx_r11 whether it does. */
.macro REGS_LOOP name, insn, keeps_rcx_r11
	.globl	regs_loop_\name
regs_loop_\name:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	pattern + 0 * W(%rip), %rbx
	mov	pattern + 2 * W(%rip), %rdx
	mov	pattern + 3 * W(%rip), %rsi
	mov	pattern + 4 * W(%rip), %rdi
	mov	pattern + 5 * W(%rip), %rbp
	mov	pattern + 6 * W(%rip), %r8
	mov	pattern + 7 * W(%rip), %r9
	mov	pattern + 8 * W(%rip), %r10
	mov	pattern + 9 * W(%rip), %r11
	mov	pattern + 10 * W(%rip), %r12
	mov	pattern + 11 * W(%rip), %r13
	mov	pattern + 12 * W(%rip), %r14
	mov	pattern + 13 * W(%rip), %r15
.Lagain_\name:
	pushq	pattern + FLAGS(%rip)
	popfq
	mov	spin(%rip), %ecx
2:	loop	2b
	mov	rl + RL_NR(%rip), %eax
	\insn
	pushfq
	cmp	$NOP_MAGIC, %rax
	jne	.Lbad_rax_\name
	CHECK	%rbx, 0
	.if \keeps_rcx_r11
	CHECK	%rcx, 1		/* pattern[1] is 0: LOOP left it there */
	CHECK	%r11, 9
	.endif
	CHECK	%rdx, 2
	CHECK	%rsi, 3
	CHECK	%rdi, 4
	CHECK	%rbp, 5
	CHECK	%r8, 6
	CHECK	%r9, 7
	CHECK	%r10, 8
	CHECK	%r12, 10
	CHECK	%r13, 11
	CHECK	%r14, 12
	CHECK	%r15, 13
	pop	%rax
	cmp	pattern + FLAGS(%rip), %rax
	je	3f
	mov	%rax, rl + RL_GOT(%rip)
	movq	$15, rl + RL_BAD(%rip)
	jmp	.Lout
3:	incq	rl + RL_ITER(%rip)
	NEXT_SPIN rl + RL_ITER(%rip)
	mov	rl + RL_ITER(%rip), %rax
	cmp	rl + RL_MAX_ITER(%rip), %rax
	jae	.Lout
	mov	tstats + TS_TICKS(%rip), %rax
	cmp	rl + RL_MAX_TICKS(%rip), %rax
	jae	.Lout
	mov	tstats + TS_USER(%rip), %rax
	sub	tstats + TS_RETURN(%rip), %rax
	cmp	rl + RL_WANT_MIDDLE(%rip), %rax
	jb	.Lagain_\name
	mov	tstats + TS_RETURN(%rip), %rax
	cmp	rl + RL_WANT_RETURN(%rip), %rax
	jb	.Lagain_\name
	jmp	.Lout
.Lbad_rax_\name:
	mov	%rax, rl + RL_GOT(%rip)
	movq	$16, rl + RL_BAD(%rip)
	add	$8, %rsp
	jmp	.Lout
.endm

REGS_LOOP int80, "int $0x80", 1
REGS_LOOP syscall, "syscall", 0

.Lout:
	cld
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

#else /* compat */

.macro CHECK reg, idx
	cmp	pattern + \idx * W, \reg
	je	1f
	mov	\reg, rl + RL_GOT
	movl	$\idx + 1, rl + RL_BAD
	add	$4, %esp
	jmp	.Lout
1:
.endm

/* \how: 0 INT $0x80 (keeps all), 1 SYSCALL (clobbers %ecx),
   2 SYSENTER (our ABI: %edx = return, %ecx = %esp, both kept). */
.macro REGS_LOOP name, how
	.globl	regs_loop_\name
regs_loop_\name:
	push	%ebx
	push	%ebp
	push	%esi
	push	%edi
	mov	pattern + 0 * W, %ebx
	mov	pattern + 3 * W, %esi
	mov	pattern + 4 * W, %edi
	mov	pattern + 5 * W, %ebp
.Lagain_\name:
	pushl	pattern + FLAGS
	popfl
	mov	pattern + 2 * W, %edx
	mov	spin, %ecx
2:	loop	2b
	mov	rl + RL_NR, %eax
	.if \how == 0
	int	$0x80
	.elseif \how == 1
	syscall
	.else
	mov	%esp, %ecx
	mov	$4f, %edx
	sysenter
4:
	.endif
	pushfl
	cmp	$NOP_MAGIC, %eax
	jne	.Lbad_eax_\name
	CHECK	%ebx, 0
	.if \how == 0
	CHECK	%ecx, 1
	.endif
	.if \how == 2
	lea	4(%esp), %eax
	cmp	%eax, %ecx
	je	5f
	mov	%ecx, rl + RL_GOT
	movl	$2, rl + RL_BAD
	add	$4, %esp
	jmp	.Lout
5:	cmp	$4b, %edx
	je	6f
	mov	%edx, rl + RL_GOT
	movl	$3, rl + RL_BAD
	add	$4, %esp
	jmp	.Lout
6:
	.else
	CHECK	%edx, 2
	.endif
	CHECK	%esi, 3
	CHECK	%edi, 4
	CHECK	%ebp, 5
	pop	%eax
	cmp	pattern + FLAGS, %eax
	je	3f
	mov	%eax, rl + RL_GOT
	movl	$15, rl + RL_BAD
	jmp	.Lout
3:	incl	rl + RL_ITER
	NEXT_SPIN rl + RL_ITER
	mov	rl + RL_ITER, %eax
	cmp	rl + RL_MAX_ITER, %eax
	jae	.Lout
	mov	tstats + TS_TICKS, %eax
	cmp	rl + RL_MAX_TICKS, %eax
	jae	.Lout
	mov	tstats + TS_USER, %eax
	sub	tstats + TS_RETURN, %eax
	cmp	rl + RL_WANT_MIDDLE, %eax
	jb	.Lagain_\name
	mov	tstats + TS_RETURN, %eax
	cmp	rl + RL_WANT_RETURN, %eax
	jb	.Lagain_\name
	jmp	.Lout
.Lbad_eax_\name:
	mov	%eax, rl + RL_GOT
	movl	$16, rl + RL_BAD
	add	$4, %esp
	jmp	.Lout
.endm

REGS_LOOP int80, 0
REGS_LOOP syscall, 1
REGS_LOOP sysenter, 2

.Lout:
	cld
	pop	%edi
	pop	%esi
	pop	%ebp
	pop	%ebx
	ret
#endif

	.section .note.GNU-stack, "", @progbits
