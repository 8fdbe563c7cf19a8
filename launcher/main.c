// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the lguest Launcher: options, guest memory and the run loop.
 *
 *	lguest [--verbose] [--initrd=FILE] [--block=FILE[,ro]]...
 *	       [--tunnet=IP[:MAC]|bridge:BR[:MAC]]... [--rng]
 *	       [--username=USER] [--chroot=DIR] [--stats]
 *	       <mem-in-MB> <guest-kernel> [guest args...]
 *
 * The Launcher is an ordinary program.  It sets aside some of its own memory
 * as the Guest's "physical" memory, loads a kernel into it, and hands it to
 * lg.ko through /dev/lguest.  From then on each read() of /dev/lguest runs
 * the Guest until it does something only we can answer: touch a device.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lguest.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* Exit statuses, as lguest(1) documents them. */
#define EXIT_POWEROFF		0	/* the Guest powered off */
#define EXIT_GUEST_DIED		1	/* it crashed or was killed: the reason is printed */
#define EXIT_RESTART		2	/* it asked to be restarted */
#define EXIT_ERROR		3	/* the Launcher could not run it: the error is printed */

#define TRAP_DB			1
#define TRAP_GP			13
#define TRAP_PF			14

/* More than this will not fit below the 3 GiB user/kernel split of an i386 host. */
#define MAX_MEM_MB		2048u
#define DEATH_REASON_MAX	1024
#ifndef DEV_LGUEST		/* tests/unit/test_run.c points it elsewhere */
#define DEV_LGUEST		"/dev/lguest"
#endif
#define MAX_BLOCKS		16
#define MAX_NETS		4
#define STATS_DIR		"/sys/kernel/debug/lguest"

