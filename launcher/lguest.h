/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lguest.h - what the Launcher's files share.
 *
 * The numbers the Host and the Guest agree on live in lguest_abi.h; this file
 * holds only the Launcher's own choices: how we describe a Guest, and the
 * functions each file offers the others, grouped under the file's name.
 *
 * Everything below main.c works on a plain buffer of guest memory and never
 * touches /dev/lguest, so tests/unit can run it as a normal 64-bit program.
 * Guest addresses are always uint32_t; only g->mem is a host pointer.
 */
#ifndef LAUNCHER_LGUEST_H
#define LAUNCHER_LGUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lguest_abi.h"

#define LG_PAGE_SIZE		4096u
#define LG_PAGE_ROUND_UP(x)	(((x) + LG_PAGE_SIZE - 1) & ~(LG_PAGE_SIZE - 1))

/* The MMIO window for device BARs sits right above RAM (DESIGN.md). */
#define LG_DEVICE_PAGES		256u
#define LG_DEVICE_WINDOW	(LG_DEVICE_PAGES * LG_PAGE_SIZE)

/* Where a bzImage's 32-bit payload goes (ABI.md section 8). */
#define LG_BZIMAGE_LOAD		0x100000u

/* Error messages are one line: "<problem>; <what to do about it>". */
#define LG_WHY_MAX		256

struct pci_bus;
struct vdev;
struct vdev_ops;

/* One Guest, as the Launcher sees it. */
struct guest {
	uint8_t *mem;		/* Launcher address of guest-physical 0 */
	uint32_t ram_size;	/* RAM is guest-physical [0, ram_size) */
	uint32_t start;		/* guest-physical address of the first instruction */
	uint32_t kernel_end;	/* first byte above what the kernel will occupy */
	uint32_t initrd_addr;	/* 0 when there is no initrd */
	uint32_t initrd_size;	/* page-rounded */
	struct pci_bus *pci;	/* the emulated bus: pci.c */
	int fd;			/* /dev/lguest, or -1 in unit tests */
	bool dead;		/* a request said the Guest died while we emulated */
	bool holds_writes;	/* lg.ko holds the Guest's config port writes (L115) */
	/*
	 * Raise interrupt line irq in the Guest: LHREQ_IRQ in main.c, a
	 * recorder in the unit tests.  Any thread may call it.
	 */
	void (*raise_irq)(struct guest *g, unsigned int irq);
	/*
	 * Have lg.ko answer the Guest's reads of the interrupt status byte
	 * *isr at guest-physical gpa (LHREQ_ISR, L755), or stop (gpa
	 * LGUEST_ISR_NONE).  NULL where there is no lg.ko to ask, or it
	 * cannot; false if it refused this one.  The vCPU thread only.
	 */
	bool (*fast_isr)(struct guest *g, uint32_t gpa, uint8_t *isr);
};

/*
 * A Launcher pointer to guest-physical [gpa, gpa + len), or NULL if any of it
 * lies outside RAM.  Written so that no addition can wrap.
 */
static inline uint8_t *guest_ptr(const struct guest *g, uint32_t gpa, uint32_t len)
{
	if (len > g->ram_size || gpa > g->ram_size - len)
		return NULL;
	return g->mem + gpa;
}

/* Little-endian accessors for byte buffers: guest structures need not be aligned. */
static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* load.c: the kernel, the initrd and boot_params.  Each returns 0, or -1 with why[] set. */
int load_kernel(struct guest *g, const uint8_t *img, size_t len, char *why);
int load_initrd(struct guest *g, const uint8_t *img, size_t len, char *why);
int setup_boot_params(struct guest *g, int argc, char *const argv[], char *why);

/* insn.c: decoding the instructions that bring the Guest to us, and emulating them. */
enum io_dir { IO_IN, IO_OUT, IO_SKIP };

struct io_insn {
	enum io_dir dir;
	unsigned int size;	/* 1, 2 or 4 bytes */
	bool port_in_dx;	/* else the port is imm */
	uint8_t imm;
	unsigned int len;	/* instruction length in bytes */
};

struct mmio_insn {
	bool store;		/* mov reg -> memory */
	unsigned int size;	/* 1, 2 or 4 bytes */
	unsigned int reg;	/* LG_REG_* offset of the register operand */
	unsigned int shift;	/* 8 for %ah..%bh, else 0 */
	unsigned int len;
};

