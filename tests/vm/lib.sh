# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - what the VM tests share.  Sourced by the *.test files, run-vm.sh,
# fetch.sh and demo.sh; it defines functions and runs nothing by itself.
#
# The story of one VM test (lg_vm_test):
#   1. fetch.sh puts a Debian 12 i386 kernel of the wanted flavour and a
#      static busybox into $LG_CACHE and installs the matching headers;
#   2. lg.ko is built against those headers from the sources in $top_srcdir/src
#      (or LG_PREBUILT_KO is taken instead);
#   3. devtest.c is built as a static i386 program;
#   4. mkinitramfs.sh packs busybox, lg.ko, the Launcher, the test Guests,
#      devtest and init.sh (as /init) into a gzip'd cpio;
#   5. QEMU boots it.  init.sh writes everything it does twice: to the
#      console (ttyS0, together with the kernel's messages: the "serial log")
#      and to a second serial port (ttyS1) that nothing else writes to, so
#      the results we parse are never cut by a kernel message;
#   6. the results turn into TAP on stdout; the serial log is searched for
#      anything the host kernel complained about.
#
# Environment (all optional; `make check` passes the first ones):
#   top_srcdir, top_builddir  the source and build trees (default: this tree)
#   LG_CACHE       downloads (default: $top_builddir/tests/vm/cache)
#   I386_CC        compiler for static i386 programs (default: gcc -m32)
#   QEMU           qemu-system-i386
#   LG_LAUNCHER    the static i386 Launcher
#   LG_GUEST, LG_GUEST_PAE   the test Guest for 686 and for (rt-)686-pae hosts
#   LG_VM_OUT      where builds, initramfs and serial logs go
#                  (default: $top_builddir/tests/vm/out)
#   LG_VM_TIMEOUT  seconds one VM may run before it is killed (default 300;
#                  the repeat20 scenario gets three times as long)
#   LG_GUEST_TIMEOUT  seconds one Guest run may take inside the VM (default 120)
#   LG_VM_EXTRA    optional steps for init.sh, separated by spaces:
#                  hostile-launcher, fpuhog, pty (default: none; the .test files
#                  that want them set it)
#   LG_VM_MEM      the VM's RAM in MiB (default 512)
#   LG_VM_APPEND   more words for the VM's kernel command line (default none)
#   LG_PREBUILT_KO an lg.ko to boot with instead of building one from src/
#                  (the packaging test passes the one DKMS built); "{kver}"
#                  in it stands for the VM's kernel release, e.g.
#                  /lib/modules/{kver}/updates/dkms/lg.ko
#   LG_VM_LINUX    real Linux 4.1 Guests to run as one more step, words
#                  PAGING or PAGING:full (non-pae, pae; see linux.sh's
#                  lg_linux_step_prepare).  A .test that sets it sources
#                  linux.sh instead of this file.

lg_vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=cpu-slots.sh
. "$lg_vm_dir/cpu-slots.sh"

# lg_defaults: fill in every variable above that the caller left unset.
lg_defaults() {
	: "${top_srcdir:=$(cd "$lg_vm_dir/../.." && pwd)}"
	: "${top_builddir:=$top_srcdir}"
	top_srcdir=$(cd "$top_srcdir" && pwd)
	top_builddir=$(cd "$top_builddir" && pwd)
	: "${LG_CACHE:=$top_builddir/tests/vm/cache}"
	: "${I386_CC:=gcc -m32}"
	: "${QEMU:=qemu-system-i386}"
	: "${LG_LAUNCHER:=$top_builddir/launcher/lguest.i386}"
	: "${LG_GUEST:=$top_builddir/tests/guest/guest.elf}"
	: "${LG_GUEST_PAE:=$top_builddir/tests/guest/guest-pae.elf}"
	: "${LG_VM_OUT:=$top_builddir/tests/vm/out}"
	: "${LG_VM_TIMEOUT:=300}"
	: "${LG_GUEST_TIMEOUT:=120}"
	: "${LG_VM_EXTRA:=}"
	: "${LG_VM_MEM:=512}"
	export top_srcdir top_builddir LG_CACHE I386_CC QEMU LG_LAUNCHER
	export LG_GUEST LG_GUEST_PAE LG_VM_OUT LG_VM_TIMEOUT LG_GUEST_TIMEOUT LG_VM_EXTRA LG_VM_MEM
}

# ---- TAP output ---------------------------------------------------------

lg_tap_n=0
lg_tap_failed=0

