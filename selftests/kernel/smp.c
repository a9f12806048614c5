/*
 * selftests/kernel/smp.c - more than one vCPU.
 *
 * On each secondary vCPU (handed over with smp_call()): the kernel-mode
 * delivery tests and a 64-bit and a compat user program, their TAP lines
 * naming the vCPU.  Between vCPUs: an event-channel IPI each way and
 * VCPUOP_send_nmi each way, each landing on the target's own callback with
 * a frame on the target's own stack; VCPUOP_down and up, after which the
 * entry points still work without being registered again (Xen keeps them:
 * VCPUOP_down only takes the vCPU off the run queue).  Then the failsafe
 * callback, raised for real: a selector Xen cannot reload when it switches
 * the vCPU back in.
 *
 * Every vCPU, the boot one included, has its vcpu_info in its own struct
 * cpu (VCPUOP_register_vcpu_info at bring-up, arch/x86/xen/smp.c); a
 * second registration and a misplaced one are refused with Xen's codes.
 *
 * With one vCPU (a hypervisor that offers no more) the rest is one
 * diagnostic line, after checking that VCPUOP_is_up says so.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <selftests/ktest.h>
#include <xen/errno.h>

/* How often to let the others run while waiting for something they do. */
#define WAIT_YIELDS 200000

static uint64_t hypercall_entry(unsigned int nr)
{
	return (uint64_t)hypercall_page + nr * HYPERCALL_ENTRY_SIZE;
}

static bool in_hypercall(uint64_t rip, unsigned int nr)
{
	return rip > hypercall_entry(nr) && rip < hypercall_entry(nr) + HYPERCALL_ENTRY_SIZE;
}

/* Is rip inside the function `name' (by the kernel's symbol table)? */
static bool in_function(uint64_t rip, const char *name)
{
	char sym[96];
	size_t n = strlen(name);

	symbolize(rip, sym, sizeof(sym));
	return !strncmp(sym, name, n) && sym[n] == '+';
}

/* Is addr on cpu's own kernel stack? */
static bool on_kernel_stack(uint64_t addr, unsigned int cpu)
{
	uint64_t top = cpus[cpu].kernel_stack_top;

	return addr < top && addr >= top - KERNEL_STACK_SIZE;
}

static bool wait_for(volatile unsigned int *hits)
{
	unsigned int n;

	for (n = 0; n < WAIT_YIELDS && !*hits; n++)
		smp_yield();
	return *hits;
}

/* ---- the suite on a secondary vCPU ---- */

static void secondary_suite(void *arg)
{
	unsigned int want = (unsigned int)(uintptr_t)arg;
	uint64_t sp;

	asm("mov %%rsp, %0" : "=r"(sp));
	tap_eq(this_cpu()->id, want, "smp_call() ran the suite on vCPU %u", want);
	tap_check(on_kernel_stack(sp, want), "running on vCPU %u's own kernel stack", want);
	register_softint_vectors();
	run_exception_tests();
	run_regs_tests();
	run_softint_tests();
	run_event_tests();
	run_nmi_tests();
#ifdef CONFIG_USER_SELFTESTS
	run_user_program_named("user64");
	run_user_program_named("user32");
#endif
}

/* ---- an event-channel IPI from one vCPU to another ---- */

static struct {
	volatile unsigned int hits;
	unsigned int cpu;
	struct pt_regs frame;
	uint8_t mask;
} ipi;
static evtchn_port_t ipi_port;
static long ipi_rc;

static void ipi_record(evtchn_port_t port, struct pt_regs *regs)
{
	ipi.cpu = this_cpu()->id;
	ipi.frame = *regs;
	ipi.mask = this_vcpu()->evtchn_upcall_mask;
	ipi.hits++;
}

static void bind_ipi_here(void *unused)
{
	ipi_rc = evtchn_bind_ipi_self(ipi_record, &ipi_port);
}

