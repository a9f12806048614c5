/*
 * selftests/user/entry64.c - 64-bit user mode: what changes with how an
 * entry point is registered.  Events masked or not on entry (each
 * callback and trap-table entry with and without its mask flag), SYSRET
 * against a full iret, DF around SYSCALL, INT $N into an exception vector
 * that has an error code, a prefixed INT $N, and INT $0x80's direct path.
 *
 * Every expectation is a value this program knows on its own: its labels,
 * the flags it read right before the instruction, the values it asked the
 * kernel to put in the frame.
 */
#include "ulib.h"

/* What CTL_SET_RCX_R11 writes into the frame's rcx/r11 slots. */
#define SET_RCX 0x1111222233334444ull
#define SET_R11 0x5555666677778888ull

struct seen {
	uint64_t fl;		/* %rflags right before the instruction */
	uint64_t ret;		/* the address after it */
	uint64_t rcx, r11;	/* as user mode saw them after it */
	long ax;
};

/*
 * SYS_ctl(CTL_SET_RCX_R11, SET_RCX, SET_R11) through SYSCALL or INT $0x80:
 * a full iret restores rcx/r11 from those slots, SYSRET loads them with
 * the return rip and rflags.
 */
static void set_rcx_r11_via_syscall(struct seen *s)
{
	register uint64_t r11 asm("r11");
	register long di asm("rdi") = CTL_SET_RCX_R11, si asm("rsi") = SET_RCX, dx asm("rdx") = SET_R11;

	s->ax = SYS_ctl;
	asm volatile("pushf\n\t"
		     "pop %[fl]\n\t"
		     "lea 1f(%%rip), %[ret]\n\t"	/* lea, mov: flags unchanged */
		     "syscall\n"
		     "1:"
		     : [fl] "=&r"(s->fl), [ret] "=&r"(s->ret), "+a"(s->ax), "=c"(s->rcx), "=r"(r11),
		       "+r"(di), "+r"(si), "+r"(dx)
		     : : "memory", "cc");
	s->r11 = r11;
}

static void set_rcx_r11_via_int80(struct seen *s)
{
	register uint64_t r11 asm("r11") = 0;
	register long di asm("rdi") = CTL_SET_RCX_R11, si asm("rsi") = SET_RCX, dx asm("rdx") = SET_R11;

	s->ax = SYS_ctl;
	s->rcx = 0;
	asm volatile("pushf\n\t"
		     "pop %[fl]\n\t"
		     "lea 1f(%%rip), %[ret]\n\t"
		     "int $0x80\n"
		     "1:"
		     : [fl] "=&r"(s->fl), [ret] "=&r"(s->ret), "+a"(s->ax), "+c"(s->rcx), "+r"(r11),
		       "+r"(di), "+r"(si), "+r"(dx)
		     : : "memory", "cc");
	s->r11 = r11;
}

#define NORF(x) ((uint64_t)(x) & ~(uint64_t)X86_EFLAGS_RF)

/*
 * SYSCALL: the frame holds the user's rip and rflags (also in its rcx/r11
 * slots, where SYSCALL put them), and the kernel returns with
 * VGCF_in_syscall.  That return must be SYSRET-style: rcx = rip and
 * r11 = rflags in user mode, whatever the frame's slots say.
 */
static void test_sysret(void)
{
	struct seen s;
	struct delivered_frame f;

	set_rcx_r11_via_syscall(&s);
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	tap_eq(s.ax, 0, "SYSCALL 64: CTL_SET_RCX_R11 returned 0");
	tap_eq(f.rip, s.ret, "SYSCALL 64: frame %%rip is the return address");
	tap_eq(NORF(f.rflags), NORF(s.fl), "SYSCALL 64: frame %%rflags = the user's, read just before");
	tap_eq(f.rcx, s.ret, "SYSCALL 64: frame rcx slot = the return address (SYSCALL put it there)");
	tap_eq(NORF(f.r11), NORF(s.fl), "SYSCALL 64: frame r11 slot = the user's rflags, read just before");
	if (!tap_dev(s.rcx == s.ret, DEV_XEN_FRED_SYSRET_RCX,
		     "VGCF_in_syscall: user rcx = return rip, though the frame's rcx slot was changed"))
		diag("  got %#llx, want %#llx (the slot held %#llx)", (unsigned long long)s.rcx,
		     (unsigned long long)s.ret, SET_RCX);
	if (!tap_dev(NORF(s.r11) == NORF(s.fl), DEV_XEN_FRED_SYSRET_RCX,
		     "VGCF_in_syscall: user r11 = rflags, though the frame's r11 slot was changed"))
		diag("  got %#llx, want %#llx (the slot held %#llx)", (unsigned long long)s.r11,
		     (unsigned long long)s.fl, SET_R11);

	set_rcx_r11_via_int80(&s);
	tap_eq(s.ax, 0, "INT $0x80 64: CTL_SET_RCX_R11 returned 0");
	tap_eq(s.rcx, SET_RCX, "full iret (INT $0x80): user rcx = the frame's rcx slot");
	tap_eq(s.r11, SET_R11, "full iret (INT $0x80): user r11 = the frame's r11 slot");
}

