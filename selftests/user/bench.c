/*
 * selftests/user/bench.c - cost of each user entry path, for `make bench`.
 * Built as bench64 and bench32; run only with `bench` on the kernel
 * command line.  Prints "bench: <path> <ticks per round trip>" lines; with
 * QEMU's -icount shift=0 a TSC tick is one instruction.
 */
#include "ulib.h"

#define ROUNDS 2000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void report(const char *what, uint64_t t0, uint64_t t1)
{
	uprintf("bench: %-28s %6llu ticks/op\n", what, (unsigned long long)((t1 - t0) / ROUNDS));
}

#define BENCH(what, insn, ...) do {					\
	uint64_t t0 = rdtsc(), t1;					\
	for (int i = 0; i < ROUNDS; i++) {				\
		long ax = SYS_nop;					\
		asm volatile(insn : "+a"(ax) : : __VA_ARGS__);		\
	}								\
	t1 = rdtsc();							\
	report(what, t0, t1);						\
} while (0)

int main(void)
{
	bool intel = cpu_is_intel();

#ifdef __x86_64__
	BENCH("syscall 64 (SYSRET return)", "syscall", "rcx", "r11", "memory");
	BENCH("int $0x80 64 (iret return)", "int $0x80", "memory");
	{
		uint64_t t0 = rdtsc(), t1;

		fault_init();
		for (int i = 0; i < ROUNDS; i++)
			asm volatile("int3" ::: "memory");
		t1 = rdtsc();
		report("int3 64 to a user handler", t0, t1);
	}
#else
	BENCH("int $0x80 compat", "int $0x80", "memory");
	if (intel)
		BENCH("sysenter compat", "push %%ebp\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\t"
		      "sysenter\n1:\tpop %%ebp", "ecx", "edx", "memory");
	else
		BENCH("syscall compat", "syscall", "ecx", "memory");
#endif
	(void)intel;
	return 0;
}
