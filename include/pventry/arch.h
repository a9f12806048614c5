/*
 * include/pventry/arch.h - the state Xen hands us, and how we reach it.
 */
#ifndef PVENTRY_ARCH_H
#define PVENTRY_ARCH_H

#include <pventry/kernel.h>
#include <pventry/xen.h>
#include <pventry/smp.h>
#include <x86/eflags.h>
#include <x86/exceptions.h>

extern start_info_t *xen_start_info;
/* The hypervisor, as it names itself: XENVER_version "." extraversion
   ("4.17.7", "4.23-unstable").  Set at boot, before anything else runs. */
extern char xen_version_string[32];
extern shared_info_t *shared_info;	/* mapped by setup_shared_info() */

/* This vCPU's vcpu_info: in shared_info, or where we registered it. */
static inline bool this_vcpu_ready(void)
{
	return this_cpu()->vcpu_info != NULL;
}

static inline struct vcpu_info *this_vcpu(void)
{
	return this_cpu()->vcpu_info;
}

const char *exception_name(unsigned int vector);

#include <pventry/extable.h>

/* arch/x86/xen/console.c */
void console_init(void);

/* arch/x86/xen/setup.c */
__noreturn void start_kernel(start_info_t *si);

/* entry/traps.c */
void entry_init(void);
void entry_init_secondary(void);
void print_entry_table(void);
struct pt_regs;
uint64_t do_entry(struct pt_regs *regs);

/* kernel/events.c */
typedef void (*evtchn_handler_t)(evtchn_port_t port, struct pt_regs *regs);
void events_init(void);
int evtchn_bind_ipi_self(evtchn_handler_t h, evtchn_port_t *port);
int evtchn_bind_virq(uint32_t virq, evtchn_handler_t h, evtchn_port_t *port);
long evtchn_send(evtchn_port_t port);
void evtchn_close(evtchn_port_t port);
void do_event_upcall(struct pt_regs *regs);

#endif
