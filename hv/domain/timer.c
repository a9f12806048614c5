/*
 * hv/domain/timer.c - time for the domain: hv's clock, the vCPU's timers
 * and VIRQ_TIMER.
 *
 * hv's clock is the number of platform timer periods since boot
 * (cpu/timer.c adds one period per interrupt); it starts at 0 as Xen's
 * NOW() does.  The vCPU's periodic and single-shot timers are the core's
 * (core/timer.c); when one expires, VIRQ_TIMER is raised on the port the
 * guest bound to it (EVTCHNOP_bind_virq), if any, as Xen's
 * send_timer_event().  Timers are only looked at on a platform tick, so
 * they fire up to one platform period late.
 */
#include "domain/domain.h"
#include <xen/vcpu.h>

uint64_t hv_now_ns;

bool domain_timer_advance(uint64_t ns)
{
    unsigned int port = dom.virq_port[VIRQ_TIMER];

    hv_now_ns += ns;
    if (!hv_timer_expire(&dom.timer, hv_now_ns) || !port)
        return false;
    evtchn_set_pending(port);
    return true;
}

/* The vcpu_op timer commands for vCPU 0 (do_vcpu_op checked the vCPU). */
long do_vcpu_timer_op(int cmd, uint64_t arg)
{
    switch (cmd) {
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer p;
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -XEN_EFAULT;
        return hv_timer_set_periodic(&dom.timer, hv_now_ns, p.period_ns);
    }
    case VCPUOP_stop_periodic_timer:
        hv_timer_stop_periodic(&dom.timer);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        return hv_timer_set_singleshot(&dom.timer, hv_now_ns, s.timeout_abs_ns, s.flags);
    }
    case VCPUOP_stop_singleshot_timer:
        hv_timer_stop_singleshot(&dom.timer);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
