/*
 * hv/domain/evtchn.c - event channels.  A port is free, an IPI to
 * ourselves (EVTCHNOP_bind_ipi), or, in domU mode, bound to one of hv's backends: xenstore (DOMU_STORE_PORT: nobody
 * listens, a send is dropped as Xen drops one to an unbound remote end)
 * or the console (DOMU_CONSOLE_PORT: a send makes hv drain the ring).
 * Sending on a backend port raises nothing locally: the event is the
 * remote end's.
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

long do_event_channel_op(uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case EVTCHNOP_bind_ipi: {
        struct evtchn_bind_ipi b;
        if (copy_from_guest(&b, arg, sizeof(b)))
            return -XEN_EFAULT;
        if (b.vcpu != 0)
            return -XEN_ENOENT;
        unsigned int p;
        for (p = 1; p < NR_EVTCHN && dom.evtchn[p] != EVTCHN_FREE; p++)
            ;
        if (p == NR_EVTCHN)
            return -XEN_ENOSPC;
        b.port = p;
        if (copy_to_guest(arg, &b, sizeof(b)))
            return -XEN_EFAULT;
        dom.evtchn[p] = EVTCHN_IPI;
        return 0;
    }
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
            else if (port == dom.console_port)
                console_backend_drain(true);
        } else if (cmd == EVTCHNOP_close) {
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
