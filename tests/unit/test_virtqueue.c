// SPDX-License-Identifier: GPL-2.0
/*
 * test_virtqueue.c - split virtqueues against rings the test lays out in a
 * fake guest RAM: setup, normal and indirect chains, the used ring, event
 * index suppression, and every malformed ring we check for.  Each bad one
 * must break the queue with a reason, and (ASan proves it) without a read
 * or write outside RAM: RAM is a malloc'd buffer of exactly RAM bytes.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher -o test_virtqueue \
 *       tests/unit/test_virtqueue.c launcher/virtqueue.c && ./test_virtqueue
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "virtio.h"
#include "tap.h"
#include "vring.h"

#define RAM		(1u << 20)
#define RING		0x10000u	/* where the test's ring goes */
#define TABLE		0x20000u	/* an indirect table */
#define BUF		0x40000u	/* data buffers */
#define QSIZE		16

#define ALL_RING_FEATURES \
	(VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | \
	 VIRTIO_BIT(VIRTIO_F_VERSION_1))

static struct guest g = { .ram_size = RAM, .fd = -1 };
static struct virtqueue vq;
static struct drv_ring r;
static struct vq_chain c;

/* A fresh queue of size n over a fresh ring at RING, enabled with features. */
static int setup(uint16_t n, uint64_t features)
{
	memset(g.mem, 0, RAM);
	drv_ring_init(&r, g.mem, RING, n);
	vq_reset(&vq, &g, VQ_MAX_SIZE);
	vq.size = n;
	vq.desc_addr = r.desc;
	vq.avail_addr = r.avail;
	vq.used_addr = r.used;
	return vq_enable(&vq, features);
}

static bool iov_is(unsigned int i, uint32_t gpa, uint32_t len)
{
	return c.iov[i].iov_base == g.mem + gpa && c.iov[i].iov_len == len;
}

static void test_setup(void)
{
	vq_reset(&vq, &g, VQ_MAX_SIZE);
	report(vq.size == VQ_MAX_SIZE && !vq.enabled, "a reset queue offers size %u, disabled",
	       VQ_MAX_SIZE);
	report(setup(QSIZE, ALL_RING_FEATURES) == 0 && vq.enabled && vq.indirect && vq.event_idx,
	       "a good ring enables, with indirect and event idx");
	report(vq_pop(&vq, &c) == 0, "an empty ring pops nothing");
	report(setup(VQ_MAX_SIZE, 0) == 0 && !vq.indirect && !vq.event_idx,
	       "size %u, no ring features", VQ_MAX_SIZE);
	report(setup(1, 0) == 0, "size 1 is a power of two too");
}

static void test_chains(void)
{
	uint16_t i;

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 3, BUF, 10, VRING_F_NEXT, 7);
	drv_desc(&r, 7, BUF + 100, 20, VRING_F_NEXT, 1);
	drv_desc(&r, 1, BUF + 200, 30, VRING_F_WRITE, 0);
	drv_offer(&r, 3);
	report(vq_pop(&vq, &c) == 1 && c.head == 3 && c.n_out == 2 && c.n_in == 1,
	       "a chain of 2 readable and 1 writable buffers");
	report(iov_is(0, BUF, 10) && iov_is(1, BUF + 100, 20) && iov_is(2, BUF + 200, 30),
	       "each iovec points at its buffer in guest RAM");
	report(c.out_len == 30 && c.in_len == 30, "lengths add up per direction");
	report(vq_pop(&vq, &c) == 0, "then the ring is empty");
	report(drv_avail_event(&r) == 1, "and avail_event asks for a kick at the next entry");
	vq_push(&vq, &c, 1000);
	report(drv_used_idx(&r) == 1 && drv_used_id(&r, 0) == 3 && drv_used_len(&r, 0) == 30,
	       "push: used[0] = {3, 30}, written clamped to the writable length");

	drv_desc(&r, 0, BUF, 0, VRING_F_NEXT, 2);	/* zero length: skipped */
	drv_desc(&r, 2, BUF, 5, 0, 0);
	drv_offer(&r, 0);
	report(vq_pop(&vq, &c) == 1 && c.n_out == 1 && iov_is(0, BUF, 5),
	       "a zero-length descriptor gives no iovec");
	vq_push(&vq, &c, 0);

	/* Wrap the 16-bit indexes and the ring positions. */
	setup(4, 0);
	drv_desc(&r, 0, BUF, 1, 0, 0);
	vq.last_avail = vq.used_idx = 0xFFFE;
	drv_set_avail_idx(&r, 0xFFFE);
	bool ok = true;
	for (i = 0; i < 6; i++) {
		drv_offer(&r, 0);
		ok &= vq_pop(&vq, &c) == 1;
		vq_push(&vq, &c, 0);
	}
	report(ok && drv_used_idx(&r) == 4 && vq.last_avail == 4, "indexes wrap at 65536");

	/* A full ring: exactly size chains outstanding. */
	setup(4, 0);
	for (i = 0; i < 4; i++) {
		drv_desc(&r, i, BUF + i, 1, 0, 0);
		drv_offer(&r, i);
	}
	ok = true;
	for (i = 0; i < 4; i++)
		ok &= vq_pop(&vq, &c) == 1 && c.head == i;
	report(ok && vq_pop(&vq, &c) == 0, "a full ring of 4 pops 4 chains in order");
}

static void test_indirect(void)
{
	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc_at(g.mem, TABLE, 0, BUF, 8, VRING_F_NEXT, 2);
	drv_desc_at(g.mem, TABLE, 2, BUF + 8, 8, VRING_F_NEXT | VRING_F_WRITE, 1);
	drv_desc_at(g.mem, TABLE, 1, BUF + 16, 8, VRING_F_WRITE, 0);
	drv_desc(&r, 5, TABLE, 3 * 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 5);
	report(vq_pop(&vq, &c) == 1 && c.head == 5 && c.n_out == 1 && c.n_in == 2 &&
	       iov_is(0, BUF, 8) && iov_is(1, BUF + 8, 8) && iov_is(2, BUF + 16, 8),
	       "an indirect table of 3: the chain is the table's, the head the ring's");

	/* Direct descriptors, then an indirect one to end the chain. */
	drv_desc(&r, 6, BUF + 64, 4, VRING_F_NEXT, 7);
	drv_desc_at(g.mem, TABLE + 0x100, 0, BUF, 8, 0, 0);
	drv_desc(&r, 7, TABLE + 0x100, 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 6);
	report(vq_pop(&vq, &c) == 1 && c.n_out == 2 && iov_is(0, BUF + 64, 4) && iov_is(1, BUF, 8),
	       "a direct buffer followed by an indirect table of 1");

	/* A table as big as the queue allows, with chains of VQ_MAX_SIZE. */
	setup(VQ_MAX_SIZE, ALL_RING_FEATURES);
	for (unsigned int i = 0; i < VQ_MAX_SIZE; i++)
		drv_desc_at(g.mem, TABLE, (uint16_t)i, BUF + i, 1,
			    i + 1 < VQ_MAX_SIZE ? VRING_F_NEXT : 0, (uint16_t)(i + 1));
	drv_desc(&r, 0, TABLE, 16 * VQ_MAX_SIZE, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	report(vq_pop(&vq, &c) == 1 && c.n_out == VQ_MAX_SIZE && c.out_len == VQ_MAX_SIZE,
	       "an indirect chain of %u buffers", VQ_MAX_SIZE);
}

/* Does the used ring now want an interrupt?  Push one and ask. */
static bool push_and_ask(void)
{
	c.head = 0;
	vq_push(&vq, &c, 0);
	return vq_should_interrupt(&vq);
}

static void test_interrupts(void)
{
	bool ok;
	int i;

	setup(QSIZE, 0);
	report(push_and_ask(), "without event idx, an interrupt after a push");
	drv_set_avail_flags(&r, 1);
	report(!push_and_ask(), "VRING_AVAIL_F_NO_INTERRUPT suppresses it");

	setup(QSIZE, VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
	drv_set_avail_flags(&r, 1);	/* ignored with event idx */
	drv_set_used_event(&r, 3);
	report(push_and_ask(), "event idx: the first push always interrupts");
	report(!push_and_ask() && !push_and_ask(), "used_event 3: no interrupt at used idx 2 or 3");
	report(push_and_ask(), "used idx 4 passes used_event 3: interrupt");
	report(!push_and_ask(), "then none until used_event moves");
	drv_set_used_event(&r, 5);
	report(!vq_should_interrupt(&vq), "nothing pushed since: no interrupt");
	/* Two pushes, then one question: the event index was crossed in between. */
	drv_set_used_event(&r, 6);
	c.head = 0;
	vq_push(&vq, &c, 0);
	vq_push(&vq, &c, 0);
	report(vq_should_interrupt(&vq), "used idx 5 -> 7 crosses used_event 6: interrupt");
	ok = true;
	drv_set_used_event(&r, 0xFFFF);
	for (i = 0; i < 100; i++)
		ok &= !push_and_ask();
	report(ok, "a used_event far away keeps it quiet for 100 pushes");
}

/* One malformed case: it must pop -1 and give a reason containing want. */
static void expect_broken(const char *what, const char *want)
{
	int rc = vq_pop(&vq, &c);

	if (!report(rc == -1 && vq.broken && strstr(vq.why, want), "%s: broken", what))
		diag("rc %d, why \"%s\", wanted \"%s\"", rc, vq.why, want);
	report(vq_pop(&vq, &c) == -1, "%s: stays broken", what);
}

static void expect_enable_fails(const char *what, const char *want)
{
	if (!report(!vq.enabled && vq.broken && strstr(vq.why, want), "%s: refused", what))
		diag("why \"%s\", wanted \"%s\"", vq.why, want);
}

static void bad_layout(void)
{
	report(setup(0, 0) == -1, "size 0 refused");
	expect_enable_fails("size 0", "power of two");
	setup(3, 0);
	expect_enable_fails("size 3", "power of two");
	setup(2 * VQ_MAX_SIZE, 0);
	expect_enable_fails("size 512", "power of two up to 256");

	vq_reset(&vq, &g, VQ_MAX_SIZE);
	vq.size = QSIZE;
	vq.desc_addr = RING + 8;
	vq.avail_addr = RING + 0x1000;
	vq.used_addr = RING + 0x2000;
	vq_enable(&vq, 0);
	expect_enable_fails("descriptors 8-byte aligned", "descriptor ring at 0x10008 is not 16-byte");
	vq_reset(&vq, &g, VQ_MAX_SIZE);
	vq.size = QSIZE;
	vq.desc_addr = RING;
	vq.avail_addr = RING + 0x1001;
	vq.used_addr = RING + 0x2000;
	vq_enable(&vq, 0);
	expect_enable_fails("avail at an odd address", "avail ring at 0x11001 is not 2-byte");
	vq.broken = false;
	vq.avail_addr = RING + 0x1000;
	vq.used_addr = RING + 0x2002;
	vq_enable(&vq, 0);
	expect_enable_fails("used 2-byte aligned", "used ring at 0x12002 is not 4-byte");
	vq.broken = false;
	vq.used_addr = RING + 0x2000;
	vq.desc_addr = RAM - 16 * QSIZE + 16;
	vq_enable(&vq, 0);
	expect_enable_fails("descriptors running past RAM", "outside guest RAM");
	vq.broken = false;
	vq.desc_addr = RING;
	vq.avail_addr = (1ull << 32) + RING + 0x1000;
	vq_enable(&vq, 0);
	expect_enable_fails("avail above 4 GiB", "avail ring at 0x100011000");
	vq.broken = false;
	vq.avail_addr = RING + 0x1000;
	vq.used_addr = RAM - 4;
	vq_enable(&vq, 0);
	expect_enable_fails("used ring crossing the end of RAM", "used ring at 0xffffc");
	vq.broken = false;
	vq.used_addr = 0xFFFFFFFCull;
	vq_enable(&vq, 0);
	expect_enable_fails("used ring whose end wraps 4 GiB", "outside guest RAM");
}

static void bad_indexes(void)
{
	setup(QSIZE, 0);
	drv_set_avail_idx(&r, QSIZE + 1);
	expect_broken("avail idx 17 ahead on a queue of 16", "more than the queue size");

	setup(QSIZE, 0);
	drv_offer(&r, QSIZE);
	expect_broken("head 16 of 16", "names descriptor 16");
	setup(QSIZE, 0);
	drv_offer(&r, 0xFFFF);
	expect_broken("head 65535", "names descriptor 65535");

	setup(QSIZE, 0);
	drv_desc(&r, 0, BUF, 4, VRING_F_NEXT, QSIZE);
	drv_offer(&r, 0);
	expect_broken("next 16 of 16", "chains to 16");

	setup(QSIZE, 0);
	drv_desc(&r, 0, BUF, 4, VRING_F_NEXT, 1);
	drv_desc(&r, 1, BUF, 4, VRING_F_NEXT, 0);
	drv_offer(&r, 0);
	expect_broken("a two-descriptor loop", "a loop?");
	setup(QSIZE, 0);
	drv_desc(&r, 5, BUF, 4, VRING_F_NEXT, 5);
	drv_offer(&r, 5);
	expect_broken("a descriptor chained to itself", "a loop?");
	setup(QSIZE, 0);
	for (uint16_t i = 0; i < QSIZE; i++)
		drv_desc(&r, i, BUF, 4, VRING_F_NEXT, (uint16_t)((i + 1) % QSIZE));
	drv_offer(&r, 0);
	expect_broken("a loop through the whole table", "longer than its table of 16");
}

static void bad_buffers(void)
{
	setup(QSIZE, 0);
	drv_desc(&r, 0, RAM - 4, 8, 0, 0);
	drv_offer(&r, 0);
	expect_broken("a buffer crossing the end of RAM", "buffer at 0xffffc (8 bytes)");
	setup(QSIZE, 0);
	drv_desc(&r, 0, RAM, 1, 0, 0);
	drv_offer(&r, 0);
	expect_broken("a buffer just past RAM", "outside guest RAM");
	setup(QSIZE, 0);
	drv_desc(&r, 0, 0xFFFFFFF0u, 0x20, 0, 0);
	drv_offer(&r, 0);
	expect_broken("a buffer whose end wraps 4 GiB", "outside guest RAM");
	setup(QSIZE, 0);
	drv_desc(&r, 0, (1ull << 32) | BUF, 4, 0, 0);
	drv_offer(&r, 0);
	expect_broken("a buffer above 4 GiB", "0x100040000");
	setup(QSIZE, 0);
	drv_desc(&r, 0, BUF, 0xFFFFFFFFu, 0, 0);
	drv_offer(&r, 0);
	expect_broken("a buffer of 4 GiB - 1", "outside guest RAM");

	setup(QSIZE, 0);
	drv_desc(&r, 0, BUF, 4, VRING_F_NEXT | VRING_F_WRITE, 1);
	drv_desc(&r, 1, BUF, 4, 0, 0);
	drv_offer(&r, 0);
	expect_broken("readable after writable", "follows a writable one");
}

static void bad_indirect(void)
{
	setup(QSIZE, 0);
	drv_desc(&r, 0, TABLE, 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("indirect without the feature", "was not negotiated");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc_at(g.mem, TABLE, 0, TABLE + 0x100, 16, VRING_F_INDIRECT, 0);
	drv_desc(&r, 0, TABLE, 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("nested indirect", "inside an indirect table");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, TABLE, 16, VRING_F_INDIRECT | VRING_F_NEXT, 1);
	drv_offer(&r, 0);
	expect_broken("indirect with NEXT", "NEXT set as well");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, TABLE, 24, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an indirect table of 24 bytes", "24 bytes is not a whole number");
	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, TABLE, 0, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an empty indirect table", "0 bytes is not a whole number");

	/* Longer than any queue: its walk would be a step a descriptor. */
	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, TABLE, (VQ_MAX_SIZE + 1) * 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an indirect table of 257 descriptors", "257 descriptors is longer than any queue");
	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc_at(g.mem, TABLE, 0, BUF, 4, 0, 0);
	drv_desc(&r, 0, TABLE, VQ_MAX_SIZE * 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	report(vq_pop(&vq, &c) == 1 && c.n_out == 1 && iov_is(0, BUF, 4),
	       "an indirect table of 256 descriptors, in a queue of 16, is fine");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, RAM - 16, 32, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an indirect table crossing the end of RAM", "indirect table at 0xffff0");
	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc(&r, 0, 0xFFFFFFF0u, 0x20, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an indirect table whose end wraps", "outside guest RAM");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc_at(g.mem, TABLE, 0, BUF, 4, VRING_F_NEXT, 2);
	drv_desc(&r, 0, TABLE, 32, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("next 2 in an indirect table of 2", "chains to 2, beyond its table of 2");

	setup(QSIZE, ALL_RING_FEATURES);
	drv_desc_at(g.mem, TABLE, 0, BUF, 4, VRING_F_NEXT, 1);
	drv_desc_at(g.mem, TABLE, 1, BUF, 4, VRING_F_NEXT, 0);
	drv_desc(&r, 0, TABLE, 32, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("a loop inside an indirect table", "longer than its table of 2");

	/* More buffers than a chain may have: 300 in one table is refused as a table. */
	setup(QSIZE, ALL_RING_FEATURES);
	for (uint16_t i = 0; i < 300; i++)
		drv_desc_at(g.mem, TABLE, i, BUF, 1, i + 1 < 300 ? VRING_F_NEXT : 0, i + 1);
	drv_desc(&r, 0, TABLE, 300 * 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("an indirect chain of 300 buffers", "300 descriptors is longer than any queue");

	/* ...and one direct buffer before a full table of 256 makes 257. */
	setup(QSIZE, ALL_RING_FEATURES);
	for (uint16_t i = 0; i < VQ_MAX_SIZE; i++)
		drv_desc_at(g.mem, TABLE, i, BUF, 1, i + 1 < VQ_MAX_SIZE ? VRING_F_NEXT : 0, i + 1);
	drv_desc(&r, 0, BUF, 1, VRING_F_NEXT, 1);
	drv_desc(&r, 1, TABLE, VQ_MAX_SIZE * 16, VRING_F_INDIRECT, 0);
	drv_offer(&r, 0);
	expect_broken("a direct buffer and an indirect table of 256", "more than 256 buffers");
}

/*
 * Lengths that add up past 4 GiB need buffers that big: a 1 GiB RAM that
 * is only reserved, never touched, except for the ring page.
 */
static void bad_total_length(void)
{
	const uint32_t big = 1u << 30;
	struct guest bg = { .ram_size = big, .fd = -1 };
	struct drv_ring br;
	uint16_t i;

	bg.mem = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (bg.mem == MAP_FAILED) {
		report(true, "# SKIP no 1 GiB of address space for the 4 GiB chain");
		return;
	}
	drv_ring_init(&br, bg.mem, 0, 8);
	for (i = 0; i < 5; i++)
		drv_desc(&br, i, 0, big - 1, i < 4 ? VRING_F_NEXT : 0, i + 1);
	drv_offer(&br, 0);
	vq_reset(&vq, &bg, VQ_MAX_SIZE);
	vq.size = 8;
	vq.desc_addr = br.desc;
	vq.avail_addr = br.avail;
	vq.used_addr = br.used;
	vq_enable(&vq, 0);
	expect_broken("five 1 GiB buffers in one chain", "longer than 4 GiB");
	munmap(bg.mem, big);
}

static void after_broken(void)
{
	setup(QSIZE, 0);
	drv_offer(&r, QSIZE);
	vq_pop(&vq, &c);
	c.head = 0;
	vq_push(&vq, &c, 0);
	report(drv_used_idx(&r) == 0, "a broken queue pushes nothing");
	report(!vq_should_interrupt(&vq), "and asks for no interrupt");
	report(vq_enable(&vq, 0) == -1, "and cannot be enabled again without a reset");
	vq_reset(&vq, &g, VQ_MAX_SIZE);
	report(!vq.broken && vq.why[0] == '\0', "a reset clears it");
}

int main(void)
{
	g.mem = malloc(RAM);
	if (!g.mem)
		return 1;
	test_setup();
	test_chains();
	test_indirect();
	test_interrupts();
	bad_layout();
	bad_indexes();
	bad_buffers();
	bad_indirect();
	bad_total_length();
	after_broken();
	free(g.mem);
	return report_summary();
}
