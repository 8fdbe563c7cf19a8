#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh FLAVOUR SMP CPU [SCENARIO]
#
# One VM test by hand: FLAVOUR is 686, 686-pae or rt-686-pae, SMP the
# number of virtual CPUs, CPU a QEMU -cpu model, SCENARIO full (default) or
# repeat20 (see init.sh).  Prints TAP; exits 0 when all passed.  From the
# top of a built tree:
#   tests/vm/run-vm.sh 686-pae 2 max repeat20
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	sed -n '4,10p' "$0" >&2
	exit 2
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${LG_TEST_NAME:=run-vm-$1-smp$2-$3-${4:-full}}"
lg_vm_test "$@"
