/*
 * kernel/user.c - user programs: loading, running, system calls, faults.
 *
 * Programs are ELF files (64-bit or compat) embedded in the image by the
 * build (selftests/user/).  Each runs alone in the one user address space
 * (arch/x86/xen/mm.c), entering the kernel through SYSCALL, SYSENTER,
 * INT $0x80 and exceptions.  A program that faults with no handler of its
 * own is killed with a one-line report; the kernel goes on to the next.
 */
#include <elf.h>
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <pventry/selftest.h>
#include <uapi/pventry.h>
#include <xen/errno.h>

struct kjmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int kernel_setjmp(struct kjmp *j);
__noreturn void kernel_longjmp(struct kjmp *j, int v);
__noreturn void enter_user(struct pt_regs *regs);

/* The stack Xen switches to when user mode enters the kernel. */
static char user_entry_stack[CONFIG_KERNEL_STACK_PAGES * PAGE_SIZE] __aligned(PAGE_SIZE)
	__attribute__((section(".bss.page_aligned")));
#define USER_ENTRY_STACK_TOP ((uint64_t)user_entry_stack + sizeof(user_entry_stack))

/* The program running now. */
static struct {
	const char *name;
	bool compat;
	struct kjmp exit_jmp;
	int exit_status;	/* SYS_exit's argument, or -1 - vector if killed */
	uint64_t handler_rip, handler_info, handler_stack;
	uint64_t faults;
	struct entry_frame cur, prev;	/* frames of this and the previous syscall */
	struct entry_frame event;	/* the event upcall that hit user mode */
	bool event_armed;
	evtchn_port_t event_port;
} cur;

/* ---- user memory ---- */

/* A kernel pointer to [uaddr, uaddr + len) of user memory, or NULL. */
static void *user_ptr(uint64_t uaddr, uint64_t len, bool write)
{
	const uint64_t img = USER_IMAGE_BASE, img_end = img + USER_IMAGE_PAGES * PAGE_SIZE;
	const uint64_t stk = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;

	if (len > img_end - img || uaddr + len < uaddr)
		return NULL;
	if (uaddr >= img && uaddr + len <= img_end)
		return user_image_kva + (uaddr - img);
	if (uaddr >= stk && uaddr + len <= USER_STACK_TOP)
		return user_stack_kva + (uaddr - stk);
	return NULL;
}

/* Copy a NUL-terminated user string (cut to fit); -1 if it isn't readable. */
static int user_strlcpy(char *dst, uint64_t uaddr, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++) {
		const char *c = user_ptr(uaddr + i, 1, false);

		if (!c)
			return -1;
		if (!(dst[i] = *c))
			return 0;
	}
	dst[i] = '\0';
	return 0;
}

/* One PT_LOAD segment, whichever ELF class it came from. */
struct segment {
	uint64_t offset, vaddr, filesz, memsz;
};

static int load_segment(const uint8_t *elf, size_t size, const struct segment *seg)
{
	char *dst = user_ptr(seg->vaddr, seg->memsz, true);

	if (!dst || seg->filesz > seg->memsz || seg->offset > size || seg->filesz > size - seg->offset)
		return -1;
	memcpy(dst, elf + seg->offset, seg->filesz);	/* the rest stays zero */
	return 0;
}

/*
 * Copy a user ELF's PT_LOAD segments into the (zeroed) image pages.  A
 * 64-bit image runs on FLAT_USER_CS64, a 32-bit one on FLAT_USER_CS32.
 */
static int load_elf(const uint8_t *elf, size_t size, uint64_t *entry, bool *compat)
{
	unsigned int i;

	if (size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG))
		return -1;
	memset(user_image_kva, 0, USER_IMAGE_PAGES * PAGE_SIZE);
	memset(user_stack_kva, 0, USER_STACK_PAGES * PAGE_SIZE);
	*compat = elf[EI_CLASS] == ELFCLASS32;
	if (*compat) {
		const Elf32_Ehdr *e = (const void *)elf;
		const Elf32_Phdr *ph = (const void *)(elf + e->e_phoff);

		if (e->e_machine != EM_386 || e->e_phoff + (uint64_t)e->e_phnum * sizeof(*ph) > size)
			return -1;
		*entry = e->e_entry;
		for (i = 0; i < e->e_phnum; i++) {
			struct segment seg = { ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz, ph[i].p_memsz };

			if (ph[i].p_type == PT_LOAD && load_segment(elf, size, &seg))
				return -1;
		}
	} else {
		const Elf64_Ehdr *e = (const void *)elf;
		const Elf64_Phdr *ph = (const void *)(elf + e->e_phoff);

		if (elf[EI_CLASS] != ELFCLASS64 || e->e_machine != EM_X86_64 ||
		    e->e_phoff + (uint64_t)e->e_phnum * sizeof(*ph) > size)
			return -1;
		*entry = e->e_entry;
		for (i = 0; i < e->e_phnum; i++) {
			struct segment seg = { ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz, ph[i].p_memsz };

			if (ph[i].p_type == PT_LOAD && load_segment(elf, size, &seg))
				return -1;
		}
	}
	return 0;
}

