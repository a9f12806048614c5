/*
 * selftests/include/selftests/abi.h - what the selftest programs and the
 * kernel-side selftests agree on: the system calls the selftests register
 * (on top of the kernel's own, <uapi/pventry.h>), the test controls, the
 * frame record they hand back, and the known emulator deviations.
 * Compiled as kernel, 64-bit user and compat user code: fixed-width types
 * only.
 */
#ifndef SELFTESTS_ABI_H
#define SELFTESTS_ABI_H

#include <pventry/vectors.h>

/*
 * Where the error-code probe stub (REG_EC_PROBE) reports a frame that
 * carried an error code: the vector becomes VEC_EC_PUSHED | vector.
 * Without one it is the vector itself, with error code 0.
 */
#define VEC_EC_PUSHED   0x200

#ifndef __ASSEMBLY__	/* the rest is C */
#include <stdint.h>
#include <uapi/pventry.h>

/* System calls the selftests register (selftests/kernel/syscalls.c). */
enum {
	SYS_tap         = 2,	/* (ok, deviation, text): one TAP check; returns ok */
	SYS_nop         = 4,	/* (): returns SYS_NOP_MAGIC, touches nothing */
	SYS_ctl         = 5,	/* (op, arg, arg2): test controls, below */
};

#define SYS_NOP_MAGIC 0x5c5c5c5cu

/* SYS_ctl operations */
enum {
	CTL_CMDLINE     = 0,	/* (buf, len): copy the kernel command line,
				   then " xen=" and the hypervisor's version */
	CTL_UNREGISTER  = 1,	/* (entry): remove one entry point, see EP_* */
	CTL_RESTORE     = 2,	/* (): register every entry point again */
	CTL_LAST_FRAME  = 3,	/* (struct delivered_frame *): the frame of the
				   previous system call, as Xen delivered it */
	CTL_EVENT_ON_RETURN = 4,/* (): make an event pending, delivered as
				   this call returns to user mode */
	CTL_EVENT_FRAME = 5,	/* (struct delivered_frame *): that event's frame */
	CTL_RETURN_TO   = 6,	/* (rip): return from this call to rip */
	CTL_SET_DR      = 7,	/* (reg, value): user_set_debugreg, i.e.
				   HYPERVISOR_set_debugreg for user addresses */
	CTL_GET_DR      = 8,	/* (reg): HYPERVISOR_get_debugreg(reg) */
	CTL_FPU_TS      = 9,	/* (set): HYPERVISOR_fpu_taskswitch */
	CTL_REGISTER    = 10,	/* (entry, REG_* flags): register one entry
				   point (EP_* or EP_TRAP(v)) differently;
				   CTL_RESTORE undoes it */
	CTL_SET_RCX_R11 = 11,	/* (rcx, r11): this call's frame rcx/r11 slots
				   (a full iret restores them, SYSRET not) */
	CTL_LIVE_FLAGS  = 12,	/* (): %rflags as the live-flags probe stub's
				   first instruction saw them */
	CTL_BENCH_FLOOR = 13,	/* (path): register the floor handler for one
				   entry path, see FLOOR_*; CTL_RESTORE ends it */
	CTL_SET_BUDGET  = 14,	/* (ms): this program's time budget, from now */
	CTL_TIMER_WATCH = 15,	/* (struct timer_stats *): the kernel keeps it
				   up to date on every timer tick */
	CTL_CRASHME_PLAN = 16,	/* (struct crashme_plan *): what to run */
	CTL_CRASHME     = 17,	/* (struct crashme_input *): the next input;
				   the kernel keeps a copy (for a panic report
				   and to resume after it) and gives it
				   CRASHME_INPUT_MS; -EINVAL if it is not a
				   later iteration of the plan */
	NR_CTL
};

/*
 * make bench's floors: a minimal handler (selftests/kernel/bench_floor.S)
 * registered in place of pventry's for one path, doing only what the PV
 * ABI forces.  While one is registered, the program must make its other
 * calls through a different path.
 */
enum {
	FLOOR_SYSCALL   = 0,	/* 64-bit SYSCALL: back with VGCF_in_syscall */
	FLOOR_INT80     = 1,	/* INT $0x80, 64-bit or compat */
	FLOOR_USER_BP   = 2,	/* #BP from user mode, sent to the program's
				   handler with fault_info's rip and rsp */
	FLOOR_SYSCALL32 = 3,	/* compat SYSCALL (AMD): VGCF_in_syscall */
	FLOOR_SYSENTER  = 4,	/* compat SYSENTER (Intel): rip/rsp from edx/ecx */
};

/*
 * crashme (selftests/user/crashme.c, selftests/kernel/crashme.c): inputs
 * first .. end - 1 of the generator seeded with `seed'.  An input that
 * ends the program (an exit, a kill, its time) makes the kernel start it
 * again from the next one.
 */
struct crashme_plan {
	uint64_t seed, first, end;
};

