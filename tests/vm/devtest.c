// SPDX-License-Identifier: GPL-2.0
/*
 * devtest.c - what /dev/lguest does with bad input, as TAP.
 *
 * Run inside the test VM after `insmod lg.ko`.  Every check is one TAP line;
 * a failing one says what came back instead ("got -1 EFAULT").  The errors
 * we expect are the ones doc/DESIGN.md lists under "/dev/lguest errors" and
 * ../shared/ABI.md section 11 specifies:
 *   - before INITIALIZE everything but INITIALIZE is EINVAL;
 *   - a write shorter than its request needs, an unknown or obsolete request
 *     is EINVAL;
 *   - a bad INITIALIZE is EINVAL, or EFAULT when the memory is not mapped,
 *     and a second good one is EBUSY;
 *   - an unknown register (or a read-only one for SETREG) is ENOENT;
 *   - read() from another thread is EPERM, and so is every read() and write()
 *     from another address space: a forked child, or the Launcher itself
 *     after an exec();
 *   - the read() in which the Guest dies fails with ENOENT, the next returns
 *     the reason, and writes are ENOENT from then on.
 * Small Guests run for real, in the linear mode a Guest starts in (virtual
 * = physical): spinning until a signal interrupts read(), making a bad
 * hypercall, doing port I/O, and one under a debugger (ptrace) whose
 * hardware breakpoints must neither reach the Guest nor lose its own #DB.
 *
 * Built static for i386: $(I386_CC) -static -O2 -Wall -Wextra -Werror -pthread.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "lguest_abi.h"

#define DEVICE		"/dev/lguest"
#define PAGE		4096u
#define RAM_PAGES	1024u		/* 4 MiB of Guest RAM */
#define RAM_BYTES	(RAM_PAGES * PAGE)
#define START		0x100000u	/* the Guest's first EIP */
#define HOST_KERNEL	0xC0000000u	/* PAGE_OFFSET of Debian's i386 kernels */
#define NO_ERROR	0

static unsigned int tests, failures;

/* ---- TAP ------------------------------------------------------------- */

static void vreport(int ok, const char *detail, const char *fmt, va_list ap)
{
	tests++;
	if (!ok)
		failures++;
	printf("%sok %u - ", ok ? "" : "not ", tests);
	vprintf(fmt, ap);
	if (!ok && detail)
		printf(" (%s)", detail);
	putchar('\n');
}

/* One result: passes when cond is true. */
static void __attribute__((format(printf, 2, 3)))
report(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, NULL, fmt, ap);
	va_end(ap);
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "?";
}

/*
 * One result about a system call: want_err == NO_ERROR means it must return
 * want; otherwise it must fail with errno want_err.  Call it right after the
 * system call, while errno is still its.
 */
static void __attribute__((format(printf, 4, 5)))
expect(long got, long want, int want_err, const char *fmt, ...)
{
	int err = errno, ok;
	char detail[64];
	va_list ap;

	ok = want_err ? (got == -1 && err == want_err) : got == want;
	if (got == -1)
		snprintf(detail, sizeof(detail), "got -1 %s", errname(err));
	else
		snprintf(detail, sizeof(detail), "got %ld", got);
	va_start(ap, fmt);
	vreport(ok, detail, fmt, ap);
	va_end(ap);
}

/* ---- helpers ---------------------------------------------------------- */

static int open_dev(void)
{
	int fd = open(DEVICE, O_RDWR);

	if (fd < 0) {
		printf("Bail out! cannot open " DEVICE ": %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Send nwords 32-bit words (request word first). */
static long send(int fd, const uint32_t *words, size_t nwords)
{
	return write(fd, words, nwords * sizeof(*words));
}

/* A fresh anonymous mapping of the given size, or we give up. */
static uint8_t *map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("Bail out! mmap of %zu bytes: %s\n", bytes, strerror(errno));
		exit(1);
	}
	return p;
}

static long initialize(int fd, uint32_t base, uint32_t pfn_limit,
		       uint32_t start, uint32_t device_limit)
{
	uint32_t w[] = { LHREQ_INITIALIZE, base, pfn_limit, start, device_limit };

	return send(fd, w, 5);
}

/* GETREG then read(): 1 and the value in *val, or 0 after a failed check. */
static int getreg(int fd, uint32_t offset, const char *name, uint32_t *val)
{
	uint32_t w[] = { LHREQ_GETREG, offset };
	long r = send(fd, w, 2);

	if (r != 8) {
		expect(r, 8, NO_ERROR, "GETREG %s returns 8", name);
		return 0;
	}
	r = read(fd, val, sizeof(*val));
	if (r != sizeof(*val)) {
		expect(r, sizeof(*val), NO_ERROR, "read() after GETREG %s returns 4", name);
		return 0;
	}
	return 1;
}

static struct sigaction old_alarm;

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in secs seconds, interrupting (not restarting) a blocked read(). */
static void arm_alarm(unsigned int secs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old_alarm);
	alarm(secs);
}

static void disarm_alarm(void)
{
	alarm(0);
	sigaction(SIGALRM, &old_alarm, NULL);
}