struct options {
	bool verbose;
	const char *initrd;
	const char *blocks[MAX_BLOCKS];
	unsigned int n_blocks;
	const char *nets[MAX_NETS];
	unsigned int n_nets;
	bool rng;
	const char *username;
	const char *chroot;
	bool stats;
	uint32_t mem_mb;
	const char *kernel;
	int guest_argc;
	char **guest_argv;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_guest(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void say(const char *fmt, va_list ap)
{
	fputs("lguest: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* The Launcher cannot go on: a bad option, a missing file, no lg.ko. */
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(EXIT_ERROR);
}

/* The Guest cannot go on, by its own doing: the same as lg.ko killing it. */
static void die_guest(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(EXIT_GUEST_DIED);
}

static bool verbose;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --verbose: what we set up, one line each. */
static void note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

/* Requests are arrays of 32-bit words: the i386 module's unsigned long. */
static int lg_request(struct guest *g, const uint32_t *words, size_t n)
{
	return pwrite(g->fd, words, n * sizeof(*words), 0) < 0 ? -1 : 0;
}

/* A request failing with ENOENT means the Guest is already dead. */
static bool noticed_death(struct guest *g)
{
	if (errno == ENOENT)
		g->dead = true;
	return g->dead;
}

/*> L130
 * The Guest's registers stay in the Host.  To read one we ask for it with
 * GETREG, and the next read() hands it over instead of running the Guest;
 * SETREG writes one.  Registers are named by their offset in the i386
 * pt_regs.  If the Guest turns out to be dead, we note it and let the run
 * loop collect the reason.  Any other failure means the module and we
 * disagree about the ABI, which no retry will fix.
 */
static uint32_t lg_getreg(void *ctx, unsigned int reg)
{
	struct guest *g = ctx;
	uint32_t req[2] = { LHREQ_GETREG, reg }, val = 0;

	if (g->dead)
		return 0;
	if (lg_request(g, req, 2) == 0 && pread(g->fd, &val, sizeof(val), 0) == sizeof(val))
		return val;
	if (noticed_death(g))
		return 0;
	die(DEV_LGUEST ": reading guest register %u: %s", reg, strerror(errno));
}

static void lg_setreg(void *ctx, unsigned int reg, uint32_t val)
{
	struct guest *g = ctx;
	uint32_t req[3] = { LHREQ_SETREG, reg, val };

	if (g->dead || lg_request(g, req, 3) == 0 || noticed_death(g))
		return;
	die(DEV_LGUEST ": setting guest register %u: %s", reg, strerror(errno));
}

/*> L140
 * A device raises an interrupt line with LHREQ_IRQ.  lg.ko takes that
 * request from any thread, even while the Guest runs in our read() on the
 * main one, and kicks the Guest out to take it; the console's input
 * thread relies on that.  A dead Guest answers ENOENT, which the run loop
 * will find out for itself, so only other errors are worth a line.
 */
static void lg_irq(struct guest *g, unsigned int irq)
{
	uint32_t req[2] = { LHREQ_IRQ, irq };

	if (lg_request(g, req, 2) && errno != ENOENT)
		fprintf(stderr, "lguest: " DEV_LGUEST ": raising interrupt %u: %s\n", irq,
			strerror(errno));
}

/*
 * Something we cannot emulate is the Guest's fault, and it gets the fault
 * back as if there had been no Launcher: #GP for an I/O instruction, #PF for
 * device memory.  If it has no handler for that, it cannot go on.
 */
static void reinject(struct guest *g, const struct lguest_pending *p)
{
	uint32_t req[2] = { LHREQ_TRAP, p->trap };
	const uint8_t *b = p->insn;
	int err;

	if (g->dead || lg_request(g, req, 2) == 0 || noticed_death(g))
		return;
	err = errno;
	die_guest("guest faulted (trap %u, address %#x) at eip %#x on bytes "
	    "%02x %02x %02x %02x %02x %02x %02x and has no handler for it (%s)",
	    p->trap, p->addr, lg_getreg(g, LG_REG_EIP),
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], strerror(err));
}

/*> L110
 * Only two things bring the Guest back to us.  Trap 13 is an in or out
 * instruction (the Guest kernel has no I/O permission in ring 1), which is
 * how it reaches the PCI configuration ports.  Trap 14 is a load or store to
 * a page of the device window above RAM, where the BARs live.  Either way
 * insn.c decodes the instruction from the bytes the Host copied out for us
 * and does its work on the Guest's registers.
 *
 * The read() that brought the exit brought the registers too (struct
 * lguest_exit), so reading one costs nothing; writing one is a SETREG.
 * An lg.ko that only gives the 12-byte struct lguest_pending leaves the
 * cache empty, and each register is fetched with GETREG when first read.
 */
struct reg_cache {
	struct guest *g;
	bool have[LG_REG_WORDS];
	uint32_t val[LG_REG_WORDS];
};

static uint32_t cached_getreg(void *ctx, unsigned int reg)
{
	struct reg_cache *c = ctx;
	unsigned int i = reg / 4;

	if (reg % 4 || i >= LG_REG_WORDS)
		return lg_getreg(c->g, reg);	/* lg.ko refuses it: die() */
	if (!c->have[i]) {
		c->val[i] = lg_getreg(c->g, reg);
		c->have[i] = true;
	}
	return c->val[i];
}

static void cached_setreg(void *ctx, unsigned int reg, uint32_t val)
{
	struct reg_cache *c = ctx;
	unsigned int i = reg / 4;

	lg_setreg(c->g, reg, val);
	if (reg % 4 == 0 && i < LG_REG_WORDS) {
		c->val[i] = val;
		c->have[i] = true;
	}
}

/*
 * An instruction we carried out ends as one the CPU carries out: if the
 * Guest has the trap flag set (a debugger stepping through its kernel), a
 * #DB follows right after it, before the next instruction runs.  lg.ko
 * makes DR6 say single step for a #DB we deliver, as for its own steps.
 */
#define EFLAGS_TF		0x100

static void end_instruction(struct guest *g, const struct guest_regs *r)
{
	uint32_t req[2] = { LHREQ_TRAP, TRAP_DB };
	int err;

	if (g->dead || !(r->get(r->ctx, LG_REG_EFLAGS) & EFLAGS_TF))
		return;
	if (lg_request(g, req, 2) == 0 || noticed_death(g))
		return;
	err = errno;
	die_guest("guest single-stepped to eip %#x and has no #DB handler (%s)",
		  r->get(r->ctx, LG_REG_EIP), strerror(err));
}

static void handle_exit(struct guest *g, const struct lguest_exit *e, bool with_regs)
{
	const struct lguest_pending *p = &e->pending;
	struct reg_cache cache = { .g = g };
	const struct guest_regs regs = { cached_getreg, cached_setreg, &cache };
	int err;

	if (with_regs) {
		memcpy(cache.val, e->regs, sizeof(cache.val));
		memset(cache.have, true, sizeof(cache.have));
	}
	if (p->trap == TRAP_GP)
		err = emulate_io(g, p->insn, &regs);
	else if (p->trap == TRAP_PF)
		err = emulate_mmio(g, p->insn, p->addr, &regs);
	else
		die(DEV_LGUEST ": unexpected exit with trap %u; "
		    "lg.ko and this launcher do not match", p->trap);
	if (err)
		reinject(g, p);
	else
		end_instruction(g, &regs);
}

/*> L115
 * Until its virtio console is up, a Linux Guest prints each character with
 * eight port writes to the PCI configuration ports, and each would be an
 * exit to us.  A write needs no answer, so we let lg.ko hold the Guest's
 * writes to 0xCF8-0xCFF and give them to us with the next exit, in order
 * (H310): we carry them out first, then the exit itself, which may be
 * nothing more (LGUEST_EXIT_WRITES).  An lg.ko that cannot hold them (its
 * hold_port_writes parameter is off, or it is older than the request)
 * leaves every write an exit, as before.
 */
static void hold_config_writes(struct guest *g)
{
	uint32_t req[3] = { LHREQ_HOLD_PORTS, LGUEST_PCI_CONFIG_ADDR, LGUEST_PCI_CONFIG_DATA + 3 };

	if (lg_request(g, req, 3) == 0) {
		g->holds_writes = true;
		return;
	}
	if (errno != EOPNOTSUPP && errno != EINVAL)
		die(DEV_LGUEST ": asking lg.ko to hold port writes: %s", strerror(errno));
	note("lg.ko holds no port writes (%s): each one is an exit", strerror(errno));
}

/*
 * L755 in pci.c: lg.ko answers the Guest's reads of an interrupt status
 * byte itself, once we tell it where the byte is.  An lg.ko that cannot
 * (fast_isr_reads off, or older than the request) is asked once; after
 * that every read is an exit, as before.
 */
static bool lg_fast_isr(struct guest *g, uint32_t gpa, uint8_t *isr)
{
	uint32_t req[3] = { LHREQ_ISR, gpa, (uint32_t)(uintptr_t)isr };

	if (g->dead)
		return false;
	if (lg_request(g, req, 3) == 0)
		return true;
	if (noticed_death(g) || errno == ENOSPC)
		return false;
	if (errno != EOPNOTSUPP && errno != EINVAL)
		die(DEV_LGUEST ": asking lg.ko to read an interrupt status byte: %s", strerror(errno));
	note("lg.ko reads no interrupt status bytes (%s): each interrupt is an exit", strerror(errno));
	g->fast_isr = NULL;
	return false;
}

/*
 * The length of a read() that brought an exit and held writes: the exit,
 * the count and that many writes.  -1 if it is not that, or if the count
 * is not one lg.ko could have sent.
 */
static int held_writes_in(const struct lguest_exit_writes *e, ssize_t n)
{
	const ssize_t head = offsetof(struct lguest_exit_writes, writes);

	if (n < head || e->nr_writes > LGUEST_HELD_WRITES ||
	    n != head + (ssize_t)(e->nr_writes * sizeof(e->writes[0])))
		return -1;
	return (int)e->nr_writes;
}

static void strip_trailing_newlines(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/*> L120
 * A Guest stops in one of three ways.  If it died (it shut down, or the
 * Host killed it for misbehaving), read() fails with ENOENT and the next
 * read() gives the reason as a string.  A power-off is a success, and we
 * leave quietly; any other reason is printed and is our failure too.  A
 * reboot request is the errno ERESTART instead: we say so and return
 * status 2, and main() starts the Guest again (restart_guest() below).
 */
static int guest_stopped(struct guest *g, ssize_t n)
{
	char reason[DEATH_REASON_MAX] = "";

	if (n >= 0 && g->holds_writes)
		die(DEV_LGUEST ": read gave %zd bytes, not an exit with held writes; lg.ko and this launcher do not match",
		    n);
	if (n >= 0)
		die(DEV_LGUEST ": read gave %zd bytes, not %zu or %zu; lg.ko and this launcher do not match",
		    n, sizeof(struct lguest_exit), sizeof(struct lguest_pending));
	if (errno == LGUEST_ERESTART) {
		fprintf(stderr, "lguest: guest asked to restart\n");
		return EXIT_RESTART;
	}
	if (errno != ENOENT)
		die(DEV_LGUEST ": running the guest: %s", strerror(errno));

	if (pread(g->fd, reason, sizeof(reason) - 1, 0) < 0)
		snprintf(reason, sizeof(reason), "(no reason given: %s)", strerror(errno));
	strip_trailing_newlines(reason);
	if (strcmp(reason, LGUEST_POWEROFF_REASON) == 0)
		return EXIT_POWEROFF;
	fprintf(stderr, "lguest: guest died: %s\n", reason);
	return EXIT_GUEST_DIED;
}

/*> L100
 * This is the Launcher's whole life once the Guest is set up: run it, do
 * what it asks, run it again.  read() of /dev/lguest enters the Guest and
 * only returns when the Guest needs us, with a struct lguest_pending saying
 * why, or when the Guest has stopped.  A signal interrupts the read; we
 * simply go round again.
 */
static int run_guest(struct guest *g)
{
	struct lguest_exit_writes ew;
	struct lguest_exit *e = &ew.exit_info;
	ssize_t n;
	int nr;

	for (;;) {
		if (g->dead) {
			errno = ENOENT;
			return guest_stopped(g, -1);
		}
		n = pread(g->fd, &ew, g->holds_writes ? sizeof(ew) : sizeof(*e), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (g->holds_writes && (nr = held_writes_in(&ew, n)) >= 0) {
			if (port_writes(g, ew.writes, (unsigned int)nr))
				die(DEV_LGUEST ": a held port write of a size no instruction has; "
				    "lg.ko and this launcher do not match");
			if (e->pending.trap != LGUEST_EXIT_WRITES)
				handle_exit(g, e, true);
		} else if (!g->holds_writes &&
			   (n == (ssize_t)sizeof(*e) || n == (ssize_t)sizeof(e->pending))) {
			handle_exit(g, e, n == (ssize_t)sizeof(*e));
		} else {
			return guest_stopped(g, n);
		}
	}
}

/*
 * lg.ko keeps per-Guest exit counters in debugfs while /dev/lguest is open.
 * --stats opens them as soon as the Guest exists, before --chroot takes
 * /sys away from us, and copies them out when it stops, after what each
 * network card dropped and how each disk served its requests.
 */
static FILE *open_stats(void)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), STATS_DIR "/%d", (int)getpid());
	f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "lguest: %s: %s; mount debugfs: mount -t debugfs none /sys/kernel/debug\n",
			path, strerror(errno));
	return f;
}

