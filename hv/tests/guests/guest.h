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
/* The arguments are evaluated first: a function call among them would
 * clobber the register variables. */
#define HYPERCALL4(n, a1, a2, a3, a4)                                     \
    ({ long r_, v1_ = (long)(a1), v2_ = (long)(a2), v3_ = (long)(a3),    \
            v4_ = (long)(a4);                                             \
       register long d_ asm("rdx") = v3_;                                 \
       register long r10_ asm("r10") = v4_;                               \
       register long s_ asm("rsi") = v2_;                                 \
       register long di_ asm("rdi") = v1_;                                \
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

#define PAGE    4096ul
#define USER_VA 0x400000ul

/* lib.c */
extern int guest_fails;
void guest_setup(const start_info_t *si, const char *name);
void check(int cond, const char *what);     /* "<name>: ok - what" or FAIL */
void say(const char *what, long v);         /* "<name>: <what><v>" */
unsigned long mfn_of(const void *va);
/* The user address space: copy code to u_code (mapped at USER_VA, read-
 * only), u_stack above it; fill the tables (not yet read-only or pinned). */
extern uint8_t u_l4[PAGE], u_l3[PAGE], u_l2[PAGE], u_l1[PAGE], u_code[PAGE], u_stack[PAGE];
void user_space_fill(const uint8_t *code, unsigned long len);

extern char hypercall_page[];
extern void bp_handler(void);
extern volatile long bp_count;
extern void ev_handler(void);
extern volatile long ev_count;
extern unsigned long shinfo_va;

#endif
