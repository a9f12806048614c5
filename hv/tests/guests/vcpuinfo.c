/*
 * hv/tests/guests/vcpuinfo.c - VCPUOP_register_vcpu_info and the 2-level
 * event channel rules, seen from the guest, the same on Xen and on hv.
 *
 * The registration's refusals in Xen's order (a vcpu_info crossing the
 * end of its page or misaligned: -ENXIO; a page table or a frame not
 * the guest's: -EINVAL), then a registration that moves the contents
 * over and marks an upcall pending with every selector bit set, and a
 * second one refused (-EINVAL).  From then on the hypervisor uses the
 * new place: an IPI sent to ourselves is noted there, not in
 * shared_info's slot, and delivered when the new place's mask is
 * cleared.  With events masked, an IPI port shows who is told when:
 * sending on a port already pending, or whose selector bit is already
 * set, raises no upcall; a masked port only becomes pending; unmasking
 * it (EVTCHNOP_unmask) raises the upcall, unmasking a port that was not
 * masked does not.  Last, the registered frame cannot become a page
 * table: the hypervisor holds a writable reference to it.
 *
 * With "shared" on its command line it registers instead in shared_info's
 * own frame, at its own slot: Xen 4.17 takes that (the page is Xen's,
 * shared writable with the domain), and so does hv.
 */
#include "guest.h"
#include <xen/event_channel.h>
#include <xen/vcpu.h>

static char shared_page[4096] __attribute__((aligned(4096)));
static char info_page[4096] __attribute__((aligned(4096)));

#define CR2_MARK 0x5a5a5000ul

static long send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static long unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

static long reg(unsigned long mfn, unsigned long offset)
{
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
}

