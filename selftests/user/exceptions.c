/*
 * selftests/user/exceptions.c - every exception a user program can raise,
 * and INT $N for every N, checked against the frame the kernel was given.
 * Built into both user64 and user32: the same rules, in both modes.
 *
 * A frame from user mode keeps the user's %cs (RPL 3), carries the saved
 * event mask 0 (user mode runs with events unmasked), and rflags as they
 * were (IF set), plus RF for faults.
 */
#include "ulib.h"


static const char *mode = sizeof(long) == 8 ? "64" : "compat";

static void test_de(void)
{
	struct uprobe r = { .ax = 1, .cx = 0, .dx = 0 };

	fault_log_clear();
	UPROBE(r, "div %%ecx");
	check_fault("#DE div by zero", &r, X86_EXC_DE, 0, FAULT, 0);
}

static void test_db(void)
{
	struct uprobe r = { 0 };

	fault_log_clear();
	UPROBE(r, ".byte 0xf1");
	check_fault("#DB ICEBP", &r, X86_EXC_DB, 0, TRAP, 0);

	fault_log_clear();
	UPROBE(r, "pushf; orl $0x100, (" SP "); popf; nop");
	r.fl |= X86_EFLAGS_TF;		/* TF was set when the trap was taken */
	check_fault("#DB single-step (TF)", &r, X86_EXC_DB, 0, TRAP, 0);
	if (fault_log_n)
		tap(fault_log[0].rflags & X86_EFLAGS_TF, "#DB single-step: TF set in the frame");
	if (fault_log_n)
		tap(fault_log[0].dr6 & (1 << 14), "#DB single-step: DR6.BS");
}

static void test_bp_of(void)
{
	struct uprobe r = { 0 };

	fault_log_clear();
	UPROBE(r, "int3");
	check_fault("#BP INT3", &r, X86_EXC_BP, 0, TRAP, 0);
	fault_log_clear();
	UPROBE(r, ".byte 0xcd, 0x03");
	check_fault("#BP INT $3", &r, X86_EXC_BP, 0, TRAP, 0);
	fault_log_clear();
	UPROBE(r, ".byte 0xcd, 0x04");
	check_fault("#OF INT $4", &r, X86_EXC_OF, 0, TRAP, 0);
#ifdef __x86_64__
	/* INTO is invalid in 64-bit mode: #UD at the instruction. */
	fault_log_clear();
	UPROBE(r, ".byte 0xce");
	if (!tap_dev(fault_log_n == 1, DEV_QEMU_INTO_64, "#UD INTO in 64-bit mode: delivered"))
		return;
	check_fault("#UD INTO in 64-bit mode", &r, X86_EXC_UD, 0, FAULT, 0);
#else
	/* INTO with OF set: #OF, a trap.  OF is set by the add before the probe. */
	fault_log_clear();
	asm volatile("mov $0x7fffffff, %%eax\n\tadd $1, %%eax" ::: "eax", "cc");
	UPROBE(r, "into");
	check_fault("#OF INTO with OF set", &r, X86_EXC_OF, 0, TRAP, 0);
	fault_log_clear();
	asm volatile("xor %%eax, %%eax" ::: "eax", "cc");
	UPROBE(r, "into");
	tap_eq(fault_log_n, 0, "INTO with OF clear: nothing");
#endif
}

static void test_ud_gp(void)
{
	static char buf[16];
	struct uprobe r = { 0 };

	fault_log_clear();
	UPROBE(r, "ud2");
	check_fault("#UD ud2", &r, X86_EXC_UD, 0, FAULT, 0);

	r.ax = (uintptr_t)buf;
	fault_log_clear();
	UPROBE(r, "lidt (%%eax)");
	check_fault("#GP lidt (privileged)", &r, X86_EXC_GP, 0, FAULT, 0);

#ifdef __x86_64__
	r.ax = 0x8000000000000000ull;
	fault_log_clear();
	UPROBE(r, "mov (%%rax), %%rax");
	check_fault("#GP non-canonical read", &r, X86_EXC_GP, 0, FAULT, 0);
#else
	/* A null-ish but invalid selector into %ds: #GP(selector). */
	r.ax = 0x1238;
	fault_log_clear();
	UPROBE(r, "mov %%ax, %%ds");
	check_fault("#GP loading a bad selector into %ds", &r, X86_EXC_GP, 0x1238, FAULT, 0);
	asm volatile("mov %0, %%ds" : : "r"(USER_SS));
#endif
}

