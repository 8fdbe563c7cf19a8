// SPDX-License-Identifier: GPL-2.0
/*
 * test_block.c - virtio-blk (launcher/block.c) as Linux's virtio_blk drives
 * it, on temporary image files: reads, writes, flush, GET_ID, reads served
 * at the kick (and those left to the I/O thread), a read-only
 * disk, the errors block__add() gives for bad files, and hostile requests,
 * each of which must stop the device with a message while the Launcher,
 * and the next request after a reset, go on.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -pthread -I include -I launcher -o test_block \
 *       tests/unit/test_block.c launcher/insn.c launcher/pci.c \
 *       launcher/virtio_pci.c launcher/virtqueue.c launcher/console.c \
 *       launcher/block.c launcher/rng.c launcher/term.c && ./test_block
 */
#define _GNU_SOURCE	/* pipe2 */
/* As in launcher/block.c, so that preadv2 below is the one it calls. */
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <errno.h>
#include <linux/magic.h>

#include "virtio.h"
#include "tap.h"
#include "vdrv.h"

#define RAM		(4u << 20)
#define DISK_SLOT	2
#define RO_SLOT		3
#define DISK_BYTES	(64u * 1024)
#define DISK_SECTORS	(DISK_BYTES / 512)
#define RING		0x10000u
#define RO_RING		0x18000u
#define HDR		0x20000u
#define STATUS_GPA	0x20100u
#define DATA		0x30000u
#define INDIRECT	0x28000u

#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8

static struct guest g = { .ram_size = RAM, .fd = -1 };
static int err_pipe[2], saved_stderr, disk_fd, ro_fd;
static char disk_path[] = "/tmp/lguest-test-disk-XXXXXX";
static char ro_path[] = "/tmp/lguest-test-ro-XXXXXX";
static struct vdrv disk, ro;
static struct drv_ring ring, ro_ring;
static uint16_t next_used, ro_next_used;

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

static void header(uint32_t type, uint64_t sector)
{
	put_le32(g.mem + HDR, type);
	put_le32(g.mem + HDR + 4, 0);
	put_le64(g.mem + HDR + 8, sector);
	g.mem[STATUS_GPA] = 0xEE;
}

/*
 * One request the way virtio_blk sends it: header, data (writable for a
 * read), status.  Returns the status byte, or -1 if it never came back.
 */
static int request(struct vdrv *d, struct drv_ring *r, uint16_t *used, uint32_t type,
		   uint64_t sector, uint32_t len, uint32_t *used_len)
{
	bool read = type == T_IN || type == T_GET_ID;

	header(type, sector);
	if (len) {
		drv_desc(r, 0, HDR, 16, VRING_F_NEXT, 1);
		drv_desc(r, 1, DATA, len, VRING_F_NEXT | (read ? VRING_F_WRITE : 0), 2);
		drv_desc(r, 2, STATUS_GPA, 1, VRING_F_WRITE, 0);
	} else {
		drv_desc(r, 0, HDR, 16, VRING_F_NEXT, 2);
		drv_desc(r, 2, STATUS_GPA, 1, VRING_F_WRITE, 0);
	}
	drv_offer(r, 0);
	vdrv_kick(d, 0);
	if (!vdrv_wait_used(r, (uint16_t)(*used + 1)))
		return -1;
	if (used_len)
		*used_len = drv_used_len(r, *used);
	(*used)++;
	return g.mem[STATUS_GPA];
}

