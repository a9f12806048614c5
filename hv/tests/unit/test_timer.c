/*
 * hv/tests/unit/test_timer.c - the vCPU timers (core/timer.c): Xen's
 * limits on the period, the periodic cadence and a late tick, the
 * single-shot timer with and without VCPU_SSHOTTMR_future, one
 * VIRQ_TIMER for timers that expire together, set_timer_op (0, the past,
 * Xen's 100 ms for a wrapped or huge timeout), and whether a vCPU's
 * timers can still wake the domain when every vCPU is blocked.
 */
#include "core/timer.h"

#include <xen/errno.h>
#include <xen/vcpu.h>

#include "tap.h"

#define MS(n) HV_MILLISECS(n)

static void periodic_limits(void)
{
    struct hv_timer t = { 0 };

    EQ(hv_timer_set_periodic(&t, 0, MS(1) - 1), -XEN_EINVAL, "periodic: below 1 ms: -EINVAL");
    EQ(t.period_ns, 0, "periodic: a refused period leaves the timer off");
    EQ(hv_timer_set_periodic(&t, 0, HV_STIME_DELTA_MAX + 1), -XEN_EINVAL,
       "periodic: above STIME_DELTA_MAX: -EINVAL");
    EQ(hv_timer_set_periodic(&t, 0, ~0ull), -XEN_EINVAL, "periodic: ~0: -EINVAL");
    EQ(hv_timer_set_periodic(&t, 0, MS(1)), 0, "periodic: 1 ms: accepted");
    EQ(hv_timer_set_periodic(&t, 0, HV_STIME_DELTA_MAX), 0, "periodic: STIME_DELTA_MAX: accepted");
}

static void periodic_cadence(void)
{
    struct hv_timer t = { 0 };

    OK(!hv_timer_expire(&t, MS(100)), "no timer: nothing fires");
    EQ(hv_timer_set_periodic(&t, MS(100), MS(10)), 0, "periodic: 10 ms at t=100 ms");
    OK(!hv_timer_expire(&t, MS(109)), "periodic: not before one period");
    OK(hv_timer_expire(&t, MS(110)), "periodic: fires one period after it was set");
    OK(!hv_timer_expire(&t, MS(110)), "periodic: once per expiry");
    OK(!hv_timer_expire(&t, MS(115)), "periodic: not half a period later");
    OK(hv_timer_expire(&t, MS(120)), "periodic: the next period");
    OK(hv_timer_expire(&t, MS(155)), "periodic: a late tick fires once");
    OK(!hv_timer_expire(&t, MS(160)), "periodic: the missed ones are not made up for");
    OK(hv_timer_expire(&t, MS(165)), "periodic: the next is a period after the late one");
    hv_timer_stop_periodic(&t);
    OK(!hv_timer_expire(&t, MS(500)), "periodic: stopped, nothing fires");
}

static void singleshot(void)
{
    struct hv_timer t = { 0 };

    EQ(hv_timer_set_singleshot(&t, MS(50), MS(40), VCPU_SSHOTTMR_future), -XEN_ETIME,
       "single-shot: in the past with VCPU_SSHOTTMR_future: -ETIME");
    OK(!hv_timer_expire(&t, MS(50)), "single-shot: a refused one never fires");
    EQ(hv_timer_set_singleshot(&t, MS(50), MS(40), 0), 0,
       "single-shot: in the past without the flag: accepted");
    OK(hv_timer_expire(&t, MS(50)), "single-shot: ... and fires at once");
    EQ(hv_timer_set_singleshot(&t, MS(50), MS(80), VCPU_SSHOTTMR_future), 0,
       "single-shot: in the future: accepted");
    OK(!hv_timer_expire(&t, MS(79)), "single-shot: not before its time");
    OK(hv_timer_expire(&t, MS(80)), "single-shot: at its time");
    OK(!hv_timer_expire(&t, MS(200)), "single-shot: once");
    EQ(hv_timer_set_singleshot(&t, MS(200), 0, 0), 0, "single-shot: at time 0: accepted");
    OK(hv_timer_expire(&t, MS(200)), "single-shot: at time 0 fires at once");
    EQ(hv_timer_set_singleshot(&t, MS(200), MS(300), 0), 0, "single-shot: set again");
    hv_timer_stop_singleshot(&t);
    OK(!hv_timer_expire(&t, MS(400)), "single-shot: stopped, nothing fires");
}

static void together(void)
{
    struct hv_timer t = { 0 };

    hv_timer_set_periodic(&t, 0, MS(10));
    hv_timer_set_singleshot(&t, 0, MS(10), 0);
    OK(hv_timer_expire(&t, MS(10)), "both at once: VIRQ_TIMER raised");
    OK(!hv_timer_expire(&t, MS(10)), "both at once: both consumed by one expiry");
    OK(hv_timer_expire(&t, MS(20)), "both at once: the periodic one goes on");
}

