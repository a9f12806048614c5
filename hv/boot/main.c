/*
 * hv/boot/main.c - boot: multiboot information, command line, bring-up order.
 *
 * ABI carried: Multiboot 1 information (modules, command lines) and hv's
 * own command line: delivery=idt|fred, console=com1, mem=<MiB>, verbose,
 * domu, vcpus=<N>.
 * The first module is the guest ELF; its string after the file name is the
 * guest's command line (start_info.cmd_line), as Xen does for dom0 (Xen's
 * cmdline_cook: GRUB 2 passes no file name, so nothing is skipped there).
 */
#include "lib/hv.h"
#include "lib/x86.h"
#include "cpu/cpu.h"
#include "domain/domain.h"
#include "core/event.h"

struct hv_opts hv_opts = {
    .delivery = HV_DELIVERY_IDT,
    .guest_mem = 64ul << 20,
    .vcpus = 1,
};

/* Multiboot 1 information (only what hv reads). */
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4], mmap_length, mmap_addr, drives_length, drives_addr;
    uint32_t config_table, boot_loader_name;
};
struct mb_mod {
    uint32_t start, end, string, reserved;
};
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_LOADER  (1u << 9)

/* Xen's loader_is_grub2(): "GRUB 2.xx" (not "GNU GRUB 0.97"). */
static bool loader_is_grub2(const struct mb_info *mbi)
{
    if (!(mbi->flags & MBI_LOADER) || !mbi->boot_loader_name)
        return false;
    for (const char *p = __va(mbi->boot_loader_name); *p; p++)
        if (!strncmp(p, "GRUB ", 5))
            return p[5] != '0';
    return false;
}

static bool memchr_eq(const char *w, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] == c)
            return true;
    return false;
}

/* The first word may be the image name (GRUB, QEMU): not an option. */
static void parse_cmdline(const char *s)
{
    const char *first = s;
    while (*first == ' ')
        first++;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        size_t n = (size_t)(s - w);
        if (!n)
            break;
        if (n == 12 && !strncmp(w, "delivery=idt", 12))
            hv_opts.delivery = HV_DELIVERY_IDT;
        else if (n == 13 && !strncmp(w, "delivery=fred", 13))
            hv_opts.delivery = HV_DELIVERY_FRED;
        else if (!strncmp(w, "delivery=", 9))
            boot_refuse("delivery= must be idt or fred");
        else if (n == 12 && !strncmp(w, "console=com1", 12))
            ;   /* the only console there is */
        else if (!strncmp(w, "console=", 8))
            boot_refuse("only console=com1 is supported");
        else if (!strncmp(w, "mem=", 4)) {
            const char *e;
            unsigned long mib = strtoul(w + 4, &e, 10);
            if (e != s || mib < 8 || mib > 256)
                boot_refuse("mem= takes a size in MiB, 8..256");
            hv_opts.guest_mem = mib << 20;
        } else if (!strncmp(w, "vcpus=", 6)) {
            const char *e;
            unsigned long nr = strtoul(w + 6, &e, 10);
            if (e != s || nr < 1 || nr > HV_MAX_VCPUS)
                boot_refuse("vcpus= takes a number, 1..4");
            hv_opts.vcpus = (unsigned int)nr;
        } else if (n == 7 && !strncmp(w, "verbose", 7))
            hv_opts.verbose = true;
        else if (n == 4 && !strncmp(w, "domu", 4))
            hv_opts.domu = true;
        else if (w != first || memchr_eq(w, n, '=')) {
            char word[64];
            strlcpy(word, w, n < sizeof(word) ? n + 1 : sizeof(word));
            printk("hv: ignoring unknown option '%s'\n", word);
        }
    }
}

void hv_main(uint32_t magic, uint32_t mbi_pa)
{
    console_init();
    printk("\nhv: pventry hypervisor, %lu KiB at %p\n",
           (unsigned long)(_end - _start) >> 10, _start);
    if (magic != 0x2badb002)
        boot_refuse("not started by a multiboot loader (magic %x)", magic);
    const struct mb_info *mbi = __va(mbi_pa);
    if (mbi->flags & MBI_CMDLINE) {
        const char *cl = __va(mbi->cmdline);
        printk("hv: command line: %s\n", cl);
        parse_cmdline(cl);
    }
    printk("hv: delivery=%s, guest memory %lu MiB%s\n",
           hv_opts.delivery == HV_DELIVERY_FRED ? "fred" : "idt",
           (unsigned long)(hv_opts.guest_mem >> 20),
           hv_opts.domu ? ", domU (console ring, no console_io)" : "");

    arch_init_cpu(hv_opts.delivery);

    if (!(mbi->flags & MBI_MODS) || mbi->mods_count < 1)
        boot_refuse("no guest: pass the guest ELF as the first module (-initrd)");
    const struct mb_mod *mod = __va(mbi->mods_addr);
    const char *mstr = mod->string ? __va(mod->string) : "";
    const char *gcmd = mstr;
    while (*gcmd == ' ')
        gcmd++;
    if (!loader_is_grub2(mbi)) {        /* skip the image name */
        while (*gcmd && *gcmd != ' ')
            gcmd++;
        while (*gcmd == ' ')
            gcmd++;
    }
    if (mod->end <= mod->start || mod->end > HV_DIRECTMAP_SIZE)
        boot_refuse("guest module at %x-%x is empty or above 1 GiB", mod->start, mod->end);
    printk("hv: guest module %x-%x \"%s\"\n", mod->start, mod->end, mstr);

    domain_build(__va(mod->start), mod->end - mod->start, mod->end, gcmd);
    hv_text_seal();
    domain_start();   /* never returns */
}
