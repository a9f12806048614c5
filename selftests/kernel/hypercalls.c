/*
 * selftests/kernel/hypercalls.c - bad hypercall arguments.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <pventry/time.h>
#include <selftests/ktest.h>
#include <xen/errno.h>

/*
 * A hypervisor must answer nonsense with an error code and change nothing.
 * Each case names the Xen errno Xen 4.17 returns; nothing here may crash
 * the domain (the entry points stay registered: the selftests after this
 * still run through them).
 */
#define NONCANONICAL 0x8000000000000000UL

static void test_trap_table_noncanonical(void)
{
	struct trap_info bad_trap[2] = {
		{ X86_EXC_DE, 0, FLAT_KERNEL_CS, NONCANONICAL }, { 0, 0, 0, 0 } };

	tap_eq(HYPERVISOR_set_trap_table(bad_trap), -XEN_EINVAL,
	       "set_trap_table, non-canonical handler: -EINVAL");
}

static void test_callback_noncanonical(void)
{
	struct callback_register bad_cb = { CALLBACKTYPE_event, 0, NONCANONICAL };

	tap_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &bad_cb), -XEN_EINVAL,
	       "callback_op register, non-canonical address: -EINVAL");
}

static void test_callback_unknown_type(void)
{
	struct callback_register bad_type = { 99, 0, (unsigned long)entry_event };

	tap_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &bad_type), -XEN_ENOSYS,
	       "callback_op register, unknown type: -ENOSYS");
}

static void test_callback_unknown_command(void)
{
	struct callback_register bad_type = { 99, 0, (unsigned long)entry_event };

	tap_eq(HYPERVISOR_callback_op(77, &bad_type), -XEN_ENOSYS,
	       "callback_op, unknown command: -ENOSYS");
}

static void test_console_io_unmapped(void)
{
	long rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, (const char *)0x1000);

	if (xen_start_info->flags & SIF_INITDOMAIN)
		tap_eq(rc, -XEN_EFAULT, "console_io write from an unmapped buffer: -EFAULT");
	else	/* XSM decides first: a domU may not use Xen's console at all */
		tap_eq(rc, -XEN_EPERM, "console_io write as a domU: -EPERM");
}

static void test_unknown_commands(void)
{
	tap_eq(HYPERVISOR_xen_version(1234, NULL), -XEN_ENOSYS,
	       "xen_version, unknown command: -ENOSYS");
	tap_eq(HYPERVISOR_sched_op(1234, NULL), -XEN_ENOSYS, "sched_op, unknown command: -ENOSYS");
}

static void test_evtchn_send_unbound(void)
{
	struct evtchn_send bad_port = { .port = 4000 };

	tap_eq(HYPERVISOR_event_channel_op(EVTCHNOP_send, &bad_port), -XEN_EINVAL,
	       "event_channel_op send to an unbound port: -EINVAL");
}

/* VIRQ_TIMER is bound already (kernel/time.c). */
static void test_bind_virq(void)
{
	struct evtchn_bind_virq again = { .virq = VIRQ_TIMER, .vcpu = 0 };
	struct evtchn_bind_virq out_of_range = { .virq = NR_VIRQS, .vcpu = 0 };
	struct evtchn_bind_virq no_vcpu = { .virq = VIRQ_TIMER, .vcpu = nr_cpus };
	struct evtchn_bind_virq global_on_1 = { .virq = VIRQ_CON_RING, .vcpu = 1 };

	tap_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &again), -XEN_EEXIST,
	       "event_channel_op bind_virq VIRQ_TIMER a second time: -EEXIST");
	tap_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &out_of_range), -XEN_EINVAL,
	       "event_channel_op bind_virq NR_VIRQS: -EINVAL");
	tap_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &no_vcpu), -XEN_ENOENT,
	       "event_channel_op bind_virq VIRQ_TIMER on vCPU %u, one past the last: -ENOENT", nr_cpus);
	tap_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &global_on_1), -XEN_EINVAL,
	       "event_channel_op bind_virq of a global VIRQ on vCPU 1: -EINVAL");
}

