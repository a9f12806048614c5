/*
 * selftests/user/rip0.c - a jump to address 0.  Nothing is ever mapped
 * there (<uapi/pventry.h>: programs start at USER_IMAGE_BASE), so this
 * cannot become a loop at rip 0: the fetch faults and the program dies.
 */
#include "ulib.h"

int main(void)
{
	asm volatile("jmp *%0" : : "r"(0L));
	return 1;
}
