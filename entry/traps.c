/*
 * entry/traps.c - registering every entry point, and the C side of entry.
 *
 * entry_init() runs first thing at boot: nothing may fault before Xen
 * knows where to send it (a missing handler for an exception is fatal to
 * the domain, like a triple fault).  do_entry() is called by
 * entry/entry_64.S for every way in, with the struct pt_regs it built.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/ptregs.h>
#include <pventry/user.h>

/* The trap-table flags bit that TI_GET_IF() reads: mask events on entry. */
#define TI_MASK_EVENTS 4
#define TRAP(vec, dpl, name) \
	{ (vec), (dpl) | TI_MASK_EVENTS, FLAT_KERNEL_CS, (unsigned long)entry_##name }

/*
 * The trap table.  vDPL 3 for #BP, #OF (INT3, INTO and their INT $N forms
 * are always delivered anyway) and INT $0x80 (the legacy system call);
 * vDPL 0 everywhere else, so INT $N from user mode raises #GP.  Every
 * entry masks events, so handlers run like interrupt-gate handlers.
 */
const struct trap_info trap_table[] = {
	TRAP(X86_EXC_DE,  0, DE),  TRAP(X86_EXC_DB,  0, DB),
	TRAP(X86_EXC_NMI, 0, NMI), TRAP(X86_EXC_BP,  3, BP),
	TRAP(X86_EXC_OF,  3, OF),  TRAP(X86_EXC_BR,  0, BR),
	TRAP(X86_EXC_UD,  0, UD),  TRAP(X86_EXC_NM,  0, NM),
	TRAP(X86_EXC_DF,  0, DF),  TRAP(X86_EXC_CSO, 0, CSO),
	TRAP(X86_EXC_TS,  0, TS),  TRAP(X86_EXC_NP,  0, NP),
	TRAP(X86_EXC_SS,  0, SS),  TRAP(X86_EXC_GP,  0, GP),
	TRAP(X86_EXC_PF,  0, PF),  TRAP(X86_EXC_SPV, 0, SPV),
	TRAP(X86_EXC_MF,  0, MF),  TRAP(X86_EXC_AC,  0, AC),
	TRAP(X86_EXC_MC,  0, MC),  TRAP(X86_EXC_XM,  0, XM),
	TRAP(X86_EXC_VE,  0, VE),  TRAP(X86_EXC_CP,  0, CP),
	TRAP(22, 0, R22), TRAP(23, 0, R23), TRAP(24, 0, R24),
	TRAP(25, 0, R25), TRAP(26, 0, R26), TRAP(27, 0, R27),
	TRAP(X86_EXC_HV,  0, HV),  TRAP(X86_EXC_VC,  0, VC),
	TRAP(X86_EXC_SX,  0, SX),  TRAP(31, 0, R31),
	TRAP(0x80, 3, INT80),
	{ 0, 0, 0, 0 },		/* address 0 ends the table */
};

/*
 * The callbacks.  Xen always masks events for the event upcall; the others
 * mask them because CALLBACKF_mask_events says so, so every kernel entry
 * starts with events masked.
 */
const struct callback_register callback_table[] = {
	{ CALLBACKTYPE_event,     0,                     (unsigned long)entry_event },
	{ CALLBACKTYPE_failsafe,  CALLBACKF_mask_events, (unsigned long)entry_failsafe },
	{ CALLBACKTYPE_nmi,       0,                     (unsigned long)entry_nmi_cb },
	{ CALLBACKTYPE_syscall,   CALLBACKF_mask_events, (unsigned long)entry_syscall },
	{ CALLBACKTYPE_syscall32, CALLBACKF_mask_events, (unsigned long)entry_syscall32 },
	{ CALLBACKTYPE_sysenter,  CALLBACKF_mask_events, (unsigned long)entry_sysenter },
};

static const char *const callback_names[] = {
	[CALLBACKTYPE_event] = "event", [CALLBACKTYPE_failsafe] = "failsafe",
	[CALLBACKTYPE_syscall] = "syscall", [CALLBACKTYPE_nmi] = "nmi",
	[CALLBACKTYPE_sysenter] = "sysenter", [CALLBACKTYPE_syscall32] = "syscall32",
};

static const char *const exc_names[X86_NR_EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "#SPV", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC",
	"#SX", "#31",
};

const char *exception_name(unsigned int vector)
{
	switch (vector) {
	case 0x80:          return "INT $0x80";
	case VEC_EVENT:     return "event";
	case VEC_FAILSAFE:  return "failsafe";
	case VEC_SYSCALL:   return "syscall";
	case VEC_SYSCALL32: return "syscall32";
	case VEC_SYSENTER:  return "sysenter";
	case VEC_NMI_CB:    return "nmi";
	}
	return vector < X86_NR_EXCEPTIONS ? exc_names[vector] : "INT $N";
}

const char *callback_name(unsigned int type)
{
	return type < ARRAY_SIZE(callback_names) && callback_names[type] ?
		callback_names[type] : "?";
}

/*
 * Register the trap table and every callback on this vCPU.  A failure
 * here leaves an entry point undefined, so it panics naming the hypercall.
 */
void entry_init(void)
{
	struct cpu *c = this_cpu();
	unsigned int i;

	c->trap_table_rc = HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(trap_table));
	for (i = 0; i < ARRAY_SIZE(callback_table); i++) {
		c->callback_rc[i] = HYPERCALL_OR_PANIC(
			HYPERVISOR_callback_op(CALLBACKOP_register, &callback_table[i]));
		c->callback_from_context[i] = false;
	}
}