/* Periods Xen refuses; the running 10 ms timer must not change. */
static void test_periodic_timer(void)
{
	struct vcpu_set_periodic_timer too_short = { .period_ns = 999999 };
	struct vcpu_set_periodic_timer too_long = { .period_ns = ~0ULL };
	struct vcpu_set_periodic_timer ok = { .period_ns = TICK_MS * 1000000ULL };

	tap_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &too_short), -XEN_EINVAL,
	       "vcpu_op set_periodic_timer, 999999 ns (below 1 ms): -EINVAL");
	tap_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &too_long), -XEN_EINVAL,
	       "vcpu_op set_periodic_timer, ~0 ns (above STIME_DELTA_MAX): -EINVAL");
	tap_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, nr_cpus, &ok), -XEN_ENOENT,
	       "vcpu_op set_periodic_timer on vCPU %u, one past the last: -ENOENT", nr_cpus);
	tap_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &ok), 0,
	       "vcpu_op set_periodic_timer, 10 ms again: 0");
}

/* A writable mapping of a page-table page (our own L4). */
static void test_writable_page_table(void)
{
	long rc = remap_page(scratch_page, virt_to_mfn((void *)xen_start_info->pt_base),
			     _PAGE_PRESENT | _PAGE_RW);

	tap_eq(rc, -XEN_EBUSY, "update_va_mapping making a page table writable: -EBUSY");
	HYPERCALL_OR_PANIC(remap_page(scratch_page, virt_to_mfn(scratch_page), _PAGE_PRESENT | _PAGE_RW));
}

/* Pinning a writable data page as an L4. */
static void test_pin_data_page(void)
{
	struct mmuext_op pin_data = { .cmd = MMUEXT_PIN_L4_TABLE };

	pin_data.arg1.mfn = virt_to_mfn(scratch_page);
	tap_eq(HYPERVISOR_mmuext_op(&pin_data, 1, NULL, DOMID_SELF), -XEN_EINVAL,
	       "mmuext_op pinning a writable data page as L4: -EINVAL");
}

/*
 * mmu_update through an ordinary writable page is no error: Xen does it as
 * a plain write of the word.
 */
static void test_mmu_update_data_page(void)
{
	mmu_update_t not_a_pt;

	not_a_pt.ptr = ((uint64_t)virt_to_mfn(scratch_page) << PAGE_SHIFT) | 8 | MMU_NORMAL_PT_UPDATE;
	not_a_pt.val = 0x1234567890abcdefUL;
	tap_eq(HYPERVISOR_mmu_update(&not_a_pt, 1, NULL, DOMID_SELF), 0,
	       "mmu_update on a data page: 0 (a plain write)");
	tap_eq(((volatile uint64_t *)scratch_page)[1], 0x1234567890abcdefUL,
	       "mmu_update on a data page: the word was written");
}

/* A hypercall number past the table: the page's entry exists, Xen says no. */
static void test_hypercall_63(void)
{
	long r;

	asm volatile("call hypercall_page + 63 * 32" : "=a"(r) : : "memory", "rcx", "r11",
		     "rdi", "rsi", "rdx", "r10", "r8");
	tap_eq(r, -XEN_ENOSYS, "hypercall 63 (none): -ENOSYS");
}

/*
 * Xen's answers where a hypervisor could easily differ (Xen 4.17:
 * pv/misc-hypercalls.c set_debugreg, common/domain.c vm_assist,
 * common/kernel.c do_xen_version, and its C prototypes, which take `int`
 * commands: the upper half of the register is not looked at).
 */
#define HI32 (1UL << 32)

