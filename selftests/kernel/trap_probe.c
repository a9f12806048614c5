/*
 * selftests/kernel/trap_probe.c - the probe: let kernel code take an exception
 * on purpose, and check the frame the handler received.
 *
 * Each test arms the probe, runs one instruction, and compares the frame
 * with values the test knows independently: the address of the
 * instruction and of the one after it (assembler labels), and %rsp and
 * %rflags read just before it with no instruction in between that could
 * change them.
 *
 * What a frame from guest kernel mode must say (Documentation/boot.md,
 * the bounce frame):
 *   cs      = FLAT_KERNEL_CS with RPL cleared (0xe030), saved mask above
 *   rflags  = the interrupted flags, but IF = !(event mask); most of
 *             these tests run with events masked, so IF = 0.  Faults also set RF in
 *             the saved image, as hardware does.
 *   rsp     = the interrupted %rsp (no stack switch within kernel mode)
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <selftests/ktest.h>

struct trap_probe trap_probe;
char scratch_page[PAGE_SIZE] __aligned(PAGE_SIZE) __attribute__((section(".bss.page_aligned")));

static void probe_record(struct pt_regs *regs)
{
	struct trap_probe *p = &trap_probe;

	p->frame = *regs;
	p->mask_on_entry = this_vcpu()->evtchn_upcall_mask;
	p->cr2 = regs->vector == X86_EXC_PF ? this_vcpu()->arch.cr2 : 0;
	p->dr6 = regs->vector == X86_EXC_DB ? HYPERVISOR_get_debugreg(6) : 0;
	p->cpu = this_cpu()->id;
	if (regs->vector == VEC_FAILSAFE)
		memcpy(p->failsafe_segs, this_cpu()->failsafe_segs, sizeof(p->failsafe_segs));
	p->hits++;
	/* Stop single-stepping the probed code. */
	regs->rflags &= ~X86_EFLAGS_TF;
}

/* The exception-table handler of every probe site: a fault there. */
bool probe_fixup(struct pt_regs *regs, const struct exception_table_entry *e);
bool probe_fixup(struct pt_regs *regs, const struct exception_table_entry *e)
{
	if (trap_probe.armed)
		probe_record(regs);
	regs->rip = e->fixup;
	return true;
}

/* kernel_entry_hook: a trap, an NMI or a system-call entry while armed. */
static bool probe_hook(struct pt_regs *regs)
{
	if (!trap_probe.armed)
		return false;
	probe_record(regs);
	return true;
}

void probe_init(void)
{
	kernel_entry_hook = probe_hook;
}

void probe_arm(void)
{
	memset(&trap_probe.frame, 0, sizeof(trap_probe.frame));
	trap_probe.hits = 0;
	trap_probe.cr2 = trap_probe.dr6 = 0;
	barrier();
	trap_probe.armed = true;
	barrier();
}

void probe_disarm(void)
{
	barrier();
	trap_probe.armed = false;
}

void check_frame(const char *what, const struct probe_run *r, unsigned int vector,
		 uint32_t ec, enum probe_kind kind, uint64_t extra_fl)
{
	const struct pt_regs *f = &trap_probe.frame;
	uint64_t want_fl = (r->fl & ~X86_EFLAGS_IF) | extra_fl;

	if (kind == PROBE_FAULT)
		want_fl |= X86_EFLAGS_RF;
	if (!tap_eq(trap_probe.hits, 1, "%s: delivered once", what))
		return;
	tap_eq(f->vector, vector, "%s: vector %s", what, exception_name(vector));
	tap_eq(f->error_code, ec, "%s: error code %#x", what, ec);
	tap_eq(f->rip, kind == PROBE_FAULT ? r->start : r->end, "%s: %%rip %s the instruction",
	       what, kind == PROBE_FAULT ? "at" : "after");
	tap_eq(regs_cs_sel(f), KERNEL_FRAME_CS, "%s: %%cs is the kernel's, RPL 0", what);
	/* RF in a trap's image is whatever it was (an interrupt just before the
	   instruction can leave it set): compare it for faults only. */
	if (kind == PROBE_TRAP)
		tap_eq(f->rflags & ~X86_EFLAGS_RF, want_fl, "%s: %%rflags", what);
	else
		tap_eq(f->rflags, want_fl, "%s: %%rflags", what);
	tap_eq(f->rsp, r->sp, "%s: %%rsp", what);
	tap_eq(f->ss & 0xffff, FLAT_KERNEL_SS, "%s: %%ss", what);
	tap_eq(regs_saved_mask(f), 1, "%s: saved event mask in %%cs[39:32]", what);
	/* These probes run with events masked already: whether the entry
	   masks them is checked from unmasked, in masking.c. */
}
