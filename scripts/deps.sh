#!/usr/bin/env bash
# scripts/deps.sh - make this machine ready to build and run pventry.
#
# Usage: scripts/deps.sh [BUILD_DIR]
#
# Checks for every tool and package the build and the runner need.  As root
# it installs what is missing from Debian's archive (QEMU 10 from the
# bookworm-backports suite, derived from this machine's own apt source);
# otherwise it prints exactly what to install and fails.  It then caches
# Xen 4.17 (Debian's xen-hypervisor-4.17-amd64, unpacked to a multiboot ELF)
# as BUILD_DIR/xen/xen-4.17.elf, and a Linux dom0 that runs xl from Debian's
# packages as BUILD_DIR/dom0/ (scripts/mkdom0.sh).  Idempotent: a ready
# machine costs a second.
set -eu

build=${1:-build}
need_pkgs=()
qemu_min_major=10

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

qemu_major() {
	command -v qemu-system-x86_64 >/dev/null || { echo 0; return; }
	qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1
}

for p in gcc make binutils libxen-dev kconfig-frontends-nox python3 cpio; do
	have_pkg "$p" || need_pkgs+=("$p")
done
# 32-bit compat user programs are built with gcc -m32.
have_pkg gcc-multilib || need_pkgs+=(gcc-multilib)
# scripts/run-bochs.sh boots from a GRUB rescue ISO (FRED runs in Bochs).
for p in grub-common grub-pc-bin xorriso mtools; do
	have_pkg "$p" || need_pkgs+=("$p")
done
need_qemu=0
[ "$(qemu_major)" -ge "$qemu_min_major" ] || need_qemu=1

# The backports suite sits next to the machine's own Debian source: same
# mirror, same keyring, suite "<codename>-backports".
add_backports() {
	local codename src uri key
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	if grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	src=$(grep -ls '^URIs:.*debian/*$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
	if [ -n "$src" ]; then
		uri=$(sed -n 's/^URIs:[[:space:]]*//p' "$src" | head -1)
		key=$(sed -n 's/^Signed-By:[[:space:]]*//p' "$src" | head -1)
		{
			echo "Types: deb"
			echo "URIs: $uri"
			echo "Suites: ${codename}-backports"
			echo "Components: main"
			[ -n "$key" ] && echo "Signed-By: $key"
		} > /etc/apt/sources.list.d/pventry-backports.sources
	else
		uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
		[ -n "$uri" ] || { echo "deps: cannot find this machine's Debian apt source" >&2; exit 1; }
		echo "deb $uri ${codename}-backports main" > /etc/apt/sources.list.d/pventry-backports.list
	fi
	echo "deps: added ${codename}-backports next to $uri"
}

if [ ${#need_pkgs[@]} -gt 0 ] || [ $need_qemu = 1 ]; then
	if [ "$(id -u)" = 0 ]; then
		export DEBIAN_FRONTEND=noninteractive
		[ $need_qemu = 1 ] && add_backports
		apt-get update -qq
		[ ${#need_pkgs[@]} -gt 0 ] && apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
		if [ $need_qemu = 1 ]; then
			codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
			apt-get install -y -qq --no-install-recommends -t "${codename}-backports" \
				qemu-system-x86 >/dev/null
		fi
		[ "$(qemu_major)" -ge "$qemu_min_major" ] || {
			echo "deps: qemu-system-x86_64 is still older than $qemu_min_major" >&2; exit 1; }
	else
		echo "deps: missing, and not root so not installing:" >&2
		[ ${#need_pkgs[@]} -gt 0 ] && echo "  apt-get install ${need_pkgs[*]}" >&2
		[ $need_qemu = 1 ] && echo "  apt-get install -t bookworm-backports qemu-system-x86   (QEMU >= $qemu_min_major;" \
			"add the bookworm-backports suite of your Debian mirror first)" >&2
		exit 1
	fi
fi

# Xen 4.17, Debian's build, as a multiboot ELF QEMU can load with -kernel.
xen="$build/xen/xen-4.17.elf"
if [ ! -s "$xen" ]; then
	mkdir -p "$build/xen"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq xen-hypervisor-4.17-amd64) || {
		echo "deps: apt-get download xen-hypervisor-4.17-amd64 failed (run apt-get update?)" >&2; exit 1; }
	dpkg-deb -x "$tmp"/xen-hypervisor-4.17-amd64_*.deb "$tmp/x"
	zcat "$tmp"/x/boot/xen-4.17-amd64.gz > "$xen.tmp"
	mv "$xen.tmp" "$xen"
	echo "deps: cached $xen"
fi

# A Linux dom0 with Xen 4.17's xl, for the kernel as a domU (make check).
"$(dirname "$0")/mkdom0.sh" "$build"
