// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_net.c - virtio-net (launcher/net.c) against whatever a fuzzer makes:
 * transmit chains, receive buffers, frames from the tap, feature
 * negotiation and DRIVER_OK, resets at any point, and BAR0 accesses with
 * the device's config space among them.
 *
 * We #include virtio_pci.c and net.c, so that the receive thread can run
 * without a thread.  rx_thread() is net.c's own, unchanged, but it runs
 * as a coroutine (ucontext) on the fuzzer's thread: the two places where
 * it would sleep, vdev__wait() for a buffer and poll() on the tap, are
 * renamed for net.c alone (the #defines below) to calls that hand control
 * back to us when there is nothing to do.  After each Guest operation we
 * resume it, so it runs until it would sleep again; every input is one
 * interleaving, the same on every run.  A tap is one end of a datagram
 * socketpair (as in test_net.c), non-blocking on net.c's side so that a
 * full socket drops a frame rather than hanging a kick; we hold the other
 * end.  Guest RAM is one malloc'd block of exactly FUZZ_RAM bytes.  (ASan
 * says once that it does not fully follow swapcontext(): it does clear the
 * coroutine stack's shadow at each switch, and the stack is ours alone.)
 *
 * An input:
 *
 *   [0]            the card: 0 offers every offload and takes TUNSETOFFLOAD
 *                  (bit 2: except at DRIVER_OK, as when the tap changed),
 *                  1 offers none (its tap refuses TUNSETOFFLOAD), 2 has no
 *                  TUNSETOFFLOAD at all (low 2 bits, modulo 3)
 *   [1]            how many 12-byte operations follow
 *   [2 + 12i ...]  operation i: kind, a, b, c, then le32 v and le32 w
 *   the rest       guest RAM from address 0 (zero beyond the input)
 *
 * Kinds (modulo 9):
 *   0  bring up as Linux does: reset, ACKNOWLEDGE, DRIVER, features v | w <<
 *      32 (only what we offer, and VERSION_1, unless a & 1), FEATURES_OK,
 *      the receiveq of 2^(b % 9) entries and the transmitq of 2^(c % 9)
 *      at their fixed places, DRIVER_OK (unless a & 2)
 *   1  write a to device_status (0 is a reset, at any point)
 *   2  descriptor b of queue a & 1: flags (a >> 1) & 7, next c, address
 *      BUF_BASE + v % (its room) (a & 0x10: v itself, a & 0x80: above 4 GiB),
 *      length w % 0x11000 (a & 0x20: w itself); a & 0x40 writes it to entry
 *      b of the indirect table at BUF_BASE instead
 *   3  offer head b | c << 8 on queue a & 1 (a & 4: set avail idx to v
 *      instead), then kick it (unless a & 2)
 *   4  kick queue v & 0xFFFF (2 or more: a kick for no queue)
 *   5  the tap gets a frame of 1 + w % (MAX_FRAME + 76) bytes: a header
 *      of flags a, gso_type b, hdr_len and gso_size from v, csum_start c,
 *      then bytes counting from c
 *   6  a BAR0 access of 1, 2 or 4 bytes (b % 3) at v % 4104 (a & 2: at the
 *      device config, 0x80 + v % 16), a write of w if a & 1 else a read
 *   7  store le32 w in RAM at v (modulo RAM - 4)
 *   8  the receive thread stops (or starts again) being scheduled
 *
 * Besides ASan and UBSan, we abort when net.c breaks a rule a Guest or the
 * network could see: a frame reaches the tap with an offload the driver did
 * not take, or longer than a header and MAX_FRAME; a frame reaches the
 * Guest with one, or with num_buffers not 1, or flags set for a driver
 * without GUEST_CSUM; a used length is neither 0 nor a header and more
 * inside the chain; a receive buffer taken before a reset goes back
 * after; a transmit buffer comes back with a length; an iovec handed to
 * the tap points outside guest RAM; the tap is set to offloads
 * the Guest cannot take; config reads give other than the MAC and LINK_UP,
 * or a write changes them; a reset leaves features or tap offloads behind.
 *
 * make check runs it for LG_FUZZ_SECONDS from tests/unit/corpus/net/
 * (tests/unit/run-fuzz.sh); make fuzz runs it for FUZZ_SECONDS.
 */
#define _GNU_SOURCE
/* Every system header net.c uses, first: the renames below must reach net.c only. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "../../launcher/virtio_pci.c"

static int fuzz_poll(struct pollfd *fds, nfds_t nfds, int timeout);
static void fuzz_vdev_wait(struct vdev *vd, pthread_cond_t *cond);
static int fuzz_vdev_pop(struct vdev *vd, unsigned int q, struct vq_chain *c);
static void fuzz_vdev_push(struct vdev *vd, unsigned int q, const struct vq_chain *c,
			   uint32_t written);
static ssize_t fuzz_writev(int fd, const struct iovec *iov, int n);
static ssize_t fuzz_readv(int fd, const struct iovec *iov, int n);

#define poll		fuzz_poll
#define vdev__wait	fuzz_vdev_wait
#define vdev__pop	fuzz_vdev_pop
#define vdev__push	fuzz_vdev_push
#define writev		fuzz_writev
#define readv		fuzz_readv
#include "../../launcher/net.c"
#undef poll
#undef vdev__wait
#undef vdev__pop
#undef vdev__push
#undef writev
#undef readv

#define FUZZ_RAM	0x40000u	/* 256 KiB: room for a 65550-byte chain and more */
#define BUF_BASE	0x4000u		/* below: the two rings; here: the indirect table */
#define OP_SIZE		12
#define N_KINDS		9
#define N_CARDS		3
#define RX_STACK	(512u << 10)
#define FRAME_MAX	(NET_HDR_SIZE + MAX_FRAME)

/* Where bring-up puts each queue (rings of up to 256 entries fit). */
static struct ring {
	uint32_t desc, avail, used;
	uint16_t size, avail_idx;	/* the driver's */
} rings[2];
static const struct ring ring_home[2] = {
	[RECEIVEQ] = { .desc = 0x0000, .avail = 0x1000, .used = 0x1400, .size = 16 },
	[TRANSMITQ] = { .desc = 0x2000, .avail = 0x3000, .used = 0x3400, .size = 16 },
};

static struct guest g = { .ram_size = FUZZ_RAM, .fd = -1 };
static struct net *cur;			/* the card this input drives */
static int wire[N_CARDS];		/* our end of each card's "tap" */
static bool fuzzing;			/* set up; the offload checks apply */
static bool refuse_at_driver_ok;	/* card 0's tap refuses offloads at DRIVER_OK */
static int last_offload = -1;		/* the flags of the last TUNSETOFFLOAD that took */
static uint8_t frame[FRAME_MAX + 64], got[FRAME_MAX + 64];
static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

/* ---- net.c's receive thread, as a coroutine */

static ucontext_t fuzzer_ctx, rx_ctx;
static uint8_t rx_stack[RX_STACK];
static bool rx_alive;			/* started for this input, and not returned */
static bool rx_asleep;			/* not scheduled (kind 8) */

/* The thread has nothing to do: back to the fuzzer until the next operation. */
static void rx_yield(void)
{
	if (swapcontext(&rx_ctx, &fuzzer_ctx))
		abort();
}

static void rx_entry(void)
{
	rx_thread(cur);
	rx_alive = false;	/* the tap read 0 or failed: net.c gives up on it */
}

/* A new receive thread for the input; the last one is dropped where it slept. */
static void rx_start(void)
{
	if (getcontext(&rx_ctx))
		abort();
	rx_ctx.uc_stack.ss_sp = rx_stack;
	rx_ctx.uc_stack.ss_size = sizeof(rx_stack);
	rx_ctx.uc_link = &fuzzer_ctx;
	makecontext(&rx_ctx, rx_entry, 0);
	rx_alive = true;
}

/* Let the thread run until it would sleep. */
static void rx_run(void)
{
	if (rx_alive && !rx_asleep && swapcontext(&fuzzer_ctx, &rx_ctx))
		abort();
}

/* pthread_cond_wait() for the next buffer: the lock is let go meanwhile. */
static void fuzz_vdev_wait(struct vdev *vd, pthread_cond_t *cond)
{
	(void)cond;
	vdev__unlock(vd);
	rx_yield();
	vdev__lock(vd);
}

/* poll() until the tap is readable, with no timeout: the rx thread's only use. */
static int fuzz_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	int r;

	if (timeout != -1)
		abort();
	while ((r = poll(fds, nfds, 0)) == 0)
		rx_yield();
	return r;
}

