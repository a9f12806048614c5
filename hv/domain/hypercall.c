/*
 * hv/domain/hypercall.c - the hypercalls a PV64 guest kernel makes with SYSCALL
 * from guest kernel mode (through the hypercall page).
 *
 * ABI carried: __HYPERVISOR_* numbers and argument structures from the Xen
 * public headers; arguments in rdi rsi rdx r10 r8, result in rax, Xen
 * errnos.  Every argument is validated; a bad one is an error code for
 * the guest, never a fault in hv.  Unknown hypercalls: -ENOSYS, logged
 * once each.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/physdev.h>

/*
 * Xen checks xsm_console_io() before the command: the default (dummy) XSM
 * gives XSM_PRIV, i.e. -EPERM for anything but the control domain (a
 * CONFIG_VERBOSE_DEBUG build would let a domU write; release builds do
 * not).  A domU prints through its console ring instead.
 */
static long do_console_io(unsigned int cmd, unsigned int count, uint64_t buf)
{
    char tmp[128];
    if (hv_opts.domu)
        return -XEN_EPERM;
    if (cmd == CONSOLEIO_read)
        return 0;               /* no input */
    if (cmd != CONSOLEIO_write)
        return -XEN_ENOSYS;
    while (count) {
        size_t n = count < sizeof(tmp) ? count : sizeof(tmp);
        if (copy_from_guest(tmp, buf, n))
            return -XEN_EFAULT;
        console_write(tmp, n);
        buf += n, count -= n;
    }
    return 0;
}

static long do_sched_op(int cmd, uint64_t arg)
{
    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield();
        return 0;
    case SCHEDOP_block:
        return vcpu_block();
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        domain_shutdown(s.reason);
    }
    default:
        return -XEN_ENOSYS;
    }
}

