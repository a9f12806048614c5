/*
 * hv/tests/unit/test_elf.c - hv_elf_parse() on tiny ELF64 images built here (good
 * ones with the notes the pventry guest carries, in PT_NOTE or SHT_NOTE
 * form, and corrupted ones), plus an optional real image:
 * HV_TEST_GUEST=build/pventry prints what hv would see.
 */
#include <stdlib.h>
#include <string.h>

#include "core/elfnote.h"
#include <xen/elfnote.h>

#include "tap.h"

#define VBASE 0xffffffff80000000ull

struct builder {
    uint8_t b[4096];
    size_t len;
};

static void put(struct builder *x, size_t off, uint64_t v, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        x->b[off + i] = (uint8_t)(v >> (8 * i));
}

/* Append one note (name "Xen" unless name given), 4-aligned. */
static void note(struct builder *x, const char *name, uint32_t type,
                 const void *desc, uint32_t descsz)
{
    uint32_t namesz = (uint32_t)strlen(name) + 1;

    put(x, x->len, namesz, 4);
    put(x, x->len + 4, descsz, 4);
    put(x, x->len + 8, type, 4);
    x->len += 12;
    memcpy(x->b + x->len, name, namesz);
    x->len += (namesz + 3) & ~3u;
    memcpy(x->b + x->len, desc, descsz);
    x->len += (descsz + 3) & ~3u;
}

static void note_num(struct builder *x, uint32_t type, uint64_t v, uint32_t size)
{
    uint8_t d[8];

    for (unsigned int i = 0; i < 8; i++)
        d[i] = (uint8_t)(v >> (8 * i));
    note(x, "Xen", type, d, size);
}

static void note_str(struct builder *x, uint32_t type, const char *s)
{
    note(x, "Xen", type, s, (uint32_t)strlen(s) + 1);
}

/*
 * Image layout:
 *   0     Ehdr (64)
 *   64    Phdr[0] PT_LOAD (56)    offset 0x400, vaddr VBASE, filesz 0x100, memsz 0x2000
 *   120   Phdr[1] PT_NOTE (56)    (if pt_note)
 *   0x200 notes
 *   0x400 "text" (0x100 bytes)
 *   0x500 Shdr[0] null, Shdr[1] SHT_NOTE covering the notes (if sh_note)
 */
