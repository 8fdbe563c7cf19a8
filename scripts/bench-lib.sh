# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-lib.sh - turning one bench VM's results.log into make bench's
# tables (scripts/bench.sh); scripts/bench-lib.test checks it.
#
# results.log holds, between "@@LG BEGIN <run>" and "@@LG END <run>"
# markers, "@@BENCH <name> cycles=<n> ..." lines of three runs: native (on
# the Host kernel), guest (the conformance Guest's primitives) and linux
# (native.c inside a Linux Guest), and the --stats counters of the two
# Guest runs ("exits 123", ...).

# What each row compares: "<label>|<run>:<name>|<native name>|<twin>",
# <twin> saying in words what the native number is.  Each Guest primitive
# is set against the native operation that does the same job for a Linux
# process, the pairs issue 9's targets name:
#   hypercall (and the async ring) : int $0x80, the native way into a kernel;
#   #PF reflected to the Guest     : a fault a user SIGSEGV handler fixes;
#   demand and user faults         : a fresh anonymous page fault;
#   NEW_PGTABLE                    : one pipe context switch (per switch,
#                                    as NEW_PGTABLE is per load);
#   virtual IRQ                    : an eventfd wake of a waiting thread;
#   Launcher exit                  : the mprotect fault + SIGSEGV handler:
#     both are a trap the kernel hands up to user code of the same thread
#     (the Launcher; the signal handler), which does a system call's worth
#     of work and returns; no scheduler switch in either, unlike a pipe.
# A Linux Guest row is the same native.c benchmark, in the Guest.
bench_pairs=(
	"direct-trap syscall (int \$0x80 from ring 3)|guest:syscall|syscall|int \$0x80 getppid"
	"hypercall round trip|guest:hcall|syscall|int \$0x80 getppid"
	"async-ring hypercall, per call (32 a batch)|guest:async-hcall|syscall|int \$0x80 getppid"
	"#PF reflected to a Guest handler|guest:reflect-pf|protfault|mprotect fault + SIGSEGV handler"
	"demand fault fixed by the Host (per page, touched in order)|guest:demand-fault|anonfault|anonymous page fault"
	"demand fault fixed by the Host, one page in each 64 KiB|guest:demand-lone|anonfault|anonymous page fault"
	"user fault, Guest handler with SET_PTE|guest:user-fault|anonfault|anonymous page fault"
	"NEW_PGTABLE, warm cache|guest:pgtable-warm|pipe|pipe context switch"
	"NEW_PGTABLE, cold cache|guest:pgtable-cold|pipe|pipe context switch"
	"virtual IRQ, pending to handler and back|guest:irq|eventfd|eventfd wake of a thread"
	"Launcher exit (port I/O emulated in the Launcher)|guest:launcher-exit|protfault|mprotect fault + SIGSEGV handler"
	"Linux Guest: int \$0x80 getppid|linux:syscall|syscall|the same, on the Host"
	"Linux Guest: anonymous page fault|linux:anonfault|anonfault|the same, on the Host"
	"Linux Guest: mprotect fault + SIGSEGV|linux:protfault|protfault|the same, on the Host"
	"Linux Guest: pipe context switch|linux:pipe|pipe|the same, on the Host"
	"Linux Guest: read() of /dev/zero|linux:readzero|readzero|the same, on the Host"
	"Linux Guest: eventfd wake of a thread|linux:eventfd|eventfd|the same, on the Host"
	"Linux Guest: fork+exit+wait|linux:forkexit|forkexit|the same, on the Host"
	"Linux Guest: fork+exec+wait|linux:forkexec|forkexec|the same, on the Host"
	"Linux Guest: compile-like mix, per job|linux:mix|mix|the same, on the Host"
	"Linux Guest: virtqueue kick to completion IRQ (O_DIRECT 4 KiB read of /dev/vda)|linux:blk-kick|blk-kick|Host pread() of that block of the image"
	"Linux Guest: virtio-blk sequential 4 KiB reads (per read: throughput is its inverse)|linux:blk-seq|blk-seq|Host sequential pread() of the image"
	"Linux Guest: virtio-blk random 4 KiB reads (per read: throughput is its inverse)|linux:blk-rand|blk-rand|Host random pread() of the image"
	"Linux Guest: TCP to the Host over virtio-net, per 64 KiB|linux:tcp|tcp|TCP over loopback on the Host"
)

