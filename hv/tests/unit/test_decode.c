/*
 * hv/tests/unit/test_decode.c - the two front ends.  hv_decode_idt() against what
 * an IDT stub sees, hv_decode_fred() against frames laid out as the FRED
 * specification defines them (built here from the spec's bit positions,
 * not from hv's macros), and for every event a guest can cause: the bounce
 * frame from the FRED record equals the one from the IDT record, except
 * where Xen itself differs (%rip rewinds of prefixed instructions, DF in a
 * SYSCALL frame, INT $0x80's vDPL).
 */
#include <string.h>

#include "tap.h"
#include <x86/eflags.h>

/* Build the ssx word of a FRED frame. */
#define HV_FRED_SSX(ss, vec, type, l, len)                              \
    ((uint64_t)(ss) | ((uint64_t)(vec) << 32) | ((uint64_t)(type) << 48) | \
     ((l) ? HV_FRED_SS_L : 0) | ((uint64_t)(len) << 60) |               \
     (((type) == HV_ET_SW_INT || (type) == HV_ET_OTHER) ? HV_FRED_SS_SWINT : 0) | \
     ((type) == HV_ET_NMI ? HV_FRED_SS_NMI : 0))

#define S      0x0000000000401000ull        /* user instruction start */
#define URSP   (USTACK_TOP - 0x40)

/*
 * A FRED frame (FRED spec, "FRED event delivery: saving state"):
 *   +0 error code, +8 RIP, +16 CS (15:0 selector, 17:16 SL, 18 WFE),
 *   +24 RFLAGS, +32 RSP, +40 SS (15:0 selector, 16 STI, 17 SWINT, 18 NMI,
 *   39:32 vector, 51:48 type, 56 enclave, 57 L, 58 nested, 63:60 length),
 *   +48 event data, +56 zero.
 */
static struct hv_fred_frame fred(unsigned int type, unsigned int vec,
                                 uint64_t ec, uint64_t rip, uint16_t cs,
                                 bool l, unsigned int len, uint64_t edata)
{
    struct hv_fred_frame f;
    uint64_t ss = l ? FLAT_USER_SS : FLAT_USER_SS32;

    memset(&f, 0, sizeof(f));
    f.error_code = ec;
    f.rip = rip;
    f.csx = cs;
    f.rflags = 0x202;
    f.rsp = URSP;
    f.ssx = ss | ((uint64_t)vec << 32) | ((uint64_t)type << 48) |
            ((uint64_t)l << 57) | ((uint64_t)len << 60);
    if (type == 4 || type == 7)
        f.ssx |= 1ull << 17;                /* SWINT */
    f.edata = edata;
    return f;
}

static struct hv_idt_frame idt(uint64_t ec, uint64_t rip, uint16_t cs)
{
    struct hv_idt_frame f = { ec, rip, cs, 0x202, URSP, FLAT_USER_SS };

    if (cs == FLAT_USER_CS32)
        f.ss = FLAT_USER_SS32;
    return f;
}

static void layout(void)
{
    EQ(offsetof(struct hv_fred_frame, error_code), 0, "fred: error code at +0");
    EQ(offsetof(struct hv_fred_frame, rip), 8, "fred: RIP at +8");
    EQ(offsetof(struct hv_fred_frame, csx), 16, "fred: CS at +16");
    EQ(offsetof(struct hv_fred_frame, rflags), 24, "fred: RFLAGS at +24");
    EQ(offsetof(struct hv_fred_frame, rsp), 32, "fred: RSP at +32");
    EQ(offsetof(struct hv_fred_frame, ssx), 40, "fred: SS at +40");
    EQ(offsetof(struct hv_fred_frame, edata), 48, "fred: event data at +48");
    EQ(sizeof(struct hv_fred_frame), 64, "fred: frame is 64 bytes");
    EQ(offsetof(struct hv_regs, rip), HV_REGS_rip, "regs: HV_REGS_rip matches");
    EQ(offsetof(struct hv_regs, in_syscall), HV_REGS_in_syscall, "regs: HV_REGS_in_syscall matches");
    EQ(offsetof(struct hv_regs, rdi), HV_REGS_rdi, "regs: HV_REGS_rdi matches");
    EQ(sizeof(struct hv_regs), HV_REGS_SIZE, "regs: HV_REGS_SIZE matches");
    EQ(HV_FRED_SSX(FLAT_USER_SS, 0x80, 4, 1, 2),
       FLAT_USER_SS | (0x80ull << 32) | (4ull << 48) | (1ull << 57) | (2ull << 60) | (1ull << 17),
       "fred: HV_FRED_SSX agrees with the spec bit positions");
}

