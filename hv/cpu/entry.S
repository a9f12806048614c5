/*
 * hv/cpu/entry.S - every way into hv and the way back to the guest.
 *
 * ABI carried: the IDT front end (Xen's gate layout), SYSCALL via LSTAR
 * (64-bit code) and CSTAR (compat code), SYSENTER via the SEP MSRs, the
 * FRED entry page (ring 3 at +0, ring 0 at +256), and the IRETQ / ERETU
 * exits.  All stubs leave a struct entry_frame (cpu.h) and call C.
 */
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "core/vcpu.h"         /* HV_REGS_*: struct hv_regs */

#define FLAT_KERNEL_SS   0xe02b    /* <xen/xen.h> is C-only */
#define FLAT_KERNEL_CS64 0xe033

.macro PUSH_GPRS
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

.macro POP_GPRS
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

        .text
/*
 * IDT gate stubs, 16 bytes each: idt_stubs + 16 * vector.
 * On entry (from ring 3 on TSS.RSP0, from ring 0 on the current stack,
 * or on an IST stack):
 *
 *        ss, rsp, rflags, cs, rip     pushed by hardware
 *   rsp -> [error code]               only for vectors that have one
 *
 * Each stub makes the error code slot uniform and records the vector.
 */
.macro IDT_STUB vec
        .align 16
.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
.else
        pushq   $0
.endif
        movl    $\vec, 4(%rsp)
        jmp     idt_common
.endm

        .align 16
        .globl idt_stubs
idt_stubs:
        .set vec, 0
        .rept 256
        IDT_STUB vec
        .set vec, vec + 1
        .endr

/*
 * Common tail: push the GPRs, making a struct entry_frame:
 *
 *        ss rsp rflags cs rip        (hardware or stub)
 *        entry | error_code          one quad
 *        rdi rsi rdx rcx rax r8 r9 r10 r11 rbx rbp r12 r13 r14
 *   rsp -> r15
 *
 * hv_idt_entry() does not come back for events it hands to the guest (it
 * leaves through exit_to_guest_*); it returns for events that resume the
 * interrupted context unchanged (hv's own #DB, an NMI).
 */
idt_common:
        PUSH_GPRS
        cld
        mov     %rsp, %rdi
        sub     $8, %rsp                /* 16-byte alignment for C */
        call    hv_idt_entry
        add     $8, %rsp
        POP_GPRS
        add     $8, %rsp                /* error code | entry */
        iretq

/*
 * SYSCALL from 64-bit code (LSTAR).  FMASK has cleared IF, TF, DF, AC, NT.
 * %rcx = guest rip, %r11 = guest rflags, %rsp = guest rsp (ring 3 stack).
 * One vCPU, interrupts off: a static scratch slot is enough for %rsp.
 * Builds the gate-shaped frame by hand on hv's stack:
 *
 *        FLAT_KERNEL_SS, guest rsp, r11 (rflags), FLAT_KERNEL_CS64, rcx (rip)
 *   rsp -> ENTRY_LSTAR | 0
 */
.macro SYSCALL_STUB name, kind
        .align 16
        .globl \name
\name:
        mov     %rsp, syscall_rsp(%rip)
        lea     hv_stack_top(%rip), %rsp
        pushq   $FLAT_KERNEL_SS
        pushq   syscall_rsp(%rip)
        pushq   %r11
        pushq   $FLAT_KERNEL_CS64
        pushq   %rcx
        pushq   $0
        movl    $\kind, 4(%rsp)
        jmp     idt_common
.endm
        SYSCALL_STUB lstar_entry, ENTRY_LSTAR

/* SYSCALL from compat code (CSTAR): the same with the entry kind changed. */
        SYSCALL_STUB cstar_entry, ENTRY_CSTAR

/*
 * SYSENTER (Intel only).  %rsp = SYSENTER_ESP = hv_stack_top; the guest's
 * rip and rsp are lost by the instruction (the guest passes them in
 * registers).  Frame: 0, 0, rflags, 0, 0, ENTRY_SYSENTER | 0.
 * SYSENTER keeps TF: hv single-steps until the PUSHFQ has saved it for
 * the guest's frame, and hv's #DB handler clears TF at
 * sysenter_eflags_saved (traps.c, as Xen's do_debug).
 */
        .align 16
        .globl sysenter_entry
sysenter_entry:
        pushq   $0
        pushq   $0
        pushfq
        .globl sysenter_eflags_saved
