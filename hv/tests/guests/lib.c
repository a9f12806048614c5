/*
 * hv/tests/guests/lib.c - what the test guests share: a check that prints
 * and counts, machine frames through the p2m list.
 */
#include "guest.h"

int guest_fails;
static const char *guest_name;
static const unsigned long *p2m;

void guest_setup(const start_info_t *si, const char *name)
{
    p2m = (const unsigned long *)si->mfn_list;
    guest_name = name;
}

void check(int cond, const char *what)
{
    puts_(guest_name);
    puts_(cond ? ": ok - " : ": FAIL - ");
    puts_(what);
    puts_("\n");
    guest_fails += !cond;
}

void say(const char *what, long v)
{
    puts_(guest_name);
    puts_(": ");
    puts_(what);
    putnum(v);
    puts_("\n");
}

/* The image is mapped from its virtual base, pfn by pfn. */
unsigned long mfn_of(const void *va)
{
    return p2m[((unsigned long)va - 0xffffffff80000000ul) / PAGE];
}