/* The callbacks a struct vcpu_guest_context has a field for. */
static bool in_vcpu_context(unsigned int type)
{
	return type == CALLBACKTYPE_event || type == CALLBACKTYPE_failsafe ||
	       type == CALLBACKTYPE_syscall;
}

/*
 * A secondary vCPU's first act (arch/x86/xen/smp.c): VCPUOP_initialise
 * gave it the trap table and the event, failsafe and syscall callbacks;
 * the NMI, syscall32 and sysenter callbacks have no field there, so it
 * registers them itself.
 */
void entry_init_secondary(void)
{
	struct cpu *c = this_cpu();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(callback_table); i++) {
		if (in_vcpu_context(callback_table[i].type)) {
			c->callback_from_context[i] = true;
			continue;
		}
		c->callback_rc[i] = HYPERCALL_OR_PANIC(
			HYPERVISOR_callback_op(CALLBACKOP_register, &callback_table[i]));
	}
}

/* This vCPU's table: entry, address, flags, how it was registered, result. */
void print_entry_table(void)
{
	struct cpu *c = this_cpu();
	const struct trap_info *t;
	char how[32];
	unsigned int i;

	printk("Entry points of vCPU %u (registered before anything else ran):\n", c->id);
	printk("  %-10s %-6s %-18s %-18s %s\n", "entry", "vector", "address", "flags", "result");
	if (c->id)
		snprintf(how, sizeof(how), "VCPUOP_initialise");
	else
		snprintf(how, sizeof(how), "set_trap_table=%ld", c->trap_table_rc);
	for (t = trap_table; t->address; t++)
		printk("  %-10s 0x%02x   %p dpl=%u%-9s %s\n", exception_name(t->vector), t->vector,
		       (void *)t->address, TI_GET_DPL(t), TI_GET_IF(t) ? ",mask" : "", how);
	for (i = 0; i < ARRAY_SIZE(callback_table); i++) {
		const struct callback_register *cb = &callback_table[i];

		if (c->callback_from_context[i])
			snprintf(how, sizeof(how), "VCPUOP_initialise");
		else
			snprintf(how, sizeof(how), "callback_op=%ld", c->callback_rc[i]);
		/* The context's VGCF_*_disables_events say what these flags say. */
		printk("  %-10s -      %p %-18s %s\n", callback_name(cb->type), (void *)cb->address,
		       cb->flags & CALLBACKF_mask_events ? "mask_events" : "-", how);
	}
}

extern struct exception_table_entry __ex_table_start[], __ex_table_end[];