/* ---- the checks */

static bool in_ram(const void *p, size_t len)
{
	uintptr_t at = (uintptr_t)p, ram = (uintptr_t)g.mem;

	return at >= ram && len <= FUZZ_RAM && at - ram <= FUZZ_RAM - len;
}

static bool has(uint64_t features, unsigned int bit)
{
	return features & VIRTIO_BIT(bit);
}

/*
 * The offloads a header uses, against what the driver took (5.1.6.2 for
 * what the Guest sends, 5.1.6.4 for what it receives): a checksum left to
 * do needs csum, TCPv4/v6 segmentation tso4/tso6, the ECN bit ecn and a
 * segmentation type; no other type is ever offered.
 */
static bool offloads_taken(uint64_t f, const uint8_t *hdr, unsigned int csum, unsigned int tso4,
			   unsigned int tso6, unsigned int ecn)
{
	unsigned int type = hdr[NET_HDR_GSO_TYPE] & 0x7F;
	bool ecn_bit = hdr[NET_HDR_GSO_TYPE] & 0x80;

	if ((hdr[NET_HDR_FLAGS] & NET_HDR_F_NEEDS_CSUM) && !has(f, csum))
		return false;
	if (ecn_bit && (!has(f, ecn) || type == NET_HDR_GSO_NONE))
		return false;
	return type == NET_HDR_GSO_NONE || (type == NET_HDR_GSO_TCPV4 && has(f, tso4)) ||
	       (type == NET_HDR_GSO_TCPV6 && has(f, tso6));
}

