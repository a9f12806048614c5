/*
 * kernel/shutdown.c - how the kernel ends once its work is done.
 *
 * As dom0 (start_info SIF_INITDOMAIN) it reboots: Xen then restarts the
 * machine, which ends a QEMU run with -no-reboot.  As a domU it powers
 * off, so that xl applies on_poweroff (destroy) rather than on_reboot
 * (restart, by default: the suite again, forever).  A panic is a third
 * way out: SHUTDOWN_crash, from kernel/printk.c.
 *
 * With `wait` on the command line a domU first stays up until the
 * toolstack asks it to go: `xl shutdown` writes "poweroff" to the
 * domain's control/shutdown node in xenstore, `xl reboot` writes
 * "reboot".  The kernel watches the node, acknowledges a request by
 * writing "" back (as Linux does), and shuts down with that reason.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/xenstore.h>

static const struct {
	const char *request;
	unsigned int reason;
} shutdown_requests[] = {
	{ "poweroff", SHUTDOWN_poweroff },
	{ "halt", SHUTDOWN_poweroff },
	{ "reboot", SHUTDOWN_reboot },
};

/* Advertise what we answer, then wait for one of them; returns its reason. */
static unsigned int wait_for_shutdown_request(void)
{
	char value[32], node[48];
	unsigned int i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(shutdown_requests); i++) {
		snprintf(node, sizeof(node), "control/feature-%s", shutdown_requests[i].request);
		xenstore_write(node, "1");	/* only a hint: the toolstack may not offer it */
	}
	rc = xenstore_watch("control/shutdown", "shutdown");
	if (rc < 0)
		panic("xenstore: watch control/shutdown failed: %d (%s)", rc, xen_errno_name(rc));
	printk("pventry: waiting for a shutdown request (control/shutdown)\n");

	for (;;) {
		rc = xenstore_wait_watch(value, sizeof(value));	/* fires once at once */
		if (rc < 0)
			panic("xenstore: waiting for a watch failed: %d (%s)", rc, xen_errno_name(rc));
		rc = xenstore_read("control/shutdown", value, sizeof(value));
		if (rc <= 0)		/* gone, or "": nothing asked */
			continue;
		for (i = 0; i < ARRAY_SIZE(shutdown_requests); i++)
			if (!strcmp(value, shutdown_requests[i].request))
				break;
		if (i == ARRAY_SIZE(shutdown_requests)) {
			printk("pventry: control/shutdown \"%s\" is not supported, ignored\n", value);
			xenstore_write("control/shutdown", "");
			continue;
		}
		xenstore_write("control/shutdown", "");
		printk("pventry: control/shutdown \"%s\": shutting down\n", value);
		return shutdown_requests[i].reason;
	}
}

void kernel_done(void)
{
	bool dom0 = xen_start_info->flags & SIF_INITDOMAIN;
	unsigned int reason = dom0 ? SHUTDOWN_reboot : SHUTDOWN_poweroff;
	int rc;

	if (!cmdline_has("wait")) {
		printk("pventry: all done, shutting down\n");
		xen_shutdown(reason);
	}
	printk("pventry: all done\n");
	rc = xenstore_init();
	if (rc == 0)
		reason = wait_for_shutdown_request();
	else
		printk("pventry: wait: no xenstore (%s), shutting down\n", xen_errno_name(rc));
	xen_shutdown(reason);
}
