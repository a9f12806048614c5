/*
 * hv/tests/unit/bounce_fixture.c - the bounce-frame tests' shared fixture.
 */
#include <string.h>

#include "bounce_fixture.h"

struct frame read_frame(struct fixture *fx, const struct hv_outcome *o,
                               bool failsafe)
{
    struct frame f = { 0 };
    uint64_t a = o->frame;

    f.rcx = fake_word(&fx->fm, a); a += 8;
    f.r11 = fake_word(&fx->fm, a); a += 8;
    if (o->has_error_code) { f.ec = fake_word(&fx->fm, a); a += 8; }
    if (failsafe) {
        f.ds = fake_word(&fx->fm, a); a += 8;
        f.es = fake_word(&fx->fm, a); a += 8;
        f.fs = fake_word(&fx->fm, a); a += 8;
        f.gs = fake_word(&fx->fm, a); a += 8;
    }
    f.rip = fake_word(&fx->fm, a); a += 8;
    f.cs = fake_word(&fx->fm, a); a += 8;
    f.rflags = fake_word(&fx->fm, a); a += 8;
    f.rsp = fake_word(&fx->fm, a); a += 8;
    f.ss = fake_word(&fx->fm, a); a += 8;
    f.words = (unsigned int)((a - o->frame) / 8);
    return f;
}

/* A neutral event interrupting guest user (64-bit) or kernel code. */
struct hv_event ev_make(uint8_t type, uint8_t vec, bool user,
                               uint8_t delivery, uint8_t len)
{
    struct hv_event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.vector = vec;
    e.delivery = delivery;
    e.insn_len = delivery == HV_DELIVERY_FRED ? len : 0;
    e.mode = user ? HV_MODE_USER : HV_MODE_KERNEL;
    e.l64 = true;
    e.rip = user ? URIP : KRIP;
    e.cs = FLAT_USER_CS64;              /* == FLAT_KERNEL_CS64: ring 3 */
    e.ss = FLAT_USER_SS;
    e.rsp = user ? URSP : KRSP;
    e.rflags = 0x246;
    return e;
}

struct hv_event ev_exc(uint8_t vec, bool user, uint32_t ec)
{
    struct hv_event e = ev_make(HV_ET_HW_EXC, vec, user, HV_DELIVERY_IDT, 0);

    e.has_error_code = X86_EXC_HAS_EC(vec);
    e.error_code = e.has_error_code ? ec : 0;
    return e;
}

void enter(struct fixture *fx, bool user)
{
    fx->v.kernel_mode = !user;
    fx->v.regs.rcx = GUEST_RCX;
    fx->v.regs.r11 = GUEST_R11;
}

int run(struct fixture *fx, const struct hv_event *e,
               struct hv_outcome *o)
{
    return hv_handle_event(&fx->v, e, &fx->m, o);
}

void put_iret(struct fixture *fx, uint64_t at, uint64_t rax, uint64_t r11,
                     uint64_t rcx, uint64_t flags, uint64_t rip, uint64_t cs,
                     uint64_t rflags, uint64_t rsp, uint64_t ss)
{
    uint64_t w[9] = { rax, r11, rcx, flags, rip, cs, rflags, rsp, ss };
    for (int i = 0; i < 9; i++)
        fake_put_word(&fx->fm, at + 8 * i, w[i]);
}

void set_regs(struct hv_vcpu *v, uint64_t rip, uint64_t cs, uint64_t rflags,
                     uint64_t rsp, uint64_t ss, bool in_syscall)
{
    v->regs.rip = rip;
    v->regs.cs = cs;
    v->regs.rflags = rflags;
    v->regs.rsp = rsp;
    v->regs.ss = ss;
    v->regs.in_syscall = in_syscall;
    v->regs.rcx = GUEST_RCX;
    v->regs.r11 = GUEST_R11;
}

void begin(struct scenario *s, bool user)
{
    fixture_init(&s->fx);
    enter(&s->fx, user);
}

void deliver(struct scenario *s)
{
    run(&s->fx, &s->e, &s->o);
    s->f = read_frame(&s->fx, &s->o, false);
}
