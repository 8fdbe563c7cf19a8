#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# linux.sh: a real Linux 4.1 Guest under lg.ko, for vm-linux-*.test.
#
#   . linux.sh; lg_linux_test FLAVOUR GUEST_KERNEL [SMP CPU]
#
# Boots Debian's FLAVOUR kernel in QEMU (SMP virtual CPUs of model CPU:
# by default -smp 1 -cpu max), loads lg.ko and runs GUEST_KERNEL
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

lg_linux_no_warnings() {
	[ -z "$(lg_host_warnings "$1")" ]
}

# lg_linux_prepare FLAVOUR GUEST_KERNEL HOST_INIT COMMANDS: everything up to a
# bootable host VM in $LG_VM_OUT/<test name> (set as lg_linux_dir): lg.ko
# for FLAVOUR, the Guest's rootfs, and an initramfs whose /init is
# HOST_INIT, with the Guest kernel as /bzImage and COMMANDS (what the
# Guest's shell runs) as /guest-commands.  Skips the test without the Guest
# kernel; on any other failure it reports it and ends the test.
lg_linux_prepare() {
	local flavour=$1 kernel=$2 init=$3 commands=$4 name dir gk
	lg_defaults
	: "${LG_GUEST_KERNELS:=$top_srcdir/../shared/guest-kernels}"
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
	lg_linux_dir=$dir
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
		--init "$init" --module "$dir/lg.ko" \
		--launcher "$LG_LAUNCHER" --extra "$gk:/bzImage" \
		--extra "$dir/guest-rootfs.gz:/guest-rootfs.gz" \
		--extra "$commands:/guest-commands" >"$dir/initrd.log" 2>&1; then
		lg_ok 1 "$flavour: build the initramfs"
		lg_diag <"$dir/initrd.log"
		lg_finish
	fi
}

lg_linux_test() {
	local flavour=$1 kernel=$2 smp=${3:-1} cpu=${4:-max} dir rc
	: "${LG_LINUX_TIMEOUT:=240}"
	lg_linux_prepare "$flavour" "$kernel" "$lg_vm_dir/linux-host-init.sh" \
		"$lg_vm_dir/linux-commands.txt"
	dir=$lg_linux_dir
	echo "# host VM: -smp $smp -cpu $cpu"

	LG_GUEST_TIMEOUT=$LG_LINUX_TIMEOUT
	LG_VM_TIMEOUT=$((LG_LINUX_TIMEOUT + 200))
	rc=0
	lg_boot "$smp" "$cpu" linux "$dir" || rc=$?
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
	lg_check "$flavour: no virtio device needed a reset" lg_linux_no_resets "$dir"
	lg_check "$flavour: no host kernel warnings" lg_linux_no_warnings "$dir"
	if [ "$lg_tap_failed" -ne 0 ]; then
		lg_diag "the whole serial log ($dir/serial.log):"
		lg_text "$dir/serial.log" | lg_diag
	fi
	lg_finish
}