/* What the tap may hand a Guest that took these features, as TUN_F_* flags. */
static unsigned int tun_allowed(uint64_t f)
{
	unsigned int ok = 0;

	if (!has(f, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	ok |= TUN_F_CSUM;
	if (has(f, VIRTIO_NET_F_GUEST_TSO4))
		ok |= TUN_F_TSO4;
	if (has(f, VIRTIO_NET_F_GUEST_TSO6))
		ok |= TUN_F_TSO6;
	if ((ok & (TUN_F_TSO4 | TUN_F_TSO6)) && has(f, VIRTIO_NET_F_GUEST_ECN))
		ok |= TUN_F_TSO_ECN;
	return ok;
}

/* TUNSETOFFLOAD for card 0. */
static int fake_offload(int fd, unsigned int flags)
{
	if (fuzzing) {
		if (fd != cur->tap || (flags & ~tun_allowed(cur->features)))
			abort();	/* the tap told to give the Guest what it cannot take */
		if (flags && refuse_at_driver_ok) {
			errno = EINVAL;
			return -1;
		}
	}
	last_offload = (int)flags;
	return 0;
}

/* TUNSETOFFLOAD for card 1: an old kernel's tap. */
static int refuse_offload(int fd, unsigned int flags)
{
	(void)fd;
	(void)flags;
	errno = EINVAL;
	return -1;
}

/* The reset count when net.c took its receive buffer off the ring. */
static unsigned int rx_taken_generation;

/* Every buffer of a chain the queue hands net.c lies in guest RAM. */
static int fuzz_vdev_pop(struct vdev *vd, unsigned int q, struct vq_chain *c)
{
	int r = vdev__pop(vd, q, c);
	unsigned int i;

	if (r == 1)
		for (i = 0; i < c->n_out + c->n_in; i++)
			if (!in_ram(c->iov[i].iov_base, c->iov[i].iov_len))
				abort();
	if (r == 1 && q == RECEIVEQ)
		rx_taken_generation = cur->generation;
	return r;
}

/* Do two of the chain's buffers share bytes?  Then later writes may undo earlier ones. */
static bool overlapping(const struct vq_chain *c)
{
	unsigned int i, j, n = c->n_out + c->n_in;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			const uint8_t *a = c->iov[i].iov_base, *b = c->iov[j].iov_base;

			if (a < b + c->iov[j].iov_len && b < a + c->iov[i].iov_len)
				return true;
		}
	return false;
}

/* The first 12 bytes of the writable part of c (it has at least that many). */
static void rx_header(const struct vq_chain *c, uint8_t *hdr)
{
	unsigned int i, have = 0;

	for (i = c->n_out; i < c->n_out + c->n_in && have < NET_HDR_SIZE; i++) {
		size_t k = c->iov[i].iov_len < NET_HDR_SIZE - have ? c->iov[i].iov_len :
								     NET_HDR_SIZE - have;

		memcpy(hdr + have, c->iov[i].iov_base, k);
		have += (unsigned int)k;
	}
}

/*
 * A chain going back: a transmit chain with no length, a receive buffer
 * with none (dropped) or a whole frame whose header the Guest may take.
 */
static void fuzz_vdev_push(struct vdev *vd, unsigned int q, const struct vq_chain *c,
			   uint32_t written)
{
	uint8_t hdr[NET_HDR_SIZE];

	if (q == TRANSMITQ && written)
		abort();	/* we wrote nothing into a transmit chain */
	if (q == RECEIVEQ && rx_taken_generation != cur->generation)
		abort();	/* a buffer of the rings before a reset, given to the new ones */
	if (q == RECEIVEQ && written) {
		if (written < NET_HDR_SIZE || written > c->in_len)
			abort();	/* a used length the driver would misread */
		if (!overlapping(c)) {
			rx_header(c, hdr);
			if (get_le16(hdr + NET_HDR_NUM_BUFFERS) != 1 ||
			    (!has(cur->features, VIRTIO_NET_F_GUEST_CSUM) && hdr[NET_HDR_FLAGS]) ||
			    !offloads_taken(cur->features, hdr, VIRTIO_NET_F_GUEST_CSUM,
					    VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6,
					    VIRTIO_NET_F_GUEST_ECN))
				abort();	/* a header the Guest did not agree to */
		}
	}
	vdev__push(vd, q, c, written);
}

/* A frame for the tap: our copy of the header, then guest RAM in place. */
static ssize_t fuzz_writev(int fd, const struct iovec *iov, int n)
{
	size_t total = 0;
	int i;

	if (fd != cur->tap || n < 1 || iov[0].iov_len != NET_HDR_SIZE || in_ram(iov[0].iov_base, 1))
		abort();	/* not the card's tap, or the header sent from guest RAM */
	for (i = 1; i < n; i++) {
		if (!in_ram(iov[i].iov_base, iov[i].iov_len))
			abort();	/* the tap would send Host memory */
		total += iov[i].iov_len;
	}
	if (total > MAX_FRAME ||
	    !offloads_taken(cur->features, iov[0].iov_base, VIRTIO_NET_F_CSUM,
			    VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN))
		abort();	/* a frame the driver had no right to send */
	return writev(fd, iov, n);
}

/* A frame from the tap: into the buffer (guest RAM), the rest into the spill. */
static ssize_t fuzz_readv(int fd, const struct iovec *iov, int n)
{
	int i;

	if (fd != cur->tap || n < 2 || iov[n - 1].iov_base != cur->rx_spill ||
	    iov[n - 1].iov_len != sizeof(cur->rx_spill))
		abort();	/* not the card's tap, or no spill area last */
	for (i = 0; i < n - 1; i++)
		if (!in_ram(iov[i].iov_base, iov[i].iov_len))
			abort();	/* the tap would write over Host memory */
	return readv(fd, iov, n);
}

/* ---- the Guest's side */

static uint32_t bar_rd(uint32_t off, unsigned int size)
{
	uint32_t v = 0;

	virtio_pci__bar_rw(cur->vd, off, size, &v, false);
	return v;
}

static void bar_wr(uint32_t off, unsigned int size, uint32_t v)
{
	virtio_pci__bar_rw(cur->vd, off, size, &v, true);
}

static void write_status(uint8_t status)
{
	bar_wr(VIRTIO_COMMON_OFF + COMMON_STATUS, 1, status);
	if (status == 0 && (cur->features || (cur->set_offload == fake_offload && last_offload)))
		abort();	/* a reset left the last driver's offloads behind */
}

static void kick(uint32_t q)
{
	bar_wr(VIRTIO_NOTIFY_OFF, 2, q);
}

static void setup_queue(unsigned int q, unsigned int log2_size)
{
	struct ring *r = &rings[q];

	*r = ring_home[q];
	r->size = (uint16_t)(1u << log2_size);
	put_le16(g.mem + r->avail + 2, 0);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_SELECT, 2, q);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_SIZE, 2, r->size);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_DESCLO, 4, r->desc);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_DESCHI, 4, 0);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_AVAILLO, 4, r->avail);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_AVAILHI, 4, 0);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_USEDLO, 4, r->used);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_USEDHI, 4, 0);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_Q_ENABLE, 2, 1);
}

