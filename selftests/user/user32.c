/*
 * selftests/user/user32.c - compat (32-bit) user mode: exceptions, INT $N,
 * and the compat entry paths: INT $0x80 always, SYSCALL on AMD (the
 * syscall32 callback), SYSENTER on Intel (the sysenter callback), each
 * registered and not.  The other vendor's instruction is #UD in hardware.
 */
#include "ulib.h"

void run_exception_tests(void);

/* eax = SYS_nop, every other register poisoned, then `insn'; out[]: eax
   ebx ecx edx esi edi ebp, [7] = the address after insn. */
#define POISON32(n) (0x3c3c0000u | (n))
#define RT32(name, setup, insn)					\
	asm(".pushsection .text\n"					\
	    #name ":\n"							\
	    "push %ebx; push %esi; push %edi; push %ebp\n"		\
	    "mov $4, %eax\n"						\
	    "mov $0x3c3c0002, %ebx\n"					\
	    "mov $0x3c3c0003, %ecx\n"					\
	    "mov $0x3c3c0004, %edx\n"					\
	    "mov $0x3c3c0005, %esi\n"					\
	    "mov $0x3c3c0006, %edi\n"					\
	    "mov $0x3c3c0007, %ebp\n"					\
	    setup "\n"							\
	    "0: " insn "\n"						\
	    "1: push %edi\n"						\
	    "mov 24(%esp), %edi\n"	/* out: 4 saved + pushed edi + ret */ \
	    "mov %eax, 0(%edi); mov %ebx, 4(%edi); mov %ecx, 8(%edi)\n"	\
	    "mov %edx, 12(%edi); mov %esi, 16(%edi)\n"			\
	    "pop %eax; mov %eax, 20(%edi)\n"				\
	    "mov %ebp, 24(%edi); movl $1b, 28(%edi)\n"			\
	    "pop %ebp; pop %edi; pop %esi; pop %ebx\n"			\
	    "ret\n"							\
	    UEXTABLE(0b, 1b)	/* #UD from the other vendor's instruction */ \
	    ".popsection");						\
	void name(uint32_t out[8])

RT32(rt_int80, "", "int $0x80");
RT32(rt_syscall32, "", "syscall");
/* SYSENTER by our convention: edx = return eip, ecx = esp. */
RT32(rt_sysenter, "mov %esp, %ecx\n mov $1f, %edx", "sysenter");

static const char *const names32[7] = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp" };

static void check_rt(const char *what, const uint32_t out[8], unsigned int clobbered)
{
	unsigned int i, bad = 0;

	tap_eq(out[0], SYS_NOP_MAGIC, "%s: SYS_nop returned its magic in eax", what);
	for (i = 1; i < 7; i++) {
		if (clobbered & (1u << i))
			continue;
		if (out[i] != POISON32(i + 1)) {
			diag("  %s = %#x, want %#x", names32[i], out[i], POISON32(i + 1));
			bad++;
		}
	}
	tap(!bad, "%s: every register the ABI preserves is preserved", what);
}

/* f: CTL_LAST_FRAME taken right after the call, before any other. */
static void check_frame32(const char *what, const struct delivered_frame *fp, unsigned int vector,
			  uint64_t rip, uint16_t cs, uint64_t rsp)
{
	struct delivered_frame f = *fp;
	tap_eq(f.vector, vector, "%s: entered through %#x", what, vector);
	tap_eq(f.rip, rip, "%s: frame %%rip", what);
	tap_eq((uint16_t)f.cs, cs, "%s: frame %%cs", what);
	if (rsp != ~0ull)
		tap_eq(f.rsp, rsp, "%s: frame %%rsp", what);
	tap_eq(f.frame_addr, f.kernel_stack_top & ~15ull, "%s: frame at the top of the stack_switch stack", what);
}


/* Run `rt' expecting #UD from the hardware (the other vendor's instruction). */
static void hw_ud(const char *what, void (*rt)(uint32_t *), int dev)
{
	uint32_t out[8];

	fault_log_clear();
	rt(out);
	if (!tap_dev(fault_log_n == 1 && fault_log[0].vector == X86_EXC_UD, dev, "%s: #UD from the hardware", what))
		diag("  %u faults (vector %u); eax after: %#x", fault_log_n, fault_log[0].vector, out[0]);
}

