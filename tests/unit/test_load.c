// SPDX-License-Identifier: GPL-2.0
/*
 * test_load.c - the kernel loader (ELF and bzImage), the initrd and
 * boot_params, against a malloc'd "guest memory" and hand-made images.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher \
 *       -o test_load tests/unit/test_load.c launcher/load.c && ./test_load
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "lguest.h"
#include "tap.h"

#define RAM		(32u << 20)
#define KBASE		0x1000000u	/* where a real vmlinux goes */
#define POISON		0xAA

static struct guest g;
static char why[LG_WHY_MAX];

static void reset_guest(void)
{
	memset(g.mem, POISON, RAM);
	g.ram_size = RAM;
	g.start = g.kernel_end = g.initrd_addr = g.initrd_size = 0;
	why[0] = '\0';
}

/* ---- ELF images: a header, up to 4 program headers, then their bytes. */
#define ELF_TEXT_OFF	0x200
#define ELF_TEXT_LEN	0x100
#define ELF_DATA_OFF	0x300
#define ELF_DATA_LEN	0x80
#define ELF_FILE_LEN	0x400

struct elf_image {
	uint8_t bytes[ELF_FILE_LEN];
	Elf32_Ehdr eh;
	Elf32_Phdr ph[4];
};

/* A good vmlinux in miniature: text, data + bss, and a note to skip. */
static void make_elf(struct elf_image *im)
{
	unsigned int i;

	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_386;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = KBASE;
	im->eh.e_phoff = sizeof(Elf32_Ehdr);
	im->eh.e_ehsize = sizeof(Elf32_Ehdr);
	im->eh.e_phentsize = sizeof(Elf32_Phdr);
	im->eh.e_phnum = 3;

	im->ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = ELF_TEXT_OFF,
		.p_vaddr = 0xC0000000u + KBASE, .p_paddr = KBASE,
		.p_filesz = ELF_TEXT_LEN, .p_memsz = ELF_TEXT_LEN, .p_flags = PF_R | PF_X };
	im->ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = ELF_DATA_OFF,
		.p_vaddr = 0xC0000000u + KBASE + 0x10000, .p_paddr = KBASE + 0x10000,
		.p_filesz = ELF_DATA_LEN, .p_memsz = 0x2000, .p_flags = PF_R | PF_W };
	im->ph[2] = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 0xFFFFFF00u,
		.p_filesz = 0x1000 };	/* nonsense, but not PT_LOAD: must be ignored */
	for (i = 0; i < ELF_TEXT_LEN; i++)
		im->bytes[ELF_TEXT_OFF + i] = (uint8_t)(i + 1);
	for (i = 0; i < ELF_DATA_LEN; i++)
		im->bytes[ELF_DATA_OFF + i] = (uint8_t)(0x80 + i);
}

static const uint8_t *elf_bytes(struct elf_image *im)
{
	memcpy(im->bytes, &im->eh, sizeof(im->eh));
	memcpy(im->bytes + sizeof(im->eh), im->ph, sizeof(im->ph));
	return im->bytes;
}

static bool all_bytes(uint32_t gpa, uint32_t len, uint8_t val)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (g.mem[gpa + i] != val)
			return false;
	return true;
}

/* A rejection must fail, leave memory alone, and say one line with a fix. */
static void expect_reject(struct elf_image *im, size_t len, const char *words, const char *what)
{
	int r;

	reset_guest();
	r = load_kernel(&g, elf_bytes(im), len, why);
	report(r == -1 && strstr(why, words) && strchr(why, ';') && !strchr(why, '\n'),
	       "ELF rejected: %s", what);
	if (r != -1 || !strstr(why, words))
		diag("got %d, \"%s\"; wanted a message containing \"%s\"", r, why, words);
	report(all_bytes(KBASE, ELF_TEXT_LEN, POISON), "ELF rejected (%s): memory untouched", what);
}

