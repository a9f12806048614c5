/*
 * hv/domain/timer.c - time for the domain: hv's clock, the vCPU's timers
 * and VIRQ_TIMER.
 *
 * hv's clock is the number of platform timer periods since boot
 * (cpu/timer.c adds one period per interrupt); it starts at 0 as Xen's
 * NOW() does.  The vCPU's periodic and single-shot timers are the core's
 * (core/timer.c); when one expires, VIRQ_TIMER is raised on the port the
 * guest bound to it (EVTCHNOP_bind_virq), if any, as Xen's
 * send_timer_event().  Each vCPU has its own timers (the running one's
 * are dom.timer; vcpu.c keeps the others' across a switch) and they run
 * whether or not the vCPU does; hv binds VIRQs on vCPU 0 only, so only
 * vCPU 0's timers raise one.  Timers are only looked at on a platform
 * tick, so they fire up to one platform period late.  set_timer_op sets
 * the running vCPU's single-shot timer, as Xen's do_set_timer_op.
 */
#include "domain/domain.h"
#include "core/evtchn.h"
#include <xen/vcpu.h>

uint64_t hv_now_ns;

bool domain_timer_advance(uint64_t ns)
{
    unsigned int port = dom.virq_port[VIRQ_TIMER], id;
    bool raised = false;

    hv_now_ns += ns;
    for (id = 0; id < dom.nr_vcpus; id++)
        if (hv_timer_expire(vcpu_timer(id), hv_now_ns) && port && dom.evtchn_vcpu[port] == id) {
            evtchn_set_pending(port);
            raised = true;
        }
    return raised;
}

/*
 * Every vCPU is blocked or down: could a timer still wake one (core
 * hv_timer_may_wake, for each vCPU's timers)?  If not, nothing ever
 * will: hv has no other source of events while no vCPU runs.
 */
bool domain_timer_may_wake(void)
{
    unsigned int port = dom.virq_port[VIRQ_TIMER], id;
    shared_info_t *s = dom.shared_info;

    for (id = 0; id < dom.nr_vcpus; id++) {
        bool here = port && dom.evtchn_vcpu[port] == id;
        bool silent = here && !hv_evtchn_would_notify(s->evtchn_pending, s->evtchn_mask,
                                                      vcpu_info_of(id), port);
        if (hv_timer_may_wake(vcpu_timer(id), vcpu_blocked(id), here, silent))
            return true;
    }
    return false;
}

/* HYPERVISOR_set_timer_op: the running vCPU's single-shot timer. */
long do_set_timer_op(uint64_t timeout)
{
    return hv_timer_set_timer_op(&dom.timer, hv_now_ns, timeout);
}

/* The vcpu_op timer commands on the timers t of the vCPU named (do_vcpu_op
 * checked it). */
long do_vcpu_timer_op(struct hv_timer *t, int cmd, uint64_t arg)
{
    switch (cmd) {
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer p;
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -XEN_EFAULT;
        return hv_timer_set_periodic(t, hv_now_ns, p.period_ns);
    }
    case VCPUOP_stop_periodic_timer:
        hv_timer_stop_periodic(t);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        return hv_timer_set_singleshot(t, hv_now_ns, s.timeout_abs_ns, s.flags);
    }
    case VCPUOP_stop_singleshot_timer:
        hv_timer_stop_singleshot(t);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
