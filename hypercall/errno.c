/*
 * hypercall/errno.c - names for Xen's error codes, for panic messages.
 *
 * <xen/errno.h> is an X-macro list: define XEN_ERRNO(name, value) and
 * include it to expand every entry.
 */
#include <pventry/kernel.h>

struct xen_errno_entry {
	int value;
	const char *name;
};

static const struct xen_errno_entry xen_errnos[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
#undef XEN_ERRNO
};

const char *xen_errno_name(long rc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xen_errnos); i++)
		if (xen_errnos[i].value == -rc)
			return xen_errnos[i].name;
	return "?";
}
