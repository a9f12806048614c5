/*
 * selftests/user/user64.c - 64-bit user mode: exceptions, INT $N, and the
 * 64-bit entry paths (SYSCALL, INT $0x80), registered and not, and the
 * classic entry hazards.
 */
#include "ulib.h"

void run_exception_tests(void);


/*
 * Poison every register but %rsp, enter the kernel with `insn' (rax =
 * SYS_nop), store every register afterwards.  out[]: rax rbx rcx rdx rsi
 * rdi rbp r8..r15, then [15] = the address right after insn.
 */
#define POISON(n) (0x3c3c3c3c00000000ull | (n))
#define REGS_ROUND_TRIP(name, insn)					\
	asm(".pushsection .text\n"					\
	    #name ":\n"							\
	    "push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n" \
	    "push %rdi\n"						\
	    "mov $4, %eax\n"	/* SYS_nop */				\
	    "movabs $0x3c3c3c3c00000002, %rbx\n"			\
	    "movabs $0x3c3c3c3c00000003, %rcx\n"			\
	    "movabs $0x3c3c3c3c00000004, %rdx\n"			\
	    "movabs $0x3c3c3c3c00000005, %rsi\n"			\
	    "movabs $0x3c3c3c3c00000006, %rdi\n"			\
	    "movabs $0x3c3c3c3c00000007, %rbp\n"			\
	    "movabs $0x3c3c3c3c00000008, %r8\n"				\
	    "movabs $0x3c3c3c3c00000009, %r9\n"				\
	    "movabs $0x3c3c3c3c0000000a, %r10\n"			\
	    "movabs $0x3c3c3c3c0000000b, %r11\n"			\
	    "movabs $0x3c3c3c3c0000000c, %r12\n"			\
	    "movabs $0x3c3c3c3c0000000d, %r13\n"			\
	    "movabs $0x3c3c3c3c0000000e, %r14\n"			\
	    "movabs $0x3c3c3c3c0000000f, %r15\n"			\
	    insn "\n"							\
	    "1: push %rdi\n"						\
	    "mov 8(%rsp), %rdi\n"					\
	    "mov %rax, 0(%rdi); mov %rbx, 8(%rdi); mov %rcx, 16(%rdi)\n" \
	    "mov %rdx, 24(%rdi); mov %rsi, 32(%rdi)\n"			\
	    "pop %rax; mov %rax, 40(%rdi)\n"				\
	    "mov %rbp, 48(%rdi); mov %r8, 56(%rdi); mov %r9, 64(%rdi)\n" \
	    "mov %r10, 72(%rdi); mov %r11, 80(%rdi); mov %r12, 88(%rdi)\n" \
	    "mov %r13, 96(%rdi); mov %r14, 104(%rdi); mov %r15, 112(%rdi)\n" \
	    "movq $1b, 120(%rdi)\n"					\
	    "pop %rdi; pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n" \
	    "ret\n"							\
	    ".popsection");						\
	void name(uint64_t out[16])

REGS_ROUND_TRIP(rt_syscall, "syscall");
REGS_ROUND_TRIP(rt_int80, "int $0x80");

static const char *const reg_names[15] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* clobbered: bit i set = register i may change (rax always does). */
static void check_round_trip(const char *what, const uint64_t out[16], unsigned int clobbered)
{
	unsigned int i, bad = 0;

	tap_eq(out[0], SYS_NOP_MAGIC, "%s: SYS_nop returned its magic in rax", what);
	for (i = 1; i < 15; i++) {
		if (clobbered & (1u << i))
			continue;
		if (out[i] != POISON(i + 1)) {
			diag("  %s = %#llx, want %#llx", reg_names[i], (unsigned long long)out[i],
			     (unsigned long long)POISON(i + 1));
			bad++;
		}
	}
	tap(!bad, "%s: every register the ABI preserves is preserved", what);
}

/* f: CTL_LAST_FRAME taken right after the call, before any other. */
static void check_last_frame(const char *what, const struct delivered_frame *fp, unsigned int vector,
			     uint64_t rip, uint64_t sp)
{
	struct delivered_frame f = *fp;
	tap_eq(f.vector, vector, "%s: entered through %#x", what, vector);
	tap_eq(f.rip, rip, "%s: frame %%rip is the return address", what);
	tap_eq((uint16_t)f.cs, FLAT_USER_CS64, "%s: frame %%cs is the user's (RPL 3)", what);
	tap_eq((uint16_t)f.ss, FLAT_USER_SS, "%s: frame %%ss", what);
	if (sp)
		tap_eq(f.rsp, sp, "%s: frame %%rsp is the user stack", what);
	tap(f.rflags & X86_EFLAGS_IF, "%s: frame IF set (user mode runs unmasked)", what);
	tap_eq(f.frame_addr, f.kernel_stack_top & ~15ull,
	       "%s: frame at the top of the stack_switch stack", what);
	/* Whether the return really was SYSRET-style is in entry64.c, seen
	   from user mode; here only what the kernel asked for. */
	diag("%s: kernel returned %s", what, f.sysret ? "with VGCF_in_syscall" : "by full iret");
	if (vector == VEC_SYSCALL)
		tap_eq(f.rcx, rip, "%s: frame rcx = return rip (SYSCALL put it there)", what);
}

