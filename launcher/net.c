// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - virtio network cards (virtio 1.0 section 5.1), each on a tap
 * device the Launcher creates: "--tunnet=IP[:MAC]" gives the tap that
 * Host address (a /24 with the Guest in it), "--tunnet=bridge:BR[:MAC]"
 * makes it a port of an existing bridge.  The Guest's MAC is the one given,
 * or a random locally administered one.
 *
 * Two queues, the console's shape again: the Guest sends frames on the
 * transmitq and we write each to the tap right in the kick, on the Guest's
 * thread (a tap write never waits); a thread of the card's own takes the
 * next receive buffer and sleeps in readv() on the tap, straight into it.
 *
 * Every frame travels with the 12-byte virtio-net header in front (5.1.6:
 * with VIRTIO_F_VERSION_1 it always has num_buffers), and the tap speaks
 * the same header (IFF_VNET_HDR, TUNSETVNETHDRSZ 12), so it passes through
 * unchanged both ways: checksum and segmentation offloads cost us nothing
 * but the negotiation.  We offer them only if the tap takes TUNSETOFFLOAD;
 * at DRIVER_OK the tap is told what the Guest can receive (its GUEST_*
 * features), and what the Guest may send (HOST_*) the tap always takes.
 * A tap on x86 speaks little-endian headers, as virtio 1.0 does.
 */
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
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "virtio.h"

#define PCI_CLASS_NETWORK_ETHERNET	0x020000

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM	0	/* the Guest may send partial checksums */
#define VIRTIO_NET_F_GUEST_CSUM	1	/* ... and receive them */
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_GUEST_TSO4	7
#define VIRTIO_NET_F_GUEST_TSO6	8
#define VIRTIO_NET_F_GUEST_ECN	9
#define VIRTIO_NET_F_HOST_TSO4	11
#define VIRTIO_NET_F_HOST_TSO6	12
#define VIRTIO_NET_F_HOST_ECN	13
#define VIRTIO_NET_F_STATUS	16

#define NET_OFFLOADS	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | \
			 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6) | \
			 VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | \
			 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_HOST_ECN))
#define TUN_OFFLOADS	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

/* struct virtio_net_config: u8 mac[6]; le16 status. */
#define NET_CFG_MAC		0
#define NET_CFG_STATUS		6
#define NET_CFG_SIZE		8
#define VIRTIO_NET_S_LINK_UP	1

/*
 * struct virtio_net_hdr_v1: u8 flags, u8 gso_type, le16 hdr_len,
 * gso_size, csum_start, csum_offset, num_buffers.
 */
#define NET_HDR_SIZE		12
#define NET_HDR_FLAGS		0
#define NET_HDR_GSO_TYPE	1
#define NET_HDR_NUM_BUFFERS	10
#define NET_HDR_F_NEEDS_CSUM	1
#define NET_HDR_GSO_NONE	0
#define NET_HDR_GSO_TCPV4	1
#define NET_HDR_GSO_TCPV6	4
#define NET_HDR_GSO_ECN		0x80

#define RECEIVEQ		0
#define TRANSMITQ		1
#define MAX_NETS		4
/*
 * The largest frame the Guest may send: a 64 KiB TSO frame and its Ethernet
 * header.  On receive the Guest's own buffer is the limit (deliver()); the
 * spill buffer of this size only soaks up what does not fit, to drop it.
 */
#define MAX_FRAME		65550u

struct net {
	struct vdev *vd;
	struct vdev_ops ops;		/* net_ops, offering what this tap takes */
	int tap;
	net_offload_fn *set_offload;	/* NULL: no offloads at all */
	unsigned int index;		/* eth0, eth1, ... in the Guest */
	uint8_t cfg[NET_CFG_SIZE];
	/* The rest is under the device lock. */
	uint64_t features;		/* what the driver took at DRIVER_OK; 0 before */
	unsigned int generation;	/* one more at each reset */
	uint64_t rx_dropped, tx_dropped;
	/* The receive thread waits here for buffers. */
	pthread_cond_t rx_wait;
	struct vq_chain rx, tx;		/* scratch chains */
	struct iovec tx_iov[VQ_MAX_SIZE + 1];
	/* The receive thread's: its buffer, then where what does not fit goes. */
	struct iovec rx_iov[VQ_MAX_SIZE + 1];
	uint8_t rx_spill[MAX_FRAME];
};

static struct net *nets[MAX_NETS];
static unsigned int n_nets;
static bool verbose;