static void print_stats(FILE *f)
{
	uint64_t rx, tx;
	char line[256];
	unsigned int i;

	for (i = 0; net__dropped(i, &rx, &tx) == 0; i++)
		fprintf(stderr, "lguest: net %u: frames dropped: %llu on receive, %llu on transmit\n",
			i, (unsigned long long)rx, (unsigned long long)tx);
	for (i = 0; block__served(i, &rx, &tx) == 0; i++)
		fprintf(stderr, "lguest: block %u: requests served: %llu at the kick, %llu by its I/O thread\n",
			i, (unsigned long long)rx, (unsigned long long)tx);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

/*> L210
 * Guest memory is one anonymous mapping: RAM, then the 1 MiB device window
 * where the BARs live.  The Host needs the whole range mapped, though it
 * never maps the window into the Guest (touching it brings the Guest to us),
 * and it needs one base address: guest-physical 0 is g->mem.  Untouched
 * pages cost nothing, so a big Guest that uses little stays cheap.
 */
static void map_guest_memory(struct guest *g, uint32_t mem_mb)
{
	size_t total;

	g->ram_size = mem_mb << 20;
	total = (size_t)g->ram_size + LG_DEVICE_WINDOW;
	g->mem = mmap(NULL, total, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED)
		die("cannot map %u MiB of guest memory: %s; give less memory", mem_mb, strerror(errno));
	/* The Host takes a 32-bit base; only a 32-bit build can give it one. */
	if ((uint64_t)(uintptr_t)g->mem + total > 0x100000000ull)
		die("guest memory is mapped above 4 GiB; build the launcher as a 32-bit (i386) program");
}

/*
 * Read a whole file; the kernel and initrd are small next to guest memory,
 * and one bigger than the guest's RAM (mem_mb) cannot be loaded at all: we
 * stop there rather than read /dev/zero until we run out of memory.  what
 * names it in the error, which says what to give instead.
 */
static uint8_t *read_file(const char *path, const char *what, uint32_t mem_mb, size_t *len)
{
	size_t cap = 1 << 20, used = 0, max = (size_t)mem_mb << 20;
	uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s; give the path of the %s", path, strerror(errno), what);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		die("%s is a directory; give the %s itself, a file in it perhaps", path, what);
	do {
		if (used > max)
			die("%s is bigger than the guest's %u MiB of memory; give a smaller %s, "
			    "or the guest more memory", path, mem_mb, what);
		if (!buf || used == cap) {
			/* Room for one byte past max: that is how we know it is too big. */
			if (buf)
				cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = realloc(buf, cap);
			if (!buf)
				die("%s: out of memory reading it", path);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno != EINTR)
			die("%s: %s", path, strerror(errno));
		if (n > 0)
			used += (size_t)n;
	} while (n != 0);
	close(fd);
	*len = used;
	return buf;
}

/* The files a Guest boots from, read before anything else can fail. */
struct boot_files {
	uint8_t *kernel, *initrd;
	size_t kernel_len, initrd_len;
};

static void read_boot_files(const struct options *o, struct boot_files *f)
{
	f->kernel = read_file(o->kernel, "guest kernel (a bzImage or vmlinux)", o->mem_mb,
			      &f->kernel_len);
	if (o->initrd)
		f->initrd = read_file(o->initrd, "initrd (a cpio archive, gzipped or not)",
				      o->mem_mb, &f->initrd_len);
}

static void load_files(struct guest *g, const struct options *o, struct boot_files *f)
{
	char why[LG_WHY_MAX];

	if (load_kernel(g, f->kernel, f->kernel_len, why))
		die("%s: %s", o->kernel, why);
	free(f->kernel);
	if (f->initrd && load_initrd(g, f->initrd, f->initrd_len, why))
		die("%s: %s", o->initrd, why);
	free(f->initrd);
	if (setup_boot_params(g, o->guest_argc, o->guest_argv, why))
		die("%s", why);
}

/*> L205
 * lg.ko is an i386 module: it runs only under a 32-bit Host kernel.  On any
 * other kernel nothing we do can work, so that is the first thing we say,
 * rather than whatever /dev/lguest or the memory layout would fail with.
 * /proc/sys/kernel/arch names the kernel itself even when we run under a
 * linux32 personality, where uname() pretends to be i686; uname() is for
 * kernels older than that file.
 */
static void host_machine(char *buf, size_t len)
{
	struct utsname u;
	FILE *f = fopen("/proc/sys/kernel/arch", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
		strip_trailing_newlines(buf);
	}
	if (!buf[0] && uname(&u) == 0) {
		u.machine[sizeof(u.machine) - 1] = '\0';
		if (strlen(u.machine) < len)
			memcpy(buf, u.machine, strlen(u.machine) + 1);
	}
}

static void check_host_kernel(const char *machine)
{
	if (machine[0] == 'i' && strlen(machine) == 4 && strchr("3456", machine[1]) &&
	    strcmp(machine + 2, "86") == 0)
		return;
	die("lg.ko needs a 32-bit (i386) Host kernel; this one is %s (boot an i386 kernel, "
	    "such as Debian's linux-image-686-pae, to run Guests)", machine[0] ? machine : "unknown");
}

static void open_dev_lguest(struct guest *g)
{
	g->fd = open(DEV_LGUEST, O_RDWR);
	if (g->fd >= 0)
		return;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		die(DEV_LGUEST ": %s; load the module: modprobe lg", strerror(errno));
	if (errno == EACCES || errno == EPERM)
		die(DEV_LGUEST ": %s; run lguest as root", strerror(errno));
	die(DEV_LGUEST ": %s", strerror(errno));
}

/*> L220
 * One write tells lg.ko everything about the Guest: where its memory starts
 * in our address space, how many pages of it are RAM, where to begin
 * executing, and where the device pages end.  Every field is a 32-bit word,
 * because that is what unsigned long is to the i386 module; spelling out
 * uint32_t keeps the 64-bit unit-test build honest about it.
 */
static void initialize_guest(struct guest *g)
{
	uint32_t pfn_limit = g->ram_size / LG_PAGE_SIZE;
	uint32_t req[5] = {
		LHREQ_INITIALIZE,
		(uint32_t)(uintptr_t)g->mem,
		pfn_limit,
		g->start,
		pfn_limit + LG_DEVICE_PAGES,
	};

	if (lg_request(g, req, 5) == 0)
		return;
	/* lg.ko counts Guest RAM as locked memory (H011 in lguest_user.c). */
	if (errno == ENOMEM)
		die(DEV_LGUEST ": setting up the guest: %s; its %u MiB count as locked memory: "
		    "raise the memlock limit (ulimit -l) above that, or give less memory",
		    strerror(errno), g->ram_size >> 20);
	die(DEV_LGUEST ": setting up the guest: %s; check dmesg, or give less memory",
	    strerror(errno));
}

/*> L230
 * Privileges.  A root Launcher can give up what it no longer needs once
 * every file is open: /dev/lguest, the kernel, the disks.  --chroot shuts
 * it in a directory and --username makes it that user, supplementary
 * groups and all (just the user's own group), as upstream's Launcher did.
 * We look the user up, and the directory over, while parsing the options,
 * so a typo fails at once and not after the Host has built the Guest; the
 * lookup reads /etc/passwd itself (fgetpwent), which works in a static
 * binary and needs nothing from inside the chroot.
 */
struct drop_to {
	bool user;
	uid_t uid;
	gid_t gid;
};

static void look_up_user(const char *name, struct drop_to *to)
{
	FILE *f = fopen("/etc/passwd", "r");
	struct passwd *pw;

	if (!f)
		die("--username=%s: /etc/passwd: %s; give a user that /etc/passwd has",
		    name, strerror(errno));
	while ((pw = fgetpwent(f)) != NULL)
		if (strcmp(pw->pw_name, name) == 0)
			break;
	if (pw) {
		to->user = true;
		to->uid = pw->pw_uid;
		to->gid = pw->pw_gid;
	}
	fclose(f);
	if (!pw)
		die("--username=%s: no such user in /etc/passwd; give an existing user "
		    "(such as nobody)", name);
}

static void check_chroot_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		die("--chroot=%s: %s; give an existing directory", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die("--chroot=%s: not a directory; give an existing directory", dir);
}

static void drop_privileges(const struct options *o, const struct drop_to *to)
{
	if (o->chroot) {
		if (chroot(o->chroot) || chdir("/"))
			die("--chroot=%s: %s; %s", o->chroot, strerror(errno),
			    errno == EPERM ? "only root may chroot: run lguest as root" :
					     "give an existing directory");
		note("chroot to %s", o->chroot);
	}
	if (to->user) {
		if (setgroups(1, &to->gid) || setgid(to->gid) || setuid(to->uid))
			die("--username=%s: %s; only root may change user: run lguest as root",
			    o->username, strerror(errno));
		/* A setuid() that left us able to get root back did not drop anything. */
		if (to->uid != 0 && setuid(0) == 0)
			die("--username=%s: still able to become root after setuid; not running",
			    o->username);
		note("running as %s (uid %u, gid %u)", o->username, (unsigned int)to->uid,
		     (unsigned int)to->gid);
	}
}

static void usage(void)
{
	printf(
		"Usage: lguest [options] <mem-in-MB> <guest-kernel> [guest args...]\n"
		"Run a Linux guest kernel (vmlinux or bzImage) under lg.ko.\n"
		"\n"
		"  -v, --verbose        say what the Launcher sets up\n"
		"      --initrd=FILE    load FILE as the guest's initial ramdisk\n"
		"      --block=FILE[,ro]  a virtio disk on FILE (image or block device);\n"
		"                       ,ro makes it read-only; give it again for more disks\n"
		"      --tunnet=IP[:MAC]  a virtio network card on a new tap device with the\n"
		"                       host address IP (a /24); give it again for more\n"
		"      --tunnet=bridge:BR[:MAC]  the same, the tap a port of bridge BR\n"
		"      --rng            a virtio entropy source fed by the host's getrandom()\n"
		"      --username=USER  run as USER once every file is open\n"
		"      --chroot=DIR     chroot to DIR once every file is open\n"
		"      --stats          when the guest stops, print lg.ko's exit counters\n"
		"  -h, --help           show this help and exit\n"
		"      --version        show the version and exit\n"
		"\n"
		"A guest that reboots is started again from scratch, except under\n"
		"--chroot or --username (it could not open /dev/lguest again).\n"
		"Exit status: 0 the guest powered off, 1 the guest died (reason printed),\n"
		"2 it asked to restart and could not be started again, 3 the launcher\n"
		"could not run it (error printed).\n");
}

static uint32_t parse_mem(const char *arg)
{
	char *end;
	unsigned long mb;

	errno = 0;
	mb = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || mb == 0 || mb > MAX_MEM_MB)
		die("'%s' is not a memory size; give 1 to %u (MiB)", arg, MAX_MEM_MB);
	return (uint32_t)mb;
}

