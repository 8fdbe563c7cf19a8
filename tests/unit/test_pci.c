// SPDX-License-Identifier: GPL-2.0
/*
 * test_pci.c - the emulated PCI bus as a Guest sees it through ports
 * 0xCF8/0xCFC: IDs, empty slots, BAR sizing, the virtio capability walk the
 * lguest early console does, its emerg_wr output, and BAR0 over MMIO.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher -o test_pci \
 *       tests/unit/test_pci.c launcher/pci.c launcher/console.c launcher/insn.c \
 *       && ./test_pci
 */
#define _GNU_SOURCE	/* pipe2 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lguest.h"
#include "tap.h"
#include "virtio.h"

#define RAM		(4u << 20)
#define CONSOLE		LGUEST_CONSOLE_SLOT

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int out_pipe[2];

/* Everything the console wrote since the last call, as a string. */
static const char *captured(void)
{
	static char buf[256];
	ssize_t n = read(out_pipe[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * Config accesses exactly as Linux's early PCI helpers do them: the full
 * register offset (low bits included) goes into 0xCF8, and the data port is
 * 0xCFC plus those low bits.
 */
static void select_reg(unsigned int bus, unsigned int slot, unsigned int fn, unsigned int off)
{
	pci__io_out(&g, LGUEST_PCI_CONFIG_ADDR, 4,
		    0x80000000u | bus << 16 | slot << 11 | fn << 8 | off);
}

static uint32_t cfg_in(unsigned int slot, unsigned int off, unsigned int size)
{
	uint32_t v = 0xDEADBEEF;

	select_reg(0, slot, 0, off);
	pci__io_in(&g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, &v);
	return v;
}

static void cfg_out(unsigned int slot, unsigned int off, unsigned int size, uint32_t v)
{
	select_reg(0, slot, 0, off);
	pci__io_out(&g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, v);
}

static uint32_t cfg_in_at(unsigned int bus, unsigned int slot, unsigned int fn)
{
	uint32_t v = 0;

	select_reg(bus, slot, fn, 0);
	pci__io_in(&g, LGUEST_PCI_CONFIG_DATA, 4, &v);
	return v;
}

static void test_ids(void)
{
	uint32_t v = 0;

	pci__io_out(&g, LGUEST_PCI_CONFIG_ADDR, 4, 0x80000000u);
	report(pci__io_in(&g, LGUEST_PCI_CONFIG_ADDR, 4, &v) && v == 0x80000000u,
	       "0xCF8 reads back what was written (Linux's type 1 probe)");
	report(!pci__io_in(&g, LGUEST_PCI_CONFIG_ADDR + 1, 1, &v),
	       "a byte at 0xCF9 is not the address register");
	report(!pci__io_in(&g, 0x3F8, 1, &v), "other ports are not PCI's");

	report(cfg_in(0, 0, 4) == 0x12378086, "00:00.0 is the host bridge 8086:1237");
	report(cfg_in(0, 0x08, 4) >> 8 == 0x060000, "host bridge class is 0x0600");
	report(cfg_in(CONSOLE, 0, 4) == 0x10431AF4, "00:01.0 reads 0x10431AF4 (virtio console)");
	report(cfg_in(CONSOLE, 0, 2) == 0x1AF4 && cfg_in(CONSOLE, 2, 2) == 0x1043,
	       "vendor and device as 16-bit reads");
	report(cfg_in(CONSOLE, 0x08, 4) == 0x07800001, "revision 1, class 0x078000");
	report(cfg_in(CONSOLE, 0x0E, 1) == 0, "header type 0");
	report(cfg_in(CONSOLE, 0x2C, 4) == 0x00401AF4, "subsystem 1AF4:0040");
	report(cfg_in(CONSOLE, 0x06, 2) & 0x10, "status says there is a capability list");
	report(cfg_in(CONSOLE, 0x34, 1) == 0x40, "capabilities pointer is 0x40");
	report(cfg_in(CONSOLE, 0x3C, 1) == 1 && cfg_in(CONSOLE, 0x3D, 1) == 1,
	       "interrupt line 1, pin INTA");
	report(cfg_in(CONSOLE, 0x02, 1) == 0x43 && cfg_in(CONSOLE, 0x03, 1) == 0x10,
	       "byte reads at 0xCFE and 0xCFF");
}

static void test_empty(void)
{
	uint32_t v = 0;
	unsigned int slot;
	bool all_empty = true;

	for (slot = 2; slot < 32; slot++)
		all_empty &= cfg_in_at(0, slot, 0) == 0xFFFFFFFFu;
	report(all_empty, "slots 2-31 read all-ones");
	report(cfg_in_at(0, CONSOLE, 1) == 0xFFFFFFFFu, "function 1 of the console reads all-ones");
	report(cfg_in_at(1, 0, 0) == 0xFFFFFFFFu, "bus 1 reads all-ones");
	pci__io_out(&g, LGUEST_PCI_CONFIG_ADDR, 4, CONSOLE << 11);	/* enable bit clear */
	pci__io_in(&g, LGUEST_PCI_CONFIG_DATA, 4, &v);
	report(v == 0xFFFFFFFFu, "with the enable bit clear, data reads all-ones");
	select_reg(0, CONSOLE, 0, 0);
	report(pci__io_in(&g, LGUEST_PCI_CONFIG_DATA + 1, 4, &v) == false,
	       "a dword at 0xCFD (crossing the data port) is not handled");
	cfg_out(5, 0, 4, 0x12345678);
	report(cfg_in_at(0, 5, 0) == 0xFFFFFFFFu, "writes to an empty slot go nowhere");
}

static void test_read_only(void)
{
	cfg_out(CONSOLE, 0, 4, 0);
	report(cfg_in(CONSOLE, 0, 4) == 0x10431AF4, "vendor/device ignore writes");
	cfg_out(CONSOLE, 0x34, 1, 0x80);
	report(cfg_in(CONSOLE, 0x34, 1) == 0x40, "capabilities pointer ignores writes");
	cfg_out(CONSOLE, 0x3C, 1, 0x0B);
	report(cfg_in(CONSOLE, 0x3C, 1) == 0x0B, "interrupt line is writable scratch");
	cfg_out(CONSOLE, 0x3C, 1, 1);
	cfg_out(CONSOLE, 0x04, 2, 0xFFFF);
	report(cfg_in(CONSOLE, 0x04, 2) == 0x0406, "command: only memory, master, INTx-disable stick");
	cfg_out(CONSOLE, 0x04, 2, 0);
}

static void test_bar_sizing(void)
{
	uint32_t orig = cfg_in(CONSOLE, 0x10, 4);
	unsigned int bar;
	bool others_zero = true;

	report(orig >= RAM && orig < RAM + LG_DEVICE_WINDOW && !(orig & 0xFFF),
	       "BAR0 (%#x) is page-aligned in the device window above RAM", orig);
	report((orig & 0xF) == 0, "BAR0 is 32-bit, non-prefetchable memory");
	cfg_out(CONSOLE, 0x10, 4, 0xFFFFFFFFu);
	report(cfg_in(CONSOLE, 0x10, 4) == 0xFFFFF000u, "BAR0 sizing: all-ones reads back 0xFFFFF000");
	cfg_out(CONSOLE, 0x10, 4, orig);
	report(cfg_in(CONSOLE, 0x10, 4) == orig, "BAR0 restored after sizing");
	for (bar = 1; bar < 6; bar++) {
		cfg_out(CONSOLE, 0x10 + 4 * bar, 4, 0xFFFFFFFFu);
		others_zero &= cfg_in(CONSOLE, 0x10 + 4 * bar, 4) == 0;
	}
	report(others_zero, "BARs 1-5 are unimplemented: they stay 0 after all-ones");
	cfg_out(CONSOLE, 0x30, 4, 0xFFFFFFFFu);
	report(cfg_in(CONSOLE, 0x30, 4) == 0, "no expansion ROM");
	cfg_out(0, 0x10, 4, 0xFFFFFFFFu);
	report(cfg_in(0, 0x10, 4) == 0, "host bridge has no BAR0");
}

struct caps {
	uint8_t at[6];		/* config offset of each cfg_type 1-5 */
	unsigned int count;
	bool all_vndr_bar0;
};

/* Walk the list like the Guest's probe_pci_console() and virtio_pci do. */
static struct caps walk_caps(void)
{
	struct caps c = { .all_vndr_bar0 = true };
	uint8_t cap = (uint8_t)cfg_in(CONSOLE, 0x34, 1);

	while (cap && c.count < 48) {
		uint8_t type = (uint8_t)cfg_in(CONSOLE, cap + 3, 1);

		if (cfg_in(CONSOLE, cap, 1) != 0x09 || cfg_in(CONSOLE, cap + 4, 1) != 0)
			c.all_vndr_bar0 = false;
		if (type >= 1 && type <= 5)
			c.at[type] = cap;
		c.count++;
		cap = (uint8_t)cfg_in(CONSOLE, cap + 1, 1);
	}
	return c;
}

static uint32_t cap_field(uint8_t cap, unsigned int off)
{
	return cfg_in(CONSOLE, cap + off, 4);
}

static void test_caps(void)
{
	struct caps c = walk_caps();
	unsigned int t;
	bool aligned = true, inside = true;

	report(c.count == 5, "capability list has 5 entries and ends (%u)", c.count);
	report(c.all_vndr_bar0, "every capability is vendor-specific (0x09), in BAR 0");
	report(c.at[1] && c.at[2] && c.at[3] && c.at[4] && c.at[5],
	       "common, notify, ISR, device and PCI-cfg capabilities present");
	for (t = 1; t <= 5; t++) {
		aligned &= (c.at[t] & 3) == 0 && c.at[t] >= 0x40;
		if (t < 5)
			inside &= cap_field(c.at[t], 8) + cap_field(c.at[t], 12) <= 0x1000;
	}
	report(aligned, "capabilities are dword-aligned, after the standard header");
	report(inside, "every region lies inside the 4 KiB BAR0");
	report(cfg_in(CONSOLE, c.at[1] + 2, 1) == 16 && cap_field(c.at[1], 12) >= 56,
	       "common cfg: cap_len 16, at least 56 bytes");
	report(cfg_in(CONSOLE, c.at[2] + 2, 1) == 20 && cap_field(c.at[2], 12) >= 2 &&
	       cap_field(c.at[2], 16) == 0, "notify: cap_len 20, multiplier 0, 2-byte doorbell");
	report(cfg_in(CONSOLE, c.at[3] + 2, 1) == 16 && cap_field(c.at[3], 12) >= 1, "ISR: 1 byte");
	report(cap_field(c.at[4], 12) >= 12, "device cfg has room for emerg_wr (%u bytes)",
	       cap_field(c.at[4], 12));
	report(cfg_in(CONSOLE, c.at[5] + 2, 1) == 20, "PCI cfg access cap: cap_len 20");
}

/* One character through the window, as the Guest's early console writes it. */
static void early_putc(uint8_t access_cap, uint32_t devcfg, char ch)
{
	cfg_out(CONSOLE, access_cap + 4, 1, 0);			/* cap.bar */
	cfg_out(CONSOLE, access_cap + 12, 4, 4);		/* cap.length */
	cfg_out(CONSOLE, access_cap + 8, 4, devcfg + 8);	/* cap.offset: emerg_wr */
	cfg_out(CONSOLE, access_cap + 16, 4, (uint8_t)ch);	/* pci_cfg_data */
}

static void test_early_console(void)
{
	struct caps c = walk_caps();
	uint32_t devcfg = cap_field(c.at[4], 8);
	const char *msg = "Linux version 6.1\n";

	captured();
	for (const char *p = msg; *p; p++)
		early_putc(c.at[5], devcfg, *p);
	report(strcmp(captured(), msg) == 0, "emerg_wr through the PCI cfg window reaches the output");

	/* Reads through the window: cols, rows, max_nr_ports. */
	cfg_out(CONSOLE, c.at[5] + 12, 4, 2);
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 2);
	report(cfg_in(CONSOLE, c.at[5] + 16, 2) == 25, "window read of rows (2 bytes) gives 25");
	cfg_out(CONSOLE, c.at[5] + 12, 4, 4);
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 4);
	report(cfg_in(CONSOLE, c.at[5] + 16, 4) == 1, "window read of max_nr_ports gives 1");
	report(cfg_in(CONSOLE, c.at[5] + 8, 4) == devcfg + 4, "the window's offset reads back");

	/* Bad windows do nothing. */
	cfg_out(CONSOLE, c.at[5] + 4, 1, 1);			/* BAR 1 does not exist */
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 8);
	cfg_out(CONSOLE, c.at[5] + 16, 4, 'X');
	report(captured()[0] == '\0', "window on a missing BAR writes nothing");
	cfg_out(CONSOLE, c.at[5] + 4, 1, 0);
	cfg_out(CONSOLE, c.at[5] + 12, 4, 3);			/* length 3 is not allowed */
	cfg_out(CONSOLE, c.at[5] + 16, 4, 'X');
	report(captured()[0] == '\0', "window with length 3 writes nothing");
	cfg_out(CONSOLE, c.at[5] + 12, 4, 4);
	cfg_out(CONSOLE, c.at[5] + 8, 4, 0xFFFFFFFEu);		/* offset + length wraps */
	cfg_out(CONSOLE, c.at[5] + 16, 4, 'X');
	report(captured()[0] == '\0', "window past the end of the BAR writes nothing");
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg);		/* cols: read-only */
	cfg_out(CONSOLE, c.at[5] + 16, 4, 'X');
	report(captured()[0] == '\0', "writes to other console fields print nothing");
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 4);		/* max_nr_ports, just below */
	cfg_out(CONSOLE, c.at[5] + 16, 4, 'X');
	report(captured()[0] == '\0', "a dword write ending just before emerg_wr prints nothing");
	cfg_out(CONSOLE, c.at[5] + 12, 4, 2);			/* 2 bytes ending in emerg_wr */
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 7);
	cfg_out(CONSOLE, c.at[5] + 16, 2, 'w' << 8 | 'X');
	report(strcmp(captured(), "w") == 0, "a word write covering emerg_wr prints its byte");
	cfg_out(CONSOLE, c.at[5] + 12, 4, 1);			/* a byte write of emerg_wr */
	cfg_out(CONSOLE, c.at[5] + 8, 4, devcfg + 8);
	cfg_out(CONSOLE, c.at[5] + 16, 1, 'b');
	report(strcmp(captured(), "b") == 0, "a 1-byte window write to emerg_wr prints too");
}

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

