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
#   --vcpus N         the guest's vCPUs (hv's vcpus=N; under --xen
#                     dom0_max_vcpus=N-N and N CPUs in QEMU); default 1
#
# Exit status: QEMU's, i.e. hv's (Documentation/hypervisor.md, section 8),
# or 124 on timeout.  A 0 is only trusted if hv printed its clean-exit
# line (a triple fault would also make QEMU exit 0 under -no-reboot).
# Under Xen, which halts or reboots rather than exiting QEMU: 0 when dom0
# shut down or halted, 5 (hv's "domain crashed") when it crashed.
set -u

build=build delivery=idt vendor=intel timeout=120 log= domu= xen= vcpus=1
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=64M loglvl=all guest_loglvl=all"

# run_xen GUEST ARGS...: the guest as Xen's dom0; stop QEMU once Xen says
# how dom0 ended (a crash would otherwise sit out Xen's reboot delay).
run_xen() {
	local guest=$1; shift
	local vend=GenuineIntel cpu out pid rc=124 i
	[ "$vendor" = amd ] && vend=AuthenticAMD
	# As selftests/runner.py: no other vendor's virtualisation extension.
	cpu="max,vendor=$vend,$([ "$vendor" = amd ] && echo -vmx || echo -svm)"
	out=$(mktemp)
	qemu-system-x86_64 -M pc -cpu "$cpu" -smp "$vcpus" -m 512 -nographic -no-reboot -monitor none \
		-serial stdio -kernel "$xen" -append "$XEN_ARGS dom0_max_vcpus=$vcpus-$vcpus" -initrd "$guest $*" \
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
		-kernel "$build/hv/pventry-hv" -append "delivery=$delivery console=com1${domu:+ domu} vcpus=$vcpus" \
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

# The test guests (hv/tests/guests) check what they can see themselves and
# print TAP: "ok N"/"not ok N" lines, "# " diagnostics and the plan "1..N".
# What only the hypervisor's side shows is here: the exit status (0 clean
# shutdown, 5 domain crash; under --xen, Xen's "Hardware Dom0 crashed" is
# 5) and, where it matters, one line the hypervisor must print (a grep
# pattern) - hv's, and Xen's under --xen ("skip": not run on Xen; domu
# needs hv's `domu` mode, Xen boots its module as dom0; block ends
# blocked for ever on Xen, where hv crashes the domain).  "as" may end in
# " x2": the guest gets two vCPUs (hv's vcpus=2; Xen's dom0_max_vcpus=2-2
# with two CPUs in QEMU).
#
#  guest          | cmdline | as   | status | hv prints                                  | Xen prints
GUEST_TABLE='
   hello          |         | dom0 | 0      |                                            |
   crash-noreg    |         | dom0 | 5      | ^hv: domain crashed: no trap-table handler | d0v0 Unhandled: vec 6, #UD
   badaddr        |         | dom0 | 5      | ^hv: domain crashed: no trap-table handler | Domain 0 (vcpu#0) crashed
   usermode       |         | dom0 | 0      |                                            |
   m2p            |         | dom0 | 0      |                                            |
   badreturn      |         | dom0 | 0      |                                            |
   unmapped-stack |         | dom0 | 5      | ^hv: domain crashed: .*stack               | domain_crash_sync called from entry.S: fault at .*domain_crash_page_fault
   nmi            |         | dom0 | 0      | ^hv: d0v0 Unhandled: vec 2, NMI            | ^(XEN) d0v0 Unhandled: vec 2, NMI
   grant          |         | dom0 | 0      |                                            |
   gdt            |         | dom0 x2 | 0   |                                            |
   vcpuinfo       |         | dom0 | 0      |                                            |
   vcpuinfo       | shared  | dom0 | 0      |                                            |
   block          |         | dom0 | 5      | ^hv: domain crashed: every vCPU is blocked or down, and no timer could wake one | skip
   domu           |         | domu | 0      | ^hv: console ring: .* ignored              | skip
   domu           | crash   | domu | 5      | ^hv: domain crashed: no trap-table handler | skip
'

# tap_verdict OUTPUT: why the guest's TAP in OUTPUT fails (nothing if it
# passes): exactly one plan, tests numbered 1..N as planned, no "not ok".
tap_verdict() {
	awk '
		/^1\.\.[0-9]+$/ { plans++; planned = substr($0, 4) + 0; next }
		/^(not )?ok [0-9]+( |$)/ {
			n++
			num = ($1 == "not") ? $3 : $2
			if (num != n) bad = bad "; test " num " out of order"
			if ($1 == "not") bad = bad "; " $0
			if (plans) bad = bad "; test " num " after the plan"
		}
		END {
			if (plans != 1) bad = bad "; " plans + 0 " plan lines"
			else if (n != planned) bad = bad "; " n " tests, plan 1.." planned
			sub(/^; /, "", bad); printf "%s", bad
		}' <<<"$1"
}

trim() { local s=${1#"${1%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

# judge LABEL OUTPUT STATUS WANT_STATUS HV_LINE: one TAP line for one run.
fails=0 n=0
judge() {
	local label=$1 out=$2 rc=$3 want=$4 hvline=$5 why
	n=$((n + 1))
	why=$(tap_verdict "$out")
	[ "$rc" = "$want" ] || why="$why${why:+; }status $rc, want $want"
	[ -z "$hvline" ] || grep -q -- "$hvline" <<<"$out" || why="$why${why:+; }no '$hvline'"
	if [ -z "$why" ]; then
		echo "ok $n - $label: status $rc, guest TAP $(grep -c '^ok [0-9]' <<<"$out") ok"
	else
		echo "not ok $n - $label: $why"
		sed 's/^/#   /' <<<"$out" | tail -25
		fails=$((fails + 1))
	fi
}

check() {
	local guest args as want hvline xenline out rc
	for vendor in intel amd; do
		while IFS='|' read -r guest args as want hvline xenline; do
			guest=$(trim "$guest") args=$(trim "$args") as=$(trim "$as")
			want=$(trim "$want") hvline=$(trim "$hvline") xenline=$(trim "$xenline")
			[ -n "$guest" ] || continue
			[ -n "$xen" ] && { [ "$xenline" = skip ] && continue; hvline=$xenline; }
			local base=${as% x2}
			out=$(domu=${base#dom0}; [ "$base" != "$as" ] && vcpus=2; run "$build/hv/guests/$guest" $args 2>&1); rc=$?
			judge "$guest${args:+ $args} (${xen:+$(basename "$xen"), }$as, $delivery, $vendor)" \
				"$out" $rc $want "$hvline"
		done <<<"$GUEST_TABLE"
	done
	if [ -n "$xen" ]; then
		echo "1..$n"
		[ $fails = 0 ]
		return
	fi
	# FRED is refused clearly where the CPU has none (QEMU TCG has none).
	out=$(delivery=fred; run "$build/hv/guests/hello" 2>&1); rc=$?
	n=$((n + 1))
	if [ $rc = 9 ] && grep -q 'no FRED' <<<"$out"; then
		echo "ok $n - delivery=fred refused without FRED: status 9"
	else
		echo "not ok $n - delivery=fred without FRED: status $rc"; fails=$((fails + 1))
	fi
	# In Bochs (FRED; its IRETQ checks %rip, QEMU's does not): the exit
	# faults of badreturn through IRETQ and through ERETU; the virtual NMI
	# through both front ends.  Bochs gives no exit status: hv's clean-exit
	# line stands for status 0.
	if [ -n "${BOCHS:-}" ] && [ -x "$BOCHS" ]; then
		for g in badreturn nmi; do
		for d in idt fred; do
			out=$("$(dirname "$0")/run-bochs.sh" "$build/hv/pventry-hv" "delivery=$d console=com1" \
				"$build/hv/guests/$g" "delivery=$d" 300 2>&1 | tr -d '\r')
			judge "$g (Bochs, $d)" "$out" 0 0 '^hv: exit: clean shutdown'
		done
		done
	else
		echo "# Bochs runs skipped: set BOCHS=/path/to/bochs (built with FRED)"
	fi
	echo "1..$n"
	[ $fails = 0 ]
}

# The hostile guest (hv/tests/guests/fuzz.c), fixed seeds, both vendors
# in QEMU (IDT); with BOCHS= also in Bochs with FRED and IDT delivery.
# FUZZ_SEEDS and FUZZ_ARGS override the seeds and sizes (e.g.
# FUZZ_SEEDS="$(seq 1 50)" FUZZ_ARGS="calls=30000 programs=1000" for a
# long run).  A run passes when hv ends it in order - a clean shutdown
# with "fuzz: ok", or a domain crash (kernel-mode random code may point
# %rsp anywhere) after the guest's page-table walk came out clean - with
# its text intact and its "not implemented" lines rate-limited (at most
# 16: the guest makes hundreds of unknown calls).  An hv panic, a hang, a
# triple fault or an escape fails it, with the line that reproduces it.
fuzz_judge() {	# fuzz_judge NAME OUTPUT REPRODUCE
	local out=$2 line
	n=$((n + 1))
	line=$(grep -a '^fuzz: seed .* calls' <<<"$out" | tail -1)
	if { grep -qa '^fuzz: ok$' <<<"$out" && grep -qa '^hv: exit: clean shutdown' <<<"$out"; } ||
	   { grep -qa '^fuzz: page tables clean after' <<<"$out" &&
	     grep -qa '^hv: exit: domain crash' <<<"$out"; }; then
		if grep -qa '^hv: text and rodata intact' <<<"$out" && ! grep -qa '^not ok' <<<"$out" &&
		   [ "$(grep -ac 'not implemented: -ENOSYS' <<<"$out")" -le 16 ]; then
			echo "ok $n - $1${line:+: ${line#fuzz: }}"
			return
		fi
	fi
	echo "not ok $n - $1"
	grep -a '^not ok\|^hv: \(exit\|domain crashed\|PANIC\|text\)' <<<"$out" | sed 's/^/#   /' | tail -10
	echo "#   reproduce: $3"
	fails=$((fails + 1))
}

fuzz() {
	local seeds=${FUZZ_SEEDS:-2 3} args=${FUZZ_ARGS:-} seed tmp d
	tmp=$(mktemp)
	for vendor in intel amd; do
		for seed in $seeds; do
			timeout=60 run "$build/hv/guests/fuzz" seed=$seed $args >"$tmp" 2>&1
			fuzz_judge "fuzz seed=$seed (QEMU, $delivery, $vendor)" "$(tr -d '\0' <"$tmp")" \
				"scripts/run-hv.sh --vendor $vendor --build $build $build/hv/guests/fuzz seed=$seed $args"
		done
	done
	if [ -n "${BOCHS:-}" ] && [ -x "$BOCHS" ]; then
		for d in fred idt; do
			for seed in $seeds; do
				"$(dirname "$0")/run-bochs.sh" "$build/hv/pventry-hv" "delivery=$d console=com1" \
					"$build/hv/guests/fuzz" "seed=$seed $args" 300 >"$tmp" 2>&1
				fuzz_judge "fuzz seed=$seed (Bochs, $d)" "$(tr -d '\r\0' <"$tmp")" \
					"BOCHS=$BOCHS scripts/run-bochs.sh $build/hv/pventry-hv 'delivery=$d console=com1' $build/hv/guests/fuzz 'seed=$seed $args'"
			done
		done
	else
		echo "# Bochs runs skipped: set BOCHS=/path/to/bochs (built with FRED)"
	fi
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
	--vcpus) vcpus=$2; shift 2 ;;
	--xen) xen=$2; shift 2 ;;
	--check) build=${2:-$build}; check; exit ;;
	--fuzz) build=${2:-$build}; fuzz; exit ;;
	-*) echo "run-hv: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { sed -n '2,20p' "$0"; exit 2; }
run "$@"
