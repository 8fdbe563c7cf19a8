// SPDX-License-Identifier: GPL-2.0
/*
 * test_net.c - virtio-net (launcher/net.c) as Linux's virtio_net drives it,
 * with a datagram socketpair where the tap would be: frames sent, frames
 * received, a buffer too small, and chains no driver would make, each of
 * which must stop the device with a message.  No tap is created: the
 * test changes nothing in the machine's network.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -pthread -I include -I launcher -o test_net \
 *       tests/unit/test_net.c launcher/insn.c launcher/pci.c \
 *       launcher/virtio_pci.c launcher/virtqueue.c launcher/console.c \
 *       launcher/block.c launcher/rng.c launcher/net.c launcher/term.c && ./test_net
 */
#define _GNU_SOURCE	/* pipe2 */
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

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int err_pipe[2], saved_stderr, wire[2];
static struct vdrv net;
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

/* Reset, negotiate, both queues, DRIVER_OK. */
static void bring_up(void)
{
	vdrv_set_common(&net, VD_STATUS, 1, 0);
	vdrv_set_common(&net, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdrv_set_common(&net, VD_GFSELECT, 4, 0);
	vdrv_set_common(&net, VD_GF, 4, (uint32_t)VD_FEATURES | 1u << 5);
	vdrv_set_common(&net, VD_GFSELECT, 4, 1);
	vdrv_set_common(&net, VD_GF, 4, (uint32_t)(VD_FEATURES >> 32));
	vdrv_set_common(&net, VD_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK);
	vdrv_queue(&net, RXQ, &rx, RX_RING, 16);
	vdrv_queue(&net, TXQ, &tx, TX_RING, 16);
	vdrv_set_common(&net, VD_STATUS, 1, VD_S_UP);
	vdrv_isr(&net);
}

static ssize_t wire_read(uint8_t *buf, size_t len)
{
	struct pollfd p = { .fd = wire[1], .events = POLLIN };

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return read(wire[1], buf, len);
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
	report(n == 60 && !memcmp(got, want, 60), "a 60-byte frame goes out without its header");
	report(drv_used_idx(&tx) == 1 && drv_used_len(&tx, 0) == 0, "and comes back used, length 0");

	/* Header and frame in separate buffers, as Linux sends them without any_layout. */
	fill(g.mem + TX_BUF + 0x1000, 1514, 9);
	drv_desc(&tx, 1, TX_BUF, HDR, VRING_F_NEXT, 2);
	drv_desc(&tx, 2, TX_BUF + 0x1000, 1514, 0, 0);
	drv_offer(&tx, 1);
	vdrv_kick(&net, TXQ);
	fill(want, 1514, 9);
	n = wire_read(got, sizeof(got));
	report(n == 1514 && !memcmp(got, want, 1514), "a full 1514-byte frame after a separate header");
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
	if (write(wire[1], frame, 100) != 100)
		return;
	report(vdrv_wait_used(&rx, 1) && drv_used_len(&rx, 0) == HDR + 100 &&
	       get_le16(g.mem + RX_BUF + 10) == 1 && get_le16(g.mem + RX_BUF) == 0 &&
	       !memcmp(g.mem + RX_BUF + HDR, frame, 100),
	       "a 100-byte frame lands after a zero header with num_buffers 1");

	/* A frame waits for a buffer; one too small for it gets length 0. */
	fill(frame, 1514, 5);
	if (write(wire[1], frame, 1514) != 1514)
		return;
	add_rx_buffer(1, HDR + 64);
	vdrv_kick(&net, RXQ);
	report(vdrv_wait_used(&rx, 2) && drv_used_len(&rx, 1) == 0,
	       "a 1514-byte frame and a 76-byte buffer: dropped, buffer back with length 0");
	if (write(wire[1], frame, 1514) != 1514)
		return;
	add_rx_buffer(2, HDR + 1514);
	vdrv_kick(&net, RXQ);
	report(vdrv_wait_used(&rx, 3) && drv_used_len(&rx, 2) == HDR + 1514 &&
	       !memcmp(g.mem + RX_BUF + 0x1000 + HDR, frame, 1514), "the next one fits");
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
	uint8_t frame[60] = { 1 };
	const char *err;

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++) {
		bring_up();
		drain();
		capture_stderr(true);
		if (t->on_rx) {
			drv_desc(&rx, 0, t->addr, t->len, t->flags, 0);
			drv_offer(&rx, 0);
			vdrv_kick(&net, RXQ);
			if (write(wire[1], frame, sizeof(frame)) != sizeof(frame))
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
	report(wire_read(frame, sizeof(frame)) == 60, "after a reset the card sends again");
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
	if (net__add_fd(&g, wire[0], mac, why) || net__start(&g)) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	vdrv_open(&net, &g, NET_SLOT);

	test_config();
	test_transmit();
	test_receive();
	test_hostile();
	test_no_cap_net_admin();

	/* The receive thread sleeps on: end without tearing the bus down under it. */
	return report_summary();
}
