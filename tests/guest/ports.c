// SPDX-License-Identifier: GPL-2.0
/*
 * ports.c - port writes that need no answer.  The Launcher may let lg.ko
 * hold our writes to the PCI configuration ports and carry them out at our
 * next exit (lg.ko H310, launcher L115); nothing we can observe may tell
 * the difference.  We check that a read sees every write made before it,
 * however many, and that each write has the size its instruction gave it.
 * The register we use is the console window's offset field: plain storage
 * in the Launcher, which console_putc() sets again for each character.
 */
#include "lib/libguest.h"
#include "lib/processor.h"
#include "tests.h"

/* More than lg.ko holds at once (LGUEST_HELD_WRITES), select and write each. */
#define BURST	100

static void test_burst(unsigned int reg)
{
	unsigned int i;
	u32 got;

	for (i = 0; i < BURST; i++) {
		console_cfg_select(reg);
		outl(LGUEST_PCI_CONFIG_DATA, i * 4);
	}
	got = console_cfg_read32(reg);
	report(got == (BURST - 1) * 4,
	       "a read after %u port writes sees the last of them", 2 * BURST);
	if (got != (BURST - 1) * 4)
		report_info("read 0x%x, wanted 0x%x", got, (BURST - 1) * 4);
}

/*
 * Byte and word writes at offsets into the dword, from an %eax whose other
 * bits are set: only the bytes the instruction names may change.
 */
static void test_sizes(unsigned int reg)
{
	u32 got;

	console_cfg_select(reg);
	outl(LGUEST_PCI_CONFIG_DATA, 0x11223344);
	console_cfg_select(reg);
	asm volatile("outb %%al, %%dx" : : "a"(0xFFFFFFABu), "d"(LGUEST_PCI_CONFIG_DATA + 1));
	console_cfg_select(reg);
	asm volatile("outw %%ax, %%dx" : : "a"(0xFFFF5566u), "d"(LGUEST_PCI_CONFIG_DATA + 2));
	got = console_cfg_read32(reg);
	report(got == 0x5566AB44,
	       "outb and outw change only their own bytes of a config register");
	if (got != 0x5566AB44)
		report_info("read 0x%x, wanted 0x5566ab44", got);
}

void test_ports(void)
{
	unsigned int reg = console_window_offset_reg();

	test_burst(reg);
	test_sizes(reg);
}