static void test_registered(bool intel)
{
	uint32_t out[8];
	struct delivered_frame f;

	rt_int80(out);
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	check_rt("INT $0x80 compat", out, 0);
	check_frame32("INT $0x80 compat", &f, 0x80, out[7], FLAT_USER_CS32, ~0ull);

	if (intel) {
		hw_ud("SYSCALL compat on Intel", rt_syscall32, 0);
		rt_sysenter(out);
		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
		/* ecx and edx carry esp and the return eip, by our convention. */
		check_rt("SYSENTER compat", out, (1u << 2) | (1u << 3));
		tap_eq(out[3], out[7], "SYSENTER compat: edx still holds the return eip");
		/* Xen's SYSENTER frame: rip 0, cs 3, rsp 0, the user's ss. */
		check_frame32("SYSENTER compat (Xen's null frame)", &f, VEC_SYSENTER, 0, 3, 0);
		tap_eq((uint16_t)f.ss, FLAT_USER_SS32, "SYSENTER compat: frame %%ss is the user's");
	} else {
		rt_syscall32(out);
		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
		check_rt("SYSCALL compat", out, 1u << 2);	/* ecx = return eip */
		check_frame32("SYSCALL compat", &f, VEC_SYSCALL32, out[7], FLAT_USER_CS32, ~0ull);
		hw_ud("SYSENTER compat on AMD", rt_sysenter, DEV_QEMU_SYSENTER_AMD);
	}
}

static void unreg(const char *what, int entry, unsigned int vec, uint32_t ec, bool null_rip,
		  enum upath ctl)
{
	struct uprobe r = { .ax = SYS_nop };
	bool fred = expect_fred();

	sys_ctl(CTL_UNREGISTER, entry, 0);
	ulib_path = ctl;
	fault_log_clear();
	if (entry == EP_INT80) {
		UPROBE(r, "int $0x80");
	} else if (entry == EP_SYSCALL32) {
		UPROBE(r, "syscall");
	} else {
		/*
		 * Xen's #GP for an unregistered SYSENTER has rip 0 and rsp 0:
		 * resume at label 4, which takes back the stack saved in 5.
		 */
		static uint32_t saved_esp;

		fault_fixup_any = 0;
		asm volatile("movl $4f, fault_fixup_any\n\t"
			     "mov %%esp, %[save]\n\t"
			     "push %%ebp\n\tmov %%esp, %%ecx\n\tmov $3f, %%edx\n\t"
			     "sysenter\n"
			     "3:\tpop %%ebp\n\t"
			     "jmp 5f\n"
			     "4:\tmov %[save], %%esp\n"
			     "5:"
			     : [save] "=m"(saved_esp), "+a"(r.ax)
			     : : "ecx", "edx", "memory", "cc");
		fault_fixup_any = 0;
	}
	if (null_rip) {
		/* Unregistered SYSENTER: #GP(0) with Xen's null frame, rip 0. */
		if (tap_eq(fault_log_n, 1, "%s: delivered once", what)) {
			tap_eq(fault_log[0].vector, vec, "%s: vector", what);
			tap_eq(fault_log[0].error_code, ec, "%s: error code", what);
			tap_eq(fault_log[0].rip, 0, "%s: %%rip 0 (Xen's SYSENTER frame)", what);
		}
	} else {
		check_fault(what, &r, vec, ec, XEN_FAULT, 0);
	}
	if (entry == EP_INT80) {
		fault_log_clear();
		r.ax = SYS_nop;
		UPROBE(r, ".byte 0x3e\n3:\tint $0x80\n" UEXTABLE(3b, 2f));
		if (tap_eq(fault_log_n, 1, "%s, prefixed: delivered once", what)) {
			diag("rewind: %s (%s, prefixed: %%rip = start %+ld)",
			     fault_log[0].rip == r.start ? "fred" : fault_log[0].rip == r.end - 2 ? "idt" : "other",
			     what, (long)(fault_log[0].rip - r.start));
			tap(fault_log[0].rip == (fred ? r.start : r.end - 2),
			    "%s, prefixed: %%rip rewound %s", what,
			    fred ? "over the prefix (FRED)" : "by the unprefixed length only (IDT)");
		}
	}
	sys_ctl(CTL_RESTORE, 0, 0);
	ulib_path = PATH_INT80;
}

