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
# lgparts=native,guest,linux chooses the runs; lgmodargs=A,B are lg.ko's
# parameters.
#
# For the disk and network rows the Linux Guest gets /tmp/disk.img as its
# /dev/vda and, when /tun.ko is there, a tap (--tunnet=192.0.2.1) to a
# "native --tcp-sink" that the Host's own tcp row reaches over loopback.
# The section "boot" has the Host's own boot to this /init, and the linux
# run a "boot" line: Launcher start to the Guest's /init, both in seconds.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1
# Read before anything else of ours runs: the Host's boot to /init.
read -r host_boot _ </proc/uptime
ifconfig lo 127.0.0.1 up

res=/dev/null
limit=300
only=
modargs=
parts=native,guest,linux
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lgres=*) res=/dev/${arg#*=} ;;
	lgtimeout=*) limit=${arg#*=} ;;
	lgbench=*) only=${arg#*=} ;;
	lgparts=*) parts=${arg#*=} ;;
	lgmodargs=*) modargs=$(echo "${arg#*=}" | tr ',' ' ') ;;
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

# uptime_since T0: seconds of /proc/uptime since T0, two decimals.
uptime_since() {
	read -r now _ </proc/uptime
	awk -v a="$now" -v b="$1" 'BEGIN { printf "%.2f\n", a - b }'
}

# linux_guest: the Linux Guest, with a "@@BENCH boot seconds=" line when
# its /init says it runs (the Launcher's start to that line; output and
# console are one stream, so the line is seen as soon as it is written).
linux_guest() {
	read -r t0 _ </proc/uptime
	{
		# shellcheck disable=SC2086 # empty or one word
		timeout -s KILL "$limit" /lguest --stats --initrd=/guest-rootfs.gz \
			--block=/tmp/disk.img,ro $net_opt 64 /bzImage console=hvc0 </guest-commands
		echo $? >/tmp/linux-rc
	} | while IFS= read -r line; do
		case $line in
		*"@@GUEST init running"*) echo "@@BENCH boot seconds=$(uptime_since "$t0")" ;;
		esac
		printf '%s\n' "$line"
	done
	return "$(cat /tmp/linux-rc)"
}

wants() {
	case ",$parts," in *",$1,"*) return 0 ;; esac
	return 1
}

say "@@LG BEGIN bench"
say "@@LG BEGIN boot"
say "@@BENCH host-boot seconds=$host_boot"
say "@@LG END boot rc=0"
# shellcheck disable=SC2086 # the parameters are words of their own
run insmod insmod /lg.ko $modargs
# The disk the Linux Guest reads as /dev/vda and the Host as a file.
dd if=/dev/urandom of=/tmp/disk.img bs=1M count=8 2>/dev/null
net_opt=
if [ -f /tun.ko ] && insmod /tun.ko; then
	net_opt=--tunnet=192.0.2.1
fi
/native --tcp-sink 5001 &
sink=$!
# The native twins know only their own names: pass lgbench= on only to them.
native_only=
[ -z "$only" ] || ! /native --list | grep -qx "$only" || native_only=$only
# A Guest primitive still needs its native twin: then all of them run.
if wants native; then
	# shellcheck disable=SC2086 # empty or one word
	run native env NATIVE_DISK=/tmp/disk.img NATIVE_TMP=/tmp NATIVE_TCP=127.0.0.1:5001 \
		/native $native_only
fi
if wants guest && { [ -z "$only" ] || [ -z "$native_only" ] || [ "$only" = syscall ]; }; then
	run guest timeout -s KILL "$limit" /lguest --stats 64 /guest.elf lgtest=bench ${only:+lgbench=$only}
fi
if wants linux && { [ -z "$only" ] || [ -n "$native_only" ]; }; then
	run linux linux_guest
fi
kill "$sink"
run rmmod rmmod lg
say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
say "@@LG END bench rc=0"
exec 3>&-
sleep 1
poweroff -f
