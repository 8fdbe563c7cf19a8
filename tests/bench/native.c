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
 * Environment: NATIVE_DISK, the disk (Guest: /dev/vda) or image file (Host)
 * the blk-* rows read; NATIVE_TMP, where the mix writes its files;
 * NATIVE_TCP, ADDRESS:PORT of a "native --tcp-sink PORT" for the tcp row.
 *
 * Each benchmark runs in a process of its own (run_alone()), REPS
 * repetitions of ITERS operations, and prints one
 * line: "@@BENCH <name> cycles=<median per op> min=<..> max=<..> q1=<..>
 * q3=<..> iters=<n> reps=<n>".  A benchmark that cannot run prints
 * "@@BENCH <name> error=<why>" and the program exits 1 at the end.
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Enough repetitions for the median to hold still and the spread to show. */
#define REPS		11
#define PAGE		4096
#define BLK		4096		/* one virtio-blk request of the disk rows */

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

/*
 * One line: the median of the per-op costs of each repetition, their
 * extremes and quartiles, so that make bench can show how noisy a row is.
 */
static void report(const char *name, uint64_t *per_op, unsigned int iters)
{
	qsort(per_op, REPS, sizeof(*per_op), cmp_u64);
	printf("@@BENCH %s cycles=%llu min=%llu max=%llu q1=%llu q3=%llu iters=%u reps=%u\n",
	       name, (unsigned long long)per_op[REPS / 2], (unsigned long long)per_op[0],
	       (unsigned long long)per_op[REPS - 1], (unsigned long long)per_op[REPS / 4],
	       (unsigned long long)per_op[REPS - 1 - REPS / 4], iters, REPS);
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

/*
 * The disk rows: 4 KiB reads of $NATIVE_DISK.  In the Linux Guest that is
 * /dev/vda opened O_DIRECT, so each read is one virtqueue kick, the
 * Launcher's pread() of the image and the completion interrupt; on the Host
 * it is the image file itself, which lives in the initramfs (ramfs takes no
 * O_DIRECT), so the twin is the Host's own read of the same bytes from its
 * page cache, which is what the Launcher does for each request.
 * "direct=" in the line says which one ran.
 */
enum blk_pattern { BLK_SAME, BLK_SEQ, BLK_RAND };

static int bench_blk(const char *name, unsigned int iters, uint64_t *out, enum blk_pattern how)
{
	const char *path = getenv("NATIVE_DISK");
	uint32_t seed = 12345;
	uint64_t blocks, next = 0;
	void *buf;
	off_t size;
	int fd, direct = 1;

	if (!path) {
		errno = EINVAL;
		fail(name, "NATIVE_DISK is not set: give the disk or image file to read");
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		direct = 0;
		fd = open(path, O_RDONLY);
	}
	if (fd < 0 || (size = lseek(fd, 0, SEEK_END)) < (off_t)BLK ||
	    posix_memalign(&buf, BLK, BLK)) {
		fail(name, "open/size NATIVE_DISK");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	blocks = (uint64_t)size / BLK;
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++) {
			uint64_t b = 0;

			if (how == BLK_SEQ) {
				b = next;
				next = (next + 1) % blocks;
			} else if (how == BLK_RAND) {
				seed = seed * 1103515245u + 12345u;
				b = (seed >> 8) % blocks;
			}
			if (pread(fd, buf, BLK, (off_t)(b * BLK)) != BLK) {
				fail(name, "pread");
				close(fd);
				free(buf);
				return -1;
			}
		}
		out[r] = (rdtsc() - t0) / iters;
	}
	printf("@@NOTE %s direct=%d disk=%s blocks=%llu\n", name, direct, path,
	       (unsigned long long)blocks);
	close(fd);
	free(buf);
	return 0;
}

static int bench_blk_kick(const char *name, unsigned int iters, uint64_t *out)
{
	return bench_blk(name, iters, out, BLK_SAME);
}

static int bench_blk_seq(const char *name, unsigned int iters, uint64_t *out)
{
	return bench_blk(name, iters, out, BLK_SEQ);
}

