/*
 * entry/entry_64.S - every way into the kernel, and the one way out.
 *
 * A PV64 guest runs its kernel in ring 3 like its userspace, so the CPU
 * never enters us directly: Xen takes every exception, INT $N, SYSCALL,
 * SYSENTER and event, decides what the guest should see, and "bounces"
 * to the handler we registered, with this frame on the kernel stack (the
 * current stack if we were in kernel mode, else the one given to
 * HYPERVISOR_stack_switch; its top rounded down to 16 bytes):
 *
 *                 +------------------------+   high addresses
 *                 | ss                     |  <- 16-byte aligned
 *                 | rsp                    |
 *                 | rflags                 |  IF = events were unmasked
 *                 | mask << 32 | cs        |  cs RPL 0: from kernel mode
 *                 | rip                    |
 *                 | [error code]           |  only where the vector has one
 *                 | r11                    |
 *   %rsp -> +0    | rcx                    |
 *                 +------------------------+   low addresses
 *
 * rcx and r11 hold the interrupted values: Xen may have used SYSRET to get
 * here, which loads them with its own rip and rflags, so the live rcx/r11
 * are garbage on entry.  Each stub pops them back, pushes a zero error
 * code where the vector has none, and stores the vector in the upper half
 * of that slot.  The rest is one path: SAVE_ALL builds struct pt_regs
 * (include/pventry/ptregs.h), do_entry() handles it (do_syscall() straight
 * away for the four system-call entries), RESTORE_ALL, and
 * HYPERVISOR_iret returns.
 *
 * The way out: HYPERVISOR_iret takes a struct iret_context on the stack,
 *
 *     rax, r11, rcx, flags, rip, cs, rflags, rsp, ss     (low -> high)
 *
 * of which the hypercall page entry pushes rcx, r11 and rax itself.  The
 * error-code slot of pt_regs sits exactly where `flags' goes, so do_entry()
 * returns the flags (0, or VGCF_in_syscall to let Xen use SYSRET), we store
 * them there, restore the registers and jump.
 */
#include <pventry/xen.h>
#include <pventry/entry_stub.h>
#include <pventry/ptregs.h>
#include <pventry/smp.h>
#include <x86/exceptions.h>
#include <generated/autoconf.h>

	.section .entry.text, "ax", @progbits

/* Build struct pt_regs below the error-code slot. */
.macro SAVE_ALL
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rcx
	push	%rax
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro RESTORE_ALL
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
.endm

/*
 * entry_<name>: a trap-table entry for vector \vec.
 * On arrival: bounce frame, with an error code iff \has_ec.
 */
.macro TRAP_ENTRY name, vec, has_ec, common=handle_entry
	.globl	entry_\name
	.type	entry_\name, @function
	.p2align 4
entry_\name:
	ENTRY_STUB \vec, \has_ec, \common
	.size	entry_\name, . - entry_\name
.endm

/* A system-call entry: no error code; handle_syscall. */
.macro SYSCALL_ENTRY name, vec
	TRAP_ENTRY \name, \vec, 0, handle_syscall
.endm

/* An exception: with an error code where <x86/exceptions.h> says. */
.macro EXC_ENTRY name, vec
	.if X86_EXC_HAS_EC(\vec)
	TRAP_ENTRY \name, \vec, 1
	.else
	TRAP_ENTRY \name, \vec, 0
	.endif
.endm


EXC_ENTRY DE,   X86_EXC_DE
EXC_ENTRY DB,   X86_EXC_DB
EXC_ENTRY NMI,  X86_EXC_NMI
EXC_ENTRY BP,   X86_EXC_BP
EXC_ENTRY OF,   X86_EXC_OF
EXC_ENTRY BR,   X86_EXC_BR
EXC_ENTRY UD,   X86_EXC_UD
EXC_ENTRY NM,   X86_EXC_NM
EXC_ENTRY DF,   X86_EXC_DF
EXC_ENTRY CSO,  X86_EXC_CSO
EXC_ENTRY TS,   X86_EXC_TS
EXC_ENTRY NP,   X86_EXC_NP
EXC_ENTRY SS,   X86_EXC_SS
EXC_ENTRY GP,   X86_EXC_GP
EXC_ENTRY PF,   X86_EXC_PF
EXC_ENTRY SPV,  X86_EXC_SPV
EXC_ENTRY MF,   X86_EXC_MF
EXC_ENTRY AC,   X86_EXC_AC
EXC_ENTRY MC,   X86_EXC_MC
EXC_ENTRY XM,   X86_EXC_XM
EXC_ENTRY VE,   X86_EXC_VE
EXC_ENTRY CP,   X86_EXC_CP
EXC_ENTRY R22,  22
EXC_ENTRY R23,  23
EXC_ENTRY R24,  24
EXC_ENTRY R25,  25
EXC_ENTRY R26,  26
EXC_ENTRY R27,  27
EXC_ENTRY HV,   X86_EXC_HV
EXC_ENTRY VC,   X86_EXC_VC
EXC_ENTRY SX,   X86_EXC_SX
EXC_ENTRY R31,  31

