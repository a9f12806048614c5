/*
 * include/xen-interface.h - the version of Xen's public interface that the
 * kernel, its user programs and hv are written against: 4.13 and later.
 *
 * It must be defined before any <xen/...> header is read: the headers pick
 * names by it (below 0x00030207, CALLBACKTYPE_sysenter would mean the
 * deprecated type 3, which a 64-bit guest cannot register).  The kernel gets
 * it through <pventry/xen.h>; hv's builds pass this file with -include.
 */
#ifndef XEN_INTERFACE_H
#define XEN_INTERFACE_H

#define __XEN_INTERFACE_VERSION__ 0x00040d00

#endif
