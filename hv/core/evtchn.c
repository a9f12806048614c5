/*
 * hv/core/evtchn.c - 2-level event channels and vcpu_info placement
 * (evtchn.h).  Every read-modify-write of a word the guest shares is one
 * atomic operation: the guest changes the same words on other vCPUs.
 */
#include "core/evtchn.h"

#include <xen/errno.h>

#define WORD_BITS (8 * sizeof(xen_ulong_t))

/* Set / clear bit `bit' of *w; true if it was set before. */
static bool test_and_set(xen_ulong_t *w, unsigned int bit)
{
    xen_ulong_t b = (xen_ulong_t)1 << bit;
    return __atomic_fetch_or(w, b, __ATOMIC_SEQ_CST) & b;
}

static bool test_and_clear(xen_ulong_t *w, unsigned int bit)
{
    xen_ulong_t b = (xen_ulong_t)1 << bit;
    return __atomic_fetch_and(w, ~b, __ATOMIC_SEQ_CST) & b;
}

static bool test(const xen_ulong_t *w, unsigned int bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

bool hv_evtchn_mark_pending(struct vcpu_info *vi)
{
    return !(__atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1);
}

/* The port's selector bit: its 0 -> 1 edge marks the upcall pending. */
static bool select_port(struct vcpu_info *vi, unsigned int port)
{
    if (test_and_set(&vi->evtchn_pending_sel, port / WORD_BITS))
        return false;
    return hv_evtchn_mark_pending(vi);
}

bool hv_evtchn_set_pending(xen_ulong_t *pending, const xen_ulong_t *mask,
                           struct vcpu_info *vi, unsigned int port)
{
    unsigned int w = port / WORD_BITS, bit = port % WORD_BITS;

#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: tells the vCPU every time */
    test_and_set(&pending[w], bit);
    if (test(&mask[w], bit))
        return false;
    test_and_set(&vi->evtchn_pending_sel, w);
    hv_evtchn_mark_pending(vi);
    return true;
#else
    if (test_and_set(&pending[w], bit))
        return false;                   /* already pending: told before */
    if (test(&mask[w], bit))
        return false;
    return select_port(vi, port);
#endif
}

bool hv_evtchn_would_notify(const xen_ulong_t *pending, const xen_ulong_t *mask,
                            const struct vcpu_info *vi, unsigned int port)
{
    unsigned int w = port / WORD_BITS, bit = port % WORD_BITS;

    return !test(&pending[w], bit) && !test(&mask[w], bit) &&
           !test(&vi->evtchn_pending_sel, w) &&
           !__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

bool hv_evtchn_unmask(const xen_ulong_t *pending, xen_ulong_t *mask,
                      struct vcpu_info *vi, unsigned int port)
{
    unsigned int w = port / WORD_BITS, bit = port % WORD_BITS;

#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: re-raises unmasked ports too */
    test_and_clear(&mask[w], bit);
    if (!test(&pending[w], bit))
        return false;
#else
    if (!test_and_clear(&mask[w], bit) || !test(&pending[w], bit))
        return false;
#endif
    return select_port(vi, port);
}

int hv_check_register_vcpu_info(uint64_t mfn, uint64_t offset, bool registered,
                                bool self_or_down, const struct hv_page_oracle *o)
{
    if (offset > 4096 - sizeof(struct vcpu_info))
        return -XEN_ENXIO;              /* would cross the end of the page */
    if (offset & (__alignof__(struct vcpu_info) - 1))
        return -XEN_ENXIO;
    if (registered)
        return -XEN_EINVAL;             /* once per vCPU */
    if (!self_or_down)
        return -XEN_EINVAL;             /* another vCPU that is up */
#ifdef HV_TEST_BROKEN_MODEL             /* a wrong model: takes a page table */
    if (o->type(o->ctx, mfn) == HV_PAGE_INVALID || o->type(o->ctx, mfn) == HV_PAGE_HV)
        return -XEN_EINVAL;
#else
    if (o->type(o->ctx, mfn) != HV_PAGE_RAM)
        return -XEN_EINVAL;             /* not the domain's, or a page table */
#endif
    return 0;
}

bool hv_vcpu_info_move(struct vcpu_info *to, const struct vcpu_info *from)
{
    struct vcpu_info copy = *from;      /* the two may overlap (shared_info) */

    *to = copy;
    __atomic_store_n(&to->evtchn_pending_sel, ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
    return hv_evtchn_mark_pending(to);
}