/* INT $0x80: the legacy system call, from 64-bit and compat user mode. */
SYSCALL_ENTRY INT80, 0x80

/* Callbacks registered with HYPERVISOR_callback_op: same frame, no error code. */
TRAP_ENTRY event,     VEC_EVENT,     0
TRAP_ENTRY nmi_cb,    VEC_NMI_CB,    0
SYSCALL_ENTRY syscall,   VEC_SYSCALL	/* SYSCALL from 64-bit user mode */
SYSCALL_ENTRY syscall32, VEC_SYSCALL32	/* SYSCALL from compat user mode (AMD) */
SYSCALL_ENTRY sysenter,  VEC_SYSENTER	/* SYSENTER from compat user mode (Intel):
					   frame rip = 0, cs = 3, rsp = 0 */

/*
 * entry_failsafe: Xen could not load a data segment selector while
 * switching this vCPU back in, loaded null instead, and bounced here.
 * On arrival, 11 words (Documentation/smp.md):
 *
 *   rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss     (low -> high)
 *
 * ds..gs are the selectors it tried.  They go to this vCPU's
 * cpu->failsafe_segs (found from %rsp, include/pventry/smp.h), and the
 * rest is an ordinary frame without an error code.
 */
	.globl	entry_failsafe
	.p2align 4
entry_failsafe:
	RESTORE_RCX_R11
	push	%rax				/* %rsp -> rax, ds, es, fs, gs, rip... */
	push	%rdx
	mov	%rsp, %rax
	and	$~(KERNEL_STACK_SIZE - 1), %rax
	mov	(%rax), %rax			/* this vCPU's struct cpu */
	mov	16(%rsp), %rdx
	mov	%rdx, CPU_failsafe_segs + 0(%rax)
	mov	24(%rsp), %rdx
	mov	%rdx, CPU_failsafe_segs + 8(%rax)
	mov	32(%rsp), %rdx
	mov	%rdx, CPU_failsafe_segs + 16(%rax)
	mov	40(%rsp), %rdx
	mov	%rdx, CPU_failsafe_segs + 24(%rax)
	pop	%rdx
	pop	%rax
	add	$32, %rsp			/* %rsp -> rip */
	push	$0
	movl	$VEC_FAILSAFE, 4(%rsp)
	jmp	handle_entry

/*
 * handle_entry, handle_syscall: the common path, calling do_entry() or
 * do_syscall() (both uint64_t fn(struct pt_regs *)).
 * On arrival: %rsp -> error code | vector << 32, then rip, cs, rflags, rsp,
 * ss; every general register holds its interrupted value.
 */
.macro CALL_WITH_PTREGS fn
	cld
	SAVE_ALL			/* %rsp -> struct pt_regs */
	mov	%rsp, %rdi
	mov	%rsp, %rbx		/* callee-saved: pt_regs across the call */
	and	$~15, %rsp		/* the C ABI wants 16-byte alignment */
	call	\fn
	mov	%rbx, %rsp
	mov	%rax, PTREGS_error_code(%rsp)	/* becomes iret_context.flags */
.endm

	.p2align 4
	.globl	handle_syscall
handle_syscall:
	CALL_WITH_PTREGS do_syscall
	jmp	restore_and_iret

	.p2align 4
	.globl	handle_entry
handle_entry:
	CALL_WITH_PTREGS do_entry

/*
 * restore_and_iret: %rsp -> struct pt_regs whose error-code slot holds the
 * iret flags.  Does not return.
 */
	.globl	restore_and_iret
restore_and_iret:
	RESTORE_ALL
	/* %rsp -> flags, rip, cs, rflags, rsp, ss */
	jmp	HYPERCALL_iret

/*
 * enter_user(struct pt_regs *regs): start running a user context.
 * regs lies on the user-entry stack (the one given to stack_switch) with
 * its error-code slot zero, so this is the second half of an ordinary
 * return: HYPERVISOR_iret sees cs RPL 3 and switches to user mode.
 */
#ifdef CONFIG_USER_PROGRAMS
	.section .entry.text, "ax", @progbits
	.globl	enter_user
enter_user:
	mov	%rdi, %rsp
	jmp	restore_and_iret
#endif