# lg_ok COND DESCRIPTION: one result; COND is 0 (pass) or anything else.
lg_ok() {
	lg_tap_n=$((lg_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $lg_tap_n - $2"
	else
		echo "not ok $lg_tap_n - $2"
		lg_tap_failed=$((lg_tap_failed + 1))
	fi
}

# lg_diag [TEXT...]: the arguments, or else stdin, as TAP comment lines.
lg_diag() {
	if [ $# -gt 0 ]; then
		printf '# %s\n' "$@"
	else
		sed 's/^/# /'
	fi
}

# lg_diag_head N: the first N lines of stdin as comments.  It reads all of
# its input, so nothing before it in a pipe dies of SIGPIPE.
lg_diag_head() {
	awk -v n="$1" 'NR <= n { print "# " $0 }'
}

# lg_finish: print the plan and exit with the verdict.
lg_finish() {
	echo "1..$lg_tap_n"
	[ "$lg_tap_failed" -eq 0 ] && exit 0
	exit 1
}

# ---- building what goes into the VM -----------------------------------

# lg_fetch FLAVOUR LOG: run fetch.sh, set LG_KVER, LG_VMLINUZ, LG_KHEADERS and
# LG_BUSYBOX from what it prints, and export LG_TUN_KO (tun.ko, or empty: only
# linux.sh uses it).  Its progress goes to LOG.
lg_fetch() {
	local line
	LG_KVER='' LG_VMLINUZ='' LG_KHEADERS='' LG_BUSYBOX='' LG_TUN_KO=''
	while IFS= read -r line; do
		case "$line" in
		LG_TUN_KO=*) LG_TUN_KO=${line#*=} ;;
		LG_KVER=*) LG_KVER=${line#*=} ;;
		LG_VMLINUZ=*) LG_VMLINUZ=${line#*=} ;;
		LG_KHEADERS=*) LG_KHEADERS=${line#*=} ;;
		LG_BUSYBOX=*) LG_BUSYBOX=${line#*=} ;;
		esac
	done < <(bash "$lg_vm_dir/fetch.sh" "$1" 2>"$2")
	export LG_TUN_KO
	[ -n "$LG_KVER" ] && [ -n "$LG_VMLINUZ" ] && [ -n "$LG_KHEADERS" ] && [ -n "$LG_BUSYBOX" ]
}

# lg_kbuild_objs KBUILD: the words of the lg-y (or lg-objs) assignments in a
# Kbuild file, following backslash continuations.
lg_kbuild_objs() {
	awk '
		{ line = line $0 }
		/\\$/ { sub(/\\$/, " ", line); next }
		{
			if (line ~ /^[ \t]*lg-(y|objs)[ \t]*[:+]?=/) {
				sub(/^[^=]*=/, "", line)
				printf "%s ", line
			}
			line = ""
		}' "$1" | xargs
}

# lg_kbuild_extra KBUILD: the flag assignments of a Kbuild file, verbatim.
lg_kbuild_extra() {
	grep -E '^[[:space:]]*(ccflags|asflags|ldflags|subdir-ccflags|CFLAGS_|AFLAGS_|OBJECT_FILES_NON_STANDARD)' "$1" || true
}

# lg_build_module KHEADERS DIR KO LOG: build lg.ko from $top_srcdir/src in
# DIR against the kernel tree KHEADERS and copy it to KO.  DIR holds symbolic
# links to the sources and a Kbuild of its own: the object list and the flags
# come from the configured src/Kbuild (or src/Kbuild.in), and we add our
# include/ and the configure-generated src/lg_config.h.  (One lg_config.h
# serves every flavour: its probes ask about kernel APIs, which are the same
# in the 686, 686-pae and rt-686-pae builds of one kernel release.)  Parallel tests of
# one flavour share DIR, so the build and the copy run under a lock.
lg_build_module() {
	local kheaders=$1 dir=$2 ko=$3 log=$4 kbuild objs o f cfg
	mkdir -p "$dir"
	(
		flock 9
		kbuild=''
		for f in "$top_builddir/src/Kbuild" "$top_srcdir/src/Kbuild" "$top_srcdir/src/Kbuild.in"; do
			if [ -f "$f" ]; then
				kbuild=$f
				break
			fi
		done
		objs=''
		[ -z "$kbuild" ] || objs=$(lg_kbuild_objs "$kbuild")
		if [ -z "$objs" ]; then
			for f in "$top_srcdir"/src/*.[cS]; do
				[ -e "$f" ] || continue
				f=${f##*/}
				case "$f" in *.mod.c) continue ;; esac
				objs="$objs ${f%.?}.o"
			done
		fi
		# Link the sources of those objects and the headers, nothing else:
		# an in-tree build leaves generated files (lg.mod.c) in src/ too.
		find "$dir" -maxdepth 1 -type l -delete
		for o in $objs; do
			for f in "$top_srcdir/src/${o%.o}".[cS]; do
				[ ! -f "$f" ] || ln -sf "$f" "$dir/${f##*/}"
			done
		done
		for f in "$top_srcdir"/src/*.h "$top_builddir"/src/*.h; do
			[ ! -f "$f" ] || ln -sf "$f" "$dir/${f##*/}"
		done
		cfg=$top_builddir/src/lg_config.h
		{
			echo "# Generated by tests/vm/lib.sh from ${kbuild:-the file list}: do not edit."
			echo "obj-m := lg.o"
			echo "lg-y := $objs"
			[ -z "$kbuild" ] || lg_kbuild_extra "$kbuild"
			echo "ccflags-y += -I$top_srcdir/include -I$top_srcdir/src -I$top_builddir/src"
			echo "asflags-y += -I$top_srcdir/include -I$top_srcdir/src -I$top_builddir/src"
			if [ -f "$cfg" ] && ! grep -q 'lg_config\.h' "${kbuild:-/dev/null}"; then
				echo "ccflags-y += -include $cfg"
				echo "asflags-y += -include $cfg"
			fi
		} >"$dir/Kbuild"
		rm -f "$dir/Makefile"
		# Not a sub-make of make check's (whose jobserver the -j would
		# reset, with a warning in every log): a build of its own.
		env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
			make -C "$kheaders" M="$dir" ARCH=x86 -j"$(nproc)" modules &&
			cp "$dir/lg.ko" "$ko"
	) 9>"$dir.lock" >"$log" 2>&1
}

# lg_use_prebuilt FLAVOUR KO OUT: take KO (built elsewhere, for example by
# DKMS) instead of building lg.ko, once modinfo shows it is a module for
# the kernel the VM boots ($LG_KVER).  Reports one TAP result.
lg_use_prebuilt() {
	local flavour=$1 ko=$2 out=$3 vermagic
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null) || vermagic=''
	if [ "${vermagic%% *}" != "$LG_KVER" ]; then
		lg_ok 1 "$flavour: prebuilt $ko is a module for $LG_KVER (vermagic: ${vermagic:-none})"
		return 1
	fi
	cp "$ko" "$out"
	lg_ok 0 "$flavour: prebuilt $ko is a module for $LG_KVER"
}

# lg_build_devtest OUT LOG: the /dev/lguest bad-input tests, static i386.
lg_build_devtest() {
	local cc
	read -ra cc <<<"$I386_CC"
	"${cc[@]}" -static -O2 -Wall -Wextra -Werror -I"$top_srcdir/include" \
		-o "$1" "$lg_vm_dir/devtest.c" -pthread >"$2" 2>&1
}

