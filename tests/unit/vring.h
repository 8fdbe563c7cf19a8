/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vring.h - the driver's half of a split virtqueue, for the tests: lay the
 * rings out in a fake guest RAM, write descriptors, offer chains, read
 * what the device used.  Everything is little-endian bytes, as the Guest
 * would write them.
 */
#ifndef TESTS_UNIT_VRING_H
#define TESTS_UNIT_VRING_H

#include <endian.h>
#include <string.h>

#include "lguest.h"

#define VRING_F_NEXT		1
#define VRING_F_WRITE		2
#define VRING_F_INDIRECT	4

struct drv_ring {
	uint8_t *mem;
	uint16_t size;
	uint32_t desc, avail, used;	/* guest-physical */
	uint16_t avail_idx;
};

/* Descriptors at base, then the avail ring, then the used ring (4-aligned). */
static inline void drv_ring_init(struct drv_ring *r, uint8_t *mem, uint32_t base, uint16_t size)
{
	r->mem = mem;
	r->size = size;
	r->desc = base;
	r->avail = base + 16u * size;
	r->used = (r->avail + 6u + 2u * size + 3u) & ~3u;
	r->avail_idx = 0;
	memset(mem + base, 0, r->used + 6u + 8u * size - base);
}

/* Write descriptor i of the table at gpa table. */
static inline void drv_desc_at(uint8_t *mem, uint32_t table, uint16_t i, uint64_t addr,
			       uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = mem + table + 16u * i;

	put_le64(d, addr);
	put_le32(d + 8, len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

static inline void drv_desc(struct drv_ring *r, uint16_t i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	drv_desc_at(r->mem, r->desc, i, addr, len, flags, next);
}

/* Offer the chain starting at head. */
static inline void drv_offer(struct drv_ring *r, uint16_t head)
{
	put_le16(r->mem + r->avail + 4 + 2u * (r->avail_idx % r->size), head);
	r->avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put_le16(r->mem + r->avail + 2, r->avail_idx);
}

static inline void drv_set_avail_idx(struct drv_ring *r, uint16_t idx)
{
	r->avail_idx = idx;
	put_le16(r->mem + r->avail + 2, idx);
}

static inline uint16_t drv_used_idx(const struct drv_ring *r)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)(r->mem + r->used + 2),
				       __ATOMIC_ACQUIRE));
}

static inline uint32_t drv_used_id(const struct drv_ring *r, uint16_t i)
{
	return get_le32(r->mem + r->used + 4 + 8u * (i % r->size));
}

static inline uint32_t drv_used_len(const struct drv_ring *r, uint16_t i)
{
	return get_le32(r->mem + r->used + 8 + 8u * (i % r->size));
}

/* The event index fields (VIRTIO_RING_F_EVENT_IDX). */
static inline void drv_set_used_event(struct drv_ring *r, uint16_t v)
{
	put_le16(r->mem + r->avail + 4 + 2u * r->size, v);
}

static inline uint16_t drv_avail_event(const struct drv_ring *r)
{
	return get_le16(r->mem + r->used + 4 + 8u * r->size);
}

static inline void drv_set_avail_flags(struct drv_ring *r, uint16_t flags)
{
	put_le16(r->mem + r->avail, flags);
}

#endif /* TESTS_UNIT_VRING_H */
