// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_load.c - the image loaders (launcher/load.c) against whatever a
 * fuzzer makes: ELF and bzImage parsing, initrd placement, boot_params and
 * the command line.
 *
 * An input:
 *   [0]       guest memory: bit 7 set, (bits 0-5 + 1) * 4 KiB (small, for
 *             ELF kernels); clear, 1 MiB + (bits 0-4) * 32 KiB (room for a
 *             bzImage at 1 MiB)
 *   [1..3]    le24 length of the initrd, taken from the end (0: none)
 *   [4..5]    le16 length of the one kernel argument (all 'x'; up to 64 KiB)
 *   [6..]     the kernel image, then the initrd
 *
 * Guest memory is a heap block of exactly its size, so ASan stops the
 * first byte written outside it.  Besides that we abort when the loaders
 * break their promises: a refusal is one line naming the problem and the
 * fix ("problem; what to do"); a refused kernel leaves memory untouched
 * (checked in the small memories); a loaded kernel starts and ends inside
 * RAM; the initrd sits page-aligned at the top of RAM, above the kernel and
 * boot_params, and holds the file's bytes; the command line is the argument.
 *
 * make check runs it for LG_FUZZ_SECONDS from tests/unit/corpus/load/
 * (tests/unit/run-fuzz.sh); make fuzz runs it for FUZZ_SECONDS.
 */
#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>

#include "lguest.h"

#define HEADER		6
#define RAM_MAX		((1u << 20) + 31 * 0x8000u)
#define LOW_RESERVED	(LGUEST_CMDLINE_GPA + LGUEST_CMDLINE_MAX)

static void check_why(const char *why)
{
	size_t n = strnlen(why, LG_WHY_MAX);

	if (n == 0 || n == LG_WHY_MAX || strchr(why, '\n') || !strstr(why, "; "))
		abort();	/* not one line saying the problem and the fix */
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * Guest memory: one block, kept zeroed between inputs, with everything past
 * this input's RAM size poisoned so that ASan stops any access there, as
 * it would past a block of exactly that size (allocating a new megabyte
 * for each input would cost most of the time).
 */
static uint8_t *ram_block(uint32_t size)
{
	static uint8_t *block;

	if (!block)
		block = calloc(1, RAM_MAX);
	if (block) {
		ASAN_UNPOISON_MEMORY_REGION(block, size);
		ASAN_POISON_MEMORY_REGION(block + size, RAM_MAX - size);
	}
	return block;
}

static int run_one(const uint8_t *data, size_t len)
{
	static char arg[0x10000];
	struct guest g = { .fd = -1 };
	bool loaded = false;
	size_t initrd_len, kernel_len, arg_len;
	const uint8_t *kernel, *initrd;
	char why[LG_WHY_MAX];
	char *argv[1] = { arg };
	bool small;

	if (len < HEADER)
		return 0;
	small = data[0] & 0x80;
	g.ram_size = small ? ((data[0] & 0x3Fu) + 1) * LG_PAGE_SIZE :
			     (1u << 20) + (data[0] & 0x1Fu) * 0x8000u;
	initrd_len = data[1] | data[2] << 8 | (size_t)data[3] << 16;
	arg_len = get_le16(data + 4);
	kernel = data + HEADER;
	kernel_len = len - HEADER;
	if (initrd_len > kernel_len)
		initrd_len = kernel_len;
	kernel_len -= initrd_len;
	initrd = kernel + kernel_len;

	g.mem = ram_block(g.ram_size);
	if (!g.mem)
		return 0;
	why[0] = '\0';
	if (load_kernel(&g, kernel, kernel_len, why)) {
		check_why(why);
		if (small && !all_zero(g.mem, g.ram_size))
			abort();	/* a refused kernel wrote to memory */
		goto out;
	}
	if (g.start >= g.ram_size || g.kernel_end > g.ram_size || g.kernel_end <= g.start)
		abort();	/* a kernel that starts or ends outside RAM */
	loaded = true;

	if (initrd_len) {
		if (load_initrd(&g, initrd, initrd_len, why)) {
			check_why(why);
			if (g.initrd_addr || g.initrd_size)
				abort();
		} else if (g.initrd_addr % LG_PAGE_SIZE || g.initrd_size < initrd_len ||
			   g.initrd_size - initrd_len >= LG_PAGE_SIZE ||
			   g.initrd_addr + g.initrd_size != g.ram_size ||
			   g.initrd_addr < g.kernel_end || g.initrd_addr < LOW_RESERVED ||
			   memcmp(g.mem + g.initrd_addr, initrd, initrd_len) ||
			   !all_zero(g.mem + g.initrd_addr + initrd_len,
				     g.initrd_size - initrd_len)) {
			abort();	/* the initrd is not where boot_params will say */
		}
	}

	memset(arg, 'x', arg_len);
	arg[arg_len] = '\0';
	if (setup_boot_params(&g, 1, argv, why)) {
		check_why(why);
		if (g.ram_size >= LOW_RESERVED && arg_len < LGUEST_CMDLINE_MAX)
			abort();	/* refused a command line that fits */
	} else if (arg_len >= LGUEST_CMDLINE_MAX ||
		   strnlen((char *)g.mem + LGUEST_CMDLINE_GPA, LGUEST_CMDLINE_MAX) != arg_len ||
		   get_le32(g.mem + BP_HDR_RAMDISK_IMAGE) != g.initrd_addr ||
		   get_le32(g.mem + BP_HDR_RAMDISK_SIZE) != g.initrd_size) {
		abort();	/* boot_params does not say what we loaded */
	}
out:
	/* A refused kernel wrote nothing (checked above, in small memories). */
	memset(g.mem, 0, loaded ? g.ram_size : LOW_RESERVED < g.ram_size ? LOW_RESERVED : g.ram_size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return run_one(data, len);
}
