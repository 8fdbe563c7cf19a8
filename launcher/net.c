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
 * thread (a tap write never waits); a thread of the card's own sleeps in
 * read() on the tap and puts each frame it gets into the next receive
 * buffer.  Every frame travels with the 12-byte virtio-net header in
 * front (5.1.6: with VIRTIO_F_VERSION_1 it always has num_buffers); we
 * offer no offloads, so the header says nothing and we write it as zeros
 * with num_buffers 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "virtio.h"

#define PCI_CLASS_NETWORK_ETHERNET	0x020000

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_STATUS	16

/* struct virtio_net_config: u8 mac[6]; le16 status. */
#define NET_CFG_MAC		0
#define NET_CFG_STATUS		6
#define NET_CFG_SIZE		8
#define VIRTIO_NET_S_LINK_UP	1

/* struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
#define NET_HDR_SIZE		12
#define NET_HDR_NUM_BUFFERS	10

#define RECEIVEQ		0
#define TRANSMITQ		1
#define MAX_NETS		4
/* The largest frame we pass either way: far above the tap's 1500-byte MTU. */
#define MAX_FRAME		65550u

struct net {
	struct vdev *vd;
	int tap;
	uint8_t cfg[NET_CFG_SIZE];
	/* Under the device lock: the receive thread waits here for buffers. */
	pthread_cond_t rx_wait;
	struct vq_chain rx, tx;		/* scratch chains, used under the lock */
	uint8_t rx_frame[MAX_FRAME];	/* the receive thread's */
	uint8_t tx_frame[MAX_FRAME];	/* the Guest's thread's, under the lock */
};

static struct net *nets[MAX_NETS];
static unsigned int n_nets;

/*> L680
 * Transmit: each chain is the header and a frame, all device-readable.
 * Anything writable in it, a chain too short for the header or a frame
 * longer than any Ethernet frame we could pass is the driver's mistake.
 * A frame the tap will not take (the link is down, say) is dropped, as a
 * cable would drop it.
 */
static int send_frame(struct net *n, const struct vq_chain *c)
{
	uint32_t len, done = 0, skip = NET_HDR_SIZE;
	unsigned int i;
	size_t k;

	if (c->n_in) {
		vdev__needs_reset(n->vd, "transmit chain has %u writable bytes", c->in_len);
		return -1;
	}
	if (c->out_len < NET_HDR_SIZE || c->out_len - NET_HDR_SIZE > MAX_FRAME) {
		vdev__needs_reset(n->vd, "transmit chain of %u bytes: not a %u-byte header and a "
				  "frame of at most %u", c->out_len, NET_HDR_SIZE, MAX_FRAME);
		return -1;
	}
	len = c->out_len - NET_HDR_SIZE;
	for (i = 0; i < c->n_out; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		size_t l = c->iov[i].iov_len;

		if (skip >= l) {
			skip -= (uint32_t)l;
			continue;
		}
		k = l - skip;
		memcpy(n->tx_frame + done, p + skip, k);
		done += (uint32_t)k;
		skip = 0;
	}
	if (len && write(n->tap, n->tx_frame, len) < 0) {
		/* dropped: nothing the Guest could do about it either */
	}
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
 * Receive, with the lock held: the next buffer, header and frame into
 * it.  A receive buffer must be all writable and hold at least the
 * header; one too small for this frame gets nothing (length 0), which
 * the driver counts as a length error and refills.
 */
/* Copy len bytes to offset off of the writable part of c. */
static void chain_write(const struct vq_chain *c, uint32_t off, const uint8_t *p, uint32_t len)
{
	const struct iovec *iov = c->iov + c->n_out;
	unsigned int i;
	size_t k;

	for (i = 0; i < c->n_in && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= (uint32_t)iov[i].iov_len;
			continue;
		}
		k = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		memcpy((uint8_t *)iov[i].iov_base + off, p, k);
		p += k;
		len -= (uint32_t)k;
		off = 0;
	}
}

static void deliver(struct net *n, const uint8_t *frame, uint32_t len)
{
	struct vq_chain *c = &n->rx;
	uint8_t hdr[NET_HDR_SIZE] = { 0 };
	uint32_t written = 0;

	while (vdev__pop(n->vd, RECEIVEQ, c) != 1)
		vdev__wait(n->vd, &n->rx_wait);
	if (c->n_out || c->in_len < NET_HDR_SIZE) {
		vdev__needs_reset(n->vd, "receive buffer of %u writable bytes and %u readable: "
				  "it must be all writable, at least %u", c->in_len, c->out_len,
				  NET_HDR_SIZE);
		return;
	}
	if (len <= c->in_len - NET_HDR_SIZE) {
		put_le16(hdr + NET_HDR_NUM_BUFFERS, 1);
		chain_write(c, 0, hdr, NET_HDR_SIZE);
		chain_write(c, NET_HDR_SIZE, frame, len);
		written = NET_HDR_SIZE + len;
	}
	vdev__push(n->vd, RECEIVEQ, c, written);
	vdev__signal(n->vd, RECEIVEQ);
}

/* The receive thread: a frame from the tap, then a buffer for it. */
static void *rx_thread(void *arg)
{
	struct net *n = arg;
	ssize_t len;

	for (;;) {
		len = read(n->tap, n->rx_frame, sizeof(n->rx_frame));
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len <= 0)
			return NULL;	/* the tap is gone: no more input, ever */
		vdev__lock(n->vd);
		deliver(n, n->rx_frame, (uint32_t)len);
		vdev__unlock(n->vd);
	}
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

static void net_reset(void *dev, struct vdev *vd)
{
	struct net *n = dev;

	(void)vd;
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

int net__add_fd(struct guest *g, int fd, const uint8_t mac[6], char *why)
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
	memcpy(n->cfg + NET_CFG_MAC, mac, 6);
	put_le16(n->cfg + NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	n->vd = vdev__add(g, &net_ops, n);
	if (!n->vd) {
		free(n);
		snprintf(why, LG_WHY_MAX, "no room for another device on the Guest's PCI bus");
		return -1;
	}
	nets[n_nets++] = n;
	return 0;
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
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

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
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lguest%%d");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		tap_error("creating a tap device", why);
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
	    net__add_fd(g, fd, mac, why)) {
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
