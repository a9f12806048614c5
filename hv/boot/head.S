/*
 * hv/boot/head.S - multiboot entry: 32-bit protected mode to 64-bit hv.
 *
 * ABI carried: Multiboot 1 (the loader side: QEMU -kernel, GRUB).  QEMU's
 * multiboot loader refuses ELF64 images, so the header uses the "a.out
 * kludge" (flag bit 16): the load addresses below are all the loader reads,
 * and the ELF64 file stays a normal 64-bit ELF for everything else.
 *
 * hv is linked at HV_DIRECTMAP + physical address (inside Xen's reserved
 * virtual range) and loaded at 1 MiB.  32-bit code runs at physical
 * addresses, so every absolute reference here goes through PHYS().
 *
 * Page tables built here (2 MiB pages, first 1 GiB of RAM):
 *   boot_l4[0]   -> boot_l3 (identity, for the jump into 64-bit code only)
 *   boot_l4[262] -> boot_l3 (HV_DIRECTMAP: where hv runs from then on)
 *   boot_l3[0]   -> boot_l2[0..511] = 2 MiB * i, present+writable
 * Guest L4 tables later get a copy of slots 256..271 of boot_l4.
 */
#include "lib/x86.h"

#define PHYS(x) ((x) - HV_DIRECTMAP)
#define MB_MAGIC 0x1badb002
#define MB_FLAGS ((1 << 16) | (1 << 1) | (1 << 0)) /* aout kludge, mem, align mods */

        .section .boot.header, "a"
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long PHYS(mb_header)           /* header_addr   */
        .long PHYS(_start)              /* load_addr     */
        .long PHYS(_edata)              /* load_end_addr */
        .long PHYS(_end)                /* bss_end_addr  */
        .long PHYS(start32)             /* entry_addr    */

        .section .boot.text, "ax"
        .code32
        .globl start32
start32:
        /* %eax = multiboot magic, %ebx = multiboot info (physical). */
        cli
        cld
        mov     $PHYS(boot_stack_top), %esp
        mov     %eax, PHYS(mb_magic)
        mov     %ebx, PHYS(mb_info)

        /* boot_l2[i] = i * 2 MiB | PS | RW | P */
        mov     $PHYS(boot_l2), %edi
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE), %eax
        mov     %eax, (%edi, %ecx, 8)
        movl    $0, 4(%edi, %ecx, 8)
        inc     %ecx
        cmp     $512, %ecx
        jne     1b
        movl    $(PHYS(boot_l2) + (_PAGE_PRESENT | _PAGE_RW)), PHYS(boot_l3)
        movl    $(PHYS(boot_l3) + (_PAGE_PRESENT | _PAGE_RW)), PHYS(boot_l4)
        movl    $(PHYS(boot_l3) + (_PAGE_PRESENT | _PAGE_RW)), PHYS(boot_l4) + 262 * 8

        /* PAE, then EFER.LME/NXE/SCE, then paging. */
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $PHYS(boot_l4), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $(EFER_LME | EFER_NXE | EFER_SCE), %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0

        lgdt    PHYS(boot_gdtr)
        ljmp    $0x08, $PHYS(start64_low)

        .code64
start64_low:
        movabs  $start64, %rax
        jmp     *%rax
start64:
        lea     boot_stack_top(%rip), %rsp
        xor     %eax, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        push    $0                      /* fake return address: end of backtraces */
        mov     mb_magic(%rip), %edi
        mov     mb_info(%rip), %esi
        call    hv_main
        jmp     hv_halt

        .section .boot.data, "aw"
        .align 8
        /* Just enough GDT to reach 64-bit code; cpu/desc.c loads the real one. */
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff        /* 0x08: 64-bit ring-0 code */
boot_gdt_end:
boot_gdtr:
        .word boot_gdt_end - boot_gdt - 1
        .long PHYS(boot_gdt)
        .globl mb_magic, mb_info
mb_magic: .long 0
mb_info:  .long 0

        .section .bss.page_aligned, "aw", @nobits
        .align 4096
        .globl boot_l4
boot_l4: .fill 512, 8, 0
boot_l3: .fill 512, 8, 0
boot_l2: .fill 512, 8, 0
        .align 16
boot_stack: .fill 16384, 1, 0
        .globl boot_stack_top
boot_stack_top:
