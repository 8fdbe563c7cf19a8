#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# init.sh: the /init of the VM tests, run by busybox's sh as PID 1.
#
# The kernel command line chooses what we do:
#   lgtest=full      insmod lg.ko, check /dev/lguest, run /devtest, run the
#                    test Guest once with --stats, run it again with
#                    lgtest=badhcall (it must die), rmmod, dump dmesg
#   lgtest=repeat20  the same, and the Guest 20 more times, each run's TAP
#                    compared with the first
#   lgtest=nmi       the same as full, but the harness injects NMIs while
#                    the Guest runs, and we report how many the kernel saw
#   lgtest=mce       the same with machine checks instead of NMIs
#   lgtest=demo      insmod, the Guest once on the console, rmmod
#   lgres=ttyS1      a second serial port that gets a copy of everything we
#                    print (the harness parses that clean copy; the console
#                    also carries the kernel's messages)
#   lgtimeout=SECS   how long one Guest run may take before it is killed
#   lgextra=A,B      optional steps: hostile-launcher (the conformance Guest
#                    under each mode of /hostile-launcher), fpuhog (the
#                    conformance Guest, under /hostile-launcher fpu, and
#                    /fpuhog sharing CPU 0), pty (the Launcher on a
#                    pseudo-terminal: run_pty)
#   unknown_nmi_panic panic_on_warn=1   the kernel's own; we check they took
# and the initramfs may hold real Linux Guests, /linux-*.bzImage, which run
# as one more step before rmmod (run_linux_guests).
#
# What we print is framed by markers the harness looks for:
#   @@LG BEGIN <name> ... @@LG END <name> rc=<exit status> t=<uptime>s
#   @@LG STEP devnode rc=<0|1> dev=<major>:<minor> mode=<octal> owner=<uid>:<gid>
#   @@LG REPEAT <n> rc=<exit status> tap=<same|differs> t=<uptime>s
#   @@LG KILLED <how> rc=<Launcher exit status>
#   @@LG PARALLEL <n> rc=<exit status> tap=<same|differs>
#   @@LG HOSTILE <name> rc=<Launcher exit status> reason=<found|missing>
#   @@LG NMI START / @@LG NMI STOP (the harness injects NMIs in between)
#   @@LG STEP nmi rc=0 before=<count> after=<count> cpus=<n> (or STEP mce)
#   @@LG STEP sysctls rc=<0|1> unknown_nmi_panic=<v> panic_on_warn=<v>
#   @@LG HOSTILE-UNDER <name> mode=<mode> rc=<exit status> reason=<found|missing>
#   @@LG HOSTILE-LAUNCHER <mode> rc=<exit status> tap=<same|differs>
#   @@LG FPUHOG rc=<exit status> tap=<same|differs> hog=<fpuhog's exit status>
#
# There is no `set -e`: PID 1 must never exit (the kernel would panic), and
# after a failed step we still want the rest, dmesg above all.  We always end
# in a power-off.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