static void test_elf_good(void)
{
	struct elf_image im;
	unsigned int i;
	bool text_ok = true, data_ok = true;

	make_elf(&im);
	reset_guest();
	report(load_kernel(&g, elf_bytes(&im), ELF_FILE_LEN, why) == 0, "good ELF accepted");
	report(g.start == KBASE, "ELF start is e_entry (%#x)", g.start);
	for (i = 0; i < ELF_TEXT_LEN; i++)
		text_ok &= g.mem[KBASE + i] == (uint8_t)(i + 1);
	for (i = 0; i < ELF_DATA_LEN; i++)
		data_ok &= g.mem[KBASE + 0x10000 + i] == (uint8_t)(0x80 + i);
	report(text_ok, "ELF text copied to p_paddr");
	report(data_ok, "ELF data copied to p_paddr");
	report(all_bytes(KBASE + 0x10000 + ELF_DATA_LEN, 0x2000 - ELF_DATA_LEN, 0),
	       "ELF bss (p_memsz beyond p_filesz) zeroed");
	report(g.mem[KBASE + 0x10000 + 0x2000] == POISON, "nothing written past p_memsz");
	report(g.kernel_end == KBASE + 0x12000, "kernel_end is the highest segment end (%#x)",
	       g.kernel_end);
}

