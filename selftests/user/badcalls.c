/*
 * selftests/user/badcalls.c - nonsense through the system-call ABI.  Every
 * call must come back with an error and the kernel must go on; last, a
 * fault with a handler whose info pointer is bad must kill only us.
 */
#include "ulib.h"

int main(void)
{
	static const long bad[] = {
		0, 0xfff, (long)0xffffffff80000000ull, (long)0x8000000000000000ull,
		USER_UNMAPPED, USER_STACK_TOP,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_eq(sys_write((const char *)bad[i], 16), -XEN_EFAULT, "write from %#lx: -EFAULT", bad[i]);
		tap_eq(sys3(SYS_tap, 1, 0, bad[i]), -XEN_EFAULT, "tap text at %#lx: -EFAULT", bad[i]);
		tap_eq(sys_ctl(CTL_LAST_FRAME, bad[i], 0), -XEN_EFAULT,
		       "CTL_LAST_FRAME into %#lx: -EFAULT", bad[i]);
		tap_eq(sys_ctl(CTL_CMDLINE, bad[i], 64), -XEN_EFAULT, "CTL_CMDLINE into %#lx: -EFAULT", bad[i]);
	}
	/* In bounds at the start, out of bounds at the end. */
	tap_eq(sys_write((const char *)USER_STACK_TOP - 8, 16), -XEN_EFAULT,
	       "write running off the end of the stack: -EFAULT");
	tap_eq(sys_write((const char *)USER_IMAGE_BASE, ~0ul), -XEN_EFAULT, "write of ~0 bytes: -EFAULT");
	tap_eq(sys3(12345, 0, 0, 0), -XEN_ENOSYS, "system call 12345: -ENOSYS");
	tap_eq(sys3(-1, 0, 0, 0), -XEN_ENOSYS, "system call -1: -ENOSYS");
	tap_eq(sys_ctl(999, 0, 0), -XEN_ENOSYS, "SYS_ctl 999: -ENOSYS");
	tap(sys_ctl(CTL_UNREGISTER, 42, 0) < 0, "CTL_UNREGISTER of entry 42: an error");
	/* Xen refuses a DR7 that would let the guest own the debug registers
	   (GD), and a breakpoint on its own memory. */
	tap_eq(sys_ctl(CTL_SET_DR, 7, 1 << 13), -XEN_EPERM, "set_debugreg(7, GD): -EPERM");
	tap_eq(sys_ctl(CTL_SET_DR, 0, (long)0xffff800000000000ull), -XEN_EPERM,
	       "set_debugreg(0, a hypervisor address): -EPERM");
	tap_eq(sys_ctl(CTL_SET_DR, 7, 1ull << 32), -XEN_EINVAL, "set_debugreg(7, bit 32): -EINVAL");
	tap_eq(sys_ctl(CTL_SET_DR, 9, 0), -XEN_ENODEV, "set_debugreg(9): -ENODEV");
	sys_ctl(CTL_SET_DR, 7, 0);

	/* A handler whose fault_info pointer is the kernel's: the fault kills us. */
	sys3(SYS_set_handler, USER_IMAGE_BASE, (long)0xffffffff80000000ull, USER_STACK_TOP - 64);
	asm volatile("ud2");
	tap(false, "badcalls survived a fault with a bad handler");
	return 1;
}
