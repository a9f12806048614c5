#!/usr/bin/env bash
# scripts/run-bochs.sh - boot a multiboot kernel plus one module in Bochs,
# headless, on a FRED-capable CPU, and stream the guest's COM1 to stdout.
#
# Usage:
#   BOCHS=/path/to/bochs scripts/run-bochs.sh KERNEL 'KERNEL_CMDLINE' \
#       MODULE 'MODULE_CMDLINE' [TIMEOUT_SECONDS]
#
# Why Bochs: QEMU does not emulate FRED; Bochs does.  This script only RUNS
# a Bochs you supply; it never builds one.  That Bochs must be configured
# with at least --enable-x86-64 --enable-fred --enable-avx (the wildcat_lake
# CPU model needs AVX) and --with-nogui (or any build that has the nogui
# display library).
#
# Environment:
#   BOCHS        the bochs binary (required; if unset or not executable the
#                script prints SKIP and exits 77)
#   BOCHS_SHARE  directory holding BIOS-bochs-latest and VGABIOS-lgpl-latest.bin
#                (default: <dir of $BOCHS>/../share/bochs)
#   BOCHS_CPU    cpu model (default: wildcat_lake, which has FRED)
#   BOCHS_MEGS   guest RAM in MiB (default: 512)
#   BOCHS_IPS    emulated instructions per second: the clock, TSC and CPUID
#                0x15/0x16 rate (default: 50000000; guest time is instruction
#                count / IPS, not wall time)
#   BOCHS_KEEP   if set, keep the work directory (ISO, bochsrc, bochs.log,
#                com1.out) and print its path
#
# The machine: i440FX PC, the Bochs BIOS, the ISO on an ATAPI CD-ROM, GRUB 2
# (i386-pc) loading KERNEL with `multiboot` (or `multiboot2` when KERNEL has
# only a Multiboot2 header) and MODULE with `module`/`module2`.  COM1 is
# 0x3f8/IRQ4.  NB: GRUB 2, unlike QEMU's -kernel/-initrd, does NOT put the
# image name in front of either command line; the Multiboot loader name
# says "GRUB 2...".
#
# The emulated UART sends at its programmed baud rate in guest time, far
# slower than QEMU's.  Xen's 16 KiB serial transmit buffer then overflows
# and Xen silently drops console output (the end of a run goes missing).
# Give Xen serial_tx_buffer=256k (or sync_console) on its command line.
#
# A guest that powers off should first wait for the UART to drain (LSR bit
# 6, transmitter empty): Bochs quits at once and drops what is still in the
# transmitter.
#
# Debian packages needed: grub-pc-bin grub-common xorriso mtools
#
# Exit status:
#   0    the guest halted the machine (HLT with interrupts off) or powered
#        it off (ACPI S5, or "Shutdown" written to Bochs's port 0x8900)
#   3    the guest reset the machine (a reboot: Xen's SHUTDOWN_reboot, or a
#        Xen panic's "Reboot in five seconds"); like QEMU's -no-reboot, the
#        run ends there.  Read the console to tell which.
#   1    a triple fault, Bochs died, or the ISO could not be built
#   2    bad usage
#   77   no FRED-capable emulator (BOCHS unset or not executable)
#   124  timeout (default 600 s of wall time)
set -eu

usage() {
	echo "usage: BOCHS=/path/to/bochs $0 KERNEL 'KERNEL_CMDLINE' MODULE 'MODULE_CMDLINE' [TIMEOUT]" >&2
	exit 2
}

if [ -z "${BOCHS:-}" ] || [ ! -x "${BOCHS:-}" ] || [ -d "${BOCHS:-}" ]; then
	echo "SKIP: no FRED-capable emulator (set BOCHS=...)"
	exit 77
fi

[ $# -eq 4 ] || [ $# -eq 5 ] || usage
kernel=$1 kcmd=$2 module=$3 mcmd=$4 timeout=${5:-600}

case $timeout in
	''|*[!0-9]*) echo "run-bochs: TIMEOUT must be a whole number of seconds, not '$timeout'" >&2; exit 2 ;;
esac
[ "$timeout" -gt 0 ] || { echo "run-bochs: TIMEOUT must be > 0" >&2; exit 2; }
for v in BOCHS_MEGS BOCHS_IPS; do
	case ${!v:-1} in
		''|*[!0-9]*|0) echo "run-bochs: $v must be a positive whole number, not '${!v}'" >&2; exit 2 ;;
	esac
done
for f in "$kernel" "$module"; do
	[ -f "$f" ] && [ -r "$f" ] || { echo "run-bochs: cannot read '$f'" >&2; exit 2; }