static void test_unregistered(bool intel)
{
	unreg("INT $0x80 compat unregistered: #GP(0x402)", EP_INT80, X86_EXC_GP, 0x402, false,
	      intel ? PATH_SYSENTER : PATH_SYSCALL);
	if (intel) {
		unreg("SYSENTER unregistered: #GP(0)", EP_SYSENTER, X86_EXC_GP, 0, true, PATH_INT80);
		diag("SYSCALL compat unregistered: not run, SYSCALL is #UD in compat mode on Intel (checked above)");
	} else {
		unreg("SYSCALL compat unregistered: #UD", EP_SYSCALL32, X86_EXC_UD, 0, false, PATH_INT80);
		diag("SYSENTER compat unregistered: not run, SYSENTER is #UD in long mode on AMD (checked above)");
	}
}

/* SYS_nop through one compat path; then the frame record of that call. */
enum path32 { VIA_INT80, VIA_SYSCALL, VIA_SYSENTER };
static uint32_t nop32(enum path32 via, struct delivered_frame *f)
{
	uint32_t ax = SYS_nop;

	if (via == VIA_INT80)
		asm volatile("int $0x80" : "+a"(ax) : : "memory");
	else if (via == VIA_SYSCALL)
		asm volatile("syscall" : "+a"(ax) : : "ecx", "memory");
	else
		asm volatile("push %%ebp\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\t"
			     "sysenter\n1:\tpop %%ebp"
			     : "+a"(ax) : : "ecx", "edx", "memory", "cc");
	sys_ctl(CTL_LAST_FRAME, (long)f, 0);
	return ax;
}

/*
 * Events masked on entry from (unmasked) compat user mode: INT $0x80's
 * trap-table mask flag, and this vendor's callback's CALLBACKF_mask_events.
 */
static void test_masking(bool intel)
{
	const struct { int ep; enum path32 via; const char *what; } paths[] = {
		{ EP_INT80, VIA_INT80, "INT $0x80 compat (trap table, vDPL 3)" },
		intel ? (typeof(paths[0])){ EP_SYSENTER, VIA_SYSENTER, "SYSENTER compat (sysenter callback)" }
		      : (typeof(paths[0])){ EP_SYSCALL32, VIA_SYSCALL,
					    "SYSCALL compat (syscall32 callback, syscall registered alike)" },
	};
	unsigned int i, mask;

	for (i = 0; i < 2; i++)
		for (mask = 0; mask < 2; mask++) {
			struct delivered_frame f;
			long rc = sys_ctl(CTL_REGISTER, paths[i].ep, (mask ? REG_MASK : 0) | REG_DPL(3));

			/* See test_compat_syscall_mask_rule(). */
			if (paths[i].ep == EP_SYSCALL32)
				rc |= sys_ctl(CTL_REGISTER, EP_SYSCALL, mask ? REG_MASK : 0);
			tap_eq(rc, 0, "%s registered %s the mask flag", paths[i].what, mask ? "with" : "without");
			tap_eq(nop32(paths[i].via, &f), SYS_NOP_MAGIC, "%s, %s mask flag: the call completes",
			       paths[i].what, mask ? "with" : "no");
			tap_eq(f.events_masked, mask, "%s, %s mask flag: events %s in the handler",
			       paths[i].what, mask ? "with" : "no", mask ? "masked" : "unmasked");
			sys_ctl(CTL_RESTORE, 0, 0);
		}
}

/*
 * A compat SYSCALL goes to the syscall32 callback, but which
 * registration's CALLBACKF_mask_events applies depends on the delivery:
 * under IDT Xen 4.17 takes the *syscall* callback's flag, under FRED
 * syscall32's.  Register the two differently and look.  (AMD only: on
 * Intel a compat SYSCALL is #UD in hardware.)
 */
