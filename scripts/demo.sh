#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh: the README's "see it run" command, as root on Debian 12.
# Installs what is needed (scripts/install-deps.sh), builds everything, then
# "make demo" boots Debian's 686-pae kernel in QEMU; inside the VM lg.ko is
# loaded and the Launcher runs our test Guest, whose console you see.
# Arguments go to tests/vm/demo.sh through make (LG_DEMO_ARGS).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./autogen.sh
./configure
make -j2
make demo LG_DEMO_ARGS="$*"
