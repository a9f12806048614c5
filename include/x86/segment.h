/*
 * include/x86/segment.h - segment selector fields (Intel SDM vol. 3,
 * 3.4.2).  See include/x86/eflags.h for what belongs in include/x86/.
 */
#ifndef X86_SEGMENT_H
#define X86_SEGMENT_H

#define X86_SEL_RPL_MASK	0x3	/* requested privilege level */
#define X86_SEL_TI		0x4	/* table indicator: 1 = LDT */
#define X86_SEL_RPL(sel)	((sel) & X86_SEL_RPL_MASK)

#endif
