#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/test-all.sh: from a fresh clone to a tested tree, as root on
# Debian 12.  This is the README's test command, and .ci/run runs exactly it.
#
#   1. scripts/install-deps.sh (compilers, qemu, both i386 kernel headers)
#   2. ./autogen.sh && ./configure && make -j2 && make -jN check, N the
#      machine's CPUs (the VM tests share them out: tests/vm/cpu-slots.sh)
#   3. the log of every test that failed, then one line
#      "tests: N passed, M failed, K skipped"
#
# N, M and K count single results: every TAP line of a VM test, every unit
# test program.  A VM or packaging test that is skipped as a whole counts as
# failed: the point of this command is that the Guest ran under lg.ko in
# each VM, and under the lg.ko that DKMS built from the package.
# Exit status 0 only if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "test-all: $*" >&2; }

./scripts/install-deps.sh

# Results of an earlier run must not be counted if this one fails early.
rm -f tests/*.trs tests/*/*.trs scripts/*.trs

build_ok=yes
check_ok=yes
if ./autogen.sh && ./configure && make -j2; then
	check_start=$(date +%s)
	make -j"$(nproc)" check || check_ok=no
	check_secs=$(($(date +%s) - check_start))
else
	build_ok=no
	say "the build failed (see above)"
fi

# Count the results in the automake .trs files.
passed=0 failed=0 skipped=0
failed_logs=()
shopt -s nullglob
for trs in tests/*.trs tests/*/*.trs scripts/*.trs; do
	read -r p f s < <(awk '
		$1 == ":test-result:" && $2 == "PASS"			{ p++ }
		$1 == ":test-result:" && $2 == "XFAIL"			{ p++ }
		$1 == ":test-result:" && ($2 == "FAIL" || $2 == "XPASS" || $2 == "ERROR") { f++ }
		$1 == ":test-result:" && $2 == "SKIP"			{ s++ }
		END { print p + 0, f + 0, s + 0 }' "$trs")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	global=$(awk '$1 == ":global-test-result:" { print $2 }' "$trs")
	case $global in
	FAIL | ERROR | XPASS) failed_logs+=("${trs%.trs}.log") ;;
	esac
done

# Every VM test and packaging test must have run, and not been skipped as
# a whole.
for t in tests/vm/*.test tests/pkg/*.test; do
	trs=${t%.test}.trs
	if [ ! -f "$trs" ]; then
		say "$t did not run"
		failed=$((failed + 1))
	elif grep -qx ':global-test-result: SKIP' "$trs"; then
		say "$t was skipped as a whole; it has to run"
		failed=$((failed + 1))
		failed_logs+=("${t%.test}.log")
	fi
done

if [ "$build_ok" = no ]; then
	failed=$((failed + 1))
elif [ "$check_ok" = no ] && [ "$failed" -eq 0 ]; then
	say "make check failed without a failing test (see above)"
	failed=$((failed + 1))
fi

for log in "${failed_logs[@]}"; do
	echo
	echo "======== $log (last 400 lines) ========"
	tail -n 400 "$log" || true
done

# A CI printout may keep only the start and the end of all that: repeat
# each failed check with the diagnostics right after it (for a VM test,
# the host kernel's complaints) where the end will show them.
for log in "${failed_logs[@]}"; do
	echo
	echo "======== $log: the failed checks ========"
	awk '/^not ok / { n = 12; print; next }
	     n > 0 && /^# / { print; n--; next }
	     /^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): / { next }
	     { n = 0 }' "$log" | head -n 60 || true
done

# How long each test took, slowest first, so that a make check creeping
# toward CI's limit shows where the time went.  The TAP driver opens a
# test's .log as the test starts and writes its .trs when it ends; a file
# system that keeps no birth time (stat %W of 0) leaves the table out.
test_times() {
	local trs log born ended
	for trs in tests/*.trs tests/*/*.trs scripts/*.trs; do
		log=${trs%.trs}.log
		[ -f "$log" ] || continue
		born=$(stat -c %W "$log")
		ended=$(stat -c %Y "$trs")
		[ "$born" -gt 0 ] || return 0
		echo "$((ended - born)) ${trs%.trs}"
	done | sort -rn
}
times=$(test_times)
if [ -n "$times" ]; then
	echo
	echo "======== seconds per test, slowest first (all: $(awk '{ s += $1 } END { print s }' <<<"$times") s; make check: ${check_secs:-?} s of wall time) ========"
	echo "(tests run side by side, one per CPU: a test's seconds include any wait for the CPUs its VM needs)"
	awk '$1 >= 5 || NR <= 10 { printf "%6d  %s\n", $1, $2 }' <<<"$times"
fi
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