static int disk_request(uint32_t type, uint64_t sector, uint32_t len, uint32_t *used_len)
{
	return request(&disk, &ring, &next_used, type, sector, len, used_len);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void bring_up_disk(void)
{
	vdrv_bring_up(&disk, VD_FEATURES, &ring, RING, 16);
	next_used = 0;
}

static void test_config(void)
{
	uint64_t f = vdrv_device_features(&disk), rof = vdrv_device_features(&ro);

	report(vdrv_cfg_in(&disk, 0, 4) == 0x10421AF4, "slot 2: virtio 1.0 block device (1AF4:1042)");
	report(vdrv_cfg_in(&ro, 0, 4) == 0x10421AF4, "slot 3: the second disk");
	report((f & (1u << 9)) && (f & (1u << 2)) && !(f & (1u << 5)),
	       "features: FLUSH and SEG_MAX, not RO (%#llx)", (unsigned long long)f);
	report(rof & (1u << 5), "the ,ro disk offers VIRTIO_BLK_F_RO");
	report(vdrv_devcfg(&disk, 0, 4) == DISK_SECTORS && vdrv_devcfg(&disk, 4, 4) == 0,
	       "capacity: %u sectors", DISK_SECTORS);
	report(vdrv_devcfg(&disk, 12, 4) == VQ_MAX_SIZE - 2, "seg_max: queue size less 2");
	report(vdrv_has_cap(&disk, 4), "a device-config capability");
}

static void test_io(void)
{
	uint8_t want[1024], got[1024];
	uint32_t len = 0;
	int st;

	bring_up_disk();
	fill(g.mem + DATA, 1024, 1);
	st = disk_request(T_OUT, 3, 1024, &len);
	report(st == 0 && len == 1, "write 2 sectors at 3: status OK, used length 1");
	fill(want, sizeof(want), 1);
	report(pread(disk_fd, got, sizeof(got), 3 * 512) == 1024 && !memcmp(got, want, 1024),
	       "the image holds them at byte 1536");

	fill(want, 512, 99);
	if (pwrite(disk_fd, want, 512, 10 * 512) != 512)
		return;
	memset(g.mem + DATA, 0, 512);
	st = disk_request(T_IN, 10, 512, &len);
	report(st == 0 && len == 513 && !memcmp(g.mem + DATA, want, 512),
	       "read sector 10: what the Host wrote, used length 513");

	st = disk_request(T_IN, DISK_SECTORS - 1, 512, &len);
	report(st == 0, "the last sector reads");

	/* Data split over an indirect table of three buffers, as Linux sends big requests. */
	header(T_IN, 10);
	drv_desc_at(g.mem, INDIRECT, 0, HDR, 16, VRING_F_NEXT, 1);
	drv_desc_at(g.mem, INDIRECT, 1, DATA + 0x1000, 100, VRING_F_NEXT | VRING_F_WRITE, 2);
	drv_desc_at(g.mem, INDIRECT, 2, DATA + 0x2000, 412, VRING_F_NEXT | VRING_F_WRITE, 3);
	drv_desc_at(g.mem, INDIRECT, 3, STATUS_GPA, 1, VRING_F_WRITE, 0);
	drv_desc(&ring, 5, INDIRECT, 64, VRING_F_INDIRECT, 0);
	drv_offer(&ring, 5);
	vdrv_kick(&disk, 0);
	report(vdrv_wait_used(&ring, (uint16_t)(next_used + 1)) && g.mem[STATUS_GPA] == 0 &&
	       !memcmp(g.mem + DATA + 0x1000, want, 100) &&
	       !memcmp(g.mem + DATA + 0x2000, want + 100, 412),
	       "a read scattered over two buffers of an indirect table");
	next_used++;

	st = disk_request(T_FLUSH, 0, 0, &len);
	report(st == 0 && len == 1, "flush: OK");

	memset(g.mem + DATA, 0xAA, 32);
	st = disk_request(T_GET_ID, 0, 20, &len);
	report(st == 0 && len == 21 && !memcmp(g.mem + DATA, "lguest-test-disk-", 17),
	       "GET_ID: the file's name (%.20s)", (const char *)g.mem + DATA);
	st = disk_request(T_GET_ID, 0, 8, &len);
	report(st == 0 && len == 9, "GET_ID into 8 bytes fills 8");

	st = disk_request(99, 0, 0, &len);
	report(st == 2, "an unknown request type: VIRTIO_BLK_S_UNSUPP");
}

/*
 * L675: a kick serves cached reads itself, before it returns, and leaves
 * the rest to the disk's I/O thread.  Which reads count as cached depends
 * on where the image lives: tmpfs is memory, a file system with
 * RWF_NOWAIT says per read, any other sends every read to the thread.
 */
enum kick_reads { KICK_WAITS, KICK_NOWAIT, KICK_MEMORY };

static enum kick_reads image_reads(int fd)
{
	struct statfs fs;
	struct iovec one;
	uint8_t byte;

	if (!fstatfs(fd, &fs) && (unsigned long)fs.f_type == TMPFS_MAGIC)
		return KICK_MEMORY;
	one.iov_base = &byte;
	one.iov_len = 1;
	return preadv2(fd, &one, 1, 0, RWF_NOWAIT) == 1 || errno == EAGAIN ?
	       KICK_NOWAIT : KICK_WAITS;
}

/*
 * A page dropped from the cache does not make a RWF_NOWAIT read miss for
 * sure: the miss starts readahead, and on a fast disk (a VM's, with the
 * host's cache behind it) that can finish before preadv2 looks again and
 * returns the data.  So to see what a kick does with a miss, the test
 * makes one: while nowait_misses is set, every RWF_NOWAIT read fails with
 * EAGAIN, as a miss does.  This preadv2 is the one the Launcher code
 * linked into this program calls; otherwise it is the system call.
 */
static bool nowait_misses;

ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags)
{
	uint64_t pos = (uint64_t)offset;

	if (nowait_misses && (flags & RWF_NOWAIT)) {
		errno = EAGAIN;
		return -1;
	}
	/* The kernel takes the offset as two longs, low then high, and on a
	 * 64-bit machine ignores the high one: shift twice by half a long
	 * so that it is 0 there and the top half on a 32-bit one. */
	return syscall(SYS_preadv2, fd, iov, iovcnt, (unsigned long)pos,
		       (unsigned long)(pos >> (sizeof(long) * 4) >> (sizeof(long) * 4)), flags);
}