static void add_block(struct options *o, const char *spec)
{
	if (o->n_blocks == MAX_BLOCKS)
		die("--block=%s: more than %u disks; give fewer", spec, MAX_BLOCKS);
	o->blocks[o->n_blocks++] = spec;
}

/* A --tunnet is only parsed here: the tap is made once we know we can run. */
static void add_net(struct options *o, const char *spec)
{
	char why[LG_WHY_MAX];

	if (o->n_nets == MAX_NETS)
		die("--tunnet=%s: more than %u network cards; give fewer", spec, MAX_NETS);
	if (net__check(spec, why))
		die("--tunnet=%s: %s", spec, why);
	o->nets[o->n_nets++] = spec;
}

/*
 * Options end at the memory size, so "lguest 64 bzImage --initrd=FILE"
 * would hand "--initrd=FILE" to the Guest kernel and boot without an
 * initrd.  No kernel parameter starts with "--NAME" for one of our option
 * names ("--" alone separates init's arguments), so such a word is our
 * option in the wrong place: say where it goes.
 */
static void refuse_late_options(const struct option *longopts, const struct options *o)
{
	const struct option *opt;
	int i;

	for (i = 0; i < o->guest_argc; i++) {
		const char *arg = o->guest_argv[i];

		if (strncmp(arg, "--", 2) != 0)
			continue;
		for (opt = longopts; opt->name; opt++) {
			size_t len = strlen(opt->name);

			if (!strncmp(arg + 2, opt->name, len) &&
			    (arg[2 + len] == '\0' || arg[2 + len] == '='))
				die("'%s' comes after the guest kernel, where it would be a kernel "
				    "argument; put lguest's options first: lguest %s %u %s ...",
				    arg, arg, o->mem_mb, o->kernel);
		}
	}
}

