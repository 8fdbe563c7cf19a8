// SPDX-License-Identifier: GPL-2.0
/*
 * block.c - virtio disks (virtio 1.0 section 5.2), each on a file or a
 * block device of the Host: the Guest's /dev/vda, /dev/vdb, ... in the
 * order they were given.
 *
 * A request is one chain: a 16-byte header the device reads (type,
 * reserved, sector), the data (read by us for a write, written by us for
 * a read), and a status byte we write last.  Disk I/O can take as long as
 * the Host's disk likes, so it does not happen on the Guest's thread: each
 * disk has a thread of its own, shaped like the console's input thread.
 * It sleeps on a condition until the Guest kicks the queue, takes chains
 * off it under the device lock, and does the reading and writing with the
 * lock dropped, so the Guest runs (and kicks, and reads its ISR) meanwhile.
 * The one exception is a read the Host has cached (L675): that takes no
 * longer than a memcpy, and the kick's own thread does it on the spot.
 *
 * Everything in a chain comes from the Guest, so before a byte moves we
 * check that its shape is one a driver could mean: a header we can read,
 * a status byte we can write, data going the right way, a whole number of
 * sectors, all of it inside the disk.  Anything else stops the device
 * with DEVICE_NEEDS_RESET and a line saying what was wrong.
 */
/*
 * Disks can be bigger than 2 GiB, and the Launcher that runs Guests is a
 * 32-bit program: it needs the 64-bit off_t, fstat() and preadv().
 */
#define _FILE_OFFSET_BITS 64
/* preadv2() and RWF_NOWAIT (L675). */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/fs.h>	/* BLKGETSIZE64 */
#include <linux/magic.h>	/* TMPFS_MAGIC, RAMFS_MAGIC */

#include "virtio.h"

#define PCI_CLASS_STORAGE_OTHER	0x018000

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9

/* struct virtio_blk_config, as far as we fill it: le64 capacity; le32 size_max, seg_max. */
#define BLK_CFG_CAPACITY	0
#define BLK_CFG_SIZE_MAX	8
#define BLK_CFG_SEG_MAX		12
#define BLK_CFG_SIZE		16

/* struct virtio_blk_req (5.2.6): le32 type, reserved; le64 sector; data; u8 status. */
#define BLK_HDR_SIZE		16
#define BLK_T_IN		0
#define BLK_T_OUT		1
#define BLK_T_FLUSH		4
#define BLK_T_GET_ID		8
#define BLK_S_OK		0
#define BLK_S_IOERR		1
#define BLK_S_UNSUPP		2
#define BLK_ID_BYTES		20

#define SECTOR_SIZE		512u
#define REQUESTQ		0
#define MAX_DISKS		16

struct blk_req {
	uint32_t type;
	uint64_t sector;
	struct iovec data[VQ_MAX_SIZE];	/* the data part of the chain, in order */
	unsigned int n_data;
	uint32_t data_len;
	uint8_t *status;
};

struct disk {
	struct vdev *vd;
	const char *path;
	int fd;
	bool ro;
	uint64_t sectors;
	char id[BLK_ID_BYTES];
	uint8_t cfg[BLK_CFG_SIZE];
	/*
	 * Under the device lock: the I/O thread sleeps on wake until a kick
	 * or a reset; a reset bumps generation, so a request that was in
	 * flight across it is not handed back to the new queues.
	 */
	pthread_cond_t wake;
	unsigned int generation;
	struct vq_chain chain;
	struct blk_req req;
	/*
	 * Also under the lock: chain and req are the I/O thread's, these the
	 * kick's (L675), which may leave a parsed request in them for the
	 * thread (handed_off; kick_generation says of which queues).
	 */
	struct vq_chain kick_chain;
	struct blk_req kick_req;
	bool handed_off;
	unsigned int kick_generation;
	enum { READS_WAIT, READS_NOWAIT, READS_FROM_MEMORY } reads;
	uint64_t at_kick, by_thread;	/* requests served each way */
	atomic_uint io_errors;		/* failed reads, writes and flushes */
};

