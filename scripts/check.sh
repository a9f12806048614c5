#!/usr/bin/env bash
# scripts/check.sh BUILD_DIR XEN [BOCHS [XEN_FRED]] - every test `make check` runs.
#
# BOCHS is a Bochs built with FRED, XEN_FRED a Xen that can deliver to PV
# guests through FRED (fred=1).  Either may be empty: the steps that need it
# print a SKIP line.  One that is given but unusable fails the run.
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

# A tool the user named must be there: a typo is an error, never a SKIP.
bad=
[ -f "$xen" ] && [ -r "$xen" ] || bad="$bad XEN=$xen (not a readable file)"
[ -z "$bochs" ] || { [ -f "$bochs" ] && [ -x "$bochs" ]; } || bad="$bad BOCHS=$bochs (not an executable file)"
[ -z "$xen_fred" ] || { [ -f "$xen_fred" ] && [ -r "$xen_fred" ]; } || bad="$bad XEN_FRED=$xen_fred (not a readable file)"
if [ -n "$bad" ]; then
	echo "check: unusable:$bad" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# Sub-makes and scripts read BOCHS from the environment.
export BOCHS=$bochs

# Steps run side by side, as many at a time as there are CPUs (each
# emulator is one busy thread): CHECK_JOBS=1 runs them one after another.
# A step's output goes to its log and is shown, whole, once it ends; the
# summary keeps the order the steps are listed in.
jobs_max=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
steps=()

step() {	# step NAME 'WHAT RAN' COMMAND...
	local name=$1 what=$2 log=$logs/$1.log
	shift 2
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	echo "=== $name: started: $*"
	steps+=("$name")
	printf '%s' "$what" > "$log.what"
	rm -f "$log.rc" "$log.skip"
	( start=$SECONDS; "$@" > "$log" 2>&1; rc=$?
	  echo "$rc $((SECONDS - start))" > "$log.rc"
	  echo "=== $name: ended (exit $rc, $((SECONDS - start)) s)" ) &
}

# After every step has ended: show each log, count it, and sum up.
collect() {
	local name log what rc secs p f line
	wait
	for name in "${steps[@]}"; do
		log=$logs/$name.log
		what=$(cat "$log.what")
		if [ ! -e "$log.rc" ]; then
			summary+=("$(printf '%-16s %-44s SKIP (%s)' "$name" "$what" "$(cat "$log.skip")")")
			continue
		fi
		read -r rc secs < "$log.rc"
		echo "=== $name ($what, $secs s)"
		cat "$log"
		line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
		if [ -n "$line" ]; then
			p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
			f=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
		else
			p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')	# a SKIP is no pass
			f=$(grep -cE '^not ok [0-9]+' "$log")
		fi
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
		summary+=("$(printf '%-16s %-44s %6d passed, %d failed%s  %ds' "$name" "$what" "$p" "$f" \
			"$([ "$rc" -ne 0 ] && echo " (exit $rc)")" "$secs")")
	done
}

skip() {	# skip NAME 'WHAT' WHY
	echo "SKIP: $1 ($2): $3"
	steps+=("$1")
	printf '%s' "$2" > "$logs/$1.log.what"
	printf '%s' "$3" > "$logs/$1.log.skip"
	rm -f "$logs/$1.log.rc"
}

runner() { python3 "$top/selftests/runner.py" "$@"; }

x86=(--vendor GenuineIntel --vendor AuthenticAMD)
# The two longest first, so that the rest fill the other CPU.
# XTF, Xen's own test kernels: CI puts them in the shared folder beside the
# project; XTF=DIR names another place.
xtf=${XTF:-$top/../shared/tools/xtf}
if [ -d "$xtf" ]; then
	step xtf "XTF PV64 images: Xen 4.17 and hv${bochs:+ (FRED in Bochs)}" python3 "$top/scripts/xtf.py" \
		--xtf "$xtf" --xen "$xen" --hv "$build/hv/pventry-hv" ${bochs:+--bochs "$bochs"}
else
	skip xtf "XTF PV64 images, Xen 4.17 and hv" "no XTF test kernels (../shared/tools/xtf or XTF=)"
