/*
 * selftests/user/dr_clean.c - runs right after dr_leave, which exited
 * with a write breakpoint on DR_WATCH_ADDR, CR0.TS set and a changed FPU
 * control state.  A program starts with none of that.
 */
#include "ulib.h"

int main(void)
{
	volatile uint64_t *watch = (volatile uint64_t *)DR_WATCH_ADDR;
	uint16_t cw = 0;
	uint32_t mxcsr = 0;
	unsigned int i;

	fault_init();
	fault_log_clear();
	/* First: the FPU (a #NM here would be a fault we did not expect). */
	asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(cw), "=m"(mxcsr));
	tap_eq(fault_log_n, 0, "FPU and SSE usable: CR0.TS clear at start (no #NM)");
	tap_eq(cw, 0x037f, "x87 control word at its FNINIT value");
	tap_eq(mxcsr, 0x1f80, "MXCSR at its reset value");
	*watch = 1;
	tap_eq(fault_log_n, 0, "a write to DR_WATCH_ADDR: no #DB (the last program's breakpoint is gone)");
	tap_eq(sys_ctl(CTL_GET_DR, 7, 0) & 0xff, 0, "DR7 enables nothing (L0-L3, G0-G3 clear)");
	for (i = 0; i < 4; i++)
		tap_eq(sys_ctl(CTL_GET_DR, i, 0), 0, "DR%u is 0", i);
	return 0;
}
