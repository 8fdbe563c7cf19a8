// SPDX-License-Identifier: GPL-2.0
/*
 * native.c - the native twins of make bench: what a Linux kernel costs,
 * in TSC cycles, for the things lg.ko's primitives are compared with.
 *
 * One static i386 program, run both on the Host kernel of the bench VM and
 * inside a real Linux Guest under lg.ko in the same VM boot, so that the
 * only thing that differs between the two numbers is the hypervisor.
 * Under QEMU's emulator absolute cycle counts mean little; ratios between
 * runs in one boot are what scripts/bench.sh reports.
 *
 *   native [NAME...]    run every benchmark, or only those named
 *   native --list       their names
 *
 * Each benchmark runs REPS repetitions of ITERS operations and prints one
 * line: "@@BENCH <name> cycles=<median per op> min=<..> max=<..> iters=<n>
 * reps=<n>".  A benchmark that cannot run prints "@@BENCH <name> error=<why>"
 * and the program exits 1 at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPS		7
#define PAGE		4096

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static int failed;

static void fail(const char *name, const char *what)
{
	printf("@@BENCH %s error=%s:%s\n", name, what, strerror(errno));
	fflush(stdout);
	failed = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One line: the median of the per-op costs of each repetition. */
static void report(const char *name, uint64_t *per_op, unsigned int iters)
{
	qsort(per_op, REPS, sizeof(*per_op), cmp_u64);
	printf("@@BENCH %s cycles=%llu min=%llu max=%llu iters=%u reps=%u\n", name,
	       (unsigned long long)per_op[REPS / 2], (unsigned long long)per_op[0],
	       (unsigned long long)per_op[REPS - 1], iters, REPS);
	fflush(stdout);
}

/* int $0x80 getppid: the cheapest system call there is, by the old gate. */
static int bench_syscall(const char *name, unsigned int iters, uint64_t *out)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++) {
			long ret = SYS_getppid;

			asm volatile("int $0x80" : "+a"(ret) : : "memory");
		}
		out[r] = (rdtsc() - t0) / iters;
	}
	return 0;
}

/* A write to a fresh anonymous page: one demand-zero fault each. */
static int bench_anonfault(const char *name, unsigned int iters, uint64_t *out)
{
	for (int r = 0; r < REPS; r++) {
		volatile char *p = mmap(NULL, (size_t)iters * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0;

		if (p == MAP_FAILED) {
			fail(name, "mmap");
			return -1;
		}
		t0 = rdtsc();
		for (unsigned int i = 0; i < iters; i++)
			p[(size_t)i * PAGE] = 1;
		out[r] = (rdtsc() - t0) / iters;
		munmap((void *)p, (size_t)iters * PAGE);
	}
	return 0;
}

/*
 * A fault on a page mprotect() made inaccessible, which the SIGSEGV
 * handler makes accessible again: the native counterpart of a trap the
 * Host reflects to a Guest handler that fixes its page table.  Only the
 * access is timed, not the mprotect(PROT_NONE) before it.
 */
static volatile char *prot_page;

static void segv_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	(void)ctx;
	mprotect((void *)prot_page, PAGE, PROT_READ | PROT_WRITE);
}

static int bench_protfault(const char *name, unsigned int iters, uint64_t *out)
{
	struct sigaction sa = { .sa_sigaction = segv_handler, .sa_flags = SA_SIGINFO };

	prot_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (prot_page == MAP_FAILED || sigaction(SIGSEGV, &sa, NULL)) {
		fail(name, "mmap/sigaction");
		return -1;
	}
	prot_page[0] = 1;
	for (int r = 0; r < REPS; r++) {
		uint64_t sum = 0;

		for (unsigned int i = 0; i < iters; i++) {
			uint64_t t0;

			mprotect((void *)prot_page, PAGE, PROT_NONE);
			t0 = rdtsc();
			prot_page[0]++;
			sum += rdtsc() - t0;
		}
		out[r] = sum / iters;
	}
	signal(SIGSEGV, SIG_DFL);
	munmap((void *)prot_page, PAGE);
	return 0;
}

/* A byte back and forth through two pipes: two context switches a trip. */
static int bench_pipe(const char *name, unsigned int iters, uint64_t *out)
{
	int ab[2], ba[2];
	pid_t pid;
	char c = 0;

	if (pipe(ab) || pipe(ba)) {
		fail(name, "pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fail(name, "fork");
		return -1;
	}
	/* Each side closes the ends it does not use, so the child sees EOF. */
	if (pid == 0) {
		close(ab[1]);
		close(ba[0]);
		while (read(ab[0], &c, 1) == 1 && write(ba[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++) {
			if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
				fail(name, "pipe i/o");
				return -1;
			}
		}
		out[r] = (rdtsc() - t0) / (2 * iters);
	}
	close(ab[1]);
	close(ba[0]);
	waitpid(pid, NULL, 0);
	return 0;
}

/* read() of one page of /dev/zero: a system call that copies to user. */
static int bench_readzero(const char *name, unsigned int iters, uint64_t *out)
{
	static char buf[PAGE];
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0) {
		fail(name, "open /dev/zero");
		return -1;
	}
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++) {
			if (read(fd, buf, sizeof(buf)) != sizeof(buf)) {
				fail(name, "read");
				close(fd);
				return -1;
			}
		}
		out[r] = (rdtsc() - t0) / iters;
	}
	close(fd);
	return 0;
}

