/*
 * kernel/printk.c - printk, the register dump and panic.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/ptregs.h>

int printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, n);
	return n;
}

void show_regs(const struct pt_regs *r)
{
	char sym[96];

	printk("  RIP: %04x:%p %s\n", regs_cs_sel(r), (void *)r->rip,
	       symbolize(r->rip, sym, sizeof(sym)));
	printk("  RSP: %04x:%p  RFLAGS: %08lx  saved event mask: %u\n",
	       (unsigned)(uint16_t)r->ss, (void *)r->rsp, r->rflags, regs_saved_mask(r));
	printk("  RAX: %p  RBX: %p  RCX: %p\n", (void *)r->rax, (void *)r->rbx, (void *)r->rcx);
	printk("  RDX: %p  RSI: %p  RDI: %p\n", (void *)r->rdx, (void *)r->rsi, (void *)r->rdi);
	printk("  RBP: %p  R8:  %p  R9:  %p\n", (void *)r->rbp, (void *)r->r8, (void *)r->r9);
	printk("  R10: %p  R11: %p  R12: %p\n", (void *)r->r10, (void *)r->r11, (void *)r->r12);
	printk("  R13: %p  R14: %p  R15: %p\n", (void *)r->r13, (void *)r->r14, (void *)r->r15);
}

void (*panic_hook)(void);

static __noreturn void vpanic(const struct pt_regs *regs, const char *fmt, va_list ap)
{
	static bool in_panic;
	char buf[256];

	if (this_vcpu_ready())
		this_vcpu()->evtchn_upcall_mask = 1;
	if (in_panic)
		xen_shutdown(SHUTDOWN_crash);
	in_panic = true;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* "Bail out!" makes a TAP reader stop and fail. */
	printk("Bail out! PANIC: %s\n", buf);
	if (regs)
		show_regs(regs);
	if (panic_hook)
		panic_hook();
	xen_shutdown(SHUTDOWN_crash);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
}

void panic_regs(const struct pt_regs *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(regs, fmt, ap);
}
