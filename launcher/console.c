// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the virtio console (virtio 1.0 section 5.3): port 0 only, on
 * our stdin and stdout.
 *
 * Two queues: the Guest fills the receiveq with empty buffers and we put
 * what the user types into them; it sends what it prints on the transmitq
 * and we write it out.  Output happens on the Guest's own thread, right
 * in the kick: the Guest's hvc driver waits, spinning, for each buffer to
 * come back before it sends the next.  Input has a thread of its own,
 * which sleeps in read() on stdin and raises the Guest's interrupt when it
 * has delivered something.
 *
 * Before any of that, the Guest prints its boot messages one character at
 * a time through the emerg_wr config field (see below).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "virtio.h"

#define PCI_CLASS_COMM_OTHER	0x078000	/* "simple communication controller" */

/* Feature bits (5.3.3). */
#define VIRTIO_CONSOLE_F_EMERG_WRITE	2

/* struct virtio_console_config: le16 cols, rows; le32 max_nr_ports, emerg_wr. */
#define CONSOLE_COLS		0
#define CONSOLE_ROWS		2
#define CONSOLE_MAX_NR_PORTS	4
#define CONSOLE_EMERG_WR	8
#define CONSOLE_CFG_SIZE	12

/* Port 0's queues (5.3.2). */
#define RECEIVEQ		0
#define TRANSMITQ		1

/* Ctrl-A x stops the Launcher from a raw terminal; Ctrl-A Ctrl-A sends one Ctrl-A. */
#define ESCAPE_KEY		0x01
#define ESCAPE_QUIT		'x'

#define INPUT_CHUNK		256

struct console {
	struct vdev *vd;
	int in_fd, out_fd;
	bool raw_tty;		/* in_fd is a terminal we made raw: escapes apply */
	bool escaped;		/* the last key was ESCAPE_KEY */
	uint8_t cfg[CONSOLE_CFG_SIZE];
	/*
	 * Under the device lock: the input thread waits here for receive
	 * buffers, and the Guest's thread wakes it when it kicks the
	 * receiveq or resets the device.
	 */
	pthread_cond_t rx_wait;
	struct vq_chain rx, tx;	/* scratch chains, used under the lock */
};

/* There is only ever one console, at 00:01.0. */
static struct console the_console;

static void write_out(struct console *con, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(con->out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* nobody reads our output: drop it */
		p += n;
		len -= (size_t)n;
	}
}

static uint32_t console_cfg_read(void *dev, uint32_t off, unsigned int size)
{
	struct console *con = dev;

	/* virtio_pci.c only passes accesses that lie inside our CONSOLE_CFG_SIZE bytes. */
	return cfg_bytes(con->cfg + off, size);
}

/*> L600
 * emerg_wr is the console's "emergency write" field: a character written
 * there goes straight out, no queues needed.  The lguest Guest prints its
 * boot messages this way (ABI.md section 10), one character per write, long
 * before its virtio driver exists, so we send each one to our output at
 * once: if the Guest dies a moment later, its last words are already out.
 * The other fields are read-only to the driver, so other writes are dropped.
 */
static void console_cfg_write(void *dev, uint32_t off, unsigned int size, uint32_t val)
{
	struct console *con = dev;
	uint8_t c;

	if (off <= CONSOLE_EMERG_WR && CONSOLE_EMERG_WR < off + size) {
		c = (uint8_t)(val >> (8 * (CONSOLE_EMERG_WR - off)));
		write_out(con, &c, 1);
	}
}

/*> L610
 * The transmitq: every buffer the Guest sent goes to our output, in
 * order, and straight back to the Guest.  A transmit buffer has nothing
 * for us to write into, so each is used with length 0.
 */
static void transmit(struct console *con)
{
	struct vq_chain *c = &con->tx;
	bool pushed = false;
	unsigned int i;

	while (vdev__pop(con->vd, TRANSMITQ, c) == 1) {
		for (i = 0; i < c->n_out; i++)
			write_out(con, c->iov[i].iov_base, c->iov[i].iov_len);
		vdev__push(con->vd, TRANSMITQ, c, 0);
		pushed = true;
	}
	if (pushed)
		vdev__signal(con->vd, TRANSMITQ);
}