/*
 * Offer a 512-byte read of @sector and kick.  Returns whether it was done
 * when the kick returned, and waits for it if not.  (Done does not mean the
 * kick served it: the I/O thread may have been quicker than our look.)
 */
static bool kick_read(uint64_t sector)
{
	bool done;

	header(T_IN, sector);
	memset(g.mem + DATA, 0, 512);
	drv_desc(&ring, 0, HDR, 16, VRING_F_NEXT, 1);
	drv_desc(&ring, 1, DATA, 512, VRING_F_NEXT | VRING_F_WRITE, 2);
	drv_desc(&ring, 2, STATUS_GPA, 1, VRING_F_WRITE, 0);
	drv_offer(&ring, 0);
	vdrv_kick(&disk, 0);
	done = drv_used_idx(&ring) == (uint16_t)(next_used + 1);
	if (vdrv_wait_used(&ring, (uint16_t)(next_used + 1)))
		next_used++;
	return done;
}

/* How many requests the kick and the I/O thread served since *last; *last becomes now. */
struct served { uint64_t kick, thread; };

static struct served served_since(struct served *last)
{
	struct served now, d;

	block__served(0, &now.kick, &now.thread);
	d.kick = now.kick - last->kick;
	d.thread = now.thread - last->thread;
	*last = now;
	return d;
}

static bool read_ok(const uint8_t *want)
{
	return g.mem[STATUS_GPA] == 0 && !memcmp(g.mem + DATA, want, 512);
}

