# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# cpu-slots.sh - sharing the machine's CPUs between the tests that make -j
# runs side by side.  Sourced by lib.sh (a VM holds one CPU per virtual CPU
# while QEMU runs) and by run-fuzz.sh (a fuzz target holds one); it defines
# functions and runs nothing by itself.
#
# A QEMU under TCG keeps one host CPU busy for each virtual CPU, and a VM
# that gets less than that runs slower against its timeouts.  So there is
# one lock file per host CPU, and whoever wants N CPUs takes N of them
# before it starts: with make -j2 on two CPUs, two one-CPU VMs run at once,
# a two-CPU VM runs alone, and nothing ever waits for a CPU it was not
# given.  A holder's locks go when it closes them or dies.
#
#   LG_CPU_SLOTS      how many CPUs to share out (default: nproc)
#   LG_CPU_SLOT_DIR   where the lock files live (default: /tmp)
#   LG_CPUS_HELD      set (and exported) by a test that holds every CPU for
#                     its whole run, for the VMs it starts itself: they
#                     take none (the packaging test)

lg_cpu_fds=()

# lg_take_cpus N: block until N of the CPUs are ours (at most all of them).
# All or nothing: a holder of some never waits for more, so two takers
# cannot each hold what the other waits for.
lg_take_cpus() {
	local want=$1 slots=${LG_CPU_SLOTS:-$(nproc)} i fd
	[ -z "${LG_CPUS_HELD:-}" ] || return 0
	[ "$want" -le "$slots" ] || want=$slots
	while :; do
		lg_cpu_fds=()
		for ((i = 0; i < slots && ${#lg_cpu_fds[@]} < want; i++)); do
			exec {fd}>"${LG_CPU_SLOT_DIR:-/tmp}/lguest-cpu-$i.lock"
			if flock -n "$fd"; then
				lg_cpu_fds+=("$fd")
			else
				exec {fd}>&-
			fi
		done
		[ "${#lg_cpu_fds[@]}" -lt "$want" ] || return 0
		lg_give_cpus
		sleep 1
	done
}

# lg_give_cpus: hand back what lg_take_cpus took.
lg_give_cpus() {
	local fd
	for fd in "${lg_cpu_fds[@]}"; do
		exec {fd}>&-
	done
	lg_cpu_fds=()
}