static void console_notify(void *dev, struct vdev *vd, unsigned int q)
{
	struct console *con = dev;

	(void)vd;
	if (q == TRANSMITQ)
		transmit(con);
	else
		pthread_cond_broadcast(&con->rx_wait);
}

static void console_reset(void *dev, struct vdev *vd)
{
	struct console *con = dev;

	(void)vd;
	pthread_cond_broadcast(&con->rx_wait);
}

static const struct vdev_ops console_ops = {
	.name		= "console",
	.device_id	= LGUEST_VIRTIO_ID_CONSOLE,
	.pci_class	= PCI_CLASS_COMM_OTHER,
	.features	= VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE),
	.num_queues	= 2,
	.cfg_size	= CONSOLE_CFG_SIZE,
	.cfg_read	= console_cfg_read,
	.cfg_write	= console_cfg_write,
	.notify		= console_notify,
	.reset		= console_reset,
};

/* Copy up to len bytes into the writable buffers of c; returns how many. */
static size_t fill_chain(const struct vq_chain *c, const uint8_t *buf, size_t len)
{
	const struct iovec *iov = c->iov + c->n_out;
	size_t done = 0, n;
	unsigned int i;

	for (i = 0; i < c->n_in && done < len; i++) {
		n = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
		memcpy(iov[i].iov_base, buf + done, n);
		done += n;
	}
	return done;
}

/*> L630
 * Delivering input: into as many receive buffers as it takes, each
 * returned to the Guest with the number of bytes it now holds.  Returns
 * how many bytes went in, which is fewer than len when the Guest has no
 * buffer for the rest (its driver is not up yet, has not refilled the
 * queue, or broke it and must reset).  Before that we wait for the
 * Guest's thread to say something changed: once for up to wait_ms
 * milliseconds, or as often and as long as it takes if wait_ms < 0.
 */
static size_t deliver(struct console *con, const uint8_t *buf, size_t len, int wait_ms)
{
	struct vq_chain *c = &con->rx;
	size_t n, done = 0;
	bool waited = false;

	vdev__lock(con->vd);
	while (done < len) {
		if (vdev__pop(con->vd, RECEIVEQ, c) != 1) {
			if (wait_ms < 0) {
				vdev__wait(con->vd, &con->rx_wait);
				continue;
			}
			if (waited)
				break;
			vdev__wait_for(con->vd, &con->rx_wait, (unsigned int)wait_ms);
			waited = true;
			continue;
		}
		n = fill_chain(c, buf + done, len - done);
		vdev__push(con->vd, RECEIVEQ, c, (uint32_t)n);
		vdev__signal(con->vd, RECEIVEQ);
		done += n;
	}
	vdev__unlock(con->vd);
	return done;
}

/*
 * The escape key, on a raw terminal only: Ctrl-A x ends the Launcher (the
 * terminal is restored on the way out), Ctrl-A Ctrl-A is one Ctrl-A for
 * the Guest, and Ctrl-A before anything else passes both keys through.
 * out must have room for 2 * len bytes.
 */
static size_t filter_keys(struct console *con, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (!con->escaped) {
			if (in[i] == ESCAPE_KEY && con->raw_tty)
				con->escaped = true;
			else
				out[n++] = in[i];
			continue;
		}
		con->escaped = false;
		if (in[i] == ESCAPE_QUIT) {
			term__restore();
			fprintf(stderr, "\r\nlguest: stopped from the console (Ctrl-A x)\n");
			exit(EXIT_FAILURE);
		}
		if (in[i] != ESCAPE_KEY)
			out[n++] = ESCAPE_KEY;
		out[n++] = in[i];
	}
	return n;
}

