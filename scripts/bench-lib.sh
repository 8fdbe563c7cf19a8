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

# What each row compares: "<label>|<run>:<name>|<native name>".  A Guest
# primitive is set against the native operation that does the same job for
# a Linux process (the targets of issue 9 use these pairs).
bench_pairs=(
	"direct-trap syscall (int \$0x80 from ring 3)|guest:syscall|syscall"
	"hypercall round trip|guest:hcall|syscall"
	"async-ring hypercall, per call (32 a batch)|guest:async-hcall|syscall"
	"#PF reflected to a Guest handler|guest:reflect-pf|protfault"
	"demand fault fixed by the Host|guest:demand-fault|anonfault"
	"user fault, Guest handler with SET_PTE|guest:user-fault|anonfault"
	"NEW_PGTABLE, warm cache|guest:pgtable-warm|pipe"
	"NEW_PGTABLE, cold cache|guest:pgtable-cold|pipe"
	"virtual IRQ, pending to handler and back|guest:irq|eventfd"
	"Launcher exit (port I/O)|guest:launcher-exit|pipe"
	"Linux Guest: int \$0x80 getppid|linux:syscall|syscall"
	"Linux Guest: anonymous page fault|linux:anonfault|anonfault"
	"Linux Guest: mprotect fault + SIGSEGV|linux:protfault|protfault"
	"Linux Guest: pipe context switch|linux:pipe|pipe"
	"Linux Guest: read() of /dev/zero|linux:readzero|readzero"
	"Linux Guest: eventfd wake of a thread|linux:eventfd|eventfd"
	"Linux Guest: fork+exit+wait|linux:forkexit|forkexit"
	"Linux Guest: fork+exec+wait|linux:forkexec|forkexec"
)

# bench_names: every name BENCH= may take, each once.
bench_names() {
	local pair what
	for pair in "${bench_pairs[@]}"; do
		what=${pair#*|}
		echo "${what%|*}" | cut -d: -f2
		echo "${what#*|}"
	done | awk '!seen[$0]++'
}

bench_known() {
	bench_names | grep -qxF -- "$1"
}

# bench_cycles LOG RUN NAME: the median cycles RUN printed for NAME.
bench_cycles() {
	awk -v run="$2" -v name="$3" '
		$1 == "@@LG" && $2 == "BEGIN" { cur = $3; next }
		$1 == "@@LG" && $2 == "END" { cur = ""; next }
		cur == run && $1 == "@@BENCH" && $2 == name {
			for (i = 3; i <= NF; i++)
				if ($i ~ /^cycles=/)
					v = substr($i, 8)
		}
		END { print v }' "$1"
}

# bench_ratio GUEST NATIVE: GUEST / NATIVE with two decimals, "-" if either
# is missing or NATIVE is 0.
bench_ratio() {
	awk -v g="$1" -v n="$2" 'BEGIN {
		if (g !~ /^[0-9]+$/ || n !~ /^[0-9]+$/ || n == 0) print "-"
		else printf "%.2f\n", g / n
	}'
}

# bench_rows LOG [ONLY]: "label|guest|native|ratio" for each pair LOG has a
# number for; with ONLY (make bench BENCH=ONLY), the pairs whose Guest side
# is ONLY.
bench_rows() {
	local pair label what nat g n only=${2:-}
	for pair in "${bench_pairs[@]}"; do
		label=${pair%%|*}
		what=${pair#*|}
		nat=${what#*|}
		what=${what%|*}
		[ -z "$only" ] || [ "${what#*:}" = "$only" ] || continue
		g=$(bench_cycles "$1" "${what%%:*}" "${what#*:}")
		n=$(bench_cycles "$1" native "$nat")
		[ -n "$g" ] || [ -n "$n" ] || continue
		echo "$label|${g:--}|${n:--}|$(bench_ratio "$g" "$n")"
	done
}

# bench_stats LOG RUN: the exit counters lg.ko gave for RUN, one line.
bench_stats() {
	awk -v run="$2" '
		$1 == "@@LG" && $2 == "BEGIN" { cur = $3; next }
		$1 == "@@LG" && $2 == "END" { cur = ""; next }
		cur == run && $1 ~ /^(exits|hypercalls|async_hypercalls|launcher_exits|page_faults|irqs_delivered|halts|new_pgtables|pgtable_misses)$/ && NF == 2 {
			printf "%s%s=%s", sep, $1, $2; sep = " "
		}
		cur == run && $1 == "trap" && NF == 3 { printf "%strap%s=%s", sep, $2, $3; sep = " " }
		END { print "" }' "$1"
}

# bench_report FLAVOUR LOG OUTDIR: the table on stdout, OUTDIR/FLAVOUR.md
# and OUTDIR/FLAVOUR.csv.
bench_report() {
	local flavour=$1 log=$2 out=$3 rows run
	rows=$(bench_rows "$log" "${BENCH:-}")
	{
		echo "### $flavour"
		echo
		echo "| what | guest (cycles) | native (cycles) | guest ÷ native |"
		echo "|---|---:|---:|---:|"
		[ -z "$rows" ] || awk -F'|' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' <<<"$rows"
		echo
		for run in guest linux; do
			echo "lg.ko counters, $run run: $(bench_stats "$log" "$run")"
			echo
		done
	} >"$out/$flavour.md"
	{
		echo "flavour,what,guest_cycles,native_cycles,ratio"
		[ -z "$rows" ] || awk -F'|' -v f="$flavour" '{ printf "%s,\"%s\",%s,%s,%s\n", f, $1, $2, $3, $4 }' <<<"$rows"
	} >"$out/$flavour.csv"
	echo "== $flavour"
	{
		echo "what|guest|native|ratio"
		[ -z "$rows" ] || echo "$rows"
	} | column -t -s '|'
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
		[ -f "$out/$f.csv" ] || continue
		# The label is quoted and may hold commas: the ratio is the last field.
		awk -F, -v f="$f" 'NR > 1 && $NF != "-" {
			label = $0
			sub(/^[^,]*,"/, "", label)
			sub(/",[^"]*$/, "", label)
			printf "\"%s: %s\" %s\n", f, label, $NF
		}' "$out/$f.csv" >>"$out/ratios.dat"
	done
	[ -s "$out/ratios.dat" ] || return 0
	gnuplot <<EOF
set terminal png size 1200,900 noenhanced
set output '$out/ratios.png'
set title 'lguest: guest / native cycles, same VM boot (lower is better)'
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
