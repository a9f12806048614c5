/*
 * include/pventry/xen.h - the one place the Xen public ABI is pulled in.
 *
 * Everything pventry knows about Xen's ABI comes from the public headers of
 * Debian's libxen-dev; this file only picks the interface version
 * (<xen-interface.h>) and adds
 * the few names the headers leave to the guest (offsets into the hypercall
 * page, the kernel's view of selectors).
 */
#ifndef PVENTRY_XEN_H
#define PVENTRY_XEN_H

#include <xen-interface.h>

#include <x86/segment.h>

#include <xen/xen.h>
#include <xen/arch-x86/xen-x86_64.h>

/* Each hypercall has a 32-byte entry in the page Xen fills for us. */
#define HYPERCALL_ENTRY_SIZE 32

/*
 * In a frame that interrupted guest kernel mode Xen clears the RPL of the
 * saved CS; a frame from user mode keeps RPL 3.
 */
#define KERNEL_FRAME_CS (FLAT_KERNEL_CS & ~X86_SEL_RPL_MASK)

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/nmi.h>
#endif

#endif
