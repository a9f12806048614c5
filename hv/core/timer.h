/*
 * hv/core/timer.h - a vCPU's two timers, as Xen keeps them, both raising
 * VIRQ_TIMER: the periodic timer (VCPUOP_set_periodic_timer /
 * VCPUOP_stop_periodic_timer) and the single-shot timer
 * (VCPUOP_set_singleshot_timer / VCPUOP_stop_singleshot_timer).
 *
 * Plain logic over a time in ns that the platform supplies (hv counts
 * its platform timer's interrupts, domain/timer.c); no hardware here.
 *
 * ABI carried: Xen's do_vcpu_op (common/domain.c) and
 * vcpu_periodic_timer_work (common/sched/core.c): a period below 1 ms or
 * above STIME_DELTA_MAX is -EINVAL; a periodic tick that comes late is
 * not made up for (the next one is a period after the late one); a
 * single-shot timeout already past with VCPU_SSHOTTMR_future is -ETIME,
 * without the flag it fires at once.
 */
#ifndef HV_CORE_TIMER_H
#define HV_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define HV_MILLISECS(ms)     ((uint64_t)(ms) * 1000000ull)
#define HV_STIME_DELTA_MAX   (~0ull >> 2)   /* Xen's: NOW() + delta cannot overflow */

struct hv_timer {
    uint64_t period_ns;         /* 0: no periodic timer                */
    uint64_t periodic_last;     /* when it was set or last fired       */
    uint64_t singleshot_at;     /* absolute deadline; 0: none          */
};

/* VCPUOP_set_periodic_timer / stop: 0 or -XEN_EINVAL. */
long hv_timer_set_periodic(struct hv_timer *t, uint64_t now, uint64_t period_ns);
void hv_timer_stop_periodic(struct hv_timer *t);
/* VCPUOP_set_singleshot_timer / stop: 0 or -XEN_ETIME. */
long hv_timer_set_singleshot(struct hv_timer *t, uint64_t now, uint64_t timeout_abs_ns,
                             uint32_t flags);
void hv_timer_stop_singleshot(struct hv_timer *t);

/* Time has reached `now': true if VIRQ_TIMER is to be raised (once,
 * however many timers expired). */
bool hv_timer_expire(struct hv_timer *t, uint64_t now);

#endif /* HV_CORE_TIMER_H */
