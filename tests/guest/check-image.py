#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-image.py GUEST.elf [--pae]: check a built test Guest without running it.

The Guest cannot run on the build machine, so this reads the ELF file the way
the Launcher and the Host will: program headers (physical load address,
physical entry point), the boot page tables walked as the Host will walk them
after NEW_PGTABLE, the initial lguest_data, and the trap stubs.  Exits 1 and
says why on the first thing that is wrong.
"""
import struct
import sys

KERNEL_OFFSET = 0xC0000000
LOAD_ADDRESS = 0x1000000
BOOT_MAP_SIZE = 64 << 20
PAGE = 4096


class Image:
    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 1 or d[5] != 1:
            fail("not a 32-bit little-endian ELF file")
        (self.e_type, self.e_machine, _, self.e_entry, e_phoff, e_shoff, _, _,
         e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(
            "<HHIIIIIHHHHHH", d, 16)
        self.phdrs = []
        for i in range(e_phnum):
            self.phdrs.append(struct.unpack_from("<IIIIIIII", d, e_phoff + i * e_phentsize))
        self.sections = []
        for i in range(e_shnum):
            self.sections.append(struct.unpack_from("<IIIIIIIIII", d, e_shoff + i * e_shentsize))
        self.symbols = {}
        for sh in self.sections:
            if sh[1] != 2:	# SHT_SYMTAB
                continue
            strtab = self.sections[sh[6]]
            for off in range(sh[4], sh[4] + sh[5], 16):
                name, value, _, _, _, _ = struct.unpack_from("<IIIBBH", d, off)
                end = d.index(b"\0", strtab[4] + name)
                self.symbols[d[strtab[4] + name:end].decode()] = value

    def sym(self, name):
        if name not in self.symbols:
            fail(f"no symbol {name}")
        return self.symbols[name]

    def read_pa(self, pa, size):
        """Bytes at a guest-physical address, as the Launcher will load them."""
        for p_type, p_offset, _, p_paddr, p_filesz, p_memsz, _, _ in self.phdrs:
            if p_type == 1 and p_paddr <= pa and pa + size <= p_paddr + p_memsz:
                if pa + size <= p_paddr + p_filesz:
                    return self.data[p_offset + pa - p_paddr:p_offset + pa - p_paddr + size]
                return bytes(size)	# .bss
        fail(f"physical {pa:#x}+{size} is not in the image")

    def u32(self, pa):
        return struct.unpack("<I", self.read_pa(pa, 4))[0]

    def u64(self, pa):
        return struct.unpack("<Q", self.read_pa(pa, 8))[0]


def fail(msg):
    print(f"check-image: FAIL: {msg}")
    sys.exit(1)


def check_headers(img):
    if img.e_machine != 3:
        fail("not an i386 image")
    loads = [p for p in img.phdrs if p[0] == 1]
    if not loads or loads[0][3] != LOAD_ADDRESS:
        fail("the first PT_LOAD is not at physical 0x1000000")
    for p in loads:
        if p[2] != p[3] + KERNEL_OFFSET:
            fail(f"PT_LOAD at {p[2]:#x} has p_paddr {p[3]:#x}")
    if img.e_entry != img.sym("_start") - KERNEL_OFFSET or img.e_entry != LOAD_ADDRESS:
        fail(f"entry {img.e_entry:#x} is not the physical address of _start")
    print(f"ok: entry {img.e_entry:#x}, {len(loads)} PT_LOADs at p_vaddr = p_paddr + {KERNEL_OFFSET:#x}")


def walk(img, top, va, pae):
    """The physical address va maps to and the entries' flags, or None."""
    if pae:
        pdpte = img.u64(top + (va >> 30) * 8)
        if not pdpte & 1:
            return None
        if pdpte & 0x1E6:	# RW, US, PWT... must be clear in a PDPT entry (PCD/PWT allowed, we use none)
            fail(f"PDPT entry {va >> 30} has flags {pdpte & 0xFFF:#x}")
        pde = img.u64((pdpte & ~0xFFF) + ((va >> 21) & 511) * 8)
        if not pde & 1:
            return None
        pte = img.u64((pde & ~0xFFF & 0xFFFFFFFF) + ((va >> 12) & 511) * 8)
    else:
        pde = img.u32(top + (va >> 22) * 4)
        if not pde & 1:
            return None
        pte = img.u32((pde & ~0xFFF) + ((va >> 12) & 1023) * 4)
    if not pte & 1:
        return None
    return (pte & ~0xFFF & 0xFFFFFFFF) | (va & 0xFFF), pde & 0xFFF, pte & 0xFFF