static void test_kick_reads(void)
{
	enum kick_reads how = image_reads(disk_fd);
	struct served last, d;
	uint8_t want[512];
	bool at_once;
	int st, tries;

	bring_up_disk();
	block__served(0, &last.kick, &last.thread);
	diag("the image is in %s", how == KICK_MEMORY ? "tmpfs" :
	     how == KICK_NOWAIT ? "a file system with RWF_NOWAIT" : "a file system without it");

	fill(want, sizeof(want), 77);
	report(pwrite(disk_fd, want, 512, 20 * 512) == 512, "the test writes sector 20 straight to the image");
	if (how == KICK_WAITS) {
		kick_read(20);
		d = served_since(&last);
		report(read_ok(want) && d.thread == 1 && d.kick == 0,
		       "a cached read: the I/O thread serves it");
	} else {
		/*
		 * Once in a few hundred runs on a machine busy writing, the
		 * kernel has RWF_NOWAIT refuse a page it holds; the thread
		 * then reads it, rightly.  A second try is served at the kick.
		 */
		for (tries = 1; tries <= 3; tries++) {
			at_once = kick_read(20);
			d = served_since(&last);
			if (!read_ok(want) || (at_once && d.kick == 1 && d.thread == 0))
				break;
		}
		report(read_ok(want) && tries <= 3,
		       "a cached read: served by the kick itself, done when the kick returns");
		if (tries == 2 || tries == 3)
			diag("served at the kick at try %d of 3", tries);
	}

	/* A write always goes to the thread, and a read after it sees it. */
	fill(g.mem + DATA, 512, 5);
	st = disk_request(T_OUT, 21, 512, NULL);
	d = served_since(&last);
	report(st == 0 && d.thread == 1 && d.kick == 0, "a write: the I/O thread serves it");
	fill(want, sizeof(want), 5);
	kick_read(21);
	served_since(&last);
	report(read_ok(want), "a read after it returns what it wrote");

	if (how != KICK_NOWAIT)
		return;

	/* A miss: the kick hands the read to the thread, which reads it. */
	fill(want, sizeof(want), 77);
	nowait_misses = true;
	kick_read(20);
	nowait_misses = false;
	d = served_since(&last);
	report(read_ok(want) && d.thread == 1 && d.kick == 0,
	       "a read RWF_NOWAIT cannot do: handed to the I/O thread, which does it");
	if (d.kick || d.thread != 1)
		diag("served by the kick %llu, by the thread %llu",
		     (unsigned long long)d.kick, (unsigned long long)d.thread);

	/* A page the cache dropped: either may serve it (see preadv2 above), once. */
	fill(want, sizeof(want), 123);
	report(pwrite(disk_fd, want, 512, 30 * 512) == 512 && !fdatasync(disk_fd) &&
	       !posix_fadvise(disk_fd, 0, 0, POSIX_FADV_DONTNEED),
	       "the test writes sector 30 and drops the image from the page cache");
	kick_read(30);
	d = served_since(&last);
	report(read_ok(want) && d.kick + d.thread == 1,
	       "an uncached read: the right data, served once (by the %s)",
	       d.kick ? "kick, the readahead it started was that quick" : "I/O thread");
}

static void test_read_only(void)
{
	uint8_t before[512], after[512];
	uint32_t len;
	int st;

	vdrv_bring_up(&ro, VD_FEATURES | VIRTIO_BIT(5), &ro_ring, RO_RING, 16);
	ro_next_used = 0;
	if (pread(ro_fd, before, 512, 0) != 512)
		return;
	fill(g.mem + DATA, 512, 5);
	st = request(&ro, &ro_ring, &ro_next_used, T_OUT, 0, 512, &len);
	report(st == 1, "a write to the ,ro disk: VIRTIO_BLK_S_IOERR");
	report(pread(ro_fd, after, 512, 0) == 512 && !memcmp(before, after, 512),
	       "and the image is unchanged");
	st = request(&ro, &ro_ring, &ro_next_used, T_IN, 0, 512, &len);
	report(st == 0 && !memcmp(g.mem + DATA, before, 512), "reads work");
	st = request(&ro, &ro_ring, &ro_next_used, T_FLUSH, 0, 0, &len);
	report(st == 0, "flush on a read-only disk is OK");
}