# bench_names: every name BENCH= may take, each once.
bench_names() {
	local pair
	for pair in "${bench_pairs[@]}"; do
		echo "$pair" | cut -d'|' -f2 | cut -d: -f2
		echo "$pair" | cut -d'|' -f3
	done | awk '!seen[$0]++'
}

bench_known() {
	bench_names | grep -qxF -- "$1"
}

# bench_field LOG RUN NAME [FIELD]: FIELD (default cycles, the median) of
# the line RUN printed for NAME.
bench_field() {
	awk -v run="$2" -v name="$3" -v field="${4:-cycles}=" '
		$1 == "@@LG" && $2 == "BEGIN" { cur = $3; next }
		$1 == "@@LG" && $2 == "END" { cur = ""; next }
		cur == run && $1 == "@@BENCH" && $2 == name {
			for (i = 3; i <= NF; i++)
				if (index($i, field) == 1)
					v = substr($i, length(field) + 1)
		}
		END { print v }' "$1"
}

bench_cycles() {
	bench_field "$1" "$2" "$3" cycles
}

# bench_ratio GUEST NATIVE: GUEST / NATIVE with two decimals, "-" if either
# is missing or NATIVE is 0.
bench_ratio() {
	awk -v g="$1" -v n="$2" 'BEGIN {
		if (g !~ /^[0-9]+$/ || n !~ /^[0-9]+$/ || n == 0) print "-"
		else printf "%.2f\n", g / n
	}'
}

