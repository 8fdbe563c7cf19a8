#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# linux.sh: a real Linux 4.1 Guest under lg.ko, for vm-linux-*.test.
#
#   . linux.sh; lg_linux_test FLAVOUR GUEST_KERNEL
#
# Boots Debian's FLAVOUR kernel in QEMU, loads lg.ko and runs GUEST_KERNEL
# (a bzImage from $LG_GUEST_KERNELS, by default ../shared/guest-kernels
# beside the source tree) with console=hvc0 and a busybox initramfs whose
# shell takes its commands from the Launcher's stdin (linux-commands.txt).
# Uses lib.sh for fetching, building lg.ko, booting and the TAP output.
# Without the guest kernels the test is skipped, and fails when CI=true.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# lg_linux_rootfs OUT: the Guest's own initramfs (busybox and its /init).
lg_linux_rootfs() {
	local stage
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc}
	install -m 0755 "$LG_BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$lg_vm_dir/linux-guest-init.sh" "$stage/init"
	(
		cd "$stage" || exit 1
		find . -mindepth 1 -print0 | LC_ALL=C sort -z |
			cpio --null --create --format=newc --owner=0:0 --quiet
	) | gzip -9n >"$1"
	rm -rf "$stage"
}

# lg_linux_has DIR TEXT: the Guest's output holds a line with TEXT.
lg_linux_has() {
	lg_section linux "$1/results.log" | grep -F -- "$2" >/dev/null
}

# lg_linux_no_resets DIR: no virtio device asked for a reset (virtio_pci.c).
lg_linux_no_resets() {
	! lg_section linux "$1/results.log" | grep -F 'needs a reset' >/dev/null
}

# ---- the disks and the rng (linux-disk-commands.txt, linux-host-init.sh)

# lg_linux_value DIR PREFIX: what follows "PREFIX " on the line of the
# linux section that starts with it (the first word after, for md5sums).
lg_linux_value() {
	lg_section linux "$1/results.log" | sed -n "s/^$2 \([^ ]*\).*/\1/p" | head -n 1
}

# lg_same A B: equal and not empty.
lg_same() {
	[ -n "$1" ] && [ "$1" = "$2" ]
}

lg_linux_hwrng_ok() {
	[[ "$1" =~ ^[0-9a-f]{32}$ ]] && [ "$1" != 00000000000000000000000000000000 ]
}

lg_linux_vdb_refused() {
	[ -n "$1" ] && [ "$1" != 0 ]
}

# lg_linux_check_devices FLAVOUR DIR: the Guest saw both disks as given,
# read what the Host wrote, wrote what the Host then found in the image,
# could not change the read-only one, and read bytes from /dev/hwrng.
lg_linux_check_devices() {
	local flavour=$1 dir=$2 wrote image
	lg_check "$flavour: /dev/vda is 2048 sectors, /dev/vdb 1024 and read-only" \
		lg_linux_has "$dir" "@@GUEST disks 2048 1024 ro=1"
	lg_check "$flavour: /sys/block/vda/serial (GET_ID) is the image's name" \
		lg_linux_has "$dir" "@@GUEST vda-serial vda.img"
	lg_check "$flavour: the Guest reads the sector the Host wrote" lg_same \
		"$(lg_linux_value "$dir" "@@GUEST vda-read")" \
		"$(lg_linux_value "$dir" "@@LG DISK vda-pattern")"
	wrote=$(lg_section linux "$dir/results.log" |
		sed -n 's/^@@GUEST vda-wrote [0-9]* \([0-9a-f]*\).*/\1/p' | head -n 1)
	image=$(lg_linux_value "$dir" "@@LG DISK vda-image")
	lg_check "$flavour: what the Guest wrote and synced is in the image (${wrote:-none} vs ${image:-none})" \
		lg_same "$wrote" "$image"
	lg_check "$flavour: a write to the read-only /dev/vdb fails in the Guest" \
		lg_linux_vdb_refused "$(lg_linux_value "$dir" "@@GUEST vdb-write" | sed 's/^rc=//')"
	lg_check "$flavour: the read-only image is unchanged" lg_same \
		"$(lg_linux_value "$dir" "@@LG DISK vdb-before")" \
		"$(lg_linux_value "$dir" "@@LG DISK vdb-after")"
	lg_check "$flavour: mke2fs, mount, a file and back after a remount: the same md5sum" \
		lg_same "$(lg_linux_value "$dir" "@@GUEST ext2")" "$wrote"
	lg_check "$flavour: the Host finds the file's 64 lines in the ext2 image" \
		lg_is "$(lg_linux_value "$dir" "@@LG DISK vdc-pattern-lines")" 64
	lg_check "$flavour: /dev/hwrng gives 16 bytes" \
		lg_linux_hwrng_ok "$(lg_linux_value "$dir" "@@GUEST hwrng")"
	lg_check "$flavour: the Launcher ran the Guest chrooted, as nobody" \
		lg_linux_dropped "$dir"
	lg_linux_check_net "$flavour" "$dir"
}

