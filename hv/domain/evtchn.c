/*
 * hv/domain/evtchn.c - event channels.  A port is free, an IPI to
 * ourselves (EVTCHNOP_bind_ipi), a VIRQ (EVTCHNOP_bind_virq: hv raises
 * only VIRQ_TIMER, timer.c), or, in domU mode, bound to one of hv's
 * backends: xenstore (DOMU_STORE_PORT: nobody
 * listens, a send is dropped as Xen drops one to an unbound remote end)
 * or the console (DOMU_CONSOLE_PORT: a send makes hv drain the ring).
 * Sending on a backend port raises nothing locally: the event is the
 * remote end's; sending on a VIRQ port is -EINVAL, as on Xen.
 */
#include "domain/domain.h"
#include <xen/event_channel.h>

void evtchn_set_pending(unsigned int port)
{
    shared_info_t *s = dom.shared_info;
    unsigned long bit = 1ul << (port % 64);
    __atomic_or_fetch(&s->evtchn_pending[port / 64], bit, __ATOMIC_SEQ_CST);
    if (!(s->evtchn_mask[port / 64] & bit)) {
        __atomic_or_fetch(&s->vcpu_info[0].evtchn_pending_sel, 1ul << (port / 64), __ATOMIC_SEQ_CST);
        s->vcpu_info[0].evtchn_upcall_pending = 1;
    }
}

/* The lowest free port (Xen's get_free_port), 0 if none. */
static unsigned int free_port(void)
{
    unsigned int p;
    for (p = 1; p < NR_EVTCHN && dom.evtchn[p] != EVTCHN_FREE; p++)
        ;
    return p < NR_EVTCHN ? p : 0;
}

/* Xen's virq_is_global(): the per-vCPU VIRQs; every other one is global. */
static bool virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
           virq != VIRQ_XENPMU;
}

/* Xen's evtchn_bind_virq, its checks in its order. */
static long bind_virq(uint64_t arg)
{
    struct evtchn_bind_virq b;
    unsigned int p;

    if (copy_from_guest(&b, arg, sizeof(b)))
        return -XEN_EFAULT;
    if (b.virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (virq_is_global(b.virq) && b.vcpu != 0)
        return -XEN_EINVAL;
    if (b.vcpu != 0)
        return -XEN_ENOENT;
    if (dom.virq_port[b.virq])
        return -XEN_EEXIST;
    if (!(p = free_port()))
        return -XEN_ENOSPC;
    b.port = p;
    if (copy_to_guest(arg, &b, sizeof(b)))
        return -XEN_EFAULT;
    dom.evtchn[p] = EVTCHN_VIRQ;
    dom.evtchn_virq[p] = b.virq;
    dom.virq_port[b.virq] = p;
    return 0;
}

long do_event_channel_op(uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case EVTCHNOP_bind_ipi: {
        struct evtchn_bind_ipi b;
        if (copy_from_guest(&b, arg, sizeof(b)))
            return -XEN_EFAULT;
        if (b.vcpu != 0)
            return -XEN_ENOENT;
        unsigned int p = free_port();
        if (!p)
            return -XEN_ENOSPC;
        b.port = p;
        if (copy_to_guest(arg, &b, sizeof(b)))
            return -XEN_EFAULT;
        dom.evtchn[p] = EVTCHN_IPI;
        return 0;
    }
    case EVTCHNOP_bind_virq:
        return bind_virq(arg);
    case EVTCHNOP_send:
    case EVTCHNOP_unmask:
    case EVTCHNOP_close: {
        evtchn_port_t port;
        if (copy_from_guest(&port, arg, sizeof(port)))
            return -XEN_EFAULT;
        if (port >= NR_EVTCHN || (cmd != EVTCHNOP_unmask && dom.evtchn[port] == EVTCHN_FREE))
            return -XEN_EINVAL;
        shared_info_t *s = dom.shared_info;
        unsigned long bit = 1ul << (port % 64);
        if (cmd == EVTCHNOP_send) {
            if (dom.evtchn[port] == EVTCHN_IPI)
                evtchn_set_pending(port);
            else if (dom.evtchn[port] == EVTCHN_VIRQ)
                return -XEN_EINVAL;
            else if (port == dom.console_port)
                console_backend_drain(true);
        } else if (cmd == EVTCHNOP_close) {
            if (dom.evtchn[port] == EVTCHN_VIRQ)
                dom.virq_port[dom.evtchn_virq[port]] = 0;
            dom.evtchn[port] = EVTCHN_FREE;
            __atomic_and_fetch(&s->evtchn_pending[port / 64], ~bit, __ATOMIC_SEQ_CST);
        } else {
            __atomic_and_fetch(&s->evtchn_mask[port / 64], ~bit, __ATOMIC_SEQ_CST);
            if (s->evtchn_pending[port / 64] & bit) {
                __atomic_or_fetch(&s->vcpu_info[0].evtchn_pending_sel, 1ul << (port / 64),
                                  __ATOMIC_SEQ_CST);
                s->vcpu_info[0].evtchn_upcall_pending = 1;
            }
        }
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
