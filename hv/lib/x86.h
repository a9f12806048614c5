/*
 * hv/lib/x86.h - x86-64 machine definitions and one-instruction wrappers.
 *
 * ABI carried: the hardware side only (control registers, MSRs, descriptor
 * formats, I/O ports).  Xen's selector values come from <xen/xen.h>.
 */
#ifndef HV_ARCH_X86_H
#define HV_ARCH_X86_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* hv's own ring-0 selectors: Xen's __HYPERVISOR_CS / _DS, same GDT page. */
#define HV_CS      0xe008
#define HV_DS      0xe010
#define HV_TSS_SEL 0xe040
#define HV_LDT_SEL 0xe050
#define GDT_ENTRIES 8192          /* the whole 64 KiB a GDTR can describe */

/* Virtual layout: all of physical memory below 1 GiB mapped here,
 * inside Xen's reserved range (Xen's DIRECTMAP_VIRT_START, L4 slot 262). */
#define HV_DIRECTMAP   0xffff830000000000
#define HV_DIRECTMAP_SIZE (1ul << 30)
#define HV_L4_FIRST    256        /* Xen's reserved L4 slots: 256..271 */
#define HV_L4_LAST     271

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_FSGSBASE (1u << 16)
#define CR4_OSXSAVE (1u << 18)
#define CR4_FRED (1ul << 32)

#define MSR_EFER        0xc0000080
#define EFER_SCE        (1u << 0)
#define EFER_LME        (1u << 8)
#define EFER_NXE        (1u << 11)
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_CSTAR       0xc0000083
#define MSR_FMASK       0xc0000084
#define MSR_FS_BASE     0xc0000100
#define MSR_GS_BASE     0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
/* FRED (Intel FRED spec; Xen's asm/msr-index.h uses the same numbers). */
#define MSR_FRED_RSP_SL0 0x1cc
#define MSR_FRED_RSP_SL1 0x1cd
#define MSR_FRED_RSP_SL2 0x1ce
#define MSR_FRED_RSP_SL3 0x1cf
#define MSR_FRED_STK_LVLS 0x1d0
#define MSR_FRED_SSP_SL1 0x1d1
#define MSR_FRED_SSP_SL2 0x1d2
#define MSR_FRED_SSP_SL3 0x1d3
#define MSR_FRED_CONFIG  0x1d4
#define MSR_PL0_SSP      0x6a4    /* FRED_SSP_SL0 aliases IA32_PL0_SSP */

#include <x86/eflags.h>

/* Page-table entry bits. */
#define _PAGE_PRESENT 0x001ul
#define _PAGE_RW      0x002ul
#define _PAGE_USER    0x004ul
#define _PAGE_PWT     0x008ul
#define _PAGE_PCD     0x010ul
#define _PAGE_ACCESSED 0x020ul
#define _PAGE_DIRTY   0x040ul
#define _PAGE_PSE     0x080ul
#define _PAGE_GLOBAL  0x100ul
#define _PAGE_NX      (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

/* isa-debug-exit and the reset port. */
#define DEBUG_EXIT_PORT 0xf4
#define RESET_PORT      0xcf9

#ifndef __ASSEMBLER__
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
#define DEF_CR(n) \
    static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
    static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory"); }
DEF_CR(0)
DEF_CR(2)
DEF_CR(3)
DEF_CR(4)
#undef DEF_CR
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void flush_tlb_local(void) { write_cr3(read_cr3()); }
static inline void halt_forever(void) { for (;;) __asm__ volatile("cli; hlt"); }

/* Physical <-> hv virtual (the direct map). */
#define __va(pa) ((void *)((uint64_t)(pa) + HV_DIRECTMAP))
#define __pa(va) ((uint64_t)(va) - HV_DIRECTMAP)
#endif

#endif /* HV_ARCH_X86_H */