# lg_linux_check_net FLAVOUR DIR: --tunnet (linux-net-commands.txt): the
# Guest's eth0 has the MAC we gave, pings the tap's address, and fetches
# 100 MiB over TCP with the checksum the Host served.
lg_linux_check_net() {
	local flavour=$1 dir=$2
	lg_check "$flavour: tun.ko fetched, the Launcher given --tunnet" \
		lg_linux_has "$dir" "tunnet=--tunnet=192.0.2.1:02:4c:47:00:00:01"
	lg_check "$flavour: eth0 has the MAC --tunnet gave" \
		lg_linux_has "$dir" "@@GUEST eth0-mac 02:4c:47:00:00:01"
	lg_check "$flavour: the Guest pings the tap's address 192.0.2.1" \
		lg_linux_has "$dir" "@@GUEST ping rc=0"
	lg_check "$flavour: 100 MiB over TCP (wget), the same md5sum on both ends" lg_same \
		"$(lg_linux_value "$dir" "@@GUEST wget")" \
		"$(lg_linux_value "$dir" "@@LG NET served")"
	lg_section linux "$dir/results.log" |
		sed -n 's/^@@GUEST wget-time \([0-9.]*\) \([0-9.]*\)$/wget: Guest uptime \1 s to \2 s/p' |
		lg_diag
}

# --chroot=/tmp/empty --username=nobody (linux-host-init.sh): said by --verbose.
lg_linux_dropped() {
	lg_linux_has "$1" "lguest: chroot to /tmp/empty" &&
		lg_linux_has "$1" "lguest: running as nobody (uid 65534, gid 65534)"
}

lg_linux_no_warnings() {
	[ -z "$(lg_host_warnings "$1")" ]
}