static void idt_decode(void)
{
    struct hv_event e;
    struct hv_idt_frame f;

    f = idt(6, S, FLAT_USER_CS64);
    EQ(hv_decode_idt(&e, HV_IDT_GATE, 14, &f, 0xabc000, false), 0, "idt: #PF decodes");
    OK(e.type == HV_ET_HW_EXC && e.vector == 14 && e.has_error_code && e.error_code == 6 &&
       e.data == 0xabc000 && e.rip == S && e.mode == HV_MODE_USER && e.l64 &&
       e.delivery == HV_DELIVERY_IDT && e.insn_len == 0,
       "idt: #PF: HW_EXC, error code, CR2 as data, user mode, length unknown");
    hv_decode_idt(&e, HV_IDT_GATE, 14, &f, 0, true);
    EQ(e.mode, HV_MODE_KERNEL, "idt: guest kernel flag decides kernel vs user (both ring 3)");

    f = idt(0, S, FLAT_USER_CS64);
    hv_decode_idt(&e, HV_IDT_GATE, 1, &f, 0xffff4ff0ull, false);
    OK(e.type == HV_ET_HW_EXC && e.data == 0x4000 && !e.has_error_code, "idt: #DB: DR6 flipped to positive polarity");
    hv_decode_idt(&e, HV_IDT_GATE, 3, &f, 0, false);
    EQ(e.type, HV_ET_SW_EXC, "idt: vector 3 (DPL3 gate) is INT3: SW_EXC");
    hv_decode_idt(&e, HV_IDT_GATE, 4, &f, 0, false);
    EQ(e.type, HV_ET_SW_EXC, "idt: vector 4 (DPL3 gate) is INTO: SW_EXC");
    hv_decode_idt(&e, HV_IDT_GATE, 0x80, &f, 0, false);
    OK(e.type == HV_ET_SW_INT && e.vector == 0x80 && e.rip == S, "idt: vector 0x80 gate: SW_INT, rip as pushed");
    hv_decode_idt(&e, HV_IDT_GATE, 0x31, &f, 0, false);
    EQ(e.type, HV_ET_EXT_INTR, "idt: other vectors >= 32: external interrupt");
    hv_decode_idt(&e, HV_IDT_GATE, 2, &f, 0, false);
    EQ(e.type, HV_ET_NMI, "idt: vector 2: NMI");
    hv_decode_idt(&e, HV_IDT_GATE, 6, &f, 0, false);
    OK(e.type == HV_ET_HW_EXC && !e.has_error_code, "idt: #UD: no error code");

    f = idt(0x40 * 8 + 2, S, FLAT_USER_CS64);
    hv_decode_idt(&e, HV_IDT_GATE, 13, &f, 0, false);
    OK(e.type == HV_ET_SW_INT && e.vector == 0x40 && e.rip == S + 2 && !e.has_error_code,
       "idt: #GP(0x202) from the guest is INT $0x40, rip after a 2-byte INT");
    f = idt(0x40 * 8 + 3, S, FLAT_USER_CS64);
    hv_decode_idt(&e, HV_IDT_GATE, 13, &f, 0, false);
    OK(e.type == HV_ET_HW_EXC && e.vector == 13 && e.error_code == 0x203 && e.rip == S,
       "idt: #GP with EXT set stays a #GP");
    f = idt(0x40 * 8 + 2, 0xffff82d040200000ull, 0xe008);
    hv_decode_idt(&e, HV_IDT_GATE, 13, &f, 0, false);
    OK(e.type == HV_ET_HW_EXC && e.mode == HV_MODE_HV, "idt: #GP(0x202) in hv itself stays a #GP, mode HV");
    f = idt(0, S, FLAT_USER_CS32);
    hv_decode_idt(&e, HV_IDT_GATE, 6, &f, 0, false);
    OK(!e.l64 && e.cs == FLAT_USER_CS32, "idt: compat user code: l64 false");

    f = idt(0, S + 2, 0);
    f.rflags = 0x246;
    hv_decode_idt(&e, HV_IDT_LSTAR, 0, &f, 0, false);
    OK(e.type == HV_ET_OTHER && e.vector == HV_OTHER_SYSCALL && e.rip == S + 2 && e.rflags == 0x246 &&
       e.cs == FLAT_KERNEL_CS64 && e.ss == FLAT_KERNEL_SS && e.l64 && e.rsp == URSP,
       "idt: LSTAR: SYSCALL, cs/ss FLAT_KERNEL_CS64/SS");
    hv_decode_idt(&e, HV_IDT_CSTAR, 0, &f, 0, false);
    OK(e.type == HV_ET_OTHER && e.cs == FLAT_USER_CS32 && e.ss == FLAT_USER_SS32 && !e.l64,
       "idt: CSTAR: compat SYSCALL, cs/ss FLAT_USER_CS32/SS32");
    f.rflags = 0x2;
    hv_decode_idt(&e, HV_IDT_SYSENTER, 0, &f, 0, false);
    OK(e.type == HV_ET_OTHER && e.vector == HV_OTHER_SYSENTER && e.rip == 0 && e.cs == 3 &&
       e.rsp == 0 && e.ss == FLAT_USER_SS && (e.rflags & X86_EFLAGS_IF),
       "idt: SYSENTER: the null frame, IF set back");
    EQ(hv_decode_idt(&e, 9, 0, &f, 0, false), (uint64_t)-1, "idt: unknown entry kind is refused");
}