static void parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "initrd",	required_argument,	NULL, 'i' },
		{ "block",	required_argument,	NULL, 'b' },
		{ "tunnet",	required_argument,	NULL, 't' },
		{ "rng",	no_argument,		NULL, 'r' },
		{ "username",	required_argument,	NULL, 'u' },
		{ "chroot",	required_argument,	NULL, 'c' },
		{ "stats",	no_argument,		NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/*
	 * "+": options end at the memory size, so guest arguments pass
	 * untouched.  ":" and opterr = 0: we word the complaint ourselves, on
	 * one line.  Only -v and -h have short forms, as upstream had.
	 */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			o->verbose = true;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'b':
			add_block(o, optarg);
			break;
		case 't':
			add_net(o, optarg);
			break;
		case 'r':
			o->rng = true;
			break;
		case 'u':
			o->username = optarg;
			break;
		case 'c':
			o->chroot = optarg;
			break;
		case 's':
			o->stats = true;
			break;
		case 'h':
			usage();
			exit(0);
		case 'V':
			printf("lguest " PACKAGE_VERSION "\n");
			exit(0);
		case ':':
			die("option '%s' needs an argument; see lguest --help",
			    argv[optind - 1]);
		default:
			die("unknown option '%s'; see lguest --help", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		die("give a memory size in MiB and a guest kernel; see lguest --help");
	o->mem_mb = parse_mem(argv[optind]);
	o->kernel = argv[optind + 1];
	o->guest_argc = argc - optind - 2;
	o->guest_argv = argv + optind + 2;
	refuse_late_options(longopts, o);
}

/*
 * Every descriptor but stdin, stdout and stderr: /dev/lguest, and whatever
 * a device opened.  Not all of them are close-on-exec, and a Guest that
 * reboots a thousand times must not leave us a thousand open files.
 */
static void close_all_but_stdio(void)
{
	struct rlimit rl;
	int fd, max = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	for (fd = STDERR_FILENO + 1; fd < max; fd++)
		close(fd);
}

/*
 * A reboot means a fresh Guest: new memory, kernel and initrd loaded again,
 * devices in their reset state.  Rather than undo every piece of state by
 * hand, we run ourselves again with the same arguments, which rebuilds all
 * of it the one way we know is right.  Before that: the old Guest goes
 * with its /dev/lguest (closing it frees the Guest in lg.ko), and the
 * terminal goes back to how we found it, or the new process would save
 * our raw settings as the ones to restore.  stdin and stdout stay open
 * for the new Launcher; input the old console thread had read but not
 * delivered is lost with it.  Only if the exec fails do we exit with 2.
 * After --chroot or --username we could no longer open /dev/lguest (nor
 * find ourselves, without /proc): we say so and exit with 2, for whoever
 * started us to start us again.
 */
static void restart_guest(struct guest *g, const struct options *o, char *argv[])
{
	if (o->chroot || o->username) {
		fprintf(stderr, "lguest: the guest asked to restart, but under --%s we cannot open /dev/lguest again; run lguest again yourself (exit status 2)\n",
			o->chroot ? "chroot" : "username");
		return;
	}
	fprintf(stderr, "lguest: starting the guest again\n");
	close_all_but_stdio();
	g->fd = -1;
	term__restore();
	fflush(NULL);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "lguest: cannot run /proc/self/exe again to restart the guest: %s; mount /proc, or restart lguest yourself (exit status 2)\n",
		strerror(errno));
}

