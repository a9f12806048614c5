/*
 * selftests/kernel/softint_stubs.S - entry_softint_table[N - 0x20]: an
 * entry stub for each vector 0x20..0xff, which softint.c registers (with
 * varying vDPL) to check INT $N delivery.  Each is an ordinary stub
 * (include/pventry/entry_stub.h): no error code, vector N.
 */
#include <pventry/entry_stub.h>

	.pushsection .rodata
	.p2align 3
	.globl	entry_softint_table
entry_softint_table:
	.popsection

	.section .entry.text, "ax", @progbits
	.set	softvec, 0x20
	.rept	0xe0
	.p2align 4
1:	ENTRY_STUB softvec, 0
	.pushsection .rodata
	.quad	1b
	.popsection
	.set	softvec, softvec + 1
	.endr