static void send_ipi(void *unused)
{
	ipi_rc = evtchn_send(ipi_port);
}

/*
 * The target binds the port to itself; the sender sends.  The target has
 * events unmasked only around a SCHEDOP hypercall (blocked in its idle
 * loop, or in smp_yield() from smp_wait()), so the upcall lands there: as
 * the hypercall returns, or, for a vCPU running on another physical CPU,
 * at any instruction of smp_yield()'s unmasked window.
 */
static void test_ipi(unsigned int from, unsigned int to)
{
	const struct pt_regs *f = &ipi.frame;

	memset(&ipi, 0, sizeof(ipi));
	if (to == 0)
		bind_ipi_here(NULL);
	else
		smp_call(to, bind_ipi_here, NULL);
	if (!tap_eq(ipi_rc, 0, "IPI vCPU %u -> %u: EVTCHNOP_bind_ipi on vCPU %u", from, to, to))
		return;
	if (from == 0)
		send_ipi(NULL);
	else
		smp_call(from, send_ipi, NULL);
	tap_eq(ipi_rc, 0, "IPI vCPU %u -> %u: EVTCHNOP_send on vCPU %u", from, to, from);
	wait_for(&ipi.hits);
	evtchn_close(ipi_port);
	if (!tap_eq(ipi.hits, 1, "IPI vCPU %u -> %u: upcall delivered once", from, to))
		return;
	tap_eq(ipi.cpu, to, "IPI vCPU %u -> %u: on the target's upcall", from, to);
	tap_eq(f->vector, VEC_EVENT, "IPI vCPU %u -> %u: through the event callback", from, to);
	tap_check(in_hypercall(f->rip, __HYPERVISOR_sched_op) || in_function(f->rip, "smp_yield"),
		  "IPI vCPU %u -> %u: %%rip where the target had events unmasked (SCHEDOP_block or smp_yield)",
		  from, to);
	tap_check(on_kernel_stack(f->rsp, to),
		  "IPI vCPU %u -> %u: %%rsp on the target's own stack", from, to);
	tap_eq(regs_cs_sel(f), KERNEL_FRAME_CS, "IPI vCPU %u -> %u: %%cs is the kernel's", from, to);
	tap_eq(regs_saved_mask(f), 0, "IPI vCPU %u -> %u: saved event mask 0", from, to);
	tap_check(f->rflags & X86_EFLAGS_IF, "IPI vCPU %u -> %u: frame IF set", from, to);
	tap_eq(ipi.mask, 1, "IPI vCPU %u -> %u: events masked in the handler", from, to);
}

/* ---- VCPUOP_send_nmi to another vCPU ---- */

static unsigned int nmi_target;
static long nmi_rc;

static void send_nmi(void *unused)
{
	nmi_rc = HYPERVISOR_vcpu_op(VCPUOP_send_nmi, nmi_target, NULL);
}

static void test_nmi(unsigned int from, unsigned int to)
{
	const struct pt_regs *f = &trap_probe.frame;

	nmi_target = to;
	probe_arm();
	if (from == 0)
		send_nmi(NULL);
	else
		smp_call(from, send_nmi, NULL);
	wait_for(&trap_probe.hits);
	probe_disarm();
	tap_eq(nmi_rc, 0, "NMI vCPU %u -> %u: VCPUOP_send_nmi", from, to);
	if (!tap_eq(trap_probe.hits, 1, "NMI vCPU %u -> %u: delivered once", from, to))
		return;
	tap_eq(trap_probe.cpu, to, "NMI vCPU %u -> %u: on the target's handler", from, to);
	tap_eq(f->vector, VEC_NMI_CB, "NMI vCPU %u -> %u: through the nmi callback", from, to);
	tap_check(on_kernel_stack(f->rsp, to), "NMI vCPU %u -> %u: %%rsp on the target's own stack",
		  from, to);
	tap_eq(regs_cs_sel(f), KERNEL_FRAME_CS, "NMI vCPU %u -> %u: %%cs is the kernel's", from, to);
	tap_eq(!!(f->rflags & X86_EFLAGS_IF), !regs_saved_mask(f),
	       "NMI vCPU %u -> %u: frame IF = !saved event mask", from, to);
}

