// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_pci.c - the virtio-pci "modern" transport (virtio 1.0 section 4.1):
 * what lies behind BAR0 of each virtio device.
 *
 * pci.c gives every device a BAR and the capabilities that map it; the
 * accesses land here: the common configuration (features, status, queue
 * setup), the notify doorbell, the ISR byte and the device's own config
 * fields, which we pass on to its ops.  Devices see none of this: they take
 * chains off their queues with vdev__pop() and give them back with
 * vdev__push() and vdev__signal().
 *
 * When the driver hands us something impossible (a bad ring, a kick for a
 * queue that does not exist) the device stops and asks for a reset, as
 * 2.1.2 describes: we set DEVICE_NEEDS_RESET, raise a configuration
 * interrupt and say what happened in one line on stderr.  Only a reset
 * (status 0) brings it back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio.h"

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0C
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGENERATION	0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1A
#define COMMON_Q_ENABLE		0x1C
#define COMMON_Q_NOFF		0x1E
#define COMMON_Q_DESCLO		0x20
#define COMMON_Q_DESCHI		0x24
#define COMMON_Q_AVAILLO	0x28
#define COMMON_Q_AVAILHI	0x2C
#define COMMON_Q_USEDLO		0x30
#define COMMON_Q_USEDHI		0x34

#define VDEV_MAX_QUEUES		8

/*> L700
 * One virtio device's transport state.
 *
 * The lock is the one lock of the virtio core.  It protects everything in
 * this struct (status, features, ISR, the queue registers and the
 * virtqueues themselves) and whatever state the device keeps beside its
 * queues.  Two kinds of thread take it: the Guest's thread, for every
 * access to BAR0 (which is how the driver kicks us and changes the
 * status), and a device's own thread, when input arrives.  Device
 * callbacks (notify, reset, cfg_read/cfg_write) are always called with it
 * held, so a device file never locks around them, only in its own thread
 * (vdev__lock()).  Raising the interrupt is a write to /dev/lguest, which
 * lg.ko allows from any thread, so we may do it with the lock held.
 */
struct vdev {
	struct guest *g;
	const struct vdev_ops *ops;
	void *dev;
	uint8_t irq;
	pthread_mutex_t lock;

	uint64_t offered;		/* device features, ours included */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	bool driver_features_bad;	/* a feature word past the second was set */
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint8_t isr;
	unsigned int complaints;	/* lines printed about the driver (L735) */
	struct virtqueue vq[VDEV_MAX_QUEUES];
};

/*
 * The ISR is set by whichever thread has the device lock, and may be read
 * and cleared by lg.ko (L755) while the Guest runs, without it: every
 * access to it is atomic.
 */
static void raise_irq(struct vdev *vd, uint8_t why)
{
	__atomic_fetch_or(&vd->isr, why, __ATOMIC_SEQ_CST);
	if (vd->g->raise_irq)
		vd->g->raise_irq(vd->g, vd->irq);
}

/*> L735
 * What a driver does wrong we say on stderr, where the user sees it.  But
 * the Guest can do it again as often as it likes (reset, the same bad
 * negotiation, reset...), two or three exits a line, and stderr may be a
 * log file: so each device says it VDEV_COMPLAINTS times, then once that
 * it will stop, then nothing more.  Resets do not refill the allowance.
 */
#define VDEV_COMPLAINTS	64

bool vdev__may_complain(struct vdev *vd)
{
	if (vd->complaints > VDEV_COMPLAINTS)
		return false;
	if (vd->complaints++ < VDEV_COMPLAINTS)
		return true;
	fprintf(stderr, "lguest: %s: more complaints about this device's driver are not shown\n",
		vd->ops->name);
	return false;
}

void vdev__needs_reset(struct vdev *vd, const char *fmt, ...)
{
	char why[LG_WHY_MAX];
	va_list ap;

	if (vd->status & VIRTIO_STATUS_NEEDS_RESET)
		return;		/* it already said what went wrong first */
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (vdev__may_complain(vd))
		fprintf(stderr, "lguest: %s: %s; the device needs a reset\n", vd->ops->name, why);
	vd->status |= VIRTIO_STATUS_NEEDS_RESET;
	vd->config_generation++;
	raise_irq(vd, VIRTIO_ISR_CONFIG);
}

uint8_t vdev__status(struct vdev *vd)
{
	return vd->status;
}

void vdev__lock(struct vdev *vd)
{
	pthread_mutex_lock(&vd->lock);
}