/* The Guest's devices, in PCI slot order: console, disks (vda, vdb, ...), rng; then nets. */
static void add_devices(struct guest *g, const struct options *o)
{
	char why[LG_WHY_MAX];
	unsigned int i;

	if (pci__init(g) || console__add(g, STDIN_FILENO, STDOUT_FILENO))
		die("cannot set up the guest's PCI bus: out of memory");
	for (i = 0; i < o->n_blocks; i++) {
		if (block__add(g, o->blocks[i], why))
			die("--block=%s: %s", o->blocks[i], why);
		note("disk %u: %s (the Guest's /dev/vd%c)", i, o->blocks[i], 'a' + (int)i);
	}
	if (o->rng && rng__add(g))
		die("cannot add the rng: no room on the guest's PCI bus");
}

/* The network cards come last on the bus: their taps exist only once we can run. */
static void add_nets(struct guest *g, const struct options *o)
{
	char why[LG_WHY_MAX];
	unsigned int i;

	for (i = 0; i < o->n_nets; i++) {
		if (net__add(g, o->nets[i], why))
			die("--tunnet=%s: %s", o->nets[i], why);
		note("network card %u: %s", i, o->nets[i]);
	}
}

/*> L200
 * Setting up is a straight line, ordered so that the first error is the
 * true one: the options and every file they name (kernel, initrd, disks,
 * user, chroot directory), then the Host kernel, then /dev/lguest, then
 * guest memory with the kernel loaded into it.  INITIALIZE must be the
 * first request on a fresh /dev/lguest; privileges go after it, when
 * every file is open, and the device threads, which may raise
 * interrupts, start last.
 */
