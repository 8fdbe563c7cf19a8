// SPDX-License-Identifier: GPL-2.0
/*
 * test_insn.c - decoding the Guest's I/O and MMIO instructions, and
 * emulating them against a register array instead of /dev/lguest.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher -o test_insn \
 *       tests/unit/test_insn.c launcher/insn.c launcher/pci.c launcher/console.c \
 *       && ./test_insn
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "lguest.h"
#include "tap.h"

#define RAM	(1u << 20)

/* ---- a register file the emulator can use instead of GETREG/SETREG */
static uint32_t regs[LG_REG_SS / 4 + 1];

static uint32_t fake_get(void *ctx, unsigned int reg)
{
	(void)ctx;
	return regs[reg / 4];
}

static void fake_set(void *ctx, unsigned int reg, uint32_t val)
{
	(void)ctx;
	regs[reg / 4] = val;
}

static const struct guest_regs fake = { fake_get, fake_set, NULL };

#define INSN(...)	((const uint8_t[7]){ __VA_ARGS__ })

static void check_io(const uint8_t insn[7], enum io_dir dir, unsigned int size, bool dx,
		     unsigned int len, const char *name)
{
	struct io_insn io;
	int r = decode_io(insn, &io);

	report(r == 0 && io.dir == dir && io.size == size && io.port_in_dx == dx && io.len == len,
	       "decode %s", name);
	if (r == 0 && !dx)
		report(io.imm == insn[len - 1], "decode %s: immediate port %#x", name, io.imm);
}

static void test_decode_io(void)
{
	struct io_insn io;

	check_io(INSN(0xE4, 0x64), IO_IN, 1, false, 2, "in $imm,%al");
	check_io(INSN(0xE5, 0x70), IO_IN, 4, false, 2, "in $imm,%eax");
	check_io(INSN(0xEC), IO_IN, 1, true, 1, "in (%dx),%al");
	check_io(INSN(0xED), IO_IN, 4, true, 1, "in (%dx),%eax");
	check_io(INSN(0xE6, 0x80), IO_OUT, 1, false, 2, "out %al,$imm");
	check_io(INSN(0xE7, 0x71), IO_OUT, 4, false, 2, "out %eax,$imm");
	check_io(INSN(0xEE), IO_OUT, 1, true, 1, "out %al,(%dx)");
	check_io(INSN(0xEF), IO_OUT, 4, true, 1, "out %eax,(%dx)");

	check_io(INSN(0x66, 0xE5, 0x70), IO_IN, 2, false, 3, "in $imm,%ax");
	check_io(INSN(0x66, 0xED), IO_IN, 2, true, 2, "in (%dx),%ax");
	check_io(INSN(0x66, 0xE7, 0x71), IO_OUT, 2, false, 3, "out %ax,$imm");
	check_io(INSN(0x66, 0xEF), IO_OUT, 2, true, 2, "out %ax,(%dx)");
	check_io(INSN(0x66, 0xEC), IO_IN, 1, true, 2, "0x66 in (%dx),%al: still a byte");
	check_io(INSN(0x66, 0xE6, 0x80), IO_OUT, 1, false, 3, "0x66 out %al,$imm: still a byte");

	report(decode_io(INSN(0xFA), &io) == 0 && io.dir == IO_SKIP && io.len == 1,
	       "decode cli: skipped, 1 byte");
	report(decode_io(INSN(0x66, 0xFA), &io) == 0 && io.dir == IO_SKIP && io.len == 2,
	       "decode 0x66 cli: skipped, 2 bytes");

	report(decode_io(INSN(0x90), &io) == -1, "nop is undecodable");
	report(decode_io(INSN(0x6C), &io) == -1, "insb is undecodable");
	report(decode_io(INSN(0x6F), &io) == -1, "outsl is undecodable");
	report(decode_io(INSN(0xF3, 0x6E), &io) == -1, "rep outsb is undecodable");
	report(decode_io(INSN(0x66, 0x66, 0xED), &io) == -1, "two 0x66 prefixes are undecodable");
	report(decode_io(INSN(0xE8, 0, 0, 0, 0), &io) == -1, "call (0xE8) is undecodable");
	report(decode_io(INSN(0xFB), &io) == -1, "sti is undecodable");
	report(decode_io(INSN(0x0F, 0x01, 0xD9), &io) == -1, "vmmcall-like 0F is undecodable");
	report(decode_io(INSN(0x66), &io) == -1, "a lone 0x66 is undecodable");
}

