#!/usr/bin/env bash
# hv/tests/unit/check-broken-model.sh BIN - the unit tests' own test.
#
# BIN is the unit tests built against a core compiled with
# HV_TEST_BROKEN_MODEL (core/bounce.c, core/hypercall_check.c,
# core/grant.c, core/timer.c, core/evtchn.c): it forgets the error code
# of #CP/#VC/#SX, passes the hardware's #PF U/S bit on, takes syscall32's
# mask flag for a compat SYSCALL under IDT, delivers a permitted INT $N one byte short under IDT
# and FRED alike and with an error code where the vector's exception has
# one, registers the nmi callback without the mask flag, reads a trap
# table past an address-0 entry, and refuses a trap-table cs that is not
# Xen's; its grant table lets a read-only entry pass for a writable
# grant's at unmap (XSA-234), leaves version 2 while the status frame
# is mapped (XSA-255) and lets GNTTABOP_copy write into a page table;
# its timers take set_timer_op's timeout 2^50 ns ahead as given and
# count a timer on a masked port as able to wake a blocked domain; its
# event channels tell the vCPU again about a port already pending, and
# EVTCHNOP_unmask re-raises a port that was not masked; it lets a
# vcpu_info be registered in a page table; its descriptor audit takes
# a call gate to any selector, and a frame mapped writable may become
# a GDT's.  Each
# check below
# must fail against it; one that passes could not tell.
# Prints TAP (its summary a comment: the step counts the unit tests' line).
bin=$1
out=$("$bin" 2>&1)
must_fail=(
	"2: vector 29: error code slot present"
	"2: vector 30: error code slot present"
	"2: #PF from user: U/S bit set (input had it clear)"
	"2: #PF from guest kernel: U/S bit cleared"
	"6: IDT compat SYSCALL, syscall with / syscall32 without mask flag: mask 1"
	"6: IDT compat SYSCALL, syscall without / syscall32 with mask flag: mask 0"
	"idt: INT \$0x40 permitted: vector, error code, frame RIP and CS as expected"
	"callback: nmi in trap_ctxt[2], masking"
	"5: permitted INT \$0x0e (vDPL 3): a trap with no error code slot"
	"trap table: the entry after the address-0 one is not applied"
	"trap table: a garbage cs (0xdead) is accepted"
	"unmap check: a read-only entry for a writable grant: GNTST_general_error"
	"set_version 1 while the status frame is mapped: -EBUSY"
	"copy: a page table as destination frame: GNTST_general_error"
	"copy: a granted page table as destination: GNTST_general_error"
	"set_timer_op: 2^50 ns ahead: 100 ms from now"
	"may wake: its port masked: no"
	"set_pending: already pending: upcall not raised again"
	"set_pending: selector bit already set: upcall not raised"
	"unmask: not masked, pending: upcall not raised"
	"register: an L1 table: -EINVAL"
	"gate: to hv's own code 0xe008: refused"
	"gate: to FLAT_RING3_CS32 0xe023 (not FLAT_KERNEL_CS): refused"
	"gdt frame: mapped writable -> EINVAL"
)
n=0 pass=0 fail=0
for t in "${must_fail[@]}"; do
	n=$((n + 1))
	if grep -qF -- "not ok" <<<"$(grep -F -- "- $t" <<<"$out")"; then
		echo "ok $n - a wrong model fails: $t"
		pass=$((pass + 1))
	else
		echo "not ok $n - a wrong model fails: $t"
		fail=$((fail + 1))
	fi
done
echo "1..$n"
echo "# wrong model: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
