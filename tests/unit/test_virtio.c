// SPDX-License-Identifier: GPL-2.0
/*
 * test_virtio.c - the virtio-pci transport and the console, driven the way
 * Linux's virtio_pci and virtio_console drive them: MMIO to BAR0 through
 * pci.c, rings in a fake guest RAM, a pipe for the console's stdin and one
 * for its stdout, and a recorder where LHREQ_IRQ would go.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -pthread -I include -I launcher -o test_virtio \
 *       tests/unit/test_virtio.c launcher/insn.c launcher/pci.c \
 *       launcher/virtio_pci.c launcher/virtqueue.c launcher/console.c \
 *       launcher/term.c && ./test_virtio
 */
#define _GNU_SOURCE	/* pipe2 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "virtio.h"
#include "tap.h"
#include "vring.h"

#define RAM		(4u << 20)
#define CONSOLE		LGUEST_CONSOLE_SLOT
#define RXQ		0
#define TXQ		1
#define RX_RING		0x10000u
#define TX_RING		0x20000u
#define RX_BUF		0x30000u
#define TX_BUF		0x38000u

/* Common config offsets (virtio 1.0 4.1.4.3). */
#define DFSELECT	0x00
#define DF		0x04
#define GFSELECT	0x08
#define GF		0x0C
#define MSIX		0x10
#define NUMQ		0x12
#define STATUS		0x14
#define GENERATION	0x15
#define Q_SELECT	0x16
#define Q_SIZE		0x18
#define Q_MSIX		0x1A
#define Q_ENABLE	0x1C
#define Q_NOFF		0x1E
#define Q_DESC		0x20
#define Q_AVAIL		0x28
#define Q_USED		0x30

#define S_ACK		VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_STATUS_DRIVER
#define S_FEATURES_OK	VIRTIO_STATUS_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_STATUS_DRIVER_OK
#define S_NEEDS_RESET	VIRTIO_STATUS_NEEDS_RESET

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int in_pipe[2], out_pipe[2], err_pipe[2], saved_stderr;
static uint32_t bar;
static struct drv_ring rx, tx;
static volatile int irqs, last_irq = -1;

static void record_irq(struct guest *gg, unsigned int irq)
{
	(void)gg;
	__atomic_add_fetch(&irqs, 1, __ATOMIC_SEQ_CST);
	last_irq = (int)irq;
}

static void cfg_out(unsigned int off, unsigned int size, uint32_t v)
{
	pci__io_out(&g, LGUEST_PCI_CONFIG_ADDR, 4, 0x80000000u | CONSOLE << 11 | off);
	pci__io_out(&g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, v);
}

static uint32_t cfg_in(unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	pci__io_out(&g, LGUEST_PCI_CONFIG_ADDR, 4, 0x80000000u | CONSOLE << 11 | off);
	pci__io_in(&g, LGUEST_PCI_CONFIG_DATA + (off & 3), size, &v);
	return v;
}

static uint32_t rd(uint32_t off, unsigned int size)
{
	uint32_t v = 0xDEADBEEF;

	if (pci__mmio_read(&g, bar + off, size, &v))
		return 0xDEADBEEF;
	return v;
}

static void wr(uint32_t off, unsigned int size, uint32_t v)
{
	pci__mmio_write(&g, bar + off, size, v);
}

static uint32_t common(uint32_t off, unsigned int size)
{
	return rd(VIRTIO_COMMON_OFF + off, size);
}

static void set_common(uint32_t off, unsigned int size, uint32_t v)
{
	wr(VIRTIO_COMMON_OFF + off, size, v);
}

static uint8_t status(void)
{
	return (uint8_t)common(STATUS, 1);
}

static void kick(uint16_t q)
{
	wr(VIRTIO_NOTIFY_OFF, 2, q);
}

static uint8_t isr(void)
{
	return (uint8_t)rd(VIRTIO_ISR_OFF, 1);
}

static void drain(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
}

static void capture_stderr(bool on)
{
	fflush(stderr);
	dup2(on ? err_pipe[1] : saved_stderr, STDERR_FILENO);
}