/* Registered in shared_info's frame, at the slot it already has. */
static void in_shared_info(shared_info_t *s, unsigned long shared_mfn)
{
    struct vcpu_info *vi = &s->vcpu_info[0];
    long rc;

    vi->arch.cr2 = CR2_MARK;
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    rc = reg(shared_mfn, 0);
    check(rc == 0, "register in shared_info's frame, at its own slot: rc %ld", rc);
    check(vi->evtchn_upcall_mask == 1 && vi->arch.cr2 == CR2_MARK &&
          vi->evtchn_pending_sel == ~0ul && vi->evtchn_upcall_pending == 1,
          "contents kept, every selector bit set, upcall pending: sel %#lx, pending %u",
          vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
    rc = reg(shared_mfn, 64);
    check(rc == -XEN_EINVAL, "register a second time: rc %ld, want -EINVAL", rc);
    vi->evtchn_upcall_mask = 0;
    ev_count = 0;
    HYPERVISOR_xen_version(XENVER_version, NULL);
    vi->evtchn_upcall_mask = 1;
    check(ev_count == 1, "its mask cleared, the next hypercall delivers the upcall: %ld", ev_count);
}

static int has_word(const char *p, const char *w)
{
    for (; *p; p++) {
        unsigned int i = 0;
        while (w[i] && p[i] == w[i])
            i++;
        if (!w[i])
            return 1;
    }
    return 0;
}

void guest_main(start_info_t *si)
{
    shared_info_t *s = (shared_info_t *)shared_page;
    struct vcpu_info *slot = &s->vcpu_info[0], *vi;
    unsigned long info_mfn, off = 128, bit;
    evtchn_port_t port;
    long rc;

    guest_setup(si, "vcpuinfo");
    info_mfn = mfn_of(info_page);
    events_setup(si, shared_page);
    if (has_word((const char *)si->cmd_line, "shared")) {
        in_shared_info(s, si->shared_info >> 12);
        done_testing();
        shutdown(SHUTDOWN_poweroff);
    }

    /* ---- the refusals ---- */
    rc = reg(info_mfn, 4096 - sizeof(struct vcpu_info) + 8);
    check(rc == -XEN_ENXIO, "register, crossing the end of the page: rc %ld, want -ENXIO", rc);
    rc = reg(info_mfn, 4);
    check(rc == -XEN_ENXIO, "register, offset 4 (misaligned): rc %ld, want -ENXIO", rc);
    rc = reg(mfn_of((const void *)si->pt_base), 0);
    check(rc == -XEN_EINVAL, "register, in the L4 page table: rc %ld, want -EINVAL", rc);
    rc = reg(1ul << 40, 0);
    check(rc == -XEN_EINVAL, "register, a frame not the guest's: rc %ld, want -EINVAL", rc);
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)0x10);
    check(rc == -XEN_EFAULT, "register, an unreadable argument: rc %ld, want -EFAULT", rc);

    /* ---- the move ---- */
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    check(rc == 0, "bind an IPI to ourselves: rc %ld, port %u", rc, b.port);
    port = b.port;
    bit = 1ul << (port % 64);
    check(slot->evtchn_upcall_mask == 1, "events masked at boot");
    slot->arch.cr2 = CR2_MARK;
    slot->evtchn_pending_sel = 0;
    slot->evtchn_upcall_pending = 0;
    __builtin_memset(info_page, 0xa5, sizeof(info_page));
    rc = reg(info_mfn, off);
    check(rc == 0, "register at offset %lu of a page of ours: rc %ld", off, rc);
    vi = (struct vcpu_info *)(info_page + off);
    check(vi->evtchn_upcall_mask == 1 && vi->arch.cr2 == CR2_MARK,
          "the contents moved over: mask %u, cr2 %#lx", vi->evtchn_upcall_mask, vi->arch.cr2);
    check(vi->evtchn_pending_sel == ~0ul && vi->evtchn_upcall_pending == 1,
          "every selector bit set, upcall pending: sel %#lx, pending %u",
          vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
    check((unsigned char)info_page[off - 1] == 0xa5 &&
          (unsigned char)info_page[off + sizeof(*vi)] == 0xa5, "nothing around it written");
    rc = reg(info_mfn, 0);
    check(rc == -XEN_EINVAL, "register a second time: rc %ld, want -EINVAL", rc);
    shinfo_va = (unsigned long)vi;      /* ev_handler clears byte 0: upcall_pending */

    /* ---- the new place is the one used ---- */
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    s->evtchn_pending[port / 64] &= ~bit;
    rc = send(port);
    check(rc == 0 && (s->evtchn_pending[port / 64] & bit), "send, masked: rc %ld, port pending", rc);
    check(vi->evtchn_upcall_pending == 1 && (vi->evtchn_pending_sel & (1ul << (port / 64))),
          "noted in the registered vcpu_info: sel %#lx, pending %u",
          vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
    check(slot->evtchn_upcall_pending == 0 && slot->evtchn_pending_sel == 0,
          "not in shared_info's slot: sel %#lx, pending %u",
          slot->evtchn_pending_sel, slot->evtchn_upcall_pending);

    /* ---- who is told when (events masked throughout) ---- */
    vi->evtchn_upcall_pending = 0;
    rc = send(port);
    check(rc == 0 && vi->evtchn_upcall_pending == 0,
          "send on a port already pending: rc %ld, no upcall raised (pending %u)",
          rc, vi->evtchn_upcall_pending);
    s->evtchn_pending[port / 64] &= ~bit;
    rc = send(port);
    check(rc == 0 && (s->evtchn_pending[port / 64] & bit) && vi->evtchn_upcall_pending == 0,
          "send with its selector bit already set: rc %ld, port pending, no upcall raised (pending %u)",
          rc, vi->evtchn_upcall_pending);
    s->evtchn_pending[port / 64] &= ~bit;
    vi->evtchn_pending_sel = 0;
    s->evtchn_mask[port / 64] |= bit;
    rc = send(port);
    check(rc == 0 && (s->evtchn_pending[port / 64] & bit) && vi->evtchn_pending_sel == 0 &&
          vi->evtchn_upcall_pending == 0,
          "send on a masked port: rc %ld, pending, selector %#lx, upcall %u", rc,
          vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
    rc = unmask(port);
    check(rc == 0 && !(s->evtchn_mask[port / 64] & bit) && vi->evtchn_pending_sel &&
          vi->evtchn_upcall_pending == 1,
          "EVTCHNOP_unmask of the masked pending port: rc %ld, raised: selector %#lx, upcall %u",
          rc, vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    rc = unmask(port);
    check(rc == 0 && vi->evtchn_pending_sel == 0 && vi->evtchn_upcall_pending == 0,
          "EVTCHNOP_unmask of a port not masked: rc %ld, nothing raised: selector %#lx, upcall %u",
          rc, vi->evtchn_pending_sel, vi->evtchn_upcall_pending);

    /* ---- delivered through the new place's mask ---- */
    vi->evtchn_pending_sel = 1ul << (port / 64);
    vi->evtchn_upcall_pending = 1;
    ev_count = 0;
    vi->evtchn_upcall_mask = 0;
    HYPERVISOR_xen_version(XENVER_version, NULL);
    vi->evtchn_upcall_mask = 1;
    check(ev_count == 1, "its mask cleared, the next hypercall delivers the upcall: %ld", ev_count);

    /*
     * ---- the frame stays plain RAM ----
     * The page zeroed but for the mask (0x100 at offset 128: not present),
     * a valid L1 table by its contents, and mapped read-only by the guest:
     * only the hypervisor's own writable reference can refuse the pin.
     */
    vi->evtchn_upcall_pending = 0;
    for (unsigned long i = 0; i < sizeof(info_page); i++)
        if (info_page + i != (char *)&vi->evtchn_upcall_mask)
            info_page[i] = 0;
    rc = HYPERVISOR_update_va_mapping((unsigned long)info_page, (info_mfn << 12) | 0x25, UVMF_INVLPG);
    check(rc == 0, "the registered page mapped read-only: rc %ld", rc);
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = info_mfn };
    rc = HYPERVISOR_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    check(rc == -XEN_EINVAL, "pin it as an L1 table: rc %ld, want -EINVAL (the vcpu_info's writable reference)", rc);
    if (rc == 0) {
        pin.cmd = MMUEXT_UNPIN_TABLE;
        HYPERVISOR_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    }
    rc = HYPERVISOR_update_va_mapping((unsigned long)info_page, (info_mfn << 12) | 0x67, UVMF_INVLPG);
    check(rc == 0, "mapped writable again: rc %ld", rc);
    done_testing();
    shutdown(SHUTDOWN_poweroff);
}