static void check_mmio(const uint8_t insn[7], bool store, unsigned int size, unsigned int reg,
		       unsigned int shift, unsigned int len, const char *name)
{
	struct mmio_insn m;
	int r = decode_mmio(insn, &m);

	report(r == 0 && m.store == store && m.size == size && m.reg == reg &&
	       m.shift == shift && m.len == len, "decode %s", name);
	if (r == 0 && m.len != len)
		diag("length %u, wanted %u", m.len, len);
}

static void test_decode_mmio(void)
{
	struct mmio_insn m;

	check_mmio(INSN(0x8B, 0x00), false, 4, LG_REG_EAX, 0, 2, "mov (%eax),%eax");
	check_mmio(INSN(0x89, 0x50, 0x08), true, 4, LG_REG_EDX, 0, 3, "mov %edx,8(%eax)");
	check_mmio(INSN(0x89, 0x93, 0, 1, 0, 0), true, 4, LG_REG_EDX, 0, 6,
		   "mov %edx,0x100(%ebx) (disp32)");
	check_mmio(INSN(0x8B, 0x0D, 0, 0x10, 0, 0xC0), false, 4, LG_REG_ECX, 0, 6,
		   "mov abs32,%ecx");
	check_mmio(INSN(0x66, 0x8B, 0x0D, 0, 0x10, 0, 0xC0), false, 2, LG_REG_ECX, 0, 7,
		   "mov abs32,%cx");
	check_mmio(INSN(0x66, 0x89, 0x3E), true, 2, LG_REG_EDI, 0, 3, "mov %di,(%esi)");
	check_mmio(INSN(0x8A, 0x03), false, 1, LG_REG_EAX, 0, 2, "mov (%ebx),%al");
	check_mmio(INSN(0x88, 0x23), true, 1, LG_REG_EAX, 8, 2, "mov %ah,(%ebx)");
	check_mmio(INSN(0x8A, 0x7B, 0x04), false, 1, LG_REG_EBX, 8, 3, "mov 4(%ebx),%bh");
	check_mmio(INSN(0x8B, 0x04, 0x24), false, 4, LG_REG_EAX, 0, 3, "mov (%esp),%eax (SIB)");
	check_mmio(INSN(0x8B, 0x44, 0x24, 0x10), false, 4, LG_REG_EAX, 0, 4,
		   "mov 0x10(%esp),%eax (SIB + disp8)");
	check_mmio(INSN(0x8B, 0x84, 0x8B, 0, 1, 0, 0), false, 4, LG_REG_EAX, 0, 7,
		   "mov 0x100(%ebx,%ecx,4),%eax (SIB + disp32)");
	check_mmio(INSN(0x8B, 0x04, 0x8D, 0, 0, 0, 0xC0), false, 4, LG_REG_EAX, 0, 7,
		   "mov 0xc0000000(,%ecx,4),%eax (SIB, no base)");
	check_mmio(INSN(0x89, 0x65, 0x00), true, 4, LG_REG_ESP, 0, 3, "mov %esp,0(%ebp)");

	report(decode_mmio(INSN(0x8B, 0xC0), &m) == -1, "mov %%eax,%%eax (mod 3) is undecodable");
	report(decode_mmio(INSN(0xC7, 0x00, 1, 0, 0, 0), &m) == -1, "mov $imm,(%%eax) is undecodable");
	report(decode_mmio(INSN(0x0F, 0xB6, 0x00), &m) == -1, "movzbl is undecodable");
	report(decode_mmio(INSN(0xA1, 0, 0, 0, 0xC0), &m) == -1, "mov moffs,%%eax is undecodable");
}

static void test_merge_reg(void)
{
	report(merge_reg(0x11223344, 0xAB, 1, 0) == 0x112233AB, "8-bit load keeps bits 8-31");
	report(merge_reg(0x11223344, 0xAB, 1, 8) == 0x1122AB44, "high-byte load hits bits 8-15");
	report(merge_reg(0x11223344, 0xFFFFFFFF, 2, 0) == 0x1122FFFF, "16-bit load keeps bits 16-31");
	report(merge_reg(0x11223344, 0xCAFEF00D, 4, 0) == 0xCAFEF00D, "32-bit load replaces all");
}