static void test_paths_registered(void)
{
	uint64_t out[16];
	struct delivered_frame f;

	rt_syscall(out);
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	/* SYSCALL: the CPU writes rcx and r11. */
	check_round_trip("SYSCALL 64", out, (1u << 2) | (1u << 10));
	check_last_frame("SYSCALL 64", &f, VEC_SYSCALL, out[15], 0);
	/* rcx/r11 after SYSRET, and the frame's r11 against the flags read
	   before the SYSCALL: entry64.c. */

	rt_int80(out);
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	check_round_trip("INT $0x80 64", out, 0);
	check_last_frame("INT $0x80 64", &f, 0x80, out[15], 0);
	tap_eq(f.rcx, POISON(3), "INT $0x80 64: frame rcx is the interrupted rcx");
	tap_eq(f.r11, POISON(11), "INT $0x80 64: frame r11 is the interrupted r11");
}

/*
 * An entry point left unregistered: SYSCALL must become #UD, INT $0x80
 * #GP(0x402), with %rip back at the instruction.  With a redundant prefix
 * IDT delivery rewinds only the unprefixed length (2), FRED the whole.
 */
static void unregistered(const char *what, int entry, unsigned int vec, uint32_t ec,
			 enum upath ctl_path)
{
	struct uprobe r = { .ax = SYS_nop };
	long rc;
	bool fred = expect_fred();
	uintptr_t want;

	rc = sys_ctl(CTL_UNREGISTER, entry, 0);
	if (entry != EP_INT80)
		tap_eq(rc, -XEN_EINVAL, "%s: Xen refuses CALLBACKOP_unregister (-EINVAL); "
		       "registering address 0 removes it", what);
	ulib_path = ctl_path;

	fault_log_clear();
	r.ax = SYS_nop;
	if (entry == EP_INT80)
		UPROBE(r, "int $0x80");
	else
		UPROBE(r, "syscall");
	check_fault(what, &r, vec, ec, XEN_FAULT, 0);

	/* Label 3 is the unprefixed instruction: an IDT-style rewind lands there. */
	fault_log_clear();
	r.ax = SYS_nop;
	if (entry == EP_INT80)
		UPROBE(r, ".byte 0x3e\n3:\tint $0x80\n" UEXTABLE(3b, 2f));
	else
		UPROBE(r, ".byte 0x3e\n3:\tsyscall\n" UEXTABLE(3b, 2f));
	want = fred ? r.start : r.end - 2;
	if (tap_eq(fault_log_n, 1, "%s, with a ds: prefix: delivered once", what)) {
		tap_eq(fault_log[0].vector, vec, "%s, prefixed: vector", what);
		diag("rewind: %s (%s, prefixed: %%rip = start %+ld)",
		     fault_log[0].rip == r.start ? "fred" : fault_log[0].rip == r.end - 2 ? "idt" : "other",
		     what, (long)(fault_log[0].rip - r.start));
		tap(fault_log[0].rip == want, "%s, prefixed: %%rip rewound %s (%s delivery)", what,
		    fred ? "over the prefix" : "by the unprefixed length only", fred ? "FRED" : "IDT");
	}
	sys_ctl(CTL_RESTORE, 0, 0);
	ulib_path = PATH_INT80;
}

static void test_paths_unregistered(void)
{
	unregistered("SYSCALL 64 unregistered: #UD", EP_SYSCALL, X86_EXC_UD, 0, PATH_INT80);
	unregistered("INT $0x80 64 unregistered: #GP(0x402)", EP_INT80, X86_EXC_GP, 0x402, PATH_SYSCALL);
}

/* ---- hazards ---- */

