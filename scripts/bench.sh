#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [FLAVOUR...]: make bench.  For each Debian host flavour (default
# 686 and 686-pae) one QEMU boot (tests/vm/lib.sh's machinery, with
# tests/bench/bench-init.sh as /init) runs, in this order:
#   native  tests/bench/native.c on the Host kernel
#   guest   the conformance Guest's primitives (tests/guest/bench.c) under lg.ko
#   linux   the same native program inside a real Linux 4.1 Guest
#           ($LG_GUEST_KERNELS, default ../shared/guest-kernels)
# and prints a table per flavour: what, guest cycles, native cycles, ratio,
# with lg.ko's exit counters (--stats) of each Guest run.  Only ratios of one
# boot mean anything: under QEMU's emulator absolute cycles do not.
#
# BENCH=NAME runs one entry (a native.c or bench.c name).  LG_MODULE_ARGS
# are lg.ko's parameters in that boot (say fast_page_faults=0, for a
# "before" of the Switcher's page-fault fast path).  Results go to
# $BENCH_OUT (default bench-results/): <flavour>.md, <flavour>.csv, the raw
# results-<flavour>.log, and ratios.png drawn by gnuplot, which is make
# bench's own dependency (not the test suite's): as root we install
# gnuplot-nox when it is missing, otherwise the chart is left out.
# LG_CACHE, QEMU, I386_CC as for tests/vm.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
# shellcheck source-path=SCRIPTDIR source=../tests/vm/lib.sh
. "$top_srcdir/tests/vm/lib.sh"
# shellcheck source-path=SCRIPTDIR source=bench-lib.sh
. "$here/bench-lib.sh"
lg_defaults
: "${LG_GUEST_KERNELS:=$top_srcdir/../shared/guest-kernels}"
: "${BENCH_OUT:=$top_builddir/bench-results}"
: "${BENCH:=}"
: "${LG_BENCH_TIMEOUT:=900}"
flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(686 686-pae)

mkdir -p "$BENCH_OUT"
start=$(date +%s)

die() {
	echo "bench: $*" >&2
	exit 1
}

for f in "$LG_LAUNCHER" "$LG_GUEST" "$LG_GUEST_PAE"; do
	[ -f "$f" ] || die "$f is missing: build the tree first (./configure && make)"
done
if [ -n "$BENCH" ] && ! bench_known "$BENCH"; then
	die "unknown BENCH=$BENCH: one of $(bench_names | xargs)"
fi
if ! command -v gnuplot >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "== installing gnuplot-nox for the chart"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >"$BENCH_OUT/apt.log" 2>&1 ||
		echo "(apt-get install gnuplot-nox failed, see $BENCH_OUT/apt.log: no chart)"
fi
command -v "$QEMU" >/dev/null || die "$QEMU is not installed: apt-get install qemu-system-x86"

# bench_guest_kernel FLAVOUR: the Linux Guest kernel of the Host's paging.
bench_guest_kernel() {
	case "$1" in
	686-pae | rt-686-pae) echo "$LG_GUEST_KERNELS/bzImage-4.1.18-lguest-pae" ;;
	*) echo "$LG_GUEST_KERNELS/bzImage-4.1.18-lguest" ;;
	esac
}

# bench_rootfs DIR: the Linux Guest's initramfs, DIR/guest-rootfs.gz:
# busybox, linux-guest-init.sh as /init (a shell on hvc0 reading the
# Launcher's stdin) and /bin/native.
bench_rootfs() {
	local dir=$1 stage
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp}
	install -m 0755 "$LG_BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$top_srcdir/tests/vm/linux-guest-init.sh" "$stage/init"
	install -m 0755 "$dir/native" "$stage/bin/native"
	(
		cd "$stage" || exit 1
		find . -mindepth 1 -print0 | LC_ALL=C sort -z |
			cpio --null --create --format=newc --owner=0:0 --quiet
	) | gzip -9n >"$dir/guest-rootfs.gz"
	rm -rf "$stage"
}