# bench_rows LOG [ONLY]: "label|twin|guest|gmin|gmax|native|nmin|nmax|ratio"
# for each pair LOG has a number for (the medians, and the extremes of the
# repetitions, so the noise shows); with ONLY (make bench BENCH=ONLY), the
# pairs whose Guest side is ONLY.
bench_rows() {
	local pair label run name nat twin g n only=${2:-}
	for pair in "${bench_pairs[@]}"; do
		IFS='|' read -r label run nat twin <<<"$pair"
		name=${run#*:}
		run=${run%%:*}
		[ -z "$only" ] || [ "$name" = "$only" ] || continue
		g=$(bench_cycles "$1" "$run" "$name")
		n=$(bench_cycles "$1" native "$nat")
		[ -n "$g" ] || [ -n "$n" ] || continue
		echo "$label|$twin|${g:--}|$(bench_field "$1" "$run" "$name" min)|$(bench_field "$1" "$run" "$name" max)|${n:--}|$(bench_field "$1" native "$nat" min)|$(bench_field "$1" native "$nat" max)|$(bench_ratio "$g" "$n")"
	done
}

# bench_boot_line LOG: the Linux Guest's boot, Launcher start to its /init,
# and the Host VM's own boot to /init, in seconds; empty without them.
bench_boot_line() {
	local g h
	g=$(bench_field "$1" linux boot seconds)
	h=$(bench_field "$1" boot host-boot seconds)
	[ -n "$g" ] || return 0
	echo "Linux Guest boot, Launcher start to /init: ${g} s (no native twin; the Host VM's own boot to /init, a different kernel with different devices under QEMU: ${h:-?} s)"
}

# bench_stats LOG RUN: the exit counters lg.ko gave for RUN, one line.
bench_stats() {
	awk -v run="$2" '
		BEGIN {
			split("0 FLUSH_ASYNC 1 LGUEST_INIT 2 SHUTDOWN 4 NEW_PGTABLE 5 FLUSH_TLB 6 LOAD_IDT_ENTRY 7 SET_STACK 8 TS 9 SET_CLOCKEVENT 10 HALT 13 SET_PMD 14 SET_PTE 15 SET_PGD 16 LOAD_TLS 18 LOAD_GDT_ENTRY 19 SEND_INTERRUPTS", w, " ")
			for (i = 1; i in w; i += 2)
				hc[w[i]] = w[i + 1]
		}
		$1 == "@@LG" && $2 == "BEGIN" { cur = $3; next }
		$1 == "@@LG" && $2 == "END" { cur = ""; next }
		cur == run && $1 ~ /^(exits|hypercalls|async_hypercalls|launcher_exits|page_faults|fast_page_faults|demand_fixed|faulted_around|held_port_writes|isr_reads|irqs_delivered|halts|new_pgtables|pgtable_misses)$/ && NF == 2 {
			printf "%s%s=%s", sep, $1, $2; sep = " "
		}
		cur == run && $1 == "trap" && NF == 3 { printf "%strap%s=%s", sep, $2, $3; sep = " " }
		# "hcall <nr> <all> async <from the ring>" (the ring'"'"'s are in
		# both): by name, as NAME=<straight>+<ring>a.
		cur == run && $1 == "hcall" && NF == 5 && $4 == "async" {
			printf "%s%s=%d+%da", sep, ($2 in hc) ? hc[$2] : "hcall" $2, $3 - $5, $5; sep = " "
		}
		END { print "" }' "$1"
}

# bench_spread MEDIAN MIN MAX: "MEDIAN (MIN..MAX)", or "-".
bench_spread() {
	if [ "$1" = - ] || [ -z "$1" ]; then
		echo -
	elif [ -n "$2" ] && [ -n "$3" ]; then
		echo "$1 ($2..$3)"
	else
		echo "$1"
	fi
}

# bench_report FLAVOUR LOG OUTDIR: the table on stdout, OUTDIR/FLAVOUR.md,
# OUTDIR/FLAVOUR.csv and OUTDIR/FLAVOUR.ratios (the chart's data).
bench_report() {
	local flavour=$1 log=$2 out=$3 rows run boot label twin g gmin gmax n nmin nmax ratio
	rows=$(bench_rows "$log" "${BENCH:-}")
	boot=$(bench_boot_line "$log")
	{
		echo "### $flavour"
		echo
		echo "| what | compared with (native) | guest cycles, median (min..max) | native cycles, median (min..max) | guest ÷ native |"
		echo "|---|---|---:|---:|---:|"
		while IFS='|' read -r label twin g gmin gmax n nmin nmax ratio; do
			[ -n "$label" ] || continue
			echo "| $label | $twin | $(bench_spread "$g" "$gmin" "$gmax") | $(bench_spread "$n" "$nmin" "$nmax") | $ratio |"
		done <<<"$rows"
		echo
		[ -z "$boot" ] || { echo "$boot"; echo; }
		for run in guest linux; do
			echo "lg.ko counters, $run run: $(bench_stats "$log" "$run")"
			echo
		done
	} >"$out/$flavour.md"
	{
		echo "flavour,what,compared_with,guest_cycles,guest_min,guest_max,native_cycles,native_min,native_max,ratio"
		while IFS='|' read -r label twin g gmin gmax n nmin nmax ratio; do
			[ -n "$label" ] || continue
			printf '%s,"%s","%s",%s,%s,%s,%s,%s,%s,%s\n' "$flavour" "$label" "$twin" \
				"$g" "$gmin" "$gmax" "$n" "$nmin" "$nmax" "$ratio"
		done <<<"$rows"
	} >"$out/$flavour.csv"
	# The chart's labels: short enough to leave the bars room.
	awk -F'|' -v f="$flavour" '$9 != "-" && $9 != "" {
		label = $1
		sub(/^Linux Guest: /, "Linux: ", label)
		sub(/ \(.*\)$/, "", label)
		printf "\"%s: %s\" %s\n", f, label, $9
	}' <<<"$rows" >"$out/$flavour.ratios"
	echo "== $flavour"
	{
		echo "what|native twin|guest|native|ratio"
		[ -z "$rows" ] || awk -F'|' '{ printf "%s|%s|%s|%s|%s\n", $1, $2, $3, $6, $9 }' <<<"$rows"
	} | column -t -s '|'
	[ -z "$boot" ] || echo "$boot"
	for run in guest linux; do
		echo "counters ($run): $(bench_stats "$log" "$run")"
	done
}

# bench_chart OUTDIR FLAVOUR...: OUTDIR/ratios.png, a bar chart of every
# flavour's ratios, when gnuplot is there (it is optional).
bench_chart() {
	local out=$1 f
	shift
	command -v gnuplot >/dev/null || {
		echo "(no gnuplot: no chart; apt-get install gnuplot-nox for $out/ratios.png)"
		return 0
	}
	: >"$out/ratios.dat"
	for f in "$@"; do
		[ ! -f "$out/$f.ratios" ] || cat "$out/$f.ratios" >>"$out/ratios.dat"
	done
	[ -s "$out/ratios.dat" ] || return 0
	gnuplot <<EOF
set terminal png size 1100,1000 noenhanced
set output '$out/ratios.png'
set title 'lguest: guest / native cycles in one VM boot (lower is better; 1 = native)'
set style fill solid
set boxwidth 0.7
set logscale x
set ytics nomirror
set grid xtics
set xlabel 'ratio (log scale)'
set yrange [-1:*]
plot '$out/ratios.dat' using 2:0:(1):2:(\$0-0.35):(\$0+0.35):ytic(1) with boxxyerror notitle
EOF
	echo "chart: $out/ratios.png"
}
