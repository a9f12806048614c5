#!/usr/bin/env bash
# scripts/run-hv.sh - boot pventry-hv with a guest under QEMU (TCG).
#
#   scripts/run-hv.sh [options] GUEST_ELF [guest command line...]
#   scripts/run-hv.sh --check [BUILD_DIR]     hv's own tests (test guests;
#                                             with BOCHS=... also in Bochs)
#   scripts/run-hv.sh --fuzz [BUILD_DIR]      the hostile guest, fixed seeds
#                                             (FUZZ_SEEDS, FUZZ_ARGS: longer)
#   scripts/run-hv.sh --xen XEN --check [BUILD_DIR]
#                                             the same test guests on XEN
#                                             (Xen 4.17): they must pass there
#
# Options:
#   --build DIR       where hv/pventry-hv lives (default: build)
#   --delivery M      idt (default) or fred
#   --vendor V        intel (default) or amd: -cpu max,vendor=...
#   --timeout S       kill QEMU after S seconds (default 120)
#   --log FILE        also keep the serial output in FILE
#   --domu            boot the guest as a domU (hv's `domu`: console ring,
#                     no console_io; hv/README.md)
#   --xen XEN         boot XEN (a multiboot Xen) instead of hv: the guest
#                     is its dom0
#
# Exit status: QEMU's, i.e. hv's (Documentation/hypervisor.md, section 8),
# or 124 on timeout.  A 0 is only trusted if hv printed its clean-exit
# line (a triple fault would also make QEMU exit 0 under -no-reboot).
# Under Xen, which halts or reboots rather than exiting QEMU: 0 when dom0
# shut down or halted, 5 (hv's "domain crashed") when it crashed.
set -u

build=build delivery=idt vendor=intel timeout=120 log= domu= xen=
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=64M dom0_max_vcpus=1 loglvl=all guest_loglvl=all"

# run_xen GUEST ARGS...: the guest as Xen's dom0; stop QEMU once Xen says
# how dom0 ended (a crash would otherwise sit out Xen's reboot delay).
run_xen() {
	local guest=$1; shift
	local vend=GenuineIntel cpu out pid rc=124 i
	[ "$vendor" = amd ] && vend=AuthenticAMD
	# As selftests/runner.py: no other vendor's virtualisation extension.
	cpu="max,vendor=$vend,$([ "$vendor" = amd ] && echo -vmx || echo -svm)"
	out=$(mktemp)
	qemu-system-x86_64 -M pc -cpu "$cpu" -m 512 -nographic -no-reboot -monitor none \
		-serial stdio -kernel "$xen" -append "$XEN_ARGS" -initrd "$guest $*" \
		</dev/null >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < timeout * 10; i++)); do
		if grep -aq 'Hardware Dom0 \(halted\|shutdown\|crashed\)' "$out"; then
			sleep 0.5
			rc=0
			grep -aq 'Hardware Dom0 crashed' "$out" && rc=5
			break
		fi
		kill -0 "$pid" 2>/dev/null || { rc=1; break; }
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	tr -d '\r' <"$out"
	[ -n "$log" ] && tr -d '\r' <"$out" >"$log"
	rm -f "$out"
	return $rc
}

run() {
	[ -n "$xen" ] && { run_xen "$@"; return; }
	local guest=$1; shift
	local vend=GenuineIntel
	[ "$vendor" = amd ] && vend=AuthenticAMD
	local out
	out=$(mktemp)
	timeout "$timeout" qemu-system-x86_64 -M pc -cpu "max,vendor=$vend" -m 512 \
		-nographic -no-reboot -monitor none -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$build/hv/pventry-hv" -append "delivery=$delivery console=com1${domu:+ domu}" \
		-initrd "$guest $*" 2>&1 </dev/null | tr -d '\r' >"$out"
	local rc=${PIPESTATUS[0]}
	cat "$out"
	[ -n "$log" ] && cp "$out" "$log"
	if [ $rc = 0 ] && ! grep -q '^hv: exit: clean shutdown' "$out"; then
		echo "run-hv: QEMU exited 0 without hv's clean-exit line (triple fault?)" >&2
		rc=1
	fi
	rm -f "$out"
	return $rc
}

