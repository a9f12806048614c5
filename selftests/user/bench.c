/*
 * selftests/user/bench.c - cost of each user entry path, for `make bench`.
 * Built as bench64 and bench32; run only with `bench` on the kernel
 * command line.  Each path is timed through pventry's handler, then
 * through the floor (CTL_BENCH_FLOOR: the least the PV ABI allows, in
 * place of pventry's handler), in batches (<selftests/bench.h>); one
 * "bench: <pventry|floor> <path> <cheapest batch> <sum> <batches> <rounds>"
 * line each, which selftests/runner.py tabulates.
 */
#include "ulib.h"
#include <selftests/bench.h>

static void report(const char *handler, const char *path, const struct bench_batches *b)
{
	uprintf("bench: %s %s %llu %llu %u %u\n", handler, path, (unsigned long long)b->min,
		(unsigned long long)b->sum, BENCH_BATCHES, BENCH_ROUNDS);
}

/* Time `insn' (one round trip, SYS_nop in eax) into b. */
#define BENCH_RUN(b, insn, ...) do {					\
	bench_batches_init(&(b));					\
	for (int __bt = 0; __bt < BENCH_BATCHES; __bt++) {		\
		uint64_t __t0 = bench_rdtsc();				\
		for (int __i = 0; __i < BENCH_ROUNDS; __i++) {		\
			long ax = SYS_nop;				\
			asm volatile(insn : "+a"(ax) : : __VA_ARGS__);	\
		}							\
		bench_batches_add(&(b), bench_rdtsc() - __t0);		\
	}								\
} while (0)

/*
 * Time one path through pventry, then through its floor.  While the floor
 * is registered the program's own calls go through `other', a path the
 * floor leaves alone.
 */
#define BENCH_PATH(name, floor, other, insn, ...) do {			\
	struct bench_batches b;						\
	enum upath saved = ulib_path;					\
									\
	BENCH_RUN(b, insn, __VA_ARGS__);				\
	report("pventry", name, &b);					\
	if (sys_ctl(CTL_BENCH_FLOOR, floor, 0))				\
		sys_exit(10);						\
	BENCH_RUN(b, insn, __VA_ARGS__);				\
	ulib_path = other;						\
	sys_ctl(CTL_RESTORE, 0, 0);					\
	ulib_path = saved;						\
	report("floor", name, &b);					\
} while (0)

#define SYSENTER_RT "push %%ebp\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\t" \
		    "sysenter\n1:\tpop %%ebp"

#ifdef __x86_64__
/*
 * The #BP handler: resume after the int3 on the interrupted stack.  All a
 * handler must do; the ordinary one (ulib's fault_entry) also logs and
 * looks up fixups, which is the program's cost, not the entry path's.
 */
void bench_bp_handler(void);
asm(".text\n"
    "bench_bp_handler:\n\t"
    "mov fault + 32(%rip), %rsp\n\t"	/* fault.rsp */
    "jmp *fault + 8(%rip)\n");		/* fault.rip */
static uint8_t bp_stack[4096] __attribute__((aligned(16)));
#endif

int main(void)
{
#ifdef __x86_64__
	BENCH_PATH("syscall64", FLOOR_SYSCALL, PATH_INT80, "syscall", "rcx", "r11", "memory");
	BENCH_PATH("int80_64", FLOOR_INT80, PATH_SYSCALL, "int $0x80", "memory");
	sys3(SYS_set_handler, (long)bench_bp_handler, (long)&fault,
	     (long)(bp_stack + sizeof(bp_stack) - 16));
	BENCH_PATH("int3_user64", FLOOR_USER_BP, PATH_INT80, "int3", "memory");
#else
	bool intel = cpu_is_intel();

	BENCH_PATH("int80_compat", FLOOR_INT80, intel ? PATH_SYSENTER : PATH_SYSCALL,
		   "int $0x80", "memory");
	if (intel)
		BENCH_PATH("sysenter_compat", FLOOR_SYSENTER, PATH_INT80, SYSENTER_RT,
			   "ecx", "edx", "memory");
	else
		BENCH_PATH("syscall_compat", FLOOR_SYSCALL32, PATH_INT80, "syscall",
			   "ecx", "memory");
#endif
	return 0;
}