static struct disk disks[MAX_DISKS];
static unsigned int n_disks;

/* ---- reading a request out of a chain */

/* Copy len bytes from offset off of the device-readable part of c. */
static void chain_read(const struct vq_chain *c, uint32_t off, uint8_t *buf, uint32_t len)
{
	unsigned int i;
	size_t n;

	for (i = 0; i < c->n_out && len; i++) {
		if (off >= c->iov[i].iov_len) {
			off -= (uint32_t)c->iov[i].iov_len;
			continue;
		}
		n = c->iov[i].iov_len - off < len ? c->iov[i].iov_len - off : len;
		memcpy(buf, (uint8_t *)c->iov[i].iov_base + off, n);
		buf += n;
		len -= (uint32_t)n;
		off = 0;
	}
}

/* The iovecs for [off, off + len) of iov[0..n): how many it took. */
static unsigned int slice(const struct iovec *iov, unsigned int n, uint32_t off, uint32_t len,
			  struct iovec *out)
{
	unsigned int i, k = 0;
	size_t take;

	for (i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= (uint32_t)iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		out[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		out[k].iov_len = take;
		k++;
		len -= (uint32_t)take;
		off = 0;
	}
	return k;
}

/*> L660
 * The shape of a request.  The driver puts the header in the readable
 * part and the status byte at the very end of the writable part
 * (5.2.6.1); between them, a read's data is all writable and a write's
 * all readable.  We take the data as iovecs straight into guest RAM
 * (virtqueue.c checked every buffer lies there), and check the sectors
 * against the disk with no sum that could wrap.  Returns 0, or -1 with
 * why[] saying what is wrong with the chain.
 */
static int parse_request(const struct disk *d, const struct vq_chain *c, struct blk_req *r,
			 char *why)
{
	uint8_t hdr[BLK_HDR_SIZE];
	uint32_t extra_out, extra_in;
	const struct iovec *last;
	uint64_t count;

	if (c->out_len < BLK_HDR_SIZE) {
		snprintf(why, LG_WHY_MAX, "request header is %u device-readable bytes, not %u",
			 c->out_len, BLK_HDR_SIZE);
		return -1;
	}
	if (!c->in_len) {
		snprintf(why, LG_WHY_MAX, "request has no writable status byte");
		return -1;
	}
	chain_read(c, 0, hdr, BLK_HDR_SIZE);
	r->type = get_le32(hdr);
	r->sector = get_le64(hdr + 8);
	last = &c->iov[c->n_out + c->n_in - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	extra_out = c->out_len - BLK_HDR_SIZE;
	extra_in = c->in_len - 1;
	r->n_data = 0;
	r->data_len = 0;

	switch (r->type) {
	case BLK_T_IN:
	case BLK_T_GET_ID:
		if (extra_out) {
			snprintf(why, LG_WHY_MAX, "%s request has %u device-readable bytes after its header",
				 r->type == BLK_T_IN ? "read" : "GET_ID", extra_out);
			return -1;
		}
		r->data_len = extra_in;
		r->n_data = slice(c->iov + c->n_out, c->n_in, 0, extra_in, r->data);
		break;
	case BLK_T_OUT:
		if (extra_in) {
			snprintf(why, LG_WHY_MAX, "write request has %u writable bytes besides its status",
				 extra_in);
			return -1;
		}
		r->data_len = extra_out;
		r->n_data = slice(c->iov, c->n_out, BLK_HDR_SIZE, extra_out, r->data);
		break;
	case BLK_T_FLUSH:
		if (extra_out || extra_in) {
			snprintf(why, LG_WHY_MAX, "flush request carries %u bytes of data",
				 extra_out + extra_in);
			return -1;
		}
		return 0;
	default:
		return 0;	/* answered VIRTIO_BLK_S_UNSUPP */
	}
	if (r->type == BLK_T_GET_ID)
		return 0;
	if (r->data_len % SECTOR_SIZE) {
		snprintf(why, LG_WHY_MAX, "%s of %u bytes is not a whole number of %u-byte sectors",
			 r->type == BLK_T_IN ? "read" : "write", r->data_len, SECTOR_SIZE);
		return -1;
	}
	count = r->data_len / SECTOR_SIZE;
	if (r->sector > d->sectors || count > d->sectors - r->sector) {
		snprintf(why, LG_WHY_MAX, "%s of sectors %llu+%llu runs past the end of the disk "
			 "(%llu sectors)", r->type == BLK_T_IN ? "read" : "write",
			 (unsigned long long)r->sector, (unsigned long long)count,
			 (unsigned long long)d->sectors);
		return -1;
	}
	return 0;
}

/* ---- doing it */

/* preadv/pwritev until the whole of iov[0..n) is done; 0 or -1 (errno set). */
static int disk_io(int fd, struct iovec *iov, unsigned int n, off_t off, bool write)
{
	ssize_t done;

	while (n) {
		done = write ? pwritev(fd, iov, (int)n, off) : preadv(fd, iov, (int)n, off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		if (done == 0) {
			errno = EIO;	/* the file shrank under us */
			return -1;
		}
		off += done;
		while (n && (size_t)done >= iov->iov_len) {
			done -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= (size_t)done;
		}
	}
	return 0;
}

/*
 * A failed read, write or flush is the Guest's I/O error, and a line on
 * stderr.  The Guest can repeat it as fast as it likes (a disk full on the
 * Host, an image cut short under us, a buffer the Host kernel refuses), so
 * like a driver's mistakes (L735) each disk says it a bounded number of
 * times.  The kick and the I/O thread both get here: the count is atomic.
 */
#define DISK_ERROR_LINES	64

static uint8_t io_status(struct disk *d, const char *what, uint64_t sector, int ret)
{
	unsigned int seen;
	int err = errno;

	if (ret == 0)
		return BLK_S_OK;
	seen = atomic_fetch_add(&d->io_errors, 1);
	if (seen < DISK_ERROR_LINES)
		fprintf(stderr, "lguest: %s: %s at sector %llu: %s; the Guest gets an I/O error\n",
			d->path, what, (unsigned long long)sector, strerror(err));
	else if (seen == DISK_ERROR_LINES)
		fprintf(stderr, "lguest: %s: more I/O errors on this disk are not shown\n", d->path);
	return BLK_S_IOERR;
}

/* Fill the GET_ID buffer: our ID, zero-padded, at most 20 bytes (5.2.6). */
static uint32_t give_id(const struct disk *d, struct blk_req *r)
{
	uint32_t n = r->data_len < BLK_ID_BYTES ? r->data_len : BLK_ID_BYTES, done = 0;
	unsigned int i;
	size_t k;

	for (i = 0; i < r->n_data && done < n; i++) {
		k = r->data[i].iov_len < n - done ? r->data[i].iov_len : n - done;
		memcpy(r->data[i].iov_base, d->id + done, k);
		done += (uint32_t)k;
	}
	return n;
}

/*
 * Carry out a parsed request, with the lock dropped; returns how many
 * bytes of the writable part we wrote, status included.  A read-only
 * disk refuses writes with VIRTIO_BLK_S_IOERR, which is what the Guest
 * would get from a write-protected drive.
 */
static uint32_t serve(struct disk *d, struct blk_req *r)
{
	off_t off = (off_t)(r->sector * SECTOR_SIZE);
	uint32_t written = 1;
	uint8_t status;

	switch (r->type) {
	case BLK_T_IN:
		status = io_status(d, "read", r->sector,
				   disk_io(d->fd, r->data, r->n_data, off, false));
		written += r->data_len;
		break;
	case BLK_T_OUT:
		if (d->ro)
			status = BLK_S_IOERR;
		else
			status = io_status(d, "write", r->sector,
					   disk_io(d->fd, r->data, r->n_data, off, true));
		break;
	case BLK_T_FLUSH:
		/* fdatasync: the Guest's sync means the data is on the Host's disk. */
		status = d->ro ? BLK_S_OK : io_status(d, "flush", 0, fdatasync(d->fd));
		break;
	case BLK_T_GET_ID:
		written += give_id(d, r);
		status = BLK_S_OK;
		break;
	default:
		status = BLK_S_UNSUPP;
	}
	*r->status = status;
	return written;
}

/*> L670
 * A disk's I/O thread.  It holds the device lock except while a request
 * is in the Host's hands; the chain and the parsed request stay ours
 * meanwhile (RAM never moves, and nothing else touches them).  If the
 * Guest reset the device while we worked, the queue we took the chain
 * from is gone, and we drop the answer.
 */
static void *io_thread(void *arg)
{
	struct disk *d = arg;
	char why[LG_WHY_MAX];
	unsigned int gen;
	uint32_t written;

	vdev__lock(d->vd);
	for (;;) {
		struct vq_chain *c = &d->chain;
		struct blk_req *r = &d->req;

		gen = d->generation;
		if (d->handed_off) {
			/* A kick parsed this one and found it needs the disk (L675). */
			c = &d->kick_chain;
			r = &d->kick_req;
			gen = d->kick_generation;
			if (gen != d->generation) {
				d->handed_off = false;
				continue;
			}
		} else if (vdev__pop(d->vd, REQUESTQ, c) != 1) {
			vdev__wait(d->vd, &d->wake);
			continue;
		} else if (parse_request(d, c, r, why)) {
			vdev__needs_reset(d->vd, "%s", why);
			continue;
		}
		d->by_thread++;
		vdev__unlock(d->vd);
		written = serve(d, r);
		vdev__lock(d->vd);
		/* Only now may a kick fill its chain and request again. */
		if (c == &d->kick_chain)
			d->handed_off = false;
		if (gen != d->generation)
			continue;
		vdev__push(d->vd, REQUESTQ, c, written);
		vdev__signal(d->vd, REQUESTQ);
	}
	return NULL;
}

/* ---- the transport's callbacks, all with the lock held */

static uint32_t blk_cfg_read(void *dev, uint32_t off, unsigned int size)
{
	struct disk *d = dev;

	/* virtio_pci.c only passes accesses inside our BLK_CFG_SIZE bytes. */
	return cfg_bytes(d->cfg + off, size);
}

static void blk_cfg_write(void *dev, uint32_t off, unsigned int size, uint32_t val)
{
	/* Every field we have is read-only to the driver. */
	(void)dev;
	(void)off;
	(void)size;
	(void)val;
}

/*> L675
 * A kick, on the Guest's own thread.  Waking the I/O thread for a request
 * and then the Guest's thread for its answer are two thread switches, and
 * for a read the Host has in memory they cost far more than the read.  So
 * the kick serves what it can without waiting for a disk: GET_ID, and
 * reads, if the file takes RWF_NOWAIT (preadv2 then fails rather than
 * wait: a read it completes came from the page cache, or from the
 * readahead a miss starts, when the disk was that quick) or lives in memory
 * (tmpfs, ramfs: no disk to wait for, like the Guest's RAM itself).  The
 * first request that needs the disk (a read that missed, a write, a flush)
 * is left parsed for the I/O thread, and requests behind it stay queued
 * until the thread has taken it.  The answers may overtake a write the
 * thread is still doing, as they may on any disk: the Guest waits for a
 * write's completion before it counts on it.
 */
static bool serve_without_waiting(struct disk *d, struct blk_req *r, uint32_t *written)
{
	ssize_t done;

	if (r->type == BLK_T_GET_ID || (r->type == BLK_T_IN && d->reads == READS_FROM_MEMORY)) {
		*written = serve(d, r);
		return true;
	}
	if (r->type != BLK_T_IN || d->reads != READS_NOWAIT)
		return false;
	done = preadv2(d->fd, r->data, (int)r->n_data, (off_t)(r->sector * SECTOR_SIZE),
		       RWF_NOWAIT);
	if (done < 0 && errno == EOPNOTSUPP)
		d->reads = READS_WAIT;
	/* A miss, a short read or an error: the thread does it, and says why. */
	if (done != (ssize_t)r->data_len)
		return false;
	*r->status = BLK_S_OK;
	*written = 1 + r->data_len;
	return true;
}

static void blk_notify(void *dev, struct vdev *vd, unsigned int q)
{
	struct disk *d = dev;
	char why[LG_WHY_MAX];
	bool served = false;
	uint32_t written;

	(void)q;
	while (!d->handed_off && d->reads != READS_WAIT &&
	       vdev__pop(vd, REQUESTQ, &d->kick_chain) == 1) {
		if (parse_request(d, &d->kick_chain, &d->kick_req, why)) {
			vdev__needs_reset(vd, "%s", why);
			break;
		}
		if (!serve_without_waiting(d, &d->kick_req, &written)) {
			d->handed_off = true;
			d->kick_generation = d->generation;
			break;
		}
		vdev__push(vd, REQUESTQ, &d->kick_chain, written);
		d->at_kick++;
		served = true;
	}
	if (served)
		vdev__signal(vd, REQUESTQ);
	/* Whatever is left, if anything, is the thread's. */
	if (d->handed_off || d->reads == READS_WAIT)
		pthread_cond_signal(&d->wake);
}

static void blk_reset(void *dev, struct vdev *vd)
{
	struct disk *d = dev;

	(void)vd;
	d->generation++;
	pthread_cond_signal(&d->wake);
}

static const struct vdev_ops blk_ops = {
	.name		= "block",
	.device_id	= VIRTIO_ID_BLOCK,
	.pci_class	= PCI_CLASS_STORAGE_OTHER,
	.features	= VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH),
	.num_queues	= 1,
	.cfg_size	= BLK_CFG_SIZE,
	.cfg_read	= blk_cfg_read,
	.cfg_write	= blk_cfg_write,
	.notify		= blk_notify,
	.reset		= blk_reset,
};

static const struct vdev_ops blk_ro_ops = {
	.name		= "block",
	.device_id	= VIRTIO_ID_BLOCK,
	.pci_class	= PCI_CLASS_STORAGE_OTHER,
	.features	= VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			  VIRTIO_BIT(VIRTIO_BLK_F_RO),
	.num_queues	= 1,
	.cfg_size	= BLK_CFG_SIZE,
	.cfg_read	= blk_cfg_read,
	.cfg_write	= blk_cfg_write,
	.notify		= blk_notify,
	.reset		= blk_reset,
};

/* ---- setting a disk up */

/* "FILE" or "FILE,ro": the path (a copy) and whether it is read-only. */
static char *split_spec(const char *spec, bool *ro)
{
	size_t n = strlen(spec);

	*ro = n >= 3 && strcmp(spec + n - 3, ",ro") == 0;
	return strndup(spec, *ro ? n - 3 : n);
}

/*
 * How a kick may read this disk (L675).  A file in tmpfs or ramfs is
 * memory; a block device's node may sit in devtmpfs, which says nothing
 * about the disk behind it.  Otherwise a one-byte RWF_NOWAIT read tells:
 * it works, or fails with EAGAIN (not cached), or the file refuses it.
 */
static void probe_reads(struct disk *d, bool regular)
{
	struct statfs fs;
	struct iovec one;
	uint8_t byte;

	if (regular && !fstatfs(d->fd, &fs) &&
	    ((unsigned long)fs.f_type == TMPFS_MAGIC || (unsigned long)fs.f_type == RAMFS_MAGIC)) {
		d->reads = READS_FROM_MEMORY;
		return;
	}
	one.iov_base = &byte;
	one.iov_len = 1;
	d->reads = preadv2(d->fd, &one, 1, 0, RWF_NOWAIT) == 1 || errno == EAGAIN ?
		   READS_NOWAIT : READS_WAIT;
}

static int open_disk(struct disk *d, char *why)
{
	struct stat st;
	uint64_t bytes;

	d->fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0 && errno == EISDIR)
		goto is_dir;
	if (d->fd < 0) {
		snprintf(why, LG_WHY_MAX, "%s: %s; %s", d->path, strerror(errno),
			 errno == ENOENT ? "give an existing disk image (make one: truncate -s 64M FILE) "
					   "or block device" :
			 errno == EACCES || errno == EROFS ? "make it writable, or add ,ro for a "
							     "read-only disk" :
			 "give a disk image file or a block device");
		return -1;
	}
	if (fstat(d->fd, &st))
		goto io_err;
	if (S_ISDIR(st.st_mode))
		goto is_dir;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &bytes))
			goto io_err;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else {
		snprintf(why, LG_WHY_MAX, "%s is neither a regular file nor a block device; "
			 "give a disk image file or a block device", d->path);
		return -1;
	}
	d->sectors = bytes / SECTOR_SIZE;
	if (!d->sectors) {
		snprintf(why, LG_WHY_MAX, "%s holds %llu bytes, less than one %u-byte sector; "
			 "give a bigger image (truncate -s 64M %s)", d->path,
			 (unsigned long long)bytes, SECTOR_SIZE, d->path);
		return -1;
	}
	probe_reads(d, S_ISREG(st.st_mode));
	return 0;
