/*
 * selftests/kernel/crashme.c - the kernel's side of crashme
 * (selftests/user/crashme.c): hand out the plan, keep the input that is
 * running, start the program again after an input that ended it, and
 * print the input if the kernel panics.
 *
 * Command line: crashme=N inputs per program (default
 * CRASHME_INPUTS_DEFAULT: a few seconds under QEMU), crashme_seed=S,
 * crashme_from=I (the first input: to replay one), crashme_verbose (a
 * line for every input that ended the program), crashme_trace (a line
 * for every input before it runs: the last one printed is the one that
 * hung, if the kernel or the hypervisor hangs).
 */
#include <pventry/arch.h>
#include <pventry/time.h>
#include <pventry/user.h>
#include <selftests/ktest.h>
#include <selftests/user.h>
#include <xen/errno.h>

#define CRASHME_INPUTS_DEFAULT 3000
#define CRASHME_SEED_DEFAULT 0x5eed

static struct {
	const char *name;		/* the crashme program running, or NULL */
	bool trace;			/* crashme_trace: print each input first */
	struct crashme_plan plan;
	struct crashme_input last;	/* the input it took last */
	bool have_last;
} cm;

static void print_input(const char *what)
{
	const struct crashme_input *in = &cm.last;
	unsigned int i;

	printk("# %s: seed %#lx input %lu (kind %u, rflags %#lx, rsp %p) %s; bytes:", cm.name,
	       cm.plan.seed, in->iteration, in->kind, in->rflags, (void *)in->rsp, what);
	for (i = 0; i < in->len; i++)
		printk(" %02x", in->bytes[i]);
	printk("\n");
}

long crashme_ctl(unsigned int op, uint64_t uaddr)
{
	const struct crashme_input *in;
	void *p;

	if (!cm.name)
		return -XEN_EINVAL;
	if (op == CTL_CRASHME_PLAN) {
		if (!(p = user_ptr(uaddr, sizeof(cm.plan), true)))
			return -XEN_EFAULT;
		memcpy(p, &cm.plan, sizeof(cm.plan));
		return 0;
	}
	if (!(in = user_ptr(uaddr, sizeof(*in), false)))
		return -XEN_EFAULT;
	if (in->iteration < cm.plan.first || in->iteration >= cm.plan.end ||
	    (cm.have_last && in->iteration <= cm.last.iteration) || in->len > sizeof(in->bytes))
		return -XEN_EINVAL;
	cm.last = *in;
	cm.have_last = true;
	if (cm.trace)
		print_input("runs next");
	user_task.budget_ms = user_task.ticks * TICK_MS + CRASHME_INPUT_MS;
	return 0;
}

static void crashme_panic(void)
{
	if (cm.name && cm.have_last)
		print_input("was running (replay: crashme_from=<input> crashme=1)");
}

static uint64_t cmdline_num(const char *key, uint64_t dflt)
{
	const char *v = cmdline_get(key);

	return v ? strtoul(v, NULL, 0) : dflt;
}

void run_crashme(const struct user_program *p)
{
	uint64_t n = cmdline_num("crashme", CRASHME_INPUTS_DEFAULT);
	uint64_t first = cmdline_num("crashme_from", 0), t0 = timer_ticks;
	bool verbose = cmdline_has("crashme_verbose"), progress = true;
	unsigned int runs = 0, exits = 0, kills = 0, over = 0;
	char what[48];
	int status;

	memset(&cm, 0, sizeof(cm));
	cm.name = p->name;
	cm.trace = cmdline_has("crashme_trace");
	cm.plan.seed = cmdline_num("crashme_seed", CRASHME_SEED_DEFAULT);
	cm.plan.first = first;
	cm.plan.end = first + n;
	printk("# %s: seed %#lx, inputs %lu..%lu (crashme_seed=, crashme_from=, crashme=)\n",
	       cm.name, cm.plan.seed, first, first + n - 1);
	panic_hook = crashme_panic;
	for (;;) {
		uint64_t before = cm.have_last ? cm.last.iteration : ~0ULL;

		status = run_user_program(p);
		runs++;
		if (status == 0 && cm.have_last && cm.last.iteration == cm.plan.end - 1)
			break;
		if (!cm.have_last || cm.last.iteration == before) {
			progress = false;	/* it died before taking an input */
			break;
		}
		if (status == USER_STATUS_OVER_BUDGET)
			over++, snprintf(what, sizeof(what), "ran past its time");
		else if (status < 0 && status > USER_STATUS_KILLED(256))
			kills++, snprintf(what, sizeof(what), "was killed (%s)",
					  exception_name(-1 - status));
		else
			exits++, snprintf(what, sizeof(what), "made it exit (%d)", status);
		if (verbose)
			print_input(what);
		if (cm.last.iteration + 1 >= cm.plan.end)
			break;
		cm.plan.first = cm.last.iteration + 1;
	}
	panic_hook = NULL;
	tap_diag("%s: %u runs: %u inputs made it exit, %u killed it, %u ran past their time; %lu ticks",
		 cm.name, runs, exits, kills, over, timer_ticks - t0);
	if (!tap_check(progress, "%s: the kernel survived inputs %lu..%lu of seed %#lx",
		       cm.name, first, first + n - 1, cm.plan.seed))
		tap_diag("  run %u ended with status %d before taking an input", runs, status);
	cm.name = NULL;
}
