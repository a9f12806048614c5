/*
 * hv/tests/unit/tap.c - TAP output and the fakes used by every suite.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

int tap_passed, tap_failed;

static void line(bool ok, const char *file, int lineno, const char *fmt,
                 va_list ap)
{
    printf("%sok %d - ", ok ? "" : "not ", tap_passed + tap_failed + 1);
    vprintf(fmt, ap);
    if (!ok)
        printf(" # at %s:%d", file, lineno);
    printf("\n");
    if (ok)
        tap_passed++;
    else
        tap_failed++;
}

void tap_ok(bool ok, const char *file, int lineno, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line(ok, file, lineno, fmt, ap);
    va_end(ap);
}

void tap_eq(uint64_t got, uint64_t want, const char *file, int lineno,
            const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line(got == want, file, lineno, fmt, ap);
    va_end(ap);
    if (got != want)
        printf("#   got 0x%llx, want 0x%llx\n", (unsigned long long)got,
               (unsigned long long)want);
}

void tap_diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static struct fake_region *find(struct fake_mem *f, uint64_t gva, size_t len)
{
    for (unsigned int i = 0; i < f->nr; i++) {
        struct fake_region *r = &f->r[i];
        if (gva >= r->base && len <= r->size && gva - r->base <= r->size - len)
            return r;
    }
    return NULL;
}

static int fake_read(void *ctx, void *dst, uint64_t gva, size_t len)
{
    struct fake_mem *f = ctx;
    struct fake_region *r = find(f, gva, len);

    f->reads++;
    if (!r) {
        f->faults++;
        return -1;
    }
    memcpy(dst, r->mem + (gva - r->base), len);
    return 0;
}

static int fake_write(void *ctx, uint64_t gva, const void *src, size_t len)
{
    struct fake_mem *f = ctx;
    struct fake_region *r = find(f, gva, len);

    f->writes++;
    if (!r || !r->writable) {
        f->faults++;
        return -1;
    }
    memcpy(r->mem + (gva - r->base), src, len);
    return 0;
}

void fake_mem_init(struct fake_mem *f, struct hv_guest_mem *m)
{
    memset(f, 0, sizeof(*f));
    m->ctx = f;
    m->read = fake_read;
    m->write = fake_write;
}

uint8_t *fake_mem_add(struct fake_mem *f, uint64_t base, size_t size,
                      bool writable)
{
    struct fake_region *r;

    if (f->nr == FAKE_MAX_REGIONS)
        abort();
    r = &f->r[f->nr++];
    r->base = base;
    r->size = size;
    r->mem = calloc(1, size);
    r->writable = writable;
    if (!r->mem)
        abort();
    return r->mem;
}

uint64_t fake_word(struct fake_mem *f, uint64_t gva)
{
    struct fake_region *r = find(f, gva, 8);
    uint64_t v;

    if (!r)
        return 0xdeaddeaddeaddeadull;
    memcpy(&v, r->mem + (gva - r->base), 8);
    return v;
}

void fake_put_word(struct fake_mem *f, uint64_t gva, uint64_t val)
{
    struct fake_region *r = find(f, gva, 8);

    if (!r)
        abort();
    memcpy(r->mem + (gva - r->base), &val, 8);
}

void set_trap(struct hv_vcpu *v, uint8_t vec, uint8_t dpl, bool mask,
              uint64_t addr)
{
    struct trap_info *t = &v->trap_ctxt[vec];

    t->vector = vec;
    t->flags = (uint8_t)((dpl & 3) | (mask ? 4 : 0));
    t->cs = FLAT_KERNEL_CS;
    t->address = addr;
}

void fixture_init(struct fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    fake_mem_init(&fx->fm, &fx->m);
    fake_mem_add(&fx->fm, KSTACK_BASE, 0x4000, true);
    fake_mem_add(&fx->fm, SWSTACK_BASE, 0x4000, true);
    fake_mem_add(&fx->fm, USTACK_BASE, 0x4000, true);
    hv_vcpu_init(&fx->v, &fx->vi);
    for (unsigned int i = 0; i < 32; i++)
        set_trap(&fx->v, (uint8_t)i, 0, false, H(i));
    set_trap(&fx->v, 3, 3, false, H(3));
    set_trap(&fx->v, 4, 3, false, H(4));
    fx->v.kernel_ss = FLAT_KERNEL_SS;
    fx->v.kernel_sp = SWSTACK_TOP;
    fx->v.user_pt_present = true;
    fx->vi.evtchn_upcall_mask = 0;
}

void fixture_free(struct fixture *fx)
{
    for (unsigned int i = 0; i < fx->fm.nr; i++)
        free(fx->fm.r[i].mem);
    fx->fm.nr = 0;
}
