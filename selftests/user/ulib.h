/*
 * selftests/user/ulib.h - what every user test program has: system calls,
 * TAP checks (numbered by the kernel), and catching its own faults.
 *
 * Compiled both as 64-bit and as compat (-m32) code.
 */
#ifndef ULIB_H
#define ULIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <selftests/abi.h>
#include <x86/eflags.h>
#include <x86/exceptions.h>
#include <xen/errno.h>
#include <xen/arch-x86/xen-x86_64.h>	/* FLAT_USER_* selectors */

#ifdef __x86_64__
#define USER_CS FLAT_USER_CS64
#define USER_SS FLAT_USER_SS
#define SP "%%rsp"
#define SFX "q"
#define UEXTABLE_ENTRY(from, to) ".quad " #from ", " #to "\n"
#else
#define USER_CS FLAT_USER_CS32
#define USER_SS FLAT_USER_SS32
#define SP "%%esp"
#define SFX "l"
#define UEXTABLE_ENTRY(from, to) ".long " #from ", " #to "\n"
#endif

/* A faulting instruction at `from' resumes at `to' (see fault_dispatch). */
#define UEXTABLE(from, to)				\
	".pushsection .uex_table, \"a\"\n"		\
	".balign 8\n"					\
	UEXTABLE_ENTRY(from, to)			\
	".popsection\n"

/* ---- system calls ---- */

/* How ulib's own calls enter the kernel; tests switch it while they
   unregister the usual path. */
enum upath { PATH_INT80, PATH_SYSCALL, PATH_SYSENTER };
extern enum upath ulib_path;
long sys3(long nr, long a1, long a2, long a3);

__attribute__((noreturn)) void sys_exit(int status);
long sys_write(const char *buf, size_t len);
long sys_ctl(long op, long a1, long a2);

/* ---- output and checks ---- */

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
void uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_dev(bool ok, int deviation, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define tap_eq(got, want, ...) ({					\
	uint64_t __g = (uint64_t)(got), __w = (uint64_t)(want);		\
	bool __ok = tap(__g == __w, __VA_ARGS__);			\
	if (!__ok)							\
		diag("  got %#llx, want %#llx", (unsigned long long)__g,	\
		     (unsigned long long)__w);				\
	__ok; })

/* The kernel command line: emu=, delivery=idt|fred, vendor=. */
const char *cmdline_get(const char *key);
bool expect_fred(void);		/* delivery=fred: full %rip rewind */
bool xen_at_least(int major, int minor);	/* the hypervisor's version (xen=) */
bool cpu_is_intel(void);	/* from CPUID, not from the command line */

/* ---- faults ---- */

/*
 * After fault_init(), a fault in the program is delivered by the kernel to
 * fault_entry (ulib_asm.S) on a private stack, with struct fault_info in
 * `fault'.  fault_dispatch() resumes at the UEXTABLE fixup of the faulting
 * rip, or at rip itself if it is a fixup (a trap after the instruction),
 * or at fault_fixup_any if set; otherwise the program reports and exits.
 * Every fault is also appended to fault_log.
 */
void fault_init(void);
extern struct fault_info fault;
extern struct fault_info fault_log[8];
extern volatile unsigned int fault_log_n;
extern volatile uintptr_t fault_fixup_any;
void fault_log_clear(void);

/* What was true right before a probed instruction. */
struct uprobe {
	uintptr_t start, end, sp, fl;
	uintptr_t ax, cx, dx;
};

/*
 * Run `insn' (between labels 1 and 2) with a fixup to label 2; record the
 * labels, and %rsp / %rflags right before it with nothing in between that
 * changes them.
 */
#define UPROBE(r, insn)							\
	asm volatile("mov" SFX " $1f, %[start]\n\t"			\
		     "mov" SFX " $2f, %[end]\n\t"			\
		     "pushf\n\t"					\
		     "pop" SFX " %[fl]\n\t"				\
		     "mov " SP ", %[sp]\n"				\
		     "1:\t" insn "\n"					\
		     "2:\n"						\
		     UEXTABLE(1b, 2b)					\
		     : [start] "=m"((r).start), [end] "=m"((r).end),	\
		       [sp] "=m"((r).sp), [fl] "=m"((r).fl),		\
		       "+a"((r).ax), "+c"((r).cx), "+d"((r).dx)		\
		     : : "memory", "cc")

/*
 * FAULT: %rip at the instruction, RF set in the saved rflags (hardware
 * sets it for faults).  XEN_FAULT: a fault Xen synthesises from a trap
 * into Xen (unregistered SYSCALL, INT $0x80): %rip at the instruction, RF
 * as the trap left it.  TRAP: %rip after the instruction.
 */
enum fault_kind { FAULT, XEN_FAULT, TRAP };

/*
 * Check the last fault against a probe: exactly one fault, `vector', `ec',
 * %rip at (FAULT) or after (TRAP) the instruction, user %cs/%ss, %rflags
 * (+RF for faults), %rsp.  `rip_dev' marks a known emulator deviation.
 */
void check_fault(const char *what, const struct uprobe *r, unsigned int vector,
		 uint32_t ec, enum fault_kind kind, int dev);

int main(void);

#endif
