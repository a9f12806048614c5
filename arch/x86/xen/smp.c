/*
 * arch/x86/xen/smp.c - bringing up the other vCPUs, and handing them work.
 *
 * Xen starts a PV domain with vCPU 0 running and every other vCPU down and
 * uninitialised.  vCPU 0 brings each one up (Documentation/smp.md):
 *
 *   1. VCPUOP_is_up tells which vCPUs exist (-ENOENT past the last one).
 *   2. VCPUOP_register_vcpu_info puts its vcpu_info in its struct cpu
 *      (allowed while it is down); where the hypervisor has no such call,
 *      it uses its slot in shared_info.
 *   3. VCPUOP_initialise with a struct vcpu_guest_context: the registers
 *      it starts with, the trap table, the event, failsafe and syscall
 *      callbacks, the stack_switch stack (kernel_ss/kernel_sp), the GDT,
 *      and the page table (ctrlreg[3]).
 *   4. VCPUOP_up.
 *
 * The context has no room for the NMI, syscall32 and sysenter callbacks:
 * the new vCPU registers them itself before it does anything else
 * (entry_init_secondary), then binds the IPI that wakes it and idles in
 * SCHEDOP_block until smp_call() hands it work.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>

struct cpu cpus[NR_CPUS];
unsigned int nr_cpus = 1;

/* Each vCPU's two stacks: the one it runs on, then the stack_switch one. */
char cpu_stacks[NR_CPUS][2][KERNEL_STACK_SIZE] __aligned(KERNEL_STACK_SIZE)
	__attribute__((section(".bss.stack")));

extern char startup_secondary[];	/* head.S */

/* Give vCPU c its stacks, each marked as its own (see this_cpu()). */
static void setup_stacks(struct cpu *c)
{
	char *kernel = cpu_stacks[c->id][0], *entry = cpu_stacks[c->id][1];

	*(struct cpu **)kernel = c;
	*(struct cpu **)entry = c;
	c->kernel_stack_top = (uint64_t)kernel + KERNEL_STACK_SIZE;
	c->entry_stack_top = (uint64_t)entry + KERNEL_STACK_SIZE;
}

/*
 * Where c's vcpu_info lives.  VCPUOP_register_vcpu_info moves it into
 * c->own_info (Xen copies the current contents over); it may be done once
 * per vCPU, by the vCPU itself or for one that is down.  Without it the
 * first XEN_LEGACY_MAX_VCPUS vCPUs use their slot in shared_info.
 */
void smp_setup_vcpu_info(struct cpu *c)
{
	struct vcpu_register_vcpu_info info = {
		.mfn = virt_to_mfn(&c->own_info),
		.offset = (uint64_t)&c->own_info & (PAGE_SIZE - 1),
	};
	long rc;

	if (c->id == 0)
		setup_stacks(c);
	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, c->id, &info);
	if (rc == 0) {
		c->vcpu_info = &c->own_info;
		c->own_vcpu_info = true;
	} else if (c->id < XEN_LEGACY_MAX_VCPUS) {
		c->vcpu_info = &shared_info->vcpu_info[c->id];
	} else {
		panic("vCPU %u: no vcpu_info: VCPUOP_register_vcpu_info failed: %ld (%s)",
		      c->id, rc, xen_errno_name(rc));
	}
}

/* The wake IPI's handler: waking the idle loop was the whole point. */
static void wake(evtchn_port_t port, struct pt_regs *regs)
{
}

/* Bind this vCPU's wake IPI (on itself: EVTCHNOP_bind_ipi names the vCPU). */
static void bind_wake_port(struct cpu *c)
{
	HYPERCALL_OR_PANIC(evtchn_bind_ipi_self(wake, &c->wake_port));
}

/*
 * Yield with events unmasked for the hypercall: an upcall pending for us
 * is delivered as it returns.  The caller's mask is restored.
 */
void smp_yield(void)
{
	struct vcpu_info *v = this_vcpu();
	uint8_t mask = v->evtchn_upcall_mask;

	WRITE_ONCE(v->evtchn_upcall_mask, 0);
	barrier();
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	barrier();
	WRITE_ONCE(v->evtchn_upcall_mask, mask);
}

void smp_call_async(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct cpu *c = &cpus[cpu];

	if (cpu >= nr_cpus || !c->online)
		panic("smp_call: vCPU %u is not up", cpu);
	c->work_arg = arg;
	__atomic_store_n(&c->work, fn, __ATOMIC_RELEASE);
	HYPERCALL_OR_PANIC(evtchn_send(c->wake_port));
}

void smp_wait(unsigned int cpu)
{
	while (__atomic_load_n(&cpus[cpu].work, __ATOMIC_ACQUIRE))
		smp_yield();
}

