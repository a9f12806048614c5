/*
 * hv/core/timer.c - a vCPU's periodic and single-shot timers (timer.h).
 */
#include "core/timer.h"

#include <xen/errno.h>
#include <xen/vcpu.h>

long hv_timer_set_periodic(struct hv_timer *t, uint64_t now, uint64_t period_ns)
{
    if (period_ns < HV_MILLISECS(1) || period_ns > HV_STIME_DELTA_MAX)
        return -XEN_EINVAL;
    t->period_ns = period_ns;
    t->periodic_last = now;
    return 0;
}

void hv_timer_stop_periodic(struct hv_timer *t)
{
    t->period_ns = 0;
}

long hv_timer_set_singleshot(struct hv_timer *t, uint64_t now, uint64_t timeout_abs_ns,
                             uint32_t flags)
{
    if ((flags & VCPU_SSHOTTMR_future) && timeout_abs_ns < now)
        return -XEN_ETIME;
    /* 0 would read as "none": a deadline at time 0 is already past. */
    t->singleshot_at = timeout_abs_ns ? timeout_abs_ns : 1;
    return 0;
}

void hv_timer_stop_singleshot(struct hv_timer *t)
{
    t->singleshot_at = 0;
}

/* Xen's do_set_timer_op: a guest's wrapped clock, not a time. */
static bool timer_op_huge(uint64_t now, uint64_t timeout)
{
    int64_t offset = (int64_t)(timeout - now);

#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: only a negative one is huge */
    offset = 0;
#endif
    return (int64_t)timeout < 0 || offset >= (int64_t)HV_TIMER_OP_HUGE;
}

long hv_timer_set_timer_op(struct hv_timer *t, uint64_t now, uint64_t timeout)
{
    if (timeout == 0)
        hv_timer_stop_singleshot(t);
    else if (timer_op_huge(now, timeout))
        t->singleshot_at = now + HV_MILLISECS(100);
    else
        t->singleshot_at = timeout;     /* in the past: fires at once */
    return 0;
}

bool hv_timer_may_wake(const struct hv_timer *t, bool vcpu_blocked, bool virq_bound_here,
                       bool port_silent)
{
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: waits on a masked port for ever */
    port_silent = false;
#endif
    return (t->singleshot_at || t->period_ns) && vcpu_blocked && virq_bound_here && !port_silent;
}

bool hv_timer_expire(struct hv_timer *t, uint64_t now)
{
    bool fire = false;

    if (t->singleshot_at && now >= t->singleshot_at) {
        t->singleshot_at = 0;
        fire = true;
    }
    if (t->period_ns && now - t->periodic_last >= t->period_ns) {
        t->periodic_last = now;         /* late ticks are not made up for */
        fire = true;
    }
    return fire;
}