static void timer_op(void)
{
    struct hv_timer t = { 0 };
    uint64_t now = MS(1000);

    EQ(hv_timer_set_timer_op(&t, now, MS(1050)), 0, "set_timer_op: 50 ms ahead: 0");
    OK(!hv_timer_expire(&t, MS(1049)), "set_timer_op: not before its time");
    OK(hv_timer_expire(&t, MS(1050)), "set_timer_op: at its time");
    OK(!hv_timer_expire(&t, MS(2000)), "set_timer_op: once");
    EQ(hv_timer_set_timer_op(&t, now, MS(10)), 0, "set_timer_op: in the past: 0");
    OK(hv_timer_expire(&t, now), "set_timer_op: in the past fires at once");
    EQ(hv_timer_set_timer_op(&t, now, 1), 0, "set_timer_op: at 1 ns: 0");
    OK(hv_timer_expire(&t, now), "set_timer_op: at 1 ns fires at once");

    hv_timer_set_timer_op(&t, now, MS(1050));
    EQ(hv_timer_set_timer_op(&t, now, 0), 0, "set_timer_op: 0: 0");
    OK(!hv_timer_expire(&t, MS(5000)), "set_timer_op: 0 stops the single-shot timer");
    hv_timer_set_singleshot(&t, now, MS(1050), 0);
    hv_timer_set_timer_op(&t, now, 0);
    OK(!hv_timer_expire(&t, MS(5000)), "set_timer_op: 0 stops a VCPUOP single-shot timer too (the same timer)");
    hv_timer_set_periodic(&t, now, MS(10));
    hv_timer_set_timer_op(&t, now, 0);
    OK(hv_timer_expire(&t, now + MS(10)), "set_timer_op: 0 leaves the periodic timer alone");
    hv_timer_stop_periodic(&t);

    EQ(hv_timer_set_timer_op(&t, now, ~0ull), 0, "set_timer_op: negative (~0): 0");
    EQ(t.singleshot_at, now + MS(100), "set_timer_op: negative: 100 ms from now");
    EQ(hv_timer_set_timer_op(&t, now, 1ull << 63), 0, "set_timer_op: 2^63: 0");
    EQ(t.singleshot_at, now + MS(100), "set_timer_op: 2^63 reads as negative: 100 ms from now");
    hv_timer_set_timer_op(&t, now, now + HV_TIMER_OP_HUGE);
    EQ(t.singleshot_at, now + MS(100), "set_timer_op: 2^50 ns ahead: 100 ms from now");
    hv_timer_set_timer_op(&t, now, now + HV_TIMER_OP_HUGE - 1);
    EQ(t.singleshot_at, now + HV_TIMER_OP_HUGE - 1, "set_timer_op: 2^50 - 1 ns ahead: as given");
    hv_timer_set_timer_op(&t, now, (1ull << 63) - 1);
    EQ(t.singleshot_at, now + MS(100), "set_timer_op: 2^63 - 1: 100 ms from now");
    OK(!hv_timer_expire(&t, now + MS(99)), "set_timer_op: the 100 ms are kept");
    OK(hv_timer_expire(&t, now + MS(100)), "set_timer_op: ... and it fires then");
}

static void may_wake(void)
{
    struct hv_timer off = { 0 }, ss = { 0 }, per = { 0 };

    hv_timer_set_singleshot(&ss, 0, MS(10), 0);
    hv_timer_set_periodic(&per, 0, MS(10));
    OK(!hv_timer_may_wake(&off, true, true, false), "may wake: no timer armed: no");
    OK(hv_timer_may_wake(&ss, true, true, false), "may wake: a single-shot timer, VIRQ_TIMER bound here: yes");
    OK(hv_timer_may_wake(&per, true, true, false), "may wake: a periodic timer, VIRQ_TIMER bound here: yes");
    OK(!hv_timer_may_wake(&ss, true, false, false), "may wake: VIRQ_TIMER not bound to this vCPU: no");
    OK(!hv_timer_may_wake(&per, true, true, true), "may wake: its port masked: no");
    OK(!hv_timer_may_wake(&per, false, true, false), "may wake: the vCPU is down, not blocked: no");
    hv_timer_expire(&ss, MS(10));
    OK(!hv_timer_may_wake(&ss, true, true, false), "may wake: a single-shot timer that fired: no");
}

void test_timer(void)
{
    periodic_limits();
    periodic_cadence();
    singleshot();
    together();
    timer_op();
    may_wake();
}
