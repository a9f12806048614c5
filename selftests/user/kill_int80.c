/* selftests/user/kill_int80.c - compat, no fault handler: INT $0x80 with the
   trap-table entry removed is #GP(0x402), which kills the program. */
#include "ulib.h"

int main(void)
{
	ulib_path = PATH_INT80;
	sys_ctl(CTL_UNREGISTER, EP_INT80, 0);
	asm volatile("int $0x80" : : "a"(SYS_nop) : "memory");
	return 1;
}
