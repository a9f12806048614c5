/*
 * hv/tests/guests/head.S - entry, ELF notes and hypercall page of the tiny
 * test guests (each guest's C file provides guest_main).
 *
 * ABI carried: the PV64 boot contract: Xen ELF notes; entry with %rsi =
 * start_info on Xen's boot stack; the hypercall page filled by the
 * hypervisor; the bounce frame of a trap (RCX, R11, RIP, CS, RFLAGS, RSP,
 * SS) and HYPERVISOR_iret's frame.
 */
#include <xen/elfnote.h>

.macro ELFNOTE type, directive, value
        .pushsection .note.Xen, "a", @note
        .p2align 2
        .long   2f - 1f
        .long   4f - 3f
        .long   \type
1:      .asciz  "Xen"
2:      .p2align 2
3:      \directive \value
4:      .p2align 2
        .popsection
.endm
.macro ELFNOTE_STR type, str
        .pushsection .note.Xen, "a", @note
        .p2align 2
        .long   2f - 1f
        .long   4f - 3f
        .long   \type
1:      .asciz  "Xen"
2:      .p2align 2
3:      .asciz  "\str"
4:      .p2align 2
        .popsection
.endm

        ELFNOTE_STR XEN_ELFNOTE_GUEST_OS, "pventry-hv-test"
        ELFNOTE_STR XEN_ELFNOTE_GUEST_VERSION, "0"
        ELFNOTE_STR XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        ELFNOTE_STR XEN_ELFNOTE_LOADER, "generic"
        ELFNOTE XEN_ELFNOTE_VIRT_BASE, .quad, 0xffffffff80000000
        ELFNOTE XEN_ELFNOTE_PADDR_OFFSET, .quad, 0xffffffff80000000
        ELFNOTE XEN_ELFNOTE_ENTRY, .quad, _start
        ELFNOTE XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page
        ELFNOTE_STR XEN_ELFNOTE_FEATURES, "!writable_page_tables"
        ELFNOTE XEN_ELFNOTE_SUPPORTED_FEATURES, .long, (1 << 11)

        .section .text.head, "ax"
        .globl _start
_start:
        /* %rsi = start_info, %rsp = top of Xen's boot stack. */
        mov     %rsi, %rdi
        call    guest_main
        ud2

        .p2align 12
        .globl hypercall_page
hypercall_page:
        .fill   4096, 1, 0

/*
 * A trap handler that counts and returns:
 *
 *   on entry:  rsp -> RCX, R11, RIP, CS, RFLAGS, RSP, SS
 *   after the two pops, push flags = 0 and the iret entry pushes
 *   RCX, R11, RAX:  RAX, R11, RCX, flags, RIP, CS, RFLAGS, RSP, SS
 *   (struct iret_context) for HYPERVISOR_iret.
 */
        .text
        .globl bp_handler
bp_handler:
        pop     %rcx
        pop     %r11
        incq    bp_count(%rip)
        pushq   $0
        jmp     hypercall_page + 23 * 32        /* __HYPERVISOR_iret */

/* Event callback: count, clear the pending flag, iret (events unmasked
 * again by the frame's RFLAGS.IF). */
        .globl ev_handler
ev_handler:
        pop     %rcx
        pop     %r11
        incq    ev_count(%rip)
        push    %rax                    /* the interrupted code's, e.g. a hypercall's result */
        mov     shinfo_va(%rip), %rax
        movb    $0, (%rax)              /* vcpu_info[0].evtchn_upcall_pending */
        pop     %rax
        pushq   $0
        jmp     hypercall_page + 23 * 32

        .data
        .globl ev_count, shinfo_va
ev_count: .quad 0
shinfo_va: .quad 0
        .globl bp_count
bp_count: .quad 0