static void fred_decode(void)
{
    struct hv_event e;
    struct hv_fred_frame f;

    f = fred(3, 14, 6, S, FLAT_USER_CS64, true, 0, 0xabc000);
    EQ(hv_decode_fred(&e, &f, false), 0, "fred: #PF decodes");
    OK(e.type == HV_ET_HW_EXC && e.vector == 14 && e.has_error_code && e.error_code == 6 &&
       e.data == 0xabc000 && e.rip == S && e.mode == HV_MODE_USER && e.l64 &&
       e.delivery == HV_DELIVERY_FRED && e.ss == FLAT_USER_SS && e.cs == FLAT_USER_CS64,
       "fred: #PF: error code, CR2 from event data, selectors without metadata");
    f = fred(3, 1, 0, S, FLAT_USER_CS64, true, 0, 0x4000);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_HW_EXC && e.data == 0x4000 && !e.has_error_code, "fred: #DB: DR6 bits from event data");
    f = fred(3, 13, 0x10, S, FLAT_USER_CS64, true, 0, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_HW_EXC && e.vector == 13 && e.has_error_code && e.error_code == 0x10, "fred: #GP with error code");
    f = fred(3, 6, 0, S, FLAT_USER_CS64, true, 0, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.vector == 6 && !e.has_error_code, "fred: #UD without error code");
    f = fred(4, 0x40, 0, S + 2, FLAT_USER_CS64, true, 2, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_SW_INT && e.vector == 0x40 && e.insn_len == 2 && e.rip == S + 2, "fred: INT $0x40: SW_INT, length 2");
    f = fred(6, 3, 0, S + 1, FLAT_USER_CS64, true, 1, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_SW_EXC && e.vector == 3 && e.insn_len == 1, "fred: INT3: SW_EXC vector 3, length 1");
    f = fred(6, 4, 0, S + 1, FLAT_USER_CS32, false, 1, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_SW_EXC && e.vector == 4 && !e.l64, "fred: INTO (compat): SW_EXC vector 4, L clear");
    f = fred(5, 1, 0, S + 1, FLAT_USER_CS64, true, 1, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_PRIV_SW_EXC && e.vector == 1, "fred: INT1: PRIV_SW_EXC vector 1");
    f = fred(7, 1, 0, S + 2, FLAT_USER_CS64, true, 2, 0);
    f.rflags = 0x246;
    hv_decode_fred(&e, &f, false);
    OK(e.type == HV_ET_OTHER && e.vector == HV_OTHER_SYSCALL && e.cs == FLAT_KERNEL_CS64 &&
       e.ss == FLAT_KERNEL_SS && e.rip == S + 2 && e.rflags == 0x246,
       "fred: SYSCALL (L=1): selectors as SYSRET would load them");
    f = fred(7, 1, 0, S + 2, FLAT_USER_CS32, false, 2, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.cs == FLAT_USER_CS32 && e.ss == FLAT_USER_SS32 && !e.l64, "fred: SYSCALL (L=0): FLAT_USER_CS32/SS32");
    f = fred(7, 2, 0, S + 2, FLAT_USER_CS32, false, 2, 0);
    hv_decode_fred(&e, &f, false);
    OK(e.vector == HV_OTHER_SYSENTER && e.rip == 0 && e.cs == 3 && e.rsp == 0 && e.ss == FLAT_USER_SS,
       "fred: SYSENTER: Xen's null frame");
    f = fred(0, 0x31, 0, S, FLAT_USER_CS64, true, 0, 0);
    hv_decode_fred(&e, &f, false);
    EQ(e.type, HV_ET_EXT_INTR, "fred: external interrupt");
    f = fred(2, 2, 0, S, FLAT_USER_CS64, true, 0, 0);
    f.ssx |= 1ull << 18;
    hv_decode_fred(&e, &f, false);
    EQ(e.type, HV_ET_NMI, "fred: NMI");
    f = fred(3, 14, 2, 0xffff82d040200000ull, 0xe008, true, 0, 0x1000);
    hv_decode_fred(&e, &f, false);
    EQ(e.mode, HV_MODE_HV, "fred: ring 0 CS: event in hv itself");
    f = fred(3, 14, 2, S, FLAT_USER_CS64, true, 0, 0x1000);
    f.ssx |= 1ull << 58;
    hv_decode_fred(&e, &f, false);
    OK(e.nested, "fred: nested bit");
    f = fred(3, 13, 0, S, FLAT_USER_CS64, true, 0, 0);
    f.csx |= 1ull << 16;                    /* stack level 1 */
    hv_decode_fred(&e, &f, false);
    EQ(e.cs, FLAT_USER_CS64, "fred: CS stack-level bits are not part of the selector");

    f = fred(1, 0, 0, S, FLAT_USER_CS64, true, 0, 0);
    EQ(hv_decode_fred(&e, &f, false), (uint64_t)-1, "fred: reserved event type 1 refused");
    f = fred(7, 0, 0, S, FLAT_USER_CS64, true, 0, 0);
    EQ(hv_decode_fred(&e, &f, false), (uint64_t)-1, "fred: OTHER vector 0 (MTF) refused");
    f = fred(3, 40, 0, S, FLAT_USER_CS64, true, 0, 0);
    EQ(hv_decode_fred(&e, &f, false), (uint64_t)-1, "fred: exception vector >= 32 refused");
    f = fred(2, 5, 0, S, FLAT_USER_CS64, true, 0, 0);
    EQ(hv_decode_fred(&e, &f, false), (uint64_t)-1, "fred: NMI with vector != 2 refused");
}

