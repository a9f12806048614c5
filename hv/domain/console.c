/*
 * hv/domain/console.c - hv as the domU's console backend (xenconsoled).
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include "core/console_ring.h"

/*
 * hv as xenconsoled (tools/console/daemon/io.c, buffer_append): copy what
 * the guest put in its console ring to the serial line and advance
 * out_cons; then notify the guest's port, as xenconsoled does after
 * consuming (the guest normally keeps that port masked).  Indexes no
 * honest guest writes are left alone, as there, and logged once.
 */
static void emit_serial(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

void console_backend_drain(bool notify)
{
    if (!dom.console_mfn)
        return;
    struct xencons_interface *r = __va(dom.console_mfn << PAGE_SHIFT);
    long n = hv_cons_drain(r, emit_serial, NULL);
    if (n == HV_CONS_BAD && !dom.console_bad_logged) {
        dom.console_bad_logged = true;
        printk("hv: console ring: out_prod %x - out_cons %x is more than %lu bytes: "
               "ignored (as xenconsoled)\n", r->out_prod, r->out_cons, sizeof(r->out));
    }
    if (n > 0 && notify && dom.evtchn[dom.console_port] == EVTCHN_BACKEND)
        evtchn_set_pending(dom.console_port);
}
