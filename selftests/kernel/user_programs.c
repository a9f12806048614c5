/*
 * selftests/kernel/user_programs.c - run each selftest program (embedded
 * by the build, selftests/user/) and check how it ended.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/hypercall.h>
#include <pventry/user.h>
#include <selftests/ktest.h>
#include <selftests/user.h>
#include <xen/errno.h>

extern const struct user_program user_programs[];	/* programs.S */
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
	{ "loop64",     USER_STATUS_OVER_BUDGET, "looped forever, stopped by the timer past its budget, kernel goes on" },
	{ "loop32",     USER_STATUS_OVER_BUDGET, "made system calls forever, stopped by the timer past its budget" },
	{ "rip0",       -1 - X86_EXC_PF, "jumped to address 0: killed by #PF (nothing is mapped there)" },
};

int run_user_program(const struct user_program *p)
{
	int status;

	memset(&user_test, 0, sizeof(user_test));
	status = user_exec(p->name, p->start, p->end - p->start);
	if (user_test.event_armed)
		evtchn_close(user_test.event_port);
	/* Leave every entry point registered for the next program. */
	entry_init();
	register_softint_vectors();
	return status;
}

/*
 * user_set_debugreg's DR7 rule, which no program can reach: an address
 * register the kernel itself left pointing at kernel memory (or at the
 * user half's last bytes, too close to its end for the length asked)
 * must not be enabled on a program's behalf.
 */
static void check_user_debugreg(void)
{
	const uint64_t user_end = 1ULL << 47;

	HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(1, (uint64_t)&user_task));
	tap_eq(user_set_debugreg(7, 0x4), -XEN_EPERM,
	       "user_set_debugreg: DR7 enabling DR1 on kernel data: -EPERM");
	tap_eq(user_set_debugreg(7, 0x300004), -XEN_EPERM,
	       "user_set_debugreg: DR7 enabling DR1 on kernel data (read/write): -EPERM");
	HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(7, 0));
	HYPERCALL_OR_PANIC(HYPERVISOR_set_debugreg(1, user_end - 4));
	tap_eq(user_set_debugreg(7, 0x9000 << 8 | 0x4), -XEN_EPERM,
	       "user_set_debugreg: DR7 enabling 8 bytes at 4 below the user half's end: -EPERM");
	tap_eq(user_set_debugreg(7, 0xd000 << 8 | 0x4), 0,
	       "user_set_debugreg: DR7 enabling 4 bytes there: accepted");
	user_reset_cpu_state();
	tap_eq(HYPERVISOR_get_debugreg(7) & 0xff, 0, "user_reset_cpu_state: DR7 enables nothing");
	tap_eq(HYPERVISOR_get_debugreg(1), 0, "user_reset_cpu_state: DR1 is 0");
}

/* Run p and check it ended as expected_end[] says. */
static void run_and_check(const struct user_program *p)
{
	int want = 0, status;
	const char *what = "ran and exited 0";
	unsigned int j;

	for (j = 0; j < ARRAY_SIZE(expected_end); j++)
		if (!strcmp(expected_end[j].name, p->name)) {
			want = expected_end[j].status;
			what = expected_end[j].what;
		}
	printk("# running user program '%s'\n", p->name);
	if (!strncmp(p->name, "crashme", 7)) {
		run_crashme(p);
		return;
	}
	status = run_user_program(p);
	if (!tap_check(status == want, "user program '%s' %s", p->name, what))
		tap_diag("  ended with status %d, want %d", status, want);
}

void run_user_selftests(void)
{
	unsigned int i;
	bool bench = cmdline_has("bench");

	printk("# user-mode %s: %u programs\n", bench ? "benchmarks" : "selftests", nr_user_programs);
	user_init();
	register_test_syscalls();
	if (bench)
		syscall_watch = NULL;	/* time the kernel's own path, not the record */
	else
		check_user_debugreg();
	for (i = 0; i < nr_user_programs; i++)
		if (bench == !strncmp(user_programs[i].name, "bench", 5))
			run_and_check(&user_programs[i]);
}

/* One program, on this vCPU (its user page table and entry stack first). */
void run_user_program_named(const char *name)
{
	unsigned int i;

	user_init();
	for (i = 0; i < nr_user_programs; i++)
		if (!strcmp(user_programs[i].name, name)) {
			run_and_check(&user_programs[i]);
			return;
		}
	tap_check(false, "user program '%s' is built in", name);
}
