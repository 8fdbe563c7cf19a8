/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdrv.h - a virtio-pci driver for the device tests, the way Linux's
 * virtio_pci drives one: config space through ports 0xCF8/0xCFC, BAR0
 * through MMIO, reset, feature negotiation, queues, DRIVER_OK.  One
 * struct vdrv per device slot; rings are tests/unit/vring.h's.
 */
#ifndef TESTS_UNIT_VDRV_H
#define TESTS_UNIT_VDRV_H

#include <time.h>

#include "virtio.h"
#include "vring.h"

/* Common config offsets (virtio 1.0 4.1.4.3). */
#define VD_GFSELECT	0x08
#define VD_GF		0x0C
#define VD_STATUS	0x14
#define VD_GENERATION	0x15
#define VD_Q_SELECT	0x16
#define VD_Q_SIZE	0x18
#define VD_Q_ENABLE	0x1C
#define VD_Q_DESC	0x20
#define VD_Q_AVAIL	0x28
#define VD_Q_USED	0x30
#define VD_DFSELECT	0x00
#define VD_DF		0x04

#define VD_S_UP		(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
			 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)
#define VD_FEATURES	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | \
			 VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC))

struct vdrv {
	struct guest *g;
	unsigned int slot;
	uint32_t bar;
};

static inline void vdrv_cfg_out(struct vdrv *d, unsigned int off, unsigned int size, uint32_t v)
{
	pci__io_out(d->g, LGUEST_PCI_CONFIG_ADDR, 4, 0x80000000u | d->slot << 11 | (off & 0xFC));
	pci__io_out(d->g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, v);
}

static inline uint32_t vdrv_cfg_in(struct vdrv *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	pci__io_out(d->g, LGUEST_PCI_CONFIG_ADDR, 4, 0x80000000u | d->slot << 11 | (off & 0xFC));
	pci__io_in(d->g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, &v);
	return v;
}

/* Find the device in slot, turn memory decoding on, remember its BAR0. */
static inline void vdrv_open(struct vdrv *d, struct guest *g, unsigned int slot)
{
	d->g = g;
	d->slot = slot;
	d->bar = vdrv_cfg_in(d, 0x10, 4) & ~0xFu;
	vdrv_cfg_out(d, 0x04, 2, 0x0006);
}

static inline uint32_t vdrv_rd(struct vdrv *d, uint32_t off, unsigned int size)
{
	uint32_t v = 0xDEADBEEF;

	if (pci__mmio_read(d->g, d->bar + off, size, &v))
		return 0xDEADBEEF;
	return v;
}

static inline void vdrv_wr(struct vdrv *d, uint32_t off, unsigned int size, uint32_t v)
{
	pci__mmio_write(d->g, d->bar + off, size, v);
}

static inline uint32_t vdrv_common(struct vdrv *d, uint32_t off, unsigned int size)
{
	return vdrv_rd(d, VIRTIO_COMMON_OFF + off, size);
}

static inline void vdrv_set_common(struct vdrv *d, uint32_t off, unsigned int size, uint32_t v)
{
	vdrv_wr(d, VIRTIO_COMMON_OFF + off, size, v);
}

static inline uint8_t vdrv_status(struct vdrv *d)
{
	return (uint8_t)vdrv_common(d, VD_STATUS, 1);
}

static inline uint64_t vdrv_device_features(struct vdrv *d)
{
	uint64_t f;

	vdrv_set_common(d, VD_DFSELECT, 4, 0);
	f = vdrv_common(d, VD_DF, 4);
	vdrv_set_common(d, VD_DFSELECT, 4, 1);
	return f | (uint64_t)vdrv_common(d, VD_DF, 4) << 32;
}

static inline uint32_t vdrv_devcfg(struct vdrv *d, uint32_t off, unsigned int size)
{
	return vdrv_rd(d, VIRTIO_DEVCFG_OFF + off, size);
}