static uint32_t addr(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* ---- the tables ------------------------------------------------------- */

/* A request with the errno it must fail with (or, err 0, its result). */
struct bad_write {
	const char *what;
	uint32_t w[4];
	size_t len;		/* bytes to write */
	long ret;		/* wanted result when err == 0 */
	int err;
};

/* Before INITIALIZE, nothing but INITIALIZE is accepted. */
static const struct bad_write before_init[] = {
	{ "empty write", { 0 }, 0, 0, EINVAL },
	{ "2-byte write", { LHREQ_INITIALIZE }, 2, 0, EINVAL },
	{ "unknown request 99", { 99, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_GETDMA", { LHREQ_GETDMA, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_BREAK", { LHREQ_BREAK, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_EVENTFD", { LHREQ_EVENTFD, 0 }, 8, 0, EINVAL },
	{ "GETREG eip", { LHREQ_GETREG, LG_REG_EIP }, 8, 0, EINVAL },
	{ "SETREG eax", { LHREQ_SETREG, LG_REG_EAX, 1 }, 12, 0, EINVAL },
	{ "IRQ 1", { LHREQ_IRQ, 1 }, 8, 0, EINVAL },
	{ "TRAP 13", { LHREQ_TRAP, 13 }, 8, 0, EINVAL },
	{ "HOLD_PORTS 0x70-0x70", { LHREQ_HOLD_PORTS, 0x70, 0x70 }, 12, 0, EINVAL },
	{ "ISR 0x3f0060", { LHREQ_ISR, 0x3f0060, 0x10000 }, 12, 0, EINVAL },
};

/* After a good INITIALIZE, with the Guest never run. */
static const struct bad_write after_init[] = {
	{ "empty write", { 0 }, 0, 0, EINVAL },
	{ "2-byte write", { LHREQ_IRQ }, 2, 0, EINVAL },
	{ "unknown request 99", { 99, 0 }, 8, 0, EINVAL },
	{ "unknown request 0xffffffff", { 0xffffffffu, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_GETDMA", { LHREQ_GETDMA, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_BREAK", { LHREQ_BREAK, 0 }, 8, 0, EINVAL },
	{ "obsolete LHREQ_EVENTFD", { LHREQ_EVENTFD, 0 }, 8, 0, EINVAL },
	{ "IRQ without its number", { LHREQ_IRQ }, 4, 0, EINVAL },
	{ "GETREG without an offset", { LHREQ_GETREG }, 4, 0, EINVAL },
	{ "SETREG without a value", { LHREQ_SETREG, LG_REG_EAX }, 8, 0, EINVAL },
	{ "TRAP without its number", { LHREQ_TRAP }, 4, 0, EINVAL },
	{ "IRQ 32", { LHREQ_IRQ, LGUEST_IRQS }, 8, 0, EINVAL },
	{ "IRQ 0xffffffff", { LHREQ_IRQ, 0xffffffffu }, 8, 0, EINVAL },
	{ "IRQ 5", { LHREQ_IRQ, 5 }, 8, 0, NO_ERROR },
	{ "GETREG orig_eax (44)", { LHREQ_GETREG, LG_REG_ORIG_EAX }, 8, 0, ENOENT },
	{ "GETREG unaligned offset 2", { LHREQ_GETREG, 2 }, 8, 0, ENOENT },
	{ "GETREG offset 68 (past ss)", { LHREQ_GETREG, 68 }, 8, 0, ENOENT },
	{ "GETREG offset 0xfffffffc", { LHREQ_GETREG, 0xfffffffcu }, 8, 0, ENOENT },
	{ "SETREG cs (52)", { LHREQ_SETREG, LG_REG_CS, 0x73 }, 12, 0, ENOENT },
	{ "SETREG ds (28)", { LHREQ_SETREG, LG_REG_DS, 0x7b }, 12, 0, ENOENT },
	{ "SETREG es (32)", { LHREQ_SETREG, LG_REG_ES, 0x7b }, 12, 0, ENOENT },
	{ "SETREG fs (36)", { LHREQ_SETREG, LG_REG_FS, 0x7b }, 12, 0, ENOENT },
	{ "SETREG gs (40)", { LHREQ_SETREG, LG_REG_GS, 0x7b }, 12, 0, ENOENT },
	{ "SETREG orig_eax (44)", { LHREQ_SETREG, LG_REG_ORIG_EAX, 0 }, 12, 0, ENOENT },
	{ "SETREG eflags (56)", { LHREQ_SETREG, LG_REG_EFLAGS, 0x3202 }, 12, 0, ENOENT },
	{ "SETREG ss (64)", { LHREQ_SETREG, LG_REG_SS, 0x7b }, 12, 0, ENOENT },
	{ "SETREG unaligned offset 2", { LHREQ_SETREG, 2, 0 }, 12, 0, ENOENT },
	{ "SETREG offset 68 (past ss)", { LHREQ_SETREG, 68, 0 }, 12, 0, ENOENT },
	{ "TRAP 13 with no Guest IDT handler", { LHREQ_TRAP, 13 }, 8, 0, EINVAL },
	{ "TRAP 14 with no Guest IDT handler", { LHREQ_TRAP, 14 }, 8, 0, EINVAL },
	{ "TRAP 256", { LHREQ_TRAP, 256 }, 8, 0, EINVAL },
};

/* After the Guest died, every request is ENOENT. */
static const struct bad_write after_death[] = {
	{ "IRQ 1", { LHREQ_IRQ, 1 }, 8, 0, ENOENT },
	{ "GETREG eip", { LHREQ_GETREG, LG_REG_EIP }, 8, 0, ENOENT },
	{ "SETREG eip", { LHREQ_SETREG, LG_REG_EIP, START }, 12, 0, ENOENT },
	{ "TRAP 13", { LHREQ_TRAP, 13 }, 8, 0, ENOENT },
	{ "HOLD_PORTS 0x70-0x70", { LHREQ_HOLD_PORTS, 0x70, 0x70 }, 12, 0, ENOENT },
	{ "ISR 0x3f0060", { LHREQ_ISR, 0x3f0060, 0x10000 }, 12, 0, ENOENT },
};

/*
 * LHREQ_HOLD_PORTS on a Guest never run: bad ranges, then four good ones
 * (the two the Guest of check_held_writes() uses first), then one too many.
 */
static const struct bad_write hold_ports[] = {
	{ "HOLD_PORTS without its last port", { LHREQ_HOLD_PORTS, 0x70 }, 8, 0, EINVAL },
	{ "HOLD_PORTS 0x71-0x70 (first after last)", { LHREQ_HOLD_PORTS, 0x71, 0x70 }, 12, 0,
	  EINVAL },
	{ "HOLD_PORTS 0xfffc-0x10000 (past port 0xffff)", { LHREQ_HOLD_PORTS, 0xfffc, 0x10000 },
	  12, 0, EINVAL },
	{ "HOLD_PORTS 0xffffffff-0xffffffff", { LHREQ_HOLD_PORTS, 0xffffffffu, 0xffffffffu },
	  12, 0, EINVAL },
	{ "HOLD_PORTS 0x5658-0x565b", { LHREQ_HOLD_PORTS, 0x5658, 0x565b }, 12, 12, NO_ERROR },
	{ "HOLD_PORTS 0x70-0x70", { LHREQ_HOLD_PORTS, 0x70, 0x70 }, 12, 12, NO_ERROR },
	{ "HOLD_PORTS 0xcf8-0xcff", { LHREQ_HOLD_PORTS, 0xcf8, 0xcff }, 12, 12, NO_ERROR },
	{ "HOLD_PORTS 0xffff-0xffff", { LHREQ_HOLD_PORTS, 0xffff, 0xffff }, 12, 12, NO_ERROR },
	{ "a fifth HOLD_PORTS", { LHREQ_HOLD_PORTS, 0x60, 0x60 }, 12, 0, ENOSPC },
};

/*
 * LHREQ_ISR (lg.ko H320) on a Guest with RAM below WINDOW and device pages
 * from there to RAM_BYTES: addresses outside the window, or a Launcher
 * address no user pointer can be, are refused.
 */
#define WINDOW		(RAM_BYTES - 16 * PAGE)
#define ISR_GPA		(WINDOW + 0x60)

static const struct bad_write isr_requests[] = {
	{ "ISR without its Launcher address", { LHREQ_ISR, ISR_GPA }, 8, 0, EINVAL },
	{ "ISR at guest-physical 0x60 (RAM)", { LHREQ_ISR, 0x60, 0x10000 }, 12, 0, EINVAL },
	{ "ISR at the last byte of RAM", { LHREQ_ISR, WINDOW - 1, 0x10000 }, 12, 0, EINVAL },
	{ "ISR just past the device window", { LHREQ_ISR, RAM_BYTES, 0x10000 }, 12, 0, EINVAL },
	{ "ISR 0xfffffffe", { LHREQ_ISR, 0xfffffffeu, 0x10000 }, 12, 0, EINVAL },
	{ "ISR kept at kernel address 0xc0000000", { LHREQ_ISR, ISR_GPA, 0xc0000000u }, 12, 0,
	  EFAULT },
	{ "ISR kept at 0xffffffff", { LHREQ_ISR, ISR_GPA, 0xffffffffu }, 12, 0, EFAULT },
	{ "ISR dropped that was never there", { LHREQ_ISR, LGUEST_ISR_NONE, 0x10000 }, 12, 12,
	  NO_ERROR },
};

/* What GETREG shows before the Guest first runs (doc/DESIGN.md). */
struct reg {
	const char *name;
	uint32_t offset;
	uint32_t start;		/* value at start */
	int writable;
};

static const struct reg regs[] = {
	{ "ebx", LG_REG_EBX, 0, 1 },
	{ "ecx", LG_REG_ECX, 0, 1 },
	{ "edx", LG_REG_EDX, 0, 1 },
	{ "esi", LG_REG_ESI, 0, 1 },
	{ "edi", LG_REG_EDI, 0, 1 },
	{ "ebp", LG_REG_EBP, 0, 1 },
	{ "eax", LG_REG_EAX, 0, 1 },
	{ "ds", LG_REG_DS, LGUEST_GUEST_DS, 0 },
	{ "es", LG_REG_ES, LGUEST_GUEST_DS, 0 },
	{ "fs", LG_REG_FS, 0, 0 },
	{ "gs", LG_REG_GS, 0, 0 },
	{ "eip", LG_REG_EIP, START, 1 },
	{ "cs", LG_REG_CS, LGUEST_GUEST_CS, 0 },
	{ "eflags", LG_REG_EFLAGS, LGUEST_START_EFLAGS, 0 },
	{ "esp", LG_REG_ESP, 0, 1 },
	{ "ss", LG_REG_SS, LGUEST_GUEST_DS, 0 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void run_table(int fd, const struct bad_write *t, size_t n, const char *when)
{
	for (size_t i = 0; i < n; i++)
		expect(write(fd, t[i].w, t[i].len), t[i].ret, t[i].err,
		       "%s: %s", when, t[i].what);
}

/* ---- the checks ------------------------------------------------------- */

static void check_before_init(void)
{
	int fd = open_dev();
	uint8_t buf[16];

	run_table(fd, before_init, ARRAY_SIZE(before_init), "before INITIALIZE");
	expect(read(fd, buf, sizeof(buf)), 0, EINVAL, "before INITIALIZE: read()");
	close(fd);
}

/* Each bad INITIALIZE on a fresh descriptor, so one cannot hide another. */
static void check_bad_initialize(uint8_t *ram)
{
	uint32_t base = addr(ram);
	uint8_t *hole, *half;

	/* An address range we had and gave back: nothing is mapped there. */
	hole = map(RAM_BYTES);
	munmap(hole, RAM_BYTES);
	/* RAM mapped, the device pages above it not. */
	half = map(2 * RAM_BYTES);
	munmap(half + RAM_BYTES, RAM_BYTES);

	const struct {
		const char *what;
		uint32_t base, pfn_limit, start, device_limit;
		size_t words;		/* how many we write, request included */
		int err;
	} bad[] = {
		{ "with only the request word", base, RAM_PAGES, START, RAM_PAGES, 1, EINVAL },
		{ "without device_limit (16 bytes)", base, RAM_PAGES, START, RAM_PAGES, 4, EINVAL },
		{ "with base not page-aligned", base + 4, RAM_PAGES, START, RAM_PAGES, 5, EINVAL },
		{ "with pfn_limit 0", base, 0, START, RAM_PAGES, 5, EINVAL },
		{ "with device_limit < pfn_limit", base, RAM_PAGES, START, RAM_PAGES - 1, 5, EINVAL },
		{ "with start outside RAM", base, RAM_PAGES, RAM_BYTES, RAM_PAGES, 5, EINVAL },
		{ "of unmapped memory", addr(hole), RAM_PAGES, START, RAM_PAGES, 5, EFAULT },
		{ "with unmapped device pages", addr(half), RAM_PAGES, START, 2 * RAM_PAGES, 5, EFAULT },
		{ "of a range reaching 0xc0000000", HOST_KERNEL - RAM_BYTES / 2, RAM_PAGES, START,
		  RAM_PAGES, 5, EINVAL },
		{ "of a range inside the host kernel", HOST_KERNEL, RAM_PAGES, START, RAM_PAGES, 5, EINVAL },
		{ "of a range wrapping past 4 GiB", 0xfffff000u, 2, 0, 2, 5, EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint32_t w[] = { LHREQ_INITIALIZE, bad[i].base, bad[i].pfn_limit,
				 bad[i].start, bad[i].device_limit };
		int fd = open_dev();

		expect(send(fd, w, bad[i].words), 0, bad[i].err, "INITIALIZE %s", bad[i].what);
		close(fd);
	}
	munmap(half, RAM_BYTES);
}

static void *read_from_thread(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[16];
	long r = read(fd, buf, sizeof(buf));

	expect(r, 0, EPERM, "read() from a second thread");
	return NULL;
}

static int debugfs_present(void)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/kernel/debug/lguest/%d", (int)getpid());
	return stat(path, &st) == 0;
}

/* The sequence of a normal Launcher, with bad requests in between. */
static void check_initialized(uint8_t *ram)
{
	int fd = open_dev();
	pthread_t thread;
	uint32_t v;

	/* Should read() run the Guest after all, it spins: "jmp ." */
	ram[START] = 0xeb;
	ram[START + 1] = 0xfe;

	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE 4 MiB at 0x%08x returns 16", addr(ram));
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 0, EBUSY,
	       "a second INITIALIZE");
	report(debugfs_present(), "debugfs lguest/%d exists while the Guest is set up",
	       (int)getpid());

	run_table(fd, after_init, ARRAY_SIZE(after_init), "after INITIALIZE");

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		if (getreg(fd, regs[i].offset, regs[i].name, &v))
			report(v == regs[i].start, "%s starts as 0x%x (got 0x%x)",
			       regs[i].name, regs[i].start, v);
	}

	arm_alarm(10);
	if (pthread_create(&thread, NULL, read_from_thread, &fd) == 0)
		pthread_join(thread, NULL);
	else
		report(0, "read() from a second thread (pthread_create failed)");
	disarm_alarm();

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		uint32_t val = 0x5a000000u | regs[i].offset << 8 | 0x10;
		uint32_t w[] = { LHREQ_SETREG, regs[i].offset, val };

		if (!regs[i].writable)
			continue;
		expect(send(fd, w, 3), 12, NO_ERROR, "SETREG %s returns 12", regs[i].name);
		if (getreg(fd, regs[i].offset, regs[i].name, &v))
			report(v == val, "GETREG %s reads back 0x%x (got 0x%x)",
			       regs[i].name, val, v);
	}
	close(fd);
	report(!debugfs_present(), "debugfs lguest/%d is gone after close()", (int)getpid());
}

/* A Guest that never stops: read() must give way to a signal. */
static void check_signal(uint8_t *ram)
{
	int fd = open_dev();
	uint8_t buf[64];
	long r;

	ram[START] = 0xeb;	/* jmp . */
	ram[START + 1] = 0xfe;
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest that spins");
	arm_alarm(2);
	r = read(fd, buf, sizeof(buf));
	disarm_alarm();
	expect(r, 0, EINTR, "a signal interrupts read() of a spinning Guest");
	close(fd);
}

/*
 * A Guest that makes hypercall 99.  The read() during which it dies fails
 * with ENOENT (as upstream's did); the next read() returns the reason, NUL
 * included, cut to the size asked for; writes are ENOENT from then on.
 */
static void check_death(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xb8, 99, 0, 0, 0,	/* mov $99, %eax */
		0xcd, LGUEST_TRAP_ENTRY,	/* int $0x1f */
		0xeb, 0xfe,		/* jmp . */
	};
	int fd = open_dev();
	char buf[256], part[8];
	long r;

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest that makes hypercall 99");
	arm_alarm(30);
	r = read(fd, buf, sizeof(buf));
	disarm_alarm();
	expect(r, 0, ENOENT, "the read() in which the Guest dies");

	memset(buf, 0x55, sizeof(buf));
	r = read(fd, buf, sizeof(buf));
	report(r > 1 && (size_t)r <= sizeof(buf) && buf[r - 1] == '\0' &&
	       strlen(buf) == (size_t)r - 1,
	       "the next read() returns the reason, with its NUL (got %ld%s%s)",
	       r, r == -1 ? " " : "", r == -1 ? errname(errno) : "");
	if (r > 1 && (size_t)r <= sizeof(buf)) {
		buf[r - 1] = '\0';
		printf("# death reason: %s\n", buf);
		report(strstr(buf, "hypercall") != NULL, "the reason names the hypercall");
		memset(part, 0, sizeof(part));
		expect(read(fd, part, 5), 5, NO_ERROR, "a 5-byte read() gets 5 bytes of it");
		report(memcmp(part, buf, 5) == 0, "and they are its first 5");
	}
	run_table(fd, after_death, ARRAY_SIZE(after_death), "after the Guest died");
	close(fd);
}

/* A Guest of @code at START in fresh RAM, initialized: its descriptor. */
static int start_guest(uint8_t *ram, const uint8_t *code, size_t len, const char *what)
{
	int fd = open_dev();

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, len);
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR, "%s", what);
	return fd;
}

/*
 * Run a Guest that must die within 30 s: the read() it dies in fails with
 * ENOENT, and the reason the next one returns holds @reason.  One that did
 * not die is not run again: that read() would not come back.
 */
static void expect_death(int fd, const char *dies, const char *reason, const char *said)
{
	char buf[256];
	int dead;
	long r;

	arm_alarm(30);
	r = read(fd, buf, sizeof(buf));
	dead = r == -1 && errno == ENOENT;
	disarm_alarm();
	expect(r, 0, ENOENT, "%s", dies);
	r = dead ? read(fd, buf, sizeof(buf) - 1) : 0;
	buf[r > 0 ? r : 0] = '\0';
	report(r > 0 && strstr(buf, reason) != NULL, "%s (\"%s\")", said, buf);
}

/*
 * LGUEST_INIT naming guest-physical 0 for lguest_data, over and over.  0 is
 * what lg.ko keeps until LGUEST_INIT, so it must be refused outright: else
 * each would be a first LGUEST_INIT again, and every other hypercall and
 * trap a death for coming "before LGUEST_INIT".
 */
static void check_init_at_zero(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xb8, LHCALL_LGUEST_INIT, 0, 0, 0,	/* mov $LGUEST_INIT, %eax */
		0x31, 0xdb,				/* xor %ebx, %ebx */
		0xcd, LGUEST_TRAP_ENTRY,		/* int $0x1f */
		0xeb, 0xf5,				/* jmp back to the mov */
	};
	int fd = start_guest(ram, code, sizeof(code),
			     "INITIALIZE a Guest whose LGUEST_INIT names address 0");

	expect_death(fd, "it dies at its first LGUEST_INIT", "LGUEST_INIT with lguest_data at 0",
		     "for putting lguest_data at 0");
	close(fd);
}

