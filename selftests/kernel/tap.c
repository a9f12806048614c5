/*
 * selftests/kernel/tap.c - TAP 13 on the console.
 */
#include <pventry/arch.h>
#include <pventry/smp.h>
#include <selftests/ktest.h>

static unsigned int tap_n, tap_failed;

void tap_start(void)
{
	printk("TAP version 13\n");
}

const char *tap_where;

/* Checks made on a secondary vCPU say so: "vCPU 1: ...", or tap_where. */
static void tap_line(const char *prefix, const char *suffix, const char *fmt, va_list ap)
{
	char buf[200], where[48] = "";

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (tap_where)
		snprintf(where, sizeof(where), "%s: ", tap_where);
	else if (this_cpu()->id)
		snprintf(where, sizeof(where), "vCPU %u: ", this_cpu()->id);
	printk("%s %u - %s%s%s\n", prefix, ++tap_n, where, buf, suffix);
}

bool tap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok ? "ok" : "not ok", "", fmt, ap);
	va_end(ap);
	if (!ok)
		tap_failed++;
	return ok;
}

/*
 * Where each known deviation applies (enum known_deviation): an emulator,
 * by the prefix of the runner's emu= word; or a hypervisor build, by the
 * prefix of the version it gives (xen_version_string) and, where the bug
 * is in one delivery mode only, the runner's delivery= word.
 */
static const struct {
	enum { ON_EMULATOR, ON_XEN } where;
	const char *prefix;
	const char *delivery;	/* NULL: any */
	const char *why;
} deviations[] = {
	[DEV_QEMU_NO_SSE_XM]   = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG does not raise #XM for unmasked SSE exceptions" },
	[DEV_QEMU_INTO_64]     = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG does not #UD on INTO in 64-bit mode" },
	[DEV_QEMU_MOVSS_DB]    = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG does not model the MOV SS shadow for data breakpoints" },
	[DEV_QEMU_WRFSBASE]    = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG does not #GP on a non-canonical WRFSBASE" },
	[DEV_QEMU_NONCANON_SS] = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG raises #GP, not #SS, for non-canonical stack accesses" },
	[DEV_QEMU_NO_AC]       = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG does not implement alignment checking (#AC)" },
	[DEV_QEMU_SYSENTER_AMD] = { ON_EMULATOR, "qemu-", NULL, "QEMU TCG executes SYSENTER in long mode with an AMD vendor (AMD: #UD)" },
	[DEV_BOCHS_IRET_LDT_SEL] = { ON_EMULATOR, "bochs", "idt",
		"Bochs's IRETQ to ring 3 nulls a data segment register whose LDT was removed" },
	[DEV_XEN_FRED_SYSRET_RCX] = { ON_XEN, "4.23-unstable", "fred",
		"Xen 4.23-unstable with FRED returns from a VGCF_in_syscall iret without rcx = rip, r11 = rflags" },
	[DEV_XEN_KERNEL_SOFTINT] = { ON_XEN, "4.23-unstable", "idt",
		"Xen 4.23-unstable with IDT delivery refuses INT $N from guest kernel mode at vDPL 1-3" },
};

static bool prefixed(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

static bool deviation_applies(enum known_deviation dev)
{
	if (dev == DEV_NONE || dev >= ARRAY_SIZE(deviations) || !deviations[dev].why)
		return false;
	if (deviations[dev].delivery && !prefixed(cmdline_get("delivery"), deviations[dev].delivery))
		return false;
	if (deviations[dev].where == ON_EMULATOR)
		return prefixed(cmdline_get("emu"), deviations[dev].prefix);
	return prefixed(xen_version_string, deviations[dev].prefix);
}

bool tap_check_dev(bool ok, enum known_deviation dev, const char *fmt, ...)
{
	char suffix[160] = "";
	va_list ap;

	if (!ok && deviation_applies(dev))
		snprintf(suffix, sizeof(suffix), " # TODO known %s deviation: %s",
			 deviations[dev].where == ON_EMULATOR ? "emulator" : "Xen",
			 deviations[dev].why);
	va_start(ap, fmt);
	tap_line(ok ? "ok" : "not ok", suffix, fmt, ap);
	va_end(ap);
	if (!ok && !suffix[0])
		tap_failed++;
	return ok;
}

void tap_diag(const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("# %s\n", buf);
}

unsigned int tap_failures(void)
{
	return tap_failed;
}

void tap_done(void)
{
	printk("1..%u\n", tap_n);
	printk("# %u checks, %u failed\n", tap_n, tap_failed);
}