void vdev__unlock(struct vdev *vd)
{
	pthread_mutex_unlock(&vd->lock);
}

void vdev__wait(struct vdev *vd, pthread_cond_t *cond)
{
	pthread_cond_wait(cond, &vd->lock);
}

/* The same, but for no more than ms milliseconds (cond uses CLOCK_REALTIME). */
void vdev__wait_for(struct vdev *vd, pthread_cond_t *cond, unsigned int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, &vd->lock, &until);
}

/* Is queue q set up and may the device use it (3.1.1: after DRIVER_OK)? */
bool vdev__ready(struct vdev *vd, unsigned int q)
{
	return q < vd->ops->num_queues && vd->vq[q].enabled &&
	       (vd->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) ==
	       VIRTIO_STATUS_DRIVER_OK;
}

int vdev__pop(struct vdev *vd, unsigned int q, struct vq_chain *c)
{
	struct virtqueue *vq;
	int r;

	if (!vdev__ready(vd, q))
		return 0;
	vq = &vd->vq[q];
	r = vq_pop(vq, c);
	if (r < 0)
		vdev__needs_reset(vd, "queue %u: %s", q, vq->why);
	return r;
}

void vdev__push(struct vdev *vd, unsigned int q, const struct vq_chain *c, uint32_t written)
{
	if (vdev__ready(vd, q))
		vq_push(&vd->vq[q], c, written);
}

void vdev__signal(struct vdev *vd, unsigned int q)
{
	if (vdev__ready(vd, q) && vq_should_interrupt(&vd->vq[q]))
		raise_irq(vd, VIRTIO_ISR_QUEUE);
}

/* The state a device starts in, and returns to on reset. */
static void reset_transport(struct vdev *vd)
{
	unsigned int q;

	vd->status = 0;
	vd->dfselect = vd->gfselect = 0;
	vd->driver_features = 0;
	vd->driver_features_bad = false;
	vd->queue_select = 0;
	__atomic_store_n(&vd->isr, 0, __ATOMIC_SEQ_CST);
	for (q = 0; q < vd->ops->num_queues; q++)
		vq_reset(&vd->vq[q], vd->g, VQ_MAX_SIZE);
}

/* 4.1.4.3.2: writing 0 to device_status resets the device and its queues. */
static void reset(struct vdev *vd)
{
	reset_transport(vd);
	if (vd->ops->reset)
		vd->ops->reset(vd->dev, vd);
}

/*> L740
 * Feature negotiation (3.1.1): the driver reads what we offer, writes what
 * it takes and sets FEATURES_OK.  We keep that bit only if it took nothing
 * we did not offer and took VIRTIO_F_VERSION_1, which a modern-only device
 * must insist on (6.1); the driver reads the status back and gives up if
 * the bit is gone.
 */