static void test_pf(void)
{
	struct uprobe r = { .ax = USER_UNMAPPED };

	fault_log_clear();
	UPROBE(r, "mov (%%eax), %%eax");
	check_fault("#PF read, not present", &r, X86_EXC_PF, 4, FAULT, 0);
	tap_eq(fault_log[0].cr2, USER_UNMAPPED, "#PF read: CR2");

	r.ax = USER_RO_PAGE + 0x40;
	fault_log_clear();
	UPROBE(r, "movl $1, (%%eax)");
	check_fault("#PF write, read-only page", &r, X86_EXC_PF, 7, FAULT, 0);
	tap_eq(fault_log[0].cr2, USER_RO_PAGE + 0x40, "#PF write: CR2");

#ifdef __x86_64__
	/* The kernel's memory is not in the user page table at all. */
	{
		struct uprobe k = { 0 };

		k.ax = 0xffffffff80000000ull;
		fault_log_clear();
		UPROBE(k, "mov (%%rax), %%rax");
		check_fault("#PF reading kernel memory", &k, X86_EXC_PF, 4, FAULT, 0);
		tap_eq(fault_log[0].cr2, 0xffffffff80000000ull, "#PF kernel read: CR2");
	}
#else
	r.ax = 0xfffff000u;
	fault_log_clear();
	UPROBE(r, "mov (%%eax), %%eax");
	check_fault("#PF read at 4GiB-4KiB", &r, X86_EXC_PF, 4, FAULT, 0);
	tap_eq(fault_log[0].cr2, 0xfffff000u, "#PF read at 4GiB-4KiB: CR2");
#endif
}

static void test_ac(void)
{
	static uint32_t words[4] __attribute__((aligned(16)));
	struct uprobe r = { .ax = (uintptr_t)words + 1 };

	asm volatile("pushf\n\torl $0x40000, (" SP ")\n\tpopf" ::: "memory", "cc");
	fault_log_clear();
	UPROBE(r, "mov (%%eax), %%eax");
	asm volatile("pushf\n\tandl $~0x40000, (" SP ")\n\tpopf" ::: "memory", "cc");
	/* Xen runs with CR0.AM set, so at CPL 3 this is #AC(0). */
	if (!tap_dev(fault_log_n == 1, DEV_QEMU_NO_AC, "#AC misaligned read with EFLAGS.AC: delivered"))
		return;
	r.fl |= X86_EFLAGS_AC;
	check_fault("#AC misaligned read with EFLAGS.AC", &r, X86_EXC_AC, 0, FAULT, 0);
}

static void test_fpu(void)
{
	struct uprobe r = { 0 };
	uint16_t cw = 0x037b;
	uint32_t mxcsr = 0x1f80 & ~(1u << 9), after;

	sys_ctl(CTL_FPU_TS, 1, 0);
	fault_log_clear();
	UPROBE(r, "fnop");
	sys_ctl(CTL_FPU_TS, 0, 0);
	check_fault("#NM fnop with CR0.TS (fpu_taskswitch)", &r, X86_EXC_NM, 0, FAULT, 0);

	asm volatile("fninit\n\tfldcw %0\n\tfld1\n\tfldz\n\tfdivrp" : : "m"(cw));
	fault_log_clear();
	UPROBE(r, "fwait");
	asm volatile("fnclex\n\tfninit");
	check_fault("#MF x87 divide by zero at fwait", &r, X86_EXC_MF, 0, FAULT, 0);

	asm volatile("ldmxcsr %0\n\tmov $0x3f800000, %%eax\n\tmovd %%eax, %%xmm0\n\t"
		     "xorps %%xmm1, %%xmm1" : : "m"(mxcsr) : "eax");
	fault_log_clear();
	UPROBE(r, "divss %%xmm1, %%xmm0");
	asm volatile("stmxcsr %0" : "=m"(after));
	mxcsr = 0x1f80;
	asm volatile("ldmxcsr %0" : : "m"(mxcsr));
	if (!tap_dev(fault_log_n == 1, DEV_QEMU_NO_SSE_XM, "#XM divss by zero, unmasked: delivered")) {
		diag("  no exception; MXCSR after: %#x", after);
		return;
	}
	check_fault("#XM divss by zero", &r, X86_EXC_XM, 0, FAULT, 0);
}