static void test_compat_syscall_mask_rule(void)
{
	bool fred = expect_fred();
	unsigned int sc_mask;

	for (sc_mask = 0; sc_mask < 2; sc_mask++) {
		struct delivered_frame f;
		unsigned int want = fred ? !sc_mask : sc_mask;

		sys_ctl(CTL_REGISTER, EP_SYSCALL, sc_mask ? REG_MASK : 0);
		sys_ctl(CTL_REGISTER, EP_SYSCALL32, sc_mask ? 0 : REG_MASK);
		tap_eq(nop32(VIA_SYSCALL, &f), SYS_NOP_MAGIC, "SYSCALL compat, syscall %s / syscall32 %s the "
		       "mask flag: the call completes", sc_mask ? "with" : "without", sc_mask ? "without" : "with");
		tap_eq(f.vector, VEC_SYSCALL32, "SYSCALL compat, syscall and syscall32 flags differ: "
		       "through the syscall32 callback");
		tap_eq(f.events_masked, want, "SYSCALL compat, syscall %s / syscall32 %s the mask flag: "
		       "events %s (%s: the %s registration's flag)", sc_mask ? "with" : "without",
		       sc_mask ? "without" : "with", want ? "masked" : "unmasked", fred ? "FRED" : "IDT",
		       fred ? "syscall32" : "syscall");
		sys_ctl(CTL_RESTORE, 0, 0);
	}
}

/*
 * VGCF_in_syscall after a compat SYSCALL (AMD): the return is SYSRET-style,
 * ecx = the return eip whatever the frame's rcx slot says; after INT $0x80
 * the full iret gives back the slot's value.
 */
#define SET_ECX 0x13572468u
static uint32_t set_rcx_via(enum path32 via, uint32_t *ret)
{
	uint32_t ax = SYS_ctl, cx = 0, r;

	/* Compat arguments: ebx (kept around the call: it may be the PIC
	   register), esi, edi; edx gets the return address. */
	if (via == VIA_SYSCALL)
		asm volatile("push %%ebx\n\tmov %[op], %%ebx\n\t"
			     "mov $1f, %%edx\n\tsyscall\n1:\tpop %%ebx"
			     : "+a"(ax), "=c"(cx), "=&d"(r)
			     : [op] "i"(CTL_SET_RCX_R11), "S"(SET_ECX), "D"(0) : "memory", "cc");
	else
		asm volatile("push %%ebx\n\tmov %[op], %%ebx\n\t"
			     "mov $1f, %%edx\n\tint $0x80\n1:\tpop %%ebx"
			     : "+a"(ax), "+c"(cx), "=&d"(r)
			     : [op] "i"(CTL_SET_RCX_R11), "S"(SET_ECX), "D"(0) : "memory", "cc");
	*ret = r;
	tap_eq(ax, 0, "%s compat: CTL_SET_RCX_R11 returned 0", via == VIA_SYSCALL ? "SYSCALL" : "INT $0x80");
	return cx;
}

static void test_sysret(bool intel)
{
	uint32_t ret, cx;

	if (!intel) {
		cx = set_rcx_via(VIA_SYSCALL, &ret);
		tap_eq(cx, ret, "VGCF_in_syscall (compat SYSCALL): user ecx = return eip, "
		       "though the frame's rcx slot was changed");
	}
	cx = set_rcx_via(VIA_INT80, &ret);
	tap_eq(cx, SET_ECX, "full iret (INT $0x80 compat): user ecx = the frame's rcx slot");
}

