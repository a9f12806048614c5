/* selftests/user/kill_pf.c - no fault handler, reads kernel memory. */
#include "ulib.h"

int main(void)
{
	(void)*(volatile long *)0xffffffff80000000ull;
	tap(false, "kill_pf read kernel memory");
	return 1;
}