static size_t build(struct builder *x, bool pt_note, bool sh_note)
{
    size_t nstart = 0x200, nend;

    memset(x, 0, sizeof(*x));
    x->b[0] = 0x7f; x->b[1] = 'E'; x->b[2] = 'L'; x->b[3] = 'F';
    x->b[4] = 2; x->b[5] = 1; x->b[6] = 1;
    put(x, 16, 2, 2);                       /* ET_EXEC */
    put(x, 18, 62, 2);                      /* EM_X86_64 */
    put(x, 20, 1, 4);
    put(x, 24, VBASE + 0x40, 8);            /* e_entry */
    put(x, 32, 64, 8);                      /* e_phoff */
    put(x, 52, 64, 2);
    put(x, 54, 56, 2);
    put(x, 56, pt_note ? 2 : 1, 2);

    /* notes */
    x->len = nstart;
    note_str(x, XEN_ELFNOTE_GUEST_OS, "pventry");
    note_str(x, XEN_ELFNOTE_GUEST_VERSION, "0.1");
    note_str(x, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_str(x, XEN_ELFNOTE_LOADER, "generic");
    note_num(x, XEN_ELFNOTE_VIRT_BASE, VBASE, 8);
    note_num(x, XEN_ELFNOTE_PADDR_OFFSET, VBASE, 8);
    note_num(x, XEN_ELFNOTE_ENTRY, VBASE + 0x40, 8);
    note_num(x, XEN_ELFNOTE_HYPERCALL_PAGE, VBASE + 0x1000, 8);
    note_str(x, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    note_num(x, XEN_ELFNOTE_SUPPORTED_FEATURES, 1u << 11, 4);
    note(x, "GNU", 3, "abcd", 4);           /* someone else's note */
    nend = x->len;

    /* PT_LOAD */
    put(x, 64, 1, 4);
    put(x, 68, 5, 4);
    put(x, 72, 0x400, 8);
    put(x, 80, VBASE, 8);
    put(x, 88, VBASE, 8);
    put(x, 96, 0x100, 8);
    put(x, 104, 0x2000, 8);
    /* PT_NOTE */
    if (pt_note) {
        put(x, 120, 4, 4);
        put(x, 128, nstart, 8);
        put(x, 152, nend - nstart, 8);
    }
    /* sections */
    if (sh_note) {
        put(x, 40, 0x500, 8);
        put(x, 58, 64, 2);
        put(x, 60, 2, 2);
        put(x, 0x540 + 4, 7, 4);            /* SHT_NOTE */
        put(x, 0x540 + 24, nstart, 8);
        put(x, 0x540 + 32, nend - nstart, 8);
    }
    return 0x600;
}

static void check_good(struct hv_elf_image *im, const char *what)
{
    OK(im->nr_loads == 1 && im->load[0].vaddr == VBASE && im->load[0].offset == 0x400 &&
       im->load[0].filesz == 0x100 && im->load[0].memsz == 0x2000 && im->load[0].flags == 5,
       "elf %s: one PT_LOAD with its fields", what);
    OK(im->vstart == VBASE && im->vend == VBASE + 0x2000, "elf %s: virtual extent", what);
    OK(im->guest_os && !strcmp(im->guest_os, "pventry"), "elf %s: GUEST_OS", what);
    OK(im->guest_version && !strcmp(im->guest_version, "0.1"), "elf %s: GUEST_VERSION", what);
    OK(im->xen_version && !strcmp(im->xen_version, "xen-3.0"), "elf %s: XEN_VERSION", what);
    OK(im->loader && !strcmp(im->loader, "generic"), "elf %s: LOADER", what);
    OK(im->has_virt_base && im->virt_base == VBASE, "elf %s: VIRT_BASE", what);
    OK(im->has_paddr_offset && im->paddr_offset == VBASE, "elf %s: PADDR_OFFSET", what);
    OK(im->has_entry && im->entry == VBASE + 0x40 && im->e_entry == VBASE + 0x40, "elf %s: ENTRY", what);
    OK(im->has_hypercall_page && im->hypercall_page == VBASE + 0x1000, "elf %s: HYPERCALL_PAGE", what);
    OK(im->has_supported_features && im->supported_features == (1u << 11), "elf %s: SUPPORTED_FEATURES", what);
    EQ(im->nr_notes, 10, "elf %s: 10 Xen notes, the GNU one ignored", what);
}

static int parse(struct builder *x, size_t len, const char **err)
{
    struct hv_elf_image im;

    return hv_elf_parse(x->b, len, &im, err);
}

static void optional_real_image(void)
{
    const char *path = getenv("HV_TEST_GUEST");
    struct hv_elf_image im;
    const char *err;
    FILE *f;
    long n;
    void *buf;

    if (!path)
        return;
    f = fopen(path, "rb");
    if (!f) {
        tap_diag("HV_TEST_GUEST=%s: cannot open", path);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    fclose(f);
    int rc = hv_elf_parse(buf, (size_t)n, &im, &err);
    EQ(rc, HV_ELF_OK, "elf: real image %s parses (%s)", path, err);
    tap_diag("  GUEST_OS=%s XEN_VERSION=%s LOADER=%s FEATURES=%s",
             im.guest_os ? im.guest_os : "-", im.xen_version ? im.xen_version : "-",
             im.loader ? im.loader : "-", im.features ? im.features : "-");
    tap_diag("  ENTRY=%#llx VIRT_BASE=%#llx PADDR_OFFSET=%#llx HYPERCALL_PAGE=%#llx loads=%u",
             (unsigned long long)im.entry, (unsigned long long)im.virt_base,
             (unsigned long long)im.paddr_offset, (unsigned long long)im.hypercall_page,
             im.nr_loads);
    free(buf);
}

void test_elf(void)
{
    struct builder x;
    struct hv_elf_image im;
    const char *err;
    size_t len;
    int rc;

    tap_diag("ELF image and Xen notes");

    len = build(&x, true, false);
    EQ(hv_elf_parse(x.b, len, &im, &err), HV_ELF_OK, "elf: good image with PT_NOTE parses");
    check_good(&im, "PT_NOTE");
    EQ(hv_elf_feature(&im, "writable_page_tables"), 2, "elf: feature !writable_page_tables is required");
    EQ(hv_elf_feature(&im, "pae_pgdir_above_4gb"), 1, "elf: feature pae_pgdir_above_4gb is optional");
    EQ(hv_elf_feature(&im, "writable"), 0, "elf: a prefix of a feature is not that feature");
    EQ(hv_elf_feature(&im, "dom0"), 0, "elf: absent feature");

    /* A kernel without ENTRY and VIRT_BASE notes (XTF's): Xen's defaults. */
    im.has_entry = im.has_virt_base = false;
    im.entry = im.virt_base = 0x1234;
    hv_elf_xen_defaults(&im);
    OK(im.has_entry && im.entry == im.e_entry && im.has_virt_base && im.virt_base == 0,
       "elf: no ENTRY/VIRT_BASE note: ENTRY = e_entry, VIRT_BASE = 0 (libelf)");
    im.entry = VBASE + 0x80;
    im.virt_base = VBASE;
    hv_elf_xen_defaults(&im);
    OK(im.entry == VBASE + 0x80 && im.virt_base == VBASE, "elf: notes that are there are kept");

    len = build(&x, false, true);
    EQ(hv_elf_parse(x.b, len, &im, &err), HV_ELF_OK, "elf: good image with only SHT_NOTE parses");
    check_good(&im, "SHT_NOTE");

    len = build(&x, true, true);
    hv_elf_parse(x.b, len, &im, &err);
    EQ(im.nr_notes, 10, "elf: PT_NOTE and SHT_NOTE over the same notes count once");

    /* Corruptions. */
    build(&x, true, false);
    rc = parse(&x, 40, &err);
    EQ(rc, HV_ELF_ETRUNC, "elf: truncated header -> ETRUNC (%s)", err);
    EQ(hv_elf_parse(NULL, 100, &im, &err), HV_ELF_ETRUNC, "elf: NULL image -> ETRUNC");
    build(&x, true, false); x.b[1] = 'X';
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EMAGIC, "elf: bad magic -> EMAGIC (%s)", err);
    build(&x, true, false); x.b[4] = 1;
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ECLASS, "elf: ELF32 -> ECLASS (%s)", err);
    build(&x, true, false); put(&x, 18, 3, 2);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ECLASS, "elf: i386 machine -> ECLASS (%s)", err);
    build(&x, true, false); put(&x, 16, 1, 2);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ECLASS, "elf: relocatable object -> ECLASS (%s)", err);
    build(&x, true, false); put(&x, 32, 0x5f0, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: phdr table past the end -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 32, ~0ull - 8, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: phoff near 2^64 (overflow) -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 54, 32, 2);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: wrong phentsize -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 96, 0x1000, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: PT_LOAD filesz past the end -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 72, ~0ull, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: PT_LOAD offset ~0 -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 104, 0x10, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: PT_LOAD filesz > memsz -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 80, ~0ull - 0x10, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_EPHDR, "elf: PT_LOAD vaddr+memsz wraps -> EPHDR (%s)", err);
    build(&x, true, false); put(&x, 64, 6, 4);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOLOAD, "elf: no PT_LOAD -> ENOLOAD (%s)", err);
    build(&x, true, false); put(&x, 56, 0, 2);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOLOAD, "elf: no program headers -> ENOLOAD (%s)", err);
    build(&x, true, false); put(&x, 0x200 + 4, 0x10000, 4);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOTE, "elf: note descsz past its segment -> ENOTE (%s)", err);
    build(&x, true, false); put(&x, 0x200, 0xfffffffc, 4);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOTE, "elf: huge note namesz -> ENOTE (%s)", err);
    build(&x, true, false); put(&x, 152, 5, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOTE, "elf: PT_NOTE cut inside a note -> ENOTE (%s)", err);
    build(&x, true, false); put(&x, 0x200 + 16, 0x21212121, 4); put(&x, 0x200 + 20, 0x21212121, 4);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ENOTE, "elf: string note without NUL -> ENOTE (%s)", err);

    /* A numeric note of 2 bytes. */
    build(&x, true, false);
    {
        struct builder y = x;
        size_t at = 0x200;
        /* walk to the VIRT_BASE note (the 5th) and shrink its desc to 2 */
        for (int i = 0; i < 4; i++) {
            uint32_t nsz = (uint32_t)y.b[at] | (uint32_t)y.b[at + 1] << 8;
            uint32_t dsz = (uint32_t)y.b[at + 4] | (uint32_t)y.b[at + 5] << 8;
            at += 12 + ((nsz + 3) & ~3u) + ((dsz + 3) & ~3u);
        }
        put(&y, at + 4, 2, 4);
        /* the following bytes now misparse; only the size check matters */
        rc = parse(&y, len, &err);
        EQ(rc, HV_ELF_ENOTE, "elf: 2-byte VIRT_BASE note -> ENOTE (%s)", err);
    }
    {
        struct builder y;
        y.len = 0;
        build(&y, true, false);
        y.len = 0x200;
        note_num(&y, XEN_ELFNOTE_ENTRY, 0x12345678, 4);
        put(&y, 152, y.len - 0x200, 8);
        EQ(hv_elf_parse(y.b, len, &im, &err), HV_ELF_OK, "elf: 4-byte ENTRY note accepted");
        EQ(im.entry, 0x12345678, "elf: 4-byte numeric note zero-extended");
    }

    /* Section table corruption (only looked at without PT_NOTE). */
    build(&x, false, true); put(&x, 40, 0x5c1, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ESHDR, "elf: shdr table past the end -> ESHDR (%s)", err);
    build(&x, false, true); put(&x, 0x540 + 32, 0x10000, 8);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ESHDR, "elf: SHT_NOTE past the end -> ESHDR (%s)", err);
    build(&x, false, true); put(&x, 58, 40, 2);
    rc = parse(&x, len, &err);
    EQ(rc, HV_ELF_ESHDR, "elf: wrong shentsize -> ESHDR (%s)", err);

    /* Every truncation of a good image fails cleanly (ASan watches). */
    {
        struct builder y;
        size_t full = build(&y, true, true);
        int bad = 0;
        for (size_t l = 0; l < full; l++) {
            uint8_t *copy = malloc(l ? l : 1);
            memcpy(copy, y.b, l);
            if (hv_elf_parse(copy, l, &im, &err) == HV_ELF_OK && l < 0x500)
                bad++;
            free(copy);
        }
        EQ(bad, 0, "elf: every truncation before the end of the data is refused, none crashes");
    }

    optional_real_image();
}
