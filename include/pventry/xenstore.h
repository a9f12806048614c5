/*
 * include/pventry/xenstore.h - a synchronous xenstore client (kernel/xenstore.c)
 * and how the kernel ends (kernel/shutdown.c).
 *
 * Paths without a leading '/' are relative to the domain's home,
 * /local/domain/<domid>.  Each call returns 0 (or a length) on success and
 * a negative Xen errno (-XEN_ENOENT, ...) on failure, as xenstored said it.
 */
#ifndef PVENTRY_XENSTORE_H
#define PVENTRY_XENSTORE_H

#include <pventry/kernel.h>

int xenstore_init(void);		/* -XEN_ENODEV: no store (dom0) */
int xenstore_read(const char *path, char *value, size_t size);	/* length read */
int xenstore_write(const char *path, const char *value);
int xenstore_watch(const char *path, const char *token);
int xenstore_wait_watch(char *path, size_t size);	/* the next watch event's path */

/* After the selftests: power off (domU) or reboot (dom0); with `wait`,
 * first wait for control/shutdown. */
__noreturn void kernel_done(void);

#endif