void net__verbose(bool on)
{
	verbose = on;
}

static bool took(const struct net *n, unsigned int bit)
{
	return n->features & VIRTIO_BIT(bit);
}

/*
 * Does a header ask for an offload the driver never took?  The Guest must
 * not send those (5.1.6.2.1), and the tap must not give us those for a
 * Guest that cannot take them; the tap's own checks (hdr_len, csum_start
 * and csum_offset inside the frame, a GSO type it knows) come on top.
 */
static bool hdr_allowed(const struct net *n, const uint8_t *hdr, unsigned int csum,
			unsigned int tso4, unsigned int tso6, unsigned int ecn)
{
	uint8_t gso = hdr[NET_HDR_GSO_TYPE];

	if ((hdr[NET_HDR_FLAGS] & NET_HDR_F_NEEDS_CSUM) && !took(n, csum))
		return false;
	if ((gso & NET_HDR_GSO_ECN) && !took(n, ecn))
		return false;
	switch (gso & ~NET_HDR_GSO_ECN) {
	case NET_HDR_GSO_NONE:
		return !(gso & NET_HDR_GSO_ECN);
	case NET_HDR_GSO_TCPV4:
		return took(n, tso4);
	case NET_HDR_GSO_TCPV6:
		return took(n, tso6);
	}
	return false;		/* UFO, or a type no one knows */
}

/*> L680
 * Transmit: each chain is the header and a frame, all device-readable.
 * Anything writable in it, a chain too short for the header or a frame
 * longer than any we could pass is the driver's mistake.  We copy the
 * header out (it may straddle buffers, and what we check must be what the
 * tap gets) and hand the tap the rest in place.  A frame the tap refuses
 * (a header it finds inconsistent, a link that is down) or one with an
 * offload the driver did not take is dropped and counted, as a switch
 * would drop it: it is no reason to stop the card.
 */
static int send_frame(struct net *n, const struct vq_chain *c)
{
	uint8_t hdr[NET_HDR_SIZE];
	uint32_t skip = NET_HDR_SIZE;
	unsigned int i, k = 1;

	if (c->n_in) {
		vdev__needs_reset(n->vd, "transmit chain has %u writable bytes", c->in_len);
		return -1;
	}
	if (c->out_len < NET_HDR_SIZE || c->out_len - NET_HDR_SIZE > MAX_FRAME) {
		vdev__needs_reset(n->vd, "transmit chain of %u bytes: not a %u-byte header and a "
				  "frame of at most %u", c->out_len, NET_HDR_SIZE, MAX_FRAME);
		return -1;
	}
	n->tx_iov[0].iov_base = hdr;
	n->tx_iov[0].iov_len = NET_HDR_SIZE;
	for (i = 0; i < c->n_out; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t l = c->iov[i].iov_len;

		if (skip) {
			size_t h = l < skip ? l : skip;

			memcpy(hdr + NET_HDR_SIZE - skip, p, h);
			skip -= (uint32_t)h;
			p += h;
			l -= h;
		}
		if (l) {
			n->tx_iov[k].iov_base = p;
			n->tx_iov[k++].iov_len = l;
		}
	}
	if (!hdr_allowed(n, hdr, VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4,
			 VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN) ||
	    writev(n->tap, n->tx_iov, (int)k) < 0)
		n->tx_dropped++;
	return 0;
}

static void transmit(struct net *n)
{
	bool pushed = false;

	while (vdev__pop(n->vd, TRANSMITQ, &n->tx) == 1) {
		if (send_frame(n, &n->tx))
			return;
		vdev__push(n->vd, TRANSMITQ, &n->tx, 0);
		pushed = true;
	}
	if (pushed)
		vdev__signal(n->vd, TRANSMITQ);
}

/*
 * Copy len bytes between p and offset off of the writable part of c: into
 * the chain (to_chain), or out of it.
 */
static void chain_copy(const struct vq_chain *c, uint32_t off, uint8_t *p, uint32_t len,
		       bool to_chain)
{
	const struct iovec *iov = c->iov + c->n_out;
	unsigned int i;
	size_t k;

	for (i = 0; i < c->n_in && len; i++) {
		uint8_t *at;

		if (off >= iov[i].iov_len) {
			off -= (uint32_t)iov[i].iov_len;
			continue;
		}
		at = (uint8_t *)iov[i].iov_base + off;
		k = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		memcpy(to_chain ? at : p, to_chain ? p : at, k);
		p += k;
		len -= (uint32_t)k;
		off = 0;
	}
}

