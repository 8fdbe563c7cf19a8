/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio.h - the virtio core as the device files see it: split virtqueues
 * (virtqueue.c) and the virtio-pci modern transport (virtio_pci.c).
 *
 * A device file fills in a struct vdev_ops and calls vdev__add() (pci.c);
 * from then on it meets the Guest only through the vdev__* calls below:
 * take a chain of buffers off a queue, give it back used, interrupt.  It
 * never sees PCI, the common configuration or the ring layout.
 *
 * Numbers in comments such as "(2.4.5)" are sections of virtio 1.0.
 */
#ifndef LAUNCHER_VIRTIO_H
#define LAUNCHER_VIRTIO_H

#include <pthread.h>
#include <sys/uio.h>

#include "lguest.h"

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Device types (5): the PCI device ID is 0x1040 + these. */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_RNG			4

/* Feature bits every device of ours offers (6). */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_BIT(n)			(1ull << (n))

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE		0x01
#define VIRTIO_ISR_CONFIG		0x02

#define VIRTIO_MSI_NO_VECTOR		0xFFFF

/*
 * BAR0 of every virtio device: one page, carved into the regions the
 * capabilities point at (pci.c builds those, virtio_pci.c decodes the
 * accesses).  The common config is 56 bytes in virtio 1.0; the notify
 * multiplier is 0, so all queues share one 16-bit doorbell.
 */
#define VIRTIO_BAR0_SIZE	LG_PAGE_SIZE
#define VIRTIO_COMMON_OFF	0x000
#define VIRTIO_COMMON_LEN	0x038
#define VIRTIO_NOTIFY_OFF	0x040
#define VIRTIO_NOTIFY_LEN	0x002
#define VIRTIO_ISR_OFF		0x060
#define VIRTIO_ISR_LEN		0x001
#define VIRTIO_DEVCFG_OFF	0x080

/* ---- virtqueue.c: split virtqueues (2.4) in guest memory. */

/*
 * The largest queue we offer.  A chain can never hold more buffers than
 * the queue has entries (2.4.4.1: the driver must not make longer ones),
 * so this also bounds the iovecs of one chain.
 */
#define VQ_MAX_SIZE		256

/*
 * One descriptor chain, as the device gets it: iov[0 .. n_out) are the
 * buffers the device reads (the driver's "out"), iov[n_out .. n_out + n_in)
 * the ones it writes.  Each points into guest RAM, checked, and stays
 * valid as long as the Guest does: RAM never moves.
 */
struct vq_chain {
	uint16_t head;		/* descriptor index, for the used ring */
	unsigned int n_out, n_in;
	uint32_t out_len, in_len;	/* bytes in each half */
	struct iovec iov[VQ_MAX_SIZE];
};

struct virtqueue {
	const struct guest *g;
	uint16_t max_size;
	/* What the driver wrote through the common configuration. */
	uint16_t size;
	bool enabled;
	uint64_t desc_addr, avail_addr, used_addr;
	/* Set by vq_enable(): the checked rings, and the features they use. */
	uint8_t *desc, *avail, *used;
	bool indirect, event_idx;
	uint16_t last_avail;		/* the next avail ring entry we take */
	uint16_t used_idx;		/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx when we last decided to interrupt */
	bool signalled_valid;
	/* The first problem with what the driver gave us; then nothing works. */
	bool broken;
	char why[LG_WHY_MAX];
};

void vq_reset(struct virtqueue *vq, const struct guest *g, uint16_t max_size);
int vq_enable(struct virtqueue *vq, uint64_t features);
int vq_pop(struct virtqueue *vq, struct vq_chain *c);
void vq_push(struct virtqueue *vq, const struct vq_chain *c, uint32_t written);
bool vq_should_interrupt(struct virtqueue *vq);

/* ---- virtio_pci.c: the transport, and what devices call. */

struct vdev;

/*
 * A virtio device is an ops table.  Every callback runs with the device's
 * lock held (see virtio_pci.c), on whichever thread caused it: the Guest's
 * own (MMIO and port I/O exits) or the device's.
 */
struct vdev_ops {
	const char *name;
	uint8_t device_id;	/* virtio type: PCI device is 0x1040 + this */
	uint32_t pci_class;	/* class, subclass, prog-if: 0x078000 for a console */
	uint64_t features;	/* device-specific bits; the transport adds its own */
	unsigned int num_queues;
	uint32_t cfg_size;	/* bytes of device-specific configuration */
	uint32_t (*cfg_read)(void *dev, uint32_t off, unsigned int size);
	void (*cfg_write)(void *dev, uint32_t off, unsigned int size, uint32_t val);
	/* The driver kicked queue q (only once DRIVER_OK, and for enabled queues). */
	void (*notify)(void *dev, struct vdev *vd, unsigned int q);
	/* The driver reset the device: forget everything about the queues. */
	void (*reset)(void *dev, struct vdev *vd);
	/*
	 * The driver set DRIVER_OK: FEATURES are what it took, final until
	 * the next reset.  Called before the first kick reaches notify, so a
	 * device can set itself up for them first (net.c: the tap's offloads).
	 */
	void (*driver_ok)(void *dev, struct vdev *vd, uint64_t features);
};

/* pci.c calls these; vdev__add() (pci.c, lguest.h) is what devices call. */
struct vdev *virtio_pci__new(struct guest *g, const struct vdev_ops *ops, void *dev,
			     uint8_t irq);
void virtio_pci__free(struct vdev *vd);
/* The ISR byte, for lg.ko to read and clear (L755): atomics only. */
uint8_t *virtio_pci__isr(struct vdev *vd);
int virtio_pci__bar_rw(struct vdev *vd, uint32_t off, unsigned int size, uint32_t *val,
		       bool write);

/* For device threads: the lock, and waiting on a condition under it. */
void vdev__lock(struct vdev *vd);
void vdev__unlock(struct vdev *vd);
void vdev__wait(struct vdev *vd, pthread_cond_t *cond);
void vdev__wait_for(struct vdev *vd, pthread_cond_t *cond, unsigned int ms);

/* With the lock held: the queue work of a device. */
bool vdev__ready(struct vdev *vd, unsigned int q);
int vdev__pop(struct vdev *vd, unsigned int q, struct vq_chain *c);
void vdev__push(struct vdev *vd, unsigned int q, const struct vq_chain *c, uint32_t written);
void vdev__signal(struct vdev *vd, unsigned int q);
void vdev__needs_reset(struct vdev *vd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether to print one more line about what the driver did (L735). */
bool vdev__may_complain(struct vdev *vd);
uint8_t vdev__status(struct vdev *vd);

/*
 * SIZE (1, 2 or 4) bytes of a device's configuration space at BYTES, as
 * the little-endian value the driver reads there.
 */
static inline uint32_t cfg_bytes(const uint8_t *bytes, unsigned int size)
{
	uint32_t val = 0;

	while (size--)
		val = val << 8 | bytes[size];
	return val;
}

#endif /* LAUNCHER_VIRTIO_H */