/* ---- leaving user mode for good ---- */

static __noreturn void end_program(int status)
{
	cur.exit_status = status;
	kernel_longjmp(&cur.exit_jmp, 1);
}

static __noreturn void kill_program(struct pt_regs *regs, const char *why)
{
	char sym[32];

	printk("# user program '%s' killed: %s %s (vector %#x), error code %#x, rip %p, cs %#x, rsp %p%s",
	       cur.name, why, exception_name(regs->vector), regs->vector, regs->error_code,
	       (void *)regs->rip, regs_cs_sel(regs), (void *)regs->rsp,
	       regs->vector == X86_EXC_PF ? ", cr2 " : "");
	if (regs->vector == X86_EXC_PF)
		printk("%s", (snprintf(sym, sizeof(sym), "%p", (void *)this_vcpu()->arch.cr2), sym));
	printk("\n");
	end_program(-1 - (int)regs->vector);
}

/*
 * An exception (or a delivered INT $N, or a failsafe callback) from user
 * mode.  With a handler registered, the program gets a struct fault_info
 * and resumes at its handler on its handler stack; without one it dies.
 */
void user_exception(struct pt_regs *regs)
{
	struct fault_info *fi;

	if (regs->vector == VEC_FAILSAFE)
		kill_program(regs, "failsafe callback (bad segment selector):");
	fi = user_ptr(cur.handler_info, sizeof(*fi), true);
	if (!cur.handler_rip || !fi)
		kill_program(regs, "unhandled");
	if (++cur.faults > 100000)
		kill_program(regs, "fault storm:");
	fi->vector = regs->vector;
	fi->error_code = regs->error_code;
	fi->rip = regs->rip;
	fi->cs = regs->cs;
	fi->rflags = regs->rflags;
	fi->rsp = regs->rsp;
	fi->ss = regs->ss;
	fi->cr2 = regs->vector == X86_EXC_PF ? this_vcpu()->arch.cr2 : 0;
	fi->dr6 = regs->vector == X86_EXC_DB ? HYPERVISOR_get_debugreg(6) : 0;
	fi->count = cur.faults;
	if (regs->vector == X86_EXC_DB)
		HYPERVISOR_set_debugreg(6, 0xffff0ff0);
	regs->rip = cur.handler_rip;
	regs->rsp = cur.handler_stack;
	regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_AC | X86_EFLAGS_DF | X86_EFLAGS_NT);
	/* The handler runs in the mode the program runs in. */
	regs->cs = cur.compat ? FLAT_USER_CS32 : FLAT_USER_CS64;
	regs->ss = cur.compat ? FLAT_USER_SS32 : FLAT_USER_SS;
}

/* ---- test controls ---- */

/* Keep a copy of the frame Xen delivered, for CTL_LAST_FRAME and friends. */
static void record_frame(struct entry_frame *f, const struct pt_regs *regs)
{
	f->vector = regs->vector;
	f->fast_return = 0;
	f->rcx = regs->rcx;
	f->r11 = regs->r11;
	f->rip = regs->rip;
	f->cs = regs->cs;
	f->rflags = regs->rflags;
	f->rsp = regs->rsp;
	f->ss = regs->ss;
	f->frame_addr = (uint64_t)&regs->ss + 8;	/* the frame's top */
	f->kernel_stack_top = USER_ENTRY_STACK_TOP;
}

static void event_on_return(evtchn_port_t port, struct pt_regs *regs)
{
	record_frame(&cur.event, regs);
	/* For this frame, fast_return says: were events masked in the handler? */
	cur.event.fast_return = this_vcpu()->evtchn_upcall_mask;
}