/*
 * Receive, with the lock held: the next buffer, which must be all
 * writable and hold at least the header (else the driver is broken).
 * Returns the number of iovecs to read into: the buffer's, then the spill
 * area, so that a frame too big for the buffer shows as bytes in the
 * spill, whatever the fd does with a short read (a tap says the frame's
 * length, a datagram socket says what it copied).
 */
static int take_buffer(struct net *n)
{
	struct vq_chain *c = &n->rx;

	for (;;) {
		while (vdev__pop(n->vd, RECEIVEQ, c) != 1)
			vdev__wait(n->vd, &n->rx_wait);
		if (!c->n_out && c->in_len >= NET_HDR_SIZE)
			break;
		vdev__needs_reset(n->vd, "receive buffer of %u writable bytes and %u readable: "
				  "it must be all writable, at least %u", c->in_len, c->out_len,
				  NET_HDR_SIZE);
	}
	memcpy(n->rx_iov, c->iov, c->n_in * sizeof(c->iov[0]));
	n->rx_iov[c->n_in].iov_base = n->rx_spill;
	n->rx_iov[c->n_in].iov_len = sizeof(n->rx_spill);
	return (int)c->n_in + 1;
}

/*
 * With the lock held again: len bytes arrived in the buffer.  A frame
 * that did not fit, one shorter than the header or one using an offload
 * the Guest did not take (the tap was set up for an earlier driver) is
 * dropped and counted; the buffer goes back with length 0, which the
 * driver counts as a length error and refills.  The tap leaves
 * num_buffers alone (it writes a 10-byte header), so we set it.
 */
static void deliver(struct net *n, uint32_t len)
{
	struct vq_chain *c = &n->rx;
	uint8_t hdr[NET_HDR_SIZE];
	uint32_t written = 0;

	if (len >= NET_HDR_SIZE && len <= c->in_len) {
		chain_copy(c, 0, hdr, NET_HDR_SIZE, false);
		if (hdr_allowed(n, hdr, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
				VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN)) {
			/* 5.1.6.4: flags are 0 for a driver without GUEST_CSUM (no DATA_VALID) */
			if (!took(n, VIRTIO_NET_F_GUEST_CSUM))
				hdr[NET_HDR_FLAGS] = 0;
			put_le16(hdr + NET_HDR_NUM_BUFFERS, 1);
			chain_copy(c, NET_HDR_FLAGS, hdr + NET_HDR_FLAGS, 1, true);
			chain_copy(c, NET_HDR_NUM_BUFFERS, hdr + NET_HDR_NUM_BUFFERS, 2, true);
			written = len;
		}
	}
	if (!written)
		n->rx_dropped++;
	vdev__push(n->vd, RECEIVEQ, c, written);
	vdev__signal(n->vd, RECEIVEQ);
}

/*
 * The receive thread: a buffer, then a frame straight into it.  We wait
 * for the frame without the lock (the Guest's thread must not wait for
 * the network) and read it with the lock held: we are the tap's only
 * reader, so a readable tap gives the frame at once, and no reset can
 * come between our check that the buffer still belongs to the live rings
 * (the generation) and our writing into it.  A buffer a reset made stale
 * is left alone; guest RAM never moves, so holding on to it was safe.
 */