/* A hostile chain: ring descriptors 0..n-1 as given, offered from 0. */
struct bad_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void test_hostile(void)
{
	static const struct {
		const char *what, *want;
		uint32_t type;
		uint64_t sector;
		unsigned int n;
		struct bad_desc d[3];
	} *t, cases[] = {
		{ "an 8-byte header", "request header is 8 device-readable bytes, not 16", T_IN, 0, 2,
		  { { HDR, 8, 1, 1 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "no status byte", "no writable status byte", T_OUT, 0, 2,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 0, 0 } } },
		{ "a read with readable data", "read request has 512 device-readable bytes", T_IN, 0, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 1, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a write with writable data", "write request has 512 writable bytes", T_OUT, 0, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 3, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a read of 100 bytes", "read of 100 bytes is not a whole number", T_IN, 0, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 100, 3, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a read past the end", "read of sectors 127+2 runs past the end of the disk (128",
		  T_IN, 127, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 1024, 3, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a write at a sector that wraps", "write of sectors 18446744073709551615+1 runs past",
		  T_OUT, UINT64_MAX, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 1, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a write just past the end", "write of sectors 128+1 runs past", T_OUT, 128, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 1, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a buffer whose address wraps", "buffer at 0xfffffff0 (32 bytes) is outside", T_IN, 0, 3,
		  { { HDR, 16, 1, 1 }, { 0xFFFFFFF0u, 32, 3, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "an absurd length", "(2147483648 bytes) is outside guest RAM", T_IN, 0, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 0x80000000u, 3, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a looping chain", "longer than its table of 16 (a loop?)", T_IN, 0, 2,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 1, 0 } } },
		{ "a flush with data", "flush request carries 512 bytes", T_FLUSH, 0, 3,
		  { { HDR, 16, 1, 1 }, { DATA, 512, 1, 2 }, { STATUS_GPA, 1, 2, 0 } } },
		{ "a status byte beyond RAM", "buffer at 0x400000 (1 bytes) is outside", T_IN, 0, 2,
		  { { HDR, 16, 1, 1 }, { RAM, 1, 2, 0 } } },
	};
	struct stat st;
	const char *err;
	unsigned int i;

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++) {
		bring_up_disk();
		header(t->type, t->sector);
		for (i = 0; i < t->n; i++)
			drv_desc(&ring, (uint16_t)i, t->d[i].addr, t->d[i].len, t->d[i].flags,
				 t->d[i].next);
		drain();
		capture_stderr(true);
		drv_offer(&ring, 0);
		vdrv_kick(&disk, 0);
		vdrv_wait_needs_reset(&disk);
		capture_stderr(false);
		err = drain();
		if (!report((vdrv_status(&disk) & VIRTIO_STATUS_NEEDS_RESET) && strstr(err, t->want) &&
			    strstr(err, "lguest: block: ") == err &&
			    strstr(err, "; the device needs a reset\n") && drv_used_idx(&ring) == 0 &&
			    g.mem[STATUS_GPA] == 0xEE, "%s: NEEDS_RESET, nothing used", t->what))
			diag("status %#x, used %u, stderr: %s", vdrv_status(&disk),
			     drv_used_idx(&ring), err);
	}
	bring_up_disk();
	capture_stderr(true);
	vdrv_kick(&disk, 1);
	capture_stderr(false);
	report(strstr(drain(), "kick for queue 1 of 1") != NULL, "a kick for queue 1 of 1: named");
	report(fstat(disk_fd, &st) == 0 && st.st_size == DISK_BYTES,
	       "the image did not grow (%lld bytes)", (long long)st.st_size);

	bring_up_disk();
	fill(g.mem + DATA, 512, 3);
	report(disk_request(T_OUT, 0, 512, NULL) == 0 && disk_request(T_IN, 0, 512, NULL) == 0,
	       "after a reset the disk works again");
}

/* block__add()'s one-line errors, each naming the fix. */
static void test_bad_files(void)
{
	static const struct {
		const char *spec, *want;
	} *t, cases[] = {
		{ "/nonexistent/disk.img", "/nonexistent/disk.img: No such file or directory; give "
		  "an existing disk image (make one: truncate -s 64M FILE) or block device" },
		{ "/tmp", "/tmp is a directory; give a disk image file or a block device" },
		{ "/tmp,ro", "/tmp is a directory; give a disk image file or a block device" },
		{ "/dev/null", "/dev/null is neither a regular file nor a block device" },
		{ ",ro", "--block needs a file name" },
	};
	char why[LG_WHY_MAX], empty[] = "/tmp/lguest-test-empty-XXXXXX";
	int fd = mkstemp(empty);

	for (t = cases; t < cases + sizeof(cases) / sizeof(cases[0]); t++)
		if (!report(block__add(&g, t->spec, why) == -1 && strstr(why, t->want) == why,
			    "--block=%s: refused", t->spec))
			diag("why: %s", why);
	report(fd >= 0 && block__add(&g, empty, why) == -1 &&
	       strstr(why, "less than one 512-byte sector; give a bigger image"),
	       "an empty image: refused, saying how to make a bigger one");
	if (fd >= 0) {
		close(fd);
		unlink(empty);
	}
	if (geteuid() != 0) {
		chmod(ro_path, 0400);
		report(block__add(&g, ro_path, why) == -1 && strstr(why, "add ,ro"),
		       "an image we may not write: the error says to add ,ro");
		chmod(ro_path, 0600);
	}
}

static int make_image(char *path)
{
	int fd = mkstemp(path);
	uint8_t buf[DISK_BYTES];

	fill(buf, sizeof(buf), 42);
	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return -1;
	return fd;
}

/*
 * A disk that fails every request (its image cut to nothing under us) and
 * a Guest that keeps asking: each request gets its I/O error, and stderr
 * a bounded number of lines, one of them saying the rest are not shown.
 * Last, since it spoils the image.
 */
static void test_io_errors_bounded(void)
{
	unsigned int i, errors = 0, lines = 0, hidden;
	static char said[32768];
	size_t got = 0;
	ssize_t n;

	bring_up_disk();
	if (ftruncate(disk_fd, 0))
		return;
	capture_stderr(true);
	for (i = 0; i < 100; i++)
		errors += disk_request(T_IN, 10, 512, NULL) == 1;
	capture_stderr(false);
	while (got < sizeof(said) - 1 &&
	       (n = read(err_pipe[0], said + got, sizeof(said) - 1 - got)) > 0)
		got += (size_t)n;
	said[got] = '\0';
	for (i = 0; i < got; i++)
		lines += said[i] == '\n';
	hidden = strstr(said, "more I/O errors on this disk are not shown") != NULL;
	report(errors == 100, "100 reads of a disk cut short under us: 100 I/O errors (%u)", errors);
	report(lines == 65 && hidden,
	       "and 65 lines on stderr (%u), the last saying the rest are not shown (%u)",
	       lines, hidden);
}

int main(void)
{
	char why[LG_WHY_MAX], ro_spec[64];
	int null_fd = open("/dev/null", O_WRONLY);

	g.mem = calloc(1, RAM);
	g.raise_irq = record_irq;
	saved_stderr = dup(STDERR_FILENO);
	disk_fd = make_image(disk_path);
	ro_fd = make_image(ro_path);
	snprintf(ro_spec, sizeof(ro_spec), "%s,ro", ro_path);
	if (!g.mem || null_fd < 0 || disk_fd < 0 || ro_fd < 0 ||
	    pipe2(err_pipe, O_NONBLOCK) || pci__init(&g) || console__add(&g, -1, null_fd))
		return 1;
	if (block__add(&g, disk_path, why) || block__add(&g, ro_spec, why)) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	if (block__start(&g))
		return 1;
	vdrv_open(&disk, &g, DISK_SLOT);
	vdrv_open(&ro, &g, RO_SLOT);

	test_config();
	test_io();
	test_kick_reads();
	test_read_only();
	test_hostile();
	test_bad_files();
	test_io_errors_bounded();

	unlink(disk_path);
	unlink(ro_path);
	/* The I/O threads sleep on: end without tearing the bus down under them. */
	return report_summary();
}
