/*
 * selftests/kernel/tap.c - TAP 13 on the console.
 */
#include <selftests/ktest.h>

static unsigned int tap_n, tap_failed;

void tap_start(void)
{
	printk("TAP version 13\n");
}

static void tap_line(const char *prefix, const char *suffix, const char *fmt, va_list ap)
{
	char buf[200];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printk("%s %u - %s%s\n", prefix, ++tap_n, buf, suffix);
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

static const struct {
	const char *emu_prefix;
	const char *why;
} deviations[] = {
	[DEV_QEMU_NO_SSE_XM]   = { "qemu-", "QEMU TCG does not raise #XM for unmasked SSE exceptions" },
	[DEV_QEMU_INTO_64]     = { "qemu-", "QEMU TCG does not #UD on INTO in 64-bit mode" },
	[DEV_QEMU_MOVSS_DB]    = { "qemu-", "QEMU TCG does not model the MOV SS shadow for data breakpoints" },
	[DEV_QEMU_WRFSBASE]    = { "qemu-", "QEMU TCG does not #GP on a non-canonical WRFSBASE" },
	[DEV_QEMU_NONCANON_SS] = { "qemu-", "QEMU TCG raises #GP, not #SS, for non-canonical stack accesses" },
	[DEV_QEMU_NO_AC]       = { "qemu-", "QEMU TCG does not implement alignment checking (#AC)" },
	[DEV_QEMU_SYSENTER_AMD] = { "qemu-", "QEMU TCG executes SYSENTER in long mode with an AMD vendor (AMD: #UD)" },
};

bool emu_has_deviation(enum emu_deviation dev)
{
	const char *emu = cmdline_get("emu");

	return dev != DEV_NONE && dev < ARRAY_SIZE(deviations) && emu &&
	       !strncmp(emu, deviations[dev].emu_prefix, strlen(deviations[dev].emu_prefix));
}

bool tap_check_dev(bool ok, enum emu_deviation dev, const char *fmt, ...)
{
	char suffix[160] = "";
	va_list ap;

	if (!ok && emu_has_deviation(dev))
		snprintf(suffix, sizeof(suffix), " # TODO known emulator deviation: %s",
			 deviations[dev].why);
	va_start(ap, fmt);
	tap_line(ok ? "ok" : "not ok", suffix, fmt, ap);
	va_end(ap);
	if (!ok && !suffix[0])
		tap_failed++;
	return ok;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char suffix[120];
	va_list ap;

	snprintf(suffix, sizeof(suffix), " # SKIP %s", reason);
	va_start(ap, fmt);
	tap_line("ok", suffix, fmt, ap);
	va_end(ap);
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
