/*
 * selftests/kernel/softint.c - INT $N from kernel mode, for every N,
 * against the virtual DPL of its trap-table entry.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>

extern char softint_probes[];

void register_softint_vectors(void)
{
	static struct trap_info t[0xe0 + 1];
	unsigned int n, i = 0;

	for (n = 0x20; n < 0x100; n++) {
		int dpl = softint_test_dpl(n);

		if (dpl < 0)
			continue;
		t[i].vector = n;
		t[i].cs = FLAT_KERNEL_CS;
		t[i].address = entry_softint_table[n - 0x20];
		TI_SET_DPL(&t[i], dpl);
		TI_SET_IF(&t[i], 1);
		i++;
	}
	t[i].address = 0;
	HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(t));
}

/* The vDPL of vector n in the trap table, or -1 if it has no handler. */
static int vdpl_of(unsigned int n)
{
	const struct trap_info *t;

	if (softint_test_dpl(n) != -2)
		return softint_test_dpl(n);
	for (t = trap_table; t->address; t++)
		if (t->vector == n)
			return TI_GET_DPL(t);
	return -1;
}

void run_softint_tests(void)
{
	unsigned int n;

	for (n = 0; n < 256; n++) {
		uint64_t start = (uint64_t)softint_probes + n * 8, sp, fl;
		const struct pt_regs *f = &trap_probe.frame;
		int dpl = vdpl_of(n);
		/*
		 * INT $3 and INT $4 are always delivered (Xen's IDT has them at
		 * DPL 3); INT $0x80 with a handler is delivered directly, its
		 * vDPL ignored; otherwise guest kernel mode needs vDPL >= 1.
		 */
		bool deliver = n == 3 || n == 4 || n == 0x80 || dpl >= 1;
		unsigned int want_vec = deliver ? n : X86_EXC_GP;
		uint32_t want_ec = deliver ? 0 : n * 8 + 2;
		uint64_t want_rip = deliver ? start + 2 : start;
		bool ok;

		probe_arm();
		asm volatile("pushf\n\t"
			     "pop %[fl]\n\t"
			     "mov %%rsp, %[sp]\n\t"
			     "call *%[fn]"
			     : [sp] "=&r"(sp), [fl] "=&r"(fl)
			     : [fn] "r"(start)
			     : "memory", "cc");
		probe_disarm();
		sp -= 8;			/* the call's return address */
		ok = trap_probe.hits == 1 && f->vector == want_vec && f->error_code == want_ec &&
		     f->rip == want_rip && f->rsp == sp && regs_cs_sel(f) == KERNEL_FRAME_CS &&
		     (f->rflags & ~X86_EFLAGS_RF) == (fl & ~X86_EFLAGS_IF);
		tap_check_dev(ok, deliver && dpl >= 1 ? DEV_XEN_KERNEL_SOFTINT : DEV_NONE,
			      "INT $%#04x from kernel mode (vDPL %d): %s", n, dpl,
			      deliver ? "delivered" : "#GP(N*8+2)");
		if (!ok)
			tap_diag("  hits %u vector %#x ec %#x rip %+ld rsp %+ld rflags %#lx (want %#x %#x %+ld, fl %#lx)",
				 trap_probe.hits, f->vector, f->error_code, (long)(f->rip - start),
				 (long)(f->rsp - sp), f->rflags, want_vec, want_ec,
				 (long)(want_rip - start), fl & ~X86_EFLAGS_IF);
	}
}
