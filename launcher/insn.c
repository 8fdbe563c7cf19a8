// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c - the few x86 instructions that bring the Guest to the Launcher.
 *
 * The Guest kernel runs in ring 1 without I/O permission, so every in/out
 * faults; the Host hands us the first seven instruction bytes (trap 13).
 * A load or store to a device page also comes to us (trap 14), with the
 * guest-physical address it touched.  Here we decode those instructions,
 * route the access to the port or the BAR it names, and move the Guest on.
 * Decoding is pure; the registers come through struct guest_regs, so the
 * unit tests can run the whole path against an array of numbers.
 */
#include <string.h>

#include "lguest.h"

#define PREFIX_OPSIZE	0x66
#define INSN_CLI	0xFA
#define PS2_STATUS_PORT	0x64

/*> L400
 * The port I/O instructions form a neat block of opcodes.  E4-E7 take the
 * port as an 8-bit immediate, EC-EF take it from %dx; in each group of four,
 * bit 1 chooses out over in and bit 0 chooses the full-width accumulator
 * (%eax, or %ax after an operand-size prefix) over %al.  The string forms
 * (ins/outs) and rep prefixes are not used by any Guest we know, so they
 * fall through to "undecodable" and the Guest gets its #GP back.
 *
 * cli is the odd one out: a ring-1 Guest that tries it faults too, but its
 * interrupts are virtual (lguest_data.irq_enabled) and the real flag is the
 * Host's business, so we just step over it.
 */
int decode_io(const uint8_t insn[7], struct io_insn *io)
{
	unsigned int i = 0, wide = 4;
	uint8_t op;

	memset(io, 0, sizeof(*io));
	if (insn[0] == PREFIX_OPSIZE) {
		wide = 2;
		i = 1;
	}
	op = insn[i];
	if (op == INSN_CLI) {
		io->dir = IO_SKIP;
		io->len = i + 1;
		return 0;
	}
	if ((op & 0xF4) != 0xE4)	/* not one of E4-E7, EC-EF */
		return -1;

	io->dir = (op & 0x02) ? IO_OUT : IO_IN;
	io->size = (op & 0x01) ? wide : 1;
	io->port_in_dx = op & 0x08;
	io->len = i + 1;
	if (!io->port_in_dx)
		io->imm = insn[io->len++];
	return 0;
}

/* The register a ModRM reg field names, as a GETREG/SETREG offset. */
static const unsigned int modrm_reg[8] = {
	LG_REG_EAX, LG_REG_ECX, LG_REG_EDX, LG_REG_EBX,
	LG_REG_ESP, LG_REG_EBP, LG_REG_ESI, LG_REG_EDI,
};

/*
 * How many bytes the memory operand adds after the ModRM byte.  We need the
 * length only to step EIP past the instruction: the address itself comes
 * from the Host, so the SIB and displacement values never matter, and the
 * seven bytes we get always cover the ModRM and SIB bytes we do read.
 */