/*
 * The same SYSRET return with an event pending (CTL_EVENT_ON_RETURN sends
 * one while the kernel has events masked): the hypervisor delivers it on
 * the way out, before user mode runs, and the kernel returns to user mode
 * through the event's frame.  User mode must still see rcx = rip and
 * r11 = rflags, as if the SYSRET had finished.
 */
static void test_event_on_sysret(void)
{
	struct delivered_frame f;
	struct seen s;
	register uint64_t r11 asm("r11");
	register long di asm("rdi") = CTL_EVENT_ON_RETURN;

	s.ax = SYS_ctl;
	asm volatile("stc\n\t"			/* flags the kernel's own are unlikely to match */
		     "pushf\n\t"
		     "pop %[fl]\n\t"
		     "lea 1f(%%rip), %[ret]\n\t"
		     "syscall\n"
		     "1:"
		     : [fl] "=&r"(s.fl), [ret] "=&r"(s.ret), "+a"(s.ax), "=c"(s.rcx), "=r"(r11), "+r"(di)
		     : : "rsi", "rdx", "memory", "cc");
	s.r11 = r11;
	tap_eq(s.ax, 0, "SYSRET with an event pending: CTL_EVENT_ON_RETURN returned 0");
	sys_ctl(CTL_EVENT_FRAME, (long)&f, 0);
	if (!tap_eq(f.vector, VEC_EVENT, "SYSRET with an event pending: the event came on the way out"))
		return;
	tap_eq(f.rip, s.ret, "SYSRET with an event pending: event frame %%rip is the return address");
	if (!tap_dev(s.rcx == s.ret, DEV_XEN_FRED_SYSRET_RCX,
		     "SYSRET with an event pending: user rcx = return rip"))
		diag("  got %#llx, want %#llx", (unsigned long long)s.rcx, (unsigned long long)s.ret);
	if (!tap_dev(NORF(s.r11) == NORF(s.fl), DEV_XEN_FRED_SYSRET_RCX,
		     "SYSRET with an event pending: user r11 = rflags"))
		diag("  got %#llx, want %#llx", (unsigned long long)s.r11, (unsigned long long)s.fl);
}

/* SYS_nop through SYSCALL or INT $0x80; then the frame record of that call. */
static long nop_via(bool syscall, struct delivered_frame *f)
{
	long ax = SYS_nop;

	if (syscall)
		asm volatile("syscall" : "+a"(ax) : : "rcx", "r11", "memory");
	else
		asm volatile("int $0x80" : "+a"(ax) : : "memory");
	sys_ctl(CTL_LAST_FRAME, (long)f, 0);
	return ax;
}

/*
 * Events masked on entry: user mode runs unmasked, so the mask the
 * handler finds is the entry's doing: CALLBACKF_mask_events for the
 * syscall callback, the mask flag for the INT $0x80 trap-table entry.
 */
