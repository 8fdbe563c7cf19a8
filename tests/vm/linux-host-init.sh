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
# The Guest has three disks, made here (see make_disks), an rng and a
# network card on a tap, and fetches a file from a web server here
# (make_net); after it stops we report what the disk images hold
# (check_disks) for linux.sh to compare with what the Guest said.  With
# /guest-jail (a test whose Guest does not reboot: a Launcher that dropped
# its privileges cannot start it again) the Launcher runs as nobody,
# chrooted to an empty directory (make_jail).
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
# bytes, 100 times) for the Guest to fetch over TCP, and a CGI that takes
# the Guest's upload (wget --post-file, which stops at a NUL byte: the
# Guest sends text) and answers, and keeps, its md5sum.  Sets net_opt to
# the --tunnet option, or to nothing when there is no tun.ko.
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
	mkdir -p /tmp/www/cgi-bin
	cat >/tmp/www/cgi-bin/md5 <<'CGI'
#!/bin/sh
sum=$(head -c "$CONTENT_LENGTH" | md5sum | cut -d' ' -f1)
echo "$sum $CONTENT_LENGTH" >/tmp/upload.md5
printf 'Content-Type: text/plain\r\n\r\n%s\n' "$sum"
CGI
	chmod +x /tmp/www/cgi-bin/md5
	say "@@LG NET served $(md5sum </tmp/www/net.bin) tunnet=${net_opt:-none}"
	httpd -p 8080 -h /tmp/www
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
make_disks
make_net
jail_opts=
if [ -f /guest-jail ]; then
	make_jail
	jail_opts="--chroot=/tmp/empty --username=nobody"
fi
mkfifo /tmp/guest.in
: >/tmp/guest.out
: >/tmp/clocks
echo "@@HOST start epoch=$(date +%s)" >>/tmp/clocks
# shellcheck disable=SC2086 # net_opt and jail_opts are words, or none
/lguest --stats --verbose --rng --block=/tmp/vda.img --block=/tmp/vdb.img,ro \
	--block=/tmp/vdc.img $net_opt $jail_opts \
	--initrd=/guest-rootfs.gz "$mem" /bzImage console=hvc0 \
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
check_disks
say "@@LG NET received $(cat /tmp/upload.md5 2>/dev/null)"
say "@@LG END linux rc=$rc"

# The Guest kernel of the other paging format, if the test gave us one:
# a short workload with its commands on stdin, then power off.
if [ -f /bzImage-other ]; then
	say "@@LG BEGIN other"
	/lguest --stats --initrd=/guest-rootfs.gz "$(cat /guest-mem-other)" /bzImage-other console=hvc0 \
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