static void test_syscall_tf(void)
{
	uintptr_t l2, l3;
	long ax = SYS_nop;
	struct delivered_frame f;

	fault_log_clear();
	asm volatile("pushf\n\torl $0x100, (%%rsp)\n\tpopf\n\t"
		     "syscall\n"
		     "2:\tnop\n"
		     "3:\n\t"
		     "mov $2b, %[l2]\n\tmov $3b, %[l3]\n"
		     UEXTABLE(2b, 3b)
		     : "+a"(ax), [l2] "=r"(l2), [l3] "=r"(l3) : : "rcx", "r11", "memory", "cc");
	sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
	tap_eq((uint32_t)ax, SYS_NOP_MAGIC, "SYSCALL with TF: the call completes");
	tap(f.rflags & X86_EFLAGS_TF, "SYSCALL with TF: frame rflags has TF");
	diag("SYSCALL with TF: kernel returned %s", f.sysret ? "with VGCF_in_syscall" : "by full iret");
	if (tap(fault_log_n >= 1 && fault_log[0].vector == X86_EXC_DB, "SYSCALL with TF: #DB in user mode")) {
		diag("SYSCALL with TF: %u #DB, first at %+ld from the syscall's end",
		     fault_log_n, (long)(fault_log[0].rip - l2));
		tap(fault_log[0].rip == l2 || fault_log[0].rip == l3,
		    "SYSCALL with TF: #DB right after the syscall or after the next instruction");
		tap(fault_log[0].dr6 & (1 << 14), "SYSCALL with TF: DR6.BS");
	}
}

static void test_movss(void)
{
	static uint16_t ss_var __attribute__((aligned(8)));
	struct uprobe r = { 0 };
	long ax;

	ss_var = FLAT_USER_SS;
	r.ax = FLAT_USER_SS;
	fault_log_clear();
	UPROBE(r, "mov %%eax, %%ss\n\tint3");
	tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_BP && fault_log[0].rip == r.end,
	    "MOV SS; INT3: #BP after the int3");
	fault_log_clear();
	UPROBE(r, "mov %%eax, %%ss\n\t.byte 0xf1");
	if (!tap(fault_log_n == 1 && fault_log[0].vector == X86_EXC_DB && fault_log[0].rip == r.end,
		 "MOV SS; INT1: #DB after the int1"))
		diag("  %u faults, first vector %u rip %+ld", fault_log_n, fault_log[0].vector,
		     (long)(fault_log[0].rip - r.start));
	ax = SYS_nop;
	asm volatile("mov %[ss], %%ss\n\tsyscall" : "+a"(ax) : [ss] "r"(FLAT_USER_SS)
		     : "rcx", "r11", "memory");
	tap_eq((uint32_t)ax, SYS_NOP_MAGIC, "MOV SS; SYSCALL: the call completes");

	/*
	 * With a data breakpoint on the selector MOV SS reads: the #DB is held
	 * over the next instruction (the MOV SS shadow), so the INT3 is
	 * delivered first and no #DB may point at the int3 itself.
	 */
	/* DR7: L0 enabled (bit 0), R/W0 = 11 (break on reads and writes),
	   LEN0 = 00 (the selector's first byte). */
	if (sys_ctl(CTL_SET_DR, 0, (long)&ss_var) || sys_ctl(CTL_SET_DR, 7, 0x30001)) {
		tap(false, "MOV SS + data breakpoint: set DR0/DR7");
		return;
	}
	r.dx = (uintptr_t)&ss_var;
	fault_log_clear();
	UPROBE(r, "mov (%%rdx), %%ss\n\tint3");
	sys_ctl(CTL_SET_DR, 7, 0);
	{
		unsigned int i;
		bool db_at_int3 = false, bp = false;

		for (i = 0; i < fault_log_n && i < 8; i++) {
			diag("MOV SS + DR0: event %u: vector %u rip %+ld dr6 %#llx", i, fault_log[i].vector,
			     (long)(fault_log[i].rip - r.start), (unsigned long long)fault_log[i].dr6);
			if (fault_log[i].vector == X86_EXC_DB && fault_log[i].rip == r.end - 1)
				db_at_int3 = true;
			if (fault_log[i].vector == X86_EXC_BP && fault_log[i].rip == r.end)
				bp = true;
		}
		tap(bp, "MOV SS from a watched word; INT3: #BP delivered after the int3");
		tap_dev(!db_at_int3, DEV_QEMU_MOVSS_DB,
			"MOV SS from a watched word; INT3: no #DB inside the MOV SS shadow");
	}
}