int main(int argc, char *argv[])
{
	struct options o = { 0 };
	struct guest g = { .fd = -1, .raise_irq = lg_irq, .fast_isr = lg_fast_isr };
	struct boot_files files = { 0 };
	struct drop_to to = { 0 };
	char machine[64];
	FILE *stats = NULL;
	int status;

	parse_options(argc, argv, &o);
	verbose = o.verbose;
	net__verbose(o.verbose);
	if (o.username)
		look_up_user(o.username, &to);
	if (o.chroot)
		check_chroot_dir(o.chroot);
	read_boot_files(&o, &files);
	g.ram_size = o.mem_mb << 20;
	add_devices(&g, &o);

	host_machine(machine, sizeof(machine));
	check_host_kernel(machine);
	open_dev_lguest(&g);
	add_nets(&g, &o);
	map_guest_memory(&g, o.mem_mb);
	load_files(&g, &o, &files);
	note("%u MiB of guest memory at %p, kernel %s starts at %#x", o.mem_mb, (void *)g.mem,
	     o.kernel, g.start);
	initialize_guest(&g);
	hold_config_writes(&g);
	if (o.stats)
		stats = open_stats();
	drop_privileges(&o, &to);

	if (console__start(&g))
		die("cannot start the console's input thread: %s", strerror(errno));
	if (block__start(&g))
		die("cannot start the disks' I/O threads: %s", strerror(errno));
	if (net__start(&g))
		die("cannot start the network cards' receive threads: %s", strerror(errno));
	status = run_guest(&g);
	if (o.stats)
		print_stats(stats);
	if (status == EXIT_RESTART)
		restart_guest(&g, &o, argv);
	return status;
}
