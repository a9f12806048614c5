/*
 * selftests/include/selftests/ktest.h - the kernel-mode selftests.
 *
 * TAP 13 on the console (tap.c): one line per check, "ok N - what" or
 * "not ok N - what", with "# " lines of diagnostics after a failure.  The
 * plan ("1..N") is printed last, by tap_done(), since the number of
 * checks depends on the hypervisor.
 */
#ifndef SELFTESTS_KTEST_H
#define SELFTESTS_KTEST_H

#include <pventry/kernel.h>
#include <pventry/ptregs.h>
#include <selftests/abi.h>

/* ---- tap.c ---- */
void tap_start(void);
bool tap_check(bool ok, const char *fmt, ...) __printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
void tap_done(void);
/* Said before each check's text while set; otherwise "vCPU N" off vCPU 0. */
extern const char *tap_where;
unsigned int tap_failures(void);

/* Compare two values; print both on mismatch. */
#define tap_eq(got, want, fmt, ...) ({					\
	uint64_t __g = (uint64_t)(got), __w = (uint64_t)(want);		\
	bool __ok = tap_check(__g == __w, fmt, ##__VA_ARGS__);		\
	if (!__ok)							\
		tap_diag("  got %#lx, want %#lx", __g, __w);		\
	__ok; })

/* A check that may hit a known deviation: enum known_deviation in <selftests/abi.h>. */
bool tap_check_dev(bool ok, enum known_deviation dev, const char *fmt, ...) __printf(3, 4);

/* ---- trap_probe.c: taking an exception in kernel mode on purpose ---- */

/*
 * While armed, an entry from kernel mode is recorded here instead of being
 * fatal (trap_probe.c installs kernel_entry_hook, and the probe sites' exception
 * table entries carry probe_fixup), and execution resumes at the
 * exception-table fixup of the faulting instruction (or after it, for
 * traps).
 */
struct trap_probe {
	volatile bool armed;
	volatile unsigned int hits;
	struct pt_regs frame;		/* as delivered, bounce frame included */
	uint8_t mask_on_entry;		/* vcpu_info.evtchn_upcall_mask in the handler */
	uint64_t cr2;			/* vcpu_info.arch.cr2, for #PF */
	uint64_t dr6;			/* HYPERVISOR_get_debugreg(6), for #DB */
	unsigned int cpu;		/* the vCPU whose handler ran */
	uint64_t failsafe_segs[4];	/* ds, es, fs, gs of a failsafe frame */
};
extern struct trap_probe trap_probe;

void probe_init(void);
void probe_arm(void);
void probe_disarm(void);

/* What was true just before the probed instruction ran. */
struct probe_run {
	uint64_t start, end;	/* the instruction, and the one after it */
	uint64_t sp, fl;	/* %rsp and %rflags right before it */
	uint64_t rax, rcx, rdx;	/* inputs (and outputs) */
};

/*
 * Run `insn' (one or more instructions between labels 1 and 2) with the
 * probe armed.  A fault in it resumes at label 2 through the exception
 * table; a trap resumes there anyway.
 */
#define PROBE(r, insn)							\
	asm volatile("lea 1f(%%rip), %[start]\n\t"			\
		     "lea 2f(%%rip), %[end]\n\t"			\
		     "pushf\n\t"					\
		     "pop %[fl]\n\t"					\
		     "mov %%rsp, %[sp]\n"				\
		     "1:\t" insn "\n"					\
		     "2:\n"						\
		     _ASM_EXTABLE_HANDLER(1b, 2b, probe_fixup)		\
		     : [start] "=&r"((r).start), [end] "=&r"((r).end),	\
		       [sp] "=&r"((r).sp), [fl] "=&r"((r).fl),		\
		       "+a"((r).rax), "+c"((r).rcx), "+d"((r).rdx)	\
		     : : "memory", "cc")

enum probe_kind { PROBE_FAULT, PROBE_TRAP };

/*
 * Check the probe's frame: delivered once, to `vector' with `ec', %rip at
 * the instruction (FAULT) or after it (TRAP).  `extra_fl' are flags the
 * frame has on top of the ones read before (TF for single-step).
 */
void check_frame(const char *what, const struct probe_run *r, unsigned int vector,
		 uint32_t ec, enum probe_kind kind, uint64_t extra_fl);

/* A page-aligned data page the tests may remap. */
extern char scratch_page[];

/* ---- the subjects, in the order main.c runs them ---- */
void run_masking_tests(void);		/* masking.c */
void run_exception_tests(void);		/* exceptions.c */
void register_softint_vectors(void);	/* softint.c */
extern const uint64_t entry_softint_table[0xe0];	/* softint_stubs.S: 0x20..0xff */
void run_regs_tests(void);		/* regs.c */
void run_softint_tests(void);		/* softint.c */
void run_event_tests(void);		/* events.c */
void run_timer_tests(void);		/* events.c */
void run_block_tests(void);		/* events.c */
void run_nmi_tests(void);		/* nmi.c */
void run_hypercall_error_tests(void);	/* hypercalls.c */
void run_kernel_bench(void);		/* bench.c */
long bench_floor(uint64_t path);		/* bench.c: CTL_BENCH_FLOOR */
void run_user_selftests(void);		/* user_programs.c */
void run_user_program_named(const char *name);	/* user_programs.c: one, by name */
void run_smp_selftests(void);		/* smp.c */

#endif