/* How Linux's vp_finalize_features writes them: two 32-bit halves. */
static void write_features(uint64_t f)
{
	set_common(GFSELECT, 4, 0);
	set_common(GF, 4, (uint32_t)f);
	set_common(GFSELECT, 4, 1);
	set_common(GF, 4, (uint32_t)(f >> 32));
}

static void setup_queue(uint16_t q, struct drv_ring *r, uint32_t base, uint16_t size)
{
	drv_ring_init(r, g.mem, base, size);
	set_common(Q_SELECT, 2, q);
	set_common(Q_SIZE, 2, size);
	set_common(Q_DESC, 4, r->desc);
	set_common(Q_DESC + 4, 4, 0);
	set_common(Q_AVAIL, 4, r->avail);
	set_common(Q_AVAIL + 4, 4, 0);
	set_common(Q_USED, 4, r->used);
	set_common(Q_USED + 4, 4, 0);
	set_common(Q_ENABLE, 2, 1);
}

#define DRIVER_FEATURES \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | \
	 VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC))

/* The whole of Linux's probe: reset, negotiate, two queues, DRIVER_OK. */
static void bring_up(uint64_t features)
{
	set_common(STATUS, 1, 0);
	set_common(STATUS, 1, S_ACK);
	set_common(STATUS, 1, S_ACK | S_DRIVER);
	write_features(features);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(RXQ, &rx, RX_RING, 16);
	setup_queue(TXQ, &tx, TX_RING, 16);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	isr();
	irqs = 0;
}

static void test_registers(void)
{
	report(common(DFSELECT, 4) == 0 && (common(DF, 4) & 0x30000004u) == 0x30000004u,
	       "feature word 0: EMERG_WRITE, INDIRECT_DESC, EVENT_IDX (%#x)", common(DF, 4));
	set_common(DFSELECT, 4, 1);
	report(common(DF, 4) == 1, "feature word 1: VERSION_1 only");
	set_common(DFSELECT, 4, 2);
	report(common(DF, 4) == 0, "feature word 2 is empty");
	set_common(DFSELECT, 4, 0);
	report(common(MSIX, 2) == 0xFFFF && common(Q_MSIX, 2) == 0xFFFF,
	       "msix_config and queue_msix_vector read NO_VECTOR");
	set_common(MSIX, 2, 0);
	report(common(MSIX, 2) == 0xFFFF, "and stay so when written");
	report(common(NUMQ, 2) == 2, "two queues");
	report(common(Q_SIZE, 2) == VQ_MAX_SIZE && common(Q_ENABLE, 2) == 0 &&
	       common(Q_NOFF, 2) == 0, "queue 0: size %u, disabled, notify offset 0", VQ_MAX_SIZE);
	set_common(Q_SELECT, 2, 2);
	report(common(Q_SIZE, 2) == 0, "queue 2 does not exist: size 0");
	set_common(Q_SELECT, 2, 0);
	report(common(NUMQ, 4) == 0 && common(STATUS, 2) == 0, "wrong-width accesses read 0");
	report(common(GENERATION, 1) == 0, "config generation starts at 0");
	report(common(Q_DESC, 4) == 0 && common(Q_DESC + 4, 4) == 0, "queue_desc starts at 0");
	set_common(Q_DESC + 4, 4, 0x12345678);
	report(common(Q_DESC + 4, 4) == 0x12345678 && common(Q_DESC, 4) == 0,
	       "queue_desc_hi keeps its half");
	set_common(Q_DESC + 4, 4, 0);

	/* The PCI cfg access window reaches the common config as well. */
	uint8_t cap = (uint8_t)cfg_in(0x34, 1), cfg_cap = 0;

	while (cap) {
		if (cfg_in(cap + 3, 1) == 5)
			cfg_cap = cap;
		cap = (uint8_t)cfg_in(cap + 1, 1);
	}
	cfg_out(cfg_cap + 4, 1, 0);
	cfg_out(cfg_cap + 12, 4, 2);
	cfg_out(cfg_cap + 8, 4, VIRTIO_COMMON_OFF + NUMQ);
	report(cfg_in(cfg_cap + 16, 2) == 2, "num_queues through the PCI cfg access capability");
}