static void *rx_thread(void *arg)
{
	struct net *n = arg;
	struct pollfd p = { .fd = n->tap, .events = POLLIN };
	unsigned int generation;
	ssize_t len = 0;
	int niov;

	vdev__lock(n->vd);
	niov = take_buffer(n);
	generation = n->generation;
	for (;;) {
		vdev__unlock(n->vd);
		while (poll(&p, 1, -1) < 0)
			if (errno != EINTR)
				return NULL;
		vdev__lock(n->vd);
		if (generation == n->generation) {
			len = readv(n->tap, n->rx_iov, niov);
			if (len < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (len <= 0)
				break;		/* the tap is gone: no more input, ever */
			deliver(n, (uint64_t)len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
		}
		niov = take_buffer(n);
		generation = n->generation;
	}
	vdev__unlock(n->vd);
	return NULL;
}

static uint32_t net_cfg_read(void *dev, uint32_t off, unsigned int size)
{
	struct net *n = dev;

	return cfg_bytes(n->cfg + off, size);
}

static void net_cfg_write(void *dev, uint32_t off, unsigned int size, uint32_t val)
{
	/* MAC and status are ours: 5.1.4.1 says the driver must not change them. */
	(void)dev;
	(void)off;
	(void)size;
	(void)val;
}

static void net_notify(void *dev, struct vdev *vd, unsigned int q)
{
	struct net *n = dev;

	(void)vd;
	if (q == TRANSMITQ)
		transmit(n);
	else
		pthread_cond_broadcast(&n->rx_wait);
}

/* The names of the offloads, for --verbose. */
static void offload_names(uint64_t features, char *buf, size_t size)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ VIRTIO_NET_F_CSUM, "CSUM" }, { VIRTIO_NET_F_GUEST_CSUM, "GUEST_CSUM" },
		{ VIRTIO_NET_F_HOST_TSO4, "HOST_TSO4" }, { VIRTIO_NET_F_HOST_TSO6, "HOST_TSO6" },
		{ VIRTIO_NET_F_HOST_ECN, "HOST_ECN" }, { VIRTIO_NET_F_GUEST_TSO4, "GUEST_TSO4" },
		{ VIRTIO_NET_F_GUEST_TSO6, "GUEST_TSO6" }, { VIRTIO_NET_F_GUEST_ECN, "GUEST_ECN" },
	};
	size_t i, used = 0;

	snprintf(buf, size, "none");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((features & VIRTIO_BIT(names[i].bit)) && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "",
						 names[i].name);
}

/*
 * What the tap may hand us is what the Guest can receive: checksums left
 * to do with GUEST_CSUM, TSO frames with GUEST_TSO4/6 (which need
 * GUEST_CSUM: the tap refuses TSO without it, and ECN without TSO).
 */
static unsigned int tun_flags_for(uint64_t features)
{
	unsigned int flags = 0;

	if (!(features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	flags |= TUN_F_CSUM;
	if (features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		flags |= TUN_F_TSO4;
	if (features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
		flags |= TUN_F_TSO6;
	if ((flags & (TUN_F_TSO4 | TUN_F_TSO6)) && (features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN)))
		flags |= TUN_F_TSO_ECN;
	return flags;
}

/*
 * DRIVER_OK: the features are final.  A driver that set DRIVER_OK without
 * a FEATURES_OK we kept may have written anything there, so only what we
 * offered counts.  If the tap now refuses what it took at setup, the
 * Guest gets no offloaded frames (and deliver() drops any already queued).
 */
static void net_driver_ok(void *dev, struct vdev *vd, uint64_t features)
{
	struct net *n = dev;
	unsigned int flags;
	char names[128];

	n->features = features & n->ops.features;
	if (!n->set_offload)
		return;
	flags = tun_flags_for(n->features);
	offload_names(n->features & NET_OFFLOADS, names, sizeof(names));
	if (n->set_offload(n->tap, flags)) {
		if (vdev__may_complain(vd))
			fprintf(stderr, "lguest: net %u: the tap refused offloads %#x (%s); the "
				"Guest receives none\n", n->index, flags, strerror(errno));
		n->set_offload(n->tap, 0);
	} else if (verbose) {
		fprintf(stderr, "lguest: net %u: the Guest took offloads: %s (tap offloads %#x)\n",
			n->index, names, flags);
	}
}

/* A reset: no more offloaded frames for a driver that is gone. */
static void net_reset(void *dev, struct vdev *vd)
{
	struct net *n = dev;

	(void)vd;
	n->features = 0;
	n->generation++;
	if (n->set_offload)
		n->set_offload(n->tap, 0);
	pthread_cond_broadcast(&n->rx_wait);
}

static const struct vdev_ops net_ops = {
	.name		= "net",
	.device_id	= VIRTIO_ID_NET,
	.pci_class	= PCI_CLASS_NETWORK_ETHERNET,
	.features	= VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS),
	.num_queues	= 2,
	.cfg_size	= NET_CFG_SIZE,
	.cfg_read	= net_cfg_read,
	.cfg_write	= net_cfg_write,
	.notify		= net_notify,
	.reset		= net_reset,
	.driver_ok	= net_driver_ok,
};

/* ---- setting a card up */

static int parse_mac(const char *s, uint8_t mac[6], char *why)
{
	unsigned int b[6], i;
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 || strlen(s) != 17) {
		snprintf(why, LG_WHY_MAX, "'%s' is not a MAC address; give six hex bytes, "
			 "such as 02:00:00:00:00:01", s);
		return -1;
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1) {
		snprintf(why, LG_WHY_MAX, "%s is a multicast address; give a unicast one "
			 "(an even first byte, such as 02)", s);
		return -1;
	}
	return 0;
}

/* A random locally administered unicast MAC: 02, 06, 0a or 0e first. */
static void random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		memset(mac, 0x5A, 6);
	mac[0] = (uint8_t)((mac[0] & 0xFC) | 0x02);
}