/* ---- VCPUOP_down, then VCPUOP_up ---- */

static volatile long down_rc = 1;

/*
 * On the vCPU: take itself down.  VCPUOP_down returns once another vCPU
 * brings it up again; then every kind of entry must still work with no
 * registration in between.
 */
static void go_down_and_check(void *unused)
{
	down_rc = HYPERVISOR_vcpu_op(VCPUOP_down, this_cpu()->id, NULL);
	tap_where = "after VCPUOP_down/up";
	run_exception_tests();
	run_event_tests();
	run_nmi_tests();
#ifdef CONFIG_USER_SELFTESTS
	run_user_program_named("user32");	/* SYSCALL32 or SYSENTER, INT $0x80 */
#endif
	tap_where = NULL;
}

static void test_down_up(unsigned int cpu)
{
	long rc = 1, rc_up, rc_is_up;
	unsigned int n;

	down_rc = 1;
	smp_call_async(cpu, go_down_and_check, NULL);
	for (n = 0; n < WAIT_YIELDS; n++) {
		rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, cpu, NULL);
		if (rc == 0)
			break;
		smp_yield();
	}
	tap_eq(rc, 0, "VCPUOP_down: VCPUOP_is_up(%u) says down", cpu);
	tap_eq(down_rc, 1, "VCPUOP_down: has not returned while the vCPU is down");
	/* Once it is up it prints its own checks: ours wait until it is done. */
	rc_up = HYPERVISOR_vcpu_op(VCPUOP_up, cpu, NULL);
	rc_is_up = HYPERVISOR_vcpu_op(VCPUOP_is_up, cpu, NULL);
	smp_wait(cpu);
	tap_eq(rc_up, 0, "VCPUOP_up(%u)", cpu);
	tap_eq(rc_is_up, 1, "VCPUOP_is_up(%u) says up", cpu);
	tap_eq(down_rc, 0, "VCPUOP_down returned 0 on vCPU %u once it was up again", cpu);
}

/* ---- the failsafe callback ---- */

/* A flat data segment, DPL 3 (a PV64 kernel runs in ring 3), in LDT slot 1. */
#define LDT_DATA_DESC 0x00cff3000000ffffull
#define LDT_SEL ((1 << 3) | 4 | 3)
#define MAGIC_RCX 0x5c5c5c5c0000c0c0ull
#define MAGIC_R11 0x1111eeee2222dddd
/* Arithmetic flags the spin loop changes. */
#define ARITH_FLAGS (X86_EFLAGS_CF | 0x4 | 0x10 | 0x40 | 0x80 | X86_EFLAGS_OF)

static uint64_t *ldt;

