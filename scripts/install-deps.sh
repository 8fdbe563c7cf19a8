#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/install-deps.sh: install what building and testing lguest needs on
# Debian 12, as root.  The one place that knows the package list: .ci/run
# (through scripts/test-all.sh) and scripts/demo.sh both call it.
#
# On amd64 it enables the i386 architecture, because lg.ko is built against
# Debian's i386 kernel headers (686, 686-pae and rt-686-pae, all installed:
# the VM tests boot all three flavours) and the Launcher and test Guests for
# the VMs are built with gcc -m32 (gcc-multilib).  Nothing is done when everything is already
# installed, so running it again costs a second.
#
# Recommended packages are left out (--no-install-recommends): no test
# needs one (qemu's GUI, OVMF, qemu-utils and block drivers, dkms's sudo,
# dpkg-dev's gnupg, clang's llvm-14-dev), and with them a fresh machine
# would download twice as much.  Whatever is needed is named below.
set -euo pipefail

# The packages, apart from the kernel headers.
lg_packages=(
	build-essential		# gcc, make, libc6-dev; libasan/libubsan for the unit tests
	clang-14 libclang-rt-14-dev # the libFuzzer targets (the runtime is only a
				#  Recommends of clang on Debian 12)
	autoconf automake	# ./autogen.sh
	gcc-multilib		# gcc -m32 -static: launcher/lguest.i386, the test Guests
	qemu-system-x86		# qemu-system-i386 for the VM tests
	cpio gzip kmod		# the VM tests' initramfs and modinfo
	shellcheck		# make check lints the shell scripts
	debhelper dh-dkms dkms	# tests/pkg/packages.test: build and install the debs,
	dpkg-dev fakeroot lintian #  check them with lintian,
	rpm rpmlint		#  and build and lint the rpms
	python3			# tests/vm/nmi-inject.py talks to QEMU's monitor
)
# Metapackages that name the current i386 kernel headers of each flavour
# (and, on amd64, the machine's own: the packaging test checks that DKMS
# skips that kernel, and configure's tests that it refuses it).
lg_header_metas=(linux-headers-686:i386 linux-headers-686-pae:i386 linux-headers-rt-686-pae:i386)

say() { echo "install-deps: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	say "must run as root (try: sudo $0)"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# apt_update: apt-get update, tolerating a broken secondary index.  Mirrors
# of security.debian.org sometimes serve an index of the wrong size; we retry
# once and then go on, as long as the main archive's index (which has all we
# need) is there.
apt_update() {
	local try
	for try in 1 2; do
		if apt-get update; then
			return 0
		fi
		say "apt-get update failed (try $try)"
		sleep 3
	done
	if apt-cache show --no-all-versions build-essential >/dev/null 2>&1 &&
	    apt-cache show --no-all-versions linux-headers-686-pae:i386 >/dev/null 2>&1; then
		say "continuing: the main index is present"
		return 0
	fi
	say "no usable package index; check /etc/apt/sources.list"
	return 1
}

# header_packages: the versioned header packages the metapackages point to
# (for example linux-headers-6.1.0-50-686-pae:i386).
header_packages() {
	local meta pkg
	for meta in "${lg_header_metas[@]}"; do
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
		    awk '$1 == "Depends:" && $2 ~ /^linux-headers-/ { print $2; exit }')
		if [ -z "$pkg" ]; then
			say "apt-cache knows no $meta"
			return 1
		fi
		echo "$pkg"
	done
}

# missing PKG...: print the packages that are not installed.
missing() {
	local p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
			echo "$p"
		fi
	done
}

arch=$(dpkg --print-architecture)
if [ "$arch" = amd64 ]; then
	lg_header_metas+=(linux-headers-amd64)
fi
updated=no
if [ "$arch" = amd64 ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
	say "dpkg --add-architecture i386"
	dpkg --add-architecture i386
	apt_update
	updated=yes
elif [ "$arch" != amd64 ] && [ "$arch" != i386 ]; then
	say "this is $arch; lguest builds on amd64 and i386 only"
	exit 1
fi

# resolve_headers: fill the array "headers"; fails if apt knows none.
resolve_headers() {
	local text
	text=$(header_packages) || return 1
	mapfile -t headers <<<"$text"
}

if ! resolve_headers; then
	if [ "$updated" = yes ]; then
		exit 1
	fi
	apt_update
	updated=yes
	resolve_headers
fi

mapfile -t todo < <(missing "${lg_packages[@]}" "${headers[@]}")
if [ "${#todo[@]}" -eq 0 ]; then
	say "everything is installed (headers: ${headers[*]})"
	exit 0
fi

# Something is missing: refresh the index first, so that we install the
# versions the archive has now, then resolve the headers again.
if [ "$updated" = no ]; then
	apt_update
	resolve_headers
fi
say "installing: ${todo[*]}"
apt-get install -y --no-install-recommends "${lg_packages[@]}" "${headers[@]}"
say "done (headers: ${headers[*]})"
