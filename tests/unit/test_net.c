// SPDX-License-Identifier: GPL-2.0
/*
 * test_net.c - virtio-net (launcher/net.c) as Linux's virtio_net drives it,
 * with a datagram socketpair where the tap would be (each datagram a
 * 12-byte virtio-net header and a frame, as an IFF_VNET_HDR tap speaks)
 * and a recorder where TUNSETOFFLOAD would be: frames sent, frames
 * received, headers passed through both ways, offloads offered only when
 * the "tap" takes them and set from what the driver took, frames dropped
 * and counted (too big, refused, offloads not taken), and chains no
 * driver would make, each of which must stop the device with a message.
 * No tap is created: the test changes nothing in the machine's network.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -pthread -I include -I launcher -o test_net \
 *       tests/unit/test_net.c launcher/insn.c launcher/pci.c \
 *       launcher/virtio_pci.c launcher/virtqueue.c launcher/console.c \
 *       launcher/block.c launcher/rng.c launcher/net.c launcher/term.c && ./test_net
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "virtio.h"
#include "tap.h"
#include "vdrv.h"

#define RAM		(4u << 20)
#define NET_SLOT	2
#define RXQ		0
#define TXQ		1
#define RX_RING		0x10000u
#define TX_RING		0x18000u
#define RX_BUF		0x20000u
#define TX_BUF		0x30000u
#define HDR		12
#define BIG_BUF		0x100000u	/* a GUEST_TSO driver's 64 KiB buffers */
#define BIG_TABLE	0x0F000u	/* their indirect descriptors */

/* virtio-net feature bits (virtio 1.0 5.1.3) and TUN_F_* flags. */
#define F_CSUM		(1ull << 0)
#define F_GUEST_CSUM	(1ull << 1)
#define F_MAC		(1ull << 5)
#define F_GUEST_TSO4	(1ull << 7)
#define F_GUEST_TSO6	(1ull << 8)
#define F_GUEST_ECN	(1ull << 9)
#define F_HOST_TSO4	(1ull << 11)
#define F_HOST_TSO6	(1ull << 12)
#define F_HOST_ECN	(1ull << 13)
#define F_OFFLOADS	(F_CSUM | F_GUEST_CSUM | F_GUEST_TSO4 | F_GUEST_TSO6 | F_GUEST_ECN | \
			 F_HOST_TSO4 | F_HOST_TSO6 | F_HOST_ECN)
#define TUN_CSUM	0x01
#define TUN_TSO4	0x02
#define TUN_TSO6	0x04
#define TUN_ECN		0x08

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int err_pipe[2], saved_stderr, wire[2], wire2[2];
static struct vdrv net, net2;
static struct drv_ring rx, tx;
static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

static void record_irq(struct guest *gg, unsigned int irq)
{
	(void)gg;
	(void)irq;
}

