/*
 * include/pventry/extable.h - the exception table.
 *
 * An entry says: if the kernel instruction at `insn' faults, do not die.
 * Without a handler, execution resumes at `fixup'; with one, the handler
 * gets the frame and the entry, and returns true if it dealt with it
 * (usually by setting regs->rip = e->fixup).  The table is sorted once at
 * boot (sort_exception_table) and bisected on each kernel-mode fault.
 */
#ifndef PVENTRY_EXTABLE_H
#define PVENTRY_EXTABLE_H

#ifdef __ASSEMBLY__

/* EXTABLE insn, fixup[, handler] */
.macro EXTABLE insn, fixup, handler=0
	.pushsection __ex_table, "a"
	.balign	8
	.quad	\insn, \fixup, \handler
	.popsection
.endm

#else

#include <stdbool.h>
#include <stdint.h>

#define _ASM_EXTABLE_HANDLER(from, to, handler)		\
	".pushsection __ex_table, \"a\"\n"		\
	".balign 8\n"					\
	".quad " #from ", " #to ", " #handler "\n"	\
	".popsection\n"
#define _ASM_EXTABLE(from, to) _ASM_EXTABLE_HANDLER(from, to, 0)

struct pt_regs;
struct exception_table_entry {
	uint64_t insn, fixup;
	bool (*handler)(struct pt_regs *regs, const struct exception_table_entry *e);
};

void sort_exception_table(void);
const struct exception_table_entry *search_exception_table(uint64_t rip);
/* Apply the entry for regs->rip, if any: true if the fault is dealt with. */
bool fixup_exception(struct pt_regs *regs);

#endif
#endif
