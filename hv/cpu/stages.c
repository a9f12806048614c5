/*
 * hv/cpu/stages.c - the per-stage instruction counts of stages.h.
 */
#ifdef HV_STAGES
#include "domain/domain.h"
#include "cpu/stages.h"
#include "core/bounce.h"

uint64_t stage_at[NR_STAGES];
static enum stage_kind stage_kind_now;

static uint64_t last_exit;
static struct {
    uint64_t count, sum[NR_STAGES];     /* sum[0]: exit + guest + entry stub */
} kinds[NR_KINDS];

static const char *const kind_names[NR_KINDS] = {
    [KIND_OTHER] = "other", [KIND_TRAP_FROM_KERNEL] = "trap_from_kernel",
    [KIND_TRAP_FROM_USER] = "trap_from_user", [KIND_SYSCALL] = "syscall",
    [KIND_SYSCALL32] = "syscall32", [KIND_SYSENTER] = "sysenter",
    [KIND_IRET_TO_KERNEL] = "iret_to_kernel", [KIND_IRET_TO_USER] = "iret_to_user",
    [KIND_XEN_VERSION] = "xen_version", [KIND_EVTCHN_OP] = "event_channel_op",
    [KIND_HYPERCALL] = "hypercall",
};

/* What kind of entry this is: a bounce (where to), or a hypercall. */
void stage_bounce(unsigned int via, bool from_kernel)
{
    stage_kind_now = via == HV_VIA_SYSCALL ? KIND_SYSCALL :
                     via == HV_VIA_SYSCALL32 ? KIND_SYSCALL32 :
                     via == HV_VIA_SYSENTER ? KIND_SYSENTER :
                     via != HV_VIA_TRAP ? KIND_OTHER :
                     from_kernel ? KIND_TRAP_FROM_KERNEL : KIND_TRAP_FROM_USER;
}

void stage_hypercall(uint64_t nr, bool now_kernel)
{
    stage_kind_now = nr == __HYPERVISOR_iret ?
                         (now_kernel ? KIND_IRET_TO_KERNEL : KIND_IRET_TO_USER) :
                     nr == __HYPERVISOR_xen_version ? KIND_XEN_VERSION :
                     nr == __HYPERVISOR_event_channel_op ? KIND_EVTCHN_OP : KIND_HYPERCALL;
}

/* After STAGE_EXIT: charge this entry's stages, then restart the clock. */
void stage_account(void)
{
    uint64_t prev = stage_at[STAGE_ENTER];
    unsigned int k = stage_kind_now;

    kinds[k].count++;
    if (last_exit && last_exit < prev)
        kinds[k].sum[0] += prev - last_exit;
    for (unsigned int i = STAGE_DECODED; i < NR_STAGES; i++) {
        if (stage_at[i] < prev)         /* not reached on this entry */
            continue;
        kinds[k].sum[i] += stage_at[i] - prev;
        prev = stage_at[i];
    }
    stage_kind_now = KIND_OTHER;
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    last_exit = ((uint64_t)hi << 32) | lo;
}

void stages_print(void)
{
    printk("hv: stages: kind count outside decode handle call exit (per entry)\n");
    for (unsigned int k = 0; k < NR_KINDS; k++) {
        uint64_t n = kinds[k].count;
        if (n < 1000)
            continue;
        printk("hv: stages: %s %lu %lu %lu %lu %lu %lu\n", kind_names[k], n,
               kinds[k].sum[0] / n, kinds[k].sum[1] / n, kinds[k].sum[2] / n,
               kinds[k].sum[3] / n, kinds[k].sum[4] / n);
    }
}
#endif
