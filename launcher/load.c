// SPDX-License-Identifier: GPL-2.0
/*
 * load.c - putting the Guest kernel, its initrd and boot_params into memory.
 *
 * Everything here works on a buffer holding the file and on struct guest, so
 * the unit tests hand it a malloc'd "guest memory" and hostile images.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lguest.h"

/* Offsets in the bzImage setup header (Documentation/x86/boot.rst). */
#define BZ_SETUP_SECTS		0x1F1	/* u8: 512-byte setup sectors; 0 means 4 */
#define BZ_HEADER_MAGIC		0x202	/* "HdrS" */
#define BZ_VERSION		0x206	/* u16 */
#define BZ_LOADFLAGS		0x211	/* u8 */
#define BZ_CODE32_START		0x214	/* u32 */
#define BZ_PREF_ADDRESS		0x258	/* u64, protocol 2.10+ */
#define BZ_INIT_SIZE		0x260	/* u32, protocol 2.10+ */
#define BZ_HEADER_END		0x264
#define BZ_LOADED_HIGH		0x01

/* vmlinux has a handful of program headers; thousands would mean a broken file. */
#define ELF_MAX_PHDRS		64

/* The first two pages belong to boot_params and the command line. */
#define LOW_RESERVED		(LGUEST_CMDLINE_GPA + LGUEST_CMDLINE_MAX)

static int fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, LG_WHY_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Can [off, off + len) of something of size total be touched?  The
 * subtraction form never wraps, which is the whole point: ELF fields are
 * attacker-chosen 32-bit numbers.
 */
static bool range_ok(uint64_t off, uint64_t len, uint64_t total)
{
	return len <= total && off <= total - len;
}

/*
 * Copy len bytes of the file to guest-physical gpa and zero the next
 * fill bytes (an ELF segment's bss, or the tail of the initrd's last page).
 * The caller has already checked the range.
 */
static void place(struct guest *g, uint32_t gpa, const uint8_t *src, uint32_t len, uint32_t fill)
{
	memcpy(g->mem + gpa, src, len);
	memset(g->mem + gpa + len, 0, fill);
}

static void note_kernel_end(struct guest *g, uint32_t end)
{
	if (end > g->kernel_end)
		g->kernel_end = end;
}

/*> L300
 * A vmlinux is an ELF file whose program headers say where each piece goes
 * in *physical* memory (p_paddr; p_vaddr is where the kernel will later see
 * it), and whose e_entry is already a physical address: startup_32 runs
 * before the Guest has built page tables.  All we do is copy the PT_LOAD
 * segments there.  The file is untrusted input, so each header field is
 * checked before we use it, and each failure says which field and what to do.
 */
static int check_elf_header(const Elf32_Ehdr *eh, size_t len, char *why)
{
	if (eh->e_ident[EI_CLASS] == ELFCLASS64)
		return fail(why, "a 64-bit ELF (class 2), not i386; give an i386 guest kernel");
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		return fail(why, "an ELF of unknown class %u; the file is corrupt",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(why, "a big-endian ELF; give an i386 guest kernel");
	if (eh->e_machine != EM_386)
		return fail(why, "not an i386 ELF (machine %u); give an i386 guest kernel",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(why, "not an executable ELF (type %u); give a linked vmlinux or a bzImage",
			    eh->e_type);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return fail(why, "ELF program header size is %u, not %zu; the file is corrupt",
			    eh->e_phentsize, sizeof(Elf32_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return fail(why, "ELF has %u program headers (1 to %u expected); the file is corrupt",
			    eh->e_phnum, ELF_MAX_PHDRS);
	if (!range_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr), len))
		return fail(why, "ELF program headers (offset %#x) lie beyond the end of the file; "
			    "the file is truncated or corrupt", eh->e_phoff);
	return 0;
}

static int check_segment(const struct guest *g, const Elf32_Phdr *ph, unsigned int i,
			 size_t len, char *why)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(why, "ELF segment %u has more file bytes (%#x) than memory bytes (%#x); "
			    "the file is corrupt", i, ph->p_filesz, ph->p_memsz);
	if (!range_ok(ph->p_offset, ph->p_filesz, len))
		return fail(why, "ELF segment %u (offset %#x, %#x bytes) lies beyond the end of the file; "
			    "the file is truncated", i, ph->p_offset, ph->p_filesz);
	if (!range_ok(ph->p_paddr, ph->p_memsz, g->ram_size))
		return fail(why, "ELF segment %u at %#x (%#x bytes) is outside guest memory (%u MiB); "
			    "give more memory", i, ph->p_paddr, ph->p_memsz, g->ram_size >> 20);
	if (ph->p_memsz && ph->p_paddr < LOW_RESERVED)
		return fail(why, "ELF segment %u at %#x overlaps boot_params and the command line "
			    "(below %#x); give a kernel linked higher", i, ph->p_paddr, LOW_RESERVED);
	return 0;
}

static bool segment_holds(const Elf32_Phdr *ph, uint32_t addr)
{
	return ph->p_type == PT_LOAD && addr >= ph->p_paddr && addr - ph->p_paddr < ph->p_memsz;
}

static int load_elf(struct guest *g, const uint8_t *img, size_t len, char *why)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned int i, loaded = 0;
	bool entry_loaded = false;

	if (len < sizeof(eh))
		return fail(why, "too short for an ELF header (%zu bytes); the file is truncated", len);
	memcpy(&eh, img, sizeof(eh));
	if (check_elf_header(&eh, len, why))
		return -1;

	/* Check every header before copying anything, so a bad file leaves memory alone. */
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_segment(g, &ph, i, len, why))
			return -1;
		entry_loaded |= segment_holds(&ph, eh.e_entry);
		loaded++;
	}
	if (!loaded)
		return fail(why, "ELF has no loadable segment; give a vmlinux or a bzImage");
	if (!entry_loaded)
		return fail(why, "ELF entry point %#x is not inside a loaded segment; "
			    "give a vmlinux whose entry is physical", eh.e_entry);

	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		place(g, ph.p_paddr, img + ph.p_offset, ph.p_filesz, ph.p_memsz - ph.p_filesz);
		note_kernel_end(g, ph.p_paddr + ph.p_memsz);
	}
	g->start = eh.e_entry;
	return 0;
}