# lg_build_helpers DIR LOG: the other static i386 programs /init runs, into
# DIR: hostile-launcher (the Launcher itself, launcher/main.c included, with
# its process made awkward for the Host) and fpuhog (x87 and SSE registers
# kept busy; -mgeneral-regs-only keeps the compiler's hands off them).
lg_build_helpers() {
	local cc l helper_srcs=()
	read -ra cc <<<"$I386_CC"
	# Every Launcher source but main.c, which hostile-launcher.c includes.
	for l in "$top_srcdir"/launcher/*.c; do
		[ "${l##*/}" = main.c ] || helper_srcs+=("$l")
	done
	{
		"${cc[@]}" -static -O2 -Wall -Wextra -Werror -I"$top_srcdir/include" \
			-I"$top_srcdir/launcher" -o "$1/hostile-launcher" \
			"$lg_vm_dir/hostile-launcher.c" "${helper_srcs[@]}" -pthread &&
			"${cc[@]}" -static -O2 -Wall -Wextra -Werror -mgeneral-regs-only \
				-o "$1/fpuhog" "$lg_vm_dir/fpuhog.c" &&
			"${cc[@]}" -static -O2 -Wall -Wextra -Werror -o "$1/ptyrun" "$lg_vm_dir/ptyrun.c"
	} >"$2" 2>&1
}

# lg_guest_for FLAVOUR: the test Guest built for that kind of host.
# (rt-686-pae is 686-pae built with PREEMPT_RT: PAE page tables too.)
lg_guest_for() {
	case "$1" in
	686-pae | rt-686-pae) echo "$LG_GUEST_PAE" ;;
	*) echo "$LG_GUEST" ;;
	esac
}

# More --extra SRC:/DEST arguments for lg_make_initrd.
lg_initrd_extra=()

# lg_make_initrd FLAVOUR KO DEVTEST OUT: pack the initramfs.
lg_make_initrd() {
	local extra=() g
	for g in "686:$LG_GUEST" "686-pae:$LG_GUEST_PAE"; do
		[ ! -f "${g#*:}" ] || extra+=(--extra "${g#*:}:/guest-${g%%:*}.elf")
	done
	# lg_build_helpers put these next to devtest.
	for g in hostile-launcher fpuhog ptyrun; do
		[ ! -f "${3%/*}/$g" ] || extra+=(--extra "${3%/*}/$g:/$g")
	done
	extra+=(--extra "$lg_vm_dir/pty-commands.txt:/pty-commands.txt")
	# The real Linux Guests of LG_VM_LINUX (lg_linux_step_prepare).
	extra+=("${lg_initrd_extra[@]}")
	bash "$lg_vm_dir/mkinitramfs.sh" --output "$4" --busybox "$LG_BUSYBOX" \
		--module "$2" --launcher "$LG_LAUNCHER" --guest "$(lg_guest_for "$1")" \
		--devtest "$3" --init "$lg_vm_dir/init.sh" "${extra[@]}"
}

# lg_prepare FLAVOUR DIR: everything up to a bootable kernel + initrd in DIR
# (DIR/initrd.gz, and LG_VMLINUZ set).  Reports each step as a TAP result;
# returns non-zero (after reporting) if the VM cannot be booted.
lg_prepare() {
	local flavour=$1 dir=$2 f guest
	guest=$(lg_guest_for "$flavour")
	for f in "$LG_LAUNCHER" "$guest"; do
		if [ ! -f "$f" ]; then
			lg_ok 1 "$flavour: $f exists (build the tree first: make)"
			return 1
		fi
	done
	if ! command -v "$QEMU" >/dev/null; then
		lg_ok 1 "$flavour: $QEMU is installed (apt-get install qemu-system-x86)"
		return 1
	fi
	if ! lg_fetch "$flavour" "$dir/fetch.log"; then
		lg_ok 1 "$flavour: fetch the Debian kernel and busybox"
		tail -n 30 "$dir/fetch.log" | lg_diag
		return 1
	fi
	lg_ok 0 "$flavour: fetch Debian kernel $LG_KVER and busybox"
	rm -f "$dir/lg.ko"
	if [ -n "${LG_PREBUILT_KO:-}" ]; then
		lg_use_prebuilt "$flavour" "${LG_PREBUILT_KO//\{kver\}/$LG_KVER}" "$dir/lg.ko" ||
			return 1
	elif ! lg_build_module "$LG_KHEADERS" "$LG_VM_OUT/build-$LG_KVER" "$dir/lg.ko" "$dir/build.log"; then
		lg_ok 1 "$flavour: build lg.ko against $LG_KHEADERS"
		tail -n 40 "$dir/build.log" | lg_diag
		return 1
	else
		lg_ok 0 "$flavour: build lg.ko against $LG_KHEADERS"
		grep -E 'warning:' "$dir/build.log" | lg_diag_head 20 || true
	fi
	if ! lg_build_devtest "$dir/devtest" "$dir/devtest.log"; then
		lg_ok 1 "$flavour: build devtest"
		lg_diag <"$dir/devtest.log"
		return 1
	fi
	if ! lg_build_helpers "$dir" "$dir/helpers.log"; then
		lg_ok 1 "$flavour: build hostile-launcher and fpuhog"
		lg_diag <"$dir/helpers.log"
		return 1
	fi
	if [ -n "${LG_VM_LINUX:-}" ]; then
		if ! declare -F lg_linux_step_prepare >/dev/null; then
			lg_ok 1 "$flavour: LG_VM_LINUX is set, so $0 must source linux.sh, not lib.sh"
			return 1
		fi
		lg_linux_step_prepare "$flavour" "$dir" || return 1
	fi
	if ! lg_make_initrd "$flavour" "$dir/lg.ko" "$dir/devtest" \
		"$dir/initrd.gz" >"$dir/initrd.log" 2>&1; then
		lg_ok 1 "$flavour: build the initramfs"
		lg_diag <"$dir/initrd.log"
		return 1
	fi
	return 0
}