static bool features_ok(struct vdev *vd)
{
	uint64_t extra = vd->driver_features & ~vd->offered;

	if (vd->driver_features_bad || extra) {
		if (vdev__may_complain(vd))
			fprintf(stderr, "lguest: %s: the driver accepted features %#llx we did not offer\n",
				vd->ops->name, (unsigned long long)extra);
		return false;
	}
	if (!(vd->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		if (vdev__may_complain(vd))
			fprintf(stderr, "lguest: %s: the driver did not accept VIRTIO_F_VERSION_1; "
				"it needs a virtio 1.0 (modern) driver\n", vd->ops->name);
		return false;
	}
	return true;
}

/*
 * Once DRIVER_OK is set the device may use its queues; buffers the driver
 * added before that (the console's receive buffers, say) were kicked too
 * early for us to act on, so we give each queue one kick now, after
 * telling the device which features the driver settled on.
 */
static void set_status(struct vdev *vd, uint8_t val)
{
	uint8_t was = vd->status;
	unsigned int q;

	if (val == 0) {
		reset(vd);
		return;
	}
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(was & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_ok(vd))
		val &= ~VIRTIO_STATUS_FEATURES_OK;
	vd->status = val | (was & VIRTIO_STATUS_NEEDS_RESET);
	if (!(val & VIRTIO_STATUS_DRIVER_OK) || (was & VIRTIO_STATUS_DRIVER_OK))
		return;
	if (vd->ops->driver_ok)
		vd->ops->driver_ok(vd->dev, vd, vd->driver_features);
	for (q = 0; q < vd->ops->num_queues; q++)
		if (vdev__ready(vd, q) && vd->ops->notify)
			vd->ops->notify(vd->dev, vd, q);
}

static void write_driver_features(struct vdev *vd, uint32_t val)
{
	if (vd->status & VIRTIO_STATUS_FEATURES_OK)
		return;		/* 3.1.1: too late to change them */
	if (vd->gfselect == 0)
		vd->driver_features = (vd->driver_features & ~0xFFFFFFFFull) | val;
	else if (vd->gfselect == 1)
		vd->driver_features = (vd->driver_features & 0xFFFFFFFFull) | (uint64_t)val << 32;
	else if (val)
		vd->driver_features_bad = true;
}

static struct virtqueue *selected(struct vdev *vd)
{
	return vd->queue_select < vd->ops->num_queues ? &vd->vq[vd->queue_select] : NULL;
}

/*
 * queue_enable = 1 makes the queue live: that is when we check what the
 * driver set up.  A queue enabled before the features are settled would
 * not know its ring layout, so that is the driver's mistake too.
 */
static void enable_queue(struct vdev *vd, struct virtqueue *vq)
{
	if (!(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
		vdev__needs_reset(vd, "queue %u enabled before FEATURES_OK", vd->queue_select);
		return;
	}
	if (vq_enable(vq, vd->driver_features))
		vdev__needs_reset(vd, "queue %u: %s", vd->queue_select, vq->why);
}

/* A 64-bit address register, written as two 32-bit halves (4.1.3.1). */
static void set_half(uint64_t *reg, uint32_t off, uint32_t val)
{
	if (off & 4)
		*reg = (*reg & 0xFFFFFFFFull) | (uint64_t)val << 32;
	else
		*reg = (*reg & ~0xFFFFFFFFull) | val;
}

static uint32_t get_half(uint64_t reg, uint32_t off)
{
	return (uint32_t)(off & 4 ? reg >> 32 : reg);
}

static uint64_t *queue_addr(struct virtqueue *vq, uint32_t off)
{
	if (off < COMMON_Q_AVAILLO)
		return &vq->desc_addr;
	if (off < COMMON_Q_USEDLO)
		return &vq->avail_addr;
	return &vq->used_addr;
}

/* The width of each common config field; 0 for none. */
static unsigned int field_size(uint32_t off)
{
	if (off < COMMON_MSIX)
		return off % 4 ? 0 : 4;
	if (off == COMMON_STATUS || off == COMMON_CFGGENERATION)
		return 1;
	if (off < COMMON_Q_DESCLO)
		return off % 2 ? 0 : 2;
	return off % 4 ? 0 : 4;
}

static uint32_t common_read(struct vdev *vd, uint32_t off)
{
	struct virtqueue *vq = selected(vd);

	switch (off) {
	case COMMON_DFSELECT:
		return vd->dfselect;
	case COMMON_DF:
		return vd->dfselect < 2 ? (uint32_t)(vd->offered >> (32 * vd->dfselect)) : 0;
	case COMMON_GFSELECT:
		return vd->gfselect;
	case COMMON_GF:
		return vd->gfselect < 2 ? (uint32_t)(vd->driver_features >> (32 * vd->gfselect)) : 0;
	case COMMON_MSIX:
	case COMMON_Q_MSIX:
		return VIRTIO_MSI_NO_VECTOR;	/* no MSI-X: INTx only */
	case COMMON_NUMQ:
		return vd->ops->num_queues;
	case COMMON_STATUS:
		return vd->status;
	case COMMON_CFGGENERATION:
		return vd->config_generation;
	case COMMON_Q_SELECT:
		return vd->queue_select;
	case COMMON_Q_NOFF:
		return 0;			/* multiplier 0: one doorbell */
	}
	if (!vq)
		return 0;			/* 4.1.4.3.2: a missing queue has size 0 */
	switch (off) {
	case COMMON_Q_SIZE:
		return vq->size;
	case COMMON_Q_ENABLE:
		return vq->enabled;
	}
	return get_half(*queue_addr(vq, off), off);
}

static void common_write(struct vdev *vd, uint32_t off, uint32_t val)
{
	struct virtqueue *vq = selected(vd);

	switch (off) {
	case COMMON_DFSELECT:
		vd->dfselect = val;
		return;
	case COMMON_GFSELECT:
		vd->gfselect = val;
		return;
	case COMMON_GF:
		write_driver_features(vd, val);
		return;
	case COMMON_STATUS:
		set_status(vd, (uint8_t)val);
		return;
	case COMMON_Q_SELECT:
		vd->queue_select = (uint16_t)val;
		return;
	case COMMON_Q_SIZE:
	case COMMON_Q_ENABLE:
	case COMMON_Q_DESCLO ... COMMON_Q_USEDHI:
		break;
	default:
		return;		/* read-only, or MSI-X vectors we do not have */
	}
	/* A live queue's registers stay as they were until a reset (4.1.4.3.2). */
	if (!vq || vq->enabled)
		return;
	if (off == COMMON_Q_SIZE)
		vq->size = (uint16_t)val;
	else if (off == COMMON_Q_ENABLE && val == 1)
		enable_queue(vd, vq);
	else if (off != COMMON_Q_ENABLE)
		set_half(queue_addr(vq, off), off, val);
}

/*
 * The doorbell: the driver writes the index of the queue it filled
 * (4.1.4.4).  An index we never offered is a broken driver; a kick before
 * DRIVER_OK or for a queue not yet enabled is only early, and set_status()
 * will pass it on once it may.
 */
static void notify(struct vdev *vd, uint32_t q)
{
	if (q >= vd->ops->num_queues) {
		vdev__needs_reset(vd, "kick for queue %u of %u", q, vd->ops->num_queues);
		return;
	}
	if (vdev__ready(vd, q) && vd->ops->notify)
		vd->ops->notify(vd->dev, vd, q);
}

static bool inside(uint32_t off, unsigned int size, uint32_t start, uint32_t len)
{
	return off >= start && off - start < len && size <= len - (off - start);
}

/*> L750
 * Every access to BAR0, whether a load or store the Guest made to the
 * device window (trap 14) or one it made through the PCI config access
 * capability, comes here, with the lock taken for it.  Accesses must have
 * the width of the field they touch (4.1.3.1); others read as 0 and change
 * nothing.  Reading the ISR clears it (4.1.4.5): that is how the driver
 * acknowledges an interrupt.
 */
static void bar_access(struct vdev *vd, uint32_t off, unsigned int size, uint32_t *val,
		       bool write)
{
	uint32_t r = 0;

	if (inside(off, size, VIRTIO_COMMON_OFF, VIRTIO_COMMON_LEN)) {
		off -= VIRTIO_COMMON_OFF;
		if (size == field_size(off) && write)
			common_write(vd, off, *val);
		else if (size == field_size(off))
			r = common_read(vd, off);
	} else if (inside(off, size, VIRTIO_NOTIFY_OFF, VIRTIO_NOTIFY_LEN)) {
		if (write && size == 2)
			notify(vd, *val);
	} else if (inside(off, size, VIRTIO_ISR_OFF, VIRTIO_ISR_LEN)) {
		if (!write)
			r = __atomic_exchange_n(&vd->isr, 0, __ATOMIC_SEQ_CST);
	} else if (inside(off, size, VIRTIO_DEVCFG_OFF, vd->ops->cfg_size)) {
		off -= VIRTIO_DEVCFG_OFF;
		if (write)
			vd->ops->cfg_write(vd->dev, off, size, *val);
		else
			r = vd->ops->cfg_read(vd->dev, off, size);
	}
	if (!write)
		*val = r;
}

uint8_t *virtio_pci__isr(struct vdev *vd)
{
	return &vd->isr;
}

int virtio_pci__bar_rw(struct vdev *vd, uint32_t off, unsigned int size, uint32_t *val,
		       bool write)
{
	if (off >= VIRTIO_BAR0_SIZE || size > VIRTIO_BAR0_SIZE - off)
		return -1;
	pthread_mutex_lock(&vd->lock);
	bar_access(vd, off, size, val, write);
	pthread_mutex_unlock(&vd->lock);
	return 0;
}

struct vdev *virtio_pci__new(struct guest *g, const struct vdev_ops *ops, void *dev,
			     uint8_t irq)
{
	struct vdev *vd;

	if (ops->num_queues > VDEV_MAX_QUEUES ||
	    ops->cfg_size > VIRTIO_BAR0_SIZE - VIRTIO_DEVCFG_OFF)
		return NULL;
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return NULL;
	if (pthread_mutex_init(&vd->lock, NULL)) {
		free(vd);
		return NULL;
	}
	vd->g = g;
	vd->ops = ops;
	vd->dev = dev;
	vd->irq = irq;
	vd->offered = ops->features | VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		      VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX);
	reset_transport(vd);
	return vd;
}

void virtio_pci__free(struct vdev *vd)
{
	if (!vd)
		return;
	pthread_mutex_destroy(&vd->lock);
	free(vd);
}
