/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_bus.h - the Guest's PCI bus, as the bus fuzz targets (fuzz_pci.c,
 * fuzz_insn.c) see it: a console, a disk and an entropy source behind
 * pci.c and virtio_pci.c, which we #include to reach the bus's insides.
 *
 * The devices are singletons (one console, a fixed table of disks), so the
 * bus is built once; before each input bus_power_on() puts it back as it
 * was just after setup: every config space as built, every device reset,
 * RAM zeroed.  That keeps each input's outcome its own, so a crash found in
 * one run replays from its file alone.  Link the other launcher files
 * (virtqueue.c, console.c, block.c, rng.c, net.c, term.c), not pci.c or
 * virtio_pci.c.
 */
#ifndef TESTS_UNIT_FUZZ_BUS_H
#define TESTS_UNIT_FUZZ_BUS_H

#define _GNU_SOURCE	/* memfd_create */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../launcher/pci.c"
#include "../../launcher/virtio_pci.c"

#define FUZZ_BUS_RAM	0x10000u	/* 64 KiB: rings and buffers land inside often */

static struct guest fuzz_g = { .ram_size = FUZZ_BUS_RAM, .fd = -1 };
static uint8_t fuzz_cfg[PCI_SLOTS][PCI_CFG_SIZE];
static unsigned int fuzz_irqs;

static void fuzz_record_irq(struct guest *g, unsigned int irq)
{
	/* Lines count up from 1, one per device: anything else is a bug. */
	if (irq == 0 || irq >= g->pci->next_irq)
		abort();
	fuzz_irqs++;
}

/* Build the bus, once.  Returns 0, or -1 (with a line on stderr). */
static int bus_setup(void)
{
	char why[LG_WHY_MAX], spec[64];
	int null_fd, disk_fd;
	unsigned int s;

	if (fuzz_g.pci)
		return 0;
	fuzz_g.raise_irq = fuzz_record_irq;
	fuzz_g.mem = malloc(FUZZ_BUS_RAM);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	/* An 8-sector disk in memory; block.c opens it again by name. */
	disk_fd = memfd_create("fuzz-disk", 0);
	if (!fuzz_g.mem || null_fd < 0 || disk_fd < 0 || ftruncate(disk_fd, 8 * 512) ||
	    pci__init(&fuzz_g) || console__add(&fuzz_g, -1, null_fd)) {
		fprintf(stderr, "fuzz: cannot build the bus: %m\n");
		return -1;
	}
	snprintf(spec, sizeof(spec), "/proc/self/fd/%d", disk_fd);
	if (block__add(&fuzz_g, spec, why) || rng__add(&fuzz_g)) {
		fprintf(stderr, "fuzz: cannot add the devices: %s\n", why);
		return -1;
	}
	for (s = 0; s < PCI_SLOTS; s++)
		if (fuzz_g.pci->slot[s])
			memcpy(fuzz_cfg[s], fuzz_g.pci->slot[s]->cfg, PCI_CFG_SIZE);
	return 0;
}

/* The bus as bus_setup() left it, and RAM holding ram[0 .. len). */
static void bus_power_on(const uint8_t *ram, size_t len)
{
	struct pci_bus *bus = fuzz_g.pci;
	unsigned int s;

	bus->config_addr = 0;
	for (s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev *d = bus->slot[s];

		if (!d)
			continue;
		memcpy(d->cfg, fuzz_cfg[s], PCI_CFG_SIZE);
		if (d->vdev) {
			reset(d->vdev);
			d->vdev->config_generation = 0;
		}
	}
	memset(fuzz_g.mem, 0, FUZZ_BUS_RAM);
	memcpy(fuzz_g.mem, ram, len < FUZZ_BUS_RAM ? len : FUZZ_BUS_RAM);
	fuzz_irqs = 0;
}

/*
 * What must hold whatever the Guest did: IDs, header type, capability
 * pointer and BAR sizes are read-only; and every slot we never filled still
 * answers all-ones.
 */
static void bus_check(void)
{
	struct pci_bus *bus = fuzz_g.pci;
	unsigned int s;

	for (s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev *d = bus->slot[s];

		if (!d)
			continue;
		if (memcmp(d->cfg, fuzz_cfg[s], PCI_COMMAND) ||
		    memcmp(d->cfg + PCI_REVISION_ID, fuzz_cfg[s] + PCI_REVISION_ID, 4) ||
		    d->cfg[PCI_HEADER_TYPE] != fuzz_cfg[s][PCI_HEADER_TYPE] ||
		    d->cfg[PCI_CAPABILITY_LIST] != fuzz_cfg[s][PCI_CAPABILITY_LIST] ||
		    d->cfg[PCI_INTERRUPT_PIN] != fuzz_cfg[s][PCI_INTERRUPT_PIN])
			abort();	/* the Guest changed a read-only register */
		if (d->bar_size[0] && (get_le32(d->cfg + PCI_BASE_ADDRESS_0) & (d->bar_size[0] - 1)))
			abort();	/* BAR0 holds bits below its size */
	}
}

#endif /* TESTS_UNIT_FUZZ_BUS_H */
