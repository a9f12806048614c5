/*
 * selftests/kernel/syscalls.c - the system calls the selftest programs use
 * on top of the kernel's own (<selftests/abi.h>): SYS_tap, SYS_nop and
 * the test controls of SYS_ctl, and the frame record behind
 * CTL_LAST_FRAME.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/time.h>
#include <pventry/user.h>
#include <selftests/ktest.h>
#include <selftests/user.h>
#include <xen/errno.h>

struct user_test_state user_test;

/* Keep a copy of the frame Xen delivered, for CTL_LAST_FRAME and friends. */
static void record_frame(struct delivered_frame *f, const struct pt_regs *regs)
{
	memset(f, 0, sizeof(*f));
	f->vector = regs->vector;
	f->rcx = regs->rcx;
	f->r11 = regs->r11;
	f->rip = regs->rip;
	f->cs = regs->cs;
	f->rflags = regs->rflags;
	f->rsp = regs->rsp;
	f->ss = regs->ss;
	f->frame_addr = (uint64_t)&regs->ss + 8;	/* the frame's top */
	f->kernel_stack_top = this_cpu()->entry_stack_top;
	f->kernel_text = (uint64_t)restore_and_iret;
}

static void watch_entry(const struct pt_regs *regs)
{
	user_test.prev = user_test.this_call;
	record_frame(&user_test.this_call, regs);
	/* Nothing in the kernel has touched the mask since the hypervisor
	   delivered this entry. */
	user_test.this_call.events_masked = this_vcpu()->evtchn_upcall_mask;
}

static void watch_leave(const struct pt_regs *regs, uint64_t iret_flags)
{
	user_test.this_call.sysret = !!(iret_flags & VGCF_in_syscall);
	user_test.return_rip = regs->rip;
}

/* Every timer tick (kernel/time.c): count it, and copy the counts out. */
static void watch_tick(const struct pt_regs *regs)
{
	struct timer_stats *t = &user_test.timer, *u;

	t->ticks++;
	if (!regs_from_user(regs))
		t->kernel_ticks++;
	else if (t->user_ticks++, regs->rip == user_test.return_rip)
		t->return_ticks++;
	if (user_test.timer_uaddr && (u = user_ptr(user_test.timer_uaddr, sizeof(*u), true)))
		*u = *t;
}

static const struct syscall_watch watch = { watch_entry, watch_leave };

static void event_on_return(evtchn_port_t port, struct pt_regs *regs)
{
	record_frame(&user_test.event, regs);
	user_test.event.events_masked = this_vcpu()->evtchn_upcall_mask;
}

static long sys_tap(struct pt_regs *regs, uint64_t ok, uint64_t dev, uint64_t utext)
{
	char text[160];

	if (user_strlcpy(text, utext, sizeof(text)) < 0)
		return -XEN_EFAULT;
	return tap_check_dev(ok, dev, "%s: %s", user_task.name, text);
}

static long sys_nop(struct pt_regs *regs, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return SYS_NOP_MAGIC;
}

/* The kernel command line, and the hypervisor's version as "xen=<version>". */
static long ctl_cmdline(uint64_t ubuf, uint64_t len)
{
	char *p;

	if (!len || !(p = user_ptr(ubuf, len, true)))
		return -XEN_EFAULT;
	return snprintf(p, len, "%.*s xen=%s", MAX_GUEST_CMDLINE - 1,
			(const char *)xen_start_info->cmd_line, xen_version_string);
}

static long ctl_unregister(uint64_t ep)
{
	static const uint16_t cb_type[] = {
		[EP_SYSCALL] = CALLBACKTYPE_syscall, [EP_SYSCALL32] = CALLBACKTYPE_syscall32,
		[EP_SYSENTER] = CALLBACKTYPE_sysenter,
	};

	if (ep == EP_INT80) {
		/* The trap table can only be cleared whole (NULL), then refilled. */
		static struct trap_info without80[64];
		unsigned int i, j = 0;

		for (i = 0; trap_table[i].address; i++)
			if (trap_table[i].vector != 0x80)
				without80[j++] = trap_table[i];
		without80[j].address = 0;
		HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(NULL));
		HYPERCALL_OR_PANIC(HYPERVISOR_set_trap_table(without80));
		register_softint_vectors();
		return 0;
	}
	if (ep < ARRAY_SIZE(cb_type)) {
		/*
		 * Xen refuses CALLBACKOP_unregister for these types
		 * (-EINVAL): registering address 0 is how one is removed.
		 * Return unregister's result so the test can show it.
		 */
		struct callback_unregister un = { .type = cb_type[ep] };
		struct callback_register reg = { .type = cb_type[ep], .address = 0 };
		long rc = HYPERVISOR_callback_op(CALLBACKOP_unregister, &un);

		HYPERCALL_OR_PANIC(HYPERVISOR_callback_op(CALLBACKOP_register, &reg));
		return rc;
	}
	return -XEN_EINVAL;
}

extern char entry_live_flags_probe[], entry_ec_probe[];	/* entry_probes.S */
extern uint64_t live_flags, live_flags_next;

/* The trap-table entry of vector v (the real table's), or NULL. */
static const struct trap_info *trap_entry(unsigned int v)
{
	const struct trap_info *t;

	for (t = trap_table; t->address; t++)
		if (t->vector == v)
			return t;
	return NULL;
}

