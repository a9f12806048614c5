/*
 * hv/tests/unit/tap.h - a tiny TAP reporter and the fakes shared by the host unit
 * tests of the hv core (a fake guest address space, a fake vCPU).
 */
#ifndef HV_TESTS_TAP_H
#define HV_TESTS_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/bounce.h"

/* ok N - <msg>, or not ok N - <msg> with the file:line. */
void tap_ok(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for an equality of integers, printing both on failure. */
void tap_eq(uint64_t got, uint64_t want, const char *file, int line,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define OK(c, ...)      tap_ok(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define EQ(g, w, ...)   tap_eq((uint64_t)(g), (uint64_t)(w), __FILE__, __LINE__, __VA_ARGS__)

extern int tap_passed, tap_failed;

/*
 * A fake guest address space: a few regions of guest-virtual memory, each
 * readable and optionally writable.  Anything else faults.
 */
#define FAKE_MAX_REGIONS 4
struct fake_region {
    uint64_t base;
    size_t size;
    uint8_t *mem;
    bool writable;
};
struct fake_mem {
    struct fake_region r[FAKE_MAX_REGIONS];
    unsigned int nr;
    unsigned int writes, reads, faults;
};
void fake_mem_init(struct fake_mem *f, struct hv_guest_mem *m);
uint8_t *fake_mem_add(struct fake_mem *f, uint64_t base, size_t size, bool writable);
/* Read one 8-byte word of the fake guest memory (0xdead... if unmapped). */
uint64_t fake_word(struct fake_mem *f, uint64_t gva);
void fake_put_word(struct fake_mem *f, uint64_t gva, uint64_t val);

/* Standard test layout: guest kernel stack, user stack, a stack_switch
 * stack, each 16 KiB; kernel text addresses for handlers. */
#define KSTACK_BASE  0xffffffff80200000ull
#define KSTACK_TOP   (KSTACK_BASE + 0x4000)
#define SWSTACK_BASE 0xffffffff80300000ull
#define SWSTACK_TOP  (SWSTACK_BASE + 0x4000)
#define USTACK_BASE  0x00007fff00000000ull
#define USTACK_TOP   (USTACK_BASE + 0x4000)
#define H(v)         (0xffffffff80001000ull + (v) * 0x10)   /* handler of vector v */
#define CB_EVENT     0xffffffff80010000ull
#define CB_FAILSAFE  0xffffffff80010100ull
#define CB_SYSCALL   0xffffffff80010200ull
#define CB_SYSCALL32 0xffffffff80010300ull
#define CB_SYSENTER  0xffffffff80010400ull
#define CB_NMI       0xffffffff80010500ull

struct fixture {
    struct fake_mem fm;
    struct hv_guest_mem m;
    struct hv_vcpu v;
    struct vcpu_info vi;
};
/* A guest with all 32 exception handlers (vDPL 0, no IF mask), handlers
 * for 3 and 4 with vDPL 3, stack_switch stack, events unmasked, in kernel
 * mode, user page table present.  No INT $N / callbacks registered. */
void fixture_init(struct fixture *fx);
void fixture_free(struct fixture *fx);
/* Set a trap-table entry. */
void set_trap(struct hv_vcpu *v, uint8_t vec, uint8_t dpl, bool mask, uint64_t addr);

/* Suites. */
void test_decode(void);
/* The bounce-frame builder and the way back (bounce_fixture.h). */
void test_frame(void);
void test_iret(void);
void test_softint(void);
void test_syscall(void);
void test_exit(void);
void test_callback(void);
void test_nmi(void);
void test_elf(void);
void test_hcheck(void);
void test_console_ring(void);
void test_domu_layout(void);
void test_emulate(void);
void test_timer(void);
void test_grant(void);
void test_evtchn(void);

#endif