/*
 * An eventfd written to wake a thread blocked reading it, which answers
 * on a second one: per signal, half a round trip.
 */
static int efd_ping, efd_pong;

static void *efd_thread(void *arg)
{
	uint64_t v;

	(void)arg;
	while (read(efd_ping, &v, sizeof(v)) == sizeof(v)) {
		if (v == UINT64_MAX - 1)
			break;
		v = 1;
		if (write(efd_pong, &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

static int bench_eventfd(const char *name, unsigned int iters, uint64_t *out)
{
	pthread_t t;
	uint64_t v;

	efd_ping = eventfd(0, 0);
	efd_pong = eventfd(0, 0);
	if (efd_ping < 0 || efd_pong < 0 || pthread_create(&t, NULL, efd_thread, NULL)) {
		fail(name, "eventfd/pthread_create");
		return -1;
	}
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++) {
			v = 1;
			if (write(efd_ping, &v, sizeof(v)) != sizeof(v) ||
			    read(efd_pong, &v, sizeof(v)) != sizeof(v)) {
				fail(name, "eventfd i/o");
				return -1;
			}
		}
		out[r] = (rdtsc() - t0) / (2 * iters);
	}
	v = UINT64_MAX - 1;
	if (write(efd_ping, &v, sizeof(v)) == sizeof(v))
		pthread_join(t, NULL);
	close(efd_ping);
	close(efd_pong);
	return 0;
}

/* fork, the child exits at once, the parent waits; or the child execs us. */
static const char *self_path;

static int fork_wait(const char *name, bool do_exec)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fail(name, "fork");
		return -1;
	}
	if (pid == 0) {
		if (do_exec) {
			execl(self_path, self_path, "--exit", (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = ECHILD;
		fail(name, "child did not exit 0");
		return -1;
	}
	return 0;
}

static int bench_fork(const char *name, unsigned int iters, uint64_t *out, bool do_exec)
{
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++)
			if (fork_wait(name, do_exec))
				return -1;
		out[r] = (rdtsc() - t0) / iters;
	}
	return 0;
}

static int bench_forkexit(const char *name, unsigned int iters, uint64_t *out)
{
	return bench_fork(name, iters, out, false);
}

static int bench_forkexec(const char *name, unsigned int iters, uint64_t *out)
{
	return bench_fork(name, iters, out, true);
}

/*
 * Iteration counts: enough for a few thousand cycles of rdtsc noise not to
 * matter, few enough that the whole set takes seconds under QEMU's
 * emulator, in a Guest too.
 */
static const struct bench {
	const char *name;
	unsigned int iters;
	int (*run)(const char *name, unsigned int iters, uint64_t *out);
} benches[] = {
	{ "syscall",	2000,	bench_syscall },
	{ "anonfault",	256,	bench_anonfault },
	{ "protfault",	200,	bench_protfault },
	{ "pipe",	500,	bench_pipe },
	{ "readzero",	1000,	bench_readzero },
	{ "eventfd",	500,	bench_eventfd },
	{ "forkexit",	20,	bench_forkexit },
	{ "forkexec",	20,	bench_forkexec },
};

#define NBENCH	(sizeof(benches) / sizeof(benches[0]))

int main(int argc, char **argv)
{
	uint64_t per_op[REPS];
	size_t i;
	int a;

	if (argc == 2 && !strcmp(argv[1], "--exit"))
		return 0;
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < NBENCH; i++)
			puts(benches[i].name);
		return 0;
	}
	self_path = "/proc/self/exe";
	for (a = 1; a < argc; a++) {
		for (i = 0; i < NBENCH && strcmp(argv[a], benches[i].name); i++)
			;
		if (i == NBENCH) {
			fprintf(stderr, "native: unknown benchmark '%s': run native --list for the names\n",
				argv[a]);
			return 2;
		}
	}
	for (i = 0; i < NBENCH; i++) {
		bool wanted = argc == 1;

		for (a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], benches[i].name);
		if (wanted && benches[i].run(benches[i].name, benches[i].iters, per_op) == 0)
			report(benches[i].name, per_op, benches[i].iters);
	}
	return failed;
}