static void bring_up(uint8_t how, uint8_t rx_log2, uint8_t tx_log2, uint64_t features)
{
	const uint8_t ad = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (!(how & 1))
		features = (features & cur->vd->offered) | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	write_status(0);
	write_status(VIRTIO_STATUS_ACKNOWLEDGE);
	write_status(ad);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_GFSELECT, 4, 0);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_GF, 4, (uint32_t)features);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_GFSELECT, 4, 1);
	bar_wr(VIRTIO_COMMON_OFF + COMMON_GF, 4, (uint32_t)(features >> 32));
	write_status(ad | VIRTIO_STATUS_FEATURES_OK);
	setup_queue(RECEIVEQ, rx_log2 % 9u);
	setup_queue(TRANSMITQ, tx_log2 % 9u);
	if (!(how & 2))
		write_status(ad | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	if (cur->features & ~cur->ops.features)
		abort();	/* the card took a feature it never offered */
}

static void put_desc(uint8_t a, uint8_t b, uint8_t c, uint32_t v, uint32_t w)
{
	unsigned int q = a & 1;
	uint64_t addr = a & 0x10 ? v : BUF_BASE + v % (FUZZ_RAM - BUF_BASE);
	uint32_t at = a & 0x40 ? BUF_BASE + 16u * b : rings[q].desc + 16u * b;
	uint8_t *d = g.mem + at;

	if (a & 0x80)
		addr |= 1ull << 32;
	put_le64(d, addr);
	put_le32(d + 8, a & 0x20 ? w : w % 0x11000u);
	put_le16(d + 12, (a >> 1) & 7);
	put_le16(d + 14, c);
}

