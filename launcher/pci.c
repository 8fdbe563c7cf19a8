// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - the Guest's one PCI bus: the only PCI code in the Launcher.
 *
 * A Linux Guest finds its devices the way it would on a PC: through PCI
 * configuration mechanism #1 on ports 0xCF8/0xCFC.  Behind that we keep a
 * host bridge in slot 0 and one virtio-pci "modern" device per further slot,
 * the console always first (ABI.md section 10).  Each device's registers live
 * in BAR0, a page in the device window above RAM.
 *
 * Devices never see PCI: a device file hands vdev__add() an ops table (its
 * virtio type, its queues and config fields, virtio.h) and we build the
 * config space, the BAR and the virtio capabilities; virtio_pci.c answers
 * the accesses to the BAR.
 */
#include <stdlib.h>
#include <string.h>

#include "virtio.h"

#define PCI_SLOTS		32
#define PCI_CFG_SIZE		256
#define PCI_NUM_BARS		6

/* Type 0 configuration header (PCI Local Bus spec 3.0, section 6.1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09	/* prog-if, subclass, class: 3 bytes */
#define PCI_CACHE_LINE_SIZE	0x0C
#define PCI_LATENCY_TIMER	0x0D
#define PCI_HEADER_TYPE		0x0E
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2C
#define PCI_SUBSYSTEM_ID	0x2E
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3C
#define PCI_INTERRUPT_PIN	0x3D

#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAP_ID_VNDR		0x09

/* Config address register (0xCF8): enable, bus, device, function, register. */
#define PCI_ADDR_ENABLE		0x80000000u
#define PCI_ADDR_WRITABLE	0x80FFFFFCu	/* reserved bits and bits 1:0 read 0 */
#define PCI_ADDR_BUS(a)		(((a) >> 16) & 0xFF)
#define PCI_ADDR_SLOT(a)	(((a) >> 11) & 0x1F)
#define PCI_ADDR_FUNC(a)	(((a) >> 8) & 0x7)
#define PCI_ADDR_REG(a)		((a) & 0xFC)

/* The host bridge: an Intel 440FX, which every x86 OS knows to leave alone. */
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x1237
#define PCI_CLASS_HOST_BRIDGE	0x060000

/* virtio 1.0 section 4.1.4: the vendor capabilities that describe BAR0. */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_cap: u8 vndr, next, len, cfg_type, bar, pad[3]; le32 offset, length. */
#define CAP_NEXT		1
#define CAP_LEN			2
#define CAP_CFG_TYPE		3
#define CAP_BAR			4
#define CAP_OFFSET		8
#define CAP_LENGTH		12
#define CAP_SIZE		16
#define NOTIFY_CAP_SIZE		20	/* + le32 notify_off_multiplier */
#define CFG_CAP_DATA		16	/* + u8 pci_cfg_data[4] */
#define CFG_CAP_SIZE		20

#define VIRTIO_PCI_REVISION	1	/* "modern" only */
#define VIRTIO_PCI_SUBSYS_ID	0x40
#define VIRTIO_CAPS_START	0x40

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];	/* what the Guest reads */
	uint8_t wmask[PCI_CFG_SIZE];	/* which of those bits the Guest may change */
	uint32_t bar_size[PCI_NUM_BARS];	/* 0: BAR not implemented */
	/* Reads and writes to offset off of a BAR; returns -1 if nothing is there. */
	int (*bar_rw)(struct pci_dev *d, unsigned int bar, uint32_t off, unsigned int size,
		      uint32_t *val, bool write);
	uint8_t cfg_cap;		/* offset of the PCI cfg access capability, or 0 */
	uint8_t irq;			/* what we put in Interrupt Line */
	struct vdev *vdev;		/* virtio devices only: virtio_pci.c */
	struct guest *g;
	uint32_t isr_offered;		/* the ISR's address we last offered lg.ko, or 0 */
	bool isr_fast;			/* ... and lg.ko took it (L755) */
};

struct pci_bus {
	uint32_t config_addr;		/* the latch behind port 0xCF8 */
	struct pci_dev *slot[PCI_SLOTS];
	uint32_t window_next;		/* next free guest-physical address for a BAR */
	uint32_t window_end;
	uint8_t next_irq;
};

