/*
 * hv/tests/unit/test_console_ring.c - hv_cons_drain(), the backend side of the
 * domU console ring: plain writes, wrap-around of out[] and of the 32-bit
 * indexes, a full ring, and indexes no honest guest writes.  The ring is
 * its own malloc'd object, so ASan flags any byte read outside it; every
 * piece handed to emit is also checked to lie inside out[].
 */
#include <stdlib.h>
#include <string.h>

#include "core/console_ring.h"

#include "tap.h"

#define OUTSZ sizeof(((struct xencons_interface *)0)->out)

struct sink {
    struct xencons_interface *r;
    char buf[4 * 2048];
    size_t len;
    unsigned int calls;
    bool outside;                   /* a piece not inside r->out        */
    bool race;                      /* the "guest" scribbles during emit */
};

static void emit(void *ctx, const char *s, size_t n)
{
    struct sink *k = ctx;

    k->calls++;
    if (s < k->r->out || n > OUTSZ || (size_t)(s - k->r->out) > OUTSZ - n) {
        k->outside = true;
        return;
    }
    if (k->len + n <= sizeof(k->buf)) {
        memcpy(k->buf + k->len, s, n);
    }
    k->len += n;
    if (k->race) {                  /* a concurrent guest: ignored */
        k->r->out_prod += 1000;
        k->r->out_cons = 0x12345678;
    }
}

static struct xencons_interface *ring_new(void)
{
    struct xencons_interface *r = malloc(sizeof(*r));

    memset(r, 0, sizeof(*r));
    return r;
}

/* The guest's side: append s at out_prod, then publish it. */
static void guest_write(struct xencons_interface *r, const char *s, size_t n)
{
    XENCONS_RING_IDX p = r->out_prod;

    for (size_t i = 0; i < n; i++, p++)
        r->out[MASK_XENCONS_IDX(p, r->out)] = s[i];
    r->out_prod = p;
}

static void sink_init(struct sink *k, struct xencons_interface *r)
{
    memset(k, 0, sizeof(*k));
    k->r = r;
}

static void plain(void)
{
    struct xencons_interface *r = ring_new();
    struct sink k;

    sink_init(&k, r);
    EQ(hv_cons_drain(r, emit, &k), 0, "ring: empty ring drains 0 bytes");
    EQ(k.calls, 0, "ring: empty ring: emit not called");

    guest_write(r, "ok 1 - hello\n", 13);
    EQ(hv_cons_drain(r, emit, &k), 13, "ring: 13 bytes drained");
    OK(k.len == 13 && !memcmp(k.buf, "ok 1 - hello\n", 13), "ring: bytes as written");
    EQ(k.calls, 1, "ring: one piece without a wrap");
    EQ(r->out_cons, 13, "ring: out_cons advanced to out_prod");
    EQ(hv_cons_drain(r, emit, &k), 0, "ring: nothing left after a drain");
    EQ(r->in_cons | r->in_prod, 0, "ring: input indexes untouched");
    free(r);
}