scenario=full
res=/dev/null
limit=120
extra=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	lgtest=*) scenario=${arg#*=} ;;
	lgres=*) res=/dev/${arg#*=} ;;
	lgtimeout=*) limit=${arg#*=} ;;
	lgextra=*) extra=${arg#*=} ;;
	esac
done
# A failed redirection on `exec` would end this shell, so try it first.
if ! (true >"$res") 2>/dev/null; then
	res=/dev/null
fi
exec 3>"$res"

# A task stuck in the module should be reported while the VM still runs.
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

failed=0

# now: seconds since boot, to put on the markers.
now() {
	read -r up _ </proc/uptime
	echo "${up}s"
}

# say TEXT: to the console and to the results port.
say() {
	echo "$*"
	echo "$*" >&3
}

# run NAME COMMAND...: run COMMAND between markers, its output (stdout and
# stderr) on the console, on the results port and in /tmp/NAME.out.
run() {
	name=$1
	shift
	say "@@LG BEGIN $name"
	{
		"$@" 2>&1
		echo $? >/tmp/rc
	} | tee "/tmp/$name.out" /proc/self/fd/3
	rc=$(cat /tmp/rc)
	say "@@LG END $name rc=$rc t=$(now)"
	[ "$rc" = 0 ] || failed=$((failed + 1))
	return "$rc"
}

# expect_failure COMMAND...: succeeds when COMMAND fails.
expect_failure() {
	"$@"
	rc=$?
	echo "exit status $rc"
	[ "$rc" != 0 ]
}

check_devnode() {
	if [ -c /dev/lguest ]; then
		# shellcheck disable=SC2046 # hex major and minor, mode, uid, gid
		set -- $(stat -c '%t %T %a %u %g' /dev/lguest)
		say "@@LG STEP devnode rc=0 dev=$((0x$1)):$((0x$2)) mode=$3 owner=$4:$5"
		ls -l /dev/lguest
	else
		say "@@LG STEP devnode rc=1 dev=none"
		failed=$((failed + 1))
	fi
}

tap_of() {
	tr -d '\r' <"$1" | grep -E '^(not )?ok|^1\.\.'
}

# The Guest 20 more times; each run's TAP lines must match the first run's.
repeat_guest() {
	tap_of /tmp/guest.out >/tmp/tap.ref
	: >/tmp/diffs
	i=1
	while [ "$i" -le 20 ]; do
		timeout -s KILL "$limit" /lguest 64 /guest.elf >/tmp/rep.out 2>&1
		rc=$?
		tap_of /tmp/rep.out >/tmp/tap.now
		if cmp -s /tmp/tap.ref /tmp/tap.now; then
			same=same
		else
			same=differs
		fi
		say "@@LG REPEAT $i rc=$rc tap=$same t=$(now)"
		if [ "$rc" != 0 ] || [ "$same" != same ]; then
			failed=$((failed + 1))
			{
				echo "run $i: exit status $rc, TAP $same; diff against the first run:"
				diff /tmp/tap.ref /tmp/tap.now
				echo "its last output lines:"
				tail -n 10 /tmp/rep.out
			} >>/tmp/diffs
		fi
		i=$((i + 1))
	done
	run repeat-diffs cat /tmp/diffs
}

# The hostile Guests (tests/guest/hostile.c) and, after the bar, the words
# the Host's reason for killing each must contain.  A "CRASH: refused"
# reason is the Guest's own: it checked that the Host ignored what the ABI
# says it ignores, and shut down saying so.
hostile_guests='gdt-call-gate|system descriptor
gdt-tss|system descriptor
gdt-index|LOAD_GDT_ENTRY of entry 32
idt-host-selector|names selector
idt-task-gate|gate type
stack-ring0|SET_STACK with segment
pgtable-outside|bad page table address
map-beyond-memory|beyond its memory
stale-segment|bad guest state
init-twice|LGUEST_INIT called twice
hcall-3|bad hypercall 3
hcall-11|bad hypercall 11
hcall-12|bad hypercall 12
hcall-17|bad hypercall 17
hcall-20|bad hypercall 20
hcall-max|bad hypercall 4294967295
async-bad-call|bad hypercall 16384
async-garbage-status|CRASH: refused async-garbage-status
shutdown-outside|SHUTDOWN with its reason at 0x4000000, outside guest memory
shutdown-unterminated|CRASH: hostile-tail-END
gdt-ldt|GDT entry 20 is a system descriptor
tls-call-gate|GDT entry 6 is a system descriptor
load-tls-straddle|LOAD_TLS from 0x3fffff8, outside guest memory
gdt-cs-not-present|bad guest state: fault 11
gdt-host-entries|CRASH: refused gdt-host-entries
idt-vector-256|LOAD_IDT_ENTRY for vector 256
idt-call-gate|IDT entry 66 has gate type 12
idt-ldt-selector|IDT entry 67 names selector 0x65
idt-null-selector|IDT entry 68 names selector 0
idt-beyond-gdt|IDT entry 69 names selector 0x100
idt-data-selector|bad guest state: fault 13
idt-hypercall-vector|CRASH: refused idt-hypercall-vector
double-fault|unhandled trap 8
iret-ring0|CRASH: refused iret-ring0
stack-host-ds|SET_STACK with segment 0x59
stack-pages|SET_STACK of 3 pages
user-trap-no-stack|cannot push a trap frame at 0xdffffffc
stack-code-segment|bad guest state: fault 13
kernel-trap-no-stack|cannot push a trap frame at 0xdffffffc
irq-no-handler|interrupt 0 arrived but the guest has no handler for vector 0x20
irq-bad-stack|cannot push a trap frame at 0xdffffffc
pgtable-unaligned|bad page table address
pgtable-at-limit|bad page table address 0x4000000
pde-beyond-memory|is outside guest memory
map-large-page|the guest cannot use PSE
set-pgd-index|SET_PGD of entry'

# Those only one paging format has: the test Guest in the VM is the Host's
# own flavour, PAE on a -pae kernel, 2-level otherwise.
hostile_guests_pae='set-pmd-index|SET_PMD of entry 512
map-above-4g|maps guest-physical 0x100000000, beyond its memory
pt-above-4g|at guest-physical 0x100000000, beyond its memory
pd-above-4g|page directory for 0x40000000 beyond guest memory'
hostile_guests_2level='set-pmd-2level|SET_PMD from a guest with 2-level page tables'

# Each hostile Guest must die (the Launcher exits 1) for the right reason;
# the harness checks every HOSTILE line and that there were "count" of them.
run_hostile_guests() {
	say "@@LG BEGIN hostile"
	case "$(uname -r)" in
	*-pae) flavoured=$hostile_guests_pae ;;
	*) flavoured=$hostile_guests_2level ;;
	esac
	printf '%s\n%s\n' "$hostile_guests" "$flavoured" >/tmp/hostile.list
	while IFS='|' read -r name why; do
		timeout -s KILL "$limit" /lguest 64 /guest.elf "lgtest=hostile-$name" \
			</dev/null >/tmp/hostile.out 2>&1
		rc=$?
		found=missing
		grep 'guest died: ' /tmp/hostile.out | grep -F "$why" >/dev/null && found=found
		cat /tmp/hostile.out
		cat /tmp/hostile.out >&3
		say "@@LG HOSTILE $name rc=$rc reason=$found"
	done </tmp/hostile.list
	say "@@LG END hostile rc=0 count=$(wc -l </tmp/hostile.list) t=$(now)"
}