static void test_negotiation(void)
{
	char err[512];

	set_common(STATUS, 1, S_ACK | S_DRIVER);
	report(status() == (S_ACK | S_DRIVER), "ACKNOWLEDGE | DRIVER stick");
	write_features(VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
	capture_stderr(true);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	report(!(status() & S_FEATURES_OK), "without VERSION_1, FEATURES_OK does not stick");
	report(strstr(err, "VIRTIO_F_VERSION_1") != NULL, "and stderr names VIRTIO_F_VERSION_1");

	set_common(STATUS, 1, 0);
	set_common(GFSELECT, 4, 0);
	report(status() == 0 && common(GF, 4) == 0, "a reset clears status and the driver's features");
	set_common(STATUS, 1, S_ACK | S_DRIVER);
	write_features(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(5));
	capture_stderr(true);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	report(!(status() & S_FEATURES_OK) && strstr(err, "0x20 we did not offer"),
	       "a feature we never offered (bit 5) is refused");

	set_common(STATUS, 1, 0);
	set_common(STATUS, 1, S_ACK | S_DRIVER);
	set_common(GFSELECT, 4, 2);
	set_common(GF, 4, 1);
	write_features(VIRTIO_BIT(VIRTIO_F_VERSION_1));
	capture_stderr(true);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	report(!(status() & S_FEATURES_OK), "a bit in feature word 2 is refused");

	set_common(STATUS, 1, 0);
	set_common(STATUS, 1, S_ACK | S_DRIVER);
	write_features(DRIVER_FEATURES);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	report(status() & S_FEATURES_OK, "VERSION_1 | EVENT_IDX | INDIRECT_DESC: FEATURES_OK");
	write_features(VIRTIO_BIT(VIRTIO_F_VERSION_1));
	set_common(GFSELECT, 4, 0);
	report(common(GF, 4) == 0x30000000u, "features are fixed once FEATURES_OK is set");
	set_common(STATUS, 1, 0);
}

static void test_queue_setup(void)
{
	bring_up(DRIVER_FEATURES);
	set_common(Q_SELECT, 2, TXQ);
	report(common(Q_ENABLE, 2) == 1 && common(Q_SIZE, 2) == 16 && common(Q_USED, 4) == tx.used,
	       "transmitq enabled, size 16, its used ring address reads back");
	set_common(Q_SIZE, 2, 64);
	set_common(Q_DESC, 4, 0x1000);
	report(common(Q_SIZE, 2) == 16 && common(Q_DESC, 4) == tx.desc,
	       "a live queue ignores changes");
	report(status() == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "DRIVER_OK");
}

static void test_transmit(void)
{
	char out[256];

	bring_up(DRIVER_FEATURES);
	memcpy(g.mem + TX_BUF, "hello, ", 7);
	memcpy(g.mem + TX_BUF + 100, "world\n", 6);
	drv_desc(&tx, 0, TX_BUF, 7, VRING_F_NEXT, 1);
	drv_desc(&tx, 1, TX_BUF + 100, 6, 0, 0);
	drv_offer(&tx, 0);
	kick(TXQ);
	drain(out_pipe[0], out, sizeof(out));
	report(strcmp(out, "hello, world\n") == 0, "a two-buffer transmit chain reaches stdout");
	report(drv_used_idx(&tx) == 1 && drv_used_id(&tx, 0) == 0 && drv_used_len(&tx, 0) == 0,
	       "and comes back used, length 0");
	report(irqs == 1 && last_irq == 1, "interrupt line 1 raised");
	report(isr() == VIRTIO_ISR_QUEUE && isr() == 0, "ISR reads 1 (queue), then 0: read clears it");

	/* Indirect, as Linux sends multi-buffer chains. */
	drv_desc_at(g.mem, TX_BUF + 0x800, 0, TX_BUF, 5, VRING_F_NEXT, 1);
	drv_desc_at(g.mem, TX_BUF + 0x800, 1, TX_BUF + 105, 1, 0, 0);
	drv_desc(&tx, 2, TX_BUF + 0x800, 32, VRING_F_INDIRECT, 0);
	drv_offer(&tx, 2);
	drv_set_used_event(&tx, 0);	/* already passed: no interrupt wanted */
	kick(TXQ);
	drain(out_pipe[0], out, sizeof(out));
	report(strcmp(out, "hello\n") == 0, "an indirect transmit chain");
	report(irqs == 1, "used_event 0 behind us: no second interrupt");

	/* A kick before DRIVER_OK waits for it. */
	set_common(STATUS, 1, 0);
	set_common(STATUS, 1, S_ACK | S_DRIVER);
	write_features(DRIVER_FEATURES);
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(TXQ, &tx, TX_RING, 16);
	drv_desc(&tx, 0, TX_BUF, 5, 0, 0);
	drv_offer(&tx, 0);
	kick(TXQ);
	drain(out_pipe[0], out, sizeof(out));
	report(out[0] == '\0', "a transmit kick before DRIVER_OK prints nothing yet");
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	drain(out_pipe[0], out, sizeof(out));
	report(strcmp(out, "hello") == 0, "DRIVER_OK sends it");
}

/* Wait (up to 2 s) for the input thread to use n receive buffers. */
static bool wait_used(struct drv_ring *r, uint16_t n)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 2000 && drv_used_idx(r) != n; i++)
		nanosleep(&ts, NULL);
	return drv_used_idx(r) == n;
}

