/*
 * include/pventry/arch.h - the state Xen hands us, and how we reach it.
 */
#ifndef PVENTRY_ARCH_H
#define PVENTRY_ARCH_H

#include <pventry/kernel.h>
#include <pventry/xen.h>

extern start_info_t *xen_start_info;
extern shared_info_t *shared_info;	/* mapped by setup_shared_info() */

static inline bool this_vcpu_ready(void)
{
	return shared_info != NULL;
}

static inline struct vcpu_info *this_vcpu(void)
{
	return &shared_info->vcpu_info[0];
}

/* Events masked = the PV equivalent of interrupts disabled. */
static inline uint8_t events_mask_save(void)
{
	uint8_t old = this_vcpu()->evtchn_upcall_mask;

	this_vcpu()->evtchn_upcall_mask = 1;
	barrier();
	return old;
}
void events_unmask(void);		/* and deliver what is pending */
static inline void events_restore(uint8_t old)
{
	if (old)
		this_vcpu()->evtchn_upcall_mask = 1;
	else
		events_unmask();
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	asm volatile("pushf; pop %0" : "=r"(f));
	return f;
}

#define X86_EFLAGS_CF	0x00000001UL
#define X86_EFLAGS_TF	0x00000100UL
#define X86_EFLAGS_IF	0x00000200UL
#define X86_EFLAGS_DF	0x00000400UL
#define X86_EFLAGS_OF	0x00000800UL
#define X86_EFLAGS_IOPL	0x00003000UL
#define X86_EFLAGS_NT	0x00004000UL
#define X86_EFLAGS_RF	0x00010000UL
#define X86_EFLAGS_VM	0x00020000UL
#define X86_EFLAGS_AC	0x00040000UL

/* Exception vectors, named as in the SDM. */
enum {
	X86_EXC_DE = 0, X86_EXC_DB, X86_EXC_NMI, X86_EXC_BP, X86_EXC_OF,
	X86_EXC_BR, X86_EXC_UD, X86_EXC_NM, X86_EXC_DF, X86_EXC_CSO,
	X86_EXC_TS, X86_EXC_NP, X86_EXC_SS, X86_EXC_GP, X86_EXC_PF,
	X86_EXC_SPV, X86_EXC_MF, X86_EXC_AC, X86_EXC_MC, X86_EXC_XM,
	X86_EXC_VE, X86_EXC_CP, X86_EXC_HV = 28, X86_EXC_VC, X86_EXC_SX,
};
const char *exception_name(unsigned int vector);

#include <pventry/extable.h>

/* arch/x86/xen/console.c */
void console_init(void);

/* arch/x86/xen/setup.c */
__noreturn void start_kernel(start_info_t *si);

/* entry/traps.c */
void entry_init(void);
void print_entry_table(void);
struct pt_regs;
uint64_t do_entry(struct pt_regs *regs);

/* kernel/events.c */
typedef void (*evtchn_handler_t)(evtchn_port_t port, struct pt_regs *regs);
void events_init(void);
int evtchn_bind_ipi_self(evtchn_handler_t h, evtchn_port_t *port);
void evtchn_close(evtchn_port_t port);
void do_event_upcall(struct pt_regs *regs);

#endif