static long sys_ctl(struct pt_regs *regs, uint64_t op, uint64_t a1, uint64_t a2)
{
	static const uint16_t cb_type[] = {
		[ENTRY_SYSCALL] = CALLBACKTYPE_syscall, [ENTRY_SYSCALL32] = CALLBACKTYPE_syscall32,
		[ENTRY_SYSENTER] = CALLBACKTYPE_sysenter,
	};
	void *p;

	switch (op) {
	case CTL_CMDLINE: {
		const char *s = (const char *)xen_start_info->cmd_line;
		size_t n = strnlen(s, MAX_GUEST_CMDLINE - 1);

		if (!a2 || !(p = user_ptr(a1, a2, true)))
			return -XEN_EFAULT;
		if (n >= a2)
			n = a2 - 1;
		memcpy(p, s, n);
		((char *)p)[n] = '\0';
		return n;
	}
	case CTL_UNREGISTER:
		if (a1 == ENTRY_INT80) {
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
		if (a1 < ARRAY_SIZE(cb_type)) {
			/*
			 * Xen refuses CALLBACKOP_unregister for these types
			 * (-EINVAL): registering address 0 is how one is removed.
			 * Return unregister's result so the test can show it.
			 */
			struct callback_unregister un = { .type = cb_type[a1] };
			struct callback_register reg = { .type = cb_type[a1], .address = 0 };
			long rc = HYPERVISOR_callback_op(CALLBACKOP_unregister, &un);

			HYPERCALL_OR_PANIC(HYPERVISOR_callback_op(CALLBACKOP_register, &reg));
			return rc;
		}
		return -XEN_EINVAL;

	case CTL_RESTORE:
		entry_init();
		register_softint_vectors();
		return 0;
	case CTL_LAST_FRAME:
		if (!(p = user_ptr(a1, sizeof(struct entry_frame), true)))
			return -XEN_EFAULT;
		memcpy(p, &cur.prev, sizeof(cur.prev));
		return 0;
	case CTL_EVENT_ON_RETURN: {
		struct evtchn_send send;
		long rc;

		if (!cur.event_armed) {
			rc = evtchn_bind_ipi_self(event_on_return, &cur.event_port);
			if (rc)
				return rc;
			cur.event_armed = true;
		}
		memset(&cur.event, 0, sizeof(cur.event));
		send.port = cur.event_port;
		/* Events are masked in here: it stays pending until the iret. */
		return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
	}
	case CTL_EVENT_FRAME:
		if (!(p = user_ptr(a1, sizeof(struct entry_frame), true)))
			return -XEN_EFAULT;
		memcpy(p, &cur.event, sizeof(cur.event));
		return 0;
	case CTL_RETURN_TO:
		regs->rip = a1;
		return 0;
	case CTL_SET_DR:
		return HYPERVISOR_set_debugreg(a1, a2);
	case CTL_GET_DR6:
		return HYPERVISOR_get_debugreg(6);
	case CTL_FPU_TS:
		return HYPERVISOR_fpu_taskswitch(!!a1);
	}
	return -XEN_ENOSYS;
}

static bool is_canonical(uint64_t a)
{
	return ((int64_t)a >> 47) == 0 || ((int64_t)a >> 47) == -1;
}

/*
 * A system call: SYSCALL (64-bit or compat), SYSENTER, or INT $0x80.
 * Returns the HYPERVISOR_iret flags: VGCF_in_syscall (Xen may use SYSRET)
 * only for SYSCALL entries returning to a canonical rip without TF.
 */
uint64_t do_syscall(struct pt_regs *regs)
{
	struct entry_frame *f = &cur.cur;
	bool compat = regs->vector == VEC_SYSCALL32 || regs->vector == VEC_SYSENTER ||
		      regs_cs_sel(regs) == FLAT_USER_CS32;
	uint64_t nr, a1, a2, a3;
	int64_t ret;
	char *buf;

	if (!regs_from_user(regs))
		panic_regs(regs, "%s from kernel mode", exception_name(regs->vector));

	cur.prev = cur.cur;
	record_frame(f, regs);

	if (regs->vector == VEC_SYSENTER) {
		/* Xen's SYSENTER frame has rip 0, cs 3, rsp 0: by our ABI the
		   return eip is in edx and the stack in ecx. */
		regs->rip = (uint32_t)regs->rdx;
		regs->rsp = (uint32_t)regs->rcx;
		regs->cs = FLAT_USER_CS32;
		regs->ss = FLAT_USER_SS32;
	}
	if (compat) {
		nr = (uint32_t)regs->rax;
		a1 = (uint32_t)regs->rbx;
		a2 = (uint32_t)regs->rsi;
		a3 = (uint32_t)regs->rdi;
	} else {
		nr = regs->rax;
		a1 = regs->rdi;
		a2 = regs->rsi;
		a3 = regs->rdx;
	}

	switch (nr) {
	case SYS_exit:
		end_program((int)a1);
	case SYS_write:
		if (!(buf = user_ptr(a1, a2, false)))
			ret = -XEN_EFAULT;
		else
			console_write(buf, a2), ret = a2;
		break;
	case SYS_tap: {
		char text[160];

		if (user_strlcpy(text, a3, sizeof(text)) < 0) {
			ret = -XEN_EFAULT;
			break;
		}
		ret = tap_check_dev(a1, a2, "%s: %s", cur.name, text);
		break;
	}
	case SYS_set_handler:
		cur.handler_rip = a1;
		cur.handler_info = a2;
		cur.handler_stack = a3;
		ret = 0;
		break;
	case SYS_nop:
		ret = SYS_NOP_MAGIC;
		break;
	case SYS_ctl:
		ret = sys_ctl(regs, a1, a2, a3);
		break;
	default:
		ret = -XEN_ENOSYS;
	}
	regs->rax = compat ? (uint32_t)ret : (uint64_t)ret;

	if ((regs->vector == VEC_SYSCALL || regs->vector == VEC_SYSCALL32) &&
	    is_canonical(regs->rip) && !(regs->rflags & X86_EFLAGS_TF) &&
	    (!compat || regs->rip <= 0xffffffff)) {
		f->fast_return = 1;
		return VGCF_in_syscall;
	}
	return 0;
}

/* ---- running programs ---- */

struct user_program {
	const char *name;
	const uint8_t *start, *end;
};
extern const struct user_program user_programs[];
extern const unsigned int nr_user_programs;

/*
 * What each program must end with: an exit status, or being killed by an
 * exception (status -1 - vector).  Programs not listed must exit 0.
 */
static const struct {
	const char *name;
	int status;
	const char *what;
} expected_end[] = {
	{ "kill_ud",    -1 - X86_EXC_UD, "killed by #UD (no handler), kernel goes on" },
	{ "kill_pf",    -1 - X86_EXC_PF, "killed by #PF reading kernel memory, kernel goes on" },
	{ "kill_int80", -1 - X86_EXC_GP, "killed by #GP(0x402) from INT $0x80 with no handler" },
	{ "badcalls",   -1 - X86_EXC_UD, "got errors for bad calls, then killed: its handler's info pointer is bad" },
};

static int run_program(const struct user_program *p)
{
	struct pt_regs *regs = (struct pt_regs *)(USER_ENTRY_STACK_TOP - sizeof(*regs));
	uint64_t entry;
	bool compat;

	memset(&cur, 0, sizeof(cur));
	cur.name = p->name;
	if (load_elf(p->start, p->end - p->start, &entry, &compat)) {
		printk("# user program '%s': bad ELF image\n", p->name);
		return -1000;
	}
	cur.compat = compat;
	/*
	 * Data segments: ignored in 64-bit mode, but compat code faults (#GP)
	 * on a null %ds or %es.  Xen's iret does not touch them, so load the
	 * flat user data selector ourselves; the kernel (64-bit) is unaffected.
	 */
	asm volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(FLAT_USER_DS32));
	if (kernel_setjmp(&cur.exit_jmp) == 0) {
		memset(regs, 0, sizeof(*regs));
		regs->rip = entry;
		regs->cs = compat ? FLAT_USER_CS32 : FLAT_USER_CS64;
		regs->ss = compat ? FLAT_USER_SS32 : FLAT_USER_SS;
		regs->rsp = USER_STACK_TOP - 16;
		regs->rflags = X86_EFLAGS_IF | 2;	/* IF: events unmasked in user mode */
		enter_user(regs);
	}
	/* Back from SYS_exit or a kill, on our own stack, events masked. */
	if (cur.event_armed)
		evtchn_close(cur.event_port);
	/* Leave every entry point registered for the next program. */
	entry_init();
	register_softint_vectors();
	return cur.exit_status;
}

void run_user_selftests(void)
{
	unsigned int i, j;

	bool bench = cmdline_has("bench");

	printk("# user-mode %s: %u programs\n", bench ? "benchmarks" : "selftests", nr_user_programs);
	user_mm_init();
	HYPERCALL_OR_PANIC(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, USER_ENTRY_STACK_TOP));
	for (i = 0; i < nr_user_programs; i++) {
		const struct user_program *p = &user_programs[i];
		int want = 0, status;
		const char *what = "ran and exited 0";

		if (bench != !strncmp(p->name, "bench", 5))
			continue;

		for (j = 0; j < ARRAY_SIZE(expected_end); j++)
			if (!strcmp(expected_end[j].name, p->name)) {
				want = expected_end[j].status;
				what = expected_end[j].what;
			}
		printk("# running user program '%s'\n", p->name);
		status = run_program(p);
		if (!tap_check(status == want, "user program '%s' %s", p->name, what))
			tap_diag("  ended with status %d, want %d", status, want);
	}
}
