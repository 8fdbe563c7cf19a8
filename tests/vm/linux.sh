#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# linux.sh: a real Linux 4.1 Guest under lg.ko, for vm-linux-*.test.
#
#   . linux.sh; lg_linux_test FLAVOUR GUEST_KERNEL PAGING [--smp N] [--reboot]
#
# Boots Debian's FLAVOUR kernel in QEMU (N CPUs, default 1), loads lg.ko
# and runs GUEST_KERNEL (a bzImage from $LG_GUEST_KERNELS, by default
# ../shared/guest-kernels beside the source tree; PAGING, pae or non-pae,
# is the paging mode it was built for) with console=hvc0 and a busybox
# initramfs whose shell takes its commands from the Launcher's stdin
# (linux-commands.txt): uname, /proc/meminfo, /workload.sh
# (linux-workload.sh: fork+exec, memory, pipes, the clock; guest-work.c
# does the work), a line of our own with a random token it must echo
# back, and a power-off.  With --reboot the Guest first reboots
# (linux-commands-reboot.txt) and the Launcher must start it again.
# Uses lib.sh for fetching, building lg.ko, booting and the TAP output.
# Without the guest kernels the test is skipped, and fails when CI=true.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# lg_linux_rootfs OUT: the Guest's own initramfs: busybox, its /init,
# /workload.sh and guest-work, which this builds (static i386) beside OUT,
# its compiler's output in guest-work.log there.  Fails if that build does.
lg_linux_rootfs() {
	local stage work=${1%/*}/guest-work
	lg_linux_guest_work "$work" "$work.log" || return 1
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc}
	install -m 0755 "$LG_BUSYBOX" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$lg_vm_dir/linux-guest-init.sh" "$stage/init"
	install -m 0755 "$lg_vm_dir/linux-workload.sh" "$stage/workload.sh"
	install -m 0755 "$work" "$stage/bin/guest-work"
	(
		cd "$stage" || exit 1
		find . -mindepth 1 -print0 | LC_ALL=C sort -z |
			cpio --null --create --format=newc --owner=0:0 --quiet
	) | gzip -9n >"$1"
	rm -rf "$stage"
}

# lg_linux_guest_work OUT LOG: the Guest's workload program, static i386.
lg_linux_guest_work() {
	local cc
	read -ra cc <<<"$I386_CC"
	"${cc[@]}" -static -O2 -Wall -Wextra -Werror -o "$1" "$lg_vm_dir/guest-work.c" >"$2" 2>&1
}

# lg_linux_has DIR TEXT: the Guest's output holds a line with TEXT;
# lg_linux_has_in SECTION DIR TEXT looks in another section of results.log.
lg_linux_has() {
	lg_linux_has_in linux "$@"
}

lg_linux_has_in() {
	lg_section "$1" "$2/results.log" | grep -F -- "$3" >/dev/null
}

# lg_linux_count DIR TEXT: how many lines of the Guest's output hold TEXT
# (lg_linux_count_in SECTION DIR TEXT: of another section).
lg_linux_count() {
	lg_linux_count_in linux "$@"
}

lg_linux_count_in() {
	lg_section "$1" "$2/results.log" | grep -c -F -- "$3" || true
}

# lg_linux_no_resets DIR: no virtio device asked for a reset (virtio_pci.c);
# lg_linux_no_resets_in SECTION DIR: none in that section.
lg_linux_no_resets() {
	lg_linux_no_resets_in linux "$1"
}

lg_linux_no_resets_in() {
	! lg_section "$1" "$2/results.log" | grep -F 'needs a reset' >/dev/null
}

# ---- the disks and the rng (linux-disk-commands.txt, linux-host-init.sh)

# lg_linux_value DIR PREFIX: what follows "PREFIX " on the line of the
# linux section that starts with it (the first word after, for md5sums).
lg_linux_value() {
	lg_section linux "$1/results.log" | sed -n "s/^$2 \([^ ]*\).*/\1/p" | head -n 1
}

# lg_same A B: equal and not empty.
lg_same() {
	[ -n "$1" ] && [ "$1" = "$2" ]
}

lg_linux_hwrng_ok() {
	[[ "$1" =~ ^[0-9a-f]{32}$ ]] && [ "$1" != 00000000000000000000000000000000 ]
}

# lg_linux_block_served DIR: --stats says disk 0 served some requests at
# the kick (reads of its image, which lives in the Host's tmpfs) and some
# in its I/O thread (the writes).
lg_linux_block_served() {
	lg_section linux "$1/results.log" |
		sed -n 's/^lguest: block 0: requests served: \([0-9]*\) at the kick, \([0-9]*\) by its I\/O thread$/\1 \2/p' |
		tail -n 1 | awk '$1 > 0 && $2 > 0 { ok = 1 } END { exit !ok }'
}

lg_linux_vdb_refused() {
	[ -n "$1" ] && [ "$1" != 0 ]
}

# lg_linux_check_devices FLAVOUR DIR: the Guest saw both disks as given,
# read what the Host wrote, wrote what the Host then found in the image,
# could not change the read-only one, and read bytes from /dev/hwrng.
lg_linux_check_devices() {
	local flavour=$1 dir=$2 reboot=${3:-0} wrote image
	lg_check "$flavour: /dev/vda is 2048 sectors, /dev/vdb 1024 and read-only" \
		lg_linux_has "$dir" "@@GUEST disks 2048 1024 ro=1"
	lg_check "$flavour: /sys/block/vda/serial (GET_ID) is the image's name" \
		lg_linux_has "$dir" "@@GUEST vda-serial vda.img"
	lg_check "$flavour: the Guest reads the sector the Host wrote" lg_same \
		"$(lg_linux_value "$dir" "@@GUEST vda-read")" \
		"$(lg_linux_value "$dir" "@@LG DISK vda-pattern")"
	wrote=$(lg_section linux "$dir/results.log" |
		sed -n 's/^@@GUEST vda-wrote [0-9]* \([0-9a-f]*\).*/\1/p' | head -n 1)
	image=$(lg_linux_value "$dir" "@@LG DISK vda-image")
	lg_check "$flavour: what the Guest wrote and synced is in the image (${wrote:-none} vs ${image:-none})" \
		lg_same "$wrote" "$image"
	lg_check "$flavour: a write to the read-only /dev/vdb fails in the Guest" \
		lg_linux_vdb_refused "$(lg_linux_value "$dir" "@@GUEST vdb-write" | sed 's/^rc=//')"
	lg_check "$flavour: the read-only image is unchanged" lg_same \
		"$(lg_linux_value "$dir" "@@LG DISK vdb-before")" \
		"$(lg_linux_value "$dir" "@@LG DISK vdb-after")"
	lg_check "$flavour: mke2fs, mount, a file and back after a remount: the same md5sum" \
		lg_same "$(lg_linux_value "$dir" "@@GUEST ext2")" "$wrote"
	lg_check "$flavour: the Host finds the file's 64 lines in the ext2 image" \
		lg_is "$(lg_linux_value "$dir" "@@LG DISK vdc-pattern-lines")" 64
	lg_check "$flavour: the Launcher served cached reads at the kick, writes in the disk's thread (--stats)" \
		lg_linux_block_served "$dir"
	lg_section linux "$dir/results.log" | grep -F 'lguest: block' | lg_diag
	lg_check "$flavour: /dev/hwrng gives 16 bytes" \
		lg_linux_hwrng_ok "$(lg_linux_value "$dir" "@@GUEST hwrng")"
	if [ "$reboot" = 0 ]; then
		lg_check "$flavour: the Launcher ran the Guest chrooted, as nobody" \
			lg_linux_dropped "$dir"
	fi
	lg_linux_check_net "$flavour" "$dir"
}

# lg_linux_check_net FLAVOUR DIR: --tunnet (linux-net-commands.txt): the
# Guest's eth0 has the MAC we gave, pings the tap's address, took the
# checksum and TSO offloads the tap let us offer (--verbose, and the bits
# of its own features file), fetches 100 MiB over TCP with the checksum the
# Host served, uploads 8 MiB with the checksum the Host received, and no
# frame the Guest sent was refused by the tap (--stats).
lg_linux_check_net() {
	local flavour=$1 dir=$2 bits
	lg_check "$flavour: tun.ko fetched, the Launcher given --tunnet" \
		lg_linux_has "$dir" "tunnet=--tunnet=192.0.2.1:02:4c:47:00:00:01"
	lg_check "$flavour: eth0 has the MAC --tunnet gave" \
		lg_linux_has "$dir" "@@GUEST eth0-mac 02:4c:47:00:00:01"
	lg_check "$flavour: the Guest pings the tap's address 192.0.2.1" \
		lg_linux_has "$dir" "@@GUEST ping rc=0"
	lg_check "$flavour: 100 MiB over TCP (wget), the same md5sum on both ends" lg_same \
		"$(lg_linux_value "$dir" "@@GUEST wget")" \
		"$(lg_linux_value "$dir" "@@LG NET served")"
	lg_check "$flavour: the tap takes TUNSETOFFLOAD: checksum and TSO offloads offered" \
		lg_linux_has "$dir" "lguest: net 0: offloads offered: CSUM GUEST_CSUM HOST_TSO4"
	lg_check "$flavour: the Guest took them (the tap set to CSUM|TSO4|TSO6|TSO_ECN)" \
		lg_linux_has "$dir" "(tap offloads 0xf)"
	bits=$(lg_linux_value "$dir" "@@GUEST net-features")
	lg_check "$flavour: the Guest's virtio features have CSUM, GUEST_CSUM, GUEST_TSO4, HOST_TSO4 (${bits:0:16})" \
		lg_linux_offload_bits "$bits"
	lg_check "$flavour: 8 MiB up over TCP (wget --post-file), the same md5sum on both ends" \
		lg_linux_upload_ok "$dir"
	lg_check "$flavour: the tap refused no frame the Guest sent (--stats)" \
		lg_linux_has "$dir" "frames dropped: 0 on receive, 0 on transmit"
	lg_section linux "$dir/results.log" | grep -F 'lguest: net 0:' | lg_diag
	lg_section linux "$dir/results.log" |
		sed -n 's/^@@GUEST wget-time \([0-9.]*\) \([0-9.]*\)$/wget: Guest uptime \1 s to \2 s/p' |
		lg_diag
}

# lg_linux_offload_bits BITS: the features file of a 4.1 Guest's virtio
# device (one 0 or 1 per bit, bit 0 first) has bits 0, 1, 7 and 11.
lg_linux_offload_bits() {
	[[ "$1" =~ ^[01]{64}$ ]] && [ "${1:0:1}${1:1:1}${1:7:1}${1:11:1}" = 1111 ]
}

# lg_linux_upload_ok DIR: what the Guest sent is what the Host's CGI read,
# 8388608 bytes, and what it told the Guest.
lg_linux_upload_ok() {
	local sent
	sent=$(lg_linux_value "$1" "@@GUEST upload-sent")
	lg_same "$sent" "$(lg_linux_value "$1" "@@GUEST upload-got")" &&
		lg_linux_has "$1" "@@LG NET received $sent 8388608"
}

# --chroot=/tmp/empty --username=nobody (linux-host-init.sh): said by --verbose.
lg_linux_dropped() {
	lg_linux_has "$1" "lguest: chroot to /tmp/empty" &&
		lg_linux_has "$1" "lguest: running as nobody (uid 65534, gid 65534)"
}

lg_linux_no_warnings() {
	[ -z "$(lg_host_warnings "$1")" ]
}

# lg_work DIR JOB KEY: the value of KEY on the last "@@WORK JOB ..." line
# the Guest printed (empty if there is none); lg_work_in SECTION DIR JOB KEY
# looks in another section of results.log.
lg_work() {
	lg_work_in linux "$@"
}

lg_work_in() {
	lg_section "$1" "$2/results.log" |
		awk -v job="$3" -v key="$4" '
			$1 == "@@WORK" && $2 == job {
				v = ""
				for (i = 3; i <= NF; i++)
					if (index($i, key "=") == 1)
						v = substr($i, length(key) + 2)
			}
			END { print v }'
}

# lg_is_num VALUE: VALUE is a non-negative decimal number.
lg_is_num() {
	[[ "$1" =~ ^[0-9]+$ ]]
}

# lg_linux_memtotal DIR MIB [SECTION]: MemTotal is at most the MIB the
# Launcher gave, and no more than 8 MiB below it (what a 4.1 kernel keeps
# for itself).  SECTION of results.log defaults to linux.
lg_linux_memtotal() {
	local kb
	kb=$(lg_work_in "${3:-linux}" "$1" meminfo total_kb)
	lg_is_num "$kb" && [ "$kb" -le $(($2 * 1024)) ] && [ "$kb" -ge $((($2 - 8) * 1024)) ]
}

# lg_linux_all_lowmem DIR: the other Guest's LowTotal is its MemTotal, and
# MemTotal is within 8 MiB of LG_LINUX_OTHER_MEM.  That Guest gets more than
# the ~375 MiB of lowmem a 512 MiB Host left it while the Switcher sat at
# its Host address (DESIGN.md, "Where the Switcher lives").
lg_linux_all_lowmem() {
	local total low
	total=$(lg_work_in other "$1" meminfo total_kb)
	low=$(lg_work_in other "$1" meminfo low_kb)
	lg_is_num "$total" && lg_is_num "$low" && [ "$low" = "$total" ] &&
		[ "$total" -ge $(((LG_LINUX_OTHER_MEM - 8) * 1024)) ]
}

# lg_linux_memtouch DIR PCT [SECTION]: the Guest touched PCT% of what it
# had free, every page of it, and found every page as it left it.
lg_linux_memtouch() {
	local sec=${3:-linux} avail touched pages bad
	avail=$(lg_work_in "$sec" "$1" memtouch avail_kb)
	touched=$(lg_work_in "$sec" "$1" memtouch touched_kb)
	pages=$(lg_work_in "$sec" "$1" memtouch pages)
	bad=$(lg_work_in "$sec" "$1" memtouch mismatches)
	lg_is_num "$avail" && lg_is_num "$touched" && lg_is_num "$pages" || return 1
	[ "$bad" = 0 ] && [ "$pages" -gt 0 ] && [ "$touched" = $((pages * 4)) ] &&
		[ $((touched * 100)) -ge $((avail * ($2 - 1))) ] && [ $((touched * 100)) -le $((avail * $2)) ]
}

# lg_linux_clocks DIR: "n epoch" pairs, one per line, of the Guest's clock
# lines ("@@WORK clock") or, with HOST, of our stamps of them.
lg_linux_clocks() {
	lg_section linux "$1/results.log" |
		sed -n "s/^@@${2:-WORK} clock n=\([0-9]*\) epoch=\([0-9]*\)\$/\1 \2/p"
}

# lg_linux_clock_check DIR: the Guest's clock, each time it printed it, was
# never ahead of the Host's (1 s for rounding: we stamp after it prints) and
# behind by less than the Guest took to boot (from the Launcher's start to
# the first clock line); and it advanced by the Host's wall time between the
# two, within 2 seconds (whole seconds on both sides, and our 0.2 s
# polling), over at least 3 seconds of work.  Why "less than the boot": the
# Guest takes its wall clock from the Host's (lguest_data.time) early in
# boot, and then, until fs_initcall switches it to the lguest clocksource,
# keeps time by jiffies, where every tick that comes late is time lost.
# Under TCG that boot takes seconds, and the Guest was 2 to 6 s behind by
# the time /workload.sh ran; from then on it kept pace.
lg_linux_clock_check() {
	local g h start
	g=$(lg_linux_clocks "$1" WORK)
	h=$(lg_linux_clocks "$1" HOST)
	start=$(lg_section linux "$1/results.log" | sed -n 's/^@@HOST start epoch=\([0-9]*\)$/\1/p')
	[ -n "$start" ] && [ "$(wc -l <<<"$g")" = 2 ] && [ "$(wc -l <<<"$h")" = 2 ] || return 1
	awk -v start="$start" -v tol=2 -v min=3 '
		NR == FNR { g[$1] = $2; next }
		{ h[$1] = $2 }
		END {
			if (!(1 in g) || !(2 in g) || !(1 in h) || !(2 in h)) exit 1
			boot = h[1] - start
			for (i = 1; i <= 2; i++) {
				d = g[i] - h[i]
				if (d > 1 || -d > boot + 1) exit 1
			}
			dg = g[2] - g[1]
			dh = h[2] - h[1]
			if (dh < min || dg - dh < -tol || dg - dh > tol) exit 1
		}' <(echo "$g") <(echo "$h")
}

# lg_linux_clock_diag DIR: both clocks as TAP comments.
lg_linux_clock_diag() {
	lg_section linux "$1/results.log" | grep -E '^@@(WORK|HOST) (clock|start|end)' | lg_diag
}

# lg_linux_commands DIR TOKEN REBOOT: the commands for each boot of the
# Guest, DIR/guest-commands.1 (and .2); TOKEN is the line the Guest must
# echo back.  With REBOOT=1 the first boot only reboots.
lg_linux_commands() {
	local n=1
	rm -f "$1"/guest-commands.*
	if [ "$3" = 1 ]; then
		cp "$lg_vm_dir/linux-commands-reboot.txt" "$1/guest-commands.1"
		n=2
	fi
	# The boot that powers off also uses the disks, the rng and the network.
	cat "$lg_vm_dir/linux-disk-commands.txt" "$lg_vm_dir/linux-net-commands.txt" \
		>"$1/guest-commands.$n"
	sed "s/^@TOKEN@\$/$2/" "$lg_vm_dir/linux-commands.txt" >>"$1/guest-commands.$n"
}

# lg_stat_positive NAME: stdin (--stats lines) has "NAME <n>" with n > 0.
lg_stat_positive() {
	local n
	n=$(lg_stat_value "$1")
	[ -n "$n" ] && [ "$n" -gt 0 ]
}

# lg_linux_other_checks FLAVOUR DIR PAGING: the Guest kernel of the other
# paging format (linux-host-init.sh's "other" run) booted, ran its short
# workload and powered off, and lg.ko read its tables in its own format.
lg_linux_other_checks() {
	local flavour=$1 dir=$2 paging=$3 stats=2level
	[ "$paging" = non-pae ] || stats=pae
	lg_check "$flavour: the $paging Guest kernel powers off (Launcher exit 0)" \
		lg_is "$(lg_rc other "$dir/results.log")" 0
	lg_check "$flavour: ... runs kernel 4.1.18 with $paging paging" \
		lg_is "$(lg_work_in other "$dir" kernel release) $(lg_work_in other "$dir" kernel paging)" \
		"4.1.18 $paging"
	lg_check "$flavour: ... and its workload checks out (fork+exec, memory, pipes)" \
		lg_is "$(lg_work_in other "$dir" end status)" 0
	lg_check "$flavour: ... and lg.ko reads its page tables as $stats (--stats)" \
		grep -qx "guest_paging $stats" < <(lg_section other "$dir/results.log")
	lg_check "$flavour: ... and lg.ko shadowed PTEs around the faults it fixed (--stats faulted_around)" \
		lg_stat_positive faulted_around < <(lg_section other "$dir/results.log")
	lg_check "$flavour: ... and the Switcher handed it page faults of its own without a Host exit (--stats fast_page_faults)" \
		lg_stat_positive fast_page_faults < <(lg_section other "$dir/results.log")
	lg_check "$flavour: ... and lg.ko held its early console's port writes for the Launcher (--stats held_port_writes)" \
		lg_stat_positive held_port_writes < <(lg_section other "$dir/results.log")
	lg_check "$flavour: ... and lg.ko answered its virtio interrupt status reads itself (--stats isr_reads)" \
		lg_stat_positive isr_reads < <(lg_section other "$dir/results.log")
	lg_check "$flavour: ... and all $LG_LINUX_OTHER_MEM MiB it was given are lowmem (reserve_mem is small)" \
		lg_linux_all_lowmem "$dir"
	lg_section other "$dir/results.log" | grep -E '^@@WORK (forkexec|memtouch|pingpong|kernel|meminfo)' | lg_diag
}

# lg_linux_prepare FLAVOUR GUEST_KERNEL HOST_INIT COMMANDS: everything up to a
# bootable host VM in $LG_VM_OUT/<test name> (set as lg_linux_dir): lg.ko
# for FLAVOUR, the Guest's rootfs, and an initramfs whose /init is
# HOST_INIT, with the Guest kernel as /bzImage and COMMANDS (what the
# Guest's shell runs) as /guest-commands.  Skips the test without the Guest
# kernel; on any other failure it reports it and ends the test.  For tests
# with a host init of their own (vm-linux-load); lg_linux_test does the
# same steps with more in the initramfs.
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
	# shellcheck disable=SC2034 # the caller reads it
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
	if ! lg_linux_rootfs "$dir/guest-rootfs.gz"; then
		lg_ok 1 "$flavour: build guest-work for the Guest's rootfs"
		lg_diag <"$dir/guest-work.log"
		lg_finish
	fi
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
	local flavour=$1 kernel=$2 paging=$3 name dir rc gk smp=1 reboot=0 token boots
	local mem=${LG_LINUX_MEM:-64} extra=() f cpu other='' other_paging=''
	# The other Guest is big: more than lowmem could hold before the window.
	: "${LG_LINUX_OTHER_MEM:=400}"
	shift 3
	while [ $# -gt 0 ]; do
		case "$1" in
		--smp) smp=$2; shift 2 ;;
		--reboot) reboot=1; shift ;;
		--other) other=$2 other_paging=$3; shift 3 ;;
		*) echo "lg_linux_test: unknown option $1" >&2; exit 99 ;;
		esac
	done
	lg_defaults
	: "${LG_GUEST_KERNELS:=$top_srcdir/../shared/guest-kernels}"
	: "${LG_LINUX_TIMEOUT:=600}"
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
	mkdir -p "$dir"
	echo "# $name: $flavour host kernel (-smp $smp), Linux Guest $gk ($paging)"
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
	if ! lg_linux_rootfs "$dir/guest-rootfs.gz"; then
		lg_ok 1 "$flavour: build guest-work for the Guest's rootfs"
		lg_diag <"$dir/guest-work.log"
		lg_finish
	fi
	# The token comes from this run, so only a Guest that read it can echo it.
	token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	lg_linux_commands "$dir" "$token" "$reboot"
	echo "$mem" >"$dir/guest-mem"
	# A Launcher that dropped its privileges cannot restart a Guest.
	if [ "$reboot" = 0 ]; then
		: >"$dir/guest-jail"
		extra+=(--extra "$dir/guest-jail:/guest-jail")
	fi
	for f in "$dir"/guest-commands.*; do
		extra+=(--extra "$f:/${f##*/}")
	done
	# The Guest kernel of the other paging format, with a short workload.
	if [ -n "$other" ]; then
		if [ ! -f "$LG_GUEST_KERNELS/$other" ]; then
			lg_ok 1 "$flavour: guest kernel $LG_GUEST_KERNELS/$other exists"
			lg_finish
		fi
		cp "$lg_vm_dir/linux-commands-other.txt" "$dir/guest-commands-other"
		echo "$LG_LINUX_OTHER_MEM" >"$dir/guest-mem-other"
		extra+=(--extra "$LG_GUEST_KERNELS/$other:/bzImage-other"
			--extra "$dir/guest-commands-other:/guest-commands-other"
			--extra "$dir/guest-mem-other:/guest-mem-other")
	fi
	if ! bash "$lg_vm_dir/mkinitramfs.sh" --output "$dir/initrd.gz" --busybox "$LG_BUSYBOX" \
		--init "$lg_vm_dir/linux-host-init.sh" --module "$dir/lg.ko" \
		--launcher "$LG_LAUNCHER" --extra "$gk:/bzImage" \
		--extra "$dir/guest-rootfs.gz:/guest-rootfs.gz" \
		--extra "$dir/guest-mem:/guest-mem" "${extra[@]}" \
		${LG_TUN_KO:+--extra "$LG_TUN_KO:/tun.ko"} \
		>"$dir/initrd.log" 2>&1; then
		lg_ok 1 "$flavour: build the initramfs"
		lg_diag <"$dir/initrd.log"
		lg_finish
	fi

	LG_GUEST_TIMEOUT=$LG_LINUX_TIMEOUT
	LG_VM_TIMEOUT=$((LG_LINUX_TIMEOUT + 200))
	rc=0
	# With two CPUs, the AMD that -cpu max claims to be is "not suitable
	# for SMP" to 6.1, a warning we would fail on; an Intel one is fine.
	cpu=max
	[ "$smp" = 1 ] || cpu=max,vendor=GenuineIntel
	lg_boot "$smp" "$cpu" linux "$dir" || rc=$?
	touch "$dir/serial.log" "$dir/results.log"
	boots=$((reboot + 1))
	lg_check "$flavour: QEMU exit status 0 within ${LG_VM_TIMEOUT}s (was $rc)" lg_is "$rc" 0
	lg_check "$flavour: insmod lg" lg_is "$(lg_rc insmod "$dir/results.log")" 0
	lg_check "$flavour: the Launcher exits 0 (the Guest powered off)" \
		lg_is "$(lg_rc linux "$dir/results.log")" 0
	lg_check "$flavour: the Guest's early console prints its banner $boots time(s)" \
		lg_is "$(lg_linux_count "$dir" "Linux version 4.1")" "$boots"
	lg_check "$flavour: virtio_pci binds the console" \
		lg_linux_has "$dir" "virtio-pci 0000:00:01.0: enabling device"
	lg_check "$flavour: the Guest reaches /init on hvc0 $boots time(s)" \
		lg_is "$(lg_linux_count "$dir" "@@GUEST init running")" "$boots"
	lg_check "$flavour: a shell on hvc0 runs commands from the Launcher's stdin" \
		lg_linux_has "$dir" "@@GUEST shell on /dev/hvc0"
	if [ "$reboot" = 1 ]; then
		lg_check "$flavour: the Guest reboots, and the Launcher starts it again once" \
			lg_is "$(lg_linux_count "$dir" "lguest: starting the guest again")" 1
	fi
	lg_check "$flavour: uname -a in the Guest" lg_linux_has "$dir" "Linux (none) 4.1"
	lg_check "$flavour: /proc/meminfo in the Guest" lg_linux_has "$dir" "MemTotal:"
	lg_check "$flavour: /workload.sh runs to its end, every job checked out" \
		lg_is "$(lg_work "$dir" end status)" 0
	lg_check "$flavour: the Guest runs kernel 4.1.18 with $paging paging" \
		lg_is "$(lg_work "$dir" kernel release) $(lg_work "$dir" kernel paging)" "4.1.18 $paging"
	lg_check "$flavour: MemTotal is within 8 MiB below the $mem MiB the Launcher gave" \
		lg_linux_memtotal "$dir" "$mem"
	lg_check "$flavour: 1000 fork+exec+wait, each child's exit status right" \
		lg_is "$(lg_work "$dir" forkexec runs) $(lg_work "$dir" forkexec ok)" "1000 1000"
	lg_check "$flavour: 90% of the free memory written and read back, no page wrong" \
		lg_linux_memtouch "$dir" 90
	lg_check "$flavour: 10000 pipe round trips between two processes" \
		lg_is "$(lg_work "$dir" pingpong trips) $(lg_work "$dir" pingpong ok)" "10000 10000"
	lg_check "$flavour: a debugger single-steps a process 200 times, each a SIGTRAP" \
		lg_is "$(lg_work "$dir" singlestep steps) $(lg_work "$dir" singlestep ok)" "200 200"
	lg_check "$flavour: the Guest's clock trails the Host's by less than its boot took, and keeps pace (2 s)" \
		lg_linux_clock_check "$dir"
	lg_linux_clock_diag "$dir"
	lg_section linux "$dir/results.log" | grep -E '^@@WORK (forkexec|memtouch|pingpong|singlestep|meminfo|kernel)' | lg_diag
	lg_check "$flavour: the Guest reads our token from hvc0 and echoes it back" \
		lg_linux_has "$dir" "@@GUEST echo token=$token reversed=$(rev <<<"$token")"
	lg_linux_check_devices "$flavour" "$dir" "$reboot"
	[ -z "$other" ] || lg_linux_other_checks "$flavour" "$dir" "$other_paging"
	lg_check "$flavour: no virtio device needed a reset" lg_linux_no_resets "$dir"
	lg_check "$flavour: no host kernel warnings" lg_linux_no_warnings "$dir"
	if [ "$lg_tap_failed" -ne 0 ]; then
		lg_diag "the whole serial log ($dir/serial.log):"
		lg_text "$dir/serial.log" | lg_diag
	fi
	lg_finish
}

