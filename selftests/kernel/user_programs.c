/*
 * selftests/kernel/user_programs.c - run each selftest program (embedded
 * by the build, selftests/user/) and check how it ended.
 */
#include <pventry/arch.h>
#include <pventry/entry.h>
#include <pventry/user.h>
#include <selftests/ktest.h>
#include <selftests/user.h>

struct user_program {
	const char *name;
	const uint8_t *start, *end;
};
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
};

static int run_program(const struct user_program *p)
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

void run_user_selftests(void)
{
	unsigned int i, j;
	bool bench = cmdline_has("bench");

	printk("# user-mode %s: %u programs\n", bench ? "benchmarks" : "selftests", nr_user_programs);
	user_init();
	register_test_syscalls();
	if (bench)
		syscall_watch = NULL;	/* time the kernel's own path, not the record */
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