static void test_elf_rejects(void)
{
	struct elf_image im;

	make_elf(&im);
	im.eh.e_ident[1] = 'X';
	expect_reject(&im, ELF_FILE_LEN, "neither an ELF vmlinux nor a bzImage", "bad magic");

	make_elf(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	expect_reject(&im, ELF_FILE_LEN, "64-bit", "64-bit class");

	make_elf(&im);
	im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_reject(&im, ELF_FILE_LEN, "big-endian", "big-endian");

	make_elf(&im);
	im.eh.e_machine = EM_X86_64;
	expect_reject(&im, ELF_FILE_LEN, "not an i386 ELF (machine 62)", "wrong machine");

	make_elf(&im);
	im.eh.e_type = ET_DYN;
	expect_reject(&im, ELF_FILE_LEN, "not an executable ELF (type 3)", "not ET_EXEC");

	make_elf(&im);
	im.eh.e_phentsize = 40;
	expect_reject(&im, ELF_FILE_LEN, "program header size", "odd e_phentsize");

	make_elf(&im);
	im.eh.e_phnum = 0;
	expect_reject(&im, ELF_FILE_LEN, "0 program headers", "no program headers");

	make_elf(&im);
	im.eh.e_phnum = 1000;
	expect_reject(&im, ELF_FILE_LEN, "1000 program headers", "too many program headers");

	make_elf(&im);
	im.eh.e_phoff = 0xFFFFFFF0u;
	expect_reject(&im, ELF_FILE_LEN, "beyond the end of the file", "e_phoff overflow");

	make_elf(&im);
	im.eh.e_phoff = ELF_FILE_LEN - 40;
	expect_reject(&im, ELF_FILE_LEN, "beyond the end of the file", "program headers past EOF");

	make_elf(&im);
	im.ph[1].p_paddr = RAM - 0x1000;
	expect_reject(&im, ELF_FILE_LEN, "outside guest memory", "segment past end of RAM");

	make_elf(&im);
	im.ph[1].p_paddr = 0xFFFFF000u;
	expect_reject(&im, ELF_FILE_LEN, "outside guest memory", "segment wrapping 4 GiB");

	make_elf(&im);
	im.ph[1].p_memsz = 0xFFFFFFFFu;
	expect_reject(&im, ELF_FILE_LEN, "outside guest memory", "huge p_memsz");

	make_elf(&im);
	im.ph[1].p_filesz = 0x3000;
	expect_reject(&im, ELF_FILE_LEN, "more file bytes", "p_filesz > p_memsz");

	make_elf(&im);
	im.ph[1].p_offset = 0xFFFFFFFFu;
	expect_reject(&im, ELF_FILE_LEN, "beyond the end of the file", "p_offset overflow");

	make_elf(&im);
	im.ph[1].p_offset = ELF_FILE_LEN - 0x10;
	expect_reject(&im, ELF_FILE_LEN, "truncated", "segment bytes past EOF");

	make_elf(&im);
	im.ph[1].p_paddr = 0x800;
	expect_reject(&im, ELF_FILE_LEN, "boot_params", "segment over boot_params");

	make_elf(&im);
	im.eh.e_entry = 0xC1000000u;
	expect_reject(&im, ELF_FILE_LEN, "entry point", "virtual entry point");

	make_elf(&im);
	im.ph[0].p_type = PT_NULL;
	im.ph[1].p_type = PT_NULL;
	expect_reject(&im, ELF_FILE_LEN, "no loadable segment", "no PT_LOAD");

	make_elf(&im);
	expect_reject(&im, sizeof(Elf32_Ehdr) - 1, "too short", "truncated header");

	make_elf(&im);
	expect_reject(&im, 3, "neither an ELF vmlinux nor a bzImage", "3-byte file");
}

/* ---- bzImage: setup sectors, then the 32-bit payload. */
#define BZ_SECTS	2
#define BZ_PAYLOAD	0x3000u
#define BZ_LEN		((BZ_SECTS + 1) * 512 + BZ_PAYLOAD)

static uint8_t bz[BZ_LEN + 512 * 3];

static void make_bzimage(uint8_t sects, uint16_t version)
{
	unsigned int off = ((sects ? sects : 4) + 1) * 512, i;

	memset(bz, 0, sizeof(bz));
	bz[0x1F1] = sects;
	put_le16(bz + 0x1FE, 0xAA55);
	memcpy(bz + 0x202, "HdrS", 4);
	put_le16(bz + 0x206, version);
	bz[0x211] = 0x01;				/* LOADED_HIGH */
	put_le32(bz + 0x214, LG_BZIMAGE_LOAD);		/* code32_start */
	put_le64(bz + 0x258, KBASE);			/* pref_address */
	put_le32(bz + 0x260, 0x400000);			/* init_size */
	for (i = 0; i < BZ_PAYLOAD; i++)
		bz[off + i] = (uint8_t)(i * 7 + 3);
}

static bool payload_at(uint32_t gpa, unsigned int off)
{
	return memcmp(g.mem + gpa, bz + off, BZ_PAYLOAD) == 0;
}

static void expect_bz_reject(size_t len, const char *words, const char *what)
{
	int r;

	reset_guest();
	r = load_kernel(&g, bz, len, why);
	report(r == -1 && strstr(why, words) && strchr(why, ';'), "bzImage rejected: %s", what);
	if (r != -1 || !strstr(why, words))
		diag("got %d, \"%s\"", r, why);
}

static void test_bzimage(void)
{
	make_bzimage(BZ_SECTS, 0x20f);
	reset_guest();
	report(load_kernel(&g, bz, BZ_LEN, why) == 0, "bzImage accepted (%s)", why);
	report(payload_at(LG_BZIMAGE_LOAD, (BZ_SECTS + 1) * 512),
	       "bzImage payload (after the setup sectors) placed at 1 MiB");
	report(g.mem[LG_BZIMAGE_LOAD + BZ_PAYLOAD] == POISON, "nothing written past the payload");
	report(g.mem[LG_BZIMAGE_LOAD - 1] == POISON, "nothing written below 1 MiB");
	report(g.start == LG_BZIMAGE_LOAD, "bzImage start is code32_start");
	report(g.kernel_end == KBASE + 0x400000, "kernel_end covers the unpacked kernel (%#x)",
	       g.kernel_end);

	make_bzimage(0, 0x20f);
	put_le32(bz + 0x214, LG_BZIMAGE_LOAD + 0x10);
	reset_guest();
	report(load_kernel(&g, bz, 5 * 512 + BZ_PAYLOAD, why) == 0 && payload_at(LG_BZIMAGE_LOAD, 5 * 512),
	       "setup_sects 0 means 4");
	report(g.start == LG_BZIMAGE_LOAD + 0x10, "start follows code32_start");

	make_bzimage(BZ_SECTS, 0x204);
	reset_guest();
	report(load_kernel(&g, bz, BZ_LEN, why) == 0 &&
	       g.kernel_end == LG_BZIMAGE_LOAD + BZ_PAYLOAD,
	       "old protocol (no init_size): kernel_end is the payload end");

	make_bzimage(BZ_SECTS, 0x20f);
	bz[0x211] = 0;
	expect_bz_reject(BZ_LEN, "zImage", "not LOADED_HIGH");

	make_bzimage(BZ_SECTS, 0x20f);
	expect_bz_reject((BZ_SECTS + 1) * 512, "no payload", "nothing after setup");

	make_bzimage(BZ_SECTS, 0x20f);
	put_le32(bz + 0x214, 0x1000);
	expect_bz_reject(BZ_LEN, "code32_start", "code32_start below payload");

	make_bzimage(BZ_SECTS, 0x20f);
	put_le32(bz + 0x260, RAM);
	expect_bz_reject(BZ_LEN, "unpacks", "unpacked kernel beyond RAM");

	make_bzimage(BZ_SECTS, 0x20f);
	g.ram_size = LG_BZIMAGE_LOAD + 0x1000;
	report(load_kernel(&g, bz, BZ_LEN, why) == -1 && strstr(why, "does not fit"),
	       "bzImage rejected: payload bigger than RAM");
}

/* ---- initrd and boot_params */
static void test_initrd(void)
{
	static uint8_t rd[5000];
	uint32_t expect_addr = RAM - 8192;
	unsigned int i;

	for (i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i ^ 0x5A);
	reset_guest();
	g.kernel_end = KBASE + 0x12000;
	report(load_initrd(&g, rd, sizeof(rd), why) == 0, "initrd accepted");
	report(g.initrd_addr == expect_addr, "initrd at top of RAM, page-rounded (%#x)",
	       g.initrd_addr);
	report(g.initrd_size == 8192, "initrd size is page-rounded (%u)", g.initrd_size);
	report(memcmp(g.mem + expect_addr, rd, sizeof(rd)) == 0, "initrd contents copied");
	report(all_bytes(expect_addr + sizeof(rd), 8192 - sizeof(rd), 0), "initrd tail page zeroed");

	reset_guest();
	g.kernel_end = RAM - 4096;
	report(load_initrd(&g, rd, sizeof(rd), why) == -1 && strstr(why, "does not fit"),
	       "initrd that would overlap the kernel rejected");
	reset_guest();
	g.kernel_end = RAM - 8192;
	report(load_initrd(&g, rd, sizeof(rd), why) == 0 && g.initrd_addr == RAM - 8192,
	       "initrd fitting exactly above the kernel accepted");
	reset_guest();
	report(load_initrd(&g, rd, 0, why) == -1 && strstr(why, "empty"), "empty initrd rejected");
	reset_guest();
	g.kernel_end = RAM;
	report(load_initrd(&g, rd, 1, why) == -1, "initrd with no room at all rejected");
}

static void test_boot_params(void)
{
	static uint8_t rd[100];
	char *args[] = { "console=hvc0", "root=/dev/vda", "quiet" };
	const uint8_t *bp = g.mem;
	unsigned int i, nonzero = 0;

	reset_guest();
	report(setup_boot_params(&g, 3, args, why) == 0, "boot_params built");
	report(bp[BP_E820_ENTRIES] == 1, "e820_entries is 1");
	report(get_le64(bp + BP_E820_MAP) == 0 && get_le64(bp + BP_E820_MAP + 8) == RAM &&
	       get_le32(bp + BP_E820_MAP + 16) == BP_E820_RAM, "e820[0] is {0, RAM size, RAM}");
	report(get_le16(bp + BP_HDR_VERSION) == 0x207, "hdr.version 0x207");
	report(bp[BP_HDR_LOADFLAGS] == BP_LOADFLAGS_KEEP_SEGMENTS, "loadflags KEEP_SEGMENTS");
	report(get_le32(bp + BP_HDR_CMD_LINE_PTR) == 0x1000, "cmd_line_ptr 0x1000");
	report(get_le32(bp + BP_HDR_KERNEL_ALIGNMENT) == 0x1000000, "kernel_alignment 16 MiB");
	report(get_le32(bp + BP_HDR_HARDWARE_SUBARCH) == 1, "hardware_subarch 1 (lguest)");
	report(get_le32(bp + BP_HDR_RAMDISK_IMAGE) == 0 && get_le32(bp + BP_HDR_RAMDISK_SIZE) == 0 &&
	       bp[BP_HDR_TYPE_OF_LOADER] == 0, "no initrd: ramdisk fields and type_of_loader 0");
	for (i = 0; i < 4096; i++)
		nonzero += bp[i] != 0;
	/* entries, size (32 MiB: one byte), type, version (2), flags, ptr, alignment, subarch */
	report(nonzero == 9, "the rest of the boot_params page is zero (%u non-zero bytes)", nonzero);
	report(strcmp((char *)g.mem + 0x1000, "console=hvc0 root=/dev/vda quiet") == 0,
	       "command line is the guest args joined by spaces");
	report(all_bytes(0x1000 + 33, 4096 - 33, 0), "command line page zero after the string");

	reset_guest();
	report(setup_boot_params(&g, 0, args, why) == 0 && g.mem[0x1000] == 0,
	       "no guest args: empty command line");

	reset_guest();
	g.kernel_end = KBASE;
	load_initrd(&g, rd, sizeof(rd), why);
	setup_boot_params(&g, 0, args, why);
	report(get_le32(bp + BP_HDR_RAMDISK_IMAGE) == RAM - 4096 &&
	       get_le32(bp + BP_HDR_RAMDISK_SIZE) == 4096, "initrd: ramdisk_image/size filled in");
	report(bp[BP_HDR_TYPE_OF_LOADER] == BP_LOADER_UNDEFINED, "initrd: type_of_loader 0xFF");
}

static void test_cmdline_limits(void)
{
	static char big[LGUEST_CMDLINE_MAX + 1];
	char *one[] = { big };
	char *two[] = { big, "x" };

	memset(big, 'a', LGUEST_CMDLINE_MAX - 1);	/* 4095 characters + NUL: fits */
	reset_guest();
	report(setup_boot_params(&g, 1, one, why) == 0 &&
	       strlen((char *)g.mem + 0x1000) == LGUEST_CMDLINE_MAX - 1 && g.mem[0x1FFF] == 0,
	       "a 4095-byte command line fits");
	memset(big, 'a', LGUEST_CMDLINE_MAX - 2);
	big[LGUEST_CMDLINE_MAX - 2] = '\0';
	reset_guest();
	report(setup_boot_params(&g, 2, two, why) == -1 && strstr(why, "shorten"),
	       "4094 + separator + 1 byte rejected as too long");
	memset(big, 'a', LGUEST_CMDLINE_MAX);
	reset_guest();
	report(setup_boot_params(&g, 1, one, why) == -1 && strstr(why, "longer than 4095"),
	       "a 4096-byte command line rejected");
	report(g.mem[0x2000] == POISON, "nothing written past the command line page");
}

int main(void)
{
	g.mem = malloc(RAM);
	if (!g.mem)
		return 1;
	g.fd = -1;
	test_elf_good();
	test_elf_rejects();
	test_bzimage();
	test_initrd();
	test_boot_params();
	test_cmdline_limits();
	free(g.mem);
	return report_summary();
}