/*> L310
 * A bzImage is a real-mode setup program followed by the compressed kernel
 * and its 32-bit decompressor.  We never run the 16-bit part: the Guest
 * starts in protected mode.  So we copy everything after the setup sectors to
 * 1 MiB, where the decompressor expects to be, and start at code32_start.
 * Because boot_params carries KEEP_SEGMENTS, the decompressor leaves our
 * ring-1 segments alone, unpacks itself (normally to 16 MiB) and jumps there.
 */
static bool is_bzimage(const uint8_t *img, size_t len)
{
	return len >= BZ_HEADER_END && memcmp(img + BZ_HEADER_MAGIC, "HdrS", 4) == 0;
}

/*
 * Newer images say how much room they need once unpacked.  We note that as
 * the end of the kernel, so an initrd at the top of RAM never sits where the
 * kernel will decompress itself, and say early if RAM is simply too small.
 */
static int check_bzimage_room(struct guest *g, const uint8_t *img, char *why)
{
	uint64_t pref = get_le64(img + BZ_PREF_ADDRESS);
	uint32_t init_size = get_le32(img + BZ_INIT_SIZE);

	if (get_le16(img + BZ_VERSION) < 0x20a)
		return 0;
	if (!range_ok(pref, init_size, g->ram_size))
		return fail(why, "this bzImage unpacks to %#llx..%#llx, beyond guest memory (%u MiB); "
			    "give more memory", (unsigned long long)pref,
			    (unsigned long long)(pref + init_size), g->ram_size >> 20);
	note_kernel_end(g, (uint32_t)(pref + init_size));
	return 0;
}