static void test_mmio(void)
{
	static const struct guest_regs fake = { fake_get, fake_set, NULL };
	struct caps c = walk_caps();
	uint32_t bar = cfg_in(CONSOLE, 0x10, 4), devcfg = cap_field(c.at[4], 8), v = 0;

	report(pci__mmio_read(&g, bar + devcfg, 4, &v) == -1,
	       "BAR0 does not decode until the command register enables memory");
	cfg_out(CONSOLE, 0x04, 2, 0x0006);
	report(pci__mmio_read(&g, bar + devcfg, 4, &v) == 0 && v == (25u << 16 | 80),
	       "MMIO read of cols/rows: 80x25 (%#x)", v);
	report(pci__mmio_read(&g, bar + devcfg + 1, 1, &v) == 0 && v == 0,
	       "MMIO byte read inside device cfg");
	captured();
	report(pci__mmio_write(&g, bar + devcfg + 8, 4, 'M') == 0 && strcmp(captured(), "M") == 0,
	       "MMIO write to emerg_wr prints");
	report(pci__mmio_read(&g, bar + 0x14, 4, &v) == 0 && v == 0,
	       "a dword read of the 1-byte device_status field reads 0");
	report(pci__mmio_read(&g, bar + 0x1000, 4, &v) == -1, "just past BAR0: not ours");
	report(pci__mmio_read(&g, bar + 0xFFE, 4, &v) == -1, "an access straddling BAR0's end: not ours");
	report(pci__mmio_write(&g, RAM - 4, 4, 0) == -1, "RAM is not a BAR");

	memset(regs, 0, sizeof(regs));
	regs[LG_REG_EAX / 4] = 0x7700 | 'Z';
	regs[LG_REG_EIP / 4] = 0xC1234000;
	report(emulate_mmio(&g, (const uint8_t[7]){ 0x88, 0x03 }, bar + devcfg + 8, &fake) == 0 &&
	       strcmp(captured(), "Z") == 0 && regs[LG_REG_EIP / 4] == 0xC1234002,
	       "mov %%al,(%%ebx) to emerg_wr prints 'Z', eip += 2");
	regs[LG_REG_EAX / 4] = 0xFFFFFFFF;
	report(emulate_mmio(&g, (const uint8_t[7]){ 0x66, 0x8B, 0x43, 0x02 }, bar + devcfg + 2,
			    &fake) == 0 && regs[LG_REG_EAX / 4] == 0xFFFF0019 &&
	       regs[LG_REG_EIP / 4] == 0xC1234006, "mov 2(%%ebx),%%ax reads rows into %%ax only");

	cfg_out(CONSOLE, 0x10, 4, bar + 0x10000);	/* the Guest moves the BAR */
	report(pci__mmio_read(&g, bar + devcfg, 4, &v) == -1 &&
	       pci__mmio_read(&g, bar + 0x10000 + devcfg, 4, &v) == 0 && v == (25u << 16 | 80),
	       "a moved BAR decodes at its new address only");
	cfg_out(CONSOLE, 0x10, 4, bar);
	cfg_out(CONSOLE, 0x04, 2, 0);
}