# event_count ROW: the events of one /proc/interrupts row ("NMI:" for NMIs,
# "MCE:" for machine check exceptions), summed over all CPUs.
event_count() {
	awk -v row="$1" '$1 == row { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i }
	     END { print n + 0 }' /proc/interrupts
}

# The Guest with the harness sending NMIs (or, for lgtest=mce, machine
# checks) from outside all along: the full run (most then land in the Host,
# between the Guest's many exits, and a few in the Switcher), then a Guest
# that spins without exits (most land in the Guest itself), then a Guest
# whose page faults mostly never leave the Switcher.
guest_under_nmis() {
	row=NMI:
	[ "$scenario" = mce ] && row=MCE:
	before=$(event_count "$row")
	say "@@LG NMI START"
	run guest timeout -s KILL "$limit" /lguest --stats 64 /guest.elf
	# External NMIs only reach CPU 0 (see nmi-inject.py): the spinning
	# Guest has to run there to be hit.
	run spin taskset 1 timeout -s KILL "$limit" /lguest --stats 64 /guest.elf lgtest=spin
	# And one that does nothing but take page faults, most of which the
	# Switcher delivers itself: NMIs then land in its fast path too.
	run pf-loop taskset 1 timeout -s KILL "$limit" /lguest --stats 64 /guest.elf lgtest=pf-loop
	say "@@LG NMI STOP"
	# The harness polls for STOP; let its last NMI land before we count.
	sleep 2
	say "@@LG STEP $scenario rc=0 before=$before after=$(event_count "$row") cpus=$(grep -c '^processor' /proc/cpuinfo)"
}

