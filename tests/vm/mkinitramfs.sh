#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh: pack the initramfs the VM tests boot (a gzip'd newc cpio).
#
#   mkinitramfs.sh --output initrd.gz --busybox BUSYBOX --init init.sh
#                  [--module lg.ko] [--launcher lguest] [--guest guest.elf]
#                  [--devtest devtest] [--extra SRC:/DEST]...
#
# The image holds:
#   /bin/busybox, /bin/sh      static i386 busybox; /init installs the other
#                              applet links when it starts
#   /init                      init.sh
#   /lg.ko /lguest /guest.elf /devtest   the files given
#   DEST                       each --extra file (e.g. both test Guests)
#   /dev/console               when we may create device nodes (the kernel's
#                              built-in initramfs has one anyway)
# Files are owned by root and listed in sorted order.
set -euo pipefail

usage() {
	sed -n '4,8p' "$0" >&2
	exit 2
}

out='' busybox='' init=''
files=()
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--output) out=$2 ;;
	--busybox) busybox=$2 ;;
	--init) init=$2 ;;
	--module) files+=("$2:/lg.ko") ;;
	--launcher) files+=("$2:/lguest") ;;
	--guest) files+=("$2:/guest.elf") ;;
	--devtest) files+=("$2:/devtest") ;;
	--extra) files+=("$2") ;;
	*) usage ;;
	esac
	shift 2
done
if [ -z "$out" ] || [ -z "$busybox" ] || [ -z "$init" ]; then
	usage
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root}
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$init" "$stage/init"
for f in "${files[@]}"; do
	src=${f%%:*}
	dest=${f#*:}
	if [ ! -f "$src" ]; then
		echo "mkinitramfs: $src: no such file" >&2
		exit 1
	fi
	mkdir -p "$stage$(dirname "$dest")"
	install -m 0755 "$src" "$stage$dest"
done
# Only root can make the node; without it the kernel's own /dev/console
# (from its built-in initramfs) is there all the same.
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true

mkdir -p "$(dirname "$out")"
(
	cd "$stage"
	find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --quiet
) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