/* ---- IDT vs FRED: same event, same guest, compare the outcomes ---- */

struct result {
    struct hv_outcome o;
    uint64_t w[8];           /* RCX R11 [EC] RIP CS RFLAGS RSP SS */
    unsigned int n;
    uint64_t rip, cr2, dr6;
    uint8_t mask;
};

static void setup(struct fixture *fx)
{
    fixture_init(fx);
    fx->v.kernel_mode = false;
    fx->v.regs.rcx = 0x1111;
    fx->v.regs.r11 = 0x2222;
    fx->v.syscall_callback = CB_SYSCALL;
    fx->v.syscall32_callback = CB_SYSCALL32;
    fx->v.sysenter_callback = CB_SYSENTER;
    set_trap(&fx->v, 0x40, 3, false, H(0x40));
    set_trap(&fx->v, 0x41, 0, false, H(0x41));
}

static struct result finish(struct fixture *fx, int rc, const struct hv_event *e)
{
    struct result r;

    memset(&r, 0, sizeof(r));
    if (rc != 0) {
        r.o.action = -1;
        return r;
    }
    hv_handle_event(&fx->v, e, &fx->m, &r.o);
    if (r.o.frame) {
        r.n = r.o.has_error_code ? 8 : 7;
        for (unsigned int i = 0; i < r.n; i++)
            r.w[i] = fake_word(&fx->fm, r.o.frame + 8 * i);
    }
    r.rip = fx->v.regs.rip;
    r.cr2 = fx->vi.arch.cr2;
    r.dr6 = fx->v.dr6;
    r.mask = fx->vi.evtchn_upcall_mask;
    return r;
}