static unsigned int modrm_extra_len(uint8_t modrm, uint8_t sib)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, len = 0;

	if (rm == 4) {
		len++;				/* SIB byte */
		if (mod == 0 && (sib & 7) == 5)
			len += 4;		/* SIB with no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4;			/* absolute disp32 */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

/*> L410
 * A driver touches device registers with plain mov: 88/89 store a register
 * to memory, 8A/8B load one, the odd opcode being the full-width form.
 * That is what Linux's readb/readw/readl and writeb/w/l compile to, and
 * all the virtio-pci driver uses.  A ModRM with mod 3 names two registers
 * and no memory at all, so it cannot be what faulted.
 */
int decode_mmio(const uint8_t insn[7], struct mmio_insn *m)
{
	unsigned int i = 0, wide = 4, reg;
	uint8_t op, modrm;

	memset(m, 0, sizeof(*m));
	if (insn[0] == PREFIX_OPSIZE) {
		wide = 2;
		i = 1;
	}
	op = insn[i];
	if (op < 0x88 || op > 0x8B)
		return -1;
	modrm = insn[i + 1];
	if ((modrm >> 6) == 3)
		return -1;

	m->store = !(op & 0x02);
	m->size = (op & 0x01) ? wide : 1;
	reg = (modrm >> 3) & 7;
	if (m->size == 1) {
		/* Byte registers 4-7 are %ah, %ch, %dh, %bh: bits 8-15 of 0-3. */
		m->reg = modrm_reg[reg & 3];
		m->shift = (reg & 4) ? 8 : 0;
	} else {
		m->reg = modrm_reg[reg];
	}
	m->len = i + 2 + modrm_extra_len(modrm, insn[i + 2]);
	return 0;
}

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/*
 * Put a value of size bytes into a register the way the CPU would: an 8- or
 * 16-bit load leaves the rest of the register as it was.
 */
uint32_t merge_reg(uint32_t old, uint32_t val, unsigned int size, unsigned int shift)
{
	uint32_t mask = size_mask(size) << shift;

	return (old & ~mask) | ((val << shift) & mask);
}

/*
 * Every port without a device reads as all-ones, as on a real bus with
 * nothing behind it; the one exception is the PS/2 controller's status port.
 * Code that pokes the keyboard controller (Linux's reboot path, for one)
 * first waits for bit 1, "input buffer full", to clear: all-ones would keep
 * it waiting until it times out, while 1 says "idle, nothing to read".
 */
uint32_t port_in(struct guest *g, uint16_t port, unsigned int size)
{
	uint32_t val;

	if (pci__io_in(g, port, size, &val))
		return val;
	if (port == PS2_STATUS_PORT)
		return 1;
	return 0xFFFFFFFFu;
}

/* Writes to ports nobody owns go nowhere, as they would on real hardware. */
void port_out(struct guest *g, uint16_t port, unsigned int size, uint32_t val)
{
	pci__io_out(g, port, size, val);
}

/*
 * The writes lg.ko held for us (main.c, L115), in the Guest's order.  It
 * only holds writes of 1, 2 or 4 bytes: -1 at one of any other size, which
 * means lg.ko and we disagree about the ABI.
 */
int port_writes(struct guest *g, const struct lguest_port_write *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (w[i].size != 1 && w[i].size != 2 && w[i].size != 4)
			return -1;
		port_out(g, w[i].port, w[i].size, w[i].value & size_mask(w[i].size));
	}
	return 0;
}

static void step_over(const struct guest_regs *r, unsigned int len)
{
	r->set(r->ctx, LG_REG_EIP, r->get(r->ctx, LG_REG_EIP) + len);
}

/*
 * Emulate the I/O instruction at the Guest's EIP.  Returns -1 when we do not
 * understand it: the caller gives the Guest its #GP back.
 */
int emulate_io(struct guest *g, const uint8_t insn[7], const struct guest_regs *r)
{
	struct io_insn io;
	uint16_t port;
	uint32_t eax;

	if (decode_io(insn, &io))
		return -1;
	if (io.dir != IO_SKIP) {
		port = io.port_in_dx ? (uint16_t)r->get(r->ctx, LG_REG_EDX) : io.imm;
		eax = r->get(r->ctx, LG_REG_EAX);
		if (io.dir == IO_IN)
			r->set(r->ctx, LG_REG_EAX,
			       merge_reg(eax, port_in(g, port, io.size), io.size, 0));
		else
			port_out(g, port, io.size, eax & size_mask(io.size));
	}
	step_over(r, io.len);
	return 0;
}

/*
 * Emulate a load or store to device memory at guest-physical gpa.  Returns
 * -1 if the instruction is not one we decode or no BAR covers gpa: the
 * caller gives the Guest its page fault back.
 */
int emulate_mmio(struct guest *g, const uint8_t insn[7], uint32_t gpa,
		 const struct guest_regs *r)
{
	struct mmio_insn m;
	uint32_t val;

	if (decode_mmio(insn, &m))
		return -1;
	if (m.store) {
		val = (r->get(r->ctx, m.reg) >> m.shift) & size_mask(m.size);
		if (pci__mmio_write(g, gpa, m.size, val))
			return -1;
	} else {
		if (pci__mmio_read(g, gpa, m.size, &val))
			return -1;
		r->set(r->ctx, m.reg, merge_reg(r->get(r->ctx, m.reg), val, m.size, m.shift));
	}
	step_over(r, m.len);
	return 0;
}
