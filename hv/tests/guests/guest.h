/*
 * hv/tests/guests/guest.h - what the tiny test guests share: the guest
 * kernel's hypercall wrappers (<pventry/hypercall.h>), TAP output, a user
 * address space.
 */
#ifndef HV_TEST_GUEST_H
#define HV_TEST_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pventry/hypercall.h>
#include <xen/nmi.h>
#include <xen/errno.h>

/* The hypercalls the guest kernel has no wrapper for. */
static inline long HYPERVISOR_nmi_op(unsigned int cmd, void *arg)
{ return _hypercall2(long, nmi_op, cmd, arg); }
static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{ return _hypercall3(long, grant_table_op, cmd, uop, count); }
static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{ return _hypercall2(long, memory_op, cmd, arg); }

static inline __attribute__((noreturn)) void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { reason };
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        ;
}

#define PAGE    4096ul
#define USER_VA 0x400000ul

/*
 * lib.c: TAP on the console.  Each guest checks what it can see itself:
 * check() prints "ok N - what" or "not ok N - what", say() a "# "
 * diagnostic, done_testing() the plan "1..N" (after the tests, so a guest
 * that goes on to fault on purpose prints it just before; anything printed
 * as a test after the plan makes the run fail).  Checks that hold on hv
 * but not necessarily on Xen say "(hv)" in their text.
 */
extern int guest_fails;
void guest_setup(const start_info_t *si, const char *name);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void done_testing(void);
/* Where printf's text goes: console_io by default; a domU has no
 * console_io and points this at its console ring. */
extern void (*guest_write)(const char *s, size_t n);
unsigned long mfn_of(const void *va);
/* The user address space: copy code to u_code (mapped at USER_VA, read-
 * only), u_stack above it; fill the tables (not yet read-only or pinned). */
extern uint8_t u_l4[PAGE], u_l3[PAGE], u_l2[PAGE], u_l1[PAGE], u_code[PAGE], u_stack[PAGE];
void user_space_fill(const uint8_t *code, unsigned long len);

extern void bp_handler(void);
extern volatile long bp_count;
extern void ev_handler(void);
extern volatile long ev_count;
extern unsigned long shinfo_va;
void events_setup(const start_info_t *si, void *page);

#endif