# ---- a real Linux Guest as a step of a conformance VM test (lib.sh)
#
# A .test that sources this file and sets LG_VM_LINUX has init.sh run, after
# its other steps and before rmmod, each Guest kernel it names: a word
# PAGING (non-pae or pae: bzImage-4.1.18-lguest or -pae from
# $LG_GUEST_KERNELS) gets linux-commands-other.txt (100 fork+exec, half the
# free memory, 1000 round trips), PAGING:full gets linux-commands.txt (the
# whole /workload.sh and a token to echo back), each with 64 MiB, the
# Guest's rootfs and console=hvc0, its output in the section linux-PAGING.
# That way a Host the VM tests boot anyway runs a real Guest too, for the
# price of the Guest's boot and workload instead of a VM of its own.

# lg_linux_kernel_for PAGING: the Guest kernel built for that paging mode.
lg_linux_kernel_for() {
	case "$1" in
	non-pae) echo bzImage-4.1.18-lguest ;;
	pae) echo bzImage-4.1.18-lguest-pae ;;
	*) return 1 ;;
	esac
}

# lg_linux_step_prepare FLAVOUR DIR: check LG_VM_LINUX's words, build the
# Guest's rootfs and each Guest's commands in DIR, and add them and the
# kernels to lg_initrd_extra.  Without a Guest kernel the step is skipped
# (one result saying so), and fails when CI=true.  Returns non-zero after
# reporting a failure.
lg_linux_step_prepare() {
	local flavour=$1 dir=$2 w paging load kernel gk token
	: "${LG_GUEST_KERNELS:=$top_srcdir/../shared/guest-kernels}"
	for w in $LG_VM_LINUX; do
		paging=${w%%:*}
		load=short
		[ "$w" = "$paging" ] || load=${w#*:}
		if ! kernel=$(lg_linux_kernel_for "$paging") || { [ "$load" != short ] && [ "$load" != full ]; }; then
			lg_ok 1 "$flavour: LG_VM_LINUX word '$w' is PAGING or PAGING:full, PAGING non-pae or pae"
			return 1
		fi
		gk=$LG_GUEST_KERNELS/$kernel
		if [ ! -f "$gk" ]; then
			if [ "${CI:-}" = true ]; then
				lg_ok 1 "$flavour: guest kernel $gk exists (set LG_GUEST_KERNELS)"
				return 1
			fi
			lg_ok 0 "$flavour: real Linux Guests # SKIP no guest kernel $gk: set LG_GUEST_KERNELS to a directory with $kernel (see ../shared/guest-kernels/README.md: Linux 4.1 with CONFIG_LGUEST_GUEST=y)"
			LG_VM_LINUX=''
			return 0
		fi
		rm -f "$dir/linux-$paging.token"
		if [ "$load" = full ]; then
			# The token comes from this run, so only a Guest that read it can echo it.
			token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
			echo "$token" >"$dir/linux-$paging.token"
			sed "s/^@TOKEN@\$/$token/" "$lg_vm_dir/linux-commands.txt" >"$dir/linux-$paging.commands"
		else
			cp "$lg_vm_dir/linux-commands-other.txt" "$dir/linux-$paging.commands"
		fi
		lg_initrd_extra+=(--extra "$gk:/linux-$paging.bzImage"
			--extra "$dir/linux-$paging.commands:/linux-$paging.commands")
	done
	if ! lg_linux_rootfs "$dir/guest-rootfs.gz"; then
		lg_ok 1 "$flavour: build guest-work for the Guest's rootfs"
		lg_diag <"$dir/guest-work.log"
		return 1
	fi
	lg_initrd_extra+=(--extra "$dir/guest-rootfs.gz:/guest-rootfs.gz")
}

# lg_linux_step_checks TAG DIR: what each Guest of LG_VM_LINUX did, from
# its section of results.log.  (The Host's log is checked with the rest.)
lg_linux_step_checks() {
	local tag=$1 dir=$2 w paging load sec stats forks pct trips token t
	for w in $LG_VM_LINUX; do
		paging=${w%%:*}
		load=short forks=100 pct=50 trips=1000
		if [ "$w" != "$paging" ]; then
			load=full forks=1000 pct=90 trips=10000
		fi
		sec=linux-$paging
		t="$tag: Linux $paging Guest ($load workload)"
		stats=2level
		[ "$paging" = non-pae ] || stats=pae
		lg_check "$t: the Launcher exits 0 (the Guest powered off; was $(lg_rc "$sec" "$dir/results.log"))" \
			lg_is "$(lg_rc "$sec" "$dir/results.log")" 0
		lg_check "$t: its early console prints the banner once" \
			lg_is "$(lg_linux_count_in "$sec" "$dir" "Linux version 4.1.18")" 1
		lg_check "$t: virtio_pci binds the console" \
			lg_linux_has_in "$sec" "$dir" "virtio-pci 0000:00:01.0: enabling device"
		lg_check "$t: /init runs, and a shell on hvc0 reads our commands from the Launcher's stdin" \
			lg_linux_has_in "$sec" "$dir" "@@GUEST shell on /dev/hvc0"
		lg_check "$t: kernel 4.1.18 with $paging paging" \
			lg_is "$(lg_work_in "$sec" "$dir" kernel release) $(lg_work_in "$sec" "$dir" kernel paging)" \
			"4.1.18 $paging"
		lg_check "$t: lg.ko reads its page tables as $stats (--stats)" \
			grep -qx "guest_paging $stats" < <(lg_section "$sec" "$dir/results.log")
		lg_check "$t: the Switcher handed it page faults of its own without a Host exit (--stats fast_page_faults $(lg_section "$sec" "$dir/results.log" | lg_stat_value fast_page_faults))" \
			lg_stat_positive fast_page_faults < <(lg_section "$sec" "$dir/results.log")
		lg_check "$t: lg.ko held its early console's port writes for the Launcher (--stats held_port_writes $(lg_section "$sec" "$dir/results.log" | lg_stat_value held_port_writes))" \
			lg_stat_positive held_port_writes < <(lg_section "$sec" "$dir/results.log")
		lg_check "$t: lg.ko answered its virtio interrupt status reads itself (--stats isr_reads $(lg_section "$sec" "$dir/results.log" | lg_stat_value isr_reads))" \
			lg_stat_positive isr_reads < <(lg_section "$sec" "$dir/results.log")
		lg_check "$t: MemTotal is within 8 MiB below the 64 MiB given" \
			lg_linux_memtotal "$dir" 64 "$sec"
		lg_check "$t: $forks fork+exec+wait, each child's exit status right" \
			lg_is "$(lg_work_in "$sec" "$dir" forkexec runs) $(lg_work_in "$sec" "$dir" forkexec ok)" "$forks $forks"
		lg_check "$t: $pct% of the free memory written and read back, no page wrong" \
			lg_linux_memtouch "$dir" "$pct" "$sec"
		lg_check "$t: $trips pipe round trips between two processes" \
			lg_is "$(lg_work_in "$sec" "$dir" pingpong trips) $(lg_work_in "$sec" "$dir" pingpong ok)" "$trips $trips"
		lg_check "$t: /workload.sh ends with every job checked out" \
			lg_is "$(lg_work_in "$sec" "$dir" end status)" 0
		if [ "$load" = full ]; then
			token=$(cat "$dir/linux-$paging.token" 2>/dev/null || true)
			lg_check "$t: the Guest reads our token from hvc0 and echoes it back" \
				lg_linux_has_in "$sec" "$dir" "@@GUEST echo token=$token reversed=$(rev <<<"$token")"
		fi
		lg_check "$t: no virtio device needed a reset" \
			lg_linux_no_resets_in "$sec" "$dir"
		lg_section "$sec" "$dir/results.log" |
			grep -E '^@@WORK (forkexec|memtouch|pingpong|meminfo)|^(exits|page_faults|hypercalls) ' | lg_diag
		tr -d '\r' <"$dir/results.log" | grep -E "^@@LG END $sec rc=" | lg_diag
	done
}
