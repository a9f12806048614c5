/*
 * include/pventry/entry_stub.h - the assembly every entry stub is made of
 * (entry/entry_64.S draws the frame they consume).  For assembly only.
 */
#ifndef PVENTRY_ENTRY_STUB_H
#define PVENTRY_ENTRY_STUB_H

#include <generated/autoconf.h>

/*
 * On arrival: the bounce frame, %rsp at its rcx slot.
 * Leaves: the interrupted rcx/r11 live, %rsp at the (error code) slot.
 */
.macro RESTORE_RCX_R11
#ifdef CONFIG_TEST_BROKEN_ENTRY
	/* Deliberately wrong, to prove the selftests notice: rcx and r11
	   keep whatever Xen left in them. */
	add	$16, %rsp
#else
	pop	%rcx
	pop	%r11
#endif
.endm

/*
 * The body of a stub for vector \vec, whose bounce frame has an error code
 * iff \has_ec: put rcx/r11 back, make the error-code slot, store the
 * vector beside it and take the common path: handle_entry, or
 * handle_syscall for the system-call entries.
 */
.macro ENTRY_STUB vec, has_ec, common=handle_entry
	RESTORE_RCX_R11
	.if !\has_ec
	push	$0
	.endif
	movl	$\vec, 4(%rsp)
	jmp	\common
.endm

#endif
