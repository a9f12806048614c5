/*
 * hypercall/page.S - the hypercall page.
 *
 * XEN_ELFNOTE_HYPERCALL_PAGE (arch/x86/xen/head.S) names this page; the
 * domain builder fills it before the kernel runs.  Entry N, at N * 32, is
 * hypercall N: arguments in rdi, rsi, rdx, r10, r8, result in rax.  On Xen
 * each entry saves rcx/r11, does SYSCALL (a hypercall, since we are in
 * guest kernel mode) and returns.  HYPERVISOR_iret's entry is jumped to,
 * never called: see entry/entry_64.S.
 *
 * Until the builder fills it, every byte is INT3, so a call through an
 * unfilled page traps instead of running off into zeroes.
 */
#include <pventry/xen.h>

	.section .text.hypercall_page, "ax", @progbits
	.p2align 12
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc
	.type hypercall_page, @object
	.size hypercall_page, 4096

	/* HYPERCALL_iret: jump here with a struct iret_context, minus its
	   rax/r11/rcx which the entry pushes, on the stack. */
	.globl HYPERCALL_iret
	.set HYPERCALL_iret, hypercall_page + __HYPERVISOR_iret * HYPERCALL_ENTRY_SIZE