/*
 * Ring 3 before the Guest's first page table.  Its memory is mapped 1:1
 * for its kernel only, so ring 3's first fetch is a page fault the Guest
 * must handle, and with no handler it dies of it.  (lg.ko used to fix the
 * fault by mapping the page for the kernel again, and the Guest went
 * round that loop for ever.)
 */
static void check_linear_user(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xbc, 0x00, 0x00, 0x18, 0x00,	/* mov $0x180000, %esp */
		0x6a, 0x7b, 0x1f,		/* push $0x7b; pop %ds */
		0x6a, 0x7b,			/* push $0x7b (ss) */
		0x68, 0x00, 0x00, 0x20, 0x00,	/* push $0x200000 (esp) */
		0x9c,				/* pushf */
		0x6a, 0x73,			/* push $0x73 (cs) */
		0x68, 0x18, 0x00, 0x10, 0x00,	/* push $START + 24 */
		0xcf,				/* iret */
		0xa1, 0x00, 0x00, 0x30, 0x00,	/* 24: mov 0x300000, %eax */
		0x0f, 0x0b,			/* ud2 */
	};
	int fd = start_guest(ram, code, sizeof(code),
			     "INITIALIZE a Guest that goes to ring 3 before it has page tables");

	expect_death(fd, "it dies (and does not spin)", "unhandled trap 14 at eip 0x100018",
		     "of ring 3's page fault at its first instruction");
	close(fd);
}

/*
 * What may hold Guest memory: anonymous memory (all the other checks use
 * it) and shared memory, here a memfd; not the page cache of a file, here
 * one on a ramfs we mount.  The first INITIALIZE over the file fails.  A
 * Launcher can still map the file over its RAM after INITIALIZE: then the
 * Guest dies the first time it touches that RAM (its first instruction).
 */
#define RAMFS_DIR	"/tmp/lg-ramfs"

