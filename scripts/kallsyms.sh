#!/bin/sh
# scripts/kallsyms.sh NM ELF > kallsyms.S
#
# The kernel's symbol table for kernel/kallsyms.c: every text symbol of ELF,
# sorted, then an end marker at the end of the text.
set -eu
nm=$1 elf=$2
"$nm" -n "$elf" | awk '
	$2 ~ /^[tTwW]$/ && $3 !~ /^(\.|__entry_text)/ { addr[n] = $1; name[n] = $3; n++ }
	$3 == "__entry_text_end" { end = $1 }
	END {
		print "\t.section .kallsyms, \"a\""
		print "\t.balign 8"
		print "\t.globl kallsyms_count, kallsyms_syms, kallsyms_names"
		print "kallsyms_count:\t.quad " n + 1
		print "kallsyms_syms:"
		for (i = 0; i < n; i++) print "\t.quad 0x" addr[i] ", .Ln" i " - kallsyms_names"
		print "\t.quad 0x" end ", .Lnend - kallsyms_names"
		print "kallsyms_names:"
		for (i = 0; i < n; i++) print ".Ln" i ":\t.asciz \"" name[i] "\""
		print ".Lnend:\t.asciz \"(end)\""
	}'