# lg_strict_params SCENARIO: the kernel parameters that make a Host bug stop
# the VM instead of scrolling past: a panic on every WARN, and on every NMI
# that no handler claims (but for the nmi scenario, whose injected NMIs no
# handler claims by design: init.sh arms that one once they are over), and
# the optional steps of LG_VM_EXTRA for init.sh.  init.sh checks the sysctls.
lg_strict_params() {
	local p='panic_on_warn=1' words
	[ "$1" = nmi ] || p="unknown_nmi_panic $p"
	read -ra words <<<"${LG_VM_EXTRA:-}"
	[ "${#words[@]}" = 0 ] || p="$p lgextra=$(IFS=,; echo "${words[*]}")"
	echo "$p"
}

# lg_boot SMP CPU SCENARIO DIR: boot DIR/initrd.gz; the console goes to
# DIR/serial.log, init's results to DIR/results.log.  Returns QEMU's status
# (124 when the time ran out).  The VM gets SMP host CPUs of its own first
# (cpu-slots.sh): make -j runs tests side by side.
lg_boot() {
	local smp=$1 cpu=$2 scenario=$3 dir=$4
	local monitor=none mondir='' qemu_pid inject_pid rc=0
	lg_take_cpus "$smp"
	rm -f "$dir/serial.log" "$dir/results.log" "$dir/nmi-sent"
	# The nmi and mce scenarios need QEMU's monitor, on a socket with a
	# short path.
	if [ "$scenario" = nmi ] || [ "$scenario" = mce ]; then
		mondir=$(mktemp -d /tmp/lg-mon.XXXXXX)
		monitor=unix:$mondir/sock,server=on,wait=off
	fi
	timeout -k 10 "$LG_VM_TIMEOUT" "$QEMU" -nographic -no-reboot -nic none \
		-m "$LG_VM_MEM" -smp "$smp" -cpu "$cpu" -monitor "$monitor" \
		-serial "file:$dir/serial.log" -serial "file:$dir/results.log" \
		-kernel "$LG_VMLINUZ" -initrd "$dir/initrd.gz" \
		-append "console=ttyS0 panic=-1 printk.time=1 slub_debug=FZPU page_poison=1 $(lg_strict_params "$scenario") lgtest=$scenario lgres=ttyS1 lgtimeout=$LG_GUEST_TIMEOUT${LG_VM_APPEND:+ $LG_VM_APPEND}" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	qemu_pid=$!
	if [ -n "$mondir" ]; then
		python3 "$lg_vm_dir/nmi-inject.py" "$mondir/sock" "$dir/results.log" \
			"$dir/nmi-sent" "$LG_VM_TIMEOUT" "$scenario" "$smp" >>"$dir/qemu.log" 2>&1 &
		inject_pid=$!
	fi
	wait "$qemu_pid" || rc=$?
	if [ -n "$mondir" ]; then
		wait "$inject_pid" || true
		rm -rf "$mondir"
	fi
	lg_give_cpus
	return "$rc"
}

# ---- reading the results ----------------------------------------------

# lg_text FILE: a serial log as plain text: no carriage returns, no
# terminal escape sequences (the firmware clears the screen).
lg_text() {
	tr -d '\r' <"$1" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[A-Za-z]//g'
}

# lg_section NAME FILE: the lines init printed between its BEGIN and END
# markers for NAME (without carriage returns).
lg_section() {
	tr -d '\r' <"$2" | awk -v name="$1" '
		$0 == "@@LG BEGIN " name { inside = 1; next }
		index($0, "@@LG END " name " rc=") == 1 { inside = 0 }
		inside'
}

# lg_rc NAME FILE: the exit status init recorded for a section or step, or
# nothing if it never got there.
lg_rc() {
	tr -d '\r' <"$2" | sed -n "s/^@@LG \\(END\\|STEP\\) $1 rc=\\([0-9]*\\).*/\\2/p" | tail -n 1
}

# lg_check DESCRIPTION COMMAND...: one result, passing when COMMAND does.
lg_check() {
	local desc=$1
	shift
	if "$@"; then
		lg_ok 0 "$desc"
	else
		lg_ok 1 "$desc"
	fi
}

# lg_relay_tap WHAT PREFIX: copy the TAP lines on stdin into our stream, one
# result each, the description prefixed.  Afterwards a result of its own
# checks the inner plan: as many results as it promised, and at least one.
# (Call it with a redirection, not at the end of a pipe: it counts.)
lg_relay_tap() {
	local what=$1 prefix=$2 line rest plan='' count=0 bad=0
	while IFS= read -r line; do
		case "$line" in
		ok\ * | not\ ok\ * | ok | "not ok")
			count=$((count + 1))
			rest=${line#not }
			rest=${rest#ok}
			rest=$(sed -E 's/^ *[0-9]*( *-)? *//' <<<"$rest")
			case "$line" in
			not*) lg_ok 1 "$prefix: $rest" ;;
			*) lg_ok 0 "$prefix: $rest" ;;
			esac
			;;
		1..*)
			plan=${line#1..}
			plan=${plan%% *}
			;;
		"Bail out!"*)
			lg_ok 1 "$prefix: $line"
			bad=1
			;;
		\#*) echo "$line" ;;
		esac
	done
	if [ -z "$plan" ]; then
		lg_ok 1 "$prefix: $what printed a plan (it printed $count results)"
	elif [ "$count" -eq "$plan" ] && [ "$count" -gt 0 ] && [ "$bad" = 0 ]; then
		lg_ok 0 "$prefix: $what ran all $plan planned checks"
	else
		lg_ok 1 "$prefix: $what ran all $plan planned checks (got $count)"
	fi
}