/*
 * Keys the Guest has no buffer for wait here.  From a pipe or a file we
 * read no more until they are in (the writer waits, nothing is lost).
 * From a raw terminal we go on reading into the room left, so that
 * Ctrl-A x still stops a Guest that takes no input (one that hangs, or is
 * still booting), and a Guest that takes keys slowly loses none.  Only
 * once the room is full and the Guest has taken nothing for
 * INPUT_STALL_MS do we read on regardless, for the escape, and drop the
 * rest, as a full terminal would.
 */
#define INPUT_WAITING		4096
#define INPUT_RETRY_MS		100
#define INPUT_STALL_MS		1000

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Read what is there to read within ms milliseconds: -1 at end of input. */
static ssize_t read_input(struct console *con, uint8_t *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = con->in_fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (ms >= 0 && poll(&pfd, 1, ms) == 0)
			return 0;
		n = read(con->in_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (ms >= 0)
				return 0;
			poll(&pfd, 1, -1);	/* someone gave us a non-blocking fd */
			continue;
		}
		return n > 0 ? n : -1;
	}
}

/*
 * The input thread: read, filter, deliver, repeat.  End of file (a pipe
 * closed, /dev/null) or an error means no more input, ever: the thread
 * delivers what it has and ends rather than spin on a read() that keeps
 * returning 0.
 */
static void *input_thread(void *arg)
{
	struct console *con = arg;
	uint8_t buf[INPUT_CHUNK], keys[2 * INPUT_CHUNK], waiting[INPUT_WAITING];
	size_t nwaiting = 0, nkeys, take, room, want;
	uint64_t progress = now_ms();
	bool eof = false, drop;
	ssize_t n;

	for (;;) {
		/* n bytes filter to at most n + 1 keys (an escape left from before). */
		room = sizeof(waiting) - nwaiting;
		want = room > sizeof(buf) ? sizeof(buf) : (room ? room - 1 : 0);
		drop = !want && now_ms() - progress >= INPUT_STALL_MS;
		if (drop)
			want = sizeof(buf);
		if (!eof && want && (nwaiting == 0 || con->raw_tty)) {
			n = read_input(con, buf, want, nwaiting ? 0 : -1);
			if (n < 0)
				eof = true;
			nkeys = n > 0 ? filter_keys(con, buf, (size_t)n, keys) : 0;
			if (!drop) {
				memcpy(waiting + nwaiting, keys, nkeys);
				nwaiting += nkeys;
			}
		}
		if (eof && nwaiting == 0)
			return NULL;
		take = deliver(con, waiting, nwaiting, con->raw_tty ? INPUT_RETRY_MS : -1);
		if (take || !nwaiting)
			progress = now_ms();
		memmove(waiting, waiting + take, nwaiting - take);
		nwaiting -= take;
	}
}

/*
 * Add the console; it must be the first device, so that it lands in slot 1.
 * The size fields mean something only with VIRTIO_CONSOLE_F_SIZE, which we
 * do not offer, but a plain 80x25 is what anyone reading them would expect.
 */
int console__add(struct guest *g, int in_fd, int out_fd)
{
	struct console *con = &the_console;

	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->raw_tty = false;
	con->escaped = false;
	put_le16(con->cfg + CONSOLE_COLS, 80);
	put_le16(con->cfg + CONSOLE_ROWS, 25);
	put_le32(con->cfg + CONSOLE_MAX_NR_PORTS, 1);
	put_le32(con->cfg + CONSOLE_EMERG_WR, 0);
	if (pthread_cond_init(&con->rx_wait, NULL))
		return -1;
	con->vd = vdev__add(g, &console_ops, con);
	return con->vd ? 0 : -1;
}

/*
 * Make the terminal raw (if stdin is one) and start reading it.  A reader
 * that went away must not kill us with SIGPIPE: we drop what it missed.
 */
int console__start(struct guest *g)
{
	struct console *con = &the_console;
	pthread_attr_t attr;
	pthread_t thread;
	int err;

	(void)g;
	signal(SIGPIPE, SIG_IGN);
	if (con->in_fd < 0)
		return 0;
	if (term__raw(con->in_fd) > 0)
		con->raw_tty = true;
	if (pthread_attr_init(&attr))
		return -1;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&thread, &attr, input_thread, con);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
