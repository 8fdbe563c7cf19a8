// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the virtio console (virtio 1.0 section 5.3), for now only its
 * configuration fields.  Its queues, and with them the Guest's real console
 * input and output, come with the other virtio devices.
 */
#include <errno.h>
#include <unistd.h>

#include "lguest.h"

#define PCI_CLASS_COMM_OTHER	0x078000	/* "simple communication controller" */

/* struct virtio_console_config: le16 cols, rows; le32 max_nr_ports, emerg_wr. */
#define CONSOLE_COLS		0
#define CONSOLE_ROWS		2
#define CONSOLE_MAX_NR_PORTS	4
#define CONSOLE_EMERG_WR	8
#define CONSOLE_CFG_SIZE	12

struct console {
	int out_fd;
	uint8_t cfg[CONSOLE_CFG_SIZE];
};

/* There is only ever one console, at 00:01.0. */
static struct console the_console;

static void emit(struct console *con, uint8_t c)
{
	while (write(con->out_fd, &c, 1) < 0 && errno == EINTR)
		;
}

static uint32_t console_cfg_read(void *dev, uint32_t off, unsigned int size)
{
	struct console *con = dev;
	uint32_t val = 0;

	/* pci.c only passes accesses that lie inside our CONSOLE_CFG_SIZE bytes. */
	while (size--)
		val = val << 8 | con->cfg[off + size];
	return val;
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

	if (off <= CONSOLE_EMERG_WR && CONSOLE_EMERG_WR < off + size)
		emit(con, (uint8_t)(val >> (8 * (CONSOLE_EMERG_WR - off))));
}

static const struct vdev_ops console_ops = {
	.name		= "console",
	.device_id	= LGUEST_VIRTIO_ID_CONSOLE,
	.pci_class	= PCI_CLASS_COMM_OTHER,
	.cfg_size	= CONSOLE_CFG_SIZE,
	.cfg_read	= console_cfg_read,
	.cfg_write	= console_cfg_write,
};

/*
 * Add the console; it must be the first device, so that it lands in slot 1.
 * The size fields mean something only with VIRTIO_CONSOLE_F_SIZE, which we
 * do not offer, but a plain 80x25 is what anyone reading them would expect.
 */
int console__add(struct guest *g, int out_fd)
{
	struct console *con = &the_console;

	con->out_fd = out_fd;
	put_le16(con->cfg + CONSOLE_COLS, 80);
	put_le16(con->cfg + CONSOLE_ROWS, 25);
	put_le32(con->cfg + CONSOLE_MAX_NR_PORTS, 1);
	put_le32(con->cfg + CONSOLE_EMERG_WR, 0);
	return vdev__add(g, &console_ops, con) < 0 ? -1 : 0;
}