static const char *drain(void)
{
	static char buf[1024];
	ssize_t n = read(err_pipe[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void capture_stderr(bool on)
{
	fflush(stderr);
	dup2(on ? err_pipe[1] : saved_stderr, STDERR_FILENO);
}

/*
 * TUNSETOFFLOAD, as the test's "tap" takes it: every call recorded, the
 * second card's refused as an old kernel would.
 */
static struct {
	int fd;
	unsigned int flags;
} offload_calls[64];
static unsigned int n_offload_calls;

static int fake_offload(int fd, unsigned int flags)
{
	if (n_offload_calls < sizeof(offload_calls) / sizeof(offload_calls[0])) {
		offload_calls[n_offload_calls].fd = fd;
		offload_calls[n_offload_calls++].flags = flags;
	}
	if (fd == wire2[0]) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The flags of the last TUNSETOFFLOAD on the first card's fd; -1 for none. */
static int last_offload(void)
{
	unsigned int i = n_offload_calls;

	while (i--)
		if (offload_calls[i].fd == wire[0])
			return (int)offload_calls[i].flags;
	return -1;
}

/* Reset, negotiate (MAC and extra), both queues, DRIVER_OK. */
static void bring_up_with(uint64_t extra)
{
	uint64_t f = VD_FEATURES | F_MAC | extra;

	vdrv_set_common(&net, VD_STATUS, 1, 0);
	vdrv_set_common(&net, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdrv_set_common(&net, VD_GFSELECT, 4, 0);
	vdrv_set_common(&net, VD_GF, 4, (uint32_t)f);
	vdrv_set_common(&net, VD_GFSELECT, 4, 1);
	vdrv_set_common(&net, VD_GF, 4, (uint32_t)(f >> 32));
	vdrv_set_common(&net, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK);
	vdrv_queue(&net, RXQ, &rx, RX_RING, 16);
	vdrv_queue(&net, TXQ, &tx, TX_RING, 16);
	vdrv_set_common(&net, VD_STATUS, 1, VD_S_UP);
	vdrv_isr(&net);
}

static void bring_up(void)
{
	bring_up_with(0);
}

static void dropped(uint64_t *rx_drops, uint64_t *tx_drops)
{
	*rx_drops = *tx_drops = ~0ull;
	net__dropped(0, rx_drops, tx_drops);
}

/* struct virtio_net_hdr_v1 */
static void put_hdr(uint8_t *p, uint8_t flags, uint8_t gso_type, uint16_t hdr_len,
		    uint16_t gso_size, uint16_t csum_start, uint16_t csum_offset, uint16_t num_buffers)
{
	p[0] = flags;
	p[1] = gso_type;
	put_le16(p + 2, hdr_len);
	put_le16(p + 4, gso_size);
	put_le16(p + 6, csum_start);
	put_le16(p + 8, csum_offset);
	put_le16(p + 10, num_buffers);
}

static ssize_t wire_read(uint8_t *buf, size_t len)
{
	struct pollfd p = { .fd = wire[1], .events = POLLIN };

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return read(wire[1], buf, len);
}

/* The "kernel" sends a frame: a header (zeros if NULL) and len bytes. */
static bool wire_send(const uint8_t *hdr, const uint8_t *frame, size_t len)
{
	static const uint8_t zero[HDR];
	struct iovec iov[2] = {
		{ .iov_base = (void *)(hdr ? hdr : zero), .iov_len = HDR },
		{ .iov_base = (void *)frame, .iov_len = len },
	};

	return writev(wire[1], iov, 2) == (ssize_t)(HDR + len);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 3);
}

static void test_config(void)
{
	uint64_t f = vdrv_device_features(&net);
	unsigned int i;
	bool same = true;

	report(vdrv_cfg_in(&net, 0, 4) == 0x10411AF4, "slot 2: virtio 1.0 network card (1AF4:1041)");
	report((f & (1u << 5)) && (f & (1u << 16)), "features: MAC and STATUS (%#llx)",
	       (unsigned long long)f);
	report((f & F_OFFLOADS) == F_OFFLOADS,
	       "the tap took TUNSETOFFLOAD: CSUM, GUEST_CSUM, HOST_ and GUEST_TSO4/TSO6/ECN offered");
	report(n_offload_calls >= 2 && offload_calls[0].fd == wire[0] &&
	       offload_calls[0].flags == (TUN_CSUM | TUN_TSO4 | TUN_TSO6 | TUN_ECN) &&
	       offload_calls[1].fd == wire[0] && offload_calls[1].flags == 0,
	       "probed with all four TUN_F_ flags, then left at none until DRIVER_OK");
	f = vdrv_device_features(&net2);
	report((f & F_OFFLOADS) == 0 && (f & (1u << 5)),
	       "a tap that refuses TUNSETOFFLOAD: no offloads offered (%#llx)",
	       (unsigned long long)f);
	for (i = 0; i < 6; i++)
		same &= vdrv_devcfg(&net, i, 1) == mac[i];
	report(same, "config: the MAC we gave");
	report(vdrv_devcfg(&net, 6, 2) == 1, "config: status LINK_UP");
	report(vdrv_common(&net, 0x12, 2) == 2, "two queues");
}

static void test_transmit(void)
{
	uint8_t got[2048], want[1514];
	ssize_t n;

	bring_up();
	memset(g.mem + TX_BUF, 0, HDR);
	fill(g.mem + TX_BUF + HDR, 60, 7);
	drv_desc(&tx, 0, TX_BUF, HDR + 60, 0, 0);
	drv_offer(&tx, 0);
	vdrv_kick(&net, TXQ);
	fill(want, 60, 7);
	n = wire_read(got, sizeof(got));
	report(n == HDR + 60 && !memcmp(got, g.mem + TX_BUF, HDR) && !memcmp(got + HDR, want, 60),
	       "a 60-byte frame goes out behind its header");
	report(drv_used_idx(&tx) == 1 && drv_used_len(&tx, 0) == 0, "and comes back used, length 0");

	/* Header and frame in separate buffers, as Linux sends them without any_layout. */
	fill(g.mem + TX_BUF + 0x1000, 1514, 9);
	drv_desc(&tx, 1, TX_BUF, HDR, VRING_F_NEXT, 2);
	drv_desc(&tx, 2, TX_BUF + 0x1000, 1514, 0, 0);
	drv_offer(&tx, 1);
	vdrv_kick(&net, TXQ);
	fill(want, 1514, 9);
	n = wire_read(got, sizeof(got));
	report(n == HDR + 1514 && !memcmp(got + HDR, want, 1514),
	       "a full 1514-byte frame after a separate header");
}

static void add_rx_buffer(uint16_t i, uint32_t len)
{
	drv_desc(&rx, i, RX_BUF + 0x800u * i, len, VRING_F_WRITE, 0);
	drv_offer(&rx, i);
}

static void test_receive(void)
{
	uint8_t frame[1514];

	bring_up();
	memset(g.mem + RX_BUF, 0xEE, 0x4000);
	add_rx_buffer(0, HDR + 1514);
	vdrv_kick(&net, RXQ);
	fill(frame, 100, 3);
	if (!wire_send(NULL, frame, 100))
		return;
	report(vdrv_wait_used(&rx, 1) && drv_used_len(&rx, 0) == HDR + 100 &&
	       get_le16(g.mem + RX_BUF + 10) == 1 && get_le16(g.mem + RX_BUF) == 0 &&
	       !memcmp(g.mem + RX_BUF + HDR, frame, 100),
	       "a 100-byte frame lands after a zero header with num_buffers 1");

	/* A frame waits for a buffer; one too small for it gets length 0. */
	fill(frame, 1514, 5);
	if (!wire_send(NULL, frame, 1514))
		return;
	add_rx_buffer(1, HDR + 64);
	vdrv_kick(&net, RXQ);
	report(vdrv_wait_used(&rx, 2) && drv_used_len(&rx, 1) == 0,
	       "a 1514-byte frame and a 76-byte buffer: dropped, buffer back with length 0");
	if (!wire_send(NULL, frame, 1514))
		return;
	add_rx_buffer(2, HDR + 1514);
	vdrv_kick(&net, RXQ);
	report(vdrv_wait_used(&rx, 3) && drv_used_len(&rx, 2) == HDR + 1514 &&
	       !memcmp(g.mem + RX_BUF + 0x1000 + HDR, frame, 1514), "the next one fits");
}

/* Is there a datagram for the "kernel" right now?  (Transmit is done when the kick returns.) */
static bool wire_pending(void)
{
	struct pollfd p = { .fd = wire[1], .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* At DRIVER_OK the tap may give what the Guest can take, and no more. */
static void test_offload_flags(void)
{
	static const struct {
		uint64_t took;
		int flags;
		const char *what;
	} *t, cases[] = {
		{ 0, 0, "no offloads taken: none" },
		{ F_CSUM | F_HOST_TSO4 | F_HOST_TSO6 | F_HOST_ECN, 0,
		  "only CSUM and HOST_TSO* (what the Guest sends): none" },
		{ F_GUEST_CSUM, TUN_CSUM, "GUEST_CSUM: TUN_F_CSUM" },
		{ F_GUEST_CSUM | F_GUEST_TSO4, TUN_CSUM | TUN_TSO4, "GUEST_CSUM, GUEST_TSO4: CSUM|TSO4" },
		{ F_GUEST_CSUM | F_GUEST_TSO6, TUN_CSUM | TUN_TSO6, "GUEST_CSUM, GUEST_TSO6: CSUM|TSO6" },
		{ F_OFFLOADS, TUN_CSUM | TUN_TSO4 | TUN_TSO6 | TUN_ECN, "everything: CSUM|TSO4|TSO6|TSO_ECN" },
		{ F_GUEST_CSUM | F_GUEST_ECN, TUN_CSUM,
		  "GUEST_ECN without a GUEST_TSO: no TSO_ECN (the tap refuses it alone)" },
		{ F_GUEST_TSO4 | F_GUEST_TSO6, 0, "GUEST_TSO4/6 without GUEST_CSUM: none" },
	};

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++) {
		n_offload_calls = 0;
		bring_up_with(t->took);
		if (!report(last_offload() == t->flags && vdrv_status(&net) == VD_S_UP,
			    "TUNSETOFFLOAD at DRIVER_OK: %s", t->what))
			diag("flags %#x, want %#x, status %#x", last_offload(), t->flags,
			     vdrv_status(&net));
	}
	vdrv_set_common(&net, VD_STATUS, 1, 0);
	report(last_offload() == 0, "a reset sets the tap back to no offloads");
}

/* What the Guest puts in the header is what the tap gets. */
static void test_header_out(void)
{
	uint8_t got[4096], want[3000];
	ssize_t n;

	bring_up_with(F_CSUM | F_HOST_TSO4 | F_HOST_ECN);
	put_hdr(g.mem + TX_BUF, 1, 0x81, 54, 1448, 34, 16, 0);
	fill(g.mem + TX_BUF + 0x1000, sizeof(want), 11);
	drv_desc(&tx, 0, TX_BUF, 5, VRING_F_NEXT, 1);
	drv_desc(&tx, 1, TX_BUF + 5, HDR - 5, VRING_F_NEXT, 2);
	drv_desc(&tx, 2, TX_BUF + 0x1000, sizeof(want), 0, 0);
	drv_offer(&tx, 0);
	vdrv_kick(&net, TXQ);
	fill(want, sizeof(want), 11);
	n = wire_read(got, sizeof(got));
	report(n == HDR + (ssize_t)sizeof(want) && !memcmp(got, g.mem + TX_BUF, HDR) &&
	       !memcmp(got + HDR, want, sizeof(want)),
	       "a TSO4+ECN header split over two buffers reaches the tap byte for byte");
}

/*
 * What the tap puts in the header is what the Guest gets, in the 64 KiB
 * buffers a GUEST_TSO driver without MRG_RXBUF posts (Linux 4.1's
 * add_recvbuf_big: the header, then 17 pages, here as indirect descriptors).
 */
static void test_header_in(void)
{
	static uint8_t frame[65000];
	uint8_t hdr[HDR];
	uint16_t i;

	bring_up_with(F_GUEST_CSUM | F_GUEST_TSO4);
	memset(g.mem + BIG_BUF, 0xEE, 18 * 0x1000);
	drv_desc_at(g.mem, BIG_TABLE, 0, BIG_BUF, HDR, VRING_F_WRITE | VRING_F_NEXT, 1);
	for (i = 1; i <= 17; i++)
		drv_desc_at(g.mem, BIG_TABLE, i, BIG_BUF + 0x1000u * i, 0x1000,
			    (uint16_t)(VRING_F_WRITE | (i < 17 ? VRING_F_NEXT : 0)), (uint16_t)(i + 1));
	drv_desc(&rx, 0, BIG_TABLE, 18 * 16, VRING_F_INDIRECT, 0);
	drv_offer(&rx, 0);
	vdrv_kick(&net, RXQ);
	put_hdr(hdr, 1, 1, 54, 1448, 34, 16, 0x5555);
	fill(frame, sizeof(frame), 13);
	if (!wire_send(hdr, frame, sizeof(frame)))
		return;
	if (!report(vdrv_wait_used(&rx, 1) && drv_used_len(&rx, 0) == HDR + sizeof(frame) &&
		    !memcmp(g.mem + BIG_BUF, hdr, 10) && get_le16(g.mem + BIG_BUF + 10) == 1 &&
		    !memcmp(g.mem + BIG_BUF + 0x1000, frame, sizeof(frame)),
		    "a 65000-byte TSO4 frame lands in an 18-buffer chain, its header as the tap "
		    "gave it, num_buffers 1"))
		diag("used %u, length %u", drv_used_idx(&rx), drv_used_len(&rx, 0));
}

/* Frames dropped and counted; the card goes on. */
static void test_drops(void)
{
	static uint8_t frame[8000], got[9000];
	uint8_t hdr[HDR];
	uint64_t rx0, tx0, rx1, tx1;
	int sndbuf = 0, small = 2048;
	socklen_t sl = sizeof(sndbuf);

	bring_up();
	memset(g.mem + RX_BUF, 0xEE, 0x4000);
	fill(frame, sizeof(frame), 17);
	dropped(&rx0, &tx0);
	add_rx_buffer(0, HDR + 1514);
	vdrv_kick(&net, RXQ);
	if (!wire_send(NULL, frame, 3000))
		return;
	vdrv_wait_used(&rx, 1);
	dropped(&rx1, &tx1);
	report(drv_used_idx(&rx) == 1 && drv_used_len(&rx, 0) == 0 && rx1 == rx0 + 1 &&
	       !(vdrv_status(&net) & VIRTIO_STATUS_NEEDS_RESET),
	       "a 3000-byte frame for a 1526-byte buffer: dropped, counted, buffer back empty");
	add_rx_buffer(1, HDR + 1514);
	vdrv_kick(&net, RXQ);
	if (!wire_send(NULL, frame, 1000))
		return;
	report(vdrv_wait_used(&rx, 2) && drv_used_len(&rx, 1) == HDR + 1000 &&
	       !memcmp(g.mem + RX_BUF + 0x800 + HDR, frame, 1000), "and the next frame fits");

	put_hdr(hdr, 1, 0, 0, 0, 34, 16, 0);
	add_rx_buffer(2, HDR + 1514);
	vdrv_kick(&net, RXQ);
	if (!wire_send(hdr, frame, 100))
		return;
	vdrv_wait_used(&rx, 3);
	dropped(&rx1, &tx1);
	report(drv_used_idx(&rx) == 3 && drv_used_len(&rx, 2) == 0 && rx1 == rx0 + 2,
	       "NEEDS_CSUM from the tap for a driver without GUEST_CSUM: dropped, counted");
	put_hdr(hdr, 2, 0, 0, 0, 0, 0, 0);
	add_rx_buffer(3, HDR + 1514);
	vdrv_kick(&net, RXQ);
	if (!wire_send(hdr, frame, 100))
		return;
	report(vdrv_wait_used(&rx, 4) && drv_used_len(&rx, 3) == HDR + 100 &&
	       g.mem[RX_BUF + 0x1800] == 0,
	       "DATA_VALID for a driver without GUEST_CSUM: delivered, flags 0 (5.1.6.4)");

	/* Transmit: offloads the driver did not take, a GSO type we never offer. */
	dropped(&rx0, &tx0);
	put_hdr(g.mem + TX_BUF, 1, 0, 0, 0, 34, 16, 0);
	memcpy(g.mem + TX_BUF + HDR, frame, 60);
	drv_desc(&tx, 0, TX_BUF, HDR + 60, 0, 0);
	drv_offer(&tx, 0);
	vdrv_kick(&net, TXQ);
	dropped(&rx1, &tx1);
	report(!wire_pending() && tx1 == tx0 + 1 && drv_used_idx(&tx) == 1,
	       "NEEDS_CSUM from a driver without CSUM: not sent, counted, buffer back");
	bring_up_with(F_OFFLOADS);
	put_hdr(g.mem + TX_BUF, 1, 3, 42, 1472, 34, 6, 0);
	drv_desc(&tx, 0, TX_BUF, HDR + 60, 0, 0);
	drv_offer(&tx, 0);
	vdrv_kick(&net, TXQ);
	dropped(&rx1, &tx1);
	report(!wire_pending() && tx1 == tx0 + 2 && drv_used_idx(&tx) == 1,
	       "GSO UDP (UFO, never offered): not sent, counted");

	/* A frame the tap refuses (here EMSGSIZE; a tap says EINVAL for a bad header). */
	if (getsockopt(wire[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    setsockopt(wire[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)))
		return;
	memset(g.mem + TX_BUF, 0, HDR);
	memcpy(g.mem + TX_BUF + HDR, frame, sizeof(frame));
	drv_desc(&tx, 1, TX_BUF, HDR + sizeof(frame), 0, 0);
	drv_offer(&tx, 1);
	vdrv_kick(&net, TXQ);
	dropped(&rx1, &tx1);
	setsockopt(wire[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	report(!wire_pending() && tx1 == tx0 + 3 && drv_used_idx(&tx) == 2 &&
	       !(vdrv_status(&net) & VIRTIO_STATUS_NEEDS_RESET),
	       "a frame the tap refuses: counted, the card goes on");
	drv_offer(&tx, 1);
	vdrv_kick(&net, TXQ);
	report(wire_read(got, sizeof(got)) == HDR + (ssize_t)sizeof(frame),
	       "and sends the same frame once the tap takes it");
}

static void test_hostile(void)
{
	static const struct {
		const char *what, *want;
		bool on_rx;
		uint32_t addr, len;
		uint16_t flags;
	} *t, cases[] = {
		{ "a writable transmit buffer", "transmit chain has 100 writable bytes", false,
		  TX_BUF, 100, VRING_F_WRITE },
		{ "a transmit chain shorter than the header", "transmit chain of 8 bytes", false,
		  TX_BUF, 8, 0 },
		{ "a readable receive buffer", "receive buffer of 0 writable bytes and 64 readable",
		  true, RX_BUF, 64, 0 },
		{ "a 4-byte receive buffer", "receive buffer of 4 writable bytes", true,
		  RX_BUF, 4, VRING_F_WRITE },
		{ "a transmit buffer past RAM", "buffer at 0x3fffff (100 bytes) is outside", false,
		  RAM - 1, 100, 0 },
	};
	uint8_t frame[HDR + 60] = { 1 };
	const char *err;

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++) {
		bring_up();
		drain();
		capture_stderr(true);
		if (t->on_rx) {
			drv_desc(&rx, 0, t->addr, t->len, t->flags, 0);
			drv_offer(&rx, 0);
			vdrv_kick(&net, RXQ);
			if (!wire_send(NULL, frame, sizeof(frame)))
				break;
			vdrv_wait_needs_reset(&net);
		} else {
			drv_desc(&tx, 0, t->addr, t->len, t->flags, 0);
			drv_offer(&tx, 0);
			vdrv_kick(&net, TXQ);
		}
		capture_stderr(false);
		err = drain();
		if (!report((vdrv_status(&net) & VIRTIO_STATUS_NEEDS_RESET) && strstr(err, t->want) &&
			    strstr(err, "lguest: net: ") == err,
			    "%s: NEEDS_RESET, named", t->what))
			diag("status %#x, stderr: %s", vdrv_status(&net), err);
	}
	bring_up();
	memset(g.mem + TX_BUF, 0, HDR);
	drv_desc(&tx, 0, TX_BUF, HDR + 60, 0, 0);
	drv_offer(&tx, 0);
	vdrv_kick(&net, TXQ);
	report(wire_read(frame, sizeof(frame)) == HDR + 60, "after a reset the card sends again");
}

/*
 * net__add() without CAP_NET_ADMIN: the error says so.  As root we drop
 * to nobody in a child first; either way TUNSETIFF fails before any tap
 * exists, so the machine's network is untouched.
 */
static void test_no_cap_net_admin(void)
{
	char why[LG_WHY_MAX] = "", bad[LG_WHY_MAX] = "";
	int p[2], status = 0;
	ssize_t n;
	pid_t pid;

	report(net__add(&g, "192.0.2.300", bad) == -1 && strstr(bad, "not an IPv4 address"),
	       "net__add checks the spec first: %s", bad);
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		if (net__add(&g, "192.0.2.1", why) == 0)
			_exit(3);
		n = write(p[1], why, strlen(why));
		_exit(n > 0 ? 0 : 4);
	}
	close(p[1]);
	n = read(p[0], why, sizeof(why) - 1);
	why[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!report(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		    strstr(why, access("/dev/net/tun", F_OK) == 0 ?
				"a tap device needs CAP_NET_ADMIN: run lguest as root" :
				"/dev/net/tun: No such file or directory; load the tun module"),
		    "without CAP_NET_ADMIN (or /dev/net/tun): the error names the fix"))
		diag("status %#x, why: %s", status, why);
}

int main(void)
{
	char why[LG_WHY_MAX];
	int null_fd = open("/dev/null", O_WRONLY);

	g.mem = calloc(1, RAM);
	g.raise_irq = record_irq;
	saved_stderr = dup(STDERR_FILENO);
	if (!g.mem || null_fd < 0 || pipe2(err_pipe, O_NONBLOCK) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, wire) || pci__init(&g) ||
	    console__add(&g, -1, null_fd))
		return 1;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, wire2) ||
	    net__add_fd(&g, wire[0], mac, fake_offload, why) ||
	    net__add_fd(&g, wire2[0], mac, fake_offload, why) || net__start(&g)) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	vdrv_open(&net, &g, NET_SLOT);
	vdrv_open(&net2, &g, NET_SLOT + 1);

	test_config();
	test_transmit();
	test_receive();
	test_offload_flags();
	test_header_out();
	test_header_in();
	test_drops();
	test_hostile();
	test_no_cap_net_admin();

	/* The receive thread sleeps on: end without tearing the bus down under it. */
	return report_summary();
}