static uint8_t *map_fd(int fd, void *where)
{
	void *p = mmap(where, RAM_BYTES, PROT_READ | PROT_WRITE,
		       MAP_SHARED | (where ? MAP_FIXED : 0), fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int ramfs_file(void)
{
	int fd;

	mkdir(RAMFS_DIR, 0700);
	if (mount("lg-ramfs", RAMFS_DIR, "ramfs", 0, NULL) != 0 && errno != EBUSY)
		return -1;
	fd = open(RAMFS_DIR "/ram", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0 && ftruncate(fd, RAM_BYTES) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* INITIALIZE a fresh descriptor over MEM, expecting WANT or errno ERR; unmap MEM. */
static void initialize_over(uint8_t *mem, long want, int err, const char *what)
{
	int fd = open_dev();

	expect(initialize(fd, addr(mem), RAM_PAGES, START, RAM_PAGES), want, err,
	       "INITIALIZE over %s", what);
	close(fd);
	munmap(mem, RAM_BYTES);
}

/* A Guest whose RAM the Launcher replaces with FFD's file after INITIALIZE. */
static void check_ram_replaced(uint8_t *ram, int ffd)
{
	char buf[256];
	uint8_t *file;
	long r;
	int fd = open_dev();

	memset(ram, 0, RAM_BYTES);
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest whose RAM the file will then replace");
	file = ffd >= 0 ? map_fd(ffd, ram) : NULL;
	report(file == ram, "the file mapped over the Guest's RAM after INITIALIZE");
	if (file == ram) {
		arm_alarm(30);
		r = read(fd, buf, sizeof(buf));
		disarm_alarm();
		expect(r, 0, ENOENT, "the read() in which that Guest dies");
		r = read(fd, buf, sizeof(buf));
		buf[r > 0 && (size_t)r <= sizeof(buf) ? r - 1 : 0] = '\0';
		printf("# death reason: %s\n", buf);
		report(strstr(buf, "page cache") != NULL,
		       "it died of touching a file's page, and says so");
		/* Anonymous again, for the checks after this one. */
		mmap(ram, RAM_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	close(fd);
}

static void check_memory_kinds(uint8_t *ram)
{
	int mfd = memfd_create("lguest-ram", 0), ffd = ramfs_file();
	uint8_t *shm = NULL, *file = NULL;

	if (mfd >= 0 && ftruncate(mfd, RAM_BYTES) == 0)
		shm = map_fd(mfd, NULL);
	report(shm != NULL, "a memfd of %u bytes mapped shared", RAM_BYTES);
	if (shm)
		initialize_over(shm, 16, NO_ERROR, "shared memory (a memfd)");

	if (ffd >= 0)
		file = map_fd(ffd, NULL);
	report(file != NULL, "a file on ramfs mapped shared (%s)",
	       file ? "ok" : errname(errno));
	if (file)
		initialize_over(file, 0, EINVAL, "a file's pages (ramfs)");

	check_ram_replaced(ram, ffd);
	if (ffd >= 0)
		close(ffd);
	if (mfd >= 0)
		close(mfd);
	umount(RAMFS_DIR);
}

/*
 * A Guest that does "out %eax, (%dx)" three times.  The read() it exits
 * in gives struct lguest_exit when there is room for it (the registers at
 * their LG_REG_* offsets, as GETREG would give them), and only struct
 * lguest_pending, as upstream's did, to a smaller buffer.
 */
static void check_exit_record(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov $0x12345678, %eax */
		0xba, 0x58, 0x56, 0, 0,		/* mov $0x5658, %edx */
		0xef, 0xef, 0xef,		/* out %eax, (%dx), three times */
		0xeb, 0xfe,			/* jmp . */
	};
	const uint32_t out_eip = START + 10;
	struct lguest_exit e;
	int fd = open_dev();
	uint8_t buf[64];
	uint32_t v, w[3] = { LHREQ_SETREG, LG_REG_EIP, 0 };
	long r;

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest that does port I/O");
	arm_alarm(30);
	memset(&e, 0x55, sizeof(e));
	r = read(fd, &e, sizeof(e));
	expect(r, sizeof(e), NO_ERROR, "an 80-byte read() gets struct lguest_exit");
	if (r == (long)sizeof(e)) {
		report(e.pending.trap == 13 && e.pending.insn[0] == 0xef,
		       "for the out: trap 13, byte 0xef (got %u, 0x%02x)",
		       e.pending.trap, e.pending.insn[0]);
		report(e.regs[LG_REG_EAX / 4] == 0x12345678 &&
		       e.regs[LG_REG_EDX / 4] == 0x5658,
		       "with the Guest's eax and edx (got 0x%x, 0x%x)",
		       e.regs[LG_REG_EAX / 4], e.regs[LG_REG_EDX / 4]);
		report(e.regs[LG_REG_EIP / 4] == out_eip && (e.regs[LG_REG_CS / 4] & 3) == 1,
		       "its eip at the out, in ring 1 (got 0x%x, cs 0x%x)",
		       e.regs[LG_REG_EIP / 4], e.regs[LG_REG_CS / 4]);
		report(e.regs[LG_REG_ORIG_EAX / 4] == 0, "orig_eax reads 0 (got 0x%x)",
		       e.regs[LG_REG_ORIG_EAX / 4]);
		if (getreg(fd, LG_REG_ESP, "esp", &v))
			report(v == e.regs[LG_REG_ESP / 4], "esp as GETREG gives it (0x%x, 0x%x)",
			       e.regs[LG_REG_ESP / 4], v);
	}
	w[2] = out_eip + 1;
	expect(send(fd, w, 3), 12, NO_ERROR, "SETREG eip past the first out");
	r = read(fd, buf, sizeof(buf));
	expect(r, sizeof(struct lguest_pending), NO_ERROR,
	       "a 64-byte read() gets the 12-byte struct lguest_pending");
	if (getreg(fd, LG_REG_EIP, "eip", &v))
		report(v == out_eip + 1, "the second out is at 0x%x (got 0x%x)", out_eip + 1, v);
	w[2] = out_eip + 2;
	expect(send(fd, w, 3), 12, NO_ERROR, "SETREG eip past the second out");
	r = read(fd, buf, sizeof(struct lguest_pending));
	expect(r, sizeof(struct lguest_pending), NO_ERROR, "so does a 12-byte one");
	disarm_alarm();
	close(fd);
}

/*
 * An out in the last byte of RAM: lg.ko hands the Launcher the bytes at
 * eip, as many as there are, and the rest are zero.  What lies beyond is
 * not the Guest's to have read, so it must not die of it.
 */
static void check_fetch_at_ram_end(uint8_t *ram)
{
	const uint32_t eip = RAM_BYTES - 1;
	struct lguest_exit e;
	int fd = open_dev();
	long r;

	memset(ram, 0, RAM_BYTES);
	ram[eip] = 0xef;			/* out %eax, (%dx) */
	expect(initialize(fd, addr(ram), RAM_PAGES, eip, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest whose out is the last byte of RAM");
	arm_alarm(30);
	r = read(fd, &e, sizeof(e));
	disarm_alarm();
	expect(r, sizeof(e), NO_ERROR, "read() of the exit for an out at the end of RAM");
	if (r == (long)sizeof(e))
		report(e.pending.trap == 13 && e.pending.insn[0] == 0xef &&
		       !e.pending.insn[1] && !e.pending.insn[6],
		       "trap 13 with the out's byte and zeros after it (got %u, %02x %02x .. %02x)",
		       e.pending.trap, e.pending.insn[0], e.pending.insn[1], e.pending.insn[6]);
	close(fd);
}

/*
 * Held port writes (lg.ko H310).  read() of an exit; 0 and the writes'
 * count in *nr, or -1 after a failed check.
 */
static int read_held(int fd, struct lguest_exit_writes *e, const char *what)
{
	const long head = offsetof(struct lguest_exit_writes, writes);
	long r;

	memset(e, 0x55, sizeof(*e));
	r = read(fd, e, sizeof(*e));
	if (r < head || e->nr_writes > LGUEST_HELD_WRITES ||
	    r != head + (long)(e->nr_writes * sizeof(e->writes[0]))) {
		expect(r, head, NO_ERROR, "%s: read() gives an exit and its writes", what);
		return -1;
	}
	return 0;
}

static int held_is(const struct lguest_port_write *w, uint16_t port, uint8_t size, uint32_t value)
{
	return w->port == port && w->size == size && w->zero == 0 && w->value == value;
}

static void step_past(int fd, const struct lguest_exit *e, uint32_t len, const char *what)
{
	uint32_t w[3] = { LHREQ_SETREG, LG_REG_EIP, e->regs[LG_REG_EIP / 4] + len };

	expect(send(fd, w, 3), 12, NO_ERROR, "SETREG eip past %s", what);
}

/*
 * The writes a Guest made up to its exit at "stop": lg.ko may hand them
 * over in several exits, by time (LGUEST_EXIT_WRITES) or because it holds
 * no more (an exit at the held out of "loop", which we carry out here as a
 * Launcher would and step over).  The exit at "stop" is left in *e.
 */
struct held_log {
	struct lguest_port_write w[128];
	unsigned int n;
	unsigned int at_limit, over_limit;	/* exits at the loop's out */
	unsigned int by_time, by_time_writes;	/* LGUEST_EXIT_WRITES exits */
	unsigned int at_stop;			/* writes with the exit at "stop" */
};

static int collect_held(int fd, struct lguest_exit_writes *e, uint32_t loop, uint32_t stop,
			struct held_log *log, const char *what)
{
	const struct lguest_exit *x = &e->exit_info;

	memset(log, 0, sizeof(*log));
	for (int exits = 0; exits < 100; exits++) {
		uint32_t eip;

		if (read_held(fd, e, what))
			return -1;
		eip = x->regs[LG_REG_EIP / 4];
		for (unsigned int i = 0; i < e->nr_writes && log->n < 128; i++)
			log->w[log->n++] = e->writes[i];
		if (x->pending.trap == LGUEST_EXIT_WRITES) {
			log->by_time++;
			log->by_time_writes += e->nr_writes;
			continue;
		}
		if (x->pending.trap == 13 && eip == stop) {
			log->at_stop = e->nr_writes;
			return 0;
		}
		if (x->pending.trap == 13 && eip == loop && log->n < 128) {
			if (e->nr_writes == LGUEST_HELD_WRITES)
				log->at_limit++;
			else
				log->over_limit++;
			log->w[log->n++] = (struct lguest_port_write) {
				.port = 0x5658, .size = 1, .value = x->regs[LG_REG_EAX / 4] & 0xff };
			step_past(fd, x, 1, "the out lg.ko did not hold");
			continue;
		}
		break;
	}
	report(0, "%s: the exits before it are exits with writes (trap %u, eip 0x%x)",
	       what, x->pending.trap, x->regs[LG_REG_EIP / 4]);
	return -1;
}

#define GUEST_DATA	0x200000u	/* where the Guest below keeps its lguest_data */

/*
 * A Guest that writes to ports 0x5658 and 0x70, which we ask lg.ko to
 * hold, and to others; each exit must bring the writes held since the last
 * one, in order, each with the right size and value.
 */
static void check_held_writes(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xba, 0x58, 0x56, 0, 0,		/*  0: mov $0x5658, %edx */
		0xb8, 0x11, 0, 0, 0,		/*  5: mov $0x11, %eax */
		0xef,				/* 10: out %eax, (%dx) */
		0xb8, 0x22, 0x33, 0x44, 0x55,	/* 11: mov $0x55443322, %eax */
		0xee,				/* 16: out %al, (%dx) */
		0x66, 0xef,			/* 17: out %ax, (%dx) */
		0xe6, 0x70,			/* 19: out %al, $0x70 */
		0xba, 0x5a, 0x56, 0, 0,		/* 21: mov $0x565a, %edx */
		0xef,				/* 26: out %eax, (%dx): 0x565a-d, not all held */
		0xba, 0x58, 0x56, 0, 0,		/* 27: mov $0x5658, %edx */
		0xb9, 70, 0, 0, 0,		/* 32: mov $70, %ecx */
		0xee,				/* 37: out %al, (%dx) */
		0xe2, 0xfd,			/* 38: loop 37 */
		0xe6, 0x80,			/* 40: out %al, $0x80: not held */
		0xb0, 0x33,			/* 42: mov $0x33, %al */
		0xee,				/* 44: out %al, (%dx) */
		0xeb, 0xfe,			/* 45: jmp . */
		0xbb, 0, 0, GUEST_DATA >> 16, 0,	/* 47: mov $GUEST_DATA, %ebx */
		0xb8, LHCALL_LGUEST_INIT, 0, 0, 0,	/* 52: mov $LGUEST_INIT, %eax */
		0xcd, LGUEST_TRAP_ENTRY,	/* 57: int $0x1f */
		0xb0, 0x44,			/* 59: mov $0x44, %al */
		0xee,				/* 61: out %al, (%dx) */
		0xb8, LHCALL_HALT, 0, 0, 0,	/* 62: mov $LHCALL_HALT, %eax */
		0xcd, LGUEST_TRAP_ENTRY,	/* 67: int $0x1f */
		0xeb, 0xfe,			/* 69: jmp . */
	};
	struct lguest_exit_writes e;
	struct lguest_exit *x = &e.exit_info;
	struct lguest_port_write *w = e.writes;
	struct held_log got;
	int fd = open_dev(), all = 1;
	long r;

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	/* LGUEST_INIT insists on the one system call vector lg.ko supports. */
	((struct lguest_data *)(ram + GUEST_DATA))->syscall_vec = 0x80;
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest whose port writes lg.ko holds");
	run_table(fd, hold_ports, ARRAY_SIZE(hold_ports), "before it runs");
	arm_alarm(30);
	r = read(fd, &e, sizeof(struct lguest_exit));
	expect(r, 0, EINVAL, "then an 80-byte read() is too small for the writes");

	if (collect_held(fd, &e, START + 37, START + 26, &got, "the out to 0x565a") == 0) {
		report(x->pending.trap == 13 && x->pending.insn[0] == 0xef,
		       "a 4-byte out to 0x565a, past the held 0x5658-0x565b, exits (trap %u, byte 0x%02x)",
		       x->pending.trap, x->pending.insn[0]);
		report(got.n == 4 && held_is(&got.w[0], 0x5658, 4, 0x11) &&
		       held_is(&got.w[1], 0x5658, 1, 0x22) && held_is(&got.w[2], 0x5658, 2, 0x3322) &&
		       held_is(&got.w[3], 0x70, 1, 0x22),
		       "with the 4 writes before it: outl, outb, outw (%%dx), outb $0x70 (got %u)",
		       got.n);
		step_past(fd, x, 1, "it");
	}
	if (collect_held(fd, &e, START + 37, START + 40, &got, "the out to 0x80") == 0) {
		for (unsigned int i = 0; i < got.n; i++)
			all &= held_is(&got.w[i], 0x5658, 1, 0x22);
		report(got.n == 70 && all,
		       "70 outs in a loop: each one's write, then the exit at an out to 0x80 (got %u)",
		       got.n);
		report(got.at_limit * (LGUEST_HELD_WRITES + 1) + got.by_time_writes + got.at_stop == 70 &&
		       got.over_limit == 0,
		       "lg.ko stops holding at %u: an exit at one of those outs brings %u (%u such exits; %u writes came in %u exits by time, %u with the exit at 0x80)",
		       LGUEST_HELD_WRITES, LGUEST_HELD_WRITES, got.at_limit, got.by_time_writes,
		       got.by_time, got.at_stop);
		step_past(fd, x, 2, "it");
	}
	if (read_held(fd, &e, "a spinning Guest") == 0) {
		report(x->pending.trap == LGUEST_EXIT_WRITES && e.nr_writes == 1 &&
		       held_is(&w[0], 0x5658, 1, 0x33) && x->regs[LG_REG_EIP / 4] == START + 45,
		       "a write held while the Guest spins comes out by itself (trap 0x%x, %u writes, eip 0x%x)",
		       x->pending.trap, e.nr_writes, x->regs[LG_REG_EIP / 4]);
		step_past(fd, x, 2, "the jmp");
	}
	if (read_held(fd, &e, "a halted Guest") == 0)
		report(x->pending.trap == LGUEST_EXIT_WRITES && e.nr_writes == 1 &&
		       held_is(&w[0], 0x5658, 1, 0x44) && x->regs[LG_REG_EIP / 4] == START + 69,
		       "so does one held when the Guest halts (trap 0x%x, %u writes, eip 0x%x)",
		       x->pending.trap, e.nr_writes, x->regs[LG_REG_EIP / 4]);
	disarm_alarm();
	arm_alarm(1);
	r = read(fd, &e, sizeof(e));
	disarm_alarm();
	expect(r, 0, EINTR, "then the halted Guest sleeps until a signal: no empty exits");
	close(fd);
}

/* The writes of a Guest that dies come out before its death does. */
static void check_held_death(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xb0, 0x66,			/* mov $0x66, %al */
		0xe6, 0x70,			/* out %al, $0x70 */
		0xb8, 99, 0, 0, 0,		/* mov $99, %eax */
		0xcd, LGUEST_TRAP_ENTRY,	/* int $0x1f */
		0xeb, 0xfe,			/* jmp . */
	};
	uint32_t hold[3] = { LHREQ_HOLD_PORTS, 0x70, 0x70 };
	struct lguest_exit_writes e;
	int fd = open_dev();
	char reason[128];
	long r;

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest that writes a port, then dies");
	expect(send(fd, hold, 3), 12, NO_ERROR, "HOLD_PORTS 0x70-0x70");
	arm_alarm(30);
	if (read_held(fd, &e, "a dying Guest") == 0)
		report(e.exit_info.pending.trap == LGUEST_EXIT_WRITES && e.nr_writes == 1 &&
		       held_is(&e.writes[0], 0x70, 1, 0x66),
		       "its last write comes first (trap 0x%x, %u writes)",
		       e.exit_info.pending.trap, e.nr_writes);
	r = read(fd, &e, sizeof(e));
	expect(r, 0, ENOENT, "then the read() that says it died");
	r = read(fd, reason, sizeof(reason));
	report(r > 1 && strstr(reason, "hypercall") != NULL, "then its reason (got %ld)", r);
	disarm_alarm();
	close(fd);
}

/*
 * A read() whose buffer ends where the held writes begin fails with
 * EFAULT, and loses nothing: the next read() gets the same exit, at the
 * Guest's "in", with the write.
 */
static void check_held_efault(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xb0, 0x77,			/* mov $0x77, %al */
		0xe6, 0x70,			/* out %al, $0x70 */
		0xe4, 0x71,			/* in $0x71, %al */
		0xeb, 0xfe,			/* jmp . */
	};
	const size_t head = offsetof(struct lguest_exit_writes, writes);
	uint32_t hold[3] = { LHREQ_HOLD_PORTS, 0x70, 0x70 };
	struct lguest_exit_writes e;
	uint8_t *pages = map(2 * PAGE);
	int fd = open_dev();

	munmap(pages + PAGE, PAGE);
	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest that writes a port, then reads one");
	expect(send(fd, hold, 3), 12, NO_ERROR, "HOLD_PORTS 0x70-0x70");
	arm_alarm(30);
	expect(read(fd, pages + PAGE - head, sizeof(e)), 0, EFAULT,
	       "a read() whose writes would land in an unmapped page");
	if (read_held(fd, &e, "the read after it") == 0) {
		int got_write = e.nr_writes == 1 && held_is(&e.writes[0], 0x70, 1, 0x77);
		unsigned int writes = e.nr_writes;

		/*
		 * On a busy Host the write may have waited its two jiffies
		 * before the Guest reached the "in": then the exit that failed
		 * was the one with the write alone, and the "in" comes next.
		 */
		if (e.exit_info.pending.trap == LGUEST_EXIT_WRITES && got_write &&
		    read_held(fd, &e, "the read after the write's own exit") == 0)
			writes += e.nr_writes;
		report(e.exit_info.pending.trap == 13 && e.exit_info.pending.insn[0] == 0xe4 &&
		       got_write && writes == 1,
		       "the next ones get the write, once, and the exit at the in (trap %u, %u writes)",
		       e.exit_info.pending.trap, writes);
	}
	disarm_alarm();
	close(fd);
	munmap(pages, PAGE);
}

/*
 * Sixteen ISRs may be named at once, a seventeenth is ENOSPC, and naming
 * one again (same Launcher address) or dropping one makes room.
 */
static void check_isr_table(int fd, uint8_t *ram)
{
	uint32_t w[3] = { LHREQ_ISR, 0, 0 };
	int all = 1;

	for (uint32_t i = 0; i < LGUEST_ISRS; i++) {
		w[1] = WINDOW + i * 0x100;
		w[2] = addr(ram + i);
		all &= send(fd, w, 3) == 12;
	}
	report(all, "%u ISRs, each its own address and byte", LGUEST_ISRS);
	w[1] = WINDOW + 0x1000;
	w[2] = addr(ram + 100);
	expect(send(fd, w, 3), 0, ENOSPC, "a seventeenth");
	w[1] = WINDOW + 0x1000;
	w[2] = addr(ram + 3);
	expect(send(fd, w, 3), 12, NO_ERROR, "the fourth byte named again, at a new address");
	w[1] = WINDOW + 0x2000;
	w[2] = addr(ram + 100);
	expect(send(fd, w, 3), 0, ENOSPC, "still no room for another");
	w[1] = LGUEST_ISR_NONE;
	w[2] = addr(ram + 3);
	expect(send(fd, w, 3), 12, NO_ERROR, "the fourth dropped");
	w[1] = WINDOW + 0x2000;
	w[2] = addr(ram + 100);
	expect(send(fd, w, 3), 12, NO_ERROR, "makes room for another");
	/* Leave the table empty for the Guest that runs next. */
	for (uint32_t i = 0; i <= 100; i++) {
		w[1] = LGUEST_ISR_NONE;
		w[2] = addr(ram + i);
		send(fd, w, 3);
	}
}

static int read_exit(int fd, struct lguest_exit *e, const char *what)
{
	long r;

	memset(e, 0x55, sizeof(*e));
	r = read(fd, e, sizeof(*e));
	if (r != sizeof(*e)) {
		expect(r, sizeof(*e), NO_ERROR, "%s: read() gives an exit", what);
		return -1;
	}
	return 0;
}

/*
 * lg.ko answers the Guest's byte loads of an ISR we named (H320): it takes
 * the byte from our memory, leaves 0 there, puts it in the register the
 * load names and steps over it, with no exit.  Other loads, stores, other
 * bytes of the window and loads it does not decode are exits, and leave
 * the byte alone.
 */
static void check_isr_reads(uint8_t *ram)
{
	static const uint8_t code[] = {
		0xbb, ISR_GPA & 0xff, (ISR_GPA >> 8) & 0xff, ISR_GPA >> 16, 0,
						/*  0: mov $ISR_GPA, %ebx */
		0xb8, 0x78, 0x56, 0x34, 0x12,	/*  5: mov $0x12345678, %eax */
		0x8a, 0x23,			/* 10: mov (%ebx), %ah: 0x05 */
		0x0f, 0xb6, 0x0b,		/* 12: movzbl (%ebx), %ecx: 0, now */
		0x8a, 0x43, 0x01,		/* 15: mov 1(%ebx), %al: an exit */
		0x8a, 0x54, 0x23, 0x00,		/* 18: mov 0(%ebx,%eiz), %dl: 0x03 */
		0x66, 0x0f, 0xb6, 0x03,		/* 22: movzbw (%ebx), %ax: an exit */
		0x88, 0x03,			/* 26: mov %al, (%ebx): an exit */
		0xeb, 0xfe,			/* 28: jmp . */
	};
	uint32_t name[3] = { LHREQ_ISR, ISR_GPA, 0 };
	uint8_t *page = map(PAGE);
	volatile uint8_t *isr = page + 0x60;	/* ours: not in the Guest's memory */
	struct lguest_exit e;
	uint32_t *r = e.regs;
	int fd = open_dev();

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, code, sizeof(code));
	name[2] = addr(page + 0x60);
	expect(initialize(fd, addr(ram), WINDOW / PAGE, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE a Guest with 64 KiB of device pages, which reads an ISR");
	run_table(fd, isr_requests, ARRAY_SIZE(isr_requests), "ISR");
	check_isr_table(fd, ram);
	expect(send(fd, name, 3), 12, NO_ERROR, "ISR at 0x%x", ISR_GPA);
	*isr = 0x05;
	arm_alarm(30);
	if (read_exit(fd, &e, "the read of the byte after the ISR") == 0) {
		report(e.pending.trap == 14 && e.pending.addr == ISR_GPA + 1 &&
		       r[LG_REG_EIP / 4] == START + 15,
		       "the byte after the ISR is an exit (trap %u, addr 0x%x, eip 0x%x)",
		       e.pending.trap, e.pending.addr, r[LG_REG_EIP / 4]);
		report(r[LG_REG_EAX / 4] == 0x12340578,
		       "the load into %%ah before it got the ISR, the rest of %%eax kept (0x%x)",
		       r[LG_REG_EAX / 4]);
		report(r[LG_REG_ECX / 4] == 0, "the movzbl after it read 0: the load cleared it (0x%x)",
		       r[LG_REG_ECX / 4]);
		report(*isr == 0, "and our byte is 0 (0x%x)", *isr);
		step_past(fd, &e, 3, "the load");
	}
	*isr = 0x03;
	if (read_exit(fd, &e, "the movzbw") == 0) {
		report(e.pending.trap == 14 && e.pending.addr == ISR_GPA &&
		       r[LG_REG_EIP / 4] == START + 22,
		       "a load with an operand-size prefix is an exit (trap %u, addr 0x%x, eip 0x%x)",
		       e.pending.trap, e.pending.addr, r[LG_REG_EIP / 4]);
		report((r[LG_REG_EDX / 4] & 0xff) == 0x03 && *isr == 0,
		       "the SIB-addressed load into %%dl before it took 0x03 and left 0 (edx 0x%x, byte 0x%x)",
		       r[LG_REG_EDX / 4], *isr);
		*isr = 0x07;
		step_past(fd, &e, 4, "the movzbw");
	}
	if (read_exit(fd, &e, "the store") == 0) {
		report(e.pending.trap == 14 && e.pending.addr == ISR_GPA &&
		       r[LG_REG_EIP / 4] == START + 26 && *isr == 0x07,
		       "a store to the ISR is an exit and leaves the byte (trap %u, addr 0x%x, eip 0x%x, byte 0x%x)",
		       e.pending.trap, e.pending.addr, r[LG_REG_EIP / 4], *isr);
	}
	disarm_alarm();
	close(fd);
	munmap(page, PAGE);
}

/* Many Guests that come and go must leave nothing behind. */
/*
 * An INITIALIZE whose arguments lie in memory that is slow to come (here a
 * userfaultfd page nobody fills yet; FUSE can do the same for a Launcher
 * without privileges) waits inside lg.ko for as long as that memory takes.
 * It must hold up nobody else: another Launcher's INITIALIZE goes ahead.
 */
struct stalled_init {
	int fd;
	const uint32_t *words;
	long ret;
	int err;
};

static void *stalled_initialize(void *arg)
{
	struct stalled_init *s = arg;

	s->ret = write(s->fd, s->words, 5 * sizeof(uint32_t));
	s->err = errno;
	return NULL;
}

static int uffd_on(uint8_t *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = addr(page), .len = PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC);

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("Bail out! userfaultfd on %p: %s\n", (void *)page, strerror(errno));
		exit(1);
	}
	return uffd;
}

/* Wait until a thread touches the page: 1 if one did within 10 s. */
static int uffd_faulted(int uffd)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	return poll(&pfd, 1, 10000) == 1 && read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

static void check_stalled_initialize(uint8_t *ram)
{
	uint8_t *two = map(2 * PAGE), *zeroes = map(PAGE);
	struct stalled_init s = { .fd = open_dev() };
	struct uffdio_copy copy = { .dst = addr(two + PAGE), .src = addr(zeroes), .len = PAGE };
	int uffd = uffd_on(two + PAGE), status = 0;
	unsigned int waited = 0;
	pthread_t thread;
	pid_t child;

	/* The request word ends the first page; its arguments are on the second. */
	s.words = (uint32_t *)(two + PAGE) - 1;
	((uint32_t *)(two + PAGE))[-1] = LHREQ_INITIALIZE;
	pthread_create(&thread, NULL, stalled_initialize, &s);
	report(uffd_faulted(uffd), "an INITIALIZE waits in lg.ko for its arguments' page");

	child = fork();
	if (child == 0) {
		int fd = open_dev();

		_exit(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) == 16 ? 0 : 1);
	}
	while (waited < 100 && waitpid(child, &status, WNOHANG) == 0) {
		usleep(50000);
		waited++;
	}
	report(waited < 100 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "meanwhile another Launcher's INITIALIZE goes ahead (%s after %u ms)",
	       waited < 100 ? "done" : "still waiting", waited * 50);

	/* Let the first one go: its arguments are all zeroes. */
	ioctl(uffd, UFFDIO_COPY, &copy);
	pthread_join(thread, NULL);
	errno = s.err;
	expect(s.ret, -1, EINVAL, "and the first, its page filled with zeroes, is refused");
	if (waited == 100)
		waitpid(child, &status, 0);
	close(s.fd);
	close(uffd);
	munmap(two, 2 * PAGE);
	munmap(zeroes, PAGE);
}

/*
 * Guest RAM is locked memory while the Guest lives (H011): it shows in
 * VmLck, and a Launcher without CAP_IPC_LOCK may not go past its
 * RLIMIT_MEMLOCK.  The child gives up root after opening the device.
 */
static long vmlck_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

#define MEMLOCK_REFUSED	1
#define MEMLOCK_ALLOWED	2

static int memlock_child(uint8_t *ram)
{
	struct rlimit small = { RAM_BYTES / 4, 2 * RAM_BYTES }, enough = { 2 * RAM_BYTES, 2 * RAM_BYTES };
	int fd = open_dev(), got = 0;

	if (setrlimit(RLIMIT_MEMLOCK, &small) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 0x80;
	if (initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) == -1 && errno == ENOMEM)
		got |= MEMLOCK_REFUSED;
	if (!setrlimit(RLIMIT_MEMLOCK, &enough) &&
	    initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) == 16 &&
	    vmlck_kib() == (long)(RAM_BYTES / 1024))
		got |= MEMLOCK_ALLOWED;
	return got;
}

static void check_locked_memory(uint8_t *ram)
{
	long before = vmlck_kib(), during, after;
	int fd = open_dev(), status = 0;
	pid_t child;

	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE 4 MiB as root");
	during = vmlck_kib();
	close(fd);
	after = vmlck_kib();
	report(during == before + (long)(RAM_BYTES / 1024) && after == before,
	       "its RAM counts as locked memory until close (VmLck %ld, %ld, %ld kB)",
	       before, during, after);

	child = fork();
	if (child == 0)
		_exit(memlock_child(ram));
	waitpid(child, &status, 0);
	report(WIFEXITED(status) && (WEXITSTATUS(status) & MEMLOCK_REFUSED),
	       "a Launcher without CAP_IPC_LOCK and a 1 MiB memlock limit: ENOMEM (status %#x)",
	       (unsigned int)status);
	report(WIFEXITED(status) && (WEXITSTATUS(status) & MEMLOCK_ALLOWED),
	       "with an 8 MiB limit it may, and VmLck says 4 MiB");
}

/*
 * Two Guests in one process: each has its counters, the second under
 * <pid>-<its number>, and neither INITIALIZE fails for want of a name.
 */
static int debugfs_count(void)
{
	char prefix[16];
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/debug/lguest");
	int n = 0;

	if (!dir)
		return -1;
	snprintf(prefix, sizeof(prefix), "%d", (int)getpid());
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, prefix, strlen(prefix)) &&
		    (d->d_name[strlen(prefix)] == '\0' || d->d_name[strlen(prefix)] == '-'))
			n++;
	closedir(dir);
	return n;
}

