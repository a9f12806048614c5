/*
 * selftests/include/selftests/bench.h - how make bench times a path, for
 * the kernel's benchmarks and the user programs' alike (64-bit and compat).
 *
 * BENCH_BATCHES batches of BENCH_ROUNDS round trips, each batch timed with
 * RDTSC; the cheapest batch and the sum are reported.  A tick is an
 * instruction in Bochs (clock: sync=none) and QEMU -icount shift=0.
 */
#ifndef SELFTESTS_BENCH_H
#define SELFTESTS_BENCH_H

#include <stdint.h>

#define BENCH_BATCHES 20
#define BENCH_ROUNDS  100

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

struct bench_batches {
	uint64_t min, sum;
};

static inline void bench_batches_init(struct bench_batches *b)
{
	b->min = ~(uint64_t)0;
	b->sum = 0;
}

static inline void bench_batches_add(struct bench_batches *b, uint64_t ticks)
{
	if (ticks < b->min)
		b->min = ticks;
	b->sum += ticks;
}

#endif