static void test_masking(void)
{
	static const struct { int ep; bool syscall; const char *what; } paths[] = {
		{ EP_SYSCALL, true, "SYSCALL 64 (syscall callback)" },
		{ EP_INT80, false, "INT $0x80 64 (trap table, vDPL 3)" },
	};
	unsigned int i, mask;

	for (i = 0; i < 2; i++)
		for (mask = 0; mask < 2; mask++) {
			struct delivered_frame f;
			long rc = sys_ctl(CTL_REGISTER, paths[i].ep, (mask ? REG_MASK : 0) | REG_DPL(3));

			tap_eq(rc, 0, "%s registered %s the mask flag", paths[i].what, mask ? "with" : "without");
			tap_eq(nop_via(paths[i].syscall, &f), SYS_NOP_MAGIC, "%s, %s mask flag: the call completes",
			       paths[i].what, mask ? "with" : "no");
			tap_eq(f.events_masked, mask, "%s, %s mask flag: events %s in the handler",
			       paths[i].what, mask ? "with" : "no", mask ? "masked" : "unmasked");
			tap_eq((uint8_t)(f.cs >> 32), 0, "%s, %s mask flag: saved event mask 0",
			       paths[i].what, mask ? "with" : "no");
			sys_ctl(CTL_RESTORE, 0, 0);
		}
}

/*
 * DF around SYSCALL.  Registered: the frame's r11 slot keeps the user's
 * flags, DF set.  Under IDT Xen leaves DF alone, in the frame's rflags
 * and live when the handler's first instruction runs; under FRED it
 * clears it in both.  Unregistered: the #UD Xen makes keeps DF in the
 * frame (since Xen 4.17.5), and live.  A stub must `cld'.
 */
static void test_df(void)
{
	struct delivered_frame f;
	long ax = SYS_nop, live;
	bool fred = expect_fred();
	const char *mode = fred ? "FRED: cleared" : "IDT: left alone";

	sys_ctl(CTL_REGISTER, EP_SYSCALL, REG_MASK | REG_LIVE_FLAGS);
	asm volatile("std\n\tsyscall\n\tcld" : "+a"(ax) : : "rcx", "r11", "memory", "cc");
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);	/* first: the record of the SYSCALL */
	live = sys_ctl(CTL_LIVE_FLAGS, 0, 0);
	sys_ctl(CTL_RESTORE, 0, 0);
	tap_eq(ax, SYS_NOP_MAGIC, "SYSCALL with DF set: the call completes");
	diag("SYSCALL with DF set: frame rflags %#llx, r11 slot %#llx, live rflags %#lx",
	     (unsigned long long)f.rflags, (unsigned long long)f.r11, live);
	tap(f.r11 & X86_EFLAGS_DF, "SYSCALL with DF set: frame r11 slot keeps the user's DF");
	tap(!(f.rflags & X86_EFLAGS_DF) == fred, "SYSCALL with DF set: frame rflags DF %s (%s)",
	    fred ? "clear" : "set", mode);
	tap(!(live & X86_EFLAGS_DF) == fred, "SYSCALL with DF set: DF %s live in the handler (%s)",
	    fred ? "clear" : "set", mode);

	sys_ctl(CTL_UNREGISTER, EP_SYSCALL, 0);
	sys_ctl(CTL_REGISTER, EP_TRAP(X86_EXC_UD), REG_MASK | REG_LIVE_FLAGS);
	fault_log_clear();
	ax = SYS_nop;
	asm volatile("std\n"
		     "1:\tsyscall\n"
		     "2:\tcld\n"
		     UEXTABLE(1b, 2b)
		     : "+a"(ax) : : "rcx", "r11", "memory", "cc");
	live = sys_ctl(CTL_LIVE_FLAGS, 0, 0);
	sys_ctl(CTL_RESTORE, 0, 0);
	if (tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_UD,
		"SYSCALL unregistered with DF set: #UD")) {
		tap(fault_log[0].rflags & X86_EFLAGS_DF, "SYSCALL unregistered with DF set: frame keeps DF");
		if (!tap(live & X86_EFLAGS_DF, "SYSCALL unregistered with DF set: DF still set in the "
			 "#UD handler (its stub must cld)"))
			diag("  live rflags %#lx", live);
	}
}

/*
 * INT $N into a vector whose exception has an error code (#PF, given
 * vDPL 3 for the test): the frame has none.  The probe stub tells by the
 * frame's size.
 */