static void offer(uint8_t a, uint16_t head, uint32_t v)
{
	struct ring *r = &rings[a & 1];

	if (a & 4) {
		r->avail_idx = (uint16_t)v;
	} else {
		put_le16(g.mem + r->avail + 4 + 2u * (r->avail_idx % r->size), head);
		r->avail_idx++;
	}
	put_le16(g.mem + r->avail + 2, r->avail_idx);
	if (!(a & 2))
		kick(a & 1);
}

/* The network sends the Guest a frame (if the socket has room for it). */
static void tap_frame(uint8_t a, uint8_t b, uint8_t c, uint32_t v, uint32_t w)
{
	size_t len = 1 + w % (FRAME_MAX + 64), i;

	frame[NET_HDR_FLAGS] = a;
	frame[NET_HDR_GSO_TYPE] = b;
	put_le32(frame + 2, v);			/* hdr_len, gso_size */
	put_le16(frame + 6, c);			/* csum_start */
	put_le16(frame + 8, 6);			/* csum_offset */
	put_le16(frame + NET_HDR_NUM_BUFFERS, 0x5555);	/* the tap leaves it alone */
	for (i = NET_HDR_SIZE; i < len; i++)
		frame[i] = (uint8_t)(c + i);
	if (send(wire[cur->index], frame, len, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
	    errno != ENOBUFS)
		abort();
}

/* BAR0, the device config mostly: the MAC and LINK_UP read back, and stay. */
static void guest_bar_access(uint8_t a, uint8_t b, uint32_t v, uint32_t w)
{
	static const unsigned int sizes[3] = { 1, 2, 4 };
	unsigned int size = sizes[b % 3];
	uint32_t off = a & 2 ? VIRTIO_DEVCFG_OFF + v % 16 : v % (VIRTIO_BAR0_SIZE + 8);
	uint8_t want[NET_CFG_SIZE];
	uint32_t val;

	memcpy(want + NET_CFG_MAC, mac, 6);	/* every card has the same */
	put_le16(want + NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	if (a & 1) {
		bar_wr(off, size, w);
		return;
	}
	val = bar_rd(off, size);
	if (off >= VIRTIO_DEVCFG_OFF && off - VIRTIO_DEVCFG_OFF + size <= NET_CFG_SIZE &&
	    val != cfg_bytes(want + (off - VIRTIO_DEVCFG_OFF), size))
		abort();	/* the config space is not the MAC and LINK_UP */
}

/* What the card sent: each a header and a frame, no more. */
static void drain_tap(void)
{
	ssize_t n;

	while ((n = recv(wire[cur->index], got, sizeof(got), MSG_DONTWAIT | MSG_TRUNC)) >= 0)
		if (n < NET_HDR_SIZE || n > (ssize_t)FRAME_MAX)
			abort();
}

static void run_op(const uint8_t *op)
{
	uint8_t a = op[1], b = op[2], c = op[3];
	uint32_t v = get_le32(op + 4), w = get_le32(op + 8);

	switch (op[0] % N_KINDS) {
	case 0:
		bring_up(a, b, c, v | (uint64_t)w << 32);
		break;
	case 1:
		write_status(a);
		break;
	case 2:
		put_desc(a, b, c, v, w);
		break;
	case 3:
		offer(a, (uint16_t)(b | c << 8), v);
		break;
	case 4:
		kick(v & 0xFFFF);
		break;
	case 5:
		tap_frame(a, b, c, v, w);
		break;
	case 6:
		guest_bar_access(a, b, v, w);
		break;
	case 7:
		put_le32(g.mem + v % (FUZZ_RAM - 3), w);
		break;
	case 8:
		rx_asleep = !rx_asleep;
		break;
	}
	rx_run();
	drain_tap();
}

/* ---- setting up, and each input */

static void record_irq(struct guest *gg, unsigned int irq)
{
	(void)gg;
	(void)irq;
}

/* The console (slot 1 must be one), then the three cards on their sockets. */
static int setup(void)
{
	static net_offload_fn *const offload[N_CARDS] = { fake_offload, refuse_offload, NULL };
	char why[LG_WHY_MAX] = "";
	int null_fd, sv[2];
	unsigned int i;

	g.mem = malloc(FUZZ_RAM);
	g.raise_irq = record_irq;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!g.mem || null_fd < 0 || pci__init(&g) || console__add(&g, -1, null_fd))
		return -1;
	for (i = 0; i < N_CARDS; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) ||
		    fcntl(sv[0], F_SETFL, O_NONBLOCK) ||
		    net__add_fd(&g, sv[0], mac, offload[i], why)) {
			fprintf(stderr, "fuzz_net: cannot add card %u: %s %m\n", i, why);
			return -1;
		}
		wire[i] = sv[1];
	}
	/* What the fuzz depends on: card 0 offers the offloads, card 1 none. */
	if ((nets[0]->ops.features & NET_OFFLOADS) != NET_OFFLOADS ||
	    (nets[1]->ops.features & NET_OFFLOADS))
		return -1;
	fuzzing = true;
	return 0;
}

