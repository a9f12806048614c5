/*
 * kernel/kallsyms.c - addresses to function names, for panic reports.
 *
 * The build links the kernel twice: the second time with the table that
 * scripts/kallsyms.sh made from the first link's `nm -n`.  The table lives
 * after all code (see pventry.lds), so no function moves between the links.
 * Layout: u64 count; count x { u64 addr; u64 name offset }; names.
 */
#include <pventry/kernel.h>

struct ksym {
	uint64_t addr;
	uint64_t name;
};

extern const uint64_t kallsyms_count __attribute__((weak));
extern const struct ksym kallsyms_syms[] __attribute__((weak));
extern const char kallsyms_names[] __attribute__((weak));

const char *symbolize(uint64_t addr, char *buf, size_t len)
{
	uint64_t lo = 0, hi, n = &kallsyms_count ? kallsyms_count : 0;

	if (!n || addr < kallsyms_syms[0].addr || addr >= kallsyms_syms[n - 1].addr) {
		snprintf(buf, len, "[%p]", (void *)addr);
		return buf;
	}
	/* Largest i with syms[i].addr <= addr; the last entry is the end marker. */
	hi = n - 1;
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;

		if (kallsyms_syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, len, "%s+%#lx/%#lx", kallsyms_names + kallsyms_syms[lo].name,
		 addr - kallsyms_syms[lo].addr,
		 kallsyms_syms[lo + 1].addr - kallsyms_syms[lo].addr);
	return buf;
}
