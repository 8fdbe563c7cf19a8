#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [FLAVOUR [SMP [CPU]]]
#
# The main job, to watch: boot Debian 12's i386 kernel in QEMU, load our
# lg.ko in it, and run the bundled test Guest under it, its console live on
# this terminal.  Defaults: 686-pae, 2 CPUs, -cpu max with an Intel vendor
# string (so the host kernel runs with page-table isolation; see
# vm-686pae-smp2.test).
#
# It expects a built tree (`make`: the static Launcher and the test Guests);
# what it needs besides (the Debian kernel, busybox, the kernel headers, and
# lg.ko built for that kernel) it fetches and builds as the VM tests do.
# The console is also saved in $LG_VM_OUT/demo/serial.log.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
lg_defaults

flavour=${1:-686-pae}
smp=${2:-2}
cpu=${3:-max,vendor=GenuineIntel}
dir=$LG_VM_OUT/demo
mkdir -p "$dir"

echo "lguest demo: Debian $flavour kernel, -smp $smp -cpu $cpu (files in $dir)"
if ! lg_prepare "$flavour" "$dir"; then
	echo "demo: could not prepare the VM (see above)" >&2
	exit 1
fi
echo "booting $LG_VMLINUZ (QEMU without KVM: give it a few seconds)"
echo

# The terminal is left as we found it.  QEMU -nographic makes it raw and
# undoes that when it exits, but not when timeout has to kill it, so we
# keep its settings and put them back on every way out.  And the firmware
# and the kernel's early boot write ESC c (reset), ESC [2J (clear the
# screen) and ESC [?7l (line wrap off) on the serial line, which would
# reach our terminal: lg_console_filter (lib.sh) drops those three.
tty_saved=
if [ -t 0 ]; then
	tty_saved=$(stty -g 2>/dev/null || true)
fi
restore_tty() {
	if [ -n "$tty_saved" ]; then
		stty "$tty_saved" 2>/dev/null || true
	fi
}
trap restore_tty EXIT

# Kernel messages up to warnings stay visible (loglevel=5), the chatter of
# a normal boot does not.  --foreground: QEMU must stay in the terminal's
# foreground process group, or its first tcsetattr() stops it (SIGTTOU).
rc=0
timeout --foreground -k 10 "$LG_VM_TIMEOUT" "$QEMU" -nographic -no-reboot -nic none \
	-m 512 -smp "$smp" -cpu "$cpu" \
	-kernel "$LG_VMLINUZ" -initrd "$dir/initrd.gz" \
	-append "console=ttyS0 panic=-1 loglevel=5 lgtest=demo" |
	lg_console_filter | tee "$dir/serial.log" || rc=$?
restore_tty
echo
if [ "$rc" -ne 0 ]; then
	echo "demo: QEMU exited with status $rc" >&2
	exit "$rc"
fi
if tr -d '\r' <"$dir/serial.log" | grep '^=== the Launcher exited with status 0;' >/dev/null; then
	echo "demo: the Guest ran and powered off cleanly."
else
	echo "demo: the Guest did not finish cleanly; see $dir/serial.log" >&2
	exit 1
fi