/* How emulation reaches the Guest's registers: /dev/lguest, or a test's array. */
struct guest_regs {
	uint32_t (*get)(void *ctx, unsigned int lg_reg);
	void (*set)(void *ctx, unsigned int lg_reg, uint32_t val);
	void *ctx;
};

int decode_io(const uint8_t insn[7], struct io_insn *io);
int decode_mmio(const uint8_t insn[7], struct mmio_insn *m);
uint32_t merge_reg(uint32_t old, uint32_t val, unsigned int size, unsigned int shift);
uint32_t port_in(struct guest *g, uint16_t port, unsigned int size);
void port_out(struct guest *g, uint16_t port, unsigned int size, uint32_t val);
int port_writes(struct guest *g, const struct lguest_port_write *w, unsigned int n);
int emulate_io(struct guest *g, const uint8_t insn[7], const struct guest_regs *r);
int emulate_mmio(struct guest *g, const uint8_t insn[7], uint32_t gpa,
		 const struct guest_regs *r);

/*
 * pci.c: the bus.  A virtio device is an ops table (virtio.h): the device
 * file knows its own config fields and queues and nothing about PCI; pci.c
 * gives it a slot, an interrupt line, BAR0 and the virtio capabilities,
 * and virtio_pci.c what lies behind them.
 */
int pci__init(struct guest *g);
void pci__exit(struct guest *g);
struct vdev *vdev__add(struct guest *g, const struct vdev_ops *ops, void *dev);
bool pci__io_in(struct guest *g, uint16_t port, unsigned int size, uint32_t *val);
bool pci__io_out(struct guest *g, uint16_t port, unsigned int size, uint32_t val);
int pci__mmio_read(struct guest *g, uint32_t gpa, unsigned int size, uint32_t *val);
int pci__mmio_write(struct guest *g, uint32_t gpa, unsigned int size, uint32_t val);

/*
 * console.c: the virtio console, port 0 on in_fd and out_fd (in_fd -1: no
 * input).  console__start() puts a terminal into raw mode and starts the
 * input thread; call it once the Guest exists.
 */
int console__add(struct guest *g, int in_fd, int out_fd);
int console__start(struct guest *g);

/*
 * block.c: a virtio disk on a file or block device, "FILE" or "FILE,ro".
 * block__add() opens it (0, or -1 with why[] set); block__start() starts
 * the I/O thread of every disk added, once the Guest exists;
 * block__served() says how many requests a disk served at the kick (from
 * the Host's cache) and how many in its I/O thread (-1: no such disk).
 */
int block__add(struct guest *g, const char *spec, char *why);
int block__start(struct guest *g);
int block__served(unsigned int disk, uint64_t *at_kick, uint64_t *by_thread);

/*
 * net.c: a virtio network card on a new tap device, "IP[:MAC]" or
 * "bridge:BR[:MAC]".  net__check() only parses that; net__add() creates
 * and configures the tap (it needs CAP_NET_ADMIN); net__add_fd() takes
 * any fd that passes whole frames behind a 12-byte virtio-net header
 * (tests/unit gives it a socketpair) and the function that sets its
 * offloads, as TUNSETOFFLOAD does with TUN_F_* flags (NULL: offer none);
 * net__start() starts each card's receive thread.  0, or -1 with why[].
 * net__dropped() says how many frames a card dropped each way;
 * net__verbose() makes the cards say which offloads they offer and take.
 */
typedef int net_offload_fn(int fd, unsigned int tun_flags);
int net__check(const char *spec, char *why);
int net__add(struct guest *g, const char *spec, char *why);
int net__add_fd(struct guest *g, int fd, const uint8_t mac[6], net_offload_fn *set_offload,
		char *why);
int net__start(struct guest *g);
int net__dropped(unsigned int card, uint64_t *rx, uint64_t *tx);
void net__verbose(bool on);

/* rng.c: a virtio entropy source, fed by getrandom(2). */
int rng__add(struct guest *g);

/* term.c: raw mode on a terminal, undone on every way out of the Launcher. */
int term__raw(int fd);
void term__restore(void);

#endif /* LAUNCHER_LGUEST_H */
