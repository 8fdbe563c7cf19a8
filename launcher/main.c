// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the lguest Launcher: options, guest memory and the run loop.
 *
 *	lguest [--initrd=FILE] [--stats] <mem-in-MB> <guest-kernel> [guest args...]
 *
 * The Launcher is an ordinary program.  It sets aside some of its own memory
 * as the Guest's "physical" memory, loads a kernel into it, and hands it to
 * lg.ko through /dev/lguest.  From then on each read() of /dev/lguest runs
 * the Guest until it does something only we can answer: touch a device.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lguest.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define EXIT_POWEROFF		0
#define EXIT_ERROR		1
#define EXIT_RESTART		2

#define TRAP_GP			13
#define TRAP_PF			14

/* More than this will not fit below the 3 GiB user/kernel split of an i386 host. */
#define MAX_MEM_MB		2048u
#define DEATH_REASON_MAX	1024
#define DEV_LGUEST		"/dev/lguest"
#define STATS_DIR		"/sys/kernel/debug/lguest"

struct options {
	const char *initrd;
	bool stats;
	uint32_t mem_mb;
	const char *kernel;
	int guest_argc;
	char **guest_argv;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("lguest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERROR);
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
	die("guest faulted (trap %u, address %#x) at eip %#x on bytes "
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
 * and does its work through GETREG/SETREG.
 */
static void handle_exit(struct guest *g, const struct lguest_pending *p)
{
	const struct guest_regs regs = { lg_getreg, lg_setreg, g };
	int err;

	if (p->trap == TRAP_GP)
		err = emulate_io(g, p->insn, &regs);
	else if (p->trap == TRAP_PF)
		err = emulate_mmio(g, p->insn, p->addr, &regs);
	else
		die(DEV_LGUEST ": unexpected exit with trap %u; "
		    "lg.ko and this launcher do not match", p->trap);
	if (err)
		reinject(g, p);
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

	if (n >= 0)
		die(DEV_LGUEST ": read gave %zd bytes, not %zu; lg.ko and this launcher do not match",
		    n, sizeof(struct lguest_pending));
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
	return EXIT_ERROR;
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
	struct lguest_pending p;
	ssize_t n;

	for (;;) {
		if (g->dead) {
			errno = ENOENT;
			return guest_stopped(g, -1);
		}
		n = pread(g->fd, &p, sizeof(p), 0);
		if (n == (ssize_t)sizeof(p))
			handle_exit(g, &p);
		else if (n < 0 && errno == EINTR)
			continue;
		else
			return guest_stopped(g, n);
	}
}

/*
 * lg.ko keeps per-Guest exit counters in debugfs while /dev/lguest is open,
 * so --stats copies them out before we close it.
 */
static void print_stats(void)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), STATS_DIR "/%d", (int)getpid());
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lguest: %s: %s; mount debugfs: mount -t debugfs none /sys/kernel/debug\n",
			path, strerror(errno));
		return;
	}
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

/* Read a whole file; the kernel and initrd are small next to guest memory. */
static uint8_t *read_file(const char *path, size_t *len)
{
	size_t cap = 1 << 20, used = 0;
	uint8_t *buf = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("%s: %s; give the path of an existing file", path, strerror(errno));
	do {
		if (!buf || used == cap) {
			cap = buf ? cap * 2 : cap;
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

static void load_files(struct guest *g, const struct options *o)
{
	char why[LG_WHY_MAX];
	uint8_t *img;
	size_t len;

	img = read_file(o->kernel, &len);
	if (load_kernel(g, img, len, why))
		die("%s: %s", o->kernel, why);
	free(img);

	if (o->initrd) {
		img = read_file(o->initrd, &len);
		if (load_initrd(g, img, len, why))
			die("%s: %s", o->initrd, why);
		free(img);
	}
	if (setup_boot_params(g, o->guest_argc, o->guest_argv, why))
		die("%s", why);
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

	if (lg_request(g, req, 5))
		die(DEV_LGUEST ": setting up the guest: %s; check dmesg, or give less memory",
		    strerror(errno));
}

static void usage(void)
{
	printf(
		"Usage: lguest [options] <mem-in-MB> <guest-kernel> [guest args...]\n"
		"Run a Linux guest kernel (vmlinux or bzImage) under lg.ko.\n"
		"\n"
		"  --initrd=FILE  load FILE as the guest's initial ramdisk\n"
		"  --stats        when the guest stops, print lg.ko's exit counters\n"
		"  --help         show this help and exit\n"
		"  --version      show the version and exit\n"
		"\n"
		"A guest that reboots is started again from scratch.\n"
		"Exit status: 0 guest powered off, 1 guest died or error, 2 restarting failed.\n");
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

static void parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "initrd",	required_argument,	NULL, 'i' },
		{ "stats",	no_argument,		NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/*
	 * "+": options end at the memory size, so guest arguments pass
	 * untouched.  ":" and opterr = 0: we word the complaint ourselves, on
	 * one line.
	 */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->initrd = optarg;
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
 */
static void restart_guest(struct guest *g, char *argv[])
{
	fprintf(stderr, "lguest: starting the guest again\n");
	close_all_but_stdio();
	g->fd = -1;
	term__restore();
	fflush(NULL);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "lguest: cannot run /proc/self/exe again to restart the guest: %s; mount /proc, or restart lguest yourself (exit status 2)\n",
		strerror(errno));
}

/*> L200
 * Setting up is a straight line: parse the options, map memory, put the
 * kernel, initrd and boot_params in it, build the PCI bus with its console,
 * and give it all to the Host.  The order of the last steps matters only in
 * that INITIALIZE must be the first request on a fresh /dev/lguest, and
 * that the console's input thread, which may raise interrupts, starts
 * after it.
 */
int main(int argc, char *argv[])
{
	struct options o = { 0 };
	struct guest g = { .fd = -1, .raise_irq = lg_irq };
	int status;

	parse_options(argc, argv, &o);
	map_guest_memory(&g, o.mem_mb);
	load_files(&g, &o);
	if (pci__init(&g) || console__add(&g, STDIN_FILENO, STDOUT_FILENO))
		die("cannot set up the guest's PCI bus: out of memory");

	open_dev_lguest(&g);
	initialize_guest(&g);
	if (console__start(&g))
		die("cannot start the console's input thread: %s", strerror(errno));
	status = run_guest(&g);
	if (o.stats)
		print_stats();
	if (status == EXIT_RESTART)
		restart_guest(&g, argv);
	return status;
}
