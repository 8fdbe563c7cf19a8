// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the early console (ABI.md section 10): one character at a
 * time into the virtio console's emerg_wr field, through the PCI
 * configuration access capability of device 00:01.0.  Every port access
 * below traps to the Launcher, which emulates it; that is slow, and fine.
 */
#include "libguest.h"
#include "processor.h"

/* PCI and virtio numbers (PCI 3.0 section 6; virtio 1.0 section 4.1.4). */
#define PCI_ADDR_ENABLE			0x80000000u
#define PCI_COMMAND			0x04	/* status is the high half */
#define PCI_STATUS_CAP_LIST		(0x10u << 16)
#define PCI_CAPABILITY_LIST		0x34
#define PCI_CAP_ID_VNDR			0x09
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5
#define CAP_BAR				4
#define CAP_OFFSET			8
#define CAP_LENGTH			12
#define CAP_PCI_CFG_DATA		16
#define VIRTIO_CONSOLE_EMERG_WR		8	/* in struct virtio_console_config */
#define PCI_MAX_CAPS			48	/* 192 bytes of capabilities at most */

#define CONSOLE_ID	((u32)LGUEST_PCI_DEVICE_VIRTIO(LGUEST_VIRTIO_ID_CONSOLE) << 16 | \
			 LGUEST_PCI_VENDOR_VIRTIO)

static struct {
	u8 window;		/* config offset of the PCI cfg access capability */
	u8 bar;			/* where the device config lives ... */
	u32 offset;		/* ... and at which offset of that BAR */
} con;

/* Configuration mechanism #1, bus 0, function 0 of the console's slot. */
static void pci_select(unsigned int reg)
{
	outl(LGUEST_PCI_CONFIG_ADDR,
	     PCI_ADDR_ENABLE | LGUEST_CONSOLE_SLOT << 11 | (reg & 0xFC));
}

static u32 pci_read32(unsigned int reg)
{
	pci_select(reg);
	return inl(LGUEST_PCI_CONFIG_DATA);
}

static void pci_write32(unsigned int reg, u32 val)
{
	pci_select(reg);
	outl(LGUEST_PCI_CONFIG_DATA, val);
}

static void pci_write8(unsigned int reg, u8 val)
{
	pci_select(reg);
	outb(LGUEST_PCI_CONFIG_DATA + (reg & 3), val);
}

/*
 * Find the two vendor capabilities we need: the device config (type 4),
 * for its BAR and offset, and the configuration access window (type 5).
 * We read whole dwords only: capabilities are dword aligned.
 */
bool console_init(void)
{
	bool have_cfg = false;
	unsigned int pos, n;

	if (pci_read32(0) != CONSOLE_ID)
		return false;
	if (!(pci_read32(PCI_COMMAND) & PCI_STATUS_CAP_LIST))
		return false;
	pos = pci_read32(PCI_CAPABILITY_LIST) & 0xFC;
	for (n = 0; pos && n < PCI_MAX_CAPS; n++) {
		u32 head = pci_read32(pos);

		if ((head & 0xFF) == PCI_CAP_ID_VNDR) {
			u8 type = head >> 24;

			if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !have_cfg) {
				con.bar = pci_read32(pos + CAP_BAR) & 0xFF;
				con.offset = pci_read32(pos + CAP_OFFSET);
				have_cfg = true;
			} else if (type == VIRTIO_PCI_CAP_PCI_CFG && !con.window) {
				con.window = pos;
			}
		}
		pos = (head >> 8) & 0xFC;
	}
	return have_cfg && con.window;
}

/*
 * For ports.c, which writes the window's offset field over and over and
 * reads it back: console_putc() sets it again for each character.
 */
unsigned int console_window_offset_reg(void)
{
	return con.window + CAP_OFFSET;
}

void console_cfg_select(unsigned int reg)
{
	pci_select(reg);
}

u32 console_cfg_read32(unsigned int reg)
{
	return pci_read32(reg);
}

/* Aim the window at emerg_wr (BAR, length 4, offset) and write through it. */
static void console_putc(char c)
{
	pci_write8(con.window + CAP_BAR, con.bar);
	pci_write32(con.window + CAP_LENGTH, 4);
	pci_write32(con.window + CAP_OFFSET, con.offset + VIRTIO_CONSOLE_EMERG_WR);
	pci_write32(con.window + CAP_PCI_CFG_DATA, (u8)c);
}

void console_write(const char *s, size_t len)
{
	if (!con.window)
		return;
	while (len--)
		console_putc(*s++);
}
