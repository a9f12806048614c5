#!/bin/sh
# scripts/user-programs.sh ELF... - the assembly that embeds the user
# programs in the kernel image, in the order given, as
#
#	struct user_program { const char *name; const uint8_t *start, *end; };
#	const struct user_program user_programs[];
#	const unsigned int nr_user_programs;
#
# (selftests/kernel/user_programs.c).  Each program's name is its file name.
set -eu
printf '\t.section .rodata\n\t.balign 8\n'
printf '\t.globl user_programs, nr_user_programs\nuser_programs:\n'
i=0
for p in "$@"; do
	printf '\t.quad .Lname%d, .Lstart%d, .Lend%d\n' $i $i $i
	i=$((i + 1))
done
printf 'nr_user_programs: .long %d\n' $i
i=0
for p in "$@"; do
	printf '.Lname%d: .asciz "%s"\n' $i "$(basename "$p")"
	printf '\t.balign 16\n.Lstart%d: .incbin "%s"\n.Lend%d:\n' $i "$p" $i
	i=$((i + 1))
done