# Kernel messages that mean the host is unhappy, whatever caused them.
lg_warning_re='WARNING:|BUG:|BUG [a-z]|kernel BUG|Oops|general protection fault|Kernel panic|lockdep|possible (circular|recursive) locking|inconsistent lock state|INFO: task .* blocked|RCU stall|rcu_sched self-detected|self-detected stall|rcu: INFO|Call Trace:|UBSAN:|double fault|stack-protector'

# NMIs that no handler claimed ("Uhhuh. NMI received for unknown reason",
# then "Dazed and confused"), and any other line naming an nmi_ function,
# are complaints too; the kernel's echo of its command line (which holds
# unknown_nmi_panic) is not.
lg_warning_re="$lg_warning_re|NMI received for unknown reason|Dazed and confused|Uhhuh|nmi_"
# Nor is the kernel's note that an NMI handler ran longer than 1 ms
# ("INFO: NMI handler (nmi_cpu_backtrace_handler) took too long to run:
# 1.552 msecs"): it times the handler by the clock, and under QEMU's
# emulator on a busy machine the emulated CPU can stand still for that
# long in any code at all.  The NMI itself was handled; a lost or unclaimed
# one still fails (above, and the nmi scenario's counts).
lg_warning_ignore_re='Kernel command line:|INFO: NMI handler \([a-z_0-9.]+\) took too long to run: [0-9.]+ msecs'

# The unknown NMIs the nmi scenario injects itself: expected there, counted.
lg_injected_nmi_re='Uhhuh\. NMI received for unknown reason|Dazed and confused, but trying to continue'

# lg_host_warnings DIR: the kernel's complaints, from the console (every line
# carrying a printk time stamp, so the Guest's own words never count) and
# from the dmesg dump at the end.
lg_host_warnings() {
	{
		tr -d '\r' <"$1/serial.log" | grep -E '\[ *[0-9]+\.[0-9]{6}\]' || true
		lg_section dmesg "$1/results.log"
	} | { grep -E "$lg_warning_re" || true; } | { grep -Ev "$lg_warning_ignore_re" || true; }
}

# lg_panic_line DIR: the host kernel's panic message, if it panicked.
lg_panic_line() {
	lg_text "$1/serial.log" | { grep -ao 'Kernel panic - not syncing:.*' || true; } | head -n 1
}

# lg_open_step RES: the innermost step init began and never ended (where
# the VM died), or "boot" if it never began one.
lg_open_step() {
	tr -d '\r' <"$1" | awk '
		/^@@LG BEGIN / { open[++n] = $3; next }
		/^@@LG END / { for (i = n; i > 0; i--) if (open[i] == $3) { n = i - 1; break } }
		END { print (n > 0 ? open[n] : "boot") }'
}

# lg_check_panic TAG DIR: one result, failing with the panic message and
# the step it cut short when the host kernel panicked (with panic_on_warn
# and unknown_nmi_panic, every WARN and stray NMI ends that way); then the
# complaints that led there.  Returns 1 after a panic: the rest of the
# report would only list the steps that never ran.
lg_check_panic() {
	local tag=$1 dir=$2 panic first
	panic=$(lg_panic_line "$dir")
	if [ -z "$panic" ]; then
		lg_ok 0 "$tag: the host kernel did not panic"
		return 0
	fi
	first=$(lg_host_warnings "$dir" | { grep -Ev 'Call Trace:|Kernel panic' || true; } |
		head -n 1 | sed 's/^[^]]*\] //')
	lg_ok 1 "$tag: the host kernel did not panic (it did, in step $(lg_open_step "$dir/results.log"): $panic${first:+ after $first})"
	lg_diag "what the host kernel said before:"
	lg_host_warnings "$dir" | awk 'NF && !seen[$0]++' | lg_diag_head 40
	return 1
}

# lg_wants STEP: LG_VM_EXTRA asked init.sh for the optional STEP.
lg_wants() {
	[[ " ${LG_VM_EXTRA:-} " == *" $1 "* ]]
}

# lg_check_strict TAG RES: init found the sysctls the command line set.
lg_check_strict() {
	local step
	step=$(tr -d '\r' <"$2" | sed -n 's/^@@LG STEP sysctls rc=[0-9]* //p' | tail -n 1)
	lg_check "$1: kernel.panic_on_warn and kernel.unknown_nmi_panic are 1 (${step:-never checked})" \
		lg_is "$(lg_rc sysctls "$2")" 0
}

# lg_check_hostile_launcher TAG RES: the Guests run by /hostile-launcher.
# The hostile ones it helps (ldt-gate) must die for their reason; with
# LG_VM_EXTRA's hostile-launcher and fpuhog, the conformance Guest under
# each mode, and beside fpuhog on CPU 0 (under the fpu mode, exit 3 if the
# Launcher's own FPU registers changed), must pass as the lone run did.
lg_fpuhog_ok() {
	[[ "$1" == "rc=0 tap=same hog=0" ]]
}
lg_check_hostile_launcher() {
	local tag=$1 res=$2 line
	lg_check_each "$tag" "$res" HOSTILE-UNDER hostile-under lg_hostile_ok \
		"killed with the right reason under the hostile Launcher"
	lg_section hostile-under "$res" | grep -E 'guest died|survived|hostile-launcher:' |
		lg_diag_head 10 || true
	if lg_wants hostile-launcher; then
		lg_check_each "$tag" "$res" HOSTILE-LAUNCHER hostile-launcher lg_repeat_ok \
			"exit 0, same TAP as the plain run"
		lg_section hostile-launcher "$res" | grep -E '^(hostile-launcher|lguest): |^[<>]' |
			lg_diag_head 40 || true
	fi
	if lg_wants fpuhog; then
		line=$(tr -d '\r' <"$res" | sed -n 's/^@@LG FPUHOG //p' | tail -n 1)
		lg_check "$tag: guest beside fpuhog on CPU 0, Launcher using the FPU: exit 0, same TAP as the plain run, both FPU states intact (${line:-never run})" \
			lg_fpuhog_ok "$line"
		lg_section fpuhog "$res" | grep -E 'fpu|lguest: |^[<>]' | lg_diag_head 20 || true
	fi
}

