/*
 * include/pventry/kernel.h - what every kernel file needs.
 */
#ifndef PVENTRY_KERNEL_H
#define PVENTRY_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <generated/autoconf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier() asm volatile("" ::: "memory")

/* lib/string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
unsigned long strtoul(const char *s, const char **end, int base);

/* lib/vsprintf.c: %d %i %u %x %X %p %s %c %%, flags - 0 #, width, l ll z */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* kernel/printk.c */
void console_write(const char *s, size_t len);
int printk(const char *fmt, ...) __printf(1, 2);
struct pt_regs;
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
__noreturn void panic_regs(const struct pt_regs *regs, const char *fmt, ...) __printf(2, 3);
void show_regs(const struct pt_regs *regs);
/* Called by panic after its report: whoever holds what explains one. */
extern void (*panic_hook)(void);

/* kernel/kallsyms.c: "name+0xoff/0xsize", or the bare address */
const char *symbolize(uint64_t addr, char *buf, size_t len);

/* kernel/cmdline.c */
void cmdline_init(const char *cmdline);
bool cmdline_has(const char *word);
const char *cmdline_get(const char *key);	/* key=value, or NULL */

/*
 * late_initcall(fn): run fn() once, at the end of boot, after every entry
 * point, the console, memory and events are up (start_kernel).  Code that
 * is built in registers itself this way; nothing calls it by name.
 */
typedef void (*initcall_t)(void);
#define late_initcall(fn) \
	static const initcall_t __initcall_##fn __attribute__((used, section(".initcall.late"))) = fn

#endif
