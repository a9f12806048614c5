/*
 * hv/tests/guests/usermode.c - guest user mode on its own page tables.
 *
 * Builds a user L4 (mmu hypercalls: update_va_mapping to make the tables
 * read-only, MMUEXT_PIN_L4_TABLE, MMUEXT_NEW_USER_BASEPTR), enters user
 * mode with HYPERVISOR_iret, and takes SYSCALL (syscall callback),
 * INT $0x80 (trap table, vDPL 3), SYSENTER (Intel: sysenter callback) and
 * finally ud2 (#UD) from user mode.  Each frame must show the user's CS
 * (RPL 3).  Also checks that a page table cannot be mapped writable.
 * Expected: all ok, status 0.
 */
#include "guest.h"


static uint8_t k_stack[4 * PAGE] __attribute__((aligned(PAGE)));

static int seen_syscall, seen_int80, seen_sysenter;
static int intel;

/* Called by the asm stubs with the bounce frame: rcx r11 rip cs rflags rsp ss. */
void on_event(unsigned long *f, long kind)
{
    unsigned long cs = f[3] & 0xffff;
    switch (kind) {
    case 1:
        seen_syscall++;
        check(cs == FLAT_USER_CS64, "syscall callback from user CS 0xe033");
        check(f[2] == USER_VA + 7, "syscall frame rip after the syscall");
        break;
    case 2:
        seen_int80++;
        check(cs == FLAT_USER_CS64, "INT $0x80 from user CS 0xe033");
        break;
    case 3:
        seen_sysenter++;
        check(cs == 3 && f[2] == 0, "sysenter frame: cs 3, rip 0");
        break;
    case 6:
        check(cs == FLAT_USER_CS64, "#UD from user CS 0xe033");
        check(seen_syscall == 1 && seen_int80 == 1 && seen_sysenter == intel,
              "every user entry seen once");
        done_testing();
        shutdown(guest_fails ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
}

/* User code, copied to USER_VA: syscall; int $0x80; [sysenter]; ud2. */
extern char user_code[], user_code_end[], user_code_sysenter[];
asm(".pushsection .rodata\n"
    "user_code:\n"
    "  mov $1, %eax\n"                  /* 5 bytes */
    "  syscall\n"                        /* ends at +7 */
    "  int $0x80\n"
    "user_code_sysenter:\n"
    "  sysenter\n"
    "  ud2\n"
    "user_code_end:\n"
    ".popsection\n");

/*
 * Handler stubs: on entry rsp -> RCX, R11, RIP, CS, RFLAGS, RSP, SS.
 * Call on_event(frame, kind), then pop RCX/R11, push the iret flags and
 * jump to the hypercall page's iret entry (struct iret_context).
 * A sysenter frame's RIP is 0: the return point is the ud2 after it,
 * which the stub puts back (the guest's own convention).
 */
asm(".text\n"
    ".macro STUB name, kind, flags\n"
    "\\name:\n"
    "  mov %rsp, %rdi\n"
    "  mov $\\kind, %esi\n"
    "  call on_event\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  pushq $\\flags\n"
    "  jmp hypercall_page + 23 * 32\n"
    ".endm\n"
    "STUB syscall_stub, 1, 256\n"       /* VGCF_in_syscall */
    "STUB int80_stub, 2, 0\n"
    "sysenter_stub:\n"
    "  mov %rsp, %rdi\n"
    "  mov $3, %esi\n"
    "  call on_event\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  movq $0x400000 + (user_code_sysenter - user_code) + 2, (%rsp)\n"
    "  movq $0xe033, 8(%rsp)\n"
    "  movq $0x402000, 24(%rsp)\n"
    "  pushq $0\n"
    "  jmp hypercall_page + 23 * 32\n"
    "ud_stub:\n"
    "  mov %rsp, %rdi\n"
    "  mov $6, %esi\n"
    "  call on_event\n"
    "  ud2\n");
extern char syscall_stub[], int80_stub[], sysenter_stub[], ud_stub[];

void guest_main(start_info_t *si)
{
    guest_setup(si, "usermode");
    unsigned int r[4];
    asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0));
    intel = r[1] == 0x756e6547;

    static struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, 0 },
        { 0x80, 3, FLAT_KERNEL_CS, 0 },
        { 0, 0, 0, 0 },
    };
    traps[0].address = (unsigned long)ud_stub;
    traps[1].address = (unsigned long)int80_stub;
    check(HYPERVISOR_set_trap_table(traps) == 0, "set_trap_table");
    struct callback_register cb = { .type = CALLBACKTYPE_syscall,
                                    .flags = CALLBACKF_mask_events,
                                    .address = (unsigned long)syscall_stub };
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "register syscall");
    cb.type = CALLBACKTYPE_sysenter;
    cb.address = (unsigned long)sysenter_stub;
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "register sysenter");
    check(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)(k_stack + sizeof(k_stack))) == 0,
          "stack_switch");

    /* User address space: code at USER_VA, stack page above it. */
    user_space_fill((const uint8_t *)user_code, (unsigned long)(user_code_end - user_code));
    if (!intel)     /* SYSENTER is #UD on AMD in long mode: skip it. */
        u_code[user_code_sysenter - user_code] = 0x90,
        u_code[user_code_sysenter - user_code + 1] = 0x90;

    /* Pinning fails while the tables are still mapped writable. */
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
    op.arg1.mfn = mfn_of(u_l4);
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) < 0, "pin refused while mapped writable");

    uint8_t *pts[] = { u_l4, u_l3, u_l2, u_l1 };
    for (int i = 0; i < 4; i++)
        check(HYPERVISOR_update_va_mapping((unsigned long)pts[i], (mfn_of(pts[i]) << 12) | 0x25, UVMF_INVLPG) == 0,
              "update_va_mapping: page table read-only");
    long rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    check(rc == 0, "pin user L4: rc %ld", rc);
    /* Now a writable mapping of a page table is refused. */
    check(HYPERVISOR_update_va_mapping((unsigned long)u_l1, (mfn_of(u_l1) << 12) | 0x27, UVMF_INVLPG) < 0,
          "writable mapping of a pinned table refused");
    op.cmd = MMUEXT_NEW_USER_BASEPTR;
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "new user baseptr");

    /* To user mode: iret_context rax r11 rcx flags rip cs rflags rsp ss. */
    static struct iret_context ic;
    ic.rip = USER_VA;
    ic.cs = FLAT_USER_CS64;
    ic.rflags = 0x202;
    ic.rsp = USER_VA + 2 * PAGE;
    ic.ss = FLAT_USER_SS;
    say("entering user mode");
    asm volatile("mov %0, %%rsp\n\t"
                 "jmp hypercall_page + 23 * 32" :: "r"(&ic.flags) : "memory");
    __builtin_unreachable();
}
