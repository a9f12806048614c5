/*
 * hv/tests/guests/nmi.c - the virtual NMI: HYPERVISOR_vcpu_op
 * (VCPUOP_send_nmi), the nmi callback (CALLBACKOP_register /
 * _unregister, HYPERVISOR_nmi_op, or trap-table slot 2) and its masking.
 *
 * ABI carried, as Xen 4.17 does it (arch/x86/domain.c do_vcpu_op,
 * pv/callback.c, x86_64/entry.S process_nmi, pv/iret.c):
 *  - vcpu_op(cmd, vcpuid, arg) checks the vCPU first (-ENOENT), then
 *    VCPUOP_send_nmi wants arg == NULL (-EINVAL); cmd and vcpuid are
 *    32-bit (int, unsigned int): 0x100000000 is vCPU 0;
 *  - the NMI arrives as the hypercall returns: frame RCX, R11, RIP, CS,
 *    RFLAGS, RSP, SS like any bounce, %rip and %rsp those of the
 *    hypercall-page entry (after its push %rcx, push %r11 and SYSCALL);
 *  - the nmi callback is trap_ctxt[2] with TI_SET_IF (events masked);
 *  - a further NMI waits until the next HYPERVISOR_iret, any iret;
 *  - no nmi callback: the NMI is dropped, and stays lost;
 *  - registering while shared_info.arch.nmi_reason != 0 makes one pending;
 *  - a trap_ctxt[2] set by set_trap_table without IF leaves events
 *    unmasked: a pending event upcall goes on top of the NMI frame.
 * It runs unchanged on Xen 4.17 and on hv (compare the lines it prints).
 * Expected: all ok, status 0.
 */
#include "guest.h"
#include <xen/vcpu.h>
#include <xen/nmi.h>
#include <xen/errno.h>
#include <xen/event_channel.h>

#define KCS_RPL0 (FLAT_KERNEL_CS & ~3)

/* One entry to a handler: the frame it was given and what it saw. */
struct rec {
    char kind;                      /* 'N' NMI, 'E' event upcall */
    unsigned long rcx, r11, rip, cs, rflags, rsp, ss;
    unsigned int mask;              /* evtchn_upcall_mask on entry */
    unsigned int depth;             /* NMI handlers already running */
};
static struct rec recs[8];
static volatile unsigned int nrec, depth;
static shared_info_t *shi;

/* What the NMI handler does besides recording (set by a case). */
#define ACT_NONE        0
#define ACT_SEND        1   /* send another NMI: held until our iret */
#define ACT_SEND_INT3   2   /* send another, then INT3: that iret unmasks */
static volatile int action;
static volatile long send_rc, recs_after_send;

extern void nmi_entry(void), ev_entry(void), after_int3(void);
void nmi_c(const unsigned long *f);
void ev_c(const unsigned long *f);

/*
 * Both handlers:  rsp -> RCX, R11, RIP, CS, RFLAGS, RSP, SS  (no error
 * code).  They save what the interrupted code may have live (an NMI can
 * land on any hypercall's return, rax = its result), call C with the
 * frame, then pop RCX and R11, push flags 0 and take the iret entry,
 * which pushes RCX, R11, RAX: the struct iret_context.
 *   frame rsp % 16 == 8; seven pushes make the C call aligned.
 */
asm(".text\n"
    ".macro HANDLER name, fn\n"
    "\\name:\n"
    "  push %rax; push %rdi; push %rsi; push %rdx; push %r8; push %r9; push %r10\n"
    "  lea 56(%rsp), %rdi\n"
    "  call \\fn\n"
    "  pop %r10; pop %r9; pop %r8; pop %rdx; pop %rsi; pop %rdi; pop %rax\n"
    "  pop %rcx\n"
    "  pop %r11\n"
    "  pushq $0\n"
    "  jmp hypercall_page + " HYPERCALL_STR(__HYPERVISOR_iret) " * 32\n"
    ".endm\n"
    ".globl nmi_entry, ev_entry\n"
    "HANDLER nmi_entry, nmi_c\n"
    "HANDLER ev_entry, ev_c\n");

