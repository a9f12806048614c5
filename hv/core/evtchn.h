/*
 * hv/core/evtchn.h - the 2-level event channel rules and the placement of
 * a vCPU's vcpu_info, as plain logic over the words the guest shares with
 * hv (shared_info's evtchn_pending / evtchn_mask, one vcpu_info).
 *
 * ABI carried: Xen 4.17's common/event_2l.c and vcpu_mark_events_pending
 * (arch/x86/domain.c), and map_vcpu_info (common/domain.c):
 *  - a port made pending tells its vCPU only when its pending bit goes
 *    0 -> 1 and the port is not masked; then the port's bit in the vCPU's
 *    evtchn_pending_sel is set, and only when that bit goes 0 -> 1 is
 *    evtchn_upcall_pending set; only when that goes 0 -> 1 is the vCPU
 *    kicked.  A port already pending tells nobody again.
 *  - EVTCHNOP_unmask tells the vCPU the same way only when the mask bit
 *    goes 1 -> 0 and the port is pending: unmasking a port that was not
 *    masked tells nobody.
 *  - VCPUOP_register_vcpu_info(mfn, offset): a vcpu_info crossing the end
 *    of the page or not 8-byte aligned -> -ENXIO; the vCPU already has
 *    one registered -> -EINVAL; the vCPU is neither the caller nor down
 *    -> -EINVAL; the frame not plain guest RAM (not the domain's, a page
 *    table or a GDT frame: Xen's writable type reference fails) -> -EINVAL.  On
 *    success the contents move over and every selector bit is set, with
 *    the upcall marked pending, so no event is lost in the move.
 *
 * Freestanding: the Xen public headers only.
 */
#ifndef HV_CORE_EVTCHN_H
#define HV_CORE_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include "core/hypercall_check.h"

/* vcpu_mark_events_pending: set evtchn_upcall_pending; true if it went
 * 0 -> 1 (the platform then kicks the vCPU). */
bool hv_evtchn_mark_pending(struct vcpu_info *vi);

/* evtchn_2l_set_pending on `port' (notified vCPU's vcpu_info vi): true if
 * the vCPU is to be kicked. */
bool hv_evtchn_set_pending(xen_ulong_t *pending, const xen_ulong_t *mask,
                           struct vcpu_info *vi, unsigned int port);

/* Would making `port' pending now tell its vCPU (raise its upcall)?  Not
 * when the port is masked, already pending, its selector bit already set
 * or the upcall already pending. */
bool hv_evtchn_would_notify(const xen_ulong_t *pending, const xen_ulong_t *mask,
                            const struct vcpu_info *vi, unsigned int port);

/* evtchn_2l_unmask on `port': true if the vCPU is to be kicked. */
bool hv_evtchn_unmask(const xen_ulong_t *pending, xen_ulong_t *mask,
                      struct vcpu_info *vi, unsigned int port);

/* VCPUOP_register_vcpu_info's checks, in Xen's order, after the argument
 * was read: `registered' the vCPU has one already; `self_or_down' it is
 * the caller or down.  0 or a negative Xen errno. */
int hv_check_register_vcpu_info(uint64_t mfn, uint64_t offset, bool registered,
                                bool self_or_down, const struct hv_page_oracle *o);

/* Move a vCPU's vcpu_info from `from' to `to' (registration succeeded):
 * the contents copied, every selector bit set, the upcall marked pending.
 * True if the vCPU is to be kicked. */
bool hv_vcpu_info_move(struct vcpu_info *to, const struct vcpu_info *from);

#endif /* HV_CORE_EVTCHN_H */
