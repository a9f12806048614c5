/*
 * kernel/user/uaccess.c - reaching user memory from the kernel.
 *
 * The user pages are also mapped in the kernel (user_image_kva,
 * user_stack_kva), so a user range is checked against the layout in
 * <uapi/pventry.h> and translated; nothing faults.
 */
#include <pventry/mm.h>
#include <pventry/user.h>
#include <uapi/pventry.h>

void *user_ptr(uint64_t uaddr, uint64_t len, bool write)
{
	const uint64_t img = USER_IMAGE_BASE, img_end = img + USER_IMAGE_PAGES * PAGE_SIZE;
	const uint64_t stk = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;

	if (len > img_end - img || uaddr + len < uaddr)
		return NULL;
	if (uaddr >= img && uaddr + len <= img_end)
		return user_image_kva + (uaddr - img);
	if (uaddr >= stk && uaddr + len <= USER_STACK_TOP)
		return user_stack_kva + (uaddr - stk);
	return NULL;
}

int user_strlcpy(char *dst, uint64_t uaddr, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++) {
		const char *c = user_ptr(uaddr + i, 1, false);

		if (!c)
			return -1;
		if (!(dst[i] = *c))
			return 0;
	}
	dst[i] = '\0';
	return 0;
}
