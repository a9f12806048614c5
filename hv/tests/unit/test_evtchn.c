/*
 * hv/tests/unit/test_evtchn.c - the 2-level event channel rules and
 * VCPUOP_register_vcpu_info (core/evtchn.c): who is told when a port is
 * made pending (only on the pending bit's 0 -> 1 edge of an unmasked
 * port, the upcall only on the selector's 0 -> 1 edge), EVTCHNOP_unmask's
 * re-raise (only a port that was masked), whether a port can still tell
 * its vCPU (for a blocked domain's timer), and the registration's checks
 * in Xen's order and the move of the contents.
 */
#include <string.h>

#include "core/evtchn.h"

#include <xen/errno.h>

#include "tap.h"

struct two_level {
    xen_ulong_t pending[2], mask[2];
    struct vcpu_info vi;
};

static void set_pending_rules(void)
{
    struct two_level s;

    memset(&s, 0, sizeof(s));
    OK(hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 3), "set_pending: a fresh port: kick");
    EQ(s.pending[0], 1ul << 3, "set_pending: its pending bit set");
    EQ(s.vi.evtchn_pending_sel, 1, "set_pending: selector bit 0 set");
    EQ(s.vi.evtchn_upcall_pending, 1, "set_pending: upcall pending");

    s.vi.evtchn_upcall_pending = 0;
    OK(!hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 3), "set_pending: already pending: no kick");
    EQ(s.vi.evtchn_upcall_pending, 0, "set_pending: already pending: upcall not raised again");

    s.pending[0] = 0;
    OK(!hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 3),
       "set_pending: selector bit already set: no kick");
    EQ(s.pending[0], 1ul << 3, "set_pending: selector bit already set: the port is pending");
    EQ(s.vi.evtchn_upcall_pending, 0, "set_pending: selector bit already set: upcall not raised");

    s.pending[0] = 0;
    s.vi.evtchn_pending_sel = 0;
    s.vi.evtchn_upcall_pending = 1;
    OK(!hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 3),
       "set_pending: upcall already pending: no kick");
    EQ(s.vi.evtchn_pending_sel, 1, "set_pending: upcall already pending: selector bit set");

    memset(&s, 0, sizeof(s));
    s.mask[1] = 1ul << 2;
    OK(!hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 66), "set_pending: a masked port: no kick");
    EQ(s.pending[1], 1ul << 2, "set_pending: a masked port: pending bit set");
    EQ(s.vi.evtchn_pending_sel, 0, "set_pending: a masked port: selector untouched");
    EQ(s.vi.evtchn_upcall_pending, 0, "set_pending: a masked port: upcall not raised");

    OK(hv_evtchn_set_pending(s.pending, s.mask, &s.vi, 64), "set_pending: port 64: kick");
    EQ(s.vi.evtchn_pending_sel, 2, "set_pending: port 64: selector bit 1");
}

static void unmask_rules(void)
{
    struct two_level s;

    memset(&s, 0, sizeof(s));
    s.mask[0] = 1ul << 5;
    s.pending[0] = 1ul << 5;
    OK(hv_evtchn_unmask(s.pending, s.mask, &s.vi, 5), "unmask: masked and pending: kick");
    EQ(s.mask[0], 0, "unmask: mask bit cleared");
    EQ(s.vi.evtchn_pending_sel, 1, "unmask: masked and pending: selector bit set");
    EQ(s.vi.evtchn_upcall_pending, 1, "unmask: masked and pending: upcall pending");

    s.vi.evtchn_pending_sel = 0;
    s.vi.evtchn_upcall_pending = 0;
    OK(!hv_evtchn_unmask(s.pending, s.mask, &s.vi, 5), "unmask: not masked, pending: no kick");
    EQ(s.vi.evtchn_pending_sel, 0, "unmask: not masked, pending: selector untouched");
    EQ(s.vi.evtchn_upcall_pending, 0, "unmask: not masked, pending: upcall not raised");

    s.mask[0] = 1ul << 5;
    s.pending[0] = 0;
    OK(!hv_evtchn_unmask(s.pending, s.mask, &s.vi, 5), "unmask: masked, not pending: no kick");
    EQ(s.mask[0], 0, "unmask: masked, not pending: mask bit cleared");
    EQ(s.vi.evtchn_upcall_pending, 0, "unmask: masked, not pending: upcall not raised");
}