/*
 * Register one entry point with other flags: a callback with or without
 * CALLBACKF_mask_events, or one trap-table vector with another vDPL and
 * mask flag (a table of one entry changes only that vector).  REG_LIVE_FLAGS
 * and REG_EC_PROBE put a probe stub (entry_probes.S) in front.
 */
static long ctl_register(uint64_t ep, uint64_t flags)
{
	static const uint16_t cb_type[] = {
		[EP_SYSCALL] = CALLBACKTYPE_syscall, [EP_SYSCALL32] = CALLBACKTYPE_syscall32,
		[EP_SYSENTER] = CALLBACKTYPE_sysenter,
	};
	uint64_t handler;

	if (ep < ARRAY_SIZE(cb_type)) {
		struct callback_register reg = { .type = cb_type[ep] };
		unsigned int i;

		for (i = 0; callback_table[i].type != cb_type[ep]; i++)
			;
		handler = callback_table[i].address;
		if (flags & REG_LIVE_FLAGS) {
			live_flags_next = handler;
			handler = (uint64_t)entry_live_flags_probe;
		}
		reg.address = handler;
		reg.flags = flags & REG_MASK ? CALLBACKF_mask_events : 0;
		return HYPERVISOR_callback_op(CALLBACKOP_register, &reg);
	}
	if (ep == EP_INT80 || (ep >= EP_TRAP(0) && ep < EP_TRAP(0x100))) {
		unsigned int v = ep == EP_INT80 ? 0x80 : ep - EP_TRAP(0);
		const struct trap_info *t = trap_entry(v);
		struct trap_info one[2] = { { .vector = v, .cs = FLAT_KERNEL_CS } };

		if (!t)
			return -XEN_EINVAL;
		handler = t->address;
		if (flags & REG_LIVE_FLAGS) {
			live_flags_next = handler;
			handler = (uint64_t)entry_live_flags_probe;
		}
		if (flags & REG_EC_PROBE) {
			if (v != X86_EXC_PF)	/* the probe stub is made for #PF */
				return -XEN_EINVAL;
			handler = (uint64_t)entry_ec_probe;
		}
		one[0].address = handler;
		TI_SET_DPL(&one[0], (flags >> 4) & 3);
		TI_SET_IF(&one[0], flags & REG_MASK);
		return HYPERVISOR_set_trap_table(one);
	}
	return -XEN_EINVAL;
}

static long ctl_copy_frame(uint64_t uaddr, const struct delivered_frame *f)
{
	void *p = user_ptr(uaddr, sizeof(*f), true);

	if (!p)
		return -XEN_EFAULT;
	memcpy(p, f, sizeof(*f));
	return 0;
}

static long ctl_event_on_return(void)
{
	struct evtchn_send send;
	long rc;

	if (!user_test.event_armed) {
		rc = evtchn_bind_ipi_self(event_on_return, &user_test.event_port);
		if (rc)
			return rc;
		user_test.event_armed = true;
	}
	memset(&user_test.event, 0, sizeof(user_test.event));
	send.port = user_test.event_port;
	/* Events are masked in here: it stays pending until the iret. */
	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

static long sys_ctl(struct pt_regs *regs, uint64_t op, uint64_t a1, uint64_t a2)
{
	switch (op) {
	case CTL_CMDLINE:
		return ctl_cmdline(a1, a2);
	case CTL_UNREGISTER:
		return ctl_unregister(a1);
	case CTL_RESTORE:
		entry_init();
		register_softint_vectors();
		return 0;
	case CTL_LAST_FRAME:
		return ctl_copy_frame(a1, &user_test.prev);
	case CTL_EVENT_ON_RETURN:
		return ctl_event_on_return();
	case CTL_EVENT_FRAME:
		return ctl_copy_frame(a1, &user_test.event);
	case CTL_RETURN_TO:
		regs->rip = a1;
		return 0;
	case CTL_SET_DR:
		return user_set_debugreg(a1, a2);
	case CTL_GET_DR:
		return HYPERVISOR_get_debugreg(a1);
	case CTL_FPU_TS:
		return HYPERVISOR_fpu_taskswitch(!!a1);
	case CTL_REGISTER:
		return ctl_register(a1, a2);
	case CTL_SET_RCX_R11:
		regs->rcx = a1;
		regs->r11 = a2;
		return 0;
	case CTL_LIVE_FLAGS:
		return live_flags;
	case CTL_BENCH_FLOOR:
		return bench_floor(a1);
	case CTL_SET_BUDGET:
		user_task.budget_ms = user_task.ticks * TICK_MS + a1;
		return 0;
	case CTL_CRASHME_PLAN:
	case CTL_CRASHME:
		return crashme_ctl(op, a1);
	case CTL_TIMER_WATCH:
		if (!user_ptr(a1, sizeof(struct timer_stats), true))
			return -XEN_EFAULT;
		user_test.timer_uaddr = a1;
		return 0;
	}
	return -XEN_ENOSYS;
}

void register_test_syscalls(void)
{
	register_syscall(SYS_tap, sys_tap);
	register_syscall(SYS_nop, sys_nop);
	register_syscall(SYS_ctl, sys_ctl);
	syscall_watch = &watch;
	timer_tick_hook = watch_tick;
}
