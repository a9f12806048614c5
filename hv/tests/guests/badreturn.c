/*
 * hv/tests/guests/badreturn.c - HYPERVISOR_iret to a state the CPU
 * refuses: a non-canonical %rip, bad or null selectors.
 *
 * ABI carried: what Xen 4.17 does when its exit to the guest (IRETQ, or
 * SYSRET for VGCF_in_syscall) would fault: the fault is the guest's, at
 * the context being returned to, delivered through the trap table (frame
 * RCX, R11, error code, RIP, CS, RFLAGS, RSP, SS, on the stack_switch
 * stack when that context is user mode); and that a VGCF_in_syscall
 * return to a canonical %rip goes by SYSRET, which ignores the frame's
 * selectors.  It runs unchanged on Xen 4.17 (compare the lines it prints)
 * and on hv (scripts/run-hv.sh --check).
 *
 * Run it with "delivery=fred" on its command line under FRED (there Xen
 * leaves by ERETU even for VGCF_in_syscall, so the frame's %cs is checked).
 *
 * Each case irets, and the #GP/#NP/#SS handler (or, for the SYSRET case,
 * the syscall callback reached from user mode) prints the frame and
 * checks it, then runs the next case on a fresh stack.
 * Expected: all ok, status 0.
 */
#include "guest.h"

#define NC_RIP  0x8000000000001000ul

uint8_t k_stack[4 * PAGE] __attribute__((aligned(PAGE)));   /* stack_switch */
uint8_t c_stack[4 * PAGE] __attribute__((aligned(PAGE)));   /* C, per case */
static uint8_t r_stack[PAGE] __attribute__((aligned(PAGE)));  /* kernel-mode returns */


/*
 * The cases: the iret_context and what must arrive.  want_vec 0x100 =
 * the syscall callback (no fault).  CS RPL 0 returns to guest kernel
 * mode (on r_stack), RPL 3 to user mode.
 */
static const struct bad_case {
    const char *what;
    unsigned long rip, cs, rsp, ss, flags;
    unsigned int want_vec;
    unsigned long want_ec;
} cases[] = {
    { "user, non-canonical rip", NC_RIP, FLAT_USER_CS64, USER_VA + 2 * PAGE, FLAT_USER_SS, 0, 13, 0 },
    { "user, non-canonical rip, VGCF_in_syscall", NC_RIP, FLAT_USER_CS64, USER_VA + 2 * PAGE,
      FLAT_USER_SS, VGCF_in_syscall, 13, 0 },
    { "user, data selector 0xe02b as cs", USER_VA, 0xe02b, USER_VA + 2 * PAGE, FLAT_USER_SS, 0, 13, 0xe028 },
    { "user, null ss", USER_VA, FLAT_USER_CS64, USER_VA + 2 * PAGE, 0, 0, 13, 0 },
    { "user, code selector 0xe023 as ss", USER_VA, FLAT_USER_CS64, USER_VA + 2 * PAGE, 0xe023, 0, 13, 0xe020 },
    { "user, ring-0 code selector 0xe00b as cs", USER_VA, 0xe00b, USER_VA + 2 * PAGE, FLAT_USER_SS, 0, 13, 0xe008 },
    { "user, guest-GDT selector 0x13 as cs", USER_VA, 0x13, USER_VA + 2 * PAGE, FLAT_USER_SS, 0, 13, 0x10 },
    { "user, LDT selector 0x4 as cs", USER_VA, 0x7, USER_VA + 2 * PAGE, FLAT_USER_SS, 0, 13, 0x4 },
    { "kernel, non-canonical rip", NC_RIP, FLAT_KERNEL_CS & ~3, 0, FLAT_KERNEL_SS, 0, 13, 0 },
    { "kernel, data selector as cs", 0xffffffff80001000ul, 0xe028, 0, FLAT_KERNEL_SS, 0, 13, 0xe028 },
    /* IDT: Xen leaves by SYSRET, which takes cs/ss from STAR: no fault,
     * user code runs.  FRED: ERETU with the frame: #GP(0xe028). */
    { "user, VGCF_in_syscall, data selector as cs", USER_VA, 0xe02b, USER_VA + 2 * PAGE, 0,
      VGCF_in_syscall, 0x100, 0 },
};
#define SYSRET_CASE (NR_CASES - 1)
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))
static unsigned int cur;
static int fred;            /* "delivery=fred" on the guest command line */

void run_case(void) __attribute__((noreturn));

/*
 * The handlers call this with the frame (words, lowest first):
 *   #GP/#NP/#SS:  RCX R11 EC RIP CS RFLAGS RSP SS
 *   syscall:      RCX R11 RIP CS RFLAGS RSP SS
 */
