// SPDX-License-Identifier: GPL-2.0
/*
 * virtqueue.c - split virtqueues (virtio 1.0 section 2.4), read and written
 * in guest memory.
 *
 * A queue is three arrays the driver places in its RAM: the descriptor
 * table (addresses and lengths of buffers, chained by index), the avail
 * ring (heads of chains the driver offers us) and the used ring (heads we
 * hand back, with how much we wrote).  Everything in them is the Guest's to
 * scribble on at any moment, so we read each descriptor once into our own
 * copy, check that copy, and only then believe it.  The first bad index,
 * address or length breaks the queue with a one-line reason in vq->why;
 * the transport turns that into DEVICE_NEEDS_RESET.  We never read or write
 * a byte outside guest RAM, and we never loop longer than the queue is big.
 *
 * Nothing here locks: the caller holds the device's lock (virtio_pci.c).
 * The Guest runs on another CPU at the same time, though, so the indexes
 * it shares with us are read and written whole, with the barriers 2.4.5.3
 * and 2.4.7.2 ask for.
 */
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio.h"

/* struct virtq_desc: le64 addr; le32 len; le16 flags; le16 next. */
#define DESC_SIZE		16
#define DESC_F_NEXT		1
#define DESC_F_WRITE		2
#define DESC_F_INDIRECT		4

/* struct virtq_avail: le16 flags, idx, ring[size], used_event. */
#define AVAIL_FLAGS		0
#define AVAIL_IDX		2
#define AVAIL_RING		4
#define AVAIL_F_NO_INTERRUPT	1

/* struct virtq_used: le16 flags, idx; {le32 id, len} ring[size]; le16 avail_event. */
#define USED_IDX		2
#define USED_RING		4
#define USED_ELEM_SIZE		8

/* 2.4: the alignment each part needs. */
#define DESC_ALIGN		16
#define AVAIL_ALIGN		2
#define USED_ALIGN		4

static int vq_bad(struct virtqueue *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int vq_bad(struct virtqueue *vq, const char *fmt, ...)
{
	va_list ap;

	if (!vq->broken) {
		va_start(ap, fmt);
		vsnprintf(vq->why, sizeof(vq->why), fmt, ap);
		va_end(ap);
		vq->broken = true;
	}
	return -1;
}

/*
 * The shared indexes, as single 16-bit accesses: the Guest updates them
 * while we look.  vq_enable() checked the alignment that makes these
 * legal; acquire and release order them against the ring entries.
 */
static uint16_t load_idx(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE));
}

static void store_idx(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELEASE);
}

void vq_reset(struct virtqueue *vq, const struct guest *g, uint16_t max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->g = g;
	vq->max_size = max_size;
	vq->size = max_size;
}

/*
 * Where one part of the ring lives: inside RAM, aligned, and as big as
 * the queue size makes it.  The 64-bit address the driver wrote must fit
 * in our 32-bit guest-physical space first.
 */
static uint8_t *ring_part(struct virtqueue *vq, const char *what, uint64_t addr,
			  uint32_t len, uint32_t align)
{
	uint8_t *p;

	if (addr & (align - 1)) {
		vq_bad(vq, "%s ring at %#llx is not %u-byte aligned", what,
		       (unsigned long long)addr, align);
		return NULL;
	}
	p = addr > UINT32_MAX ? NULL : guest_ptr(vq->g, (uint32_t)addr, len);
	if (!p)
		vq_bad(vq, "%s ring at %#llx (%u bytes) is outside guest RAM", what,
		       (unsigned long long)addr, len);
	return p;
}

/*> L710
 * The driver sets a queue up through the common configuration (size and
 * three addresses), then writes 1 to queue_enable.  That is when we check
 * it all, once: the size must be a power of two no bigger than we offered
 * (2.4: a queue of size 0 does not exist), each part must lie in RAM with
 * its alignment, and the ring features are the ones negotiated.  Later
 * pops need only check what the Guest can change under us: indexes and
 * descriptors.
 */
