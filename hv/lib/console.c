/*
 * hv/lib/console.c - COM1 serial console, printk, and how hv stops.
 *
 * ABI carried: the host side of hv's exit (QEMU isa-debug-exit at port
 * 0xf4, reset through port 0xcf9 for a clean guest shutdown); see hv.h.
 */
#include "lib/hv.h"
#include "lib/x86.h"

#define COM1 0x3f8

void console_init(void)
{
    outb(COM1 + 1, 0x00);   /* no interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB */
    outb(COM1 + 0, 0x01);   /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

void console_putc(char c)
{
    if (c == '\n')
        console_putc('\r');
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    while (n--)
        console_putc(*s++);
}

/* %[-0][width][l|ll|z]{d,i,u,x,X,p,s,c,%} */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t o = 0;
#define PUT(ch) do { if (o + 1 < size) buf[o] = (ch); o++; } while (0)
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            PUT(*fmt);
            continue;
        }
        fmt++;
        bool left = false, zero = false;
        int width = 0, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                zero = true;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z')
            lng++, fmt++;
        char tmp[24];
        const char *s = tmp;
        int n = 0;
        unsigned long long v;
        switch (*fmt) {
        case 'd': case 'i': {
            long long sv = lng ? va_arg(ap, long long) : va_arg(ap, int);
            bool neg = sv < 0;
            v = neg ? -(unsigned long long)sv : (unsigned long long)sv;
            do tmp[sizeof(tmp) - 1 - n++] = '0' + v % 10; while (v /= 10);
            if (neg)
                tmp[sizeof(tmp) - 1 - n++] = '-';
            s = tmp + sizeof(tmp) - n;
            break;
        }
        case 'u': case 'x': case 'X': case 'p': {
            unsigned base = *fmt == 'u' ? 10 : 16;
            if (*fmt == 'p') {
                v = (uintptr_t)va_arg(ap, void *);
                PUT('0'); PUT('x');
            } else
                v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
            do tmp[sizeof(tmp) - 1 - n++] = "0123456789abcdef"[v % base]; while (v /= base);
            s = tmp + sizeof(tmp) - n;
            break;
        }
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            n = (int)strlen(s);
            break;
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            n = 1;
            break;
        case '%':
            tmp[0] = '%';
            n = 1;
            break;
        default:
            tmp[0] = '?';
            n = 1;
            if (!*fmt)
                fmt--;
            break;
        }
        int pad = width > n ? width - n : 0;
        if (!left)
            while (pad-- > 0)
                PUT(zero ? '0' : ' ');
        for (int i = 0; i < n; i++)
            PUT(s[i]);
        if (left)
            while (pad-- > 0)
                PUT(' ');
    }
    if (size)
        buf[o < size ? o : size - 1] = 0;
    return (int)o;
#undef PUT
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static int vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    console_write(buf, strnlen(buf, sizeof(buf)));
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}

_Noreturn void hv_exit(enum hv_exit code)
{
    __asm__ volatile("cli");
    if (code == HV_EXIT_SHUTDOWN) {
        /* Reset: QEMU -no-reboot turns it into exit status 0. */
        outb(RESET_PORT, 0x02);
        outb(RESET_PORT, 0x06);
    } else {
        outl(DEBUG_EXIT_PORT, code);
    }
    /* Not under QEMU (or no isa-debug-exit): just stop here. */
    halt_forever();
    __builtin_unreachable();
}

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    printk("\nhv: PANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    hv_exit(HV_EXIT_PANIC);
}

_Noreturn void boot_refuse(const char *fmt, ...)
{
    va_list ap;
    printk("hv: cannot boot: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    hv_exit(HV_EXIT_BOOT);
}

void hv_halt(void);
void hv_halt(void)
{
    panic("hv_main returned");
}