static int bench_blk_rand(const char *name, unsigned int iters, uint64_t *out)
{
	return bench_blk(name, iters, out, BLK_RAND);
}

/*
 * The compile-like mix: each job is a fresh process (fork+exec of us) that
 * reads a source file, computes over it and writes an object file, and
 * every MIX_LINK jobs one more process reads those objects and writes their
 * "link".  Files live in $NATIVE_TMP (default /tmp).  Per job, link included.
 */
#define MIX_SRC		(32 * 1024)
#define MIX_LINK	8

static const char *mix_dir(void)
{
	const char *d = getenv("NATIVE_TMP");

	return d ? d : "/tmp";
}

static int mix_write(const char *path, const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, p, n) == (ssize_t)n;

	if (fd >= 0)
		ok &= close(fd) == 0;
	return ok ? 0 : -1;
}

static int mix_read(const char *path, unsigned char *p, size_t n)
{
	int fd = open(path, O_RDONLY);
	int ok = fd >= 0 && read(fd, p, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* native --mix-job N: the child's side, "compile" job N (or "link" N). */
static int mix_job(const char *what, const char *arg)
{
	static unsigned char src[MIX_SRC], obj[MIX_SRC];
	char path[256];
	unsigned int n = (unsigned int)atoi(arg);
	uint32_t h = 2166136261u;

	if (!strcmp(what, "--mix-job")) {
		snprintf(path, sizeof(path), "%s/mix-src", mix_dir());
		if (mix_read(path, src, sizeof(src)))
			return 1;
		/* The "compile": a few passes of a hash over the source. */
		for (int pass = 0; pass < 4; pass++)
			for (size_t i = 0; i < sizeof(src); i++) {
				h = (h ^ src[i]) * 16777619u;
				obj[i] = (unsigned char)(h >> (pass * 8));
			}
		snprintf(path, sizeof(path), "%s/mix-obj%u", mix_dir(), n % MIX_LINK);
		return mix_write(path, obj, sizeof(obj)) ? 1 : 0;
	}
	memset(src, 0, sizeof(src));
	for (unsigned int j = 0; j < MIX_LINK; j++) {
		snprintf(path, sizeof(path), "%s/mix-obj%u", mix_dir(), j);
		if (mix_read(path, obj, sizeof(obj)))
			return 1;
		for (size_t i = 0; i < sizeof(obj); i++)
			src[i] ^= obj[i];
	}
	snprintf(path, sizeof(path), "%s/mix-out", mix_dir());
	return mix_write(path, src, sizeof(src)) ? 1 : 0;
}

static const char *self_path;

static int mix_spawn(const char *name, const char *what, unsigned int n)
{
	char arg[16];
	int status;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%u", n);
	pid = fork();
	if (pid < 0) {
		fail(name, "fork");
		return -1;
	}
	if (pid == 0) {
		execl(self_path, self_path, what, arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = EIO;
		fail(name, "a mix job failed");
		return -1;
	}
	return 0;
}

static int bench_mix(const char *name, unsigned int iters, uint64_t *out)
{
	static unsigned char src[MIX_SRC];
	char path[256];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + (i >> 9));
	snprintf(path, sizeof(path), "%s/mix-src", mix_dir());
	if (mix_write(path, src, sizeof(src))) {
		fail(name, "write the mix's source file in NATIVE_TMP");
		return -1;
	}
	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = rdtsc();

		for (unsigned int i = 0; i < iters; i++)
			if (mix_spawn(name, "--mix-job", i) ||
			    ((i + 1) % MIX_LINK == 0 && mix_spawn(name, "--mix-link", i)))
				return -1;
		out[r] = (rdtsc() - t0) / iters;
	}
	return 0;
}

/*
 * TCP throughput: per repetition one connection to $NATIVE_TCP
 * (ADDRESS:PORT), iters * 64 KiB written, the write side shut, and the
 * sink's one-byte answer awaited, so every byte has arrived.  The sink is
 * "native --tcp-sink PORT", on the Host: the Linux Guest reaches it over
 * virtio-net and the tap, the Host itself over loopback.  Per 64 KiB.
 */
#define TCP_CHUNK	(64 * 1024)

static int tcp_sink(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	static char buf[TCP_CHUNK];
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4)) {
		fprintf(stderr, "native: tcp sink on port %s: %s\n", port, strerror(errno));
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;
		if (write(c, "k", 1) != 1)
			perror("native: tcp sink answer");
		close(c);
	}
}

