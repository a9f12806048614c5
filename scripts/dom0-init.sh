#!/bin/sh
# /init of the dom0 initramfs scripts/mkdom0.sh builds: bring up the Xen
# toolstack, then create the domains /plan asks for, one after another,
# and relay each one's console log to dom0's console (hvc0, which Xen
# prints on its serial line).
#
# /plan is appended to the initramfs by selftests/runner.py --xl; it calls
# the two commands below.  Every line meant for the runner starts with
# "xl-dom0: "; between "xl-dom0: begin NAME" and "xl-dom0: end NAME" come,
# in this order, the guest's console log and xl's own output.
#
#   run_guest NAME KERNEL SECONDS EXTRA
#	xl create -F the kernel with EXTRA as its command line and wait for
#	the domain to end, at most SECONDS (then xl destroy).
#   shutdown_guest NAME KERNEL SECONDS EXTRA
#	the same, for a guest that waits for a request when done (`wait`):
#	`xl reboot -w` it, and when it waits again after booting again,
#	`xl shutdown -w` it; report how long each took.
#
# The xl configuration is the tree's pventry.cfg, run from /guest as it
# would be from the top of the tree: KERNEL "-" is the cfg's own kernel
# (build/pventry), any other KERNEL replaces it.  name and extra are given
# on xl's command line.

export PATH=/bin:/usr/sbin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu

say() { echo "xl-dom0: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# xenconsoled gives each guest a pty: no devpts, no console, and libxl
# times out waiting for it before unpausing the domain.
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs; do
	insmod /lib/modules/$m.ko || say "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen

xenstored --pid-file=/var/run/xenstored.pid
xen-init-dom0 >/dev/null
xenconsoled --log=guest --log-dir=/var/log/xen/console

uptime_cs() {	# centiseconds since boot
	local s
	read s _ </proc/uptime
	echo "${s%.*}${s#*.}" | sed 's/^0*//;s/^$/0/'
}

# end_guest NAME RC: what the domain left behind, then the closing line.
end_guest() {
	[ "$2" -eq 124 ] || [ "$2" -eq 137 ] && {
		say "timed out $1"
		xl destroy "$1" 2>/dev/null
	}
	sleep 1		# xenconsoled's last read of the ring
	cat "/var/log/xen/console/guest-$1.log" 2>/dev/null
	echo
	sed 's/^/xl: /' "/var/log/xen/create-$1.log"
	say "end $1"
}

xl_create() {	# NAME KERNEL SECONDS EXTRA
	local kernel=
	[ "$2" = - ] || kernel="kernel=\"$2\""
	(cd /guest && exec timeout -s KILL "$3" xl create -F pventry.cfg "name=\"$1\"" \
		${kernel:+"$kernel"} "extra=\"$4\"") >"/var/log/xen/create-$1.log" 2>&1
}

run_guest() {	# NAME KERNEL SECONDS EXTRA
	say "begin $1"
	xl_create "$@"
	end_guest "$1" $?
}

# ask NAME reboot|shutdown N SECONDS: once the guest's console has said N
# times that it waits for a request, `xl reboot|shutdown -w` it; say how
# long xl took.
ask() {
	local i=0 t0 t1 rc
	until [ "$(cat "/var/log/xen/console/guest-$1.log" 2>/dev/null |
		   grep -c "waiting for a shutdown request")" -ge "$3" ]; do
		i=$((i + 1))
		[ $i -gt $(($4 * 2)) ] && break
		sleep 0.5
	done
	t0=$(uptime_cs)
	timeout -s KILL 30 xl "$2" -w "$1" >>"/var/log/xen/create-$1.log" 2>&1
	rc=$?
	t1=$(uptime_cs)
	say "xl $2 -w $1: exit $rc after $((t1 - t0))0 ms"
}

shutdown_guest() {	# NAME KERNEL SECONDS EXTRA
	say "begin $1"
	xl_create "$@" &
	ask "$1" reboot 1 "$3"		# on_reboot = "restart": it boots again
	ask "$1" shutdown 2 "$3"
	wait
	end_guest "$1" $?
}

if [ -r /plan ]; then
	. /plan
else
	say "no /plan: nothing to create"
fi
say "all done"
# Xen reboots when dom0 does; QEMU runs with -no-reboot and exits.
reboot -f
