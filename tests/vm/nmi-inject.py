#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Inject NMIs (or machine checks) into a QEMU VM while the VM asks for them.

usage: nmi-inject.py MONITOR_SOCKET RESULTS_LOG SENT_FILE TIMEOUT_SECS [nmi|mce] [CPUS]

The VM's /init prints "@@LG NMI START" on its results port before it runs a
Guest and "@@LG NMI STOP" after; in between we send QEMU's "nmi" monitor
command every 100 ms.  QEMU raises LINT1 on every CPU, but Linux wires LINT1
to NMI on the boot CPU only, so each command is exactly one NMI on CPU 0.  The VM counts what its
kernel received in /proc/interrupts; the harness compares that with the
number we write to SENT_FILE.  Nothing may be lost on the way, whether the
NMI lands in the Host, in the Switcher or in the Guest.

With "mce" we send machine checks to CPU 0 instead, every 250 ms: an
uncorrected error in bank 1 that is not enabled (MCi_STATUS has VAL and UC
but not EN) with MCG_STATUS = MCIP | RIPV.  QEMU raises #MC for it; the
kernel's handler counts it (the "MCE:" row of /proc/interrupts), grades it
"not enabled" and carries on.  The gap leaves the handler time to clear
MCIP: QEMU resets a machine that takes a machine check while MCIP is set.
With more than one CPU each round sends one machine check to every CPU, so
that CPUs running a Guest get theirs too, and the count goes up by CPUS for
each round.  (Not QEMU's broadcast, "mce -b": QEMU allows it only for CPU
models from Core 2 on, and "-cpu max" is older; the kernel then does not
wait for all CPUs either, each handles its own.)
"""
import os
import socket
import sys
import time


def seen(path, marker):
    try:
        with open(path, errors="replace") as f:
            return marker in f.read()
    except FileNotFoundError:
        return False


def drain(sock):
    """Throw away the monitor's banner, echoes and prompts, but pass on
    what it says about a machine check (QEMU resets a machine that takes
    one while the last is still in progress, and says so here)."""
    try:
        while True:
            text = sock.recv(4096)
            if not text:
                break
            for line in text.decode(errors="replace").splitlines():
                if "MCE" in line:
                    print("nmi-inject: QEMU says: " + line.strip(), file=sys.stderr)
    except (BlockingIOError, InterruptedError):
        pass


COMMANDS = {
    "nmi": (b"nmi\n", 0.1),
    "mce": (b"mce 0 1 0xa000000000000000 0x5 0 0\n", 0.25),
}


def main():
    mon, results, sent_file, timeout = sys.argv[1:5]
    kind = sys.argv[5] if len(sys.argv) > 5 else "nmi"
    cpus = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    command, interval = COMMANDS[kind]
    if kind == "mce" and cpus > 1:
        command = b"".join(command.replace(b"mce 0 ", b"mce %d " % cpu, 1)
                           for cpu in range(cpus))
    deadline = time.monotonic() + float(timeout)
    sent = 0
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            sock.connect(mon)
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("nmi-inject: QEMU's monitor never appeared at " + mon)
            time.sleep(0.05)
    sock.setblocking(False)

    while not seen(results, "@@LG NMI START"):
        if time.monotonic() > deadline or seen(results, "@@LG END nmi rc=") \
                or seen(results, "@@LG END mce rc="):
            break
        drain(sock)
        time.sleep(0.05)
    else:
        while not seen(results, "@@LG NMI STOP") and time.monotonic() < deadline:
            sock.sendall(command)
            sent += 1
            time.sleep(interval)
            drain(sock)

    tmp = sent_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % sent)
    os.rename(tmp, sent_file)


if __name__ == "__main__":
    main()
