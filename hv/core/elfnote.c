/*
 * core/elfnote.c - parse a PV guest ELF64 image: PT_LOAD segments and the
 * Xen ELF notes.
 *
 * ABI carried: the guest image contract - an ELF64 little-endian x86-64
 * executable; notes named "Xen" with the XEN_ELFNOTE_* types of
 * <xen/elfnote.h> (numbers 4 or 8 bytes, strings NUL-terminated), found in
 * PT_NOTE segments or, when there are none, in SHT_NOTE sections.
 *
 * Layouts used (ELF64, all little-endian, read byte by byte so that an
 * unaligned image is fine):
 *   Ehdr: +0 ident[16] (7f 'E' 'L' 'F', class 2, data 1), +16 type,
 *         +18 machine (62), +24 entry, +32 phoff, +40 shoff,
 *         +54 phentsize, +56 phnum, +58 shentsize, +60 shnum   (64 bytes)
 *   Phdr: +0 type, +4 flags, +8 offset, +16 vaddr, +24 paddr,
 *         +32 filesz, +40 memsz, +48 align                       (56 bytes)
 *   Shdr: +4 type, +24 offset, +32 size                          (64 bytes)
 *   Note: +0 namesz, +4 descsz, +8 type, name (4-aligned), desc (4-aligned)
 */
#include "elfnote.h"
#include <xen/elfnote.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define PT_LOAD   1
#define PT_NOTE   4
#define SHT_NOTE  7
#define EM_X86_64 62
#define ET_EXEC   2
#define ET_DYN    3

struct img {
    const uint8_t *p;
    uint64_t len;
};

static uint64_t rd(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    while (n--)
        v = (v << 8) | p[n];
    return v;
}

/* Does [off, off+size) lie inside the image?  (overflow-safe) */
static bool inside(const struct img *im, uint64_t off, uint64_t size)
{
    return off <= im->len && size <= im->len - off;
}

static int fail(const char **err, int code, const char *msg)
{
    if (err)
        *err = msg;
    return code;
}

static uint64_t align4(uint64_t x)
{
    return (x + 3) & ~3ull;
}

/* A string note: NUL-terminated inside desc.  NULL if not. */
static const char *note_string(const uint8_t *desc, uint64_t size)
{
    uint64_t i;

    for (i = 0; i < size; i++)
        if (desc[i] == 0)
            return (const char *)desc;
    return 0;
}

static int xen_note(struct hv_elf_image *out, uint32_t type,
                    const uint8_t *desc, uint64_t size, const char **err)
{
    const char **str = 0;
    uint64_t *num = 0;
    bool *has = 0;

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        num = &out->entry; has = &out->has_entry; break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        num = &out->hypercall_page; has = &out->has_hypercall_page; break;
    case XEN_ELFNOTE_VIRT_BASE:
        num = &out->virt_base; has = &out->has_virt_base; break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        num = &out->paddr_offset; has = &out->has_paddr_offset; break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (size != 4)
            return fail(err, HV_ELF_ENOTE,
                        "Xen SUPPORTED_FEATURES note is not 4 bytes");
        out->supported_features = (uint32_t)rd(desc, 4);
        out->has_supported_features = true;
        return 0;
    case XEN_ELFNOTE_GUEST_OS:      str = &out->guest_os; break;
    case XEN_ELFNOTE_GUEST_VERSION: str = &out->guest_version; break;
    case XEN_ELFNOTE_XEN_VERSION:   str = &out->xen_version; break;
    case XEN_ELFNOTE_LOADER:        str = &out->loader; break;
    case XEN_ELFNOTE_FEATURES:      str = &out->features; break;
    default:
        return 0;                       /* a note hv does not use */
    }

    if (num) {
        if (size != 4 && size != 8)
            return fail(err, HV_ELF_ENOTE,
                        "Xen numeric note is neither 4 nor 8 bytes");
        *num = rd(desc, (unsigned int)size);
        *has = true;
        return 0;
    }
    *str = note_string(desc, size);
    if (!*str)
        return fail(err, HV_ELF_ENOTE, "Xen string note is not NUL-terminated");
    return 0;
}

/* Walk the notes in [off, off+size) (already known to be inside). */
static int notes(const struct img *im, uint64_t off, uint64_t size,
                 struct hv_elf_image *out, const char **err)
{
    uint64_t pos = 0;

    while (pos < size) {
        const uint8_t *n = im->p + off + pos;
        uint64_t namesz, descsz, left = size - pos;
        uint32_t type;
        int rc;

        if (left < 12)
            return fail(err, HV_ELF_ENOTE, "note header truncated");
        namesz = rd(n, 4);
        descsz = rd(n + 4, 4);
        type = (uint32_t)rd(n + 8, 4);
        if (align4(namesz) > left - 12 ||
            align4(descsz) > left - 12 - align4(namesz))
            return fail(err, HV_ELF_ENOTE, "note name/desc past its segment");

        if (namesz == 4 && n[12] == 'X' && n[13] == 'e' && n[14] == 'n' &&
            n[15] == 0) {
            out->nr_notes++;
            rc = xen_note(out, type, n + 12 + 4, descsz, err);
            if (rc)
                return rc;
        }
        pos += 12 + align4(namesz) + align4(descsz);
    }
    return 0;
}

