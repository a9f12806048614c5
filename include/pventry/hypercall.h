/*
 * include/pventry/hypercall.h - typed wrappers over the hypercall page.
 *
 * A hypercall is a call to entry N of hypercall_page (hypercall/page.S),
 * arguments in rdi, rsi, rdx, r10, r8.  Xen may clobber every argument
 * register (debug builds poison them), so each one is an output here.
 * The result is a Xen errno (negative) or a hypercall-specific value.
 */
#ifndef PVENTRY_HYPERCALL_H
#define PVENTRY_HYPERCALL_H

#include <pventry/xen.h>

extern char hypercall_page[4096];

#define __HYPERCALL_STR(x) #x
#define HYPERCALL_STR(x) __HYPERCALL_STR(x)	/* expand, then stringify */
#define HYPERCALL_CALL(name) \
	"call hypercall_page + (" HYPERCALL_STR(__HYPERVISOR_##name) " * "	\
	HYPERCALL_STR(HYPERCALL_ENTRY_SIZE) ")"

#define _hypercall1(type, name, a1) ({					\
	long __res, __i1;						\
	asm volatile (HYPERCALL_CALL(name)				\
		: "=a" (__res), "=D" (__i1)				\
		: "1" ((long)(a1))					\
		: "memory", "rsi", "rdx", "r10", "r8");			\
	(type)__res; })

#define _hypercall2(type, name, a1, a2) ({				\
	long __res, __i1, __i2;						\
	asm volatile (HYPERCALL_CALL(name)				\
		: "=a" (__res), "=D" (__i1), "=S" (__i2)		\
		: "1" ((long)(a1)), "2" ((long)(a2))			\
		: "memory", "rdx", "r10", "r8");			\
	(type)__res; })

#define _hypercall3(type, name, a1, a2, a3) ({				\
	long __res, __i1, __i2, __i3;					\
	asm volatile (HYPERCALL_CALL(name)				\
		: "=a" (__res), "=D" (__i1), "=S" (__i2), "=d" (__i3)	\
		: "1" ((long)(a1)), "2" ((long)(a2)), "3" ((long)(a3))	\
		: "memory", "r10", "r8");				\
	(type)__res; })

#define _hypercall4(type, name, a1, a2, a3, a4) ({			\
	long __res, __i1, __i2, __i3;					\
	register long __a4 asm("r10") = (long)(a4);			\
	asm volatile (HYPERCALL_CALL(name)				\
		: "=a" (__res), "=D" (__i1), "=S" (__i2), "=d" (__i3),	\
		  "+r" (__a4)						\
		: "1" ((long)(a1)), "2" ((long)(a2)), "3" ((long)(a3))	\
		: "memory", "r8");					\
	(type)__res; })

static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{ return _hypercall1(long, set_trap_table, t); }

static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
					 unsigned int *done, domid_t dom)
{ return _hypercall4(long, mmu_update, req, count, done, dom); }

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
					unsigned int *done, domid_t dom)
{ return _hypercall4(long, mmuext_op, op, count, done, dom); }

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{ return _hypercall2(long, stack_switch, ss, sp); }

static inline long HYPERVISOR_fpu_taskswitch(int set)
{ return _hypercall1(long, fpu_taskswitch, set); }

static inline long HYPERVISOR_set_debugreg(int reg, unsigned long value)
{ return _hypercall2(long, set_debugreg, reg, value); }

static inline unsigned long HYPERVISOR_get_debugreg(int reg)
{ return _hypercall1(unsigned long, get_debugreg, reg); }

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
						unsigned long flags)
{ return _hypercall3(long, update_va_mapping, va, pte, flags); }

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{ return _hypercall2(long, xen_version, cmd, arg); }

static inline long HYPERVISOR_console_io(int cmd, unsigned int count, const char *buf)
{ return _hypercall3(long, console_io, cmd, count, buf); }

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{ return _hypercall2(long, sched_op, cmd, arg); }

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{ return _hypercall2(long, callback_op, cmd, arg); }

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{ return _hypercall2(long, event_channel_op, cmd, arg); }

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{ return _hypercall3(long, vcpu_op, cmd, vcpu, arg); }

/* Shut the domain down with a SHUTDOWN_* reason.  Does not return. */
__attribute__((noreturn)) void xen_shutdown(unsigned int reason);

/*
 * Call a hypercall and panic, naming it, if it fails: for set-up steps
 * without which the kernel cannot go on.
 */
#define HYPERCALL_OR_PANIC(call) ({					\
	long __rc = (call);						\
	if (__rc < 0)							\
		panic("%s failed: %ld (%s)", #call, __rc, xen_errno_name(__rc)); \
	__rc; })

const char *xen_errno_name(long rc);

#endif