lg_linux_test() {
	local flavour=$1 kernel=$2 name dir rc gk
	lg_defaults
	: "${LG_GUEST_KERNELS:=$top_srcdir/../shared/guest-kernels}"
	: "${LG_LINUX_TIMEOUT:=240}"
	gk=$LG_GUEST_KERNELS/$kernel
	name=${LG_TEST_NAME:-$(basename "$0" .test)}
	if [ ! -f "$gk" ]; then
		if [ "${CI:-}" = true ]; then
			lg_ok 1 "$flavour: guest kernel $gk exists (set LG_GUEST_KERNELS)"
			lg_finish
		fi
		echo "1..0 # SKIP no guest kernel $gk: set LG_GUEST_KERNELS to a directory" \
			"with $kernel (see ../shared/guest-kernels/README.md: Linux 4.1 with CONFIG_LGUEST_GUEST=y)"
		exit 0
	fi
	dir=$LG_VM_OUT/$name
	mkdir -p "$dir"
	echo "# $name: $flavour host kernel, Linux Guest $gk"
	echo "# output in $dir (serial.log: the console; results.log: init's report)"
	if [ ! -f "$LG_LAUNCHER" ]; then
		lg_ok 1 "$flavour: $LG_LAUNCHER exists (build the tree first: make)"
		lg_finish
	fi
	if ! lg_fetch "$flavour" "$dir/fetch.log"; then
		lg_ok 1 "$flavour: fetch the Debian kernel and busybox"
		tail -n 30 "$dir/fetch.log" | lg_diag
		lg_finish
	fi
	lg_ok 0 "$flavour: fetch Debian kernel $LG_KVER and busybox"
	if ! lg_build_module "$LG_KHEADERS" "$LG_VM_OUT/build-$LG_KVER" "$dir/lg.ko" "$dir/build.log"; then
		lg_ok 1 "$flavour: build lg.ko against $LG_KHEADERS"
		tail -n 40 "$dir/build.log" | lg_diag
		lg_finish
	fi
	lg_ok 0 "$flavour: build lg.ko against $LG_KHEADERS"
	lg_linux_rootfs "$dir/guest-rootfs.gz"
	if ! bash "$lg_vm_dir/mkinitramfs.sh" --output "$dir/initrd.gz" --busybox "$LG_BUSYBOX" \
		--init "$lg_vm_dir/linux-host-init.sh" --module "$dir/lg.ko" \
		--launcher "$LG_LAUNCHER" --extra "$gk:/bzImage" \
		--extra "$dir/guest-rootfs.gz:/guest-rootfs.gz" \
		--extra "$lg_vm_dir/linux-commands.txt:/guest-commands" \
		--extra "$lg_vm_dir/linux-disk-commands.txt:/guest-disk-commands" \
		--extra "$lg_vm_dir/linux-net-commands.txt:/guest-net-commands" \
		${LG_TUN_KO:+--extra "$LG_TUN_KO:/tun.ko"} \
		>"$dir/initrd.log" 2>&1; then
		lg_ok 1 "$flavour: build the initramfs"
		lg_diag <"$dir/initrd.log"
		lg_finish
	fi

	LG_GUEST_TIMEOUT=$LG_LINUX_TIMEOUT
	LG_VM_TIMEOUT=$((LG_LINUX_TIMEOUT + 200))
	rc=0
	lg_boot 1 max linux "$dir" || rc=$?
	touch "$dir/serial.log" "$dir/results.log"
	lg_check "$flavour: QEMU exit status 0 within ${LG_VM_TIMEOUT}s (was $rc)" lg_is "$rc" 0
	lg_check "$flavour: insmod lg" lg_is "$(lg_rc insmod "$dir/results.log")" 0
	lg_check "$flavour: the Launcher exits 0 (the Guest powered off)" \
		lg_is "$(lg_rc linux "$dir/results.log")" 0
	lg_check "$flavour: the Guest's early console prints its banner" \
		lg_linux_has "$dir" "Linux version 4.1"
	lg_check "$flavour: virtio_pci binds the console" \
		lg_linux_has "$dir" "virtio-pci 0000:00:01.0: enabling device"
	lg_check "$flavour: the Guest reaches /init on hvc0" lg_linux_has "$dir" "@@GUEST init running"
	lg_check "$flavour: a shell on hvc0 runs commands from the Launcher's stdin" \
		lg_linux_has "$dir" "@@GUEST shell on /dev/hvc0"
	lg_check "$flavour: uname -a in the Guest" lg_linux_has "$dir" "Linux (none) 4.1"
	lg_check "$flavour: /proc/meminfo in the Guest" lg_linux_has "$dir" "MemTotal:"
	lg_linux_check_devices "$flavour" "$dir"
	lg_check "$flavour: no virtio device needed a reset" lg_linux_no_resets "$dir"
	lg_check "$flavour: no host kernel warnings" lg_linux_no_warnings "$dir"
	if [ "$lg_tap_failed" -ne 0 ]; then
		lg_diag "the whole serial log ($dir/serial.log):"
		lg_text "$dir/serial.log" | lg_diag
	fi
	lg_finish
}
