#!/usr/bin/env bash
# scripts/check.sh BUILD_DIR XEN [BOCHS [XEN_FRED]] - every test `make check` runs.
#
# Each step's output goes to the terminal and to BUILD_DIR/check/STEP.log.
# A step is counted by its own closing "N passed, N failed" line, or else
# by its TAP "ok"/"not ok" lines; a step that exits non-zero without a
# counted failure counts one.  The last line is the total, for CI.
set -u
build=$1 xen=$2 bochs=${3:-} xen_fred=${4:-}
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$build/check
mkdir -p "$logs"
total_pass=0 total_fail=0 summary=()

step() {	# step NAME COMMAND...
	local name=$1 log=$logs/$1.log rc p f line
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	else
		p=$(grep -cE '^ok [0-9]+' "$log")
		f=$(grep -cE '^not ok [0-9]+' "$log")
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	summary+=("$(printf '%-28s %6d passed, %d failed%s' "$name" "$p" "$f" \
		"$([ "$rc" -ne 0 ] && echo " (exit $rc)")")")
}

step hv-host-tests make --no-print-directory -C "$top/hv" O="$build" hv-host-test
step hv-bad-guests make --no-print-directory -C "$top/hv" O="$build" check
step xen-4.17 python3 "$top/selftests/runner.py" --xen "$xen" --kernel "$build/pventry" \
	--vendor GenuineIntel --vendor AuthenticAMD --delivery idt \
	--broken-kernel "$build/broken/pventry"
step hv-idt python3 "$top/selftests/runner.py" --hv "$build/hv/pventry-hv" --delivery idt \
	--kernel "$build/pventry" --vendor GenuineIntel --vendor AuthenticAMD
step hv-idt-domU python3 "$top/selftests/runner.py" --hv "$build/hv/pventry-hv" --delivery idt \
	--domu --kernel "$build/pventry" --vendor GenuineIntel
if [ -n "$bochs" ]; then
	step hv-fred python3 "$top/selftests/runner.py" --bochs "$bochs" --hv "$build/hv/pventry-hv" \
		--delivery fred --kernel "$build/pventry"
	step hv-idt-bochs python3 "$top/selftests/runner.py" --bochs "$bochs" --hv "$build/hv/pventry-hv" \
		--delivery idt --kernel "$build/pventry"
	if [ -n "$xen_fred" ]; then
		step xen-fred python3 "$top/selftests/runner.py" --bochs "$bochs" --xen "$xen_fred" \
			--xen-args "console=com1 dom0_mem=64M dom0_max_vcpus=1 fred=1" \
			--delivery fred --kernel "$build/pventry"
	fi
else
	echo "SKIP: hv delivery=fred: no FRED-capable emulator (make check BOCHS=/path/to/bochs)"
	summary+=("$(printf '%-28s %s' hv-fred 'SKIP (no BOCHS=)')")
fi
# The kernel as a domU of Debian's Xen 4.17, created by xl in a Debian
# Linux dom0 (scripts/mkdom0.sh: the tools match that Xen, whatever XEN= is).
step xen-4.17-xl-domU python3 "$top/selftests/runner.py" --xl "$build/dom0" \
	--xen "$build/xen/xen-4.17.elf" --kernel "$build/pventry" \
	--vendor GenuineIntel --vendor AuthenticAMD --delivery idt \
	--broken-kernel "$build/broken/pventry"

echo
echo "=== summary"
printf '  %s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
