/*
 * selftests/kernel/bench.c - make bench: what each kernel-mode entry costs,
 * through pventry's handler and through the floor (bench_floor.S), and
 * the system call that lets the user benchmarks switch to a floor.
 *
 * Each path runs BENCH_BATCHES batches of BENCH_ROUNDS round trips, timed
 * with RDTSC around each batch.  One line per path and handler:
 *
 *   bench: <pventry|floor> <path> <cheapest batch> <sum of batches> <batches> <rounds>
 *
 * in TSC ticks; selftests/runner.py turns them into a table.  The cheapest
 * batch is the one no timer interrupt (of the hypervisor's) landed in: it
 * repeats exactly where a tick is an instruction (Bochs, QEMU -icount).
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/user.h>
#include <selftests/bench.h>
#include <selftests/ktest.h>
#include <xen/errno.h>

void floor_syscall(void), floor_iret_only(void), floor_sysenter(void);
void floor_event(void), floor_user_bp(void);
extern uint64_t floor_event_port, floor_evtchn_pending, floor_pending_sel, floor_upcall_pending;
extern uint64_t floor_fault_info, floor_handler_rip, floor_handler_stack;

static void report(const char *handler, const char *path, const struct bench_batches *b)
{
	printk("bench: %s %s %lu %lu %u %u\n", handler, path, b->min, b->sum,
	       BENCH_BATCHES, BENCH_ROUNDS);
}

/* Time `body' (one round trip) BENCH_BATCHES x BENCH_ROUNDS times into b. */
#define BENCH_RUN(b, body) do {						\
	unsigned int __bt, __i;						\
	bench_batches_init(&(b));					\
	for (__bt = 0; __bt < BENCH_BATCHES; __bt++) {			\
		uint64_t __t0 = bench_rdtsc();				\
		for (__i = 0; __i < BENCH_ROUNDS; __i++) {		\
			body;						\
		}							\
		bench_batches_add(&(b), bench_rdtsc() - __t0);		\
	}								\
} while (0)

/* Register one trap-table vector (leaving the others as they are). */
static void set_trap(uint8_t vector, uint8_t dpl, void (*handler)(void))
{
	struct trap_info t[2] = {
		{ vector, dpl | 4 /* mask events */, FLAT_KERNEL_CS, (unsigned long)handler },
		{ 0, 0, 0, 0 },
	};

	HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(t));
}

static void set_callback(uint16_t type, uint16_t flags, void (*handler)(void))
{
	struct callback_register r = { .type = type, .flags = flags,
				       .address = (unsigned long)handler };

	HYPERCALL_OR_PANIC(HYPERVISOR_callback_op(CALLBACKOP_register, &r));
}

/* pventry's kernel int3: no exception-table entry, so the hook takes it. */
static bool bench_bp_hook(struct pt_regs *regs)
{
	return regs->vector == X86_EXC_BP;
}

static volatile unsigned int bench_ipi_hits;

static void bench_ipi(evtchn_port_t port, struct pt_regs *regs)
{
	bench_ipi_hits++;
}

static void bench_events(void)
{
	struct bench_batches b;
	struct evtchn_send send;
	struct vcpu_info *v = this_vcpu();
	evtchn_port_t port;

	if (evtchn_bind_ipi_self(bench_ipi, &port))
		panic("bench: cannot bind an IPI event channel");
	send.port = port;
	v->evtchn_upcall_mask = 0;
	BENCH_RUN(b, HYPERVISOR_event_channel_op(EVTCHNOP_send, &send));
	v->evtchn_upcall_mask = 1;
	report("pventry", "event", &b);

	floor_event_port = port;
	floor_evtchn_pending = (uint64_t)shared_info->evtchn_pending;
	floor_pending_sel = (uint64_t)&v->evtchn_pending_sel;
	floor_upcall_pending = (uint64_t)&v->evtchn_upcall_pending;
	set_callback(CALLBACKTYPE_event, 0, floor_event);
	v->evtchn_upcall_mask = 0;
	BENCH_RUN(b, HYPERVISOR_event_channel_op(EVTCHNOP_send, &send));
	v->evtchn_upcall_mask = 1;
	entry_init();
	report("floor", "event", &b);
	evtchn_close(port);
}

void run_kernel_bench(void)
{
	bool (*hook)(struct pt_regs *) = kernel_entry_hook;
	struct bench_batches b;

	/* No guest entry code on this path: the floor is the same call. */
	BENCH_RUN(b, HYPERVISOR_xen_version(XENVER_version, NULL));
	report("pventry", "hypercall", &b);
	report("floor", "hypercall", &b);

	kernel_entry_hook = bench_bp_hook;
	BENCH_RUN(b, asm volatile("int3" ::: "memory"));
	kernel_entry_hook = hook;
	report("pventry", "int3_kernel", &b);

	set_trap(X86_EXC_BP, 3, floor_iret_only);
	BENCH_RUN(b, asm volatile("int3" ::: "memory"));
	entry_init();
	report("floor", "int3_kernel", &b);

	bench_events();
}

#ifdef CONFIG_USER_SELFTESTS
/*
 * CTL_BENCH_FLOOR: register the floor for one user path.  The program
 * gets pventry's handlers back with CTL_RESTORE, made through another path.
 */
long bench_floor(uint64_t path)
{
	switch (path) {
	case FLOOR_SYSCALL:
		set_callback(CALLBACKTYPE_syscall, CALLBACKF_mask_events, floor_syscall);
		return 0;
	case FLOOR_SYSCALL32:
		set_callback(CALLBACKTYPE_syscall32, CALLBACKF_mask_events, floor_syscall);
		return 0;
	case FLOOR_SYSENTER:
		set_callback(CALLBACKTYPE_sysenter, CALLBACKF_mask_events, floor_sysenter);
		return 0;
	case FLOOR_INT80:
		set_trap(0x80, 3, floor_iret_only);
		return 0;
	case FLOOR_USER_BP:
		/* The kernel's alias of the program's struct fault_info. */
		floor_fault_info = (uint64_t)user_ptr(user_task.handler_info,
						      sizeof(struct fault_info), true);
		if (!floor_fault_info || !user_task.handler_rip)
			return -XEN_EFAULT;
		floor_handler_rip = user_task.handler_rip;
		floor_handler_stack = user_task.handler_stack;
		set_trap(X86_EXC_BP, 3, floor_user_bp);
		return 0;
	}
	return -XEN_EINVAL;
}
#endif