static void test_noncanonical_return(void)
{
	static const uint64_t nc = 0x8000000000001000ull;
	volatile uintptr_t resume;

	fault_log_clear();
	asm volatile("mov $1f, %[res]\n\t"
		     "mov %[res], %[any]\n\t"
		     "mov %[op], %%rdi\n\t"
		     "mov %[nc], %%rsi\n\t"
		     "mov %[nr], %%eax\n\t"
		     "syscall\n"
		     "1:"
		     : [res] "=&r"(resume), [any] "=m"(fault_fixup_any)
		     : [op] "i"(CTL_RETURN_TO), [nc] "r"(nc), [nr] "i"(SYS_ctl)
		     : "rax", "rdi", "rsi", "rcx", "r11", "memory");
	fault_fixup_any = 0;
	{
		struct delivered_frame f;

		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);	/* the CTL_RETURN_TO call's */
		diag("SYSCALL returning to a non-canonical rip: kernel returned %s",
		     f.sysret ? "with VGCF_in_syscall" : "by full iret");
	}
	if (tap(fault_log_n == 1, "SYSCALL returning to a non-canonical rip: one fault, program survives")) {
		diag("non-canonical return: vector %u ec %#x rip %#llx cs %#llx", fault_log[0].vector,
		     fault_log[0].error_code, (unsigned long long)fault_log[0].rip,
		     (unsigned long long)fault_log[0].cs);
		tap_eq(fault_log[0].vector, 13, "non-canonical return: #GP");
		tap_eq(fault_log[0].error_code, 0, "non-canonical return: error code 0");
		tap_eq(fault_log[0].rip, nc, "non-canonical return: frame %%rip is the non-canonical target");
	}
}

static void test_garbage_rsp(void)
{
	static const uint64_t garbage[2] = { 0x0000deadbeef0000ull, 0x8badf00d8badf000ull };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct delivered_frame f;
		long ax = SYS_nop;

		asm volatile("mov %%rsp, %%rbx\n\t"
			     "mov %[g], %%rsp\n\t"
			     "syscall\n\t"
			     "mov %%rbx, %%rsp"
			     : "+a"(ax) : [g] "r"(garbage[i]) : "rbx", "rcx", "r11", "memory");
		sys_ctl(CTL_LAST_FRAME, (long)&f, 0);
		tap_eq((uint32_t)ax, SYS_NOP_MAGIC, "SYSCALL with %s %%rsp %#llx: the call completes",
		       i ? "non-canonical" : "unmapped", (unsigned long long)garbage[i]);
		tap_eq(f.rsp, garbage[i], "SYSCALL with garbage %%rsp: frame holds it");
		tap_eq(f.frame_addr, f.kernel_stack_top & ~15ull,
		       "SYSCALL with garbage %%rsp: frame on the stack_switch stack");

		ax = SYS_nop;
		asm volatile("mov %%rsp, %%rbx\n\t"
			     "mov %[g], %%rsp\n\t"
			     "int $0x80\n\t"
			     "mov %%rbx, %%rsp"
			     : "+a"(ax) : [g] "r"(garbage[i]) : "rbx", "memory");
		tap_eq((uint32_t)ax, SYS_NOP_MAGIC, "INT $0x80 with garbage %%rsp %#llx: the call completes",
		       (unsigned long long)garbage[i]);
	}
}

static void test_event_in_user(void)
{
	struct delivered_frame f;
	uintptr_t ret, sp;
	long ax = SYS_ctl;

	asm volatile("mov %%rsp, %[sp]\n\t"
		     "mov %[op], %%edi\n\t"
		     "int $0x80\n"
		     "1:\tmov $1b, %[ret]"
		     : "+a"(ax), [ret] "=r"(ret), [sp] "=&r"(sp)
		     : [op] "i"(CTL_EVENT_ON_RETURN)
		     : "rdi", "memory");
	tap_eq(ax, 0, "event in user mode: CTL_EVENT_ON_RETURN");
	sys_ctl(CTL_EVENT_FRAME, (long)&f, 0);
	if (!tap_eq(f.vector, VEC_EVENT, "event in user mode: upcall delivered"))
		return;
	tap_eq(f.rip, ret, "event in user mode: frame %%rip is where user mode was resuming");
	tap_eq((uint16_t)f.cs, FLAT_USER_CS64, "event in user mode: frame %%cs is the user's");
	tap_eq(f.rsp, sp, "event in user mode: frame %%rsp is the user stack");
	tap(f.rflags & X86_EFLAGS_IF, "event in user mode: frame IF set");
	tap_eq((uint8_t)(f.cs >> 32), 0, "event in user mode: saved event mask 0");
	tap_eq(f.frame_addr, f.kernel_stack_top & ~15ull, "event in user mode: frame on the stack_switch stack");
	tap_eq(f.events_masked, 1, "event in user mode: events masked in the handler");
}

int main(void)
{
	fault_init();
	diag("user64: 64-bit user mode on %s, expecting %s delivery", cpu_is_intel() ? "Intel" : "AMD",
	     expect_fred() ? "FRED" : "IDT");
	run_exception_tests();
	test_paths_registered();
	test_paths_unregistered();
	test_syscall_tf();
	test_movss();
	test_noncanonical_return();
	test_garbage_rsp();
	test_event_in_user();
	return 0;
}