static void check_two_guests(uint8_t *ram)
{
	int a = open_dev(), b = open_dev();

	expect(initialize(a, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE of a first Guest");
	expect(initialize(b, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE of a second Guest in the same process");
	report(debugfs_present() && debugfs_count() == 2,
	       "each has its counters in debugfs (%d files for pid %d)", debugfs_count(),
	       (int)getpid());
	close(a);
	close(b);
	report(debugfs_count() == 0, "and both are gone after close()");
}

static void check_open_close(uint8_t *ram)
{
	int bad_open = 0, bad_init = 0, bad_close = 0;

	for (int i = 0; i < 100; i++) {
		int fd = open(DEVICE, O_RDWR);

		if (fd < 0) {
			bad_open++;
			continue;
		}
		if (close(fd))
			bad_close++;
	}
	report(!bad_open && !bad_close, "100 x open() + close() (%d opens, %d closes failed)",
	       bad_open, bad_close);

	bad_open = bad_close = 0;
	for (int i = 0; i < 100; i++) {
		int fd = open(DEVICE, O_RDWR);

		if (fd < 0) {
			bad_open++;
			continue;
		}
		if (initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) != 16)
			bad_init++;
		if (close(fd))
			bad_close++;
	}
	report(!bad_open && !bad_init && !bad_close,
	       "100 x open() + INITIALIZE + close() (%d opens, %d INITIALIZEs, %d closes failed)",
	       bad_open, bad_init, bad_close);
	report(!debugfs_present(), "no debugfs file left behind");
}

/* ---- the Host's debug registers (run.c) ------------------------------- */

/*
 * A Guest run by a Launcher that a debugger watches.  The debugger (we, by
 * ptrace) arms two of the Launcher's hardware breakpoints: DR0 on a write to
 * BP_WATCHED, an address the Launcher never touches but the Guest does,
 * and DR1 on a word of the Launcher's own.  What must happen:
 *  - the Guest writes BP_WATCHED a thousand times and never sees a #DB:
 *    the Host's breakpoints are off while the Guest runs;
 *  - a single step of the Guest's own (TF) reaches its #DB handler;
 *  - after that, the Launcher's write to its word stops it with SIGTRAP,
 *    and DR6 as the debugger reads it shows that breakpoint (B1) and no
 *    single step (BS): the Guest's step left nothing in the Host's DR6.
 * All of it on one CPU, where DR6 would have kept the Guest's bits.
 */
#define BP_PARAMS	0x17f000u	/* the #DB gate's two words, for the Guest */
#define BP_WATCHED	0x170000u	/* the Guest's word that DR0 watches */
#define BP_STACK	0x180000u
#define DR6_B1		0x2u
#define DR6_BS		0x4000u
/* L0 and L1; both "break on a 4-byte write" (R/W 01, LEN 11). */
#define BP_DR7		(0x1u | 0x4u | 0xdu << 16 | 0xdu << 20)

asm(".pushsection .rodata\n"
    "bp_guest:\n\t"
    "movl $0x180000, %esp\n\t"			/* BP_STACK */
    "movl $0x200000, %ebx\n\t"			/* GUEST_DATA */
    "movl $1, %eax\n\t"				/* LHCALL_LGUEST_INIT */
    "int $0x1f\n\t"
    "movl $6, %eax\n\t"				/* LHCALL_LOAD_IDT_ENTRY */
    "movl $1, %ebx\n\t"
    "movl 0x17f000, %ecx\n\t"			/* BP_PARAMS */
    "movl 0x17f004, %edx\n\t"
    "int $0x1f\n\t"
    "movl $1000, %ecx\n"
    "1:\tmovl %ecx, 0x170000\n\t"		/* BP_WATCHED */
    "loop 1b\n"
    "bp_guest_wrote:\n\t"
    "outb %al, $0x80\n\t"
    "pushfl\n\t"
    "orl $0x100, (%esp)\n\t"
    "popfl\n\t"
    "nop\n"
    "bp_guest_stepped:\n\t"
    "jmp .\n"
    "bp_guest_handler:\n\t"
    "outb %al, $0x80\n\t"
    "jmp .\n"
    "bp_guest_end:\n"
    ".popsection");
extern const uint8_t bp_guest[], bp_guest_wrote[], bp_guest_stepped[],
	bp_guest_handler[], bp_guest_end[];

static uint32_t bp_guest_addr(const uint8_t *label)
{
	return START + (uint32_t)(label - bp_guest);
}

/* What the traced Launcher saw: 0 in err, or where it gave up. */
struct bp_result {
	int err;
	const char *failed;
	uint32_t exit1_trap, exit1_eip;
	uint32_t exit2_trap, exit2_eip, frame_eip, frame_eflags;
};

static volatile uint32_t bp_launcher_word;	/* DR1 watches it */

/* Note where the traced Launcher gave up, and why; -1. */
static int bp_failed(struct bp_result *res, const char *what)
{
	res->err = errno ? errno : EIO;
	res->failed = what;
	return -1;
}

static int bp_read_exit(int fd, struct lguest_exit *e, struct bp_result *res,
			const char *what)
{
	if (read(fd, e, sizeof(*e)) == (long)sizeof(*e))
		return 0;
	return bp_failed(res, what);
}

static void bp_launcher(uint8_t *ram, int report_fd)
{
	uint32_t handler = bp_guest_addr(bp_guest_handler);
	uint32_t step[3] = { LHREQ_SETREG, LG_REG_EIP, 0 };
	struct bp_result res = { 0 };
	struct lguest_exit e;
	cpu_set_t one;
	uint32_t esp;
	int fd;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) || ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		bp_failed(&res, "sched_setaffinity() or PTRACE_TRACEME");
		goto out;
	}
	raise(SIGSTOP);		/* for the debugger to arm DR0 and DR1 */
	alarm(10);

	memset(ram, 0, RAM_BYTES);
	memcpy(ram + START, bp_guest, (size_t)(bp_guest_end - bp_guest));
	((struct lguest_data *)(ram + GUEST_DATA))->syscall_vec = 0x80;
	/* A ring-1 trap gate for vector 1: selector 0x60, present, type 15. */
	((uint32_t *)(ram + BP_PARAMS))[0] = (LGUEST_GUEST_CS & ~3u) << 16 | (handler & 0xffff);
	((uint32_t *)(ram + BP_PARAMS))[1] = (handler & 0xffff0000) | 0x8f00;
	fd = open_dev();
	if (initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) != 16) {
		bp_failed(&res, "INITIALIZE");
		goto out;
	}
	if (bp_read_exit(fd, &e, &res, "the first read()"))
		goto out;
	res.exit1_trap = e.pending.trap;
	res.exit1_eip = e.regs[LG_REG_EIP / 4];
	/* On past the out, to the single step, wherever the Guest stopped. */
	step[2] = bp_guest_addr(bp_guest_wrote) + 2;
	if (send(fd, step, 3) != 12) {
		bp_failed(&res, "SETREG eip");
		goto out;
	}
	if (bp_read_exit(fd, &e, &res, "the second read()"))
		goto out;
	res.exit2_trap = e.pending.trap;
	res.exit2_eip = e.regs[LG_REG_EIP / 4];
	esp = e.regs[LG_REG_ESP / 4];
	if (esp >= START && esp <= BP_STACK - 12) {
		memcpy(&res.frame_eip, ram + esp, 4);
		memcpy(&res.frame_eflags, ram + esp + 8, 4);
	}
	/* Now the Launcher's own breakpoint: SIGTRAP, with DR6 for the debugger. */
	bp_launcher_word = 1;
	close(fd);
out:
	_exit(write(report_fd, &res, sizeof(res)) != sizeof(res));
}