void on_event(unsigned long *f, unsigned long vec)
{
    struct bad_case c_ = cases[cur];
    const struct bad_case *c = &c_;
    unsigned long *w = vec == 0x100 ? f - 1 : f;    /* w[2] = ec slot */
    int kernel = (c->cs & 3) == 0;

    if (cur == SYSRET_CASE && fred)
        c_.want_vec = 13, c_.want_ec = 0xe028;

    say("case %u (%s): vector %#lx ec %#lx rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx rcx %#lx r11 %#lx",
        cur, c->what, vec, vec != 0x100 ? w[2] : 0ul, w[3], w[4], w[5], w[6], w[7], f[0], f[1]);

    check(vec == c->want_vec, "case %u (%s): vector %#lx, want %#lx", cur, c->what, vec, (unsigned long)c->want_vec);
    if (vec == 0x100) {
        check((w[4] & 0xffff) == FLAT_USER_CS64 && w[7] == FLAT_USER_SS && w[3] == USER_VA + 2,
              "case %u: SYSRET ran user code with cs 0xe033, ss 0xe02b", cur);
    } else {
        check(w[2] == c->want_ec, "case %u: error code %#lx, want %#lx", cur, w[2], c->want_ec);
        check(w[3] == c->rip, "case %u: frame rip is the return target", cur);
        check((w[4] & 0xffff) == (kernel ? c->cs & ~3ul : (c->cs | 3)),
              "case %u: frame cs %#lx: %s", cur, w[4],
              kernel ? "kernel-mode RPL 0" : "the selector returned to, RPL 3");
        check(kernel ? w[6] == (unsigned long)(r_stack + PAGE - 64)
                     : (unsigned long)f == (unsigned long)(k_stack + sizeof(k_stack)) - 8 * 8,
              "case %u: %s", cur,
              kernel ? "kernel: frame rsp is the returned-to rsp" : "user: frame on the stack_switch stack");
        if (c->flags & VGCF_in_syscall)
            check(f[0] == c->rip, "case %u: VGCF_in_syscall: frame rcx = rip", cur);
        else
            check(f[0] == 0xcc && f[1] == 0xbb, "case %u: frame rcx/r11 from the iret context", cur);
    }
    cur++;
}

/* Stubs: on entry rsp -> the frame.  Record, then the next case on c_stack. */
asm(".text\n"
    ".macro STUB name, vec\n"
    "\\name:\n"
    "  mov %rsp, %rdi\n"
    "  mov $\\vec, %esi\n"
    "  lea c_stack + 4 * 4096(%rip), %rsp\n"
    "  call on_event\n"
    "  jmp run_case\n"
    ".endm\n"
    "STUB gp_stub, 13\n"
    "STUB np_stub, 11\n"
    "STUB ss_stub, 12\n"
    "STUB ud_stub, 6\n"
    "STUB syscall_stub, 0x100\n");
extern char gp_stub[], np_stub[], ss_stub[], ud_stub[], syscall_stub[];

/* User code at USER_VA: syscall; ud2. */
extern char user_code[], user_code_end[];
asm(".pushsection .rodata\n"
    "user_code:\n"
    "  syscall\n"
    "  ud2\n"
    "user_code_end:\n"
    ".popsection\n");

void run_case(void)
{
    static struct iret_context ic;

    if (cur == NR_CASES) {
        done_testing();
        shutdown(guest_fails ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
    const struct bad_case *c = &cases[cur];
    ic.flags = c->flags;
    ic.rip = c->rip;
    ic.cs = c->cs;
    ic.rflags = 0x202;
    ic.rsp = c->rsp ? c->rsp : (unsigned long)(r_stack + PAGE - 64);
    ic.ss = c->ss;
    /* The iret entry pushes %rcx, %r11, %rax below ic.flags. */
    asm volatile("mov %0, %%rsp\n\t"
                 "mov $0xbb, %%r11\n\t"
                 "jmp hypercall_page + 23 * 32"
                 :: "r"(&ic.flags), "a"(0xaaul), "c"(0xccul) : "memory");
    __builtin_unreachable();
}

void guest_main(start_info_t *si)
{
    guest_setup(si, "badreturn");
    for (const char *p = (const char *)si->cmd_line; *p; p++)
        if (p[0] == 'f' && p[1] == 'r' && p[2] == 'e' && p[3] == 'd')
            fred = 1;

    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, 0 },
        { 11, 0, FLAT_KERNEL_CS, 0 },
        { 12, 0, FLAT_KERNEL_CS, 0 },
        { 13, 0, FLAT_KERNEL_CS, 0 },
        { 0, 0, 0, 0 },
    };
    traps[0].address = (unsigned long)ud_stub;
    traps[1].address = (unsigned long)np_stub;
    traps[2].address = (unsigned long)ss_stub;
    traps[3].address = (unsigned long)gp_stub;
    check(HYPERVISOR_set_trap_table(traps) == 0, "set_trap_table");
    struct callback_register cb = { .type = CALLBACKTYPE_syscall,
                                    .address = (unsigned long)syscall_stub };
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "register syscall");
    check(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)(k_stack + sizeof(k_stack))) == 0,
          "stack_switch");

    /* User address space: code at USER_VA, stack page above it. */
    user_space_fill((const uint8_t *)user_code, (unsigned long)(user_code_end - user_code));
    uint8_t *pts[] = { u_l4, u_l3, u_l2, u_l1 };
    for (int i = 0; i < 4; i++)
        HYPERVISOR_update_va_mapping((unsigned long)pts[i], (mfn_of(pts[i]) << 12) | 0x25, UVMF_INVLPG);
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
    op.arg1.mfn = mfn_of(u_l4);
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "pin user L4");
    op.cmd = MMUEXT_NEW_USER_BASEPTR;
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "new user baseptr");

    /* The GDT as ring 3 sees it (LAR): Xen's selectors, accessed bits. */
    static const unsigned short sels[] = { 0xe008, 0xe010, 0xe018, 0xe023, 0xe02b, 0xe033, 0xe038, 0xe043 };
    for (unsigned int i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        unsigned long ar = 0;
        unsigned char ok;
        asm volatile("lar %2, %0; setz %1" : "+r"(ar), "=q"(ok) : "r"((unsigned long)sels[i] | 3) : "cc");
        /* bits 19:16 of the access rights are undefined */
        check(ok == ((sels[i] | 3) == FLAT_USER_CS32 || (sels[i] | 3) == FLAT_USER_SS ||
                     (sels[i] | 3) == FLAT_USER_CS64),
              "lar %#x: %s %#lx (only the ring-3 selectors are visible)", sels[i] | 3,
              ok ? "access rights" : "refused", ok ? ar & 0xf0ff00 : 0ul);
    }

    run_case();
}
