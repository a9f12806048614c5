/*
 * selftests/kernel/bench.c - make bench: what each kernel-mode entry costs.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>

#define BENCH_ROUNDS 2000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static volatile unsigned int bench_ipi_hits;

static void bench_ipi(evtchn_port_t port, struct pt_regs *regs)
{
	bench_ipi_hits++;
}

void run_kernel_bench(void)
{
	struct evtchn_send send;
	evtchn_port_t port;
	uint64_t t0, t1;
	unsigned int i;

	t0 = rdtsc();
	for (i = 0; i < BENCH_ROUNDS; i++)
		HYPERVISOR_xen_version(XENVER_version, NULL);
	t1 = rdtsc();
	printk("bench: %-28s %6lu ticks/op\n", "hypercall (xen_version)", (t1 - t0) / BENCH_ROUNDS);

	probe_arm();
	t0 = rdtsc();
	for (i = 0; i < BENCH_ROUNDS; i++)
		asm volatile("int3" ::: "memory");
	t1 = rdtsc();
	probe_disarm();
	printk("bench: %-28s %6lu ticks/op\n", "int3 in kernel mode", (t1 - t0) / BENCH_ROUNDS);

	if (evtchn_bind_ipi_self(bench_ipi, &port) == 0) {
		send.port = port;
		this_vcpu()->evtchn_upcall_mask = 0;
		t0 = rdtsc();
		for (i = 0; i < BENCH_ROUNDS; i++)
			HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
		t1 = rdtsc();
		this_vcpu()->evtchn_upcall_mask = 1;
		evtchn_close(port);
		printk("bench: %-28s %6lu ticks/op\n", "event send + upcall", (t1 - t0) / BENCH_ROUNDS);
	}
}