static struct result via_idt(void (*tweak)(struct fixture *), unsigned int entry,
                             uint8_t vec, struct hv_idt_frame f, uint64_t aux)
{
    struct fixture fx;
    struct hv_event e;
    struct result r;

    setup(&fx);
    if (tweak)
        tweak(&fx);
    r = finish(&fx, hv_decode_idt(&e, entry, vec, &f, aux, false), &e);
    fixture_free(&fx);
    return r;
}

static struct result via_fred(void (*tweak)(struct fixture *), struct hv_fred_frame f)
{
    struct fixture fx;
    struct hv_event e;
    struct result r;

    setup(&fx);
    if (tweak)
        tweak(&fx);
    r = finish(&fx, hv_decode_fred(&e, &f, false), &e);
    fixture_free(&fx);
    return r;
}

/*
 * What the IDT run must have produced, written out here (not taken from
 * hv): the vector (-1: a callback, none), the error code (-1: no slot),
 * the frame's RIP and CS.
 */
struct want {
    int vector;
    int64_t ec;
    uint64_t rip;
    uint16_t cs;
};

/* The IDT run against `w', then the FRED run against the IDT run (equal
 * bounce frames, handler, side effects).  rip_delta: FRED frame RIP minus
 * IDT frame RIP (the rewind difference). */
static void same(const char *what, struct result a, struct result b, int64_t rip_delta,
                 struct want w)
{
    bool eq = a.o.action == b.o.action && a.o.via == b.o.via &&
              a.o.vector == b.o.vector && a.n == b.n && a.rip == b.rip &&
              a.cr2 == b.cr2 && a.dr6 == b.dr6 && a.mask == b.mask;
    unsigned int rip_slot = a.o.has_error_code ? 3 : 2;
    bool ok_a = a.o.action == HV_RESUME && (w.vector < 0 || a.o.vector == w.vector) &&
                a.o.has_error_code == (w.ec >= 0) && (w.ec < 0 || a.w[2] == (uint64_t)w.ec) &&
                a.w[rip_slot] == w.rip && (uint16_t)a.w[rip_slot + 1] == w.cs;

    OK(ok_a, "idt: %s: vector, error code, frame RIP and CS as expected", what);
    if (!ok_a)
        tap_diag("  vector %u ec %s0x%llx rip 0x%llx cs 0x%llx (want %d %lld 0x%llx 0x%x)", a.o.vector,
                 a.o.has_error_code ? "" : "none ", (unsigned long long)a.w[2],
                 (unsigned long long)a.w[rip_slot], (unsigned long long)a.w[rip_slot + 1],
                 w.vector, (long long)w.ec, (unsigned long long)w.rip, w.cs);
    for (unsigned int i = 0; eq && i < a.n; i++) {
        uint64_t want = a.w[i] + (i == rip_slot ? (uint64_t)rip_delta : 0);
        if (b.w[i] != want)
            eq = false;
    }
    OK(eq && a.o.action == HV_RESUME, "idt=fred: %s%s", what,
       rip_delta ? " (except the RIP rewind)" : "");
    if (!eq)
        for (unsigned int i = 0; i < 8; i++)
            tap_diag("  word %u: idt 0x%llx fred 0x%llx", i,
                     (unsigned long long)a.w[i], (unsigned long long)b.w[i]);
}

#define U64 FLAT_USER_CS64
#define U32 FLAT_USER_CS32

static void int80_addr(struct fixture *fx) { set_trap(&fx->v, 0x80, 0, false, H(0x80)); }
static void no_syscall(struct fixture *fx) { fx->v.syscall_callback = 0; }
static void no_sysenter(struct fixture *fx) { fx->v.sysenter_callback = 0; }
static void masked(struct fixture *fx) { fx->v.sysenter_mask = true; fx->vi.evtchn_upcall_mask = 0; }