static long send_nmi(unsigned long vcpu, unsigned long arg)
{
    /* Not HYPERVISOR_vcpu_op: its vcpu is an unsigned int, and this test
     * hands hv a vcpu id with bits above 31. */
    return _hypercall3(long, vcpu_op, VCPUOP_send_nmi, vcpu, arg);
}

static void record(char kind, const unsigned long *f)
{
    struct rec *r = &recs[nrec % 8];
    r->kind = kind;
    r->rcx = f[0], r->r11 = f[1], r->rip = f[2], r->cs = f[3];
    r->rflags = f[4], r->rsp = f[5], r->ss = f[6];
    r->mask = shi->vcpu_info[0].evtchn_upcall_mask;
    r->depth = depth;
    nrec++;
}

void nmi_c(const unsigned long *f)
{
    int a = action;

    record('N', f);
    action = ACT_NONE;
    depth++;
    if (a != ACT_NONE) {
        send_rc = send_nmi(0, 0);
        recs_after_send = nrec;
    }
    if (a == ACT_SEND_INT3)
        asm volatile("int3\n\t.globl after_int3\nafter_int3:" ::: "memory");
    depth--;
}

void ev_c(const unsigned long *f)
{
    record('E', f);
    shi->vcpu_info[0].evtchn_upcall_pending = 0;
}

/* Print a frame with its addresses relative to what they should be. */
static void show(const struct rec *r, const char *rip_name, unsigned long rip_base,
                 unsigned long rsp_base)
{
    say("  %s frame: rip %s+%#lx cs %#lx rflags %#lx rcx %s+%#lx r11 %#lx rsp base-%#lx ss %#lx mask %d depth %d",
        r->kind == 'N' ? "NMI" : "event", rip_name, r->rip - rip_base, r->cs, r->rflags,
        rip_name, r->rcx - rip_base, r->r11, rsp_base - r->rsp, r->ss, (int)r->mask, (int)r->depth);
}

/* send_nmi to ourselves, remembering %rsp at the call. */
static unsigned long call_rsp;
static long send_nmi_at(void)
{
    register long di asm("rdi") = VCPUOP_send_nmi;
    register long si asm("rsi") = 0;
    register long dx asm("rdx") = 0;
    long rc;
    asm volatile("mov %%rsp, %[sp]\n\t"
                 HYPERCALL_CALL(vcpu_op)
                 : [sp] "=m"(call_rsp), "=a"(rc), "+r"(di), "+r"(si), "+r"(dx)
                 :: "memory", "r8", "r9", "r10", "r11", "rcx");
    return rc;
}

static long callback_op(unsigned int cmd, unsigned int type, unsigned long addr)
{
    struct callback_register r = { .type = type, .address = addr };
    struct callback_unregister u = { .type = type };
    return HYPERVISOR_callback_op(cmd, cmd == CALLBACKOP_register ? (void *)&r : (void *)&u);
}