int vq_enable(struct virtqueue *vq, uint64_t features)
{
	uint32_t n = vq->size;

	if (vq->broken)
		return -1;
	if (!n || n > vq->max_size || (n & (n - 1)))
		return vq_bad(vq, "queue size %u is not a power of two up to %u", n, vq->max_size);
	vq->indirect = features & VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC);
	vq->event_idx = features & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX);
	/* The event fields sit at the ends of the rings; we always count them. */
	vq->desc = ring_part(vq, "descriptor", vq->desc_addr, DESC_SIZE * n, DESC_ALIGN);
	vq->avail = ring_part(vq, "avail", vq->avail_addr, AVAIL_RING + 2 * n + 2, AVAIL_ALIGN);
	vq->used = ring_part(vq, "used", vq->used_addr, USED_RING + USED_ELEM_SIZE * n + 2,
			     USED_ALIGN);
	if (vq->broken)
		return -1;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->enabled = true;
	return 0;
}

/* Our own copy of one descriptor. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void read_desc(const uint8_t *table, uint32_t i, struct desc *d)
{
	uint8_t raw[DESC_SIZE];

	memcpy(raw, table + (size_t)i * DESC_SIZE, DESC_SIZE);
	d->addr = get_le64(raw);
	d->len = get_le32(raw + 8);
	d->flags = get_le16(raw + 12);
	d->next = get_le16(raw + 14);
}

/*
 * A descriptor that points at an indirect table (2.4.5.3): only if the
 * feature was negotiated, never from inside another table, never with NEXT
 * as well, and the table a whole number of descriptors inside RAM.
 */
static int indirect_table(struct virtqueue *vq, const struct desc *d, bool nested,
			  const uint8_t **table, uint32_t *count)
{
	if (!vq->indirect)
		return vq_bad(vq, "indirect descriptor, but VIRTIO_RING_F_INDIRECT_DESC was not negotiated");
	if (nested)
		return vq_bad(vq, "indirect descriptor inside an indirect table");
	if (d->flags & DESC_F_NEXT)
		return vq_bad(vq, "indirect descriptor with NEXT set as well");
	if (!d->len || d->len % DESC_SIZE)
		return vq_bad(vq, "indirect table of %u bytes is not a whole number of descriptors",
			      d->len);
	/*
	 * No chain may be longer than the queue (2.4.5.3.1), nor, then, a
	 * table; we allow the longest queue we offer, whatever size the
	 * driver chose, as Linux 4.1 sizes its tables by the request alone.
	 * Without this a table could be 2^27 descriptors, each a step.
	 */
	if (d->len / DESC_SIZE > VQ_MAX_SIZE)
		return vq_bad(vq, "indirect table of %u descriptors is longer than any queue (%u)",
			      d->len / DESC_SIZE, VQ_MAX_SIZE);
	*table = d->addr > UINT32_MAX ? NULL : guest_ptr(vq->g, (uint32_t)d->addr, d->len);
	if (!*table)
		return vq_bad(vq, "indirect table at %#llx (%u bytes) is outside guest RAM",
			      (unsigned long long)d->addr, d->len);
	*count = d->len / DESC_SIZE;
	return 0;
}

/* One buffer of the chain: inside RAM, readable ones first (2.4.4.2). */
static int add_buffer(struct virtqueue *vq, struct vq_chain *c, const struct desc *d)
{
	bool writable = d->flags & DESC_F_WRITE;
	uint32_t *total = writable ? &c->in_len : &c->out_len;
	struct iovec *iov;
	uint8_t *p;

	if (!d->len)
		return 0;	/* harmless, and nothing to give the device */
	p = d->addr > UINT32_MAX ? NULL : guest_ptr(vq->g, (uint32_t)d->addr, d->len);
	if (!p)
		return vq_bad(vq, "buffer at %#llx (%u bytes) is outside guest RAM",
			      (unsigned long long)d->addr, d->len);
	if (!writable && c->n_in)
		return vq_bad(vq, "a device-readable buffer follows a writable one");
	if (c->n_out + c->n_in == VQ_MAX_SIZE)
		return vq_bad(vq, "chain has more than %u buffers", VQ_MAX_SIZE);
	if (d->len > UINT32_MAX - *total)
		return vq_bad(vq, "chain is longer than 4 GiB");
	*total += d->len;
	iov = &c->iov[c->n_out + c->n_in];
	iov->iov_base = p;
	iov->iov_len = d->len;
	if (writable)
		c->n_in++;
	else
		c->n_out++;
	return 0;
}

