// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_pci.c - the PCI bus and the virtio-pci transport against whatever
 * a fuzzer makes: configuration mechanism #1 on ports 0xCF8/0xCFC, the
 * config access window, and loads and stores to each device's BAR0.
 *
 * An input is a list of Guest accesses followed by the Guest's RAM, where
 * the rings and buffers that the queues point at live:
 *
 *   [0]            how many 8-byte operations follow
 *   [1 + 8i ...]   operation i: kind, a, b, c, then a le32 value v
 *   the rest       guest RAM from address 0 (64 KiB, zero beyond the input)
 *
 * Kinds (low 3 bits of the kind byte; bits 3-4 pick the access size 1, 2, 4
 * or 4; bit 6 asks for a raw address, as a Guest gone mad would use):
 *   0  write 0xCF8: enable | slot a | register b (raw: v)
 *   1  read 0xCFC + (a & 3)          2  write v there
 *   3  read BAR0 of slot a % 4 at offset (b | c << 8) % 4160 (raw: at v)
 *   4  write v there
 *   5  any port: in (c & 1 == 0) or out of v at port a | b << 8
 *   6  bring slot a % 4 up as Linux does: command register, reset,
 *      ACKNOWLEDGE, DRIVER, features (v, VERSION_1 added unless c & 1),
 *      FEATURES_OK, DRIVER_OK
 *   7  queue b of slot a % 4: size 2^(c % 9), rings at v's three bytes
 *      times 64 in RAM, enable it (unless c & 0x80), and kick it
 *
 * Besides ASan and UBSan, we abort when the bus breaks a rule a Guest can
 * see: 0xCF8 reads back what was written, masked; an empty slot or
 * function reads all-ones; only data-port accesses are the bus's; a BAR
 * access succeeds exactly inside an enabled BAR; read-only registers stay
 * (fuzz_bus.h).
 *
 * make check runs it for LG_FUZZ_SECONDS from tests/unit/corpus/pci/
 * (tests/unit/run-fuzz.sh); make fuzz runs it for FUZZ_SECONDS.
 */
#include "fuzz_bus.h"

#define OP_SIZE		8

/* Common configuration fields (virtio 1.0, 4.1.4.3). */
#define CC_DFSELECT	0x00
#define CC_GFSELECT	0x08
#define CC_GF		0x0C
#define CC_STATUS	0x14
#define CC_Q_SELECT	0x16
#define CC_Q_SIZE	0x18
#define CC_Q_ENABLE	0x1C
#define CC_Q_DESC	0x20
#define CC_Q_AVAIL	0x28
#define CC_Q_USED	0x30

static const unsigned int sizes[4] = { 1, 2, 4, 4 };

static struct pci_dev *dev_at(unsigned int slot)
{
	return fuzz_g.pci->slot[slot % PCI_SLOTS];
}

static void cfg_out32(unsigned int slot, unsigned int reg, unsigned int size, uint32_t v)
{
	pci__io_out(&fuzz_g, LGUEST_PCI_CONFIG_ADDR, 4, PCI_ADDR_ENABLE | slot << 11 | (reg & 0xFC));
	pci__io_out(&fuzz_g, LGUEST_PCI_CONFIG_DATA + (reg & 3), size, v);
}

/* A store to BAR0 of the device in slot (common config at offset off). */
static void bar_out(unsigned int slot, uint32_t off, unsigned int size, uint32_t v)
{
	struct pci_dev *d = dev_at(slot);

	if (d)
		pci__mmio_write(&fuzz_g, bar_addr(d, 0) + off, size, v);
}

