/* selftests/user/kill_ud.c - no fault handler, then #UD: the kernel must
   kill this program with a report and go on. */
#include "ulib.h"

int main(void)
{
	asm volatile("ud2");
	tap(false, "kill_ud survived its #UD");
	return 1;
}
