// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_virtqueue.c - the virtqueue parser against whatever a fuzzer makes.
 *
 * One input is a small guest RAM image plus a header choosing the queue
 * size, the ring features and where the three parts go.  We enable the
 * queue and pop, touching every byte of every buffer a chain hands out
 * (ASan stops us at the first one outside RAM), and push each chain back,
 * until the queue is empty or broken.  The number of pops is bounded by
 * the avail index check, so every input finishes quickly.
 *
 * Built two ways:
 *   make check:  gcc with ASan/UBSan, main() below runs a fixed series of
 *                pseudo-random inputs (no clang needed) and prints TAP;
 *   make fuzz:   clang -fsanitize=fuzzer -DLG_LIBFUZZER, libFuzzer's main.
 */
#include <stdlib.h>
#include <string.h>

#include "virtio.h"

#define FUZZ_RAM	0x4000u		/* 16 KiB: addresses mostly land inside */
#define HEADER		16

/*
 * Header: [0] log2 queue size (0-9, so some too big), [1] features and
 * "tame" bit, [2..7] desc/avail/used offsets in 64-byte steps, [8..9] how
 * far the avail index is ahead.  The rest is RAM.  With the tame bit,
 * descriptor addresses and lengths are folded into RAM (plus a little
 * beyond), which lets random bytes reach the deep paths: chains, indirect
 * tables and loops, rather than always failing at the first address.
 */
static void tame_descriptors(uint8_t *mem, uint32_t at, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n && at + 16 * (i + 1) <= FUZZ_RAM; i++) {
		uint8_t *d = mem + at + 16 * i;

		put_le64(d, get_le64(d) % (FUZZ_RAM + 64));
		put_le32(d + 8, get_le32(d + 8) % 600);
		put_le16(d + 14, get_le16(d + 14) % (2 * n + 1));
	}
}

static void touch(const struct vq_chain *c)
{
	unsigned int i;
	volatile uint8_t sink = 0;

	for (i = 0; i < c->n_out + c->n_in; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t j;

		for (j = 0; j < c->iov[i].iov_len; j++) {
			sink ^= p[j];
			if (i >= c->n_out)
				p[j] = (uint8_t)j;
		}
	}
	(void)sink;
}

static int run_one(const uint8_t *data, size_t len)
{
	static struct vq_chain c;
	struct guest g = { .ram_size = FUZZ_RAM, .fd = -1 };
	struct virtqueue vq;
	uint8_t hdr[HEADER] = { 0 };
	uint32_t n;
	int pops = 0, rc;

	memcpy(hdr, data, len < HEADER ? len : HEADER);
	g.mem = calloc(1, FUZZ_RAM);
	if (!g.mem)
		return 0;
	if (len > HEADER)
		memcpy(g.mem, data + HEADER, len - HEADER < FUZZ_RAM ? len - HEADER : FUZZ_RAM);

	vq_reset(&vq, &g, VQ_MAX_SIZE);
	vq.size = (uint16_t)(1u << (hdr[0] % 10));
	if (hdr[0] & 0x80)
		vq.size = (uint16_t)(hdr[0] | hdr[9] << 8);
	n = vq.size;
	vq.desc_addr = (uint64_t)get_le16(hdr + 2) * 64 % (FUZZ_RAM + 1024);
	vq.avail_addr = (uint64_t)get_le16(hdr + 4) * 2 % (FUZZ_RAM + 64);
	vq.used_addr = (uint64_t)get_le16(hdr + 6) * 4 % (FUZZ_RAM + 64);
	if (hdr[1] & 0x80)
		tame_descriptors(g.mem, (uint32_t)vq.desc_addr, n);
	if (vq_enable(&vq, (uint64_t)(hdr[1] & 3) << VIRTIO_F_RING_INDIRECT_DESC) == 0) {
		/* The avail index: the driver says hdr[8] chains are waiting. */
		put_le16(g.mem + vq.avail_addr + 2, hdr[8]);
		for (;;) {
			/*
			 * What the avail index offers now: the buffers we
			 * fill may lie over the ring and move it, as a
			 * driver may, so it is read before every pop.
			 */
			uint16_t offered = (uint16_t)(get_le16(g.mem + vq.avail_addr + 2) - pops);

			rc = vq_pop(&vq, &c);
			if (rc != 1 || pops++ >= 1000)
				break;
			if (!offered)
				abort();	/* a chain the avail index did not offer */
			touch(&c);
			vq_push(&vq, &c, get_le32(hdr + 10));
			vq_should_interrupt(&vq);
		}
	}
	free(g.mem);
	return 0;
}

#ifdef LG_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return run_one(data, len);
}
#else
#include "tap.h"

#define RUNS		3000

static uint32_t rng_state = 0x12345678;

static uint32_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

int main(void)
{
	static uint8_t buf[HEADER + FUZZ_RAM];
	unsigned int run, i;
	size_t len;

	for (run = 0; run < RUNS; run++) {
		len = HEADER + next_random() % FUZZ_RAM;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)next_random();
		buf[1] |= run % 4 ? 0x80 : 0;		/* mostly tame */
		buf[0] &= run % 8 ? 0x7F : 0xFF;	/* sometimes a raw size */
		buf[2] = buf[3] = 0;			/* descriptors at 0 */
		run_one(buf, len);
	}
	report(true, "%u random rings: no crash, no access outside RAM, bounded pops", RUNS);
	return report_summary();
}
#endif