# The test Guest built for the other paging format: 2-level on a PAE Host,
# PAE on a 2-level one.  lg.ko reads a Guest's tables in the Guest's format
# and shadows them in its own; a 2-level Host has no NX to give a PAE Guest.
cross_paging() {
	case "$(uname -r)" in
	*-pae) set -- /guest-686.elf ;;
	*) set -- /guest-686-pae.elf lghostnx=0 ;;
	esac
	run cross timeout -s KILL "$limit" /lguest --stats 64 "$@"
}

# A Launcher killed while its Guest runs (spinning in the Guest) or sleeps
# (in HALT, with nothing to wake it) must die like any process: the Host
# frees the Guest, warns about nothing, and rmmod still works afterwards.
kill_one() {
	/lguest 64 /guest.elf "lgtest=$1" </dev/null >/tmp/killed.out 2>&1 &
	pid=$!
	sleep 1
	kill "-$2" "$pid"
	wait "$pid"
	say "@@LG KILLED $3 rc=$?"
}

kill_guests() {
	say "@@LG BEGIN killed"
	kill_one spin KILL spin-sigkill
	kill_one sleep TERM sleep-sigterm
	say "@@LG END killed rc=0 t=$(now)"
}

# Three Guests at once, sharing the CPUs (and on -smp 2 moving between
# them): each must pass exactly as the first lone run did.
parallel_guests() {
	say "@@LG BEGIN parallel"
	tap_of /tmp/guest.out >/tmp/tap.ref
	for i in 1 2 3; do
		(
			timeout -s KILL "$limit" /lguest 64 /guest.elf </dev/null \
				>"/tmp/par$i.out" 2>&1
			echo $? >"/tmp/par$i.rc"
		) &
	done
	wait
	for i in 1 2 3; do
		tap_of "/tmp/par$i.out" >/tmp/tap.now
		same=differs
		cmp -s /tmp/tap.ref /tmp/tap.now && same=same
		[ "$same" = same ] || diff /tmp/tap.ref /tmp/tap.now >&3
		say "@@LG PARALLEL $i rc=$(cat "/tmp/par$i.rc") tap=$same"
	done
	say "@@LG END parallel rc=0 count=3 t=$(now)"
}

# probe_switcher NAME CPUS: the Switcher-area probe Guest (lgtest=switcher-probe,
# tests/guest/escape.c), its Launcher moved between CPU 0 and CPU 1 every
# 0.2 s when there are two, so that the Guest runs on a CPU after the other
# one's pages were its own.  One SWITCHER line: the Launcher's exit status,
# and "pass" when the Guest printed its plan and no "not ok".
probe_switcher() {
	/lguest 64 /guest.elf lgtest=switcher-probe "lgcpus=$2" </dev/null >/tmp/probe.out 2>&1 &
	pid=$!
	mask=1
	ticks=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$2" -ge 2 ]; then
			taskset -p "$mask" "$pid" >/dev/null 2>&1
			mask=$((3 - mask))
		fi
		sleep 0.2
		ticks=$((ticks + 1))
		[ "$ticks" -lt $((limit * 5)) ] || kill -KILL "$pid" 2>/dev/null
	done
	wait "$pid"
	rc=$?
	result=fail
	tap_of /tmp/probe.out >/tmp/probe.tap
	if [ "$rc" = 0 ] && grep '^1\.\.' /tmp/probe.tap >/dev/null &&
		! grep '^not ok' /tmp/probe.tap >/dev/null; then
		result=pass
	fi
	cat /tmp/probe.out
	cat /tmp/probe.out >&3
	say "@@LG SWITCHER $1 rc=$rc result=$result cpus=$2"
}