static void test_int_into_ec_vector(void)
{
	struct uprobe r = { 0 };
	long rc = sys_ctl(CTL_REGISTER, EP_TRAP(X86_EXC_PF), REG_EC_PROBE | REG_MASK | REG_DPL(3));

	fault_log_clear();
	if (!rc)
		UPROBE(r, "int $0x0e");
	sys_ctl(CTL_RESTORE, 0, 0);
	tap_eq(rc, 0, "INT $0x0e at vDPL 3: #PF's entry re-registered");
	if (tap_eq(fault_log_n, 1, "INT $0x0e at vDPL 3: delivered once")) {
		tap_eq(fault_log[0].vector, X86_EXC_PF,
		       "INT $0x0e at vDPL 3: the frame has no error code (%#x: it had one)",
		       VEC_EC_PUSHED | X86_EXC_PF);
		tap_eq(fault_log[0].rip, r.end, "INT $0x0e at vDPL 3: %%rip after the instruction");
		tap_eq(NORF(fault_log[0].rflags), NORF(r.fl), "INT $0x0e at vDPL 3: %%rflags");
	}
}

/*
 * A permitted INT $N with a redundant prefix (3e cd 23; vector 0x23 has
 * vDPL 3): Xen 4.17's IDT delivery resumes at start + 2, the unprefixed
 * length, which is inside the instruction; FRED, and IDT delivery since
 * Xen 4.22 (which decodes the instruction), after it.
 */
static void test_prefixed_int(void)
{
	struct uprobe r = { 0 };
	bool fred = expect_fred();
	bool after = fred || xen_at_least(4, 22);
	uintptr_t inside;

	fault_log_clear();
	UPROBE(r, ".byte 0x3e, 0xcd\n3:\t.byte 0x23\n" UEXTABLE(3b, 2f));
	inside = r.start + 2;
	if (tap_eq(fault_log_n, 1, "INT $0x23 with a ds: prefix (vDPL 3): delivered once")) {
		tap_eq(fault_log[0].vector, 0x23, "INT $0x23, prefixed: vector 0x23");
		diag("INT $0x23, prefixed: %%rip = start %+ld", (long)(fault_log[0].rip - r.start));
		tap_eq(fault_log[0].rip, after ? r.end : inside, "INT $0x23, prefixed: %%rip %s (%s delivery)",
		       after ? "after the instruction" : "at start + 2, inside the instruction",
		       fred ? "FRED" : "IDT");
	}
}

/*
 * INT $0x80 with a trap-table address, registered at vDPL 0 and without
 * the mask flag: IDT delivery takes its direct path (the gate is DPL 3 in
 * Xen's own IDT) and ignores the vDPL, events stay unmasked; FRED checks
 * the vDPL like any INT $N: #GP(0x80 * 8 + 2) at the instruction.
 */
static void test_int80_direct(void)
{
	struct uprobe r = { .ax = SYS_nop };
	struct delivered_frame f;
	bool fred = expect_fred();

	ulib_path = PATH_SYSCALL;	/* our own calls: INT $0x80 may #GP now */
	tap_eq(sys_ctl(CTL_REGISTER, EP_INT80, REG_DPL(0)), 0, "INT $0x80 registered at vDPL 0, no mask flag");
	fault_log_clear();
	UPROBE(r, "int $0x80");
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	sys_ctl(CTL_RESTORE, 0, 0);
	ulib_path = PATH_INT80;
	if (fred) {
		check_fault("INT $0x80 at vDPL 0 (FRED): #GP(0x402)", &r, X86_EXC_GP, 0x402, XEN_FAULT, 0);
		return;
	}
	tap(fault_log_n == 0 && r.ax == SYS_NOP_MAGIC,
	    "INT $0x80 at vDPL 0 (IDT): delivered anyway, the call completes");
	tap_eq(f.vector, 0x80, "INT $0x80 at vDPL 0 (IDT): through the INT $0x80 entry");
	tap_eq(f.events_masked, 0, "INT $0x80 at vDPL 0 (IDT), no mask flag: events unmasked in the handler");
}

int main(void)
{
	fault_init();
	diag("entry64: 64-bit user mode on %s, expecting %s delivery", cpu_is_intel() ? "Intel" : "AMD",
	     expect_fred() ? "FRED" : "IDT");
	test_sysret();
	test_event_on_sysret();
	test_masking();
	test_df();
	test_int_into_ec_vector();
	test_prefixed_int();
	test_int80_direct();
	return 0;
}