# lg_check_pty TAG RES: the Launcher on a pseudo-terminal (init.sh's
# run_pty): each case ends with the status it should, the terminal raw
# while the Guest ran and as it was afterwards; Ctrl-A x says why it
# stopped; the Linux Guest evaluated what we typed.
lg_check_pty() {
	local tag=$1 res=$2 c want line n=0
	for c in sigterm:143 sigint:130 ctrl-a-x:1 linux:0; do
		want=${c#*:}
		c=${c%%:*}
		[ "$c" != linux ] || [ -n "${LG_VM_LINUX:-}" ] || continue
		n=$((n + 1))
		line=$(tr -d '\r' <"$res" | sed -n "s/^@@LG PTY $c //p" | tail -n 1)
		lg_check "$tag: Launcher on a pty, $c: exit $want, terminal raw while the guest ran, restored after (${line:-never run})" \
			lg_is "$line" "status=$want raw=yes restored=yes acted=yes"
	done
	lg_check "$tag: Launcher on a pty: Ctrl-A x says it stopped the guest" \
		grep -q 'lguest: stopped from the console (Ctrl-A x)' < <(lg_section pty "$res")
	if [ -n "${LG_VM_LINUX:-}" ]; then
		lg_check "$tag: Launcher on a pty: the Linux guest's shell ran the line we typed (Enter as CR, after a Ctrl-C)" \
			grep -q '^@@GUEST typed 42' < <(lg_section pty "$res")
	fi
	lg_check "$tag: all $n pty cases ran" lg_is \
		"$(tr -d '\r' <"$res" | sed -n 's/^@@LG END pty rc=0 count=\([0-9]*\).*/\1/p')" "$n"
}

# lg_console_filter: stdin to stdout, without the escape sequences with
# which SeaBIOS and the kernel's early boot reset a terminal: ESC c (full
# reset), ESC [2J (clear the screen) and ESC [?7l (line wrap off).  Line
# by line, flushed at once (the demo's console passes through it).
lg_console_filter() {
	sed -u -e 's/\x1bc//g' -e 's/\x1b\[2J//g' -e 's/\x1b\[?7l//g'
}

# Predicates on init's report (RES) and the Guest's output.
# The node the kernel makes for our misc device: 10:62, root's, mode 0600
# (no udev rule of ours changes that: the README and lguest(1) say so).
lg_devnode_ok() {
	tr -d '\r' <"$1" | grep '^@@LG STEP devnode rc=0 dev=10:62 mode=600 owner=0:0$' >/dev/null
}
lg_no_syscall_exits() {
	grep -Eq '^exits [0-9]+' <<<"$1" && ! grep -Eiq '^trap 0x80[[:space:]]' <<<"$1"
}
lg_badhcall_ok() {
	# init ran the Launcher under expect_failure: rc=0 means it failed.
	[ "$(lg_rc badhcall "$1")" = 0 ] &&
		lg_section badhcall "$1" | grep 'bad hypercall' >/dev/null
}
lg_is() {
	[ "$1" = "$2" ]
}
lg_repeat_ok() {
	[[ "$1" == *" rc=0 tap=same"* ]]
}
# lg_killed HOW RES: the exit status of the killed Launcher, as init saw it.
lg_killed() {
	tr -d '\r' <"$2" | sed -n "s/^@@LG KILLED $1 rc=\([0-9]*\)$/\1/p"
}
lg_hostile_ok() {
	[[ "$1" == *" rc=1 reason=found" ]]
}
lg_at_least() {
	[ "$1" -ge "$2" ]
}
lg_switcher_ok() {
	[[ "$1" == *" rc=0 result=pass "* ]]
}
lg_nmi_exits() {
	grep -Eiq '^trap 0x02 [1-9]' <<<"$1"
}
lg_mce_exits() {
	grep -Eiq '^trap 0x12 [1-9]' <<<"$1"
}

# lg_check_each TAG RES MARKER STEP PREDICATE WHAT: one result for each
# "@@LG MARKER <name> <details>" line init printed, passing when PREDICATE
# accepts the line, then one that all of the "count=N" runs the END marker of
# STEP announced were there.
lg_check_each() {
	local tag=$1 res=$2 marker=$3 step=$4 pred=$5 what=$6 line n=0 count
	while IFS= read -r line; do
		n=$((n + 1))
		lg_check "$tag: $step guest ${line%% *}: $what (${line#* })" "$pred" "$line"
	done < <(tr -d '\r' <"$res" | sed -n "s/^@@LG $marker //p")
	count=$(tr -d '\r' <"$res" | sed -n "s/^@@LG END $step rc=0 count=\([0-9]*\).*/\1/p")
	lg_check "$tag: all ${count:-?} $step guests ran (ran $n)" lg_is "$n" "${count:-none}"
}

# lg_check_nmis TAG DIR [mce]: the nmi (or mce) scenario's verdict.  Every
# NMI (machine check) QEMU injected must show up in the kernel's count, and
# some of them must have arrived while the spinning Guest ran (its Host
# counters show trap 0x02, or 0x12, exits).
lg_check_nmis() {
	local tag=$1 dir=$2 kind=${3:-nmi} sent=0 before=0 after=0 cpus=0 step spin unknown
	local what=NMIs vector=0x02 exits=lg_nmi_exits
	if [ "$kind" = mce ]; then
		what="machine checks" vector=0x12 exits=lg_mce_exits
	fi
	[ -s "$dir/nmi-sent" ] && read -r sent <"$dir/nmi-sent"
	step=$(tr -d '\r' <"$dir/results.log" | sed -n "s/^@@LG STEP $kind rc=0 //p" | tail -n 1)
	if [ -n "$step" ]; then
		before=${step#*before=}
		before=${before%% *}
		after=${step#*after=}
		after=${after%% *}
		cpus=${step#*cpus=}
	fi
	lg_check "$tag: $what were injected while the guest ran (sent $sent)" \
		lg_at_least "$sent" 10
	# A machine check goes to every CPU at once when there are several
	# (nmi-inject.py); an NMI only to CPU 0.
	local each=1 whom="CPU 0 of $cpus"
	if [ "$kind" = mce ] && [ "$cpus" -gt 1 ]; then
		each=$cpus whom="all $cpus CPUs"
	fi
	lg_check "$tag: every one of the $what reached the host ($sent sent to $whom, $((after - before)) handled)" \
		lg_is "$((after - before))" "$((sent * each))"
	# No handler claims QEMU's NMIs: the kernel says "Uhhuh" once for each.
	if [ "$kind" = nmi ]; then
		unknown=$(lg_section dmesg "$dir/results.log" | grep -c 'Uhhuh\. NMI received for unknown reason' || true)
		lg_check "$tag: each NMI reached the host's handler as one unknown NMI ($unknown reported)" \
			lg_is "$unknown" "$sent"
	fi
	spin=$(lg_section spin "$dir/results.log")
	lg_check "$tag: the spinning guest powered off (exit ${spin:+$(lg_rc spin "$dir/results.log")})" \
		lg_is "$(lg_rc spin "$dir/results.log")" 0
	lg_check "$tag: $what that hit the guest went through the Switcher to the host (--stats trap $vector)" \
		"$exits" "$spin"
	grep -Ei "^(exits|aborted_entries|trap $vector) " <<<"$spin" | lg_diag_head 4 || true
	local loop fast
	loop=$(lg_section pf-loop "$dir/results.log")
	fast=$(lg_stat_value fast_page_faults <<<"$loop")
	lg_check "$tag: the page-fault loop guest powered off, every fault exact (exit ${loop:+$(lg_rc pf-loop "$dir/results.log")})" \
		lg_is "$(lg_rc pf-loop "$dir/results.log")" 0
	lg_check "$tag: ... and the Switcher delivered most of its $LG_PF_LOOP_FAULTS faults itself (--stats fast_page_faults ${fast:-none})" \
		lg_at_least "${fast:-0}" $((LG_PF_LOOP_FAULTS / 2))
	grep -Ei "^(exits|aborted_entries|page_faults|fast_page_faults|trap $vector) " <<<"$loop" | lg_diag_head 6 || true
}

# What lgtest=pf-loop takes (escape.c, PF_LOOP_FAULTS).
LG_PF_LOOP_FAULTS=100000

# The test Guest's RAM (init.sh runs it with 64 MiB), in pages.
LG_GUEST_RAM_PAGES=16384

# lg_stat_value NAME < STATS: the value of one "name value" line of --stats.
lg_stat_value() {
	awk -v name="$1" '$1 == name && NF == 2 { print $2; exit }'
}

# lg_pins_within_ram STATS: the test Guest maps one page at more addresses
# than it has pages of RAM (pgtable.c); pinned once per page, lg.ko never
# held more pins than that RAM has pages, and held some.
lg_pins_within_ram() {
	local peak
	peak=$(lg_stat_value pins_peak <<<"$1")
	[ -n "$peak" ] && [ "$peak" -gt 0 ] && [ "$peak" -le "$LG_GUEST_RAM_PAGES" ]
}

# lg_check_cross TAG RES: the test Guest of the other paging format ran
# (init.sh's cross_paging) and lg.ko saw its format for what it is.
lg_check_cross() {
	local tag=$1 res=$2 cross want=pae
	cross=$(lg_section cross "$res")
	[[ "$tag" != *pae* ]] || want=2level
	lg_relay_tap cross "$tag: cross-format guest" <<<"$cross"
	lg_check "$tag: the $want guest exits 0 (was $(lg_rc cross "$res"))" \
		lg_is "$(lg_rc cross "$res")" 0
	lg_check "$tag: lg.ko reads the guest's tables as $want (--stats guest_paging)" \
		grep -qx "guest_paging $want" <<<"$cross"
}

# lg_check_results TAG SCENARIO DIR: turn a finished VM run into TAP.
lg_check_results() {
	local tag=$1 scenario=$2 dir=$3 res rc guest n line warnings
	res=$dir/results.log
	lg_text "$dir/serial.log" |
		grep -E 'smpboot: CPU0: |Kernel/User page tables isolation|\] (lg|lguest): ' |
		lg_diag_head 8 || true

	lg_check_strict "$tag" "$res"
	rc=$(lg_rc insmod "$res")
	lg_check "$tag: insmod lg" lg_is "$rc" 0
	lg_check "$tag: /dev/lguest exists (misc 10:62), mode 0600, owned by root" lg_devnode_ok "$res"

	lg_relay_tap devtest "$tag: devtest" < <(lg_section devtest "$res")
	rc=$(lg_rc devtest "$res")
	lg_check "$tag: devtest exit status 0 (was ${rc:-never run})" lg_is "$rc" 0

	guest=$(lg_section guest "$res")
	lg_relay_tap guest "$tag: guest" <<<"$guest"
	rc=$(lg_rc guest "$res")
	lg_check "$tag: guest exit status 0 (was ${rc:-never run})" lg_is "$rc" 0
	lg_check "$tag: guest syscalls did not exit to host (--stats shows no trap 0x80)" \
		lg_no_syscall_exits "$guest"
	lg_check "$tag: lg.ko pinned each guest page once, however often mapped (--stats pins_peak $(lg_stat_value pins_peak <<<"$guest") of $LG_GUEST_RAM_PAGES pages)" \
		lg_pins_within_ram "$guest"
	grep -Ei '^(exits|hypercalls|async_hypercalls|launcher_exits|page_faults|fast_page_faults|irqs_delivered|halts|trap) ' \
		<<<"$guest" | lg_diag_head 40 || true

	[ "$scenario" != nmi ] || lg_check_nmis "$tag" "$dir"
	[ "$scenario" != mce ] || lg_check_nmis "$tag" "$dir" mce
	case $scenario in full | nmi) lg_check_cross "$tag" "$res" ;; esac

	# Every hostile Guest killed (exit 1) with the reason init.sh expects;
	# the Guests that ran side by side all passed like the lone run.
	lg_check_each "$tag" "$res" HOSTILE hostile lg_hostile_ok "killed with the right reason"
	lg_section hostile "$res" | grep -E 'guest died|survived' | lg_diag_head 20 || true
	lg_check_each "$tag" "$res" PARALLEL parallel lg_repeat_ok "exit 0, same TAP as the lone run"
	lg_check "$tag: a guest whose Launcher gets SIGKILL while it spins is gone (exit 137)" \
		lg_is "$(lg_killed spin-sigkill "$res")" 137
	lg_check "$tag: a guest whose Launcher gets SIGTERM in HALT is gone (exit 143)" \
		lg_is "$(lg_killed sleep-sigterm "$res")" 143
	lg_check_hostile_launcher "$tag" "$res"

	# The Switcher-area probe, moved between CPUs (tests/guest/escape.c):
	# with the module as loaded and, on -smp 2, with spread_cpu_pages=1.
	# (init.sh leaves it out of repeat20.)
	if [ "$scenario" != repeat20 ]; then
		lg_check_each "$tag" "$res" SWITCHER switcher-probe lg_switcher_ok \
			"exit 0, all its checks passed"
		lg_section switcher-probe "$res" | grep -E '^(not ok|# |insmod:)' |
			lg_diag_head 40 || true
	fi

	rc=$(lg_section badhcall "$res" | sed -n 's/^exit status //p')
	lg_check "$tag: bad hypercall kills guest with reason (exit ${rc:-never run})" \
		lg_badhcall_ok "$res"
	lg_section badhcall "$res" | grep -i 'hypercall' | lg_diag_head 3 || true

	if [ "$scenario" = repeat20 ]; then
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			lg_check "$tag: repeat run $n: exit 0, same TAP as the first run" \
				lg_repeat_ok "$line"
		done < <(tr -d '\r' <"$res" | sed -n 's/^@@LG REPEAT //p')
		lg_check "$tag: the guest ran 20 more times (ran $n)" lg_is "$n" 20
		lg_section repeat-diffs "$res" | lg_diag_head 60
	fi

	[ -z "${LG_VM_LINUX:-}" ] || lg_linux_step_checks "$tag" "$dir"
	! lg_wants pty || lg_check_pty "$tag" "$res"

	rc=$(lg_rc rmmod "$res")
	lg_check "$tag: rmmod lg" lg_is "$rc" 0

	warnings=$(lg_host_warnings "$dir")
	[ "$scenario" != nmi ] || warnings=$(grep -Ev "$lg_injected_nmi_re" <<<"$warnings" || true)
	lg_check "$tag: no host kernel warnings" lg_is "$warnings" ""
	awk 'NF && !seen[$0]++' <<<"$warnings" | lg_diag_head 40
}

# lg_vm_test FLAVOUR SMP CPU [SCENARIO]: one whole VM test, TAP on stdout.
# The test's name (for its output directory) is LG_TEST_NAME or the name of
# the calling script without .test.
lg_vm_test() {
	local flavour=$1 smp=$2 cpu=$3 scenario=${4:-full} tag name dir rc
	lg_defaults
	tag=$flavour/smp$smp
	[ "${cpu%%,*}" = max ] || tag=$tag/${cpu%%,*}
	name=${LG_TEST_NAME:-$(basename "$0" .test)}
	dir=$LG_VM_OUT/$name
	mkdir -p "$dir"
	echo "# $name: $flavour kernel, -smp $smp -cpu $cpu, scenario $scenario"
	echo "# output in $dir (serial.log: the console; results.log: init's report)"
	lg_prepare "$flavour" "$dir" || lg_finish

	# 21 Guest runs take a while under TCG: give repeat20 three times as long.
	[ "$scenario" != repeat20 ] || LG_VM_TIMEOUT=$((LG_VM_TIMEOUT * 3))
	# Each real Linux Guest may take twice a Guest run's time (init.sh).
	local linux_guests
	read -ra linux_guests <<<"${LG_VM_LINUX:-}"
	LG_VM_TIMEOUT=$((LG_VM_TIMEOUT + 2 * LG_GUEST_TIMEOUT * ${#linux_guests[@]}))
	rc=0
	lg_boot "$smp" "$cpu" "$scenario" "$dir" || rc=$?
	touch "$dir/serial.log" "$dir/results.log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		lg_ok 1 "$tag: VM finished within ${LG_VM_TIMEOUT}s"
	else
		lg_check "$tag: QEMU exit status 0 (was $rc)" lg_is "$rc" 0
	fi
	if tr -d '\r' <"$dir/results.log" | grep "^@@LG END $scenario rc=" >/dev/null; then
		lg_ok 0 "$tag: VM reached the end of the $scenario scenario"
	else
		lg_ok 1 "$tag: VM reached the end of the $scenario scenario"
		lg_diag "last lines of $dir/serial.log:"
		lg_text "$dir/serial.log" | tail -n 60 | lg_diag
		lg_diag "QEMU said:"
		lg_diag <"$dir/qemu.log"
	fi
	if lg_check_panic "$tag" "$dir"; then
		lg_check_results "$tag" "$scenario" "$dir"
	fi
	if [ "$lg_tap_failed" -ne 0 ]; then
		lg_diag "the whole serial log ($dir/serial.log):"
		lg_text "$dir/serial.log" | lg_diag
	fi
	lg_finish
}