# insmod_spread: lg.ko with spread_cpu_pages=1.  A module that does not know
# the parameter loads all the same (the kernel only says it ignored it), so
# that counts as a failure too, and the module goes out again.
insmod_spread() {
	unknown="unknown parameter 'spread_cpu_pages'"
	before=$(dmesg | grep -c "$unknown")
	insmod /lg.ko spread_cpu_pages=1 || return 1
	[ "$(dmesg | grep -c "$unknown")" = "$before" ] && return 0
	echo "lg.ko does not know spread_cpu_pages"
	rmmod lg
	return 1
}

# The probe with the module as loaded; on -smp 2 once more with each CPU's
# pages in a page-directory entry of their own (spread_cpu_pages=1), then
# the plain module back for the steps after us.
switcher_probes() {
	say "@@LG BEGIN switcher-probe"
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	count=1
	probe_switcher plain "$cpus"
	if [ "$cpus" -ge 2 ]; then
		count=2
		if ! run rmmod-plain rmmod lg; then
			say "@@LG SWITCHER spread rc=$rc result=no-rmmod cpus=$cpus"
		elif ! run insmod-spread insmod_spread; then
			say "@@LG SWITCHER spread rc=$rc result=no-insmod cpus=$cpus"
			run insmod-plain insmod /lg.ko
		else
			probe_switcher spread "$cpus"
			run rmmod-spread rmmod lg && run insmod-plain insmod /lg.ko
		fi
	fi
	say "@@LG END switcher-probe rc=0 count=$count t=$(now)"
}

# The kernel command line asks for a panic on any WARN and on any NMI no
# handler claims, so that a Host bug cannot scroll past as a message: check
# that the kernel took both.  The nmi scenario's own NMIs are unknown to the
# kernel by design, so there unknown_nmi_panic stays 0 until they are over
# (arm_unknown_nmi_panic); pass the value expected.
check_sysctls() {
	unp=$(cat /proc/sys/kernel/unknown_nmi_panic 2>/dev/null)
	pow=$(cat /proc/sys/kernel/panic_on_warn 2>/dev/null)
	if [ "$unp" = "$1" ] && [ "$pow" = 1 ]; then
		say "@@LG STEP sysctls rc=0 unknown_nmi_panic=$unp panic_on_warn=$pow"
	else
		say "@@LG STEP sysctls rc=1 unknown_nmi_panic=${unp:-unset} panic_on_warn=${pow:-unset}"
		failed=$((failed + 1))
	fi
}

arm_unknown_nmi_panic() {
	echo 1 >/proc/sys/kernel/unknown_nmi_panic
	check_sysctls 1
}