is_dir:
	snprintf(why, LG_WHY_MAX, "%s is a directory; give a disk image file or a block device",
		 d->path);
	return -1;
io_err:
	snprintf(why, LG_WHY_MAX, "%s: %s", d->path, strerror(errno));
	return -1;
}

/* The ID a GET_ID returns: the file's name, cut to 20 bytes. */
static void set_id(struct disk *d)
{
	const char *base = strrchr(d->path, '/');

	base = base ? base + 1 : d->path;
	memset(d->id, 0, sizeof(d->id));
	memcpy(d->id, base, strlen(base) < BLK_ID_BYTES ? strlen(base) : BLK_ID_BYTES);
}

/*
 * seg_max tells the driver how many data buffers one request may have:
 * the whole chain must fit in a queue, header and status included.
 */
int block__add(struct guest *g, const char *spec, char *why)
{
	struct disk *d;
	char *path;
	bool ro;

	if (n_disks == MAX_DISKS) {
		snprintf(why, LG_WHY_MAX, "%s: more than %u disks; give fewer --block options",
			 spec, MAX_DISKS);
		return -1;
	}
	d = &disks[n_disks];
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	path = split_spec(spec, &ro);
	if (!path) {
		snprintf(why, LG_WHY_MAX, "%s: out of memory", spec);
		return -1;
	}
	d->path = path;
	d->ro = ro;
	if (!*path) {
		snprintf(why, LG_WHY_MAX, "--block needs a file name: --block=FILE or --block=FILE,ro");
		goto fail;
	}
	if (open_disk(d, why))
		goto fail;
	set_id(d);
	put_le64(d->cfg + BLK_CFG_CAPACITY, d->sectors);
	put_le32(d->cfg + BLK_CFG_SIZE_MAX, 0);
	put_le32(d->cfg + BLK_CFG_SEG_MAX, VQ_MAX_SIZE - 2);
	if (pthread_cond_init(&d->wake, NULL))
		goto nomem;
	d->vd = vdev__add(g, ro ? &blk_ro_ops : &blk_ops, d);
	if (!d->vd)
		goto nomem;
	n_disks++;
	return 0;
nomem:
	snprintf(why, LG_WHY_MAX, "%s: no room for another device on the Guest's PCI bus", path);
fail:
	if (d->fd >= 0)
		close(d->fd);
	free(path);
	return -1;
}

int block__served(unsigned int disk, uint64_t *at_kick, uint64_t *by_thread)
{
	struct disk *d;

	if (disk >= n_disks)
		return -1;
	d = &disks[disk];
	vdev__lock(d->vd);
	*at_kick = d->at_kick;
	*by_thread = d->by_thread;
	vdev__unlock(d->vd);
	return 0;
}

int block__start(struct guest *g)
{
	pthread_attr_t attr;
	pthread_t thread;
	unsigned int i;
	int err = 0;

	(void)g;
	if (pthread_attr_init(&attr))
		return -1;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < n_disks && !err; i++)
		err = pthread_create(&thread, &attr, io_thread, &disks[i]);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