sysenter_eflags_saved:
        /* SYSENTER leaves the user's NT in hv's own flags, and IRETQ with
         * NT set is #GP(0) in hv.  Clear the live NT (as Xen's
         * sysenter_nt_set); the image above keeps the user's for the frame. */
        testl   $X86_EFLAGS_NT, (%rsp)
        jz      1f
        pushfq
        andl    $~X86_EFLAGS_NT, (%rsp)
        popfq
1:
        pushq   $0
        pushq   $0
        pushq   $0
        movl    $ENTRY_SYSENTER, 4(%rsp)
        jmp     idt_common

/*
 * The way back.  %rdi = the guest's struct hv_regs (15 GPRs, then rip cs
 * rflags rsp ss).  The five words the exit instruction reads are pushed
 * onto the top of hv's stack, so a fault of IRETQ/ERETU lands on hv's
 * stack, never on the vCPU structure; the GPRs are loaded straight from
 * the image, %rdi last.
 *
 *   EXIT_FRAME + 120   ss rsp rflags cs rip     an IRETQ frame
 *   EXIT_FRAME + 112   (FRED: ERETU's error-code slot, zero)
 */
#define EXIT_FRAME (hv_stack_top - 256)
.macro PUSH_EXIT_FRAME
        lea     EXIT_FRAME + 160(%rip), %rsp
        pushq   HV_REGS_ss(%rdi)
        pushq   HV_REGS_rsp(%rdi)
        pushq   HV_REGS_rflags(%rdi)
        pushq   HV_REGS_cs(%rdi)
        pushq   HV_REGS_rip(%rdi)
.endm

.macro LOAD_GPRS_FROM_RDI
        mov     HV_REGS_r15(%rdi), %r15
        mov     HV_REGS_r14(%rdi), %r14
        mov     HV_REGS_r13(%rdi), %r13
        mov     HV_REGS_r12(%rdi), %r12
        mov     HV_REGS_rbp(%rdi), %rbp
        mov     HV_REGS_rbx(%rdi), %rbx
        mov     HV_REGS_r11(%rdi), %r11
        mov     HV_REGS_r10(%rdi), %r10
        mov     HV_REGS_r9(%rdi), %r9
        mov     HV_REGS_r8(%rdi), %r8
        mov     HV_REGS_rax(%rdi), %rax
        mov     HV_REGS_rcx(%rdi), %rcx
        mov     HV_REGS_rdx(%rdi), %rdx
        mov     HV_REGS_rsi(%rdi), %rsi
        mov     HV_REGS_rdi(%rdi), %rdi
.endm

        .globl exit_to_guest_iret
exit_to_guest_iret:
        PUSH_EXIT_FRAME
        LOAD_GPRS_FROM_RDI
        .globl iret_to_guest
iret_to_guest:
        iretq

/* FRED: ERETU wants %rsp at an error-code slot below rip, csx, rflags, rsp, ssx. */
        .globl exit_to_guest_eretu
exit_to_guest_eretu:
        PUSH_EXIT_FRAME
        pushq   $0
        LOAD_GPRS_FROM_RDI
        .globl eretu_to_guest
eretu_to_guest:
        .byte   0xf3, 0x0f, 0x01, 0xca  /* eretu */

/*
 * The FRED entry page.  FRED_CONFIG points here; events from ring 3 enter
 * at +0 on RSP_SL0 (hv_stack_top), events from ring 0 at +256 on the
 * current stack (or a higher stack level: #DF, #MC).  The frame FRED
 * pushes (64-byte aligned):
 *
 *        reserved, event data, ssx, rsp, rflags, csx, rip
 *   rsp -> error code
 *
 * plus the GPRs pushed here: a struct entry_frame (entry half unused).
 */
        .align 4096
        .globl fred_entry_page
fred_entry_page:
        PUSH_GPRS
        cld
        mov     %rsp, %rdi
        sub     $8, %rsp
        call    hv_fred_entry           /* returns only to resume as-is */
        add     $8, %rsp
        POP_GPRS
        .byte   0xf3, 0x0f, 0x01, 0xca  /* eretu */

        .org    fred_entry_page + 0x100, 0xcc
fred_entry_r0:
        PUSH_GPRS
        cld
        mov     %rsp, %rdi
        sub     $8, %rsp
        call    hv_fred_entry_r0
        add     $8, %rsp
        POP_GPRS
        .byte   0xf2, 0x0f, 0x01, 0xca  /* erets */

        .bss
        .align 8
syscall_rsp:
        .quad   0
        .align 64
hv_stack:
        .fill   16384, 1, 0
        .globl hv_stack_top
hv_stack_top:
