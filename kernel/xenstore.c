/*
 * kernel/xenstore.c - a synchronous client of xenstored, over the store ring.
 *
 * What the domain builder hands a PV guest: start_info->store_mfn, the
 * machine frame of one shared page, and start_info->store_evtchn, an event
 * channel already bound to xenstored (in dom0, or a stub domain).  dom0
 * itself gets neither: it is the one that starts xenstored.
 *
 * The page is a struct xenstore_domain_interface (<xen/io/xs_wire.h>):
 *
 *   +0     req[1024]   guest -> xenstored  requests
 *   +1024  rsp[1024]   xenstored -> guest  replies, and watch events
 *   +2048  req_cons    advanced by xenstored   (free-running u32 indices;
 *   +2052  req_prod    advanced by us           a byte is at
 *   +2056  rsp_cons    advanced by us           ring[MASK_XENSTORE_IDX(i)],
 *   +2060  rsp_prod    advanced by xenstored    prod - cons bytes are full)
 *
 * Both rings carry a byte stream of messages; a message is a 16-byte
 * struct xsd_sockmsg header
 *
 *   +0 type    XS_READ, XS_WRITE, XS_WATCH, ... ; XS_ERROR, XS_WATCH_EVENT
 *   +4 req_id  echoed in the reply
 *   +8 tx_id   transaction, 0 for none
 *   +12 len    bytes of payload that follow (at most XENSTORE_PAYLOAD_MAX)
 *
 * followed by the payload, usually NUL-terminated strings:
 *
 *   XS_READ   "path\0"                  reply: the value (no NUL)
 *   XS_WRITE  "path\0" value (no NUL)   reply: "OK\0"
 *   XS_WATCH  "path\0token\0"           reply: "OK\0", then at once and at
 *                                       every change an XS_WATCH_EVENT
 *                                       "path\0token\0" (not a reply: it
 *                                       can arrive between a request and
 *                                       its reply)
 *   any request failing                 reply: XS_ERROR "ENOENT\0" (an errno name)
 *
 * The producer writes bytes, then (after a write barrier) its index, then
 * notifies the event channel; the consumer reads the index, then (after a
 * read barrier) the bytes, then publishes its own index and notifies.  On
 * x86 stores are not reordered with stores nor loads with loads, so the
 * barriers only have to stop the compiler.
 *
 * This client has one request in flight and waits for its answer with
 * SCHEDOP_poll on the store port: the port stays masked, so no event
 * upcall ever runs for it and the kernel's own event tests are undisturbed.
 * Poll returns when the port is pending; we clear it before looking at the
 * ring, so a notification between the look and the next poll is not lost.
 */
#include <pventry/arch.h>
#include <pventry/hypercall.h>
#include <pventry/mm.h>
#include <pventry/xenstore.h>
#include <xen/errno.h>
#include <xen/io/xs_wire.h>

static struct xenstore_domain_interface *store;
static evtchn_port_t store_port;
static char store_page[PAGE_SIZE] __aligned(PAGE_SIZE) __attribute__((section(".bss.page_aligned")));
static uint32_t next_req_id;

/* One watch event may arrive while we wait for a reply: kept here. */
static char pending_watch[XENSTORE_ABS_PATH_MAX + 1];
static bool watch_pending;

int xenstore_init(void)
{
	const start_info_t *si = xen_start_info;

	if (store)
		return 0;
	if ((si->flags & SIF_INITDOMAIN) || !si->store_mfn || !si->store_evtchn)
		return -XEN_ENODEV;
	HYPERCALL_OR_PANIC(remap_page(store_page, si->store_mfn, _PAGE_PRESENT | _PAGE_RW));
	store = (struct xenstore_domain_interface *)store_page;
	store_port = si->store_evtchn;
	return 0;
}

static void notify(void)
{
	struct evtchn_send send = { .port = store_port };

	HYPERCALL_OR_PANIC(HYPERVISOR_event_channel_op(EVTCHNOP_send, &send));
}

/* Sleep until xenstored notifies the store port (or has already). */
static void wait_for_store(void)
{
	struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

	set_xen_guest_handle(poll.ports, &store_port);
	HYPERCALL_OR_PANIC(HYPERVISOR_sched_op(SCHEDOP_poll, &poll));
	__atomic_fetch_and(&shared_info->evtchn_pending[store_port / 64],
			   ~(1UL << (store_port % 64)), __ATOMIC_SEQ_CST);
}

static void ring_put(const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		XENSTORE_RING_IDX cons = READ_ONCE(store->req_cons), prod = store->req_prod;
		size_t room = XENSTORE_RING_SIZE - (prod - cons), n = 0;

		if (!room) {
			wait_for_store();
			continue;
		}
		while (n < room && n < len)
			store->req[MASK_XENSTORE_IDX(prod + n)] = p[n], n++;
		barrier();		/* bytes before the index */
		WRITE_ONCE(store->req_prod, prod + n);
		notify();
		p += n;
		len -= n;
	}
}

static void ring_get(void *data, size_t len)
{
	char *p = data;

	while (len) {
		XENSTORE_RING_IDX cons = store->rsp_cons, prod = READ_ONCE(store->rsp_prod);
		size_t n = 0;

		if (prod == cons) {
			wait_for_store();
			continue;
		}
		barrier();		/* the index before the bytes */
		while (cons + n != prod && n < len)
			p[n] = store->rsp[MASK_XENSTORE_IDX(cons + n)], n++;
		barrier();		/* bytes read before they are given back */
		WRITE_ONCE(store->rsp_cons, cons + n);
		notify();
		p += n;
		len -= n;
	}
}

/* An XS_ERROR payload ("ENOENT") as a negative Xen errno. */
static int error_from_name(const char *name)
{
	static const struct { const char *name; int value; } errors[] = {
#define XEN_ERRNO(name, value) { #name, value },
#include <xen/errno.h>
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errors); i++)
		if (!strcmp(errors[i].name, name))
			return -errors[i].value;
	return -XEN_EIO;
}

/* The payload of the last message read, NUL-terminated after its length. */
static char payload[XENSTORE_PAYLOAD_MAX + 1];

static struct xsd_sockmsg read_message(void)
{
	struct xsd_sockmsg msg;

	ring_get(&msg, sizeof(msg));
	if (msg.len > XENSTORE_PAYLOAD_MAX)
		panic("xenstore: message of %u bytes (max %u): ring out of step",
		      msg.len, XENSTORE_PAYLOAD_MAX);
	ring_get(payload, msg.len);
	payload[msg.len] = '\0';
	if (msg.type == XS_WATCH_EVENT) {
		/* "path\0token\0": keep the path for xenstore_wait_watch(). */
		snprintf(pending_watch, sizeof(pending_watch), "%s", payload);
		watch_pending = true;
	}
	return msg;
}

/*
 * Send a request of type with the payload parts (each given with its
 * length), wait for its reply, and copy the reply's payload to reply
 * (NUL-terminated, cut to size).  Returns the length copied or a negative
 * Xen errno.
 */
static int request(uint32_t type, const char *const parts[], const size_t lens[],
		   unsigned int nparts, char *reply, size_t size)
{
	struct xsd_sockmsg msg = { .type = type, .req_id = ++next_req_id, .tx_id = 0 };
	unsigned int i;

	if (!store)
		return -XEN_ENODEV;
	for (i = 0; i < nparts; i++)
		msg.len += lens[i];
	if (msg.len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	ring_put(&msg, sizeof(msg));
	for (i = 0; i < nparts; i++)
		ring_put(parts[i], lens[i]);

	for (;;) {
		struct xsd_sockmsg r = read_message();
		size_t n = r.len < size - 1 ? r.len : size - 1;

		if (r.type == XS_WATCH_EVENT)
			continue;
		if (r.req_id != msg.req_id)
			panic("xenstore: reply %u to request %u", r.req_id, msg.req_id);
		if (r.type == XS_ERROR)
			return error_from_name(payload);
		if (r.type != type)
			panic("xenstore: reply of type %u to a request of type %u", r.type, type);
		memcpy(reply, payload, n);
		reply[n] = '\0';
		return n;
	}
}

int xenstore_read(const char *path, char *value, size_t size)
{
	const char *parts[] = { path };
	const size_t lens[] = { strlen(path) + 1 };

	return request(XS_READ, parts, lens, 1, value, size);
}

int xenstore_write(const char *path, const char *value)
{
	const char *parts[] = { path, value };
	const size_t lens[] = { strlen(path) + 1, strlen(value) };
	char ok[4];
	int rc = request(XS_WRITE, parts, lens, 2, ok, sizeof(ok));

	return rc < 0 ? rc : 0;
}

int xenstore_watch(const char *path, const char *token)
{
	const char *parts[] = { path, token };
	const size_t lens[] = { strlen(path) + 1, strlen(token) + 1 };
	char ok[4];
	int rc = request(XS_WATCH, parts, lens, 2, ok, sizeof(ok));

	return rc < 0 ? rc : 0;
}

int xenstore_wait_watch(char *path, size_t size)
{
	if (!store)
		return -XEN_ENODEV;
	while (!watch_pending) {
		struct xsd_sockmsg r = read_message();

		if (r.type != XS_WATCH_EVENT)
			panic("xenstore: message of type %u outside a request", r.type);
	}
	watch_pending = false;
	snprintf(path, size, "%s", pending_watch);
	return 0;
}
