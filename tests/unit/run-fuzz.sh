#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run-fuzz.sh BINARY: run one libFuzzer target (a
# tests/unit/libfuzzer_NAME.fuzz that make built) for LG_FUZZ_SECONDS
# seconds, starting from its seed corpus tests/unit/corpus/NAME/, and
# print TAP: ok with the number of executions, or not ok with the crash
# report.  make check runs every target through this (the .fuzz tests);
# make fuzz runs them longer, with LG_FUZZ_CORPUS naming a directory that
# keeps the inputs found from one run to the next.  What a run finds goes
# to tests/unit/fuzz-out/NAME/ in the build tree: the new inputs (unless
# LG_FUZZ_CORPUS), libFuzzer's log, and the input of a crash, which
# replays with: BINARY tests/unit/fuzz-out/NAME/crash-...
set -uo pipefail

bin=${1:?usage: run-fuzz.sh tests/unit/libfuzzer_NAME.fuzz}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
secs=${LG_FUZZ_SECONDS:-30}
name=${bin##*/}
name=${name#libfuzzer_}
name=${name%.fuzz}
seeds=$top_srcdir/tests/unit/corpus/$name
out=$top_builddir/tests/unit/fuzz-out/$name
corpus=${LG_FUZZ_CORPUS:-$out/corpus}

echo "1..1"
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
	echo "not ok 1 - $name: LG_FUZZ_SECONDS=$secs is not a number of seconds; give one such as 30"
	exit 1
fi
nseeds=$(find "$seeds" -maxdepth 1 -type f 2>/dev/null | wc -l)
if [ "$nseeds" -eq 0 ]; then
	echo "not ok 1 - $name: no seeds in $seeds; run tests/unit/corpus/make-seeds.py"
	exit 1
fi
rm -rf "$out"
mkdir -p "$out" "$corpus"

# One CPU of the machine's for the run, as a VM test takes (cpu-slots.sh).
# shellcheck source-path=SCRIPTDIR source=../vm/cpu-slots.sh
. "$top_srcdir/tests/vm/cpu-slots.sh"
lg_take_cpus 1

# -close_fd_mask=3: the devices' complaints about hostile Guests would fill
# the log; libFuzzer keeps its own copy of stderr for its reports.  Every
# input finishes in microseconds, so one that takes 10 s is a hang.
rc=0
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
	-print_final_stats=1 -artifact_prefix="$out/" "$corpus" "$seeds" \
	>"$out/log" 2>&1 || rc=$?
lg_give_cpus
execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$out/log")
found=$(awk '/^stat::new_units_added:/ { print $2 }' "$out/log")
crash=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o \
	-name 'timeout-*' -o -name 'oom-*' \) | head -n 1)

if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ -z "$crash" ]; then
	echo "ok 1 - $name: $execs executions in ${secs} s from $nseeds seeds (${found:-0} new inputs), no crash"
	exit 0
fi
echo "not ok 1 - $name: libFuzzer exit $rc after ${execs:-?} executions${crash:+; replay: $bin $crash}"
sed -n '/ERROR\|==ERROR\|SUMMARY\|deadly signal\|#[0-9]* 0x/p' "$out/log" | head -n 40 | sed 's/^/# /'
echo "# the whole log: $out/log"
exit 1
