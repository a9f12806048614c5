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

/*
 * hv's code and read-only data never change once it runs: a checksum of
 * [_start, _erodata) taken at boot is compared at every orderly exit.  A
 * difference means a guest reached hv's image: that exit becomes a panic.
 */
extern char _start[], _erodata[];
static uint64_t text_sum;

static uint64_t text_checksum(void)
{
    uint64_t h = 0xcbf29ce484222325ull;        /* FNV-1a */
    for (const uint8_t *p = (const uint8_t *)_start; p < (const uint8_t *)_erodata; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

void hv_text_seal(void)
{
    text_sum = text_checksum();
}

_Noreturn void hv_exit(enum hv_exit code)
{
    __asm__ volatile("cli");
    if (code != HV_EXIT_PANIC && code != HV_EXIT_BOOT && text_sum) {
        if (text_checksum() != text_sum) {
            printk("\nhv: PANIC: hv's text or rodata changed while the guest ran\n");
            code = HV_EXIT_PANIC;
        } else {
            printk("hv: text and rodata intact\n");
        }
    }
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
