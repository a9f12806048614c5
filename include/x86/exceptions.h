/*
 * include/x86/exceptions.h - exception vectors and which of them push an
 * error code (Intel SDM vol. 3, 6.3.1 and 6.13).  See include/x86/eflags.h
 * for what belongs in include/x86/.
 */
#ifndef X86_EXCEPTIONS_H
#define X86_EXCEPTIONS_H

#define X86_EXC_DE	0	/* divide error */
#define X86_EXC_DB	1	/* debug */
#define X86_EXC_NMI	2	/* non-maskable interrupt */
#define X86_EXC_BP	3	/* breakpoint (INT3) */
#define X86_EXC_OF	4	/* overflow (INTO) */
#define X86_EXC_BR	5	/* BOUND range exceeded */
#define X86_EXC_UD	6	/* invalid opcode */
#define X86_EXC_NM	7	/* device not available */
#define X86_EXC_DF	8	/* double fault */
#define X86_EXC_CSO	9	/* coprocessor segment overrun */
#define X86_EXC_TS	10	/* invalid TSS */
#define X86_EXC_NP	11	/* segment not present */
#define X86_EXC_SS	12	/* stack-segment fault */
#define X86_EXC_GP	13	/* general protection */
#define X86_EXC_PF	14	/* page fault */
#define X86_EXC_SPV	15	/* spurious interrupt (reserved) */
#define X86_EXC_MF	16	/* x87 floating point */
#define X86_EXC_AC	17	/* alignment check */
#define X86_EXC_MC	18	/* machine check */
#define X86_EXC_XM	19	/* SIMD floating point */
#define X86_EXC_VE	20	/* virtualization exception */
#define X86_EXC_CP	21	/* control protection */
#define X86_EXC_HV	28	/* hypervisor injection (AMD) */
#define X86_EXC_VC	29	/* VMM communication (AMD) */
#define X86_EXC_SX	30	/* security exception (AMD) */
#define X86_NR_EXCEPTIONS 32

/* The vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define X86_EXC_HAVE_EC							\
	((1 << X86_EXC_DF) | (1 << X86_EXC_TS) | (1 << X86_EXC_NP) |	\
	 (1 << X86_EXC_SS) | (1 << X86_EXC_GP) | (1 << X86_EXC_PF) |	\
	 (1 << X86_EXC_AC) | (1 << X86_EXC_CP) | (1 << X86_EXC_VC) |	\
	 (1 << X86_EXC_SX))
#define X86_EXC_HAS_EC(vec) (((X86_EXC_HAVE_EC) >> (vec)) & 1)

#endif