# bench_prepare FLAVOUR DIR: lg.ko, native, both initramfs images in DIR.
bench_prepare() {
	local flavour=$1 dir=$2 cc gk native_only=''
	read -ra cc <<<"$I386_CC"
	lg_fetch "$flavour" "$dir/fetch.log" ||
		die "fetching the $flavour kernel failed: see $dir/fetch.log"
	lg_build_module "$LG_KHEADERS" "$LG_VM_OUT/build-$LG_KVER" "$dir/lg.ko" "$dir/build.log" ||
		die "building lg.ko for $LG_KVER failed: see $dir/build.log"
	"${cc[@]}" -static -O2 -Wall -Wextra -Werror -pthread -o "$dir/native" \
		"$top_srcdir/tests/bench/native.c" >"$dir/native.log" 2>&1 ||
		die "building tests/bench/native.c failed: see $dir/native.log"
	gk=$(bench_guest_kernel "$flavour")
	[ -f "$gk" ] || die "no Linux Guest kernel $gk: set LG_GUEST_KERNELS"
	bench_rootfs "$dir"
	if [ -n "$BENCH" ] && "$dir/native" --list | grep -qx "$BENCH"; then
		native_only=$BENCH
	fi
	# eth0 faces the Host's tap (192.0.2.1, bench-init.sh) when it has one.
	{
		echo 'busybox ifconfig eth0 192.0.2.2 netmask 255.255.255.0 up'
		echo "NATIVE_DISK=/dev/vda NATIVE_TMP=/tmp NATIVE_TCP=192.0.2.1:5001 /bin/native $native_only"
		echo 'poweroff -f'
	} >"$dir/guest-commands"
	bash "$lg_vm_dir/mkinitramfs.sh" --output "$dir/initrd.gz" --busybox "$LG_BUSYBOX" \
		--init "$top_srcdir/tests/bench/bench-init.sh" --module "$dir/lg.ko" \
		--launcher "$LG_LAUNCHER" --guest "$(lg_guest_for "$flavour")" \
		--extra "$dir/native:/native" --extra "$gk:/bzImage" \
		--extra "$dir/guest-rootfs.gz:/guest-rootfs.gz" \
		--extra "$dir/guest-commands:/guest-commands" \
		${LG_TUN_KO:+--extra "$LG_TUN_KO:/tun.ko"} >"$dir/initrd.log" 2>&1 ||
		die "building the initramfs failed: see $dir/initrd.log"
}

# bench_boot DIR: one boot; init's results in DIR/results.log.
bench_boot() {
	local dir=$1 rc=0
	rm -f "$dir/serial.log" "$dir/results.log"
	timeout -k 10 "$LG_BENCH_TIMEOUT" "$QEMU" -nographic -no-reboot -nic none \
		-m 512 -smp 1 -cpu max -monitor none \
		-serial "file:$dir/serial.log" -serial "file:$dir/results.log" \
		-kernel "$LG_VMLINUZ" -initrd "$dir/initrd.gz" \
		-append "console=ttyS0 panic=-1 lgres=ttyS1 lgtimeout=$((LG_BENCH_TIMEOUT - 60))${BENCH:+ lgbench=$BENCH}${LG_MODULE_ARGS:+ lgmodargs=${LG_MODULE_ARGS// /,}}" \
		</dev/null >"$dir/qemu.log" 2>&1 || rc=$?
	return "$rc"
}

status=0
for flavour in "${flavours[@]}"; do
	dir=$LG_VM_OUT/bench-$flavour
	mkdir -p "$dir"
	echo "== $flavour: building (output in $dir)"
	bench_prepare "$flavour" "$dir"
	echo "== $flavour: booting Debian $LG_KVER in QEMU (the native twins, the test Guest, a Linux 4.1 Guest)"
	t0=$(date +%s)
	rc=0
	bench_boot "$dir" || rc=$?
	tr -d '\r' <"$dir/results.log" >"$BENCH_OUT/results-$flavour.log"
	if [ "$rc" != 0 ] || ! grep -q '^@@LG END bench rc=0' "$BENCH_OUT/results-$flavour.log"; then
		echo "bench: the $flavour VM did not finish (QEMU status $rc): see $dir/serial.log" >&2
		status=1
	fi
	bench_report "$flavour" "$BENCH_OUT/results-$flavour.log" "$BENCH_OUT"
	echo "(VM run: $(($(date +%s) - t0)) s)"
	echo
done
bench_chart "$BENCH_OUT" "${flavours[@]}"
echo "make bench: $(($(date +%s) - start)) s in all; results in $BENCH_OUT"
exit "$status"