int hv_elf_parse(const void *img, size_t len, struct hv_elf_image *out,
                 const char **err)
{
    struct img im = { img, len };
    const uint8_t *e = img;
    uint64_t phoff, shoff, i;
    unsigned int phnum, shnum, phentsize, shentsize, nr_pt_notes = 0;
    int rc;

    __builtin_memset(out, 0, sizeof(*out));
    if (err)
        *err = "ok";

    if (!img || len < EHDR_SIZE)
        return fail(err, HV_ELF_ETRUNC, "image shorter than an ELF64 header");
    if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
        return fail(err, HV_ELF_EMAGIC, "not an ELF image (bad magic)");
    if (e[4] != 2 || e[5] != 1)
        return fail(err, HV_ELF_ECLASS, "not ELF64 little-endian");
    if (rd(e + 18, 2) != EM_X86_64)
        return fail(err, HV_ELF_ECLASS, "not an x86-64 image");
    if (rd(e + 16, 2) != ET_EXEC && rd(e + 16, 2) != ET_DYN)
        return fail(err, HV_ELF_ECLASS, "not an executable ELF");

    out->e_entry = rd(e + 24, 8);
    phoff = rd(e + 32, 8);
    shoff = rd(e + 40, 8);
    phentsize = (unsigned int)rd(e + 54, 2);
    phnum = (unsigned int)rd(e + 56, 2);
    shentsize = (unsigned int)rd(e + 58, 2);
    shnum = (unsigned int)rd(e + 60, 2);

    /* Program headers: PT_LOAD and PT_NOTE. */
    if (phnum == 0)
        return fail(err, HV_ELF_ENOLOAD, "no program headers");
    if (phentsize != PHDR_SIZE)
        return fail(err, HV_ELF_EPHDR, "bad program header entry size");
    if (!inside(&im, phoff, (uint64_t)phnum * PHDR_SIZE))
        return fail(err, HV_ELF_EPHDR,
                    "program header table extends past the end of the image");

    out->vstart = ~0ull;
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = e + phoff + i * PHDR_SIZE;
        uint32_t type = (uint32_t)rd(ph, 4);
        uint64_t off = rd(ph + 8, 8), filesz = rd(ph + 32, 8);

        if (type != PT_LOAD && type != PT_NOTE)
            continue;
        if (!inside(&im, off, filesz))
            return fail(err, HV_ELF_EPHDR,
                        "segment extends past the end of the image");
        if (type == PT_NOTE) {
            nr_pt_notes++;
            rc = notes(&im, off, filesz, out, err);
            if (rc)
                return rc;
            continue;
        }

        {
            struct hv_elf_load *l;
            uint64_t vaddr = rd(ph + 16, 8), memsz = rd(ph + 40, 8);

            if (filesz > memsz)
                return fail(err, HV_ELF_EPHDR, "PT_LOAD filesz > memsz");
            if (vaddr + memsz < vaddr)
                return fail(err, HV_ELF_EPHDR, "PT_LOAD wraps around");
            if (out->nr_loads == HV_ELF_MAX_LOADS)
                return fail(err, HV_ELF_ENOLOAD, "too many PT_LOAD segments");
            l = &out->load[out->nr_loads++];
            l->offset = off;
            l->vaddr = vaddr;
            l->paddr = rd(ph + 24, 8);
            l->filesz = filesz;
            l->memsz = memsz;
            l->flags = (uint32_t)rd(ph + 4, 4);
            if (vaddr < out->vstart)
                out->vstart = vaddr;
            if (vaddr + memsz > out->vend)
                out->vend = vaddr + memsz;
        }
    }
    if (out->nr_loads == 0)
        return fail(err, HV_ELF_ENOLOAD, "no PT_LOAD segment");

    /* Section notes, only when there were no PT_NOTE segments. */
    if (nr_pt_notes == 0 && shoff != 0 && shnum != 0) {
        if (shentsize != SHDR_SIZE)
            return fail(err, HV_ELF_ESHDR, "bad section header entry size");
        if (!inside(&im, shoff, (uint64_t)shnum * SHDR_SIZE))
            return fail(err, HV_ELF_ESHDR,
                        "section header table extends past the end of the image");
        for (i = 0; i < shnum; i++) {
            const uint8_t *sh = e + shoff + i * SHDR_SIZE;
            uint64_t off = rd(sh + 24, 8), size = rd(sh + 32, 8);

            if (rd(sh + 4, 4) != SHT_NOTE)
                continue;
            if (!inside(&im, off, size))
                return fail(err, HV_ELF_ESHDR,
                            "note section extends past the end of the image");
            rc = notes(&im, off, size, out, err);
            if (rc)
                return rc;
        }
    }
    return HV_ELF_OK;
}

void hv_elf_xen_defaults(struct hv_elf_image *im)
{
    if (!im->has_entry)
        im->entry = im->e_entry;
    if (!im->has_virt_base)
        im->virt_base = 0;
    im->has_entry = im->has_virt_base = true;
}

int hv_elf_feature(const struct hv_elf_image *im, const char *name)
{
    const char *s = im->features;

    if (!s || !name)
        return 0;
    while (*s) {
        bool req = false;
        const char *a = s, *b = name;

        if (*a == '!') {
            req = true;
            a++;
        }
        while (*b && *a == *b) {
            a++;
            b++;
        }
        if (*b == 0 && (*a == '|' || *a == 0))
            return req ? 2 : 1;
        while (*s && *s != '|')
            s++;
        if (*s == '|')
            s++;
    }
    return 0;
}