static void test_debugreg_fixups(void)
{
	tap_eq(HYPERVISOR_set_debugreg(6, 0), 0, "set_debugreg(6, 0): 0");
	tap_eq(HYPERVISOR_get_debugreg(6), 0xffff0ff0, "get_debugreg(6) after 0: reserved bits set, 0xffff0ff0");
	tap_eq(HYPERVISOR_set_debugreg(7, 0xc000), 0, "set_debugreg(7, 0xc000): 0");
	tap_eq(HYPERVISOR_get_debugreg(7), 0x400, "get_debugreg(7) after 0xc000: reserved bits fixed, 0x400");
	tap_eq(HYPERVISOR_set_debugreg(7, 0x20000), 0,
	       "set_debugreg(7, I/O type, nothing enabled): 0 (type checked only when enabled)");
	tap_eq(HYPERVISOR_set_debugreg(5, 0), 0, "set_debugreg(5, 0): DR5 is DR7 without CR4.DE: 0");
	tap_eq(HYPERVISOR_get_debugreg(5), 0x400, "get_debugreg(5): DR7's 0x400");
	tap_eq(HYPERVISOR_set_debugreg(4, 0), 0, "set_debugreg(4, 0): DR4 is DR6 without CR4.DE: 0");
	tap_eq(HYPERVISOR_get_debugreg(4), 0xffff0ff0, "get_debugreg(4): DR6's 0xffff0ff0");
	tap_eq(_hypercall1(long, get_debugreg, HI32 | 7), 0x400, "get_debugreg(bit 32 | 7): the register is an int");
}

static void test_int_arguments(void)
{
	xen_feature_info_t fi = { .submap_idx = 1 };

	tap_eq(_hypercall2(long, xen_version, HI32 | XENVER_version, 0), HYPERVISOR_xen_version(XENVER_version, NULL),
	       "xen_version(bit 32 | XENVER_version): the command is an int");
	tap_eq(_hypercall2(long, sched_op, HI32 | SCHEDOP_yield, 0), 0,
	       "sched_op(bit 32 | SCHEDOP_yield): 0");
	tap_eq(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL,
	       "xen_version(get_features, submap_idx 1): -EINVAL");
	if (xen_start_info->flags & SIF_INITDOMAIN)
		tap_eq(_hypercall3(long, console_io, CONSOLEIO_write, HI32 | 2, "#\n"), 0,
		       "console_io(write, count 0x100000002): the count is 32 bits, 2 bytes written");
	else
		tap_eq(_hypercall3(long, console_io, CONSOLEIO_write, HI32 | 2, "#\n"), -XEN_EPERM,
		       "console_io as a domU: -EPERM");
}

static void test_vm_assist(void)
{
	tap_eq(_hypercall2(long, vm_assist, VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0,
	       "vm_assist(enable, writable_pagetables): 0 (a type Xen knows)");
	tap_eq(_hypercall2(long, vm_assist, HI32 | VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0,
	       "vm_assist(bit 32 | disable, writable_pagetables): 0");
	tap_eq(_hypercall2(long, vm_assist, 99, VMASST_TYPE_architectural_iopl), -XEN_ENOSYS,
	       "vm_assist(bad command, valid type): -ENOSYS");
	tap_eq(_hypercall2(long, vm_assist, VMASST_CMD_enable, 64), -XEN_EINVAL,
	       "vm_assist(enable, type 64): -EINVAL");
}

/*
 * A batch longer than a hypervisor does in one go (Xen: a continuation
 * whenever it wants to preempt; hv: every 256 requests) still completes,
 * and *done counts every request across the continuations.
 */
#define LONG_BATCH 600
static struct mmuext_op long_batch[LONG_BATCH];

static void test_long_batch(void)
{
	unsigned int done = 0xdead;

	for (unsigned int i = 0; i < LONG_BATCH; i++)
		long_batch[i].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	tap_eq(HYPERVISOR_mmuext_op(long_batch, LONG_BATCH, &done, DOMID_SELF), 0,
	       "mmuext_op, 600 TLB flushes: 0");
	tap_eq(done, LONG_BATCH, "mmuext_op, 600 TLB flushes: done counts all 600");
}

void run_hypercall_error_tests(void)
{
	test_trap_table_noncanonical();
	test_callback_noncanonical();
	test_callback_unknown_type();
	test_callback_unknown_command();
	test_console_io_unmapped();
	test_unknown_commands();
	test_evtchn_send_unbound();
	test_bind_virq();
	test_periodic_timer();
	test_writable_page_table();
	test_pin_data_page();
	test_mmu_update_data_page();
	test_hypercall_63();
	test_debugreg_fixups();
	test_int_arguments();
	test_vm_assist();
	test_long_batch();
}
