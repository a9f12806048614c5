/*
 * kernel/user/elf.c - loading a user program's ELF image.
 */
#include <elf.h>
#include <pventry/mm.h>
#include <pventry/user.h>
#include <uapi/pventry.h>

/* One PT_LOAD segment, whichever ELF class it came from. */
struct segment {
	uint64_t offset, vaddr, filesz, memsz;
};

static int load_segment(const uint8_t *elf, size_t size, const struct segment *seg)
{
	char *dst = user_ptr(seg->vaddr, seg->memsz, true);

	if (!dst || seg->filesz > seg->memsz || seg->offset > size || seg->filesz > size - seg->offset)
		return -1;
	memcpy(dst, elf + seg->offset, seg->filesz);	/* the rest stays zero */
	return 0;
}

/*
 * Copy a user ELF's PT_LOAD segments into the (zeroed) image pages.  A
 * 64-bit image runs on FLAT_USER_CS64, a 32-bit one on FLAT_USER_CS32.
 */
int load_elf(const uint8_t *elf, size_t size, uint64_t *entry, bool *compat)
{
	unsigned int i;

	if (size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG))
		return -1;
	memset(user_image_kva, 0, USER_IMAGE_PAGES * PAGE_SIZE);
	memset(user_stack_kva, 0, USER_STACK_PAGES * PAGE_SIZE);
	*compat = elf[EI_CLASS] == ELFCLASS32;
	if (*compat) {
		const Elf32_Ehdr *e = (const void *)elf;
		const Elf32_Phdr *ph = (const void *)(elf + e->e_phoff);

		if (e->e_machine != EM_386 || e->e_phoff + (uint64_t)e->e_phnum * sizeof(*ph) > size)
			return -1;
		*entry = e->e_entry;
		for (i = 0; i < e->e_phnum; i++) {
			struct segment seg = { ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz, ph[i].p_memsz };

			if (ph[i].p_type == PT_LOAD && load_segment(elf, size, &seg))
				return -1;
		}
	} else {
		const Elf64_Ehdr *e = (const void *)elf;
		const Elf64_Phdr *ph = (const void *)(elf + e->e_phoff);

		if (elf[EI_CLASS] != ELFCLASS64 || e->e_machine != EM_X86_64 ||
		    e->e_phoff + (uint64_t)e->e_phnum * sizeof(*ph) > size)
			return -1;
		*entry = e->e_entry;
		for (i = 0; i < e->e_phnum; i++) {
			struct segment seg = { ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz, ph[i].p_memsz };

			if (ph[i].p_type == PT_LOAD && load_segment(elf, size, &seg))
				return -1;
		}
	}
	return 0;
}
