/*
 * selftests/kernel/masking.c - which entries mask events, checked from a
 * state where events are unmasked (a probe run with them masked already
 * would pass whether or not the hypervisor masks), and how
 * HYPERVISOR_set_trap_table reads its table.
 *
 * The observable is the #BP entry: INT3 from kernel mode is always
 * delivered, so re-registering vector 3 with or without the mask flag and
 * looking at vcpu_info's mask in the handler shows what the table says.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>
#include <xen/errno.h>

#define NONCANONICAL 0x8000000000001000ul

static struct trap_info bp_entry(bool mask, unsigned int dpl, uint16_t cs)
{
	struct trap_info t = { .vector = X86_EXC_BP, .cs = cs, .address = (unsigned long)entry_BP };

	TI_SET_DPL(&t, dpl);
	TI_SET_IF(&t, mask);
	return t;
}

/* Every entry point as at boot (the selftests' INT $N vectors too). */
static void reregister_all(void)
{
	entry_init();
	register_softint_vectors();
}

/*
 * INT3 with events unmasked; returns the mask the handler found, or -1 if
 * the #BP did not arrive once.
 */
static int mask_in_handler(const char *what)
{
	const struct pt_regs *f = &trap_probe.frame;
	struct probe_run r = { 0 };

	probe_arm();
	this_vcpu()->evtchn_upcall_mask = 0;
	barrier();
	PROBE(r, "int3");
	barrier();
	this_vcpu()->evtchn_upcall_mask = 1;
	probe_disarm();
	if (!tap_check(trap_probe.hits == 1 && f->vector == X86_EXC_BP && f->rip == r.end,
		       "%s: delivered once, after the instruction", what)) {
		tap_diag("  hits %u vector %#x rip %+ld", trap_probe.hits, f->vector,
			 (long)(f->rip - r.start));
		return -1;
	}
	return trap_probe.mask_on_entry;
}

static void check_trap_masking(bool mask)
{
	struct trap_info t[2] = { bp_entry(mask, 3, FLAT_KERNEL_CS), { 0 } };
	const char *what = mask ? "INT3 from unmasked, #BP entry with the mask flag"
				: "INT3 from unmasked, #BP entry without the mask flag";
	const struct pt_regs *f = &trap_probe.frame;
	int m;

	HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(t));
	m = mask_in_handler(what);
	if (m >= 0) {
		tap_eq(m, mask, "%s: events %s in the handler", what, mask ? "masked" : "still unmasked");
		tap_eq(regs_saved_mask(f), 0, "%s: saved event mask 0", what);
		tap_check(f->rflags & X86_EFLAGS_IF, "%s: frame IF set", what);
	}
	reregister_all();
}

/* VCPUOP_send_nmi with events unmasked; the nmi callback is slot 2. */
static void check_nmi_masking(bool mask)
{
	uint64_t entry = (uint64_t)hypercall_page + __HYPERVISOR_vcpu_op * HYPERCALL_ENTRY_SIZE;
	const char *what = mask ? "NMI from unmasked, nmi callback registered (slot 2 masks)"
				: "NMI from unmasked, slot 2 re-set without the mask flag";
	const struct pt_regs *f = &trap_probe.frame;
	long rc;

	if (!mask) {
		struct trap_info t[2] = { { .vector = X86_EXC_NMI, .cs = FLAT_KERNEL_CS,
					    .address = (unsigned long)entry_nmi_cb } };

		HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(t));
	}
	probe_arm();
	this_vcpu()->evtchn_upcall_mask = 0;
	barrier();
	{
		register long a1 asm("rdi") = VCPUOP_send_nmi;
		register long a2 asm("rsi") = 0;
		register long a3 asm("rdx") = 0;

		asm volatile("call *%[fn]"
			     : "+r"(a1), "+r"(a2), "+r"(a3), "=a"(rc)
			     : [fn] "r"(entry)
			     : "memory", "cc", "r10", "r8", "rcx", "r11");
	}
	barrier();
	this_vcpu()->evtchn_upcall_mask = 1;
	probe_disarm();
	reregister_all();
	if (!tap_check(rc == 0 && trap_probe.hits == 1 && f->vector == VEC_NMI_CB,
		       "%s: delivered once to the nmi callback", what)) {
		tap_diag("  rc %ld hits %u vector %#x", rc, trap_probe.hits, f->vector);
		return;
	}
	tap_eq(trap_probe.mask_on_entry, mask, "%s: events %s in the handler", what,
	       mask ? "masked" : "still unmasked");
	tap_eq(regs_saved_mask(f), 0, "%s: saved event mask 0", what);
}

