#!/usr/bin/env bash
# scripts/mkdom0.sh BUILD_DIR - a Linux dom0 for Xen 4.17 that runs `xl`.
#
# The kernel as a domU is created by the real toolstack: Debian's Linux
# (linux-image-amd64, built with PV dom0 support) runs as Xen's dom0 from
# an initramfs holding busybox, Debian's xen-utils-4.17 (xl, xenstored,
# xenconsoled, xen-init-dom0), the shared libraries they load, the five Xen
# driver modules Debian does not build in, and scripts/dom0-init.sh as its
# /init.  Everything comes from this machine's apt sources (apt-get
# download + dpkg-deb -x), nothing is installed.
#
# Writes BUILD_DIR/dom0/vmlinuz and BUILD_DIR/dom0/initrd.img; a second run
# with both present and newer than this script and the init costs nothing.
# selftests/runner.py --xl appends a cpio archive to initrd.img naming what
# dom0 is to create (see scripts/dom0-init.sh).
set -eu

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/dom0
init=$top/scripts/dom0-init.sh

if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] &&
   [ "$out/initrd.img" -nt "$0" ] && [ "$out/initrd.img" -nt "$init" ]; then
	exit 0
fi

for tool in apt-get apt-cache dpkg-deb cpio gzip readelf; do
	command -v $tool >/dev/null || { echo "mkdom0: $tool not found (run scripts/deps.sh)" >&2; exit 1; }
done

# The version of Linux behind the linux-image-amd64 metapackage.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
[ -n "$kpkg" ] || { echo "mkdom0: apt knows no linux-image-amd64 (run apt-get update?)" >&2; exit 1; }

# What dom0 runs, and every package a library of theirs comes from.
pkgs=(
	"$kpkg" busybox-static xen-utils-4.17
	libxenmisc4.17 libxenstore4 libxencall1 libxendevicemodel1 libxenevtchn1
	libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxentoolcore1 libxentoollog1
	libyajl2 libc6 libgcc-s1 libuuid1 zlib1g liblzma5 libzstd1
)
xen_bin=usr/lib/xen-4.17/bin
progs=(xl xenstored xenconsoled xen-init-dom0)
modules=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs)	# xenfs needs privcmd: in order

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs" "$tmp/x" "$tmp/root"
# apt's sandbox user must be able to write the download directory.
chmod 755 "$tmp" && chmod 777 "$tmp/debs"
(cd "$tmp/debs" && apt-get download -qq "${pkgs[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for p in "${pkgs[@]}"; do
	ls "$tmp/debs/${p}_"*.deb >/dev/null 2>&1 || {
		echo "mkdom0: apt-get download $p failed (run apt-get update?)" >&2; exit 1; }
done
for d in "$tmp"/debs/*.deb; do dpkg-deb -x "$d" "$tmp/x"; done

x=$tmp/x r=$tmp/root
mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,etc/xen,lib64,lib/x86_64-linux-gnu,lib/modules,guest} \
	"$r"/var/{lib/xen,lib/xenstored,log/xen/console,run/xen,run/xenstored} "$r/$xen_bin" "$r/usr/sbin"

cp "$x/bin/busybox" "$r/bin/busybox"
for applet in $("$r/bin/busybox" --list); do
	[ -e "$r/bin/$applet" ] || ln -s busybox "$r/bin/$applet"
done

for p in "${progs[@]}"; do
	cp "$x/$xen_bin/$p" "$r/$xen_bin/$p"
	ln -sf "/$xen_bin/$p" "$r/usr/sbin/$p"
done

# The shared libraries, NEEDED by NEEDED, from the unpacked packages.
libdirs=("$x/lib/x86_64-linux-gnu" "$x/usr/lib/x86_64-linux-gnu")
declare -A copied=()
queue=("${progs[@]/#/$r/$xen_bin/}")
while [ ${#queue[@]} -gt 0 ]; do
	elf=${queue[0]} queue=("${queue[@]:1}")
	for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -n "${copied[$lib]:-}" ] && continue
		found=
		for d in "${libdirs[@]}"; do
			[ -e "$d/$lib" ] && { found=$d/$lib; break; }
		done
		[ -n "$found" ] || { echo "mkdom0: $lib (needed by ${elf##*/}) is in none of the packages" >&2; exit 1; }
		cp -L "$found" "$r/lib/x86_64-linux-gnu/$lib"
		copied[$lib]=1
		queue+=("$r/lib/x86_64-linux-gnu/$lib")
	done
done
cp -L "$x/lib64/ld-linux-x86-64.so.2" "$r/lib64/"
# glibc loads libgcc_s at run time (pthread_cancel unwinds through it):
# xl aborts without it.
cp -L "$x/lib/x86_64-linux-gnu/libgcc_s.so.1" "$r/lib/x86_64-linux-gnu/"

kver=${kpkg#linux-image-}
for m in "${modules[@]}"; do
	f=$(find "$x/lib/modules/$kver/kernel/drivers/xen" -name "$m.ko*" | head -1)
	[ -n "$f" ] || { echo "mkdom0: module $m not in $kpkg" >&2; exit 1; }
	cp "$f" "$r/lib/modules/"
done

cp "$init" "$r/init"
chmod 755 "$r/init"
echo "root:x:0:0:root:/:/bin/sh" > "$r/etc/passwd"
: > "$r/etc/xen/xl.conf"	# xl reads it; the defaults are what we want

mkdir -p "$out"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6) > "$out/initrd.img.tmp"
cp "$x/boot/vmlinuz-$kver" "$out/vmlinuz"
mv "$out/initrd.img.tmp" "$out/initrd.img"
echo "mkdom0: $out/vmlinuz (Linux $kver) and $out/initrd.img ($(du -k "$out/initrd.img" | cut -f1) KiB)"