static long do_xen_version(int cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion: {
        xen_extraversion_t s = ".0-pventry-hv";
        return copy_to_guest(arg, s, sizeof(s)) ? -XEN_EFAULT : 0;
    }
    case XENVER_capabilities: {
        xen_capabilities_info_t s = "xen-3.0-x86_64 ";
        return copy_to_guest(arg, s, sizeof(s)) ? -XEN_EFAULT : 0;
    }
    case XENVER_compile_info: {
        xen_compile_info_t ci = { "gcc", "pventry", "hv", __DATE__ };
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
    }
    case XENVER_changeset: {
        xen_changeset_info_t s = "pventry hv";
        return copy_to_guest(arg, s, sizeof(s)) ? -XEN_EFAULT : 0;
    }
    case XENVER_guest_handle: {
        xen_domain_handle_t h = { 0 };  /* dom0's handle is all zeroes */
        return copy_to_guest(arg, h, sizeof(h)) ? -XEN_EFAULT : 0;
    }
    case XENVER_commandline: {
        /* Xen gives only the control domain its own command line. */
        static const xen_commandline_t s = "";
        if (hv_opts.domu)
            return -XEN_EPERM;
        return copy_to_guest(arg, s, sizeof(s)) ? -XEN_EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = { HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
    }
    case XENVER_get_features: {
        xen_feature_info_t fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;         /* Xen has one submap */
        fi.submap = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                        (hv_opts.domu ? 0 : 1u << XENFEAT_dom0);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    default:
        return -XEN_ENOSYS;
    }
}

long do_set_segment_base(uint64_t which, uint64_t base)
{
    bool fred = hv_opts.delivery == HV_DELIVERY_FRED;

    switch (which) {
    case SEGBASE_FS:
    case SEGBASE_GS_USER:
    case SEGBASE_GS_KERNEL:
        if (!hv_is_canonical(base))
            return -XEN_EINVAL;
        if (which == SEGBASE_FS)
            wrmsr(MSR_FS_BASE, base);
        /* In hv (guest kernel mode): IDT has the kernel's GS live, FRED
         * has already swapped the user's in. */
        else if ((which == SEGBASE_GS_KERNEL) ^ fred)
            wrmsr(MSR_GS_BASE, base);
        else
            wrmsr(MSR_KERNEL_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL: {
        unsigned int sel = (uint16_t)base;
        if (sel > 3)
            sel |= 3;
        /* Only the flat selectors exist: anything else loads NUL. */
        if (sel > 3 && sel != FLAT_RING3_DS32 && sel != FLAT_RING3_CS32 && sel != FLAT_RING3_CS64)
            sel = 0;
        if (!fred)
            gs_base_swap();
        __asm__ volatile("mov %0, %%gs" :: "r"(sel));
        if (!fred)
            gs_base_swap();
        return 0;
    }
    default:
        return -XEN_EINVAL;
    }
}

long do_fpu_taskswitch(uint64_t set)
{
    dom.vcpu_ts = set != 0;
    if (set)
        write_cr0(read_cr0() | CR0_TS);
    else
        __asm__ volatile("clts");
    return 0;
}

/*
 * Xen's set_debugreg/get_debugreg (xen/arch/x86/pv/misc-hypercalls.c):
 *  - DR4/DR5 are DR6/DR7 while the guest's CR4.DE is clear (always, in
 *    hv: the guest cannot set it);
 *  - DR6 and DR7 take 32-bit values (else -EINVAL) with the architectural
 *    reserved bits forced: DR6 reads back 0xffff0ff0 after a write of 0,
 *    DR7 0x400;
 *  - DR7's breakpoint types are checked only when a breakpoint is
 *    enabled: an I/O type then needs CR4.DE (-EPERM).
 */
#define DR6_RESERVED_ONE  0xffff0ff0ul
#define DR6_RESERVED_ZERO 0x00001000ul
#define DR7_RESERVED_ONE  0x00000400ul
#define DR7_RESERVED_ZERO 0x0000d800ul
#define DR7_ACTIVE_MASK   0xfful
#define DR7_GD            0x2000ul

long do_set_debugreg(uint64_t reg, uint64_t val)
{
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!hv_is_canonical(val) || (val >= HYPERVISOR_VIRT_START && val < HYPERVISOR_VIRT_END))
            return -XEN_EPERM;
        switch (reg) {
        case 0: __asm__ volatile("mov %0, %%dr0" :: "r"(val)); break;
        case 1: __asm__ volatile("mov %0, %%dr1" :: "r"(val)); break;
        case 2: __asm__ volatile("mov %0, %%dr2" :: "r"(val)); break;
        case 3: __asm__ volatile("mov %0, %%dr3" :: "r"(val)); break;
        }
        return 0;
    case 4: case 6:
        if (val >> 32)
            return -XEN_EINVAL;
        dom.vcpu.dr6 = (val & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
        return 0;
    case 5: case 7:
        if (val >> 32)
            return -XEN_EINVAL;
        val = (val & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
        if (val & DR7_GD)                       /* the guest may not own DR access */
            return -XEN_EPERM;
        if (val & DR7_ACTIVE_MASK)
            for (int i = 0; i < 4; i++)
                if (((val >> (16 + 4 * i)) & 3) == 2)
                    return -XEN_EPERM;          /* I/O breakpoints need CR4.DE */
        dom.dr7 = val;
        __asm__ volatile("mov %0, %%dr7" :: "r"(val));
        return 0;
    default:
        return -XEN_ENODEV;
    }
}

long do_get_debugreg(uint64_t reg)
{
    uint64_t v;
    switch (reg) {
    case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); return v;
    case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); return v;
    case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); return v;
    case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); return v;
    case 4: case 6: return dom.vcpu.dr6;
    case 5: case 7: return dom.dr7;
    default: return -XEN_ENODEV;
    }
}

/*
 * Xen's do_vm_assist: a type beyond the bitmap is -EINVAL; enable or
 * disable of a type Xen knows for a PV64 guest is 0 (hv acts on
 * architectural_iopl and m2p_strict; the others change nothing hv does); an
 * unknown type -EINVAL; any other command -ENOSYS.
 */
#define VM_ASSIST_VALID ((1ul << VMASST_TYPE_4gb_segments) |            \
                         (1ul << VMASST_TYPE_4gb_segments_notify) |     \
                         (1ul << VMASST_TYPE_writable_pagetables) |     \
                         (1ul << VMASST_TYPE_pae_extended_cr3) |        \
                         (1ul << VMASST_TYPE_architectural_iopl) |      \
                         (1ul << VMASST_TYPE_runstate_update_flag) |    \
                         (1ul << VMASST_TYPE_m2p_strict))

static long do_vm_assist(unsigned int cmd, unsigned int type)
{
    if (type >= 64)
        return -XEN_EINVAL;
    if (cmd != VMASST_CMD_enable && cmd != VMASST_CMD_disable)
        return -XEN_ENOSYS;
    if (!(VM_ASSIST_VALID & (1ul << type)))
        return -XEN_EINVAL;
    if (type == VMASST_TYPE_architectural_iopl)
        dom.vcpu.arch_iopl = cmd == VMASST_CMD_enable;
    if (type == VMASST_TYPE_m2p_strict)
        dom.m2p_strict = cmd == VMASST_CMD_enable;
    return 0;
}