static void test_hazards(bool intel)
{
	struct delivered_frame f;
	uint32_t ax;

	/* POP SS then INT3 / INT1 / the system call. */
	{
		struct uprobe r = { 0 };

		fault_log_clear();
		UPROBE(r, "push %%ss\n\tpop %%ss\n\tint3");
		tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_BP && fault_log[0].rip == r.end,
		    "POP SS; INT3: #BP after the int3");
		fault_log_clear();
		UPROBE(r, "push %%ss\n\tpop %%ss\n\t.byte 0xf1");
		tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_DB && fault_log[0].rip == r.end,
		    "POP SS; INT1: #DB after the int1");

		/* POP SS right before this vendor's system-call instruction. */
		fault_log_clear();
		ax = SYS_nop;
		if (intel)
			asm volatile("push %%ebp\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\t"
				     "push %%ss\n\tpop %%ss\n\tsysenter\n1:\tpop %%ebp"
				     : "+a"(ax) : : "ecx", "edx", "memory", "cc");
		else
			asm volatile("push %%ss\n\tpop %%ss\n\tsyscall" : "+a"(ax) : : "ecx", "memory", "cc");
		tap(ax == SYS_NOP_MAGIC && fault_log_n == 0, "POP SS; %s: the call completes, no fault",
		    intel ? "SYSENTER" : "SYSCALL");
	}
	if (intel) {
		/* SYSENTER with NT set: Xen clears NT, the return is clean. */
		ax = SYS_nop;
		asm volatile("pushf\n\torl $0x4000, (%%esp)\n\tpopf\n\t"
			     "push %%ebp\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\tsysenter\n"
			     "1:\tpop %%ebp"
			     : "+a"(ax) : : "ecx", "edx", "memory", "cc");
		asm volatile("pushf\n\tandl $~0x4000, (%%esp)\n\tpopf" ::: "memory", "cc");
		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
		tap_eq(ax, SYS_NOP_MAGIC, "SYSENTER with NT set: the call completes");
		/* Xen clears NT in its own flags (an IRET with NT set would #GP)
		   but leaves the user's NT in the frame. */
		tap(f.rflags & X86_EFLAGS_NT, "SYSENTER with NT set: frame keeps the user's NT");

		/* SYSENTER with TF set: the popf right before it, so SYSENTER is
		   the instruction being single-stepped. */
		fault_log_clear();
		ax = SYS_nop;
		{
			uintptr_t l2, l3;

			asm volatile("push %%ebp\n\tmov %%esp, %%ecx\n\tmov $2f, %%edx\n\t"
				     "pushf\n\torl $0x100, (%%esp)\n\tpopf\n\t"
				     "sysenter\n"
				     "2:\tpop %%ebp\n3:\n\tmov $2b, %[l2]\n\tmov $3b, %[l3]\n"
				     : "+a"(ax), [l2] "=r"(l2), [l3] "=r"(l3) : : "ecx", "edx", "memory", "cc");
			asm volatile("pushf\n\tandl $~0x100, (%%esp)\n\tpopf" ::: "memory", "cc");
			sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
			tap_eq(ax, SYS_NOP_MAGIC, "SYSENTER with TF: the call completes");
			tap(f.rflags & X86_EFLAGS_TF, "SYSENTER with TF: frame rflags has TF");
			if (tap(fault_log_n >= 1 && fault_log[0].vector == X86_EXC_DB, "SYSENTER with TF: #DB in user mode")) {
				diag("SYSENTER with TF: %u #DB, first at %+ld from the return point",
				     fault_log_n, (long)(fault_log[0].rip - l2));
				tap(fault_log[0].rip == l2 || fault_log[0].rip == l3,
				    "SYSENTER with TF: #DB at the return point or after the next instruction");
			}
		}
	} else {
		/* SYSCALL (compat) with TF set. */
		fault_log_clear();
		ax = SYS_nop;
		asm volatile("pushf\n\torl $0x100, (%%esp)\n\tpopf\n\tsyscall\n2:\tnop\n3:\n"
			     UEXTABLE(2b, 3b)
			     : "+a"(ax) : : "ecx", "memory", "cc");
		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
		tap_eq(ax, SYS_NOP_MAGIC, "SYSCALL compat with TF: the call completes");
		diag("SYSCALL compat with TF: kernel returned %s", f.sysret ? "with VGCF_in_syscall" : "by full iret");
		tap(fault_log_n >= 1 && fault_log[0].vector == X86_EXC_DB, "SYSCALL compat with TF: #DB in user mode");
	}
}

int main(void)
{
	bool intel = cpu_is_intel();

	fault_init();
	diag("user32: compat user mode on %s, expecting %s delivery", intel ? "Intel" : "AMD",
	     expect_fred() ? "FRED" : "IDT");
	run_exception_tests();
	test_registered(intel);
	test_unregistered(intel);
	test_masking(intel);
	test_sysret(intel);
	if (intel)
		diag("SYSCALL compat mask-flag rule: not run, SYSCALL is #UD in compat mode on Intel");
	else
		test_compat_syscall_mask_rule();
	test_hazards(intel);
	return 0;
}
