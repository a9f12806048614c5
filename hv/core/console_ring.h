/*
 * hv/core/console_ring.h - the backend side of a domU's PV console ring: what
 * xenconsoled does with the page at start_info->console.domU.mfn when the
 * guest kicks start_info->console.domU.evtchn.
 *
 * ABI carried: struct xencons_interface (<xen/io/console.h>).  The guest
 * writes out[MASK_XENCONS_IDX(out_prod++)] and then publishes out_prod; the
 * backend consumes out[out_cons..out_prod) and publishes out_cons.  The
 * indexes are free-running 32-bit counters, so out_prod - out_cons (mod
 * 2^32) is the number of bytes waiting, at most sizeof(out).
 *
 * The guest owns the page and may write anything into it at any time: the
 * drain reads each index once, never addresses outside out[] and never
 * loops more than twice.
 */
#ifndef HV_CONSOLE_RING_H
#define HV_CONSOLE_RING_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/console.h>

/* Where the drained bytes go (hv: the serial console). */
typedef void hv_cons_emit_t(void *ctx, const char *s, size_t n);

/* out_prod - out_cons > sizeof(out): nothing read, out_cons left alone. */
#define HV_CONS_BAD (-1L)

/*
 * Hand out[out_cons..out_prod) to emit, in one piece, or two when it wraps
 * the end of out[], then set out_cons = out_prod.  Returns the number of
 * bytes (0: ring empty), or HV_CONS_BAD for indexes no well-behaved guest
 * writes (more than sizeof(out) bytes pending, e.g. prod behind cons), as
 * xenconsoled's buffer_append ignores them: the ring stays as it is.
 */
long hv_cons_drain(struct xencons_interface *r, hv_cons_emit_t *emit, void *ctx);

#endif /* HV_CONSOLE_RING_H */
