/*
 * hv/lib/hv.h - what the platform files share: console, exit codes, the
 * freestanding C library, and the entry points between files.
 *
 * ABI carried: the exit codes hv reports to the host.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How hv stops; the host exit status of each: Documentation/hypervisor.md
 * section 8. */
enum hv_exit {
    HV_EXIT_SHUTDOWN = 0,       /* guest SCHEDOP_shutdown poweroff/reboot */
    HV_EXIT_GUEST_CRASH = 1,    /* guest SCHEDOP_shutdown, any other reason */
    HV_EXIT_DOMAIN_CRASH = 2,   /* hv crashed the domain */
    HV_EXIT_PANIC = 3,          /* hv itself failed (a bug) */
    HV_EXIT_BOOT = 4,           /* refused to boot (command line, module, CPU) */
};

/* console.c; vsnprintf and snprintf are ../lib/vsprintf.c */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn void hv_exit(enum hv_exit code);
void hv_text_seal(void);        /* checksum hv's image; hv_exit compares */
/* cpu/desc.c: a guest descriptor slot of vCPU id's GDT (below Xen's
 * reserved entries, HYPERVISOR_set_gdt's range), already audited; and
 * loading vCPU id's GDT when it is switched in. */
void gdt_set_guest_entry(unsigned int id, unsigned int idx, uint64_t desc);
void gdt_switch(unsigned int id);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void boot_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strlcpy.c; the rest is ../lib/string.c */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
unsigned long strtoul(const char *s, const char **end, int base);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/* vCPUs one guest may have (hv runs them all on the one physical CPU). */
#define HV_MAX_VCPUS 4

/* boot/main.c: boot options. */
struct hv_opts {
    int delivery;          /* HV_DELIVERY_IDT / _FRED (event.h) */
    uint64_t guest_mem;    /* bytes of guest RAM */
    bool verbose;
    bool domu;             /* build a toolstack-style domU (README.md) */
    unsigned int vcpus;    /* vCPUs of the guest, 1..HV_MAX_VCPUS */
};
extern struct hv_opts hv_opts;

extern char _start[], _end[];
void hv_main(uint32_t magic, uint32_t mbi_pa);

#endif /* HV_HV_H */
