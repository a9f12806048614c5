/*
 * core/console_ring.c - drain a domU's PV console ring (the xenconsoled
 * side of struct xencons_interface, <xen/io/console.h>).
 *
 *   page (guest RAM, shared):
 *   +0     in[1024]        backend -> guest (unused: hv has no input)
 *   +1024  out[2048]       guest -> backend
 *   +3072  in_cons, in_prod
 *   +3080  out_cons        written by the backend (here)
 *   +3084  out_prod        written by the guest
 *
 *   out[] as a circle, indexes masked with sizeof(out) - 1:
 *
 *        0            c = cons & mask        p = prod & mask      2047
 *        [............|XXXXXXXXXXXXXXXXXXXXXX|....................]   no wrap
 *        [XXXXXXXX|...........................|XXXXXXXXXXXXXXXXXXX]   wrap:
 *                 p                           c                      c..end, 0..p
 */
#include "console_ring.h"

long hv_cons_drain(struct xencons_interface *r, hv_cons_emit_t *emit, void *ctx)
{
    /* One read of each index: the guest may change them under us. */
    XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_RELAXED);
    XENCONS_RING_IDX prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX size = prod - cons;

    if (size == 0)
        return 0;
    if (size > sizeof(r->out))
        return HV_CONS_BAD;

    size_t start = MASK_XENCONS_IDX(cons, r->out);
    size_t first = sizeof(r->out) - start;      /* room before the end */
    if (first > size)
        first = size;
    emit(ctx, &r->out[start], first);
    if (size > first)
        emit(ctx, &r->out[0], size - first);    /* < start: no overlap */

    __atomic_store_n(&r->out_cons, prod, __ATOMIC_RELEASE);
    return size;
}