static long do_physdev_op(int cmd, uint64_t arg)
{
    if (cmd != PHYSDEVOP_set_iopl)
        return -XEN_ENOSYS;
    struct physdev_set_iopl s;
    if (copy_from_guest(&s, arg, sizeof(s)))
        return -XEN_EFAULT;
    if (s.iopl > 3)
        return -XEN_EINVAL;
    dom.vcpu.iopl = s.iopl << 12;
    return 0;
}

/*
 * "not implemented" lines: each hypercall (below 512) and vcpu_op command
 * (below 32) once, and at most NOT_IMPL_LINES lines in all, then one line
 * saying the rest are not shown: a guest cannot flood the console.
 */
#define NOT_IMPL_LINES 16

void log_not_implemented(const char *what, unsigned long n, uint8_t *seen, unsigned long nseen)
{
    static unsigned int lines;

    if (n < nseen) {
        if (seen[n / 8] & (1u << (n % 8)))
            return;
        seen[n / 8] |= 1u << (n % 8);
    }
    if (lines < NOT_IMPL_LINES)
        printk("hv: %s %lu not implemented: -ENOSYS\n", what, n);
    else if (lines == NOT_IMPL_LINES)
        printk("hv: further \"not implemented\" lines not shown\n");
    else
        return;
    lines++;
}

static void do_iret(struct hv_vcpu *v)
{
    struct hv_outcome out;
    bool was = v->kernel_mode;
    if (hv_do_iret(v, &dom.mem, &out) == HV_CRASH)
        domain_crash("HYPERVISOR_iret: %s", out.reason ? out.reason : "bad frame");
    guest_mode_switched(was);
}

/*
 * A continuation (Xen's hypercall_create_continuation): the guest's
 * registers are set so that it makes the same hypercall again, with
 * these arguments, when it next runs: %rip back over the SYSCALL of its
 * hypercall page entry, %rax the hypercall number.  Events pending in
 * between are delivered first, as on Xen.
 */
#define SYSCALL_INSN_LEN 2

/* The multicall being run, if any (do_multicall). */
static struct {
    bool active, continued;
    uint64_t args[4];
} mc;


void hypercall_continue(struct hv_vcpu *v, unsigned int nr, uint64_t a1, uint64_t a2,
                        uint64_t a3, uint64_t a4)
{
    struct hv_regs *r = &v->regs;

    if (mc.active) {            /* inside a multicall: its entry continues */
        mc.args[0] = a1, mc.args[1] = a2, mc.args[2] = a3, mc.args[3] = a4;
        mc.continued = true;
        return;
    }
    r->rax = nr;
    r->rdi = a1, r->rsi = a2, r->rdx = a3, r->r10 = a4;
    r->rip -= SYSCALL_INSN_LEN;
}

static long do_multicall(struct hv_vcpu *v, uint64_t list, unsigned int nr_calls);

/* One hypercall; HV_KEEP_RAX: iret or a continuation set the registers. */
#define HV_KEEP_RAX (-0x7fffffffffffffffl - 1)

