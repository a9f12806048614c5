/*
 * hv/tests/guests/guest.h - hypercalls and printing for the tiny test
 * guests.  ABI carried: hypercall page entry N at N*32, arguments in
 * rdi rsi rdx r10 r8, result in rax.
 */
#ifndef HV_TEST_GUEST_H
#define HV_TEST_GUEST_H

#include <stdarg.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/callback.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define HYPERCALL(n, a1, a2, a3) HYPERCALL4(n, a1, a2, a3, 0)
#define HYPERCALL4(n, a1, a2, a3, a4)                                     \
    ({ long r_; register long d_ asm("rdx") = (long)(a3);                 \
       register long r10_ asm("r10") = (long)(a4);                        \
       register long s_ asm("rsi") = (long)(a2);                          \
       register long di_ asm("rdi") = (long)(a1);                         \
       asm volatile("call hypercall_page + " STR(n) " * 32"               \
                    : "=a"(r_), "+r"(di_), "+r"(s_), "+r"(d_), "+r"(r10_) \
                    :: "memory", "r8", "r9", "r11", "rcx");               \
       r_; })

static inline void puts_(const char *s)
{
    long n = 0;
    while (s[n])
        n++;
    HYPERCALL(__HYPERVISOR_console_io, CONSOLEIO_write, n, s);
}

static inline void putnum(long v)
{
    char b[24];
    int i = 23;
    int neg = v < 0;
    unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
    b[i] = 0;
    do b[--i] = '0' + u % 10; while (u /= 10);
    if (neg)
        b[--i] = '-';
    puts_(b + i);
}

static inline void puthex(unsigned long v)
{
    char b[19];
    int i = 18;
    b[i] = 0;
    do b[--i] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    b[--i] = 'x';
    b[--i] = '0';
    puts_(b + i);
}

static inline __attribute__((noreturn)) void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { reason };
    HYPERCALL(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &s, 0);
    for (;;)
        ;
}

extern char hypercall_page[];
extern void bp_handler(void);
extern volatile long bp_count;
extern void ev_handler(void);
extern volatile long ev_count;
extern unsigned long shinfo_va;

#endif
