#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-host-init.sh: /init of the host VM in vm-linux-*.test.
#
# insmod lg.ko, then run the real Linux Guest (/bzImage with its own
# initramfs /guest-rootfs.gz, console=hvc0, /guest-mem MiB of RAM) with
# the Launcher's stdin a FIFO we feed, and its output saved.  Each boot of
# the Guest gets its own commands: /guest-commands.1 once its /init says
# "@@GUEST init running" the first time, /guest-commands.2 (if there is
# one) once it says so again, after a reboot, and so on.  While the Guest
# runs we stamp each "@@WORK clock" line it prints with our own time
# ("@@HOST clock n=K epoch=S"), so the test can compare the two clocks.
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

# count TEXT: how many lines of the Guest's output so far hold TEXT.
count() {
	grep -c -F -- "$1" /tmp/guest.out
}

# watch_guest PID: until the Launcher PID exits, feed each boot of the
# Guest its commands (on stdout, the FIFO) and stamp its clock lines (on
# /tmp/clocks).  One loop does both, so it costs the Guest, which shares
# our CPU, as little as it can.
watch_guest() {
	boot=1
	stamped=0
	while kill -0 "$1" 2>/dev/null; do
		if [ -f "/guest-commands.$boot" ] &&
			[ "$(count '@@GUEST init running')" -ge "$boot" ]; then
			cat "/guest-commands.$boot"
			boot=$((boot + 1))
		fi
		clocks=$(count '@@WORK clock')
		while [ "$stamped" -lt "$clocks" ]; do
			stamped=$((stamped + 1))
			echo "@@HOST clock n=$stamped epoch=$(date +%s)" >>/tmp/clocks
		done
		sleep 0.2
	done
}

mem=64
[ ! -f /guest-mem ] || read -r mem </guest-mem
say "@@LG BEGIN linux"
mkfifo /tmp/guest.in
: >/tmp/guest.out
: >/tmp/clocks
echo "@@HOST start epoch=$(date +%s)" >>/tmp/clocks
/lguest --stats --initrd=/guest-rootfs.gz "$mem" /bzImage console=hvc0 \
	</tmp/guest.in >/tmp/guest.out 2>&1 &
pid=$!
watch_guest "$pid" >/tmp/guest.in &
watcher=$!
( sleep "$limit"; kill -9 "$pid" 2>/dev/null ) &
watchdog=$!
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
wait "$watcher"
echo "@@HOST end epoch=$(date +%s)" >>/tmp/clocks
cat /tmp/guest.out /tmp/clocks
cat /tmp/guest.out /tmp/clocks >&3
say "@@LG END linux rc=$rc"

# The Guest kernel of the other paging format, if the test gave us one:
# a short workload with its commands on stdin, then power off.
if [ -f /bzImage-other ]; then
	say "@@LG BEGIN other"
	/lguest --stats --initrd=/guest-rootfs.gz "$mem" /bzImage-other console=hvc0 \
		</guest-commands-other >/tmp/other.out 2>&1 &
	pid=$!
	( sleep "$limit"; kill -9 "$pid" 2>/dev/null ) &
	watchdog=$!
	wait "$pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	cat /tmp/other.out
	cat /tmp/other.out >&3
	say "@@LG END other rc=$rc"
fi

say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
poweroff -f