# expect NAME WANT_STATUS GREP... : run a test guest and check it.
fails=0 n=0
expect() {
	local name=$1 want=$2; shift 2
	local out rc
	n=$((n + 1))
	out=$(run "$build/hv/guests/$name" 2>&1); rc=$?
	local ok=1 why=""
	[ "$rc" = "$want" ] || { ok=0; why="status $rc, want $want"; }
	for pat in "$@"; do
		grep -q -- "$pat" <<<"$out" || { ok=0; why="$why; no '$pat'"; }
	done
	if [ $ok = 1 ]; then
		echo "ok $n - $name (${xen:+$(basename "$xen"), }$delivery, $vendor): status $rc"
	else
		echo "not ok $n - $name (${xen:+$(basename "$xen"), }$delivery, $vendor): $why"
		sed 's/^/#   /' <<<"$out" | tail -25
		fails=$((fails + 1))
	fi
}

# The same guests on Xen: their own lines must be the same; how a crash
# shows is Xen's.  (domu needs hv's `domu`: Xen boots its module as dom0.)
check_xen() {
	for vendor in intel amd; do
		expect hello 0 'hello: ok bp_count=1' 'set_trap_table rc=0' 'magic xen-3.0-x86_64' 'evtchn rc=0 upcalls ok'
		expect crash-noreg 5 'd0v0 Unhandled: vec 6, #UD' 'Domain 0 (vcpu#0) crashed'
		expect badaddr 5 'set_trap_table rc=-22' 'callback_op rc=-22' \
			'set_trap_table(bad pointer) rc=-14' 'Domain 0 (vcpu#0) crashed'
		expect usermode 0 '^usermode: ok$' 'pin user L4' 'every user entry seen once'
		expect badreturn 0 '^badreturn: ok$' 'case 0 (user, non-canonical rip): vector 0xd ec 0x0 rip 0x8000000000001000 cs 0xe033' \
			'case 10 (user, VGCF_in_syscall, data selector as cs): vector 0x100'
		expect unmapped-stack 5 'set_trap_table rc=0' 'domain_crash_sync called from entry.S: fault at .*domain_crash_page_fault' 'Domain 0 (vcpu#0) crashed'
		expect nmi 0 '^nmi: ok$' '^nmi: send_nmi to vcpu 1: rc=-2$' '^nmi: send_nmi with an argument: rc=-22$' \
			'^nmi:   NMI frame: rip vcpu_op+0xa cs 0x10000e030 .* rsp base-0x18 ss 0xe02b mask 1 depth 0$' \
			'^nmi: ok - the held NMI arrives right after' '^(XEN) d0v0 Unhandled: vec 2, NMI' \
			'^nmi: ok - the event upcall ran first, then the NMI handler$'
	done
	echo "1..$n"
	[ $fails = 0 ]
}

check() {
	[ -n "$xen" ] && { check_xen; return; }
	for vendor in intel amd; do
		expect hello 0 'hello: ok bp_count=1' 'set_trap_table rc=0' 'magic xen-3.0-x86_64' 'evtchn rc=0 upcalls ok'
		expect crash-noreg 5 'hv: domain crashed: no trap-table handler' 'hv: exit: domain crash'
		expect badaddr 5 'set_trap_table rc=-22' 'callback_op rc=-22' \
			'set_trap_table(bad pointer) rc=-14' 'hv: domain crashed'
		expect usermode 0 '^usermode: ok$' 'pin user L4' 'every user entry seen once'
		expect badreturn 0 '^badreturn: ok$' 'case 0 (user, non-canonical rip): vector 0xd ec 0x0 rip 0x8000000000001000 cs 0xe033' \
			'case 10 (user, VGCF_in_syscall, data selector as cs): vector 0x100'
		expect unmapped-stack 5 'set_trap_table rc=0' 'hv: domain crashed: .*stack'
		# The virtual NMI (VCPUOP_send_nmi, nmi callback, masking until iret).
		expect nmi 0 '^nmi: ok$' '^nmi: send_nmi to vcpu 1: rc=-2$' '^nmi: send_nmi with an argument: rc=-22$' \
			'^nmi:   NMI frame: rip vcpu_op+0xa cs 0x10000e030 .* rsp base-0x18 ss 0xe02b mask 1 depth 0$' \
			'^nmi: ok - the held NMI arrives right after' '^hv: d0v0 Unhandled: vec 2, NMI' \
			'^nmi: ok - the event upcall ran first, then the NMI handler$'
		# domU mode: start_info, console_io refused, the console ring.
		domu=1 expect domu 0 '^domu: ok$' 'domu: flags 0$' \
			'^domu: ok: full ring drained by one send$' '^domu: ok: backend notified the console port$' \
			'^hv: console ring: .* ignored' '^domu: ok: bad out_prod' '^domu: ok: bind_ipi gets port 3$' '^domu: ok: 70 lines'
		domu=1 expect "domu crash" 5 '^domu: unsent before the crash$' 'hv: domain crashed: no trap-table handler'
	done
	# FRED is refused clearly where the CPU has none (QEMU TCG has none).
	n=$((n + 1))
	local out rc
	out=$(delivery=fred; run "$build/hv/guests/hello" 2>&1); rc=$?
	if [ $rc = 9 ] && grep -q 'no FRED' <<<"$out"; then
		echo "ok $n - delivery=fred refused without FRED: status 9"
	else
		echo "not ok $n - delivery=fred without FRED: status $rc"; fails=$((fails + 1))
	fi
	# In Bochs (FRED; its IRETQ checks %rip, QEMU's does not): the exit
	# faults of badreturn through IRETQ and through ERETU; the virtual NMI
	# through both front ends.
	if [ -n "${BOCHS:-}" ] && [ -x "$BOCHS" ]; then
		for g in badreturn nmi; do
		for d in idt fred; do
			n=$((n + 1))
			out=$("$(dirname "$0")/run-bochs.sh" "$build/hv/pventry-hv" "delivery=$d console=com1" \
				"$build/hv/guests/$g" "delivery=$d" 300 2>&1 | tr -d '\r')
			if grep -q "^$g: ok\$" <<<"$out" && grep -q '^hv: exit: clean shutdown' <<<"$out"; then
				echo "ok $n - $g (Bochs, $d): status 0"
			else
				echo "not ok $n - $g (Bochs, $d)"
				grep -a 'FAIL\|^hv: \(exit\|domain\|PANIC\)' <<<"$out" | sed 's/^/#   /' | tail -10
				fails=$((fails + 1))
			fi
		done
		done
	else
		echo "# Bochs runs skipped: set BOCHS=/path/to/bochs (built with FRED)"
	fi
	echo "1..$n"
	[ $fails = 0 ]
}

