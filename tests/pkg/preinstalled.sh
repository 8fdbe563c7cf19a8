# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/pkg/preinstalled.sh: sourced by tests/pkg/packages.test (and
# tested by tests/pkg/preinstalled.test).  packages.test installs its own
# lguest-dkms and purges it at the end; on a machine where someone had
# already installed lguest-dkms or lguest, that would replace their copy
# and then remove it.  These functions find such a copy so that the test
# can refuse those steps instead.

# lg_pkg_preinstalled [ADMINDIR]: print one line "PACKAGE VERSION STATE"
# for each of lguest and lguest-dkms (in that order) that dpkg's database (ADMINDIR,
# default /var/lib/dpkg) holds in any state but not-installed: installed,
# half-configured, config-files left by a removal...  Exit status 0 if it
# printed any.
lg_pkg_preinstalled() {
	local admindir=${1:-/var/lib/dpkg} list pkg ver state found=1
	list=$(dpkg-query --admindir="$admindir" -W \
		-f='${Package} ${Version} ${db:Status-Status}\n' lguest-dkms lguest 2>/dev/null) || true
	while read -r pkg ver state; do
		[ -n "$pkg" ] || continue
		if [ "$state" != not-installed ]; then
			echo "$pkg ${ver:-?} $state"
			found=0
		fi
	done < <(LC_ALL=C sort <<<"$list")
	return "$found"
}

# lg_pkg_refusal LINES: the one-line message for what lg_pkg_preinstalled
# printed.
lg_pkg_refusal() {
	local what
	what=$(awk '{ printf "%s%s %s (%s)", (NR > 1 ? ", " : ""), $1, $2, $3 }' <<<"$1")
	echo "not installing and purging lguest-dkms: this machine already has $what," \
		"which the test would replace and then remove; purge it first" \
		"(apt-get purge lguest-dkms lguest) or run make check on another machine"
}
