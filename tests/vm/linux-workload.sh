#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-workload.sh: /workload.sh of the real Linux Guest (vm-linux-*.test,
# and any test that wants a Guest to do some honest work).  Every line it
# prints for the test starts with "@@WORK " and holds key=value words:
#
#   @@WORK begin
#   @@WORK clock n=1 epoch=SECONDS      the Guest's wall clock, here and
#   @@WORK kernel release=R paging=pae|non-pae phys_bits=B ptes_per_table=P
#   @@WORK meminfo total_kb=K free_kb=F avail_kb=A low_kb=L
#   @@WORK forkexec runs=1000 ok=1000 ms=T        (guest-work.c)
#   @@WORK memtouch avail_kb=A pct=90 touched_kb=K pages=N mismatches=0 ms=T
#   @@WORK pingpong trips=10000 ok=10000 ms=T
#   @@WORK singlestep steps=200 ok=200
#   @@WORK clock n=2 epoch=SECONDS      ... again at the end
#   @@WORK end status=0                 0 if every job above checked out
#
# The "@@WORK clock" lines are what a Host watching the console can stamp
# with its own time (linux-host-init.sh does).  Arguments, all optional:
#   workload.sh [FORKS [MEM_PCT [TRIPS]]]   (defaults 1000 90 10000)
PATH=/bin
export PATH
forks=${1:-1000}
mem_pct=${2:-90}
trips=${3:-10000}
status=0

work() {
	echo "@@WORK $*"
}

# meminfo FIELD: a /proc/meminfo field, in kB.
meminfo() {
	sed -n "s/^$1: *\\([0-9]*\\) kB\$/\\1/p" /proc/meminfo
}

# The paging mode, from two things the kernel printed at boot that follow
# from it: the highest page frame its page tables can address (e820's
# max_arch_pfn: 2^20 with 32-bit physical addresses, 2^24 with PAE's 36)
# and the size of the kmap window, one page table's worth of pages (1024
# four-byte PTEs, or 512 eight-byte PAE ones).  Both must agree.
paging() {
	pfn=$(dmesg | sed -n 's/.*max_arch_pfn = \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
	pkmap=$(dmesg | sed -n 's/.*pkmap *: .*( *\([0-9]*\) kB).*/\1/p' | head -n 1)
	phys_bits=unknown
	case "$pfn" in
	0x100000) phys_bits=32 ;;
	0x1000000) phys_bits=36 ;;
	esac
	ptes=unknown
	[ -z "$pkmap" ] || ptes=$((pkmap / 4))
	mode=unknown
	if [ "$phys_bits" = 32 ] && [ "$ptes" = 1024 ]; then
		mode=non-pae
	elif [ "$phys_bits" = 36 ] && [ "$ptes" = 512 ]; then
		mode=pae
	fi
	echo "paging=$mode phys_bits=$phys_bits ptes_per_table=$ptes"
}

# run WHAT...: one guest-work job; a failure fails the workload.
run() {
	/bin/guest-work "$@" || {
		work "failed job=$1 rc=$?"
		status=1
	}
}

work begin
work "clock n=1 epoch=$(date +%s)"
work "kernel release=$(uname -r) $(paging)"
work "meminfo total_kb=$(meminfo MemTotal) free_kb=$(meminfo MemFree) avail_kb=$(meminfo MemAvailable) low_kb=$(meminfo LowTotal)"
run forkexec "$forks"
run memtouch "$mem_pct"
run pingpong "$trips"
run singlestep 200
work "clock n=2 epoch=$(date +%s)"
work "end status=$status"
exit "$status"
