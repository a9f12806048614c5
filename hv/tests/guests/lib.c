/*
 * hv/tests/guests/lib.c - what the test guests share: TAP output through
 * the guest kernel's vsnprintf, machine frames through the p2m list.
 */
#include "guest.h"

/* lib/vsprintf.c (declared in <pventry/kernel.h>, which needs the kernel's
 * configuration). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

int guest_fails;
static int tests_run;
static const unsigned long *p2m;

static void console_io_write(const char *s, size_t n)
{
    HYPERVISOR_console_io(CONSOLEIO_write, n, s);
}
void (*guest_write)(const char *s, size_t n) = console_io_write;

void guest_setup(const start_info_t *si, const char *name)
{
    p2m = (const unsigned long *)si->mfn_list;
    printf("# %s\n", name);
}

static int vprint(const char *prefix, const char *fmt, va_list ap)
{
    char buf[256];
    size_t p = 0, n;

    while (prefix[p])
        p++;
    for (n = 0; n < p; n++)
        buf[n] = prefix[n];
    n = p + vsnprintf(buf + p, sizeof(buf) - p, fmt, ap);
    if (n > sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    guest_write(buf, n);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprint("", fmt, ap);
    va_end(ap);
    return n;
}

void check(int cond, const char *fmt, ...)
{
    va_list ap;
    tests_run++;
    guest_fails += !cond;
    printf("%sok %d - ", cond ? "" : "not ", tests_run);
    va_start(ap, fmt);
    vprint("", fmt, ap);
    va_end(ap);
    printf("\n");
}

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("# ", fmt, ap);
    va_end(ap);
    printf("\n");
}

void done_testing(void)
{
    printf("1..%d\n", tests_run);
}

/* The image is mapped from its virtual base, pfn by pfn. */
unsigned long mfn_of(const void *va)
{
    return p2m[((unsigned long)va - 0xffffffff80000000ul) / PAGE];
}

/* Map shared_info at `page' (ev_handler finds the upcall flags there) and
 * register ev_handler as the event callback: two checks. */
void events_setup(const start_info_t *si, void *page)
{
    long rc = HYPERVISOR_update_va_mapping((unsigned long)page, si->shared_info | 0x67, UVMF_INVLPG);
    check(rc == 0, "map shared_info: rc %ld", rc);
    shinfo_va = (unsigned long)page;
    struct callback_register cb = { .type = CALLBACKTYPE_event, .address = (unsigned long)ev_handler };
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    check(rc == 0, "register the event callback: rc %ld", rc);
}