static void add_rx_buffer(uint16_t i, uint32_t len)
{
	drv_desc(&rx, i, RX_BUF + 0x100u * i, len, VRING_F_WRITE, 0);
	drv_offer(&rx, i);
}

static void test_receive(void)
{
	bring_up(DRIVER_FEATURES);
	add_rx_buffer(0, 64);
	kick(RXQ);
	if (write(in_pipe[1], "ls\r", 3) != 3)
		return;
	report(wait_used(&rx, 1) && drv_used_id(&rx, 0) == 0 && drv_used_len(&rx, 0) == 3 &&
	       memcmp(g.mem + RX_BUF, "ls\r", 3) == 0, "typed keys land in a receive buffer");
	report(__atomic_load_n(&irqs, __ATOMIC_SEQ_CST) == 1, "with an interrupt");

	/* Input with no buffer waits for one; a small buffer takes part of it. */
	if (write(in_pipe[1], "abcdef", 6) != 6)
		return;
	add_rx_buffer(1, 4);
	kick(RXQ);
	report(wait_used(&rx, 2) && drv_used_len(&rx, 1) == 4 &&
	       memcmp(g.mem + RX_BUF + 0x100, "abcd", 4) == 0, "4 of 6 bytes into a 4-byte buffer");
	add_rx_buffer(2, 64);
	kick(RXQ);
	report(wait_used(&rx, 3) && drv_used_len(&rx, 2) == 2 &&
	       memcmp(g.mem + RX_BUF + 0x200, "ef", 2) == 0, "the rest waits for the next buffer");
}