static inline void vdrv_kick(struct vdrv *d, uint16_t q)
{
	vdrv_wr(d, VIRTIO_NOTIFY_OFF, 2, q);
}

static inline uint8_t vdrv_isr(struct vdrv *d)
{
	return (uint8_t)vdrv_rd(d, VIRTIO_ISR_OFF, 1);
}

static inline void vdrv_queue(struct vdrv *d, uint16_t q, struct drv_ring *r, uint32_t base,
			      uint16_t size)
{
	drv_ring_init(r, d->g->mem, base, size);
	vdrv_set_common(d, VD_Q_SELECT, 2, q);
	vdrv_set_common(d, VD_Q_SIZE, 2, size);
	vdrv_set_common(d, VD_Q_DESC, 4, r->desc);
	vdrv_set_common(d, VD_Q_DESC + 4, 4, 0);
	vdrv_set_common(d, VD_Q_AVAIL, 4, r->avail);
	vdrv_set_common(d, VD_Q_AVAIL + 4, 4, 0);
	vdrv_set_common(d, VD_Q_USED, 4, r->used);
	vdrv_set_common(d, VD_Q_USED + 4, 4, 0);
	vdrv_set_common(d, VD_Q_ENABLE, 2, 1);
}

/* Reset, negotiate features, set up queue 0 on r at base, DRIVER_OK. */
static inline void vdrv_bring_up(struct vdrv *d, uint64_t features, struct drv_ring *r,
				 uint32_t base, uint16_t size)
{
	vdrv_set_common(d, VD_STATUS, 1, 0);
	vdrv_set_common(d, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	vdrv_set_common(d, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdrv_set_common(d, VD_GFSELECT, 4, 0);
	vdrv_set_common(d, VD_GF, 4, (uint32_t)features);
	vdrv_set_common(d, VD_GFSELECT, 4, 1);
	vdrv_set_common(d, VD_GF, 4, (uint32_t)(features >> 32));
	vdrv_set_common(d, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK);
	vdrv_queue(d, 0, r, base, size);
	vdrv_set_common(d, VD_STATUS, 1, VD_S_UP);
	vdrv_isr(d);
}

/* Does the capability list of the device hold one of virtio type t? */
static inline bool vdrv_has_cap(struct vdrv *d, uint8_t t)
{
	uint8_t cap = (uint8_t)vdrv_cfg_in(d, 0x34, 1);
	int hops = 0;

	while (cap && hops++ < 48) {
		if (vdrv_cfg_in(d, cap + 3u, 1) == t)
			return true;
		cap = (uint8_t)vdrv_cfg_in(d, cap + 1u, 1);
	}
	return false;
}

/*
 * The waits below poll every millisecond for a device thread, for up to
 * 30 s of the clock: long enough that a loaded machine (make -j2 check
 * beside VMs, in a package build) never fails a test that is only slow,
 * and a wait that passes costs no more than it takes.
 */
#define VDRV_WAIT_SECONDS 30

static inline bool vdrv_waited_too_long(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start->tv_sec > VDRV_WAIT_SECONDS;
}

/* Until the used index is n. */
static inline bool vdrv_wait_used(struct drv_ring *r, uint16_t n)
{
	struct timespec ms = { 0, 1000000 }, start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (drv_used_idx(r) != n && !vdrv_waited_too_long(&start))
		nanosleep(&ms, NULL);
	return drv_used_idx(r) == n;
}

/* Or until the device asks for a reset. */
static inline bool vdrv_wait_needs_reset(struct vdrv *d)
{
	struct timespec ms = { 0, 1000000 }, start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!(vdrv_status(d) & VIRTIO_STATUS_NEEDS_RESET) && !vdrv_waited_too_long(&start))
		nanosleep(&ms, NULL);
	return vdrv_status(d) & VIRTIO_STATUS_NEEDS_RESET;
}

#endif /* TESTS_UNIT_VDRV_H */
