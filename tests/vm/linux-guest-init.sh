#!/bin/sh
# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-guest-init.sh: /init of the real Linux Guest in vm-linux-*.test.
#
# The Guest is a Linux 4.1 kernel under lg.ko; its console is hvc0, the
# virtio console of our Launcher.  We say we got here, then hand hvc0 to a
# shell: the commands it runs come from the Launcher's stdin, through the
# console's receive queue, and what it prints goes out through the
# transmit queue.  The last command powers the Guest off.
PATH=/bin
export PATH
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
echo "@@GUEST init running"
exec /bin/sh </dev/hvc0 >/dev/hvc0 2>&1