/*> L720
 * Following a chain.  Each step reads the next descriptor of the current
 * table, which is the ring's own or, after an indirect descriptor, the
 * one it points to.  A chain that visits more descriptors than its table
 * has must be a loop: we stop there, so a hostile ring costs us at most
 * one pass over each table, and no table is longer than a queue.
 */
static int walk_chain(struct virtqueue *vq, uint16_t head, struct vq_chain *c)
{
	const uint8_t *table = vq->desc;
	uint32_t count = vq->size, steps = 0, i = head;
	bool in_indirect = false;
	struct desc d;

	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	for (;;) {
		if (++steps > count)
			return vq_bad(vq, "descriptor chain from %u is longer than its table of %u (a loop?)",
				      head, count);
		read_desc(table, i, &d);
		if (d.flags & DESC_F_INDIRECT) {
			if (indirect_table(vq, &d, in_indirect, &table, &count))
				return -1;
			in_indirect = true;
			steps = 0;
			i = 0;
			continue;
		}
		if (add_buffer(vq, c, &d))
			return -1;
		if (!(d.flags & DESC_F_NEXT))
			return 0;
		if (d.next >= count)
			return vq_bad(vq, "descriptor %u chains to %u, beyond its table of %u",
				      i, d.next, count);
		i = d.next;
	}
}

/*
 * With VIRTIO_RING_F_EVENT_IDX we tell the driver which avail index should
 * make it kick us (2.4.7.2): the next one we would take, so that any new
 * buffer does.  The driver may have added one just before it saw that, so
 * we look once more after a full barrier.
 */
static bool ring_empty(struct virtqueue *vq, uint16_t *avail_idx)
{
	*avail_idx = load_idx(vq->avail + AVAIL_IDX);
	if (*avail_idx != vq->last_avail || !vq->event_idx)
		return *avail_idx == vq->last_avail;
	store_idx(vq->used + USED_RING + USED_ELEM_SIZE * vq->size, vq->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*avail_idx = load_idx(vq->avail + AVAIL_IDX);
	return *avail_idx == vq->last_avail;
}

/*
 * Take the next chain the driver offers: 1 and the chain in *c, 0 if there
 * is none, -1 if the queue is broken (now or before).
 */
int vq_pop(struct virtqueue *vq, struct vq_chain *c)
{
	uint16_t avail_idx, head;

	if (vq->broken)
		return -1;
	if (!vq->enabled || ring_empty(vq, &avail_idx))
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return vq_bad(vq, "avail index moved from %u to %u, more than the queue size %u",
			      vq->last_avail, avail_idx, vq->size);
	head = get_le16(vq->avail + AVAIL_RING + 2 * (vq->last_avail & (vq->size - 1)));
	if (head >= vq->size)
		return vq_bad(vq, "avail ring names descriptor %u of a queue of %u", head, vq->size);
	if (walk_chain(vq, head, c))
		return -1;
	vq->last_avail++;
	return 1;
}

/*
 * Give a chain back: its head and how many bytes we wrote into its
 * writable part.  The element goes in before the index that publishes it.
 */
void vq_push(struct virtqueue *vq, const struct vq_chain *c, uint32_t written)
{
	uint8_t *elem;

	if (vq->broken || !vq->enabled)
		return;
	if (written > c->in_len)
		written = c->in_len;
	elem = vq->used + USED_RING + USED_ELEM_SIZE * (vq->used_idx & (vq->size - 1));
	put_le32(elem, c->head);
	put_le32(elem + 4, written);
	vq->used_idx++;
	store_idx(vq->used + USED_IDX, vq->used_idx);
}

/*> L730
 * Does the driver want an interrupt for what we pushed since we last
 * asked?  Without EVENT_IDX it says so with a flag in the avail ring;
 * with it, it names the used index it wants to hear about (used_event),
 * and we interrupt only if our index just went past it (2.4.7.2).  The
 * barrier orders our used index store before we read what the driver
 * asked for, or we could both miss each other's update.
 */
bool vq_should_interrupt(struct virtqueue *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (vq->broken || !vq->enabled)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load_idx(vq->avail + AVAIL_FLAGS) & AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = now;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	event = load_idx(vq->avail + AVAIL_RING + 2 * vq->size);
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}
