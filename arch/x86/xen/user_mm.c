/*
 * arch/x86/xen/user_mm.c - the user address space.
 *
 * One user address space, reused by every program: a user L4 whose slot 0
 * leads to one L1 covering 0x400000-0x5fffff (include/uapi/pventry.h has
 * the layout).  The guest kernel's mappings are absent from it, so user
 * code touching kernel memory takes #PF.  The kernel's own L4 gets the same
 * slot 0, so the kernel reaches user memory at the same addresses.
 *
 * Page-table pages must not be writable anywhere once Xen validates them,
 * so they are remapped read-only before MMUEXT_PIN_L4_TABLE, and changed
 * only through HYPERVISOR_mmu_update afterwards.
 */
#include <pventry/mm.h>
#include <pventry/hypercall.h>
#include <uapi/pventry.h>

static unsigned long user_l4_mfn;
char *user_image_kva;		/* kernel view of the image pages */
char *user_stack_kva;		/* kernel view of the stack pages */

static void make_readonly(void *va)
{
	HYPERCALL_OR_PANIC(remap_page(va, virt_to_mfn(va), _PAGE_PRESENT));
}

static uint64_t pte(void *va, unsigned long flags)
{
	return ((uint64_t)virt_to_mfn(va) << PAGE_SHIFT) | flags;
}

/* Install the user page table on this vCPU (the user L4 is per vCPU in Xen). */
static void set_user_baseptr(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = user_l4_mfn };

	HYPERCALL_OR_PANIC(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF));
}

/* Build the user address space once; on every call, install it on this vCPU. */
void user_mm_init(void)
{
	const unsigned long user = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
	uint64_t *l4, *l3, *l2, *l1;
	char *ro;
	unsigned int i;
	struct mmuext_op op;
	mmu_update_t u;

	if (user_l4_mfn) {
		set_user_baseptr();
		return;
	}
	l4 = alloc_page(), l3 = alloc_page(), l2 = alloc_page(), l1 = alloc_page();
	ro = alloc_page();

	user_image_kva = alloc_page();
	for (i = 1; i < USER_IMAGE_PAGES; i++)
		alloc_page();		/* contiguous after the first */
	user_stack_kva = alloc_page();
	for (i = 1; i < USER_STACK_PAGES; i++)
		alloc_page();

	for (i = 0; i < USER_IMAGE_PAGES; i++)
		l1[((USER_IMAGE_BASE >> PAGE_SHIFT) & 511) + i] =
			pte(user_image_kva + i * PAGE_SIZE, user | _PAGE_DIRTY);
	l1[(USER_RO_PAGE >> PAGE_SHIFT) & 511] = pte(ro, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
	for (i = 0; i < USER_STACK_PAGES; i++)
		l1[((USER_STACK_TOP - (USER_STACK_PAGES - i) * PAGE_SIZE) >> PAGE_SHIFT) & 511] =
			pte(user_stack_kva + i * PAGE_SIZE, user | _PAGE_DIRTY);
	l2[(USER_IMAGE_BASE >> 21) & 511] = pte(l1, user);
	l3[0] = pte(l2, user);
	l4[0] = pte(l3, user);

	make_readonly(l1);
	make_readonly(l2);
	make_readonly(l3);
	make_readonly(l4);
	user_l4_mfn = virt_to_mfn(l4);
	op.cmd = MMUEXT_PIN_L4_TABLE;
	op.arg1.mfn = user_l4_mfn;
	HYPERCALL_OR_PANIC(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF));

	/* Slot 0 of the kernel's L4 too (its machine address + 8 * slot). */
	u.ptr = ((uint64_t)virt_to_mfn((void *)xen_start_info->pt_base) << PAGE_SHIFT) |
		MMU_NORMAL_PT_UPDATE;
	u.val = pte(l3, user);
	HYPERCALL_OR_PANIC(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF));

	set_user_baseptr();
	printk("mm: user page table at mfn %#lx: image %#x-%#x, ro page %#x, stack top %#x\n",
	       user_l4_mfn, USER_IMAGE_BASE, USER_IMAGE_BASE + USER_IMAGE_PAGES * (unsigned)PAGE_SIZE - 1,
	       USER_RO_PAGE, USER_STACK_TOP);
}