static void equivalence(void)
{
    struct hv_idt_frame i;
    struct result a, b;

    /* INT $0x40 permitted (vDPL 3): IDT #GP(0x202) at S, FRED SW_INT. */
    i = idt(0x40 * 8 + 2, S, FLAT_USER_CS64);
    a = via_idt(NULL, HV_IDT_GATE, 13, i, 0);
    b = via_fred(NULL, fred(4, 0x40, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("INT $0x40 permitted", a, b, 0, (struct want){ 0x40, -1, S + 2, U64 });
    OK(a.o.vector == 0x40 && a.w[2] == S + 2, "idt=fred: INT $0x40 delivered with RIP after it");
    b = via_fred(NULL, fred(4, 0x40, 0, S + 3, FLAT_USER_CS64, true, 3, 0));
    same("prefixed INT $0x40 permitted: IDT S+2, FRED S+3", a, b, 1, (struct want){ 0x40, -1, S + 2, U64 });

    /* INT $0x41 refused (vDPL 0). */
    i = idt(0x41 * 8 + 2, S, FLAT_USER_CS64);
    a = via_idt(NULL, HV_IDT_GATE, 13, i, 0);
    b = via_fred(NULL, fred(4, 0x41, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("INT $0x41 refused -> #GP(0x20a)", a, b, 0, (struct want){ 13, 0x41 * 8 + 2, S, U64 });
    OK(a.o.vector == 13 && a.w[2] == 0x41 * 8 + 2 && a.w[3] == S, "idt=fred: refused: #GP(N*8+2) at the instruction");
    b = via_fred(NULL, fred(4, 0x41, 0, S + 3, FLAT_USER_CS64, true, 3, 0));
    same("prefixed INT $0x41 refused (both at the start)", a, b, 0, (struct want){ 13, 0x41 * 8 + 2, S, U64 });

    /* INT3, INTO, INT1. */
    a = via_idt(NULL, HV_IDT_GATE, 3, idt(0, S + 1, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(6, 3, 0, S + 1, FLAT_USER_CS64, true, 1, 0));
    same("INT3", a, b, 0, (struct want){ 3, -1, S + 1, U64 });
    a = via_idt(NULL, HV_IDT_GATE, 3, idt(0, S + 2, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(4, 3, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("INT $3", a, b, 0, (struct want){ 3, -1, S + 2, U64 });
    a = via_idt(NULL, HV_IDT_GATE, 4, idt(0, S + 1, FLAT_USER_CS32), 0);
    b = via_fred(NULL, fred(6, 4, 0, S + 1, FLAT_USER_CS32, false, 1, 0));
    same("INTO (compat)", a, b, 0, (struct want){ 4, -1, S + 1, U32 });
    a = via_idt(NULL, HV_IDT_GATE, 1, idt(0, S + 1, FLAT_USER_CS64), HV_DR6_DEFAULT);
    b = via_fred(NULL, fred(5, 1, 0, S + 1, FLAT_USER_CS64, true, 1, 0));
    same("INT1/ICEBP", a, b, 0, (struct want){ 1, -1, S + 1, U64 });

    /* Hardware exceptions. */
    a = via_idt(NULL, HV_IDT_GATE, 14, idt(4 | 2, S, FLAT_USER_CS64), 0x5000);
    b = via_fred(NULL, fred(3, 14, 4 | 2, S, FLAT_USER_CS64, true, 0, 0x5000));
    same("#PF with CR2", a, b, 0, (struct want){ 14, 4 | 2, S, U64 });
    OK(a.cr2 == 0x5000 && a.w[2] == 6, "idt=fred: #PF cr2 in vcpu_info, error code in frame");
    a = via_idt(NULL, HV_IDT_GATE, 1, idt(0, S + 3, FLAT_USER_CS64), 0xffff4ff0ull);
    b = via_fred(NULL, fred(3, 1, 0, S + 3, FLAT_USER_CS64, true, 0, 0x4000));
    same("#DB single step with DR6", a, b, 0, (struct want){ 1, -1, S + 3, U64 });
    OK(a.dr6 == 0xffff4ff0ull, "idt=fred: #DB DR6 = 0xffff4ff0");
    a = via_idt(NULL, HV_IDT_GATE, 13, idt(0, S, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(3, 13, 0, S, FLAT_USER_CS64, true, 0, 0));
    same("#GP(0)", a, b, 0, (struct want){ 13, 0, S, U64 });
    a = via_idt(NULL, HV_IDT_GATE, 6, idt(0, S, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(3, 6, 0, S, FLAT_USER_CS64, true, 0, 0));
    same("#UD", a, b, 0, (struct want){ 6, -1, S, U64 });

    /* SYSCALL. */
    i = idt(0, S + 2, 0);
    a = via_idt(NULL, HV_IDT_LSTAR, 0, i, 0);
    b = via_fred(NULL, fred(7, 1, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("SYSCALL (64-bit) to the syscall callback", a, b, 0, (struct want){ -1, -1, S + 2, U64 });
    OK(a.w[0] == S + 2 && a.w[1] == 0x202, "idt=fred: SYSCALL frame RCX/R11 = user rip/rflags");
    a = via_idt(NULL, HV_IDT_CSTAR, 0, i, 0);
    b = via_fred(NULL, fred(7, 1, 0, S + 2, FLAT_USER_CS32, false, 2, 0));
    same("SYSCALL (compat) to the syscall32 callback", a, b, 0, (struct want){ -1, -1, S + 2, U32 });
    a = via_idt(no_syscall, HV_IDT_LSTAR, 0, i, 0);
    b = via_fred(no_syscall, fred(7, 1, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("unregistered SYSCALL -> #UD", a, b, 0, (struct want){ 6, -1, S, U64 });
    a = via_idt(no_syscall, HV_IDT_LSTAR, 0, idt(0, S + 3, 0), 0);
    b = via_fred(no_syscall, fred(7, 1, 0, S + 3, FLAT_USER_CS64, true, 3, 0));
    same("unregistered prefixed SYSCALL: IDT S+1, FRED S", a, b, -1, (struct want){ 6, -1, S + 1, U64 });
    {
        struct hv_idt_frame d = idt(0, S + 2, 0);
        struct hv_fred_frame g = fred(7, 1, 0, S + 2, FLAT_USER_CS64, true, 2, 0);
        d.rflags |= X86_EFLAGS_DF;
        g.rflags |= X86_EFLAGS_DF;
        a = via_idt(NULL, HV_IDT_LSTAR, 0, d, 0);
        b = via_fred(NULL, g);
        OK(a.w[4] == (0x202 | X86_EFLAGS_DF) && b.w[4] == 0x202 && a.w[1] == b.w[1],
           "idt/fred: SYSCALL with DF=1: frame RFLAGS.DF kept by IDT, cleared by FRED (Xen), R11 equal");
    }

    /* SYSENTER. */
    a = via_idt(masked, HV_IDT_SYSENTER, 0, idt(0, 0x1234, 0), 0);
    b = via_fred(masked, fred(7, 2, 0, S + 2, FLAT_USER_CS32, false, 2, 0));
    same("SYSENTER to the sysenter callback", a, b, 0, (struct want){ -1, -1, 0, 3 });
    a = via_idt(no_sysenter, HV_IDT_SYSENTER, 0, idt(0, 0x1234, 0), 0);
    b = via_fred(no_sysenter, fred(7, 2, 0, S + 2, FLAT_USER_CS32, false, 2, 0));
    same("unregistered SYSENTER -> #GP(0)", a, b, 0, (struct want){ 13, 0, 0, 3 });

    /* INT $0x80 with an address and vDPL 0: the documented difference. */
    a = via_idt(int80_addr, HV_IDT_GATE, 0x80, idt(0, S + 2, FLAT_USER_CS64), 0);
    b = via_fred(int80_addr, fred(4, 0x80, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    OK(a.o.vector == 0x80 && b.o.vector == 13 && b.w[2] == 0x402,
       "idt/fred: INT $0x80 vDPL 0: IDT delivers directly, FRED checks vDPL (#GP(0x402))");
    a = via_idt(NULL, HV_IDT_GATE, 0x80, idt(0, S + 2, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(4, 0x80, 0, S + 2, FLAT_USER_CS64, true, 2, 0));
    same("INT $0x80 without an address -> #GP(0x402)", a, b, 0, (struct want){ 13, 0x402, S, U64 });

    /* External interrupt: neither bounces. */
    a = via_idt(NULL, HV_IDT_GATE, 0x31, idt(0, S, FLAT_USER_CS64), 0);
    b = via_fred(NULL, fred(0, 0x31, 0, S, FLAT_USER_CS64, true, 0, 0));
    OK(a.o.action == HV_NOT_GUEST && b.o.action == HV_NOT_GUEST && a.n == 0 && b.n == 0,
       "idt=fred: external interrupt is left to hv");
}

void test_decode(void)
{
    tap_diag("front ends: IDT and FRED decode, and their equivalence");
    layout();
    idt_decode();
    fred_decode();
    equivalence();
}
