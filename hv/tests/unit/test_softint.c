/*
 * hv/tests/unit/test_softint.c - software interrupts: INT3, INTO, ICEBP, INT $N, INT $0x80.
 */
#include <string.h>

#include "bounce_fixture.h"

/* INT3 / INT $3 / INTO / INT $4: vDPL ignored. */
static void softint_int3_into_ignore_vdpl(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 3, 0, false, H(3));
    set_trap(&s.fx.v, 4, 0, false, H(4));
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_EXC, 3, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 1;
    EQ(run(&s.fx, &s.e, &s.o), HV_RESUME, "5: INT3 from user with vDPL 0 is delivered");
    s.f = read_frame(&s.fx, &s.o, false);
    OK(s.o.via == HV_VIA_TRAP && s.o.vector == 3 && s.f.rip == URIP + 1 && !s.o.has_error_code,
       "5: INT3 -> #BP trap, RIP after the instruction, no error code");
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 3, true, HV_DELIVERY_FRED, 2);
    s.e.rip = URIP + 2;
    run(&s.fx, &s.e, &s.o);
    OK(s.o.action == HV_RESUME && s.o.vector == 3 && read_frame(&s.fx, &s.o, false).rip == URIP + 2,
       "5: INT $3 (FRED SW_INT 3) -> #BP, vDPL ignored");
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_EXC, 4, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 1;
    run(&s.fx, &s.e, &s.o);
    OK(s.o.action == HV_RESUME && s.o.vector == 4 && s.fx.v.regs.rip == H(4), "5: INTO -> #OF trap, vDPL ignored");
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 4, true, HV_DELIVERY_FRED, 2);
    run(&s.fx, &s.e, &s.o);
    OK(s.o.action == HV_RESUME && s.o.vector == 4, "5: INT $4 -> #OF, vDPL ignored");
    fixture_free(&s.fx);
}

/* ICEBP: no DPL check. */
static void softint_icebp(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_make(HV_ET_PRIV_SW_EXC, 1, true, HV_DELIVERY_FRED, 1);
    s.e.rip = URIP + 1;
    run(&s.fx, &s.e, &s.o);
    OK(s.o.action == HV_RESUME && s.o.vector == 1 && read_frame(&s.fx, &s.o, false).rip == URIP + 1,
       "5: ICEBP from user -> #DB trap with vDPL 0");
    fixture_free(&s.fx);
}

/* INT $N permission: kernel needs vDPL >= 1, user vDPL == 3. */
static void softint_int_n_permission(void)
{
    struct scenario s;

    {
        static const struct { bool user; uint8_t dpl; bool ok; } p[] = {
            { false, 0, false }, { false, 1, true }, { false, 2, true }, { false, 3, true },
            { true, 0, false },  { true, 1, false }, { true, 2, false }, { true, 3, true },
        };
        for (unsigned int d = 0; d < 2; d++) {
            uint8_t del = d ? HV_DELIVERY_FRED : HV_DELIVERY_IDT;
            for (unsigned int i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
                uint64_t start = p[i].user ? URIP : KRIP;
                fixture_init(&s.fx);
                set_trap(&s.fx.v, 0x40, p[i].dpl, false, H(0x40));
                enter(&s.fx, p[i].user);
                s.e = ev_make(HV_ET_SW_INT, 0x40, p[i].user, del, 2);
                s.e.rip = start + 2;
                deliver(&s);
                if (p[i].ok)
                    OK(s.o.action == HV_RESUME && s.o.vector == 0x40 && !s.o.has_error_code &&
                       s.f.rip == start + 2,
                       "5: %s INT $0x40 from %s, vDPL %u: delivered, RIP after", d ? "FRED" : "IDT",
                       p[i].user ? "user" : "kernel", p[i].dpl);
                else
                    OK(s.o.action == HV_RESUME && s.o.vector == 13 && s.o.has_error_code &&
                       s.f.ec == 0x40 * 8 + 2 && s.f.rip == start,
                       "5: %s INT $0x40 from %s, vDPL %u: #GP(0x202) at the instruction", d ? "FRED" : "IDT",
                       p[i].user ? "user" : "kernel", p[i].dpl);
                fixture_free(&s.fx);
            }
        }
    }

    /* Prefixed INT $N (3 bytes): IDT rewinds 2, FRED the full length. */
    begin(&s, true);
    s.e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 2;                       /* IDT decode: #GP rip + 2 */
    run(&s.fx, &s.e, &s.o);
    EQ(read_frame(&s.fx, &s.o, false).rip, URIP, "5: IDT refused INT $N: RIP = reported - 2");
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_FRED, 3);
    s.e.rip = URIP + 3;
    run(&s.fx, &s.e, &s.o);
    EQ(read_frame(&s.fx, &s.o, false).rip, URIP, "5: FRED refused prefixed INT $N: RIP rewound by 3 to the start");
    fixture_free(&s.fx);
}

