#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-load-init.sh: /init of the host VM in vm-linux-load.test.
#
# Many real Linux Guests at once: insmod lg.ko, start lgguests= Launchers
# (each Guest lgmem= MB, its shell running /guest-commands, the workload),
# SIGKILL one of them, chosen at random, once its Guest is up, wait for the
# others to power off, rmmod lg.  Before insmod and after rmmod we measure
# the kernel's own memory (see kernel_kb), so a Guest whose pages or
# tables lg.ko never gives back shows up even when nothing warns.
# Markers, as init.sh's, on the console and on lgres= (the results port):
#   @@LG BEGIN <step> ... @@LG END <step> rc=<status>
#   @@LG MEM <when> kernel_kb=<n>
#   @@LG KILLED guest=<i> rc=<status> others_running=<n> t=<seconds>s
#   @@LG GUEST <i> rc=<status> victim=yes|no
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
limit=400
guests=8
mem=32
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lgres=*) res=/dev/${arg#*=} ;;
	lgtimeout=*) limit=${arg#*=} ;;
	lgguests=*) guests=${arg#*=} ;;
	lgmem=*) mem=${arg#*=} ;;
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

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# kernel_kb: kilobytes the kernel holds for itself, once everything it can
# give back is given back: MemTotal less free pages (in the buddy lists and
# in the per-CPU lists, which MemFree leaves out: /proc/zoneinfo counts
# them), buffers, the page cache (our tmpfs files included) and reclaimable
# slab.  What is left is unreclaimable slab (struct lguest, kmalloc'ed
# arrays), page tables, kernel stacks, vmalloc and raw pages (lg.ko's
# shadow page tables, its Switcher pages, pages it pinned and never
# unpinned).  Empty slabs SLUB keeps around are released first.
kernel_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for s in /sys/kernel/slab/*/shrink; do
		echo 1 >"$s" 2>/dev/null
	done
	awk '
		FILENAME == "/proc/zoneinfo" && $1 == "pages" && $2 == "free" { free += $3 }
		FILENAME == "/proc/zoneinfo" && $1 == "count:" { free += $2 }
		FILENAME == "/proc/meminfo" { kb[$1] = $2 }
		END {
			print kb["MemTotal:"] - free * 4 - kb["Buffers:"] - kb["Cached:"] - kb["SReclaimable:"]
		}' /proc/zoneinfo /proc/meminfo
}

# running PID...: how many of them are still alive.
running() {
	n=0
	for p in "$@"; do
		! kill -0 "$p" 2>/dev/null || n=$((n + 1))
	done
	echo "$n"
}

# RCU-freed objects of the boot (and of the processes above) settle first.
sleep 1
say "@@LG MEM before kernel_kb=$(kernel_kb)"

say "@@LG BEGIN insmod"
insmod /lg.ko
say "@@LG END insmod rc=$?"

# The Guest to kill: any of them, so over many runs every slot gets its turn.
victim=$(awk -v n="$guests" 'BEGIN { srand(); print int(rand() * n) + 1 }')
say "@@LG BEGIN load"
say "$guests guests of $mem MB, guest $victim gets SIGKILL once it is up"
pids=''
i=1
while [ "$i" -le "$guests" ]; do
	/lguest --initrd=/guest-rootfs.gz "$mem" /bzImage console=hvc0 \
		</guest-commands >"/tmp/guest-$i.out" 2>&1 &
	pids="$pids $!"
	[ "$i" != "$victim" ] || victim_pid=$!
	i=$((i + 1))
done
# shellcheck disable=SC2086 # the pids are words
( sleep "$limit"; kill -9 $pids 2>/dev/null ) &
watchdog=$!

# Kill the victim once its Guest reached /init (or gave up trying).
waited=0
while [ "$waited" -lt "$limit" ] && kill -0 "$victim_pid" 2>/dev/null &&
	! grep -q '@@GUEST init running' "/tmp/guest-$victim.out"; do
	sleep 1
	waited=$((waited + 1))
done
# shellcheck disable=SC2086
others=$(($(running $pids) - $(running "$victim_pid")))
# Where the time went so far: the CPUs' user/nice/system/idle/iowait/irq/
# softirq jiffies, and each Guest's exit counters.
say "@@LG BEGIN loadstats"
say "$(head -n 1 /proc/stat)"
for f in /sys/kernel/debug/lguest/*; do
	[ -f "$f" ] || continue
	say "${f##*/}: $(grep -E '^(exits|halts|irqs_delivered|launcher_exits|page_faults) ' "$f" | tr '\n' ' ')"
done
say "@@LG END loadstats rc=0"
kill -9 "$victim_pid" 2>/dev/null
wait "$victim_pid"
victim_rc=$?
say "@@LG KILLED guest=$victim rc=$victim_rc others_running=$others t=$(uptime_s)s"

i=1
for pid in $pids; do
	if [ "$i" = "$victim" ]; then
		rc=$victim_rc
		v=yes
	else
		wait "$pid"
		rc=$?
		v=no
	fi
	say "@@LG BEGIN guest-$i"
	cat "/tmp/guest-$i.out"
	cat "/tmp/guest-$i.out" >&3
	say "@@LG END guest-$i rc=$rc"
	say "@@LG GUEST $i rc=$rc victim=$v"
	i=$((i + 1))
done
kill "$watchdog" 2>/dev/null
say "@@LG END load rc=0 t=$(uptime_s)s"

say "@@LG BEGIN rmmod"
rmmod lg
say "@@LG END rmmod rc=$?"
sleep 1
say "@@LG MEM after kernel_kb=$(kernel_kb)"

say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
poweroff -f