done
# GRUB re-escapes \ ' " when it joins the words of a command line, so such
# characters would not reach the guest as written: refuse them.
for c in "$kcmd" "$mcmd"; do
	case $c in
		*[\\\'\"]*|*$'\n'*)
			echo "run-bochs: command line may not contain \\ ' \" or newline: '$c'" >&2
			exit 2 ;;
	esac
done

# Tools (Debian: grub-pc-bin grub-common xorriso mtools).
missing=
command -v grub-mkrescue >/dev/null || missing="$missing grub-common"
[ -f /usr/lib/grub/i386-pc/multiboot.mod ] || missing="$missing grub-pc-bin"
command -v xorriso >/dev/null || missing="$missing xorriso"
command -v mformat >/dev/null || missing="$missing mtools"
if [ -n "$missing" ]; then
	echo "run-bochs: missing Debian packages:$missing (apt-get install$missing)" >&2
	exit 1
fi

share=${BOCHS_SHARE:-$(cd "$(dirname "$BOCHS")/.." && pwd)/share/bochs}
bios=$share/BIOS-bochs-latest
vgabios=$share/VGABIOS-lgpl-latest.bin
for f in "$bios" "$vgabios"; do
	[ -r "$f" ] || { echo "run-bochs: no $(basename "$f") in '$share' (set BOCHS_SHARE=...)" >&2; exit 1; }
done

# Which Multiboot header does the kernel carry?  v1: magic 0x1badb002 on a
# 4-byte boundary in the first 8 KiB; v2: 0xe85250d6 on an 8-byte boundary
# in the first 32 KiB.  Prefer v1, the one QEMU's -kernel uses too.
has_magic() {	# file magic bytes align
	od -An -v -tx4 -w4 -N"$3" "$1" | awk -v m="$2" -v a="$4" \
		'$1 == m && ((NR - 1) * 4) % a == 0 { found = 1; exit } END { exit !found }'
}
if has_magic "$kernel" 1badb002 8192 4; then
	mb=multiboot mod=module
elif has_magic "$kernel" e85250d6 32768 8; then
	mb=multiboot2 mod=module2
else
	echo "run-bochs: '$kernel' has no Multiboot or Multiboot2 header" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/run-bochs.XXXXXX")
bpid= tpid=
cleanup() {
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null || true
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null || true
	if [ -n "${BOCHS_KEEP:-}" ]; then
		echo "run-bochs: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Each word of a command line becomes one single-quoted GRUB word; GRUB
# joins them back with single spaces.
grub_words() {
	local w out=
	for w in $1; do out="$out '$w'"; done
	printf '%s' "$out"
}

mkdir -p "$work/iso/boot/grub"
cp "$kernel" "$work/iso/boot/kernel"
cp "$module" "$work/iso/boot/module"
cat > "$work/iso/boot/grub/grub.cfg" <<EOF
set timeout=0
set timeout_style=hidden
menuentry run-bochs {
	$mb /boot/kernel$(set -f; grub_words "$kcmd")
	$mod /boot/module$(set -f; grub_words "$mcmd")
	boot
}
EOF
if ! grub-mkrescue -d /usr/lib/grub/i386-pc -o "$work/boot.iso" "$work/iso" \
		> "$work/grub-mkrescue.log" 2>&1; then
	echo "run-bochs: grub-mkrescue failed:" >&2
	cat "$work/grub-mkrescue.log" >&2
	exit 1
fi

# The clock runs off the instruction count (ips), and CPUID leaves
# 0x15/0x16 report that same rate so guests calibrate the TSC right.
cat > "$work/bochsrc" <<EOF
display_library: nogui
megs: ${BOCHS_MEGS:-512}
cpu: model=${BOCHS_CPU:-wildcat_lake}, count=1, ips=${BOCHS_IPS:-50000000}, reset_on_triple_fault=1, cpuid_freq=ips
romimage: file="$bios"
vgaromimage: file="$vgabios"
ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$work/com1.out"
log: "$work/bochs.log"
debug: action=ignore
info: action=report
warn: action=report
error: action=report
panic: action=fatal
EOF

: > "$work/com1.out"
: > "$work/bochs.log"
start=$(date +%s)
"$BOCHS" -q -f "$work/bochsrc" < /dev/null > "$work/bochs.out" 2>&1 &
bpid=$!
tail -n +1 -f --pid="$bpid" "$work/com1.out" 2>/dev/null &
tpid=$!

# Watch the Bochs log for the end of the run.  The first Reset(...) line is
# power-on; any later one is the guest resetting the machine.
verdict= status=
while :; do
	if ! kill -0 "$bpid" 2>/dev/null; then
		wait "$bpid" && rc=0 || rc=$?
		bpid=
		if grep -qE 'Shutdown port: shutdown requested|ACPI control: soft power off' "$work/bochs.log"; then
			verdict="guest powered the machine off" status=0
		else
			verdict="bochs exited with status $rc" status=1
		fi
		break
	fi
	if grep -q 'HLT instruction with IF=0' "$work/bochs.log"; then
		verdict="guest halted the machine (HLT with interrupts off)" status=0
		sleep 0.3	# let the UART finish the byte it is sending
		break
	fi
	if [ "$(grep -c 'bx_pc_system_c::Reset(' "$work/bochs.log")" -gt 1 ]; then
		tf=$(sed -n 's/.*exception(): 3rd (\([0-9]*\)).*/\1/p' "$work/bochs.log" | head -n 1)
		if [ -n "$tf" ]; then
			verdict="triple fault (the third exception was vector $tf)" status=1
		else
			verdict="guest reset the machine" status=3
		fi
		break
	fi
	if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
		verdict="TIMEOUT after ${timeout}s: guest neither halted nor reset" status=124
		break
	fi
	sleep 0.1
done

if [ -n "$bpid" ]; then
	kill "$bpid" 2>/dev/null || true
	wait "$bpid" 2>/dev/null || true
	bpid=
fi
wait "$tpid" 2>/dev/null || true	# tail reads com1.out to its end, then exits
tpid=
# Make sure the verdict starts on a line of its own.
[ -s "$work/com1.out" ] && [ -n "$(tail -c 1 "$work/com1.out")" ] && echo
echo "run-bochs: $verdict ($(( $(date +%s) - start ))s)" >&2
if [ "$status" = 1 ] || [ "$status" = 124 ]; then
	# The log up to the reset, if there was one (after it the BIOS starts over).
	echo "run-bochs: last lines of the Bochs log:" >&2
	awk '/bx_pc_system_c::Reset\(/ { n++ } n < 2 && !/ips = /' "$work/bochs.log" | tail -n 15 >&2 || true
	grep -E '^[0-9]+[ep]\[' "$work/bochs.out" | tail -n 5 >&2 || true	# startup errors
fi
exit "$status"