static long set_ldt(void *base, unsigned int ents)
{
	struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

	op.arg1.linear_addr = (unsigned long)base;
	op.arg2.nr_ents = ents;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static uint16_t read_sel(int which)
{
	uint16_t v = 0;

	switch (which) {
	case 0: asm volatile("mov %%ds, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%es, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%fs, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%gs, %0" : "=r"(v)); break;
	}
	return v;
}

struct failsafe_case {
	const char *what;
	bool fs_only;		/* else %ds, %es and %gs */
	uint8_t mask;		/* event mask while it spins */
};

static const char *const seg_names[4] = { "DS", "ES", "FS", "GS" };

/*
 * On the vCPU under test: load the LDT selector, take the LDT away, and
 * spin with known %rcx/%r11 until Xen switches us out and back in (the
 * other vCPU is runnable on the same physical CPU) and bounces to the
 * failsafe callback; its handler (the probe) records the frame and returns
 * to the loop, which then ends.  It also ends if the selector it watches
 * (%fs, or %ds) is lost without a bounce.
 */
static void failsafe_on_this_vcpu(void *arg)
{
	const struct failsafe_case *t = arg;
	const struct pt_regs *f = &trap_probe.frame;
	struct sched_pin_override pin = { .pcpu = 0 };
	uint16_t want[4], after[4], saved_ds = read_sel(0), saved_es = read_sel(1);
	uint64_t start = 0, end = 0, sp = 0, fl = 0, n = 0, rcx;
	long rc = 0, rc2 = 0;
	unsigned int attempt;
	int i;

	HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
	/*
	 * A switch can also come between removing the LDT and the loop (the
	 * bounce is then outside the loop, or of another kind): try again,
	 * a few times.  The probe is armed and the mask set before the LDT
	 * goes, so no bounce is missed.
	 */
	for (attempt = 1; attempt <= 5; attempt++) {
		n = 1ull << 31;
		rcx = MAGIC_RCX;
		rc = set_ldt(ldt, 2);
		if (rc)
			break;
		if (t->fs_only)
			asm volatile("mov %0, %%fs" : : "r"(LDT_SEL));
		else
			asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%gs" : : "r"(LDT_SEL));
		for (i = 0; i < 4; i++)
			want[i] = read_sel(i);
		this_vcpu()->evtchn_upcall_mask = t->mask;
		probe_arm();
		rc2 = set_ldt(NULL, 0);
		asm volatile("lea 1f(%%rip), %[start]\n\t"
			     "lea 2f(%%rip), %[end]\n\t"
			     "pushf\n\t"
			     "pop %[fl]\n\t"
			     "mov %%rsp, %[sp]\n\t"
			     "mov %[r11v], %%r11\n"
			     "1:\tcmpl $0, %[hits]\n\t"
			     "jne 2f\n\t"
			     "mov %%fs, %%ax\n\t"		/* the selector it watches */
			     "test %[fs_only], %[fs_only]\n\t"
			     "jnz 3f\n\t"
			     "mov %%ds, %%ax\n"
			     "3:\tcmp %[sel], %%ax\n\t"
			     "jne 2f\n\t"			/* lost without a bounce: give up */
			     "dec %[n]\n\t"
			     "jnz 1b\n"
			     "2:"
			     : [start] "=&r"(start), [end] "=&r"(end), [fl] "=&r"(fl), [sp] "=&r"(sp),
			       [n] "+r"(n), "+c"(rcx)
			     : [hits] "m"(trap_probe.hits), [r11v] "r"(MAGIC_R11),
			       [fs_only] "r"((uint64_t)t->fs_only), [sel] "i"(LDT_SEL)
			     : "memory", "cc", "r11", "rax");
		probe_disarm();
		this_vcpu()->evtchn_upcall_mask = 1;
		for (i = 0; i < 4; i++)
			after[i] = read_sel(i);
		asm volatile("mov %0, %%ds; mov %1, %%es" : : "r"(saved_ds), "r"(saved_es));
		if (trap_probe.hits == 0 ||
		    (trap_probe.hits == 1 && f->vector == VEC_FAILSAFE && f->rip >= start && f->rip < end))
			break;
		tap_diag("%s: attempt %u: %u entries, the first %s at %p, before the loop: again", t->what,
			 attempt, trap_probe.hits, exception_name(f->vector), (void *)f->rip);
	}
	if (!tap_eq(rc, 0, "%s: MMUEXT_SET_LDT with one flat data descriptor", t->what))
		goto out;
	tap_eq(rc2, 0, "%s: MMUEXT_SET_LDT with no entries, selector still loaded", t->what);
	if (!tap_check_dev(trap_probe.hits == 1, DEV_BOCHS_IRET_LDT_SEL,
			   "%s: failsafe callback raised once on switch-in", t->what)) {
		tap_diag("  got %u, after the loop %%fs %#x, %%ds %#x", trap_probe.hits, after[2], after[0]);
		goto out;
	}
	tap_eq(trap_probe.cpu, this_cpu()->id, "%s: on this vCPU", t->what);
	tap_eq(f->vector, VEC_FAILSAFE, "%s: through the failsafe callback", t->what);
	/* The 11 words, low to high: RCX R11 DS ES FS GS RIP CS RFLAGS RSP SS. */
	tap_eq(f->rcx, MAGIC_RCX, "%s: frame RCX is the interrupted %%rcx", t->what);
	tap_eq(f->r11, MAGIC_R11, "%s: frame R11 is the interrupted %%r11", t->what);
	for (i = 0; i < 4; i++)
		tap_eq(trap_probe.failsafe_segs[i], want[i], "%s: frame %s is the selector it had (%#x)",
		       t->what, seg_names[i], want[i]);
	tap_check(f->rip >= start && f->rip < end, "%s: frame RIP inside the spin loop", t->what);
	tap_eq(regs_cs_sel(f), KERNEL_FRAME_CS, "%s: frame CS is the kernel's, RPL 0", t->what);
	tap_eq(regs_saved_mask(f), t->mask, "%s: frame CS[39:32] is the event mask it had (%u)",
	       t->what, t->mask);
	tap_eq(f->rflags & ~(ARITH_FLAGS | X86_EFLAGS_RF),
	       (t->mask ? fl & ~X86_EFLAGS_IF : fl | X86_EFLAGS_IF) & ~(ARITH_FLAGS | X86_EFLAGS_RF),
	       "%s: frame RFLAGS are the loop's, IF = !mask", t->what);
	tap_eq(f->rsp, sp, "%s: frame RSP is the interrupted %%rsp", t->what);
	tap_eq(f->ss & 0xffff, FLAT_KERNEL_SS, "%s: frame SS is the kernel's", t->what);
	tap_eq(trap_probe.mask_on_entry, 1, "%s: events masked in the handler (failsafe masks)", t->what);
	for (i = 0; i < 4; i++)
		if (want[i] == LDT_SEL)
			tap_eq(after[i], 0, "%s: %s null after the bounce (Xen loaded null)", t->what,
			       seg_names[i]);
	tap_check(n > 0, "%s: the handler returned and the loop went on to its end", t->what);
out:
	pin.pcpu = -1;
	HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
}

static volatile unsigned int alive_on;

static void secondary_alive(void *unused)
{
	alive_on = this_cpu()->id + 1;
}

static const struct failsafe_case failsafe_cases[] = {
	{ "failsafe %fs", true, 0 },
	{ "failsafe %ds/%es/%gs", false, 1 },
};

/*
 * Xen reloads a vCPU's data selectors only when it really switches it
 * back in after another vCPU ran on that physical CPU: both are pinned to
 * physical CPU 0 where the hypervisor lets us (SCHEDOP_pin_override: the
 * hardware domain only), and vCPU 0 stays runnable, yielding in smp_wait().
 */
static void test_failsafe(unsigned int cpu)
{
	struct sched_pin_override pin = { .pcpu = 0 };
	unsigned int i;
	long rc;

	if (!ldt) {
		ldt = alloc_page();
		ldt[1] = LDT_DATA_DESC;
		/* Xen takes a page as descriptor table only if it is mapped read-only. */
		HYPERCALL_OR_PANIC(remap_page(ldt, virt_to_mfn(ldt), _PAGE_PRESENT));
	}
	rc = HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
	if (rc)
		tap_diag("SCHEDOP_pin_override: %ld (%s): relying on the scheduler to share a CPU",
			 rc, xen_errno_name(rc));
	for (i = 0; i < ARRAY_SIZE(failsafe_cases); i++)
		smp_call(cpu, failsafe_on_this_vcpu, (void *)&failsafe_cases[i]);
	pin.pcpu = -1;
	HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
	/* The vCPU went on: it takes work again. */
	alive_on = 0;
	smp_call(cpu, secondary_alive, NULL);
	tap_eq(alive_on, cpu + 1, "after the failsafe bounces vCPU %u goes on taking work", cpu);
}

/* ---- VCPUOP_register_vcpu_info ---- */

static long register_vcpu_info(unsigned int id, const void *at, uint64_t offset)
{
	struct vcpu_register_vcpu_info info = {
		.mfn = virt_to_mfn(at),
		.offset = offset,
	};

	return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, id, &info);
}

