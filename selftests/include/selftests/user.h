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

#endif