/* The one checked BAR access: succeeds exactly when some enabled BAR holds it. */
static void mmio(uint32_t gpa, unsigned int size, uint32_t v, bool write)
{
	unsigned int s;
	uint32_t val = v;
	bool covered = false;
	int rc;

	for (s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev *d = fuzz_g.pci->slot[s];
		uint32_t base;

		if (!d || !d->bar_size[0] || !(get_le16(d->cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY))
			continue;
		base = bar_addr(d, 0);
		covered |= gpa >= base && gpa - base < d->bar_size[0] &&
			   size <= d->bar_size[0] - (gpa - base);
	}
	rc = write ? pci__mmio_write(&fuzz_g, gpa, size, val) : pci__mmio_read(&fuzz_g, gpa, size, &val);
	if ((rc == 0) != covered)
		abort();	/* an access inside a BAR refused, or one outside taken */
	if (rc == 0 && !write && size < 4 && val >> (8 * size))
		abort();	/* a narrow read returned more bits than it has */
}

static void bring_up(unsigned int slot, uint32_t features, bool version_1)
{
	cfg_out32(slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	bar_out(slot, CC_STATUS, 1, 0);
	bar_out(slot, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	bar_out(slot, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	bar_out(slot, CC_GFSELECT, 4, 0);
	bar_out(slot, CC_GF, 4, features);
	bar_out(slot, CC_GFSELECT, 4, 1);
	bar_out(slot, CC_GF, 4, version_1 ? 1 : 0);
	bar_out(slot, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		VIRTIO_STATUS_FEATURES_OK);
	bar_out(slot, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void setup_queue(unsigned int slot, unsigned int q, unsigned int c, uint32_t v)
{
	bar_out(slot, CC_Q_SELECT, 2, q);
	bar_out(slot, CC_Q_SIZE, 2, 1u << (c % 9));
	bar_out(slot, CC_Q_DESC, 4, (v & 0xFF) * 64);
	bar_out(slot, CC_Q_DESC + 4, 4, 0);
	bar_out(slot, CC_Q_AVAIL, 4, (v >> 8 & 0xFF) * 64);
	bar_out(slot, CC_Q_AVAIL + 4, 4, 0);
	bar_out(slot, CC_Q_USED, 4, (v >> 16 & 0xFF) * 64);
	bar_out(slot, CC_Q_USED + 4, 4, 0);
	if (!(c & 0x80))
		bar_out(slot, CC_Q_ENABLE, 2, 1);
	bar_out(slot, VIRTIO_NOTIFY_OFF, 2, q);
}

static void run_op(const uint8_t *op)
{
	unsigned int kind = op[0] & 7, size = sizes[(op[0] >> 3) & 3];
	bool raw = op[0] & 0x40;
	uint8_t a = op[1], b = op[2], c = op[3];
	uint32_t v = get_le32(op + 4), val, addr;
	uint16_t port;
	struct pci_dev *d;
	bool taken;

	switch (kind) {
	case 0:
		addr = raw ? v : PCI_ADDR_ENABLE | (a & 0x1Fu) << 11 | b;
		pci__io_out(&fuzz_g, LGUEST_PCI_CONFIG_ADDR, 4, addr);
		val = ~addr;
		if (!pci__io_in(&fuzz_g, LGUEST_PCI_CONFIG_ADDR, 4, &val) ||
		    val != (addr & PCI_ADDR_WRITABLE))
			abort();	/* the address latch lost or kept the wrong bits */
		break;
	case 1:
	case 2:
		port = (uint16_t)(LGUEST_PCI_CONFIG_DATA + (a & 3));
		val = 0x5A5A5A5A;
		taken = kind == 1 ? pci__io_in(&fuzz_g, port, size, &val) :
				    pci__io_out(&fuzz_g, port, size, v);
		if (taken != ((a & 3) + size <= 4))
			abort();	/* a data-port access refused, or one past 0xCFF taken */
		if (kind == 1 && taken && !addressed_dev(fuzz_g.pci) && val != 0xFFFFFFFFu)
			abort();	/* an empty slot or function answered */
		if (kind == 1 && taken && size < 4 && addressed_dev(fuzz_g.pci) &&
		    val >> (8 * size))
			abort();
		break;
	case 3:
	case 4:
		d = dev_at(a % 4);
		addr = raw || !d ? v : bar_addr(d, 0) + (uint32_t)((b | c << 8) % (VIRTIO_BAR0_SIZE + 64));
		mmio(addr, size, v, kind == 4);
		break;
	case 5:
		port = (uint16_t)(a | b << 8);
		taken = c & 1 ? pci__io_out(&fuzz_g, port, size, v) :
				pci__io_in(&fuzz_g, port, size, &val);
		if (taken != ((port == LGUEST_PCI_CONFIG_ADDR && size == 4) ||
			      (port >= LGUEST_PCI_CONFIG_DATA &&
			       port - LGUEST_PCI_CONFIG_DATA + size <= 4)))
			abort();	/* the bus claimed a port that is not its own */
		break;
	case 6:
		bring_up(a % 4, v, !(c & 1));
		break;
	case 7:
		setup_queue(a % 4, b, c, v);
		break;
	}
}

static int run_one(const uint8_t *data, size_t len)
{
	size_t n_ops, i, ram_at;

	if (len == 0 || bus_setup())
		return 0;
	n_ops = data[0];
	ram_at = 1 + n_ops * OP_SIZE;
	if (ram_at > len) {
		n_ops = (len - 1) / OP_SIZE;
		ram_at = len;
	}
	bus_power_on(data + ram_at, len - ram_at);
	for (i = 0; i < n_ops; i++)
		run_op(data + 1 + i * OP_SIZE);
	bus_check();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return run_one(data, len);
}