/* Sort the exception table once at boot, so lookups can bisect it. */
void sort_exception_table(void)
{
	struct exception_table_entry *a = __ex_table_start, t;
	size_t n = __ex_table_end - __ex_table_start, i, j;

	for (i = 1; i < n; i++) {
		t = a[i];
		for (j = i; j > 0 && a[j - 1].insn > t.insn; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

const struct exception_table_entry *search_exception_table(uint64_t rip)
{
	const struct exception_table_entry *lo = __ex_table_start, *hi = __ex_table_end;

	while (lo < hi) {
		const struct exception_table_entry *mid = lo + (hi - lo) / 2;

		if (mid->insn == rip)
			return mid;
		if (mid->insn < rip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool fixup_exception(struct pt_regs *regs)
{
	const struct exception_table_entry *e = search_exception_table(regs->rip);

	if (!e)
		return false;
	if (e->handler)
		return e->handler(regs, e);
	regs->rip = e->fixup;
	return true;
}

/*
 * An entry from kernel mode that the kernel itself has no use for: an
 * exception without an exception-table entry, an NMI, a system-call
 * entry.  Whoever installs this hook (the selftests, to take them on
 * purpose) returns true if it dealt with the entry.
 */
bool (*kernel_entry_hook)(struct pt_regs *regs);

bool hooked(struct pt_regs *regs)
{
	return kernel_entry_hook && kernel_entry_hook(regs);
}

/* An exception in the kernel that nobody expected: report and stop. */
static __noreturn void die(struct pt_regs *regs)
{
	char sym[96];

	printk("Unexpected %s (vector %#x) in kernel mode, error code %#x at %s\n",
	       exception_name(regs->vector), regs->vector, regs->error_code,
	       symbolize(regs->rip, sym, sizeof(sym)));
	if (regs->vector == X86_EXC_PF)
		printk("  CR2 (vcpu_info.arch.cr2): %p\n", (void *)this_vcpu()->arch.cr2);
	panic_regs(regs, "fatal kernel exception %s", exception_name(regs->vector));
}

/*
 * #BP, #OF and a delivered INT $N are traps: the frame's rip is the
 * instruction after, so an exception-table entry there would belong to
 * another instruction.  Only faults look in the table.
 */
static bool rip_after_insn(unsigned int vector)
{
	return vector == X86_EXC_BP || vector == X86_EXC_OF || vector >= X86_NR_EXCEPTIONS;
}

static void do_trap(struct pt_regs *regs)
{
	if (regs_from_user(regs)) {
		user_exception(regs);
		return;
	}
	if ((!rip_after_insn(regs->vector) && fixup_exception(regs)) || hooked(regs))
		return;
	die(regs);
}

/*
 * Xen could not load a data segment selector while switching this vCPU
 * back in (Documentation/smp.md, the failsafe callback).  It loaded null
 * into each one that failed and bounced here with the selectors it had
 * tried.  A user program gets the fault reported; the kernel, which needs
 * none of %ds/%es/%fs/%gs in 64-bit mode, goes on with the null ones.
 */
static void do_failsafe(struct pt_regs *regs)
{
	const uint64_t *segs = this_cpu()->failsafe_segs;

	if (!regs_from_user(regs) && hooked(regs))
		return;
	printk("failsafe callback on vCPU %u: could not load ds=%#lx es=%#lx fs=%#lx gs=%#lx\n",
	       this_cpu()->id, segs[0], segs[1], segs[2], segs[3]);
	if (regs_from_user(regs))
		user_exception(regs);
}

#ifndef CONFIG_USER_PROGRAMS
/* Without user programs (kernel/user/) nothing runs in user mode. */
void user_exception(struct pt_regs *regs)
{
	panic_regs(regs, "%s from user mode, but this kernel runs no user programs",
		   exception_name(regs->vector));
}

/* entry_64.S's system-call entries: only the selftests' kernel-mode ones. */
uint64_t do_syscall(struct pt_regs *regs)
{
	check_entry_frame(regs);
	if (!regs_from_user(regs) && hooked(regs))
		return 0;
	user_exception(regs);
	return 0;
}

void user_preempt(struct pt_regs *regs)
{
	user_exception(regs);
}

void repair_interrupted_sysret(struct pt_regs *regs)
{
}
#endif

#ifdef CONFIG_DEBUG_ENTRY
/* check_entry_frame() (<pventry/entry.h>) for a frame its quick test did
   not pass: panic unless it is one of Xen's rarer ones. */
void check_entry_frame_fully(const struct pt_regs *regs)
{
	uint16_t cs = regs_cs_sel(regs), ss = (uint16_t)regs->ss;
	/* cs 3: Xen's SYSENTER frame, on the sysenter callback or, with
	   none registered, on #GP. */
	bool ok_cs = cs == KERNEL_FRAME_CS || cs == FLAT_USER_CS64 || cs == FLAT_USER_CS32 ||
		     (cs == 3 && (regs->vector == VEC_SYSENTER || regs->vector == X86_EXC_GP));

	/* No CPU runs vm86 code in long mode; QEMU 10.0.2 TCG does after a
	   32-bit IRET whose popped flags have VM (helper_ret_protected). */
	if (regs->rflags & X86_EFLAGS_VM)
		panic_regs(regs, "entry frame for %s has RFLAGS.VM: the CPU entered vm86 mode in "
			   "long mode (QEMU TCG's 32-bit IRET with VM set), not a real CPU",
			   exception_name(regs->vector));
	if (((uint64_t)&regs->ss + 8) & 15)
		panic_regs(regs, "entry frame for %s not 16-byte aligned: stub layout wrong?",
			   exception_name(regs->vector));
	if (!ok_cs || (ss != FLAT_KERNEL_SS && ss != FLAT_USER_SS32))
		panic_regs(regs, "entry frame for %s has cs %#x ss %#x: not from Xen's flat selectors",
			   exception_name(regs->vector), cs, ss);
}
#endif

static uint64_t dispatch(struct pt_regs *regs);

/*
 * Every entry path but the system calls (entry_64.S sends those to
 * do_syscall()) ends here.  Returns the flags for HYPERVISOR_iret: 0.
 */
uint64_t do_entry(struct pt_regs *regs)
{
	return run_entry(regs, dispatch);
}

static uint64_t dispatch(struct pt_regs *regs)
{
	switch (regs->vector) {
	case VEC_EVENT:
		if (regs_from_user(regs))
			repair_interrupted_sysret(regs);
		do_event_upcall(regs);
		if (regs_from_user(regs))
			user_preempt(regs);
		return 0;
	case VEC_NMI_CB:
	case X86_EXC_NMI:
		if (regs_from_user(regs))
			repair_interrupted_sysret(regs);
		else if (hooked(regs))
			return 0;
		printk("NMI at %p\n", (void *)regs->rip);
		return 0;
	case VEC_FAILSAFE:
		do_failsafe(regs);
		return 0;
	default:
		do_trap(regs);
		return 0;
	}
}