static uint32_t size_mask(unsigned int size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Setting up a config space: the value and, for the few registers a Guest
 * may change, which bits it may change.
 */
static void cfg_set8(struct pci_dev *d, unsigned int off, uint8_t val, uint8_t wmask)
{
	d->cfg[off] = val;
	d->wmask[off] = wmask;
}

static void cfg_set16(struct pci_dev *d, unsigned int off, uint16_t val, uint16_t wmask)
{
	put_le16(d->cfg + off, val);
	put_le16(d->wmask + off, wmask);
}

static void cfg_set32(struct pci_dev *d, unsigned int off, uint32_t val, uint32_t wmask)
{
	put_le32(d->cfg + off, val);
	put_le32(d->wmask + off, wmask);
}

static void cfg_set_ids(struct pci_dev *d, uint16_t vendor, uint16_t device,
			uint8_t revision, uint32_t class)
{
	cfg_set16(d, PCI_VENDOR_ID, vendor, 0);
	cfg_set16(d, PCI_DEVICE_ID, device, 0);
	cfg_set8(d, PCI_REVISION_ID, revision, 0);
	cfg_set8(d, PCI_CLASS_PROG, (uint8_t)class, 0);
	cfg_set16(d, PCI_CLASS_PROG + 1, (uint16_t)(class >> 8), 0);
	cfg_set8(d, PCI_HEADER_TYPE, 0, 0);
}

/*> L520
 * A BAR tells the Guest where a device's registers are, and how big they
 * are through a little ritual: the Guest writes all-ones, reads back, and
 * the bits that stayed zero give the size.  A write mask of ~(size - 1)
 * does exactly that, and leaves bits 3:0 at zero, which reads as "32-bit
 * memory BAR, not prefetchable".  We place BARs in the device window above
 * RAM: the Host never maps those pages, so each access there comes back
 * to us as trap 14 with the address.
 */
static int add_mem_bar(struct pci_bus *bus, struct pci_dev *d, unsigned int bar, uint32_t size)
{
	uint32_t addr = bus->window_next;

	if (size > bus->window_end - addr)
		return -1;
	bus->window_next += size;
	d->bar_size[bar] = size;
	cfg_set32(d, PCI_BASE_ADDRESS_0 + 4 * bar, addr, ~(size - 1));
	return 0;
}

static uint32_t bar_addr(const struct pci_dev *d, unsigned int bar)
{
	return get_le32(d->cfg + PCI_BASE_ADDRESS_0 + 4 * bar) & ~0xFu;
}

/*> L530
 * The virtio capabilities are a linked list in config space, each saying
 * "region type T is at this offset and length of BAR b".  The last one, the
 * PCI configuration access capability, is a window: the Guest writes a BAR
 * number, offset and length into it, then reads or writes its four data
 * bytes, and we carry that access out on the BAR.  It exists for code that
 * cannot map BARs yet; the lguest Guest's early console is exactly that,
 * and prints every character through it before its page tables are ready.
 */
static uint8_t add_virtio_cap(struct pci_dev *d, uint8_t *prev, uint8_t at, uint8_t type,
			      uint8_t len, uint32_t offset, uint32_t length)
{
	cfg_set8(d, at, PCI_CAP_ID_VNDR, 0);
	cfg_set8(d, at + CAP_LEN, len, 0);
	cfg_set8(d, at + CAP_CFG_TYPE, type, 0);
	cfg_set32(d, at + CAP_OFFSET, offset, 0);
	cfg_set32(d, at + CAP_LENGTH, length, 0);
	d->cfg[*prev] = at;		/* link it in: *prev is the previous "next" byte */
	*prev = at + CAP_NEXT;
	return at + len;
}

static void add_virtio_caps(struct pci_dev *d, uint32_t devcfg_len)
{
	uint8_t prev = PCI_CAPABILITY_LIST, at = VIRTIO_CAPS_START;

	cfg_set16(d, PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
	at = add_virtio_cap(d, &prev, at, VIRTIO_PCI_CAP_COMMON_CFG, CAP_SIZE,
			    VIRTIO_COMMON_OFF, VIRTIO_COMMON_LEN);
	at = add_virtio_cap(d, &prev, at, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_CAP_SIZE,
			    VIRTIO_NOTIFY_OFF, VIRTIO_NOTIFY_LEN);
	cfg_set32(d, at - 4, 0, 0);	/* notify_off_multiplier */
	at = add_virtio_cap(d, &prev, at, VIRTIO_PCI_CAP_ISR_CFG, CAP_SIZE,
			    VIRTIO_ISR_OFF, VIRTIO_ISR_LEN);
	/* 4.1.4.6: only a device with configuration fields has this one (rng has none). */
	if (devcfg_len)
		at = add_virtio_cap(d, &prev, at, VIRTIO_PCI_CAP_DEVICE_CFG, CAP_SIZE,
				    VIRTIO_DEVCFG_OFF, devcfg_len);

	/* The access window: bar, offset, length and data are the Guest's to write. */
	d->cfg_cap = at;
	add_virtio_cap(d, &prev, at, VIRTIO_PCI_CAP_PCI_CFG, CFG_CAP_SIZE, 0, 0);
	d->wmask[at + CAP_BAR] = 0xFF;
	memset(d->wmask + at + CAP_OFFSET, 0xFF, 8);
	memset(d->wmask + at + CFG_CAP_DATA, 0xFF, 4);
}

/* BAR0 of a virtio device is the transport's: virtio_pci.c. */
static int virtio_bar_rw(struct pci_dev *d, unsigned int bar, uint32_t off,
			 unsigned int size, uint32_t *val, bool write)
{
	if (bar != 0)
		return -1;
	return virtio_pci__bar_rw(d->vdev, off, size, val, write);
}

/* Carry out the access the Guest set up in the PCI cfg access capability. */
static void cfg_window_access(struct pci_dev *d, bool write)
{
	uint8_t *cap = d->cfg + d->cfg_cap;
	uint8_t bar = cap[CAP_BAR];
	uint32_t off = get_le32(cap + CAP_OFFSET);
	uint32_t len = get_le32(cap + CAP_LENGTH);
	uint32_t val;

	if (bar >= PCI_NUM_BARS || !d->bar_size[bar])
		return;
	if ((len != 1 && len != 2 && len != 4) || off > d->bar_size[bar] - len)
		return;
	if (write) {
		val = get_le32(cap + CFG_CAP_DATA) & size_mask(len);
		d->bar_rw(d, bar, off, len, &val, true);
	} else if (d->bar_rw(d, bar, off, len, &val, false) == 0) {
		/* Only the first len bytes change; the rest keep what was written. */
		while (len--)
			cap[CFG_CAP_DATA + len] = (uint8_t)(val >> (8 * len));
	}
}

static bool touches_cfg_window(const struct pci_dev *d, unsigned int off, unsigned int size)
{
	return d->cfg_cap && ranges_overlap(off, size, d->cfg_cap + CFG_CAP_DATA, 4);
}

static uint32_t cfg_read(struct pci_dev *d, unsigned int off, unsigned int size)
{
	if (touches_cfg_window(d, off, size))
		cfg_window_access(d, false);
	return cfg_bytes(d->cfg + off, size);
}

/*> L755
 * A virtio device's interrupt handler begins with a read of its ISR, and
 * each read is an exit to us.  lg.ko can answer it itself (H320) if we say
 * where the ISR is: when a one-byte read of it comes here through the
 * device window, we offer lg.ko its address and our byte, which
 * virtio_pci.c keeps with atomics from then on.  If the Guest moves BAR0
 * or turns memory decoding off, the ISR is no longer there, so we take the
 * offer back; the next read that reaches us makes a new one.
 */
static void offer_fast_isr(struct pci_dev *d, unsigned int bar, uint32_t off, uint32_t gpa)
{
	struct guest *g = d->g;

	if (!d->vdev || bar != 0 || off != VIRTIO_ISR_OFF || !g || !g->fast_isr ||
	    d->isr_offered == gpa)
		return;
	d->isr_offered = gpa;
	d->isr_fast = g->fast_isr(g, gpa, virtio_pci__isr(d->vdev));
}

static void withdraw_fast_isr(struct pci_dev *d)
{
	if (d->isr_fast && d->g->fast_isr)
		d->g->fast_isr(d->g, LGUEST_ISR_NONE, virtio_pci__isr(d->vdev));
	d->isr_fast = false;
	d->isr_offered = 0;
}

/* Each byte changes only where the write mask allows, as in real hardware. */
static void cfg_write(struct pci_dev *d, unsigned int off, unsigned int size, uint32_t val)
{
	unsigned int i;

	if (d->isr_offered && (ranges_overlap(off, size, PCI_COMMAND, 2) ||
			       ranges_overlap(off, size, PCI_BASE_ADDRESS_0, 4)))
		withdraw_fast_isr(d);

	for (i = 0; i < size; i++) {
		uint8_t m = d->wmask[off + i];

		d->cfg[off + i] = (uint8_t)((d->cfg[off + i] & ~m) | ((val >> (8 * i)) & m));
	}
	if (touches_cfg_window(d, off, size))
		cfg_window_access(d, true);
}

/*> L500
 * Configuration mechanism #1: the Guest writes "enable | bus | slot |
 * function | register" as a dword to 0xCF8, then reads or writes 0xCFC-0xCFF
 * to reach that register (plus the low port bits, for byte and word
 * accesses).  Only a dword access to 0xCF8 is the address latch; a byte at
 * 0xCF9, say, is some other (absent) device.  There is one bus, and each
 * device has one function: everything else reads as all-ones, which is how
 * an empty slot answers on real hardware.
 */
static struct pci_dev *addressed_dev(const struct pci_bus *bus)
{
	uint32_t a = bus->config_addr;

	if (!(a & PCI_ADDR_ENABLE) || PCI_ADDR_BUS(a) != 0 || PCI_ADDR_FUNC(a) != 0)
		return NULL;
	return bus->slot[PCI_ADDR_SLOT(a)];
}

static bool is_data_port(uint16_t port, unsigned int size)
{
	return port >= LGUEST_PCI_CONFIG_DATA && port - LGUEST_PCI_CONFIG_DATA + size <= 4;
}

bool pci__io_in(struct guest *g, uint16_t port, unsigned int size, uint32_t *val)
{
	struct pci_bus *bus = g->pci;
	struct pci_dev *d;

	if (port == LGUEST_PCI_CONFIG_ADDR && size == 4) {
		*val = bus->config_addr;
		return true;
	}
	if (!is_data_port(port, size))
		return false;
	d = addressed_dev(bus);
	if (!d)
		*val = 0xFFFFFFFFu;
	else
		*val = cfg_read(d, PCI_ADDR_REG(bus->config_addr) + port - LGUEST_PCI_CONFIG_DATA,
				size);
	return true;
}

bool pci__io_out(struct guest *g, uint16_t port, unsigned int size, uint32_t val)
{
	struct pci_bus *bus = g->pci;
	struct pci_dev *d;

	if (port == LGUEST_PCI_CONFIG_ADDR && size == 4) {
		bus->config_addr = val & PCI_ADDR_WRITABLE;
		return true;
	}
	if (!is_data_port(port, size))
		return false;
	d = addressed_dev(bus);
	if (d)
		cfg_write(d, PCI_ADDR_REG(bus->config_addr) + port - LGUEST_PCI_CONFIG_DATA,
			  size, val);
	return true;
}

/*
 * Which device BAR holds [gpa, gpa + size)?  A BAR only decodes while the
 * Guest has memory decoding on in the command register, as on real PCI.
 */
static struct pci_dev *find_bar(struct pci_bus *bus, uint32_t gpa, unsigned int size,
				unsigned int *bar, uint32_t *off)
{
	unsigned int s, b;

	for (s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev *d = bus->slot[s];

		if (!d || !(get_le16(d->cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY))
			continue;
		for (b = 0; b < PCI_NUM_BARS; b++) {
			uint32_t base = bar_addr(d, b), bsize = d->bar_size[b];

			if (!bsize || gpa < base || gpa - base >= bsize ||
			    size > bsize - (gpa - base))
				continue;
			*bar = b;
			*off = gpa - base;
			return d;
		}
	}
	return NULL;
}

int pci__mmio_read(struct guest *g, uint32_t gpa, unsigned int size, uint32_t *val)
{
	unsigned int bar;
	uint32_t off;
	struct pci_dev *d = find_bar(g->pci, gpa, size, &bar, &off);

	if (!d || d->bar_rw(d, bar, off, size, val, false))
		return -1;
	if (size == 1)
		offer_fast_isr(d, bar, off, gpa);
	return 0;
}

int pci__mmio_write(struct guest *g, uint32_t gpa, unsigned int size, uint32_t val)
{
	unsigned int bar;
	uint32_t off;
	struct pci_dev *d = find_bar(g->pci, gpa, size, &bar, &off);

	if (!d)
		return -1;
	return d->bar_rw(d, bar, off, size, &val, true);
}

static int free_slot(const struct pci_bus *bus)
{
	int s;

	for (s = 0; s < PCI_SLOTS; s++)
		if (!bus->slot[s])
			return s;
	return -1;
}

/*> L510
 * A virtio device, as the Guest's virtio_pci driver expects to find it:
 * vendor 0x1AF4, device 0x1040 + its virtio type, revision 1 (which says
 * "modern only"), and a capability list describing BAR0.  The ops table is
 * all a device file writes; this function does the rest.  Interrupt lines
 * count up from 1 (0 is the timer), and the Guest uses them as they are.
 */
struct vdev *vdev__add(struct guest *g, const struct vdev_ops *ops, void *dev)
{
	struct pci_bus *bus = g->pci;
	int slot = free_slot(bus);
	struct pci_dev *d;

	if (slot < 0)
		return NULL;
	/*
	 * The Guest's early console looks for the console at 00:01.0 and
	 * nowhere else, and complains about anything else it finds there.
	 */
	if ((ops->device_id == LGUEST_VIRTIO_ID_CONSOLE) != (slot == LGUEST_CONSOLE_SLOT))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->irq = bus->next_irq;
	d->g = g;
	d->vdev = virtio_pci__new(g, ops, dev, d->irq);
	if (!d->vdev || add_mem_bar(bus, d, 0, VIRTIO_BAR0_SIZE)) {
		virtio_pci__free(d->vdev);
		free(d);
		return NULL;
	}
	bus->next_irq++;
	d->bar_rw = virtio_bar_rw;

	cfg_set_ids(d, LGUEST_PCI_VENDOR_VIRTIO, LGUEST_PCI_DEVICE_VIRTIO(ops->device_id),
		    VIRTIO_PCI_REVISION, ops->pci_class);
	cfg_set16(d, PCI_SUBSYSTEM_VENDOR_ID, LGUEST_PCI_VENDOR_VIRTIO, 0);
	cfg_set16(d, PCI_SUBSYSTEM_ID, VIRTIO_PCI_SUBSYS_ID, 0);
	cfg_set16(d, PCI_COMMAND, 0,
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	cfg_set8(d, PCI_CACHE_LINE_SIZE, 0, 0xFF);
	cfg_set8(d, PCI_LATENCY_TIMER, 0, 0xFF);
	cfg_set8(d, PCI_INTERRUPT_LINE, d->irq, 0xFF);
	cfg_set8(d, PCI_INTERRUPT_PIN, 1, 0);	/* INTA# */
	cfg_set8(d, PCI_CAPABILITY_LIST, 0, 0);
	add_virtio_caps(d, ops->cfg_size);

	bus->slot[slot] = d;
	return d->vdev;
}

static int add_host_bridge(struct pci_bus *bus)
{
	struct pci_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	cfg_set_ids(d, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE, 2, PCI_CLASS_HOST_BRIDGE);
	bus->slot[0] = d;
	return 0;
}

int pci__init(struct guest *g)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return -1;
	bus->window_next = g->ram_size;
	bus->window_end = g->ram_size + LG_DEVICE_WINDOW;
	bus->next_irq = 1;
	if (add_host_bridge(bus)) {
		free(bus);
		return -1;
	}
	g->pci = bus;
	return 0;
}

void pci__exit(struct guest *g)
{
	unsigned int s;

	if (!g->pci)
		return;
	for (s = 0; s < PCI_SLOTS; s++) {
		if (g->pci->slot[s])
			virtio_pci__free(g->pci->slot[s]->vdev);
		free(g->pci->slot[s]);
	}
	free(g->pci);
	g->pci = NULL;
}
