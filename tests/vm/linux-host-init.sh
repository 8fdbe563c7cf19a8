#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-host-init.sh: /init of the host VM in vm-linux-*.test.
#
# insmod lg.ko, then run the real Linux Guest (/bzImage with its own
# initramfs /guest-rootfs.gz, console=hvc0) with the Launcher's stdin a
# pipe that carries the commands in /guest-disk-commands and then
# /guest-commands, and its output saved.  The Guest has two disks, made
# here (see make_disks), and an rng; after it stops we report what the
# disk images hold (check_disks) for linux.sh to compare with what the
# Guest said.  The Launcher runs as nobody, chrooted to an empty
# directory (make_jail); the Guest has a network card on a tap, and
# fetches a file from a web server here (make_net).
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

# make_disks: vda, 1 MiB, read-write, with 512 bytes of ours at sector 64
# for the Guest to read back; vdb, 512 KiB, read-only, which the Guest
# tries to write; vdc, 8 MiB of zeros, for an ext2 file system.  "@@LG DISK <what> <md5sum>" lines say what they held.
make_disks() {
	dd if=/dev/zero of=/tmp/vda.img bs=1024 count=1024 2>/dev/null
	i=0
	while [ "$i" -lt 16 ]; do
		echo "host pattern, line $i: written by linux-host-init.sh"
		i=$((i + 1))
	done | head -c 512 >/tmp/host-pattern
	dd if=/tmp/host-pattern of=/tmp/vda.img bs=512 seek=64 conv=notrunc 2>/dev/null
	say "@@LG DISK vda-pattern $(md5sum </tmp/host-pattern)"
	dd if=/dev/zero of=/tmp/vdb.img bs=1024 count=512 2>/dev/null
	echo "a read-only disk" | dd of=/tmp/vdb.img conv=notrunc 2>/dev/null
	say "@@LG DISK vdb-before $(md5sum </tmp/vdb.img)"
	dd if=/dev/zero of=/tmp/vdc.img bs=1024 count=8192 2>/dev/null
}

# check_disks: the first N bytes of vda, N being what the Guest said it
# wrote; vdb, which must not have changed; and how many lines of the
# Guest's pattern the ext2 file system on vdc holds (64: its file).
check_disks() {
	size=$(tr -d '\r' </tmp/guest.out | sed -n 's/^@@GUEST vda-wrote \([0-9]*\) .*/\1/p')
	say "@@LG DISK vda-image $(head -c "${size:-0}" /tmp/vda.img | md5sum)"
	say "@@LG DISK vdb-after $(md5sum </tmp/vdb.img)"
	say "@@LG DISK vdc-pattern-lines $(grep -c 'lguest guest pattern, line' /tmp/vdc.img)"
}

# make_jail: a user and an empty directory for --username and --chroot,
# which the Launcher takes once every file is open.
make_jail() {
	mkdir -p /etc /tmp/empty
	echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>/etc/passwd
}

# make_net: tun.ko for the Launcher's tap (--tunnet=192.0.2.1, TEST-NET-1:
# nothing leaves this VM), and a web server with 100 MiB (1 MiB of random
# bytes, 100 times) for the Guest to fetch over TCP.  Sets net_opt to the --tunnet option, or to
# nothing when there is no tun.ko.
make_net() {
	net_opt=
	if [ -f /tun.ko ] && insmod /tun.ko; then
		net_opt=--tunnet=192.0.2.1:02:4c:47:00:00:01
	fi
	mkdir -p /tmp/www
	dd if=/dev/urandom of=/tmp/www/1m.bin bs=1024 count=1024 2>/dev/null
	i=0
	while [ "$i" -lt 100 ]; do
		cat /tmp/www/1m.bin
		i=$((i + 1))
	done >/tmp/www/net.bin
	rm /tmp/www/1m.bin
	say "@@LG NET served $(md5sum </tmp/www/net.bin) tunnet=${net_opt:-none}"
	httpd -p 8080 -h /tmp/www
}

say "@@LG BEGIN insmod"
insmod /lg.ko
say "@@LG END insmod rc=$?"

say "@@LG BEGIN linux"
make_disks
make_jail
make_net
# shellcheck disable=SC2086 # net_opt is one word, or none
cat /guest-disk-commands /guest-net-commands /guest-commands |
	/lguest --stats --verbose --rng --block=/tmp/vda.img --block=/tmp/vdb.img,ro \
		--block=/tmp/vdc.img $net_opt \
		--chroot=/tmp/empty --username=nobody \
		--initrd=/guest-rootfs.gz 64 /bzImage console=hvc0 >/tmp/guest.out 2>&1 &
pid=$!
( sleep "$limit"; kill -9 "$pid" 2>/dev/null ) &
watchdog=$!
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
cat /tmp/guest.out
cat /tmp/guest.out >&3
check_disks
say "@@LG END linux rc=$rc"

say "@@LG BEGIN dmesg"
dmesg >&3
say "@@LG END dmesg rc=0"
poweroff -f
