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
 * Command line: (none)  every check below; the last line is written but not
 *                       sent, so only the drain at shutdown shows it.
 *                       Expected: "domu: ok", exit status 0.
 *               crash   a line left unsent, then a fault with no trap
 *                       table: hv's drain at the crash must show it.
 *                       Expected: "domu: unsent before the crash", status 5.
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
static int failed;

static int strncmp_(const char *a, const char *b, unsigned long n)
{
    for (; n && *a && *a == *b; n--)
        a++, b++;
    return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

static long send(evtchn_port_t port)
{
    return HYPERCALL(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &port, 0);
}

/* Put s in the ring (room is the caller's business: lines are short). */
static void ring_put(const char *s)
{
    XENCONS_RING_IDX prod = ring->out_prod;
    while (*s)
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s++;
    asm volatile("" ::: "memory");
    ring->out_prod = prod;
}

static void ring_say(const char *s)
{
    ring_put(s);
    send(cons_port);
}

static void say_num(const char *what, long v)
{
    char b[24];
    int i = 23, neg = v < 0;
    unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
    b[i] = 0;
    do b[--i] = '0' + u % 10; while (u /= 10);
    if (neg)
        b[--i] = '-';
    ring_put(what);
    ring_put(b + i);
    ring_say("\n");
}

static void ring_check(int ok, const char *what)
{
    ring_say(ok ? "domu: ok: " : "domu: FAIL: ");
    ring_say(what);
    ring_say("\n");
    failed |= !ok;
}

void guest_main(start_info_t *si)
{
    long rc;

    /* Nothing printable before the ring is mapped: console_io is refused. */
    rc = HYPERCALL(__HYPERVISOR_console_io, CONSOLEIO_write, 5, "dom0\n");
    rc = rc == -1 ? 0 : 1;      /* -XEN_EPERM */
    rc |= HYPERCALL(__HYPERVISOR_update_va_mapping, ring_page,
                    (si->console.domU.mfn << 12) | 0x67, UVMF_INVLPG);
    if (rc)
        shutdown(SHUTDOWN_crash);
    ring = (struct xencons_interface *)ring_page;
    cons_port = si->console.domU.evtchn;

    if (!strncmp_((const char *)si->cmd_line, "crash", 5)) {
        ring_put("domu: unsent before the crash\n");
        asm volatile("ud2");
    }

    ring_say("domu: console ring mapped, console_io refused\n");
    say_num("domu: flags ", si->flags);
    say_num("domu: store_evtchn ", si->store_evtchn);
    say_num("domu: console_evtchn ", si->console.domU.evtchn);
    ring_check(si->flags == 0, "start_info flags 0 (no SIF_INITDOMAIN, SIF_PRIVILEGED)");
    ring_check(si->store_evtchn == 1 && si->console.domU.evtchn == 2, "ports: xenstore 1, console 2");
    ring_check(si->store_mfn && si->console.domU.mfn == si->store_mfn + 1,
          "console page right after the xenstore page");
    ring_check(si->nr_p2m_frames == 0 && si->first_p2m_pfn == 0, "p2m inside the mapping");

    xen_feature_info_t fi = { .submap_idx = 0 };
    rc = HYPERCALL(__HYPERVISOR_xen_version, XENVER_get_features, &fi, 0);
    ring_check(rc == 0 && !(fi.submap & (1u << XENFEAT_dom0)), "XENFEAT_dom0 clear");

    /* Lines that run the indexes around out[] (2048) more than once. */
    int drained = 1;
    for (int i = 0; i < 70; i++) {
        ring_say("domu: wrap line ...............................................\n");
        drained &= ring->out_cons == ring->out_prod;
    }
    ring_check(drained && ring->out_prod > 2 * sizeof(ring->out), "70 lines, out_cons = out_prod after each send");

    /* A full ring, then one kick. */
    XENCONS_RING_IDX c0 = ring->out_cons;
    for (int i = 0; i < 32; i++)
        ring_put("domu: full ring, 32 lines of 64 bytes, one send ...............\n");
    int full = ring->out_prod - c0 == sizeof(ring->out);
    rc = send(cons_port);       /* (no ring_check() before: it prints) */
    ring_check(full, "ring full (2048 bytes pending)");
    ring_check(rc == 0 && ring->out_cons == ring->out_prod, "full ring drained by one send");

    /* The backend notifies our console port back (we never unmask it). */
    rc = HYPERCALL(__HYPERVISOR_update_va_mapping, shinfo_page, si->shared_info | 0x67, UVMF_INVLPG);
    shared_info_t *s = (shared_info_t *)shinfo_page;
    s->evtchn_mask[0] = ~0ul;
    s->evtchn_pending[0] = 0;
    ring_say("domu: notify me\n");
    ring_check(rc == 0 && (s->evtchn_pending[0] & (1ul << cons_port)), "backend notified the console port");

    /* Indexes no honest guest writes: ignored, hv logs it, no hang. */
    XENCONS_RING_IDX c = ring->out_cons;
    ring->out_prod = c + 3000;
    rc = send(cons_port);
    int ignored = rc == 0 && ring->out_cons == c;
    ring->out_prod = c - 1;
    rc = send(cons_port);
    ignored &= rc == 0 && ring->out_cons == c;
    ring->out_prod = c;
    ring_check(ignored, "bad out_prod (cons + 3000, cons - 1): ring left alone");

    /* Event channels: the two backend ports are taken. */
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    rc = HYPERCALL(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &b, 0);
    ring_check(rc == 0 && b.port == 3, "bind_ipi gets port 3");
    ring_check(send(si->store_evtchn) == 0, "send on the xenstore port: 0 (dropped)");
    ring_check(send(9) == -22, "send on a free port: -EINVAL");

    /* Unsent: only the drain at shutdown prints it. */
    ring_put(failed ? "domu: FAIL\n" : "domu: ok\n");
    shutdown(SHUTDOWN_poweroff);
}
