// SPDX-License-Identifier: GPL-2.0
/*
 * ports.c - port writes that need no answer.  The Launcher may let lg.ko
 * hold our writes to the PCI configuration ports and carry them out at our
 * next exit (lg.ko H310, launcher L115); nothing we can observe may tell
 * the difference.  We check that a read sees every write made before it,
 * however many, and that each write has the size its instruction gave it.
 * The register we use is the console window's offset field: plain storage
 * in the Launcher, which console_putc() sets again for each character.
 *
 * lg.ko reads the instruction at our EIP one page at a time, so we also
 * run port instructions that start on the last byte of one page and end on
 * a page that is not the next one in memory.
 */
#include "lib/libguest.h"
#include "lib/mmu.h"
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

/* Nothing answers here: the Launcher reads all-ones. */
#define NO_PORT		0x300

/*
 * Two pages at PORTS_TEST_VA, mapped the wrong way round: the first virtual
 * page is the second physical one.  A word-sized port instruction is put
 * across the boundary, its 0x66 prefix the first page's last byte and its
 * opcode and a "ret" at the start of the second.  Read as one run of
 * guest-physical memory, the prefix would be followed by whatever the
 * second physical page starts with, and the Launcher (or lg.ko, holding a
 * write) would decode the wrong instruction.
 */
static void (*straddling_port_insn(u8 opcode))(void)
{
	static u8 *low, *high;

	if (!low) {
		low = alloc_page();
		high = alloc_page();
		memset(low, 0xCC, PAGE_SIZE);	/* int3: a wrong decode goes no further */
		memset(high, 0xCC, PAGE_SIZE);
		high[PAGE_SIZE - 1] = 0x66;
		low[1] = 0xC3;
		pt_map(&kernel_pgt, PORTS_TEST_VA, page_pa(high), PTE_P);
		pt_map(&kernel_pgt, PORTS_TEST_VA + PAGE_SIZE, page_pa(low), PTE_P);
	}
	low[0] = opcode;
	return (void (*)(void))(PORTS_TEST_VA + PAGE_SIZE - 1);
}

static void test_straddling(unsigned int reg)
{
	void (*insn)(void);
	u32 eax = 0x12345678, got;

	insn = straddling_port_insn(0xED);	/* inw (%dx), %ax */
	asm volatile("call *%2" : "+a"(eax) : "d"(NO_PORT), "r"(insn) : "memory");
	report(eax == 0x1234FFFF, "an inw across a page boundary reads a word");
	if (eax != 0x1234FFFF)
		report_info("%%eax 0x%x, wanted 0x1234ffff", eax);

	console_cfg_select(reg);
	outl(LGUEST_PCI_CONFIG_DATA, 0x11223344);
	console_cfg_select(reg);
	insn = straddling_port_insn(0xEF);	/* outw %ax, (%dx) */
	eax = 0xFFFF7788;
	asm volatile("call *%2" : "+a"(eax) : "d"(LGUEST_PCI_CONFIG_DATA), "r"(insn) : "memory");
	got = console_cfg_read32(reg);
	report(got == 0x11227788, "an outw across a page boundary writes a word");
	if (got != 0x11227788)
		report_info("read 0x%x, wanted 0x11227788", got);
}

void test_ports(void)
{
	unsigned int reg = console_window_offset_reg();

	test_burst(reg);
	test_sizes(reg);
	test_straddling(reg);
}