static long dispatch(struct hv_vcpu *v, uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4)
{
    long rc;

    switch (nr) {
    case __HYPERVISOR_iret:
        do_iret(v);
        return HV_KEEP_RAX;     /* rax is the guest's again */
    case __HYPERVISOR_set_trap_table:
    {
        uint64_t next;
        rc = hv_do_set_trap_table(v, &dom.mem, a1, HYPERCALL_BATCH, &next);
        if (rc == HV_TRAP_TABLE_MORE) {
            hypercall_continue(v, __HYPERVISOR_set_trap_table, next, 0, 0, 0);
            return HV_KEEP_RAX;
        }
        break;
    }
    case __HYPERVISOR_callback_op:
        rc = hv_do_callback_op(v, &dom.mem, (unsigned int)a1, a2);
        break;
    case __HYPERVISOR_stack_switch:
        rc = hv_do_stack_switch(v, a1, a2);
        break;
    case __HYPERVISOR_console_io:
        rc = do_console_io((unsigned int)a1, (unsigned int)a2, a3);
        break;
    case __HYPERVISOR_sched_op:
        rc = do_sched_op((int)a1, a2);
        break;
    case __HYPERVISOR_set_timer_op:
        rc = do_set_timer_op(a1);
        break;
    case __HYPERVISOR_xen_version:
        rc = do_xen_version((int)a1, a2);
        break;
    case __HYPERVISOR_update_va_mapping:
        rc = do_update_va_mapping(a1, a2, a3);
        break;
    case __HYPERVISOR_mmu_update:
        rc = do_mmu_update(a1, (unsigned int)a2, a3, (unsigned int)a4);
        if (rc == HV_CONTINUED)
            return HV_KEEP_RAX;
        break;
    case __HYPERVISOR_mmuext_op:
        rc = do_mmuext_op(a1, (unsigned int)a2, a3, (unsigned int)a4);
        if (rc == HV_CONTINUED)
            return HV_KEEP_RAX;
        break;
    case __HYPERVISOR_multicall:
        rc = do_multicall(v, a1, (unsigned int)a2);
        break;
    case __HYPERVISOR_memory_op:
        rc = do_memory_op(a1, a2);
        break;
    case __HYPERVISOR_grant_table_op:
        rc = do_grant_table_op((unsigned int)a1, a2, (unsigned int)a3);
        if (rc == HV_CONTINUED)
            return HV_KEEP_RAX;
        break;
    case __HYPERVISOR_set_gdt:
        rc = do_set_gdt(a1, (unsigned int)a2);
        break;
    case __HYPERVISOR_update_descriptor:
        rc = do_update_descriptor(a1, a2);
        break;
    case __HYPERVISOR_set_segment_base:
        rc = do_set_segment_base((unsigned int)a1, a2);
        break;
    case __HYPERVISOR_fpu_taskswitch:
        rc = do_fpu_taskswitch(a1);
        break;
    case __HYPERVISOR_set_debugreg:
        rc = do_set_debugreg((unsigned int)(int)a1, a2);
        break;
    case __HYPERVISOR_get_debugreg:
        rc = do_get_debugreg((unsigned int)(int)a1);
        break;
    case __HYPERVISOR_event_channel_op:
        rc = do_event_channel_op((int)a1, a2);
        break;
    case __HYPERVISOR_vm_assist:
        rc = do_vm_assist((unsigned int)a1, (unsigned int)a2);
        break;
    case __HYPERVISOR_physdev_op:
        rc = do_physdev_op((int)a1, a2);
        break;
    case __HYPERVISOR_vcpu_op:
        rc = do_vcpu_op(v, a1, a2, a3);
        break;
    case __HYPERVISOR_nmi_op:
        rc = hv_do_nmi_op(v, &dom.mem, (unsigned int)a1, a2);
        break;
    default: {
        static uint8_t seen[512 / 8];
        log_not_implemented("hypercall", nr, seen, 512);
        rc = -XEN_ENOSYS;
    }
    }
    return rc;
}

/*
 * HYPERVISOR_multicall(call_list, nr_calls), as Xen's do_multicall: each
 * struct multicall_entry's op runs with its six arguments and its result
 * is written back; an unreadable entry or result slot ends the call with
 * -EFAULT.  A multicall inside a multicall is -EINVAL (Xen: "reentry is
 * disallowed").  An iret ends the list there (Xen's mc_exit): the guest
 * goes on at what it returned to.  A call that would continue itself
 * (a long mmu_update batch) gets its new arguments written into its
 * entry, and the multicall continues at that entry; so does a list
 * longer than MULTICALL_BATCH entries.
 */
#define MULTICALL_BATCH 64

static long do_multicall(struct hv_vcpu *v, uint64_t list, unsigned int nr_calls)
{
    struct multicall_entry e;
    long rc;

    if (mc.active)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < nr_calls; i++, list += sizeof(e)) {
        if (i == MULTICALL_BATCH) {
            hypercall_continue(v, __HYPERVISOR_multicall, list, nr_calls - i, 0, 0);
            return HV_KEEP_RAX;
        }
        if (copy_from_guest(&e, list, sizeof(e)))
            return -XEN_EFAULT;
        mc.active = true;
        mc.continued = false;
        rc = dispatch(v, e.op, e.args[0], e.args[1], e.args[2], e.args[3]);
        mc.active = false;
        if (e.op == __HYPERVISOR_iret)
            return HV_KEEP_RAX;         /* the guest resumes where it returned to */
        if (mc.continued) {             /* rerun this entry with its new arguments */
            memcpy(e.args, mc.args, sizeof(mc.args));
            if (copy_to_guest(list + offsetof(struct multicall_entry, args), e.args, sizeof(mc.args)))
                return -XEN_EFAULT;
            hypercall_continue(v, __HYPERVISOR_multicall, list, nr_calls - i, 0, 0);
            return HV_KEEP_RAX;
        }
        e.result = (xen_ulong_t)rc;
        if (copy_to_guest(list + offsetof(struct multicall_entry, result), &e.result, sizeof(e.result)))
            return -XEN_EFAULT;
    }
    return 0;
}

void do_hypercall(struct hv_vcpu *v)
{
    struct hv_regs *r = &v->regs;
    long rc = dispatch(v, r->rax, r->rdi, r->rsi, r->rdx, r->r10);

    if (rc != HV_KEEP_RAX)
        r->rax = (uint64_t)rc;
}
