/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio.h - the virtio core: split virtqueues (virtqueue.c); the
 * virtio-pci transport comes next.
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

#endif /* LAUNCHER_VIRTIO_H */