static long dr_offset(int n)
{
	return (long)offsetof(struct user, u_debugreg) + n * (long)sizeof(int);
}

/*
 * The debugger's side: arm the breakpoints at the child's SIGSTOP, then
 * count its SIGTRAPs (reading DR6 at each) and pass on any other signal.
 * 0 once the child has exited, 1 if it was killed, -1 if we gave up on a
 * child that is still there.
 */
static int bp_debug(pid_t child, unsigned int *traps, long *dr6)
{
	int status, sig = 0;

	if (waitpid(child, &status, 0) != child)
		return -1;
	if (!WIFSTOPPED(status))
		return 1;
	if (WSTOPSIG(status) != SIGSTOP ||
	    ptrace(PTRACE_POKEUSER, child, (void *)dr_offset(0), (void *)BP_WATCHED) ||
	    ptrace(PTRACE_POKEUSER, child, (void *)dr_offset(1), (void *)&bp_launcher_word) ||
	    ptrace(PTRACE_POKEUSER, child, (void *)dr_offset(7), (void *)BP_DR7))
		return -1;
	for (;;) {
		if (ptrace(PTRACE_CONT, child, NULL, (void *)(long)sig) ||
		    waitpid(child, &status, 0) != child)
			return -1;
		if (!WIFSTOPPED(status))
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
		sig = WSTOPSIG(status);
		if (sig == SIGTRAP) {
			++*traps;
			*dr6 = ptrace(PTRACE_PEEKUSER, child, (void *)dr_offset(6), NULL);
			sig = 0;
		}
	}
}