void smp_call(unsigned int cpu, void (*fn)(void *), void *arg)
{
	smp_call_async(cpu, fn, arg);
	smp_wait(cpu);
}

/*
 * A secondary vCPU's life after registration: wait for work with events
 * masked, run it, and block otherwise.  SCHEDOP_block unmasks events and
 * returns once one is pending, so a wake IPI sent after the check below
 * is never lost.
 */
static __noreturn void idle_loop(struct cpu *c)
{
	for (;;) {
		void (*fn)(void *);

		WRITE_ONCE(c->vcpu_info->evtchn_upcall_mask, 1);
		barrier();
		fn = __atomic_load_n(&c->work, __ATOMIC_ACQUIRE);
		if (fn) {
			fn(c->work_arg);
			__atomic_store_n(&c->work, NULL, __ATOMIC_RELEASE);
			continue;
		}
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	}
}

__noreturn void start_secondary(struct cpu *c)
{
	/* Before anything can fault or need an event: the rest of its entry points. */
	entry_init_secondary();
	printk("smp: vCPU %u up on its own stack %p, vcpu_info %s\n", c->id,
	       (void *)c->kernel_stack_top,
	       c->own_vcpu_info ? "registered (VCPUOP_register_vcpu_info)" : "in shared_info");
	print_entry_table();
	bind_wake_port(c);
	c->online = true;
	idle_loop(c);
}

/* The context a new vCPU starts from: large (the trap table), so static. */
static struct vcpu_guest_context ctxt;

static void cpu_up(struct cpu *c)
{
	const struct trap_info *t;
	unsigned long spins;

	setup_stacks(c);
	smp_setup_vcpu_info(c);

	memset(&ctxt, 0, sizeof(ctxt));
	/*
	 * Starts in kernel mode; the failsafe and syscall callbacks mask
	 * events as CALLBACKF_mask_events does for vCPU 0 (entry/traps.c).
	 */
	ctxt.flags = VGCF_in_kernel | VGCF_failsafe_disables_events | VGCF_syscall_disables_events;
	ctxt.user_regs.rip = (uint64_t)startup_secondary;
	ctxt.user_regs.rsp = c->kernel_stack_top;
	ctxt.user_regs.rdi = (uint64_t)c;
	ctxt.user_regs.cs = FLAT_KERNEL_CS;
	ctxt.user_regs.ss = FLAT_KERNEL_SS;
	ctxt.user_regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
	/* The trap table, indexed by vector (set_trap_table's list, spread out). */
	for (t = trap_table; t->address; t++)
		ctxt.trap_ctxt[t->vector] = *t;
	/* No GDT or LDT of our own: the kernel uses Xen's flat selectors only. */
	ctxt.gdt_ents = 0;
	ctxt.ldt_ents = 0;
	ctxt.kernel_ss = FLAT_KERNEL_SS;
	ctxt.kernel_sp = c->entry_stack_top;
	/* The kernel's page table; the user one (ctrlreg[1]) comes later. */
	ctxt.ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn((void *)xen_start_info->pt_base));
	ctxt.event_callback_eip = (uint64_t)entry_event;
	ctxt.failsafe_callback_eip = (uint64_t)entry_failsafe;
	ctxt.syscall_callback_eip = (uint64_t)entry_syscall;
	ctxt.fs_base = ctxt.gs_base_kernel = ctxt.gs_base_user = 0;

	HYPERCALL_OR_PANIC(HYPERVISOR_vcpu_op(VCPUOP_initialise, c->id, &ctxt));
	HYPERCALL_OR_PANIC(HYPERVISOR_vcpu_op(VCPUOP_up, c->id, NULL));
	for (spins = 0; !READ_ONCE(c->online); spins++) {
		if (spins == 1000000)
			panic("smp: vCPU %u did not come up", c->id);
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
}

void smp_init(void)
{
	unsigned int id, offered = 1;

	/* VCPUOP_is_up: 0 or 1 for a vCPU that exists, -ENOENT past the last. */
	while (offered < 64 && HYPERVISOR_vcpu_op(VCPUOP_is_up, offered, NULL) >= 0)
		offered++;
	printk("smp: the hypervisor offers %u vCPU%s%s\n", offered, offered == 1 ? "" : "s",
	       offered > NR_CPUS ? "; only the first NR_CPUS are brought up" : "");
	bind_wake_port(&cpus[0]);
	cpus[0].online = true;
	for (id = 1; id < offered && id < NR_CPUS; id++) {
		cpus[id].id = id;
		cpu_up(&cpus[id]);
		nr_cpus = id + 1;
	}
}