/*
 * Xen 4.17's map_vcpu_info checks the place first (-ENXIO), then whether
 * the vCPU has one (-EINVAL).  Later Xen registers through
 * map_guest_area() and refuses a vCPU that has one before anything else:
 * -EBUSY (seen on 4.23-unstable; findings.md).  Which one applies is
 * told by the version the hypervisor gives.
 */
static long want_registered_again(long xen_4_17_rc)
{
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

	return ver > ((4 << 16) | 17) ? -XEN_EBUSY : xen_4_17_rc;
}

static void test_vcpu_info(void)
{
	const struct cpu *c0 = &cpus[0];
	uint64_t off = (uint64_t)&c0->own_info & (PAGE_SIZE - 1);
	unsigned int cpu;
	long want;

	for (cpu = 0; cpu < nr_cpus; cpu++)
		tap_check(cpus[cpu].own_vcpu_info && cpus[cpu].vcpu_info == &cpus[cpu].own_info,
			  "vCPU %u: vcpu_info registered in its struct cpu", cpu);
	want = want_registered_again(-XEN_EINVAL);
	tap_eq(register_vcpu_info(0, &c0->own_info, off), want,
	       "register_vcpu_info: vCPU 0 a second time, same place: %s", xen_errno_name(want));
	want = want_registered_again(-XEN_ENXIO);
	tap_eq(register_vcpu_info(0, &c0->own_info, PAGE_SIZE - sizeof(struct vcpu_info) + 8), want,
	       "register_vcpu_info: crossing the end of the page: %s", xen_errno_name(want));
	tap_eq(register_vcpu_info(0, &c0->own_info, off + 4), want,
	       "register_vcpu_info: misaligned: %s", xen_errno_name(want));
	if (nr_cpus > 1) {
		want = want_registered_again(-XEN_EINVAL);
		tap_eq(register_vcpu_info(1, &cpus[1].own_info,
					  (uint64_t)&cpus[1].own_info & (PAGE_SIZE - 1)), want,
		       "register_vcpu_info: vCPU 1 (up, registered) from vCPU 0: %s",
		       xen_errno_name(want));
	}
}

void run_smp_selftests(void)
{
	long rc;
	unsigned int cpu;

	printk("# more than one vCPU: %u up\n", nr_cpus);
	rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, nr_cpus, NULL);
	tap_eq(rc, -XEN_ENOENT, "VCPUOP_is_up(%u), one past the last vCPU: -ENOENT", nr_cpus);
	test_vcpu_info();
	if (nr_cpus < 2) {
		tap_diag("one vCPU: no secondary vCPU to run the suite on, no IPI, NMI, "
			 "down/up or failsafe test between vCPUs");
		return;
	}
	/* First, while vCPU 1's failsafe callback is still the one its
	   VCPUOP_initialise context gave it (user programs register again). */
	test_failsafe(1);
	for (cpu = 1; cpu < nr_cpus; cpu++) {
		printk("# the selftests on vCPU %u\n", cpu);
		smp_call(cpu, secondary_suite, (void *)(uintptr_t)cpu);
	}
	test_ipi(0, 1);
	test_ipi(1, 0);
	test_nmi(0, 1);
	test_nmi(1, 0);
	test_down_up(1);
}
