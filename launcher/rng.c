// SPDX-License-Identifier: GPL-2.0
/*
 * rng.c - the virtio entropy device (virtio 1.0 section 5.4), fed from
 * the Host's getrandom(2).
 *
 * One queue, no features, no configuration: the Guest's hw_random driver
 * offers an empty buffer and we fill it.  That is quick enough to do right
 * in the kick, on the Guest's own thread, the way the console transmits:
 * getrandom() on a booted Host never blocks, and we bound what one request
 * may ask for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "virtio.h"

#define PCI_CLASS_OTHERS	0xFF0000	/* "device does not fit any class" */
#define REQUESTQ		0

/*
 * The most we hand over for one request.  Linux asks for a few dozen
 * bytes at a time; a Guest that offers a huge buffer simply gets part of
 * it filled (5.4.6.1 lets the device write fewer bytes than offered).
 */
#define RNG_MAX_REQUEST		(64u * 1024)

struct rng {
	struct vdev *vd;
	bool said_getrandom_failed;
	struct vq_chain req;	/* scratch chain, used under the device lock */
};

/* There is at most one entropy device. */
static struct rng the_rng;

/* Fill buf from getrandom(); returns the bytes we got. */
static size_t get_entropy(struct rng *rng, uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = getrandom(buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!rng->said_getrandom_failed)
				fprintf(stderr, "lguest: rng: getrandom: %s; the Guest gets no entropy\n",
					strerror(errno));
			rng->said_getrandom_failed = true;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

/*> L650
 * A request is nothing but writable buffers (5.4.6.1 again).  A chain
 * with something for us to read, or with nothing to write into, is not
 * a request any driver would make: we stop the device and say so rather
 * than guess.
 */
static int serve(struct rng *rng, const struct vq_chain *c, uint32_t *written)
{
	const struct iovec *iov = c->iov + c->n_out;
	size_t want, got, total = 0;
	unsigned int i;

	if (c->n_out) {
		vdev__needs_reset(rng->vd, "request with %u device-readable bytes; it must be "
				  "all writable", c->out_len);
		return -1;
	}
	if (!c->in_len) {
		vdev__needs_reset(rng->vd, "request with no buffer to fill");
		return -1;
	}
	for (i = 0; i < c->n_in && total < RNG_MAX_REQUEST; i++) {
		want = iov[i].iov_len < RNG_MAX_REQUEST - total ? iov[i].iov_len
								 : RNG_MAX_REQUEST - total;
		got = get_entropy(rng, iov[i].iov_base, want);
		total += got;
		if (got < want)
			break;
	}
	*written = (uint32_t)total;
	return 0;
}

static void rng_notify(void *dev, struct vdev *vd, unsigned int q)
{
	struct rng *rng = dev;
	bool pushed = false;
	uint32_t written;

	(void)q;	/* we have one queue, and virtio_pci.c checked the index */
	while (vdev__pop(vd, REQUESTQ, &rng->req) == 1) {
		if (serve(rng, &rng->req, &written))
			return;
		vdev__push(vd, REQUESTQ, &rng->req, written);
		pushed = true;
	}
	if (pushed)
		vdev__signal(vd, REQUESTQ);
}

static uint32_t rng_cfg_read(void *dev, uint32_t off, unsigned int size)
{
	(void)dev;
	(void)off;
	(void)size;
	return 0;
}

static void rng_cfg_write(void *dev, uint32_t off, unsigned int size, uint32_t val)
{
	(void)dev;
	(void)off;
	(void)size;
	(void)val;
}

static const struct vdev_ops rng_ops = {
	.name		= "rng",
	.device_id	= VIRTIO_ID_RNG,
	.pci_class	= PCI_CLASS_OTHERS,
	.num_queues	= 1,
	.cfg_size	= 0,
	.cfg_read	= rng_cfg_read,
	.cfg_write	= rng_cfg_write,
	.notify		= rng_notify,
};

int rng__add(struct guest *g)
{
	struct rng *rng = &the_rng;

	if (rng->vd)
		return -1;	/* one is plenty */
	rng->said_getrandom_failed = false;
	rng->vd = vdev__add(g, &rng_ops, rng);
	return rng->vd ? 0 : -1;
}