/* What the launcher asked of lg.ko's LHREQ_ISR (L755), and what it answers. */
static struct {
	unsigned int calls;
	uint32_t gpa;
	uint8_t *isr;
	bool accept;
} offers;

static bool record_offer(struct guest *gg, uint32_t gpa, uint8_t *isr)
{
	(void)gg;
	offers.calls++;
	offers.gpa = gpa;
	offers.isr = isr;
	return offers.accept;
}

static void test_fast_isr(void)
{
	uint32_t bar = cfg_in(CONSOLE, 0x10, 4), v = 0;
	uint8_t *isr;
	int rc;

	memset(&offers, 0, sizeof(offers));
	offers.accept = true;
	g.fast_isr = record_offer;
	cfg_out(CONSOLE, 0x04, 2, 0x0006);
	rc = pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 4, &v);
	report(rc == 0 && offers.calls == 0, "a dword read of the ISR offers lg.ko nothing");
	rc = pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 1, &v);
	report(rc == 0 && offers.calls == 1 && offers.gpa == bar + VIRTIO_ISR_OFF && offers.isr,
	       "a byte read of it through the window offers its address and our byte (%u offers, gpa %#x)",
	       offers.calls, offers.gpa);
	isr = offers.isr;
	__atomic_store_n(isr, 1, __ATOMIC_SEQ_CST);	/* as a raise would leave it */
	rc = pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 1, &v);
	report(rc == 0 && v == 1 && *isr == 0 && offers.calls == 1,
	       "our own read of it reads that byte and clears it, with no second offer (%#x)", v);
	cfg_out(CONSOLE, 0x04, 2, 0x0006);
	report(offers.calls == 2 && offers.gpa == LGUEST_ISR_NONE && offers.isr == isr,
	       "a write to the command register takes the offer back");
	pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 1, &v);
	cfg_out(CONSOLE, 0x10, 4, bar + 0x10000);	/* the Guest moves the BAR */
	report(offers.calls == 4 && offers.gpa == LGUEST_ISR_NONE,
	       "so does moving BAR0, after the next read offered it again (%u offers)",
	       offers.calls);
	pci__mmio_read(&g, bar + 0x10000 + VIRTIO_ISR_OFF, 1, &v);
	report(offers.calls == 5 && offers.gpa == bar + 0x10000 + VIRTIO_ISR_OFF,
	       "the first read at its new address offers that (gpa %#x)", offers.gpa);
	cfg_out(CONSOLE, 0x10, 4, bar);			/* taken back: 6 */
	offers.accept = false;
	pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 1, &v);	/* refused: 7 */
	pci__mmio_read(&g, bar + VIRTIO_ISR_OFF, 1, &v);
	cfg_out(CONSOLE, 0x04, 2, 0);
	report(offers.calls == 7,
	       "an offer lg.ko refused is not made again at that address, nor taken back (%u offers)",
	       offers.calls);
	g.fast_isr = NULL;
}

int main(void)
{
	g.mem = calloc(1, RAM);
	if (!g.mem || pipe2(out_pipe, O_NONBLOCK) || pci__init(&g) ||
	    console__add(&g, -1, out_pipe[1]))
		return 1;
	test_ids();
	test_empty();
	test_read_only();
	test_bar_sizing();
	test_caps();
	test_early_console();
	test_mmio();
	test_fast_isr();
	pci__exit(&g);
	report(g.pci == NULL, "pci__exit frees the bus");
	free(g.mem);
	close(out_pipe[0]);
	close(out_pipe[1]);
	return report_summary();
}