static void test_emulate_io(struct guest *g)
{
	memset(regs, 0, sizeof(regs));
	regs[LG_REG_EAX / 4] = 0x12345678;
	regs[LG_REG_EIP / 4] = 0xC1000000;
	report(emulate_io(g, INSN(0xE4, 0x64), &fake) == 0 &&
	       regs[LG_REG_EAX / 4] == 0x12345601 && regs[LG_REG_EIP / 4] == 0xC1000002,
	       "in $0x64,%%al reads 1, keeps the rest of eax, eip += 2");

	regs[LG_REG_EDX / 4] = 0xABCD1234;	/* only %dx is the port */
	report(emulate_io(g, INSN(0xED), &fake) == 0 && regs[LG_REG_EAX / 4] == 0xFFFFFFFF &&
	       regs[LG_REG_EIP / 4] == 0xC1000003, "in (%%dx),%%eax from nowhere reads all-ones");

	regs[LG_REG_EAX / 4] = 0x12345678;
	report(emulate_io(g, INSN(0x66, 0xED), &fake) == 0 && regs[LG_REG_EAX / 4] == 0x1234FFFF &&
	       regs[LG_REG_EIP / 4] == 0xC1000005, "in (%%dx),%%ax: 16 bits, eip += 2");

	report(emulate_io(g, INSN(0xE6, 0x80), &fake) == 0 && regs[LG_REG_EAX / 4] == 0x1234FFFF &&
	       regs[LG_REG_EIP / 4] == 0xC1000007, "out %%al,$0x80 ignored, eip += 2");

	report(emulate_io(g, INSN(0xFA), &fake) == 0 && regs[LG_REG_EIP / 4] == 0xC1000008,
	       "cli stepped over");

	report(emulate_io(g, INSN(0x6C), &fake) == -1 && regs[LG_REG_EIP / 4] == 0xC1000008,
	       "undecodable: -1 and eip unchanged");

	/* The PCI ports are reached through the same path. */
	regs[LG_REG_EDX / 4] = LGUEST_PCI_CONFIG_ADDR;
	regs[LG_REG_EAX / 4] = 0x80000800;	/* 00:01.0, register 0 */
	emulate_io(g, INSN(0xEF), &fake);
	regs[LG_REG_EDX / 4] = LGUEST_PCI_CONFIG_DATA;
	regs[LG_REG_EAX / 4] = 0;
	report(emulate_io(g, INSN(0xED), &fake) == 0 && regs[LG_REG_EAX / 4] == 0x10431AF4,
	       "out/in through 0xCF8/0xCFC reads the console's IDs (%#x)", regs[LG_REG_EAX / 4]);
	regs[LG_REG_EDX / 4] = LGUEST_PCI_CONFIG_DATA + 2;
	report(emulate_io(g, INSN(0x66, 0xED), &fake) == 0 && (regs[LG_REG_EAX / 4] & 0xFFFF) == 0x1043,
	       "in (%%dx),%%ax at 0xCFE reads the device ID");
}

static void test_emulate_mmio(struct guest *g)
{
	memset(regs, 0, sizeof(regs));
	regs[LG_REG_EIP / 4] = 0x1000;
	report(emulate_mmio(g, INSN(0x8B, 0x03), RAM + 0x80, &fake) == -1 &&
	       regs[LG_REG_EIP / 4] == 0x1000, "MMIO before the BAR is enabled: -1, eip unchanged");
	report(emulate_mmio(g, INSN(0x8B, 0x03), 0x5000, &fake) == -1,
	       "MMIO to an address in no BAR: -1");
	report(emulate_mmio(g, INSN(0x0F, 0xB6, 0x03), RAM + 0x80, &fake) == -1,
	       "undecodable MMIO: -1");
}

int main(void)
{
	struct guest g = { .ram_size = RAM, .fd = -1 };
	int null_fd = open("/dev/null", O_WRONLY);

	g.mem = calloc(1, RAM);
	if (!g.mem || pci__init(&g) || console__add(&g, -1, null_fd))
		return 1;
	test_decode_io();
	test_decode_mmio();
	test_merge_reg();
	test_emulate_io(&g);
	test_emulate_mmio(&g);
	pci__exit(&g);
	free(g.mem);
	close(null_fd);
	return report_summary();
}