def check_page_tables(img, pae):
    top = img.sym("boot_pgdir") - KERNEL_OFFSET
    if top % PAGE:
        fail("boot_pgdir is not page aligned")
    for base in (0, KERNEL_OFFSET):
        for va in range(base, base + BOOT_MAP_SIZE, PAGE):
            m = walk(img, top, va, pae)
            if m is None:
                fail(f"{va:#x} is not mapped")
            pa, pde_flags, pte_flags = m
            if pa != va - base or pde_flags != 3 or pte_flags != 3:
                fail(f"{va:#x} maps to {pa:#x} with flags {pde_flags:#x}/{pte_flags:#x}")
        for va in (base + BOOT_MAP_SIZE, base + BOOT_MAP_SIZE + (8 << 20)):
            if walk(img, top, va, pae) is not None:
                fail(f"{va:#x} is mapped but should not be")
    for va in (0x10000000, 0x40000000, 0x80000000, 0xD0000000, 0xFFC00000):
        if walk(img, top, va, pae) is not None:
            fail(f"{va:#x} is mapped but should not be")
    first = img.u64(top) if pae else img.u32(top)
    print(f"ok: {'PAE' if pae else '2-level'} boot tables at {top:#x} map [0, 64M) twice, "
          f"supervisor RW (first top-level entry {first:#x})")


def check_lguest_data(img):
    pa = img.sym("lguest_data") - KERNEL_OFFSET
    raw = img.read_pa(pa, 1388)
    irq_enabled, blocked = struct.unpack_from("<II", raw, 0)
    status = raw[24:88]
    noirq, kaddr, sysvec = struct.unpack_from("<III", raw, 1376)
    if irq_enabled != 0 or status != b"\xff" * 64:
        fail("lguest_data: irq_enabled or hcall_status not initialised")
    if noirq != img.sym("lguest_noirq_iret") or img.read_pa(noirq - KERNEL_OFFSET, 1) != b"\xcf":
        fail(f"lguest_data.noirq_iret {noirq:#x} does not point at an iret")
    if kaddr != KERNEL_OFFSET or sysvec != 0x80:
        fail("lguest_data: kernel_address or syscall_vec wrong")
    if pa // PAGE != (pa + 1387) // PAGE:
        fail("lguest_data crosses a page")
    print(f"ok: lguest_data at {pa:#x}, noirq_iret {noirq:#x} is an iret, "
          f"blocked_interrupts {blocked:#x}")


def check_stubs(img):
    base = img.sym("trap_stubs")
    common = img.sym("trap_common")
    for vec in range(256):
        code = img.read_pa(base + vec * 16 - KERNEL_OFFSET, 16)
        i = 0
        if vec not in (8, 10, 11, 12, 13, 14, 17):
            if code[0:2] != b"\x6a\x00":
                fail(f"stub {vec} does not push a zero error code")
            i = 2
        if code[i] == 0x6A:
            pushed, i = code[i + 1], i + 2
        elif code[i] == 0x68:
            pushed, i = struct.unpack_from("<I", code, i + 1)[0], i + 5
        else:
            fail(f"stub {vec} does not push its vector")
        if pushed != vec:
            fail(f"stub {vec} pushes {pushed}")
        here = base + vec * 16 + i
        if code[i] == 0xE9:
            target = here + 5 + struct.unpack_from("<i", code, i + 1)[0]
        elif code[i] == 0xEB:
            target = here + 2 + struct.unpack_from("<b", code, i + 1)[0]
        else:
            fail(f"stub {vec} does not jump")
        if target != common:
            fail(f"stub {vec} jumps to {target:#x}")
    print("ok: 256 trap stubs, 16 bytes apart, push error code and vector, jump to trap_common")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    img = Image(sys.argv[1])
    pae = "--pae" in sys.argv[2:]
    check_headers(img)
    check_page_tables(img, pae)
    check_lguest_data(img)
    check_stubs(img)
    start, end = img.sym("__user_text_start"), img.sym("__user_text_end")
    if start % PAGE or end - start != PAGE:
        fail("the user-mode code is not one page of its own")
    print(f"ok: user-mode code alone in the page at {start:#x}")


if __name__ == "__main__":
    main()
