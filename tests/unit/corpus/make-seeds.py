#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/corpus/make-seeds.py: write the seed corpus of each libFuzzer
# target (tests/unit/fuzz_*.c) into tests/unit/corpus/<target>/.  The
# seeds are checked in; run this again (from anywhere) after changing an
# input format, and commit what changed.  Each seed is one meaningful
# input: the accesses a Linux Guest really makes, or a well-formed image,
# from which the fuzzer starts its mutations.  Formats: the comment at the
# top of each fuzz_*.c.
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def le16(v):
    return struct.pack("<H", v & 0xFFFF)


def le32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def desc(addr, length, flags=0, nxt=0):
    return struct.pack("<QIHH", addr, length, flags, nxt)


def put(ram, at, data):
    ram[at:at + len(data)] = data


VRING_NEXT, VRING_WRITE, VRING_INDIRECT = 1, 2, 4

# ---- virtqueue: 16-byte header, then RAM (fuzz_virtqueue.c) ----------------


def vq_seed(log2, feat, desc_off, avail_off, used_off, pending, ram):
    hdr = bytearray(16)
    hdr[0] = log2
    hdr[1] = feat
    hdr[2:4] = le16(desc_off // 64)
    hdr[4:6] = le16(avail_off // 2)
    hdr[6:8] = le16(used_off // 4)
    hdr[8] = pending
    hdr[10:14] = le32(16)
    return hdr + ram


def vq_ram(descs, heads):
    ram = bytearray(0x1200)
    for i, d in enumerate(descs):
        put(ram, 16 * i, d)
    put(ram, 0x100, le16(0) + le16(len(heads)) + b"".join(le16(h) for h in heads))
    return ram


# One readable then one writable buffer, as a block request.
write("virtqueue", "chain", vq_seed(2, 0, 0, 0x100, 0x200, 1, vq_ram(
    [desc(0x1000, 16, VRING_NEXT, 1), desc(0x1100, 32, VRING_WRITE)], [0])))
# Two chains of one buffer each.
write("virtqueue", "two-chains", vq_seed(3, 0, 0, 0x100, 0x200, 2, vq_ram(
    [desc(0x1000, 64), desc(0x1100, 64, VRING_WRITE)], [0, 1])))
# An indirect table of two (feature bit set).
ram = vq_ram([desc(0x800, 32, VRING_INDIRECT)], [0])
put(ram, 0x800, desc(0x1000, 16, VRING_NEXT, 1) + desc(0x1100, 8, VRING_WRITE))
write("virtqueue", "indirect", vq_seed(2, 1, 0, 0x100, 0x200, 1, ram))
# A loop: 0 -> 1 -> 0 (the queue must break, not spin).
write("virtqueue", "loop", vq_seed(2, 0, 0, 0x100, 0x200, 1, vq_ram(
    [desc(0x1000, 16, VRING_NEXT, 1), desc(0x1100, 16, VRING_NEXT, 0)], [0])))
# Event index on, tamed descriptors.
write("virtqueue", "event-idx", vq_seed(4, 0x82, 0, 0x100, 0x200, 3, vq_ram(
    [desc(0x1000, 100), desc(0x1080, 100, VRING_WRITE), desc(0x1100, 100)], [0, 1, 2])))

# ---- block: flags, type, sector, 14 lengths, readable bytes (fuzz_block.c) -


def blk_seed(n_out, n_in, rtype, sector, lengths, payload=b"", ro=False):
    lens = list(lengths) + [0] * (14 - len(lengths))
    out = bytearray([n_out | n_in << 3 | (0x40 if ro else 0)])
    out += le32(rtype) + struct.pack("<Q", sector)
    out += b"".join(le16(n - 1) for n in lens)  # folded to 1 + n % 4096
    return out + bytes(16) + payload


write("block", "read", blk_seed(1, 2, 0, 3, [16, 512, 1]))
write("block", "write", blk_seed(2, 1, 1, 5, [16, 1024, 1], bytes(range(256)) * 4))
write("block", "write-ro", blk_seed(2, 1, 1, 0, [16, 512, 1], b"\xAA" * 512, ro=True))
write("block", "flush", blk_seed(1, 1, 4, 0, [16, 1]))
write("block", "get-id", blk_seed(1, 2, 8, 0, [16, 20, 1]))
write("block", "past-end", blk_seed(1, 2, 0, 15, [16, 1024, 1]))

# ---- pci: op count, 8-byte ops, RAM (fuzz_pci.c) ---------------------------

SZ1, SZ2, SZ4 = 0x00, 0x08, 0x10
RAW = 0x40
RAM_SIZE = 0x10000


def op(kind, a=0, b=0, c=0, v=0):
    return bytes([kind, a, b, c]) + le32(v)


def sel(slot, reg):
    return op(0, slot, reg)


def cfg_rd(reg, size=SZ4):
    return op(1 | size, reg & 3)


def cfg_wr(reg, v, size=SZ4):
    return op(2 | size, reg & 3, v=v)


def pci_seed(ops, ram=b""):
    return bytes([len(ops)]) + b"".join(ops) + bytes(ram)


# Linux's scan: the ID dword of every slot, three of them empty.
write("pci", "scan", pci_seed([x for s in range(6) for x in (sel(s, 0), cfg_rd(0))] +
                              [sel(0, 0x0C), cfg_rd(0x0E, SZ1)]))
# BAR sizing on the console: all-ones, read back, restore, memory decoding on.
write("pci", "bar-sizing", pci_seed([sel(1, 0x10), cfg_wr(0x10, 0xFFFFFFFF), cfg_rd(0x10),
                                     cfg_wr(0x10, RAM_SIZE), sel(1, 0x04),
                                     cfg_wr(0x04, 0x6, SZ2), op(3 | SZ1, 1, 0x14)]))
# The capability walk of the disk, byte and dword reads.
write("pci", "caps", pci_seed([sel(2, 0x34), cfg_rd(0x34, SZ1)] +
                              [x for at in range(0x40, 0xA0, 4) for x in (sel(2, at), cfg_rd(at))]))
# The early console: emerg_wr through the config access window (bar 0,
# offset 0x88 = device config + 8, length 4, data 'L').
write("pci", "early-console", pci_seed([sel(1, 0x88), cfg_wr(0x88, 0, SZ1),
                                        sel(1, 0x8C), cfg_wr(0x8C, 0x88),
                                        sel(1, 0x90), cfg_wr(0x90, 4),
                                        sel(1, 0x94), cfg_wr(0x94, ord("L")),
                                        cfg_rd(0x94)]))
# The rng brought up, one 64-byte buffer at 0x2000, kicked.
ram = bytearray(0x3000)
put(ram, 0x400, desc(0x2000, 64, VRING_WRITE))
put(ram, 0x800, le16(0) + le16(1) + le16(0))
write("pci", "rng-request", pci_seed([op(6, 3, v=0), op(7, 3, 0, 2, 0x302010),
                                      op(3 | SZ1, 3, 0x60)], ram))
# The console sends "hello" on its transmit queue (queue 1).
ram = bytearray(0x3000)
put(ram, 0x400, desc(0x2000, 5))
put(ram, 0x800, le16(0) + le16(1) + le16(0))
put(ram, 0x2000, b"hello")
write("pci", "console-tx", pci_seed([op(6, 1, v=0), op(7, 1, 1, 3, 0x302010),
                                     op(3 | SZ1, 1, 0x60)], ram))
# A kick for a queue that does not exist, then the ISR and status read back.
write("pci", "bad-kick", pci_seed([op(6, 3, v=0), op(4 | SZ2, 3, 0x40, v=7),
                                   op(3 | SZ1, 3, 0x60), op(3 | SZ1, 3, 0x14)]))
# Features we never offered: FEATURES_OK must not stick.
write("pci", "bad-features", pci_seed([op(6, 2, v=0xFFFFFFFF, c=1), op(3 | SZ1, 2, 0x14)]))
# The disk's config space, every width, and a raw address past the window.
write("pci", "blk-config", pci_seed([op(6, 2, v=0)] +
                                    [op(3 | s, 2, 0x80 + o) for s in (SZ1, SZ2, SZ4)
                                     for o in range(0, 24, 4)] +
                                    [op(3 | SZ4 | RAW, v=RAM_SIZE + 0x100000)]))

# ---- insn: 7 bytes, flags, gpa, registers (fuzz_insn.c) --------------------

EAX, EDX, EIP = 6, 2, 12


def insn_seed(code, flags=1, gpa=0, **regs):
    r = [0] * 17
    r[EIP] = 0xC1000000
    for k, v in regs.items():
        r[{"eax": EAX, "edx": EDX}[k]] = v
    code = bytes(code) + bytes(7 - len(code))
    return code + bytes([flags]) + le32(gpa) + b"".join(le32(x) for x in r)


write("insn", "in-al-imm", insn_seed([0xE4, 0x64]))
write("insn", "out-eax-dx", insn_seed([0xEF], edx=0xCF8, eax=0x80000800))
write("insn", "in-ax-dx", insn_seed([0x66, 0xED], edx=0xCFC))
write("insn", "in-al-dx-data", insn_seed([0xEC], edx=0xCFE))
write("insn", "cli", insn_seed([0xFA]))
write("insn", "load-eax", insn_seed([0x8B, 0x00], gpa=0x14))
write("insn", "store-ah", insn_seed([0x88, 0x60, 0x14], gpa=0x14, eax=0x0F00))
write("insn", "store-ax-disp32", insn_seed([0x66, 0x89, 0x04, 0x25, 0x40, 0, 1], gpa=0x1040))
write("insn", "load-sib-disp32", insn_seed([0x8A, 0x84, 0x24, 0x60, 0, 0, 0], gpa=0x60))
write("insn", "load-raw-ram", insn_seed([0x8B, 0x45, 0x08], flags=3, gpa=0x1000))

# ---- load: ram, initrd length, argument length, image, initrd (fuzz_load.c) -


def load_seed(ram, image, initrd=b"", arg_len=10):
    return bytes([ram]) + struct.pack("<I", len(initrd))[:3] + le16(arg_len) + image + initrd


def elf(paddr, entry, code, memsz=None, phdrs=None):
    ehdr_len, phdr_len = 52, 32
    ph = phdrs if phdrs is not None else [(1, ehdr_len + phdr_len, paddr, len(code),
                                          memsz or len(code))]
    e = bytearray(b"\x7fELF" + bytes([1, 1, 1]) + bytes(9))
    e += struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, ehdr_len, 0, 0, ehdr_len,
                     phdr_len, len(ph), 40, 0, 0)
    for p_type, off, pa, filesz, msz in ph:
        e += struct.pack("<IIIIIIII", p_type, off, 0xC0000000 + pa, pa, filesz, msz, 7, 0x1000)
    return bytes(e) + code


code = bytes([0xF4]) * 64
write("load", "elf-small", load_seed(0x80 | 15, elf(0x3000, 0x3000, code)))
write("load", "elf-bss-initrd", load_seed(0x80 | 31, elf(0x4000, 0x4010, code, memsz=0x2000),
                                          b"070701" + bytes(200)))
write("load", "elf-two-segments", load_seed(0x80 | 40, elf(0, 0x5000, code * 2, phdrs=[
    (1, 84 + 32, 0x4000, 64, 64), (1, 84 + 32 + 64, 0x5000, 64, 0x1000)])))
write("load", "elf-note-and-load", load_seed(0x80 | 20, elf(0, 0x6000, code, phdrs=[
    (4, 0, 0, 0, 0), (1, 84 + 32, 0x6000, 64, 64)])))
write("load", "elf-overlaps-cmdline", load_seed(0x80 | 15, elf(0x1000, 0x1000, code)))
write("load", "elf-64bit", load_seed(0x80 | 15, b"\x7fELF\x02\x01\x01" + bytes(57)))


def bzimage(payload, setup_sects=1, version=0x20A, pref=0x100000, init_size=0x20000):
    setup = bytearray(512 * (setup_sects + 1))
    setup[0x1F1] = setup_sects
    setup[0x202:0x206] = b"HdrS"
    setup[0x206:0x208] = le16(version)
    setup[0x211] = 1
    setup[0x214:0x218] = le32(0x100000)
    setup[0x258:0x260] = struct.pack("<Q", pref)
    setup[0x260:0x264] = le32(init_size)
    return bytes(setup) + payload


write("load", "bzimage", load_seed(8, bzimage(code)))
write("load", "bzimage-initrd", load_seed(16, bzimage(code), b"070701" + bytes(5000)))
write("load", "bzimage-old-protocol", load_seed(4, bzimage(code, version=0x207)))
write("load", "bzimage-too-big", load_seed(8, bzimage(code, init_size=0x800000)))
write("load", "bzimage-long-cmdline", load_seed(8, bzimage(code), arg_len=4095))

# ---- net: card, op count, 12-byte ops, RAM (fuzz_net.c) --------------------

NET_BRING_UP, NET_STATUS, NET_DESC, NET_OFFER, NET_KICK, NET_FRAME, NET_BAR, NET_POKE, \
    NET_SLEEP = range(9)
RXQ, TXQ = 0, 1
NET_BUF = 0x4000  # fuzz_net.c's BUF_BASE: descriptor addresses count from here
NET_HDR = 12
NET_MAX_FRAME = 65550
F_CSUM, F_GUEST_CSUM, F_MAC, F_GUEST_TSO4, F_GUEST_TSO6, F_GUEST_ECN = (
    1 << 0, 1 << 1, 1 << 5, 1 << 7, 1 << 8, 1 << 9)
F_HOST_TSO4, F_HOST_TSO6, F_HOST_ECN, F_STATUS, F_INDIRECT, F_EVENT_IDX = (
    1 << 11, 1 << 12, 1 << 13, 1 << 16, 1 << 28, 1 << 29)
NEEDS_CSUM, GSO_TCPV4, GSO_ECN = 1, 1, 0x80


def nop(kind, a=0, b=0, c=0, v=0, w=0):
    return bytes([kind, a, b, c]) + le32(v) + le32(w)


def net_up(features, rx_log2=4, tx_log2=4):
    return nop(NET_BRING_UP, 0, rx_log2, tx_log2, features & 0xFFFFFFFF, features >> 32)


def net_desc(q, i, gpa, length, flags=0, nxt=0, table=False):
    return nop(NET_DESC, q | flags << 1 | (0x40 if table else 0), i, nxt, gpa - NET_BUF, length)


def net_offer(q, head, kick=True):
    return nop(NET_OFFER, q | (0 if kick else 2), head & 0xFF, head >> 8)


def net_frame(length, flags=0, gso=0, hdr_len=0, gso_size=0, csum_start=0):
    return nop(NET_FRAME, flags, gso, csum_start, hdr_len | gso_size << 16, length - 1)


def net_poke(gpa, data):
    data = bytes(data) + bytes(-len(data) % 4)
    return [nop(NET_POKE, v=gpa + i, w=struct.unpack("<I", data[i:i + 4])[0])
            for i in range(0, len(data), 4)]


def net_seed(ops, card=0, ram=b""):
    return bytes([card, len(ops)]) + b"".join(ops) + bytes(ram)


def vnet_hdr(flags, gso, hdr_len, gso_size, csum_start, csum_offset):
    return bytes([flags, gso]) + le16(hdr_len) + le16(gso_size) + le16(csum_start) + \
        le16(csum_offset) + le16(0)


# A 60-byte frame behind a zero header, one buffer (RAM is zero there).
write("net", "tx-frame", net_seed([net_up(F_MAC | F_STATUS),
                                   net_desc(TXQ, 0, 0x5000, NET_HDR + 60),
                                   net_offer(TXQ, 0)]))
# The same on the card without offloads, and on the one without TUNSETOFFLOAD.
for card in (1, 2):
    write("net", "tx-frame-card%d" % card, net_seed([net_up(F_MAC),
                                                     net_desc(TXQ, 0, 0x5000, NET_HDR + 1514),
                                                     net_offer(TXQ, 0)], card=card))
# TSO4 with ECN and a partial checksum, the header split 5 + 7, then 3000 bytes.
write("net", "tx-offload", net_seed(
    [net_up(F_MAC | F_CSUM | F_HOST_TSO4 | F_HOST_ECN | F_EVENT_IDX)] +
    net_poke(0x5000, vnet_hdr(NEEDS_CSUM, GSO_TCPV4 | GSO_ECN, 54, 1448, 34, 16)) +
    [net_desc(TXQ, 0, 0x5000, 5, VRING_NEXT, 1), net_desc(TXQ, 1, 0x5005, 7, VRING_NEXT, 2),
     net_desc(TXQ, 2, 0x6000, 3000), net_offer(TXQ, 0)]))
# The same header from a driver that took no offloads: dropped and counted.
write("net", "tx-offload-not-taken", net_seed(
    [net_up(F_MAC)] + net_poke(0x5000, vnet_hdr(NEEDS_CSUM, GSO_TCPV4, 54, 1448, 34, 16)) +
    [net_desc(TXQ, 0, 0x5000, NET_HDR + 3000), net_offer(TXQ, 0)]))
# TSO4 taken but not ECN, and a header with the ECN bit: dropped and counted.
write("net", "tx-ecn-not-taken", net_seed(
    [net_up(F_MAC | F_CSUM | F_HOST_TSO4)] +
    net_poke(0x5000, vnet_hdr(NEEDS_CSUM, GSO_TCPV4 | GSO_ECN, 54, 1448, 34, 16)) +
    [net_desc(TXQ, 0, 0x5000, NET_HDR + 3000), net_offer(TXQ, 0)]))
# Chains no driver makes: writable, shorter than the header, a loop, past RAM.
write("net", "tx-hostile", net_seed(
    [net_up(F_MAC), net_desc(TXQ, 0, 0x5000, 100, VRING_WRITE), net_offer(TXQ, 0),
     net_up(F_MAC), net_desc(TXQ, 0, 0x5000, 8), net_offer(TXQ, 0),
     net_up(F_MAC), net_desc(TXQ, 0, 0x5000, 8, VRING_NEXT, 1),
     net_desc(TXQ, 1, 0x5010, 8, VRING_NEXT, 0), net_offer(TXQ, 0),
     net_up(F_MAC), nop(NET_DESC, TXQ | 0x10, 0, 0, 0x3FFFF, 100), net_offer(TXQ, 0)]))

# A 65550-byte TSO4 frame into a big-packet chain (Linux's add_recvbuf_big
# without MRG_RXBUF: the header, then 17 pages, as an indirect table).
big = [net_desc(0, 0, 0x10000, NET_HDR, VRING_WRITE | VRING_NEXT, 1, table=True)]
big += [net_desc(0, i, 0x10000 + 0x1000 * i, 0x1000,
                 VRING_WRITE | (VRING_NEXT if i < 17 else 0), i + 1, table=True)
        for i in range(1, 18)]
write("net", "rx-big", net_seed(
    [net_up(F_MAC | F_GUEST_CSUM | F_GUEST_TSO4 | F_INDIRECT)] + big +
    [net_desc(RXQ, 0, NET_BUF, 18 * 16, VRING_INDIRECT), net_offer(RXQ, 0),
     net_frame(NET_HDR + NET_MAX_FRAME, NEEDS_CSUM, GSO_TCPV4, 54, 1448, 34)]))
# Too small: a 1514-byte frame for a 76-byte buffer (dropped, length 0), then
# a 4-byte buffer (the device needs a reset).
write("net", "rx-small", net_seed(
    [net_up(F_MAC), net_desc(RXQ, 0, 0x5000, NET_HDR + 64, VRING_WRITE), net_offer(RXQ, 0),
     net_frame(NET_HDR + 1514), net_desc(RXQ, 1, 0x6000, 4, VRING_WRITE), net_offer(RXQ, 1),
     net_frame(NET_HDR + 60)]))
# A reset while the receive thread holds a buffer: the frame goes to the
# buffer of the new rings; a transmit chain offered but not kicked is lost.
write("net", "reset", net_seed(
    [net_up(F_MAC), net_desc(RXQ, 0, 0x5000, NET_HDR + 1514, VRING_WRITE), net_offer(RXQ, 0),
     net_desc(TXQ, 0, 0x7000, NET_HDR + 60), net_offer(TXQ, 0, kick=False),
     nop(NET_STATUS, 0),
     net_up(F_MAC), net_desc(RXQ, 0, 0x6000, NET_HDR + 1514, VRING_WRITE), net_offer(RXQ, 0),
     net_frame(NET_HDR + 100)]))
# The same with the thread not scheduled: the frame, the reset and the new
# rings all come before it runs again.
write("net", "reset-asleep", net_seed(
    [net_up(F_MAC), net_desc(RXQ, 0, 0x5000, NET_HDR + 1514, VRING_WRITE), net_offer(RXQ, 0),
     nop(NET_SLEEP), net_frame(NET_HDR + 100), nop(NET_STATUS, 0),
     net_up(F_MAC), net_desc(RXQ, 0, 0x6000, NET_HDR + 1514, VRING_WRITE), net_offer(RXQ, 0),
     nop(NET_SLEEP)]))
# Every offload for the Guest, which the tap refuses at DRIVER_OK (card byte 4).
write("net", "offload-refused", net_seed(
    [net_up(F_MAC | F_GUEST_CSUM | F_GUEST_TSO4 | F_GUEST_TSO6 | F_GUEST_ECN),
     net_desc(RXQ, 0, 0x5000, NET_HDR + 1514, VRING_WRITE), net_offer(RXQ, 0),
     net_frame(NET_HDR + 1000, NEEDS_CSUM, GSO_TCPV4, 54, 536, 34)], card=4))
# The config space: the MAC and status at each width, then writes to them.
write("net", "config", net_seed(
    [nop(NET_BAR, 2, s, 0, o) for s in range(3) for o in range(0, 8, [1, 2, 4][s])] +
    [nop(NET_BAR, 3, 0, 0, 0, 0xFF), nop(NET_BAR, 3, 2, 0, 4, 0xFFFFFFFF),
     nop(NET_BAR, 2, 2, 0, 4)]))
# The header split over three writable buffers (4, 4, then 4 and the frame):
# num_buffers lands in the third.
write("net", "rx-split-header", net_seed(
    [net_up(F_MAC | F_GUEST_CSUM), net_desc(RXQ, 0, 0x5000, 4, VRING_WRITE | VRING_NEXT, 1),
     net_desc(RXQ, 1, 0x5100, 4, VRING_WRITE | VRING_NEXT, 2),
     net_desc(RXQ, 2, 0x5200, 4 + 1514, VRING_WRITE), net_offer(RXQ, 0),
     net_frame(NET_HDR + 1514, 2)]))
# A transmit chain one byte longer than a header and the largest frame.
write("net", "tx-too-long", net_seed(
    [net_up(F_MAC), net_desc(TXQ, 0, 0x5000, NET_HDR, VRING_NEXT, 1),
     net_desc(TXQ, 1, 0x6000, NET_MAX_FRAME + 1), net_offer(TXQ, 0)]))
