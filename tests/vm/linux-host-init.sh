#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-host-init.sh: /init of the host VM in vm-linux-*.test.
#
# insmod lg.ko, then run the real Linux Guest (/bzImage with its own
# initramfs /guest-rootfs.gz, console=hvc0) with the Launcher's stdin a
# pipe that carries the commands in /guest-commands, and its output saved.
# The kernel command line gives lgres= (the results port, as for init.sh)
# and lgtimeout= (seconds the Guest may take).  Markers, as init.sh's:
#   @@LG BEGIN <step> ... @@LG END <step> rc=<status>
# We always end in a power-off.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

res=/dev/null
limit=240
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lgres=*) res=/dev/${arg#*=} ;;
	lgtimeout=*) limit=${arg#*=} ;;
	esac
done
if ! (true >"$res") 2>/dev/null; then
	res=/dev/null
fi
exec 3>"$res"

say() {
	echo "$*"
	echo "$*" >&3
}

say "@@LG BEGIN insmod"
insmod /lg.ko
say "@@LG END insmod rc=$?"

say "@@LG BEGIN linux"
/lguest --stats --initrd=/guest-rootfs.gz 64 /bzImage console=hvc0 \
	</guest-commands >/tmp/guest.out 2>&1 &
pid=$!
( sleep "$limit"; kill -9 "$pid" 2>/dev/null ) &
watchdog=$!
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
cat /tmp/guest.out
cat /tmp/guest.out >&3
say "@@LG END linux rc=$rc"

say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
poweroff -f