static void test_needs_reset(void)
{
	char err[512];

	bring_up(DRIVER_FEATURES);
	drv_desc(&tx, 0, TX_BUF, 4, VRING_F_NEXT, 0);	/* a loop */
	drv_offer(&tx, 0);
	capture_stderr(true);
	kick(TXQ);
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	report(status() & S_NEEDS_RESET, "a looping chain: DEVICE_NEEDS_RESET");
	report(strcmp(err, "lguest: console: queue 1: descriptor chain from 0 is longer than its "
		       "table of 16 (a loop?); the device needs a reset\n") == 0,
	       "one line on stderr names it");
	report(irqs == 1 && isr() == VIRTIO_ISR_CONFIG, "a configuration interrupt");
	report(common(GENERATION, 1) != 0, "config generation moved");
	drv_offer(&tx, 0);
	capture_stderr(true);
	kick(TXQ);
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	report(err[0] == '\0' && irqs == 1, "further kicks: no more lines, no more interrupts");
	set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	report(status() & S_NEEDS_RESET, "the driver cannot clear it by writing status");
	set_common(STATUS, 1, 0);
	set_common(Q_SELECT, 2, TXQ);
	report(status() == 0 && common(Q_ENABLE, 2) == 0 && isr() == 0,
	       "a reset clears it, and disables the queues");
	bring_up(DRIVER_FEATURES);
	drv_desc(&tx, 0, TX_BUF, 2, 0, 0);
	drv_offer(&tx, 0);
	kick(TXQ);
	drain(out_pipe[0], err, sizeof(err));
	report(strcmp(err, "he") == 0, "after the reset the device works again");

	/* Other ways to break it. */
	const struct {
		const char *what, *want;
	} *t, cases[] = {
		{ "a kick for queue 7", "kick for queue 7 of 2" },
		{ "queue size 3", "queue 1: queue size 3 is not a power of two" },
		{ "an unaligned descriptor table", "descriptor ring at 0x20008" },
		{ "a queue enabled before FEATURES_OK", "enabled before FEATURES_OK" },
	};
	for (t = cases; t < cases + 4; t++) {
		bring_up(DRIVER_FEATURES);
		capture_stderr(true);
		if (t == cases) {
			kick(7);
		} else if (t == cases + 3) {
			set_common(STATUS, 1, 0);
			set_common(STATUS, 1, S_ACK | S_DRIVER);
			setup_queue(TXQ, &tx, TX_RING, 16);
		} else {
			set_common(STATUS, 1, 0);
			set_common(STATUS, 1, S_ACK | S_DRIVER);
			write_features(DRIVER_FEATURES);
			set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
			set_common(Q_SELECT, 2, TXQ);
			set_common(Q_SIZE, 2, t == cases + 1 ? 3 : 16);
			set_common(Q_DESC, 4, TX_RING + 8);
			set_common(Q_AVAIL, 4, TX_RING + 0x1000);
			set_common(Q_USED, 4, TX_RING + 0x2000);
			set_common(Q_ENABLE, 2, 1);
		}
		capture_stderr(false);
		drain(err_pipe[0], err, sizeof(err));
		if (!report((status() & S_NEEDS_RESET) && strstr(err, t->want) &&
			    (isr() & VIRTIO_ISR_CONFIG), "%s: NEEDS_RESET", t->what))
			diag("status %#x, stderr: %s", status(), err);
	}
	set_common(STATUS, 1, 0);
}

/*
 * A driver that repeats its mistake for ever (reset, a bad negotiation,
 * reset...) gets VDEV_COMPLAINTS lines on stderr in all, one more saying
 * that the rest are not shown, then nothing (virtio_pci.c, L735).
 */
static void test_complaints_bounded(void)
{
	static char err[16384];
	unsigned int i, lines = 0, hidden = 0;
	bool refused = true;
	const char *p;

	capture_stderr(true);
	for (i = 0; i < 100; i++) {
		set_common(STATUS, 1, 0);
		set_common(STATUS, 1, S_ACK | S_DRIVER);
		write_features(VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
		set_common(STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK);
		refused = refused && !(status() & S_FEATURES_OK);
	}
	capture_stderr(false);
	drain(err_pipe[0], err, sizeof(err));
	for (p = err; (p = strchr(p, '\n')); p++)
		lines++;
	for (p = err; (p = strstr(p, "are not shown")); p++)
		hidden++;
	report(lines > 1 && lines <= 65 && hidden == 1,
	       "the same mistake 100 times: at most 65 lines on stderr (%u), one saying the rest are not shown (%u)",
	       lines, hidden);
	report(refused, "and the driver is refused every time");
	set_common(STATUS, 1, 0);
}

/*
 * Ctrl-A x on a raw terminal stops the Launcher even when the Guest takes
 * no input at all (no driver yet, or a hung one): keys typed before it must
 * not stand in its way.  The console runs in a child on a pty; it may only
 * exit through the escape, and must within a second of it.
 */
static void test_escape_without_driver(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), ready[2], err[2], status = 0;
	unsigned int waited = 0;
	char said[256] = "";
	ssize_t n;
	pid_t child;

	if (master < 0 || grantpt(master) || unlockpt(master) || pipe(ready) ||
	    pipe2(err, O_NONBLOCK)) {
		report(0, "a pty for the escape test");
		return;
	}
	child = fork();
	if (child == 0) {
		int slave = open(ptsname(master), O_RDWR | O_NOCTTY);

		dup2(err[1], STDERR_FILENO);
		g.mem = calloc(1, RAM);
		g.raise_irq = record_irq;
		if (slave < 0 || !g.mem || pci__init(&g) ||
		    console__add(&g, slave, open("/dev/null", O_WRONLY)) || console__start(&g))
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		sleep(5);
		_exit(0);
	}
	if (read(ready[0], said, 1) != 1 || write(master, "hello", 5) != 5) {
		report(0, "the console came up on the pty");
		return;
	}
	usleep(200000);
	if (write(master, "\001x", 2) != 2)
		report(0, "Ctrl-A x written");
	while (waited < 20 && waitpid(child, &status, WNOHANG) == 0) {
		usleep(50000);
		waited++;
	}
	if (waited == 20)
		waitpid(child, &status, 0);
	n = read(err[0], said, sizeof(said) - 1);
	said[n > 0 ? n : 0] = '\0';
	report(waited < 20 && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FAILURE,
	       "Ctrl-A x after other keys stops a Launcher whose Guest takes no input (%u ms, status %#x)",
	       waited * 50, (unsigned int)status);
	report(strstr(said, "stopped from the console") != NULL, "and says so");
	close(master);
	close(ready[0]);
	close(ready[1]);
	close(err[0]);
	close(err[1]);
}

