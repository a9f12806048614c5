/*
 * hv/core/elfnote.h - parse a PV guest ELF64 image held in memory.
 *
 * ABI carried: the guest image contract (ELF64 x86-64 executable with
 * PT_LOAD segments, and Xen ELF notes, name "Xen", types XEN_ELFNOTE_*
 * from <xen/elfnote.h>, found in PT_NOTE segments or SHT_NOTE sections).
 *
 * Every offset and size is bounds-checked against the image; a bad image
 * gives a negative HV_ELF_E* and a static message, never a crash.
 * Freestanding: no libc.
 */
#ifndef HV_ELFNOTE_H
#define HV_ELFNOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_ELF_MAX_LOADS 16

#define HV_ELF_OK          0
#define HV_ELF_ETRUNC    (-1) /* image too short for a header/table/note   */
#define HV_ELF_EMAGIC    (-2) /* not ELF                                   */
#define HV_ELF_ECLASS    (-3) /* not ELF64 little-endian x86-64 EXEC/DYN   */
#define HV_ELF_EPHDR     (-4) /* bad program header table / segment bounds */
#define HV_ELF_ESHDR     (-5) /* bad section header table / section bounds */
#define HV_ELF_ENOTE     (-6) /* malformed note, or a Xen note of bad size */
#define HV_ELF_ENOLOAD   (-7) /* no PT_LOAD, or more than HV_ELF_MAX_LOADS */

struct hv_elf_load {
    uint64_t offset;   /* file offset: [offset, offset+filesz) is inside   */
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;   /* <= memsz                                         */
    uint64_t memsz;
    uint32_t flags;    /* PF_X / PF_W / PF_R                               */
};

struct hv_elf_image {
    uint64_t e_entry;
    unsigned int nr_loads;
    struct hv_elf_load load[HV_ELF_MAX_LOADS];
    uint64_t vstart, vend;      /* lowest vaddr, highest vaddr + memsz     */

    /* Xen notes.  Numeric notes may be 4 or 8 bytes (zero-extended). */
    unsigned int nr_notes;      /* Xen notes seen (any type)               */
    bool has_entry, has_hypercall_page, has_virt_base, has_paddr_offset;
    bool has_supported_features;
    uint64_t entry;             /* XEN_ELFNOTE_ENTRY                       */
    uint64_t hypercall_page;    /* XEN_ELFNOTE_HYPERCALL_PAGE              */
    uint64_t virt_base;         /* XEN_ELFNOTE_VIRT_BASE                   */
    uint64_t paddr_offset;      /* XEN_ELFNOTE_PADDR_OFFSET                */
    uint32_t supported_features;/* XEN_ELFNOTE_SUPPORTED_FEATURES          */
    /* String notes: point into the image, NUL-terminated inside the note
     * (checked); NULL when absent. */
    const char *guest_os, *guest_version, *xen_version, *loader, *features;
};

/*
 * Parse img[0..len).  On success fills *out (pointers point into img).
 * On failure returns HV_ELF_E* and, if err != NULL, a static message
 * such as "PT_LOAD segment 2 extends past the end of the image".
 */
int hv_elf_parse(const void *img, size_t len, struct hv_elf_image *out,
                 const char **err);

/*
 * The values Xen's loader (libelf, elf_xen_addr_calc_check) gives the
 * notes a kernel leaves out: ENTRY = e_entry, VIRT_BASE = 0.  XTF's test
 * kernels, linked at 1 MiB, carry neither.  Sets has_entry/has_virt_base.
 */
void hv_elf_xen_defaults(struct hv_elf_image *im);

/*
 * Look up `name` in the XEN_ELFNOTE_FEATURES string ("a|!b|c", '!' =
 * required).  Returns 0 absent, 1 present (optional), 2 present and
 * required.  name is a plain NUL-terminated string.
 */
int hv_elf_feature(const struct hv_elf_image *im, const char *name);

#endif /* HV_ELFNOTE_H */
