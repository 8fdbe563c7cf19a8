// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_insn.c - the instruction decoder and emulator (launcher/insn.c)
 * against whatever a fuzzer makes.
 *
 * The Host hands us seven bytes at the Guest's EIP, and for a page fault the
 * address it touched; everything else is the Guest's registers.  So an input
 * is exactly that:
 *
 *   [0..6]    the instruction bytes (copied to a 7-byte heap block: ASan
 *             stops a decoder that reads an eighth)
 *   [7]       bit 0: memory decoding on for every device, bit 1: the
 *             address below is raw rather than folded into the device window
 *   [8..11]   le32 fault address
 *   [12..]    le32 registers, in LG_REG_* order (zero beyond the input)
 *
 * We decode both ways, then emulate both ways on the bus of fuzz_bus.h
 * (a console, a disk, an rng), and abort when the emulator does what a CPU
 * would not: EIP must move by exactly the decoded length and only on
 * success, and no register but the one the instruction names may change,
 * nor any of its bits outside the access.
 *
 * make check runs it for LG_FUZZ_SECONDS from tests/unit/corpus/insn/
 * (tests/unit/run-fuzz.sh); make fuzz runs it for FUZZ_SECONDS.
 */
#include "fuzz_bus.h"

#define NREGS		(LG_REG_SS / 4 + 1)
#define REGS_AT		12

static uint32_t regs[NREGS];

static uint32_t get(void *ctx, unsigned int reg)
{
	(void)ctx;
	if (reg % 4 || reg / 4 >= NREGS || reg == LG_REG_ORIG_EAX)
		abort();	/* not a register GETREG can give */
	return regs[reg / 4];
}

static void set(void *ctx, unsigned int reg, uint32_t val)
{
	(void)ctx;
	if (reg % 4 || reg / 4 >= NREGS || reg == LG_REG_ORIG_EAX)
		abort();
	regs[reg / 4] = val;
}

static const struct guest_regs fake = { get, set, NULL };

static uint32_t mask_of(unsigned int size, unsigned int shift)
{
	return (size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1) << shift;
}

/* Every register but eip and the one named kept its value (and bits outside keep). */
static void check_regs(const uint32_t *before, unsigned int reg, uint32_t keep, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < NREGS; i++) {
		if (i == LG_REG_EIP / 4) {
			if (regs[i] != before[i] + len)
				abort();	/* eip moved by other than the length */
		} else if (i == reg / 4) {
			if ((regs[i] & keep) != (before[i] & keep))
				abort();	/* bits outside the access changed */
		} else if (regs[i] != before[i]) {
			abort();		/* a register the instruction does not name changed */
		}
	}
}

/* The eight general registers (only the first four have byte halves). */
static bool is_gpr(unsigned int reg, unsigned int size)
{
	bool low = reg == LG_REG_EAX || reg == LG_REG_ECX || reg == LG_REG_EDX || reg == LG_REG_EBX;

	return low || (size != 1 && (reg == LG_REG_ESP || reg == LG_REG_EBP ||
				     reg == LG_REG_ESI || reg == LG_REG_EDI));
}

static void check_decoders(const uint8_t *insn)
{
	struct io_insn io;
	struct mmio_insn m;
	unsigned int pre = insn[0] == 0x66;

	if (decode_io(insn, &io) == 0) {
		if (io.dir == IO_SKIP ? io.len != pre + 1 :
		    (io.size != 1 && io.size != (pre ? 2u : 4u)) ||
		    io.len != pre + 1 + !io.port_in_dx)
			abort();
	}
	if (decode_mmio(insn, &m) == 0) {
		if ((m.size != 1 && m.size != (pre ? 2u : 4u)) || m.len < pre + 2 || m.len > pre + 7 ||
		    !is_gpr(m.reg, m.size) || (m.shift && (m.shift != 8 || m.size != 1)))
			abort();
	}
}

static int run_one(const uint8_t *data, size_t len)
{
	uint32_t before[NREGS], gpa, keep;
	struct io_insn io;
	struct mmio_insn m;
	uint8_t *insn, flags;
	unsigned int s, i;
	int rc;

	if (len < REGS_AT || bus_setup())
		return 0;
	insn = malloc(7);
	if (!insn)
		return 0;
	memcpy(insn, data, 7);
	flags = data[7];
	gpa = get_le32(data + 8);
	if (!(flags & 2))
		gpa = FUZZ_BUS_RAM + gpa % (LG_DEVICE_WINDOW + 16);
	bus_power_on(data, 0);
	if (flags & 1)
		for (s = 0; s < PCI_SLOTS; s++)
			if (fuzz_g.pci->slot[s])
				fuzz_g.pci->slot[s]->cfg[PCI_COMMAND] |= PCI_COMMAND_MEMORY;
	memset(regs, 0, sizeof(regs));
	for (i = 0; i < NREGS && REGS_AT + 4 * i + 4 <= len; i++)
		regs[i] = get_le32(data + REGS_AT + 4 * i);

	check_decoders(insn);

	memcpy(before, regs, sizeof(regs));
	rc = emulate_io(&fuzz_g, insn, &fake);
	if ((rc == 0) != (decode_io(insn, &io) == 0))
		abort();
	if (rc == 0)
		check_regs(before, LG_REG_EAX, io.dir == IO_IN ? ~mask_of(io.size, 0) : ~0u, io.len);
	else if (memcmp(before, regs, sizeof(regs)))
		abort();	/* a refused instruction changed the registers */

	memcpy(regs, before, sizeof(regs));
	rc = emulate_mmio(&fuzz_g, insn, gpa, &fake);
	if (rc == 0 && decode_mmio(insn, &m) != 0)
		abort();
	if (rc == 0) {
		keep = m.store ? ~0u : ~mask_of(m.size, m.shift);
		check_regs(before, m.reg, keep, m.len);
	} else if (memcmp(before, regs, sizeof(regs))) {
		abort();
	}
	bus_check();
	free(insn);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return run_one(data, len);
}