# has_extra NAME: the command line's lgextra= asks for step NAME.
has_extra() {
	case ",$extra," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

# Hostile Guests that need the hostile Launcher's help ("name|reason|mode"):
# ldt-gate builds call gates where the Host's LDT would be, so the Launcher
# must have an LDT (mode ldt).  Each must die for the reason given.
hostile_under_launcher='ldt-gate|unhandled trap 13|ldt'

run_hostile_under_launcher() {
	say "@@LG BEGIN hostile-under"
	echo "$hostile_under_launcher" >/tmp/hostile-under.list
	while IFS='|' read -r name why mode; do
		timeout -s KILL "$limit" /hostile-launcher "$mode" 64 /guest.elf \
			"lgtest=hostile-$name" </dev/null >/tmp/hostile.out 2>&1
		rc=$?
		found=missing
		grep 'guest died: ' /tmp/hostile.out | grep -F "$why" >/dev/null && found=found
		cat /tmp/hostile.out
		cat /tmp/hostile.out >&3
		say "@@LG HOSTILE-UNDER $name mode=$mode rc=$rc reason=$found"
	done </tmp/hostile-under.list
	say "@@LG END hostile-under rc=0 count=$(wc -l </tmp/hostile-under.list) t=$(now)"
}

# The conformance Guest under each mode of the hostile Launcher (its process
# given an LDT, odd TLS entries, a storm of signals, a tracer, a second
# thread reading /dev/lguest): each run must end as the lone run did.
hostile_launcher_modes='ldt tls signals ptrace thread-read'

run_hostile_launcher() {
	say "@@LG BEGIN hostile-launcher"
	tap_of /tmp/guest.out >/tmp/tap.ref
	n=0
	for mode in $hostile_launcher_modes; do
		n=$((n + 1))
		timeout -s KILL "$limit" /hostile-launcher "$mode" 64 /guest.elf \
			</dev/null >/tmp/hl.out 2>&1
		rc=$?
		tap_of /tmp/hl.out >/tmp/tap.now
		same=differs
		cmp -s /tmp/tap.ref /tmp/tap.now && same=same
		grep -E '^(hostile-launcher|lguest): ' /tmp/hl.out | tee /proc/self/fd/3
		if [ "$same" != same ]; then
			diff /tmp/tap.ref /tmp/tap.now | tee /proc/self/fd/3
		fi
		say "@@LG HOSTILE-LAUNCHER $mode rc=$rc tap=$same t=$(now)"
	done
	say "@@LG END hostile-launcher rc=0 count=$n t=$(now)"
}

# The conformance Guest pinned to CPU 0 with /fpuhog spinning there too, so
# that the Host really switches FPU state between them while the Guest's
# FPU check sleeps, and under the hostile Launcher's fpu mode, whose own
# FPU registers hold values of its own whenever it enters the Guest: the
# Guest must pass as the lone run did, the Launcher must get its registers
# back from every read(), and the hog must find its own untouched.
run_fpu_hog() {
	say "@@LG BEGIN fpuhog"
	tap_of /tmp/guest.out >/tmp/tap.ref
	taskset 1 /fpuhog 2>/tmp/hog.err &
	hog=$!
	taskset 1 timeout -s KILL "$limit" /hostile-launcher fpu 64 /guest.elf \
		</dev/null >/tmp/fpuhog.out 2>&1
	rc=$?
	kill -TERM "$hog"
	wait "$hog"
	hogrc=$?
	tap_of /tmp/fpuhog.out >/tmp/tap.now
	same=differs
	cmp -s /tmp/tap.ref /tmp/tap.now && same=same
	grep -E 'fpu|^(hostile-launcher|lguest): ' /tmp/fpuhog.out | tee /proc/self/fd/3
	tee /proc/self/fd/3 </tmp/hog.err
	if [ "$same" != same ]; then
		diff /tmp/tap.ref /tmp/tap.now | tee /proc/self/fd/3
	fi
	say "@@LG FPUHOG rc=$rc tap=$same hog=$hogrc"
	say "@@LG END fpuhog rc=0 t=$(now)"
}

# The real Linux Guests the test packed (linux.sh, LG_VM_LINUX): for each
# /linux-PAGING.bzImage, 64 MiB, its rootfs, console=hvc0, and
# /linux-PAGING.commands on the Launcher's stdin for its shell on hvc0 to
# run; the section linux-PAGING holds what it printed.  A Linux boot and
# its workload take longer than the test Guest: twice the limit.
run_linux_guests() {
	for kernel in /linux-*.bzImage; do
		[ -f "$kernel" ] || continue
		section=${kernel#/}
		section=${section%.bzImage}
		run "$section" timeout -s KILL $((limit * 2)) /lguest --stats \
			--initrd=/guest-rootfs.gz 64 "$kernel" console=hvc0 <"/$section.commands"
	done
}

# The Launcher on a terminal of its own, which /ptyrun (ptyrun.c) gives it
# and watches: raw while the Guest runs, as it was once the Launcher is gone,
# whether a signal from outside ends it (SIGTERM, SIGINT: the process still
# dies of it), the Ctrl-A x keys do (exit 1), or the Guest powers off.  The
# last case is a real Linux Guest's shell on hvc0 (the first
# /linux-*.bzImage) with keys typed to it: /pty-commands.txt, Enter sent as
# a carriage return and a Ctrl-C among the lines, which must reach the
# Guest instead of ending the Launcher.  One "@@LG PTY <case> <ptyrun's
# report>" line per case.
pty_case() {
	case_name=$1
	shift
	/ptyrun --timeout "$limit" "$@" >/tmp/pty.out 2>&1
	cat /tmp/pty.out
	cat /tmp/pty.out >&3
	say "@@LG PTY $case_name $(tr -d '\r' </tmp/pty.out | sed -n 's/^@@PTY //p' | tail -n 1)"
	pty_cases=$((pty_cases + 1))
}

run_pty() {
	say "@@LG BEGIN pty"
	mkdir -p /dev/pts
	mount -t devpts devpts /dev/pts
	pty_cases=0
	pty_case sigterm --after 'lguest test Guest' --delay 500 --signal 15 -- \
		/lguest 64 /guest.elf lgtest=sleep
	pty_case sigint --after 'lguest test Guest' --delay 500 --signal 2 -- \
		/lguest 64 /guest.elf lgtest=sleep
	pty_case ctrl-a-x --after 'lguest test Guest' --delay 500 --keys 0178 -- \
		/lguest 64 /guest.elf lgtest=sleep
	for kernel in /linux-*.bzImage; do
		[ -f "$kernel" ] || continue
		pty_case linux --after '@@GUEST init running' --delay 500 \
			--type /pty-commands.txt -- \
			/lguest --initrd=/guest-rootfs.gz 64 "$kernel" console=hvc0
		break
	done
	say "@@LG END pty rc=0 count=$pty_cases t=$(now)"
}

finish() {
	say "@@LG BEGIN dmesg"
	dmesg >&3
	say "@@LG END dmesg rc=0"
	say "@@LG END $scenario rc=$failed t=$(now)"
	# Let both serial ports drain before the machine goes away.
	exec 3>&-
	sleep 1
	poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do sleep 60; done
}

if [ "$scenario" = demo ]; then
	echo "=== lguest demo: insmod lg.ko"
	insmod /lg.ko && ls -l /dev/lguest
	echo "=== running the test Guest: /lguest 64 /guest.elf"
	/lguest 64 /guest.elf
	echo "=== the Launcher exited with status $?; rmmod lg"
	rmmod lg
	echo "=== powering off"
	sleep 1
	poweroff -f
	while :; do sleep 60; done
fi

say "@@LG BEGIN $scenario"
if [ "$scenario" = nmi ]; then check_sysctls 0; else check_sysctls 1; fi
if ! run insmod insmod /lg.ko; then
	finish
fi
check_devnode
run devtest /devtest
if [ "$scenario" = nmi ] || [ "$scenario" = mce ]; then
	guest_under_nmis
	arm_unknown_nmi_panic
else
	run guest timeout -s KILL "$limit" /lguest --stats 64 /guest.elf
fi
case "$scenario" in full | nmi) cross_paging ;; esac
run badhcall expect_failure timeout -s KILL "$limit" /lguest 64 /guest.elf lgtest=badhcall
run_hostile_guests
parallel_guests
kill_guests
# repeat20's time goes to its 20 runs; vm-686pae-nmi probes that Host.
[ "$scenario" = repeat20 ] || switcher_probes
has_extra hostile-launcher && run_hostile_launcher
has_extra fpuhog && run_fpu_hog
run_hostile_under_launcher
[ "$scenario" = repeat20 ] && repeat_guest
run_linux_guests
has_extra pty && run_pty
run rmmod rmmod lg
finish