/*
 * A long paste into a raw terminal, to a Guest that takes 16 bytes at a
 * time: the console reads ahead while keys wait (so that Ctrl-A x works),
 * but never more than it can keep, so every byte arrives, in order.  In a
 * child on a pty, as above; it exits 0 only if all of them came.
 */
#define PASTE		6000

static void *paste_writer(void *arg)
{
	static uint8_t text[PASTE];
	int master = *(int *)arg;
	size_t done = 0;
	ssize_t n;

	for (size_t i = 0; i < PASTE; i++)
		text[i] = (uint8_t)('a' + i % 26);
	while (done < PASTE && (n = write(master, text + done, PASTE - done)) > 0)
		done += (size_t)n;
	return NULL;
}

static int slow_guest_child(int master)
{
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	uint16_t k;
	size_t got = 0;
	pthread_t writer;

	g.mem = calloc(1, RAM);
	g.raise_irq = record_irq;
	if (slave < 0 || !g.mem || pci__init(&g) ||
	    console__add(&g, slave, open("/dev/null", O_WRONLY)) || console__start(&g))
		return 2;
	bar = cfg_in(0x10, 4);
	cfg_out(0x04, 2, 0x0006);
	bring_up(DRIVER_FEATURES);
	pthread_create(&writer, NULL, paste_writer, &master);
	for (k = 0; got < PASTE && k < 2 * PASTE; k++) {
		uint16_t d = k % 16;
		uint32_t len;

		add_rx_buffer(d, 16);
		kick(RXQ);
		if (!wait_used(&rx, (uint16_t)(k + 1)))
			return 3;
		len = drv_used_len(&rx, k);
		for (uint32_t i = 0; i < len; i++, got++)
			if (g.mem[RX_BUF + 0x100u * d + i] != (uint8_t)('a' + got % 26))
				return 4;
		usleep(200);
	}
	return got == PASTE ? 0 : 5;
}

static void test_slow_guest_paste(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), status = 0;
	pid_t child;

	if (master < 0 || grantpt(master) || unlockpt(master)) {
		report(0, "a pty for the paste test");
		return;
	}
	child = fork();
	if (child == 0)
		_exit(slow_guest_child(master));
	waitpid(child, &status, 0);
	report(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a %u-byte paste into a raw terminal reaches a Guest that takes 16 bytes at a time, "
	       "every byte in order (status %#x)", PASTE, (unsigned int)status);
	close(master);
}

int main(void)
{
	test_escape_without_driver();
	test_slow_guest_paste();

	g.mem = calloc(1, RAM);
	g.raise_irq = record_irq;
	saved_stderr = dup(STDERR_FILENO);
	if (!g.mem || pipe(in_pipe) || pipe2(out_pipe, O_NONBLOCK) ||
	    pipe2(err_pipe, O_NONBLOCK) || pci__init(&g) ||
	    console__add(&g, in_pipe[0], out_pipe[1]) || console__start(&g))
		return 1;
	bar = cfg_in(0x10, 4);
	cfg_out(0x04, 2, 0x0006);	/* memory decoding and bus mastering on */

	test_registers();
	test_negotiation();
	test_queue_setup();
	test_transmit();
	test_receive();
	test_needs_reset();
	test_complaints_bounded();

	/* The input thread may still be waiting: end without tearing down under it. */
	return report_summary();
}
