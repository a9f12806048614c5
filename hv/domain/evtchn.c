/*
 * hv/domain/evtchn.c - event channels.  A port is free, an IPI to
 * ourselves (EVTCHNOP_bind_ipi), a VIRQ (EVTCHNOP_bind_virq: hv raises
 * only VIRQ_TIMER, timer.c), or, in domU mode, bound to one of hv's
 * backends: xenstore (DOMU_STORE_PORT: nobody
 * listens, a send is dropped as Xen drops one to an unbound remote end)
 * or the console (DOMU_CONSOLE_PORT: a send makes hv drain the ring).
 * Sending on a backend port raises nothing locally: the event is the
 * remote end's; sending on a VIRQ port is -EINVAL, as on Xen.
 * EVTCHNOP_alloc_unbound makes a port waiting for a remote
 * domain that never comes (there is none): sends on it are dropped, as
 * Xen drops them; EVTCHNOP_status reports each port as Xen would.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "core/evtchn.h"
#include <xen/event_channel.h>

/*
 * Make `port' pending with Xen 4.17's 2-level rules (core/evtchn.c): its
 * vCPU's vcpu_info (wherever it is registered) is told only on the 0 -> 1
 * edges, and the vCPU woken only when its upcall becomes pending.
 */
void evtchn_set_pending(unsigned int port)
{
    unsigned int id = dom.evtchn_vcpu[port];
    shared_info_t *s = dom.shared_info;

    if (hv_evtchn_set_pending(s->evtchn_pending, s->evtchn_mask, vcpu_info_of(id), port))
        vcpu_kick(id);  /* the running one too: it may be blocked, hv idle */
}

/* The lowest free port (Xen's get_free_port), NR_EVTCHN if none. */
static unsigned int free_port(void)
{
    unsigned int p;
    for (p = 1; p < NR_EVTCHN && dom.evtchn[p] != EVTCHN_FREE; p++)
        ;
    return p;
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
    if ((p = free_port()) == NR_EVTCHN)
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
        if (b.vcpu >= dom.nr_vcpus)
            return -XEN_ENOENT;
        unsigned int p = free_port();
        if (p == NR_EVTCHN)
            return -XEN_ENOSPC;
        b.port = p;
        if (copy_to_guest(arg, &b, sizeof(b)))
            return -XEN_EFAULT;
        dom.evtchn[p] = EVTCHN_IPI;
        dom.evtchn_vcpu[p] = (uint8_t)b.vcpu;
        return 0;
    }
    case EVTCHNOP_bind_virq:
        return bind_virq(arg);
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound a;
        if (copy_from_guest(&a, arg, sizeof(a)))
            return -XEN_EFAULT;
        if (a.dom != DOMID_SELF && a.dom != 0)
            return -XEN_ESRCH;
        unsigned int p = free_port();
        if (p == NR_EVTCHN)
            return -XEN_ENOSPC;
        a.port = p;
        if (copy_to_guest(arg, &a, sizeof(a)))
            return -XEN_EFAULT;
        dom.evtchn[p] = EVTCHN_UNBOUND;
        dom.evtchn_remote[p] = a.remote_dom == DOMID_SELF ? 0 : a.remote_dom;
        return 0;
    }
    case EVTCHNOP_status: {
        struct evtchn_status st;
        if (copy_from_guest(&st, arg, sizeof(st)))
            return -XEN_EFAULT;
        if (st.dom != DOMID_SELF && st.dom != 0)
            return -XEN_ESRCH;
        if (st.port >= NR_EVTCHN)
            return -XEN_EINVAL;
        memset(&st.u, 0, sizeof(st.u));
        st.vcpu = 0;
        switch (dom.evtchn[st.port]) {
        case EVTCHN_FREE:    st.status = EVTCHNSTAT_closed; break;
        case EVTCHN_IPI:     st.status = EVTCHNSTAT_ipi; break;
        case EVTCHN_UNBOUND: st.status = EVTCHNSTAT_unbound;
                             st.u.unbound.dom = dom.evtchn_remote[st.port]; break;
        case EVTCHN_VIRQ:    st.status = EVTCHNSTAT_virq;
                             st.u.virq = dom.evtchn_virq[st.port]; break;
        default:             st.status = EVTCHNSTAT_interdomain; break;   /* hv's backends */
        }
        return copy_to_guest(arg, &st, sizeof(st)) ? -XEN_EFAULT : 0;
    }
    case EVTCHNOP_init_control: {
        /* The FIFO ABI: Xen's argument checks (evtchn_fifo_init_control),
         * then hv's answer that it has no FIFO event channels. */
        struct evtchn_init_control c;
        if (copy_from_guest(&c, arg, sizeof(c)))
            return -XEN_EFAULT;
        if ((c.offset & 7) || c.offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
            return -XEN_EINVAL;
        if (c.vcpu != 0)
            return -XEN_ENOENT;
        if (dom.oracle.type(dom.oracle.ctx, c.control_gfn) != HV_PAGE_RAM || hv_shared_page(c.control_gfn))
            return -XEN_EINVAL;             /* Xen cannot map it */
        return -XEN_ENOSYS;                 /* FIFO event channels: not in hv */
    }
    case EVTCHNOP_expand_array:
        return -XEN_EOPNOTSUPP;             /* Xen: no FIFO control block set up */
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
            dom.evtchn_vcpu[port] = 0;
            __atomic_and_fetch(&s->evtchn_pending[port / 64], ~bit, __ATOMIC_SEQ_CST);
        } else {
            unsigned int id = dom.evtchn_vcpu[port];
            if (hv_evtchn_unmask(s->evtchn_pending, s->evtchn_mask, vcpu_info_of(id), port))
                vcpu_kick(id);
        }
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
