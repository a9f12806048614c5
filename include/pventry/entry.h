/*
 * include/pventry/entry.h - the entry points (entry/entry_64.S) and what
 * the C side of entry offers the rest of the kernel.
 */
#ifndef PVENTRY_ENTRY_H
#define PVENTRY_ENTRY_H

#include <pventry/kernel.h>
#include <pventry/ptregs.h>
#include <pventry/xen.h>

#define DECLARE_ENTRY(name) extern char entry_##name[]
DECLARE_ENTRY(DE); DECLARE_ENTRY(DB); DECLARE_ENTRY(NMI); DECLARE_ENTRY(BP);
DECLARE_ENTRY(OF); DECLARE_ENTRY(BR); DECLARE_ENTRY(UD); DECLARE_ENTRY(NM);
DECLARE_ENTRY(DF); DECLARE_ENTRY(CSO); DECLARE_ENTRY(TS); DECLARE_ENTRY(NP);
DECLARE_ENTRY(SS); DECLARE_ENTRY(GP); DECLARE_ENTRY(PF); DECLARE_ENTRY(SPV);
DECLARE_ENTRY(MF); DECLARE_ENTRY(AC); DECLARE_ENTRY(MC); DECLARE_ENTRY(XM);
DECLARE_ENTRY(VE); DECLARE_ENTRY(CP); DECLARE_ENTRY(R22); DECLARE_ENTRY(R23);
DECLARE_ENTRY(R24); DECLARE_ENTRY(R25); DECLARE_ENTRY(R26); DECLARE_ENTRY(R27);
DECLARE_ENTRY(HV); DECLARE_ENTRY(VC); DECLARE_ENTRY(SX); DECLARE_ENTRY(R31);
DECLARE_ENTRY(INT80);
DECLARE_ENTRY(event); DECLARE_ENTRY(failsafe); DECLARE_ENTRY(nmi_cb);
DECLARE_ENTRY(syscall); DECLARE_ENTRY(syscall32); DECLARE_ENTRY(sysenter);
__attribute__((noreturn)) void restore_and_iret(void);

extern const struct trap_info trap_table[];
extern const struct callback_register callback_table[];
const char *callback_name(unsigned int type);

/* entry/traps.c: a kernel-mode entry the kernel has no use for. */
extern bool (*kernel_entry_hook)(struct pt_regs *regs);
bool hooked(struct pt_regs *regs);	/* kernel_entry_hook took it */
#ifdef CONFIG_TEST_BROKEN_HV
/* selftests/kernel/broken_hv.c: the hypervisor bug `broken=' names, played
   on every entry. */
void broken_hv_entry(struct pt_regs *regs);
uint64_t broken_hv_return(const struct pt_regs *regs, uint64_t flags);
#endif
#ifdef CONFIG_DEBUG_ENTRY
/*
 * Does the frame look like one Xen built?  Its top must be 16-byte aligned
 * (Xen rounds the stack down) and its selectors Xen's flat ones, RPL 0 for
 * kernel mode (Xen's SYSENTER frame has cs 3).  A stub that consumed the
 * bounce frame with the wrong layout (a missing error code, say) fails
 * this at once.  The usual frames pass the quick test here; the rest get
 * the full one, which panics on a wrong frame.
 */
void check_entry_frame_fully(const struct pt_regs *regs);
static inline void check_entry_frame(const struct pt_regs *regs)
{
	uint16_t cs = regs_cs_sel(regs);

	if ((((uint64_t)&regs->ss + 8) & 15) || (uint16_t)regs->ss != FLAT_KERNEL_SS ||
	    (cs != KERNEL_FRAME_CS && cs != FLAT_USER_CS64 && cs != FLAT_USER_CS32 &&
	     !(cs == 3 && regs->vector == VEC_SYSENTER)))
		check_entry_frame_fully(regs);
}
#else
static inline void check_entry_frame(const struct pt_regs *regs) { }
#endif

/*
 * The C side of every entry (do_entry, do_syscall): check the frame, let
 * `handle' deal with it, and return its HYPERVISOR_iret flags; with
 * CONFIG_TEST_BROKEN_HV, through the hypervisor bug `broken=' names.
 */
static inline uint64_t run_entry(struct pt_regs *regs, uint64_t (*handle)(struct pt_regs *))
{
	check_entry_frame(regs);
#ifdef CONFIG_TEST_BROKEN_HV
	broken_hv_entry(regs);
	return broken_hv_return(regs, handle(regs));
#else
	return handle(regs);
#endif
}

#endif
