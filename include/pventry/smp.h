/*
 * include/pventry/smp.h - the vCPUs: what each one keeps for itself.
 *
 * Xen keeps every entry point per vCPU (trap table, callbacks, the
 * stack_switch stack), and so does the kernel: each vCPU has a struct cpu
 * and two stacks of its own, the one it runs on and the one Xen switches
 * to when user mode enters the kernel.  A vCPU finds its struct cpu from
 * %rsp: every kernel stack is KERNEL_STACK_SIZE-aligned and holds a
 * pointer to its owner in its lowest word, so this works on any entry
 * path without a register or segment base to trust (a failsafe bounce can
 * leave %gs unusable).  arch/x86/xen/smp.c brings the vCPUs up;
 * Documentation/smp.md says how.
 */
#ifndef PVENTRY_SMP_H
#define PVENTRY_SMP_H

/* Offsets into struct cpu for entry/entry_64.S, checked below. */
#define CPU_failsafe_segs 0x10

#define KERNEL_STACK_SIZE (CONFIG_KERNEL_STACK_PAGES * 4096)

/* vCPUs the kernel can drive; more offered ones are left down. */
#define NR_CPUS 4

#ifndef __ASSEMBLY__
#include <pventry/kernel.h>
#include <pventry/xen.h>

struct cpu {
	unsigned int id;		/* Xen's vcpu id */
	struct vcpu_info *vcpu_info;	/* event mask, pending bits, CR2 */
	uint64_t failsafe_segs[4];	/* ds, es, fs, gs of the last failsafe bounce */
	uint64_t kernel_stack_top;	/* where it starts running */
	uint64_t entry_stack_top;	/* given to stack_switch / kernel_sp */
	bool own_vcpu_info;		/* VCPUOP_register_vcpu_info placed it below */
	volatile bool online;		/* running its idle loop */
	evtchn_port_t wake_port;	/* IPI that wakes its idle loop */
	/* Work handed over by smp_call(): run once, then cleared. */
	void (*volatile work)(void *arg);
	void *work_arg;
	/* What registering its entry points returned (entry/traps.c). */
	long trap_table_rc;
	long callback_rc[6];
	/* The user rip of this vCPU's last VGCF_in_syscall return
	   (kernel/user/syscall.c, repair_interrupted_sysret). */
	uint64_t sysret_rip;
	bool callback_from_context[6];	/* set by VCPUOP_initialise, not callback_op */
	struct vcpu_info own_info __aligned(64);
};

_Static_assert(__builtin_offsetof(struct cpu, failsafe_segs) == CPU_failsafe_segs, "failsafe_segs");
_Static_assert((KERNEL_STACK_SIZE & (KERNEL_STACK_SIZE - 1)) == 0,
	       "CONFIG_KERNEL_STACK_PAGES must be a power of two");

extern struct cpu cpus[NR_CPUS];
extern unsigned int nr_cpus;		/* vCPUs that are up and driven by us */

static inline struct cpu *this_cpu(void)
{
	uint64_t sp;

	asm("mov %%rsp, %0" : "=r"(sp));
	return *(struct cpu **)(sp & ~(uint64_t)(KERNEL_STACK_SIZE - 1));
}

/* arch/x86/xen/smp.c */
void smp_setup_vcpu_info(struct cpu *c);	/* before anything reads the event mask */
void smp_init(void);				/* bring every other vCPU up */
/* Run fn(arg) on vCPU `cpu' and wait for it, with events unmasked while
   waiting.  smp_call_async() returns at once; smp_wait() waits. */
void smp_call(unsigned int cpu, void (*fn)(void *), void *arg);
void smp_call_async(unsigned int cpu, void (*fn)(void *), void *arg);
void smp_wait(unsigned int cpu);
/* Let the other vCPUs run once, events unmasked for the hypercall. */
void smp_yield(void);
/* The secondary's C entry (head.S), on its own stack. */
__noreturn void start_secondary(struct cpu *c);
#endif

#endif