static void wraps(void)
{
    struct xencons_interface *r = ring_new();
    struct sink k;
    char msg[40];

    for (unsigned int i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('A' + i % 26);

    /* out[] wraps: 8 bytes to its end, 12 from its start. */
    r->out_cons = r->out_prod = OUTSZ - 8;
    sink_init(&k, r);
    guest_write(r, msg, 20);
    EQ(hv_cons_drain(r, emit, &k), 20, "ring wrap: 20 bytes across the end of out[]");
    EQ(k.calls, 2, "ring wrap: two pieces");
    OK(k.len == 20 && !memcmp(k.buf, msg, 20), "ring wrap: bytes in order");
    EQ(r->out_cons, OUTSZ + 12, "ring wrap: out_cons = out_prod");
    OK(!k.outside, "ring wrap: every piece inside out[]");

    /* The 32-bit indexes wrap: cons 0xfffffff0, prod 0x10. */
    r->out_cons = r->out_prod = 0xfffffff0u;
    sink_init(&k, r);
    guest_write(r, msg, 32);
    EQ(r->out_prod, 0x10, "ring index wrap: prod wrapped to 0x10");
    EQ(hv_cons_drain(r, emit, &k), 32, "ring index wrap: 32 bytes");
    OK(k.len == 32 && !memcmp(k.buf, msg, 32), "ring index wrap: bytes in order");
    EQ(r->out_cons, 0x10, "ring index wrap: out_cons = 0x10");

    /* A full ring (2048 pending) starting mid-buffer. */
    char big[OUTSZ];
    for (unsigned int i = 0; i < OUTSZ; i++)
        big[i] = (char)(i * 7);
    r->out_cons = r->out_prod = 1000;
    sink_init(&k, r);
    guest_write(r, big, OUTSZ);
    EQ(hv_cons_drain(r, emit, &k), OUTSZ, "ring full: all 2048 bytes");
    OK(k.len == OUTSZ && !memcmp(k.buf, big, OUTSZ), "ring full: bytes in order");
    EQ(k.calls, 2, "ring full: two pieces");
    OK(!k.outside, "ring full: every piece inside out[]");
    free(r);
}

static void malicious(void)
{
    struct xencons_interface *r = ring_new();
    struct sink k;
    static const struct { uint32_t cons, prod; const char *what; } bad[] = {
        { 0, OUTSZ + 1, "one byte more than out[] holds" },
        { 100, 99, "prod one behind cons" },
        { 0, 0x80000000u, "prod 2^31 ahead" },
        { 0xffffffffu, 0x7ffff, "prod far ahead across the index wrap" },
        { 5, 0xffffffffu, "prod = -1" },
    };

    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(r, 'x', sizeof(*r));
        r->out_cons = bad[i].cons;
        r->out_prod = bad[i].prod;
        sink_init(&k, r);
        EQ(hv_cons_drain(r, emit, &k), HV_CONS_BAD, "ring bad indexes (%s): refused", bad[i].what);
        OK(k.calls == 0 && r->out_cons == bad[i].cons && r->out_prod == bad[i].prod,
           "ring bad indexes (%s): nothing read, indexes left alone", bad[i].what);
    }

    /* The guest changes the indexes while hv emits: each is read once. */
    memset(r, 0, sizeof(*r));
    r->out_cons = r->out_prod = OUTSZ - 3;
    guest_write(r, "racing\n", 7);
    sink_init(&k, r);
    k.race = true;
    EQ(hv_cons_drain(r, emit, &k), 7, "ring race: the 7 bytes pending at the snapshot");
    OK(k.len == 7 && !memcmp(k.buf, "racing\n", 7), "ring race: bytes as at the snapshot");
    EQ(r->out_cons, OUTSZ + 4, "ring race: out_cons = the prod that was read");

    /* Any pair of indexes: at most two pieces, all inside out[], total
     * as announced, never more than sizeof(out). */
    unsigned int seed = 12345, bad_pieces = 0, wrong_total = 0;
    for (unsigned int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t c = seed;
        seed = seed * 1103515245u + 12345u;
        uint32_t p = (i & 1) ? c + (seed % (2 * OUTSZ + 2)) : seed;
        r->out_cons = c;
        r->out_prod = p;
        sink_init(&k, r);
        long n = hv_cons_drain(r, emit, &k);
        if (k.outside || k.calls > 2)
            bad_pieces++;
        if (n == HV_CONS_BAD ? (k.len != 0 || (uint32_t)(p - c) <= OUTSZ || r->out_cons != c)
                             : ((size_t)n != k.len || n != (long)(uint32_t)(p - c) ||
                                r->out_cons != p))
            wrong_total++;
    }
    EQ(bad_pieces, 0, "ring fuzz: 200000 index pairs, every piece inside out[], <= 2 pieces");
    EQ(wrong_total, 0, "ring fuzz: drained = prod - cons when <= 2048, else refused untouched");
    free(r);
}

void test_console_ring(void)
{
    tap_diag("domU console ring (backend side)");
    plain();
    wraps();
    malicious();
}