/* ---- INT $N for every N ---- */

extern char softint_probes[];		/* entry N: int $N; ret (8 bytes) */
asm(".pushsection .text\n"
    ".p2align 3\n"
    "softint_probes:\n"
    ".set vec, 0\n"
    ".rept 256\n"
    ".p2align 3\n"
    "1: .byte 0xcd, vec\n"
    "2: ret\n"
    UEXTABLE(1b, 2b)
    ".set vec, vec + 1\n"
    ".endr\n"
    ".popsection");

/*
 * From user mode: INT3/INT $3 and INTO/INT $4 are always delivered (as #BP
 * and #OF); INT $0x80 with a handler is the system call; any other N is
 * delivered if its vDPL is 3, and is #GP(N*8+2) at the instruction if not.
 */
static void test_softint_all(void)
{
	unsigned int n;

	for (n = 0; n < 256; n++) {
		uintptr_t start = (uintptr_t)softint_probes + n * 8, sp, fl;
		int dpl = softint_test_dpl(n);
		bool deliver = n == 3 || n == 4 || n == 0x80 || dpl == 3;
		unsigned int want_vec = deliver ? n : X86_EXC_GP;
		uint32_t want_ec = deliver ? 0 : n * 8 + 2;
		uintptr_t want_rip = deliver ? start + 2 : start;
		long ax = SYS_nop;
		bool ok;

		if (dpl == -2)		/* the real trap table's entry: see entry/traps.c */
			dpl = (n == 3 || n == 4 || n == 0x80) ? 3 : 0;
		fault_log_clear();
		asm volatile("pushf\n\tpop %[fl]\n\tmov " SP ", %[sp]\n\tcall *%[fn]"
			     : [sp] "=&r"(sp), [fl] "=&r"(fl), "+a"(ax)
			     : [fn] "r"(start)
#ifdef __x86_64__
			     : "memory", "cc", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
#else
			     : "memory", "cc", "ecx", "edx");
#endif
		sp -= sizeof(long);
		if (n == 0x80) {
			ok = fault_log_n == 0 && (uint32_t)ax == SYS_NOP_MAGIC;
			tap(ok, "INT $0x80 from %s user mode: the system call", mode);
			continue;
		}
		ok = fault_log_n == 1 && fault_log[0].vector == want_vec &&
		     fault_log[0].error_code == want_ec && fault_log[0].rip == want_rip &&
		     fault_log[0].rsp == sp && (uint16_t)fault_log[0].cs == USER_CS &&
		     (fault_log[0].rflags & ~X86_EFLAGS_RF) == fl;
		tap(ok, "INT $%#04x from %s user mode (vDPL %d): %s", n, mode, dpl,
		    deliver ? "delivered" : "#GP(N*8+2)");
		if (!ok)
			diag("  faults %u vector %#x ec %#x rip %+ld rsp %+ld (want %#x %#x %+ld)",
			     fault_log_n, fault_log[0].vector, fault_log[0].error_code,
			     (long)(fault_log[0].rip - start), (long)(fault_log[0].rsp - sp),
			     want_vec, want_ec, (long)(want_rip - start));
	}
}

void run_exception_tests(void)
{
	test_de();
	test_db();
	test_bp_of();
	test_ud_gp();
	test_pf();
	test_ac();
	test_fpu();
	test_softint_all();
}
