#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mockhost.py GUEST.elf [--pae] [--break=noasync,nopending] [lgtest=NAME ...]

A model of the lguest Host and Launcher on the Unicorn CPU emulator (Debian's
python3-unicorn), to run the test Guest on a build machine that has no i386
host kernel.  It is a developer's tool for the Guest, not a reference for the
Host: doc/DESIGN.md and ABI.md are the spec, and where this model is simpler
than they are, they win.  What it models:

  * the boot state, "linear mode" until NEW_PGTABLE, boot_params and the
    command line, the early console on PCI 00:01.0 (ABI.md sections 8-10);
  * the hypercalls the Guest uses, the async ring, LOAD_GDT_ENTRY and
    LOAD_TLS (DPL 0 -> 1, accessed bit, entries 10/11/16/31 ignored);
  * trap delivery: direct trap gates push the real EFLAGS (IF set), the rest
    IF = irq_enabled; interrupt gates clear irq_enabled; traps from ring 3
    switch to the SET_STACK stack; the frame at noirq_iret is reused;
  * SET_CLOCKEVENT, irq_pending, blocked_interrupts and HALT, in virtual time
    (NS_PER_INSN per instruction).

How: Unicorn 2.0 ignores x86 paging, so the model walks the Guest's tables
itself and maps guest RAM page runs at their virtual addresses ("kernel" view
in ring 1, only U=1 pages in ring 3).  It re-walks only when the Guest
notifies it (NEW_PGTABLE, SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB), so a missing
notification shows as a stale mapping, as it would with shadow page tables.
An access outside the view becomes a #PF with cr2 and error code.  Unicorn
has no privilege-raising path, so a trap from ring 3 restores a CPU context
saved in ring 1.

