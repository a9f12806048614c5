/*
 * hv/domain/domain.c - the one domain: its state, the guest's two modes
 * (kernel and user page table and GS base), guest memory for the core,
 * and the domain's end (crash by hv, shutdown by the guest).
 */
#include "domain/domain.h"
#include "cpu/stages.h"
#include "lib/x86.h"
#include <xen/sched.h>

struct domain dom;

void load_guest_cr3(void)
{
    write_cr3(mm_guest_cr3_mfn() << PAGE_SHIFT);
}

/*
 * After the core moved the vCPU between guest kernel and user mode (a
 * bounce, an iret): the two modes have their own GS base and page table.
 */
void guest_mode_switched(bool was_kernel)
{
    if (dom.vcpu.kernel_mode == was_kernel)
        return;
    gs_base_swap();
    load_guest_cr3();
}

/*
 * Guest GS bases: in guest kernel mode GS_BASE holds the kernel's and the
 * shadow the user's under IDT; FRED swaps them on every ring change, so in
 * hv it is the other way round.  Either way a mode switch exchanges them:
 * SWAPGS under IDT, the MSRs under FRED (which does not allow SWAPGS).
 */
void gs_base_swap(void)
{
    if (hv_opts.delivery != HV_DELIVERY_FRED) {
        __asm__ volatile("swapgs" ::: "memory");
        return;
    }
    uint64_t a = rdmsr(MSR_GS_BASE), b = rdmsr(MSR_KERNEL_GS_BASE);
    wrmsr(MSR_GS_BASE, b);
    wrmsr(MSR_KERNEL_GS_BASE, a);
}

/* Guest memory for the core: through the current mode's page tables. */
static int gm_read(void *ctx, void *dst, uint64_t gva, size_t len)
{
    (void)ctx;
    return copy_from_guest(dst, gva, len);
}
static int gm_write(void *ctx, uint64_t gva, const void *src, size_t len)
{
    (void)ctx;
    return copy_to_guest(gva, src, len);
}
const struct hv_guest_mem guest_mem_ops = { &dom, gm_read, gm_write };

static void dump_regs(const struct hv_regs *r)
{
    printk("hv:  rip %016lx  cs %04lx  rflags %08lx  rsp %016lx  ss %04lx\n",
           r->rip, r->cs, r->rflags, r->rsp, r->ss);
    printk("hv:  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
    printk("hv:  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", r->rsi, r->rdi, r->rbp, r->r8);
    printk("hv:  guest %s mode, kernel_sp %lx\n", dom.vcpu.kernel_mode ? "kernel" : "user",
           dom.vcpu.kernel_sp);
}

_Noreturn void domain_crash(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_backend_drain(false);       /* what the guest said last */
    printk("hv: domain crashed: %s\n", buf);
    dump_regs(&dom.vcpu.regs);
    printk("hv: exit: domain crash\n");
    hv_exit(HV_EXIT_DOMAIN_CRASH);
}

_Noreturn void domain_shutdown(unsigned int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    console_backend_drain(false);
    printk("hv: domain shutdown: %s\n", reason < ARRAY_SIZE(names) ? names[reason] : "unknown");
    stages_print();
    if (reason == SHUTDOWN_poweroff || reason == SHUTDOWN_reboot) {
        printk("hv: exit: clean shutdown\n");
        hv_exit(HV_EXIT_SHUTDOWN);
    }
    printk("hv: exit: guest-reported crash\n");
    hv_exit(HV_EXIT_GUEST_CRASH);
}

