/*
 * lib/string.c - the string functions gcc expects and we use.
 *
 * Freestanding and self-contained (only <stddef.h>): the kernel, the user
 * programs and hv all link this one copy.  Prototypes are in each one's
 * own header (include/pventry/kernel.h, selftests/user/ulib.h, hv/lib/hv.h).
 */
#include <stddef.h>

#ifdef __x86_64__
#define WORD_SFX "q"
#else
#define WORD_SFX "l"	/* compat user programs: four bytes a step */
#endif

/*
 * memset and memcpy move a word (eight bytes, four in compat programs) a
 * step, then the tail byte by byte:
 * an emulator counts every step of a REP string instruction, and these
 * run on every entry in hv (register images, event records).
 */
void *memset(void *s, int c, size_t n)
{
	void *d = s;
	size_t q = n / sizeof(long);
	unsigned long v = (unsigned char)c * (~0ul / 0xff);

	n %= sizeof(long);
	asm volatile("rep stos" WORD_SFX "\n\t"
		     "mov %[n], %%ecx\n\t"
		     "rep stosb"
		     : "+D"(d), "+c"(q) : "a"(v), [n] "r"((unsigned int)n) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n / sizeof(long);

	n %= sizeof(long);
	asm volatile("rep movs" WORD_SFX "\n\t"
		     "mov %[n], %%ecx\n\t"
		     "rep movsb"
		     : "+D"(d), "+S"(s), "+c"(q) : [n] "r"((unsigned int)n) : "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}

unsigned long strtoul(const char *s, const char **end, int base)
{
	unsigned long v = 0;

	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = 10;
	}
	for (;; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'z')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'Z')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = s;
	return v;
}