/*
 * Does the tap take every offload we know?  Then we offer them all, and
 * leave it at none until a driver says what it takes.
 */
static void probe_offloads(struct net *n)
{
	char names[128];

	if (!n->set_offload)
		return;
	if (n->set_offload(n->tap, TUN_OFFLOADS) || n->set_offload(n->tap, 0)) {
		if (verbose)
			fprintf(stderr, "lguest: net %u: the tap refused TUNSETOFFLOAD (%s): "
				"no offloads offered\n", n->index, strerror(errno));
		return;
	}
	n->ops.features |= NET_OFFLOADS;
	offload_names(NET_OFFLOADS, names, sizeof(names));
	if (verbose)
		fprintf(stderr, "lguest: net %u: offloads offered: %s\n", n->index, names);
}

int net__add_fd(struct guest *g, int fd, const uint8_t mac[6], net_offload_fn *set_offload,
		char *why)
{
	struct net *n;

	if (n_nets == MAX_NETS) {
		snprintf(why, LG_WHY_MAX, "more than %u network cards; give fewer --tunnet options",
			 MAX_NETS);
		return -1;
	}
	n = calloc(1, sizeof(*n));
	if (!n || pthread_cond_init(&n->rx_wait, NULL)) {
		free(n);
		snprintf(why, LG_WHY_MAX, "out of memory");
		return -1;
	}
	n->tap = fd;
	n->index = n_nets;
	n->ops = net_ops;
	n->set_offload = set_offload;
	probe_offloads(n);
	memcpy(n->cfg + NET_CFG_MAC, mac, 6);
	put_le16(n->cfg + NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	n->vd = vdev__add(g, &n->ops, n);
	if (!n->vd) {
		free(n);
		snprintf(why, LG_WHY_MAX, "no room for another device on the Guest's PCI bus");
		return -1;
	}
	nets[n_nets++] = n;
	return 0;
}

int net__dropped(unsigned int card, uint64_t *rx, uint64_t *tx)
{
	struct net *n;

	if (card >= n_nets)
		return -1;
	n = nets[card];
	vdev__lock(n->vd);
	*rx = n->rx_dropped;
	*tx = n->tx_dropped;
	vdev__unlock(n->vd);
	return 0;
}

static int tap_set_offload(int fd, unsigned int flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags);
}

static int tap_error(const char *what, char *why)
{
	if (errno == EPERM || errno == EACCES)
		snprintf(why, LG_WHY_MAX, "%s: %s; a tap device needs CAP_NET_ADMIN: run lguest as "
			 "root", what, strerror(errno));
	else if (errno == ENOENT || errno == ENODEV)
		snprintf(why, LG_WHY_MAX, "%s: %s; load the tun module: modprobe tun", what,
			 strerror(errno));
	else
		snprintf(why, LG_WHY_MAX, "%s: %s", what, strerror(errno));
	return -1;
}

/* A new tap, "lguest0" or the next free number; returns its fd. */
static int open_tap(char name[IFNAMSIZ], char *why)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), hdr_size = NET_HDR_SIZE;

	/*
	 * No node at all is a /dev without the static nodes systemd creates at
	 * boot (a container, a hand-made chroot): loading tun may not add it.
	 */
	if (fd < 0 && errno == ENOENT) {
		snprintf(why, LG_WHY_MAX, "/dev/net/tun: %s; load the tun module (modprobe tun) "
			 "or, where /dev lacks the node, create it: mkdir -p /dev/net && "
			 "mknod /dev/net/tun c 10 200", strerror(errno));
		return -1;
	}
	if (fd < 0)
		return tap_error("/dev/net/tun", why);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lguest%%d");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		tap_error("creating a tap device", why);
		close(fd);
		return -1;
	}
	/* The tap's header is virtio 1.0's, num_buffers and all (Linux 2.6.32 on). */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_size)) {
		snprintf(why, LG_WHY_MAX, "TUNSETVNETHDRSZ %d: %s; the Host kernel's tun is too "
			 "old for a virtio 1.0 header (it needs Linux 2.6.32 or later)", hdr_size,
			 strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}

static int if_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *what, char *why)
{
	if (ioctl(sock, req, ifr) == 0)
		return 0;
	if (req == SIOCBRADDIF && (errno == ENODEV || errno == EOPNOTSUPP || errno == EINVAL))
		snprintf(why, LG_WHY_MAX, "%s: %s; create the bridge first: ip link add %s type "
			 "bridge", what, strerror(errno), ifr->ifr_name);
	else
		tap_error(what, why);
	return -1;
}