struct crashme_input {
	uint64_t iteration;
	uint32_t kind, len;	/* what the bytes are (crashme.c), how many */
	uint64_t rflags, rsp;
	uint8_t bytes[32];
};

#define CRASHME_INPUT_MS 50

/* Timer ticks seen while one program ran (CTL_TIMER_WATCH). */
struct timer_stats {
	uint64_t ticks;		/* all of them */
	uint64_t user_ticks;	/* the upcall interrupted user mode */
	uint64_t return_ticks;	/* ... at the rip a system call returned to:
				   it came while the kernel ran the call and
				   was delivered on the way back */
	uint64_t kernel_ticks;	/* the upcall interrupted kernel mode */
};

/* CTL_REGISTER flags */
#define REG_MASK        1	/* CALLBACKF_mask_events / the trap table's
				   mask flag (TI_SET_IF) */
#define REG_LIVE_FLAGS  2	/* through a stub that first saves the live
				   %rflags (CTL_LIVE_FLAGS), then the usual one */
#define REG_EC_PROBE    4	/* trap vector: a stub that tells from the
				   frame's size whether it has an error code */
#define REG_DPL(n)      ((n) << 4)	/* trap vector: its vDPL */

/* CTL_UNREGISTER targets: entry points */
enum {
	EP_SYSCALL   = 0,
	EP_SYSCALL32 = 1,
	EP_SYSENTER  = 2,
	EP_INT80     = 3,
};
#define EP_TRAP(v)   (0x100 + (v))	/* CTL_REGISTER: trap-table vector v */

/*
 * Known deviations: an emulator that does not do what the architecture
 * says, or a hypervisor build that breaks the ABI.  A check that may hit
 * one is still run and still asserts the ABI's result; only where the
 * deviation applies is its failure reported as "not ok ... # TODO known
 * emulator deviation: <why>" or "... # TODO known Xen deviation: <why>"
 * (TAP: not a failure); everywhere else it is an ordinary failure.  The
 * emulator is the one the runner names on the command line
 * (emu=qemu-10.0.2); the hypervisor is the one the kernel reads through
 * XENVER_version and XENVER_extraversion.  Each <why> is also a row of
 * Documentation/findings.md, and the runner holds them to that.  User
 * programs name one with SYS_tap.
 */
enum known_deviation {
	DEV_NONE,
	DEV_QEMU_NO_SSE_XM,		/* SSE FP exceptions never raise #XM */
	DEV_QEMU_INTO_64,		/* INTO in 64-bit mode does not #UD */
	DEV_QEMU_MOVSS_DB,		/* MOV SS shadow not modelled for data breakpoints */
	DEV_QEMU_WRFSBASE,		/* non-canonical WRFSBASE does not #GP */
	DEV_QEMU_NONCANON_SS,		/* non-canonical stack access: #GP, not #SS */
	DEV_QEMU_NO_AC,			/* no alignment checking: #AC never raised */
	DEV_QEMU_SYSENTER_AMD,		/* SYSENTER in long mode runs on AMD, no #UD */
	DEV_BOCHS_IRET_LDT_SEL,		/* IRETQ to ring 3 nulls a selector whose LDT is gone */
	DEV_XEN_FRED_SYSRET_RCX,	/* FRED: VGCF_in_syscall leaves the old rcx/r11 */
	DEV_XEN_KERNEL_SOFTINT,		/* IDT: kernel-mode INT $N refused at vDPL 1-3 */
};

/* A kernel entry frame as Xen delivered it (before the kernel touched it). */
struct delivered_frame {
	uint32_t vector;	/* pventry's entry vector (0x80, 0x102...) */
	uint8_t sysret;		/* system call: returned with VGCF_in_syscall */
	uint8_t events_masked;	/* events were masked when the kernel's
				   handler began (evtchn_upcall_mask) */
	uint16_t pad;
	uint64_t rcx, r11;	/* the bounce frame's rcx/r11 slots */
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t frame_addr;	/* where on the kernel stack Xen put it */
	uint64_t kernel_stack_top;	/* the stack given to stack_switch */
	uint64_t kernel_text;	/* kernel code every return to user mode runs */
};

/* A word both debug-register programs (dr_leave, dr_clean) use: the last
   page of the image area, zero in every program. */
#define DR_WATCH_ADDR (USER_IMAGE_BASE + (USER_IMAGE_PAGES - 1) * 4096u)

/*
 * The selftests register trap-table vectors 0x20..0xff (not 0x80) with a
 * vDPL that varies with N, leaving some without a handler, so INT $N meets
 * every case, from kernel and from user mode alike.
 * Returns the vDPL, -1 for "no handler", -2 for "the real trap table's".
 */
static inline int softint_test_dpl(unsigned int n)
{
	if (n < 0x20 || n == 0x80)
		return -2;
	if (n % 5 == 4)
		return -1;
	return n % 4;
}

#endif /* __ASSEMBLY__ */

#endif
