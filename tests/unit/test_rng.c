// SPDX-License-Identifier: GPL-2.0
/*
 * test_rng.c - virtio-rng (launcher/rng.c) as Linux's virtio-rng driver
 * uses it: buffers offered, filled from getrandom(2), a cap on what one
 * request gets, and requests no driver would make, which stop the device
 * with a message.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -pthread -I include -I launcher -o test_rng \
 *       tests/unit/test_rng.c launcher/insn.c launcher/pci.c \
 *       launcher/virtio_pci.c launcher/virtqueue.c launcher/console.c \
 *       launcher/block.c launcher/rng.c launcher/term.c && ./test_rng
 */
#define _GNU_SOURCE	/* pipe2 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virtio.h"
#include "tap.h"
#include "vdrv.h"

#define RAM		(4u << 20)
#define RNG_SLOT	2
#define RING		0x10000u
#define BUF		0x20000u
#define BIG		0x100000u

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int err_pipe[2], saved_stderr;
static struct vdrv rng;
static struct drv_ring ring;
static int irqs;

static void record_irq(struct guest *gg, unsigned int irq)
{
	(void)gg;
	(void)irq;
	irqs++;
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

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static void test_device(void)
{
	report(vdrv_cfg_in(&rng, 0, 4) == 0x10441AF4, "slot 2: virtio 1.0 entropy device (1AF4:1044)");
	report(!vdrv_has_cap(&rng, 4), "no device-config capability: rng has no config");
	report((uint32_t)vdrv_device_features(&rng) == 0x30000000u,
	       "no device features, only the ring ones");
	report(vdrv_common(&rng, 0x12, 2) == 1, "one queue");
}

static void test_fill(void)
{
	vdrv_bring_up(&rng, VD_FEATURES, &ring, RING, 16);
	irqs = 0;
	memset(g.mem + BUF, 0, 256);
	drv_desc(&ring, 0, BUF, 64, VRING_F_WRITE, 0);
	drv_offer(&ring, 0);
	vdrv_kick(&rng, 0);
	report(drv_used_idx(&ring) == 1 && drv_used_len(&ring, 0) == 64,
	       "a 64-byte buffer comes back with 64 bytes");
	report(!all_zero(g.mem + BUF, 64) && all_zero(g.mem + BUF + 64, 192),
	       "bytes inside it, none past it");
	report(irqs == 1, "with an interrupt");

	drv_desc(&ring, 1, BUF + 128, 16, VRING_F_WRITE | VRING_F_NEXT, 2);
	drv_desc(&ring, 2, BUF + 192, 16, VRING_F_WRITE, 0);
	drv_offer(&ring, 1);
	vdrv_kick(&rng, 0);
	report(drv_used_idx(&ring) == 2 && drv_used_len(&ring, 1) == 32 &&
	       !all_zero(g.mem + BUF + 128, 16) && !all_zero(g.mem + BUF + 192, 16),
	       "a chain of two 16-byte buffers: both filled, 32 used");

	memset(g.mem + BIG, 0, 1u << 20);
	drv_desc(&ring, 3, BIG, 1u << 20, VRING_F_WRITE, 0);
	drv_offer(&ring, 3);
	vdrv_kick(&rng, 0);
	report(drv_used_idx(&ring) == 3 && drv_used_len(&ring, 2) == 65536 &&
	       all_zero(g.mem + BIG + 65536, (1u << 20) - 65536),
	       "a 1 MiB buffer gets 64 KiB, the cap on one request");
}

static void test_hostile(void)
{
	static const struct {
		const char *what, *want;
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
	} *t, cases[] = {
		{ "a device-readable buffer", "request with 64 device-readable bytes", BUF, 64, 0 },
		{ "an empty buffer", "request with no buffer to fill", BUF, 0, VRING_F_WRITE },
		{ "a buffer past RAM", "buffer at 0x3ffff0 (32 bytes) is outside guest RAM",
		  RAM - 16, 32, VRING_F_WRITE },
		{ "a wrapping buffer", "buffer at 0xffffff00 (512 bytes) is outside guest RAM",
		  0xFFFFFF00u, 512, VRING_F_WRITE },
		{ "an address above 4 GiB", "buffer at 0x100000000 (16 bytes) is outside",
		  0x100000000ull, 16, VRING_F_WRITE },
	};
	const char *err;

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++) {
		vdrv_bring_up(&rng, VD_FEATURES, &ring, RING, 16);
		drv_desc(&ring, 0, t->addr, t->len, t->flags, 0);
		drain();
		capture_stderr(true);
		drv_offer(&ring, 0);
		vdrv_kick(&rng, 0);
		capture_stderr(false);
		err = drain();
		if (!report((vdrv_status(&rng) & VIRTIO_STATUS_NEEDS_RESET) && strstr(err, t->want) &&
			    strstr(err, "lguest: rng: ") == err && drv_used_idx(&ring) == 0,
			    "%s: NEEDS_RESET, named, nothing used", t->what))
			diag("status %#x, stderr: %s", vdrv_status(&rng), err);
	}
	vdrv_bring_up(&rng, VD_FEATURES, &ring, RING, 16);
	drv_desc(&ring, 0, BUF, 8, VRING_F_WRITE, 0);
	drv_offer(&ring, 0);
	vdrv_kick(&rng, 0);
	report(drv_used_idx(&ring) == 1 && drv_used_len(&ring, 0) == 8,
	       "after a reset the device works again");
	report(rng__add(&g) == -1, "a second rng is refused");
}

int main(void)
{
	int null_fd = open("/dev/null", O_WRONLY);

	g.mem = calloc(1, RAM);
	g.raise_irq = record_irq;
	saved_stderr = dup(STDERR_FILENO);
	if (!g.mem || null_fd < 0 || pipe2(err_pipe, O_NONBLOCK) || pci__init(&g) ||
	    console__add(&g, -1, null_fd) || rng__add(&g))
		return 1;
	vdrv_open(&rng, &g, RNG_SLOT);

	test_device();
	test_fill();
	test_hostile();

	pci__exit(&g);
	free(g.mem);
	return report_summary();
}
