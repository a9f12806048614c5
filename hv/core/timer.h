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
 * without the flag it fires at once.  Xen's do_set_timer_op
 * (common/sched/core.c) sets the same single-shot timer at an absolute
 * time: 0 stops it; a time that reads as negative, or 2^50 ns (about 13
 * days) or more ahead, is taken as a guest's wrapped clock and becomes
 * 100 ms from now; anything else, past included, as given; always 0.
 */
#ifndef HV_CORE_TIMER_H
#define HV_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define HV_MILLISECS(ms)     ((uint64_t)(ms) * 1000000ull)
#define HV_STIME_DELTA_MAX   (~0ull >> 2)   /* Xen's: NOW() + delta cannot overflow */
#define HV_TIMER_OP_HUGE     (1ull << 50)   /* set_timer_op: "a long way in the future" */

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
/* set_timer_op(timeout): the single-shot timer at an absolute time; 0. */
long hv_timer_set_timer_op(struct hv_timer *t, uint64_t now, uint64_t timeout);

/*
 * Every vCPU is blocked (SCHEDOP_block) or down and nothing else will
 * happen but time: can this vCPU's timers t still wake one?  Only if one
 * of them is armed, VIRQ_TIMER is bound to a port of this vCPU (a timer
 * raises nothing else: Xen's send_timer_event), that port can still
 * tell the vCPU (port_silent false: not masked, and not already pending
 * or already selected, hv_evtchn_would_notify), and this vCPU is
 * blocked, not down.  If no vCPU's can, Xen would wait for ever.
 */
bool hv_timer_may_wake(const struct hv_timer *t, bool vcpu_blocked, bool virq_bound_here,
                       bool port_silent);

/* Time has reached `now': true if VIRQ_TIMER is to be raised (once,
 * however many timers expired). */
bool hv_timer_expire(struct hv_timer *t, uint64_t now);

#endif /* HV_CORE_TIMER_H */