static int load_bzimage(struct guest *g, const uint8_t *img, size_t len, char *why)
{
	unsigned int sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	size_t off = ((size_t)sects + 1) * 512;
	uint32_t start = get_le32(img + BZ_CODE32_START);

	if (get_le16(img + BZ_VERSION) < 0x200 || !(img[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return fail(why, "an old zImage, not a bzImage; give a bzImage or a vmlinux");
	if (off >= len)
		return fail(why, "bzImage has no payload after its %u setup sectors; "
			    "the file is truncated", sects);
	if (!range_ok(LG_BZIMAGE_LOAD, len - off, g->ram_size))
		return fail(why, "bzImage payload (%zu bytes) does not fit in guest memory (%u MiB); "
			    "give more memory", len - off, g->ram_size >> 20);
	if (start < LG_BZIMAGE_LOAD || start - LG_BZIMAGE_LOAD >= len - off)
		return fail(why, "bzImage code32_start %#x is not inside its payload; "
			    "the file is corrupt", start);
	if (check_bzimage_room(g, img, why))
		return -1;

	place(g, LG_BZIMAGE_LOAD, img + off, (uint32_t)(len - off), 0);
	note_kernel_end(g, LG_BZIMAGE_LOAD + (uint32_t)(len - off));
	g->start = start;
	return 0;
}

int load_kernel(struct guest *g, const uint8_t *img, size_t len, char *why)
{
	g->kernel_end = 0;
	if (is_bzimage(img, len))
		return load_bzimage(g, img, len, why);
	if (len >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0)
		return load_elf(g, img, len, why);
	return fail(why, "neither an ELF vmlinux nor a bzImage; give an i386 guest kernel");
}

/*> L320
 * The initrd goes at the very top of RAM, page-aligned, where the kernel
 * looks for it through boot_params.  It must not reach down into the
 * kernel: for a bzImage that means the unpacked kernel, not just the file.
 */
int load_initrd(struct guest *g, const uint8_t *img, size_t len, char *why)
{
	uint32_t floor = g->kernel_end > LOW_RESERVED ? g->kernel_end : LOW_RESERVED;
	uint32_t room, rounded, addr;

	if (len == 0)
		return fail(why, "the initrd is empty; give a cpio archive");
	/* floor <= ram_size: the kernel was checked to fit, so this cannot wrap. */
	room = floor < g->ram_size ? (g->ram_size - floor) & ~(LG_PAGE_SIZE - 1) : 0;
	if (len > room)
		return fail(why, "initrd (%zu bytes) does not fit above the kernel in %u MiB; "
			    "give more memory", len, g->ram_size >> 20);
	rounded = LG_PAGE_ROUND_UP((uint32_t)len);
	addr = g->ram_size - rounded;
	place(g, addr, img, (uint32_t)len, rounded - (uint32_t)len);
	g->initrd_addr = addr;
	g->initrd_size = rounded;
	return 0;
}

/* The Guest's command line is our remaining arguments, joined by spaces. */
static int write_cmdline(struct guest *g, int argc, char *const argv[], char *why)
{
	char *line = (char *)g->mem + LGUEST_CMDLINE_GPA;
	size_t used = 0;
	int i;

	memset(line, 0, LGUEST_CMDLINE_MAX);
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		/* Keep room for the separator and the final NUL. */
		if (n + (i > 0) >= LGUEST_CMDLINE_MAX - used)
			return fail(why, "guest command line is longer than %u bytes; shorten it",
				    LGUEST_CMDLINE_MAX - 1);
		if (i > 0)
			line[used++] = ' ';
		memcpy(line + used, argv[i], n);
		used += n;
	}
	return 0;
}

/*> L330
 * boot_params is the "zero page" a bootloader leaves for Linux.  We fill in
 * only what a lguest Guest reads (ABI.md section 9): one e820 entry covering
 * all of RAM, header version 0x207 so that startup_32 looks at
 * hardware_subarch, subarch 1 ("lguest") which sends it to lguest_entry, and
 * KEEP_SEGMENTS, because ring 1 cannot reload the segments it would like to.
 */
int setup_boot_params(struct guest *g, int argc, char *const argv[], char *why)
{
	uint8_t *bp = guest_ptr(g, LGUEST_BOOT_PARAMS_GPA, LOW_RESERVED);

	if (!bp)
		return fail(why, "guest memory is too small for boot_params; give more memory");
	memset(bp, 0, LGUEST_CMDLINE_GPA);

	bp[BP_E820_ENTRIES] = 1;
	put_le64(bp + BP_E820_MAP, 0);
	put_le64(bp + BP_E820_MAP + 8, g->ram_size);
	put_le32(bp + BP_E820_MAP + 16, BP_E820_RAM);

	put_le16(bp + BP_HDR_VERSION, BP_HDR_VERSION_LGUEST);
	bp[BP_HDR_LOADFLAGS] = BP_LOADFLAGS_KEEP_SEGMENTS;
	put_le32(bp + BP_HDR_CMD_LINE_PTR, LGUEST_CMDLINE_GPA);
	put_le32(bp + BP_HDR_KERNEL_ALIGNMENT, BP_KERNEL_ALIGNMENT);
	put_le32(bp + BP_HDR_HARDWARE_SUBARCH, BP_SUBARCH_LGUEST);

	if (g->initrd_size) {
		put_le32(bp + BP_HDR_RAMDISK_IMAGE, g->initrd_addr);
		put_le32(bp + BP_HDR_RAMDISK_SIZE, g->initrd_size);
		bp[BP_HDR_TYPE_OF_LOADER] = BP_LOADER_UNDEFINED;
	}
	return write_cmdline(g, argc, argv, why);
}
