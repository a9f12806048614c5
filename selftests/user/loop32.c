/*
 * selftests/user/loop32.c - a compat program that never ends, making
 * system calls as it goes (so most ticks come while the kernel runs with
 * events masked, and reach it on the way back), with a 200 ms budget.
 * The timer must stop it and the kernel go on.
 */
#include "ulib.h"

int main(void)
{
	sys_ctl(CTL_SET_BUDGET, 200, 0);
	for (;;)
		sys3(SYS_nop, 0, 0, 0);
}
