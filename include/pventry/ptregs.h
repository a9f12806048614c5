/*
 * include/pventry/ptregs.h - the register frame every entry path builds.
 *
 * One layout for all of them (exceptions, INT $N, event, NMI, failsafe,
 * SYSCALL, SYSENTER): the general registers pushed by SAVE_ALL in
 * entry/entry_64.S, then the error code with the vector stored beside it,
 * then the hardware-like frame Xen wrote.  Lowest address first; the
 * offsets below are used by the assembly and checked at build time.
 *
 *   +0x00  r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
 *   +0x78  error_code (u32) | vector (u32)
 *   +0x80  rip
 *   +0x88  cs      (bits 32-39: Xen's saved event mask; RPL 0 = from kernel)
 *   +0x90  rflags  (IF = events were unmasked)
 *   +0x98  rsp
 *   +0xa0  ss
 */
#ifndef PVENTRY_PTREGS_H
#define PVENTRY_PTREGS_H

#define PTREGS_r11        0x30
#define PTREGS_rax        0x50
#define PTREGS_rcx        0x58
#define PTREGS_error_code 0x78
#define PTREGS_vector     0x7c
#define PTREGS_rip        0x80
#define PTREGS_cs         0x88
#define PTREGS_rflags     0x90
#define PTREGS_rsp        0x98
#define PTREGS_ss         0xa0
#define PTREGS_SIZE       0xa8

#include <pventry/vectors.h>
#include <x86/segment.h>

#ifndef __ASSEMBLY__
#include <stdint.h>

struct pt_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx;
	uint64_t r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint32_t error_code;
	uint32_t vector;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

#define regs_cs_sel(r)        ((uint16_t)(r)->cs)
#define regs_saved_mask(r)    ((uint8_t)((r)->cs >> 32))
#define regs_from_user(r)     (X86_SEL_RPL((r)->cs) == 3)

_Static_assert(__builtin_offsetof(struct pt_regs, r11) == PTREGS_r11, "r11");
_Static_assert(__builtin_offsetof(struct pt_regs, rax) == PTREGS_rax, "rax");
_Static_assert(__builtin_offsetof(struct pt_regs, rcx) == PTREGS_rcx, "rcx");
_Static_assert(__builtin_offsetof(struct pt_regs, error_code) == PTREGS_error_code, "ec");
_Static_assert(__builtin_offsetof(struct pt_regs, vector) == PTREGS_vector, "vec");
_Static_assert(__builtin_offsetof(struct pt_regs, rip) == PTREGS_rip, "rip");
_Static_assert(__builtin_offsetof(struct pt_regs, ss) == PTREGS_ss, "ss");
_Static_assert(sizeof(struct pt_regs) == PTREGS_SIZE, "size");
#endif

#endif