fi
# The kernel as a domU of Debian's Xen 4.17, created by xl in a Debian
# Linux dom0 (scripts/mkdom0.sh: the tools match that Xen, whatever XEN= is).
step xen-4.17-xl-domU "xen-4.17.elf, Linux dom0, xl create, QEMU, IDT, 2 vCPUs, Intel+AMD" \
	runner --xl "$build/dom0" --xen "$build/xen/xen-4.17.elf" --kernel "$build/pventry" \
	"${x86[@]}" --delivery idt \
	--broken-kernel "$build/broken/pventry"

step no-selftests "CONFIG_SELFTESTS=n build, includes" \
	make --no-print-directory O="$build" check-no-selftests
step hv-host-tests "hv core, host build" make --no-print-directory -C "$top/hv" O="$build" hv-host-test
step hv-bad-guests "hv test guests, QEMU${bochs:+ and Bochs}" \
	make --no-print-directory -C "$top/hv" O="$build" BOCHS="$bochs" check
step hv-fuzz "hv, hostile guest, fixed seeds, QEMU${bochs:+ and Bochs (FRED, IDT)}" \
	"$top/scripts/run-hv.sh" --fuzz "$build"
step hv-guests-xen "hv's test guests on $(basename "$xen"), QEMU, Intel+AMD" \
	"$top/scripts/run-hv.sh" --xen "$xen" --check "$build"
step "$(basename "$xen" .elf)" "$(basename "$xen"), QEMU, IDT, 2 vCPUs, Intel+AMD" runner --xen "$xen" \
	--kernel "$build/pventry" --vcpus 2 "${x86[@]}" --delivery idt --broken-kernel "$build/broken/pventry" \
	--broken-hv-kernel "$build/broken-hv/pventry"
step "$(basename "$xen" .elf)-1vcpu" "$(basename "$xen"), QEMU, IDT, 1 vCPU, Intel" runner --xen "$xen" \
	--kernel "$build/pventry" --vcpus 1 --vendor GenuineIntel --delivery idt
step hv-idt "hv, QEMU, IDT, 2 vCPUs, Intel+AMD" runner --hv "$build/hv/pventry-hv" --delivery idt \
	--vcpus 2 --kernel "$build/pventry" "${x86[@]}"
step hv-idt-1vcpu "hv, QEMU, IDT, 1 vCPU, Intel" runner --hv "$build/hv/pventry-hv" --delivery idt \
	--vcpus 1 --kernel "$build/pventry" --vendor GenuineIntel
step hv-idt-domU "hv domU, QEMU, IDT, Intel" runner --hv "$build/hv/pventry-hv" --delivery idt \
	--domu --kernel "$build/pventry" --vendor GenuineIntel
if [ -n "$xen_fred" ]; then
	step xen-master-idt "$(basename "$xen_fred"), QEMU, IDT (fred=0), 2 vCPUs, Intel+AMD" \
		runner --xen "$xen_fred" --xen-args-extra "fred=0" --kernel "$build/pventry" \
		--vcpus 2 "${x86[@]}" --delivery idt
else
	skip xen-master-idt "Xen with FRED support, QEMU, IDT" "no XEN_FRED="
fi
if [ -n "$bochs" ]; then
	step hv-fred "hv, Bochs wildcat_lake, FRED, 2 vCPUs" runner --bochs "$bochs" \
		--hv "$build/hv/pventry-hv" --delivery fred --vcpus 2 --kernel "$build/pventry"
	step hv-idt-bochs "hv, Bochs wildcat_lake, IDT, 2 vCPUs" runner --bochs "$bochs" \
		--hv "$build/hv/pventry-hv" --delivery idt --vcpus 2 --kernel "$build/pventry"
else
	skip hv-fred "hv, Bochs, FRED" "no BOCHS="
	skip hv-idt-bochs "hv, Bochs, IDT" "no BOCHS="
fi
if [ -n "$bochs" ] && [ -n "$xen_fred" ]; then
	step xen-fred "$(basename "$xen_fred"), Bochs wildcat_lake, FRED (fred=1), 2 vCPUs" \
		runner --bochs "$bochs" --xen "$xen_fred" --xen-args-extra "fred=1" \
		--delivery fred --vcpus 2 --kernel "$build/pventry"
else
	skip xen-fred "Xen with FRED support, Bochs, FRED" "needs BOCHS= and XEN_FRED="
fi
collect
echo
echo "=== summary"
printf '  %s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
