// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_block.c - virtio-blk's request parsing and serving against whatever
 * a fuzzer makes.
 *
 * We include launcher/block.c itself, to reach parse_request() and serve()
 * without its thread.  One input describes a chain, as virtqueue.c would
 * hand it over: a flags byte, then buffers, each a length and (for the
 * readable ones) its bytes.  Every buffer is a heap block of exactly its
 * length, so ASan stops us at the first byte read or written outside one.
 * The disk is a 16-sector memfd.  A request that parses must stay inside
 * the disk, and serve() must write a status byte and no more than the
 * chain's writable bytes; anything else aborts.
 *
 * Built two ways, like fuzz_virtqueue.c:
 *   make check:  gcc with ASan/UBSan, main() below runs a fixed series of
 *                pseudo-random chains and prints TAP;
 *   make fuzz:   clang -fsanitize=fuzzer -DLG_LIBFUZZER, libFuzzer's main.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <stdlib.h>
#include <sys/mman.h>

#include "../../launcher/block.c"

#define FUZZ_SECTORS	16
#define MAX_BUFS	14
#define MAX_BUF_LEN	4096
#define LENGTHS		13	/* where the buffer lengths start in an input */

static int disk_fd = -1;

/*
 * Input: [0] flags (bits 0-2 readable buffers, 3-5 writable ones, 6 ro),
 * [1..4] the type, [5..12] the sector (both written into the first
 * buffer when it can hold a header, so that real types and sectors come
 * up often), [13..40] fourteen le16 buffer lengths (folded to 1..4096), then
 * the contents of the readable buffers, one after the other.
 * Returns 1 if the request parsed, 0 if not.
 */
static int run_one(const uint8_t *data, size_t len)
{
	static struct vq_chain c;
	static struct blk_req r;
	struct disk d = { .path = "fuzz", .fd = disk_fd, .sectors = FUZZ_SECTORS };
	uint8_t *bufs[MAX_BUFS] = { NULL };
	unsigned int n_out, n_in, i;
	char why[LG_WHY_MAX];
	size_t at = LENGTHS + 2 * MAX_BUFS, blen;
	uint32_t written;
	int parsed = 0;

	if (len < at)
		return 0;
	n_out = data[0] & 7;
	n_in = (data[0] >> 3) & 7;
	d.ro = data[0] & 0x40;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n_out + n_in; i++) {
		/* virtqueue.c never hands out empty buffers */
		blen = 1 + get_le16(data + LENGTHS + 2 * i) % MAX_BUF_LEN;
		bufs[i] = malloc(blen);
		if (!bufs[i])
			goto out;
		memset(bufs[i], 0xA5, blen);
		if (i < n_out && at < len) {
			size_t k = len - at < blen ? len - at : blen;

			memcpy(bufs[i], data + at, k);
			at += k;
		}
		if (i == 0 && blen >= BLK_HDR_SIZE) {
			memcpy(bufs[0], data + 1, 4);
			memcpy(bufs[0] + 8, data + 5, 8);
		}
		c.iov[i].iov_base = bufs[i];
		c.iov[i].iov_len = blen;
		if (i < n_out)
			c.out_len += (uint32_t)blen;
		else
			c.in_len += (uint32_t)blen;
	}
	c.n_out = n_out;
	c.n_in = n_in;

	if (parse_request(&d, &c, &r, why) == 0) {
		parsed = 1;
		if ((r.type == BLK_T_IN || r.type == BLK_T_OUT) &&
		    (r.sector > FUZZ_SECTORS || r.data_len / SECTOR_SIZE > FUZZ_SECTORS - r.sector))
			abort();	/* parsed a request that leaves the disk */
		written = serve(&d, &r);
		if (written > c.in_len || *r.status > BLK_S_UNSUPP)
			abort();
		if (d.ro && r.type == BLK_T_OUT && *r.status != BLK_S_IOERR)
			abort();	/* a read-only disk took a write */
	}
out:
	for (i = 0; i < MAX_BUFS; i++)
		free(bufs[i]);
	return parsed;
}

static int open_disk_file(void)
{
	if (disk_fd >= 0)
		return 0;
	disk_fd = memfd_create("fuzz-disk", 0);
	return disk_fd >= 0 && ftruncate(disk_fd, FUZZ_SECTORS * SECTOR_SIZE) == 0 ? 0 : -1;
}

#ifdef LG_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (open_disk_file())
		abort();
	run_one(data, len);
	return 0;
}
#else
#include "tap.h"

#define RUNS		20000

static uint32_t rng_state = 0x9E3779B9;

static uint32_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

int main(void)
{
	static uint8_t buf[4096];
	unsigned int run, i, parsed = 0;
	size_t len;

	if (open_disk_file())
		return 1;
	for (run = 0; run < RUNS; run++) {
		len = LENGTHS + 2 * MAX_BUFS + next_random() % (sizeof(buf) - LENGTHS - 2 * MAX_BUFS);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)next_random();
		/* Mostly real types and sectors near the disk, and short buffers. */
		if (run % 4) {
			buf[1] = (uint8_t)(next_random() % 10);
			buf[2] = buf[3] = buf[4] = 0;
			memset(buf + 5, 0, 8);
			buf[5] = (uint8_t)(next_random() % (FUZZ_SECTORS + 4));
			if (run % 16 == 1)
				memset(buf + 5, 0xFF, 8);
			buf[0] = (uint8_t)((buf[0] & 0x40) | (1 + next_random() % 3) |
					   (1 + next_random() % 2) << 3);
			for (i = 0; i < MAX_BUFS; i++)
				buf[LENGTHS + 2 * i + 1] = (uint8_t)(next_random() % 5);
			if (run % 3 == 0)
				put_le16(buf + LENGTHS, BLK_HDR_SIZE - 1);
			if (run % 5 == 0)
				put_le16(buf + LENGTHS + 2, 511);
		}
		parsed += (unsigned int)run_one(buf, len);
	}
	report(true, "%u random chains: no crash, no access outside a buffer, every parsed "
	       "request inside the disk", RUNS);
	report(parsed > RUNS / 50 && parsed < RUNS,
	       "some parsed (%u) and some were refused (%u)", parsed, RUNS - parsed);
	return report_summary();
}
#endif
