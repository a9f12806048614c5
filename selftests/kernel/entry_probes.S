/*
 * selftests/kernel/entry_probes.S - two entry stubs that look at what the
 * hypervisor handed over before anything else touches it.  syscalls.c
 * registers them in place of an ordinary stub (CTL_REGISTER).
 */
#include <pventry/entry_stub.h>
#include <selftests/abi.h>
#include <x86/exceptions.h>

	.section .entry.text, "ax", @progbits

/*
 * entry_live_flags_probe: save %rflags as the hypervisor left them live
 * (every stub must `cld': this shows why), then go on to the ordinary
 * stub in live_flags_next.  Changes no register and no flag.
 */
	.globl	entry_live_flags_probe
	.p2align 4
entry_live_flags_probe:
	pushfq
	popq	live_flags(%rip)
	jmp	*live_flags_next(%rip)

/*
 * entry_ec_probe: the trap-table entry of #PF while it also takes
 * INT $0x0e (vDPL 3).  From user mode the frame's top is 16-byte
 * aligned, so on arrival %rsp is 8 mod 16 for the seven words
 * rcx r11 rip cs rflags rsp ss, and 0 mod 16 when an error code sits
 * between r11 and rip.  Either way the frame is consumed right; the
 * vector says which it was (VEC_EC_PUSHED).
 */
	.globl	entry_ec_probe
	.p2align 4
entry_ec_probe:
	testq	$8, %rsp		/* a test changes no register */
	jnz	1f
	ENTRY_STUB VEC_EC_PUSHED + X86_EXC_PF, 1
1:	ENTRY_STUB X86_EXC_PF, 0

	.section .bss
	.p2align 3
	.globl	live_flags, live_flags_next
live_flags:
	.skip	8
live_flags_next:
	.skip	8