--break=noasync ignores the async ring and --break=nopending never sets
irq_pending: both must turn into "not ok" lines, not a hang.
Exit status: 0 when the Guest powered off with "Power down".
"""
import ctypes
import struct
import sys

from unicorn import *		# noqa: F403 (the constants are the API)
from unicorn.x86_const import *	# noqa: F403

MEM = 64 << 20
KOFF = 0xC0000000
GDT_VA = 0xFFFF0000
BOOT_PA = 0x2000
CMDLINE = 0x1000
NS_PER_INSN = 2
SLICE = 20000		# instructions between "exits" that let interrupts in
BREAK = set()
DIRECT = set([0, 1, 3, 4, 5, 6, 9, 16, 17] + list(range(19, 32))) - {0x1f}
ERRCODE = {8, 10, 11, 12, 13, 14, 17}


def desc(base, limit, access, flags):
    lo = (limit & 0xffff) | ((base & 0xffff) << 16)
    hi = ((base >> 16) & 0xff) | (access << 8) | (((limit >> 16) & 0xf) << 16) | (flags << 20) | (base & 0xff000000)
    return lo, hi


class Dead(Exception):
    pass


class Host:
    def __init__(self, elf, pae, cmdline):
        self.uc = uc = Uc(UC_ARCH_X86, UC_MODE_32)
        self.pae = pae
        self.ram = ctypes.create_string_buffer(MEM)
        self.mv = memoryview(self.ram).cast("B")
        self.base = ctypes.addressof(self.ram)
        self.regions = []
        self.view = None
        self.paging_on = False
        self.cr3 = 0
        self.maps = None
        self.fault = None
        uc.mem_map(GDT_VA, 0x1000)
        self.set_view("linear")
        self.load_elf(elf)
        bp = bytearray(4096)
        struct.pack_into("<I", bp, 0x228, CMDLINE)
        struct.pack_into("<H", bp, 0x206, 0x207)
        self.wr(0, bytes(bp))
        self.wr(CMDLINE, cmdline.encode() + b"\0")
        g = bytearray(32 * 8)
        for i, (a, f) in {10: (0x9a, 0xc), 11: (0x92, 0xc), 12: (0xbb, 0xc), 13: (0xb3, 0xc),
                          14: (0xfb, 0xc), 15: (0xf3, 0xc)}.items():
            struct.pack_into("<II", g, i * 8, *desc(0, 0xfffff, a, f))
        uc.mem_write(GDT_VA, bytes(g))
        uc.reg_write(UC_X86_REG_GDTR, (0, GDT_VA, 32 * 8 - 1, 0))
        uc.reg_write(UC_X86_REG_SS, 0x58)
        uc.reg_write(UC_X86_REG_CS, 0x50)
        uc.reg_write(UC_X86_REG_DS, 0x69)
        uc.reg_write(UC_X86_REG_ES, 0x69)
        # push ss, esp, eflags, cs, eip; iret: the Guest starts in ring 1
        boot = b"\x6a\x69\x6a\x00\x68\x02\x02\x00\x00\x6a\x61\x68" + struct.pack("<I", self.entry) + \
            b"\x31\xc0\x31\xdb\x31\xc9\x31\xd2\x31\xf6\x31\xff\x31\xed\xcf"
        self.wr(BOOT_PA, boot)
        uc.reg_write(UC_X86_REG_ESP, BOOT_PA + 0x800)
        self.idt = {}
        self.data = None
        self.esp0 = None
        self.ring_next = 0
        self.vtime = 0
        self.deadline = None
        self.pending = 0
        self.halted = False
        self.reason = None
        self.kctx = None
        self.out = bytearray()
        self.stats = {"hcalls": 0, "async": 0, "direct": {}, "reflected": {}, "irqs": 0}
        self.pci_addr = 0
        self.cfg = self.make_cfg()
        uc.hook_add(UC_HOOK_INTR, self.on_intr)
        uc.hook_add(UC_HOOK_MEM_INVALID, self.on_bad_mem)
        uc.hook_add(UC_HOOK_CODE, self.on_user_code, None, 0x1000, 0xBFFFFFFF)
        uc.hook_add(UC_HOOK_INSN, self.on_in, None, 1, 0, UC_X86_INS_IN)
        uc.hook_add(UC_HOOK_INSN, self.on_out, None, 1, 0, UC_X86_INS_OUT)

    def load_elf(self, path):
        d = open(path, "rb").read()
        self.entry = struct.unpack_from("<I", d, 24)[0]
        phoff, = struct.unpack_from("<I", d, 28)
        phnum, = struct.unpack_from("<H", d, 44)
        for i in range(phnum):
            t, off, va, pa, fsz, msz, fl, al = struct.unpack_from("<8I", d, phoff + 32 * i)
            if t == 1:
                self.wr(pa, d[off:off + fsz])

    # ---- memory helpers
    def rd(self, pa, n):
        return bytes(self.mv[pa:pa + n])

    def wr(self, pa, b):
        self.mv[pa:pa + len(b)] = b

    def r32(self, pa):
        return struct.unpack("<I", self.rd(pa, 4))[0]

    def r64(self, pa):
        return struct.unpack("<Q", self.rd(pa, 8))[0]

    def w32(self, pa, v):
        self.wr(pa, struct.pack("<I", v & 0xffffffff))

    def paging(self):
        return self.paging_on

    def all_maps(self):
        """Every present page of the current tables: {va_page: (pa, flags)}."""
        m = {}
        cr3 = self.cr3
        if self.pae:
            for i in range(4):
                e = self.r64(cr3 + 8 * i)
                if not e & 1:
                    continue
                pd = e & 0xfffff000
                for j in range(512):
                    d = self.r64(pd + 8 * j)
                    if not d & 1:
                        continue
                    pt = d & 0xfffff000
                    ents = struct.unpack_from("<1024I", self.mv, pt)
                    for k in range(512):
                        t = ents[2 * k]
                        if t & 1:
                            m[(i << 30) | (j << 21) | (k << 12)] = (t & 0xfffff000, d & t & 7)
        else:
            pds = struct.unpack_from("<1024I", self.mv, cr3)
            for j, d in enumerate(pds):
                if not d & 1:
                    continue
                ents = struct.unpack_from("<1024I", self.mv, d & 0xfffff000)
                for k, t in enumerate(ents):
                    if t & 1:
                        m[(j << 22) | (k << 12)] = (t & 0xfffff000, d & t & 7)
        return m

    def set_view(self, view, refresh=False):
        if view == self.view and not refresh:
            return
        uc = self.uc
        for a, n in self.regions:
            uc.mem_unmap(a, n)
        self.regions = []
        self.view = view
        if view == "linear":
            runs = [(0, 0, MEM, UC_PROT_ALL)]
        else:
            if self.maps is None or refresh:
                self.maps = self.all_maps()
            runs = []
            for va in sorted(self.maps):
                pa, f = self.maps[va]
                if view == "user" and not f & 4:
                    continue
                if pa + 4096 > MEM or va >= GDT_VA:
                    continue
                prot = UC_PROT_READ | UC_PROT_EXEC | (UC_PROT_WRITE if f & 2 else 0)
                if runs and runs[-1][0] + runs[-1][2] == va and runs[-1][1] + runs[-1][2] == pa and runs[-1][3] == prot:
                    runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 4096, prot)
                else:
                    runs.append((va, pa, 4096, prot))
        for va, pa, n, prot in runs:
            uc.mem_map_ptr(va, n, prot, self.base + pa)
            self.regions.append((va, n))

    def remap(self):
        if self.paging_on:
            self.maps = None
            self.set_view(self.view, refresh=True)

    def on_bad_mem(self, uc, access, addr, size, value, _):
        self.fault = (access, addr)
        uc.emu_stop()
        return False

    def on_user_code(self, uc, addr, size, _):
        if self.paging_on and self.view != "user" and uc.reg_read(UC_X86_REG_CS) & 3 == 3:
            self.set_view("user")

    def walk(self, va):
        """(pa, effective U/RW/P flags) or (None, 0)."""
        if not self.paging():
            return va, 0x7
        cr3 = self.cr3
        if self.pae:
            e = self.r64((cr3 & ~0x1f) + (va >> 30) * 8)
            if not e & 1:
                return None, 0
            e = self.r64((e & 0xfffff000) + ((va >> 21) & 511) * 8)
            if not e & 1:
                return None, 0
            f = e & 7
            e = self.r64((e & 0xfffff000) + ((va >> 12) & 511) * 8)
        else:
            e = self.r32((cr3 & ~0xfff) + (va >> 22) * 4)
            if not e & 1:
                return None, 0
            f = e & 7
            e = self.r32((e & 0xfffff000) + ((va >> 12) & 1023) * 4)
        if not e & 1:
            return None, 0
        return (e & 0xfffff000) | (va & 0xfff), f & e & 7

    def vwrite32(self, va, v):
        pa, _ = self.walk(va)
        if pa is None:
            self.die(f"host: cannot push frame at {va:#x}")
        self.w32(pa, v)

    def vread(self, va, n):
        pa, _ = self.walk(va)
        return self.rd(pa, n) if pa is not None else b""

    def ld(self, off):
        return self.r32(self.data + off)

    def ld_w(self, off, v):
        self.w32(self.data + off, v)

    def die(self, reason):
        self.reason = reason
        raise Dead()

    def flush(self):
        self.remap()

    # ---- trap delivery
    def deliver(self, vec, err=None, eip=None, reuse=False):
        uc = self.uc
        gate = self.idt.get(vec)
        if eip is None:
            eip = uc.reg_read(UC_X86_REG_EIP)
        if not gate:
            self.die(f"unhandled trap {vec} at eip {eip:#x}")
        handler, gtype, dpl = gate
        cs = uc.reg_read(UC_X86_REG_CS)
        eflags = uc.reg_read(UC_X86_REG_EFLAGS)
        direct = gtype == 0xF and (vec in DIRECT or vec == 0x80)
        kind = "direct" if direct else "reflected"
        self.stats[kind][vec] = self.stats[kind].get(vec, 0) + 1
        if not direct:
            eflags = (eflags & ~0x200) | (self.ld(0) & 0x200)
        if reuse:
            uc.reg_write(UC_X86_REG_EIP, handler)
            if gtype == 0xE:
                self.ld_w(0, 0)
            return
        frame = []
        if cs & 3 == 3:
            regs = {r: uc.reg_read(r) for r in (UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX,
                                                 UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_EBP,
                                                 UC_X86_REG_DS, UC_X86_REG_ES)}
            crs = {r: uc.reg_read(r) for r in (UC_X86_REG_CR0, UC_X86_REG_CR3, UC_X86_REG_CR4)}
            uss, uesp = uc.reg_read(UC_X86_REG_SS), uc.reg_read(UC_X86_REG_ESP)
            uc.context_restore(self.kctx)
            for r in (UC_X86_REG_CR4, UC_X86_REG_CR3, UC_X86_REG_CR0):
                uc.reg_write(r, crs[r])
            self.set_view("kernel")
            for r, v in regs.items():
                uc.reg_write(r, v)
            if self.esp0 is None:
                self.die("trap from ring 3 without SET_STACK")
            uc.reg_write(UC_X86_REG_ESP, self.esp0)
            frame += [uss, uesp]
        frame += [eflags, cs, eip]
        if vec in ERRCODE:
            frame.append(err or 0)
        esp = uc.reg_read(UC_X86_REG_ESP)
        for v in frame:
            esp -= 4
            self.vwrite32(esp, v)
        uc.reg_write(UC_X86_REG_ESP, esp)
        uc.reg_write(UC_X86_REG_EFLAGS, uc.reg_read(UC_X86_REG_EFLAGS) & ~0x100)
        if gtype == 0xE:
            self.ld_w(0, 0)
        uc.reg_write(UC_X86_REG_EIP, handler)

    def insn(self, eip, n=8):
        return self.vread(eip, n)

    def on_intr(self, uc, vec, _):
        try:
            if self.kctx is None and uc.reg_read(UC_X86_REG_CS) == 0x61:
                self.kctx = uc.context_save()
            eip = uc.reg_read(UC_X86_REG_EIP)
            if vec == 0x1f:
                self.hypercall()
                if not self.halted:
                    self.try_irq()
            elif vec in (8, 13):
                # Unicorn never finishes delivering an exception, so QEMU may
                # call a later #GP a double fault: look at the instruction.
                code = self.insn(eip)
                err = 0
                if code[0] == 0x8e:
                    rm = code[1] & 7
                    reg = [UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                           UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI][rm]
                    err = uc.reg_read(reg) & 0xfffc
                elif vec == 8:
                    self.die(f"host: double fault at {eip:#x}")
                self.deliver(13, err, eip)
            else:
                self.deliver(vec, 0, eip)
        except Dead:
            uc.emu_stop()

    # ---- hypercalls
    def hypercall(self):
        uc = self.uc
        args = [uc.reg_read(r) for r in (UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX,
                                          UC_X86_REG_EDX, UC_X86_REG_ESI)]
        self.stats["hcalls"] += 1
        if self.data is None and args[0] != 1:
            self.die("hypercall before LGUEST_INIT")
        if self.data is not None:
            self.do_async()
        self.do_hcall(*args)

    def do_async(self):
        if "noasync" in BREAK:
            return
        for _ in range(64):
            st = self.data + 24 + self.ring_next
            if self.rd(st, 1)[0] != 0:
                break
            a = struct.unpack("<5I", self.rd(self.data + 88 + 20 * self.ring_next, 20))
            if a[0] in (1, 2, 6, 9, 10, 18, 19) or a[0] > 19:
                self.die(f"bad async hypercall {a[0]}")
            self.do_hcall(*a)
            self.stats["async"] += 1
            self.wr(st, b"\xff")
            self.ring_next = (self.ring_next + 1) % 64

    def do_hcall(self, nr, a1, a2, a3, a4):
        uc = self.uc
        if nr == 0 or nr == 19 or nr == 8:
            return
        if nr == 1:
            self.data = a1
            self.ld_w(1372, 0)
            self.ld_w(1368, 0xED000)
            self.set_time()
            if self.ld(1380) != KOFF or self.ld(1384) != 0x80:
                self.die("bad lguest_data")
            self.noirq = self.ld(1376)
        elif nr == 2:
            s = self.rd(a1, 128).split(b"\0")[0].decode(errors="replace")
            self.die(f"CRASH: {s}")
        elif nr == 4:
            self.cr3 = a1
            self.paging_on = True
            self.maps = None
            self.set_view("kernel", refresh=True)
        elif nr in (5, 13, 14, 15):
            self.flush()
        elif nr == 6:
            if a1 >= 256:
                self.die("bad idt vector")
            if a1 in (2, 8, 15, 0x1f):
                return
            if not a3 & 0x8000:
                self.idt.pop(a1, None)
                return
            t = (a3 >> 8) & 0xf
            if t not in (0xE, 0xF):
                self.die(f"bad IDT type {t}")
            self.idt[a1] = ((a2 & 0xffff) | (a3 & 0xffff0000), t, (a3 >> 13) & 3)
        elif nr == 7:
            if a1 & 3 != 1:
                self.die("bad SET_STACK ss")
            self.esp0 = a2
        elif nr == 9:
            self.deadline = self.vtime + a1 if a1 else None
        elif nr == 10:
            self.halted = True
            uc.emu_stop()
        elif nr == 16:
            for i in range(3):
                lo, hi = struct.unpack("<II", self.rd(a1 + 8 * i, 8))
                self.set_gdt(6 + i, lo, hi)
        elif nr == 18:
            if a1 >= 32:
                self.die("bad gdt index")
            if a1 in (10, 11, 16, 31):
                return
            self.set_gdt(a1, a2, a3)
        else:
            self.die(f"bad hypercall {nr}")

    def set_gdt(self, i, lo, hi):
        # Every entry, empty ones too: DPL 0 becomes 1, the accessed bit is set.
        if not (hi >> 13) & 3:
            hi |= 1 << 13
        hi |= 0x100
        self.uc.mem_write(GDT_VA + 8 * i, struct.pack("<II", lo, hi))

    def set_time(self):
        t = 1700000000 * 10**9 + self.vtime
        self.ld_w(12, t // 10**9)
        self.ld_w(16, t % 10**9)

    # ---- interrupts
    def try_irq(self):
        if self.data is None:
            return
        pend = self.pending & ~self.ld(4)
        if not pend:
            return
        if self.halted:
            self.ld_w(0, 0x200)
            self.halted = False
        if not self.ld(0) & 0x200:
            if "nopending" not in BREAK:
                self.ld_w(20, 0x200)
            return
        irq = (pend & -pend).bit_length() - 1
        self.pending &= ~(1 << irq)
        self.stats["irqs"] += 1
        eip = self.uc.reg_read(UC_X86_REG_EIP)
        self.set_time()
        self.deliver(0x20 + irq, None, eip, reuse=(eip == self.noirq))
        if not (self.pending & ~self.ld(4)):
            self.ld_w(20, 0)

    def tick(self, insns):
        self.vtime += insns * NS_PER_INSN
        if self.deadline is not None and self.vtime >= self.deadline:
            self.deadline = None
            self.pending |= 1

    # ---- port I/O and the console's config space
    def make_cfg(self):
        c = bytearray(256)
        struct.pack_into("<HH", c, 0, 0x1af4, 0x1043)
        struct.pack_into("<H", c, 6, 0x10)
        c[0x34] = 0x40
        at = 0x40
        caps = [(1, 16, 0, 0x38), (2, 20, 0x40, 2), (3, 16, 0x60, 1), (4, 16, 0x80, 12), (5, 20, 0, 0)]
        for n, (t, ln, off, size) in enumerate(caps):
            nxt = at + ln if n + 1 < len(caps) else 0
            c[at:at + 4] = bytes([9, nxt, ln, t])
            struct.pack_into("<II", c, at + 8, off, size)
            if t == 5:
                self.window = at
            at += ln
        return c

    def on_out(self, uc, port, size, value, _):
        if port == 0xcf8 and size == 4:
            self.pci_addr = value
        elif 0xcfc <= port < 0xd00:
            a = self.pci_addr
            if a >> 31 and (a >> 11) & 0x1f == 1:
                reg = (a & 0xfc) + (port & 3)
                for i in range(size):
                    self.cfg[reg + i] = (value >> (8 * i)) & 0xff
                w = self.window
                if reg == w + 16:
                    bar, off, ln = self.cfg[w + 4], *struct.unpack_from("<II", self.cfg, w + 8)
                    if bar == 0 and off == 0x88 and ln == 4:
                        ch = value & 0xff
                        self.out.append(ch)
                        sys.stdout.write(chr(ch))
                        sys.stdout.flush()

    def on_in(self, uc, port, size, _):
        if 0xcfc <= port < 0xd00:
            a = self.pci_addr
            if a >> 31 and (a >> 11) & 0x1f == 1 and not (a >> 16) & 0xff and not (a >> 8) & 7:
                reg = (a & 0xfc) + (port & 3)
                return int.from_bytes(self.cfg[reg:reg + size], "little")
            return (1 << (8 * size)) - 1
        return (1 << (8 * size)) - 1

    # ---- run loop
    def run(self, max_insns=2_000_000_000):
        uc = self.uc
        eip = BOOT_PA
        total = 0
        while self.reason is None and total < max_insns:
            if self.halted:
                if self.deadline is None and not self.pending:
                    self.reason = "host: halted forever"
                    break
                if self.deadline is not None:
                    self.vtime = max(self.vtime, self.deadline)
                    self.tick(0)
                try:
                    self.try_irq()
                except Dead:
                    break
                eip = uc.reg_read(UC_X86_REG_EIP)
                continue
            try:
                uc.emu_start(eip, 0xffffffff, count=SLICE)
            except UcError as e:
                if e.errno == UC_ERR_INSN_INVALID and self.reason is None:
                    try:
                        self.deliver(6, 0)
                    except Dead:
                        break
                    eip = uc.reg_read(UC_X86_REG_EIP)
                    continue
                if self.fault is None or self.reason is not None:
                    self.reason = self.reason or f"host: unicorn {e} at eip {uc.reg_read(UC_X86_REG_EIP):#x}"
                    break
                access, addr = self.fault
                self.fault = None
                write = access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT)
                prot = access in (UC_MEM_WRITE_PROT, UC_MEM_READ_PROT, UC_MEM_FETCH_PROT)
                user = uc.reg_read(UC_X86_REG_CS) & 3 == 3
                present = prot or (user and self.walk(addr)[0] is not None)
                err = int(present) | int(write) << 1 | int(user) << 2
                if not self.paging_on:
                    self.reason = f"host: linear-mode access to {addr:#x}"
                    break
                uc.reg_write(UC_X86_REG_CR2, addr)
                self.ld_w(8, addr)
                try:
                    self.deliver(14, err)
                except Dead:
                    break
                eip = uc.reg_read(UC_X86_REG_EIP)
                continue
            total += SLICE
            self.tick(SLICE)
            if self.reason is None and not self.halted:
                try:
                    self.try_irq()
                except Dead:
                    break
            eip = uc.reg_read(UC_X86_REG_EIP)
        return self.reason


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__)
        sys.exit(2)
    pae = "--pae" in args
    for a in args:
        if a.startswith("--break="):
            BREAK.update(a[len("--break="):].split(","))
    cmd = " ".join(a for a in args[1:] if not a.startswith("--"))
    host = Host(args[0], pae, cmd)
    reason = host.run()
    print(f"\n[mockhost] the Guest died: {reason}")
    print(f"[mockhost] {host.stats}")
    sys.exit(0 if reason == "CRASH: Power down" else 1)


if __name__ == "__main__":
    main()