static void would_notify(void)
{
    struct two_level s;

    memset(&s, 0, sizeof(s));
    OK(hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 7), "would notify: a quiet port: yes");
    s.mask[0] = 1ul << 7;
    OK(!hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 7), "would notify: masked: no");
    s.mask[0] = 0;
    s.pending[0] = 1ul << 7;
    OK(!hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 7), "would notify: already pending: no");
    s.pending[0] = 0;
    s.vi.evtchn_pending_sel = 1;
    OK(!hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 7), "would notify: selector bit set: no");
    OK(hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 70), "would notify: another selector bit: yes");
    s.vi.evtchn_pending_sel = 0;
    s.vi.evtchn_upcall_pending = 1;
    OK(!hv_evtchn_would_notify(s.pending, s.mask, &s.vi, 7), "would notify: upcall pending: no");
}

/* Frames: 1 hv, 2 RAM, 3 an L1, 4 an L4, 5 a GDT frame, >= 8 not the
 * domain's. */
static unsigned int o_type(void *c, uint64_t mfn)
{
    static const unsigned int t[8] = { 0, HV_PAGE_HV, HV_PAGE_RAM, HV_PAGE_L1, HV_PAGE_L4,
                                         HV_PAGE_SEG_DESC };
    return mfn < 8 ? t[mfn] : HV_PAGE_INVALID;
}

static void register_checks(void)
{
    struct hv_page_oracle o = { .type = o_type };
    unsigned int last = 4096 - sizeof(struct vcpu_info);

    EQ(hv_check_register_vcpu_info(2, 0, false, true, &o), 0, "register: RAM, offset 0: accepted");
    EQ(hv_check_register_vcpu_info(2, last, false, true, &o), 0,
       "register: the last offset that fits: accepted");
    EQ(hv_check_register_vcpu_info(2, last + 8, false, true, &o), -XEN_ENXIO,
       "register: crossing the end of the page: -ENXIO");
    EQ(hv_check_register_vcpu_info(2, 4, false, true, &o), -XEN_ENXIO,
       "register: offset not 8-aligned: -ENXIO");
    EQ(hv_check_register_vcpu_info(2, 4096, true, false, &o), -XEN_ENXIO,
       "register: a bad offset is refused before anything else");
    EQ(hv_check_register_vcpu_info(2, 0, true, true, &o), -XEN_EINVAL,
       "register: a second time: -EINVAL");
    EQ(hv_check_register_vcpu_info(40, 0, true, true, &o), -XEN_EINVAL,
       "register: a second time, bad frame: -EINVAL");
    EQ(hv_check_register_vcpu_info(2, 0, false, false, &o), -XEN_EINVAL,
       "register: another vCPU that is up: -EINVAL");
    EQ(hv_check_register_vcpu_info(1, 0, false, true, &o), -XEN_EINVAL, "register: hv's frame: -EINVAL");
    EQ(hv_check_register_vcpu_info(3, 0, false, true, &o), -XEN_EINVAL, "register: an L1 table: -EINVAL");
    EQ(hv_check_register_vcpu_info(4, 0, false, true, &o), -XEN_EINVAL, "register: an L4 table: -EINVAL");
    EQ(hv_check_register_vcpu_info(5, 0, false, true, &o), -XEN_EINVAL,
       "register: a GDT frame (descriptor page): -EINVAL");
    EQ(hv_check_register_vcpu_info(40, 0, false, true, &o), -XEN_EINVAL,
       "register: not the domain's frame: -EINVAL");
}

static void register_move(void)
{
    struct vcpu_info from, to;

    memset(&from, 0, sizeof(from));
    memset(&to, 0xaa, sizeof(to));
    from.evtchn_upcall_mask = 1;
    from.evtchn_pending_sel = 4;
    from.arch.cr2 = 0x1234000;
    from.time.version = 6;
    OK(hv_vcpu_info_move(&to, &from), "move: upcall newly pending: kick");
    EQ(to.evtchn_upcall_mask, 1, "move: the mask copied");
    EQ(to.arch.cr2, 0x1234000, "move: cr2 copied");
    EQ(to.time.version, 6, "move: time info copied");
    EQ(to.evtchn_pending_sel, ~0ul, "move: every selector bit set");
    EQ(to.evtchn_upcall_pending, 1, "move: upcall pending");

    from.evtchn_upcall_pending = 1;
    OK(!hv_vcpu_info_move(&to, &from), "move: upcall pending already: no kick");
}

void test_evtchn(void)
{
    set_pending_rules();
    unmask_rules();
    would_notify();
    register_checks();
    register_move();
}