# The hostile guest (hv/tests/guests/fuzz.c), fixed seeds.  FUZZ_SEEDS
# and FUZZ_ARGS override them (e.g. FUZZ_SEEDS="$(seq 1 50)"
# FUZZ_ARGS="calls=30000 programs=1000" for a long run).  A run passes
# when hv exits cleanly (or crashes the domain: the guest's doing) with
# its text intact and the guest's page-table walk clean; an hv panic, a
# hang or an escape fails it, with the line that reproduces it.
fuzz() {
	local seeds=${FUZZ_SEEDS:-1 2} args=${FUZZ_ARGS:-} out rc seed tmp
	tmp=$(mktemp)
	for vendor in intel amd; do
		for seed in $seeds; do
			n=$((n + 1))
			timeout=60 run "$build/hv/guests/fuzz" seed=$seed $args >"$tmp" 2>&1; rc=$?
			out=$(tr -d '\0' <"$tmp")
			local line
			line=$(grep -a '^fuzz: seed .* calls' <<<"$out" | tail -1)
			if { [ $rc = 0 ] && grep -q '^fuzz: ok$' <<<"$out"; } ||
			   { [ $rc = 5 ] && grep -qa '^fuzz: page tables clean after' <<<"$out" &&
			     ! grep -qa 'FAIL' <<<"$out"; }; then
				if grep -q '^hv: text and rodata intact' <<<"$out"; then
					echo "ok $n - fuzz seed=$seed ($delivery, $vendor): status $rc${line:+; ${line#fuzz: }}"
					continue
				fi
			fi
			echo "not ok $n - fuzz seed=$seed ($delivery, $vendor): status $rc"
			grep -a 'FAIL\|^hv: \(exit\|domain crashed\|PANIC\|text\)' <<<"$out" | sed 's/^/#   /' | tail -10
			echo "#   reproduce: scripts/run-hv.sh --vendor $vendor --build $build $build/hv/guests/fuzz seed=$seed $args"
			fails=$((fails + 1))
		done
	done
	rm -f "$tmp"
	echo "1..$n"
	[ $fails = 0 ]
}

while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--delivery) delivery=$2; shift 2 ;;
	--vendor) vendor=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--domu) domu=1; shift ;;
	--xen) xen=$2; shift 2 ;;
	--check) build=${2:-$build}; check; exit ;;
	--fuzz) build=${2:-$build}; fuzz; exit ;;
	-*) echo "run-hv: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { sed -n '2,20p' "$0"; exit 2; }
run "$@"
