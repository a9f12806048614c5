/*
 * selftests/kernel/probe.S - instruction sequences the kernel tests run
 * with the probe (trap_probe.c) armed.  Each records, where the tests can see it, what
 * the frame Xen delivers must say.
 */
#include <pventry/extable.h>

	.text

/*
 * softint_probes: 256 entries of 8 bytes; entry N is `int $N; ret'.
 * Called with a probe armed: a refused INT $N raises #GP at the int,
 * whose exception-table fixup is the ret.
 */
	.p2align 3
	.globl	softint_probes
softint_probes:
	.set	vec, 0
	.rept	256
	.p2align 3
1:	.byte	0xcd, vec		/* int $vec */
2:	ret
	EXTABLE	1b, 2b, probe_fixup
	.set	vec, vec + 1
	.endr

/*
 * void regs_probe(uint64_t out[15]): load every general register but %rsp
 * with PATTERN(n), execute INT3 (which Xen bounces to entry_BP), and store
 * them to out[] in the order rax rbx rcx rdx rsi rdi rbp r8 .. r15, so the
 * test can check that the round trip through the entry code changed none.
 */
#define PATTERN(n) (((n) << 56) | 0x005a5a5a5a5a5a5a)
	.globl	regs_probe
regs_probe:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* out */
	movabs	$PATTERN(1), %rax
	movabs	$PATTERN(2), %rbx
	movabs	$PATTERN(3), %rcx
	movabs	$PATTERN(4), %rdx
	movabs	$PATTERN(5), %rsi
	movabs	$PATTERN(6), %rdi
	movabs	$PATTERN(7), %rbp
	movabs	$PATTERN(8), %r8
	movabs	$PATTERN(9), %r9
	movabs	$PATTERN(10), %r10
	movabs	$PATTERN(11), %r11
	movabs	$PATTERN(12), %r12
	movabs	$PATTERN(13), %r13
	movabs	$PATTERN(14), %r14
	movabs	$PATTERN(15), %r15
	int3
	push	%rdi
	mov	8(%rsp), %rdi		/* out */
	mov	%rax, 0*8(%rdi)
	mov	%rbx, 1*8(%rdi)
	mov	%rcx, 2*8(%rdi)
	mov	%rdx, 3*8(%rdi)
	mov	%rsi, 4*8(%rdi)
	pop	%rax			/* the rdi after the int3 */
	mov	%rax, 5*8(%rdi)
	mov	%rbp, 6*8(%rdi)
	mov	%r8,  7*8(%rdi)
	mov	%r9,  8*8(%rdi)
	mov	%r10, 9*8(%rdi)
	mov	%r11, 10*8(%rdi)
	mov	%r12, 11*8(%rdi)
	mov	%r13, 12*8(%rdi)
	mov	%r14, 13*8(%rdi)
	mov	%r15, 14*8(%rdi)
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
