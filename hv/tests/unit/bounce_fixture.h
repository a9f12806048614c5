/*
 * hv/tests/unit/bounce_fixture.h - what the bounce-frame tests share: a
 * guest context to interrupt, events to deliver, and the frame read back.
 */
#ifndef HV_TESTS_BOUNCE_FIXTURE_H
#define HV_TESTS_BOUNCE_FIXTURE_H

#include "tap.h"
#include <x86/eflags.h>

#define URIP   0x0000000000401000ull        /* user code */
#define KRIP   0xffffffff80005000ull        /* guest kernel code */
#define URSP   (USTACK_TOP - 0x108)         /* deliberately not 16-aligned */
#define KRSP   (KSTACK_TOP - 0x208)
#define GUEST_RCX 0x1111111111111111ull
#define GUEST_R11 0x2222222222222222ull

/* The bounce frame as read back from the fake stack (lowest word first). */
struct frame {
    uint64_t rcx, r11, ec, rip, cs, rflags, rsp, ss;
    uint64_t ds, es, fs, gs;
    unsigned int words;
};

struct frame read_frame(struct fixture *fx, const struct hv_outcome *o, bool failsafe);
/* A neutral event interrupting guest user (64-bit) or kernel code. */
struct hv_event ev_make(uint8_t type, uint8_t vec, bool user, uint8_t delivery, uint8_t len);
/* A hardware exception, IDT delivery, error code if the vector has one. */
struct hv_event ev_exc(uint8_t vec, bool user, uint32_t ec);
/* The guest in user or kernel mode, with recognisable rcx and r11. */
void enter(struct fixture *fx, bool user);
int run(struct fixture *fx, const struct hv_event *e, struct hv_outcome *o);
/* An iret_context (rax r11 rcx flags rip cs rflags rsp ss) at guest address at. */
void put_iret(struct fixture *fx, uint64_t at, uint64_t rax, uint64_t r11,
              uint64_t rcx, uint64_t flags, uint64_t rip, uint64_t cs,
              uint64_t rflags, uint64_t rsp, uint64_t ss);
void set_regs(struct hv_vcpu *v, uint64_t rip, uint64_t cs, uint64_t rflags,
              uint64_t rsp, uint64_t ss, bool in_syscall);

/* One scenario: the guest, the event it takes, what the core did, and the
 * frame read back. */
struct scenario {
    struct fixture fx;
    struct hv_event e;
    struct hv_outcome o;
    struct frame f;
};
/* fixture_init, then the guest in user or kernel mode (enter). */
void begin(struct scenario *s, bool user);
/* hv_handle_event on s->e, then the frame read back into s->f. */
void deliver(struct scenario *s);

#endif