/* Permitted INT $N with no handler. */
static void softint_int_n_no_handler(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    s.fx.v.trap_ctxt[0x41].flags = 3;
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x41, true, HV_DELIVERY_FRED, 2);
    EQ(run(&s.fx, &s.e, &s.o), HV_CRASH, "5: permitted INT $N with address 0 crashes the domain");
    fixture_free(&s.fx);
}

/* A permitted INT $N into an exception vector that has an error code. */
static void softint_int_n_into_ec_vector(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, X86_EXC_PF, 3, true, H(X86_EXC_PF));
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, X86_EXC_PF, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 2;
    deliver(&s);
    OK(s.o.action == HV_RESUME && s.o.vector == X86_EXC_PF && !s.o.has_error_code &&
       s.f.rip == URIP + 2, "5: permitted INT $0x0e (vDPL 3): a trap with no error code slot");
    fixture_free(&s.fx);
}

/* INT $0x80. */
static void softint_int80(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    set_trap(&s.fx.v, 0x80, 0, true, H(0x80));
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 2;
    deliver(&s);
    OK(s.o.action == HV_RESUME && s.o.vector == 0x80 && s.f.rip == URIP + 2 && !s.o.has_error_code,
       "5: IDT INT $0x80 with an address: delivered directly, vDPL 0 ignored");
    EQ(s.fx.vi.evtchn_upcall_mask, 1, "5: INT $0x80 direct trap honours TI_GET_IF");
    s.fx.vi.evtchn_upcall_mask = 0;
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 2);
    s.e.rip = URIP + 2;
    deliver(&s);
    OK(s.o.vector == 13 && s.f.ec == 0x402 && s.f.rip == URIP,
       "5: FRED INT $0x80 with vDPL 0: vDPL checked -> #GP(0x402) at the instruction");
    set_trap(&s.fx.v, 0x80, 3, false, H(0x80));
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 2);
    s.e.rip = URIP + 2;
    run(&s.fx, &s.e, &s.o);
    OK(s.o.vector == 0x80 && read_frame(&s.fx, &s.o, false).rip == URIP + 2,
       "5: FRED INT $0x80 with vDPL 3: delivered");
    fixture_free(&s.fx);
}

static void softint_int80_without_address(void)
{
    struct scenario s;

    begin(&s, true);
    s.e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 3;                       /* a 3-byte prefixed INT $0x80 */
    deliver(&s);
    OK(s.o.vector == 13 && s.f.ec == 0x402 && s.f.rip == URIP + 1,
       "5: IDT INT $0x80 without an address: #GP(0x402), RIP = end - 2");
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x80, true, HV_DELIVERY_FRED, 3);
    s.e.rip = URIP + 3;
    deliver(&s);
    OK(s.o.vector == 13 && s.f.ec == 0x402 && s.f.rip == URIP,
       "5: FRED INT $0x80 without an address: #GP(0x402), RIP = start");
    fixture_free(&s.fx);
}

/* Option: Xen >= 4.22 IDT behaviour, full length of a permitted INT. */
static void softint_full_length_option(void)
{
    struct scenario s;

    fixture_init(&s.fx);
    {
        uint8_t *code = fake_mem_add(&s.fx.fm, 0x400000, 0x2000, false);
        code[0x1000] = 0x66; code[0x1001] = 0xcd; code[0x1002] = 0x40;   /* at URIP */
        code[0x1010] = 0x90; code[0x1011] = 0x90;                       /* not INT */
    }
    s.fx.v.idt_int_full_len = true;
    set_trap(&s.fx.v, 0x40, 3, false, H(0x40));
    enter(&s.fx, true);
    s.e = ev_make(HV_ET_SW_INT, 0x40, true, HV_DELIVERY_IDT, 0);
    s.e.rip = URIP + 2;
    run(&s.fx, &s.e, &s.o);
    EQ(read_frame(&s.fx, &s.o, false).rip, URIP + 3, "5: idt_int_full_len: permitted 66 CD 40 resumes after 3 bytes");
    enter(&s.fx, true);
    s.e.rip = URIP + 0x10 + 2;
    deliver(&s);
    OK(s.o.vector == 13 && s.f.ec == 0x202 && s.f.rip == URIP + 0x10,
       "5: idt_int_full_len: not an INT at rip -> the original #GP");
    fixture_free(&s.fx);
}

void test_softint(void)
{
    softint_int3_into_ignore_vdpl();
    softint_icebp();
    softint_int_n_permission();
    softint_int_n_no_handler();
    softint_int_n_into_ec_vector();
    softint_int80();
    softint_int80_without_address();
    softint_full_length_option();
}
