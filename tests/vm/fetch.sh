#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh FLAVOUR   (FLAVOUR is 686, 686-pae or rt-686-pae)
#
# Puts what a VM test of one Debian 12 i386 kernel flavour needs into the
# cache directory $LG_CACHE, and makes sure the matching kernel headers are
# installed:
#   - the kernel image (only its boot/ directory: vmlinuz, config, System.map),
#   - linux-headers-<version>-FLAVOUR:i386 (installed through apt if missing),
#   - busybox-static:i386 (bin/busybox).
# The kernel version is never written down here: we ask apt which ABI the
# linux-image-FLAVOUR:i386 meta-package currently points at.
#
# Everything is keyed by package version, so a run with the files already in
# place downloads nothing.  Tests run in parallel, so all the work happens
# under an exclusive lock on $LG_CACHE/fetch.lock.
#
# On success it prints, on stdout, lines of the form NAME=VALUE:
#   LG_KVER      kernel release, e.g. 6.1.0-N-686-pae
#   LG_VMLINUZ   path of the kernel image
#   LG_KHEADERS  path of the kernel build tree (headers)
#   LG_BUSYBOX   path of the static i386 busybox
# Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

flavour=${1:-}
case "$flavour" in
686 | 686-pae | rt-686-pae) ;;
*)
	echo "fetch.sh: unknown flavour '$flavour': use 686, 686-pae or rt-686-pae" >&2
	exit 2
	;;
esac

lg_defaults
mkdir -p "$LG_CACHE"

# Run apt quietly, waiting for a dpkg lock another process may hold, and
# without the "_apt" sandbox user (which cannot write into our cache).
apt_opts=(-q -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)

updated=no
apt_update_once() {
	if [ "$updated" = no ]; then
		echo "fetch: apt-get update" >&2
		apt-get "${apt_opts[@]}" update >&2
		updated=yes
	fi
}

ensure_i386_arch() {
	if ! dpkg --print-foreign-architectures | grep -qx i386; then
		echo "fetch: dpkg --add-architecture i386" >&2
		dpkg --add-architecture i386
		updated=no
		apt_update_once
	fi
}

# The kernel ABI version (6.1.0-N) the meta-package depends on, or nothing.
abi_version() {
	apt-cache depends "linux-image-$flavour:i386" 2>/dev/null |
		sed -n "s/.*Depends: linux-image-\\([0-9.]*-[0-9]*\\)-$flavour:i386\$/\\1/p" |
		head -n 1
}

# The candidate version of a package, or nothing.
candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '^(none)$' || true
}

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# download_extract PACKAGE VERSION DEST [MEMBER...]: apt-get download the
# package into a scratch directory, unpack it (or only the listed members)
# into DEST.  DEST appears complete or not at all.
download_extract() {
	local pkg=$1 ver=$2 dest=$3 tmp deb
	shift 3
	tmp=$(mktemp -d "$LG_CACHE/.dl.XXXXXX")
	echo "fetch: downloading $pkg=$ver" >&2
	if ! (cd "$tmp" && apt-get "${apt_opts[@]}" download "$pkg=$ver" >&2); then
		rm -rf "$tmp"
		return 1
	fi
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	mkdir "$tmp/root"
	if [ $# -gt 0 ]; then
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" --wildcards "$@"
	else
		dpkg -x "$deb" "$tmp/root"
	fi
	rm -rf "$dest"
	mv "$tmp/root" "$dest"
	rm -rf "$tmp"
}

fetch_all() {
	local abi kver img img_ver img_dir hdr bb_ver bb_dir vmlinuz tun_dir tun_ko

	ensure_i386_arch
	abi=$(abi_version)
	if [ -z "$abi" ]; then
		apt_update_once
		abi=$(abi_version)
	fi
	if [ -z "$abi" ]; then
		echo "fetch: apt knows no linux-image-$flavour:i386 (is i386 enabled?)" >&2
		return 1
	fi
	kver=$abi-$flavour
	img=linux-image-$kver:i386
	hdr=linux-headers-$kver:i386

	# The headers must match the image exactly: install them if missing.
	if ! pkg_installed "$hdr"; then
		apt_update_once
		echo "fetch: installing $hdr" >&2
		DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y "$hdr" >&2
	fi

	img_ver=$(candidate "$img")
	if [ -z "$img_ver" ]; then
		echo "fetch: no installable version of $img" >&2
		return 1
	fi
	img_dir=$LG_CACHE/linux-image-${kver}_$img_ver
	if [ ! -d "$img_dir" ]; then
		if ! download_extract "$img" "$img_ver" "$img_dir" './boot/*'; then
			# Stale package lists name a version the mirror no longer has.
			apt_update_once
			img_ver=$(candidate "$img")
			img_dir=$LG_CACHE/linux-image-${kver}_$img_ver
			[ -d "$img_dir" ] ||
				download_extract "$img" "$img_ver" "$img_dir" './boot/*'
		fi
	fi
	vmlinuz=$img_dir/boot/vmlinuz-$kver

	# tun.ko from the same package, for the Linux Guest's network card
	# (linux.sh), in a directory of its own: caches made before it keep
	# their boot/ and only fetch this.  Missing, that test fails; nothing
	# else needs it.
	tun_dir=$LG_CACHE/linux-tun-${kver}_$img_ver
	if [ ! -d "$tun_dir" ]; then
		download_extract "$img" "$img_ver" "$tun_dir" \
			'./lib/modules/*/kernel/drivers/net/tun.ko' || true
	fi
	tun_ko=$(find "$tun_dir" -name tun.ko 2>/dev/null | head -n 1)

	bb_ver=$(candidate busybox-static:i386)
	if [ -z "$bb_ver" ]; then
		apt_update_once
		bb_ver=$(candidate busybox-static:i386)
	fi
	bb_dir=$LG_CACHE/busybox-static_${bb_ver//:/_}
	if [ ! -d "$bb_dir" ]; then
		if ! download_extract busybox-static:i386 "$bb_ver" "$bb_dir"; then
			apt_update_once
			bb_ver=$(candidate busybox-static:i386)
			bb_dir=$LG_CACHE/busybox-static_${bb_ver//:/_}
			[ -d "$bb_dir" ] || download_extract busybox-static:i386 "$bb_ver" "$bb_dir"
		fi
	fi

	for f in "$vmlinuz" "$bb_dir/bin/busybox" "/usr/src/linux-headers-$kver/Makefile"; do
		if [ ! -f "$f" ]; then
			echo "fetch: expected $f, it is missing" >&2
			return 1
		fi
	done
	echo "LG_KVER=$kver"
	echo "LG_VMLINUZ=$vmlinuz"
	echo "LG_KHEADERS=/usr/src/linux-headers-$kver"
	echo "LG_BUSYBOX=$bb_dir/bin/busybox"
	echo "LG_TUN_KO=$tun_ko"
}

exec 9>"$LG_CACHE/fetch.lock"
flock 9
fetch_all
