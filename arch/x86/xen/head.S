/*
 * arch/x86/xen/head.S - what Xen's domain builder reads, and where it jumps.
 *
 * The ELF notes tell the builder (Xen's libelf) how to load us: a PV64
 * kernel linked and loaded at KERNEL_BASE, entered at startup_xen with
 *
 *   %rsi = start_info_t * (virtual; inside the initial mapping)
 *   %rsp = top of a boot stack inside the initial mapping
 *   events masked (vcpu_info.evtchn_upcall_mask = 1), CS = FLAT_KERNEL_CS
 *
 * Everything from KERNEL_BASE to beyond the end of the image is mapped
 * read-write except the initial page tables, which are read-only.
 */
#include <pventry/xen.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include <generated/autoconf.h>
#include <pventry/smp.h>

#define KERNEL_BASE 0xffffffff80000000

/* One note: name "Xen", a type from <xen/elfnote.h>, a descriptor. */
#define XEN_NOTE(type, desc...)			\
	.pushsection .note.Xen, "a", @note;	\
	.p2align 2;				\
	.long 4f - 3f; .long 6f - 5f; .long type; \
3:	.asciz "Xen";				\
4:	.p2align 2;				\
5:	desc;					\
6:	.p2align 2;				\
	.popsection

XEN_NOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "pventry")
XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "0.1")
XEN_NOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
XEN_NOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
XEN_NOTE(XEN_ELFNOTE_VIRT_BASE,      .quad KERNEL_BASE)
XEN_NOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad KERNEL_BASE)
XEN_NOTE(XEN_ELFNOTE_ENTRY,          .quad startup_xen)
XEN_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
/* We update our page tables through mmu_update, never by writing them. */
XEN_NOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables")
/* Bit XENFEAT_dom0: we may be booted as the hardware domain. */
XEN_NOTE(XEN_ELFNOTE_SUPPORTED_FEATURES, .long (1 << XENFEAT_dom0))

	.section .text.head, "ax", @progbits
	.code64
	.globl startup_xen
startup_xen:
	/* Xen zero-fills the image beyond the file, but say so ourselves. */
	cld
	mov	%rsi, %rbx
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb

	/*
	 * vCPU 0's own stack (include/pventry/smp.h): its lowest word points
	 * to cpus[0], which is how every later entry finds its vCPU.
	 */
	lea	cpu_stacks(%rip), %rax
	lea	cpus(%rip), %rcx
	mov	%rcx, (%rax)
	lea	KERNEL_STACK_SIZE(%rax), %rsp
	xor	%ebp, %ebp
	mov	%rbx, %rdi
	call	start_kernel		/* start_kernel(start_info_t *) */
	ud2				/* never returns */

/*
 * startup_secondary: where VCPUOP_initialise starts every other vCPU
 * (arch/x86/xen/smp.c builds its context):
 *
 *   %rsp = top of its own kernel stack, whose lowest word points to its cpu
 *   %rdi = its struct cpu *
 *   events masked, the trap table and the event, failsafe and syscall
 *   callbacks registered from the context, nothing else
 */
	.globl startup_secondary
startup_secondary:
	cld
	xor	%ebp, %ebp
	call	start_secondary		/* start_secondary(struct cpu *) */
	ud2