/*
 * The Host's side of the card: an address (a /24, so the Guest can take
 * any other in it) or a bridge port, then the link up.
 */
static int configure_tap(const char *name, const char *ip, const char *bridge, char *why)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = -1;

	if (sock < 0)
		return tap_error("socket", why);
	memset(&ifr, 0, sizeof(ifr));
	if (bridge) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
		ifr.ifr_ifindex = (int)if_nametoindex(name);
		if (if_ioctl(sock, SIOCBRADDIF, &ifr, bridge, why))
			goto out;
	} else {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &sin->sin_addr);
		if (if_ioctl(sock, SIOCSIFADDR, &ifr, "setting the tap's address", why))
			goto out;
		inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
		if (if_ioctl(sock, SIOCSIFNETMASK, &ifr, "setting the tap's netmask", why))
			goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (if_ioctl(sock, SIOCGIFFLAGS, &ifr, "reading the tap's flags", why))
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (if_ioctl(sock, SIOCSIFFLAGS, &ifr, "bringing the tap up", why))
		goto out;
	err = 0;
out:
	close(sock);
	return err;
}

/* "IP[:MAC]" or "bridge:BR[:MAC]": checked before anything is created. */
static int parse_spec(const char *spec, char *ip, char *bridge, uint8_t mac[6], char *why)
{
	const char *rest = spec, *colon;
	struct in_addr a;
	size_t len;

	if (strncmp(spec, "bridge:", 7) == 0) {
		rest = spec + 7;
		colon = strchr(rest, ':');
		len = colon ? (size_t)(colon - rest) : strlen(rest);
		if (!len || len >= IFNAMSIZ) {
			snprintf(why, LG_WHY_MAX, "'%.*s' is not a bridge name; give bridge:BR with "
				 "BR an existing bridge, such as br0", (int)len, rest);
			return -1;
		}
		memcpy(bridge, rest, len);
		bridge[len] = '\0';
	} else {
		colon = strchr(rest, ':');
		len = colon ? (size_t)(colon - rest) : strlen(rest);
		if (len >= INET_ADDRSTRLEN) {
			snprintf(why, LG_WHY_MAX, "'%s' is not an IPv4 address; give the Host's "
				 "address on the tap, such as 192.0.2.1", spec);
			return -1;
		}
		memcpy(ip, rest, len);
		ip[len] = '\0';
		if (inet_pton(AF_INET, ip, &a) != 1) {
			snprintf(why, LG_WHY_MAX, "'%s' is not an IPv4 address; give the Host's "
				 "address on the tap, such as 192.0.2.1", ip);
			return -1;
		}
	}
	if (colon)
		return parse_mac(colon + 1, mac, why);
	random_mac(mac);
	return 0;
}

int net__check(const char *spec, char *why)
{
	char ip[INET_ADDRSTRLEN], bridge[IFNAMSIZ];
	uint8_t mac[6];

	return parse_spec(spec, ip, bridge, mac, why);
}

int net__add(struct guest *g, const char *spec, char *why)
{
	char ip[INET_ADDRSTRLEN] = "", bridge[IFNAMSIZ] = "", name[IFNAMSIZ];
	uint8_t mac[6];
	int fd;

	if (parse_spec(spec, ip, bridge, mac, why))
		return -1;
	fd = open_tap(name, why);
	if (fd < 0)
		return -1;
	if (configure_tap(name, ip, bridge[0] ? bridge : NULL, why) ||
	    net__add_fd(g, fd, mac, tap_set_offload, why)) {
		close(fd);
		return -1;
	}
	return 0;
}

int net__start(struct guest *g)
{
	pthread_attr_t attr;
	pthread_t thread;
	unsigned int i;
	int err = 0;

	(void)g;
	if (pthread_attr_init(&attr))
		return -1;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < n_nets && !err; i++)
		err = pthread_create(&thread, &attr, rx_thread, nets[i]);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
