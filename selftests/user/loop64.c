/*
 * selftests/user/loop64.c - a program that never ends: a jump to itself,
 * with a 200 ms budget.  The timer must stop it and the kernel go on.
 */
#include "ulib.h"

int main(void)
{
	sys_ctl(CTL_SET_BUDGET, 200, 0);
	asm volatile("1:\tjmp 1b");
	return 1;
}
