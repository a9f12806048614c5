/*
 * hv/tests/guests/user.c - one user address space for the test guests:
 * code read-only at USER_VA, its stack page above.
 */
#include "guest.h"

uint8_t u_l4[PAGE] __attribute__((aligned(PAGE)));
uint8_t u_l3[PAGE] __attribute__((aligned(PAGE)));
uint8_t u_l2[PAGE] __attribute__((aligned(PAGE)));
uint8_t u_l1[PAGE] __attribute__((aligned(PAGE)));
uint8_t u_code[PAGE] __attribute__((aligned(PAGE)));
uint8_t u_stack[PAGE] __attribute__((aligned(PAGE)));

static void set_pte(uint8_t *table, unsigned int slot, unsigned long mfn, unsigned long flags)
{
    ((unsigned long *)table)[slot] = (mfn << 12) | flags;
}

void user_space_fill(const uint8_t *code, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++)
        u_code[i] = code[i];
    set_pte(u_l1, 0, mfn_of(u_code), 0x5);          /* P, U: read-only */
    set_pte(u_l1, 1, mfn_of(u_stack), 0x7);         /* P, RW, U */
    set_pte(u_l2, (USER_VA >> 21) & 511, mfn_of(u_l1), 0x7);
    set_pte(u_l3, 0, mfn_of(u_l2), 0x7);
    set_pte(u_l4, 0, mfn_of(u_l3), 0x7);
}
