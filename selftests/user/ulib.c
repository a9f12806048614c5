/*
 * selftests/user/ulib.c - the user programs' library.
 */
#include "ulib.h"

enum upath ulib_path = PATH_INT80;

long sys3(long nr, long a1, long a2, long a3)
{
	long ret;

#ifdef __x86_64__
	if (ulib_path == PATH_SYSCALL)
		asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			     : "rcx", "r11", "memory");
	else
		asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			     : "memory");
#else
	if (ulib_path == PATH_SYSCALL)
		asm volatile("syscall" : "=a"(ret) : "a"(nr), "b"(a1), "S"(a2), "D"(a3)
			     : "ecx", "memory");
	else if (ulib_path == PATH_SYSENTER)
		/* Our SYSENTER convention: edx = where to return, ecx = esp. */
		asm volatile("push %%ebp\n\t"
			     "mov %%esp, %%ecx\n\t"
			     "mov $1f, %%edx\n\t"
			     "sysenter\n"
			     "1:\tpop %%ebp"
			     : "=a"(ret) : "a"(nr), "b"(a1), "S"(a2), "D"(a3)
			     : "ecx", "edx", "memory");
	else
		asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "S"(a2), "D"(a3)
			     : "memory");
#endif
	return ret;
}

void sys_exit(int status)
{
	for (;;)
		sys3(SYS_exit, status, 0, 0);
}

long sys_write(const char *buf, size_t len)
{
	return sys3(SYS_write, (long)buf, len, 0);
}

long sys_ctl(long op, long a1, long a2)
{
	return sys3(SYS_ctl, op, a1, a2);
}

void uprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sys_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void diag(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	buf[0] = '#';
	buf[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap) + 2;
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	sys_write(buf, n);
}

static bool vtap(bool ok, int dev, const char *fmt, va_list ap)
{
	char buf[160];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return sys3(SYS_tap, ok, dev, (long)buf);
}

bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vtap(ok, 0, fmt, ap);
	va_end(ap);
	return r;
}

bool tap_dev(bool ok, int dev, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vtap(ok, dev, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- command line ---- */

static char cmdline[1024];

const char *cmdline_get(const char *key)
{
	static char value[64];
	size_t kl = strlen(key);
	const char *p = cmdline;

	if (!cmdline[0])
		sys_ctl(CTL_CMDLINE, (long)cmdline, sizeof(cmdline));
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = 0;

			p += kl + 1;
			while (p[n] && p[n] != ' ' && n < sizeof(value) - 1)
				n++;
			memcpy(value, p, n);
			value[n] = '\0';
			return value;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool expect_fred(void)
{
	const char *d = cmdline_get("delivery");

	return d && !strncmp(d, "fred", 5);
}

bool xen_at_least(int major, int minor)
{
	const char *v = cmdline_get("xen");
	int ma = 0, mi = 0;

	if (!v)
		return false;
	for (; *v >= '0' && *v <= '9'; v++)
		ma = ma * 10 + (*v - '0');
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9'; v++)
			mi = mi * 10 + (*v - '0');
	return ma > major || (ma == major && mi >= minor);
}

bool cpu_is_intel(void)
{
	uint32_t a = 0, b, c, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x756e6547;		/* "Genu" */
}

/* ---- faults ---- */

struct fault_info fault;
struct fault_info fault_log[8];
volatile unsigned int fault_log_n;
volatile uintptr_t fault_fixup_any;
static char fault_stack[4096] __attribute__((aligned(16)));
void fault_entry(void);

struct uex { uintptr_t insn, fixup; };
extern const struct uex __uex_start[], __uex_end[];

void fault_init(void)
{
	sys3(SYS_set_handler, (long)fault_entry, (long)&fault,
	     (long)(fault_stack + sizeof(fault_stack) - 16));
}

void fault_log_clear(void)
{
	fault_log_n = 0;
	memset(fault_log, 0, sizeof(fault_log));
	memset(&fault, 0, sizeof(fault));
}

/* Called by fault_entry on the fault stack: where to resume. */
uintptr_t fault_dispatch(void)
{
	const struct uex *e;

	if (fault_log_n < 8)
		fault_log[fault_log_n] = fault;
	fault_log_n++;
	for (e = __uex_start; e < __uex_end; e++)
		if (e->insn == fault.rip)
			return e->fixup;
	for (e = __uex_start; e < __uex_end; e++)
		if (e->fixup == fault.rip)
			return e->fixup;
	if (fault_fixup_any)
		return fault_fixup_any;
	/* A trap (#DB, #BP, #OF) reports the next instruction: carry on there. */
	if (fault.vector == X86_EXC_DB || fault.vector == X86_EXC_BP || fault.vector == X86_EXC_OF)
		return fault.rip;
	diag("unexpected fault: vector %#x error code %#x rip %#llx rsp %#llx cr2 %#llx",
	     fault.vector, fault.error_code, (unsigned long long)fault.rip,
	     (unsigned long long)fault.rsp, (unsigned long long)fault.cr2);
	tap(false, "no unexpected faults");
	sys_exit(1);
}

void check_fault(const char *what, const struct uprobe *r, unsigned int vector,
		 uint32_t ec, enum fault_kind kind, int dev)
{
	const struct fault_info *f = &fault_log[0];
	uint64_t want_fl = r->fl | (kind == FAULT ? X86_EFLAGS_RF : 0);
	uint64_t rf_mask = kind == FAULT ? ~(uint64_t)0 : ~(uint64_t)X86_EFLAGS_RF;
	bool at = kind != TRAP;

	if (!tap_eq(fault_log_n, 1, "%s: delivered once", what)) {
		if (fault_log_n)
			diag("  first: vector %#x ec %#x rip %#llx", f->vector, f->error_code,
			     (unsigned long long)f->rip);
		return;
	}
	tap_eq(f->vector, vector, "%s: vector %u", what, vector);
	tap_eq(f->error_code, ec, "%s: error code %#x", what, ec);
	if (!tap_dev(f->rip == (at ? r->start : r->end), dev, "%s: %%rip %s the instruction",
		     what, at ? "at" : "after"))
		diag("  got %#llx, start %#lx end %#lx", (unsigned long long)f->rip,
		     (unsigned long)r->start, (unsigned long)r->end);
	tap_eq((uint16_t)f->cs, USER_CS, "%s: %%cs is the user's", what);
	tap_eq((uint8_t)(f->cs >> 32), 0, "%s: saved event mask 0 (user mode runs unmasked)", what);
	/*
	 * RF: hardware sets it in a fault's saved image.  A trap's image, and
	 * a fault Xen makes from a trap into Xen, has whatever RF was: 1 if an
	 * interrupt (Xen's timer) was delivered just before the instruction
	 * and returned with RF set.  Don't care there.
	 */
	tap_eq(f->rflags & rf_mask, want_fl & rf_mask, "%s: %%rflags", what);
	tap_eq(f->rsp, r->sp, "%s: %%rsp", what);
	tap_eq((uint16_t)f->ss, USER_SS, "%s: %%ss", what);
}