static void check_trap_table_reading(void)
{
	const struct pt_regs *f = &trap_probe.frame;
	struct probe_run r = { 0 };
	long rc;
	int m;

	/* An entry with address 0 ends the table: what follows is not read. */
	{
		struct trap_info t[4] = {
			{ .vector = X86_EXC_DE, .cs = FLAT_KERNEL_CS, .address = (unsigned long)entry_DE },
			{ .vector = 0, .address = 0 },
			bp_entry(false, 3, FLAT_KERNEL_CS),
			{ 0 },
		};

		TI_SET_IF(&t[0], 1);
		rc = HYPERVISOR_set_trap_table(t);
		tap_eq(rc, 0, "set_trap_table: a table with an early address-0 entry is accepted");
		m = mask_in_handler("set_trap_table, entry after the address-0 one");
		tap_eq(m, 1, "set_trap_table: an entry after the address-0 one is not applied "
		       "(#BP still masks)");
		reregister_all();
	}
	/* A bad entry fails the call; the entries before it stay applied. */
	{
		struct trap_info t[3] = {
			bp_entry(false, 3, FLAT_KERNEL_CS),
			{ .vector = 0x21, .flags = 3, .cs = FLAT_KERNEL_CS, .address = NONCANONICAL },
			{ 0 },
		};

		rc = HYPERVISOR_set_trap_table(t);
		tap_eq(rc, -XEN_EINVAL, "set_trap_table: a non-canonical handler address gives -EINVAL");
		m = mask_in_handler("set_trap_table, entry before a bad one");
		tap_eq(m, 0, "set_trap_table: the entry before the bad one is applied (#BP no longer masks)");
		reregister_all();
	}
	/* cs means nothing to a 64-bit guest: any value is accepted. */
	{
		struct trap_info t[2] = { bp_entry(true, 3, 0xdead), { 0 } };

		rc = HYPERVISOR_set_trap_table(t);
		tap_eq(rc, 0, "set_trap_table: a garbage cs (0xdead) is accepted");
		probe_arm();
		PROBE(r, "int3");
		probe_disarm();
		tap_check(trap_probe.hits == 1 && f->vector == X86_EXC_BP &&
			  regs_cs_sel(f) == KERNEL_FRAME_CS,
			  "set_trap_table: with a garbage cs, INT3 still reaches the handler, frame cs %#x",
			  KERNEL_FRAME_CS);
		reregister_all();
	}
	/* INT3, INT $3 and INT $4 ignore the vDPL: delivered at vDPL 0 too. */
	{
		struct trap_info t[3] = {
			bp_entry(true, 0, FLAT_KERNEL_CS),
			{ .vector = X86_EXC_OF, .cs = FLAT_KERNEL_CS, .address = (unsigned long)entry_OF },
			{ 0 },
		};

		TI_SET_IF(&t[1], 1);
		HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(t));
		probe_arm();
		PROBE(r, "int3");
		probe_disarm();
		check_frame("INT3, #BP at vDPL 0", &r, X86_EXC_BP, 0, PROBE_TRAP, 0);
		probe_arm();
		PROBE(r, ".byte 0xcd, 0x03");
		probe_disarm();
		check_frame("INT $3 (cd 03), #BP at vDPL 0", &r, X86_EXC_BP, 0, PROBE_TRAP, 0);
		probe_arm();
		PROBE(r, "int $4");
		probe_disarm();
		check_frame("INT $4, #OF at vDPL 0", &r, X86_EXC_OF, 0, PROBE_TRAP, 0);
		reregister_all();
	}
}

void run_masking_tests(void)
{
	/* Nothing in the kernel clears the mask before the selftests. */
	tap_eq(this_vcpu()->evtchn_upcall_mask, 1,
	       "boot: the guest starts with events masked (vcpu_info mask still 1)");
	check_trap_masking(true);
	check_trap_masking(false);
	check_nmi_masking(true);
	check_nmi_masking(false);
	check_trap_table_reading();
}
