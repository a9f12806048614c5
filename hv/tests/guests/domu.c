/*
 * hv/tests/guests/domu.c - a domU's start of day under `hv ... domu`: the
 * toolstack's start_info, console_io refused (-EPERM), every line printed
 * through the PV console ring (start_info->console.domU) and a kick of its
 * event channel, as a Linux domU's hvc_xen does.
 *
 * ABI carried: struct xencons_interface (<xen/io/console.h>): write
 * out[MASK(out_prod++)], publish out_prod, EVTCHNOP_send; the backend
 * consumes to out_cons.
 *
 * Command line: (none)  every check below; the TAP plan is written but not
 *                       sent, so only the drain at shutdown shows it.
 *                       Expected: all ok, exit status 0.
 *               crash   the plan (1..0) left unsent, then a fault with no
 *                       trap table: the drain at the crash must show it.
 *                       Expected: status 5.
 */
#include "guest.h"
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xen/io/console.h>

static char ring_page[4096] __attribute__((aligned(4096)));
static char shinfo_page[4096] __attribute__((aligned(4096)));
static struct xencons_interface *ring;
static evtchn_port_t cons_port;

static int strncmp_(const char *a, const char *b, unsigned long n)
{
    for (; n && *a && *a == *b; n--)
        a++, b++;
    return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

static long send(evtchn_port_t port)
{
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &port);
}

/* Put s in the ring (room is the caller's business: lines are short). */
static void ring_put(const char *s, size_t n)
{
    XENCONS_RING_IDX prod = ring->out_prod;
    while (n--)
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s++;
    asm volatile("" ::: "memory");
    ring->out_prod = prod;
}

/* What printf writes through: the ring, then a kick of the backend. */
static void ring_write(const char *s, size_t n)
{
    ring_put(s, n);
    send(cons_port);
}

/* The plan, written but not sent: only the backend's drain when the
 * domain ends can show it, so a missing drain leaves the TAP unplanned. */
static void done_testing_unsent(void)
{
    guest_write = ring_put;
    done_testing();
}

void guest_main(start_info_t *si)
{
    long rc;

    /* Nothing printable before the ring is mapped: console_io is refused. */
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 5, "dom0\n");
    rc = rc == -1 ? 0 : 1;      /* -XEN_EPERM */
    rc |= HYPERVISOR_update_va_mapping((unsigned long)ring_page, (si->console.domU.mfn << 12) | 0x67, UVMF_INVLPG);
    if (rc)
        shutdown(SHUTDOWN_crash);
    ring = (struct xencons_interface *)ring_page;
    cons_port = si->console.domU.evtchn;
    guest_write = ring_write;
    guest_setup(si, "domu");

    if (!strncmp_((const char *)si->cmd_line, "crash", 5)) {
        say("faulting with no trap table, the plan left unsent in the ring");
        done_testing_unsent();
        asm volatile("ud2");
    }

    check(1, "console_io refused (-EPERM), console ring mapped");
    say("flags %#x store_evtchn %u console_evtchn %u", (unsigned int)si->flags,
        si->store_evtchn, si->console.domU.evtchn);
    check(si->flags == 0, "start_info flags 0 (no SIF_INITDOMAIN, SIF_PRIVILEGED)");
    check(si->store_evtchn == 1 && si->console.domU.evtchn == 2, "ports: xenstore 1, console 2 (hv)");
    check(si->store_mfn && si->console.domU.mfn == si->store_mfn + 1,
          "console page right after the xenstore page (hv)");
    check(si->nr_p2m_frames == 0 && si->first_p2m_pfn == 0, "p2m inside the mapping");

    xen_feature_info_t fi = { .submap_idx = 0 };
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    check(rc == 0 && !(fi.submap & (1u << XENFEAT_dom0)), "XENFEAT_dom0 clear");

    /* Lines that run the indexes around out[] (2048) more than once. */
    int drained = 1;
    for (int i = 0; i < 70; i++) {
        printf("# wrap line ...................................................\n");
        drained &= ring->out_cons == ring->out_prod;
    }
    check(drained && ring->out_prod > 2 * sizeof(ring->out), "70 lines, out_cons = out_prod after each send (hv: the backend consumes at once)");

    /* A full ring, then one kick. */
    XENCONS_RING_IDX c0 = ring->out_cons;
    for (int i = 0; i < 32; i++)
        ring_put("# full ring, 32 lines of 64 bytes, one send ...................\n", 64);
    int full = ring->out_prod - c0 == sizeof(ring->out);
    rc = send(cons_port);       /* (no check() before: it prints) */
    check(full, "ring full (2048 bytes pending)");
    check(rc == 0 && ring->out_cons == ring->out_prod, "full ring drained by one send (hv)");

    /* The backend notifies our console port back (we never unmask it). */
    rc = HYPERVISOR_update_va_mapping((unsigned long)shinfo_page, si->shared_info | 0x67, UVMF_INVLPG);
    shared_info_t *s = (shared_info_t *)shinfo_page;
    s->evtchn_mask[0] = ~0ul;
    s->evtchn_pending[0] = 0;
    say("notify me");
    check(rc == 0 && (s->evtchn_pending[0] & (1ul << cons_port)), "backend notified the console port");

    /* Indexes no honest guest writes: ignored, hv logs it, no hang. */
    XENCONS_RING_IDX c = ring->out_cons;
    ring->out_prod = c + 3000;
    rc = send(cons_port);
    int ignored = rc == 0 && ring->out_cons == c;
    ring->out_prod = c - 1;
    rc = send(cons_port);
    ignored &= rc == 0 && ring->out_cons == c;
    ring->out_prod = c;
    check(ignored, "bad out_prod (cons + 3000, cons - 1): ring left alone (hv)");

    /* Event channels: the two backend ports are taken. */
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    check(rc == 0 && b.port == 3, "bind_ipi gets port 3 (hv)");
    check(send(si->store_evtchn) == 0, "send on the xenstore port: 0 (dropped)");
    check(send(9) == -22, "send on a free port: -EINVAL");

    done_testing_unsent();
    shutdown(SHUTDOWN_poweroff);
}
