/*
 * selftests/include/selftests/user.h - the kernel side of the user-mode
 * selftests: what the test system calls keep per program.
 */
#ifndef SELFTESTS_USER_H
#define SELFTESTS_USER_H

#include <pventry/arch.h>
#include <selftests/abi.h>

struct user_test_state {
	struct delivered_frame this_call, prev;	/* this and the previous syscall */
	struct delivered_frame event;	/* the event upcall that hit user mode */
	bool event_armed;
	evtchn_port_t event_port;
	uint64_t return_rip;		/* where the last system call returned */
	struct timer_stats timer;	/* ticks while this program ran */
	uint64_t timer_uaddr;		/* CTL_TIMER_WATCH: a copy goes here */
};
extern struct user_test_state user_test;	/* syscalls.c; reset per program */

void register_test_syscalls(void);

/* user_programs.c: the programs the build embedded (programs.S). */
struct user_program {
	const char *name;
	const uint8_t *start, *end;
};
int run_user_program(const struct user_program *p);	/* its status */

/* crashme.c */
void run_crashme(const struct user_program *p);
long crashme_ctl(unsigned int op, uint64_t uaddr);

#endif