void guest_main(start_info_t *si)
{
    guest_setup(si, "nmi");
    static char page[4096] __attribute__((aligned(4096)));
    unsigned long vcpu_op = (unsigned long)hypercall_page + __HYPERVISOR_vcpu_op * 32;
    unsigned long cb_op = (unsigned long)hypercall_page + __HYPERVISOR_callback_op * 32;
    struct xennmi_callback nc;
    long rc;

    rc = HYPERVISOR_update_va_mapping((unsigned long)page, si->shared_info | 0x67, UVMF_INVLPG);
    check(rc == 0, "map shared_info: rc %ld", rc);
    shi = (shared_info_t *)page;
    static struct trap_info traps[] = {
        { 3, 3, FLAT_KERNEL_CS, (unsigned long)bp_handler },
        { 0, 0, 0, 0 },
    };
    rc = HYPERVISOR_set_trap_table(traps);
    check(rc == 0, "set_trap_table: rc %ld", rc);

    /* 1. Argument checks. */
    rc = send_nmi(1, 0);
    say("send_nmi to vcpu 1: rc=%ld", rc);
    check(rc == -XEN_ENOENT, "vcpu_op: a vcpu we do not have -> -ENOENT");
    rc = send_nmi(0, (unsigned long)page);
    say("send_nmi with an argument: rc=%ld", rc);
    check(rc == -XEN_EINVAL, "send_nmi: arg must be NULL -> -EINVAL");
    rc = HYPERVISOR_vcpu_op(99, 5, 0);
    say("vcpu_op 99 to vcpu 5: rc=%ld", rc);
    check(rc == -XEN_ENOENT, "vcpu_op: the vcpu is checked before the command");
    rc = HYPERVISOR_vcpu_op(99, 0, 0);
    say("vcpu_op 99 to vcpu 0: rc=%ld", rc);
    check(rc == -XEN_ENOSYS, "vcpu_op: unknown command -> -ENOSYS");
    rc = HYPERVISOR_nmi_op(2, 0);
    say("nmi_op 2: rc=%ld", rc);
    check(rc == -XEN_ENOSYS, "nmi_op: unknown command -> -ENOSYS");
    nc = (struct xennmi_callback){ 0x0000800000000000ul, 0 };
    rc = HYPERVISOR_nmi_op(XENNMI_register_callback, &nc);
    say("nmi_op register non-canonical: rc=%ld", rc);
    check(rc == -XEN_EINVAL, "nmi_op: non-canonical handler -> -EINVAL");
    rc = callback_op(CALLBACKOP_unregister, CALLBACKTYPE_event, 0);
    say("callback_op unregister event: rc=%ld", rc);
    check(rc == -XEN_EINVAL, "callback_op: only the nmi callback can be unregistered");

    /* 2. No nmi callback yet: dropped.  vcpuid 0x100000000 is vCPU 0. */
    rc = send_nmi(0x100000000ul, 0);
    say("send_nmi to vcpu 0x100000000 (no callback): rc=%ld", rc);
    check(rc == 0 && nrec == 0, "send_nmi: vcpuid is 32 bits; no nmi callback: nothing delivered");
    rc = callback_op(CALLBACKOP_register, CALLBACKTYPE_nmi, (unsigned long)nmi_entry);
    HYPERVISOR_xen_version(0, 0);
    check(rc == 0 && nrec == 0, "a dropped NMI does not come back when a callback is registered");

    /* 3. Delivery as the hypercall returns. */
    rc = send_nmi_at();
    say("send_nmi: rc=%ld", rc);
    check(rc == 0 && nrec == 1, "send_nmi to ourselves: one NMI, rax still the result");
    show(&recs[0], "vcpu_op", vcpu_op, call_rsp);
    check(recs[0].kind == 'N' && recs[0].rip == vcpu_op + 10 && recs[0].rsp == call_rsp - 24,
          "NMI frame: rip after the entry's SYSCALL, rsp below its call and pushes");
    /* Events are still masked (a fresh vCPU): saved mask 1, RFLAGS.IF 0. */
    check(recs[0].cs == (KCS_RPL0 | 1ul << 32) && recs[0].ss == FLAT_KERNEL_SS && !(recs[0].rflags & 0x200),
          "NMI frame: kernel CS with RPL 0, saved mask 1 in bits 32+, IF clear");
    check(recs[0].rcx == vcpu_op + 10 && recs[0].r11 == (recs[0].rflags | 0x200),
          "NMI frame: RCX/R11 as SYSCALL left them (R11 has the real IF)");
    check(recs[0].depth == 0, "NMI handler: not nested");

    /* Masking on entry, from unmasked events (masked already, the check
     * above could not tell): the handler finds them masked (TI_SET_IF). */
    nrec = 0;
    shi->vcpu_info[0].evtchn_upcall_mask = 0;
    rc = send_nmi(0, 0);
    shi->vcpu_info[0].evtchn_upcall_mask = 1;
    check(rc == 0 && nrec == 1 && recs[0].mask == 1 && (recs[0].cs >> 32 & 0xff) == 0 &&
          (recs[0].rflags & 0x200), "NMI from unmasked: events masked in the handler (TI_SET_IF), "
          "frame saved mask 0, IF set");

    /* 4. A second NMI sent from the handler waits for its iret, then
     * lands where that iret returns to. */
    nrec = 0;
    action = ACT_SEND;
    rc = send_nmi(0, 0);
    say("send_nmi, handler sends another: rc in handler=%ld", send_rc);
    check(rc == 0 && send_rc == 0 && recs_after_send == 1, "NMIs masked in the handler: the second is held");
    check(nrec == 2 && recs[1].rip == recs[0].rip && recs[1].rsp == recs[0].rsp && recs[1].depth == 0,
          "the held NMI arrives right after the handler's iret, at the same place");

    /* 5. Any iret unmasks: an INT3's iret inside the handler lets the held
     * NMI in, nested in the first handler. */
    nrec = 0;
    action = ACT_SEND_INT3;
    long bp = bp_count;
    rc = send_nmi(0, 0);
    check(rc == 0 && nrec == 2 && bp_count == bp + 1, "handler sent one and took an INT3");
    show(&recs[1], "after_int3", (unsigned long)after_int3, recs[0].rsp);
    check(recs[1].depth == 1 && recs[1].rip == (unsigned long)after_int3,
          "the INT3 handler's iret unmasked NMIs: the second nests at the instruction after INT3");

    /* 6. shared_info.arch.nmi_reason != 0 at registration: pending. */
    nrec = 0;
    shi->arch.nmi_reason = XEN_NMIREASON_io_error;
    rc = callback_op(CALLBACKOP_register, CALLBACKTYPE_nmi, (unsigned long)nmi_entry);
    shi->arch.nmi_reason = 0;
    say("register with nmi_reason set: rc=%ld", rc);
    check(rc == 0 && nrec == 1 && recs[0].rip == cb_op + 10,
          "registering with nmi_reason set: an NMI as callback_op returns");

    /* 7. Unregistered: dropped again; nmi_op registers the same slot. */
    nrec = 0;
    rc = callback_op(CALLBACKOP_unregister, CALLBACKTYPE_nmi, 0);
    say("callback_op unregister nmi: rc=%ld", rc);
    send_nmi(0, 0);
    check(rc == 0 && nrec == 0, "unregistered: the NMI is dropped");
    nc = (struct xennmi_callback){ (unsigned long)nmi_entry, 0 };
    rc = HYPERVISOR_nmi_op(XENNMI_register_callback, &nc);
    shi->vcpu_info[0].evtchn_upcall_mask = 0;
    send_nmi(0, 0);
    shi->vcpu_info[0].evtchn_upcall_mask = 1;
    check(rc == 0 && nrec == 1 && recs[0].mask == 1,
          "nmi_op register: delivered, events masked in the handler (sent unmasked)");
    rc = HYPERVISOR_nmi_op(XENNMI_unregister_callback, 0);
    send_nmi(0, 0);
    check(rc == 0 && nrec == 1, "nmi_op unregister: dropped");

    /* 8. trap_ctxt[2] from set_trap_table without IF, an event pending
     * and unmasked: the upcall is stacked on the NMI frame. */
    nrec = 0;
    static struct trap_info nmi_trap[] = {
        { 2, 0, FLAT_KERNEL_CS, (unsigned long)nmi_entry },
        { 0, 0, 0, 0 },
    };
    HYPERVISOR_set_trap_table(nmi_trap);
    struct callback_register cb = { .type = CALLBACKTYPE_event, .address = (unsigned long)ev_entry };
    HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    evtchn_port_t port = b.port;
    HYPERVISOR_event_channel_op(EVTCHNOP_send, &port);  /* masked: stays */
    check(nrec == 0 && shi->vcpu_info[0].evtchn_upcall_pending, "event pending, masked");
    shi->vcpu_info[0].evtchn_upcall_mask = 0;
    rc = send_nmi_at();
    shi->vcpu_info[0].evtchn_upcall_mask = 1;
    say("send_nmi with an event pending: rc=%ld", rc);
    show(&recs[0], "nmi_entry", (unsigned long)nmi_entry, call_rsp);
    show(&recs[1], "vcpu_op", vcpu_op, call_rsp);
    check(rc == 0 && nrec == 2 && recs[0].kind == 'E' && recs[1].kind == 'N',
          "the event upcall ran first, then the NMI handler");
    check(recs[0].rip == (unsigned long)nmi_entry && recs[0].cs == KCS_RPL0 &&
          recs[0].rsp == ((call_rsp - 24) & ~15ul) - 56 && (recs[0].rflags & 0x200),
          "event frame: the NMI handler's first instruction, on the NMI frame, events were unmasked");
    check(recs[1].rip == vcpu_op + 10 && recs[1].mask == 0,
          "NMI frame below it: the hypercall's return; events unmasked again by the upcall's iret");
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &port);

    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