static void check_host_breakpoints(uint8_t *ram)
{
	struct bp_result res = { .err = EIO, .failed = "the report" };
	unsigned int traps = 0;
	int report_fd[2], debugged;
	long dr6 = -1;
	pid_t child;

	if (pipe(report_fd) || (child = fork()) < 0) {
		report(0, "pipe() and fork() for a traced Launcher (%s)", strerror(errno));
		return;
	}
	if (child == 0) {
		close(report_fd[0]);
		bp_launcher(ram, report_fd[1]);
	}
	close(report_fd[1]);
	debugged = bp_debug(child, &traps, &dr6);
	if (debugged < 0) {
		/* Stopped or running, it holds the pipe open: end it first. */
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (read(report_fd[0], &res, sizeof(res)) != sizeof(res))
		res.err = EIO;
	close(report_fd[0]);
	report(debugged == 0, "ptrace arms DR0 and DR1 of a Launcher and sees it exit 0 (%s)",
	       debugged < 0 ? "ptrace or waitpid failed" : debugged ? "it did not" : "it did");
	if (res.err) {
		report(0, "the traced Launcher runs its Guest (%s: %s)", res.failed, errname(res.err));
		return;
	}
	report(res.exit1_trap == 13 && res.exit1_eip == bp_guest_addr(bp_guest_wrote),
	       "a Guest writes 1000 times to an address a Host breakpoint watches, and takes no #DB (exit at %#x, want %#x)",
	       res.exit1_eip, bp_guest_addr(bp_guest_wrote));
	report(res.exit2_trap == 13 && res.exit2_eip == bp_guest_addr(bp_guest_handler) &&
	       res.frame_eip == bp_guest_addr(bp_guest_stepped) && (res.frame_eflags & 0x100),
	       "its own single step reaches its #DB handler, after the nop, TF in the frame (exit at %#x, frame eip %#x, flags %#x)",
	       res.exit2_eip, res.frame_eip, res.frame_eflags);
	report(traps == 1 && (dr6 & DR6_B1),
	       "then the Launcher's write to its own watched word is one SIGTRAP, DR6 B1 (%u SIGTRAPs, DR6 %#lx)",
	       traps, dr6);
	report(traps == 1 && !(dr6 & DR6_BS),
	       "with no single step in DR6: the Guest's step left nothing in the Host's (DR6 %#lx)", dr6);
}

/* ---- another address space (lguest_user.c H012) ------------------------ */

#define AFTER_EXEC	"--after-exec"

/* What probe_guest() reports: each call's errno, 0 if it worked. */
struct probe_result {
	int read_err, getreg_err, irq_err;
};

/*
 * From an address space that did not create the Guest on fd, try what a
 * Launcher does: run it, read a register, raise an interrupt.  The answers
 * go to report_fd, since this runs in a child or a fresh image, whose TAP
 * lines would be numbered apart from ours.  An alarm ends it should read()
 * run the Guest after all (its code spins).
 */
static int probe_guest(int fd, int report_fd)
{
	uint32_t getreg_w[] = { LHREQ_GETREG, LG_REG_EIP };
	uint32_t irq_w[] = { LHREQ_IRQ, 1 };
	uint8_t buf[sizeof(struct lguest_exit_writes)];
	struct probe_result res;

	alarm(10);
	res.read_err = read(fd, buf, sizeof(buf)) < 0 ? errno : 0;
	res.getreg_err = send(fd, getreg_w, 2) < 0 ? errno : 0;
	res.irq_err = send(fd, irq_w, 2) < 0 ? errno : 0;
	return write(report_fd, &res, sizeof(res)) == sizeof(res) ? 0 : 1;
}

static void report_probe(int report_fd, pid_t child, const char *who)
{
	struct probe_result res;
	const struct {
		const char *what;
		const int *err;
	} calls[] = {
		{ "read()", &res.read_err },
		{ "GETREG", &res.getreg_err },
		{ "IRQ", &res.irq_err },
	};
	ssize_t got = read(report_fd, &res, sizeof(res));
	int status = 0;

	waitpid(child, &status, 0);
	if (got != sizeof(res)) {
		report(0, "%s reports what /dev/lguest did (got %zd bytes, status 0x%x)",
		       who, got, status);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		report(*calls[i].err == EPERM, "%s from %s is EPERM (got %s)",
		       calls[i].what, who, *calls[i].err ? errname(*calls[i].err) : "success");
}

/* The Guest's own address space still has it, unharmed. */
static void check_still_ours(int fd, const char *after)
{
	uint32_t v = 0;

	if (getreg(fd, LG_REG_EIP, "eip", &v))
		report(v == START, "the Launcher still reads its Guest's eip after %s (got 0x%x)",
		       after, v);
}

static void check_forked_child(uint8_t *ram)
{
	int fd = open_dev(), report_fd[2];
	pid_t child;

	ram[START] = 0xeb;	/* jmp . */
	ram[START + 1] = 0xfe;
	expect(initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES), 16, NO_ERROR,
	       "INITIALIZE before fork()");
	if (pipe(report_fd) || (child = fork()) < 0) {
		report(0, "pipe() and fork() for the child's tries (%s)", strerror(errno));
		close(fd);
		return;
	}
	if (child == 0)
		_exit(probe_guest(fd, report_fd[1]));
	close(report_fd[1]);
	report_probe(report_fd[0], child, "a forked child");
	close(report_fd[0]);
	check_still_ours(fd, "its child tried");
	close(fd);
}

/*
 * The task that created the Guest, exec'ing another program with the
 * file left open: the same task, a new address space.
 */
static void check_after_exec(uint8_t *ram)
{
	int report_fd[2];
	pid_t child;

	if (pipe(report_fd) || (child = fork()) < 0) {
		report(0, "pipe() and fork() for the exec'd tries (%s)", strerror(errno));
		return;
	}
	if (child == 0) {
		int fd = open_dev();
		char fd_arg[16], report_arg[16];
		struct probe_result failed = { -1, -1, -1 };

		ram[START] = 0xeb;
		ram[START + 1] = 0xfe;
		if (initialize(fd, addr(ram), RAM_PAGES, START, RAM_PAGES) != 16) {
			failed.read_err = errno;
			_exit(write(report_fd[1], &failed, sizeof(failed)) < 0);
		}
		snprintf(fd_arg, sizeof(fd_arg), "%d", fd);
		snprintf(report_arg, sizeof(report_arg), "%d", report_fd[1]);
		execl("/proc/self/exe", "devtest", AFTER_EXEC, fd_arg, report_arg, (char *)NULL);
		_exit(127);
	}
	close(report_fd[1]);
	report_probe(report_fd[0], child, "the Launcher after exec()");
	close(report_fd[0]);
}

static void check_other_mm(uint8_t *ram)
{
	check_forked_child(ram);
	check_after_exec(ram);
}

int main(int argc, char *argv[])
{
	uint8_t *ram;

	if (argc == 4 && !strcmp(argv[1], AFTER_EXEC))
		return probe_guest(atoi(argv[2]), atoi(argv[3]));

	setvbuf(stdout, NULL, _IOLBF, 0);
	ram = map(RAM_BYTES);

	check_before_init();
	check_bad_initialize(ram);
	check_initialized(ram);
	check_other_mm(ram);
	check_open_close(ram);
	check_stalled_initialize(ram);
	check_two_guests(ram);
	check_locked_memory(ram);
	check_signal(ram);
	check_death(ram);
	check_init_at_zero(ram);
	check_linear_user(ram);
	check_memory_kinds(ram);
	check_exit_record(ram);
	check_fetch_at_ram_end(ram);
	check_held_writes(ram);
	check_held_death(ram);
	check_held_efault(ram);
	check_isr_reads(ram);
	check_host_breakpoints(ram);

	printf("1..%u\n", tests);
	return failures ? 1 : 0;
}
