/*
 * lib/vsprintf.c - formatted output for printk and the selftests.
 *
 * Conversions: d i u x X p s c %; flags '-' '0' '#' '+'; a field width (or
 * '*'); a precision for %s (.N or .*); length l, ll, z.  %p prints 0x and 16 hex digits.
 *
 * Self-contained like lib/string.c: the kernel and hv both link this one
 * copy; the prototypes are in each one's own header.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left && pad == '0' && n && (*s == '-')) {
		put(o, *s++);
		n--;
	}
	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		char tmp[24], *p;
		bool left = false, alt = false, plus = false;
		char pad = ' ';
		int width = 0, lng = 0, prec = -1;
		unsigned long long v;
		unsigned base;
		bool neg = false, upper = false;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;; fmt++) {
			if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '0')
				pad = '0';
			else if (fmt[1] == '#')
				alt = true;
			else if (fmt[1] == '+')
				plus = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + *fmt++ - '0';
		}
		while (*fmt == 'l' || *fmt == 'z') {
			/* l: long, ll: long long, z: size_t (a long here) */
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			put_padded(&o, s, prec >= 0 ? strnlen(s, prec) : strlen(s), width, left, ' ');
			continue;
		}
		case '%':
			put(&o, '%');
			continue;
		case 'p':
			v = (unsigned long)va_arg(ap, void *);
			base = 16;
			alt = true;
			pad = '0';
			width = 18;
			break;
		case 'd':
		case 'i': {
			long long s = lng >= 2 ? va_arg(ap, long long) :
				      lng ? va_arg(ap, long) : va_arg(ap, int);

			neg = s < 0;
			v = neg ? -(unsigned long long)s : (unsigned long long)s;
			base = 10;
			break;
		}
		case 'u':
			v = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			base = 10;
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			v = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			base = 16;
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			continue;
		}
		p = tmp + sizeof(tmp);
		do {
			unsigned d = v % base;

			*--p = d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10;
			v /= base;
		} while (v);
		if (alt && base == 16) {
			/* 0x counts in the width, zeroes go after it */
			int digits = (int)(tmp + sizeof(tmp) - p);

			put(&o, '0');
			put(&o, 'x');
			put_padded(&o, p, digits, width - 2, left, pad);
			continue;
		}
		if (neg)
			*--p = '-';
		else if (plus && (*fmt == 'd' || *fmt == 'i'))
			*--p = '+';
		put_padded(&o, p, tmp + sizeof(tmp) - p, width, left, pad);
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
