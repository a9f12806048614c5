#!/bin/sh
# hv/check-image.sh IMAGE - the multiboot a.out-kludge header must sit in
# the first 8 KiB of the file, and the one PT_LOAD must be laid out in the
# file exactly as it is in memory (the loader copies file bytes blindly).
set -eu
img=$1
off=$(od -A d -t x4 -w4 -v -N 8192 "$img" | awk '$2 == "1badb002" { print $1; exit }')
[ -n "$off" ] || { echo "check-image: no multiboot header in the first 8 KiB of $img" >&2; exit 1; }
n=$(readelf -lW "$img" | grep -c ' LOAD ')
[ "$n" = 1 ] || { echo "check-image: $img has $n PT_LOAD segments, want 1" >&2; exit 1; }