static int bench_tcp(const char *name, unsigned int iters, uint64_t *out)
{
	const char *where = getenv("NATIVE_TCP");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char buf[TCP_CHUNK];
	char host[64];
	const char *colon;

	if (!where || !(colon = strchr(where, ':')) || (size_t)(colon - where) >= sizeof(host)) {
		errno = EINVAL;
		fail(name, "NATIVE_TCP is not ADDRESS:PORT of a native --tcp-sink");
		return -1;
	}
	memcpy(host, where, (size_t)(colon - where));
	host[colon - where] = 0;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		errno = EINVAL;
		fail(name, "NATIVE_TCP address");
		return -1;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (int r = 0; r < REPS; r++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		uint64_t t0;
		char ack;

		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
			fail(name, "connect to NATIVE_TCP");
			if (s >= 0)
				close(s);
			return -1;
		}
		t0 = rdtsc();
		for (unsigned int i = 0; i < iters; i++) {
			size_t done = 0;

			while (done < sizeof(buf)) {
				ssize_t w = write(s, buf + done, sizeof(buf) - done);

				if (w <= 0) {
					fail(name, "write");
					close(s);
					return -1;
				}
				done += (size_t)w;
			}
		}
		if (shutdown(s, SHUT_WR) || read(s, &ack, 1) != 1) {
			fail(name, "the sink's answer");
			close(s);
			return -1;
		}
		out[r] = (rdtsc() - t0) / iters;
		close(s);
	}
	return 0;
}

/* fork, the child exits at once, the parent waits; or the child execs us. */

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
	{ "blk-kick",	100,	bench_blk_kick },
	{ "blk-seq",	256,	bench_blk_seq },
	{ "blk-rand",	256,	bench_blk_rand },
	{ "mix",	16,	bench_mix },
	{ "tcp",	8,	bench_tcp },
};

#define NBENCH	(sizeof(benches) / sizeof(benches[0]))

/*
 * One benchmark in a freshly exec'd copy of this program, so that no row
 * depends on the rows before it.  It matters: once the eventfd row has had
 * a second thread, glibc takes its multi-threaded path through fork() for
 * good (locks, at-fork handlers, the child resetting them), which writes to
 * about eight more pages per fork+exit, each a copy-on-write fault; in a
 * Guest that made the fork+exit row a third dearer and its ratio 5.2
 * instead of 4.0.  A program that forks after using threads pays that, but
 * the row is for fork itself, as in lmbench's fork test.
 */
static int run_alone(const char *name)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(name, "fork for its own process");
		return -1;
	}
	if (pid == 0) {
		execl(self_path, self_path, name, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail(name, "waitpid for its own process");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* Exit status 1: it printed its own error line already. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		failed = 1;
		return -1;
	}
	errno = ECHILD;
	fail(name, "its own process died or could not exec");
	return -1;
}

int main(int argc, char **argv)
{
	uint64_t per_op[REPS];
	size_t i;
	int a;

	if (argc == 2 && !strcmp(argv[1], "--exit"))
		return 0;
	if (argc == 3 && (!strcmp(argv[1], "--mix-job") || !strcmp(argv[1], "--mix-link")))
		return mix_job(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--tcp-sink"))
		return tcp_sink(argv[2]);
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
	/* One name: this is the benchmark's own process (or the only one). */
	if (argc == 2) {
		for (i = 0; strcmp(argv[1], benches[i].name); i++)
			;
		if (benches[i].run(benches[i].name, benches[i].iters, per_op) == 0)
			report(benches[i].name, per_op, benches[i].iters);
		return failed;
	}
	for (i = 0; i < NBENCH; i++) {
		bool wanted = argc == 1;

		for (a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], benches[i].name);
		if (wanted)
			run_alone(benches[i].name);
	}
	return failed;
}
