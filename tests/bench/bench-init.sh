#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-init.sh: /init of the VM that scripts/bench.sh boots.  In one boot:
# the native twins on the Host kernel (/native), the conformance Guest's
# primitives under lg.ko (/guest.elf lgtest=bench), and the same /native
# inside a real Linux 4.1 Guest (/bzImage, its rootfs /guest-rootfs.gz,
# whose shell runs /guest-commands).  Each run sits between init.sh's
# markers (@@LG BEGIN <name> ... @@LG END <name> rc=<status>), on the console
# and on the results port (lgres=); the Launcher's --stats counters come
# with its output.  lgbench=NAME (optional) runs one benchmark only;
# lgparts=native,guest,linux chooses the runs.
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
limit=300
only=
parts=native,guest,linux
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lgres=*) res=/dev/${arg#*=} ;;
	lgtimeout=*) limit=${arg#*=} ;;
	lgbench=*) only=${arg#*=} ;;
	lgparts=*) parts=${arg#*=} ;;
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

# run NAME COMMAND...: COMMAND's output between markers, on both ports.
run() {
	name=$1
	shift
	say "@@LG BEGIN $name"
	{
		"$@" 2>&1
		echo $? >/tmp/rc
	} | tee /proc/self/fd/3
	say "@@LG END $name rc=$(cat /tmp/rc) t=$(cut -d' ' -f1 /proc/uptime)s"
}

wants() {
	case ",$parts," in *",$1,"*) return 0 ;; esac
	return 1
}

say "@@LG BEGIN bench"
run insmod insmod /lg.ko
# The native twins know only their own names: pass lgbench= on only to them.
native_only=
[ -z "$only" ] || ! /native --list | grep -qx "$only" || native_only=$only
# A Guest primitive still needs its native twin: then all of them run.
if wants native; then
	# shellcheck disable=SC2086 # empty or one word
	run native /native $native_only
fi
if wants guest && { [ -z "$only" ] || [ -z "$native_only" ] || [ "$only" = syscall ]; }; then
	run guest timeout -s KILL "$limit" /lguest --stats 64 /guest.elf lgtest=bench ${only:+lgbench=$only}
fi
if wants linux && { [ -z "$only" ] || [ -n "$native_only" ]; }; then
	run linux timeout -s KILL "$limit" /lguest --stats --initrd=/guest-rootfs.gz 64 /bzImage \
		console=hvc0 </guest-commands
fi
run rmmod rmmod lg
say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
say "@@LG END bench rc=0"
exec 3>&-
sleep 1
poweroff -f