/* The card and its tap as just after setup, RAM holding ram[0 .. len). */
static void power_on(unsigned int card, const uint8_t *ram, size_t len)
{
	cur = nets[card];
	while (recv(cur->tap, got, sizeof(got), MSG_DONTWAIT) >= 0)
		;	/* frames the last input's thread never read */
	drain_tap();
	refuse_at_driver_ok = false;
	vdev__lock(cur->vd);
	reset(cur->vd);
	cur->vd->config_generation = 0;
	vdev__unlock(cur->vd);
	memset(g.mem, 0, FUZZ_RAM);
	memcpy(g.mem, ram, len < FUZZ_RAM ? len : FUZZ_RAM);
	memcpy(rings, ring_home, sizeof(rings));
	rx_asleep = false;
	rx_start();
}

static int run_one(const uint8_t *data, size_t len)
{
	size_t n_ops, i, ram_at;
	uint8_t cfg[NET_CFG_SIZE];

	if (len < 2 || (!fuzzing && setup()))
		return 0;
	n_ops = data[1];
	ram_at = 2 + n_ops * OP_SIZE;
	if (ram_at > len) {
		n_ops = (len - 2) / OP_SIZE;
		ram_at = len;
	}
	power_on((data[0] & 3) % N_CARDS, data + ram_at, len - ram_at);
	refuse_at_driver_ok = data[0] & 4;
	memcpy(cfg, cur->cfg, sizeof(cfg));
	for (i = 0; i < n_ops; i++)
		run_op(data + 2 + i * OP_SIZE);
	rx_asleep = false;
	rx_run();
	if (memcmp(cfg, cur->cfg, sizeof(cfg)) || (cur->features & ~cur->ops.features))
		abort();	/* the Guest rewrote the MAC or status, or took more than offered */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return run_one(data, len);
}
