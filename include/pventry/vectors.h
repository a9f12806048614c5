/*
 * include/pventry/vectors.h - the vector number pventry gives each way in.
 *
 * 0-31 are the exceptions (<x86/exceptions.h>), 0x20-0xff INT $N; the
 * entry points that are not trap-table vectors get numbers above 0xff.
 * struct pt_regs carries it beside the error code.  Plain constants, for
 * C and assembly, kernel and user programs alike.
 */
#ifndef PVENTRY_VECTORS_H
#define PVENTRY_VECTORS_H

/* Pseudo vectors for the entry points that are not trap-table vectors. */
#define VEC_EVENT     0x100
#define VEC_FAILSAFE  0x101
#define VEC_SYSCALL   0x102
#define VEC_SYSCALL32 0x103
#define VEC_SYSENTER  0x104
#define VEC_NMI_CB    0x105

#endif
